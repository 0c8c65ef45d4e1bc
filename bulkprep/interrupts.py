"""Ctrl-C held off while the results of an interrupted run are saved.

After the first Ctrl-C, bulkprep settles what it sent and writes every row's status. A second Ctrl-C
a moment later (people press it twice) must not cut that short: the results file and the journal are
what the user needs to go on. :func:`held_interrupts` holds Ctrl-C off for the length of a block.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["held_interrupts"]


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
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
