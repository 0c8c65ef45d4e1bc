"""Workbooks that would take the machine are refused from their XML, before a cell is read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bulkprep import read_excel
from bulkprep.errors import InputError
from bulkprep.workbook_bounds import MAX_CELL_BYTES, check_xlsx_bounds


def _saved(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def _users(path: Path) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "email"])
    for number in range(200):
        sheet.append([f"u{number}", f"user{number}@example.com"])
    return book


def test_one_far_away_cell_is_refused_before_the_grid_is_built(tmp_path: Path) -> None:
    book = _users(tmp_path)
    book.active["XFD2000"] = "x"  # the last column: a grid of 32 million cells for 400 filled ones
    with pytest.raises(InputError, match="reaches row 2,000 and column 16,384"):
        read_excel(_saved(book, tmp_path / "far.xlsx"))


def test_a_text_longer_than_any_cell_is_refused(tmp_path: Path) -> None:
    # A spreadsheet program (and openpyxl) cuts a cell at 32,767 characters: the file is written again
    # with the cell's text made longer, as a hostile file would be.
    book = _users(tmp_path)
    book.active["C2"] = "x" * 32_767
    written = _saved(book, tmp_path / "cell.xlsx")
    longer = tmp_path / "long.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(longer, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"x" * 32_767, b"x" * (MAX_CELL_BYTES + 10))
            target.writestr(part, content)
    with pytest.raises(InputError, match="longer than any spreadsheet cell"):
        read_excel(longer)


def test_a_dense_sheet_and_a_long_cell_within_excel_s_limit_are_read(tmp_path: Path) -> None:
    book = _users(tmp_path)
    book.active["C2"] = "é" * 32_767  # Excel's longest cell, two bytes a character
    book.active["Z150"] = "far but near enough"
    frame = read_excel(_saved(book, tmp_path / "fine.xlsx"))
    assert len(frame) == 200
    assert frame.loc[0, "email"] == "user0@example.com"


def test_a_cell_reference_cut_at_a_chunk_edge_is_counted_once() -> None:
    cells = "".join(f'<c r="A{row}"><v>1</v></c>' for row in range(1, 300_001))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        package.writestr("xl/worksheets/sheet1.xml", f"<sheetData>{cells}</sheetData>")
    check_xlsx_bounds(data.getvalue(), name="tall.xlsx")  # 300,000 rows of one column: dense


def test_anything_but_a_zip_is_left_to_the_reader() -> None:
    check_xlsx_bounds(b"not a zip", name="x.xlsx")
