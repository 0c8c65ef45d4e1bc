"""Faults the sandbox injects on demand, decided by seeded draws so a test run repeats exactly.

Each API request that faults apply to gets a number (1, 2, 3, ...). "Every N" faults hit the requests whose
number is a multiple of N; "rate" faults hit a seeded random fraction. Every fault kind has its own random
stream, so switching one fault on does not change which requests another one hits.

Example:
    >>> injector = FaultInjector(Faults(rate_limit_every=2))
    >>> [injector.decide(ingest=True).status for _ in range(4)]
    [None, 429, None, 429]
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from dataclasses import dataclass

from bulkprep.errors import ConfigurationError

__all__ = ["Decision", "FaultInjector", "Faults"]


@dataclass(frozen=True)
class Faults:
    """Which faults to inject. Everything is off by default.

    Attributes:
        seed: seeds every random draw, so the same requests in the same order meet the same faults.
        rate_limit_every: answer 429 to every Nth request (0: never).
        rate_limit_rate: answer 429 to this fraction of requests (0 to 1).
        retry_after: seconds sent in ``Retry-After`` with a 429 (None: no header).
        retry_after_date: send ``Retry-After`` as an HTTP date (now + ``retry_after``, rounded up).
        server_error_every: answer ``server_error_status`` to every Nth request (0: never).
        server_error_rate: answer ``server_error_status`` to this fraction of requests.
        server_error_status: 500 or 503.
        latency: seconds to wait before handling each request.
        drop_every: handle every Nth request, then close the connection without answering (0: never).
        drop_rate: the same, for this fraction of requests.
        ignore_idempotency: ignore ``Idempotency-Key`` (each request is handled again).
        only_ingest: apply the faults above to ``POST /bulk/{job_id}`` only, not to every API request.

    429 and 5xx answers come before the request is handled (nothing is stored); a dropped connection
    comes after (the users are stored, the client hears nothing).

    Example:
        >>> Faults(rate_limit_rate=0.5, retry_after=1).retry_after
        1
    """

    seed: int = 0
    rate_limit_every: int = 0
    rate_limit_rate: float = 0.0
    retry_after: float | None = None
    retry_after_date: bool = False
    server_error_every: int = 0
    server_error_rate: float = 0.0
    server_error_status: int = 500
    latency: float = 0.0
    drop_every: int = 0
    drop_rate: float = 0.0
    ignore_idempotency: bool = False
    only_ingest: bool = False

    def __post_init__(self) -> None:
        for name in ("rate_limit_every", "server_error_every", "drop_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"fault {name}={value!r} must be a whole number, 0 to switch it off")
        for name in ("rate_limit_rate", "server_error_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigurationError(f"fault {name}={value!r} must be a fraction between 0 and 1")
        if self.server_error_status not in (500, 503):
            raise ConfigurationError(
                f"fault server_error_status={self.server_error_status!r} must be 500 or 503"
            )
        if self.latency < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ConfigurationError("fault latency and retry_after must not be negative")


@dataclass(frozen=True)
class Decision:
    """What happens to one request: an injected status (or None), its extra headers, and whether to drop."""

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    latency: float = 0.0

    @property
    def fault(self) -> str | None:
        """A short name of the injected fault, for the request log."""
        if self.status == 429:
            return "rate_limit"
        if self.status is not None:
            return "server_error"
        return "drop" if self.drop else None


def _retry_after_value(seconds: float, *, as_date: bool) -> str:
    if as_date:
        return email.utils.formatdate(math.ceil(time.time() + seconds), usegmt=True)
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


class FaultInjector:
    """Decides, request by request and thread-safely, which fault (if any) each request meets."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Start counting and drawing again from the first request."""
        with self._lock:
            self._count = 0
            seed = self.faults.seed
            # String seeds are hashed deterministically, whatever PYTHONHASHSEED says.
            self._draws = {
                kind: random.Random(f"{seed}:{kind}") for kind in ("rate_limit", "server_error", "drop")
            }

    def applies(self, *, ingest: bool) -> bool:
        """Whether faults apply to this request at all."""
        return ingest or not self.faults.only_ingest

    def _hit(self, kind: str, every: int, rate: float) -> bool:
        draw = self._draws[kind].random()  # drawn for every request, so the stream follows request numbers
        return (every > 0 and self._count % every == 0) or draw < rate

    def decide(self, *, ingest: bool) -> Decision:
        """Number the request and decide its fault; requests faults do not apply to get no number."""
        faults = self.faults
        if not self.applies(ingest=ingest):
            return Decision()
        with self._lock:
            self._count += 1
            rate_limited = self._hit("rate_limit", faults.rate_limit_every, faults.rate_limit_rate)
            failed = self._hit("server_error", faults.server_error_every, faults.server_error_rate)
            dropped = self._hit("drop", faults.drop_every, faults.drop_rate)
        if rate_limited:
            headers: tuple[tuple[str, str], ...] = ()
            if faults.retry_after is not None:
                value = _retry_after_value(faults.retry_after, as_date=faults.retry_after_date)
                headers = (("Retry-After", value),)
            return Decision(429, headers, latency=faults.latency)
        if failed:
            return Decision(faults.server_error_status, latency=faults.latency)
        return Decision(drop=dropped, latency=faults.latency)
