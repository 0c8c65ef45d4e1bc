"""Casts: each conversion, once per distinct value, and the message of every value that fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bulkprep.casts import Cast, convert
from bulkprep.mapping import Mapping

CASTS = [
    ("int", "42", 42),
    ("int", " 7 ", 7),
    ("int", "3.0", 3),
    ("int", "-4", -4),
    ("int", 12, 12),
    ("int", "3.5", "round it"),
    ("int", "1,234", "no separators"),
    ("int", "2.02555E+09", "scientific notation"),
    ("int", "12345678901234567890", "too large"),
    ("int", True, "cast: bool"),
    ("float", "3.5", 3.5),
    ("float", "-0.25", -0.25),
    ("float", "1e3", 1000.0),
    ("float", "inf", "finite"),
    ("float", "3,5", "dot for decimals"),
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
    assert failures == [(0, SCIENTIFIC_MESSAGE.format(text))]


@pytest.mark.parametrize("text", ["2,02555E+09", " 2,02555E+09 "])
def test_float_refuses_a_comma_decimal_in_scientific_notation_as_before(text: str) -> None:
    values, failures = convert(np.array([text], dtype=object), Cast.FLOAT)
    assert values.tolist() == [None]
    assert failures == [
        (
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
