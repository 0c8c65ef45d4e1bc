"""When to retry a request to Courier and how long to wait: small pure functions.

Example:
    >>> import random
    >>> should_retry_status(429), should_retry_status(400)
    (True, False)
    >>> retry_delay(1, retry_after=parse_retry_after("3", now=datetime.now(UTC)), rng=random.Random(0))
    3.0
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = [
    "RetryEvent",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
    "should_retry_status",
]

_SECONDS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class RetryEvent:
    """One retry about to happen, handed to the client's ``on_retry`` callback before it waits.

    Attributes:
        attempt: the attempt that failed (1 for the first request).
        delay: seconds the client waits before the next attempt.
        reason: what went wrong, for people (for example ``"429 rate_limit_error"`` or ``"read timeout"``).
        status: the HTTP status of the failed attempt, 0 when no answer came.

    Example:
        >>> RetryEvent(1, 0.5, "503 api_error", 503).status
        503
    """

    attempt: int
    delay: float
    reason: str
    status: int


def should_retry_status(status: int) -> bool:
    """Whether an answer with this status may succeed when the same request is sent again.

    408 (timeout), 429 (slow down) and 5xx (server trouble) are worth a retry; any other 4xx will be
    refused again, and 2xx/3xx are not failures to retry.

    Example:
        >>> [should_retry_status(status) for status in (200, 408, 413, 429, 503)]
        [False, True, False, True, True]
    """
    return status in (408, 429) or 500 <= status <= 599


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, given as seconds or as an HTTP date.

    Args:
        value: the header value, or None when there was none.
        now: the current time (timezone-aware; a naive one is taken as UTC).

    Returns:
        The delay in seconds (0 for a date already past), or None when there is no usable value.

    Example:
        >>> now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
        >>> parse_retry_after("120", now=now), parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now)
        (120.0, 30.0)
        >>> parse_retry_after("soon", now=now) is None
        True
    """
    if value is None:
        return None
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0, rng: random.Random) -> float:
    """Capped exponential backoff with equal jitter for the retry after ``attempt`` failed.

    The ceiling doubles from ``base`` with each attempt up to ``cap``; the delay is drawn between
    half the ceiling and the ceiling, so concurrent clients spread out but none retries at once.

    Args:
        attempt: the attempt that failed, from 1.
        base: ceiling after the first attempt, in seconds.
        cap: largest ceiling, in seconds.
        rng: the source of jitter (seed it to get repeatable delays).

    Example:
        >>> rng = random.Random(7)
        >>> [0.25 <= backoff_delay(1, rng=rng) <= 0.5, 15 <= backoff_delay(40, rng=rng) <= 30]
        [True, True]
    """
    if attempt < 1:
        raise ValueError(f"attempt={attempt}; attempts are counted from 1")
    # Beyond 2**64 the float ceiling is long past any cap; stopping there avoids an overflow.
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_delay(
    attempt: int,
    *,
    retry_after: float | None,
    rng: random.Random,
    cap_retry_after: float = 60.0,
    base: float = 0.5,
    cap: float = 30.0,
) -> float:
    """Seconds to wait before retrying: Courier's ``Retry-After`` when it sent one, else backoff.

    A ``Retry-After`` longer than ``cap_retry_after`` is shortened to it, so that a wrong header
    cannot stall a run for hours; the retry budget still ends the run if Courier keeps refusing.

    Example:
        >>> rng = random.Random(0)
        >>> retry_delay(2, retry_after=5.0, rng=rng), retry_delay(2, retry_after=3600.0, rng=rng)
        (5.0, 60.0)
        >>> 0.5 <= retry_delay(2, retry_after=None, rng=rng) <= 1.0
        True
    """
    if retry_after is not None and math.isfinite(retry_after):
        return min(max(retry_after, 0.0), cap_retry_after)
    return backoff_delay(attempt, base=base, cap=cap, rng=rng)
