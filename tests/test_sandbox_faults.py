"""Each fault switch of the sandbox, shown to work over real HTTP; the decision rules tested on their own."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.sandbox import Faults, Sandbox
from bulkprep.sandbox.faults import FaultInjector

TOKEN = "sk_test_faults"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(AUTH)
        yield session


def statuses(sb: Sandbox, http: requests.Session, count: int) -> list[int]:
    """Status of ``count`` create-job requests in a row."""
    return [http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}).status_code for _ in range(count)]


# -- the rules, without HTTP ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "ingest", "expected"),
    [
        (Faults(), True, [None] * 6),
        (Faults(rate_limit_every=3), True, [None, None, 429, None, None, 429]),
        (Faults(server_error_every=2, server_error_status=503), True, [None, 503, None, 503, None, 503]),
        (Faults(rate_limit_every=2, server_error_every=3), True, [None, 429, 500, 429, None, 429]),
        (Faults(rate_limit_rate=1.0), True, [429] * 6),
        (Faults(rate_limit_every=1, only_ingest=True), False, [None] * 6),
        (Faults(rate_limit_every=1, only_ingest=True), True, [429] * 6),
    ],
)
def test_injected_status_by_request_number(faults: Faults, ingest: bool, expected: list[int | None]) -> None:
    injector = FaultInjector(faults)
    assert [injector.decide(ingest=ingest).status for _ in expected] == expected


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    rate=st.floats(0, 1),
    every=st.integers(0, 5),
    drop_rate=st.floats(0, 1),
)
def test_fault_sequences_repeat_by_seed_and_do_not_disturb_each_other(
    seed: int, rate: float, every: int, drop_rate: float
) -> None:
    def sequence(**extra: Any) -> list[int | None]:
        injector = FaultInjector(Faults(seed=seed, rate_limit_rate=rate, rate_limit_every=every, **extra))
        return [injector.decide(ingest=True).status for _ in range(30)]

    first = sequence()
    assert first == sequence()  # the same seed, the same faults
    assert first == sequence(drop_rate=drop_rate)  # another fault kind draws from its own stream
    if every:
        assert all(first[n - 1] == 429 for n in range(every, 31, every))


def test_reset_restarts_the_sequence() -> None:
    injector = FaultInjector(Faults(seed=7, drop_rate=0.5))
    first = [injector.decide(ingest=True).drop for _ in range(20)]
    injector.reset()
    assert [injector.decide(ingest=True).drop for _ in range(20)] == first
    assert any(first)
    assert not all(first)


# -- over HTTP ---------------------------------------------------------------------------------------------


def test_rate_limit_every_nth_without_retry_after(http) -> None:
    with Sandbox(token=TOKEN, rate_limit_every=3) as sb:
        answers = [http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}) for _ in range(6)]
        assert [a.status_code for a in answers] == [200, 200, 429, 200, 200, 429]
        assert answers[2].json()["type"] == "rate_limit_error"
        assert "Retry-After" not in answers[2].headers
        assert len(sb.jobs) == 4  # a rate-limited request is not handled
        assert [r.fault for r in sb.requests] == [None, None, "rate_limit", None, None, "rate_limit"]


def test_rate_limit_with_retry_after_seconds(http) -> None:
    with Sandbox(token=TOKEN, rate_limit_every=1, retry_after=2) as sb:
        answer = http.get(f"{sb.url}/bulk/x")
        assert (answer.status_code, answer.headers["Retry-After"]) == (429, "2")


def test_rate_limit_with_retry_after_as_http_date(http) -> None:
    with Sandbox(token=TOKEN, rate_limit_every=1, retry_after=30, retry_after_date=True) as sb:
        answer = http.get(f"{sb.url}/bulk/x")
        when = email.utils.parsedate_to_datetime(answer.headers["Retry-After"])
        assert answer.status_code == 429
        assert 20 <= (when - datetime.now(UTC)).total_seconds() <= 31


def test_rate_limit_fraction_is_reproducible_by_seed(http) -> None:
    def run(seed: int) -> list[int]:
        with Sandbox(token=TOKEN, rate_limit_rate=0.5, seed=seed) as sb:
            return statuses(sb, http, 24)

    first = run(3)
    assert first == run(3)
    assert first != run(4)
    assert set(first) == {200, 429}


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_on_a_fraction(http, status: int) -> None:
    with Sandbox(token=TOKEN, server_error_rate=0.5, server_error_status=status, seed=1) as sb:
        answers = [http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}) for _ in range(20)]
        failed = [a for a in answers if a.status_code == status]
        assert 0 < len(failed) < 20
        assert all(a.json() == {"message": a.json()["message"], "type": "api_error"} for a in failed)
        assert len(sb.jobs) == 20 - len(failed)  # nothing was handled for a 5xx


def test_latency_is_added_to_each_request(http) -> None:
    with Sandbox(token=TOKEN, latency=0.05) as sb:
        started = time.perf_counter()
        statuses(sb, http, 4)
        assert time.perf_counter() - started >= 0.2


def test_dropped_connection_after_handling_then_replay_by_idempotency_key(http) -> None:
    with Sandbox(token=TOKEN, drop_every=2, only_ingest=True) as sb:
        job_id = http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}).json()["jobId"]
        batch = {"users": [{"recipient": "a"}, {"recipient": "b"}]}
        first = http.post(f"{sb.url}/bulk/{job_id}", json={"users": [{"recipient": "z"}]})
        assert first.status_code == 200
        with pytest.raises(requests.ConnectionError):
            http.post(f"{sb.url}/bulk/{job_id}", json=batch, headers={"Idempotency-Key": "batch-2"})
        # Stored although the client heard nothing: the case that makes naive clients send twice.
        assert [u["recipient"] for u in sb.users(job_id)] == ["z", "a", "b"]
        retry = http.post(f"{sb.url}/bulk/{job_id}", json=batch, headers={"Idempotency-Key": "batch-2"})
        assert (retry.status_code, retry.json()) == (200, {"errors": [], "total": 2})
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert sb.offers(job_id) == {"z": 1, "a": 1, "b": 1}
        assert [(r.status, r.fault, r.replayed) for r in sb.requests[1:]] == [
            (200, None, False),
            (200, "drop", False),
            (200, None, True),
        ]


def test_dropped_connection_without_idempotency_shows_the_duplicate(http) -> None:
    with Sandbox(token=TOKEN, drop_every=1, only_ingest=True, ignore_idempotency=True) as sb:
        job_id = http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}).json()["jobId"]
        for _ in range(2):
            with pytest.raises(requests.ConnectionError):
                http.post(
                    f"{sb.url}/bulk/{job_id}",
                    json={"users": [{"recipient": "a"}]},
                    headers={"Idempotency-Key": "k"},
                )
        assert len(sb.users(job_id)) == 1  # Courier's duplicate check keeps the second copy out
        assert sb.offers(job_id) == {"a": 2}  # but the user was offered twice


def test_drop_rate_on_every_endpoint(http) -> None:
    with Sandbox(token=TOKEN, drop_rate=0.5, seed=2) as sb:
        outcomes = []
        for _ in range(12):
            try:
                outcomes.append(http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}).status_code)
            except requests.ConnectionError:
                outcomes.append(0)
        assert 0 in outcomes
        assert 200 in outcomes
        assert len(sb.jobs) == 12  # every request was handled, answered or not
