"""The results file is written a block of rows at a time and its JSON cells column-wise: the same bytes.

``write_results_csv`` holds the text of one block of rows at a time (``_CELLS_AT_ONCE`` cells) and
writes the plain JSON cells (users, lists) with orjson straight away, the others through
``jsonsafe.clean``. These tests compare the file with the one written in a single block (the
constant set so that every row is a block of its own, or all rows one block), and the JSON cells
with what the cell-by-cell writer gives.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import csvsafe
from bulkprep.csvsafe import write_results_csv


class Plan(enum.Enum):
    PRO = "pro"


class Tier(enum.StrEnum):
    GOLD = "gold"


class Level(enum.IntEnum):
    HIGH = 3


ODD_CELLS: list[Any] = [
    {"profile": {"email": "a@b.co", "phone_number": "+12025550125"}, "data": {"n": 1, "x": 2.5}},
    {"data": {"note": "x;=cmd|' /C calc'!A0"}},
    {"data": {"none": None}},  # clean leaves a None out of a dict
    [1, None, "a"],  # and keeps it in a list
    {"data": {"nan": float("nan"), "inf": math.inf, "ok": True}},
    {"data": {"big": 2**70, "small": -(2**63), "neg": -(2**64)}},
    {"data": {"np": np.int64(3), "f32": np.float32(1.5), "f64": np.float64(2.25)}},
    {"data": {"when": dt.datetime(2024, 1, 2, 3, 4), "day": dt.date(2024, 1, 2)}},
    {"data": {"plan": Plan.PRO, "tier": Tier.GOLD, "level": Level.HIGH}},
    {"data": {"lone": "a\ud800b", "zoë": "日本"}},
    {1: "int key", "b": 2},
    ("a", "tuple"),
    OrderedDict([("z", 1), ("a", 2)]),
    {"nested": [[[{"deep": "x"}]]], "empty": {}, "list": []},
    {},
    [],
    {"ts": pd.Timestamp("2024-01-02"), "na": pd.NA},
    "plain text",
    None,
    7,
    {"tab": "a\tb", "semi": "x; -1", "quote": 'say "hi"'},
    {"data": {"said": "null", "also": ["null", "a:null"], "none": None}},  # text null, a null value
    {"data": {"said": "null", "list": ["[null", ",null"]}},
]


def _one_at_a_time(values: list[Any]) -> list[Any]:
    return [csvsafe._json_cell(value) for value in values]


def _series(values: list[Any]) -> pd.Series:
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    return pd.Series(cells, dtype=object)


def test_json_cells_are_those_of_the_cell_by_cell_writer() -> None:
    column = _series(ODD_CELLS)
    assert csvsafe._json_cells(column).tolist() == _one_at_a_time(ODD_CELLS)


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**66), max_value=2**66),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\ud800", ";", "=", "\t"]), max_size=8),
    st.sampled_from(["null", "a:null", "[null]", ",null", "Null"]),  # the word, not a null value
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(JSON_VALUES, min_size=1, max_size=20))
def test_any_json_like_cells_are_written_as_one_at_a_time(values: list[Any]) -> None:
    column = _series(values)
    assert csvsafe._json_cells(column).tolist() == _one_at_a_time(values)


def _frame(rows: int) -> pd.DataFrame:
    users = [{"profile": {"email": f"u{i}@example.com"}, "data": {"i": i, "note": "=x" if i % 7 else None}}
             for i in range(rows)]  # fmt: skip
    return pd.DataFrame(
        {
            "bulk_row": np.arange(rows) - 3,  # negative first cells are guarded at a line's start
            "name": pd.Series([f"=n{i}" if i % 3 else f"Ann;+{i}" for i in range(rows)], dtype="str"),
            "plain": pd.Series([f"p{i}" if i % 5 else None for i in range(rows)], dtype=object),
            "score": np.where(np.arange(rows) % 4 == 0, -1.5, np.arange(rows) / 3),
            "count": pd.array([None if i % 6 == 0 else -i for i in range(rows)], dtype="Int64"),
            # Midnight on every row but one, and whole days but one: one format for the whole column.
            "when": pd.to_datetime(["2024-01-02"] * (rows - 1) + ["2024-01-03 10:30"], format="ISO8601"),
            "took": pd.to_timedelta(["-1 days"] * (rows - 1) + ["2 hours"]),
            "bulk_user": _series(users),
        }
    )


@pytest.mark.parametrize("cells_at_once", [1, 17, 1 << 20])
def test_a_file_written_a_block_at_a_time_is_the_file_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cells_at_once: int
) -> None:
    frame = _frame(60)
    whole = write_results_csv(frame, tmp_path / "whole.csv").read_bytes()
    monkeypatch.setattr(csvsafe, "_CELLS_AT_ONCE", cells_at_once)
    blocks = write_results_csv(frame, tmp_path / "blocks.csv").read_bytes()
    assert blocks == whole
    assert whole.startswith("\ufeffbulk_row,".encode())  # one byte order mark, before the header
    assert whole.count(b"\xef\xbb\xbf") == 1
    assert whole.count(b"bulk_row,name") == 1
    text = whole.decode("utf-8-sig")
    assert "\r\n'-3," in text  # the first cell of a line, guarded
    assert ",2024-01-02 00:00:00," in text  # the column's own format, in every block
    assert ",'-1 days +00:00:00," in text


def test_an_empty_frame_is_its_header_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvsafe, "_CELLS_AT_ONCE", 1)
    written = write_results_csv(_frame(5).iloc[:0], tmp_path / "empty.csv")
    assert (
        written.read_bytes().decode("utf-8-sig") == "bulk_row,name,plain,score,count,when,took,bulk_user\r\n"
    )


def test_long_arrow_columns_are_guarded_as_their_text_objects(tmp_path: Path) -> None:
    cells = ["=1+1", "Ann", "a;-1", "x\n@y", "+44 20", "-12.5", "plain", None] * 250  # Arrow's own pass
    frames = {
        kind: pd.DataFrame({"a": pd.Series(cells, dtype=kind), "b": pd.Series(cells[::-1], dtype=kind)})
        for kind in ("str", "object")
    }
    written = {
        kind: write_results_csv(frame, tmp_path / f"{kind}.csv").read_bytes()
        for kind, frame in frames.items()
    }
    assert written["str"] == written["object"]
    assert b"'=1+1" in written["str"]


TEXT_CELLS = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab ,;\"'\r\n\t=-+@é日\u2028\x00")), max_size=8),
    st.text(max_size=6),
    st.sampled_from([None, float("nan"), pd.NA, "", '"', ",", "\r", "\n", "\r\n", ' "a" ', "NaN"]),
)


def _pandas_lines(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, header=False, lineterminator="\r\n")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(TEXT_CELLS, TEXT_CELLS, st.integers(-(2**63), 2**63 - 1),
                       st.none() | st.integers(-9, 9)), min_size=1, max_size=30),
    st.sampled_from(["object", "str"]),
)  # fmt: skip
def test_arrow_lines_are_the_lines_pandas_writes(
    rows: list[tuple[Any, Any, int, Any]], text_dtype: str
) -> None:
    a, b, whole, maybe = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "a": _series(list(a)),
            "b": pd.Series([None if v is pd.NA else v for v in b], dtype=text_dtype) if text_dtype == "str"
            else _series(list(b)),
            "whole": np.array(whole, dtype=np.int64),
            "maybe": pd.array(list(maybe), dtype="Int64"),
        }
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvsafe, "_ARROW_AT_LEAST", 1)
        lines = csvsafe._csv_lines(frame)
    assert lines is not None
    assert b"".join(lines).decode() == _pandas_lines(frame)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1.5, 2.0]),  # fractions: pandas' own formatting
        pd.Series([True, False]),
        pd.Series([1, "a"], dtype=object),  # a number among text cells
        pd.Series(pd.to_datetime(["2024-01-02", "2024-01-03"])),
        pd.Series(["a\ud800", "b"], dtype=object),  # text no encoding writes
    ],
)
def test_arrow_lines_leave_other_columns_to_pandas(
    column: pd.Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvsafe, "_ARROW_AT_LEAST", 1)
    assert csvsafe._csv_lines(pd.DataFrame({"text": ["x", "y"], "other": column})) is None
    assert csvsafe._csv_lines(pd.DataFrame({"text": ["x", ""]})) is None  # one column: "" for an empty cell


def test_a_long_file_written_by_arrow_is_the_file_pandas_writes(tmp_path: Path) -> None:
    rows = 3 * csvsafe._ARROW_AT_LEAST
    frame = pd.DataFrame(
        {
            "bulk_row": np.arange(rows) - 3,
            "name": pd.Series([f'=n"{i},' if i % 3 else f"Ann;\r\n+{i}" for i in range(rows)], dtype="str"),
            "plain": pd.Series([f"p{i}" if i % 5 else None for i in range(rows)], dtype=object),
            "count": pd.array([None if i % 6 == 0 else -i for i in range(rows)], dtype="Int64"),
            "bulk_user": _series([{"profile": {"email": f"u{i}@example.com"}} for i in range(rows)]),
        }
    )
    fast = write_results_csv(frame, tmp_path / "fast.csv").read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvsafe, "_csv_lines", lambda block: None)
        slow = write_results_csv(frame, tmp_path / "slow.csv").read_bytes()
    assert fast == slow


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_long_file_in_another_encoding_is_the_file_pandas_writes(tmp_path: Path, encoding: str) -> None:
    rows = 2 * csvsafe._ARROW_AT_LEAST
    frame = pd.DataFrame({"id": np.arange(rows), "name": [f"Zoë, {i}" for i in range(rows)]})
    fast = write_results_csv(frame, tmp_path / "fast.csv", encoding=encoding).read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvsafe, "_csv_lines", lambda block: None)
        slow = write_results_csv(frame, tmp_path / "slow.csv", encoding=encoding).read_bytes()
    assert fast == slow
    assert fast.startswith(b"id,name\r\n0,")


NESTED_CELLS = [cell for cell in ODD_CELLS if isinstance(cell, dict | list | tuple)]


def test_a_long_column_of_nested_cells_is_written_as_one_at_a_time() -> None:
    # Every cell nested, enough of them for Arrow's pass; odd cells among plain ones redo their rows.
    plain = [
        {"profile": {"email": f"u{i}@example.com"}, "data": {"i": i, "tags": ["a", "b"]}} for i in range(999)
    ]
    for odd in NESTED_CELLS:
        values = [*plain[:500], odd, *plain[500:]]
        written = csvsafe._json_cells(_series(values)).tolist()
        assert written == _one_at_a_time(values), odd


NESTED_VALUES = st.lists(JSON_VALUES, max_size=3) | st.dictionaries(
    st.text(max_size=4), JSON_VALUES, max_size=3
)


@settings(max_examples=100, deadline=None)
@given(st.lists(NESTED_VALUES, min_size=1, max_size=20))
def test_nested_cells_by_arrow_are_written_as_one_at_a_time(values: list[Any]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvsafe, "_ARROW_AT_LEAST", 1)
        written = csvsafe._json_cells(_series(values)).tolist()
    assert written == _one_at_a_time(values)


def test_arrow_text_columns_are_written_as_their_text_objects(tmp_path: Path) -> None:
    # Arrow's text kept as Arrow's (first column included), users by Arrow: the bytes of object cells.
    rows = 3 * csvsafe._ARROW_AT_LEAST
    texts = ["-1", "=n", 'say "hi", ok', None, "a;+1", "Zoë", "", "x\r\ny", "plain"]
    users = [{"data": {"note": texts[i % len(texts)], "i": i}} for i in range(rows)]
    users[7] = {"data": {"nan": float("nan"), "semi": "x; =1"}}
    columns = {
        "first": [texts[i % len(texts)] for i in range(rows)],
        "name": [texts[(i * 7) % len(texts)] for i in range(rows)],
        "bulk_user": users,
    }
    frames = {
        kind: pd.DataFrame(
            {
                name: pd.Series(cells, dtype=kind if name != "bulk_user" else object)
                for name, cells in columns.items()
            }
        )
        for kind in ("str", "object")
    }
    written = {
        kind: write_results_csv(frame, tmp_path / f"{kind}.csv").read_bytes()
        for kind, frame in frames.items()
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvsafe, "_csv_lines", lambda block: None)
        slow = write_results_csv(frames["str"], tmp_path / "slow.csv").read_bytes()
    assert written["str"] == written["object"] == slow
    assert b"\r\n'-1," in written["str"]
    assert b"\\u003b" in written["str"]
