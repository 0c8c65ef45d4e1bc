"""Dates written with month names under ``cast: date``, and dates whose time of day is dropped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.casts import Cast, DateOptions, convert, timed_dates
from bulkprep.report import ErrorCode

ROOT = Path(__file__).resolve().parent.parent


def _dates(*cells: object, options: DateOptions | None = None) -> tuple[list[object], list[str]]:
    values, failures = convert(np.array(cells, dtype=object), Cast.DATE, dates=options)
    return values.tolist(), [failure.message for failure in failures]


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("3 févr. 1990", "1990-02-03"),  # French, abbreviated with its dot
        ("14 mars 2024", "2024-03-14"),
        ("9 avril 2024", "2024-04-09"),
        ("17 juil. 1985", "1985-07-17"),
        ("25 DÉC. 1992", "1992-12-25"),
        ("1er mars 2024", "2024-03-01"),
        ("1. März 2024", "2024-03-01"),  # German
        ("3. Okt. 2024", "2024-10-03"),
        ("12 ene. 2024", "2024-01-12"),  # Spanish
        ("5 de marzo de 2024", "2024-03-05"),
        ("12 de março de 2024", "2024-03-12"),  # Portuguese
        ("3 Feb 1990", "1990-02-03"),  # English
        ("March 14, 2024", "2024-03-14"),
        ("Sept 3, 2024", "2024-09-03"),
        ("14th of March 2024", "2024-03-14"),
        ("14-Mar-2024", "2024-03-14"),
        ("2024-Mar-14", "2024-03-14"),
        ("Mon, 4 Mar 2024", "2024-03-04"),
        ("lun. 4 mars 2024", "2024-03-04"),
        ("14 maart 2024", "2024-03-14"),  # Dutch
        ("14 mrt 2024", "2024-03-14"),
        ("3 giugno 2024", "2024-06-03"),  # Italian
        ("3 giu 2024", "2024-06-03"),
        ("5 maj 2024", "2024-05-05"),  # Swedish, Danish, Polish
        ("7 lipca 2024", "2024-07-07"),  # Polish, genitive
        ("7 lipiec 2024", "2024-07-07"),
        ("2 ekim 2024", "2024-10-02"),  # Turkish
        ("4 lokakuuta 2024", "2024-10-04"),  # Finnish
        ("4 Mar 2024 10:30", "2024-03-04"),
    ],
)
def test_a_month_name_reads_in_its_language(cell: str, iso: str | None) -> None:
    values, failures = _dates(cell)
    assert values == [iso]
    assert bool(failures) is (iso is None)


def test_a_day_that_does_not_exist_fails_as_for_numeric_dates() -> None:
    values, failures = _dates("30 févr. 1990", "31 April 2024", "29 Feb 2024")
    assert values == [None, None, "2024-02-29"]
    assert failures == [
        "expected a date (cast: date), got '30 févr. 1990', a day that does not exist; fix the value",
        "expected a date (cast: date), got '31 April 2024', a day that does not exist; fix the value",
    ]


@pytest.mark.parametrize("cell", ["4 lis 2024", "4 listopad 2024", "4 listopada 2024", "4 srp 2024"])
def test_a_name_meaning_two_months_in_two_languages_is_refused(cell: str) -> None:
    values, failures = _dates(cell)
    assert values == [None]
    assert len(failures) == 1
    assert f"got {cell!r}" in failures[0]
    assert "October (hr)" in failures[0] or "July (hr)" in failures[0]
    assert "write the date as YYYY-MM-DD" in failures[0]


def test_the_ambiguous_month_names_the_cell_in_the_error_table() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "born": ["4 listopad 1990", "4 März 1990"]})
    mapping = Mapping({"recipient": "id", "data.born": {"column": "born", "cast": "date"}})
    mapped = mapping.apply(frame)
    assert mapped.targets["data.born"].tolist() == [None, "1990-03-04"]
    errors = mapped.errors
    assert errors[["bulk_row", "column", "code", "value"]].to_dict("records") == [
        {"bulk_row": 0, "column": "born", "code": ErrorCode.CAST_FAILED.value, "value": "4 listopad 1990"}
    ]


def test_month_names_do_not_decide_a_numeric_columns_convention() -> None:
    # A spelt date reads one way: 03/04/2024 beside it is still ambiguous, and fails.
    values, failures = _dates("14 mars 2024", "03/04/2024")
    assert values == ["2024-03-14", None]
    assert "ambiguous" in failures[0]


def test_a_partial_date_with_a_month_name_still_fails() -> None:
    values, failures = _dates("March 2019", "Mars 2019")
    assert values == [None, None]
    assert len(failures) == 2


def test_the_mapping_s_format_wins_over_month_names() -> None:
    values, failures = _dates("14 Mar 2024", options=DateOptions(date_format="%d/%m/%Y"))
    assert values == [None]
    assert "format" in failures[0]


def test_a_column_of_month_names_is_read_once_per_distinct_value() -> None:
    cells = ["3 févr. 1990", "14 mars 2024", None, ""] * 5_000
    values, failures = _dates(*cells)
    assert values[:4] == ["1990-02-03", "2024-03-14", None, None]
    assert values == values[:4] * 5_000
    assert failures == []


@pytest.mark.parametrize(
    ("cell", "timed"),
    [
        ("2021-05-01 08:15", True),
        ("2021-05-01T08:15:00Z", True),
        ("3/14/2024 2:03 PM", True),
        ("14.03.2024 14:03", True),
        ("4 Mar 2024 10:30", True),
        ("2021-05-01 00:00", False),
        ("2021-05-01 00:00:00.000", False),
        ("1/5/2024 12:00 AM", False),
        ("1/5/2024 12:00 PM", True),
        ("2021-05-01", False),
        (pd.Timestamp("2021-05-01 08:15"), True),
        (pd.Timestamp("2021-05-01"), False),
        (None, False),
        (3.5, False),
    ],
)
def test_timed_dates_tells_which_cells_give_a_time_of_day(cell: object, timed: bool) -> None:
    column = np.empty(1, dtype=object)
    column[0] = cell
    assert timed_dates(column).tolist() == [timed]


def test_a_dropped_time_of_day_is_listed_in_changes_never_silently() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "since": [
                "2021-05-01 08:15",
                "2021-05-02 00:00",
                "2021-05-03",
                "14 mars 2024 10:30",
                "0000-00-00",
            ],
        }
    )
    prepared = prepare(frame, Mapping({"recipient": "id", "data.since": {"column": "since", "cast": "date"}}))
    assert prepared.df["bulk_status"].tolist() == ["ready"] * 5
    sent = [user.get("data", {}).get("since") for user in prepared.df["bulk_user"]]
    assert sent == ["2021-05-01", "2021-05-02", "2021-05-03", "2024-03-14", None]
    changes = prepared.changes[["bulk_row", "field", "column", "original", "normalized"]]
    assert changes.to_dict("records") == [
        {
            "bulk_row": 0,
            "field": "data.since",
            "column": "since",
            "original": "2021-05-01 08:15",
            "normalized": "2021-05-01",
        },
        {
            "bulk_row": 3,
            "field": "data.since",
            "column": "since",
            "original": "14 mars 2024 10:30",
            "normalized": "2024-03-14",
        },
        {
            "bulk_row": 4,
            "field": "data.since",
            "column": "since",
            "original": "0000-00-00",
            "normalized": None,
        },
    ]


def test_a_failed_date_with_a_time_is_an_error_not_a_change() -> None:
    frame = pd.DataFrame({"id": ["a"], "since": ["31/02/2024 10:00"]})
    prepared = prepare(frame, Mapping({"recipient": "id", "data.since": {"column": "since", "cast": "date"}}))
    assert prepared.changes.empty
    assert prepared.errors["code"].tolist() == [ErrorCode.CAST_FAILED.value]


def test_generated_month_table_is_what_the_script_writes() -> None:
    script = ROOT / "scripts" / "make_month_names.py"
    completed = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("cell", "iso"),
    [("2024. 03. 04.", "2024-03-04"), ("2024. 3. 4.", "2024-03-04"), ("2024. 12. 01. 14:03", "2024-12-01")],
)
def test_a_year_first_date_as_hungary_writes_it_is_year_month_day(cell: str, iso: str) -> None:
    assert _dates(cell) == ([iso], [])


def test_a_year_first_date_of_a_day_that_does_not_exist_is_refused() -> None:
    values, failures = _dates("2024. 02. 30.")
    assert values == [None]
    assert "does not exist" in failures[0]
