"""Each sent row's delivery after the job ran, for a file sent a chunk at a time, at flat memory.

:func:`bulkprep.delivery.delivery_states` ties the job's users (``GET /bulk/{job_id}/users``, which
carry no row) to the accepted rows through their identities, every row and every user in memory.
:class:`DeliveryStore` gives the same answer with both on disk, in a SQLite file of the work folder:
the accepted rows' identities (:func:`bulkprep.matching.identities_of`) are filed a chunk at a time,
the job's users a page at a time as they are read, and one join gives each user the rows holding one
of its identities, in the users' order; :func:`bulkprep.matching.narrow_candidates` then settles each
user by the rule of :class:`~bulkprep.matching.IdentityIndex` (a kind no row holds never narrows, so
the rows the join finds are all the rule reads). The message outcomes are read for a stretch of rows
at a time, and a chunk's states and outcomes are looked up by its rows when it is written.

Example:
    >>> import tempfile, pandas as pd
    >>> store = DeliveryStore(tempfile.mkdtemp())
    >>> store.add_rows(pd.Series([{"recipient": "a"}, {"profile": {"email": "X@y.co"}}], index=[2, 3]))
    >>> store.match_users([({"email": "x@y.co"}, "ENQUEUED", "m1"), ({"user_id": "zz"}, "ENQUEUED", "m2")])
    >>> store.states(2, 3)
    {3: ('ENQUEUED', 'm1')}
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from pathlib import Path
from typing import Any

import pandas as pd

from bulkprep.client import CourierClient
from bulkprep.delivery import (
    DEFAULT_OUTCOME_WORKERS,
    UNLISTED,
    Delivery,
    _users_limit,
    message_outcomes,
)
from bulkprep.errors import ProtocolError
from bulkprep.matching import IDENTITY_TIERS, echo_identity, identities_of, narrow_candidates

__all__ = ["DeliveryStore"]

_KINDS = {tier.kind: number for number, tier in enumerate(IDENTITY_TIERS)}  # tier order: strongest first
_OUTCOME_ROWS = 50_000  # messages whose outcomes are read in one go


class DeliveryStore:
    """The accepted rows' identities and the job's users, on disk, to give each row its delivery state.

    Args:
        folder: where the SQLite file goes (the run's work folder).
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.path = Path(folder) / "delivery.sqlite"
        self.path.unlink(missing_ok=True)
        self.rows = 0
        self._db = sqlite3.connect(self.path)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE sent (row INTEGER PRIMARY KEY);
            CREATE TABLE held (kind INTEGER, value TEXT, row INTEGER);
            CREATE TABLE echo (echo INTEGER, kind INTEGER, value TEXT);
            CREATE TABLE state (row INTEGER PRIMARY KEY, status TEXT, message TEXT);
            CREATE TABLE outcome (row INTEGER PRIMARY KEY, status TEXT, reason TEXT, error TEXT);
            """
        )

    def close(self) -> None:
        """Close and remove the SQLite file."""
        self._db.close()
        self.path.unlink(missing_ok=True)

    def add_rows(self, users: pd.Series) -> None:
        """File the identities of accepted rows: their payloads, by row key."""
        self.rows += len(users)
        identities = identities_of(users)
        rows = [int(row) for row in identities.index.tolist()]
        self._db.executemany("INSERT OR IGNORE INTO sent VALUES (?)", ((row,) for row in rows))
        for tier in IDENTITY_TIERS:
            for path in tier.row_paths:
                self._db.executemany(
                    "INSERT INTO held VALUES (?, ?, ?)",
                    (
                        (_KINDS[tier.kind], str(value), row)
                        for row, value in zip(rows, identities[path].tolist(), strict=True)
                        if value is not None and value == value  # skip None and NaN
                    ),
                )

    def read_users(self, client: CourierClient, job_id: str, *, within: float | None = None) -> None:
        """Read the job's users from Courier, a page at a time, and give each row its delivery state.

        ``within``: the most seconds the reading takes (:meth:`CourierClient.iter_users`).

        Raises:
            ProtocolError: when Courier lists far more users than were sent (as the in-memory path).
            CourierError: when the users cannot be read.
        """
        if not self.rows:
            return
        limit = _users_limit(self.rows)
        count = 0

        def users() -> Iterator[tuple[Mapping[str, Any], str, str | None]]:
            nonlocal count
            for item in client.iter_users(job_id, max_pages=limit + 2, within=within):
                count += 1
                if count > limit:
                    raise ProtocolError(
                        f"GET /bulk/{job_id}/users listed more than {limit} users for a job that was sent "
                        "far fewer; stopped reading, as a list that long is not this job's",
                        status=200,
                    )
                yield item.model_dump(mode="json", exclude_unset=True), item.status.value, item.messageId

        self.match_users(users())
        # A row the list left without a state: its delivery is not known, and said so in its outcome.
        self._db.execute(
            "INSERT OR REPLACE INTO outcome SELECT row, NULL, ?, NULL FROM sent "
            "WHERE row NOT IN (SELECT row FROM state)",
            (UNLISTED,),
        )
        self._db.commit()

    def match_users(self, users: Iterable[tuple[Mapping[str, Any], str, str | None]]) -> None:
        """Tie each user (its echo, delivery status, message id) to its row, later users winning."""
        self._db.execute("CREATE TABLE item (echo INTEGER PRIMARY KEY, status TEXT, message TEXT)")
        for position, (echo, status, message) in enumerate(users):
            self._db.execute("INSERT INTO item VALUES (?, ?, ?)", (position, status, message))
            self._db.executemany(
                "INSERT INTO echo VALUES (?, ?, ?)",
                (
                    (position, _KINDS[kind], value)
                    for kind, values in echo_identity(echo).items()
                    for value in values
                ),
            )
        self._db.execute("CREATE INDEX held_value ON held (kind, value)")
        found = self._db.execute(
            "SELECT echo.echo, echo.kind, held.row FROM echo JOIN held "
            "ON held.kind = echo.kind AND held.value = echo.value ORDER BY echo.echo, echo.kind"
        )
        writer = self._db.cursor()
        for position, joined in groupby(found, key=lambda hit: hit[0]):
            per_kind = [{row for _, _, row in hits} for _, hits in groupby(joined, key=lambda hit: hit[1])]
            candidates = narrow_candidates(per_kind)
            if len(candidates) == 1:
                writer.execute(
                    "INSERT OR REPLACE INTO state SELECT ?, status, message FROM item WHERE echo = ?",
                    (next(iter(candidates)), position),
                )
        self._db.commit()

    def read_outcomes(
        self, client: CourierClient, *, workers: int = DEFAULT_OUTCOME_WORKERS, progress: bool = True
    ) -> None:
        """Read the outcome of every row's message (:func:`bulkprep.delivery.message_outcomes`)."""
        after = -1  # the last row read: a stretch of messages at a time, never all of them in memory
        while True:
            part = dict(
                self._db.execute(
                    "SELECT row, message FROM state WHERE row > ? AND message IS NOT NULL "
                    "AND message != '' ORDER BY row LIMIT ?",
                    (after, _OUTCOME_ROWS),
                ).fetchall()
            )
            if not part:
                break
            after = max(part)
            found = message_outcomes(client, part, workers=workers, progress=progress)
            self._db.executemany(
                "INSERT OR REPLACE INTO outcome VALUES (?, ?, ?, ?)",
                ((row, *outcome) for row, outcome in found.items()),
            )
        self._db.commit()

    def states(self, low: int, high: int) -> dict[int, Delivery]:
        """The delivery state and message id of the rows from ``low`` to ``high`` that have one."""
        return {
            row: (status, message)
            for row, status, message in self._db.execute(
                "SELECT row, status, message FROM state WHERE row BETWEEN ? AND ? ORDER BY row", (low, high)
            )
        }

    def outcomes(self, low: int, high: int) -> dict[int, tuple[Any, ...]]:
        """The message status, reason and error text of the rows from ``low`` to ``high`` that have one."""
        return {
            row: (status, reason, error)
            for row, status, reason, error in self._db.execute(
                "SELECT row, status, reason, error FROM outcome WHERE row BETWEEN ? AND ? ORDER BY row",
                (low, high),
            )
        }
