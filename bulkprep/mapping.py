"""Which source column feeds which field of a Courier user, and the payload each row becomes.

A :class:`Mapping` names a *target* (a path in Courier's user object) for each source. Targets live
under ``recipient``, ``profile.*``, ``data.*``, ``to.*`` and ``preferences.*``. A mapping is written
as a nested dict or flat with dotted paths (both can be mixed), and saved as YAML or JSON::

    recipient: user_id              # a column name: the cell's text, exactly as written
    profile:
      email: Email
      phone_number: Phone
    data:
      first_name: First Name
      age: {column: Age, cast: int} # a column with a cast: int, float, bool, date, json or str
      source: {const: spring-sale}  # the same value on every row
      extra: {column: Extra, cast: json}
    to:
      user_id: user_id
    preferences.categories.news.status: News   # dotted paths work at any level

A dict whose keys are only ``column`` (with an optional ``cast``) or only ``const`` is a source; any
other dict is a branch of the tree. A field literally called ``column``, ``cast`` or ``const`` is
therefore written with a dotted path (``data.column: Col``); :meth:`Mapping.to_dict` does so itself.

Casts (applied once per distinct value; a value that fails becomes missing and an error row):

- ``int``: whole numbers (``42``, ``3.0``); ``3.5`` fails, and so does scientific notation such as
  ``2.02555E+09`` (a spreadsheet rounded it), and anything beyond 2**53 - 1, which JSON readers cannot
  hold exactly (map such ids without a cast: they are sent as text).
- ``float``: numbers with a dot for decimals; infinity fails (JSON cannot carry it).
- ``bool``: true/false, yes/no, y/n, 1/0, in any letter case.
- ``date``: an ISO date ``YYYY-MM-DD`` (``/`` or ``.`` separators and ``YYYYMMDD`` too, any time part
  ignored), or another spelling that reads the same day-first and month-first (``4 Mar 2024``,
  ``13/04/2024``); ``03/04/2024`` is ambiguous and fails. Gives ``YYYY-MM-DD`` text.
- ``json``: JSON text, parsed (``NaN`` and ``Infinity`` are refused: they are not JSON).
- ``str``: text; numbers from a typed frame become their digits (``12345.0`` becomes ``"12345"``).

Empty and blank cells are missing: they are left out of the payload, never sent as null or "nan".

The structure is checked by hand rather than with pydantic: a source is told apart from a branch by
its keys, and hand-written checks give messages that name the target at fault in the mapping's own
terms ("target 'to.user_ip': ..."), where a generated model would speak of union members.

Example:
    >>> import pandas as pd
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
from collections.abc import Callable, Hashable, Iterable
from collections.abc import Mapping as AbcMapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd
import yaml

from bulkprep import jsonsafe
from bulkprep._gc import collector_paused
from bulkprep.errors import InputError, MappingError
from bulkprep.report import ErrorCode, errors_from_records
from bulkprep.status import Stage

__all__ = [
    "ROOTS",
    "TO_FIELDS",
    "Cast",
    "ColumnSource",
    "ConstSource",
    "Mapped",
    "Mapping",
    "build_payloads",
    "check_target",
]

ROOTS: tuple[str, ...] = ("recipient", "profile", "data", "to", "preferences")
"""The top-level fields of a Courier bulk user."""

TO_FIELDS: tuple[str, ...] = (
    "user_id",
    "email",
    "phone_number",
    "locale",
    "data",
    "tenant_id",
    "account_id",
    "context",
    "list_id",
    "preferences",
)
"""The fields of a user's ``to`` object that Courier's Bulk API documents."""

# Targets that must hold an object: a column mapped straight onto one needs ``cast: json``.
OBJECT_TARGETS: frozenset[str] = frozenset(
    {"profile", "data", "to", "to.data", "to.context", "preferences", "to.preferences"}
)
_PREFERENCE_GROUPS = ("categories", "notifications")
_PREFERENCE_FIELDS = ("status", "channel_preferences", "rules")
_SOURCE_KEYS = frozenset({"column", "cast", "const"})
# The largest integer a JSON reader using doubles (JavaScript among them) holds exactly.
_MAX_EXACT_JSON_INT = 2**53 - 1
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_ISO_DATE = re.compile(r"^(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})(?:[T ].*)?$")
_BOOL_WORDS: dict[str, bool] = {
    **dict.fromkeys(("true", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "no", "n", "0"), False),
}


class Cast(StrEnum):
    """The conversions a mapped column may ask for."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    JSON = "json"
    STR = "str"


@dataclasses.dataclass(frozen=True)
class ColumnSource:
    """A target fed by a source column, optionally converted."""

    column: str
    cast: Cast | None = None


@dataclasses.dataclass(frozen=True)
class ConstSource:
    """A target holding the same (JSON-clean) value on every row."""

    value: Any


Source = ColumnSource | ConstSource


class Mapped(NamedTuple):
    """What :meth:`Mapping.apply` returns: the targets frame and the error table of failed casts."""

    targets: pd.DataFrame
    errors: pd.DataFrame


# ---------------------------------------------------------------------------------------------------
# Target paths


def check_target(target: str) -> None:
    """Raise :class:`MappingError` unless ``target`` is a dotted path Courier's user can hold.

    Example:
        >>> check_target("profile.email")  # doctest: +ELLIPSIS
        >>> check_target("email")
        Traceback (most recent call last):
        ...
        bulkprep.errors.MappingError: target 'email': must start with one of recipient, profile, data, to, ...
    """
    parts = target.split(".")
    if any(not part.strip() for part in parts):
        raise MappingError(f"target {target!r}: empty path segment; write paths such as data.first_name")
    root, rest = parts[0], parts[1:]
    if root not in ROOTS:
        raise MappingError(
            f"target {target!r}: must start with one of {', '.join(ROOTS)} "
            f"(for example profile.{parts[-1]} or data.{parts[-1]})"
        )
    if root == "recipient" and rest:
        raise MappingError(f"target {target!r}: recipient is a single user id and has no fields")
    if root == "preferences":
        _check_preferences_path(target, rest)
    if root == "to" and rest:
        _check_to_path(target, rest)


def _check_to_path(target: str, rest: list[str]) -> None:
    field, deeper = rest[0], rest[1:]
    if field not in TO_FIELDS:
        raise MappingError(
            f"target {target!r}: 'to' has no field {field!r}; use one of {', '.join(TO_FIELDS)}"
        )
    if field == "preferences":
        _check_preferences_path(target, deeper)
    elif field == "context":
        if deeper and deeper != ["tenant_id"]:
            raise MappingError(f"target {target!r}: to.context has a single field, tenant_id")
    elif deeper and field != "data":
        raise MappingError(f"target {target!r}: to.{field} is a single value and has no fields")


def _check_preferences_path(target: str, rest: list[str]) -> None:
    if rest and rest[0] not in _PREFERENCE_GROUPS:
        raise MappingError(
            f"target {target!r}: preferences hold 'categories' or 'notifications', "
            f"as in preferences.categories.<id>.status"
        )
    if len(rest) >= 3 and rest[2] not in _PREFERENCE_FIELDS:
        raise MappingError(
            f"target {target!r}: a preference has the fields {', '.join(_PREFERENCE_FIELDS)}, not {rest[2]!r}"
        )
    if len(rest) > 3:
        raise MappingError(
            f"target {target!r}: {rest[2]} cannot be split further; map one column with cast: json to it"
        )


# ---------------------------------------------------------------------------------------------------
# Reading a mapping


def _is_source_dict(node: AbcMapping[str, Any]) -> bool:
    keys = set(node)
    return bool(keys) and keys <= _SOURCE_KEYS and ("column" in keys) != ("const" in keys)


def _parse_source(target: str, raw: Any) -> Source:
    if isinstance(raw, str):
        return ColumnSource(column=raw)
    if isinstance(raw, AbcMapping):
        if "const" in raw:
            if "cast" in raw:
                raise MappingError(
                    f"target {target!r}: a const takes no cast; write the value as it should be"
                )
            value = jsonsafe.clean(raw["const"])
            if value is jsonsafe.MISSING:
                raise MappingError(
                    f"target {target!r}: const is empty, so the field would never be sent; remove the target"
                )
            return ConstSource(value=value)
        column = raw["column"]
        if not isinstance(column, str):
            raise MappingError(
                f"target {target!r}: column name {column!r} is not text; write it in quotes ('{column}')"
            )
        cast = raw.get("cast")
        if cast is None:
            return ColumnSource(column=column)
        try:
            return ColumnSource(column=column, cast=Cast(str(cast).strip().lower()))
        except ValueError:
            allowed = ", ".join(c.value for c in Cast)
            raise MappingError(f"target {target!r}: unknown cast {cast!r}; use one of {allowed}") from None
    if raw is None:
        raise MappingError(f"target {target!r}: no source given; name a column, or remove the target")
    raise MappingError(
        f"target {target!r}: {raw!r} is not a column name; quote it ('{raw}'), "
        f"or write {{const: {raw}}} for a fixed value"
    )


def _flatten(spec: AbcMapping[Any, Any], prefix: str, out: dict[str, Source]) -> None:
    for key, raw in spec.items():
        if not isinstance(key, str):
            raise MappingError(f"target {prefix}{key!r}: field names must be text; write it in quotes")
        target = f"{prefix}{key.strip()}"
        if isinstance(raw, AbcMapping) and not _is_source_dict(raw):
            if not raw:
                raise MappingError(f"target {target!r}: empty; map at least one field under it or remove it")
            _flatten(raw, f"{target}.", out)
            continue
        check_target(target)
        if target in out:
            raise MappingError(f"target {target!r}: given twice (once nested, once dotted?); keep one")
        source = _parse_source(target, raw)
        _check_object_target(target, source)
        out[target] = source


def _check_object_target(target: str, source: Source) -> None:
    if target not in OBJECT_TARGETS:
        return
    if isinstance(source, ConstSource):
        if not isinstance(source.value, dict):
            raise MappingError(f"target {target!r}: must be an object; give a const such as {{key: value}}")
    elif source.cast is not Cast.JSON:
        raise MappingError(
            f"target {target!r} is an object: map column {source.column!r} to a field under it "
            f"(such as {target}.{_snake_case(source.column)}), or add cast: json if its cells hold objects"
        )


# ---------------------------------------------------------------------------------------------------
# Suggesting a mapping from column names

# Header spellings (lower case, letters and digits only) in order of preference per target.
_EMAIL_HEADERS = ("email", "emailaddress", "mail", "emailaddr", "mailaddress", "primaryemail")
_PHONE_HEADERS = (
    "phone",
    "phonenumber",
    "mobile",
    "mobilenumber",
    "mobilephone",
    "cell",
    "cellphone",
    "cellnumber",
    "tel",
    "telephone",
    "telephonenumber",
    "phoneno",
    "mobileno",
)
_ID_HEADERS = (
    "userid",
    "recipient",
    "recipientid",
    "externalid",
    "customerid",
    "memberid",
    "contactid",
    "clientid",
    "uid",
    "id",
)


def _header_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _snake_case(name: str) -> str:
    """``First Name`` -> ``first_name``, ``customerID`` -> ``customer_id``, ``E-mail`` -> ``e_mail``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return "_".join(re.findall(r"[^\W_]+", spaced.casefold()))


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
        self._sources = sources

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

        Raises:
            MappingError: the file is missing, unreadable, of another kind, or malformed.

        Example:
            >>> import tempfile, pathlib
            >>> file = pathlib.Path(tempfile.mkdtemp()) / "mapping.yaml"
            >>> _ = file.write_text("recipient: id\\nprofile:\\n  email: Email\\n")
            >>> Mapping.load(file).column_of("profile.email")
            'Email'
        """
        path = Path(path)
        kind = _file_kind(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise MappingError(f"cannot read mapping file {str(path)!r}: {exc.strerror or exc}") from exc
        try:
            spec = json.loads(text) if kind == "json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise MappingError(f"mapping file {str(path)!r} is not valid {kind.upper()}: {exc}") from exc
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
            text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
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
                if part in _SOURCE_KEYS or (child is not None and not isinstance(child, _Branch)):
                    break  # a reserved name, or a source already there: the rest goes dotted
                if depth == len(parts) - 2 and parts[-1] in _SOURCE_KEYS:
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
        return _unbranch(tree)

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
        """The distinct source columns the mapping reads, in order."""
        seen = dict.fromkeys(s.column for s in self._sources.values() if isinstance(s, ColumnSource))
        return tuple(seen)

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
            elif source.cast is None:
                parts.append(f"{target} <- {source.column!r}")
            else:
                parts.append(f"{target} <- {source.column!r} as {source.cast.value}")
        return "Mapping(" + ", ".join(parts) + ")"

    # -- suggesting ------------------------------------------------------------------------------

    @classmethod
    def suggest(cls, df: pd.DataFrame) -> Mapping:
        """Propose a mapping from the frame's column names (a starting point to review, then save).

        Email, phone and user-id columns are recognised whatever their case, spacing or punctuation;
        an id column feeds both ``recipient`` and ``to.user_id`` (the legacy and the current way of
        naming the user, as in the design's example). Every other column goes to ``data.<snake_case>``.
        Columns named ``bulk_*`` (bulkprep's own) are left out.

        Example:
            >>> import pandas as pd
            >>> frame = pd.DataFrame(columns=["Customer ID", "E-mail Address", "Mobile", "First Name"])
            >>> Mapping.suggest(frame).to_dict()  # doctest: +NORMALIZE_WHITESPACE
            {'recipient': 'Customer ID', 'profile': {'email': 'E-mail Address', 'phone_number': 'Mobile'},
             'data': {'first_name': 'First Name'}, 'to': {'user_id': 'Customer ID'}}
        """
        columns = [str(c) for c in df.columns if not str(c).startswith("bulk_")]
        chosen: dict[str, str] = {}
        for target, spellings in (
            ("recipient", _ID_HEADERS),
            ("profile.email", _EMAIL_HEADERS),
            ("profile.phone_number", _PHONE_HEADERS),
        ):
            free = [c for c in _matches(columns, spellings) if c not in chosen.values()]
            if free:
                chosen[target] = free[0]
        spec: dict[str, Any] = dict(chosen)
        used_names: set[str] = set()
        for position, column in enumerate(columns):
            if column in chosen.values():
                continue
            name = _snake_case(column) or f"column_{position + 1}"
            unique, n = name, 2
            while unique in used_names or unique in _SOURCE_KEYS:
                unique, n = f"{name}_{n}", n + 1
            used_names.add(unique)
            spec[f"data.{unique}"] = column
        if "recipient" in chosen:
            spec["to.user_id"] = chosen["recipient"]
        return cls(spec)

    # -- applying --------------------------------------------------------------------------------

    def apply(self, df: pd.DataFrame) -> Mapped:
        """Read every target from ``df``: constants, columns and casts.

        The targets frame is indexed by ``bulk_row`` (the frame's ``bulk_row`` column, or the
        position 0..n-1 when it has none), one object column per target in dotted form. Empty and
        blank cells are missing; text is kept exactly as written. Values that fail their cast
        are missing too, each with a ``cast_failed`` row in the error table.

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
            column = df[source.column]
            raw = column.to_numpy(dtype=object)
            # A pandas string column holds only text besides its missing values.
            text_missing = column.isna().to_numpy() if isinstance(column.dtype, pd.StringDtype) else None
            converted, failures = _convert(raw, source.cast, text_missing=text_missing)
            columns[target] = pd.Series(converted, index=index, dtype=object)
            for position, message in failures:
                errors.append(
                    (
                        position,
                        {
                            "bulk_row": int(index[position]),
                            "stage": Stage.MAP.value,
                            "field": target,
                            "column": source.column,
                            "code": ErrorCode.CAST_FAILED.value,
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
        problems = [_missing_column_message(c, existing) for c in self.columns if c not in df.columns]
        if problems:
            raise MappingError("; ".join(problems))


def _matches(columns: list[str], spellings: tuple[str, ...]) -> list[str]:
    """Columns whose header spells one of ``spellings``, best spelling first, then in frame order."""
    ranked = [
        (spellings.index(key), i, c) for i, c in enumerate(columns) if (key := _header_key(c)) in spellings
    ]
    return [c for _, _, c in sorted(ranked)]


def _missing_column_message(column: str, existing: list[str]) -> str:
    folded = {c.strip().casefold(): c for c in reversed(existing)}
    guess = folded.get(column.strip().casefold())
    if guess is None:
        close = difflib.get_close_matches(column, existing, n=1, cutoff=0.6)
        guess = close[0] if close else None
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


def _row_index(df: pd.DataFrame) -> pd.Index:
    if "bulk_row" in df.columns:
        rows = pd.Index(df["bulk_row"].to_numpy(dtype="int64"), name="bulk_row")
        if not rows.is_unique:
            repeated = ", ".join(str(r) for r in rows[rows.duplicated()].unique()[:5])
            raise InputError(f"bulk_row must identify each row once; repeated: {repeated}")
        return rows
    return pd.RangeIndex(len(df), name="bulk_row").astype("int64")


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


def _source_to_raw(source: Source) -> Any:
    if isinstance(source, ConstSource):
        return {"const": source.value}
    if source.cast is None:
        return source.column
    return {"column": source.column, "cast": source.cast.value}


# ---------------------------------------------------------------------------------------------------
# Casting: every cast runs once per distinct value


def _blank_mask(values: np.ndarray, text_missing: np.ndarray | None = None) -> np.ndarray:
    """True for missing cells and for text that is empty or only whitespace (column-wise).

    ``text_missing``, when given, is the missing mask of a column known to hold only text otherwise
    (a pandas string column), which spares finding the missing values and the texts again.
    """
    if text_missing is None:
        blank = jsonsafe.missing_mask(values)
        texts = np.flatnonzero(
            np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
        )
    else:
        blank = text_missing.copy()
        texts = np.flatnonzero(~text_missing)
    found = values[texts]
    # A text is blank when it is empty or all whitespace (exactly when str.strip leaves nothing);
    # str.isspace mapped in C makes no new string.
    empty = np.fromiter(map(str.isspace, found), dtype=bool, count=len(found)) | (found == "")
    blank[texts[empty]] = True
    return blank


def _convert(
    raw: np.ndarray, cast: Cast | None, *, text_missing: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Cast a column: the converted values (None where missing or failed) and (position, message) failures."""
    out = np.empty(len(raw), dtype=object)
    blank = _blank_mask(raw, text_missing)
    present = np.flatnonzero(~blank)
    if cast is None:
        out[present] = raw[present]
        return out, []
    codes, distinct = _factorize(raw[present])
    results = _CASTS[cast](distinct)
    values = np.empty(len(results), dtype=object)
    for j, (value, _) in enumerate(results):
        values[j] = value  # one by one: numpy would read a list value as a row of cells
    failed = np.fromiter((problem is not None for _, problem in results), dtype=bool, count=len(results))
    out[present] = values[codes]
    bad = np.flatnonzero(failed[codes])
    failures = [(int(present[k]), str(results[codes[k]][1])) for k in bad.tolist()]
    return out, failures


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct values (1, 1.0 and True kept apart), so each is converted once."""
    if all(map(isinstance, values, repeat(str))):
        codes, uniques = pd.factorize(values)
        return codes, list(uniques)
    keys: dict[Hashable, int] = {}
    distinct: list[Any] = []
    codes = np.empty(len(values), dtype="int64")
    for i, value in enumerate(values):
        key = _unique_key(value)
        if key not in keys:
            keys[key] = len(distinct)
            distinct.append(value)
        codes[i] = keys[key]
    return codes, distinct


def _unique_key(value: Any) -> Hashable:
    """A key under which equal cells share one conversion (1 and True and 1.0 kept apart)."""
    if isinstance(value, str):
        return value
    try:
        hash(value)
    except TypeError:
        return (type(value), id(value))  # unhashable (a dict from a typed frame): converted alone
    return (type(value), value)


Converted = list[tuple[Any, str | None]]


def _cast_str(values: list[Any]) -> Converted:
    out: Converted = []
    for value in values:
        if isinstance(value, str):
            out.append((value, None))
        elif isinstance(value, float | np.floating) and float(value).is_integer():
            out.append((str(int(value)), None))
        elif isinstance(value, dict | list):
            out.append((jsonsafe.dumps(jsonsafe.clean(value)).decode(), None))
        else:
            out.append((str(jsonsafe.clean(value)), None))
    return out


def _cast_int(values: list[Any]) -> Converted:
    return [_to_int(value) for value in values]


def _to_int(value: Any) -> tuple[Any, str | None]:
    expected = "expected a whole number such as 42 (cast: int)"
    if isinstance(value, bool | np.bool_):
        return None, f"{expected}, got the yes/no value {value}; use cast: bool"
    text = str(value).strip()
    if isinstance(value, str) and _SCIENTIFIC.match(text):
        return None, (
            f"{expected}, got {value!r} in scientific notation: a spreadsheet rounded it and digits may be "
            f"lost; re-export the column as text from the original source"
        )
    try:
        number = Decimal(text)
    except InvalidOperation:
        return (
            None,
            f"{expected}, got {value!r}; fix the value (digits only, no separators) or clear the cell",
        )
    if not number.is_finite() or number != number.to_integral_value():
        return None, f"{expected}, got {value!r}; round it in the source, or map the column with cast: float"
    whole = int(number)
    if abs(whole) > _MAX_EXACT_JSON_INT:
        return None, (
            f"{expected}, got {value!r}, which is too large to send exactly as a JSON number; "
            f"map the column without a cast to send it as text"
        )
    return whole, None


def _cast_float(values: list[Any]) -> Converted:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
    out: Converted = []
    for value, number in zip(values, numbers.tolist(), strict=True):
        if isinstance(value, bool | np.bool_) or np.isnan(number):
            out.append(
                (
                    None,
                    f"expected a number such as 3.5 (cast: float), got {value!r}; use a dot for "
                    f"decimals and no thousands separators, or clear the cell",
                )
            )
        elif np.isinf(number):
            out.append((None, f"expected a finite number (cast: float), got {value!r}; JSON cannot hold it"))
        else:
            out.append((number, None))
    return out


def _cast_bool(values: list[Any]) -> Converted:
    out: Converted = []
    for value in values:
        if isinstance(value, bool | np.bool_):
            out.append((bool(value), None))
            continue
        word = str(value).strip().casefold()
        if word in _BOOL_WORDS:
            out.append((_BOOL_WORDS[word], None))
        else:
            out.append(
                (
                    None,
                    f"expected yes/no, true/false, y/n or 1/0 (cast: bool), got {value!r}; "
                    f"fix the value or clear the cell",
                )
            )
    return out


def _cast_date(values: list[Any]) -> Converted:
    out: Converted = [_iso_date(value) for value in values]
    # Spellings other than ISO: parse all at once, day-first and month-first, and keep a date only
    # when both readings agree, so that 03/04/2024 is refused rather than silently guessed.
    pending = [i for i, (_, problem) in enumerate(out) if problem == _NOT_ISO]
    if pending:
        texts = [str(values[i]).strip() for i in pending]
        month_first = _parse_dates(texts, dayfirst=False)
        day_first = _parse_dates(texts, dayfirst=True)
        for i, text, a, b in zip(pending, texts, month_first, day_first, strict=True):
            if a is not None and a == b:
                out[i] = (a, None)
            elif a is not None and b is not None:
                out[i] = (
                    None,
                    f"expected a date (cast: date), got the ambiguous {values[i]!r}: it reads as "
                    f"{a} or {b}; write it as YYYY-MM-DD",
                )
            else:
                out[i] = (
                    None,
                    f"expected a date such as 2024-03-31 (cast: date), got {text!r}; "
                    f"write it as YYYY-MM-DD or clear the cell",
                )
    return out


_NOT_ISO = "not an ISO date"


def _iso_date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date().isoformat(), None
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        return None, _NOT_ISO
    year, _, month, day = match.groups()
    try:
        return dt.date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return None, f"expected a date (cast: date), got {value!r}, a day that does not exist; fix the value"


def _parse_dates(texts: list[str], *, dayfirst: bool) -> list[str | None]:
    try:
        parsed = pd.to_datetime(pd.Series(texts), format="mixed", dayfirst=dayfirst, errors="coerce")
        return [None if pd.isna(t) else t.date().isoformat() for t in parsed]
    except (ValueError, OverflowError):
        pass  # mixed time zones refuse to share one column: read each text alone
    dates: list[str | None] = []
    for text in texts:
        try:
            stamp = pd.to_datetime(text, format="mixed", dayfirst=dayfirst)
        except (ValueError, OverflowError):
            dates.append(None)
            continue
        dates.append(None if pd.isna(stamp) else stamp.date().isoformat())
    return dates


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _cast_json(values: list[Any]) -> Converted:
    out: Converted = []
    for value in values:
        if not isinstance(value, str):
            out.append((value, None))
            continue
        try:
            out.append((json.loads(value, parse_constant=_refuse_constant), None))
        except ValueError as exc:
            out.append(
                (
                    None,
                    f'expected JSON text such as {{"key": "value"}} (cast: json): {exc}; '
                    f"fix the cell (double quotes around keys and text)",
                )
            )
    return out


_CASTS: dict[Cast, Callable[[list[Any]], Converted]] = {
    Cast.STR: _cast_str,
    Cast.INT: _cast_int,
    Cast.FLOAT: _cast_float,
    Cast.BOOL: _cast_bool,
    Cast.DATE: _cast_date,
    Cast.JSON: _cast_json,
}


# ---------------------------------------------------------------------------------------------------
# Payloads


class _Column(NamedTuple):
    """A column of clean JSON values (MISSING where absent) and where values are present."""

    values: list[Any]
    present: np.ndarray


class _Node:
    """One object of the user being built: its own column (an object target), if any, and children."""

    def __init__(self) -> None:
        self.own: _Column | None = None
        self.children: dict[str, _Node] = {}


def build_payloads(targets: pd.DataFrame) -> pd.Series:
    """One Courier user per row: nested dicts of strict JSON data, missing values left out.

    Dotted targets nest (``profile.email`` under ``profile``); an object target (a dict from a json
    cast) is merged with the targets under it, which win on a clash. Objects left empty are left out.
    The tree is planned once per call and each level is built column-wise, never row by row over
    the frame.

    Example:
        >>> import numpy as np, pandas as pd
        >>> targets = pd.DataFrame({"recipient": ["u1", None], "data": [{"a": 1}, None],
        ...                         "data.score": [np.float64(2.5), np.nan]})
        >>> build_payloads(targets).tolist()
        [{'recipient': 'u1', 'data': {'a': 1, 'score': 2.5}}, {}]
    """
    root = _Node()
    with collector_paused():
        for name in map(str, targets.columns):
            node = root
            for part in name.split("."):
                node = node.children.setdefault(part, _Node())
            node.own = _clean_column(targets[name])
        users = _build_node(root, len(targets))
        payloads = [
            user if present else {} for user, present in zip(users.values, users.present, strict=True)
        ]
    return pd.Series(payloads, index=targets.index, dtype=object)


# Types whose values are already strict JSON (text without lone surrogates, bools, ints in range and
# finite floats are checked column-wise below); anything else is cleaned once per distinct object.
def _clean_column(column: pd.Series) -> _Column:
    values = column.to_numpy(dtype=object)
    present = ~jsonsafe.missing_mask(values)
    out = values.copy()
    positions = np.flatnonzero(present)
    found = values[positions]
    kinds = set(map(type, found))
    if kinds <= {str}:
        if _has_lone_surrogates(found):
            out[positions] = _repaired_texts(found)
    elif kinds <= {bool} or (kinds <= {int} and _ints_fit(found)):
        pass
    elif kinds <= {float}:
        present[positions[~np.isfinite(found.astype("float64"))]] = False
    else:
        _clean_objects(found, positions, out, present)
    out[~present] = jsonsafe.MISSING
    return _Column(out.tolist(), present)


def _has_lone_surrogates(texts: np.ndarray) -> bool:
    """Whether any text holds a lone surrogate (which UTF-8, hence JSON, cannot carry): one C pass."""
    joined = "".join(texts.tolist())
    if joined.isascii():
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _repaired_texts(texts: np.ndarray) -> np.ndarray:
    """The texts with lone surrogates replaced; each distinct text is repaired once."""
    codes, distinct = pd.factorize(texts)
    repaired = np.fromiter(map(jsonsafe.clean, distinct), dtype=object, count=len(distinct))
    return repaired[codes]


def _clean_objects(found: np.ndarray, positions: np.ndarray, out: np.ndarray, present: np.ndarray) -> None:
    """Clean the values of a column of objects into ``out``; values that clean to nothing stop being present.

    Cells cast from the same text hold the same object, so each distinct object is cleaned once.
    Each row still gets a value of its own, so that changing one user never changes another: the
    objects and lists of all rows are made at once by reading back one JSON array of their clean
    forms, which gives fresh containers with the same content (orjson writes and reads every clean
    value exactly).
    """
    by_id = dict(zip(map(id, found), found, strict=True))
    codes, ids = pd.factorize(np.fromiter(map(id, found), dtype=np.uint64, count=len(found)))
    cleaned = [jsonsafe.clean(by_id[key]) for key in ids.tolist()]
    absent = np.fromiter(
        (value is jsonsafe.MISSING or (isinstance(value, dict) and not value) for value in cleaned),
        dtype=bool,
        count=len(cleaned),
    )
    nested = np.fromiter(map(isinstance, cleaned, repeat(dict | list)), dtype=bool, count=len(cleaned))
    present[positions[absent[codes]]] = False
    scalar = ~absent & ~nested
    if scalar.any():
        rows = scalar[codes]
        out[positions[rows]] = np.fromiter(cleaned, dtype=object, count=len(cleaned))[codes[rows]]
    containers = nested & ~absent
    if containers.any():
        rows = containers[codes]
        try:
            texts = np.full(len(cleaned), b"", dtype=object)
            for k in np.flatnonzero(containers).tolist():
                texts[k] = orjson.dumps(cleaned[k])
            copies = orjson.loads(b"[" + b",".join(texts[codes[rows]].tolist()) + b"]")
        except orjson.JSONEncodeError:  # nested too deep for orjson: clean each row's value again
            copies = [jsonsafe.clean(value) for value in found[rows]]
        out[positions[rows]] = np.fromiter(copies, dtype=object, count=len(copies))


def _ints_fit(found: np.ndarray) -> bool:
    numbers = found.tolist()
    return not numbers or (jsonsafe.clean(min(numbers)), jsonsafe.clean(max(numbers))) == (
        min(numbers),
        max(numbers),
    )


def _build_node(node: _Node, n: int) -> _Column:
    if not node.children:
        return node.own if node.own is not None else _Column([jsonsafe.MISSING] * n, np.zeros(n, dtype=bool))
    built = {name: _build_node(child, n) for name, child in node.children.items()}
    present = np.logical_or.reduce([c.present for c in built.values()])
    # A field missing on every row (an empty column) is no key of any object: left out from the start.
    names = [name for name, column in built.items() if column.present.any()]
    columns = [built[name] for name in names]
    # Every row gets every key at C speed, then the (usually few) missing ones are deleted.
    objects: list[Any] = (
        list(map(dict, map(zip, repeat(names), zip(*(c.values for c in columns), strict=True))))
        if columns
        else [{} for _ in range(n)]
    )
    for name, column in zip(names, columns, strict=True):
        for i in np.flatnonzero(~column.present).tolist():
            del objects[i][name]
    if node.own is not None:
        for i in np.flatnonzero(node.own.present).tolist():
            objects[i] = _merge(node.own.values[i], objects[i])
        present = present | node.own.present
    for i in np.flatnonzero(~present).tolist():
        objects[i] = jsonsafe.MISSING
    return _Column(objects, present)


def _merge(own: Any, children: dict[str, Any]) -> Any:
    """An object target's value with the targets under it laid over it (theirs win)."""
    if not isinstance(own, dict):
        # Not an object (validation reports it); keep it unless fields under it have values.
        return children or own
    merged = dict(own)
    for key, value in children.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
