"""``read_csv`` for a cluster: CSV files as a Dask DataFrame, each partition read as bulkprep reads a file.

Plain ``dask.dataframe.read_csv`` cuts a file at line breaks, which splits a quoted value holding
line breaks across two partitions and numbers lines per partition. Here a file is cut only between
records, and each partition is read by :func:`bulkprep.read_csv` itself, under a copy of the header
(:func:`bulkprep.stream.chunks.chunk_frame`): the text as written, the encodings, delimiters,
footers and the reader's messages are the whole-file reader's, and ``bulk_row`` is the file's line.

Finding the cuts takes one pass over the bytes, spread over the workers: the file is split into
blocks at line breaks, and each block's worker says whether the block ends inside a quoted value
for both ways it may start (outside quotes, or inside one left open by the blocks before). The
client chains those answers from the first block, whose start is known, and a partition ends at
each block end that falls outside quotes. Only then are the partitions read, one task each.

Example:
    >>> import dask, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "users.csv")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b'id,note\\n1,"two\\nlines"\\n2,b\\n3,c\\n')
    >>> with dask.config.set(scheduler="synchronous"):
    ...     frame = read_csv(path, blocksize=1)
    ...     [part["bulk_row"].tolist() for part in dask.compute(*frame.to_delayed())]
    [[2], [4], [5]]
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import dask.dataframe as dd
import pandas as pd

from bulkprep.dask._typed import compute, frame_from_map, task
from bulkprep.errors import ConfigurationError
from bulkprep.read import _check_encoding, read_info
from bulkprep.read import read_csv as _read_whole
from bulkprep.status import ROW_KEY, Column
from bulkprep.stream.chunks import (
    Layout,
    _ends_inside_quotes,
    _Lines,
    _lines_in,
    chunk_frame,
    file_layout,
    streamable,
)

__all__ = ["DEFAULT_BLOCKSIZE", "read_csv"]

DEFAULT_BLOCKSIZE = 64 * 2**20
"""Bytes of a file per partition, about (a partition ends at the first record end after it)."""

_READ_ERROR = Column.READ_ERROR.value


class _Part(NamedTuple):
    """One partition of one file: its byte range and the file's lines before it."""

    path: str
    start: int
    stop: int
    lines_before: int
    row_offset: int  # added to bulk_row: the lines of the files read before this one
    following: tuple[tuple[int, int], ...]  # the byte ranges of the file's later partitions


def _cuts(path: str, *, size: int, blocksize: int, first: int) -> list[int]:
    """Block edges: 0, then the first line break after every ``blocksize`` bytes (from ``first``), the end."""
    edges = [0]
    with open(path, "rb") as handle:
        position = max(first, blocksize)
        while position < size:
            handle.seek(position)
            position += len(handle.readline())  # to the end of the line it falls in
            if position >= size:
                break
            edges.append(position)
            position += blocksize
    edges.append(size)
    return edges


def _block_state(path: str, start: int, stop: int, delimiter: str) -> tuple[bool, bool, int]:
    """Whether the block ends inside quotes when it starts outside and when inside them; its lines."""
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(stop - start)
    # Inside quotes at a line break is the reader's state right after an opening quote.
    return (
        _ends_inside_quotes(data, delimiter=delimiter),
        _ends_inside_quotes(b'"' + data, delimiter=delimiter),
        _lines_in(data),
    )


def _file_parts(path: str, *, layout: Layout, blocksize: int, row_offset: int) -> tuple[list[_Part], int]:
    """The partitions of one file (cut between records) and the file's physical lines."""
    size = os.path.getsize(path)
    edges = _cuts(path, size=size, blocksize=blocksize, first=_header_end(path, layout))
    blocks = list(itertools.pairwise(edges))
    states = compute(*[task(_block_state, path, a, b, layout.delimiter) for a, b in blocks])
    ranges: list[tuple[int, int, int]] = []  # start, stop, lines before
    inside, lines, start, start_lines = False, 0, 0, 0
    for (_, stop), (from_outside, from_inside, block_lines) in zip(blocks, states, strict=True):
        inside = from_inside if inside else from_outside
        lines += block_lines
        if not inside or stop == size:
            ranges.append((start, stop, start_lines))
            start, start_lines = stop, lines
    parts = [
        _Part(path, a, b, before, row_offset, tuple((c, d) for c, d, _ in ranges[number + 1 :]))
        for number, (a, b, before) in enumerate(ranges)
    ]
    return parts, lines


def _header_end(path: str, layout: Layout) -> int:
    """The byte offset where the file's first record starts (after its preamble and header lines)."""
    with open(path, "rb") as handle:
        return len(_Lines(handle, name=path).take(layout.header_lines))


def _read_part(part: _Part, layout: Layout, names: list[str], path_column: str | None) -> pd.DataFrame:
    """One partition's rows, as :func:`bulkprep.read_csv` reads them in the whole file."""
    with open(part.path, "rb") as handle:
        handle.seek(part.start)
        records = handle.read(part.stop - part.start)
        frame = chunk_frame(records, lines_before=part.lines_before, layout=layout)
        later = list(part.following)
        if later and read_info(frame).footer_rows:
            # Footer-like lines with records after them are records: read them with what follows,
            # and keep only this partition's rows (the later ones are their own partitions' rows).
            end_line = part.lines_before + _lines_in(records)
            while later and read_info(frame).footer_rows:
                start, stop = later.pop(0)
                handle.seek(start)
                records += handle.read(stop - start)
                frame = chunk_frame(records, lines_before=part.lines_before, layout=layout)
            frame = frame[frame[ROW_KEY] <= end_line].reset_index(drop=True)
    if _READ_ERROR not in frame.columns:
        frame[_READ_ERROR] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    if part.row_offset:
        frame[ROW_KEY] = frame[ROW_KEY] + part.row_offset
    if path_column is not None:
        frame[path_column] = part.path
    return frame[names]


def _meta(path: str, layout: Layout, path_column: str | None) -> pd.DataFrame:
    """The columns and types of the partitions: the file's header read with no records."""
    frame = chunk_frame(b"", lines_before=layout.header_lines, layout=layout).iloc[:0].copy()
    frame[_READ_ERROR] = pd.Series(dtype="object")
    if path_column is not None:
        frame[path_column] = pd.Series(dtype="object")
    return frame


def read_csv(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    sep: str | None = None,
    header_line: int | None = None,
    blocksize: int = DEFAULT_BLOCKSIZE,
    path_column: str | None = None,
) -> dd.DataFrame:
    """CSV files as one Dask DataFrame, every partition read as :func:`bulkprep.read_csv` reads its file.

    Each partition holds whole records (a quoted value with line breaks is never cut), and ``bulk_row``
    is the line of the file where each record starts. The files must share their columns; they are read
    one after the other, and the rows of each later file are numbered on from the lines of the files
    before it (a file's second line after a first file of 100 lines is 102), so that ``bulk_row`` stays
    a key across files. The workers read the files by their paths: on a cluster, paths every worker
    can open (a shared folder).

    The ``bulk_read_error`` column is always there (None on clean rows), since partitions must agree
    on their columns; :func:`bulkprep.dask.prepare` reads it as :func:`bulkprep.prepare` does. Each
    partition's index starts at 0.

    Args:
        paths: a CSV file, or several with the same header (UTF-8 or an 8-bit encoding).
        encoding, sep, header_line: as for :func:`bulkprep.read_csv`, for every file.
        blocksize: about how many bytes of a file go in one partition.
        path_column: the name of a column to add holding each row's file path (None: none).

    Returns:
        A Dask DataFrame whose partitions are in file order.

    Raises:
        InputError, ConfigurationError: as :func:`bulkprep.read_csv` raises them for a file's head,
            or when a file cannot be read in parts (a workbook, UTF-16) or the files' columns differ.

    Example:
        >>> import os, tempfile, dask
        >>> folder = tempfile.mkdtemp()
        >>> for name in ("a.csv", "b.csv"):
        ...     with open(os.path.join(folder, name), "w") as f:
        ...         _ = f.write("Email\\nann@example.com\\n")
        >>> frame = read_csv([os.path.join(folder, "a.csv"), os.path.join(folder, "b.csv")])
        >>> frame.compute(scheduler="synchronous")["bulk_row"].tolist()
        [2, 4]
    """
    if blocksize < 1:
        raise ConfigurationError(f"blocksize must be a positive number of bytes, not {blocksize!r}")
    names = [str(paths)] if isinstance(paths, str | os.PathLike) else [str(p) for p in paths]
    if not names:
        raise ConfigurationError("read_csv needs at least one file")
    parts: list[tuple[_Part, Layout]] = []
    meta: pd.DataFrame | None = None
    row_offset = 0
    for name in names:
        if not Path(name).is_file():
            _read_whole(name)  # says what is wrong with the path (missing, a folder)
        if encoding is not None:
            _check_encoding(encoding)  # refused as read_csv refuses it, not as unsplittable
        if not streamable(name, encoding=encoding):
            raise ConfigurationError(
                f"{name} cannot be read in parts (a workbook, or a file in UTF-16 or UTF-32); "
                "read it with bulkprep.read_csv and hand it to dask.dataframe.from_pandas, "
                "or save it as CSV UTF-8"
            )
        with open(name, "rb") as handle:
            layout = file_layout(handle, name=name, encoding=encoding, sep=sep, header_line=header_line)
        file_meta = _meta(name, layout, path_column)
        if meta is None:
            meta = file_meta
        elif list(file_meta.columns) != list(meta.columns):
            raise ConfigurationError(
                f"{name} has other columns than {names[0]}: "
                f"{[str(c) for c in file_meta.columns[1:]]} against {[str(c) for c in meta.columns[1:]]}"
            )
        file_parts, lines = _file_parts(name, layout=layout, blocksize=blocksize, row_offset=row_offset)
        parts += [(part, layout) for part in file_parts]
        row_offset += lines
    assert meta is not None
    columns = [str(c) for c in meta.columns]
    return frame_from_map(
        _read_part,
        [part for part, _ in parts],
        [layout for _, layout in parts],
        names=columns,
        path_column=path_column,
        meta=meta,
        label="bulkprep-read-csv",
    )
