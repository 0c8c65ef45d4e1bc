"""A clock for a sandbox's job lifecycle that tests move by hand, so no test waits for a job."""

from __future__ import annotations


class ManualClock:
    """Monotonic seconds that change only when a test sets or adds to :attr:`now`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
