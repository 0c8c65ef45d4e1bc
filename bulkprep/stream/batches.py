"""Cut batches from a stream of ready rows, chunk by chunk, into the batches of the whole file.

:func:`bulkprep.batching.cut_batches` is greedy: where a batch ends depends only on where it starts
and on the users after it. So the users of one chunk, behind the users of the last batch the previous
chunk left open, cut into exactly the batches that cutting the whole file gives, except the last one,
which more users may still fill: :class:`BatchCutter` carries it over to the next chunk, and cuts it
for good when the stream ends. Batch numbers run on across the chunks.

Example:
    >>> import pandas as pd
    >>> cutter = BatchCutter(max_users=2)
    >>> first = cutter.add(pd.Series([{"a": 1}, {"a": 2}, {"a": 3}], index=[2, 3, 4]))
    >>> [(b.number, b.rows) for b in first.batches], cutter.carried
    ([(1, (2, 3))], 1)
    >>> last = cutter.finish()
    >>> [(b.number, b.rows) for b in last.batches], last.users.index.tolist()
    ([(2, (4,))], [4])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS, Batch, cut_batches
from bulkprep.status import ROW_KEY, Column, RowStatus

__all__ = ["BatchCutter", "Window", "ready_users"]


class Window:
    """Batches cut for good, and the users they carry (indexed by row key, in body order)."""

    __slots__ = ("batches", "users")

    def __init__(self, batches: list[Batch], users: pd.Series) -> None:
        self.batches = batches
        self.users = users

    @property
    def last_row(self) -> int | None:
        """The row key of the last user of the window (None for an empty one)."""
        return self.batches[-1].rows[-1] if self.batches else None


def _no_users() -> pd.Series:
    return pd.Series([], index=pd.Index([], dtype="int64"), dtype="object")


def ready_users(frame: pd.DataFrame) -> pd.Series:
    """The payloads of a prepared chunk's ``ready`` rows, indexed by row key, in file order.

    Example:
        >>> frame = pd.DataFrame({"bulk_row": [2, 3], "bulk_user": [{"a": 1}, None],
        ...                       "bulk_status": ["ready", "invalid"]})
        >>> ready_users(frame).to_dict()
        {2: {'a': 1}}
    """
    ready = frame[Column.STATUS.value].astype("object").to_numpy() == RowStatus.READY.value
    rows = frame[ROW_KEY].to_numpy(dtype=np.int64)[ready]
    return pd.Series(frame[Column.USER.value].to_numpy(dtype=object)[ready], index=rows, dtype="object")


class BatchCutter:
    """Cuts the ready users of a stream of chunks into the batches of the whole stream.

    Args:
        max_users, max_bytes: as for :func:`~bulkprep.batching.cut_batches`.
        first_number: the number of the first batch.
    """

    def __init__(
        self,
        *,
        max_users: int = DEFAULT_MAX_BATCH_USERS,
        max_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        first_number: int = 1,
    ) -> None:
        self.max_users = max_users
        self.max_bytes = max_bytes
        self.next_number = first_number
        self._open = _no_users()

    @property
    def carried(self) -> int:
        """How many users wait in the open batch for the next chunk."""
        return len(self._open)

    def add(self, users: pd.Series) -> Window:
        """The batches that ``users`` (the next chunk's ready users) close; the last one stays open."""
        pool = pd.concat([self._open, users]) if len(self._open) else users
        batches = cut_batches(
            pool, max_users=self.max_users, max_bytes=self.max_bytes, first_number=self.next_number
        )
        if not batches:
            return Window([], _no_users())
        done, last = batches[:-1], batches[-1]
        closed = len(pool) - last.users
        self._open = pool.iloc[closed:]
        self.next_number += len(done)
        return Window(done, pool.iloc[:closed])

    def finish(self) -> Window:
        """The last batch (or none): the stream has ended."""
        users, self._open = self._open, _no_users()
        batches = cut_batches(
            users, max_users=self.max_users, max_bytes=self.max_bytes, first_number=self.next_number
        )
        self.next_number += len(batches)
        return Window(batches, users)
