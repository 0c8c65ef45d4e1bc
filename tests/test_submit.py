"""submit() against the sandbox over real HTTP: answers, faults, splitting, refusals, run and wait.

Every test checks the accounting: the summary adds up to the input rows, every row has the status it
must have, and the sandbox holds each accepted user exactly once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN
from prepared_frames import prepared_frame as prepared

import bulkprep.batching
from bulkprep.client import CourierClient
from bulkprep.errors import AuthenticationError, ConfigurationError
from bulkprep.results import SubmitResult
from bulkprep.retry import RetryPolicy
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def user(i: int, **extra: Any) -> dict[str, Any]:
    return {"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}, "data": {"n": i}, **extra}


def send(frame: pd.DataFrame, sb: Sandbox, **options: Any) -> SubmitResult:
    options.setdefault("event", None if "job_id" in options else "WELCOME")
    options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False, **options}
    return submit(frame, **options)


def stored_counts(sb: Sandbox, job_id: str) -> Counter[str]:
    return Counter(item.get("recipient") or item["profile"]["email"] for item in sb.users(job_id))


def assert_accounting(result: SubmitResult, sb: Sandbox, expected: dict[int, str]) -> None:
    """Statuses per bulk_row as expected, summary adds up, accepted users stored exactly once."""
    assert sum(result.summary.values()) == len(result.df)
    assert dict(zip(result.df["bulk_row"], result.df["bulk_status"], strict=True)) == expected
    assert result.job_id is not None
    counts = stored_counts(sb, result.job_id)
    assert all(count == 1 for count in counts.values()), counts
    accepted = result.df.loc[result.df["bulk_status"] == "accepted", "bulk_user"]
    for payload in accepted:
        assert counts[payload.get("recipient") or payload["profile"]["email"]] == 1


@pytest.mark.parametrize("ingest_answer", ["json", "empty"])
@pytest.mark.parametrize("echo", ["flattened", "request"])
def test_every_ready_row_is_accepted_once_others_keep_their_status(ingest_answer: str, echo: str) -> None:
    frame = prepared([*[user(i) for i in range(7)], None, None], [*["ready"] * 7, "invalid", "duplicate"])
    with Sandbox(token=TOKEN, ingest_answer=ingest_answer, echo=echo) as sb:
        result = send(frame, sb, batch_size=3, concurrency=2)
        expected = dict.fromkeys(range(2, 9), "accepted") | {9: "invalid", 10: "duplicate"}
        assert_accounting(result, sb, expected)
        assert result.df["bulk_batch"].tolist()[:7] == [1, 1, 1, 2, 2, 2, 3]
        keys = [r.idempotency_key for r in sb.requests if r.path.startswith(f"/bulk/{result.job_id}")]
        assert len(keys) == 3
        assert len(set(keys)) == 3
        assert all(k and k.startswith("bulkprep-") for k in keys)
        assert sb.jobs[result.job_id]["definition"] == {"event": "WELCOME"}
        assert result.df["bulk_error"].tolist()[7:] == ["invalid row", "duplicate row"]


@pytest.mark.parametrize("echo", ["flattened", "request"])
def test_courier_duplicate_user_is_matched_to_its_row_and_rejected(echo: str) -> None:
    with Sandbox(token=TOKEN, echo=echo) as sb:
        first = send(prepared([user(1), user(3)]), sb)
        assert first.summary["accepted"] == 2
        again = send(prepared([user(i) for i in range(5)]), sb, job_id=first.job_id, batch_size=2)
        expected = {2: "accepted", 3: "rejected", 4: "accepted", 5: "rejected", 6: "accepted"}
        assert_accounting(again, sb, expected)
        assert again.df.loc[again.df["bulk_row"] == 3, "bulk_error"].item() == (
            "Courier refused the user: Duplicate user"
        )
        rejected = again.errors[again.errors["stage"] == "ingest"]
        assert rejected[["bulk_row", "code"]].to_dict("records") == [
            {"bulk_row": 3, "code": "courier_rejected"},
            {"bulk_row": 5, "code": "courier_rejected"},
        ]
        assert again.unmatched_errors.empty
        assert sorted(again.failed_rows()["Name"]) == ["name 1", "name 3"]
        assert list(again.failed_rows().columns) == ["bulk_row", "Name"]
        assert sorted(again.failed_rows()["bulk_row"]) == [3, 5]


def test_an_error_matching_two_rows_of_its_batch_is_kept_as_unmatched(sandbox: Sandbox) -> None:
    twins = [{"recipient": "twin", "data": {"n": 1}}, {"recipient": "twin", "data": {"n": 2}}]
    result = send(prepared([*twins, user(3)]), sandbox)
    # Courier stored one of the twins and refused the other: which one cannot be told.
    assert_accounting(result, sandbox, {2: "accepted", 3: "accepted", 4: "accepted"})
    assert result.unmatched_errors[["batch", "error", "candidates"]].to_dict("records") == [
        {"batch": 1, "error": "Duplicate user", "candidates": 2}  # either twin
    ]
    unmatched = result.errors[result.errors["code"] == "unmatched_error"]
    assert unmatched["bulk_row"].tolist() == [-1]
    assert "twin" in unmatched["value"].item()
    assert "1 unmatched error" in repr(result)


FAULTS = [
    pytest.param({"rate_limit_every": 2}, id="429-no-retry-after"),
    pytest.param({"rate_limit_every": 2, "retry_after": 3}, id="429-retry-after-seconds"),
    pytest.param(
        {"rate_limit_every": 2, "retry_after": 2, "retry_after_date": True}, id="429-retry-after-date"
    ),
    pytest.param({"server_error_every": 2}, id="500"),
    pytest.param({"server_error_every": 3, "server_error_status": 503}, id="503"),
    pytest.param({"drop_every": 2}, id="dropped-after-processing"),
    pytest.param({"drop_every": 2, "ignore_idempotency": True}, id="dropped-and-idempotency-ignored"),
    pytest.param({"rate_limit_rate": 0.3, "server_error_rate": 0.2, "drop_rate": 0.2, "seed": 7}, id="mixed"),
]


@pytest.mark.parametrize("faults", FAULTS)
def test_faults_are_retried_and_every_row_is_accepted_once(faults: dict[str, Any]) -> None:
    waits: list[float] = []
    with Sandbox(token=TOKEN, only_ingest=True, **faults) as sb:
        result = send(
            prepared([user(i) for i in range(12)]), sb, batch_size=2, concurrency=3, sleep=waits.append
        )
        assert_accounting(result, sb, dict.fromkeys(range(2, 14), "accepted"))
        assert result.unmatched_errors.empty
        assert waits, "the faults must have caused retries"
        if faults.get("retry_after") and not faults.get("retry_after_date"):
            assert max(waits) >= faults["retry_after"]
        offers = sb.offers(result.job_id)
        if faults.get("ignore_idempotency"):
            # Users of a dropped batch were offered twice; Courier's "Duplicate user" counted as accepted.
            assert max(offers.values()) >= 2
        else:
            assert set(offers.values()) == {1}


def test_retries_exhausted_leave_the_batch_failed_and_safe_to_retry() -> None:
    with Sandbox(token=TOKEN, only_ingest=True, server_error_rate=1.0) as sb:
        client = CourierClient(TOKEN, sb.url, sleep=no_wait, max_retries=2)
        result = send(prepared([user(1), user(2)]), sb, client=client)
        assert_accounting(result, sb, {2: "failed", 3: "failed"})
        assert result.errors["code"].tolist() == ["send_failed", "send_failed"]
        # A 5xx after the last retry may come after Courier stored the users: in doubt, and how to resend.
        text = result.df["bulk_error"].iloc[0]
        assert "lost its answer" in text
        assert "goes under the same idempotency key" in text
        assert len(result.failed_rows()) == 2


def test_a_retry_policy_of_fewer_attempts_is_honoured() -> None:
    with Sandbox(token=TOKEN, only_ingest=True, server_error_rate=1.0) as sb:
        frame = prepared([user(1), user(2), user(3)])
        result = send(frame, sb, batch_size=2, concurrency=1, retry=RetryPolicy(max_attempts=2))
        assert_accounting(result, sb, {2: "failed", 3: "failed", 4: "failed"})
        ingests = [r for r in sb.requests if r.path == f"/bulk/{result.job_id}"]
        # Two batches, each sent twice (the default policy sends each 7 times).
        assert [r.status for r in ingests] == [500] * 4
        assert "failed 2 times" in result.df["bulk_error"].iloc[0]
        assert result.df["bulk_batch"].tolist() == [1, 1, 2]


def test_the_policy_decides_which_refused_batches_are_bisected(sandbox: Sandbox) -> None:
    frame = prepared([user(1), user(2), {"recipient": 5}, user(4)])
    result = send(frame, sandbox, retry=RetryPolicy(bisect_max_users=3))
    # Four users are more than the policy bisects: the batch is rejected whole, in one request.
    assert_accounting(result, sandbox, dict.fromkeys(range(2, 6), "rejected"))
    assert "as a whole" in result.df["bulk_error"].iloc[0]
    assert len([r for r in sandbox.requests if r.path == f"/bulk/{result.job_id}"]) == 1


def test_a_policy_for_submit_and_another_in_the_given_client_are_refused(sandbox: Sandbox) -> None:
    client = CourierClient(sandbox.token, sandbox.url, retry=RetryPolicy(max_attempts=2))
    with client, pytest.raises(ConfigurationError, match="both set a retry policy"):
        send(prepared([user(1)]), sandbox, client=client, retry=RetryPolicy(max_attempts=5))
    assert sandbox.jobs == {}


def test_the_given_client_s_policy_is_the_submission_s(sandbox: Sandbox) -> None:
    frame = prepared([user(1), user(2), {"recipient": 5}])
    client = CourierClient(sandbox.token, sandbox.url, retry=RetryPolicy(bisect_max_users=0))
    with client:
        result = send(frame, sandbox, client=client, retry=RetryPolicy(bisect_max_users=0))
    assert result.summary["rejected"] == 3


def test_a_timeout_leaves_the_rows_failed() -> None:
    with Sandbox(token=TOKEN, only_ingest=True, latency=0.3) as slow:
        client = CourierClient(TOKEN, slow.url, sleep=no_wait, max_retries=1, timeout=(2.0, 0.05))
        result = send(prepared([user(1), user(2)]), slow, client=client)
        # Courier may have stored the users, the client never heard: the rows are failed (safe to retry).
        assert result.summary["failed"] == 2
        assert result.errors["code"].tolist() == ["send_failed", "send_failed"]
        assert "read timeout" in result.df["bulk_error"].iloc[0]


def test_a_request_over_6_mb_is_split_in_halves(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    # Let a batch grow past Courier's limit, so that the sandbox answers 413 and the batch is split.
    monkeypatch.setattr(bulkprep.batching, "MAX_REQUEST_BYTES", 20_000_000)
    big = "x" * 1_600_000
    frame = prepared([user(i, data={"blob": big}) for i in range(8)])
    result = send(frame, sandbox, max_batch_bytes=16_000_000)
    assert_accounting(result, sandbox, dict.fromkeys(range(2, 10), "accepted"))
    statuses = [r.status for r in sandbox.requests if r.path.startswith(f"/bulk/{result.job_id}")]
    # 12.8 MB refused, then its halves of 6.4 MB refused, then quarters of 3.2 MB accepted.
    assert statuses.count(413) == 3
    assert statuses.count(200) == 4
    assert result.df["bulk_batch"].tolist() == [4, 4, 5, 5, 6, 6, 7, 7]


def test_a_single_user_over_6_mb_is_rejected(sandbox: Sandbox) -> None:
    frame = prepared([user(1), user(2, data={"blob": "x" * 6_100_000}), user(3)])
    result = send(frame, sandbox, max_batch_bytes=100_000)
    assert_accounting(result, sandbox, {2: "accepted", 3: "rejected", 4: "accepted"})
    assert "413" in result.df["bulk_error"].iloc[1]
    assert result.errors["code"].tolist() == ["batch_rejected"]


def test_a_400_for_a_small_batch_is_bisected_to_the_offending_row(sandbox: Sandbox) -> None:
    frame = prepared([user(1), user(2), {"recipient": 5}, user(4), user(5)])
    result = send(frame, sandbox)
    assert_accounting(
        result, sandbox, {2: "accepted", 3: "accepted", 4: "rejected", 5: "accepted", 6: "accepted"}
    )
    assert "recipient must be a string" in result.df["bulk_error"].iloc[2]


def test_a_400_for_a_large_batch_rejects_every_row_and_says_so(sandbox: Sandbox) -> None:
    frame = prepared([*[user(i) for i in range(70)], {"recipient": 5}])
    result = send(frame, sandbox)
    assert_accounting(result, sandbox, dict.fromkeys(range(2, 73), "rejected"))
    assert "as a whole" in result.df["bulk_error"].iloc[0]
    assert set(result.errors["code"]) == {"batch_rejected"}


def test_a_refused_key_stops_at_once_and_sends_nothing_more() -> None:
    with Sandbox(token=TOKEN) as sb:
        job_id = send(prepared([user(0)]), sb).job_id
        frame = prepared([user(i) for i in range(1, 7)])
        with pytest.raises(AuthenticationError, match="API key was refused") as caught:
            submit(
                frame,
                job_id=job_id,
                api_key="wrong",
                base_url=sb.url,
                batch_size=2,
                concurrency=1,
                sleep=no_wait,
                progress=False,
            )
        assert "wrong" not in str(caught.value)
        assert caught.value.batch == 1
        ingests = [r for r in sb.requests if r.method == "POST" and r.path == f"/bulk/{job_id}"]
        assert [r.status for r in ingests] == [200, 401]
        assert stored_counts(sb, job_id) == Counter({"u0": 1})


def test_a_refused_key_when_creating_the_job_raises(sandbox: Sandbox) -> None:
    with pytest.raises(AuthenticationError):
        submit(
            prepared([user(1)]),
            event="E",
            api_key="nope",
            base_url=sandbox.url,
            sleep=no_wait,
            progress=False,
        )
    assert sandbox.jobs == {}


class Clock:
    """The sandbox's clock, moved by submit's own waits: polling takes no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_run_and_wait_merge_delivery_status_onto_rows() -> None:
    clock = Clock()
    users = [user(1), {"recipient": "u2", "to": {"email": "u2@example.com"}}, user(3)]
    with Sandbox(token=TOKEN, processing_seconds=10, channel="email", clock=clock, page_size=2) as sb:
        result = send(prepared(users), sb, run=True, wait=True, sleep=clock.sleep, poll_interval=1.0)
        assert_accounting(result, sb, {2: "accepted", 3: "accepted", 4: "accepted"})
        assert result.job is not None
        assert result.job["status"] == "COMPLETED"
        assert result.df["bulk_delivery_status"].tolist() == ["ENQUEUED", "ERROR", "ENQUEUED"]
        ids = result.df["bulk_message_id"].tolist()
        assert ids[0]
        assert ids[2]
        assert ids[1] is None
        delivery = result.errors[result.errors["stage"] == "delivery"]
        assert delivery[["bulk_row", "code"]].to_dict("records") == [
            {"bulk_row": 3, "code": "delivery_error"}
        ]
        # The pause between looks grows: backoff, not a busy loop.
        assert clock.waits == sorted(clock.waits)
        assert clock.waits[-1] > clock.waits[0]
        assert "COMPLETED" in repr(result)


def test_wait_gives_up_after_its_timeout_with_the_last_snapshot() -> None:
    clock = Clock()
    with Sandbox(token=TOKEN, processing_seconds=1000, clock=clock) as sb:
        result = send(prepared([user(1)]), sb, run=True, wait=True, sleep=clock.sleep, wait_timeout=30)
        assert result.job is not None
        assert result.job["status"] == "PROCESSING"
        assert sum(clock.waits) == pytest.approx(30)
        assert result.summary["accepted"] == 1


def test_no_job_is_created_when_no_row_is_ready(sandbox: Sandbox) -> None:
    result = send(prepared([None], ["invalid"]), sandbox, run=True)
    assert result.summary == {
        "ready": 0,
        "invalid": 1,
        "duplicate": 0,
        "accepted": 0,
        "rejected": 0,
        "failed": 0,
    }
    assert result.job_id is None
    assert result.job is None
    assert sandbox.jobs == {}
    assert sandbox.requests == []


def test_message_options_reach_the_job_and_progress_bars_work(sandbox: Sandbox) -> None:
    message = {"event": "E", "template": "T", "data": {"promo": "SPRING"}, "brand": "B"}
    result = send(prepared([user(1), user(2)]), sandbox, event=None, message=message, progress=True, run=True)
    assert sandbox.jobs[result.job_id]["definition"] == message
    assert result.summary["accepted"] == 2


def test_progress_shows_rows_batches_and_retries(capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(token=TOKEN, only_ingest=True, rate_limit_every=2) as sb:
        result = send(prepared([user(i) for i in range(6)]), sb, batch_size=2, concurrency=1, progress=True)
    assert result.summary["accepted"] == 6
    shown = capsys.readouterr().err
    assert "6/6" in shown
    assert "batches=3/3" in shown
    assert "retries=2" in shown  # ingest requests 2 and 4 met a 429


def test_adding_to_a_job_that_has_run_is_refused_before_sending_and_offers_a_new_job(
    sandbox: Sandbox,
) -> None:
    first = send(prepared([user(1)]), sandbox, run=True)
    posts = len([r for r in sandbox.requests if r.method == "POST"])
    with pytest.raises(ConfigurationError, match="has already run") as caught:
        send(prepared([user(2), user(3)]), sandbox, job_id=first.job_id, run=True, wait=True)
    assert "start a new job: pass event=... instead of job_id=..." in str(caught.value)
    assert "--event EVENT instead of --job" in str(caught.value)
    assert len([r for r in sandbox.requests if r.method == "POST"]) == posts  # nothing sent, not run again
    assert stored_counts(sandbox, first.job_id) == Counter({"u1": 1})
