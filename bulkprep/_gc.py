"""One switch for the stages that make millions of small objects: pause Python's cycle collector.

Each pass of the collector walks every container alive; while a stage builds hundreds of thousands of
lists, texts and dicts, the passes their allocations trigger cost more than the work itself (a third
of building the payloads, a tenth of ``prepare``). What these stages make holds no reference cycles,
so nothing is left for the collector to free; it runs again as usual afterwards. The pause is
process-wide while it lasts.

Example:
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block; restore it as it was (also on errors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
