"""Workbooks that would take the machine: refused from their XML before any cell is read.

A few kilobytes of ``.xlsx`` can describe what no spreadsheet holds: one cell at ``XFD1048576``
(the last column of the last row), which a reader turns into a grid of 17 billion cells; or one text
of 20 MB shown in a hundred cells, each becoming its own copy. The zip's declared sizes are checked
elsewhere (``MAX_UNPACKED_BYTES``); here each sheet's cell references and every text's length are
scanned in the raw XML, a few megabytes at a time, so the check itself takes no memory.

Example:
    >>> import io, zipfile
    >>> data = io.BytesIO()
    >>> with zipfile.ZipFile(data, "w") as package:
    ...     package.writestr("xl/worksheets/sheet1.xml", '<sheetData><row r="2"><c r="B2"/></row>')
    >>> check_xlsx_bounds(data.getvalue(), name="users.xlsx")
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO, Final

from bulkprep.errors import InputError

__all__ = ["MAX_CELL_BYTES", "MAX_SPARSE_GRID", "check_xlsx_bounds"]

MAX_CELL_BYTES: Final = 200_000
"""The longest text run between two tags (bytes): Excel's 32,767 characters, escaped, fit well within."""
MAX_SPARSE_GRID: Final = 2_000_000
"""A sheet's grid (rows x columns from A1) may be this large whatever its cells; beyond, at most
:data:`_GRID_PER_CELL` times its cells (a dense sheet is fine, one far-away cell is not)."""
_GRID_PER_CELL: Final = 20
_CHUNK: Final = 4 * 2**20
_OVERLAP: Final = 32  # a cell reference cut by a chunk's end is whole in the next chunk's start
_CELL_REFERENCE = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_LONG_TEXT = re.compile(rb"[^<]{%d}" % (MAX_CELL_BYTES + 1))
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


def check_xlsx_bounds(data: bytes, *, name: str) -> None:
    """Refuse an ``.xlsx`` whose sheets span a grid far larger than their cells, or whose texts are too long.

    Anything but a readable zip is left to the workbook reader, which says what is wrong with it.

    Raises:
        InputError: a sheet's last cell is far beyond its cells (a grid of millions of empty cells),
            or a text is longer than any spreadsheet cell holds.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with package:
        for part in package.infolist():
            is_sheet = bool(_SHEET_PART.fullmatch(part.filename))
            if not (is_sheet or part.filename == "xl/sharedStrings.xml"):
                continue
            try:
                with package.open(part) as stream:
                    cells, rows, columns = _scan(stream, name=name, part=part.filename)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError):
                return  # a damaged part: the reader says so
            grid = rows * columns
            if is_sheet and grid > max(MAX_SPARSE_GRID, _GRID_PER_CELL * cells):
                raise InputError(
                    f"{name}: the sheet in {part.filename} has {cells:,} cells but reaches row {rows:,} "
                    f"and column {columns:,}, a grid of {grid:,} cells to read; delete the far-away "
                    "cells (or save the sheet as 'CSV UTF-8') and read it again"
                )


def _scan(stream: IO[bytes], *, name: str, part: str) -> tuple[int, int, int]:
    """The count of cell references in one XML part, and the largest row and column they name."""
    cells = rows = columns = 0
    tail = b""
    run = 0  # bytes since the last "<", carried over chunk edges
    while chunk := stream.read(_CHUNK):
        first = chunk.find(b"<")
        if run + (len(chunk) if first < 0 else first) > MAX_CELL_BYTES or _LONG_TEXT.search(chunk):
            raise InputError(
                f"{name}: {part} holds a text of more than {MAX_CELL_BYTES:,} bytes, longer than any "
                "spreadsheet cell (32,767 characters); this is no workbook a spreadsheet wrote"
            )
        last = chunk.rfind(b"<")
        run = run + len(chunk) if last < 0 else len(chunk) - last - 1
        text = tail + chunk
        for found in _CELL_REFERENCE.finditer(text):
            cells += 1
            rows = max(rows, int(found.group(2)))
            columns = max(columns, _column_number(found.group(1)))
        tail = text[-_OVERLAP:]
        cells -= sum(1 for _ in _CELL_REFERENCE.finditer(tail))  # counted again with the next chunk
    return cells + sum(1 for _ in _CELL_REFERENCE.finditer(tail)), rows, columns


def _column_number(letters: bytes) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
