"""Payloads: targets nested into users that are strict JSON, whatever the frame holds."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import orjson
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkprep.mapping import Mapping
from bulkprep.payloads import build_payloads

# -- payloads ------------------------------------------------------------------------------------------


def test_payloads_nest_merge_and_leave_out_missing_values() -> None:
    targets = pd.DataFrame(
        {
            "recipient": ["u1", None, None],
            "profile.email": ["a@x.io", None, None],
            "data": [{"plan": "old", "n": {"x": 1}}, None, "not an object"],
            "data.plan": ["new", "p", None],
            "data.n.y": [2, None, None],
            "data.score": [np.float64(1.5), np.nan, np.inf],
            "data.when": [pd.Timestamp("2024-01-02"), pd.NaT, pd.NaT],
            "data.count": pd.array([3, None, 4], dtype="Int64"),
        },
        index=pd.Index([4, 6, 8], name="bulk_row"),
    )
    payloads = build_payloads(targets)
    assert list(payloads.index) == [4, 6, 8]
    assert payloads[4] == {
        "recipient": "u1",
        "profile": {"email": "a@x.io"},
        "data": {
            "plan": "new",
            "n": {"x": 1, "y": 2},
            "score": 1.5,
            "when": "2024-01-02T00:00:00",
            "count": 3,
        },
    }
    assert payloads[6] == {"data": {"plan": "p"}}
    assert payloads[8] == {"data": {"count": 4}}
    assert targets.loc[4, "data"] == {"plan": "old", "n": {"x": 1}}  # the input is not touched


def test_payloads_of_the_same_constant_are_separate_objects() -> None:
    mapped = Mapping({"data": {"const": {"a": {"b": 1}}}}).apply(pd.DataFrame({"x": [1, 2]}))
    first, second = build_payloads(mapped.targets)
    first["data"]["a"]["b"] = 99
    assert second == {"data": {"a": {"b": 1}}}


# Texts that only a missing value written out as text could produce; kept out of the input text.
MISSING_AS_TEXT = ("nan", "nat", "<na>", "none", "inf", "-inf", "null")

SCALARS = st.one_of(
    st.none(),
    st.just(np.nan),
    st.just(pd.NA),
    st.just(pd.NaT),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8).filter(lambda text: text.lower() not in MISSING_AS_TEXT),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.floats(width=32).map(np.float32),
    st.booleans().map(np.bool_),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
TARGET_NAMES = st.sampled_from(
    ["recipient", "profile.email", "data", "data.a", "data.a.b", "to.data", "to.user_id"]
)


@st.composite
def target_frames(draw: st.DrawFn) -> pd.DataFrame:
    names = draw(st.lists(TARGET_NAMES, min_size=1, max_size=5, unique=True))
    rows = draw(st.integers(min_value=0, max_value=6))
    columns: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(["object", "Int64", "float", "datetime"]))
        if kind == "Int64":
            columns[name] = pd.array(
                draw(st.lists(st.none() | st.integers(-9, 9), min_size=rows, max_size=rows)), "Int64"
            )
        elif kind == "float":
            columns[name] = np.array(
                draw(st.lists(st.floats(), min_size=rows, max_size=rows)), dtype="float64"
            )
        elif kind == "datetime":
            # within the range a nanosecond datetime column holds on every supported pandas
            moments = st.datetimes(min_value=dt.datetime(1678, 1, 1), max_value=dt.datetime(2262, 1, 1))
            stamps = draw(st.lists(st.none() | moments, min_size=rows, max_size=rows))
            columns[name] = pd.to_datetime(pd.Series(stamps, dtype=object))
        else:
            columns[name] = pd.Series(draw(st.lists(VALUES, min_size=rows, max_size=rows)), dtype=object)
    frame = pd.DataFrame({name: pd.Series(values) for name, values in columns.items()})
    frame.index = pd.Index(draw(st.permutations(range(rows))), dtype="int64", name="bulk_row")
    return frame


def _no_bad_values(value: Any, *, in_list: bool = False, top: bool = False) -> None:
    if isinstance(value, dict):
        # Objects the payload builds (profile, data, to...) are never empty; an empty object written
        # deeper inside a cell's own JSON is the cell's content and stays.
        assert value or not top, "empty objects are left out"
        for key, item in value.items():
            assert isinstance(key, str)
            assert item is not None, "missing values are left out, not sent as null"
            _no_bad_values(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and not item:
                continue  # an empty object written inside a list is the cell's own content
            _no_bad_values(item, in_list=True)
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, str):
        assert value.lower() not in MISSING_AS_TEXT
    else:
        assert (value is None and in_list) or isinstance(value, bool | int)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target_frames())
def test_payloads_are_strict_json_for_any_frame(targets: pd.DataFrame) -> None:
    payloads = build_payloads(targets)
    assert list(payloads.index) == list(targets.index)
    for row, payload in payloads.items():
        assert isinstance(payload, dict)
        assert json.loads(orjson.dumps(payload)) == payload  # strict: no NaN or Infinity written
        for key, item in payload.items():
            # {} written as such in a cell is that cell's value, sent like [] and ""
            written = key in targets.columns and _is_empty_object(targets.at[row, key])
            _no_bad_values(item, top=not written)


def _is_empty_object(cell: Any) -> bool:
    return isinstance(cell, dict) and not cell


def test_payloads_convert_decimals_and_huge_numbers_exactly() -> None:
    targets = pd.DataFrame(
        {"data.a": [Decimal("2.50"), Decimal("10"), Decimal("1E+400"), 2**70]}, dtype=object
    )
    assert [p["data"]["a"] for p in build_payloads(targets)] == [2.5, 10, "1" + "0" * 400, str(2**70)]
