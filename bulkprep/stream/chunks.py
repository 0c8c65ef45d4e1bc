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
not being read as Windows-1252): on a UTF-8 file, and on a file in one 8-bit code page, this reads the
same text as the whole-file reader. Files in UTF-16 or UTF-32 (whose line breaks are not single
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
from itertools import islice
from pathlib import Path
from typing import BinaryIO, NamedTuple

import pandas as pd

from bulkprep import read as _read
from bulkprep.errors import ConfigurationError
from bulkprep.layouts import MAX_PREAMBLE_LINES, SALESFORCE_REPORT
from bulkprep.read import ReadInfo, read_csv, read_info
from bulkprep.workbook import WORKBOOK_SUFFIXES

__all__ = ["Chunk", "ChunkedRead", "read_chunks", "streamable"]

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


def _head(handle: BinaryIO, header_line: int | None) -> bytes:
    """The first bytes of the file, enough for the delimiter and the header (whole lines)."""
    wanted = (header_line or 0) + _read.SNIFF_LINES + MAX_PREAMBLE_LINES + 2
    head = handle.read(HEAD_BYTES)
    while _lines_in(head) < wanted:
        more = handle.read(HEAD_BYTES)
        if not more:
            break
        head += more
    handle.seek(0)
    return head


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
    if not streamable(path, encoding=encoding):
        raise ConfigurationError(
            f"{path} cannot be read in chunks (a workbook, or a file in UTF-16 or UTF-32); "
            "read it with read_csv, or save it as CSV UTF-8"
        )
    sep = _read._resolve_sep(sep)
    _read._check_header_line(header_line)
    done = progress if progress is not None else ChunkedRead()
    name = str(path)
    with open(path, "rb") as handle:
        head = _head(handle, header_line)
        if not head.strip():
            read_csv(io.BytesIO(head))  # the reader's message for an empty file
        head_text = head.decode(encoding or "utf-8", "replace").removeprefix("\ufeff")
        cut = max(head_text.rfind("\n"), head_text.rfind("\r"))
        delimiter, preamble = _read._header_position(
            head_text[: cut + 1] if 0 <= cut < len(head_text) - 1 else head_text,
            sep=sep,
            header_line=header_line,
            name=name,
        )
        if len(delimiter.encode("latin-1", "replace")) != 1 or not delimiter.isascii():
            raise ConfigurationError(f"the delimiter {delimiter!r} is not ASCII: read {name} with read_csv")
        head_lines = io.BytesIO(head).readlines()
        header_at, header_span = _header(head_lines, skip=preamble, delimiter=delimiter)
        header_bytes = b"".join(head_lines[header_at : header_at + header_span])
        if header_at == 0:
            header_bytes = header_bytes.removeprefix(codecs.BOM_UTF8)
        first_header_line = header_line if header_line is not None else (preamble + 1 if preamble else None)
        yield from _chunks(
            handle,
            chunk_rows=chunk_rows,
            header_lines=header_at + header_span,
            header_bytes=header_bytes,
            first_header_line=first_header_line,
            encoding=encoding,
            delimiter=delimiter,
            name=name,
            done=done,
        )


def _chunks(
    handle: BinaryIO,
    *,
    chunk_rows: int,
    header_lines: int,
    header_bytes: bytes,
    first_header_line: int | None,
    encoding: str | None,
    delimiter: str,
    name: str,
    done: ChunkedRead,
) -> Iterator[Chunk]:
    lines_before = 0  # physical lines of the file before the pending bytes
    # The first chunk holds the file's own first lines: the preamble and the header with its records.
    pending = b"".join(islice(handle, header_lines + chunk_rows))
    first = True
    while pending or first:
        more = b"".join(islice(handle, chunk_rows))
        # A chunk ends between records: a quoted value left open pulls in the lines that close it.
        while more and _ends_inside_quotes(pending, delimiter=delimiter):
            pending += more
            more = b"".join(islice(handle, chunk_rows))
        last = not more
        if first:
            data, header_line = pending, first_header_line
        else:
            blanks = lines_before - _lines_in(header_bytes)
            data, header_line = b"\n" * blanks + header_bytes + pending, blanks + 1
        frame = _read_chunk(data, encoding=encoding, delimiter=delimiter, header_line=header_line, name=name)
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


def _read_chunk(
    data: bytes, *, encoding: str | None, delimiter: str, header_line: int | None, name: str
) -> pd.DataFrame:
    buffer = io.BytesIO(data)
    buffer.name = name  # so that what the reader says names the file
    return read_csv(buffer, encoding=encoding, sep=delimiter, header_line=header_line)


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
        footer_rows=info.footer_rows,
        layout=SALESFORCE_REPORT if info.layout == SALESFORCE_REPORT else whole.layout,
    )
