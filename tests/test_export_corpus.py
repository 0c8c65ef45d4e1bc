"""Integrity of the real-layout export corpus in ``tests/fixtures/exports/``.

These tests check the corpus itself, not bulkprep's verdicts on it: every record of every file has
exactly one expected outcome, the files are written the way they claim (encoding, byte-order mark,
delimiter, line endings; a workbook's cell types and number formats), every phone number the corpus
expects to be sent is a valid E.164 number, and the generator reproduces the committed files (byte
for byte; a workbook cell by cell).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import phonenumbers
import pytest
from export_corpus import CORPUS, corpus_module

from bulkprep import Mapping
from bulkprep.casts import Cast
from bulkprep.mapping import ColumnSource
from bulkprep.report import ErrorCode

gen = corpus_module("make_exports")
LAYOUTS = {layout.name: layout for layout in gen.layouts()}
CSV_LAYOUTS = sorted(name for name, layout in LAYOUTS.items() if not layout.sheet)
WORKBOOK_LAYOUTS = sorted(name for name, layout in LAYOUTS.items() if layout.sheet)
# The codes bulkprep reports today, and the two the corpus expects from the next release.
KNOWN_CODES = {code.value for code in ErrorCode} | {"unknown_country", "ambiguous_phone_region"}


def _expected(name: str) -> list[dict[str, str]]:
    with open(CORPUS / "expected" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _text(layout: object) -> str:
    """The file as text in its declared encoding (the one foreign byte of a mixed file kept apart)."""
    data = (CORPUS / layout.file_name).read_bytes()
    if layout.bom:
        data = data.removeprefix(codecs.BOM_UTF8)
    return data.decode(layout.encoding, errors="surrogateescape")


def _sheet(layout: object) -> Any:
    """The workbook's one sheet, as openpyxl reads it (cell values and number formats as stored)."""
    book = openpyxl.load_workbook(CORPUS / layout.file_name)
    assert book.sheetnames == [layout.sheet]
    return book[layout.sheet]


def _records(layout: object) -> list[tuple[int, list[str]]]:
    """Every record the csv module (or, for a workbook, openpyxl) reads, with the line where it starts
    (header = line 1); a workbook's cells as ``str`` of the stored value, empty cells as ''."""
    if layout.sheet:
        rows = _sheet(layout).iter_rows(values_only=True)
        return [
            (number, ["" if value is None else str(value) for value in row])
            for number, row in enumerate(rows, start=1)
        ]
    reader = csv.reader(io.StringIO(_text(layout), newline=""), delimiter=layout.delimiter)
    out = []
    previous_end = 0
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if row:  # the csv module gives [] for a line with nothing on it at all
            out.append((start, row))
    return out


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_record_has_one_expected_outcome(name: str) -> None:
    layout = LAYOUTS[name]
    records = _records(layout)
    expected = _expected(name)
    assert records[0] == (1, layout.header)
    assert [int(row["line"]) for row in expected] == [start for start, _ in records[1:]]
    users = [row for row in expected if row["status"] != gen.SKIPPED]
    assert 20 <= len(users) <= 60
    for (start, cells), row in zip(records[1:], expected, strict=True):
        if row["status"] == gen.SKIPPED:
            assert len(cells) == 1, f"line {start}: a footer line is one field"
        else:
            assert len(cells) == len(layout.header), f"line {start}: a user record has every column"


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_expected_outcomes_are_well_formed(name: str) -> None:
    for row in _expected(name):
        assert row["status"] in {"ready", "invalid", "duplicate", "skipped"}
        assert row["why"], f"line {row['line']} says why it is planted"
        if row["status"] == "ready":
            assert row["code"] == ""
            assert row["recipient"] or row["email"] or row["phone"], f"line {row['line']} has an identity"
        elif row["status"] == "skipped":
            assert row["code"] == ""
            assert not any(row[k] for k in ("recipient", "email", "phone", "date"))
        else:
            assert row["code"] in KNOWN_CODES, row
            assert not any(row[k] for k in ("recipient", "email", "phone", "date")), "nothing is sent"
        if row["date"]:
            assert len(row["date"]) == 10
            assert row["date"][4] == row["date"][7] == "-"


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_expected_phones_are_valid_e164(name: str) -> None:
    for row in _expected(name):
        if row["phone"]:
            number = phonenumbers.parse(row["phone"])
            assert phonenumbers.is_valid_number(number), row
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == row["phone"]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_phone_problems_carry_phone_codes(name: str) -> None:
    layout = LAYOUTS[name]
    mapping = Mapping.load(CORPUS / f"{name}.mapping.yaml")
    phone_column = mapping.column_of("profile.phone_number")
    by_line = {start: dict(zip(layout.header, cells, strict=False)) for start, cells in _records(layout)}
    for row in _expected(name):
        if row["code"] not in gen.PHONE_CODES:
            continue
        cell = by_line[int(row["line"])][phone_column]
        assert cell.strip(), f"line {row['line']}: a phone problem is planted in the phone cell"
        if row["code"] == "invalid_phone":
            # Invalid in the default region too, or carrying an extension texts cannot dial.
            number = phonenumbers.parse(cell, layout.region)
            assert not phonenumbers.is_valid_number(number) or number.extension, row


@pytest.mark.parametrize("name", CSV_LAYOUTS)
def test_encoding_bom_delimiter_and_line_endings_hold(name: str) -> None:
    layout = LAYOUTS[name]
    data = (CORPUS / layout.file_name).read_bytes()
    assert data.startswith(codecs.BOM_UTF8) == layout.bom
    first_line = _text(layout).split(layout.newline, 1)[0]
    assert next(csv.reader([first_line], delimiter=layout.delimiter)) == layout.header
    others = {",", ";", "\t", "|"} - {layout.delimiter}
    for other in others:
        assert len(next(csv.reader([first_line], delimiter=other))) < len(layout.header)
    if layout.newline == "\r\n":
        assert data.count(b"\r\n") >= data.count(b"\n") - _quoted_newlines(layout)
        assert data.count(b"\r\n") == data.count(b"\n") - _quoted_newlines(layout)
    else:
        assert b"\r" not in data


def _quoted_newlines(layout: object) -> int:
    # Line breaks inside a quoted cell are written as the cell holds them (a bare LF).
    return sum(cell.count("\n") for record in layout.records for cell in record.cells.values())


def test_windows_1252_file_is_not_utf8() -> None:
    layout = LAYOUTS["excel_de_semicolon_cp1252"]
    data = (CORPUS / layout.file_name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Österreich" in data.decode("cp1252")


def test_mixed_file_is_utf8_except_one_line() -> None:
    layout = LAYOUTS["mixed_encoding_utf8_one_cp1252_byte"]
    lines = (CORPUS / layout.file_name).read_bytes().split(b"\n")
    foreign = []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            foreign.append(number)
    assert len(foreign) == 1
    assert b"jos\xe9.garcia@example.com" in lines[foreign[0] - 1]
    planted = [row for row in _expected(layout.name) if "cp1252" in row["why"]]
    assert [int(row["line"]) for row in planted] == foreign
    assert "zoë.martin@example.org".encode() in b"\n".join(lines)


def test_salesforce_report_ends_with_its_footer() -> None:
    rows = _expected("salesforce_contacts_report")
    skipped = [row for row in rows if row["status"] == "skipped"]
    assert rows[-len(skipped) :] == skipped, "footer lines come after every record"
    text = _text(LAYOUTS["salesforce_contacts_report"])
    users = len(rows) - len(skipped)
    for footer in (
        f'"Grand Totals ({users} records)"',
        '"Confidential Information - Do Not Distribute"',
        '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."',
    ):
        assert footer in text


def test_shopify_ids_phones_and_zips_carry_the_apostrophe() -> None:
    layout = LAYOUTS["shopify_customers_export"]
    marked = [cells for _, cells in _records(layout)[1:] if cells[0].startswith("'")]
    assert len(marked) >= 20
    assert any(cells[layout.header.index("Default Address Zip")].startswith("'0") for cells in marked)
    assert all(cells[layout.header.index("Phone")][:2] in {"'+", ""} for cells in marked)


def test_switchboard_is_shared_by_distinct_people() -> None:
    rows = [row for row in _expected("b2b_shared_switchboard") if row["status"] == "ready"]
    by_phone: dict[str, set[str]] = {}
    for row in rows:
        by_phone.setdefault(row["phone"], set()).add(row["recipient"])
    assert max(len(ids) for ids in by_phone.values()) >= 10
    assert len({row["email"].casefold() for row in rows}) == len(rows)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_mapping_loads_and_names_real_columns(name: str) -> None:
    layout = LAYOUTS[name]
    mapping = Mapping.load(CORPUS / f"{name}.mapping.yaml")
    for target, source in mapping.sources.items():
        if isinstance(source, ColumnSource):
            assert source.column in layout.header, (target, source.column)
    if layout.date_target:
        source = mapping.sources[layout.date_target]
        assert isinstance(source, ColumnSource)
        assert source.cast == Cast.DATE
    else:
        assert all(row["date"] == "" for row in _expected(name))


def _cells(path: Path) -> list[tuple[str, str, object, str]]:
    """Every non-empty cell of a workbook: sheet, coordinate, value, number format."""
    book = openpyxl.load_workbook(path)
    return [
        (sheet.title, cell.coordinate, cell.value, cell.number_format)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    written = gen.write(tmp_path)
    assert len(written) == 3 * len(LAYOUTS)
    for path in written:
        relative = path.relative_to(tmp_path)
        if path.suffix == ".xlsx":
            # Another openpyxl may write other XML for the same cells: the cells are what must hold.
            assert _cells(path) == _cells(CORPUS / relative), relative
        else:
            assert path.read_bytes() == (CORPUS / relative).read_bytes(), relative
    committed = {p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.suffix in {".csv", ".yaml", ".xlsx"}}
    assert committed == {p.relative_to(tmp_path) for p in written}


def test_the_generator_writes_the_same_workbook_bytes_twice(tmp_path: Path) -> None:
    # Fixed document dates and zip timestamps: a rerun changes no byte of a committed workbook.
    for name in WORKBOOK_LAYOUTS:
        first = gen.render(LAYOUTS[name])[LAYOUTS[name].file_name]
        second = gen.render(LAYOUTS[name])[LAYOUTS[name].file_name]
        assert first == second
        assert first.startswith(b"PK\x03\x04")


@pytest.mark.parametrize("name", WORKBOOK_LAYOUTS)
def test_a_workbook_stores_its_planted_cells_as_numbers_and_dates(name: str) -> None:
    layout = LAYOUTS[name]
    sheet = _sheet(layout)
    header = [cell.value for cell in sheet[1]]
    assert header == layout.header
    column = {title: header.index(title) for title in header}
    rows = dict(enumerate(sheet.iter_rows(min_row=2), start=2))
    expected = {int(row["line"]): row for row in _expected(name)}
    assert sorted(rows) == sorted(expected)
    # Every Record ID a number cell (or blank), every Create Date a date cell.
    ids = [row[column["Record ID"]].value for row in rows.values()]
    assert all(isinstance(value, int) for value in ids if value is not None)
    assert ids.count(None) == 1
    assert all(isinstance(row[column["Create Date"]].value, dt.datetime | dt.date) for row in rows.values())
    formats = {
        (type(row[column[title]].value).__name__, row[column[title]].number_format)
        for row in rows.values()
        for title in ("Phone Number", "Postal Code")
        if row[column[title]].value is not None
    }
    # Phones and ZIPs as text, as plain numbers, as a zero-padded ZIP and in scientific notation.
    assert {("str", "General"), ("int", "General"), ("int", "00000"), ("int", "0.00E+00")} <= formats
    zips = [row[column["Postal Code"]].value for row in rows.values()]
    assert "02134" in zips  # a text cell keeps its zero
    assert 2139 in zips  # a number cell shows it only through its 00000 format


def test_no_two_countries_share_a_number_pattern() -> None:
    # Otherwise a number read in the wrong region could equal another row's number by chance.
    patterns = [plan.significant for plan in gen.PLANS.values()]
    assert len(set(patterns)) == len(patterns)
