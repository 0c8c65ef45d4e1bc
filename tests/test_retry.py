from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.retry import backoff_delay, parse_retry_after, retry_delay, should_retry_status

NOW = datetime(2024, 3, 10, 8, 0, 0, tzinfo=UTC)


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
def test_should_retry_status(status: int, retry: bool) -> None:
    assert should_retry_status(status) is retry


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
def test_backoff_delay_bounds(attempt: int, low: float, high: float) -> None:
    rng = random.Random(attempt)
    delays = [backoff_delay(attempt, rng=rng) for _ in range(200)]
    assert all(low <= delay <= high for delay in delays)
    # Jitter really spreads the delays over the window.
    assert max(delays) - min(delays) > (high - low) / 2


def test_backoff_delay_is_repeatable_with_a_seed() -> None:
    first = [backoff_delay(n, rng=random.Random(42)) for n in range(1, 8)]
    second = [backoff_delay(n, rng=random.Random(42)) for n in range(1, 8)]
    assert first == second


def test_backoff_delay_survives_absurd_attempts() -> None:
    assert 15.0 <= backoff_delay(10_000, rng=random.Random(0)) <= 30.0


@pytest.mark.parametrize("attempt", [0, -1])
def test_backoff_delay_refuses_attempts_below_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="counted from 1"):
        backoff_delay(attempt, rng=random.Random(0))


@settings(max_examples=100)
@given(
    attempt=st.integers(1, 200),
    base=st.floats(0.01, 5),
    cap=st.floats(0.01, 120),
    seed=st.integers(0, 2**32),
)
def test_backoff_delay_never_exceeds_cap_nor_drops_below_half_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap, rng=random.Random(seed))
    ceiling = min(cap, base * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("retry_after", "cap_retry_after", "expected"),
    [(0.0, 60.0, 0.0), (2.5, 60.0, 2.5), (60.0, 60.0, 60.0), (61.0, 60.0, 60.0), (86_400.0, 10.0, 10.0)],
)
def test_retry_delay_honours_retry_after_up_to_its_cap(
    retry_after: float, cap_retry_after: float, expected: float
) -> None:
    rng = random.Random(0)
    assert retry_delay(3, retry_after=retry_after, rng=rng, cap_retry_after=cap_retry_after) == expected


@pytest.mark.parametrize("retry_after", [None, float("nan"), float("inf")])
def test_retry_delay_falls_back_to_backoff(retry_after: float | None) -> None:
    assert retry_delay(3, retry_after=retry_after, rng=random.Random(5)) == backoff_delay(
        3, rng=random.Random(5)
    )
