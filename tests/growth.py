"""How a step's cost grows with its input, measured so that a slow or busy machine cannot fool it.

A test of "linear time" that asserts a bound in seconds fails on a loaded machine and lets a
quadratic step pass on a fast one. :func:`assert_linear` runs the same step on an input and on one
ten times larger and compares the CPU time the two took: other processes do not add to it, and a
slower processor slows both runs alike. Ten times the input costs about 10x for linear work and
about 100x for quadratic work, so a bound of 30x tells them apart with room to spare either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable

try:
    import resource
except ImportError:  # Windows: the children's time is not counted there
    resource = None  # type: ignore[assignment]

#: The most ten times the input may cost: linear work costs about 10x, quadratic work about 100x.
LINEAR_BOUND = 30.0


def cpu_now() -> float:
    """CPU seconds used so far by this process (every thread) and by the children it has waited for."""
    spent = time.process_time()
    if resource is not None:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent += children.ru_utime + children.ru_stime
    return spent


def cpu_seconds(work: Callable[[], object], *, repeat: int = 1) -> float:
    """The least CPU time one call of ``work`` took over ``repeat`` calls (noise only ever adds)."""
    best = float("inf")
    for _ in range(repeat):
        started = cpu_now()
        work()
        best = min(best, cpu_now() - started)
    return best


def compare_costs(
    small: Callable[[], object],
    large: Callable[[], object],
    *,
    repeat: int = 2,
    warm_up: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """The CPU seconds of ``small`` (the least of ``repeat`` calls) and of one call of ``large``.

    ``warm_up`` (by default ``small``) runs once first, unmeasured, so that what only the first call
    pays (imports, caches, compiled patterns) does not count. A floor of 5 ms keeps a step too quick
    to measure from turning timer noise into a ratio.
    """
    (warm_up or small)()
    return max(cpu_seconds(small, repeat=repeat), 0.005), cpu_seconds(large)


def assert_linear(
    small: Callable[[], object],
    large: Callable[[], object],
    *,
    bound: float = LINEAR_BOUND,
    warm_up: Callable[[], object] | None = None,
) -> None:
    """Fail unless ``large`` (ten times the input of ``small``) costs less than ``bound`` times ``small``."""
    small_cost, large_cost = compare_costs(small, large, warm_up=warm_up)
    ratio = large_cost / small_cost
    assert ratio < bound, (
        f"ten times the input cost {ratio:.0f}x the CPU time ({small_cost:.3f} s, then {large_cost:.3f} s): "
        "linear work costs about 10x, quadratic work about 100x"
    )
