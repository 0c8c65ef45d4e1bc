"""Strict JSON: every value becomes plain data that orjson writes and any JSON reader reads back."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.jsonsafe import MAX_DEPTH, MISSING, clean, dumps, is_missing, text_depth, unsendable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, MISSING),
        (float("nan"), MISSING),
        (np.float32("nan"), MISSING),
        (pd.NA, MISSING),
        (pd.NaT, MISSING),
        (np.datetime64("NaT"), MISSING),
        (float("inf"), MISSING),
        (Decimal("NaN"), MISSING),
        (Decimal("sNaN"), MISSING),
        (Decimal("-Infinity"), MISSING),
        ("text", "text"),
        (np.str_("numpy text"), "numpy text"),
        ("bad \ud800 surrogate", "bad \ufffd surrogate"),
        (b"caf\xc3\xa9", "café"),
        (True, True),
        (np.bool_(False), False),
        (np.int64(7), 7),
        (2**63 - 1, 2**63 - 1),
        (2**64, str(2**64)),
        (-(2**63) - 1, str(-(2**63) - 1)),
        (np.float32(1.5), 1.5),
        (Decimal("2.50"), 2.5),
        (Decimal("10"), 10),
        (Decimal("1E+400"), "1" + "0" * 400),
        (Decimal("1E-400"), "1E-400"),
        (pd.Timestamp("2024-01-02 03:04:05", tz="UTC"), "2024-01-02T03:04:05+00:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (np.datetime64("2024-01-02"), "2024-01-02T00:00:00"),
        (pd.Timedelta(minutes=90), "P0DT1H30M0S"),
        ({"a": None, "b": {"c": np.nan}, 3: 1}, {"b": {}, "3": 1}),
        ([1, None, float("nan"), (2,)], [1, None, None, [2]]),
        (np.array([1, 2]), [1, 2]),
    ],
)
def test_clean(value: Any, expected: Any) -> None:
    assert clean(value) == expected if expected is not MISSING else clean(value) is MISSING


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT, MISSING, np.datetime64("NaT")])
def test_is_missing(value: Any) -> None:
    assert is_missing(value)


@pytest.mark.parametrize("value", [0, "", False, "nan", [], {}])
def test_is_not_missing(value: Any) -> None:
    assert not is_missing(value)


ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text()
    | st.datetimes()
    | st.integers(-(2**63), 2**63 - 1).map(np.int64),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(map(_finite, value))
    if isinstance(value, dict):
        return all(map(_finite, value.values()))
    return True


@settings(max_examples=80, deadline=None)
@given(ANYTHING)
def test_anything_cleaned_is_strict_json(value: Any) -> None:
    cleaned = clean(value)
    if cleaned is MISSING:
        return
    text = dumps(cleaned)
    assert json.loads(text) == cleaned
    assert _finite(cleaned)
    assert clean(cleaned) == cleaned  # cleaning is idempotent


def _depth(value: Any) -> int:
    """The nesting depth of lists and dicts, the plain recursive way (small values only)."""
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\,: ab\u00e9'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\ a', max_size=4), inner)
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(JSON_DATA)
def test_text_depth_is_the_depth_of_the_parsed_value(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert text_depth(text) == _depth(value)
    assert (unsendable(value) is None) == (_depth(value) <= MAX_DEPTH)


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 200_000])
def test_depth_is_told_without_recursion(depth: int) -> None:
    deep: Any = []
    for _ in range(depth - 1):
        deep = [deep]
    assert text_depth("[" * depth + "]" * depth) == depth
    assert (unsendable(deep) is None) == (depth <= MAX_DEPTH)


@pytest.mark.parametrize(
    "value", [float("inf"), -float("inf"), np.float64("inf"), Decimal("Infinity"), {"a": [1, float("-inf")]}]
)
def test_infinite_numbers_cannot_be_sent(value: Any) -> None:
    assert unsendable(value) == "it holds a number too large for JSON (it reads as infinity)"
    assert unsendable(float("nan")) is None  # missing, left out by clean
