"""The casts a mapped column may ask for, each run once per distinct value of the column.

A value that fails its cast becomes missing, with a message saying what was expected and how to fix
it (:meth:`bulkprep.mapping.Mapping.apply` turns each into a ``cast_failed`` row):

- ``int``: whole numbers (``42``, ``3.0``); ``3.5`` fails, and so does scientific notation such as
  ``2.02555E+09`` or ``2,02555E+09`` (a spreadsheet rounded it: :func:`bulkprep.courier.looks_scientific`),
  and anything beyond 2**53 - 1, which JSON readers cannot hold exactly (map such ids without a cast:
  they are sent as text).
- ``float``: numbers with a dot for decimals; infinity fails (JSON cannot carry it).
- ``bool``: true/false, yes/no, y/n, 1/0, in any letter case.
- ``date``: an ISO date ``YYYY-MM-DD`` (``/`` or ``.`` separators and ``YYYYMMDD`` too, any time part
  ignored), or another spelling that reads the same day-first and month-first (``4 Mar 2024``,
  ``13/04/2024``); ``03/04/2024`` is ambiguous and fails. Gives ``YYYY-MM-DD`` text.
- ``json``: JSON text, parsed (``NaN`` and ``Infinity`` are refused: they are not JSON).
- ``str``: text; numbers from a typed frame become their digits (``12345.0`` becomes ``"12345"``).

Empty and blank cells are missing, never cast.

Example:
    >>> import numpy as np
    >>> values, failures = convert(np.array(["41", "", "old", "41"], dtype=object), Cast.INT)
    >>> values.tolist(), [position for position, _ in failures]
    ([41, None, None, 41], [2])
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Hashable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from bulkprep import jsonsafe
from bulkprep.courier import looks_scientific

__all__ = ["Cast", "convert"]

# The largest integer a JSON reader using doubles (JavaScript among them) holds exactly.
_MAX_EXACT_JSON_INT = 2**53 - 1
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

    @property
    def description(self) -> str:
        """What the cast accepts and gives, in a sentence (editors show it through the mapping's schema).

        Example:
            >>> Cast.BOOL.description
            'yes/no, true/false, y/n or 1/0 in any letter case, as true or false'
        """
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: dict[Cast, str] = {
    Cast.INT: "a whole number (42, 3.0) up to 2**53 - 1; 3.5 and scientific notation (2.02555E+09) fail",
    Cast.FLOAT: "a number with a dot for decimals (3.5, 1e3); infinity fails",
    Cast.BOOL: "yes/no, true/false, y/n or 1/0 in any letter case, as true or false",
    Cast.DATE: "an ISO date (2024-03-31), or a spelling that reads the same day-first and month-first, "
    "as YYYY-MM-DD text",
    Cast.JSON: "JSON text, parsed (objects, lists, numbers...); NaN and Infinity fail",
    Cast.STR: "text; numbers from a typed frame become their digits (12345.0 becomes 12345)",
}


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


def convert(
    raw: np.ndarray, cast: Cast | None, *, text_missing: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Cast a column: the converted values (None where missing or failed) and (position, message) failures.

    Args:
        raw: the column's cells, an object array.
        cast: the conversion, or None to keep the cells as they are (blank ones become None).
        text_missing: the missing mask of a column known to hold only text otherwise (a pandas string
            column), which spares finding its missing values and its texts again.

    Example:
        >>> import numpy as np
        >>> values, failures = convert(np.array(["yes", " ", "maybe"], dtype=object), Cast.BOOL)
        >>> values.tolist()
        [True, None, None]
        >>> failures  # doctest: +ELLIPSIS
        [(2, "expected yes/no, true/false, y/n or 1/0 (cast: bool), got 'maybe'; ...")]
    """
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
    if isinstance(value, str) and looks_scientific(value):
        return None, (
            f"{expected}, got {value!r} in scientific notation: a spreadsheet rounded it and digits may be "
            f"lost; re-export the column as text from the original source"
        )
    try:
        number = Decimal(str(value).strip())
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
