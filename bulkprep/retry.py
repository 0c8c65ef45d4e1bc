"""When to send a request to Courier again, how long to wait, and when to cut a batch: one policy.

:class:`RetryPolicy` holds every such decision as a small pure rule. The client asks it whether a
failed attempt is worth another (:meth:`~RetryPolicy.should_retry`,
:meth:`~RetryPolicy.should_retry_failure`, :meth:`~RetryPolicy.may_try_again`) and how long to wait
(:meth:`~RetryPolicy.delay`); the sending of batches asks it whether a refused batch is cut in halves
(:meth:`~RetryPolicy.should_split` for 413, :meth:`~RetryPolicy.should_bisect` for 400). The defaults
are bulkprep's behaviour; ``submit(..., retry=RetryPolicy(max_attempts=3))`` changes it for one run.

Example:
    >>> import random
    >>> policy = RetryPolicy()
    >>> policy.should_retry(429), policy.should_retry(400), policy.should_split(413)
    (True, False, True)
    >>> policy.delay(1, retry_after=parse_retry_after("3", now=datetime.now(UTC)), rng=random.Random(0))
    3.0
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from bulkprep._moved import Moved, moved_names
from bulkprep.errors import ConfigurationError

__all__ = [
    "RetryEvent",
    "RetryPolicy",
    "TransportFailure",
    "parse_retry_after",
]

_SECONDS = re.compile(r"\d+(?:\.\d+)?")


class TransportFailure(StrEnum):
    """Ways a request can fail without an answer from Courier (the value is the text people see)."""

    CONNECT_TIMEOUT = "connect timeout"  # no connection made in time: nothing was sent
    CONNECTION_REFUSED = "connection refused"  # nothing listens there (yet): nothing was sent
    READ_TIMEOUT = "read timeout"  # sent, no answer in time: Courier may have acted on it
    CONNECTION_DROPPED = "connection dropped"  # closed mid-exchange: Courier may have acted on it
    ANSWER_CUT_OFF = "answer cut off"  # the answer broke off: Courier acted, the answer is lost
    DEADLINE_PASSED = "deadline passed"  # the request's time ran out mid-exchange: Courier may have acted
    TLS_ERROR = "TLS error"  # certificates or a proxy: sending again meets the same wall
    INVALID_REQUEST = "invalid request"  # a URL or header requests refuses to send
    OTHER = "other"  # any other failure of the connection


_RETRIED_FAILURES = frozenset(TransportFailure) - {
    TransportFailure.TLS_ERROR,
    TransportFailure.INVALID_REQUEST,
}


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


@dataclass(frozen=True)
class RetryPolicy:
    """What to retry, how often, how long to wait, and when a refused batch is cut in halves.

    Attributes:
        max_attempts: most times one request is sent (the first attempt included).
        retry_statuses: answers worth sending again besides 5xx: 408 (timeout) and 429 (slow down).
        retry_server_errors: whether 5xx answers (server trouble) are sent again.
        retry_failures: the failures without an answer that are sent again (timeouts, refused and
            dropped connections, answers cut off; not TLS errors nor requests that cannot be sent).
        backoff_base: the first ceiling of the exponential backoff, in seconds; it doubles per attempt.
        backoff_cap: the largest backoff ceiling, in seconds.
        retry_after_cap: the longest ``Retry-After`` honoured, in seconds (a longer one is cut to it).
        split_statuses: answers that cut a batch in halves, each sent alone: 413 (body too large).
        bisect_statuses: answers that cut a small batch in halves to find the offending users: 400.
        bisect_max_users: the largest batch bisected (at most about 2 x 64 extra requests); a larger
            batch refused with 400 is rejected as a whole.

    Raises:
        ConfigurationError: for a setting out of range (no attempt, a negative wait).

    Example:
        >>> RetryPolicy(max_attempts=3).may_try_again(2), RetryPolicy(max_attempts=3).may_try_again(3)
        (True, False)
        >>> RetryPolicy(max_attempts=0)
        Traceback (most recent call last):
        ...
        bulkprep.errors.ConfigurationError: max_attempts=0 must be at least 1 (1 sends each request once)
    """

    max_attempts: int = 7
    retry_statuses: frozenset[int] = frozenset({408, 429})
    retry_server_errors: bool = True
    retry_failures: frozenset[TransportFailure] = field(default=_RETRIED_FAILURES)
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0
    split_statuses: frozenset[int] = frozenset({413})
    bisect_statuses: frozenset[int] = frozenset({400})
    bisect_max_users: int = 64

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(
                f"max_attempts={self.max_attempts} must be at least 1 (1 sends each request once)"
            )
        for name in ("backoff_base", "backoff_cap", "retry_after_cap"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigurationError(f"{name}={value} must be a number of seconds, zero or more")
        if self.bisect_max_users < 0:
            raise ConfigurationError(f"bisect_max_users={self.bisect_max_users} must be zero or more")

    # ------------------------------------------------------------------------------- send it again?

    def should_retry(self, status: int) -> bool:
        """Whether an answer with this status may succeed when the same request is sent again.

        By default 408 (timeout), 429 (slow down) and 5xx (server trouble) are worth a retry; any other
        4xx will be refused again, and 2xx/3xx are not failures to retry.

        Example:
            >>> [RetryPolicy().should_retry(status) for status in (200, 408, 413, 429, 503)]
            [False, True, False, True, True]
        """
        return status in self.retry_statuses or (self.retry_server_errors and 500 <= status <= 599)

    def should_retry_failure(self, failure: TransportFailure) -> bool:
        """Whether a request that got no answer is sent again.

        Example:
            >>> RetryPolicy().should_retry_failure(TransportFailure.READ_TIMEOUT)
            True
            >>> RetryPolicy().should_retry_failure(TransportFailure.TLS_ERROR)
            False
        """
        return failure in self.retry_failures

    def may_try_again(self, attempt: int) -> bool:
        """Whether another attempt is allowed after attempt number ``attempt`` (from 1) failed.

        Example:
            >>> [RetryPolicy(max_attempts=2).may_try_again(n) for n in (1, 2, 3)]
            [True, False, False]
        """
        return attempt < self.max_attempts

    # ------------------------------------------------------------------------------ how long to wait

    def backoff(self, attempt: int, *, rng: random.Random) -> float:
        """Capped exponential backoff with equal jitter for the retry after ``attempt`` failed.

        The ceiling doubles from :attr:`backoff_base` with each attempt up to :attr:`backoff_cap`; the
        delay is drawn between half the ceiling and the ceiling, so concurrent clients spread out but
        none retries at once.

        Raises:
            ValueError: for an attempt below 1.

        Example:
            >>> rng = random.Random(7)
            >>> policy = RetryPolicy()
            >>> [0.25 <= policy.backoff(1, rng=rng) <= 0.5, 15 <= policy.backoff(40, rng=rng) <= 30]
            [True, True]
        """
        floor = self.backoff_floor(attempt)
        return floor + rng.uniform(0, floor)

    def backoff_floor(self, attempt: int) -> float:
        """The shortest wait :meth:`backoff` draws for the retry after ``attempt`` failed (half its ceiling).

        Example:
            >>> [RetryPolicy().backoff_floor(n) for n in (1, 2, 3)]
            [0.25, 0.5, 1.0]
        """
        if attempt < 1:
            raise ValueError(f"attempt={attempt}; attempts are counted from 1")
        # Beyond 2**64 the float ceiling is long past any cap; stopping there avoids an overflow.
        return min(self.backoff_cap, self.backoff_base * 2.0 ** min(attempt - 1, 64)) / 2

    def delay(self, attempt: int, *, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retrying: Courier's ``Retry-After`` when it sent one, else backoff.

        A ``Retry-After`` longer than :attr:`retry_after_cap` is shortened to it, so that a wrong header
        cannot stall a run for hours; the attempt budget still ends the run if Courier keeps refusing.
        One shorter than :meth:`backoff_floor` (``0``, a date already past) is lengthened to it, so that
        such a header cannot burn every attempt at once.

        Example:
            >>> rng = random.Random(0)
            >>> policy = RetryPolicy()
            >>> policy.delay(2, retry_after=5.0, rng=rng), policy.delay(2, retry_after=3600.0, rng=rng)
            (5.0, 60.0)
            >>> policy.delay(1, retry_after=0.0, rng=rng), policy.delay(3, retry_after=0.0, rng=rng)
            (0.25, 1.0)
            >>> 0.5 <= policy.delay(2, retry_after=None, rng=rng) <= 1.0
            True
        """
        if retry_after is not None and not math.isnan(retry_after):
            # The floor never exceeds the cap: a cap of 0 (tests, "retry at once") stays 0.
            floor = min(self.backoff_floor(attempt), self.retry_after_cap)
            return min(max(retry_after, floor), self.retry_after_cap)
        return self.backoff(attempt, rng=rng)

    # --------------------------------------------------------------------------- cut a refused batch

    def should_split(self, status: int) -> bool:
        """Whether a batch refused with this status is cut in halves, each sent alone (413: too large).

        Example:
            >>> RetryPolicy().should_split(413), RetryPolicy().should_split(400)
            (True, False)
        """
        return status in self.split_statuses

    def should_bisect(self, status: int, users: int) -> bool:
        """Whether a batch of ``users`` refused with this status is bisected to find the offending users.

        Example:
            >>> RetryPolicy().should_bisect(400, 64), RetryPolicy().should_bisect(400, 65)
            (True, False)
        """
        return status in self.bisect_statuses and users <= self.bisect_max_users

    def should_halve(self, status: int, users: int) -> bool:
        """Whether a batch of ``users`` refused with ``status`` is cut in halves (split or bisected).

        A single user cannot be cut: its refusal is its own.

        Example:
            >>> [RetryPolicy().should_halve(413, n) for n in (1, 2, 10_000)]
            [False, True, True]
        """
        return users > 1 and (self.should_split(status) or self.should_bisect(status, users))


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


# ------------------------------------------------------------------------- the former free functions


def _should_retry_status(status: int) -> bool:
    return RetryPolicy().should_retry(status)


def _backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0, rng: random.Random) -> float:
    return RetryPolicy(backoff_base=base, backoff_cap=cap).backoff(attempt, rng=rng)


def _retry_delay(
    attempt: int,
    *,
    retry_after: float | None,
    rng: random.Random,
    cap_retry_after: float = 60.0,
    base: float = 0.5,
    cap: float = 30.0,
) -> float:
    policy = RetryPolicy(backoff_base=base, backoff_cap=cap, retry_after_cap=cap_retry_after)
    return policy.delay(attempt, retry_after=retry_after, rng=rng)


__getattr__ = moved_names(
    __name__,
    {
        "should_retry_status": Moved(_should_retry_status, "RetryPolicy().should_retry(status)"),
        "backoff_delay": Moved(
            _backoff_delay, "RetryPolicy(backoff_base=..., backoff_cap=...).backoff(attempt, rng=...)"
        ),
        "retry_delay": Moved(_retry_delay, "RetryPolicy(...).delay(attempt, retry_after=..., rng=...)"),
    },
)
