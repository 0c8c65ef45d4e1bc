"""Mapping: specs and files, suggestions, casts, missing columns, and payloads that are strict JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkprep.casts import Cast
from bulkprep.errors import InputError, MappingError
from bulkprep.mapping import ColumnSource, ConstSource, Mapping
from bulkprep.payloads import build_payloads

NESTED = {
    "recipient": "user_id",
    "profile": {"email": "Email", "phone_number": "Phone"},
    "data": {"first_name": "First Name", "age": {"column": "Age", "cast": "int"}, "src": {"const": "spring"}},
    "to": {"user_id": "user_id"},
}
DOTTED = {
    "recipient": "user_id",
    "profile.email": "Email",
    "profile.phone_number": "Phone",
    "data.first_name": "First Name",
    "data.age": {"column": "Age", "cast": "int"},
    "data.src": {"const": "spring"},
    "to.user_id": "user_id",
}


# -- specs and files ---------------------------------------------------------------------------------


def test_nested_and_dotted_forms_are_the_same_mapping() -> None:
    assert Mapping(NESTED) == Mapping(DOTTED)
    assert Mapping(NESTED).to_dict() == NESTED
    assert Mapping(DOTTED).sources["data.age"] == ColumnSource("Age", Cast.INT)
    assert Mapping(DOTTED).sources["data.src"] == ConstSource("spring")


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
@pytest.mark.parametrize(
    "spec",
    [
        NESTED,
        # an object source with fields under it, and fields named like source keys
        {"data": {"column": "Extra", "cast": "json"}, "data.plan": "Plan", "data.column": "C"},
        {"preferences.categories.news.status": "News", "to.context.tenant_id": {"const": "acme"}},
        {"data.prefs": {"const": {"a": [1, 2], "b": True}}},
    ],
)
def test_save_and_load_round_trip(tmp_path: Path, suffix: str, spec: dict[str, Any]) -> None:
    mapping = Mapping(spec)
    file = tmp_path / f"mapping{suffix}"
    mapping.save(file)
    assert Mapping.load(file) == mapping
    assert Mapping(mapping.to_dict()) == mapping


def test_loads_the_designs_yaml_example(tmp_path: Path) -> None:
    file = tmp_path / "m.yaml"
    file.write_text(
        "recipient: user_id\nprofile:\n  email: Email\n  phone_number: Phone\n"
        "data:\n  first_name: First Name\n  plan: Plan\nto:\n  user_id: user_id\n",
        encoding="utf-8",
    )
    mapping = Mapping.load(file)
    assert mapping.targets == (
        "recipient",
        "profile.email",
        "profile.phone_number",
        "data.first_name",
        "data.plan",
        "to.user_id",
    )
    assert mapping.column_of("data.first_name") == "First Name"
    assert mapping.column_of("data.nothing") is None


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"email": "Email"}, ["'email'", "recipient, profile, data, to, preferences"]),
        ({"to": {"user_ip": "id"}}, ["'to.user_ip'", "user_id"]),
        ({"recipient.id": "id"}, ["'recipient.id'", "no fields"]),
        ({"preferences.news": "N"}, ["'preferences.news'", "categories"]),
        ({"preferences.categories.news.state": "N"}, ["'preferences.categories.news.state'", "status"]),
        ({"data": "Extra"}, ["'data'", "cast: json"]),
        ({"data.age": {"column": "Age", "cast": "integer"}}, ["'data.age'", "int, float, bool"]),
        ({"data.year": {"column": 2024}}, ["'data.year'", "quotes"]),
        ({"data.x": {"const": None}}, ["'data.x'", "remove"]),
        ({"data.x": None}, ["'data.x'", "name a column"]),
        ({"data..x": "X"}, ["'data..x'", "empty"]),
        ({"data": {"x": "X"}, "data.x": "Y"}, ["'data.x'", "twice"]),
    ],
)
def test_bad_specs_are_refused_naming_the_target(spec: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(MappingError) as caught:
        Mapping(spec)
    for word in words:
        assert word in str(caught.value)


def test_load_reports_a_bad_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"\.yaml, \.yml or \.json"):
        Mapping.load(tmp_path / "mapping.txt")
    with pytest.raises(MappingError, match="cannot read"):
        Mapping.load(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.json"
    broken.write_text("{recipient: ", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid JSON"):
        Mapping.load(broken)


def test_repr_is_readable() -> None:
    text = repr(Mapping(DOTTED))
    assert text.startswith("Mapping(recipient <- 'user_id'")
    assert "data.age <- 'Age' as int" in text
    assert "data.src = 'spring'" in text


# -- suggestions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Email", "profile.email"),
        ("E-mail Address", "profile.email"),
        ("email_address", "profile.email"),
        ("  EMAIL  ", "profile.email"),
        ("Mail", "profile.email"),
        ("Phone", "profile.phone_number"),
        ("Mobile", "profile.phone_number"),
        ("Cell", "profile.phone_number"),
        ("Phone Number", "profile.phone_number"),
        ("Tel.", "profile.phone_number"),
        ("User ID", "recipient"),
        ("user_id", "recipient"),
        ("id", "recipient"),
        ("Customer ID", "recipient"),
        ("External-ID", "recipient"),
        ("First Name", "data.first_name"),
        ("Last Name", "data.last_name"),
        ("Company", "data.company"),
        ("Plan", "data.plan"),
        ("Locale", "data.locale"),
        ("signupDate", "data.signup_date"),
        ("Prénom", "data.prénom"),
    ],
)
def test_suggest_recognises_real_world_headers(header: str, target: str) -> None:
    mapping = Mapping.suggest(pd.DataFrame(columns=[header]))
    assert mapping.column_of(target) == header


def test_suggest_feeds_both_user_ids_prefers_better_spellings_and_is_deterministic() -> None:
    frame = pd.DataFrame(
        columns=["bulk_row", "id", "User ID", "Mail", "Email", "First Name", "first_name", "!!"]
    )
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("recipient") == mapping.column_of("to.user_id") == "User ID"
    assert mapping.column_of("profile.email") == "Email"
    assert mapping.column_of("data.mail") == "Mail"
    assert mapping.column_of("data.id") == "id"
    assert mapping.column_of("data.first_name") == "First Name"
    assert mapping.column_of("data.first_name_2") == "first_name"
    assert mapping.column_of("data.column_7") == "!!"  # numbered as in the file, bulk_row aside
    assert "bulk_row" not in mapping.columns
    assert Mapping.suggest(frame) == mapping


# -- apply: columns, constants, casts ------------------------------------------------------------------


def test_missing_column_names_the_closest_one() -> None:
    frame = pd.DataFrame(columns=["Email", "Phone", "First Name"])
    with pytest.raises(MappingError) as caught:
        Mapping({"profile.email": "Email ", "data.first": "Frist Name", "data.x": "Zzzzz"}).apply(frame)
    message = str(caught.value)
    assert "column 'Email ' not found; did you mean 'Email'?" in message
    assert "column 'Frist Name' not found; did you mean 'First Name'?" in message
    assert "column 'Zzzzz' not found; the frame has 'Email', 'Phone', 'First Name'" in message


def test_apply_keys_rows_by_bulk_row_keeps_text_as_written_and_blanks_missing() -> None:
    frame = pd.DataFrame(
        {"bulk_row": [2, 5, 9], "Name": ["  Ann ", "", "   "], "Email": ["A@X.io ", None, "b@y"]}
    )
    mapped = Mapping({"data.name": "Name", "profile.email": "Email", "data.src": {"const": "x"}}).apply(frame)
    assert list(mapped.targets.index) == [2, 5, 9]
    assert mapped.targets.index.name == "bulk_row"
    assert mapped.targets["data.name"].tolist() == ["  Ann ", None, None]
    assert mapped.targets["profile.email"].tolist() == ["A@X.io ", None, "b@y"]
    assert mapped.targets["data.src"].tolist() == ["x", "x", "x"]
    assert mapped.errors.empty
    assert list(frame.columns) == ["bulk_row", "Name", "Email"]  # input untouched


def test_apply_without_bulk_row_uses_positions_and_refuses_repeated_keys() -> None:
    mapped = Mapping({"data.a": "A"}).apply(pd.DataFrame({"A": ["x", "y"]}))
    assert list(mapped.targets.index) == [0, 1]
    with pytest.raises(InputError, match="repeated: 3"):
        Mapping({"data.a": "A"}).apply(pd.DataFrame({"bulk_row": [3, 3], "A": ["x", "y"]}))


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
    for payload in payloads:
        assert isinstance(payload, dict)
        assert json.loads(orjson.dumps(payload)) == payload  # strict: no NaN or Infinity written
        for item in payload.values():
            _no_bad_values(item, top=True)


def test_payloads_convert_decimals_and_huge_numbers_exactly() -> None:
    targets = pd.DataFrame(
        {"data.a": [Decimal("2.50"), Decimal("10"), Decimal("1E+400"), 2**70]}, dtype=object
    )
    assert [p["data"]["a"] for p in build_payloads(targets)] == [2.5, 10, "1" + "0" * 400, str(2**70)]
