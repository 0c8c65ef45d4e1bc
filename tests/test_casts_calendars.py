"""Dates as JavaScript, Greek and Cyrillic write them, and years of other calendars refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping
from bulkprep.casts import Cast, DateOptions, convert
from bulkprep.status import ROW_KEY


def cast_dates(cells: list[str], **options: object) -> tuple[list[object], dict[int, str]]:
    values, failures = convert(np.array(cells, dtype=object), Cast.DATE, **options)  # type: ignore[arg-type]
    return values.tolist(), {failure.position: failure.message for failure in failures}


def test_javascript_date_to_string_reads_its_own_date() -> None:
    cells = [
        "Tue Mar 05 2024 14:22:10 GMT+0100 (Central European Standard Time)",
        "Wed Mar 06 2024 09:00:00 GMT-0800 (Pacific Standard Time)",
        "Thu Mar 07 2024 00:00:00 GMT+0530",
    ]
    assert cast_dates(cells) == (["2024-03-05", "2024-03-06", "2024-03-07"], {})


@pytest.mark.parametrize(
    "text", ["5 Μαρτίου 1990", "5 ΜΑΡΤΊΟΥ 1990", "5 марта 1990", "5 березня 1990", "5 март 1990"]
)
def test_greek_and_cyrillic_month_names_in_their_genitive_and_nominative_forms(text: str) -> None:
    assert cast_dates([text]) == (["1990-03-05"], {})


@pytest.mark.parametrize(
    ("text", "calendar"),
    [
        ("05/03/2567", "the Thai Buddhist Era (BE 2567 is 2024)"),
        ("2567-03-05", "the Thai Buddhist Era (BE 2567 is 2024)"),
        ("5 Mar 2567", "the Thai Buddhist Era (BE 2567 is 2024)"),
        ("1445/09/05", "the Hijri calendar (AH 1445 is about 2024)"),
        ("1402-01-15", "the Hijri calendar (AH 1402 is about 1981) or the Persian one (1402 is 2023)"),
        ("113/03/11", "Taiwan's ROC (Minguo) calendar (year 113 is 2024)"),
        ("1700-01-01", "another calendar, or a typing mistake"),
    ],
)
def test_a_year_no_user_has_is_refused_with_the_calendar_it_likely_is(text: str, calendar: str) -> None:
    values, failures = cast_dates([text, "2024-03-05"])
    assert values == [None, "2024-03-05"]
    assert failures[0].startswith(f"expected a date (cast: date), got {text!r}: the year ")
    assert f"looks like {calendar}, not a Gregorian year from 1800 to 2200" in failures[0]
    assert failures[0].endswith(
        "write the date in the Gregorian calendar as YYYY-MM-DD, or give the column a format if the year is "
        "meant as written"
    )


def test_a_format_reads_the_year_as_written() -> None:
    assert cast_dates(["05/03/2567"], dates=DateOptions(date_format="%d/%m/%Y")) == (["2567-03-05"], {})


def test_years_in_range_are_kept_at_both_ends() -> None:
    assert cast_dates(["1800-01-01", "2200-12-31"]) == (["1800-01-01", "2200-12-31"], {})


def test_a_refused_calendar_year_is_a_cast_failed_row() -> None:
    frame = pd.DataFrame({"Created": ["05/03/2567", "25/03/2024"]})
    mapped = Mapping({"data.created": {"column": "Created", "cast": "date"}}).apply(frame)
    assert mapped.targets["data.created"].tolist() == [None, "2024-03-25"]
    assert mapped.errors[[ROW_KEY, "code"]].to_dict("records") == [{ROW_KEY: 0, "code": "cast_failed"}]
