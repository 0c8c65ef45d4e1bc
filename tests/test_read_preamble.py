"""Report title lines above the header (and ``header_line``): found, dropped and counted by read_csv."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from bulkprep import prepare
from bulkprep.cli import main
from bulkprep.errors import ConfigurationError
from bulkprep.layouts import preamble_end
from bulkprep.read import read_changes, read_csv, read_errors, read_info

REPORT = (
    "Customer Contact List\n"
    "Example Company\n"
    "\n"
    "Customer,Phone,Email,Full Name\n"
    "Ann's Shop,(650) 555-3311,ann@example.com,Ann Lee\n"
    "Bob's Bikes,,bob@example.com,Bob Ray\n"
)


@pytest.mark.parametrize("fast", [True, False])
def test_title_lines_above_the_header_are_dropped_and_counted(fast: bool) -> None:
    df = read_csv(io.StringIO(REPORT), _fast=fast)
    assert list(df.columns) == ["bulk_row", "Customer", "Phone", "Email", "Full Name"]
    assert df["bulk_row"].tolist() == [5, 6]  # still the file's lines
    assert df["Customer"].tolist() == ["Ann's Shop", "Bob's Bikes"]
    info = read_info(df)
    assert (info.preamble_rows, info.blank_rows, info.error_count) == (3, 0, 0)
    assert read_errors(df).empty


def test_a_file_without_title_lines_reports_none() -> None:
    info = read_info(read_csv(io.StringIO("id,email\n1,a@example.com\n")))
    assert info.preamble_rows == 0
    assert "preamble_rows" not in read_csv(io.StringIO("id,email\n1,a@example.com\n")).attrs["bulkprep"]


def test_title_lines_of_a_semicolon_file_leave_the_delimiter_to_the_records() -> None:
    text = (
        "Kundenliste\nBeispiel GmbH\n\nName;E-Mail;Umsatz\nAnn;ann@example.de;1,5\nBob;bob@example.de;2,25\n"
    )
    df = read_csv(io.StringIO(text))
    info = read_info(df)
    assert (info.delimiter, info.preamble_rows) == (";", 3)
    assert df["Umsatz"].tolist() == ["1,5", "2,25"]


def test_padded_title_lines_and_a_period_line_are_a_preamble() -> None:
    # A spreadsheet saving the report again pads the title with empty fields; a period line has a
    # few fields, far fewer than the records.
    text = "Contacts,,,,,,\nFrom 2024-01-01,to 2024-03-31\n,,,,,,\nId,Email,Phone,First,Last,City,Plan\n"
    text += "1,a@example.com,,Ann,Lee,Oslo,pro\n2,b@example.com,,Bob,Ray,Rome,free\n"
    df = read_csv(io.StringIO(text))
    assert read_info(df).preamble_rows == 3
    assert df["bulk_row"].tolist() == [5, 6]


def test_title_lines_before_a_footer_and_text_markers() -> None:
    text = (
        REPORT.replace("(650) 555-3311", "'+16505553311")
        + "\n\nWednesday, March 6, 2024 02:13 PM GMT-08:00\n"
    )
    df = read_csv(io.StringIO(text))
    info = read_info(df)
    assert (info.preamble_rows, info.footer_rows, len(df)) == (3, 3, 2)
    changes = read_changes(df)
    assert changes[["bulk_row", "original", "normalized"]].values.tolist() == [
        [5, "'+16505553311", "+16505553311"]
    ]


@pytest.mark.parametrize(
    "text",
    [
        "email\na@example.com\nb@example.com\n",  # one column: every line is a record
        "email\n\na@example.com\nb@example.com\n",
        "a@example.com\nname,email\nAnn,b@example.com\n",  # an address on top is a user's
        "1234567\nid,email\n1,a@example.com\n",  # so is a long number
        "id,email\n1,a@example.com\n",
        "a\n1,2\n3,4\n",  # a line of values is no header
        "Users\nid,2\n1,a@example.com\n",
        '"Note\nid,email\n1,a@example.com\n2,b@example.com\n',  # a quote left open: not a title
        "Users\nid,,email\n1,x,a@example.com\n",  # the next line names no column: no header to find
    ],
)
def test_lines_that_may_be_records_are_never_a_preamble(text: str) -> None:
    assert preamble_end(text.splitlines(), delimiter=",") == 0


def test_a_one_column_file_stays_whole() -> None:
    df = read_csv(io.StringIO("email\na@example.com\nb@example.com\nc@example.com\n"))
    assert df["email"].tolist() == ["a@example.com", "b@example.com", "c@example.com"]
    assert read_info(df).preamble_rows == 0


def test_more_title_lines_than_looked_for_are_left_alone() -> None:
    text = "".join(f"title {n}\n" for n in range(11)) + "id,email\n1,a@example.com\n"
    assert preamble_end(text.splitlines(), delimiter=",") == 0
    text = "".join(f"title {n}\n" for n in range(10)) + "id,email\n1,a@example.com\n"
    assert preamble_end(text.splitlines(), delimiter=",") == 10


@pytest.mark.parametrize("fast", [True, False])
def test_header_line_names_the_header_detection_cannot_see(fast: bool) -> None:
    # Two fields on each line above the header: no title lines by their shape.
    text = "Exported by,Jane\nOn,2024-03-06\nid,email,phone\n1,a@example.com,\n2,b@example.com,\n"
    assert read_info(read_csv(io.StringIO(text))).preamble_rows == 0
    df = read_csv(io.StringIO(text), header_line=3, _fast=fast)
    assert list(df.columns) == ["bulk_row", "id", "email", "phone"]
    assert df["bulk_row"].tolist() == [4, 5]
    assert read_info(df).preamble_rows == 2


def test_header_line_1_reads_the_file_as_it_is_and_keeps_a_ragged_record_in_view() -> None:
    df = read_csv(io.StringIO("Users\nid,email\n1,a@example.com\n"), header_line=1)
    assert list(df.columns) == ["bulk_row", "Users", "bulk_read_error"]
    assert read_info(df).preamble_rows == 0
    assert read_errors(df)["bulk_row"].tolist() == [2, 3]
    df = read_csv(io.StringIO("Users\nid,email\n1,a@example.com,extra\n"), header_line=2)
    assert read_errors(df)[["bulk_row", "code"]].values.tolist() == [[3, "ragged_row"]]


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "3"])
def test_header_line_must_be_a_line_number(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="header_line must be the 1-based line number"):
        read_csv(io.StringIO("id\n1\n"), header_line=bad)  # type: ignore[arg-type]


def test_header_line_past_the_end_or_blank_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="past the end of the file"):
        read_csv(io.StringIO("id\n1\n"), header_line=5)
    with pytest.raises(ConfigurationError, match="line 2 of <buffer> is blank"):
        read_csv(io.StringIO("id\n\n1\n"), header_line=2)


def test_prepare_reads_a_report_with_title_lines() -> None:
    df = read_csv(io.StringIO(REPORT))
    prepared = prepare(df, {"recipient": "Customer", "profile": {"email": "Email", "phone_number": "Phone"}})
    assert prepared.df["bulk_status"].tolist() == ["ready", "ready"]
    assert prepared.df["bulk_row"].tolist() == [5, 6]


def test_check_takes_header_line_and_says_what_was_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"recipient": "id", "profile": {"email": "email"}}), encoding="utf-8")
    source = tmp_path / "users.csv"
    source.write_text("Exported by,Jane\nOn,2024-03-06\nid,email\n1,a@example.com\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    argv = ["check", str(source), "--mapping", str(mapping), "--header-line", "3", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "1 rows (utf-8, comma-delimited, 2 title lines above the header dropped)" in printed
    source.write_text(REPORT.replace("Customer,", "id,").replace("Email,", "email,"), encoding="utf-8")
    assert main(["check", str(source), "--mapping", str(mapping), "--out", str(out)]) == 0
    assert "3 title lines above the header dropped" in capsys.readouterr().out


def test_a_report_summary_block_above_the_records_is_a_preamble() -> None:
    # A webinar registration report: a title, the time it was made, a summary table of four fields
    # and its row, a section title, then the registrants under a header of ten fields.
    text = (
        "Registration Report\r\n"
        'Report Generated:,"Jun 1, 2024 10:22 AM"\r\n'
        "Topic,Webinar ID,Scheduled Time,# Registered\r\n"
        'Product Launch Q2,845 1234 5678,"Jun 5, 2024 09:00 AM",2\r\n'
        "\r\n"
        "Registrant Details\r\n"
        "First Name,Last Name,Email,City,Country/Region,Phone,Organization,Job Title,Registered,Status\r\n"
        "Ada,Lovelace,ada@example.co.uk,London,United Kingdom,020 7946 0960,AE,CTO,05/20/2024,approved\r\n"
        "Alan,Turing,alan@example.com,Manchester,United Kingdom,07911 123458,,,05/21/2024,approved\r\n"
    )
    df = read_csv(io.StringIO(text))
    assert df.columns[1:4].tolist() == ["First Name", "Last Name", "Email"]
    assert df["bulk_row"].tolist() == [8, 9]
    assert read_info(df).preamble_rows == 6


def test_lines_more_than_half_as_wide_as_the_records_are_no_preamble() -> None:
    # Five of eight fields filled above the header: maybe a record with empty fields, kept.
    text = "Users\na,b,c,d,e\nid,name,email,phone,city,zip,tier,note\n1,Ann,a@example.com,,,,,\n"
    assert preamble_end(text.splitlines(), delimiter=",") == 0


EMPTY_FIRST_CELL_REPORT = (
    "Customer Contact List\n"
    "Example Company\n"
    "\n"
    ",Customer,Phone Numbers,Email,Full Name\n"
    ",Ann's Shop,Phone: (650) 555-3311,ann@example.com,Ann Lee\n"
    ",Bob's Bikes,,bob@example.com,Bob Ray\n"
)


@pytest.mark.parametrize("fast", [True, False])
def test_a_header_whose_first_cell_is_empty_is_found_below_the_title_lines(fast: bool) -> None:
    df = read_csv(io.StringIO(EMPTY_FIRST_CELL_REPORT), _fast=fast)
    assert list(df.columns) == ["bulk_row", "column_1", "Customer", "Phone Numbers", "Email", "Full Name"]
    assert df["bulk_row"].tolist() == [5, 6]
    assert df["Email"].tolist() == ["ann@example.com", "bob@example.com"]
    assert read_info(df).preamble_rows == 3


def test_an_empty_first_cell_does_not_make_a_record_or_a_single_name_a_header() -> None:
    record = ["Members", ",Ann Lee,ann@example.com,Boston", ",Bob Ray,bob@example.com,Paris"]
    assert preamble_end(record, delimiter=",") == 0
    single = ["Members", ",Email", ",ann@example.com", ",bob@example.com"]
    assert preamble_end(single, delimiter=",") == 0
    inner = ["Members", "Name,,Email", "Ann,x,ann@example.com"]
    assert preamble_end(inner, delimiter=",") == 0
