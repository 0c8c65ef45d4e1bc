"""The prepared chunks of a streamed file, kept on disk between passes: written fast, read back as they were.

A chunk is pickled, except for what pickle is slow at: the users' payloads, hundreds of thousands of
small dicts a chunk. Pickle records every object it writes so that it can refer back to it, which
for a chunk of payloads costs ten times what orjson takes to write them; so an array of payloads (or
a frame's ``bulk_user`` column) is written as one JSON text instead. A payload is plain JSON data
already (:func:`bulkprep.jsonsafe.clean` made it so: dicts, lists, text, 64-bit numbers, finite
floats, booleans and None), which JSON gives back exactly (a tuple, which ``clean`` never leaves,
would come back a list). Any other dict or value (a subclass, a set, a key that is not text, a
number beyond 64 bits) and any ``null`` value in the text (a None in a list, or a NaN, which JSON
writes as null) keep the chunk's payloads pickled as they are.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> frame = pd.DataFrame({"bulk_row": [2, 3], "bulk_user": [{"recipient": "u1"}, None]})
    >>> path = dump(frame, Path(tempfile.mkdtemp()) / "chunk.pkl")
    >>> load(path).equals(frame)
    True
"""

from __future__ import annotations

import operator
import pickle
import re
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd

from bulkprep._gc import collector_paused
from bulkprep.status import Column

__all__ = ["dump", "load"]

_USER = Column.USER.value
_NULL = re.compile(rb"[:\[,]null")  # a null value (not the text "null", which is quoted)


class _Payloads(NamedTuple):
    """An object array of payloads: its dicts as one JSON array, and where the rows without one are."""

    text: bytes
    missing: np.ndarray  # bool, a row's payload is None


class _FramePayloads(NamedTuple):
    """A frame whose ``bulk_user`` column is kept as :class:`_Payloads`, at ``position``."""

    rest: pd.DataFrame
    position: int
    payloads: _Payloads


def dump(value: Any, path: Path) -> Path:
    """Write ``value`` (a frame, an array, or a dict or tuple of them) to ``path``; returns ``path``."""
    with open(path, "wb") as out:
        pickle.dump(_packed(value), out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load(path: Path) -> Any:
    """What :func:`dump` wrote to ``path``, as it was given."""
    # Only files this process wrote in its own work folder are read back. A chunk unpickles into
    # hundreds of thousands of containers (the users' dicts), none in a cycle: each time they
    # outnumbered a quarter of the older objects, the collector walked every object of the process.
    with open(path, "rb") as source, collector_paused():
        return _unpacked(pickle.load(source))


def _packed(value: Any) -> Any:
    if isinstance(value, pd.DataFrame) and _USER in value.columns and value.columns.is_unique:
        payloads = _as_json(value[_USER].to_numpy())
        if payloads is not None:
            position = list(value.columns).index(_USER)
            return _FramePayloads(value.drop(columns=_USER), position, payloads)
        return value
    if isinstance(value, np.ndarray):
        return _as_json(value) or value
    if type(value) is dict:
        return {key: _packed(item) for key, item in value.items()}
    if type(value) is tuple:
        return tuple(map(_packed, value))
    return value


def _unpacked(value: Any) -> Any:
    if isinstance(value, _FramePayloads):
        frame = value.rest
        frame.insert(
            value.position, _USER, pd.Series(_from_json(value.payloads), index=frame.index, dtype=object)
        )
        return frame
    if isinstance(value, _Payloads):
        return _from_json(value)
    if type(value) is dict:
        return {key: _unpacked(item) for key, item in value.items()}
    if type(value) is tuple:
        return tuple(map(_unpacked, value))
    return value


def _as_json(values: np.ndarray) -> _Payloads | None:
    """The payloads of an object array as JSON, or None when JSON would not give them back as they are."""
    if values.dtype != object or values.ndim != 1 or not len(values):
        return None
    missing = np.fromiter(map(operator.is_, values, repeat(None)), dtype=bool, count=len(values))
    dicts = values[~missing].tolist()
    if not all(map(operator.is_, map(type, dicts), repeat(dict))):  # exactly dicts, no subclass
        return None
    try:
        text = orjson.dumps(dicts)
    except TypeError:  # orjson.JSONEncodeError: a value JSON has no form for
        return None
    if b"null" in text and _NULL.search(text):
        return None  # a None in a list, or a float JSON writes as null (clean leaves none)
    return _Payloads(text, missing)


def _from_json(payloads: _Payloads) -> np.ndarray:
    cells = np.full(len(payloads.missing), None, dtype=object)
    dicts = orjson.loads(payloads.text)
    cells[~payloads.missing] = np.fromiter(dicts, dtype=object, count=len(dicts))
    return cells
