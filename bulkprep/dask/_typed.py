"""The few Dask calls bulkprep makes, with the types they have (Dask's own annotations are partial).

Each is Dask's function itself under a narrow signature, so that the rest of :mod:`bulkprep.dask`
is checked strictly. Every frame made here keeps its cells as Python objects (Dask would otherwise
turn object columns into Arrow strings, and the users' dicts into their text).

Example:
    >>> compute(task(sum, [1, 2]), scheduler="synchronous")
    (3,)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

import dask
import dask.base
import dask.dataframe as dd
import distributed
import pandas as pd
from dask.delayed import Delayed
from dask.delayed import delayed as _delayed

__all__ = [
    "Delayed",
    "completed",
    "compute",
    "frame_from_map",
    "frame_from_tasks",
    "item",
    "partitions",
    "persist",
    "task",
]

compute = cast(Callable[..., tuple[Any, ...]], dask.base.compute)
persist = cast(Callable[..., tuple[Any, ...]], dask.base.persist)
_OBJECTS = {"dataframe.convert-string": False}


def task(function: Callable[..., Any], *args: Any, pure: bool = True, **kwargs: Any) -> Delayed:
    """A task calling ``function`` (``pure``: its key comes from its inputs, so equal tasks are one)."""
    return cast(Delayed, _delayed(function, pure=pure)(*args, **kwargs))


def item(of: Delayed, index: int) -> Delayed:
    """The task of ``of[index]``."""
    return task(operator.getitem, of, index)


def partitions(frame: dd.DataFrame) -> list[Delayed]:
    """The frame's partitions, one task each, in order."""
    return cast(list[Delayed], cast(Callable[[], Any], frame.to_delayed)())


def frame_from_tasks(tasks: Sequence[Delayed], meta: pd.DataFrame) -> dd.DataFrame:
    """A Dask DataFrame of the frames ``tasks`` give, with the columns of ``meta``."""
    with dask.config.set(_OBJECTS):
        made = cast(Callable[..., dd.DataFrame], dd.from_delayed)(list(tasks), meta=meta, verify_meta=False)
    return made


def frame_from_map(
    function: Callable[..., pd.DataFrame], *inputs: Iterable[Any], meta: pd.DataFrame, **kwargs: Any
) -> dd.DataFrame:
    """A Dask DataFrame with one partition per ``function(*items)`` over ``inputs``."""
    with dask.config.set(_OBJECTS):
        made = cast(Callable[..., dd.DataFrame], dd.from_map)(
            function, *inputs, meta=meta, enforce_metadata=False, **kwargs
        )
    return made


def completed(tasks: Sequence[Delayed]) -> Iterator[tuple[int, Any]]:
    """Each task's position and result, as each one ends (all at the end without a distributed client).

    With a :class:`distributed.Client` as the scheduler, the results come as the tasks end, so the
    caller can move a progress bar; with any other scheduler, they come once all are computed.
    """
    client = _distributed_client()
    if client is None:
        yield from enumerate(compute(*tasks))
        return
    futures = cast(list[Any], client.compute(list(tasks)))
    position = {future.key: number for number, future in enumerate(futures)}
    as_completed = cast(Callable[[list[Any]], Iterable[Any]], distributed.as_completed)
    for future in as_completed(futures):
        yield position[future.key], future.result()


def _distributed_client() -> Any:
    """The distributed client that computes by default, or None (another scheduler, or no client)."""
    chosen = dask.config.get("scheduler", None)
    if chosen not in (None, "dask.distributed", "distributed"):
        return None
    try:
        return cast(Callable[[], Any], distributed.default_client)()
    except ValueError:
        return None
