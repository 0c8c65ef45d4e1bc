"""Strict JSON for payloads: no NaN, no Infinity, no numpy or pandas scalars, no missing values.

Example:
    >>> import numpy as np, pandas as pd
    >>> clean({"a": np.int64(3), "b": float("nan"), "c": pd.Timestamp("2024-01-02"), "d": [np.float32(1.5)]})
    {'a': 3, 'c': '2024-01-02T00:00:00', 'd': [1.5]}
    >>> dumps({"a": 1})
    b'{"a":1}'
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import numpy as np
import orjson
import pandas as pd

__all__ = ["MISSING", "clean", "dumps", "is_missing"]


class _Missing:
    """Marker for 'leave this key out of the payload'."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pd.NA and the MISSING marker (scalars only)."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, np.datetime64 | np.timedelta64) and bool(np.isnat(value))


def clean(value: Any) -> Any:
    """Turn ``value`` into plain, strict JSON data; missing values become :data:`MISSING`.

    Missing values inside a dict are left out; inside a list they become ``None``. Infinite floats
    become :data:`MISSING` too, since JSON has no way to say them.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else MISSING
    if isinstance(value, Decimal):
        if not value.is_finite():
            return MISSING
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            cleaned = clean(item)
            if cleaned is not MISSING:
                out[str(key)] = cleaned
        return out
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        items = [clean(item) for item in value]
        return [None if item is MISSING else item for item in items]
    if isinstance(value, np.generic):
        return clean(value.item())
    return str(value)


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes, exactly as they are sent; refuses anything not already clean.

    orjson writes NaN as null, so floats are checked by :func:`clean` before they get here.
    """
    return orjson.dumps(obj)
