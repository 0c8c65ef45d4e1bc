"""Tests of the CSV intake stage, on the fixture corpus in tests/fixtures/csv and on generated tables."""

from __future__ import annotations

import codecs
import copy
import csv
import dataclasses
import gc
import io
import re
import runpy
import string
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.errors import ConfigurationError, InputError
from bulkprep.read import (
    CHANGE_COLUMNS,
    ReadInfo,
    ReadProblem,
    _parse_plain,
    read_changes,
    read_csv,
    read_errors,
    read_info,
)
from bulkprep.report import ERROR_COLUMNS, ErrorCode

FIXTURES = Path(__file__).parent / "fixtures"
CSV_DIR = FIXTURES / "csv"
USERS_HEADER = ["user_id", "email", "phone", "name", "plan"]


def values(df: pd.DataFrame) -> dict[tuple[Any, Any], Any]:
    """Every cell by (bulk_row, column), missing cells as None."""
    return {
        (row, column): None if pd.isna(value) else value
        for row, record in df.set_index("bulk_row").iterrows()
        for column, value in record.items()
    }


def test_committed_fixtures_match_the_generator() -> None:
    generator = runpy.run_path(str(FIXTURES / "make_csv_fixtures.py"))
    expected: dict[str, bytes] = generator["fixture_bytes"]()
    on_disk = {path.name: path.read_bytes() for path in CSV_DIR.glob("*.csv")}
    assert on_disk == expected


# fixture, encoding, delimiter, bulk_row values, blank rows dropped, error codes, selected cells
FIXTURE_CASES = [
    (
        "users_utf8_comma_lf.csv",
        "utf-8",
        ",",
        [2, 3, 4, 5, 6, 7],
        0,
        [],
        {
            (2, "user_id"): "00042",
            (2, "phone"): "+44 20 7946 0958",
            (3, "email"): " Grace@Example.COM ",
            (3, "phone"): "2.02555E+09",
            (3, "plan"): "NA",
            (4, "email"): None,
            (4, "plan"): "null",
            (5, "name"): "N/A",
            (5, "plan"): "nan",
            (6, "phone"): "-",
            (6, "plan"): None,
            (7, "user_id"): "0",
            (7, "plan"): "NULL",
        },
    ),
    (
        "users_utf8_bom_comma_crlf.csv",
        "utf-8-sig",
        ",",
        [2, 3, 4],
        0,
        [],
        {
            (2, "user_id"): "u-1",
            (2, "name"): "Zoë Dupré",
            (4, "name"): "Björk Guðmundsdóttir",
            (4, "plan"): None,
        },
    ),
    (
        "users_utf8_tab_lf.csv",
        "utf-8",
        "\t",
        [2, 3],
        0,
        [],
        {(2, "name"): "Smith, Anna", (3, "name"): "O'Brien; Seán", (3, "phone"): "07700 900456"},
    ),
    (
        "users_utf16le_bom_tab_crlf.csv",
        "utf-16-le",
        "\t",
        [2, 3, 4],
        0,
        [],
        {(2, "name"): "김민준", (3, "name"): "王美", (3, "phone"): None, (4, "plan"): "NA"},
    ),
    (
        "users_utf16be_bom_comma_lf.csv",
        "utf-16-be",
        ",",
        [2, 3],
        0,
        [],
        {(2, "name"): "Ana Muñoz", (3, "name"): "Olúwáṣeun"},
    ),
    (
        "users_cp1252_semicolon_crlf.csv",
        "cp1252",
        ";",
        [2, 3, 4],
        0,
        [],
        {
            (2, "user_id"): "0100",
            (2, "name"): "François Müller",
            (2, "price"): "9,99 €",
            (3, "name"): "Siobhán O’Connor",
            (3, "plan"): "free – trial",
            (4, "name"): "Jürgen Weiß",
            (4, "price"): None,
        },
    ),
    (
        "users_latin1_pipe_lf.csv",
        "cp1252",
        "|",
        [2, 3, 4],
        0,
        [],
        {(2, "name"): "Inês Conceição", (3, "name"): "Søren Ærø", (4, "name"): "Straße ¿qué? ½"},
    ),
    (
        "users_pipe_cr.csv",
        "utf-8",
        "|",
        [2, 3, 4],
        0,
        [],
        {(2, "phone"): "+1 212 555 0101", (3, "plan"): None, (4, "plan"): "free"},
    ),
    (
        "quoted_newlines_crlf.csv",
        "utf-8",
        ",",
        [2, 4, 7, 8, 9, 11],
        0,
        [],
        {
            (2, "note"): "first line\r\nsecond line",
            (4, "note"): "three\r\nline\r\nnote",
            (7, "note"): "commas, inside, quotes",
            (8, "note"): 'she said "hi"',
            (8, "plan"): None,
            (9, "note"): "bare\nLF inside a CRLF file",
            (11, "note"): None,
            (11, "plan"): "free",
        },
    ),
    (
        "blank_rows_semicolon.csv",
        "utf-8",
        ";",
        [2, 5, 8],
        7,
        [],
        {(2, "name"): "Ann", (5, "phone"): "+44 20 7946 0000", (8, "plan"): None},
    ),
    (
        "ragged_rows.csv",
        "utf-8",
        ",",
        [2, 3, 4, 5, 6],
        0,
        ["ragged_row", "ragged_row", "ragged_row"],
        {
            (3, "name"): "Smith",
            (3, "plan"): " Bob",
            (4, "email"): "c@example.com",
            (4, "phone"): None,
            (5, "plan"): "pro",
            (6, "name"): "Eve",
        },
    ),
    (
        "unterminated_quote.csv",
        "utf-8",
        ",",
        [2, 3],
        0,
        ["unterminated_quote"],
        {
            (2, "note"): "fine",
            (3, "note"): "never closed\n3,c@example.com,swallowed\n4,d@example.com,swallowed too\n",
        },
    ),
    (
        "messy_headers.csv",
        "utf-8",
        ",",
        [2, 3],
        0,
        [],
        {
            (2, "Email "): "a@example.com",
            (2, "column_3"): "x",
            (2, "Email .1"): "dup",
            (2, "bulk_row.1"): "99",
        },
    ),
    ("header_only.csv", "utf-8", ",", [], 0, [], {}),
]


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "rows", "blank_rows", "codes", "cells"),
    FIXTURE_CASES,
    ids=[case[0] for case in FIXTURE_CASES],
)
def test_fixture(
    name: str,
    encoding: str,
    delimiter: str,
    rows: list[int],
    blank_rows: int,
    codes: list[str],
    cells: dict[tuple[int, str], Any],
) -> None:
    df = read_csv(CSV_DIR / name)
    info = read_info(df)
    assert (info.encoding, info.delimiter, info.blank_rows) == (encoding, delimiter, blank_rows)
    assert info.source == str(CSV_DIR / name)
    assert df.columns[0] == "bulk_row"
    assert df["bulk_row"].dtype == "int64"
    assert df["bulk_row"].tolist() == rows
    assert read_errors(df)["code"].tolist() == codes
    assert info.error_count == len(codes)
    found = values(df)
    assert {key: found[key] for key in cells} == cells


@pytest.mark.parametrize("name", [case[0] for case in FIXTURE_CASES if case[0].startswith("users_")])
def test_user_fixtures_share_their_columns_and_hold_only_text(name: str) -> None:
    df = read_csv(CSV_DIR / name)
    assert list(df.columns[:6]) == ["bulk_row", *USERS_HEADER]
    text_dtype = pd.Series(["text"]).dtype
    assert all(df[column].dtype == text_dtype for column in df.columns[1:])
    assert all(isinstance(v, str) for column in df.columns[1:] for v in df[column].dropna())


def test_header_only_file_gives_an_empty_frame_with_its_columns() -> None:
    df = read_csv(CSV_DIR / "header_only.csv")
    assert list(df.columns) == ["bulk_row", *USERS_HEADER]
    assert df.empty
    assert read_errors(df).empty


def test_messy_header_names_are_made_unique_and_recorded() -> None:
    df = read_csv(CSV_DIR / "messy_headers.csv")
    assert list(df.columns) == [
        "bulk_row",
        "user_id",
        "Email ",
        "column_3",
        "email",
        "Email .1",
        "bulk_row.1",
        "column_7",
    ]
    assert read_info(df).renamed_columns == {
        "column_3": "",
        "Email .1": "Email ",
        "bulk_row.1": "bulk_row",
        "column_7": "",
    }
    assert df.attrs["bulkprep"]["renamed_columns"] == read_info(df).renamed_columns


def test_a_generated_name_does_not_take_an_existing_one() -> None:
    df = read_csv(io.StringIO("column_2,,column_2\n1,2,3\n"))
    assert list(df.columns) == ["bulk_row", "column_2", "column_2.1", "column_2.2"]
    assert read_info(df).renamed_columns == {"column_2.1": "", "column_2.2": "column_2"}


def test_ragged_rows_stay_and_are_reported_with_counts_and_values() -> None:
    df = read_csv(CSV_DIR / "ragged_rows.csv")
    errors = read_errors(df)
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert errors["bulk_row"].tolist() == [3, 4, 5]
    assert set(errors["stage"]) == {"read"}
    assert errors["value"].tolist() == [
        "free",  # the field cut off from "Smith, Bob"
        "3,c@example.com",  # the whole line, which had too few fields
        ",extra",
    ]
    messages = errors["message"].tolist()
    assert "line 3 has 6 fields but the header has 5" in messages[0]
    assert "quote the value that contains ','" in messages[0]
    assert "line 4 has 2 fields but the header has 5" in messages[1]
    assert "add the missing values" in messages[1]
    assert "line 5 has 7 fields" in messages[2]
    assert df.loc[df["bulk_row"] == 5, ["user_id", "plan"]].iloc[0].tolist() == ["4", "pro"]


def test_ragged_record_spanning_lines_quotes_all_its_lines() -> None:
    df = read_csv(io.StringIO('a,b,c\n1,"x\ny"\n'))
    error = read_errors(df).iloc[0]
    assert error["bulk_row"] == 2
    assert error["value"] == '1,"x\ny"'
    assert "the record starting on line 2 has 2 fields" in error["message"]


def test_unterminated_quote_is_reported_once_and_keeps_the_text() -> None:
    df = read_csv(CSV_DIR / "unterminated_quote.csv")
    errors = read_errors(df)
    assert errors[["bulk_row", "stage", "code"]].to_dict("records") == [
        {"bulk_row": 3, "stage": "read", "code": "unterminated_quote"}
    ]
    assert "lines 3 to 5" in errors["message"].iloc[0]
    assert "add the closing quote" in errors["message"].iloc[0]
    assert errors["value"].iloc[0].startswith('2,b@example.com,"never closed\n3,')


@pytest.mark.parametrize("text", ['id,"name\n1,Ann\n', '\n\nid,"name\n', 'id,"name'])
def test_unterminated_quote_in_the_header_leaves_no_rows_and_is_a_call_level_error(text: str) -> None:
    # The open quote swallows the whole file into the header: there is no row to hold the problem.
    with pytest.raises(
        InputError, match=r"opened in the header on line \d never closes.*add the closing quote"
    ):
        read_csv(io.StringIO(text))


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,"closed"\n',
        'a,b\n1,"ends with a doubled quote"""\n',
        'a,b\n1,x"y\n',
        'a,b\n1,2\n"\n',  # a lone quote on the last line: a blank record, dropped
    ],
)
def test_closed_quotes_are_not_reported(text: str) -> None:
    assert read_errors(read_csv(io.StringIO(text))).empty


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_give_the_same_rows_and_line_numbers(newline: str) -> None:
    text = newline.join(["id,note", '1,"two', 'lines"', "", "2,x", "3,y"]) + newline
    df = read_csv(io.BytesIO(text.encode()))
    assert df["bulk_row"].tolist() == [2, 5, 6]
    assert df["note"].tolist() == [f"two{newline}lines", "x", "y"]
    assert read_info(df).blank_rows == 1


def test_line_breaks_ending_and_starting_adjacent_fields_are_two_lines() -> None:
    # Lines: 1 a,b | 2 "x\r | 3 "," | 4 y" | 5 1,2
    df = read_csv(io.StringIO('a,b\n"x\r","\ny"\n1,2\n'))
    assert df["bulk_row"].tolist() == [2, 5]
    assert df["a"].tolist() == ["x\r", "1"]


def test_only_cr_lf_and_crlf_end_a_line() -> None:
    # Vertical tab, form feed, NEL and the Unicode line separators are text, not line ends.
    df = read_csv(io.StringIO("a,b\nx\u2028y,p\u2029q\n1\u0085,2\n3,4\n"))
    assert df["bulk_row"].tolist() == [2, 3, 4]
    assert df["a"].tolist() == ["x\u2028y", "1\u0085", "3"]


def test_blank_lines_above_the_header_are_skipped_but_counted_as_lines() -> None:
    df = read_csv(io.StringIO("\n\nid,name\n1,Ann\n"))
    assert list(df.columns) == ["bulk_row", "id", "name"]
    assert df["bulk_row"].tolist() == [4]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b\n1,2\n", ","),
        ("a;b\n1,5;2,5\n", ";"),  # decimal commas
        ('a;b\n"x,y";2\n"p,q,r";3\n', ";"),  # commas inside quoted values
        ("name|email\nSmith, Ann|a@example.com\n", "|"),
        ("a\tb\tc\nx, y\t1\t2\n", "\t"),
        ("a,b;c\n1,2;3\n4,5;6\n", ","),  # a tie goes to the earlier candidate
        ("email\nx@example.com\n", ","),  # a single column
        ('"a,b";c\n1;2\n', ";"),
    ],
)
def test_delimiter_detection(text: str, delimiter: str) -> None:
    assert read_info(read_csv(io.StringIO(text))).delimiter == delimiter


def test_delimiter_detection_prefers_the_consistent_candidate() -> None:
    # Commas split the header in two but the rows unevenly; semicolons split every line in three.
    text = "name, first;email;plan\nSmith, Ann;a@example.com;pro\nLee;b@example.com;free\n"
    assert read_info(read_csv(io.StringIO(text))).delimiter == ";"


def test_sep_overrides_detection() -> None:
    df = read_csv(CSV_DIR / "users_utf8_comma_lf.csv", sep=";")
    assert list(df.columns) == ["bulk_row", "user_id,email,phone,name,plan"]
    assert read_info(df).delimiter == ";"


@pytest.mark.parametrize(("sep", "delimiter"), [("\t", "\t"), ("\\t", "\t"), ("tab", "\t"), ("Pipe", "|")])
def test_sep_may_be_named(sep: str, delimiter: str) -> None:
    df = read_csv(CSV_DIR / "users_utf8_tab_lf.csv", sep=sep)
    assert read_info(df).delimiter == delimiter


@pytest.mark.parametrize("sep", ["", ";;", '"', "\n"])
def test_unusable_sep_is_a_configuration_error(sep: str) -> None:
    with pytest.raises(ConfigurationError, match="sep must be one character"):
        read_csv(io.StringIO("a,b\n"), sep=sep)


def test_encoding_overrides_detection() -> None:
    df = read_csv(CSV_DIR / "users_latin1_pipe_lf.csv", encoding="latin-1")
    assert read_info(df).encoding == "latin-1"
    assert df["name"].tolist()[0] == "Inês Conceição"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_mark_decides_the_encoding(bom: bytes, codec: str) -> None:
    data = bom + "id;name\r\n1;Zoë €\r\n".encode(codec.removesuffix("-sig"))
    df = read_csv(io.BytesIO(data))
    assert read_info(df).encoding == codec
    assert list(df.columns) == ["bulk_row", "id", "name"]
    assert df["name"].tolist() == ["Zoë €"]


def test_utf16_without_byte_order_mark_reads_with_encoding() -> None:
    data = "id,name\n1,Zoë\n".encode("utf-16-le")
    with pytest.raises(InputError, match="encoding='utf-16-le'"):
        read_csv(io.BytesIO(data))
    assert read_csv(io.BytesIO(data), encoding="utf-16-le")["name"].tolist() == ["Zoë"]


def test_wrong_encoding_names_the_file_the_byte_and_the_fix() -> None:
    path = CSV_DIR / "users_cp1252_semicolon_crlf.csv"
    with pytest.raises(InputError, match=r"cannot be decoded as 'utf-8' \(byte 0x") as caught:
        read_csv(path, encoding="utf-8")
    assert str(path) in str(caught.value)
    assert "leave encoding unset" in str(caught.value)


def test_unknown_encoding_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown encoding 'utf-9'"):
        read_csv(io.BytesIO(b"a,b\n"), encoding="utf-9")
    with pytest.raises(ConfigurationError, match="'hex' is not a text encoding"):
        read_csv(io.BytesIO(b"a,b\n"), encoding="hex")


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1() -> None:
    df = read_csv(io.BytesIO(b"name,code\nRen\xe9e Dupont,AB\x81CD\nJos\xe9 Garc\xeda,EFGH\n"))
    assert read_info(df).encoding == "latin-1"
    assert df["name"].tolist() == ["Renée Dupont", "José García"]


def test_a_file_without_utf8_beyond_ascii_is_read_as_windows_1252() -> None:
    # No line holds UTF-8 text beyond ASCII, so the whole file is Windows-1252: the pound sign survives.
    df = read_csv(io.BytesIO(b"a,b\n\xa3 5,x\n"))
    assert read_info(df).encoding == "cp1252"
    assert df["a"].tolist() == ["£ 5"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "is empty; a CSV needs at least a header line"),
        ("blank_lines_only.csv", "is empty; a CSV needs at least a header line"),
        ("binary_png.csv", "not a text CSV file: it contains NUL bytes; save it as 'CSV UTF-8'"),
        # A workbook's bytes go to read_excel, which says this one is damaged.
        ("excel_workbook.csv", r"is not an Excel or OpenDocument workbook \(.xlsx, .xlsm, .xls, .ods\)"),
    ],
)
def test_unreadable_fixture_raises_input_error_naming_the_file(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        read_csv(CSV_DIR / name)
    assert str(CSV_DIR / name) in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(1, 256)) * 8,  # undecodable garbage without a NUL byte
        "\ufeff".encode() + bytes(range(1, 32)) * 8,
        codecs.BOM_UTF16_LE + "a,b\n\x00\x00\x00\n".encode("utf-16-le"),
        codecs.BOM_UTF16_LE + b"\x00\xd8a\x00",  # a lone surrogate
        codecs.BOM_UTF8,
    ],
)
def test_binary_or_empty_content_raises_input_error(data: bytes) -> None:
    with pytest.raises(InputError, match="<buffer>"):
        read_csv(io.BytesIO(data))


def test_missing_file_and_directory_raise_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"file not found: .*nope\.csv .*check the name and the folder"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory, not a CSV file"):
        read_csv(str(tmp_path))


def test_something_that_is_not_a_file_raises_input_error() -> None:
    with pytest.raises(InputError, match="not a DataFrame; for a DataFrame you already have, skip read_csv"):
        read_csv(pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_paths_and_buffers_read_alike() -> None:
    path = CSV_DIR / "users_cp1252_semicolon_crlf.csv"
    expected = read_csv(path)
    with path.open("rb") as binary:
        from_binary = read_csv(binary)
    with path.open(encoding="cp1252", newline="") as text:
        from_text = read_csv(text)
    from_string_path = read_csv(str(path))
    for df in (from_binary, from_text, from_string_path):
        pd.testing.assert_frame_equal(df, expected)
        assert read_info(df).source == str(path)
    assert read_info(from_binary).encoding == "cp1252"
    assert read_info(from_text).encoding == "cp1252"  # the text file's own encoding
    assert read_info(read_csv(io.StringIO("a,b\n1,2\n"))) == ReadInfo("<buffer>", None, ",", 0, {}, 0)


def test_a_value_larger_than_the_csv_module_default_limit() -> None:
    limit = csv.field_size_limit()
    big = "x" * (limit + 10)
    df = read_csv(io.StringIO(f'a,b\n1,"{big}"\n'))
    assert df["b"].tolist() == [big]
    assert csv.field_size_limit() == limit
    assert gc.isenabled()


def test_read_errors_and_read_info_of_a_frame_not_from_read_csv() -> None:
    plain = pd.DataFrame({"a": ["1"]})
    assert read_errors(plain).empty
    assert list(read_errors(plain).columns) == list(ERROR_COLUMNS)
    with pytest.raises(InputError, match=r"did not come from bulkprep\.read\.read_csv"):
        read_info(plain)


def test_attrs_hold_what_was_found_out_about_the_file_and_no_errors() -> None:
    df = read_csv(CSV_DIR / "ragged_rows.csv")
    assert df.attrs["bulkprep"] == {
        "source": str(CSV_DIR / "ragged_rows.csv"),
        "encoding": "utf-8",
        "delimiter": ",",
        "blank_rows": 0,
        "renamed_columns": {},
        "error_count": 3,
        "layout": None,
        "footer_rows": 0,
        "repaired_lines": (),
        "changes": (),
    }


def test_problems_are_a_last_column_of_frozen_records_none_on_clean_rows() -> None:
    df = read_csv(CSV_DIR / "ragged_rows.csv")
    assert list(df.columns) == ["bulk_row", *USERS_HEADER, "bulk_read_error"]
    assert df["bulk_read_error"].dtype == object
    cells = dict(zip(df["bulk_row"], df["bulk_read_error"], strict=True))
    assert cells[2] is None
    assert cells[6] is None
    problem = cells[3]
    assert isinstance(problem, ReadProblem)
    assert problem.code == ErrorCode.RAGGED_ROW
    assert problem.value == "free"
    assert problem.message == read_errors(df).set_index("bulk_row").loc[3, "message"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.value = "changed"  # type: ignore[misc]


def test_a_clean_file_gets_no_problem_column() -> None:
    for name in ("users_utf8_comma_lf.csv", "quoted_newlines_crlf.csv", "blank_rows_semicolon.csv"):
        df = read_csv(CSV_DIR / name)
        assert "bulk_read_error" not in df.columns, name
        assert read_info(df).error_count == 0


def test_read_errors_follows_the_rows_not_the_attrs() -> None:
    df = read_csv(CSV_DIR / "ragged_rows.csv")
    df.attrs = {}
    assert read_errors(df)["bulk_row"].tolist() == [3, 4, 5]
    assert read_errors(df[df["bulk_row"] > 3])["bulk_row"].tolist() == [4, 5]
    assert read_errors(df.drop(columns="bulk_row"))["bulk_row"].tolist() == [1, 2, 3]  # positions
    mixed = pd.concat([df, read_csv(CSV_DIR / "users_pipe_cr.csv")], ignore_index=True)
    assert mixed["bulk_read_error"].isna().sum() == 2 + 3  # the clean rows of both files
    assert read_errors(mixed)["bulk_row"].tolist() == [3, 4, 5]


def test_a_file_column_named_like_the_problem_column_is_renamed() -> None:
    df = read_csv(io.StringIO("id,bulk_read_error\n1,2,3\n"))
    assert list(df.columns) == ["bulk_row", "id", "bulk_read_error.1", "bulk_read_error"]
    assert read_info(df).renamed_columns == {"bulk_read_error.1": "bulk_read_error"}
    assert read_errors(df)["code"].tolist() == ["ragged_row"]


def test_a_problem_column_of_other_values_is_refused() -> None:
    frame = pd.DataFrame({"a": ["1", "2"], "bulk_read_error": [None, {"code": "ragged_row"}]})
    with pytest.raises(InputError, match="column 'bulk_read_error' holds"):
        read_errors(frame)


def test_row_key_moved_to_status_and_still_works_from_read() -> None:
    import bulkprep.read

    with pytest.warns(DeprecationWarning, match=r"bulkprep\.status\.ROW_KEY"):
        assert bulkprep.read.ROW_KEY == "bulk_row"
    with pytest.raises(AttributeError):
        bulkprep.read.NOTHING  # noqa: B018


# --- round trip of any table -----------------------------------------------------------------------

# Printable text plus everything that needs quoting or looks like a missing value to other readers.
SPECIAL = ["\n", "\r", "\r\n", '"', ",", ";", "\t", "|", " ", "NA", "null", "0"]
cell_text = st.lists(
    st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(SPECIAL)), max_size=8
).map("".join)
header_name = st.text(alphabet=string.ascii_letters + string.digits + "_ ", min_size=1, max_size=8).filter(
    lambda name: name.strip() != "" and name != "bulk_row"
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(min_value=2, max_value=4))
    header = draw(st.lists(header_name, min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(cell_text, min_size=width, max_size=width), max_size=6))
    return header, rows


def write_csv(rows: list[list[str]], *, delimiter: str, newline: str, quote_all: bool) -> str:
    """CSV text written independently of the csv module, quoting what needs quoting (or everything)."""

    def quoted(cell: str) -> str:
        if quote_all or any(char in cell for char in (delimiter, '"', "\r", "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(delimiter.join(map(quoted, row)) + newline for row in rows)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)  # "utf-16" writes a byte-order mark, "utf-8-sig" too


@settings(max_examples=80, deadline=None)
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom"]),
    quote_all=st.booleans(),
)
def test_any_table_round_trips(
    table: tuple[list[str], list[list[str]]], delimiter: str, newline: str, encoding: str, quote_all: bool
) -> None:
    header, rows = table
    text = write_csv([header, *rows], delimiter=delimiter, newline=newline, quote_all=quote_all)

    expected_rows, expected_starts, line = [], [], 2
    for row in rows:
        if "".join(row).strip():  # rows of nothing but whitespace are dropped
            expected_rows.append([cell if cell else None for cell in row])
            expected_starts.append(line)
        line += 1 + len(re.findall(r"\r\n|\r|\n", delimiter.join(row)))

    df = read_csv(io.BytesIO(encode(text, encoding)))
    assert list(df.columns) == ["bulk_row", *header]
    assert df["bulk_row"].tolist() == expected_starts
    found = [[None if pd.isna(cell) else cell for cell in row] for row in df[header].to_numpy().tolist()]
    assert found == expected_rows
    assert read_errors(df).empty
    assert read_info(df).delimiter == delimiter
    assert read_info(df).blank_rows == len(rows) - len(expected_rows)


# --- the C parser's path gives what the csv module's gives ------------------------------------------


def reading(data: bytes, *, fast: bool, **options: Any) -> pd.DataFrame | tuple[type, str]:
    try:
        return read_csv(io.BytesIO(data), _fast=fast, **options)
    except (InputError, ConfigurationError) as exc:
        return type(exc), str(exc)


def assert_same_reading(data: bytes, **options: Any) -> None:
    fast, plain = reading(data, fast=True, **options), reading(data, fast=False, **options)
    if isinstance(fast, pd.DataFrame) and isinstance(plain, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, plain)
        assert fast.attrs == plain.attrs
    else:
        assert fast == plain


@pytest.mark.parametrize("name", sorted(path.name for path in CSV_DIR.glob("*.csv")))
def test_both_parsers_read_every_fixture_alike(name: str) -> None:
    assert_same_reading((CSV_DIR / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("users_utf8_comma_lf.csv", True),
        ("users_utf8_bom_comma_crlf.csv", True),
        ("users_pipe_cr.csv", True),
        ("blank_rows_semicolon.csv", True),
        ("ragged_rows.csv", False),  # the csv module says which records are ragged
        ("quoted_newlines_crlf.csv", True),  # the records end where the quotes say
        ("unterminated_quote.csv", False),
    ],
)
def test_the_c_parser_reads_files_of_well_formed_records(name: str, taken: bool) -> None:
    text = (CSV_DIR / name).read_bytes().decode("utf-8-sig")
    delimiter = read_info(read_csv(CSV_DIR / name)).delimiter
    assert (_parse_plain(text, delimiter=delimiter) is not None) is taken


@settings(max_examples=60, deadline=None)
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    quote_all=st.booleans(),
    one_line_records=st.booleans(),
)
def test_both_parsers_read_any_table_alike(
    table: tuple[list[str], list[list[str]]],
    delimiter: str,
    newline: str,
    quote_all: bool,
    one_line_records: bool,
) -> None:
    header, rows = table
    if one_line_records:  # the files the C parser reads
        rows = [[cell.replace("\r", "").replace("\n", "") for cell in row] for row in rows]
    text = write_csv([header, *rows], delimiter=delimiter, newline=newline, quote_all=quote_all)
    assert_same_reading(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        # A short record holding only the marker's character is no blank record (few enough control
        # characters for the file to be read).
        "a,b,c\n" + "1,2,3\n" * 10 + "\x01\n",
        "a,b,c\n" + "1,2,3\n" * 10 + "\x01,,\n",
        "a,b,c\n \n,,\n1,2,3",
        "a;b\r\n1;2\r\n\r\n3;4\r\n",
    ],
)
def test_both_parsers_read_these_texts_alike(text: str) -> None:
    assert_same_reading(text.encode("utf-8"))


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="ab ,;|\t\"\r\n\x01é'1+", min_size=1, max_size=60))
def test_both_parsers_read_any_text_alike(text: str) -> None:
    # Ragged, blank and quoted records, stray quotes and line breaks of every kind, mixed.
    assert_same_reading(text.encode("utf-8"))
    assert_same_reading(text.encode("utf-8"), sep=",")


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab "\t', max_size=5), min_size=3, max_size=3), min_size=1, max_size=8
    ),
    delimiter=st.sampled_from([",", ";", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_both_parsers_split_records_with_stray_quotes_alike(
    rows: list[list[str]], delimiter: str, newline: str
) -> None:
    # Quotes anywhere in a field (opening, closing, doubled, followed by text), one record a line.
    text = newline.join(delimiter.join(row) for row in [["h1", "h2", "h3"], *rows]) + newline
    assert_same_reading(text.encode("utf-8"))


# --- lines that are not UTF-8 in a UTF-8 file ---------------------------------------------------------


MIXED = (
    b"id,email,name\n"
    + "u1,zoë@example.org,Zoë\n".encode()
    + b"u2,jos\xe9@example.com,Jos\xe9\n"  # a Windows-1252 line
    + "u3,björn@example.net,Björn\n".encode()
)


def test_a_line_that_is_not_utf8_is_repaired_and_the_others_stay_utf8() -> None:
    df = read_csv(io.BytesIO(MIXED))
    assert df["email"].tolist() == ["zoë@example.org", "josé@example.com", "björn@example.net"]
    info = read_info(df)
    assert (info.encoding, info.repaired_lines) == ("utf-8", (3,))
    assert read_errors(df).empty  # the repair is certain: the row stays as good as the others
    changes = read_changes(df)
    assert list(changes.columns) == list(CHANGE_COLUMNS)
    assert changes[["bulk_row", "column", "original", "normalized"]].to_dict("records") == [
        {
            "bulk_row": 3,
            "column": "email",
            "original": "jos\\xe9@example.com",
            "normalized": "josé@example.com",
        },
        {"bulk_row": 3, "column": "name", "original": "Jos\\xe9", "normalized": "José"},
    ]
    assert changes["field"].isna().all()


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_repaired_lines_are_numbered_as_bulk_row_is(newline: bytes) -> None:
    lines = [
        b"h,v",
        "1,ü".encode(),
        b"",
        b"2,\xfc",
        '3,"two\nlines ü"'.encode(),
        b"4,\xe9\xe8",
        b"5,x",
    ]
    data = newline.join(lines) + newline
    df = read_csv(io.BytesIO(data))
    assert read_info(df).repaired_lines == (4, 7)
    assert dict(zip(df["bulk_row"], df["v"], strict=True)) == {
        2: "ü",
        4: "ü",
        5: "two\nlines ü",
        7: "éè",
        8: "x",
    }
    assert read_changes(df)["bulk_row"].tolist() == [4, 7]
    assert_same_reading(data)


def test_no_value_of_a_utf8_file_with_a_stray_byte_is_mojibake() -> None:
    names = ["Zoë", "José", "Björn", "Chloé", "Søren", "Jürgen", "Renée", "Núñez"]
    rows = [f"u{i},{name.lower()}@example.org,{name}".encode() for i, name in enumerate(names * 20)]
    rows[57] = b"u57,ren\xe9e@example.org,Ren\xe9e"
    df = read_csv(io.BytesIO(b"\n".join([b"id,email,name", *rows])))
    cells = df.drop(columns="bulk_row").stack().dropna().tolist()
    assert cells
    assert not any("Ã" in cell or "Â" in cell for cell in cells)
    assert df.loc[df["bulk_row"] == 59, "name"].tolist() == ["Renée"]
    assert read_info(df).repaired_lines == (59,)


def test_the_repaired_line_may_hold_a_byte_windows_1252_leaves_undefined() -> None:
    # Latin-1 for that line (one invisible control character among enough text to be a CSV).
    data = "a,b\nzoë,1\n".encode() + b"AB\x81CD,\xe9\n" + b"plain,text\n" * 5
    df = read_csv(io.BytesIO(data))
    assert df["a"].tolist()[:2] == ["zoë", "AB\x81CD"]
    assert df["b"].tolist()[:2] == ["1", "é"]
    assert read_info(df).repaired_lines == (3,)


def test_a_utf8_file_with_a_byte_order_mark_repairs_its_foreign_lines() -> None:
    df = read_csv(io.BytesIO(codecs.BOM_UTF8 + b"a,b\n\xa3 5,x\n"))
    assert (read_info(df).encoding, read_info(df).repaired_lines) == ("utf-8-sig", (2,))
    assert df["a"].tolist() == ["£ 5"]


def test_a_windows_1252_file_is_not_reported_line_by_line() -> None:
    data = "Name;Ort\nKöhler;München\nWeiß;Köln\n".encode("cp1252")
    info = read_info(read_csv(io.BytesIO(data)))
    assert (info.encoding, info.repaired_lines) == ("cp1252", ())


def test_an_explicit_encoding_is_never_repaired() -> None:
    with pytest.raises(InputError, match="cannot be decoded as 'utf-8'"):
        read_csv(io.BytesIO(MIXED), encoding="utf-8")


# --- text-marker apostrophes ---------------------------------------------------------------------------


def test_text_marker_apostrophes_are_stripped_from_digit_like_cells_only() -> None:
    text = (
        "id,phone,zip,name,note\n"
        "'0123,'+1 555-0100,'02134,O'Brien,'tis\n"
        "'7210448301313,'(201) 555-0101,'02134-1234,'Neill,'\n"
        "42,+15550100,02134,Ann,'12 apples\n"
    )
    df = read_csv(io.StringIO(text))
    assert df["id"].tolist() == ["0123", "7210448301313", "42"]
    assert df["phone"].tolist() == ["+1 555-0100", "(201) 555-0101", "+15550100"]
    assert df["zip"].tolist() == ["02134", "02134-1234", "02134"]
    assert df["name"].tolist() == ["O'Brien", "'Neill", "Ann"]
    assert df["note"].tolist() == ["'tis", "'", "'12 apples"]
    changes = read_changes(df)
    assert changes[["bulk_row", "column", "original"]].to_dict("records") == [
        {"bulk_row": 2, "column": "id", "original": "'0123"},
        {"bulk_row": 2, "column": "phone", "original": "'+1 555-0100"},
        {"bulk_row": 2, "column": "zip", "original": "'02134"},
        {"bulk_row": 3, "column": "id", "original": "'7210448301313"},
        {"bulk_row": 3, "column": "phone", "original": "'(201) 555-0101"},
        {"bulk_row": 3, "column": "zip", "original": "'02134-1234"},
    ]
    assert changes["normalized"].tolist() == [
        "0123",
        "+1 555-0100",
        "02134",
        "7210448301313",
        "(201) 555-0101",
        "02134-1234",
    ]


def test_the_record_of_changes_is_shared_by_the_frames_pandas_derives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pandas deep-copies attrs into nearly every frame and column it returns: a record of a change
    # per cell (a Shopify export behind apostrophes) walked once per column access took minutes.
    rows = "".join(f"'{7000000000000 + n},'+1212555{n % 10000:04d},'0{n % 9000 + 1000}\n" for n in range(300))
    df = read_csv(io.StringIO("id,phone,zip\n" + rows))
    changes = df.attrs["bulkprep"]["changes"]
    assert len(changes) == 900
    for derived in (df["zip"], df.copy(), df[df["id"] != ""], df.drop(columns="phone")):
        assert derived.attrs["bulkprep"]["changes"] is changes
    assert len(read_changes(df.copy())) == 900
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(1) if event == "call" else None)
    try:
        copy.deepcopy(df.attrs)  # what pandas does: the records are not walked one by one
    finally:
        sys.setprofile(None)
    assert len(calls) < 100


def test_quoted_and_last_cells_lose_their_marker_too() -> None:
    df = read_csv(io.BytesIO(b'"id";"zip"\r\n"\'007";\'02134\r\n'))
    assert df[["id", "zip"]].to_dict("records") == [{"id": "007", "zip": "02134"}]
    assert_same_reading(b'"id";"zip"\r\n"\'007";\'02134\r\n')


def test_the_changes_follow_the_rows_present() -> None:
    df = read_csv(io.StringIO("id,zip\n'1,'02134\n'2,x\n3,y\n"))
    assert read_changes(df[df["zip"] != "02134"])["bulk_row"].tolist() == [3]
    assert read_changes(df.drop(columns="bulk_row")).empty
    emptied = df.copy()
    emptied.attrs = {}
    assert read_changes(emptied).empty
    assert read_changes(pd.DataFrame({"a": ["'1"]})).empty


def test_a_file_of_many_apostrophes_and_no_marker_is_left_alone() -> None:
    text = "name,note\n" + "O'Brien,it's\n" * 3000 + "D'Arcy,'1\n"
    df = read_csv(io.StringIO(text))
    assert df["note"].iloc[-1] == "1"
    assert df["name"].iloc[0] == "O'Brien"
    assert read_changes(df)["bulk_row"].tolist() == [3002]


def test_prepare_lists_the_readers_changes_first() -> None:
    from bulkprep import prepare

    df = read_csv(io.StringIO("id,Phone\n'007,'+1 201 555 0101\n"))
    result = prepare(df, {"recipient": "id", "profile": {"phone_number": "Phone"}})
    assert result.df["bulk_status"].tolist() == ["ready"]
    assert result.df.loc[0, "bulk_user"] == {"recipient": "007", "profile": {"phone_number": "+12015550101"}}
    assert result.changes[["column", "field", "original", "normalized"]].to_dict("records") == [
        {"column": "id", "field": None, "original": "'007", "normalized": "007"},
        {"column": "Phone", "field": None, "original": "'+1 201 555 0101", "normalized": "+1 201 555 0101"},
        {
            "column": "Phone",
            "field": "profile.phone_number",
            "original": "+1 201 555 0101",
            "normalized": "+12015550101",
        },
    ]


# --- report footers ------------------------------------------------------------------------------------


SALESFORCE_FOOTER = (
    '""\n"Grand Totals (2 records)"\n""\n""\n"Confidential Information - Do Not Distribute"\n'
    '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
)
REPORT = '"Name","Email","Phone"\n"Ann","ann@example.com","1"\n"Bob","bob@example.com","2"\n'


def test_a_salesforce_footer_is_dropped_and_counted_not_flagged() -> None:
    df = read_csv(io.StringIO(REPORT + SALESFORCE_FOOTER))
    assert df["bulk_row"].tolist() == [2, 3]
    assert read_errors(df).empty
    assert "bulk_read_error" not in df.columns
    info = read_info(df)
    assert (info.footer_rows, info.blank_rows, info.error_count, info.layout) == (
        6,
        0,
        0,
        "salesforce_report",
    )
    assert_same_reading((REPORT + SALESFORCE_FOOTER).encode())


@pytest.mark.parametrize(
    "footer",
    [
        "Grand Totals (2 records),,\n,,\nConfidential Information - Do Not Distribute,,\n",  # saved again
        "\n\nGrand Total (1 record)\n\n",
        '""\n"Grand Totals (1,204 records)"\n"Generated By:  Jane Doe  6/1/2024 10:23 AM"\n"Acme Corp"\n',
    ],
)
def test_footer_shapes_are_recognized_in_any_file(footer: str) -> None:
    df = read_csv(io.StringIO(REPORT + footer))
    assert df["bulk_row"].tolist() == [2, 3]
    assert read_errors(df).empty
    assert read_info(df).footer_rows == footer.count("\n")
    assert read_info(df).layout is None  # no header markers, and no Salesforce copyright line
    assert_same_reading((REPORT + footer).encode())


def test_footer_text_that_is_not_at_the_end_is_a_record() -> None:
    text = REPORT + '"Grand Totals (2 records)"\n"Cy","cy@example.com","3"\n'
    df = read_csv(io.StringIO(text))
    assert df["bulk_row"].tolist() == [2, 3, 4, 5]
    assert read_errors(df)["code"].tolist() == ["ragged_row"]
    assert read_info(df).footer_rows == 0


def test_a_user_row_mentioning_a_footer_is_kept() -> None:
    text = REPORT + '"Grand Totals (2 records)","x@example.com","3"\n'
    df = read_csv(io.StringIO(text))
    assert df["Name"].tolist() == ["Ann", "Bob", "Grand Totals (2 records)"]
    assert read_info(df).footer_rows == 0


def test_trailing_blank_lines_without_a_footer_stay_blank_rows() -> None:
    info = read_info(read_csv(io.StringIO(REPORT + '""\n\n')))
    assert (info.footer_rows, info.blank_rows) == (0, 2)


def test_a_footer_inside_an_unclosed_quote_is_read_as_the_quote_swallows_it() -> None:
    text = REPORT + '"Cy","cy@example.com","3\n\nGrand Totals (3 records)\n'
    df = read_csv(io.StringIO(text))
    assert read_info(df).footer_rows == 0
    assert read_errors(df)["code"].tolist() == ["unterminated_quote"]
    assert df["Phone"].tolist()[-1] == "3\n\nGrand Totals (3 records)\n"
    assert_same_reading(text.encode())


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet="ab ,\"\n1'", max_size=40),
    footer=st.sampled_from(
        ["", SALESFORCE_FOOTER, "Grand Totals (3 records),,\n", '"\nGrand Totals (3 records)\n']
    ),
)
def test_both_parsers_read_files_with_footers_alike(text: str, footer: str) -> None:
    assert_same_reading(("h1,h2,h3\n" + text + "\n" + footer).encode())


# --- layouts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        ('"Email Address","First Name","MEMBER_RATING","OPTIN_TIME","CC"', "mailchimp"),
        ("Record ID,First Name,Email,Contact owner,Create Date", "hubspot"),
        ("Customer ID,Email,Total Spent,Total Orders,Tax Exempt", "shopify"),
        ("id,Email,Created (UTC),Delinquent", "stripe"),
        ("Email,Phone Number,Klaviyo ID", "klaviyo"),
        ("Contact Owner,Account Name,Email,Contact ID", "salesforce_report"),
        ("user_id,email,phone", None),
    ],
)
def test_read_info_names_the_layout_by_its_header(header: str, layout: str | None) -> None:
    width = header.count(",") + 1
    assert read_info(read_csv(io.StringIO(header + "\n" + "x," * (width - 1) + "x\n"))).layout == layout
