"""prepare(): every local stage in one call, on real fixture files and on generated frames."""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkprep import ConfigurationError, InputError, Mapping, MappingError, prepare, read_csv
from bulkprep.prepare import with_row_keys
from bulkprep.status import BULK_COLUMNS, PREPARED_COLUMNS, KeepPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
FIXTURE_MAPPING = {
    "recipient": "user_id",
    "profile": {"email": "email", "phone_number": "phone"},
    "data": {"name": "name", "plan": "plan"},
}


def codes_by_row(result) -> dict[int, set[str]]:
    table = result.errors
    return {int(row): set(group["code"]) for row, group in table.groupby("bulk_row")}


# fixture -> {bulk_row: (status, codes)} for every row of the file
FIXTURE_OUTCOMES = {
    "users_utf8_comma_lf.csv": {
        2: ("ready", set()),
        3: ("invalid", {"excel_mangled_number"}),  # 2.02555E+09: digits lost in a spreadsheet
        4: ("invalid", {"invalid_phone"}),  # 020 7946 0959 read as a US number
        5: ("ready", set()),
        6: ("invalid", {"invalid_email"}),  # not-an-email; the phone "-" is a placeholder: empty
        7: ("ready", set()),
    },
    "users_utf8_bom_comma_crlf.csv": {2: ("ready", set()), 3: ("ready", set()), 4: ("ready", set())},
    "users_cp1252_semicolon_crlf.csv": {2: ("ready", set()), 3: ("ready", set()), 4: ("ready", set())},
    "users_latin1_pipe_lf.csv": {2: ("ready", set()), 3: ("ready", set()), 4: ("ready", set())},
    "users_pipe_cr.csv": {2: ("ready", set()), 3: ("ready", set()), 4: ("ready", set())},
    "users_utf16le_bom_tab_crlf.csv": {2: ("ready", set()), 3: ("ready", set()), 4: ("ready", set())},
    "users_utf16be_bom_comma_lf.csv": {2: ("ready", set()), 3: ("ready", set())},
    "blank_rows_semicolon.csv": {2: ("ready", set()), 5: ("ready", set()), 8: ("ready", set())},
    "ragged_rows.csv": {
        2: ("ready", set()),
        3: ("invalid", {"ragged_row"}),
        4: ("invalid", {"ragged_row"}),
        5: ("invalid", {"ragged_row"}),
        6: ("ready", set()),
    },
}


@pytest.mark.parametrize("name", sorted(FIXTURE_OUTCOMES))
def test_every_fixture_row_gets_its_status_and_reason(name: str) -> None:
    result = prepare(read_csv(FIXTURES / name), FIXTURE_MAPPING)
    expected = FIXTURE_OUTCOMES[name]
    assert result.df["bulk_row"].tolist() == list(expected)
    assert dict(zip(result.df["bulk_row"], result.df["bulk_status"], strict=True)) == {
        row: status for row, (status, _) in expected.items()
    }
    found = codes_by_row(result)
    assert {row: found.get(row, set()) for row in expected} == {
        row: codes for row, (_, codes) in expected.items()
    }
    for row, message in zip(result.df["bulk_row"], result.df["bulk_error"], strict=True):
        if expected[row][0] == "invalid":
            assert isinstance(message, str)
            assert len(message) > 30  # says what is wrong and how to fix it
        else:
            assert pd.isna(message)


def test_the_default_region_decides_numbers_without_a_country_code() -> None:
    frame = read_csv(FIXTURES / "users_utf8_comma_lf.csv")
    as_us = prepare(frame, FIXTURE_MAPPING, region="US")
    as_gb = prepare(frame, FIXTURE_MAPPING, region="GB")
    row4 = as_us.df["bulk_row"] == 4
    assert as_us.df.loc[row4, "bulk_status"].item() == "invalid"
    assert as_gb.df.loc[row4, "bulk_status"].item() == "ready"
    assert as_gb.df.loc[row4, "bulk_user"].item()["profile"]["phone_number"] == "+442079460959"


def test_values_are_kept_exactly_and_changes_are_visible() -> None:
    result = prepare(read_csv(FIXTURES / "users_utf8_comma_lf.csv"), FIXTURE_MAPPING)
    first = result.df.iloc[0]
    assert first["user_id"] == "00042"  # the input column is untouched
    assert first["bulk_user"]["recipient"] == "00042"  # leading zeros survive into the payload
    assert first["bulk_user"]["profile"]["phone_number"] == "+442079460958"
    changed = result.changes.set_index(["bulk_row", "field"])
    assert changed.loc[(2, "profile.phone_number"), "original"] == "+44 20 7946 0958"
    assert changed.loc[(2, "profile.phone_number"), "normalized"] == "+442079460958"


def test_duplicates_point_at_the_kept_row_and_say_why() -> None:
    users = pd.DataFrame(
        {
            # Row 2 has only the phone of row 1: the same person (with an id or email of its own, not).
            "id": ["a", "b", None, "d"],
            "email": ["ann@example.com", "ANN@example.com", None, "dee@example.com"],
            "phone": [None, "+1 202 555 0125", "(202) 555-0125", None],
        }
    )
    result = prepare(users, {"recipient": "id", "profile": {"email": "email", "phone_number": "phone"}})
    assert result.df["bulk_status"].tolist() == ["ready", "duplicate", "duplicate", "ready"]
    assert result.df["bulk_duplicate_of"].tolist()[1:3] == [0, 0]
    assert str(result.df["bulk_duplicate_of"].dtype) == "Int64"
    assert "email" in result.df.loc[1, "bulk_error"]
    assert "phone" in result.df.loc[2, "bulk_error"]
    assert set(result.errors.loc[result.errors["stage"] == "duplicate", "bulk_row"]) == {1, 2}


@pytest.mark.parametrize(
    ("keep", "kept"),
    [
        ("first", 0),
        ("last", 2),
        ("most_complete", 1),
        (KeepPolicy.FIRST, 0),
        (KeepPolicy.LAST, 2),
        (KeepPolicy.MOST_COMPLETE, 1),
    ],
)
def test_keep_policy(keep: KeepPolicy | str, kept: int) -> None:
    users = pd.DataFrame(
        {"email": ["x@example.com", "X@example.com", "x@example.com"], "plan": [None, "pro", None]}
    )
    result = prepare(users, {"profile": {"email": "email"}, "data": {"plan": "plan"}}, keep=keep)
    statuses = result.df["bulk_status"].tolist()
    assert statuses.count("ready") == 1
    assert statuses[kept] == "ready"


def test_an_unknown_keep_policy_is_a_configuration_error() -> None:
    users = pd.DataFrame({"email": ["x@example.com"]})
    with pytest.raises(ConfigurationError, match="keep must be one of 'first', 'last', 'most_complete'"):
        prepare(users, {"profile": {"email": "email"}}, keep="newest")


def test_invalid_rows_are_never_kept_over_valid_duplicates() -> None:
    users = pd.DataFrame({"email": ["x@example.com", "x@example.com"], "age": ["old", "40"]})
    result = prepare(
        users, {"profile": {"email": "email"}, "data": {"age": {"column": "age", "cast": "int"}}}
    )
    assert result.df["bulk_status"].tolist() == ["invalid", "ready"]


def test_require_email_for_email_jobs() -> None:
    users = pd.DataFrame({"id": ["a", "b"], "email": ["a@example.com", None]})
    mapping = {"recipient": "id", "to": {"email": "email"}}
    assert prepare(users, mapping).summary == {"ready": 2, "invalid": 0, "duplicate": 0}
    strict = prepare(users, mapping, require_email=True)
    assert strict.df["bulk_status"].tolist() == ["invalid", "invalid"]
    assert set(strict.errors["code"]) == {"missing_email"}


def test_a_frame_gets_positions_as_row_keys_and_is_not_modified() -> None:
    users = pd.DataFrame({"email": ["a@example.com", "b@example.com"]}, index=["x", "y"])
    before = users.copy()
    result = prepare(users, {"profile": {"email": "email"}})
    pd.testing.assert_frame_equal(users, before)
    assert result.df["bulk_row"].tolist() == [0, 1]
    assert result.df.index.tolist() == ["x", "y"]
    assert list(result.df.columns) == ["bulk_row", "email", *PREPARED_COLUMNS[1:]]


def test_preparing_a_result_again_replaces_its_bulk_columns() -> None:
    users = pd.DataFrame({"email": ["a@example.com", "nope"]})
    first = prepare(users, {"profile": {"email": "email"}})
    fixed = first.df.assign(email=["a@example.com", "b@example.com"])
    again = prepare(fixed, {"profile": {"email": "email"}})
    assert again.df["bulk_status"].tolist() == ["ready", "ready"]
    assert again.df["bulk_row"].tolist() == [0, 1]
    assert list(again.df.columns) == list(first.df.columns)


def test_a_bad_row_key_column_is_a_call_level_error() -> None:
    with pytest.raises(InputError, match="bulk_row"):
        with_row_keys(pd.DataFrame({"bulk_row": [1, 1], "email": ["a@x.co", "b@x.co"]}))


def test_the_old_homes_of_the_column_names_still_work_with_a_warning() -> None:
    # The package's prepare function hides the module's name on the package: import the module itself.
    module = importlib.import_module("bulkprep.prepare")
    for name, value in [("PREPARED_COLUMNS", PREPARED_COLUMNS), ("BULK_COLUMNS", BULK_COLUMNS)]:
        with pytest.warns(DeprecationWarning, match=f"bulkprep.status.{name}"):
            assert getattr(module, name) == value
    with pytest.warns(DeprecationWarning, match="is deprecated; use bulkprep.status.BULK_COLUMNS"):
        from bulkprep.prepare import BULK_COLUMNS as old_home
    assert old_home == BULK_COLUMNS
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        module.nothing  # noqa: B018


def test_prepared_carries_no_options() -> None:
    # The options of the call are its arguments; nothing read them back from the result.
    result = prepare(pd.DataFrame({"email": ["a@example.com"]}), {"profile": {"email": "email"}})
    assert not hasattr(result, "options")


# -- intake problems travel with their rows ----------------------------------------------------------

RAGGED = FIXTURES / "ragged_rows.csv"  # lines 3, 4 and 5 are ragged
RAGGED_MAPPING = {"recipient": "user_id", "profile": {"email": "email"}}


def read_codes(result) -> dict[int, str]:
    """The intake problems prepare reported, by row key."""
    read = result.errors[result.errors["stage"] == "read"]
    return dict(zip(read["bulk_row"].tolist(), read["code"].tolist(), strict=True))


def test_intake_problems_are_a_column_of_the_rows_and_not_of_the_prepared_frame() -> None:
    frame = read_csv(RAGGED)
    assert "bulk_read_error" in frame.columns
    assert "read_errors" not in frame.attrs["bulkprep"]
    result = prepare(frame, RAGGED_MAPPING)
    assert read_codes(result) == {3: "ragged_row", 4: "ragged_row", 5: "ragged_row"}
    assert "bulk_read_error" not in result.df.columns
    assert list(result.df.columns) == [*frame.columns.drop("bulk_read_error"), *PREPARED_COLUMNS[1:]]
    assert "line 4 has 2 fields but the header has 5" in result.df.set_index("bulk_row").loc[4, "bulk_error"]


def test_a_row_filter_takes_the_intake_problems_of_the_rows_it_drops() -> None:
    frame = read_csv(RAGGED)
    kept = frame[frame["user_id"] != "3"]  # line 4
    result = prepare(kept, RAGGED_MAPPING)
    assert read_codes(result) == {3: "ragged_row", 5: "ragged_row"}
    assert result.summary["invalid"] == 2
    assert result.df.set_index("bulk_row").loc[[2, 6], "bulk_status"].tolist() == ["ready", "ready"]


def test_concat_of_two_reads_keeps_each_rows_intake_problem(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("user_id,email,phone,name,plan\n9,z@example.com,,Zed,pro,oops\n10,y@example.com,,,\n")
    first, second = read_csv(RAGGED), read_csv(other)
    clean = read_csv(FIXTURES / "users_utf8_bom_comma_crlf.csv")
    assert "bulk_read_error" not in clean.columns  # a clean file gets no such column
    both = pd.concat([first, second.assign(bulk_row=second["bulk_row"] + 100), clean.assign(bulk_row=-1)])
    both = both[both["bulk_row"] != -1]  # the clean rows brought missing values into the column
    both = pd.concat([both, clean.assign(bulk_row=clean["bulk_row"] + 200)], ignore_index=True)
    result = prepare(both, RAGGED_MAPPING)
    assert read_codes(result) == {3: "ragged_row", 4: "ragged_row", 5: "ragged_row", 102: "ragged_row"}
    assert result.summary["invalid"] == 4
    assert (result.df["bulk_row"] > 200).sum() == len(clean)


def test_concat_without_row_keys_numbers_the_rows_and_keeps_their_problems() -> None:
    frame = read_csv(RAGGED)
    both = pd.concat([frame, frame], ignore_index=True).drop(columns="bulk_row")
    result = prepare(both, {"profile": {"email": "email"}})
    # Positions 1, 2, 3 are lines 3, 4, 5 of the first copy; 6, 7, 8 of the second.
    assert read_codes(result) == dict.fromkeys([1, 2, 3, 6, 7, 8], "ragged_row")


def test_a_merge_keeps_the_intake_problems_with_their_rows() -> None:
    frame = read_csv(RAGGED)
    plans = pd.DataFrame({"user_id": ["5", "4", "1"], "tier": ["gold", "silver", "bronze"]})
    merged = frame.merge(plans, on="user_id", how="inner")  # lines 6, 5 and 2, in the frame's order
    assert merged.attrs == {}  # what attrs held is gone; the column is not
    result = prepare(merged, RAGGED_MAPPING)
    assert read_codes(result) == {5: "ragged_row"}
    assert dict(zip(result.df["bulk_row"], result.df["bulk_status"], strict=True)) == {
        2: "ready",
        5: "invalid",
        6: "ready",
    }


def test_a_copy_and_a_pickle_keep_the_intake_problems(tmp_path: Path) -> None:
    frame = read_csv(RAGGED)
    expected = {3: "ragged_row", 4: "ragged_row", 5: "ragged_row"}
    assert read_codes(prepare(frame.copy(), RAGGED_MAPPING)) == expected
    path = tmp_path / "frame.pkl"
    frame[frame["bulk_row"] != 3].to_pickle(path)
    restored = pd.read_pickle(path)
    assert read_codes(prepare(restored, RAGGED_MAPPING)) == {4: "ragged_row", 5: "ragged_row"}
    pd.testing.assert_frame_equal(restored, frame[frame["bulk_row"] != 3])


def test_intake_problems_do_not_depend_on_attrs() -> None:
    frame = read_csv(RAGGED)
    emptied = frame.copy()
    emptied.attrs = {}
    assert read_codes(prepare(emptied, RAGGED_MAPPING)) == read_codes(prepare(frame, RAGGED_MAPPING))


def test_the_unterminated_quote_row_is_invalid_with_the_readers_message() -> None:
    result = prepare(read_csv(FIXTURES / "unterminated_quote.csv"), RAGGED_MAPPING)
    assert read_codes(result) == {3: "unterminated_quote"}
    row = result.df.set_index("bulk_row").loc[3]
    assert row["bulk_status"] == "invalid"
    assert "never closes" in row["bulk_error"]


def test_a_suggested_mapping_ignores_the_intake_problem_column() -> None:
    frame = read_csv(RAGGED)
    suggested = Mapping.suggest(frame)
    assert "bulk_read_error" not in suggested.columns
    assert read_codes(prepare(frame)) == {3: "ragged_row", 4: "ragged_row", 5: "ragged_row"}


def test_a_bulk_read_error_column_of_the_users_own_is_a_call_level_error() -> None:
    users = pd.DataFrame({"email": ["a@example.com"], "bulk_read_error": ["my notes"]})
    with pytest.raises(InputError, match=r"column 'bulk_read_error' holds 'my notes'.*rename or drop it"):
        prepare(users, {"profile": {"email": "email"}})


def test_a_missing_column_names_the_closest_one() -> None:
    users = pd.DataFrame({"Email": ["a@example.com"]})
    with pytest.raises(MappingError, match="did you mean 'Email'"):
        prepare(users, {"profile": {"email": "email "}})


def test_no_mapping_means_a_suggested_one() -> None:
    users = pd.DataFrame({"E-mail Address": ["a@example.com"], "User ID": ["u1"]})
    result = prepare(users)
    assert result.mapping == Mapping.suggest(users)
    assert result.df.loc[0, "bulk_user"]["profile"] == {"email": "a@example.com"}


def test_a_mapping_file_works_like_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    Mapping.from_dict(FIXTURE_MAPPING).save(path)
    frame = read_csv(FIXTURES / "users_pipe_cr.csv")
    assert prepare(frame, path).df.equals(prepare(frame, FIXTURE_MAPPING).df)


def test_summary_html_and_repr() -> None:
    result = prepare(read_csv(FIXTURES / "users_utf8_comma_lf.csv"), FIXTURE_MAPPING)
    assert result.summary == {"ready": 3, "invalid": 3, "duplicate": 0}
    assert repr(result).startswith("<Prepared 6 rows: ready=3, invalid=3, duplicate=0;")
    html = result._repr_html_()
    assert "<th>total</th><th style='text-align:right'>6</th>" in html
    assert "excel_mangled_number" in html


# -- properties ---------------------------------------------------------------------------------------

_emails = st.sampled_from(
    ["ann@example.com", " ANN@Example.com ", "bob@example", "", "c@d.io", "x@y.co", "nope", "\u00a0z@z.org"]
)
_phones = st.sampled_from(
    ["(202) 555-0125", "+44 20 7946 0958", "2.02555E+09", "12", "", "555", "+12025550199"]
)
_scalars = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.booleans(),
    st.datetimes().map(pd.Timestamp),
    st.decimals(allow_nan=True),
    st.sampled_from([np.int64(3), np.float32(1.5), np.bool_(True), pd.NaT, pd.NA]),
)


@st.composite
def user_frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(0, 12))
    return pd.DataFrame(
        {
            "id": draw(
                st.lists(st.sampled_from(["u1", "u2", "u3", None, "007"]), min_size=size, max_size=size)
            ),
            "email": draw(st.lists(st.one_of(st.none(), _emails), min_size=size, max_size=size)),
            "phone": draw(st.lists(st.one_of(st.none(), _phones), min_size=size, max_size=size)),
            "extra": pd.Series(draw(st.lists(_scalars, min_size=size, max_size=size)), dtype="object"),
        }
    )


def _strict_json(value: object) -> None:
    """No NaN, no infinity, no null standing for a missing value, nothing that is not plain JSON."""
    if isinstance(value, dict):
        for item in value.values():
            assert item is not None
            _strict_json(item)
    elif isinstance(value, list):
        for item in value:
            _strict_json(item)
    elif isinstance(value, float):
        assert math.isfinite(value)
    else:
        assert value is None or isinstance(value, str | int | bool)
    assert value != "nan"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user_frames())
def test_any_frame_gives_one_status_per_row_and_strict_json(users: pd.DataFrame) -> None:
    mapping = {
        "recipient": "id",
        "profile": {"email": "email", "phone_number": "phone"},
        "data": {"extra": "extra"},
    }
    result = prepare(users, mapping)
    assert len(result.df) == len(users)
    assert result.df.index.equals(users.index)
    assert result.df["bulk_row"].tolist() == list(range(len(users)))
    assert result.df["bulk_status"].isin(["ready", "invalid", "duplicate"]).all()
    assert sum(result.summary.values()) == len(users)
    assert result.errors["bulk_row"].isin(result.df["bulk_row"]).all()
    not_ready = result.df["bulk_status"] != "ready"
    assert result.df.loc[not_ready, "bulk_error"].notna().all()
    for payload in result.df["bulk_user"]:
        _strict_json(payload)
        assert json.loads(orjson.dumps(payload)) == payload
    kept = set(result.df.loc[result.df["bulk_status"] == "ready", "bulk_row"])
    assert set(result.df["bulk_duplicate_of"].dropna()) <= kept


def test_a_frame_with_two_columns_of_one_name_is_refused_naming_it() -> None:
    frame = pd.DataFrame([["a@example.com", "b@example.com", "u1"]], columns=["email", "email", "id"])
    with pytest.raises(InputError, match="more than one column named 'email'"):
        prepare(frame, {"recipient": "id", "profile": {"email": "email"}})
