"""Fixtures shared by the test modules: one sandbox over real loopback HTTP, and a clean environment."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bulkprep.sandbox import Sandbox
from bulkprep.sandbox.faults import Decision

# No property test is timed: Hypothesis's own deadline (200 ms an example) and its check of slow
# data generation would fail a sound test on a loaded machine, or beside the other test workers.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
# In CI the property tests draw the same examples on every run, so that a run's verdict depends on
# the code alone; on a developer's machine they explore anew each time (and keep what they found).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **UNTIMED)
settings.register_profile("local", **UNTIMED)
settings.load_profile("ci" if os.environ.get("CI") else "local")

#: The API key the shared sandbox accepts; secret-looking, so that a leak of it is easy to grep for.
TOKEN = "sk_test_5ecret-shared-KEY"
#: The header that authenticates a raw request to the shared sandbox.
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A Courier sandbox on loopback that finishes jobs at once, accepting :data:`TOKEN`."""
    with Sandbox(token=TOKEN, processing_seconds=0) as running:
        yield running


@pytest.fixture(autouse=True)
def _ctrl_c_raises() -> None:
    """Each test starts with Ctrl-C raising KeyboardInterrupt, as in a plain run of pytest.

    With the suite spread over worker processes, a worker has been seen with SIGINT ignored after
    some earlier test: then an interrupt reached no test, and every child process it started
    inherited the ignoring (the Ctrl-C tests of the command line timed out).
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread and signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Courier key or base URL in the environment, whatever the shell running the tests has."""
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


class HeldIngestion:
    """Makes the sandbox hold every ingestion after the first ``answered``, until :meth:`release`.

    A test that stops a process mid-way (Ctrl-C, a kill) then always stops it with batches in
    flight and batches unsent, however loaded the machine is.
    """

    def __init__(self, sandbox: Sandbox, answered: int, monkeypatch: pytest.MonkeyPatch) -> None:
        injector = sandbox._gateway.injector
        decide, self.limit, self.arrived = injector.decide, answered, 0
        self._released, self._lock = threading.Event(), threading.Lock()

        def held(*, ingest: bool) -> Decision:
            if ingest:
                with self._lock:
                    self.arrived += 1
                    wait = self.arrived > self.limit
                if wait:
                    self._released.wait(60)
            return decide(ingest=ingest)

        monkeypatch.setattr(injector, "decide", held)

    def wait_until_held(self, process: subprocess.Popen[Any], timeout: float = 60) -> None:
        """Return once a request past the limit is held; fail if ``process`` ends first."""
        deadline = time.monotonic() + timeout
        while self.arrived <= self.limit:
            assert process.poll() is None, "the process ended before a request was held"
            assert time.monotonic() < deadline, "no request was held in time"
            time.sleep(0.02)

    def release(self) -> None:
        self._released.set()
