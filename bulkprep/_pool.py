"""Decide many values one at a time on every core: a process pool over distinct values, for large inputs.

What the column-wise fast paths (:mod:`bulkprep._accel`) leave undecided goes to phonenumbers or
email-validator one value at a time. When those values are many, :func:`outcomes` splits them into
chunks and decides the chunks in worker processes, with the very same function, and returns the
outcomes in the order of the values: the verdicts and messages are the serial path's.

The workers are forked: they start in a few milliseconds with the libraries already imported and the
function and the values already in their memory (nothing but the outcomes is pickled). So the pool
runs only where all of these hold, and otherwise the values are decided in this process:

- there are at least :data:`MIN_VALUES` values: below that, starting the workers costs more than it
  saves;
- more than one worker is allowed: ``BULKPREP_WORKERS`` (a whole number; ``1`` turns the pool off),
  or else as many as the CPUs this process may run on that are idle (by the load average): on a
  machine whose cores are taken by other work, the workers would only wait for them;
- the platform forks processes (Linux, macOS), this is the main thread (where an interrupt lands,
  so the workers can be stopped with it; a Dask worker's threads are not) and the process was not
  itself started by :mod:`multiprocessing` (a daemon such as a Dask worker process may not start
  processes of its own, and a worker of any pool, a chunk of a streamed file for one, already has
  its core: its siblings have the others).

The workers ignore interrupts; on an interrupt or any error here or in a worker the pool is
terminated and joined before the exception goes on, so no process is left behind.

Example:
    >>> outcomes(str.upper, ["a", "b"])
    ['A', 'B']
    >>> plan(10)
    1
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

from bulkprep.errors import ConfigurationError

__all__ = ["ENV_VAR", "MIN_COLUMN_VALUES", "MIN_VALUES", "outcomes", "plan"]

ENV_VAR: Final = "BULKPREP_WORKERS"
"""How many processes may decide values: ``BULKPREP_WORKERS=1`` turns the pool off."""

MIN_VALUES = 4_000
"""The fewest values worth a pool (measured: see benchmarks/README.md, "A process pool")."""

MIN_COLUMN_VALUES = 20_000
"""The fewest values decided column-wise (by a fast path, about 10 us each) worth a pool: forking
the workers of a large process and sending back what they decided costs some 50 ms."""

_CHUNKS_PER_WORKER = 4  # chunks of about equal cost: a slow chunk does not hold the others up

_T = TypeVar("_T")

# The job of the pool being started: forked workers find it here (set before the fork, read after).
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
_lock = threading.Lock()


def _allowed() -> int:
    """The workers allowed: ``BULKPREP_WORKERS``, else the idle CPUs this process may run on."""
    written = os.environ.get(ENV_VAR, "").strip()
    if written:
        if not written.isdigit() or int(written) < 1:
            raise ConfigurationError(
                f"{ENV_VAR}={written!r} is not a number of processes: write a whole number "
                "such as 4, or 1 to decide every value in this process"
            )
        return int(written)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity (macOS)
        cpus = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average to read
        busy = 0.0
    # This process is one of the running ones: it counts as an idle core of its own.
    return max(1, min(cpus, round(cpus - busy) + 1))


def plan(count: int) -> int:
    """How many processes would decide ``count`` values (1: this process alone).

    Example:
        >>> plan(0), plan(MIN_VALUES - 1)
        (1, 1)
    """
    if count < MIN_VALUES:
        return 1
    workers = min(_allowed(), count)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    if multiprocessing.current_process().daemon or multiprocessing.parent_process() is not None:
        return 1
    return workers


def _ignore_interrupts() -> None:
    # An interrupt reaches every process of the terminal's group: the parent stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _decide_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None, "a worker of bulkprep's pool runs without its job"
    decide, values = _job
    return [decide(value) for value in values[bounds[0] : bounds[1]]]


def outcomes(decide: Callable[[Any], _T], values: Sequence[Any], *, count: int | None = None) -> list[_T]:
    """``[decide(value) for value in values]``, on several processes when the values are many.

    Args:
        decide: the outcome of one value; it must not depend on state it changes (each worker has
            its own copy of the process), and its results must pickle.
        values: the values, in order.
        count: how many values ``values`` stand for, when each is a piece of many (a slice of an
            array that ``decide`` decides column-wise); the pool is planned for that count.

    Returns:
        The outcomes, in the order of ``values``, as the serial loop gives them.

    Example:
        >>> outcomes(len, ["ab", "c", ""])
        [2, 1, 0]
    """
    workers = min(plan(len(values) if count is None else count), len(values))
    if workers <= 1:
        return [decide(value) for value in values]
    global _job
    with _lock:
        _job = (decide, values)
        try:
            return _in_pool(workers, len(values))
        finally:
            _job = None


def _in_pool(workers: int, count: int) -> list[Any]:
    chunks = workers * _CHUNKS_PER_WORKER
    edges = [count * i // chunks for i in range(chunks + 1)]
    bounds = [(start, stop) for start, stop in itertools.pairwise(edges) if stop > start]
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts)
    try:
        parts = pool.map(_decide_chunk, bounds, chunksize=1)
    finally:
        # Also on an interrupt or a worker's error: no worker outlives the call.
        pool.terminate()
        pool.join()
    return [outcome for part in parts for outcome in part]
