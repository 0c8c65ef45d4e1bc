"""Validation: every problem of every user, with codes, fields, columns and messages that say the fix."""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd
import pytest

from bulkprep import courier
from bulkprep.courier import looks_scientific
from bulkprep.errors import MappingError
from bulkprep.mapping import Mapping
from bulkprep.report import ERROR_COLUMNS
from bulkprep.validate import MAX_USER_BYTES, validate


def _targets(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = pd.Index(range(2, 2 + len(rows)), dtype="int64", name="bulk_row")
    return frame.astype(object).where(frame.notna(), None)


def _codes(table: pd.DataFrame) -> list[tuple[int, Any, str]]:
    return [(r["bulk_row"], r["field"], r["code"]) for r in table.to_dict("records")]


OK = {"recipient": "u1"}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (OK, []),
        ({"profile.email": "a@x.io"}, []),
        ({"to.phone_number": "+15550100"}, []),
        ({"recipient": 42}, [("recipient", "wrong_type")]),
        ({"recipient": "u1", "to.user_id": 7.5}, [("to.user_id", "wrong_type")]),
        ({"recipient": "u1", "to.locale": True}, [("to.locale", "wrong_type")]),
        ({"recipient": "u1", "data": ["a"]}, [("data", "wrong_type")]),
        ({"recipient": "u1", "to.data": "x"}, [("to.data", "wrong_type")]),
        (
            {"to": {"user_id": 5, "context": {"tenant_id": 1}}},
            [("to.user_id", "wrong_type"), ("to.context.tenant_id", "wrong_type")],
        ),
        ({"profile": {"email": ["a@x.io"]}}, [("profile.email", "wrong_type")]),
        ({"recipient": "2.02555E+09"}, [("recipient", "excel_mangled_number")]),
        ({"recipient": "u1", "to.tenant_id": "1.2E+10"}, [("to.tenant_id", "excel_mangled_number")]),
        ({"recipient": "u1", "data.customer_id": "4.5E+12"}, [("data.customer_id", "excel_mangled_number")]),
        ({"recipient": "u1", "data.score": "4.5E+12"}, []),  # not an identifier
        ({"recipient": "u1", "profile.phone_number": "4.47E+11"}, []),  # phones belong to normalize
        ({"data.plan": "pro"}, [(None, "no_identity")]),
        ({"recipient": "   ", "profile.email": ""}, [(None, "no_identity")]),
        ({}, [(None, "no_identity")]),
    ],
)
def test_bad_users_get_their_codes(user: dict[str, Any], expected: list[tuple[Any, str]]) -> None:
    table = validate(_targets([user]))
    assert [(field, code) for _, field, code in _codes(table)] == expected
    assert list(table.columns) == list(ERROR_COLUMNS)
    assert set(table["stage"]) <= {"validate"}


@pytest.mark.parametrize("field", ["recipient", "to.user_id", "to.tenant_id"])
@pytest.mark.parametrize(
    ("value", "mangled"),
    [
        ("2.02555E+09", True),
        ("2,02555E+09", True),  # a comma for decimals, as European spreadsheets write it
        (" 4,47911e+11 ", True),
        ("12E5", True),
        ("1.5e-05", True),
        ("2025550125", False),
        ("E5", False),
        ("2,02555", False),
        ("user-2e5x", False),
        ("2.0.2E+09", False),
    ],
)
def test_ids_in_scientific_notation_are_found_with_the_one_shared_rule(
    field: str, value: str, mangled: bool
) -> None:
    assert looks_scientific(value) is mangled
    user = {"recipient": "u1", field: value}
    codes = [(f, code) for _, f, code in _codes(validate(_targets([user])))]
    assert codes == ([(field, "excel_mangled_number")] if mangled else [])


@pytest.mark.parametrize(
    ("field", "is_id"),
    [
        ("data.customer_id", True),
        ("profile.Customer_ID", True),
        ("data.order.line_id", True),
        ("data.paid", False),  # ends in "id", but is no id
        ("data.id", False),  # only a name ending in "_id" counts under data and profile
        ("data.valid", False),
        ("to.data.user_id", False),  # under to.data: not checked
    ],
)
def test_ids_under_data_and_profile_are_known_by_their_name(field: str, is_id: bool) -> None:
    table = validate(_targets([{"recipient": "u1", field: "2,02555E+09"}]))
    assert [(f, code) for _, f, code in _codes(table)] == ([(field, "excel_mangled_number")] if is_id else [])


def test_a_mangled_id_is_reported_with_its_value_and_what_to_do() -> None:
    table = validate(_targets([{"to.user_id": "2,02555E+09"}]))
    assert table["value"].tolist() == ["2,02555E+09"]
    assert "scientific notation" in table["message"].iloc[0]
    assert "format the column as Text" in table["message"].iloc[0]


@pytest.mark.parametrize("name", ["CHANNELS", "PREFERENCE_STATUSES"])
def test_vocabularies_moved_to_courier_still_work_from_validate_with_a_warning(name: str) -> None:
    validate_module = importlib.import_module("bulkprep.validate")
    with pytest.warns(DeprecationWarning, match=f"validate.{name} is deprecated"):
        value = getattr(validate_module, name)
    assert value == getattr(courier, name)
    assert name not in validate_module.__all__
    with pytest.raises(AttributeError):
        _ = validate_module.NO_SUCH_NAME


def test_every_problem_of_a_row_is_reported() -> None:
    user = {
        "recipient": 123,
        "to.user_id": "9.87E+08",
        "data": "oops",
        "preferences": {
            "categories": {"news": {"status": "opted-in", "channel_preferences": [{"channel": "Email"}]}}
        },
    }
    table = validate(_targets([OK, user]), require_email=True)
    assert sorted((field, code) for row, field, code in _codes(table) if row == 3) == sorted(
        [
            ("recipient", "wrong_type"),
            ("to.user_id", "excel_mangled_number"),
            ("data", "wrong_type"),
            ("preferences.categories.news.status", "invalid_value"),
            ("preferences.categories.news.channel_preferences[0].channel", "invalid_value"),
            ("profile.email", "missing_email"),
        ]
    )
    assert [code for row, _, code in _codes(table) if row == 2] == ["missing_email"]


@pytest.mark.parametrize(
    ("preferences", "field", "code", "words"),
    [
        ({"categories": {"news": {"status": "OPTED_OUT"}}}, None, None, []),
        (
            {
                "notifications": {
                    "n1": {
                        "status": "REQUIRED",
                        "channel_preferences": [{"channel": "sms"}],
                        "rules": [{"until": "2025-01-01"}],
                    }
                }
            },
            None,
            None,
            [],
        ),
        (
            {"categories": {"news": {"status": "opted in"}}},
            "preferences.categories.news.status",
            "invalid_value",
            ["did you mean OPTED_IN?"],
        ),
        (
            {"categories": {"news": {"status": "Opted_Out "}}},
            "preferences.categories.news.status",
            "invalid_value",
            ["did you mean OPTED_OUT?"],
        ),
        (
            {"categories": {"news": {"status": "SUBSCRIBED"}}},
            "preferences.categories.news.status",
            "invalid_value",
            ["OPTED_IN, OPTED_OUT, REQUIRED"],
        ),
        (
            {"categories": {"news": {"status": 1}}},
            "preferences.categories.news.status",
            "wrong_type",
            ["OPTED_IN"],
        ),
        (
            {"categories": {"news": {}}},
            "preferences.categories.news.status",
            "invalid_value",
            ["has no status"],
        ),
        (
            {"categories": {"news": "OPTED_IN"}},
            "preferences.categories.news",
            "wrong_type",
            ['{"status": "OPTED_IN"}'],
        ),
        ({"categories": ["news"]}, "preferences.categories", "wrong_type", ["object of preferences"]),
        ({"topics": {}}, "preferences.topics", "invalid_value", ["categories, notifications"]),
        (
            {"categories": {"news": {"status": "OPTED_IN", "channel": "email"}}},
            "preferences.categories.news.channel",
            "invalid_value",
            ["channel_preferences"],
        ),
        (
            {"categories": {"n": {"status": "OPTED_IN", "channel_preferences": ["email"]}}},
            "preferences.categories.n.channel_preferences[0]",
            "wrong_type",
            ['{"channel": "email"}'],
        ),
        (
            {
                "categories": {
                    "n": {"status": "OPTED_IN", "channel_preferences": [{"channel": "Direct Message"}]}
                }
            },
            "preferences.categories.n.channel_preferences[0].channel",
            "invalid_value",
            ["did you mean direct_message?"],
        ),
        (
            {"categories": {"n": {"status": "OPTED_IN", "channel_preferences": [{"channel": "fax"}]}}},
            "preferences.categories.n.channel_preferences[0].channel",
            "invalid_value",
            ["inbox"],
        ),
        (
            {"categories": {"n": {"status": "OPTED_IN", "channel_preferences": {"channel": "sms"}}}},
            "preferences.categories.n.channel_preferences",
            "wrong_type",
            ["a list"],
        ),
        (
            {"categories": {"n": {"status": "OPTED_IN", "rules": [{"start": "2024-01-01"}]}}},
            "preferences.categories.n.rules[0].until",
            "invalid_value",
            ["needs one"],
        ),
        (
            {"categories": {"n": {"status": "OPTED_IN", "rules": [{"until": 20250101}]}}},
            "preferences.categories.n.rules[0].until",
            "wrong_type",
            ["date-time"],
        ),
        ("OPTED_IN", "preferences", "wrong_type", ["categories"]),
    ],
)
def test_preferences_structure_and_enums(
    preferences: Any, field: str | None, code: str | None, words: list[str]
) -> None:
    mapping = Mapping({"recipient": "id", "preferences": {"column": "Prefs", "cast": "json"}})
    table = validate(_targets([{**OK, "preferences": preferences}]), mapping=mapping)
    if code is None:
        assert table.empty
        return
    [error] = table.to_dict("records")
    assert (error["field"], error["code"], error["column"]) == (field, code, "Prefs")
    for word in words:
        assert word in error["message"]


def test_dotted_preference_targets_and_to_preferences_are_checked_together() -> None:
    targets = _targets(
        [
            {**OK, "preferences.categories.news.status": "OPTED_IN", "to.preferences": None},
            {
                **OK,
                "preferences.categories.news.status": None,
                "to.preferences": {"categories": {"x": {"status": "no"}}},
            },
            {**OK, "preferences.categories.news.status": "optedout", "to.preferences": None},
        ]
    )
    mapping = Mapping(
        {
            "recipient": "id",
            "preferences.categories.news.status": "News",
            "to.preferences": {"column": "ToPrefs", "cast": "json"},
        }
    )
    table = validate(targets, mapping=mapping)
    assert [(r["bulk_row"], r["field"], r["column"]) for r in table.to_dict("records")] == [
        (3, "to.preferences.categories.x.status", "ToPrefs"),
        (4, "preferences.categories.news.status", "News"),
    ]
    assert "did you mean OPTED_OUT?" in table["message"].iloc[1]


def test_require_email_wants_profile_email_and_explains_to_email() -> None:
    targets = _targets(
        [
            {"recipient": "u1", "profile.email": "a@x.io", "to.email": None},
            {"recipient": "u2", "profile.email": None, "to.email": "b@x.io"},
            {"recipient": "u3", "profile.email": None, "to.email": None},
        ]
    )
    mapping = Mapping({"recipient": "id", "profile.email": "Email", "to.email": "Mail"})
    assert validate(targets, mapping=mapping).empty
    table = validate(targets, mapping=mapping, require_email=True)
    assert _codes(table) == [(3, "profile.email", "missing_email"), (4, "profile.email", "missing_email")]
    assert table["column"].tolist() == ["Email", "Email"]
    assert "to.email alone is not enough" in table["message"].iloc[0]
    assert "map the email column to profile.email" in table["message"].iloc[0]


def test_identity_inside_an_object_column_counts() -> None:
    targets = _targets([{"to": {"user_id": "u9"}}, {"to": {"data": {"a": 1}}}])
    assert _codes(validate(targets)) == [(3, None, "no_identity")]


def test_oversize_users_are_reported_with_their_heaviest_field() -> None:
    big = "x" * 2_000
    targets = _targets(
        [{**OK, "data.notes": big, "data.plan": "pro"}, {**OK, "data.notes": "short", "data.plan": "pro"}]
    )
    mapping = Mapping({"recipient": "id", "data.notes": "Notes", "data.plan": "Plan"})
    table = validate(targets, mapping=mapping, max_user_bytes=1_000)
    [error] = table.to_dict("records")
    assert (error["bulk_row"], error["code"], error["field"], error["column"]) == (
        2,
        "user_too_large",
        "data.notes",
        "Notes",
    )
    assert "over the 1,000-byte limit" in error["message"]
    assert validate(targets, mapping=mapping).empty  # well under the default
    assert MAX_USER_BYTES == 512 * 1024


def test_columns_come_from_the_mapping_through_parent_targets() -> None:
    mapping = Mapping({"to": {"column": "To", "cast": "json"}})
    table = validate(_targets([{"to": {"user_id": 5}}]), mapping=mapping)
    assert table[["field", "column", "value"]].to_dict("records") == [
        {"field": "to.user_id", "column": "To", "value": "5"}
    ]
    assert "must be text" in table["message"].iloc[0]
    assert "cast: str" in table["message"].iloc[0]


def test_a_frame_with_a_column_that_is_no_target_is_refused() -> None:
    with pytest.raises(MappingError, match="'email'"):
        validate(_targets([{"email": "a@x.io"}]))


def test_validate_does_not_touch_its_input_and_handles_no_rows() -> None:
    targets = _targets([{**OK, "data": {"a": 1}}])
    before = targets.copy()
    validate(targets, require_email=True)
    pd.testing.assert_frame_equal(targets, before)
    empty = validate(pd.DataFrame({"recipient": pd.Series([], dtype=object)}))
    assert empty.empty
    assert list(empty.columns) == list(ERROR_COLUMNS)
