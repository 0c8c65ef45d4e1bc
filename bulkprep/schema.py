"""The mapping file format as a JSON Schema (draft 2020-12), for editors and for checking files early.

The schema is derived, never written by hand: the targets from courier.py's models (read through
:data:`bulkprep.mapping.DECLARED_OBJECTS`), the casts from :class:`bulkprep.casts.Cast`. A schema
aware editor (YAML or JSON) then completes target names, flags a misspelt one and shows what each
field holds. It accepts what :class:`bulkprep.mapping.Mapping` accepts, with these left to
``Mapping`` itself: a target given twice (once nested, once dotted); a target under another
target's single value (``data.plan`` and ``data.plan.tier``); a profile field close to a declared
one (``profile.emial``, refused unless ``custom: true``); a nested key that looks like a misspelt
``column`` (``colum``, ``Column``); a date ``format`` that reads no whole date; and blanks around a
key, which ``Mapping`` forgives and the schema does not.

In the schema, a value is a *source* (a column name, ``{column, ...options}`` or ``{const}``) or a
*branch* (a dict of fields under the target): a dict with ``column`` or ``const`` is a source. Its
options: ``cast``; ``dayfirst`` or ``format`` with ``cast: date``; ``on_error``; ``region_column`` on
a phone target; ``custom`` on a field of the user's own. Fixed objects take their declared fields
only (nested or as dotted keys at any level), ``data``, ``to.data`` and the profile's own fields
take any path, and objects need ``cast: json`` or a const object.

Example:
    >>> schema = mapping_schema()
    >>> schema["$schema"], sorted(schema["properties"])
    ('https://json-schema.org/draft/2020-12/schema', ['data', 'preferences', 'profile', 'recipient', 'to'])
    >>> schema_json()[:2], schema_json().endswith("}\\n")
    ('{\\n', True)
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, Literal

from pydantic.fields import FieldInfo

from bulkprep import courier
from bulkprep.casts import Cast
from bulkprep.mapping import DECLARED_OBJECTS, OBJECT_TARGETS, PHONE_TARGETS, OnError
from bulkprep.numbers import DECIMAL_MARKS

__all__ = ["mapping_schema", "schema_json"]

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

# One path segment: anything but a dot, with at least one character that is not a blank.
_SEGMENT: Final = r"[^.]*[^.\s][^.]*"
_PATH: Final = rf"^{_SEGMENT}(?:\.{_SEGMENT})*$"

# A position in the user's tree: a fixed path ("fixed", path), a preference root ("prefs", path), a
# preference group, one preference, one field of a preference ("pfield", name), or a free field.
_Kind = Literal["fixed", "prefs", "group", "item", "pfield", "free"]
_Position = tuple[_Kind, str]
_FREE: Final[_Position] = ("free", "")


def mapping_schema() -> dict[str, Any]:
    """The JSON Schema of a mapping file (YAML or JSON), with a description on every target.

    Example:
        >>> schema = mapping_schema()
        >>> schema["properties"]["to"]["description"].split(".")[0]
        'to: who one message goes to (the `to` of a bulk user)'
        >>> "profile\\\\.email" in "".join(schema["patternProperties"])
        True
    """
    defs: dict[str, Any] = {
        "cast": _cast_schema(),
        "on_error": _on_error_schema(),
        "source-shaped": {
            "description": "A dict that is a source: it has column (with options) or const.",
            "type": "object",
            "anyOf": [{"required": ["column"]}, {"required": ["const"]}],
        },
        "column": {"type": "string", "description": "A column of the input file, named as in its header."},
    }
    for variant, extra in _SOURCE_VARIANTS.items():
        defs[f"{variant}column-source"] = _column_source(extra)
        defs[f"{variant}const-source"] = _const_source(extra)
        defs[f"{variant}source"] = {
            "description": "A column name (its cells' text, as written), {column, cast, ...} or {const}.",
            "anyOf": [
                {"$ref": "#/$defs/column"},
                {"$ref": f"#/$defs/{variant}column-source"},
                {"$ref": f"#/$defs/{variant}const-source"},
            ],
        }
    defs["object-source"] = {
        "description": "An object: a column of JSON objects (cast: json), or a const object.",
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "column": {"$ref": "#/$defs/column"},
                    "cast": {"type": "string", "pattern": _any_case(Cast.JSON.value)},
                    "on_error": {"$ref": "#/$defs/on_error"},
                },
                "required": ["column", "cast"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"const": {"type": "object"}},
                "required": ["const"],
                "additionalProperties": False,
            },
        ],
    }
    _define(_FREE, defs)
    root = _branch(("fixed", ""), defs, top=True)
    return {
        "$schema": DRAFT,
        "title": "bulkprep mapping",
        "description": (
            "Which source column (or constant) feeds which field of a Courier bulk user. Targets are "
            "written nested (profile: {email: Email}) or as dotted keys (profile.email: Email) at any "
            "level; a source is a column name, {column: Name, cast: int|float|bool|date|json|str} (with "
            "the options dayfirst, format, decimal, region_column, on_error, custom) or {const: value}."
        ),
        "$defs": dict(sorted(defs.items())),
        **root,
    }


def schema_json() -> str:
    """:func:`mapping_schema` as pretty JSON with sorted keys and a final newline (``bulkprep schema``).

    Example:
        >>> json.loads(schema_json()) == mapping_schema()
        True
    """
    return json.dumps(mapping_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------
# The tree of positions, read off courier.py


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _children(position: _Position) -> list[tuple[str, str | None, _Position]]:
    """(segment regex, the literal field name or None, child position) for each way down."""
    kind, path = position
    if kind == "free":
        return [(_SEGMENT, None, _FREE)]
    if kind == "prefs":
        return [(re.escape(group), group, ("group", group)) for group in courier.PREFERENCE_GROUPS]
    if kind == "group":
        return [(_SEGMENT, None, ("item", path))]
    if kind == "item":
        return [(re.escape(field), field, ("pfield", field)) for field in courier.PREFERENCE_FIELDS]
    if kind == "pfield" or (path and courier.field_at(path) != "object"):
        return []
    declared = DECLARED_OBJECTS.get(path)
    if declared is None:
        return [(_SEGMENT, None, _FREE)]  # data, to.data: any path
    out: list[tuple[str, str | None, _Position]] = []
    for name in declared.fields:
        child = _join(path, name)
        out.append(
            (re.escape(name), name, ("prefs" if courier.field_at(child) == "preferences" else "fixed", child))
        )
    if declared.open:
        # The object's own fields (the profile's): any name but a declared one.
        names = "|".join(re.escape(name) for name in declared.fields)
        out.append((rf"(?!(?:{names})(?:\.|$)){_SEGMENT}", None, _FREE))
    return out


def _def_name(position: _Position) -> str:
    kind, path = position
    return {
        "fixed": path,
        "prefs": path,
        "group": f"preference-group.{path}",
        "item": "preference",
        "pfield": f"preference.{path}",
        "free": "free-field",
    }[kind]


def _ref(position: _Position) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{_def_name(position)}"}


def _define(position: _Position, defs: dict[str, Any]) -> None:
    """Add the schema of a value at ``position`` (and of every position under it) to ``defs``."""
    name = _def_name(position)
    if name in defs:
        return
    defs[name] = {}  # taken before recursing: the free field refers to itself
    description = _describe(position)
    children = _children(position)
    kind, path = position
    deprecated = kind == "fixed" and bool(_field(path).deprecated)
    source = f"#/$defs/{_source_variant(position)}source"
    if not children:
        defs[name] = {"description": description, "$ref": source}
        if deprecated:
            defs[name]["deprecated"] = True
        return
    is_object = kind == "prefs" or path in OBJECT_TARGETS
    branch = _branch(position, defs, top=False)
    value: dict[str, Any] = {
        "description": description,
        "if": {"$ref": "#/$defs/source-shaped"},
        "then": {"$ref": "#/$defs/object-source" if is_object else source},
        # Keywords about objects pass over text: the else takes a column name or a branch.
        "else": {**branch, "type": "object" if is_object else ["string", "object"]},
    }
    if deprecated:
        value["deprecated"] = True
    defs[name] = value


def _branch(position: _Position, defs: dict[str, Any], *, top: bool) -> dict[str, Any]:
    """The keywords of a dict of fields under ``position``: nested names and dotted keys."""
    properties: dict[str, Any] = {}
    patterns: dict[str, Any] = {}

    def walk(at: _Position, prefix: str) -> None:
        for segment, literal, child in _children(at):
            _define(child, defs)
            key = f"{prefix}\\.{segment}" if prefix else segment
            if child == _FREE:
                patterns[f"^{key}(?:\\.{_SEGMENT})*$"] = _ref(child)  # it and any path under it
                continue
            if prefix or literal is None:
                patterns[f"^{key}$"] = _ref(child)
            else:
                properties[literal] = {**_ref(child), "description": _describe(child)}
            walk(child, key)

    walk(position, "")
    if position == _FREE:
        # A free branch: any names, as long as no segment is empty.
        return {"minProperties": 1, "propertyNames": {"pattern": _PATH}, "additionalProperties": _ref(_FREE)}
    branch: dict[str, Any] = {"type": "object"} if top else {"minProperties": 1}
    if properties:
        branch["properties"] = properties
    if patterns:
        branch["patternProperties"] = patterns
    branch["additionalProperties"] = False
    return branch


# ---------------------------------------------------------------------------------------------------
# Descriptions


def _field(path: str) -> FieldInfo:
    parent, _, name = path.rpartition(".")
    return DECLARED_OBJECTS[parent].model.model_fields[name]


def _first_line(doc: str | None) -> str:
    text = (doc or "").strip().split("\n\n")[0].replace("``", "`")  # Markdown, as editors show it
    return " ".join(text.split()).rstrip(".")


_OBJECT_HINT: Final = "Map fields under it, or one column with cast: json, or a const object."


def _describe(position: _Position) -> str:
    kind, path = position
    if kind == "free":
        return "A field of the user's own: any name, any depth; a source or fields under it."
    if kind == "group":
        return f"{path}: one preference per id, as in {path}.<id>.status."
    if kind == "item":
        return f"One preference: {', '.join(courier.PREFERENCE_FIELDS)}."
    if kind == "pfield":
        hint = (
            f": {', '.join(courier.PREFERENCE_STATUSES)}"
            if path == "status"
            else " (a list: map one column with cast: json)"
        )
        return f"The preference's {path}{hint}."
    if kind == "prefs":
        groups = ", ".join(courier.PREFERENCE_GROUPS)
        return f"{path}: {_first_line(courier.Preferences.__doc__).lower()} ({groups}). {_OBJECT_HINT}"
    declared = DECLARED_OBJECTS.get(path)
    field_kind = courier.field_at(path)
    if declared is not None:
        first = _first_line(declared.model.__doc__)
        what = first[0].lower() + first[1:]
    elif field_kind == "object":
        what = "an object of the user's own fields (any name, any depth)"
    else:
        what = "text" if field_kind == "text" else "a value"
    sentences = [f"{path}: {what}."]
    identity = courier.IDENTITY_FIELDS.get(path)
    if identity is not None:
        sentences.append(f"Identifies the user ({identity.replace('_', ' ')}).")
    if path in OBJECT_TARGETS:
        sentences.append(_OBJECT_HINT)
    deprecated = _field(path).deprecated
    if deprecated:
        sentences.append(f"Deprecated: {deprecated}.")
    return " ".join(sentences)


# Sources by where they stand: a phone target takes region_column, a field of the user's own
# (data, to.data, the profile's own) takes custom, any other target neither.
_SOURCE_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "": (),
    "phone-": ("region_column",),
    "own-": ("custom",),
}


def _source_variant(position: _Position) -> str:
    kind, path = position
    if kind == "free":
        return "own-"
    if kind == "fixed" and path in PHONE_TARGETS:
        return "phone-"
    return ""


def _column_source(extra: tuple[str, ...]) -> dict[str, Any]:
    date_cast = {"type": "string", "pattern": _any_case(Cast.DATE.value)}
    properties: dict[str, Any] = {
        "column": {"$ref": "#/$defs/column"},
        "cast": {"$ref": "#/$defs/cast"},
        "dayfirst": {
            "type": ["boolean", "null"],
            "description": "For cast: date, read ambiguous dates day first (true) or month first (false); "
            "unset, the column's own dates decide.",
        },
        "format": {
            "type": ["string", "null"],
            "description": 'For cast: date, the strptime format of the dates ("%d/%m/%Y"); '
            "not with dayfirst.",
        },
        "decimal": {
            "enum": [*DECIMAL_MARKS, None],
            "description": 'For cast: int or float, the decimal mark of the numbers ("," or "."); unset, '
            "the column's own numbers decide.",
        },
        "on_error": {"$ref": "#/$defs/on_error"},
    }
    if "region_column" in extra:
        properties["region_column"] = {
            "anyOf": [{"type": "null"}, {"type": "string", "pattern": r"\S"}],
            "description": "The column holding each row's country, in which the number is read.",
        }
    if "custom" in extra:
        properties["custom"] = _CUSTOM
    only_dates = [
        {
            "if": {"required": [key], "properties": {key: {"not": {"type": "null"}}}},
            "then": {"required": ["cast"], "properties": {"cast": date_cast}},
        }
        for key in ("dayfirst", "format")
    ]
    number_cast = {
        "type": "string",
        "pattern": rf"^\s*(?:{_letters(Cast.INT.value)}|{_letters(Cast.FLOAT.value)})\s*$",
    }
    only_numbers = {
        "if": {"required": ["decimal"], "properties": {"decimal": {"not": {"type": "null"}}}},
        "then": {"required": ["cast"], "properties": {"cast": number_cast}},
    }
    not_both = {
        "not": {
            "required": ["dayfirst", "format"],
            "properties": {"dayfirst": {"type": "boolean"}, "format": {"type": "string"}},
        }
    }
    return {
        "description": "A column, converted by a cast, with its options.",
        "type": "object",
        "properties": properties,
        "required": ["column"],
        "additionalProperties": False,
        "allOf": [*only_dates, only_numbers, not_both],
    }


_CUSTOM: Final = {
    "type": ["boolean", "null"],
    "description": "true: a field of the user's own, even if its name is close to one Courier defines.",
}


def _const_source(extra: tuple[str, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "const": {"not": {"type": "null"}, "description": "The value; null is refused."}
    }
    if "custom" in extra:
        properties["custom"] = _CUSTOM
    return {
        "description": "The same value on every row (text, a number, true/false, a list or an object).",
        "type": "object",
        "properties": properties,
        "required": ["const"],
        "additionalProperties": False,
    }


def _on_error_schema() -> dict[str, Any]:
    return {
        "description": "What a value that fails does to its row (default invalid).",
        "anyOf": [
            {"const": OnError.INVALID.value, "description": "invalid: the row is invalid."},
            {
                "const": OnError.DROP_FIELD.value,
                "description": "drop_field: the row is sent without the field.",
            },
            {
                "type": "string",
                "pattern": rf"^\s*(?:{'|'.join(_letters(policy.value) for policy in OnError)})\s*$",
                "description": "A policy in any letter case.",
            },
            {"type": "null", "description": "The default, invalid."},
        ],
    }


def _cast_schema() -> dict[str, Any]:
    names = "|".join(_letters(cast.value) for cast in Cast)
    return {
        "description": "How to convert the column's cells; a value that fails becomes a cast_failed problem.",
        "anyOf": [
            *({"const": cast.value, "description": f"{cast.value}: {cast.description}."} for cast in Cast),
            {
                "type": "string",
                "pattern": rf"^\s*(?:{names})\s*$",
                "description": "A cast in any letter case.",
            },
            {"type": "null", "description": "No cast: the cells' text as written."},
        ],
    }


def _any_case(word: str) -> str:
    """A pattern for ``word`` in any letter case with blanks around it (as :class:`Mapping` reads casts)."""
    return rf"^\s*{_letters(word)}\s*$"


def _letters(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)
