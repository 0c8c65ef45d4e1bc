"""The files a cluster's submit leaves in the job folder between its steps, one set per partition.

The prepared rows are computed once: each partition's task writes its rows, with their prepare
statuses, as the partition's Parquet file of ``results/`` (:func:`stage_part`), and its ready users
as the exact JSON that goes on the wire, one user a line (``staged/part-00007.users``, with their
``bulk_row`` keys in ``part-00007.rows.npy``). What the client gets back is small: each user's size
in bytes (the plan needs nothing more), the rows per status and the problems per code (for
``max_invalid``). The task sending the batches that start in a partition reads their users from these
files, the head of the next partitions' files included, and writes what became of each row it sent,
per partition the row belongs to (``staged/sent-00007-00008.json``: rows of partition 8 sent by the
batches of partition 7); each partition's results are then written from its own pieces.

Every file is written to a temporary name and moved into place, so a task that dies leaves either
the old file or the new one, never half of one.

Example:
    >>> import tempfile
    >>> frame = pd.DataFrame({"bulk_row": [2, 3], "bulk_user": [{"recipient": "a"}, None],
    ...                       "bulk_status": ["ready", "invalid"]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> staged = stage_part(frame, pd.DataFrame(columns=["bulk_row", "code"]), 0, folder)
    >>> staged["sizes"].tolist(), staged["counts"]
    ([17], {'ready': 1, 'invalid': 1})
    >>> read_users(folder, [(0, 0, 1)])
    ([2], [b'{"recipient":"a"}'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from bulkprep.jsonsafe import dumps
from bulkprep.parquet import write_results_parquet
from bulkprep.sending import Outcomes, result_frame
from bulkprep.status import ROW_KEY, Column, RowStatus
from bulkprep.stream.batches import ready_users

__all__ = [
    "RESULTS_FOLDER",
    "STAGED_FOLDER",
    "read_piece",
    "read_users",
    "results_path",
    "stage_part",
    "write_piece",
]

RESULTS_FOLDER = "results"
"""The folder of the job folder holding one Parquet file of results per partition."""
STAGED_FOLDER = "staged"
"""The folder of the job folder holding the ready users and the sent rows' outcomes between steps."""


def results_path(folder: Path, part: int) -> Path:
    """The Parquet file of partition ``part``'s rows with their statuses."""
    return folder / RESULTS_FOLDER / f"part-{part:05d}.parquet"


def _users_path(folder: Path, part: int) -> Path:
    return folder / STAGED_FOLDER / f"part-{part:05d}.users"


def _rows_path(folder: Path, part: int) -> Path:
    return folder / STAGED_FOLDER / f"part-{part:05d}.rows.npy"


def _piece_path(folder: Path, sender: int, part: int) -> Path:
    return folder / STAGED_FOLDER / f"sent-{sender:05d}-{part:05d}.json"


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_results(frame: pd.DataFrame, path: Path) -> None:
    """Write a partition's results Parquet file through a temporary file moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp.parquet")
    write_results_parquet(frame, temporary)
    os.replace(temporary, path)


def stage_part(frame: pd.DataFrame, errors: pd.DataFrame, part: int, folder: Path) -> dict[str, Any]:
    """Write partition ``part``'s rows and ready users to the job folder; what the plan and guards need.

    Returns:
        ``sizes`` (each ready user's JSON length, in order), ``counts`` (rows per status),
        ``rows`` (the partition's rows), and ``problems``: per error code, the rows it holds and
        the first of them (to name the top problems of ``max_invalid``).
    """
    users = ready_users(frame)
    lines = [dumps(user) for user in users.tolist()]
    _replace(_users_path(folder, part), b"\n".join(lines))
    rows = users.index.to_numpy(dtype=np.int64)
    buffer = _NpyBuffer()
    np.save(buffer, rows, allow_pickle=False)
    _replace(_rows_path(folder, part), buffer.data)
    write_results(result_frame(frame, Outcomes()), results_path(folder, part))
    counts = frame[Column.STATUS.value].astype("object").value_counts()
    problems: dict[str, tuple[int, int]] = {}
    if len(errors):
        grouped = errors.groupby("code", sort=False)[ROW_KEY].agg(["nunique", "min"])
        problems = {str(code): (int(n), int(low)) for code, (n, low) in grouped.iterrows()}
    return {
        "sizes": np.fromiter(map(len, lines), dtype=np.int32, count=len(lines)),
        "counts": {str(status): int(count) for status, count in counts.items()},
        "rows": len(frame),
        "problems": problems,
    }


class _NpyBuffer:
    """A minimal writable file for :func:`numpy.save` that keeps the bytes."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, chunk: bytes) -> int:
        self.data += bytes(chunk)
        return len(chunk)


def staged_rows(folder: Path, part: int) -> np.ndarray:
    """The ``bulk_row`` keys of partition ``part``'s ready users, in order (read from its file)."""
    rows: np.ndarray = np.load(_rows_path(folder, part), mmap_mode="r", allow_pickle=False)
    return rows


def read_users(folder: Path, reads: Iterable[tuple[int, int, int]]) -> tuple[list[int], list[bytes]]:
    """The rows and JSON lines of the ready users in ``(partition, first, stop)`` slices, in order.

    Only the lines up to ``stop`` of a partition's file are read (a batch's tail in the next one).
    """
    rows: list[int] = []
    lines: list[bytes] = []
    for part, first, stop in reads:
        rows += [int(row) for row in staged_rows(folder, part)[first:stop]]
        with _users_path(folder, part).open("rb") as file:
            lines += [line.rstrip(b"\n") for line in islice(file, first, stop)]
    return rows, lines


def users_of(rows: Sequence[int], lines: Sequence[bytes]) -> pd.Series:
    """The users decoded from their JSON lines, indexed by row key (what the sender matches with)."""
    return pd.Series([orjson.loads(line) for line in lines], index=list(rows), dtype="object")


def write_piece(folder: Path, sender: int, part: int, outcomes: Outcomes, rows: Iterable[int]) -> None:
    """Keep what became of ``rows`` (of partition ``part``, sent by partition ``sender``'s batches)."""
    mine = [row for row in rows if row in outcomes.status]
    wanted = set(mine)
    piece = {
        "rows": mine,
        "status": [outcomes.status[row].value for row in mine],
        "batch": [outcomes.batch[row] for row in mine],
        "errors": [error for error in outcomes.errors if error[ROW_KEY] in wanted],
    }
    _replace(_piece_path(folder, sender, part), orjson.dumps(piece))


def read_piece(folder: Path, sender: int, part: int, into: Outcomes) -> None:
    """Add a piece :func:`write_piece` kept to ``into`` (nothing when there is none)."""
    path = _piece_path(folder, sender, part)
    if not path.exists():
        return
    piece = orjson.loads(path.read_bytes())
    for row, status, batch in zip(piece["rows"], piece["status"], piece["batch"], strict=True):
        into.settle([int(row)], RowStatus(status), batch=int(batch))
    into.errors.extend(piece["errors"])
