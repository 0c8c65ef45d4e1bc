"""The prepared chunks kept on disk come back exactly as they were written, payloads included."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.stream import spill


def _types(value: Any) -> Any:
    """The value's shape with every type named: equal shapes hold equal values of the same types."""
    if isinstance(value, dict):
        return (type(value).__name__, [(type(k).__name__, k, _types(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_types(item) for item in value])
    return (type(value).__name__, repr(value))


def _frame(users: list[Any]) -> pd.DataFrame:
    count = len(users)
    return pd.DataFrame(
        {
            "bulk_row": np.arange(2, count + 2, dtype="int64"),
            "email": pd.array([f"u{n}@example.com" if n % 3 else None for n in range(count)], dtype=object),
            "bulk_user": pd.Series(users, dtype=object),
            "bulk_status": ["ready"] * count,
            "bulk_duplicate_of": pd.array([None] * count, dtype="Int64"),
        }
    )


PLAIN = [
    {"recipient": "u1", "profile": {"email": "a@example.com", "phone_number": "+12025550125"}},
    None,
    {"recipient": "ü€𝄞", "data": {"n": 2**64 - 1, "m": -(2**63), "f": -0.0, "x": 1e-300, "b": True}},
    {"data": {"tags": ["a", "b", []], "nested": {"deep": [{"k": "null"}]}, "empty": {}}},
    {"data": {"text": '"quoted" \\ back, said null'}},
]


def _round_trip(value: Any, tmp_path: Path) -> Any:
    return spill.load(spill.dump(value, tmp_path / "chunk.pkl"))


def test_a_frame_of_plain_payloads_comes_back_equal_with_the_same_types(tmp_path: Path) -> None:
    frame = _frame(PLAIN * 3)
    back = _round_trip(frame, tmp_path)
    pd.testing.assert_frame_equal(back, frame)
    assert [_types(user) for user in back["bulk_user"]] == [_types(user) for user in frame["bulk_user"]]
    assert list(back.columns) == list(frame.columns)


def test_plain_payloads_are_written_as_json_not_as_pickled_dicts(tmp_path: Path) -> None:
    path = spill.dump(_frame(PLAIN), tmp_path / "chunk.pkl")
    assert b'{"recipient":"u1","profile":{"email":"a@example.com"' in path.read_bytes()


def test_text_that_looks_like_a_null_value_only_costs_the_pickled_path(tmp_path: Path) -> None:
    frame = _frame([*PLAIN, {"data": {"text": "a:null"}}])
    pd.testing.assert_frame_equal(_round_trip(frame, tmp_path), frame)


@pytest.mark.parametrize(
    "odd",
    [
        {"data": {"x": math.nan}},  # JSON would write null: pickled as it is
        {"data": {"x": math.inf}},
        {"data": {"x": [None, 1]}},  # a None in a list reads back as None, but is not told from NaN
        {"data": {"x": {1: "a"}}},  # a key that is not text
        {"data": {"x": 2**70}},
        {"data": {"x": {"a"}}},
    ],
)
def test_payloads_json_would_not_give_back_as_they_are_stay_pickled(
    odd: dict[str, Any], tmp_path: Path
) -> None:
    frame = _frame([*PLAIN, odd])
    back = _round_trip(frame, tmp_path)
    assert [_types(user) for user in back["bulk_user"]] == [_types(user) for user in frame["bulk_user"]]
    assert b'"recipient":"u1"' not in (tmp_path / "chunk.pkl").read_bytes()


class Named(dict[str, Any]):
    """A dict of another type: JSON would give back a plain dict."""


def test_a_dict_subclass_stays_what_it_was(tmp_path: Path) -> None:
    users = np.array([{"recipient": "u1"}, Named(recipient="u2")], dtype=object)
    back = _round_trip(users, tmp_path)
    assert type(back[1]) is Named
    assert [_types(user) for user in back] == [_types(user) for user in users]


def test_arrays_dicts_and_tuples_of_chunks_come_back_as_they_were(tmp_path: Path) -> None:
    payloads = np.array([*PLAIN, None], dtype=object)
    value = (
        {"payloads": payloads, "invalid": np.array([True, False]), "errors": _frame([])},
        _frame(PLAIN),
        ({2: "ready"}, {2: 1}, [{"bulk_row": 2, "code": "x"}]),
    )
    back = _round_trip(value, tmp_path)
    assert type(back) is tuple
    assert type(back[0]) is dict
    assert [_types(user) for user in back[0]["payloads"]] == [_types(user) for user in payloads]
    assert back[0]["payloads"].dtype == object
    assert back[0]["payloads"].shape == payloads.shape
    assert back[0]["invalid"].tolist() == [True, False]
    pd.testing.assert_frame_equal(back[1], _frame(PLAIN))
    assert back[2] == value[2]


def test_a_tuple_which_payloads_never_hold_would_come_back_a_list(tmp_path: Path) -> None:
    # jsonsafe.clean makes every sequence a list; JSON has arrays only.
    back = _round_trip(np.array([{"data": {"x": (1, 2)}}], dtype=object), tmp_path)
    assert back[0] == {"data": {"x": [1, 2]}}


def test_a_frame_without_payloads_or_with_none_only_is_kept_as_it_is(tmp_path: Path) -> None:
    for frame in (_frame([None, None]), _frame([]), pd.DataFrame({"a": [1]})):
        pd.testing.assert_frame_equal(_round_trip(frame, tmp_path), frame)


_TEXT = st.text(max_size=8)
_LEAF = st.one_of(
    _TEXT,
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
_JSON = st.recursive(
    _LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dictionaries(_TEXT, _JSON, max_size=5)), max_size=12))
def test_any_plain_payloads_come_back_with_their_values_and_types(users: list[Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        back = spill.load(spill.dump(np.array([*users, None], dtype=object)[:-1], Path(folder) / "c.pkl"))
    assert [_types(user) for user in back] == [_types(user) for user in users]
