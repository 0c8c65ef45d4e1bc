"""Read a CSV file a chunk of records at a time, each chunk exactly as :func:`bulkprep.read_csv` reads it.

The file is never held whole. Its bytes are cut only between records: after a line break that no
quoted value is open across (a quoted value holding line breaks stays in one chunk, however it
falls). Each chunk is handed to :func:`~bulkprep.read.read_csv` itself, as the bytes of a small file:
as many empty lines as the file has above the chunk's header copy, the header's lines, then the
chunk's records. So every reading rule (quoting, blank and ragged records, unterminated quotes, text
markers, decoding) is the reader's own, and ``bulk_row`` and the line numbers in the reader's
messages are the file's: the empty lines are the header's ``header_line`` preamble, which the reader
drops. The delimiter and the header's place are decided once, on the head of the file, as
:func:`~bulkprep.read_csv` decides them on the whole text.

The encoding rule is applied per chunk (a chunk is UTF-8 when it decodes as UTF-8, its lines that do
not being read as Windows-1252): on a UTF-8 file, and on a Windows-1252 file, this reads the same text
as the whole-file reader. A file whose head is in another code page
(:func:`bulkprep.codepages.guess_code_page`) has every chunk read in that one, as the whole-file
reader reads it, rather than a guess per chunk. Files in UTF-16 or UTF-32 (whose line breaks are not single
bytes) and workbooks are not read here: :func:`streamable` says so.

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "users.csv")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b'id,note\\n1,"two\\nlines"\\n2,b\\n3,c\\n')
    >>> [chunk.frame["bulk_row"].tolist() for chunk in read_chunks(path, chunk_rows=1)]
    [[2], [4], [5]]
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple

import pandas as pd

from bulkprep import read as _read
from bulkprep._source import MAX_LINE_BYTES, check_line_lengths, line_too_long
from bulkprep.codepages import WESTERN, WESTERN_FALLBACK
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.layouts import MAX_PREAMBLE_LINES, SALESFORCE_REPORT
from bulkprep.read import ReadInfo, read_csv, read_info
from bulkprep.status import ATTRS_KEY, ROW_KEY, AttrsRecords, Column
from bulkprep.workbook import WORKBOOK_SUFFIXES

__all__ = ["Chunk", "ChunkedRead", "Layout", "chunk_frame", "file_layout", "read_chunks", "streamable"]

HEAD_BYTES = 1 << 20  # the head of the file the delimiter and the header are found in
# Byte-order marks of encodings whose line breaks are not the single bytes \r and \n.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_PROBE = b'\n"'  # see _ends_inside_quotes


class Chunk(NamedTuple):
    """One chunk of a file: the frame :func:`~bulkprep.read_csv` gives for its records, and what it found."""

    frame: pd.DataFrame
    info: ReadInfo
    first_line: int  # the file's line the chunk's bytes start on (1 for the first: preamble, header)


def streamable(path: str | os.PathLike[str], *, encoding: str | None = None) -> bool:
    """Whether :func:`read_chunks` can read ``path``: a CSV file in UTF-8 or an 8-bit encoding.

    Example:
        >>> streamable("users.xlsx"), streamable("users.csv", encoding="utf-16")
        (False, False)
    """
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        return False
    if encoding is not None:
        try:
            return '\n,;"'.encode(encoding) == b'\n,;"'
        except (LookupError, UnicodeError):
            return False
    try:
        with open(path, "rb") as handle:
            start = handle.read(8)
    except OSError:
        return False
    return not start.startswith(_WIDE_BOMS) and not start.startswith(_read._WORKBOOK_SIGNATURES)


@dataclass
class ChunkedRead:
    """What the chunks found out about the file as a whole (filled in as the chunks are read)."""

    info: ReadInfo | None = None
    rows: int = 0
    chunks: int = 0
    bytes_read: int = 0  # of the file, through the last chunk read (for a progress bar)


def _lines_in(data: bytes) -> int:
    """Physical lines (as a CSV reader counts them: ``\\r\\n``, ``\\r`` or ``\\n``) ended in ``data``."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _ends_inside_quotes(data: bytes, *, delimiter: str) -> bool:
    """Whether ``data`` (whole records ending with a line break) ends inside a quoted value.

    The CSV reader is asked with one probe: after a line break and a quote, text that ended outside
    quotes ends with a record holding just an empty quoted value; text that ended inside quotes ends
    with its open record, which the probe's line break joins and its quote closes. Latin-1 maps each
    byte to one character: quotes, delimiters and line breaks are the same in UTF-8 and 8-bit code pages.
    """
    if b'"' not in data:
        return False
    text = (data + _PROBE).decode("latin-1")
    with _read._field_size_limit(len(text)):
        last = deque(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False), maxlen=1)
    return not last or last[0] != [""]


def _head(handle: BinaryIO, header_line: int | None, *, name: str) -> bytes:
    """The first bytes of the file, enough for the delimiter and the header (whole lines).

    A line longer than :data:`~bulkprep._source.MAX_LINE_BYTES` is refused (InputError), an endless one
    as soon as it is that long.
    """
    wanted = (header_line or 0) + _read.SNIFF_LINES + MAX_PREAMBLE_LINES + 2
    pieces = [handle.read(HEAD_BYTES)]
    lines, open_line = _lines_in(pieces[0]), _open_line(pieces[0])
    while lines < wanted:
        more = handle.read(HEAD_BYTES)
        if not more:
            break
        pieces.append(more)
        lines += _lines_in(more)  # a \r\n split between two reads counts twice: only more is read
        open_line = _open_line(more) if _open_line(more) < len(more) else open_line + len(more)
        if open_line > MAX_LINE_BYTES:
            raise line_too_long(name, lines + 1)
    handle.seek(0)
    head = b"".join(pieces)
    check_line_lengths(head, name=name)  # the lines that ended, as read_csv bounds them
    return head


def _open_line(data: bytes) -> int:
    """The length of the line still open at the end of ``data`` (all of it when it has no line break)."""
    return len(data) - 1 - max(data.rfind(b"\n"), data.rfind(b"\r"))


class _Lines:
    """The physical lines of a binary file read from its start, each with its line break, a block at a time.

    A line ends as the CSV reader ends it, at ``\\r\\n``, ``\\r`` or ``\\n`` (``bytes.splitlines``
    splits at exactly these), so an old Mac file's lines are lines here too; one still open past
    :data:`~bulkprep._source.MAX_LINE_BYTES` is refused as soon as it is that long.
    """

    def __init__(self, handle: BinaryIO, *, name: str) -> None:
        self._handle, self._name = handle, name
        self._ready: list[bytes] = []  # whole lines read but not taken, from self._next on
        self._next = 0
        self._open: list[bytes] = []  # the start of the line still open at the end of the last block
        self._open_size = 0
        self._found = 0  # lines ended so far (taken or ready)

    def take(self, count: int) -> bytes:
        """The next ``count`` lines (fewer at the end of the file), joined."""
        taken: list[bytes] = []
        while count > 0 and (self._next < len(self._ready) or self._fill()):
            part = self._ready[self._next : self._next + count]
            self._next += len(part)
            count -= len(part)
            taken += part
        return b"".join(taken)

    def _fill(self) -> bool:
        """Read blocks until at least one more line is ready; False at the end of the file."""
        while True:
            block = self._handle.read(HEAD_BYTES)
            if not block:
                tail = b"".join(self._open)
                self._open, self._open_size = [], 0
                self._ready, self._next = ([tail] if tail else []), 0
                return bool(tail)
            # A \r ending the open line may be the first half of a \r\n.
            joins = bool(self._open) and self._open[-1].endswith(b"\r")
            if b"\n" not in block and b"\r" not in block and not joins:
                self._grow(block)
                continue
            lines = (b"".join(self._open) + block).splitlines(keepends=True)
            self._open, self._open_size = [], 0
            if not lines[-1].endswith(b"\n"):  # open, or ended by a \r the next block may pair
                self._grow(lines.pop())
            if lines:
                self._ready, self._next = lines, 0
                self._found += len(lines)
                return True

    def _grow(self, piece: bytes) -> None:
        self._open.append(piece)
        self._open_size += len(piece)
        if self._open_size > MAX_LINE_BYTES:
            raise line_too_long(self._name, self._found + 1)


def _header(lines: list[bytes], *, skip: int, delimiter: str) -> tuple[int, int]:
    """Where the header record starts (0-based line) and how many physical lines it spans."""
    position = skip
    while position < len(lines) and not _has_text(lines[position], delimiter):
        position += 1
    span = 1
    while position + span < len(lines) and _ends_inside_quotes(
        b"".join(lines[position : position + span]), delimiter=delimiter
    ):
        span += 1
    return position, span


def _has_text(line: bytes, delimiter: str) -> bool:
    """Whether a line holds any text between its delimiters (the reader skips blank lines above a header)."""
    return bool("".join(_read._split_line(line.decode("latin-1"), delimiter)).strip())


def read_chunks(
    path: str | os.PathLike[str],
    *,
    chunk_rows: int = 50_000,
    encoding: str | None = None,
    sep: str | None = None,
    header_line: int | None = None,
    progress: ChunkedRead | None = None,
) -> Iterator[Chunk]:
    """The file's records, ``chunk_rows`` lines at a time, each chunk read by :func:`~bulkprep.read_csv`.

    Args:
        path: the CSV file (see :func:`streamable`).
        chunk_rows: physical lines per chunk (a chunk grows to the end of a quoted value left open).
        encoding, sep, header_line: as for :func:`~bulkprep.read_csv`.
        progress: filled in as the chunks are read: the file's :class:`~bulkprep.read.ReadInfo`
            (blank rows, read errors and repaired lines summed over the chunks), rows and chunks.

    Raises:
        InputError, ConfigurationError: as :func:`~bulkprep.read_csv` raises them.
    """
    if chunk_rows < 1:
        raise ConfigurationError(f"chunk_rows must be a positive number of lines, not {chunk_rows!r}")
    if not Path(path).is_file():
        read_csv(path)  # says what is wrong with the path (missing, a folder), as read_csv does
    if encoding is not None:
        _read._check_encoding(encoding)  # refused as read_csv refuses it, not as unstreamable
    if not streamable(path, encoding=encoding):
        raise ConfigurationError(
            f"{path} cannot be read in chunks (a workbook, or a file in UTF-16 or UTF-32); "
            "read it with read_csv, or save it as CSV UTF-8"
        )
    done = progress if progress is not None else ChunkedRead()
    with open(path, "rb") as handle:
        layout = file_layout(handle, name=str(path), encoding=encoding, sep=sep, header_line=header_line)
        for chunk in _chunks(handle, chunk_rows=chunk_rows, layout=layout, done=done):
            # The code page is the file's: its note is said once, not per chunk.
            if layout.encoding_note is not None and done.info is not None:
                done.info = replace(done.info, encoding_note=layout.encoding_note)
            yield chunk


class Layout(NamedTuple):
    """Where a CSV file's records start and how each chunk of them is read (see :func:`file_layout`)."""

    delimiter: str
    header_lines: int  # physical lines of the preamble and the header: the first chunk starts with them
    header_bytes: bytes  # the header record, copied above each later chunk's records
    first_header_line: int | None  # header_line for reading the first chunk
    encoding: str | None
    name: str
    encoding_note: str | None = None  # the file's code-page note (see bulkprep.codepages), said once


def file_layout(
    handle: BinaryIO, *, name: str, encoding: str | None, sep: str | None, header_line: int | None
) -> Layout:
    """The delimiter and the header of the file open in ``handle``, found on its head as read_csv finds them.

    ``handle`` is left at the start of the file.

    Raises:
        InputError, ConfigurationError: as :func:`~bulkprep.read_csv` raises them.

    Example:
        >>> import io
        >>> file_layout(io.BytesIO(b"id;note\\n1;a\\n"), name="f", encoding=None, sep=None, header_line=None)
        Layout(delimiter=';', header_lines=1, header_bytes=b'id;note\\n', first_header_line=None, \
encoding=None, name='f', encoding_note=None)
    """
    sep = _read._resolve_sep(sep)
    _read._check_header_line(header_line)
    head = _head(handle, header_line, name=name)
    if not head.strip():
        read_csv(io.BytesIO(head))  # the reader's message for an empty file
    code_page, note = (None, None) if encoding is not None else _code_page(head, name=name)
    encoding = encoding or code_page
    head_text = head.decode(encoding or "utf-8", "replace").removeprefix("\ufeff")
    cut = max(head_text.rfind("\n"), head_text.rfind("\r"))
    with _read._field_size_limit(len(head_text)):  # a head cell past the CSV reader's 128 KiB default
        delimiter, preamble = _read._header_position(
            head_text[: cut + 1] if 0 <= cut < len(head_text) - 1 else head_text,
            sep=sep,
            header_line=header_line,
            name=name,
        )
    if len(delimiter.encode("latin-1", "replace")) != 1 or not delimiter.isascii():
        raise ConfigurationError(f"the delimiter {delimiter!r} is not ASCII: read {name} with read_csv")
    head_lines = head.splitlines(keepends=True)  # as the CSV reader ends lines: \r\n, \r or \n
    with _read._field_size_limit(len(head)):
        header_at, header_span = _header(head_lines, skip=preamble, delimiter=delimiter)
    header_bytes = b"".join(head_lines[header_at : header_at + header_span])
    if header_at == 0:
        header_bytes = header_bytes.removeprefix(codecs.BOM_UTF8)
    first_header_line = header_line if header_line is not None else (preamble + 1 if preamble else None)
    return Layout(delimiter, header_at + header_span, header_bytes, first_header_line, encoding, name, note)


def _code_page(head: bytes, *, name: str) -> tuple[str | None, str | None]:
    """The code page (and its note) every chunk is read in, when the file's head is in one but Windows-1252.

    None for a head in UTF-8 (each chunk is then decoded by the UTF-8 rule) or in Windows-1252 (the
    default, chosen per chunk as before, which reads any byte).
    """
    cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
    whole_lines = head[: cut + 1] if cut >= 0 else head
    try:
        _, codec, _, note = _read._decode(whole_lines, name=name, encoding=None)
    except InputError:
        return None, None  # the reader says what is wrong, chunk by chunk
    if codec in ("utf-8", "utf-8-sig", WESTERN, WESTERN_FALLBACK):
        return None, None
    return codec, note


def chunk_frame(records: bytes, *, lines_before: int, layout: Layout) -> pd.DataFrame:
    """The frame :func:`~bulkprep.read_csv` gives for whole records that start after ``lines_before`` lines.

    ``bulk_row`` and the reader's line numbers are the file's. The first chunk (``lines_before`` 0)
    holds the file's own preamble and header; a later one is read under a copy of the header.

    Example:
        >>> layout = Layout(",", 1, b"id,note\\n", None, None, "f")
        >>> chunk_frame(b"7,x\\n", lines_before=4, layout=layout)[["bulk_row", "id"]].values.tolist()
        [[5, '7']]
    """
    if not lines_before:
        return _read_records(records, layout=layout, header_line=layout.first_header_line)
    blanks = lines_before - _lines_in(layout.header_bytes)
    shifted = _shifted_frame(records, blanks=blanks, layout=layout)
    if shifted is not None:
        return shifted
    data = b"\n" * blanks + layout.header_bytes + records
    return _read_records(data, layout=layout, header_line=blanks + 1)


def _read_records(data: bytes, *, layout: Layout, header_line: int | None) -> pd.DataFrame:
    buffer = io.BytesIO(data)
    buffer.name = layout.name  # so that what the reader says names the file
    return read_csv(buffer, encoding=layout.encoding, sep=layout.delimiter, header_line=header_line)


def _shifted_frame(records: bytes, *, blanks: int, layout: Layout) -> pd.DataFrame | None:
    """The frame of a later chunk read under its header alone, its lines moved down by ``blanks``.

    The reader looks at every line above a header more than once, so reading each chunk below as many
    empty lines as precede it made the chunks late in a large file ever slower to read (at 10M rows, a
    chunk near the end sat under millions of lines). Read under the header alone, every line the reader
    counts is ``blanks`` lower; what names a line is moved back: ``bulk_row``, the changes' lines and
    ``preamble_rows`` (the lines above ``header_line``). None, to read the chunk as before, when the
    reader said something whose text names a line (a problem record, an error, a line that was not
    UTF-8), found a footer, or chose the chunk's code page itself (its guess weighs the text).
    """
    try:
        frame = _read_records(layout.header_bytes + records, layout=layout, header_line=1)
    except (InputError, ConfigurationError):
        return None  # the message names a line: the reading below the empty lines says it
    attrs = frame.attrs[ATTRS_KEY]
    if (
        Column.READ_ERROR in frame.columns
        or attrs.get("repaired_lines")
        or attrs.get("footer_rows")
        or (layout.encoding is None and attrs.get("encoding") != "utf-8")
    ):
        return None
    frame[ROW_KEY] = frame[ROW_KEY].to_numpy() + blanks
    changes = attrs.get("changes")
    if changes:
        attrs["changes"] = AttrsRecords((line + blanks, *rest) for line, *rest in changes)
    if blanks:
        attrs["preamble_rows"] = blanks
    return frame


def _chunks(handle: BinaryIO, *, chunk_rows: int, layout: Layout, done: ChunkedRead) -> Iterator[Chunk]:
    lines_before = 0  # physical lines of the file before the pending bytes
    # The first chunk holds the file's own first lines: the preamble and the header with its records.
    name = layout.name
    lines = _Lines(handle, name=name)
    pending = lines.take(layout.header_lines + chunk_rows)
    first = True
    while pending or first:
        more = lines.take(chunk_rows)
        # A chunk ends between records: a quoted value left open pulls in the lines that close it.
        while more and _ends_inside_quotes(pending, delimiter=layout.delimiter):
            pending += more
            more = lines.take(chunk_rows)
        last = not more
        frame = chunk_frame(pending, lines_before=lines_before, layout=layout)
        info = read_info(frame)
        if info.footer_rows and not last:
            # Footer-like lines with records after them are records: read them with what follows.
            pending += more
            continue
        _account(done, info, first=first, rows=len(frame))
        done.bytes_read += len(pending)
        yield Chunk(frame, info, lines_before + 1)
        lines_before += _lines_in(pending)
        first = False
        pending = more


def _account(done: ChunkedRead, info: ReadInfo, *, first: bool, rows: int) -> None:
    """Fold one chunk's findings into the file's."""
    done.rows += rows
    done.chunks += 1
    if first or done.info is None:
        done.info = info
        return
    whole = done.info
    done.info = replace(
        whole,
        blank_rows=whole.blank_rows + info.blank_rows,
        error_count=whole.error_count + info.error_count,
        repaired_lines=whole.repaired_lines + info.repaired_lines,
        trailing_fields=whole.trailing_fields + info.trailing_fields,
        footer_rows=info.footer_rows,
        layout=SALESFORCE_REPORT if info.layout == SALESFORCE_REPORT else whole.layout,
    )
