"""What the readers share: where the input comes from (a path or an open file, loaded whole, with a
name for messages), how a header becomes column names, and what both undo in the cells they read
(text-marker apostrophes, ``="..."`` text formulas, the header repeated as a row, a script's ``NaN``
and ``1001.0``).

``read_csv`` and ``read_excel`` take the same kinds of source and say the same things when one cannot be
read, so they load it here.

Example:
    >>> import io
    >>> load(io.BytesIO(b"id\\n1\\n"), reader="read_csv", kind="CSV file")
    Loaded(content=b'id\\n1\\n', name='<buffer>', text_encoding=None)
    >>> load(42, reader="read_csv", kind="CSV file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bulkprep.errors.InputError: read_csv reads a file path or an open file, not a int; ...
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from bulkprep.errors import InputError
from bulkprep.layouts import SCRIPT_MARKS, SCRIPT_MISSING, strip_text_marker, unwrap_text_formula
from bulkprep.status import ROW_KEY, Column

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_LINE_BYTES",
    "Change",
    "Loaded",
    "check_line_lengths",
    "column_names",
    "line_too_long",
    "load",
    "repeated_header_rows",
    "repeated_headers_read_as",
    "script_values",
    "strip_text_markers",
    "suffix_of",
    "unwrap_text_formulas",
]

READ_ERROR = Column.READ_ERROR.value

MAX_INPUT_BYTES: Final = 2**30
"""The most bytes (1 GiB) read of one input file: several million users, far beyond one Courier job's
worth of rows in practice, while a device or a file that never stops growing is refused, not read."""

MAX_LINE_BYTES: Final = 32 * 2**20
"""The longest line (32 MiB) of a CSV file read: a thousand cells as full as a spreadsheet's cell can be
(32,767 characters), while a file of one endless line is refused at once, not parsed for minutes."""

_BOM = "\ufeff"  # a byte-order mark, as decoded: where a second file's first line starts mid-file
_SCAN_BYTES = 1 << 24  # bytes looked at at once for line breaks: bounds the scan's own memory


class Loaded(NamedTuple):
    """A source's content (bytes, or text from a text buffer), its name, and a text buffer's encoding."""

    content: bytes | str
    name: str
    text_encoding: str | None


def suffix_of(source: object) -> str | None:
    """The lower-cased file suffix of a path source (``".xlsx"``), or None for a buffer.

    Example:
        >>> suffix_of("Users.XLSX"), suffix_of("users.csv"), suffix_of(object())
        ('.xlsx', '.csv', None)
    """
    if isinstance(source, str | os.PathLike):
        return Path(source).suffix.lower()
    return None


def load(source: object, *, reader: str, kind: str, limit: int | None = None) -> Loaded:
    """Load ``source`` whole; ``reader`` and ``kind`` name the caller and what it reads, for messages.

    A path must name a regular file: a directory, a named pipe, a device such as ``/dev/zero`` or a
    socket is refused before anything is read (a pipe would block, a device never ends). At most
    ``limit`` bytes (:data:`MAX_INPUT_BYTES` by default) are read, from a path or a buffer, so that a
    file growing while it is read cannot take the memory.

    Raises:
        InputError: a missing path, a path that is not a regular file, a file that cannot be read or
            is larger than ``limit``, or an object without ``read()``.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return Loaded(_read_file(path, kind=kind, limit=limit), str(path), None)
    read = getattr(source, "read", None)
    if not callable(read):
        raise InputError(
            f"{reader} reads a file path or an open file, not a {type(source).__name__}; "
            f"for a DataFrame you already have, skip {reader}"
        )
    name = getattr(source, "name", None)
    label = str(name) if name is not None else "<buffer>"
    content = _read_at_most(read, limit, label=label)
    text_encoding = getattr(source, "encoding", None) if isinstance(content, str) else None
    return Loaded(content, label, text_encoding)


def _read_file(path: Path, *, kind: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, told apart from other things a path can name first."""
    try:
        # stat, not open: opening a named pipe for reading blocks until someone writes to it.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, mode, kind=kind)
        # Without blocking, in case a pipe took the file's place since; fstat tells what was opened.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as file:
            opened = os.fstat(file.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise _not_a_file(path, opened.st_mode, kind=kind)
            if opened.st_size > limit:
                raise _too_large(str(path), limit, f" (it is {opened.st_size:,} bytes)")
            data = file.read(opened.st_size)  # one buffer for the file as it is now
            more = _read_at_most(file.read, limit - len(data), label=str(path), growing=True, total=limit)
    except FileNotFoundError:
        raise InputError(
            f"file not found: {path} (looked in {Path.cwd()}); check the name and the folder"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    return data + more if isinstance(more, bytes) and more else data


_CHUNK_SIZE: Final = 1 << 24  # bytes or characters read at a time


def _read_at_most(
    read: Callable[[int], object], limit: int, *, label: str, growing: bool = False, total: int | None = None
) -> bytes | str:
    """What ``read`` gives until its end, refused once it is more than ``limit`` (bytes or characters).

    Read in chunks, so that no buffer of ``limit`` is set aside for a small file. ``total`` is the
    limit to name in the message, when ``limit`` is what is left of it.
    """
    chunks: list[Any] = []
    size = 0
    while True:
        chunk = read(_CHUNK_SIZE)
        if not isinstance(chunk, bytes | str):
            raise InputError(f"reading {label} gave {type(chunk).__name__}, not bytes or text")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(
                label, limit if total is None else total, " (it grew while it was read)" if growing else ""
            )
    if isinstance(chunk, str):
        return "".join(chunks)
    return b"".join(chunks)


def _not_a_file(path: Path, mode: int, *, kind: str) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError(f"{path} is a directory, not a {kind}; pass the path of a file inside it")
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    else:
        what = "not a regular file"
    return InputError(
        f"{path} is {what}, not a {kind}; save the data to a file first and pass that file's path"
    )


def _too_large(label: str, limit: int, detail: str = "") -> InputError:
    return InputError(
        f"{label} is larger than the {limit:,} bytes bulkprep reads of it{detail}; split it into smaller "
        "files and read each"
    )


def check_line_lengths(data: bytes, *, name: str, limit: int = MAX_LINE_BYTES) -> None:
    """Refuse ``data`` when a line (ended by ``\\r\\n``, ``\\r`` or ``\\n``) is longer than ``limit`` bytes.

    Scanned in blocks, so a file of one endless line is refused in about the time it takes to read it,
    before any decoding or parsing; a file no longer than ``limit`` is not scanned at all.

    Raises:
        InputError: naming the line (1-based) and the limit.

    Example:
        >>> check_line_lengths(b"id\\n12345\\n", name="f.csv", limit=5)
        >>> check_line_lengths(b"id\\n123456\\n", name="f.csv", limit=5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bulkprep.errors.InputError: f.csv has a line longer than 5 bytes (line 2); ...
    """
    if len(data) <= limit:
        return
    whole = np.frombuffer(data, dtype=np.uint8)
    last_break = -1  # the position of the line break before the current line
    for start in range(0, len(data), _SCAN_BYTES):
        block = whole[start : start + _SCAN_BYTES]
        breaks = np.flatnonzero((block == 0x0A) | (block == 0x0D)) + start
        edges = np.concatenate(([last_break], breaks))
        gaps = np.diff(edges) - 1
        if gaps.size and gaps.max() > limit:
            raise line_too_long(name, _line_of(data, int(edges[int(gaps.argmax())]) + 1), limit)
        if breaks.size:
            last_break = int(breaks[-1])
        if start + len(block) - last_break - 1 > limit:  # the line still open at the block's end
            raise line_too_long(name, _line_of(data, last_break + 1), limit)


def _line_of(data: bytes, position: int) -> int:
    """The 1-based line that starts at ``position`` (line breaks counted as a CSV reader counts them)."""
    ended = data.count(b"\n", 0, position) + data.count(b"\r", 0, position)
    return ended - data.count(b"\r\n", 0, position) + 1


def line_too_long(name: str, line: int, limit: int = MAX_LINE_BYTES) -> InputError:
    """The refusal of a file whose ``line`` is longer than ``limit`` bytes."""
    return InputError(
        f"{name} has a line longer than {limit:,} bytes (line {line}); a CSV of users has no such line: "
        "check that it is the right file, or that its line breaks were not lost"
    )


def column_names(header: list[str]) -> tuple[list[str], dict[str, str]]:
    """Column names from a header: blank ones named by position, duplicates suffixed ``.1``, ``.2``.

    ``bulk_row`` and ``bulk_read_error`` are the readers' own, so file columns of those names are renamed.
    Returns the names and a mapping of each new name to the header text it replaces.

    Example:
        >>> column_names(["id", "", "id", "bulk_row"])
        (['id', 'column_2', 'id.1', 'bulk_row.1'], {'column_2': '', 'id.1': 'id', 'bulk_row.1': 'bulk_row'})
    """
    taken = {ROW_KEY, READ_ERROR} | {text for text in header if text.strip()}
    seen: set[str] = {ROW_KEY, READ_ERROR}
    names: list[str] = []
    renamed: dict[str, str] = {}
    for position, text in enumerate(header, start=1):
        name = text if text.strip() else f"column_{position}"
        if name in seen or (name != text and name in taken):
            base, suffix = name, 1
            while f"{base}.{suffix}" in seen or f"{base}.{suffix}" in taken:
                suffix += 1
            name = f"{base}.{suffix}"
        if name != text:
            renamed[name] = text
        seen.add(name)
        names.append(name)
    return names, renamed


def repeated_headers_read_as(renamed: Mapping[str, str]) -> dict[str, list[str]]:
    """Each header text the file has more than once, with the names its columns were read as.

    ``renamed`` is :func:`column_names`' mapping: a repeated text keeps its name on its first column
    only. Blank headers and the readers' own names are no repetition of the file's.

    Example:
        >>> repeated_headers_read_as({"column_2": "", "id.1": "id", "id.2": "id", "bulk_row.1": "bulk_row"})
        {'id': ['id', 'id.1', 'id.2']}
    """
    repeated: dict[str, list[str]] = {}
    for name, text in renamed.items():
        if text.strip() and text not in (ROW_KEY, READ_ERROR):
            repeated.setdefault(text, [text]).append(name)
    return repeated


# --- what both readers undo in the cells: marks exports leave, header lines repeated ---------------

Change = tuple[int, str, str, "str | None"]
"""A cell a reader changed: its ``bulk_row``, column, the text written, and the text read (None: empty)."""

_PROBED_CELLS: Final = 64  # cells of a column matched one by one before the whole column is


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if name not in (ROW_KEY, READ_ERROR)]


def _replace_cells(
    frame: pd.DataFrame, name: str, positions: list[int], texts: list[str | None], changes: list[Change]
) -> None:
    """Put ``texts`` at ``positions`` of column ``name`` (in place), noting each change."""
    if not positions:
        return
    keys = frame[ROW_KEY].to_numpy()
    column = frame[name]
    values = column.to_numpy(dtype=object)
    new = values.copy()
    for position, text in zip(positions, texts, strict=True):
        new[position] = text
        changes.append((int(keys[position]), name, values[position], text))
    frame[name] = pd.Series(new, index=frame.index, dtype=column.dtype)


def _rewrite_starting(frame: pd.DataFrame, start: str, rewrite: Callable[[str], str | None]) -> list[Change]:
    """Rewrite the cells starting with ``start`` that ``rewrite`` gives a text for (in place); the changes.

    Column by column: a column whose values, joined, hold no cell starting with ``start`` is passed
    over at join speed; in the others the cells starting so are found vectorized, and only those are
    rewritten one by one.
    """
    changes: list[Change] = []
    for name in _text_columns(frame):
        column = frame[name]
        if "\x00" + start not in "\x00" + "\x00".join(column.dropna().tolist()):  # text holds no NUL
            continue
        marked = column.str.startswith(start, na=False).to_numpy(dtype=bool)
        if not marked.any():
            continue
        positions = np.flatnonzero(marked).tolist()
        values = column.to_numpy(dtype=object)
        found = [
            (position, text) for position in positions if (text := rewrite(values[position])) is not None
        ]
        _replace_cells(frame, name, [at for at, _ in found], [text for _, text in found], changes)
    return changes


def strip_text_markers(frame: pd.DataFrame) -> list[Change]:
    """Strip the text-marker apostrophe from the digit-like cells of ``frame`` (in place); the changes.

    See :func:`bulkprep.layouts.strip_text_marker`.

    Example:
        >>> frame = pd.DataFrame({ROW_KEY: [2, 3], "zip": ["'02134", "O'Brien"]})
        >>> strip_text_markers(frame), frame["zip"].tolist()
        ([(2, 'zip', "'02134", '02134')], ['02134', "O'Brien"])
    """
    return _rewrite_starting(frame, "'", strip_text_marker)


def unwrap_text_formulas(frame: pd.DataFrame) -> list[Change]:
    """Replace each ``="..."`` text-formula cell of ``frame`` with its text (in place); the changes.

    Only a whole cell of that shape (:func:`bulkprep.layouts.unwrap_text_formula`); any other cell
    starting with ``=`` stays as written.

    Example:
        >>> frame = pd.DataFrame({ROW_KEY: [2, 3], "id": ['="000123"', "=1+1"]})
        >>> unwrap_text_formulas(frame), frame["id"].tolist()
        ([(2, 'id', '="000123"', '000123')], ['000123', '=1+1'])
    """
    return _rewrite_starting(frame, '="', unwrap_text_formula)


def repeated_header_rows(frame: pd.DataFrame, header: Sequence[str]) -> np.ndarray:
    """Which rows of ``frame`` repeat the ``header`` (its texts, one per column after ``bulk_row``).

    A row repeats it when each of its cells is the header's text of its column, compared trimmed and
    without letter case (an empty header text, an empty cell): exports joined by hand carry the
    second file's header line, and with it, when they were pasted together byte for byte, the second
    file's byte-order mark (ignored at the start of a cell).

    Example:
        >>> frame = pd.DataFrame({ROW_KEY: [2, 3, 4], "Email": ["a@example.com", " EMAIL", "b@example.com"],
        ...                       "Name": ["Ann", "name", "Email"]})
        >>> repeated_header_rows(frame, ["Email", "Name"]).tolist()
        [False, True, False]
    """
    names = _text_columns(frame)
    repeated = np.zeros(len(frame), dtype=bool)
    if not names or not len(frame):
        return repeated
    rows = np.arange(len(frame))
    for name, text in zip(names, header, strict=False):
        wanted = text.strip().casefold()
        cells = frame[name].iloc[rows].to_numpy(dtype=object)
        same = (
            np.fromiter(
                (
                    (cell.lstrip(_BOM).strip().casefold() if isinstance(cell, str) else "") == wanted
                    for cell in cells.tolist()
                ),
                dtype=bool,
                count=len(cells),
            )
            if len(rows) <= _PROBED_CELLS
            else _folded_equal(frame[name].iloc[rows], wanted)
        )
        rows = rows[same]
        if not len(rows):
            return repeated
    repeated[rows] = True
    return repeated


def _folded_equal(cells: pd.Series, wanted: str) -> np.ndarray:
    """Which ``cells`` equal ``wanted`` trimmed and case-folded (missing cells equal an empty text)."""
    if not wanted:
        stripped = cells.str.strip()
        return (stripped.isna() | (stripped == "")).to_numpy(dtype=bool)
    # Cells of another length than the header's text, give or take their spaces, cannot equal it.
    lengths = cells.str.len().to_numpy(dtype=float, na_value=-1)
    near = np.flatnonzero(lengths >= len(wanted))
    same = np.zeros(len(cells), dtype=bool)
    if len(near):
        folded = cells.iloc[near].str.lstrip(_BOM).str.strip().str.casefold()
        same[near] = (folded == wanted).to_numpy(dtype=bool, na_value=False)
    return same


def script_values(frame: pd.DataFrame, *, marks: bool = True) -> tuple[list[Change], tuple[str, ...]]:
    """Undo what a pandas script writes for missing values and gappy integer columns (in place).

    A file holding a cell ``NaN`` or ``NaT`` (:data:`bulkprep.layouts.SCRIPT_MARKS`, exact case) was
    written by a script: its cells ``NaN``, ``NaT`` and ``nan`` are empty cells. A column whose every
    non-empty value is a whole number written as a float (``1001.0``,
    :data:`bulkprep.layouts.SCRIPT_FLOAT`) or as an integer, with at least one empty cell, is a column
    of integers that a missing value turned into floats: its ``.0`` is removed. In a file written by a
    script (as above) the empty cell is not needed: ``1001.0`` beside ``1005`` is one kind of number.

    Args:
        frame: the frame read, changed in place.
        marks: False when the file is known to hold no ``NaN`` or ``NaT`` (its text was searched).

    Returns:
        The changes, and the columns whose ``.0`` was removed.

    Example:
        >>> frame = pd.DataFrame({ROW_KEY: [2, 3, 4], "id": ["1001.0", None, "1003.0"],
        ...                       "name": ["Nan", "NaN", "Ann"], "score": ["1.0", "2.5", None]})
        >>> changes, columns = script_values(frame)
        >>> frame["id"].fillna("").tolist(), frame["name"].fillna("").tolist(), columns
        (['1001', '', '1003'], ['Nan', '', 'Ann'], ('id',))
    """
    changes: list[Change] = []
    names = _text_columns(frame)
    script_written = marks and any(frame[name].isin(SCRIPT_MARKS).any() for name in names)
    if script_written:
        for name in names:
            missing = np.flatnonzero(frame[name].isin(SCRIPT_MISSING).to_numpy(dtype=bool)).tolist()
            _replace_cells(frame, name, missing, [None] * len(missing), changes)
    floats: list[str] = []
    for name in names:
        column = frame[name]
        # Most columns: one of their first cells is no whole number, which spares the whole look.
        probe = [cell for cell in column.iloc[: 4 * _PROBED_CELLS].tolist() if isinstance(cell, str)]
        if not probe or not all(_WHOLE.fullmatch(cell) for cell in probe[:_PROBED_CELLS]):
            continue
        present = column.dropna()
        written = present.str.fullmatch(_WHOLE.pattern).to_numpy(dtype=bool)
        as_float = present.str.endswith(".0").to_numpy(dtype=bool)
        if not written.all() or not as_float.any() or not (script_written or len(present) < len(column)):
            continue
        positions = np.flatnonzero(column.notna().to_numpy(dtype=bool))[as_float].tolist()
        values = column.to_numpy(dtype=object)
        _replace_cells(frame, name, positions, [values[at][:-2] for at in positions], changes)
        floats.append(name)
    return changes, tuple(floats)


# A whole number, as an integer or as a float with ".0" (SCRIPT_FLOAT).
_WHOLE: Final = re.compile(r"-?\d+(?:\.0)?")


def padded_columns(columns: Iterable[object]) -> tuple[str, ...]:
    """The column names with blanks around them, as written (``"Email "``).

    Example:
        >>> padded_columns(["id", "Email ", " Phone"])
        ('Email ', ' Phone')
    """
    return tuple(c for c in columns if isinstance(c, str) and c != c.strip())
