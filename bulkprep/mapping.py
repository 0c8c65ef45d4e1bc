"""Which source column feeds which field of a Courier user: the mapping, read from a dict or a file.

A :class:`Mapping` names a *target* (a path in Courier's user object) for each source. Targets live
under ``recipient``, ``profile.*``, ``data.*``, ``to.*`` and ``preferences.*``: the fields of
:class:`bulkprep.courier.User`, which is the one declaration of what a target may be. A mapping is
written as a nested dict or flat with dotted paths (both can be mixed), and saved as YAML or JSON::

    recipient: user_id              # a column name: the cell's text, exactly as written
    profile:
      email: Email
      phone_number: Phone
    data:
      first_name: First Name
      age: {column: Age, cast: int} # a column with a cast: int, float, bool, date, json or str
      source: {const: spring-sale}  # the same value on every row
      extra: {column: Extra, cast: json}
      signup: {column: Signup, cast: date, dayfirst: true}   # or format: "%d/%m/%Y"
    to:
      user_id: user_id
    preferences.categories.news.status: News   # dotted paths work at any level

A dict with a ``column`` or a ``const`` key is a source; any other dict is a branch of the tree. A
source takes only these keys, and any other is an error that names them:

- ``column`` and its options: ``cast``; ``dayfirst: true|false`` or ``format`` (an strptime format
  such as ``"%d/%m/%Y"``), only with ``cast: date`` and not both (see :func:`bulkprep.casts.convert`
  for how a date column is read without them); ``decimal: ","`` or ``"."``, only with ``cast: int``
  or ``float``, the column's decimal mark (:mod:`bulkprep.numbers` tells how it is read without);
  ``on_error: invalid|drop_field``, what a failing value does to its row (:class:`OnError`, read by
  :meth:`Mapping.on_error_policies`); ``region_column``, only on a phone target
  (``profile.phone_number``, ``to.phone_number``), the column holding each row's country
  (:meth:`Mapping.region_columns`; it must exist like any mapped column); ``custom: true`` (below).
- ``const`` and ``custom``.

A field literally called ``column``, ``cast`` or ``const`` (or a near miss of ``column``, such as
``Column``) is therefore written with a dotted path (``data.column: Col``); :meth:`Mapping.to_dict`
does so itself. A field of the profile's own whose name is close to one Courier defines
(``profile.emial``, ``profile.e_mail``, ``profile.phone``) is taken for a misspelling and refused
with "did you mean", unless its source says ``custom: true``. A target under another target is
refused unless that one holds an object (``cast: json`` or a const object, merged with the fields
under it): ``data.plan`` and ``data.plan.tier`` cannot both be sent.

The casts are described in :mod:`bulkprep.casts`, the payloads built from the targets in
:mod:`bulkprep.payloads`, and the file format as a JSON Schema in :mod:`bulkprep.schema`. Empty and
blank cells are missing: they are left out of the payload, never sent as null or "nan".

The structure is checked by hand rather than with pydantic: a source is told apart from a branch by
its keys, and hand-written checks give messages that name the target at fault in the mapping's own
terms ("target 'to.user_ip': ..."), where a generated model would speak of union members.

Example:
    >>> import pandas as pd
    >>> from bulkprep.payloads import build_payloads
    >>> mapping = Mapping({"recipient": "id", "profile": {"email": "Email"},
    ...                    "data.age": {"column": "Age", "cast": "int"}})
    >>> frame = pd.DataFrame({"id": ["u1", "u2"], "Email": ["a@x.io", ""], "Age": ["41", "old"]})
    >>> mapped = mapping.apply(frame)
    >>> build_payloads(mapped.targets).tolist()
    [{'recipient': 'u1', 'profile': {'email': 'a@x.io'}, 'data': {'age': 41}}, {'recipient': 'u2'}]
    >>> mapped.errors[["bulk_row", "field", "code", "value"]].to_dict("records")
    [{'bulk_row': 1, 'field': 'data.age', 'code': 'cast_failed', 'value': 'old'}]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable
from collections.abc import Mapping as AbcMapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, NamedTuple, get_args, get_origin

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel

from bulkprep import _source, casts, courier, jsonsafe, numbers, payloads, suggest
from bulkprep._moved import Moved, moved_names
from bulkprep.arrowtext import arrow_text, may_be_blank
from bulkprep.errors import InputError, MappingError
from bulkprep.report import errors_from_records
from bulkprep.status import ATTRS_KEY, ROW_KEY, Stage

__all__ = [
    "COLUMN_KEYS",
    "CONST_KEYS",
    "MAX_MAPPING_BYTES",
    "MAX_TARGETS",
    "PHONE_TARGETS",
    "ColumnSource",
    "ConstSource",
    "Mapped",
    "Mapping",
    "OnError",
    "check_target",
    "closest_column",
]

# Names that moved to their own homes: still readable from here, with a warning naming the new one.
__getattr__ = moved_names(
    __name__,
    {
        "ROOTS": Moved(courier.ROOTS, "bulkprep.courier.ROOTS"),
        "TO_FIELDS": Moved(courier.TO_FIELDS, "bulkprep.courier.TO_FIELDS"),
        "Cast": Moved(casts.Cast, "bulkprep.casts.Cast"),
        "build_payloads": Moved(payloads.build_payloads, "bulkprep.payloads.build_payloads"),
    },
)


# Field names to_dict writes as dotted keys, never nested: column and const make a dict a source, and
# cast was kept beside them from the first format (a near miss of column is dotted too).
_SOURCE_KEYS = frozenset({"column", "cast", "const"})
COLUMN_KEYS: Final = (
    "column",
    "cast",
    "dayfirst",
    "format",
    "decimal",
    "region_column",
    "on_error",
    "custom",
)
"""The keys of a column source: ``column`` and its options (each documented on :class:`ColumnSource`)."""
CONST_KEYS: Final = ("const", "custom")
"""The keys of a constant source."""
PHONE_TARGETS: Final[frozenset[str]] = frozenset(
    path for path, kind in courier.IDENTITY_FIELDS.items() if kind == "phone"
)
"""The targets holding a phone number: the only ones a ``region_column`` applies to."""
# A field of an open object (the profile's own) this close to a declared one is taken for a
# misspelling of it unless the mapping says ``custom: true``: difflib's ratio on the names folded
# to letters and digits (emial, e_mail, Email, mail, phoneNumber), or a prefix of it (phone).
NEAR_MISS_RATIO: Final = 0.8
_NEAR_MISS_PREFIX: Final = 4

OBJECT_TARGETS: Final[frozenset[str]] = courier.OBJECT_FIELDS | frozenset(courier.PREFERENCE_ROOTS)
"""Targets that must hold an object (courier.py's object fields and preference roots): a column
mapped straight onto one needs ``cast: json``."""


class OnError(StrEnum):
    """What a value that fails (its cast, or its check) does to its row: the target's field policy."""

    INVALID = "invalid"
    """The row is invalid (the default)."""
    DROP_FIELD = "drop_field"
    """The row keeps its other fields, without this one (a warning); never for a user id, and never
    when the user could no longer be reached (see :mod:`bulkprep.field_policy`)."""


@dataclasses.dataclass(frozen=True)
class ColumnSource:
    """A target fed by a source column, optionally converted.

    Attributes:
        column: the source column.
        cast: the conversion (:class:`bulkprep.casts.Cast`), or None for the cells' text.
        dayfirst: for ``cast: date``, read ambiguous dates day first (True) or month first (False);
            None decides from the column's own dates.
        format: for ``cast: date``, the strptime format of the column's dates (``"%d/%m/%Y"``).
        decimal: for ``cast: int`` or ``float``, the decimal mark of the column's numbers (``","`` or
            ``"."``); None decides from the column's own numbers (:mod:`bulkprep.numbers`).
        region_column: for a phone target, the column holding each row's country.
        on_error: what a value that fails does to its row.
        custom: the target is a field of the user's own, even if it is close to one Courier defines.
    """

    column: str
    cast: casts.Cast | None = None
    dayfirst: bool | None = None
    format: str | None = None
    decimal: str | None = None
    region_column: str | None = None
    on_error: OnError = OnError.INVALID
    custom: bool = False

    @property
    def date_options(self) -> casts.DateOptions:
        """The ``dayfirst`` and ``format`` of a date column, as :func:`bulkprep.casts.convert` takes them."""
        return casts.DateOptions(dayfirst=self.dayfirst, date_format=self.format)


@dataclasses.dataclass(frozen=True)
class ConstSource:
    """A target holding the same (JSON-clean) value on every row (``custom`` as on :class:`ColumnSource`)."""

    value: Any
    custom: bool = False


Source = ColumnSource | ConstSource


class Mapped(NamedTuple):
    """What :meth:`Mapping.apply` returns: the targets frame and the error table of failed casts."""

    targets: pd.DataFrame
    errors: pd.DataFrame


# ---------------------------------------------------------------------------------------------------
# Target paths, read off courier.py's models


@dataclasses.dataclass(frozen=True)
class DeclaredObject:
    """An object of Courier's user with declared fields: the user itself, ``profile``, ``to``, ``to.context``.

    ``open`` objects (the profile) also take fields of the user's own; the others take only theirs.
    """

    model: type[BaseModel]
    fields: tuple[str, ...]
    open: bool


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X | None`` or ``Annotated[X, ...]``, or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is dict:
        return None  # a free object (data): its values are the user's own
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _declared_objects() -> dict[str, DeclaredObject]:
    """Every object path of the user whose fields courier.py declares ("" is the user itself)."""
    found: dict[str, DeclaredObject] = {}

    def walk(model: type[BaseModel], path: str) -> None:
        extra = model.model_config.get("extra")
        found[path] = DeclaredObject(model, tuple(model.model_fields), open=extra == "allow")
        for name, info in model.model_fields.items():
            child = f"{path}.{name}" if path else name
            inner = _model_in(info.annotation)
            if inner is not None and courier.field_at(child) == "object":
                walk(inner, child)

    walk(courier.User, "")
    return found


DECLARED_OBJECTS: Final = _declared_objects()
"""Object path -> its declared fields (``""`` is the user): what a target may name under each."""


def check_target(target: str, *, custom: bool = False) -> None:
    """Raise :class:`MappingError` unless ``target`` is a dotted path Courier's user can hold.

    Fixed objects (the user, ``to``, ``to.context``, preferences) take only their declared fields,
    and a misspelt one is answered with the closest ("did you mean 'to.user_id'?"); ``data``,
    ``to.data`` and the profile's own fields take any path. A profile field close to one Courier
    defines (``profile.emial``, ``profile.phone``) is taken for a misspelling of it, unless
    ``custom`` says the field is the user's own (``{column: X, custom: true}`` in a mapping).

    Example:
        >>> check_target("profile.email")  # doctest: +ELLIPSIS
        >>> check_target("email")
        Traceback (most recent call last):
        ...
        bulkprep.errors.MappingError: target 'email': must start with one of recipient, profile, data, to, ...
        >>> try:
        ...     check_target("to.user_ip")
        ... except MappingError as error:
        ...     print(str(error).split("; ")[-1])
        did you mean 'to.user_id'?
        >>> check_target("profile.emial", custom=True)  # a field of the user's own, on purpose
    """
    _target_position(target, custom=custom)


def _target_position(target: str, *, custom: bool) -> bool:
    """Check ``target`` (see :func:`check_target`); True when it is a field of the user's own."""
    parts = target.split(".")
    if any(not part.strip() for part in parts):
        raise MappingError(f"target {target!r}: empty path segment; write paths such as data.first_name")
    path = ""
    for depth, part in enumerate(parts):
        kind = courier.field_at(path) if path else "object"
        if kind == "preferences":
            _check_preferences_path(target, parts, depth)
            return False
        if kind != "object":
            noun = "user id" if depth == 1 and courier.IDENTITY_FIELDS.get(path) == "user_id" else "value"
            raise MappingError(f"target {target!r}: {path} is a single {noun} and has no fields")
        declared = DECLARED_OBJECTS.get(path)
        if declared is None:
            return True  # a free object (data, to.data): any path under it
        if part not in declared.fields:
            if declared.open:
                near = None if custom else _near_miss(part, declared.fields)
                if near is not None:
                    guess = ".".join([*parts[:depth], near, *parts[depth + 1 :]])
                    raise MappingError(
                        f"target {target!r}: {part!r} is close to {near!r}, a field Courier defines; "
                        f"did you mean {guess!r}? If {part!r} is a field of your own, add custom: true "
                        f"to its source ({{column: ..., custom: true}})"
                    )
                return True  # a field of the user's own (the profile's)
            raise MappingError(_unknown_field(target, parts, depth, declared.fields))
        path = f"{path}.{part}" if path else part
    return False


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _near_miss(name: str, fields: Iterable[str]) -> str | None:
    """The declared field ``name`` is taken for a misspelling of, or None (see NEAR_MISS_RATIO)."""
    folded = _fold(name)
    for field in fields:
        declared = _fold(field)
        if difflib.SequenceMatcher(None, folded, declared).ratio() >= NEAR_MISS_RATIO or (
            len(folded) >= _NEAR_MISS_PREFIX and declared.startswith(folded)
        ):
            return field
    return None


def _unknown_field(target: str, parts: list[str], depth: int, fields: tuple[str, ...]) -> str:
    field, parent = parts[depth], ".".join(parts[:depth])
    if not parent:
        message = (
            f"target {target!r}: must start with one of {', '.join(fields)} "
            f"(for example profile.{parts[-1]} or data.{parts[-1]})"
        )
    elif len(fields) == 1:
        message = f"target {target!r}: {parent} has a single field, {fields[0]}"
    else:
        message = f"target {target!r}: {parent!r} has no field {field!r}; use one of {', '.join(fields)}"
    return message + _did_you_mean(parts, depth, fields)


def _did_you_mean(parts: list[str], depth: int, fields: Iterable[str]) -> str:
    """``; did you mean '<target>'?`` with the misspelt segment replaced by the closest field, or ""."""
    close = difflib.get_close_matches(parts[depth], list(fields), n=1)
    if not close:
        return ""
    guess = ".".join([*parts[:depth], close[0], *parts[depth + 1 :]])
    return f"; did you mean {guess!r}?"


def _check_preferences_path(target: str, parts: list[str], depth: int) -> None:
    """A path under a preference root: ``<group>.<id>.<field>``, no deeper."""
    rest = parts[depth:]
    if rest and rest[0] not in courier.PREFERENCE_GROUPS:
        groups = " or ".join(repr(group) for group in courier.PREFERENCE_GROUPS)
        raise MappingError(
            f"target {target!r}: preferences hold {groups}, as in preferences.categories.<id>.status"
            + _did_you_mean(parts, depth, courier.PREFERENCE_GROUPS)
        )
    if len(rest) >= 3 and rest[2] not in courier.PREFERENCE_FIELDS:
        raise MappingError(
            f"target {target!r}: a preference has the fields {', '.join(courier.PREFERENCE_FIELDS)}, "
            f"not {rest[2]!r}" + _did_you_mean(parts, depth + 2, courier.PREFERENCE_FIELDS)
        )
    if len(rest) > 3:
        raise MappingError(
            f"target {target!r}: {rest[2]} cannot be split further; map one column with cast: json to it"
        )


# ---------------------------------------------------------------------------------------------------
# Reading a mapping


def _is_source_dict(node: AbcMapping[str, Any]) -> bool:
    """A dict with ``column`` or ``const`` is a source (its other keys are options), any other a branch."""
    return "column" in node or "const" in node


def _looks_like_source_key(name: Any) -> bool:
    """A name that reads as a misspelt ``column`` or ``const`` (Column, colum, columns, CONST)."""
    if not isinstance(name, str) or "." in name:
        return False  # a dotted key is a path, never a source key
    folded = name.strip().casefold()
    if folded in _SOURCE_KEYS:
        return name not in _SOURCE_KEYS
    return difflib.SequenceMatcher(None, folded, "column").ratio() >= NEAR_MISS_RATIO


def _refuse_misspelt_source(target: str, node: AbcMapping[Any, Any]) -> None:
    for key in node:
        if _looks_like_source_key(key):
            close = difflib.get_close_matches(
                str(key).strip().casefold(), ["column", "const"], n=1, cutoff=0.5
            )
            guess = close[0] if close else "column"
            raise MappingError(
                f"target {target!r}: key {key!r} looks like a misspelt {guess!r}; write {guess!r} for a "
                f"source ({{column: Name, cast: ...}}), or {target}.{key} as a dotted key for a field of "
                f"that name"
            )


def _check_keys(target: str, raw: AbcMapping[Any, Any], allowed: tuple[str, ...], what: str) -> None:
    for key in raw:
        if key in allowed:
            continue
        known = [k for k in allowed if isinstance(key, str) and k == key.strip().casefold()]
        close = known or difflib.get_close_matches(str(key), list(allowed), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise MappingError(
            f"target {target!r}: unknown key {key!r} in {what}; {guess}{what} takes "
            f"{', '.join(allowed)} (a field named {key!r} is written as a dotted key, {target}.{key})"
        )


def _option(raw: AbcMapping[Any, Any], key: str) -> Any:
    """An option of a source dict: None when absent or null."""
    return raw.get(key)


def _flag(target: str, raw: AbcMapping[Any, Any], key: str) -> bool | None:
    value = _option(raw, key)
    if value is not None and not isinstance(value, bool):
        raise MappingError(f"target {target!r}: {key} must be true or false, not {value!r}")
    return value


def _parse_source(target: str, raw: Any) -> Source:
    if isinstance(raw, str):
        return ColumnSource(column=raw)
    if isinstance(raw, AbcMapping):
        if "column" in raw and "const" in raw:
            raise MappingError(
                f"target {target!r}: give a column or a const, not both (a field named 'column' or 'const' "
                f"is written as a dotted key, such as {target}.column)"
            )
        if "const" in raw:
            return _parse_const(target, raw)
        return _parse_column(target, raw)
    if raw is None:
        raise MappingError(f"target {target!r}: no source given; name a column, or remove the target")
    raise MappingError(
        f"target {target!r}: {raw!r} is not a column name; quote it ('{raw}'), "
        f"or write {{const: {raw}}} for a fixed value"
    )


def _parse_const(target: str, raw: AbcMapping[Any, Any]) -> ConstSource:
    if "cast" in raw:
        raise MappingError(f"target {target!r}: a const takes no cast; write the value as it should be")
    _check_keys(target, raw, CONST_KEYS, "a const source")
    value = jsonsafe.clean(raw["const"])
    if value is jsonsafe.MISSING:
        raise MappingError(
            f"target {target!r}: const is empty, so the field would never be sent; remove the target"
        )
    return ConstSource(value=value, custom=bool(_flag(target, raw, "custom")))


def _parse_column(target: str, raw: AbcMapping[Any, Any]) -> ColumnSource:
    _check_keys(target, raw, COLUMN_KEYS, "a column source")
    column = raw["column"]
    if not isinstance(column, str):
        raise MappingError(
            f"target {target!r}: column name {column!r} is not text; write it in quotes ('{column}')"
        )
    cast = _option(raw, "cast")
    parsed_cast: casts.Cast | None = None
    if cast is not None:
        try:
            parsed_cast = casts.Cast(str(cast).strip().lower())
        except ValueError:
            allowed = ", ".join(c.value for c in casts.Cast)
            raise MappingError(f"target {target!r}: unknown cast {cast!r}; use one of {allowed}") from None
    dayfirst = _flag(target, raw, "dayfirst")
    date_format = _option(raw, "format")
    for key, value in (("dayfirst", dayfirst), ("format", date_format)):
        if value is not None and parsed_cast is not casts.Cast.DATE:
            raise MappingError(f"target {target!r}: {key} is for dates; add cast: date, or remove {key}")
    if date_format is not None:
        if dayfirst is not None:
            raise MappingError(
                f"target {target!r}: give dayfirst or format, not both (the format already says the order)"
            )
        _check_date_format(target, date_format)
    decimal = _option(raw, "decimal")
    if decimal is not None:
        if parsed_cast not in (casts.Cast.INT, casts.Cast.FLOAT):
            raise MappingError(
                f"target {target!r}: decimal is for numbers; add cast: int or cast: float, or remove decimal"
            )
        if decimal not in numbers.DECIMAL_MARKS:
            raise MappingError(f'target {target!r}: decimal must be "," or ".", not {decimal!r}')
    region_column = _option(raw, "region_column")
    if "region_column" in raw:
        if target not in PHONE_TARGETS:
            raise MappingError(
                f"target {target!r}: region_column is for phone numbers; put it on "
                f"{' or '.join(sorted(PHONE_TARGETS))}"
            )
        if region_column is not None and (not isinstance(region_column, str) or not region_column.strip()):
            raise MappingError(
                f"target {target!r}: region_column must name the column holding each row's country, "
                f"not {region_column!r}"
            )
    return ColumnSource(
        column=column,
        cast=parsed_cast,
        dayfirst=dayfirst,
        format=date_format,
        decimal=decimal,
        region_column=region_column,
        on_error=_parse_on_error(target, _option(raw, "on_error")),
        custom=bool(_flag(target, raw, "custom")),
    )


def _check_date_format(target: str, date_format: Any) -> None:
    """A format must read a full date back (day, month and year), in strptime's codes."""
    probe = dt.date(2024, 3, 25)  # a day above 12: day and month cannot stand in for each other
    back = None
    if isinstance(date_format, str):
        try:
            back = dt.datetime.strptime(probe.strftime(date_format), date_format).date()
        except ValueError:
            back = None
    if back != probe:
        raise MappingError(
            f"target {target!r}: format {date_format!r} does not read a whole date; give the day, month "
            f'and year in strptime codes, such as "%d/%m/%Y" or "%m/%d/%Y %H:%M"'
        )


def _parse_on_error(target: str, value: Any) -> OnError:
    if value is None:
        return OnError.INVALID
    try:
        return OnError(str(value).strip().lower())
    except ValueError:
        allowed = " or ".join(policy.value for policy in OnError)
        raise MappingError(f"target {target!r}: unknown on_error {value!r}; use {allowed}") from None


def _flatten(spec: AbcMapping[Any, Any], prefix: str, out: dict[str, Source]) -> None:
    for key, raw in spec.items():
        if not isinstance(key, str):
            raise MappingError(f"target {prefix}{key!r}: field names must be text; write it in quotes")
        target = f"{prefix}{key.strip()}"
        if isinstance(raw, AbcMapping) and not _is_source_dict(raw):
            if not raw:
                raise MappingError(f"target {target!r}: empty; map at least one field under it or remove it")
            _refuse_misspelt_source(target, raw)
            _flatten(raw, f"{target}.", out)
            continue
        own = _target_position(target, custom=True)  # the path first, near misses of fields aside
        if target in out:
            raise MappingError(f"target {target!r}: given twice (once nested, once dotted?); keep one")
        source = _parse_source(target, raw)
        if own and not source.custom:
            _target_position(target, custom=False)  # a near miss of a declared field, unless custom
        if isinstance(raw, AbcMapping) and "custom" in raw and not own:
            raise MappingError(
                f"target {target!r}: custom is for fields of the user's own (profile or data fields); "
                f"{target} is a field Courier defines: remove custom"
            )
        _check_object_target(target, source)
        out[target] = source


def _is_object_source(source: Source) -> bool:
    if isinstance(source, ConstSource):
        return isinstance(source.value, dict)
    return source.cast is casts.Cast.JSON


def _check_nesting(sources: AbcMapping[str, Source]) -> None:
    """A target under another target is fine only when that one holds an object (merged with it)."""
    for target in sources:
        parts = target.split(".")
        for cut in range(1, len(parts)):
            parent = ".".join(parts[:cut])
            source = sources.get(parent)
            if source is not None and not _is_object_source(source):
                raise MappingError(
                    f"target {target!r} is under target {parent!r}, which holds a single value: the field "
                    f"would replace it with an object; map only one of them, or rename one "
                    f"(or give {parent} cast: json if its cells hold objects to merge)"
                )


def _check_object_target(target: str, source: Source) -> None:
    if target not in OBJECT_TARGETS:
        return
    if isinstance(source, ConstSource):
        if not isinstance(source.value, dict):
            raise MappingError(f"target {target!r}: must be an object; give a const such as {{key: value}}")
    elif source.cast is not casts.Cast.JSON:
        raise MappingError(
            f"target {target!r} is an object: map column {source.column!r} to a field under it "
            f"(such as {target}.{suggest.snake_case(source.column)}), "
            f"or add cast: json if its cells hold objects"
        )


# ---------------------------------------------------------------------------------------------------
# The Mapping


class Mapping:
    """Which source column (or constant) feeds which target path of a Courier user.

    Args:
        spec: a nested dict, a flat dict of dotted paths, or a mix (see the module documentation).

    Raises:
        MappingError: a target outside Courier's user, an unknown cast, a malformed source.

    Example:
        >>> mapping = Mapping({"recipient": "user_id", "profile.email": "Email"})
        >>> mapping.targets
        ('recipient', 'profile.email')
        >>> mapping.to_dict()
        {'recipient': 'user_id', 'profile': {'email': 'Email'}}
    """

    def __init__(self, spec: AbcMapping[str, Any]) -> None:
        if not isinstance(spec, AbcMapping):
            raise MappingError(f"a mapping must be a dict of targets to columns, not {type(spec).__name__}")
        sources: dict[str, Source] = {}
        _flatten(spec, "", sources)
        if len(sources) > MAX_TARGETS:
            raise MappingError(
                f"the mapping has {len(sources):,} targets; at most {MAX_TARGETS:,} are taken (a user with "
                "that many fields is no message's data): map the columns the message needs"
            )
        _check_nesting(sources)
        self._sources = sources
        self._notes: tuple[str, ...] = ()

    # -- construction and files ------------------------------------------------------------------

    @classmethod
    def from_dict(cls, spec: AbcMapping[str, Any]) -> Mapping:
        """A mapping from a nested or dotted dict (the same as ``Mapping(spec)``).

        Example:
            >>> Mapping.from_dict({"data": {"plan": "Plan"}}) == Mapping({"data.plan": "Plan"})
            True
        """
        return cls(spec)

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read a mapping from a ``.yaml``/``.yml`` or ``.json`` file.

        The file is read strictly: a key given twice in one object, YAML anchors and aliases (which
        let a few lines expand into billions of values), and files over :data:`MAX_MAPPING_BYTES`
        are refused.

        Raises:
            MappingError: the file is missing, not a regular file, unreadable, too large, of another
                kind, malformed, or holds a duplicate key, an anchor or an alias.

        Example:
            >>> import tempfile, pathlib
            >>> file = pathlib.Path(tempfile.mkdtemp()) / "mapping.yaml"
            >>> _ = file.write_text("recipient: id\\nprofile:\\n  email: Email\\n")
            >>> Mapping.load(file).column_of("profile.email")
            'Email'
        """
        path = Path(path)
        spec = _load_file(path, _file_kind(path))
        if not isinstance(spec, dict):
            raise MappingError(
                f"mapping file {str(path)!r} must hold targets and columns (such as 'recipient: user_id')"
            )
        return cls(spec)

    def save(self, path: str | Path) -> None:
        """Write the mapping as YAML or JSON, chosen by the file's suffix.

        Example:
            >>> import tempfile, pathlib
            >>> file = pathlib.Path(tempfile.mkdtemp()) / "mapping.json"
            >>> Mapping({"recipient": "id"}).save(file)
            >>> Mapping.load(file) == Mapping({"recipient": "id"})
            True
        """
        path = Path(path)
        spec = self.to_dict()
        if _file_kind(path) == "json":
            text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
        else:
            comments = "".join(f"# {line}\n" for note in self._notes for line in note.splitlines())
            text = comments + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")

    def to_dict(self) -> dict[str, Any]:
        """The mapping as a nested dict that :class:`Mapping` reads back to an equal mapping.

        A target that is both an object source and the parent of other targets, and fields named
        ``column``, ``cast`` or ``const``, are written as dotted keys so that nothing is ambiguous.

        Example:
            >>> Mapping({"data": {"column": "Extra", "cast": "json"}, "data.plan": "Plan"}).to_dict()
            {'data': {'column': 'Extra', 'cast': 'json'}, 'data.plan': 'Plan'}
        """
        tree = _Branch()
        for target, source in self._sources.items():
            parts = target.split(".")
            node, depth = tree, 0
            while depth < len(parts) - 1:
                part = parts[depth]
                child = node.get(part)
                if _reserved(part) or (child is not None and not isinstance(child, _Branch)):
                    break  # a reserved name, or a source already there: the rest goes dotted
                if depth == len(parts) - 2 and _reserved(parts[-1]):
                    break  # a leaf named like a source key is written "<parent>.<leaf>"
                if child is None:
                    child = node[part] = _Branch()
                node, depth = child, depth + 1
            key = ".".join(parts[depth:])
            existing = node.pop(key, None)
            node[key] = _source_to_raw(source)
            if isinstance(existing, _Branch):
                # An object source over fields already written under it: those become dotted keys.
                node.update(_dotted_items(existing, key))
        spec: dict[str, Any] = _unbranch(tree)
        return spec

    # -- reading ---------------------------------------------------------------------------------

    @property
    def targets(self) -> tuple[str, ...]:
        """The target paths, in the order they were given."""
        return tuple(self._sources)

    @property
    def sources(self) -> dict[str, Source]:
        """Target path -> source (a copy)."""
        return dict(self._sources)

    def column_of(self, target: str) -> str | None:
        """The source column feeding ``target``, or None (a constant, or not mapped).

        Example:
            >>> Mapping({"data.plan": "Plan", "data.src": {"const": "x"}}).column_of("data.plan")
            'Plan'
        """
        source = self._sources.get(target)
        return source.column if isinstance(source, ColumnSource) else None

    @property
    def columns(self) -> tuple[str, ...]:
        """The distinct source columns the mapping reads, in order (region columns aside)."""
        seen = dict.fromkeys(s.column for s in self._sources.values() if isinstance(s, ColumnSource))
        return tuple(seen)

    def region_columns(self) -> dict[str, str]:
        """Phone target -> the column holding each row's country (``region_column``), where given.

        Example:
            >>> spec = {"profile.phone_number": {"column": "Phone", "region_column": "Country"}}
            >>> Mapping(spec).region_columns()
            {'profile.phone_number': 'Country'}
        """
        return {
            target: source.region_column
            for target, source in self._sources.items()
            if isinstance(source, ColumnSource) and source.region_column is not None
        }

    def on_error_policies(self) -> dict[str, OnError]:
        """Target -> its ``on_error`` policy, for the targets whose policy is not the default (invalid).

        Example:
            >>> Mapping({"data.born": {"column": "Born", "cast": "date", "on_error": "drop_field"},
            ...          "data.plan": "Plan"}).on_error_policies()
            {'data.born': <OnError.DROP_FIELD: 'drop_field'>}
        """
        return {
            target: source.on_error
            for target, source in self._sources.items()
            if isinstance(source, ColumnSource) and source.on_error is not OnError.INVALID
        }

    @property
    def notes(self) -> tuple[str, ...]:
        """What :meth:`suggest` read in the cells to propose this mapping, for its reviewer (else empty).

        Notes are no part of the mapping: equal mappings may have different notes, and
        :meth:`save` writes them as comments at the top of a YAML file.
        """
        return self._notes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self._sources == other._sources

    __hash__ = None  # type: ignore[assignment]  # mutable-looking value object: equal, not hashable

    def __repr__(self) -> str:
        parts = []
        for target, source in self._sources.items():
            if isinstance(source, ConstSource):
                parts.append(f"{target} = {source.value!r}")
            else:
                text = f"{target} <- {source.column!r}"
                if source.cast is not None:
                    text += f" as {source.cast.value}"
                options = _options_of(source)
                if options:
                    text += " (" + ", ".join(f"{key}={value!r}" for key, value in options.items()) + ")"
                parts.append(text)
        return "Mapping(" + ", ".join(parts) + ")"

    # -- suggesting ------------------------------------------------------------------------------

    @classmethod
    def suggest(cls, df: pd.DataFrame) -> Mapping:
        """Propose a mapping from the frame's columns (a starting point to review, then save).

        The headers decide, checked and completed by a sample of each column's cells
        (:func:`bulkprep.suggest.frame_suggestion` holds the rules):

        - ``recipient`` and ``to.user_id``: the user's id, by the spellings :mod:`bulkprep.suggest`
          knows (``User ID``, ``Customer ID``, ``Kundennummer``...) or by an id word with a person's
          (``Square Customer ID``, ``Attendee #``, ``N° client``, ``Codice socio``, ``Member ID``).
          The app's own id comes first (Stripe's ``user_id (metadata)``, ``External ID``); an export's
          own record id (``Record ID``, ``Contact ID``) is proposed when nothing better exists.
        - ``profile.email``: ``Email``, ``E-mail 1 - Value`` (not its ``- Type``), ``Person - Email -
          Work``, ``What's your email address?``, ``Correo electrónico``...; with no such header, the
          column whose cells are mostly email addresses (said in :attr:`notes`).
        - ``profile.phone_number``: a mobile before a landline or an office line (``Mobile`` over
          ``Phone``, ``Person - Phone - Mobile``, ``Cell Phone``, Brevo's ``SMS``, ``Téléphone
          portable``, ``Cellulare``), then ``Phone``, ``billing_phone``...; read in each row's country
          (``region_column``) when a country column exists (``Country``, ``Home Country``, ``Business
          Country/Region``, ``Billing Country``, ``Country Code``, ``Pays``...), the one sharing the
          phone's words first (``billing_phone`` with ``billing_country``); with no such header, the
          column whose cells are mostly international numbers (OneSignal's ``identifier``, in notes).
        - ``data.first_name`` and ``data.last_name`` in the languages :mod:`bulkprep.suggest` knows;
          every other column goes to ``data.<snake_case>`` (``#`` is ``number``), and one whose header
          speaks of a date and whose cells mostly read as dates gets ``cast: date``, read by the
          column's own convention (or, when its dates all read both ways, by the one the file's other
          date columns prove, said in :attr:`notes`; a column proving both stays uncast, with a note);
          a column every cell of which is a full date gets ``cast: date`` whatever its header, and one
          every value of which is proved a yes/no pair, an amount or a count, or JSON gets ``cast:
          bool``, ``int``, ``float`` or ``json`` (:mod:`bulkprep.suggest_casts`; each named in
          :attr:`notes`).
        - ``to.locale``, ``to.tenant_id``, and ``preferences``/``data`` columns of JSON objects.

        Columns named ``bulk_*`` (bulkprep's own) are left out.

        Example:
            >>> import pandas as pd
            >>> frame = pd.DataFrame(columns=["Customer ID", "E-mail Address", "Mobile", "First Name"])
            >>> Mapping.suggest(frame).to_dict()  # doctest: +NORMALIZE_WHITESPACE
            {'recipient': 'Customer ID', 'profile': {'email': 'E-mail Address', 'phone_number': 'Mobile'},
             'data': {'first_name': 'First Name'}, 'to': {'user_id': 'Customer ID'}}
            >>> users = pd.DataFrame({"E-mail 1 - Value": ["ann@example.com"], "Born": ["25/12/1990"]})
            >>> Mapping.suggest(users).to_dict()
            {'profile': {'email': 'E-mail 1 - Value'}, 'data': {'born': {'column': 'Born', 'cast': 'date'}}}
        """
        suggestion = suggest.frame_suggestion(df, reserved=_SOURCE_KEYS)
        mapping = cls(suggestion.spec)
        mapping._notes = suggestion.notes
        return mapping

    # -- applying --------------------------------------------------------------------------------

    def apply(self, df: pd.DataFrame) -> Mapped:
        """Read every target from ``df``: constants, columns and casts.

        The targets frame is indexed by ``bulk_row`` (the frame's ``bulk_row`` column, or the
        position 0..n-1 when it has none), one object column per target in dotted form. Empty and
        blank cells are missing; text is kept exactly as written. Values that fail their cast
        are missing too, each with a ``cast_failed`` row in the error table (or
        ``ambiguous_date_convention``, for the two-way dates of a date column that proves both
        conventions: see :func:`bulkprep.casts.convert`).

        Raises:
            MappingError: a mapped column is not in the frame (the message names the closest one).
            InputError: ``bulk_row`` holds repeated values.

        Example:
            >>> import pandas as pd
            >>> frame = pd.DataFrame({"Opt in": ["yes", "N", "maybe"]})
            >>> mapped = Mapping({"data.opt_in": {"column": "Opt in", "cast": "bool"}}).apply(frame)
            >>> mapped.targets["data.opt_in"].tolist()
            [True, False, None]
            >>> print(mapped.errors.loc[0, "message"])
            expected yes/no, true/false, y/n or 1/0 (cast: bool), got 'maybe'; fix the value or clear the cell
        """
        self._check_columns(df)
        index = _row_index(df)
        columns: dict[str, pd.Series] = {}
        errors: list[tuple[int, dict[str, Any]]] = []  # (row position, error record)
        for target, source in self._sources.items():
            if isinstance(source, ConstSource):
                values = np.empty(len(df), dtype=object)
                for i in range(len(values)):
                    values[i] = source.value
                columns[target] = pd.Series(values, index=index, dtype=object)
                continue
            label = frame_column(source.column, list(df.columns))
            column = df[source.column if label is None else label]  # a label may be 0: no `or` here
            raw = column.to_numpy(dtype=object)
            # A pandas string column holds only text besides its missing values.
            text_missing = column.isna().to_numpy() if isinstance(column.dtype, pd.StringDtype) else None
            # Arrow's text tells from its bytes which cells may be blank: only those are looked at.
            arrow = arrow_text(column) if text_missing is not None else None
            converted, failures = casts.convert(
                raw,
                source.cast,
                text_missing=text_missing,
                may_be_blank=None if arrow is None else may_be_blank(arrow),
                dates=source.date_options,
                name=source.column,
                decimal=source.decimal,
            )
            columns[target] = pd.Series(converted, index=index, dtype=object)
            for position, message, code in failures:
                errors.append(
                    (
                        position,
                        {
                            ROW_KEY: int(index[position]),
                            "stage": Stage.MAP.value,
                            "field": target,
                            "column": source.column,
                            "code": code.value,
                            "message": message,
                            "value": str(raw[position]),
                        },
                    )
                )
        targets = pd.DataFrame(columns, index=index)
        errors.sort(key=lambda item: item[0])  # stable: by row, then in target order
        table = errors_from_records(record for _, record in errors)
        return Mapped(targets=targets, errors=table)

    def _check_columns(self, df: pd.DataFrame) -> None:
        existing = [str(c) for c in df.columns]
        wanted = dict.fromkeys([*self.columns, *self.region_columns().values()])
        problems = [_missing_column_message(c, existing) for c in wanted if frame_column(c, existing) is None]
        read = df.attrs.get(ATTRS_KEY)
        repeated = _source.repeated_headers_read_as(read.get("renamed_columns", {}) if read else {})
        labels = {c: frame_column(c, existing) for c in wanted}
        problems += [
            _repeated_column_message(c, repeated[label]) for c, label in labels.items() if label in repeated
        ]
        if problems:
            raise MappingError("; ".join(problems))


def frame_column(column: str, existing: list[Any]) -> Any | None:
    """The frame's column that ``column`` names: itself, else the one column that differs only by blanks.

    A header cell written with a space around it (``Email ``) is the column a mapping calls
    ``Email``; when two columns would match (``Email`` and ``Email `` beside ``Email  ``), none does.
    A label that is not text (a frame built with ``columns=[0, 1]``) is named by its text: ``"0"``.

    Example:
        >>> frame_column("Email", ["Email ", "Phone"]), frame_column("Email", [" Email", "Email "])
        ('Email ', None)
        >>> frame_column("1", [0, 1])
        1
    """
    if column in existing:
        return column
    labels = [c for c in existing if not isinstance(c, str) and str(c) == column]
    if len(labels) == 1:
        return labels[0]
    stripped = column.strip()
    matches = [c for c in existing if isinstance(c, str) and c.strip() == stripped]
    return matches[0] if len(matches) == 1 else None


def closest_column(column: str, existing: list[str]) -> str | None:
    """The column the user most likely meant: the same name but for case and blanks, else a near spelling.

    Example:
        >>> closest_column("email ", ["Email", "Phone"]), closest_column("Phnoe", ["Email", "Phone"])
        ('Email', 'Phone')
    """
    folded = {c.strip().casefold(): c for c in reversed(existing)}
    guess = folded.get(column.strip().casefold())
    if guess is None:
        close = difflib.get_close_matches(column, existing, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return guess


def _repeated_column_message(column: str, read_as: list[str]) -> str:
    shown = ", ".join(map(repr, read_as))
    return (
        f"column {column!r} is the header of {len(read_as)} columns of the file (read as {shown}): "
        "which one is meant cannot be told; give them headers of their own (a later one may also be "
        f"named as it was read: {read_as[-1]!r})"
    )


def _missing_column_message(column: str, existing: list[str]) -> str:
    guess = closest_column(column, existing)
    if guess is not None:
        return f"column {column!r} not found; did you mean {guess!r}?"
    shown = ", ".join(repr(c) for c in existing[:12]) + (", ..." if len(existing) > 12 else "")
    return f"column {column!r} not found; the frame has {shown or 'no columns'}: fix the mapping"


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    raise MappingError(f"mapping file {str(path)!r}: unknown kind {suffix!r}; name it .yaml, .yml or .json")


# --- reading a mapping file -------------------------------------------------------------------------

MAX_TARGETS: Final = 10_000
"""The most targets a mapping may have: each costs every row some work, so more is refused at once."""
MAX_MAPPING_BYTES: Final = 2**22
"""The largest mapping file read (4 MiB): a mapping of thousands of columns fits a small part of it."""

_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
# A string literal of JSON text (possessive, so scanning stays linear), or a bracket.
_JSON_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*+"|[{}\[\]]', re.DOTALL)
_KEY_COLON: Final = re.compile(r"\s*:")


class _Refused(Exception):
    """Something a mapping file may not hold, said with the line where it is."""


class _DuplicateJsonKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _load_file(path: Path, kind: str) -> Any:
    """The data of the mapping file at ``path``, read strictly (see :meth:`Mapping.load`)."""
    name = repr(str(path))
    try:
        loaded = _source.load(path, reader="Mapping.load", kind="mapping file", limit=MAX_MAPPING_BYTES)
    except InputError as exc:
        raise MappingError(f"cannot read mapping file {name}: {exc}") from None
    content = loaded.content
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError as exc:
        raise MappingError(
            f"mapping file {name} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    try:
        if kind == "json":
            return json.loads(text, object_pairs_hook=_unique_keys)
        return yaml.load(text, Loader=_StrictYamlLoader)  # a SafeLoader: no arbitrary objects
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"mapping file {name} is not valid {kind.upper()}: {exc}") from None
    except _DuplicateJsonKey as exc:
        line = _duplicate_json_key_line(text, exc.key)
        raise MappingError(
            f"mapping file {name}: line {line}: key {exc.key!r} is given twice in one object; keep one"
        ) from None
    except _Refused as exc:
        raise MappingError(f"mapping file {name}: {exc}") from None
    except RecursionError:
        raise MappingError(f"mapping file {name} nests its values too deeply to be a mapping") from None


class _StrictYamlLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing anchors and aliases, and keys given twice (YAML keeps the last).

    An alias repeats a value: nine lines of aliases of aliases make a billion values.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                f"line {event.start_mark.line + 1}: YAML anchors and aliases (&name, *name) are not "
                "allowed in a mapping; write each value out where it is used"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        first_lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = first_lines.get(key)
            except TypeError:
                continue  # an unhashable key: the safe loader says what is wrong with it
            if first is not None:
                raise _Refused(f"line {line}: key {key!r} is given twice (first on line {first}); keep one")
            first_lines[key] = line
        return super().construct_mapping(node, deep=deep)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (``json`` keeps the last)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateJsonKey(key)
            seen.add(key)
    return out


def _duplicate_json_key_line(text: str, key: str) -> int | str:
    """The line of the second ``key`` within one object of the JSON ``text``, or ``"?"``.

    ``json`` does not say where an object's keys are, so the text is scanned once more (only when a
    duplicate was found): each open object keeps the keys seen in it.
    """
    objects: list[set[str] | None] = []  # per open bracket: an object's keys, or None for a list
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "{[":
            objects.append(set() if mark == "{" else None)
        elif mark in "}]":
            if objects:
                objects.pop()
        elif objects and objects[-1] is not None and _KEY_COLON.match(text, token.end()):
            name = json.loads(mark)
            if name == key and name in objects[-1]:
                return text.count("\n", 0, token.start()) + 1
            objects[-1].add(name)
    return "?"


def _row_index(df: pd.DataFrame) -> pd.Index:
    if ROW_KEY in df.columns:
        rows: pd.Index = pd.Index(df[ROW_KEY].to_numpy(dtype="int64"), name=ROW_KEY)
        if not rows.is_unique:
            repeated = ", ".join(str(r) for r in rows[rows.duplicated()].unique()[:5])
            raise InputError(f"{ROW_KEY} must identify each row once; repeated: {repeated}")
        return rows
    positions: pd.Index = pd.RangeIndex(len(df), name=ROW_KEY).astype("int64")
    return positions


# -- to_dict helpers ---------------------------------------------------------------------------------


class _Branch(dict[str, Any]):
    """A node of the tree being written by :meth:`Mapping.to_dict` (told apart from source dicts)."""


def _dotted_items(branch: dict[str, Any], prefix: str) -> Iterable[tuple[str, Any]]:
    for key, value in branch.items():
        if isinstance(value, _Branch):
            yield from _dotted_items(value, f"{prefix}.{key}")
        else:
            yield f"{prefix}.{key}", value


def _unbranch(node: Any) -> Any:
    if isinstance(node, _Branch):
        return {key: _unbranch(value) for key, value in node.items()}
    return node


def _reserved(name: str) -> bool:
    """A field name a nested dict cannot hold as a field: written as a dotted key instead."""
    return name in _SOURCE_KEYS or _looks_like_source_key(name)


def _source_to_raw(source: Source) -> Any:
    if isinstance(source, ConstSource):
        return {"const": source.value, "custom": True} if source.custom else {"const": source.value}
    options = _options_of(source)
    if source.cast is None and not options:
        return source.column
    raw: dict[str, Any] = {"column": source.column}
    if source.cast is not None:
        raw["cast"] = source.cast.value
    raw.update(options)
    return raw


def _options_of(source: ColumnSource) -> dict[str, Any]:
    """The options of a column source that differ from their defaults, in COLUMN_KEYS order."""
    options: dict[str, Any] = {
        "dayfirst": source.dayfirst,
        "format": source.format,
        "decimal": source.decimal,
        "region_column": source.region_column,
        "on_error": None if source.on_error is OnError.INVALID else source.on_error.value,
        "custom": source.custom or None,
    }
    return {key: value for key, value in options.items() if value is not None}
