"""Tables that are not pandas frames, taken at the door: Arrow tables, polars frames, lists of dicts.

:func:`as_pandas` is called by :func:`bulkprep.prepare` and :func:`bulkprep.submit` before anything
else, so every stage behind them sees a pandas frame. Neither pyarrow nor polars is a dependency:
each is imported only when a table of its kind arrives (its module already loaded, since the caller
made the table with it).

Strings stay strings (``"00123"`` is not read as a number) and a whole-number column with gaps
becomes pandas' nullable ``Int64`` rather than floats, so a user id ``42`` is never sent as ``42.0``.
A table that cannot be converted raises :class:`~bulkprep.errors.InputError` saying what to install
or do, never a bare ``TypeError``.

Example:
    >>> as_pandas([{"Email": "ann@example.com", "Id": 1}, {"Email": "bob@example.com"}])
                 Email    Id
    0  ann@example.com     1
    1  bob@example.com  <NA>
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from bulkprep.errors import InputError

__all__ = ["as_pandas"]


def _kind(table: object) -> str:
    """The top package of the table's class (``pyarrow``, ``polars``, ...)."""
    return type(table).__module__.partition(".")[0]


def _from_arrow(table: Any) -> pd.DataFrame:
    """An Arrow table (or record batch) as a pandas frame; integer columns with gaps as ``Int64``."""
    pa: Any = importlib.import_module("pyarrow")  # optional: untyped to the checker, on purpose
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    frame: pd.DataFrame = table.to_pandas()
    for name, column in zip(table.column_names, table.columns, strict=True):
        # to_pandas() turns whole numbers with a gap into floats; a user id 42 must not become 42.0.
        if pa.types.is_integer(column.type) and column.null_count:
            frame[name] = pd.array(column.to_pylist(), dtype="Int64")
    return frame


def _from_polars(table: Any) -> pd.DataFrame:
    """A polars frame (a lazy one is collected) as a pandas frame, through Arrow."""
    if type(table).__name__ == "LazyFrame":
        table = table.collect()
    try:
        importlib.import_module("pyarrow")  # polars hands its columns over through Arrow
    except ImportError:
        raise InputError(
            "a polars frame is converted to pandas through Arrow, and pyarrow is not installed: "
            "install pyarrow, or pass table.to_pandas() yourself"
        ) from None
    return _from_arrow(table.to_arrow())


def _from_records(rows: list[Any]) -> pd.DataFrame:
    """One row per dict, a key missing from a dict a missing cell; whole numbers with gaps as ``Int64``."""
    frame = pd.DataFrame([dict(row) for row in rows], dtype=object)
    for name in frame.columns:
        values = frame[name]
        present = values[values.notna()]
        if len(present) and all(type(value) is int for value in present):
            frame[name] = pd.array([None if pd.isna(v) else v for v in values], dtype="Int64")
        else:
            frame[name] = values.infer_objects()
    return frame


def as_pandas(table: Any, *, what: str = "the users") -> pd.DataFrame:
    """``table`` as a pandas frame: a pandas frame as it is, an Arrow or polars table converted.

    Args:
        table: a pandas ``DataFrame``, a ``pyarrow.Table`` or ``RecordBatch``, a polars ``DataFrame``
            or ``LazyFrame``, any object with a ``to_pandas()`` method, or a list of dicts (one per row).
        what: how the message of an error names the table.

    Returns:
        The same pandas frame (not a copy) when ``table`` is one, else a new frame.

    Raises:
        InputError: ``table`` is no table, or its library needs pyarrow and pyarrow is not installed.

    Example:
        >>> frame = pd.DataFrame({"Email": ["ann@example.com"]})
        >>> as_pandas(frame) is frame
        True
    """
    if isinstance(table, pd.DataFrame):
        return table
    kind = _kind(table)
    if kind == "pyarrow" and type(table).__name__ in ("Table", "RecordBatch"):
        return _from_arrow(table)
    if kind == "polars" and type(table).__name__ in ("DataFrame", "LazyFrame"):
        return _from_polars(table)
    if isinstance(table, list) and all(isinstance(row, Mapping) for row in table):
        return _from_records(table)
    to_pandas = getattr(table, "to_pandas", None)
    if callable(to_pandas):
        try:
            converted = to_pandas()
        except ImportError as missing:
            raise InputError(
                f"{what} ({type(table).__name__}) cannot be converted to a pandas frame: {missing}"
            ) from None
        if isinstance(converted, pd.DataFrame):
            return converted
    raise InputError(
        f"{what} must be a table (a pandas or polars DataFrame, a pyarrow Table or a list of dicts), "
        f"not {type(table).__name__}"
    )
