"""Partial dates (month and year, a year alone, a day and month) fail a date cast, never a year 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bulkprep.casts import Cast, DateOptions, convert
from bulkprep.mapping import Mapping
from bulkprep.report import ErrorCode
from bulkprep.suggest import frame_suggestion


@pytest.mark.parametrize(
    ("cell", "missing"),
    [
        ("01.2019", "a day is missing"),
        ("09.2019", "a day is missing"),
        ("10.2019", "a day is missing"),
        ("12/2020", "a day is missing"),
        ("2019-01", "a day is missing"),
        ("2019/11", "a day is missing"),
        ("March 2019", "a day is missing"),
        ("Mar 2019", "a day is missing"),
        ("2019", "a day and a month are missing"),
        ("March 5", "a four-digit year is missing"),
    ],
)
@pytest.mark.parametrize("dayfirst", [None, True, False])
def test_a_partial_date_fails_naming_what_is_missing(cell: str, missing: str, dayfirst: bool | None) -> None:
    values, failures = convert(
        np.array([cell], dtype=object), Cast.DATE, dates=DateOptions(dayfirst=dayfirst)
    )
    assert values.tolist() == [None]
    assert [f.code for f in failures] == [ErrorCode.CAST_FAILED]
    assert missing in failures[0].message
    assert repr(cell) in failures[0].message


def test_whole_dates_beside_partial_ones_still_read() -> None:
    column = np.array(
        ["01.2019", "15.03.2019", "31 Mar 2024", "Tuesday, March 5, 2024", "2024-03-31"], dtype=object
    )
    values, failures = convert(column, Cast.DATE)
    assert values.tolist() == [None, "2019-03-15", "2024-03-31", "2024-03-05", "2024-03-31"]
    assert [f.position for f in failures] == [0]


def test_no_date_before_the_year_1000_is_ever_sent() -> None:
    column = np.array(
        [f"{month:02d}.{year}" for year in (2019, 2020) for month in range(1, 13)], dtype=object
    )
    values, failures = convert(column, Cast.DATE)
    assert values.tolist() == [None] * len(column)
    assert len(failures) == len(column)


def test_a_mapping_with_a_month_year_column_gives_cast_failed_rows() -> None:
    frame = pd.DataFrame(
        {"Email": ["a@example.com", "b@example.com"], "Kunde seit": ["01.2019", "02.03.2019"]}
    )
    mapping = Mapping.from_dict(
        {"profile": {"email": "Email"}, "data": {"since": {"column": "Kunde seit", "cast": "date"}}}
    )
    mapped = mapping.apply(frame)
    assert mapped.targets["data.since"].tolist() == [None, "2019-03-02"]
    assert mapped.errors["code"].tolist() == [ErrorCode.CAST_FAILED.value]


def test_suggest_does_not_cast_a_month_year_column() -> None:
    months = [f"{month:02d}.2019" for month in range(1, 13)]
    frame = pd.DataFrame(
        {
            "E-Mail": [f"u{i}@example.com" for i in range(12)],
            "Kunde seit": [*months[:11], "2019-12-01"],  # one whole date does not make the column dates
            "Geburtsdatum": [f"{day:02d}.03.1990" for day in range(1, 13)],
        }
    )
    spec = frame_suggestion(frame).spec
    assert spec["data.kunde_seit"] == "Kunde seit"
    assert spec["data.geburtsdatum"] == {"column": "Geburtsdatum", "cast": "date"}
