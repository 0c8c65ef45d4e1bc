"""The batches of a whole frame, planned once from each ready user's size in bytes.

:func:`bulkprep.batching.cut_batches` is greedy and measures exact bytes: a batch starting at a user
takes the users after it while they number at most ``max_users`` and the body (``{"users":[`` +
the users joined by commas + ``]}``) stays within ``max_bytes``, and at least one user. So where every
batch ends follows from the length of each user's JSON alone: :func:`plan_cuts` finds the same cuts
from those lengths (a cumulative sum and one binary search a batch), without the users themselves.
:class:`BatchPlan` holds the cuts over the ready users of every partition, in the frame's order.

Example:
    >>> import numpy as np
    >>> plan = BatchPlan.of([np.array([20, 20, 20]), np.array([20, 20])], max_users=2)
    >>> plan.bounds.tolist(), plan.starting_in(1), plan.reads(0)
    ([0, 2, 4, 5], (2, 3), [(0, 0, 3), (1, 0, 1)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bulkprep.batching import _ENVELOPE, _check_limits

__all__ = ["BatchPlan", "plan_cuts"]


def plan_cuts(sizes: np.ndarray, *, max_users: int, max_bytes: int) -> np.ndarray:
    """Where the batches of users of these JSON ``sizes`` start and end, as ``cut_batches`` cuts them.

    Returns:
        The bounds ``[0, end of batch 1, end of batch 2, ..., len(sizes)]`` (positions in ``sizes``).

    Example:
        >>> plan_cuts(np.array([10, 10, 50, 10]), max_users=3, max_bytes=40).tolist()
        [0, 2, 3, 4]
    """
    _check_limits(max_users, max_bytes)
    # ends[i]: bytes of the first i users, each counted with the comma before it (as cut_batches counts).
    ends = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.asarray(sizes, dtype=np.int64) + 1, out=ends[1:])
    room = max_bytes - _ENVELOPE
    bounds = [0]
    start, total = 0, len(sizes)
    while start < total:
        fits = int(np.searchsorted(ends, ends[start] + room, side="right")) - 1
        stop = max(start + 1, min(fits, start + max_users))  # a user bigger than the budget goes alone
        bounds.append(stop)
        start = stop
    return np.asarray(bounds, dtype=np.int64)


@dataclass(frozen=True)
class BatchPlan:
    """The batches of every partition's ready users, in the frame's order, numbered from 1.

    Attributes:
        bounds: where each batch starts and ends among all ready users (``len = batches + 1``).
        offsets: where each partition's ready users start among all of them (``len = partitions + 1``).
        nbytes: each batch's body size in bytes.
    """

    bounds: np.ndarray
    offsets: np.ndarray
    nbytes: np.ndarray

    @classmethod
    def of(cls, sizes: Sequence[np.ndarray], *, max_users: int, max_bytes: int = 4_000_000) -> BatchPlan:
        """The plan of the partitions whose ready users' JSON sizes are ``sizes``, in order."""
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum([len(part) for part in sizes], out=offsets[1:])
        every = np.concatenate([np.zeros(0, dtype=np.int64), *[np.asarray(s, dtype=np.int64) for s in sizes]])
        bounds = plan_cuts(every, max_users=max_users, max_bytes=max_bytes)
        ends = np.zeros(len(every) + 1, dtype=np.int64)
        np.cumsum(every + 1, out=ends[1:])
        nbytes = np.diff(ends[bounds]) + _ENVELOPE
        return cls(bounds, offsets, nbytes)

    @property
    def batches(self) -> int:
        """How many batches there are."""
        return len(self.bounds) - 1

    @property
    def users(self) -> int:
        """How many ready users there are."""
        return int(self.offsets[-1])

    def starting_in(self, part: int) -> tuple[int, int]:
        """The batches starting in partition ``part``: indexes ``first, stop`` (a number is index + 1)."""
        starts = self.bounds[:-1]
        first = int(np.searchsorted(starts, self.offsets[part], side="left"))
        stop = int(np.searchsorted(starts, self.offsets[part + 1], side="left"))
        return first, stop

    def reads(self, part: int) -> list[tuple[int, int, int]]:
        """What the batches starting in ``part`` hold: ``(partition, first, stop)`` slices of ready users.

        The last batch may run on into the partitions after it (a partition with no ready user, or
        fewer than the batch takes, is crossed whole).
        """
        first, stop = self.starting_in(part)
        if first == stop:
            return []
        begin, end = int(self.bounds[first]), int(self.bounds[stop])
        found = []
        for number in range(part, len(self.offsets) - 1):
            low, high = int(self.offsets[number]), int(self.offsets[number + 1])
            if low >= end:
                break
            if min(end, high) > max(begin, low):  # an empty partition holds nothing to read
                found.append((number, max(begin, low) - low, min(end, high) - low))
        return found

    def senders_of(self, part: int) -> list[int]:
        """The partitions whose batches carry ready users of partition ``part`` (in order)."""
        low, high = int(self.offsets[part]), int(self.offsets[part + 1])
        if low == high:
            return []
        starts = self.bounds[:-1]
        first = int(np.searchsorted(starts, low, side="right")) - 1
        last = int(np.searchsorted(starts, high - 1, side="right")) - 1
        owners = np.searchsorted(self.offsets, starts[first : last + 1], side="right") - 1
        return sorted({int(owner) for owner in owners})

    def numbers(self, part: int) -> np.ndarray:
        """The batch number of each ready user of partition ``part``, in order."""
        positions = np.arange(self.offsets[part], self.offsets[part + 1], dtype=np.int64)
        return np.searchsorted(self.bounds, positions, side="right").astype(np.int64)
