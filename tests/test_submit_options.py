"""submit() without a server: options, input forms and the dry run."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from prepared_frames import prepared_frame

from bulkprep.courier import JobMessage
from bulkprep.errors import ConfigurationError
from bulkprep.retry import RetryPolicy
from bulkprep.submit import MESSAGE_FIELDS, job_definition, submit


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({}, "no job to send to"),
        ({"job_id": "1-a", "event": "E"}, "either job_id"),
        ({"job_id": "1-a", "message": {"event": "E"}}, "either job_id"),
        ({"job_id": "  "}, "job_id is empty"),
        ({"event": "A", "message": {"event": "B"}}, "contradicts"),
        ({"message": {"template": "T"}}, "needs an event"),
        ({"message": {"event": "E", "tempalte": "T"}}, "unknown field"),
        ({"event": ""}, "needs an event"),
    ],
)
def test_job_options_missing_or_contradictory_are_refused(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        job_definition(**options)


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ({"event": "E", "template": 5}, "template: Input should be a valid string"),
        ({"event": "E", "data": ["a"]}, "data: Input should be a valid dictionary"),
        ({"event": "E", "brand": {"id": "B"}}, "brand: Input should be a valid string"),
        ({"event": "E", "override": "x"}, "override: Input should be a valid dictionary"),
        ({"event": "E", "locale": 3}, "locale"),
    ],
)
def test_a_message_field_of_the_wrong_type_is_refused_before_sending(
    message: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment) as caught:
        job_definition(message=message)
    assert "does not fit Courier's bulk job message" in str(caught.value)


def test_the_message_fields_are_courier_s() -> None:
    assert frozenset(JobMessage.model_fields) == MESSAGE_FIELDS
    assert sorted(MESSAGE_FIELDS) == ["brand", "content", "data", "event", "locale", "override", "template"]


def test_bisect_max_users_moved_to_the_retry_policy_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="RetryPolicy.bisect_max_users"):
        from bulkprep.submit import BISECT_MAX_USERS
    assert BISECT_MAX_USERS == RetryPolicy().bisect_max_users == 64


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"event": "E"}, {"message": {"event": "E"}}),
        (
            {"message": {"event": "E", "locale": {"fr": "x"}}},
            {"message": {"event": "E", "locale": {"fr": "x"}}},
        ),
        ({"message": {"event": "E", "locale": "fr_FR"}}, {"message": {"event": "E", "locale": "fr_FR"}}),
        ({"event": "E", "message": {"data": {"a": 1}}}, {"message": {"data": {"a": 1}, "event": "E"}}),
        ({"message": {"event": "E", "brand": "B"}}, {"message": {"event": "E", "brand": "B"}}),
        ({"job_id": "1-a"}, {"job_id": "1-a"}),
    ],
)
def test_job_definition(options: dict[str, Any], expected: dict[str, Any]) -> None:
    assert job_definition(**options) == expected


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"event": "E", "wait": True}, "needs run=True"),
        ({"event": "E", "concurrency": 0}, "concurrency"),
        ({"event": "E", "poll_interval": 0}, "poll_interval"),
    ],
)
def test_other_bad_options_are_refused_before_anything_is_sent(
    options: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        submit(prepared_frame([{"recipient": "a"}]), dry_run=True, progress=False, **options)


def test_a_raw_frame_without_a_mapping_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="pass a mapping"):
        submit(pd.DataFrame({"Email": ["a@example.com"]}), event="E", dry_run=True, progress=False)


def test_dry_run_plans_batches_and_skips_without_a_key(clean_env: pytest.MonkeyPatch) -> None:
    users = [{"recipient": f"u{i}", "data": {"n": i}} for i in range(5)]
    frame = prepared_frame([*users, None, None], [*["ready"] * 5, "invalid", "duplicate"])
    result = submit(frame, event="WELCOME", dry_run=True, batch_size=2, progress=False)
    plan = result.plan
    assert plan is not None
    assert plan.job == {"message": {"event": "WELCOME"}}
    assert plan.batches[["batch", "users"]].to_dict("records") == [
        {"batch": 1, "users": 2},
        {"batch": 2, "users": 2},
        {"batch": 3, "users": 1},
    ]
    assert plan.batches["first_rows"].tolist() == [[2, 3], [4, 5], [6]]
    assert plan.payloads == users[:2]
    assert plan.skipped[["bulk_row", "bulk_status"]].to_dict("records") == [
        {"bulk_row": 7, "bulk_status": "invalid"},
        {"bulk_row": 8, "bulk_status": "duplicate"},
    ]
    assert result.summary == {
        "ready": 5,
        "invalid": 1,
        "duplicate": 1,
        "accepted": 0,
        "rejected": 0,
        "failed": 0,
    }
    assert result.df["bulk_batch"].tolist()[:5] == [1, 1, 2, 2, 3]
    assert result.df["bulk_batch"].isna().tolist()[5:] == [True, True]
    assert result.job_id is None
    assert "dry run: 3 batch(es)" in repr(result)


def test_dry_run_takes_a_raw_frame_and_a_mapping() -> None:
    raw = pd.DataFrame({"Email": ["ann@example.com", "nope", "ANN@example.com"]})
    result = submit(raw, {"profile": {"email": "Email"}}, event="E", dry_run=True, progress=False)
    assert result.df["bulk_status"].tolist() == ["ready", "invalid", "duplicate"]
    assert result.plan is not None
    assert result.plan.payloads == [{"profile": {"email": "ann@example.com"}}]
    assert (result.errors["bulk_row"] == 1).any()
    assert list(result.df.columns[:1]) == ["Email"]
    assert result.df["bulk_duplicate_of"].dtype == "Int64"
    assert result.df["bulk_duplicate_of"].iloc[2] == 0
