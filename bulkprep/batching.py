"""Cut prepared users into request bodies, by user count and by exact serialized bytes.

Users are serialized with :func:`bulkprep.jsonsafe.dumps` a chunk at a time (one call for a list of
users writes the same bytes as one call per user joined by commas, and far faster); a batch's body is
exactly the bytes that go on the wire, ``{"users":[`` + the users joined by commas + ``]}``, so its
size is measured, never estimated. Only a chunk in which the byte budget runs out is serialized again
user by user, to find where the batch ends.

Example:
    >>> import pandas as pd
    >>> users = pd.Series([{"recipient": "a"}, {"recipient": "b"}, {"recipient": "c"}], index=[2, 3, 5])
    >>> batches = cut_batches(users, max_users=2)
    >>> [(b.number, b.rows, b.users) for b in batches]
    [(1, (2, 3), 2), (2, (5,), 1)]
    >>> batches[1].body
    b'{"users":[{"recipient":"c"}]}'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import orjson
import pandas as pd

from bulkprep.courier import MAX_REQUEST_BYTES
from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import dumps

__all__ = [
    "DEFAULT_MAX_BATCH_BYTES",
    "DEFAULT_MAX_BATCH_USERS",
    "MAX_REQUEST_BYTES",
    "Batch",
    "cut_batches",
    "idempotency_key",
    "split_batch",
]

#: Default byte budget of one body. Courier does not say whether its "6 MB" means 10**6 or 2**20 bytes
#: or whether it counts anything beyond the body; a third of headroom keeps us clear of every reading.
DEFAULT_MAX_BATCH_BYTES = 4_000_000

#: Default user budget of one body. A typical user serializes to 150-400 bytes, so 10,000 users meet
#: the byte budget at about the same point for ordinary payloads, while bounding what one request
#: costs to redo: the server work behind a single read timeout, a retry, or a 413 split.
DEFAULT_MAX_BATCH_USERS = 10_000

_HEAD = b'{"users":['
_TAIL = b"]}"
# Bytes of a body around its users: the envelope, minus the comma the cumulative sum counts for the first.
_ENVELOPE = len(_HEAD) + len(_TAIL) - 1
# Users serialized in one call while a batch fills up: at most this many, and at first this many,
# until the size of the users seen so far tells how many are likely to fit.
_CHUNK_USERS = 1_000
_FIRST_CHUNK_USERS = 100
# Share of the room left in a batch that a chunk aims to fill: a chunk that overflows is serialized
# a second time, user by user, so chunks aim a little short.
_CHUNK_AIM = 0.9


@dataclass(frozen=True)
class Batch:
    """One request body of users, ready to send.

    Attributes:
        number: position of the batch in the submission (1-based, consecutive).
        rows: the ``bulk_row`` keys of its users, in body order.
        body: the exact request body, ``{"users":[...]}`` as compact JSON bytes.

    Example:
        >>> batch = Batch(1, (7,), b'{"users":[{"recipient":"a"}]}')
        >>> batch.users, batch.nbytes, batch.content_hash[:12]
        (1, 29, '1bb14900fdf4')
        >>> batch.payload_users()
        [{'recipient': 'a'}]
    """

    number: int
    rows: tuple[int, ...]
    body: bytes

    @property
    def users(self) -> int:
        """Number of users in the body."""
        return len(self.rows)

    @property
    def nbytes(self) -> int:
        """Size of the body in bytes, exactly as sent."""
        return len(self.body)

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the body, as hex: what the idempotency key and the journal rely on."""
        return hashlib.sha256(self.body).hexdigest()

    def payload_users(self) -> list[dict[str, Any]]:
        """The users of the body, decoded, in order (the ``bulk_row`` of each is ``rows[i]``)."""
        users: list[dict[str, Any]] = orjson.loads(self.body)["users"]
        return users


def _body(parts: list[bytes]) -> bytes:
    return _HEAD + b",".join(parts) + _TAIL


def _check_limits(max_users: int, max_bytes: int) -> None:
    if max_users < 1:
        raise ConfigurationError(
            f"max_users={max_users} must be at least 1; use the default of "
            f"{DEFAULT_MAX_BATCH_USERS} unless a smaller batch is needed"
        )
    if not len(_HEAD) + len(_TAIL) < max_bytes <= MAX_REQUEST_BYTES:
        raise ConfigurationError(
            f"max_bytes={max_bytes} must be between {len(_HEAD) + len(_TAIL) + 1} and Courier's limit of "
            f"{MAX_REQUEST_BYTES}; use the default of {DEFAULT_MAX_BATCH_BYTES}"
        )


def cut_batches(
    users: pd.Series,
    *,
    max_users: int = DEFAULT_MAX_BATCH_USERS,
    max_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    first_number: int = 1,
) -> list[Batch]:
    """Cut users into batches, greedily and in order, within ``max_users`` and ``max_bytes``.

    Args:
        users: Courier users (strict-JSON-ready dicts), indexed by ``bulk_row``.
        max_users: most users in one batch.
        max_bytes: most bytes in one body. A single user bigger than this goes alone in its batch
            (Courier will answer 413 if it is over :data:`MAX_REQUEST_BYTES`).
        first_number: number of the first batch; the others follow consecutively.

    Returns:
        The batches; every user is in exactly one, in the order of ``users``.

    Raises:
        ConfigurationError: when a limit is out of range.

    Example:
        >>> import pandas as pd
        >>> users = pd.Series([{"data": {"n": i}} for i in range(5)])
        >>> [b.nbytes for b in cut_batches(users, max_bytes=45)]
        [45, 45, 28]
    """
    _check_limits(max_users, max_bytes)
    filler = _Filler(users.tolist(), max_bytes)
    rows = [int(row) for row in users.index.tolist()]
    batches: list[Batch] = []
    start = 0
    while start < len(rows):
        stop, parts = filler.fill(start, min(len(rows), start + max_users))
        batches.append(Batch(first_number + len(batches), tuple(rows[start:stop]), _body(parts)))
        start = stop
    return batches


class _Filler:
    """Serializes users a chunk at a time to fill batches within a byte budget.

    A whole chunk is serialized in one call (``[u1,u2]`` without its brackets is the users joined by
    commas). Chunks are sized from the bytes per user seen so far to fill most of the room left, so
    only the last chunk of a batch tends to overflow; that chunk is measured user by user, and the
    batch takes as many of its users as fit.
    """

    def __init__(self, values: list[Any], max_bytes: int) -> None:
        self.values = values
        self.max_bytes = max_bytes
        self.seen_users = 0
        self.seen_bytes = 0

    def _chunk_users(self, room: int) -> int:
        if not self.seen_users:
            return _FIRST_CHUNK_USERS
        per_user = self.seen_bytes / self.seen_users
        return max(1, min(_CHUNK_USERS, int(room * _CHUNK_AIM / per_user)))

    def fill(self, start: int, limit: int) -> tuple[int, list[bytes]]:
        """Where the batch starting at ``start`` ends (at most ``limit``), and its users' JSON in parts."""
        parts: list[bytes] = []
        size = _ENVELOPE  # the body's bytes so far, each part counted with the comma before it
        stop = start
        while stop < limit:
            end = min(limit, stop + self._chunk_users(self.max_bytes - size))
            chunk = dumps(self.values[stop:end])[1:-1]
            self.seen_users += end - stop
            self.seen_bytes += len(chunk)
            if size + len(chunk) + 1 <= self.max_bytes:
                parts.append(chunk)
                size += len(chunk) + 1
                stop = end
                continue
            each = [dumps(user) for user in self.values[stop:end]]
            ends = np.cumsum(np.fromiter(map(len, each), dtype=np.int64, count=len(each)) + 1)
            fits = int(np.searchsorted(ends, self.max_bytes - size, side="right"))
            if stop == start:
                fits = max(fits, 1)  # a user bigger than the budget goes alone
            parts += each[:fits]
            return stop + fits, parts
        return stop, parts


def split_batch(batch: Batch, *, numbers: tuple[int, int] | None = None) -> tuple[Batch, Batch]:
    """Split a batch in two halves by user count, for when Courier answers 413.

    Args:
        batch: a batch of at least two users.
        numbers: numbers for the two halves. By default both keep ``batch.number``: the caller,
            which knows which numbers are free, renumbers them (``dataclasses.replace``).

    Raises:
        ValueError: when the batch holds a single user, which cannot be split.

    Example:
        >>> first, second = split_batch(Batch(4, (1, 2, 3), b'{"users":[{"a":1},{"a":2},{"a":3}]}'),
        ...                             numbers=(9, 10))
        >>> first
        Batch(number=9, rows=(1,), body=b'{"users":[{"a":1}]}')
        >>> second.rows, second.body
        ((2, 3), b'{"users":[{"a":2},{"a":3}]}')
    """
    if batch.users < 2:
        raise ValueError(
            f"batch {batch.number} holds a single user (row {batch.rows[0]}) and cannot be split"
        )
    # Re-serializing decoded users gives their original bytes back: orjson keeps key order and
    # writes the same shortest form for every number and string it has read.
    parts = [dumps(user) for user in batch.payload_users()]
    middle = len(parts) // 2
    first_number, second_number = numbers if numbers is not None else (batch.number, batch.number)
    return (
        Batch(first_number, batch.rows[:middle], _body(parts[:middle])),
        Batch(second_number, batch.rows[middle:], _body(parts[middle:])),
    )


def idempotency_key(job_id: str, batch: Batch) -> str:
    """The ``Idempotency-Key`` of a batch: the same job, rows and body always give the same key.

    The rows are part of it so that two batches whose bodies happen to be identical (the same
    payload on different rows) are never mistaken for a repeat of one another.

    Example:
        >>> batch = Batch(1, (0,), b'{"users":[{"recipient":"a"}]}')
        >>> key = idempotency_key("1-abc", batch)
        >>> key == idempotency_key("1-abc", batch), key == idempotency_key("1-xyz", batch), len(key)
        (True, False, 41)
    """
    rows = ",".join(map(str, batch.rows))
    digest = hashlib.sha256(f"{job_id}\n{rows}\n{batch.content_hash}".encode()).hexdigest()
    return f"bulkprep-{digest[:32]}"
