"""Integrity of the real-layout export corpus in ``tests/fixtures/exports/``.

These tests check the corpus itself, not bulkprep's verdicts on it: every record of every file has
exactly one expected outcome, the files are written the way they claim (encoding, byte-order mark,
delimiter, line endings), every phone number the corpus expects to be sent is a valid E.164 number,
and the generator reproduces the committed files byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import phonenumbers
import pytest
from export_corpus import CORPUS, corpus_module

from bulkprep import Mapping
from bulkprep.casts import Cast
from bulkprep.mapping import ColumnSource
from bulkprep.report import ErrorCode

gen = corpus_module("make_exports")
LAYOUTS = {layout.name: layout for layout in gen.layouts()}
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


def _records(layout: object) -> list[tuple[int, list[str]]]:
    """Every record the csv module reads, with the line where it starts (header = line 1)."""
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


@pytest.mark.parametrize("name", sorted(LAYOUTS))
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


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    written = gen.write(tmp_path)
    assert len(written) == 3 * len(LAYOUTS)
    for path in written:
        relative = path.relative_to(tmp_path)
        assert path.read_bytes() == (CORPUS / relative).read_bytes(), relative
    committed = {p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.suffix in {".csv", ".yaml"}}
    assert committed == {p.relative_to(tmp_path) for p in written}


def test_no_two_countries_share_a_number_pattern() -> None:
    # Otherwise a number read in the wrong region could equal another row's number by chance.
    patterns = [plan.significant for plan in gen.PLANS.values()]
    assert len(set(patterns)) == len(patterns)
