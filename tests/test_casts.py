"""Casts: each conversion, once per distinct value, and the message of every value that fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bulkprep.casts import Cast, CastFailure, DateOptions, convert
from bulkprep.errors import MappingError
from bulkprep.mapping import Mapping
from bulkprep.report import ErrorCode

CASTS = [
    ("int", "42", 42),
    ("int", " 7 ", 7),
    ("int", "3.0", 3),
    ("int", "-4", -4),
    ("int", 12, 12),
    ("int", "3.5", "round it"),
    ("int", "1,234", 1234),  # the one whole number it can be
    ("int", "1.000", "reads as 1 or 1000"),
    ("int", "1,5", "round it"),
    ("int", "2.02555E+09", "scientific notation"),
    ("int", "12345678901234567890", "too large"),
    ("int", True, "cast: bool"),
    ("float", "3.5", 3.5),
    ("float", "-0.25", -0.25),
    ("float", "1e3", 1000.0),
    ("float", "inf", "finite"),
    ("float", "3,5", 3.5),
    ("float", "1,234", "reads as 1234 or 1.234"),
    ("bool", "TRUE", True),
    ("bool", "yes", True),
    ("bool", "Y", True),
    ("bool", "1", True),
    ("bool", "false", False),
    ("bool", "No", False),
    ("bool", "n", False),
    ("bool", "0", False),
    ("bool", "maybe", "yes/no"),
    ("date", "2024-03-04", "2024-03-04"),
    ("date", "2024/3/4", "2024-03-04"),
    ("date", "20240304", "2024-03-04"),
    ("date", "2024-03-04T23:30:00-05:00", "2024-03-04"),
    ("date", "13/04/2024", "2024-04-13"),
    ("date", "4 Mar 2024", "2024-03-04"),
    ("date", "March 4, 2024", "2024-03-04"),
    ("date", dt.date(2024, 3, 4), "2024-03-04"),
    ("date", pd.Timestamp("2024-03-04 10:00"), "2024-03-04"),
    ("date", "03/04/2024", "ambiguous"),
    ("date", "03.04.2024", "2024-04-03"),  # dotted: day-first by convention
    ("date", "05/05/2024", "2024-05-05"),  # reads the same both ways
    ("date", "6/1/2024 14:03", "ambiguous"),
    ("date", "3/4/24", "four-digit year"),
    ("date", "31/02/2024", "does not exist"),
    ("date", "2024-02-30", "does not exist"),
    ("date", "soon", "YYYY-MM-DD"),
    ("json", '{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]}),
    ("json", "[1, 2]", [1, 2]),
    ("json", '{"a": NaN}', "not JSON"),
    ("json", "{'a': 1}", "double quotes"),
    ("str", "007", "007"),
    ("str", 12345.0, "12345"),
    ("str", 2.5, "2.5"),
]


@pytest.mark.parametrize(("cast", "raw", "expected"), CASTS)
def test_cast_gives_a_value_or_a_cast_failed_row(cast: str, raw: Any, expected: Any) -> None:
    frame = pd.DataFrame({"bulk_row": [7, 8], "C": pd.Series([raw, None], dtype=object)})
    mapped = Mapping({"data.v": {"column": "C", "cast": cast}}).apply(frame)
    value = mapped.targets.loc[7, "data.v"]
    assert mapped.targets.loc[8, "data.v"] is None  # empty cells stay missing, without an error
    if isinstance(expected, str) and cast not in ("date", "str"):
        assert value is None
        [error] = mapped.errors.to_dict("records")
        assert error["bulk_row"] == 7
        assert (error["stage"], error["code"], error["field"], error["column"]) == (
            "map",
            "cast_failed",
            "data.v",
            "C",
        )
        assert error["value"] == str(raw)
        assert expected in error["message"]
        assert f"cast: {cast}" in error["message"]
    elif cast == "date" and not expected[:4].isdigit():
        assert value is None
        assert expected in mapped.errors.loc[0, "message"]
    else:
        assert mapped.errors.empty
        assert value == expected
        assert type(value) is type(expected)


def test_a_cast_runs_once_per_distinct_value_and_reports_every_row() -> None:
    frame = pd.DataFrame({"C": ["1", "x", "1", "x", ""]})
    mapped = Mapping({"data.v": {"column": "C", "cast": "int"}}).apply(frame)
    assert mapped.targets["data.v"].tolist() == [1, None, 1, None, None]
    assert mapped.errors["bulk_row"].tolist() == [1, 3]


SCIENTIFIC_MESSAGE = (
    "expected a whole number such as 42 (cast: int), got {!r} in scientific notation: a spreadsheet "
    "rounded it and digits may be lost; re-export the column as text from the original source"
)


@pytest.mark.parametrize(
    "text", ["2.02555E+09", "2,02555E+09", " 2,02555E+09 ", "\t4,47911e+11", "-1.2e-05 "]
)
def test_int_refuses_scientific_notation_with_a_comma_or_blanks_alike(text: str) -> None:
    values, failures = convert(np.array([text], dtype=object), Cast.INT)
    assert values.tolist() == [None]
    assert failures == [CastFailure(0, SCIENTIFIC_MESSAGE.format(text), ErrorCode.CAST_FAILED)]


@pytest.mark.parametrize("text", ["2,02555E+09", " 2,02555E+09 "])
def test_float_refuses_a_comma_decimal_in_scientific_notation_as_before(text: str) -> None:
    values, failures = convert(np.array([text], dtype=object), Cast.FLOAT)
    assert values.tolist() == [None]
    assert failures == [
        CastFailure(
            0,
            f"expected a number such as 3.5 (cast: float), got {text!r}; use a dot for decimals "
            f"and no thousands separators, or clear the cell",
        )
    ]


def test_convert_without_a_cast_keeps_values_and_blanks_become_none() -> None:
    raw = np.array(["a", " ", "", None, 3], dtype=object)
    values, failures = convert(raw, None)
    assert values.tolist() == ["a", None, None, None, 3]
    assert failures == []


# -- dates: each column's convention ---------------------------------------------------------------


def _dates(cells: list[Any], **options: Any) -> tuple[list[Any], list[CastFailure]]:
    values, failures = convert(np.array(cells, dtype=object), Cast.DATE, dates=DateOptions(**options))
    return values.tolist(), failures


DATE_COLUMNS = {
    # Salesforce en_US / Excel en-US: M/D/YYYY, with and without times; 3/14/2024 proves month-first.
    "us": (
        ["3/14/2024", "3/4/2024", "11/2/2023 9:15 AM", "6/1/2024 14:03", "12/1/2023 2:03 PM", "1/1/2024"],
        ["2024-03-14", "2024-03-04", "2023-11-02", "2024-06-01", "2023-12-01", "2024-01-01"],
    ),
    # German Excel: dd.mm.yyyy, no proof needed (dotted dates are day-first).
    "german": (
        ["15.03.2021", "03.04.2022", "01.12.2020 08:00", "28.02.2019"],
        ["2021-03-15", "2022-04-03", "2020-12-01", "2019-02-28"],
    ),
    "german without proof": (["03.04.2022", "01.02.2020"], ["2022-04-03", "2020-02-01"]),
    # A UK-locale sheet: dd/mm/yyyy; 25/03/2024 proves day-first.
    "uk": (
        ["25/03/2024", "04/03/2024", "01/02/2024 14:03:59", "13/01/2024"],
        ["2024-03-25", "2024-03-04", "2024-02-01", "2024-01-13"],
    ),
    # ISO, with times and zones: always year-month-day, whatever else the column holds.
    "iso": (
        ["2024-03-04", "2024-03-04 14:03", "2024-03-04T23:30:00Z", "2024-12-01T08:00:00+01:00", "20240102"],
        ["2024-03-04", "2024-03-04", "2024-03-04", "2024-12-01", "2024-01-02"],
    ),
    "iso beside month-first": (
        ["2024-03-04", "3/14/2024", "4/3/2024"],
        ["2024-03-04", "2024-03-14", "2024-04-03"],
    ),
    "dashes": (["14-03-2024", "03-04-2024"], ["2024-03-14", "2024-04-03"]),
}


@pytest.mark.parametrize("name", sorted(DATE_COLUMNS))
def test_a_date_column_is_read_by_the_convention_its_values_prove(name: str) -> None:
    cells, expected = DATE_COLUMNS[name]
    values, failures = _dates(cells)
    assert failures == []
    assert values == expected


def test_a_column_without_proof_keeps_dates_that_read_one_way_and_refuses_the_others() -> None:
    values, failures = _dates(["05/05/2024", "03/04/2024", "12/12/2024 10:00", "4 Mar 2024"])
    assert values == ["2024-05-05", None, "2024-12-12", "2024-03-04"]
    [failure] = failures
    assert failure.position == 1
    assert failure.code is ErrorCode.CAST_FAILED
    assert failure.message == (
        "expected a date (cast: date), got the ambiguous '03/04/2024': it reads as 2024-03-04 or "
        "2024-04-03, and no date of the column tells which; write it as YYYY-MM-DD, or set "
        "dayfirst: true or false on the column in the mapping"
    )


def test_a_column_proving_both_conventions_fails_its_ambiguous_dates_with_one_message() -> None:
    cells = ["25/03/2024", "03/04/2024", "03/25/2024", "04/03/2024", "03/04/2024", "05/05/2024"]
    values, failures = convert(np.array(cells, dtype=object), Cast.DATE, name="Created")
    # What reads one way only is kept; what reads both ways cannot be told.
    assert values.tolist() == ["2024-03-25", None, "2024-03-25", None, None, "2024-05-05"]
    assert [f.position for f in failures] == [1, 3, 4]
    assert {f.code for f in failures} == {ErrorCode.AMBIGUOUS_DATE_CONVENTION}
    assert {f.message for f in failures} == {
        "column 'Created' has both 25/03/2024 (day first) and 03/25/2024 (month first), so its dates "
        "that read both ways cannot be told; set dayfirst: true or false (or a format) on the column "
        "in the mapping, or write the dates as YYYY-MM-DD"
    }


def test_the_ambiguous_date_convention_code_has_a_hint() -> None:
    assert ErrorCode("ambiguous_date_convention").hint.startswith("the date column holds both")
    assert "dayfirst" in ErrorCode.AMBIGUOUS_DATE_CONVENTION.hint


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"dayfirst": True}, ["2024-04-03", "2024-05-05", None, "2024-03-25"]),
        ({"dayfirst": False}, ["2024-03-04", "2024-05-05", "2024-03-25", None]),
        ({"date_format": "%m/%d/%Y"}, ["2024-03-04", "2024-05-05", "2024-03-25", None]),
        ({"date_format": "%d/%m/%Y"}, ["2024-04-03", "2024-05-05", None, "2024-03-25"]),
    ],
)
def test_dayfirst_or_a_format_decides_over_the_column(options: dict[str, Any], expected: list[Any]) -> None:
    # The column proves both conventions; the mapping's word settles every date, strictly.
    values, failures = _dates(["03/04/2024", "05/05/2024", "03/25/2024", "25/03/2024"], **options)
    assert values == expected
    assert [f.position for f in failures] == [expected.index(None)]
    assert {f.code for f in failures} == {ErrorCode.CAST_FAILED}


def test_dayfirst_false_reads_dotted_dates_month_first_and_says_so_when_they_cannot_be() -> None:
    values, failures = _dates(["03.04.2024", "25.03.2024"], dayfirst=False)
    assert values == ["2024-03-04", None]
    assert failures[0].message == (
        "expected a date (cast: date, dayfirst: false), got '25.03.2024', which is no day read as "
        "month/day/year; fix the value, or the column's dayfirst in the mapping"
    )


def test_a_format_reads_times_and_spelt_months_and_names_itself_when_a_value_does_not_match() -> None:
    values, failures = _dates(["25 Mar 2024 14:03", "4 Apr 2024", "2024-04-05"], date_format="%d %b %Y")
    assert values == ["2024-03-25", "2024-04-04", None]
    assert failures == [
        CastFailure(
            2,
            "expected a date written as '%d %b %Y' (cast: date, format), got '2024-04-05'; fix the value, "
            "or the column's format in the mapping",
        )
    ]
    values, _ = _dates(["3/4/24"], date_format="%m/%d/%y")
    assert values == ["2024-03-04"]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("31/02/2024", "a day that does not exist"),
        ("2/30/2024", "a day that does not exist"),
        ("31.02.2023", "a day that does not exist"),
        ("13/13/2024", "a day that does not exist"),
        ("0/5/2024", "a day that does not exist"),
        ("2024-02-30", "a day that does not exist"),
        ("3/4/24", "four-digit year"),
        ("03.04.24 10:00", "four-digit year"),
        ("3/4/2024 soon", "YYYY-MM-DD"),
    ],
)
def test_impossible_dates_and_two_digit_years_stay_cast_failed(cell: str, problem: str) -> None:
    values, [failure] = _dates([cell, "3/14/2024"])
    assert values[0] is None
    assert failure.code is ErrorCode.CAST_FAILED
    assert problem in failure.message


def test_an_impossible_date_still_proves_its_column_month_first() -> None:
    values, failures = _dates(["2/30/2024", "3/4/2024"])
    assert values == [None, "2024-03-04"]
    assert [f.position for f in failures] == [0]


def test_a_date_column_is_read_once_per_distinct_value_and_every_row_reported() -> None:
    frame = pd.DataFrame(
        {"bulk_row": [2, 3, 4, 5, 6], "Created": ["25/03/2024", "03/04/2024", "03/25/2024", "", "03/04/2024"]}
    )
    mapped = Mapping({"data.created": {"column": "Created", "cast": "date"}}).apply(frame)
    assert mapped.targets["data.created"].tolist() == ["2024-03-25", None, "2024-03-25", None, None]
    errors = mapped.errors.to_dict("records")
    assert [e["bulk_row"] for e in errors] == [3, 6]
    assert {(e["code"], e["column"], e["field"], e["value"]) for e in errors} == {
        ("ambiguous_date_convention", "Created", "data.created", "03/04/2024")
    }
    assert errors[0]["message"].startswith("column 'Created' has both 25/03/2024 (day first)")


def test_the_mapping_passes_dayfirst_and_format_to_the_cast() -> None:
    frame = pd.DataFrame({"Signup": ["03/04/2024", "03/25/2024"]})
    spec = {"data.signup": {"column": "Signup", "cast": "date", "dayfirst": False}}
    assert Mapping(spec).apply(frame).targets["data.signup"].tolist() == ["2024-03-04", "2024-03-25"]
    spec = {"data.signup": {"column": "Signup", "cast": "date", "format": "%d/%m/%Y"}}
    mapped = Mapping(spec).apply(frame)
    assert mapped.targets["data.signup"].tolist() == ["2024-04-03", None]
    assert mapped.errors["code"].tolist() == ["cast_failed"]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"column": "D", "cast": "date", "dayfirst": "yes"}, ["dayfirst must be true or false"]),
        ({"column": "D", "dayfirst": True}, ["dayfirst is for dates", "add cast: date"]),
        ({"column": "D", "cast": "int", "format": "%d"}, ["format is for dates", "add cast: date"]),
        ({"column": "D", "cast": "date", "format": "%d/%m"}, ["does not read a whole date", "%d/%m/%Y"]),
        ({"column": "D", "cast": "date", "format": "%Q"}, ["does not read a whole date"]),
        ({"column": "D", "cast": "date", "format": 5}, ["does not read a whole date"]),
        (
            {"column": "D", "cast": "date", "format": "%d/%m/%Y", "dayfirst": True},
            ["dayfirst or format, not both"],
        ),
    ],
)
def test_date_options_that_cannot_work_are_mapping_errors(source: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(MappingError) as error:
        Mapping({"data.d": source})
    for word in words:
        assert word in str(error.value)
    assert "'data.d'" in str(error.value)
