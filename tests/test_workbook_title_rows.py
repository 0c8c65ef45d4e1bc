"""A workbook's title rows above its header: a merged title, then an administration line with a date
far to the right (Exact Online's exports), are a preamble as in a CSV file."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest

from bulkprep import read_csv, read_info
from bulkprep.layouts import preamble_end

HEADER = ["Code", "Naam", "E-mail", "Telefoon", "Land", "Plaats"]
ROWS = [
    ["100", "Jan de Vries", "jan@example.nl", "06-12345678", "Nederland", "Utrecht"],
    ["101", "Els Peeters", "els@example.be", "0470 12 34 56", "België", "Gent"],
    ["102", "Anna Bakker", "anna@example.nl", "020 123 4567", "Nederland", "Amsterdam"],
]


def _exact_online(folder: Path, date_column: str) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Debiteuren"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Administratie: 100 - Voorbeeld BV"
    sheet[f"{date_column}2"] = datetime.datetime(2026, 12, 1, 9, 30)
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = folder / "debiteuren.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("date_column", ["H", "K", "F", "E"])
def test_the_title_and_administration_rows_are_dropped_and_counted(tmp_path: Path, date_column: str) -> None:
    frame = read_csv(_exact_online(tmp_path, date_column))
    assert list(frame.columns) == ["bulk_row", *HEADER]
    assert frame["bulk_row"].tolist() == [4, 5, 6]
    assert frame.drop(columns="bulk_row").to_numpy().tolist() == ROWS
    assert read_info(frame).preamble_rows == 2


def test_a_csv_with_the_same_rows_has_the_same_preamble() -> None:
    lines = [
        "Debiteuren;;;;;",
        "Administratie: 100 - Voorbeeld BV;;;;;01-12-2026 09:30",
        ";".join(HEADER),
        *(";".join(row) for row in ROWS),
    ]
    assert preamble_end(lines, delimiter=";") == 2


@pytest.mark.parametrize(
    "lines",
    [
        # No title above: two cells of a wide line may be a record with empty fields.
        ["Ann;;;;;ann@example.com", ";".join(HEADER), *(";".join(row) for row in ROWS)],
        ["Jan;;;;;Utrecht", ";".join(HEADER), *(";".join(row) for row in ROWS)],
        # Below a title, a line with more than half its cells filled is a record, not a title.
        [
            "Debiteuren;;;;;",
            "Jan;de Vries;;Nederland;;Utrecht",
            ";".join(HEADER),
            *(";".join(r) for r in ROWS),
        ],
        # ... and so is one holding a user's value.
        ["Debiteuren;;;;;", "Jan;;;;;jan@example.nl", ";".join(HEADER), *(";".join(r) for r in ROWS)],
    ],
)
def test_lines_that_may_be_records_are_still_no_preamble(lines: list[str]) -> None:
    assert preamble_end(lines, delimiter=";") == 0
