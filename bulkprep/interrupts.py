"""Ctrl-C held off while the results of an interrupted run are saved.

After the first Ctrl-C, bulkprep settles what it sent and writes every row's status. A second Ctrl-C
a moment later (people press it twice) must not cut that short: the results file and the journal are
what the user needs to go on. :func:`held_interrupts` holds Ctrl-C off for the length of a block.

A termination (SIGTERM: ``kill``, a service manager, a container stopping) is a Ctrl-C too:
:func:`terminations_interrupt` turns it into a :class:`Terminated`, a ``KeyboardInterrupt``, so the
same path writes the results and leaves the journal consistent.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Terminated", "Termination", "held_interrupts", "terminations_interrupt"]


class Terminated(KeyboardInterrupt):
    """A SIGTERM, raised where a Ctrl-C would be: what stops on Ctrl-C stops on it too."""


class Termination:
    """Whether a SIGTERM came while :func:`terminations_interrupt` was in force."""

    def __init__(self) -> None:
        self.received = False


@contextlib.contextmanager
def held_interrupts() -> Iterator[None]:
    """Ignore Ctrl-C while the block runs (in the main thread; elsewhere signals cannot be set).

    Example:
        >>> with held_interrupts():
        ...     saved = "every row's status"
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ignore(signum: int, frame: FrameType | None) -> None:
        """The run is already stopping: a second Ctrl-C changes nothing."""

    previous = signal.signal(signal.SIGINT, ignore)
    previous_term = signal.signal(signal.SIGTERM, ignore)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous_term is None else previous_term)
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def terminations_interrupt() -> Iterator[Termination]:
    """Raise :class:`Terminated` on SIGTERM while the block runs, as Ctrl-C raises ``KeyboardInterrupt``.

    Only in the main thread (elsewhere signals cannot be set); the handler in place before is put back
    afterwards. The :class:`Termination` yielded says whether one came.

    Example:
        >>> with terminations_interrupt() as termination:
        ...     pass
        >>> termination.received
        False
    """
    termination = Termination()
    if threading.current_thread() is not threading.main_thread():
        yield termination
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        termination.received = True
        raise Terminated

    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:  # the parent asked for it to be ignored
        yield termination
        return
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield termination
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
