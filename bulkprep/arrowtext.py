"""Arrow text arrays read off their bytes: column-wise tests without a Python object per cell.

Every character these tests look for is ASCII or a known UTF-8 byte sequence, and UTF-8 writes any
other character with bytes of 0x80 and above, so a byte test is a character test.

Example:
    >>> import pyarrow as pa
    >>> values = pa.array(["=1", "a;b", None, "", "-"], type=pa.large_string())
    >>> holding_bytes(values, b";").tolist(), starting_with(values, (b"=", b"-")).tolist()
    ([False, True, False, False, False], [True, False, False, False, True])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["WHITESPACE_LEADS", "arrow_text", "holding_bytes", "may_be_blank", "starting_with"]

#: The first UTF-8 bytes of the characters ``str.isspace`` holds for (ASCII tab to carriage return,
#: the file, group, record and unit separators, space; U+0085 and U+00A0; U+1680; U+2000 to U+205F;
#: U+3000). A test checks the list against every character.
WHITESPACE_LEADS: tuple[bytes, ...] = tuple(
    bytes([byte]) for byte in (*range(9, 14), *range(28, 33), 0xC2, 0xE1, 0xE2, 0xE3)
)


def arrow_text(column: pd.Series) -> Any:
    """The Arrow array (one chunk) of a column of Arrow-backed text, else None."""
    dtype = column.dtype
    if not isinstance(dtype, pd.StringDtype) or not str(dtype.storage).startswith("pyarrow"):
        return None
    import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]

    values = pa.array(column.array)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _buffers(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (one per cell and one more, int64) and the bytes of an Arrow text array."""
    import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]

    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[values.offset : values.offset + len(values) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.empty(0, np.uint8)
    return offsets, data


def _valid(values: Any) -> np.ndarray:
    """Where an Arrow array holds a value (not a missing cell)."""
    if values.null_count == 0:
        return np.ones(len(values), dtype=bool)
    return np.asarray(values.is_valid(), dtype=bool)


def holding_bytes(values: Any, wanted: bytes) -> np.ndarray:
    """Where a cell of an Arrow text array holds any of the ``wanted`` ASCII bytes (missing: never).

    One comparison per wanted byte over the array's data, each hit given to its cell by the offsets.
    """
    offsets, data = _buffers(values)
    found = np.zeros(len(values), dtype=bool)
    if not len(values) or offsets[-1] == offsets[0]:
        return found
    span = data[int(offsets[0]) : int(offsets[-1])]
    hit = span == wanted[0]
    for byte in wanted[1:]:
        hit |= span == byte
    # The non-empty cells' bytes lie end to end, so each one's bytes run from its start to the next
    # non-empty cell's start (or the end): one reduction per cell, in one call.
    filled = np.flatnonzero(np.diff(offsets) > 0)
    found[filled] = np.logical_or.reduceat(hit, offsets[filled] - offsets[0])
    found &= _valid(values)
    return found


def starting_with(values: Any, prefixes: tuple[bytes, ...]) -> np.ndarray:
    """Where a cell of an Arrow text array starts with one of the UTF-8 ``prefixes`` (missing: never)."""
    offsets, data = _buffers(values)
    starts, lengths = offsets[:-1], np.diff(offsets)
    filled = np.flatnonzero(lengths > 0)
    first = data[starts[filled]]
    found = np.zeros(len(values), dtype=bool)
    for prefix in prefixes:
        rows = filled[first == prefix[0]]
        for place, byte in enumerate(prefix[1:], start=1):  # the further bytes of a longer prefix
            rows = rows[lengths[rows] > place]
            rows = rows[data[starts[rows] + place] == byte]
        found[rows] = True
    found &= _valid(values)
    return found


def may_be_blank(values: Any) -> np.ndarray:
    """Where a cell of an Arrow text array may be blank: missing, empty, or starting with a byte that
    starts a whitespace character. Every blank text (empty, or all ``str.isspace``) is among them."""
    offsets, _ = _buffers(values)
    found = starting_with(values, WHITESPACE_LEADS)
    found |= np.diff(offsets) == 0
    found |= ~_valid(values)
    return found
