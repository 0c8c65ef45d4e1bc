"""Check every user against what Courier's Bulk API accepts, and report every problem found.

:func:`validate` looks at all rows in one pass and returns the error table (see
:mod:`bulkprep.report`); it never raises for a problem with a row. What it checks:

- field types: ``recipient`` and the ``to`` identifiers are text; ``profile``, ``data``, ``to``,
  ``to.data`` and ``to.context`` are objects;
- ``preferences`` (and ``to.preferences``): ``{categories?: {id: P}, notifications?: {id: P}}`` where
  ``P = {status, channel_preferences?: [{channel}], rules?: [{start?, until}]}``, with the statuses and
  channels spelled exactly as Courier spells them (a slip such as ``opted in`` gets a "did you mean");
- every user has an identity: a user id, an email or a phone number;
- with ``require_email=True``, every user has ``profile.email``;
- ids that a spreadsheet turned into scientific notation (``2.02555E+09``);
- every user's JSON fits within ``max_user_bytes``.

Object cells are checked once per distinct value, so a preferences object shared by every row costs
one check.

Example:
    >>> import pandas as pd
    >>> targets = pd.DataFrame({"recipient": ["u1", None, "2.02555E+09"],
    ...                         "preferences.categories.news.status": ["OPTED_IN", "opted in", None]},
    ...                        index=pd.Index([2, 3, 4], name="bulk_row"))
    >>> validate(targets)[["bulk_row", "field", "code"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'bulk_row': 3, 'field': 'preferences.categories.news.status', 'code': 'invalid_value'},
     {'bulk_row': 3, 'field': None, 'code': 'no_identity'},
     {'bulk_row': 4, 'field': 'recipient', 'code': 'excel_mangled_number'}]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd

from bulkprep import jsonsafe
from bulkprep._accel.textops import contains
from bulkprep._moved import Moved, moved_names
from bulkprep.courier import CHANNELS as _CHANNELS
from bulkprep.courier import (
    ID_FIELDS,
    IDENTITY_FIELDS,
    OBJECT_FIELDS,
    PREFERENCE_FIELDS,
    PREFERENCE_GROUPS,
    PREFERENCE_ROOTS,
    RULE_FIELDS,
    SCIENTIFIC_NOTATION,
    STRING_FIELDS,
)
from bulkprep.courier import PREFERENCE_STATUSES as _PREFERENCE_STATUSES
from bulkprep.mapping import Mapping, check_target
from bulkprep.payloads import build_payloads
from bulkprep.report import ERROR_COLUMNS, ErrorCode, empty_errors
from bulkprep.status import Severity, Stage

__all__ = ["MAX_USER_BYTES", "validate"]

MAX_USER_BYTES = 512 * 1024
"""The most one user's JSON may weigh, in bytes.

Courier refuses requests over 6 MB. Batches are cut by size, so a single user only needs to fit one
request, but a user of several megabytes would travel alone and leave no margin. 512 KiB lets at least
ten such users share a request and is still hundreds of times what a real user (ids, a profile and
some template data, usually well under 2 KiB) needs: a user over it almost always carries a pasted
file or a runaway JSON cell.
"""

# Ids under data or profile named like an id (data.user_id, profile.customer_id) are checked for
# scientific notation too: this is bulkprep's own reading of a column name, not a field of Courier's.
_ID_NAME = re.compile(r"(^|_)id$", re.IGNORECASE)
# Names that left this module's __all__ for their home in bulkprep.courier.
__getattr__ = moved_names(
    __name__,
    {
        "CHANNELS": Moved(_CHANNELS, "bulkprep.courier.CHANNELS"),
        "PREFERENCE_STATUSES": Moved(_PREFERENCE_STATUSES, "bulkprep.courier.PREFERENCE_STATUSES"),
    },
)
# Users serialized together to check their sizes: ordinary users are far below the limit.
_SIZE_CHUNK_USERS = 256


class Problem(NamedTuple):
    """One problem with one value: the field at fault, its code, the message, the offending value."""

    field: str | None
    code: ErrorCode
    message: str
    value: Any


def validate(
    targets: pd.DataFrame,
    *,
    mapping: Mapping | None = None,
    require_email: bool = False,
    max_user_bytes: int = MAX_USER_BYTES,
    payloads: pd.Series | None = None,
) -> pd.DataFrame:
    """The error table of every problem of every user in ``targets`` (stage ``validate``, severity ``error``).

    Args:
        targets: the targets frame (see :meth:`bulkprep.mapping.Mapping.apply`), indexed by ``bulk_row``.
        mapping: when given, each error names the source column of its field.
        require_email: the job sends email, so every user needs ``profile.email``.
        max_user_bytes: the most one user's serialized JSON may weigh.
        payloads: ``build_payloads(targets)``, when the caller has it already (it is built otherwise).

    Raises:
        MappingError: a column of ``targets`` is not a path of Courier's user.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"to.email": ["a@x.io"], "to.user_id": [42]})
        >>> table = validate(targets, require_email=True)
        >>> table[["field", "code"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'field': 'to.user_id', 'code': 'wrong_type'}, {'field': 'profile.email', 'code': 'missing_email'}]
    """
    for name in targets.columns:
        check_target(str(name))
    column_of = _column_finder(mapping)
    if payloads is None:
        payloads = build_payloads(targets)
    problems: list[tuple[Any, Problem]] = []
    problems += _column_problems(targets)
    problems += _preference_problems(payloads, targets)
    problems += _identity_problems(targets, require_email=require_email)
    problems += _size_problems(payloads, max_user_bytes=max_user_bytes)
    records = (
        {
            "bulk_row": row,
            "stage": Stage.VALIDATE.value,
            "severity": Severity.ERROR.value,  # the field policy may make it a warning, see field_policy
            "field": problem.field,
            "column": column_of(problem.field),
            "code": problem.code.value,
            "message": problem.message,
            "value": _as_text(problem.value),
        }
        for row, problem in problems
    )
    ordered = _in_row_order(list(records), targets.index)
    if not ordered:
        return empty_errors()
    # Built as object columns from the start, so that an absent field or column stays None (a
    # frame inferring text columns would turn it into NaN).
    table = pd.DataFrame(ordered, columns=list(ERROR_COLUMNS), dtype=object)
    return table.astype({"bulk_row": "int64"})


def _in_row_order(records: list[dict[str, Any]], index: pd.Index) -> list[dict[str, Any]]:
    """The records in the order of their rows; a row's records keep the order they were found in."""
    rows = [record["bulk_row"] for record in records]
    if index.is_unique:
        positions = index.get_indexer(pd.Index(rows))
    else:  # a repeated label sorts by its last row
        last = {row: position for position, row in enumerate(index)}
        positions = np.array([last[row] for row in rows], dtype=np.int64)
    return [records[i] for i in np.argsort(positions, kind="stable").tolist()]


# ---------------------------------------------------------------------------------------------------
# Per-column checks: types of the fixed fields, ids in scientific notation


def _column_problems(targets: pd.DataFrame) -> list[tuple[Any, Problem]]:
    found: list[tuple[Any, Problem]] = []
    for name in map(str, targets.columns):
        if _under_preferences(name):
            continue  # checked on the assembled preferences object
        is_id = _is_id_field(name)
        if not (is_id or name in STRING_FIELDS or name in OBJECT_FIELDS):
            continue  # any JSON value is fine here
        values = targets[name].to_numpy(dtype=object)
        present = ~jsonsafe.missing_mask(values)
        is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
        if name in STRING_FIELDS:
            suspects = present & ~is_text  # the (usually no) rows that need a closer look
        elif name in OBJECT_FIELDS:
            suspects = present
        else:
            suspects = np.zeros(len(values), dtype=bool)
        cache: dict[Hashable, list[Problem]] = {}
        for i in np.flatnonzero(suspects).tolist():
            key = _fingerprint(values[i])
            if key not in cache:
                cache[key] = list(_shape_problems(name, values[i]))
            found.extend((targets.index[i], problem) for problem in cache[key])
        if is_id:
            found.extend(_mangled_ids(name, targets.index, values, is_text))
    return found


def _is_id_field(path: str) -> bool:
    return path in ID_FIELDS or (path.split(".")[0] in ("data", "profile") and bool(_ID_NAME.search(path)))


def _mangled_ids(path: str, index: pd.Index, values: Any, is_text: Any) -> Iterator[tuple[Any, Problem]]:
    texts = pd.Series(values[is_text], dtype=object)
    if texts.empty:
        return
    # Scientific notation needs an "e": only the (usually no) texts holding one meet the pattern.
    matched = contains(texts, "e") | contains(texts, "E")
    # courier.looks_scientific, mapped in C: the pattern's own fullmatch, with no Python call per text.
    found = map(SCIENTIFIC_NOTATION.fullmatch, texts[matched].tolist())
    matched[matched] = np.fromiter(map(bool, found), dtype=bool, count=int(matched.sum()))
    for i, value in zip(np.flatnonzero(is_text)[matched].tolist(), texts[matched], strict=True):
        yield (
            index[i],
            Problem(
                path,
                ErrorCode.EXCEL_MANGLED_NUMBER,
                f"{value!r} is an id in scientific notation: a spreadsheet rounded it and digits are lost; "
                f"re-export the column as text from the original source (format the column as Text "
                f"before saving)",
                value,
            ),
        )


def _shape_problems(path: str, value: Any) -> Iterator[Problem]:
    """Type problems of ``value`` at ``path`` and, for objects, of the fields inside it."""
    if path in STRING_FIELDS:
        if not isinstance(value, str):
            yield Problem(
                path,
                ErrorCode.WRONG_TYPE,
                f"{path} must be text, got {_kind(value)} {_short(value)}; map its column without a cast "
                f"(or with cast: str)",
                value,
            )
    elif path in OBJECT_FIELDS:
        if not isinstance(value, dict):
            yield Problem(
                path,
                ErrorCode.WRONG_TYPE,
                f'{path} must be an object such as {{"key": "value"}}, got {_kind(value)} '
                f"{_short(value)}; fix the cell or map the column to a field under {path}",
                value,
            )
            return
        for key, item in value.items():
            child = f"{path}.{key}"
            if not _under_preferences(child) and not _is_absent(item):
                yield from _shape_problems(child, item)


# ---------------------------------------------------------------------------------------------------
# Preferences: checked on the assembled object, once per distinct object


def _preference_problems(payloads: pd.Series, targets: pd.DataFrame) -> list[tuple[Any, Problem]]:
    found: list[tuple[Any, Problem]] = []
    if not any(_under_preferences(str(name)) or str(name) == "to" for name in targets.columns):
        return found
    cache: dict[tuple[str, bytes], list[Problem]] = {}
    for row, user in payloads.items():
        for root in PREFERENCE_ROOTS:
            value = _get(user, root)
            if value is jsonsafe.MISSING:
                continue
            key = (root, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
            if key not in cache:
                cache[key] = list(_preferences_shape(root, value))
            found.extend((row, problem) for problem in cache[key])
    return found


def _preferences_shape(path: str, value: Any) -> Iterator[Problem]:
    example = '{"categories": {"news": {"status": "OPTED_IN"}}}'
    if not isinstance(value, dict):
        yield _wrong_type(path, value, f"an object such as {example}")
        return
    for group, items in value.items():
        field = f"{path}.{group}"
        if group not in PREFERENCE_GROUPS:
            yield _unknown_key(field, group, PREFERENCE_GROUPS)
        elif not isinstance(items, dict):
            yield _wrong_type(
                field, items, 'an object of preferences by id, such as {"news": {"status": "OPTED_IN"}}'
            )
        else:
            for name, preference in items.items():
                yield from _preference_shape(f"{field}.{name}", preference)


def _preference_shape(path: str, value: Any) -> Iterator[Problem]:
    if not isinstance(value, dict):
        hint = (
            f' (write {{"status": "{value}"}}, or map the column to {path}.status)'
            if isinstance(value, str)
            else ""
        )
        yield _wrong_type(path, value, f'an object such as {{"status": "OPTED_IN"}}{hint}')
        return
    if "status" in value:
        yield from _enum_problems(f"{path}.status", value["status"], _PREFERENCE_STATUSES)
    else:
        yield Problem(
            f"{path}.status",
            ErrorCode.INVALID_VALUE,
            f"{path} has no status; Courier requires one of {', '.join(_PREFERENCE_STATUSES)}: "
            f"map a column to {path}.status",
            None,
        )
    for key in value:
        if key not in PREFERENCE_FIELDS:
            yield _unknown_key(f"{path}.{key}", key, PREFERENCE_FIELDS)
    if "channel_preferences" in value:
        yield from _channel_problems(f"{path}.channel_preferences", value["channel_preferences"])
    if "rules" in value:
        yield from _rule_problems(f"{path}.rules", value["rules"])


def _channel_problems(path: str, value: Any) -> Iterator[Problem]:
    if not isinstance(value, list):
        yield _wrong_type(path, value, 'a list such as [{"channel": "email"}]')
        return
    for i, item in enumerate(value):
        field = f"{path}[{i}]"
        if isinstance(item, dict) and "channel" in item:
            yield from _enum_problems(f"{field}.channel", item["channel"], _CHANNELS)
            for key in item:
                if key != "channel":
                    yield _unknown_key(f"{field}.{key}", key, ("channel",))
        else:
            hint = f'{{"channel": "{item}"}}' if isinstance(item, str) else '{"channel": "email"}'
            yield _wrong_type(field, item, f"an object such as {hint}")


def _rule_problems(path: str, value: Any) -> Iterator[Problem]:
    example = '{"start": "2024-01-01T00:00:00Z", "until": "2024-02-01T00:00:00Z"}'
    if not isinstance(value, list):
        yield _wrong_type(path, value, f"a list of rules such as [{example}]")
        return
    for i, rule in enumerate(value):
        field = f"{path}[{i}]"
        if not isinstance(rule, dict):
            yield _wrong_type(field, rule, f"an object such as {example}")
            continue
        if "until" not in rule:
            yield Problem(
                f"{field}.until",
                ErrorCode.INVALID_VALUE,
                f"{field} has no 'until'; every rule needs one (a date-time such as 2024-02-01T00:00:00Z)",
                None,
            )
        for key, item in rule.items():
            if key not in RULE_FIELDS:
                yield _unknown_key(f"{field}.{key}", key, RULE_FIELDS)
            elif not isinstance(item, str):
                yield _wrong_type(f"{field}.{key}", item, "a date-time text such as 2024-02-01T00:00:00Z")


def _enum_problems(path: str, value: Any, allowed: tuple[str, ...]) -> Iterator[Problem]:
    if isinstance(value, str) and value in allowed:
        return
    if not isinstance(value, str):
        yield _wrong_type(path, value, f"one of {', '.join(allowed)}")
        return
    slips = {_fold(option): option for option in allowed}
    guess = slips.get(_fold(value))
    advice = f"did you mean {guess}?" if guess else f"use one of {', '.join(allowed)}"
    yield Problem(
        path,
        ErrorCode.INVALID_VALUE,
        f"{value!r} is not a value Courier accepts here (spelling and case must match exactly); {advice}",
        value,
    )


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _wrong_type(path: str, value: Any, expected: str) -> Problem:
    return Problem(
        path,
        ErrorCode.WRONG_TYPE,
        f"expected {expected}, got {_kind(value)} {_short(value)}; fix the value",
        value,
    )


def _unknown_key(path: str, key: str, allowed: tuple[str, ...]) -> Problem:
    return Problem(
        path,
        ErrorCode.INVALID_VALUE,
        f"{key!r} is not a field Courier knows here; use {', '.join(allowed)} (or remove it)",
        key,
    )


# ---------------------------------------------------------------------------------------------------
# Per-user checks: identity, email for email jobs, size


def _identity_problems(targets: pd.DataFrame, *, require_email: bool) -> list[tuple[Any, Problem]]:
    identified = np.logical_or.reduce([_filled_mask(targets, field) for field in IDENTITY_FIELDS])
    found: list[tuple[Any, Problem]] = [
        (
            targets.index[i],
            Problem(
                None,
                ErrorCode.NO_IDENTITY,
                "the user has no user id, email or phone number, so Courier cannot address it; fill one "
                "of them for the row, or map a column to recipient, to.user_id, profile.email or "
                "profile.phone_number",
                None,
            ),
        )
        for i in np.flatnonzero(~identified).tolist()
    ]
    if require_email:
        has_email = _filled_mask(targets, "profile.email")
        has_to_email = _filled_mask(targets, "to.email")
        for i in np.flatnonzero(~has_email).tolist():
            if has_to_email[i]:
                message = (
                    "the user has to.email but no profile.email; Courier routes email jobs by "
                    "profile.email and to.email alone is not enough: map the email column to profile.email"
                )
            else:
                message = "the job sends email but the user has no profile.email; fill it for the row"
            found.append((targets.index[i], Problem("profile.email", ErrorCode.MISSING_EMAIL, message, None)))
    return found


def _filled_mask(targets: pd.DataFrame, field: str) -> np.ndarray:
    """Rows where ``field`` holds a non-blank value, in its own column or inside an object column."""
    filled = np.zeros(len(targets), dtype=bool)
    if field in targets.columns:
        values = targets[field].to_numpy(dtype=object)
        filled |= ~jsonsafe.missing_mask(values)
        texts = np.flatnonzero(
            np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
        )
        found = values[texts]
        # Blank: empty or all whitespace (exactly when str.strip leaves nothing), found without copies.
        blank = np.fromiter(map(str.isspace, found), dtype=bool, count=len(found)) | (found == "")
        filled[texts[blank]] = False
    parent, _, rest = field.rpartition(".")
    while parent:
        if parent in targets.columns:
            values = targets[parent].to_numpy(dtype=object)
            for i in np.flatnonzero(~filled & ~jsonsafe.missing_mask(values)).tolist():
                filled[i] = _filled(_get(values[i], rest))
        parent, _, head = parent.rpartition(".")
        rest = f"{head}.{rest}"
    return filled


def _size_problems(payloads: pd.Series, *, max_user_bytes: int) -> list[tuple[Any, Problem]]:
    found: list[tuple[Any, Problem]] = []
    users = payloads.tolist()
    rows = payloads.index
    for start in range(0, len(users), _SIZE_CHUNK_USERS):
        chunk = users[start : start + _SIZE_CHUNK_USERS]
        try:
            # The users of a chunk, serialized together, weigh more than any one of them: when all
            # of them fit within the limit, each one does.
            if len(jsonsafe.dumps(chunk)) - 2 <= max_user_bytes:
                continue
        except orjson.JSONEncodeError:
            pass  # some user cannot be written: measure them one by one below
        for position, user in enumerate(chunk, start=start):
            found.extend((rows[position], problem) for problem in _user_size_problems(user, max_user_bytes))
    return found


def _user_size_problems(user: Any, max_user_bytes: int) -> Iterator[Problem]:
    try:
        size = len(jsonsafe.dumps(user))
    except orjson.JSONEncodeError as exc:
        yield Problem(None, ErrorCode.WRONG_TYPE, f"the user cannot be written as JSON: {exc}", None)
        return
    if size > max_user_bytes:
        field, part = _largest_part(user)
        yield Problem(
            field,
            ErrorCode.USER_TOO_LARGE,
            f"the user is {size:,} bytes as JSON, over the {max_user_bytes:,}-byte limit per "
            f"user; its largest part is {field} ({part:,} bytes): shorten it or move it out "
            f"of the payload",
            f"{size} bytes",
        )


def _largest_part(user: dict[str, Any]) -> tuple[str, int]:
    """The heaviest field two levels down (``data.notes``), and its size in bytes."""
    sizes: dict[str, int] = {}
    for key, value in user.items():
        if isinstance(value, dict) and value:
            for child, item in value.items():
                sizes[f"{key}.{child}"] = len(jsonsafe.dumps(item))
        else:
            sizes[key] = len(jsonsafe.dumps(value))
    field = max(sizes, key=sizes.__getitem__)
    return field, sizes[field]


# ---------------------------------------------------------------------------------------------------
# Helpers


def _column_finder(mapping: Mapping | None) -> Callable[[str | None], str | None]:
    """``field -> source column``, looking up the field, then its parents (``to.user_id`` -> ``to``)."""

    def column_of(field: str | None) -> str | None:
        if mapping is None or field is None:
            return None
        path = re.sub(r"\[\d+\]", "", field)
        while path:
            column = mapping.column_of(path)
            if column is not None:
                return column
            path = path.rpartition(".")[0]
        return None

    return column_of


def _under_preferences(path: str) -> bool:
    return any(path == root or path.startswith(f"{root}.") for root in PREFERENCE_ROOTS)


def _get(user: Any, path: str) -> Any:
    node: Any = user
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return jsonsafe.MISSING
        node = node[part]
    return node


def _filled(value: Any) -> bool:
    return value is not jsonsafe.MISSING and not (isinstance(value, str) and not value.strip())


def _is_absent(value: Any) -> bool:
    return not isinstance(value, dict | list) and jsonsafe.is_missing(value)


def _fingerprint(value: Any) -> Hashable:
    """A key under which equal values share one check (1, 1.0 and True kept apart)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return (type(value), orjson.dumps(jsonsafe.clean(value), option=orjson.OPT_SORT_KEYS))
    try:
        return (type(value), hash(value), value)
    except TypeError:
        return (type(value), id(value))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "the yes/no value"
    if isinstance(value, int | float):
        return "the number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "the text"
    return f"a {type(value).__name__}"


def _short(value: Any, limit: int = 60) -> str:
    text = _as_text(value) or ""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _as_text(value: Any) -> str | None:
    """The offending value as people read it: text as is, JSON for objects, None when absent."""
    if value is None or value is jsonsafe.MISSING:
        return None
    if isinstance(value, str):
        return value
    cleaned = jsonsafe.clean(value)
    if cleaned is jsonsafe.MISSING:
        return str(value)
    return jsonsafe.dumps(cleaned).decode()
