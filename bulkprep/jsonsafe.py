"""Strict JSON for payloads: no NaN, no Infinity, no numpy or pandas scalars, no missing values.

Example:
    >>> import numpy as np, pandas as pd
    >>> clean({"a": np.int64(3), "b": float("nan"), "c": pd.Timestamp("2024-01-02"), "d": [np.float32(1.5)]})
    {'a': 3, 'c': '2024-01-02T00:00:00', 'd': [1.5]}
    >>> dumps({"a": 1})
    b'{"a":1}'
    >>> clean(2**70)  # beyond what a 64-bit JSON number reader keeps: sent as exact text
    '1180591620717411303424'
    >>> unsendable({"a": [float("inf")]})
    'it holds a number too large for JSON (it reads as infinity)'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from itertools import repeat
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd

__all__ = ["MAX_DEPTH", "MISSING", "clean", "dumps", "is_missing", "missing_mask", "text_depth", "unsendable"]


class _Missing:
    """Marker for 'leave this key out of the payload'."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# orjson (and most JSON readers) handle integers only within these bounds; larger ones become text so
# that no digit is lost.
_SMALLEST_JSON_INT = -(2**63)
_LARGEST_JSON_INT = 2**64 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_DEPTH: Final = 64
"""The deepest nesting of lists and objects a value may have: user data needs a few levels, while
thousands of levels would exhaust the stack of the code that reads or writes them (orjson stops at 255)."""

# A string literal of JSON text, possibly left open at the end: possessive, so that scanning text full of
# quotes stays linear.
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS = np.frombuffer(b"]}", dtype=np.uint8)


def is_missing(value: Any) -> bool:
    """True for None, NaN (float or Decimal), NaT, pd.NA and the MISSING marker (scalars only)."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, np.datetime64 | np.timedelta64) and bool(np.isnat(value))


def missing_mask(values: np.ndarray) -> np.ndarray:
    """A boolean array, true where :func:`is_missing` holds; column-wise for an object array.

    Example:
        >>> missing_mask(np.array(["a", None, float("nan"), {}], dtype=object)).tolist()
        [False, True, True, False]
    """
    try:
        return np.asarray(pd.isna(values), dtype=bool)
    except ArithmeticError:
        # A signalling-NaN Decimal refuses to be compared: look at each value instead.
        return np.fromiter(map(is_missing, values), dtype=bool, count=len(values))


def clean(value: Any) -> Any:
    """Turn ``value`` into plain, strict JSON data; missing values become :data:`MISSING`.

    Missing values inside a dict are left out; inside a list they become ``None``. Infinite floats
    become :data:`MISSING` too, since JSON has no way to say them.
    """
    # The plain types JSON parsing produces come first and cheaply: payloads hold millions of them.
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _clean_text(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            cleaned = clean(item)
            if cleaned is not MISSING:
                out[key if type(key) is str and key.isascii() else _clean_text(str(key))] = cleaned
        return out
    if kind is int:
        return _clean_int(value)
    if kind is float:
        return value if math.isfinite(value) else MISSING
    if kind is bool:
        return value
    if kind is list:
        return [None if item is MISSING else item for item in map(clean, value)]
    return _clean_other(value)


def _clean_other(value: Any) -> Any:
    """:func:`clean` for everything but the plain JSON types."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return _clean_int(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else MISSING
    if isinstance(value, Decimal):
        return _clean_decimal(value)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, dict):
        return clean(dict(value))  # a dict subclass: cleaned as a plain dict
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [None if item is MISSING else item for item in map(clean, value)]
    if isinstance(value, np.generic):
        return clean(value.item())
    if isinstance(value, bytes | bytearray):
        return _clean_text(bytes(value).decode("utf-8", errors="replace"))
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    """A plain ``str`` that UTF-8 can encode: lone surrogates (never valid JSON text) become U+FFFD."""
    if type(text) is not str:  # numpy and other str subclasses
        text = str.__str__(text)
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def _clean_int(number: int) -> int | str:
    """The integer itself, or its exact digits as text when it is too large for a JSON number."""
    if _SMALLEST_JSON_INT <= number <= _LARGEST_JSON_INT:
        return number
    return str(number)


def _clean_decimal(number: Decimal) -> Any:
    """Whole decimals become ints, others floats; text when a float would lose the value entirely."""
    if not number.is_finite():
        return MISSING
    if number == number.to_integral_value():
        return _clean_int(int(number))
    as_float = float(number)
    # 1E+400 overflows to inf and 1E-400 underflows to 0.0: keep the exact text rather than lie.
    if not math.isfinite(as_float) or as_float == 0.0:
        return str(number)
    return as_float


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes, exactly as they are sent; refuses anything not already clean.

    orjson writes NaN as null, so floats are checked by :func:`clean` before they get here.
    """
    return orjson.dumps(obj)


def text_depth(text: str) -> int:
    """How deeply the lists and objects of JSON ``text`` nest, told without parsing it (no recursion).

    Brackets inside string literals do not count; the text need not be valid JSON.

    Example:
        >>> text_depth('{"a": [1, {"b": "[[["}]}'), text_depth("42"), text_depth("[" * 100_000)
        (3, 0, 100000)
    """
    if "[" not in text and "{" not in text:
        return 0
    bare = _STRING_LITERAL.sub("", text) if '"' in text else text
    # Brackets are ASCII, and UTF-8 writes every other character with bytes of 0x80 and above.
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int64) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(steps).max(initial=0))


def unsendable(value: Any) -> str | None:
    """Why ``value`` cannot be sent as JSON (an infinite number, nesting beyond :data:`MAX_DEPTH`), or None.

    The value is walked with a stack of its own, so that any depth is told without recursion. Missing
    values are not a problem here: :func:`clean` leaves them out.

    Example:
        >>> unsendable({"a": [1, "x", None]}) is None
        True
        >>> unsendable([[[1]]] * 2), unsendable(-float("inf"))
        (None, 'it holds a number too large for JSON (it reads as infinity)')
        >>> import json
        >>> unsendable(json.loads("[" * 65 + "]" * 65))
        'it nests lists and objects more than 64 deep'
    """
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            if _is_infinite(item):
                return "it holds a number too large for JSON (it reads as infinity)"
            continue
        if depth >= MAX_DEPTH:
            return f"it nests lists and objects more than {MAX_DEPTH} deep"
        pending.extend(zip(children, repeat(depth + 1)))
    return None


def _is_infinite(value: Any) -> bool:
    if isinstance(value, float | np.floating):
        return math.isinf(value)
    return isinstance(value, Decimal) and value.is_infinite()
