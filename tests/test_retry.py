"""The retry policy, rule by rule: what is retried, how long to wait, when a refused batch is cut."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bulkprep.retry
from bulkprep.errors import ConfigurationError
from bulkprep.retry import RetryPolicy, TransportFailure, parse_retry_after

NOW = datetime(2024, 3, 10, 8, 0, 0, tzinfo=UTC)
POLICY = RetryPolicy()


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (200, False),
        (201, False),
        (204, False),
        (301, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (409, False),
        (413, False),
        (422, False),
        (429, True),
        (499, False),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (599, True),
        (600, False),
    ],
)
def test_should_retry(status: int, retry: bool) -> None:
    assert POLICY.should_retry(status) is retry


@pytest.mark.parametrize(
    ("policy", "status", "retry"),
    [
        (RetryPolicy(retry_statuses=frozenset({429})), 408, False),
        (RetryPolicy(retry_statuses=frozenset({429})), 429, True),
        (RetryPolicy(retry_statuses=frozenset({409, 429})), 409, True),
        (RetryPolicy(retry_server_errors=False), 503, False),
        (RetryPolicy(retry_server_errors=False), 429, True),
    ],
)
def test_which_statuses_are_retried_is_the_policys(policy: RetryPolicy, status: int, retry: bool) -> None:
    assert policy.should_retry(status) is retry


@pytest.mark.parametrize(
    ("failure", "retry"),
    [
        (TransportFailure.CONNECT_TIMEOUT, True),
        (TransportFailure.CONNECTION_REFUSED, True),
        (TransportFailure.READ_TIMEOUT, True),
        (TransportFailure.CONNECTION_DROPPED, True),
        (TransportFailure.ANSWER_CUT_OFF, True),
        (TransportFailure.OTHER, True),
        (TransportFailure.TLS_ERROR, False),
        (TransportFailure.INVALID_REQUEST, False),
    ],
)
def test_should_retry_failure(failure: TransportFailure, retry: bool) -> None:
    assert POLICY.should_retry_failure(failure) is retry


def test_transport_failures_to_retry_can_be_narrowed() -> None:
    policy = RetryPolicy(retry_failures=frozenset({TransportFailure.CONNECTION_REFUSED}))
    assert policy.should_retry_failure(TransportFailure.CONNECTION_REFUSED)
    assert not policy.should_retry_failure(TransportFailure.READ_TIMEOUT)


@pytest.mark.parametrize(
    ("max_attempts", "attempt", "again"),
    [(1, 1, False), (2, 1, True), (2, 2, False), (7, 6, True), (7, 7, False), (7, 8, False)],
)
def test_may_try_again(max_attempts: int, attempt: int, again: bool) -> None:
    assert RetryPolicy(max_attempts=max_attempts).may_try_again(attempt) is again


def test_default_is_seven_attempts() -> None:
    assert POLICY.max_attempts == 7
    assert (POLICY.backoff_base, POLICY.backoff_cap, POLICY.retry_after_cap) == (0.5, 30.0, 60.0)


@pytest.mark.parametrize(
    ("status", "users", "split", "bisect", "halve"),
    [
        (413, 1, True, False, False),
        (413, 2, True, False, True),
        (413, 10_000, True, False, True),
        (400, 1, False, True, False),
        (400, 2, False, True, True),
        (400, 64, False, True, True),
        (400, 65, False, False, False),
        (404, 10, False, False, False),
        (409, 10, False, False, False),
        (429, 10, False, False, False),
        (500, 10, False, False, False),
    ],
)
def test_when_a_refused_batch_is_cut(status: int, users: int, split: bool, bisect: bool, halve: bool) -> None:
    assert POLICY.should_split(status) is split
    assert POLICY.should_bisect(status, users) is bisect
    assert POLICY.should_halve(status, users) is halve


@pytest.mark.parametrize(
    ("policy", "status", "users", "halve"),
    [
        (RetryPolicy(bisect_max_users=0), 400, 2, False),
        (RetryPolicy(bisect_max_users=1000), 400, 1000, True),
        (RetryPolicy(split_statuses=frozenset()), 413, 8, False),
        (RetryPolicy(bisect_statuses=frozenset({400, 422})), 422, 8, True),
    ],
)
def test_cutting_is_the_policys(policy: RetryPolicy, status: int, users: int, halve: bool) -> None:
    assert policy.should_halve(status, users) is halve


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"max_attempts": 0}, "max_attempts=0 must be at least 1"),
        ({"backoff_base": -1.0}, "backoff_base=-1.0"),
        ({"backoff_cap": float("nan")}, "backoff_cap=nan"),
        ({"retry_after_cap": float("inf")}, "retry_after_cap=inf"),
        ({"bisect_max_users": -1}, "bisect_max_users=-1"),
    ],
)
def test_settings_out_of_range_are_refused(options: dict, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        RetryPolicy(**options)


def test_the_policy_is_frozen_and_compares_by_value() -> None:
    assert RetryPolicy(max_attempts=3) == RetryPolicy(max_attempts=3)
    with pytest.raises(AttributeError):
        POLICY.max_attempts = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("7", 7.0),
        (" 12 ", 12.0),
        ("1.5", 1.5),
        ("3600", 3600.0),
        ("-5", None),
        ("soon", None),
        ("5 seconds", None),
        ("nan", None),
        ("inf", None),
        ("1e3", None),
        # HTTP dates: future, past, now, the obsolete formats HTTP still allows, and broken ones.
        ("Sun, 10 Mar 2024 08:00:30 GMT", 30.0),
        ("Sun, 10 Mar 2024 09:00:00 GMT", 3600.0),
        ("Sun, 10 Mar 2024 07:59:00 GMT", 0.0),
        ("Sat, 09 Mar 2024 08:00:00 GMT", 0.0),
        ("Sun, 10 Mar 2024 08:00:00 GMT", 0.0),
        ("Sunday, 10-Mar-24 08:00:10 GMT", 10.0),
        ("Sun Mar 10 08:00:20 2024", 20.0),
        ("Sun, 10 Mar 2024 10:00:05 +0200", 5.0),
        ("Sun, 10 Mar 2024 08:00:05 -0000", 5.0),
        ("Sun, 32 Mar 2024 08:00:00 GMT", None),
        ("Sun, 10 Foo 2024 08:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_parse_retry_after_takes_naive_now_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after("Sun, 10 Mar 2024 08:00:30 GMT", now=naive) == 30.0


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [
        (1, 0.25, 0.5),
        (2, 0.5, 1.0),
        (3, 1.0, 2.0),
        (4, 2.0, 4.0),
        (6, 8.0, 16.0),
        (7, 15.0, 30.0),
        (50, 15.0, 30.0),
    ],
)
def test_backoff_bounds(attempt: int, low: float, high: float) -> None:
    rng = random.Random(attempt)
    delays = [POLICY.backoff(attempt, rng=rng) for _ in range(200)]
    assert all(low <= delay <= high for delay in delays)
    # Jitter really spreads the delays over the window.
    assert max(delays) - min(delays) > (high - low) / 2


def test_backoff_is_repeatable_with_a_seed() -> None:
    first = [POLICY.backoff(n, rng=random.Random(42)) for n in range(1, 8)]
    second = [POLICY.backoff(n, rng=random.Random(42)) for n in range(1, 8)]
    assert first == second


def test_backoff_survives_absurd_attempts() -> None:
    assert 15.0 <= POLICY.backoff(10_000, rng=random.Random(0)) <= 30.0


@pytest.mark.parametrize("attempt", [0, -1])
def test_backoff_refuses_attempts_below_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="counted from 1"):
        POLICY.backoff(attempt, rng=random.Random(0))


@settings(max_examples=100)
@given(
    attempt=st.integers(1, 200),
    base=st.floats(0.01, 5),
    cap=st.floats(0.01, 120),
    seed=st.integers(0, 2**32),
)
def test_backoff_never_exceeds_cap_nor_drops_below_half_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = RetryPolicy(backoff_base=base, backoff_cap=cap).backoff(attempt, rng=random.Random(seed))
    ceiling = min(cap, base * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("retry_after", "cap_retry_after", "expected"),
    [
        (0.0, 60.0, 1.0),  # floored at the backoff's minimum for attempt 3
        (-5.0, 60.0, 1.0),
        (2.5, 60.0, 2.5),
        (60.0, 60.0, 60.0),
        (61.0, 60.0, 60.0),
        (86_400.0, 10.0, 10.0),
        (float("inf"), 60.0, 60.0),
        (0.0, 0.0, 0.0),  # a cap of 0 means "retry at once"
    ],
)
def test_delay_honours_retry_after_up_to_its_cap(
    retry_after: float, cap_retry_after: float, expected: float
) -> None:
    policy = RetryPolicy(retry_after_cap=cap_retry_after)
    assert policy.delay(3, retry_after=retry_after, rng=random.Random(0)) == expected


@pytest.mark.parametrize("retry_after", [None, float("nan")])
def test_delay_falls_back_to_backoff(retry_after: float | None) -> None:
    assert POLICY.delay(3, retry_after=retry_after, rng=random.Random(5)) == POLICY.backoff(
        3, rng=random.Random(5)
    )


@pytest.mark.parametrize(
    ("name", "call", "expected"),
    [
        ("should_retry_status", lambda f: f(503), True),
        ("backoff_delay", lambda f: f(1, base=2.0, cap=2.0, rng=random.Random(1)), None),
        ("retry_delay", lambda f: f(1, retry_after=90.0, rng=random.Random(1), cap_retry_after=10.0), 10.0),
    ],
)
def test_the_former_functions_still_work_with_a_warning(name: str, call, expected: object) -> None:
    with pytest.warns(DeprecationWarning, match="RetryPolicy"):
        function = getattr(bulkprep.retry, name)
    result = call(function)
    if expected is None:
        assert 1.0 <= result <= 2.0
    else:
        assert result == expected
