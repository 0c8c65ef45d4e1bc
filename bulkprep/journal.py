"""A crash-safe record of one submission: its job and every batch's rows and outcome, in SQLite.

One file per submission, in WAL mode with full sync: every write is committed before the request it
describes goes out, or right after its answer comes back, so a run killed at any instant leaves a
consistent file, and a resumed run knows which rows are in, which are out, and which are in doubt.
Each ``bulk_row`` belongs to exactly one batch (the database enforces it). The journal keeps row keys,
hashes, counts and Courier's answers; never a request body, a header or the API key.

Batch states are :class:`bulkprep.status.BatchState`: ``pending`` (not sent yet), ``sending`` (sent,
no answer recorded: the outcome is unknown), ``acked`` (Courier took the batch; per-user errors are in
its answer, an :class:`AckedAnswer`), ``rejected`` (Courier refused the whole batch) and ``failed``
(gave up after retries; safe to send again with the same key), both with a :class:`RefusedAnswer`.
A write that would break the record (a settled batch sent again, a row in two batches) raises
:class:`~bulkprep.errors.JournalError` and changes nothing.

One process at a time: :meth:`Journal.open` takes an OS lock on the journal's file (whatever link
leads to it; a side file ``<journal>.lock`` holds only the owner's process id), so a second run on the
same journal is refused at once; the OS drops the lock when its holder exits or is killed. A journal
that cannot be used (a folder, a device, an unwritable folder, a damaged file, a full disk) raises
:class:`~bulkprep.errors.JournalError` that says what to do.

Example:
    >>> import tempfile, pathlib
    >>> from bulkprep.batching import Batch
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.journal"
    >>> with Journal.open(path) as journal:
    ...     journal.set_job("1-abc", base_url="https://api.courier.com", definition_hash="d1")
    ...     journal.add_batches([Batch(1, (2, 3), b'{"users":[{},{}]}')])
    ...     journal.mark_sending(1, "bulkprep-k1")
    ...     journal.mark_acked(1, AckedAnswer(200, [], total=2))
    >>> with Journal.open(path) as journal:
    ...     entry, = journal.batches()
    >>> entry.rows, entry.state.value, entry.attempts, entry.answer["total"]
    ((2, 3), 'acked', 1, 2)
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import orjson

from bulkprep._moved import Moved, moved_names
from bulkprep._version import __version__
from bulkprep.batching import Batch
from bulkprep.errors import JournalError, JournalWarning
from bulkprep.outfiles import create_owner_only, names_a_folder
from bulkprep.status import FINAL_BATCH_STATES, BatchState

if sys.platform != "win32":
    import fcntl

__all__ = ["SCHEMA_VERSION", "AckedAnswer", "BatchEntry", "JobEntry", "Journal", "RefusedAnswer"]

#: Version of the file layout; a file with another version is refused rather than misread.
SCHEMA_VERSION: Final = 1
# The states as the file spells them (the CHECK below); the text values never change.
_STATE_TEXTS: Final = tuple(state.value for state in BatchState)
_DONE_STATES: Final = (BatchState.ACKED, BatchState.REJECTED, BatchState.FAILED)
_APPLICATION: Final = "bulkprep journal"

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE job (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    job_id TEXT NOT NULL,
    base_url TEXT NOT NULL,
    definition_hash TEXT NOT NULL,
    run_requested INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE batch (
    number INTEGER PRIMARY KEY,
    rows TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    users INTEGER NOT NULL,
    nbytes INTEGER NOT NULL,
    idempotency_key TEXT,
    state TEXT NOT NULL CHECK (state IN {_STATE_TEXTS}),
    attempts INTEGER NOT NULL DEFAULT 0,
    answer TEXT,
    split_from INTEGER,
    updated_at TEXT NOT NULL
);
CREATE TABLE batch_row (
    bulk_row INTEGER PRIMARY KEY,
    number INTEGER NOT NULL REFERENCES batch (number)
);
"""


@dataclass(frozen=True)
class JobEntry:
    """The job a journal belongs to.

    Example:
        >>> JobEntry("1-abc", "https://api.courier.com", "d1", False).run_requested
        False
    """

    job_id: str
    base_url: str
    definition_hash: str
    run_requested: bool


@dataclass(frozen=True)
class BatchEntry:
    """One batch as the journal knows it.

    Attributes:
        number: the batch number.
        rows: its ``bulk_row`` keys, in body order.
        content_hash: SHA-256 of its body (the body itself is not kept).
        idempotency_key: the key it was last sent with (None before it is first sent).
        state: where it stands (a :class:`~bulkprep.status.BatchState`).
        attempts: how many times it was handed to the client (each hand-over may retry internally).
        answer: what was recorded with its outcome (Courier's per-user errors, or the error).
        users: number of users.
        nbytes: body size in bytes.

    Example:
        >>> BatchEntry(1, (2,), "ab", None, BatchState.PENDING, 0, None, 1, 20).state.final
        False
    """

    number: int
    rows: tuple[int, ...]
    content_hash: str
    idempotency_key: str | None
    state: BatchState
    attempts: int
    answer: dict[str, Any] | None
    users: int = 0
    nbytes: int = 0


@dataclass(frozen=True)
class AckedAnswer:
    """What the journal keeps of a batch Courier took: its per-user errors, not the users.

    Attributes:
        status: the 2xx status.
        errors: Courier's per-user errors as it sent them (``[{"error": ..., "user": {...}}]``).
        total: Courier's ``total``, when it sent one.
        outcome_was_unknown: an earlier attempt may have been processed though no answer came, so a
            "Duplicate user" error may mean "already in".

    Example:
        >>> answer = AckedAnswer(200, [{"error": "Duplicate user"}], total=0)
        >>> AckedAnswer.from_json(answer.to_json()) == answer
        True
    """

    status: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    outcome_was_unknown: bool = False

    def to_json(self) -> dict[str, Any]:
        """The answer as the journal stores it."""
        return {
            "status": self.status,
            "errors": self.errors,
            "total": self.total,
            "outcome_was_unknown": self.outcome_was_unknown,
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> AckedAnswer:
        """The answer read back from the journal (older entries may lack some keys)."""
        stored = stored or {}
        errors = [e if isinstance(e, dict) else {"error": str(e)} for e in stored.get("errors") or []]
        total = stored.get("total")
        return cls(
            int(stored.get("status") or 0),
            errors,
            total if isinstance(total, int) else None,
            bool(stored.get("outcome_was_unknown")),
        )


@dataclass(frozen=True)
class RefusedAnswer:
    """What the journal keeps of a batch that ended without Courier taking it (rejected or failed).

    Attributes:
        status: the HTTP status of the refusal (0 when no answer came).
        message: Courier's words, or what went wrong.
        type: Courier's error ``type``, when it sent one.

    Example:
        >>> RefusedAnswer.from_json({"status": 503, "message": "down"})
        RefusedAnswer(status=503, message='down', type=None)
    """

    status: int
    message: str
    type: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer as the journal stores it."""
        return {"status": self.status, "type": self.type, "message": self.message}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> RefusedAnswer:
        """The answer read back from the journal (older entries may lack some keys)."""
        stored = stored or {}
        type_ = stored.get("type")
        return cls(
            int(stored.get("status") or 0),
            str(stored.get("message") or ""),
            type_ if isinstance(type_, str) else None,
        )


_BATCH_FIELDS = "number, rows, content_hash, idempotency_key, state, attempts, answer, users, nbytes"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _rows_text(rows: Sequence[int]) -> str:
    return orjson.dumps([int(row) for row in rows]).decode()


class _ProcessLock:
    """An exclusive OS lock on the journal's file itself, held while the journal is open.

    The lock is the file's, not its name's: a second run reaching the same file by a symbolic or a
    hard link is refused too. It belongs to the open file: the OS releases it when the holder closes
    it, exits or is killed, so no stale lock outlives a crash. (SQLite's own locks are of another
    kind and do not meet it.) A side file, ``<journal>.lock`` beside the file the links lead to, holds
    the owner's process id for the message a second run gets; it stays, harmless, after the run.
    """

    def __init__(self, descriptor: int | None) -> None:
        self._descriptor = descriptor

    @classmethod
    def acquire(cls, journal: Path) -> _ProcessLock:
        if sys.platform == "win32":  # pragma: no cover - no flock there; SQLite still keeps the file intact
            return cls(None)
        try:
            descriptor = os.open(journal, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(
                f"cannot create journal {journal} ({exc.strerror}); the journal's folder must be writable "
                "(the journal writes its file and side files there): choose a writable folder for --journal"
            ) from None
        real = journal.resolve()
        side = real.with_name(real.name + ".lock")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            holder = _holder(side)
            raise JournalError(
                f"journal {journal} is in use by another bulkprep run{holder}; one run at a time may use "
                "a journal: wait for that run to finish (or stop it), then run again"
            ) from None
        try:
            side.write_text(str(os.getpid()), encoding="ascii")
            os.chmod(side, 0o600)
        except OSError as exc:
            os.close(descriptor)
            raise JournalError(
                f"cannot create {side} next to journal {journal} ({exc.strerror}); the journal's folder "
                "must be writable (the journal writes its file and side files there): choose a writable "
                "folder for --journal"
            ) from None
        return cls(descriptor)

    def held(self) -> os.stat_result | None:
        """The file the lock is on (whatever its name is now), or None without a lock."""
        if self._descriptor is None:
            return None
        try:
            return os.fstat(self._descriptor)
        except OSError:
            return None

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file drops the lock
            self._descriptor = None


def _holder(side: Path) -> str:
    """`` (process N)`` for the run the side file names, or nothing when it cannot be told."""
    try:
        with open(side, "rb") as found:
            text = found.read(32).decode("ascii", errors="replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


def _usable_path(given: str | os.PathLike[str]) -> None:
    """Refuse, before SQLite touches anything, a journal path that cannot hold a journal."""
    path = Path(given)
    if names_a_folder(given) and not path.is_dir():
        raise JournalError(
            f"journal {os.fspath(given)}: a name ending in a path separator is a folder's; give --journal "
            f"a file name, for example {path / 'run.journal'}"
        )
    if path.is_dir():
        raise JournalError(
            f"journal {path} is a folder; give --journal a file name, for example {path / 'run.journal'}"
        )
    if path.exists() and not path.is_file():
        raise JournalError(
            f"journal {path} is not a regular file (a device, a pipe or a socket); give --journal the "
            "name of a new file (or of this run's journal)"
        )
    if not path.parent.is_dir():
        raise JournalError(
            f"cannot open journal {path}: its folder {path.parent} does not exist; check that its folder "
            "exists and is writable"
        )


def _failure(path: Path, exc: sqlite3.Error, doing: str) -> JournalError:
    """A JournalError for a SQLite failure: what happened, and what to do about it."""
    words = str(exc)
    if "full" in words or "I/O" in words:
        advice = (
            "the disk may be full (or failing): free some space, then run the same command again to resume"
        )
    elif "malformed" in words or "not a database" in words:
        advice = (
            "the file is damaged: restore it from a backup, or start over with a new journal file "
            "(a new job; rows the damaged journal recorded as sent would be sent again)"
        )
    elif "readonly" in words or "unable to open" in words:
        advice = "check that the journal and its folder are writable"
    else:
        advice = "check the disk and the file, then run the same command again to resume"
    return JournalError(f"journal {path} could not be {doing} ({words}); {advice}")


class Journal:
    """The journal of one submission; open it with :meth:`Journal.open`.

    Safe to share between the threads of one submission: every call takes a lock. One process at a
    time: :meth:`open` refuses a journal another run holds open.
    """

    def __init__(
        self, connection: sqlite3.Connection, path: Path, *, lock: _ProcessLock | None = None
    ) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._process_lock = lock if lock is not None else _ProcessLock(None)
        self.path = path

    # ---------------------------------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Journal:
        """Open the journal at ``path``, creating it when the file does not exist.

        Raises:
            JournalError: when the path is a folder, a device or in a folder that is missing or not
                writable; when another run holds the journal; when the file is not a bulkprep journal,
                is damaged, or was written with another schema version.
        """
        _usable_path(path)
        path = Path(path)
        lock = _ProcessLock.acquire(path)
        # It holds the users' addresses: owner-only, whatever the umask (SQLite gives its -wal and
        # -shm files the database file's mode). A failure here is left to SQLite to describe.
        with suppress(OSError):
            create_owner_only(path)
        try:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            lock.release()
            raise _failure(path, exc, "opened") from None
        try:
            cls._prepare(connection, path)
        except BaseException:
            connection.close()
            lock.release()
            raise
        return cls(connection, path, lock=lock)

    @classmethod
    def open_existing(cls, path: str | os.PathLike[str]) -> Journal:
        """Open the journal of a run that was made: like :meth:`open`, but a missing file is an error.

        For reading a job again (``bulkprep status``, ``SubmitResult.refresh``): a mistyped path must
        not leave an empty journal behind and then say it holds no job.

        Raises:
            JournalError: when there is no file at ``path``, and as :meth:`open` does.
        """
        if not Path(path).exists():
            raise JournalError(
                f"there is no journal at {os.fspath(path)}; give the journal file the job was submitted with"
            )
        return cls.open(path)

    @staticmethod
    def _prepare(connection: sqlite3.Connection, path: Path) -> None:
        not_journal = (
            f"{path} is not a bulkprep journal; give --journal a new file name (or the journal of this run)"
        )
        try:
            # WAL keeps the last committed state readable whatever instant a crash happens;
            # FULL sync makes each commit survive a power loss, not only a killed process.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise JournalError(not_journal) from None
            raise _failure(path, exc, "opened") from None
        if version == 0 and not tables:
            try:
                Journal._create(connection)
            except sqlite3.Error as exc:
                raise _failure(path, exc, "created") from None
            return
        try:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
            application = None
            if "meta" in tables:
                found = connection.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
                application = found[0] if found else None
        except sqlite3.DatabaseError as exc:
            raise _failure(path, exc, "read") from None
        if problems != ["ok"]:
            raise _failure(path, sqlite3.DatabaseError(f"malformed: {problems[0]}"), "read")
        if application != _APPLICATION:
            raise JournalError(not_journal)
        if version != SCHEMA_VERSION:
            raise JournalError(
                f"journal {path} has schema version {version}, but this bulkprep ({__version__}) reads "
                f"version {SCHEMA_VERSION}: resume it with the bulkprep version that wrote it, "
                "or start over with a new journal file"
            )

    @staticmethod
    def _create(connection: sqlite3.Connection) -> None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("application", _APPLICATION),
                    ("created_by", f"bulkprep {__version__}"),
                    ("created_at", _now()),
                    ("run_id", uuid.uuid4().hex),
                ],
            )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    @property
    def run_id(self) -> str:
        """A random id made when the journal was created ("" for journals older than it).

        It tells this journal's submission apart from another one of the same input: the job's
        idempotency key includes it, so a new journal makes a new job and the same journal resumes its own.
        """
        with self._reading("read"):
            found = self._db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()
        return str(found[0]) if found else ""

    def close(self) -> None:
        """Close the file (every write is already committed) and let another run open it.

        A journal whose file was deleted while the run held it (a clean-up of its folder, say) is
        written again at its path first, so that the run can still be resumed or read; a
        :class:`~bulkprep.errors.JournalWarning` says so, or says that it could not be.
        """
        with self._lock:
            try:
                self._keep_at_path()
            finally:
                self._db.close()
                self._process_lock.release()

    def _keep_at_path(self) -> None:
        """Write the journal again at its path if its file is no longer there (see :meth:`close`)."""
        held = self._process_lock.held()
        if held is None:
            return
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            found = None
        except OSError:
            return  # not something a run can tell: leave the file as it is
        if found is not None and (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino):
            return
        job = self.job()
        job_text = f" (job {job.job_id})" if job is not None else ""
        if found is None and self.path.parent.is_dir():
            try:
                self._copy_to(self.path)
            except (OSError, sqlite3.Error) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
            else:
                warnings.warn(
                    f"journal {self.path}{job_text} was deleted while this run used it; it is written "
                    "again there, with everything this run recorded",
                    JournalWarning,
                    stacklevel=3,
                )
                return
        elif found is None:
            reason = f"its folder {self.path.parent} was deleted"
        else:
            reason = "another file has its name now, and is left as it is"
        warnings.warn(
            f"journal {self.path}{job_text} went away while this run used it and could not be written "
            f"again ({reason}): this run cannot be resumed or read again from it",
            JournalWarning,
            stacklevel=3,
        )

    def _copy_to(self, path: Path) -> None:
        """Copy the journal, as one consistent file, to ``path`` (which must not exist)."""
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        create_owner_only(partial)
        try:
            with closing(sqlite3.connect(partial)) as copy:
                self._db.backup(copy)
            # A link, not a rename: a file that took the name meanwhile is never replaced.
            os.link(partial, path)
        finally:
            with suppress(OSError):
                os.unlink(partial)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed write: all of it lands, or none of it."""
        with self._lock, self._reading("written"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self, doing: str) -> Iterator[None]:
        """SQLite's failures (a full disk, a damaged file) as a :class:`JournalError` saying what to do."""
        try:
            yield
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise _failure(self.path, exc, doing) from None

    # --------------------------------------------------------------------------------------------- job

    def job(self) -> JobEntry | None:
        """The job this journal records, or None before :meth:`set_job`."""
        with self._lock, self._reading("read"):
            found = self._db.execute(
                "SELECT job_id, base_url, definition_hash, run_requested FROM job WHERE id = 1"
            ).fetchone()
        if found is None:
            return None
        return JobEntry(found[0], found[1], found[2], bool(found[3]))

    def set_job(self, job_id: str, *, base_url: str, definition_hash: str) -> None:
        """Record the job; recording the same job again updates its details.

        Raises:
            JournalError: when the journal already records another job.
        """
        with self._transaction() as db:
            found = db.execute("SELECT job_id FROM job WHERE id = 1").fetchone()
            if found is not None and found[0] != job_id:
                raise JournalError(
                    f"journal {self.path} already records job {found[0]!r}, not {job_id!r}; "
                    "use a new journal file for a new job"
                )
            db.execute(
                "INSERT INTO job (id, job_id, base_url, definition_hash, updated_at) VALUES (1, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET base_url = excluded.base_url, "
                "definition_hash = excluded.definition_hash, updated_at = excluded.updated_at",
                (job_id, base_url, definition_hash, _now()),
            )

    def mark_run_requested(self) -> None:
        """Record that ``POST /bulk/{job_id}/run`` is about to be sent.

        Raises:
            JournalError: before :meth:`set_job`.
        """
        with self._transaction() as db:
            updated = db.execute("UPDATE job SET run_requested = 1, updated_at = ? WHERE id = 1", (_now(),))
            if updated.rowcount != 1:
                raise JournalError(f"journal {self.path} records no job yet; call set_job first")

    # ----------------------------------------------------------------------------------------- batches

    def add_batches(self, batches: Iterable[Batch]) -> None:
        """Record new batches as ``pending``, all in one commit.

        Raises:
            JournalError: when a batch number or a row is already in the journal (nothing is written).
        """
        batches = list(batches)
        now = _now()
        with self._transaction() as db:
            try:
                db.executemany(
                    "INSERT INTO batch (number, rows, content_hash, users, nbytes, state, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                    [(b.number, _rows_text(b.rows), b.content_hash, b.users, b.nbytes, now) for b in batches],
                )
                db.executemany(
                    "INSERT INTO batch_row (bulk_row, number) VALUES (?, ?)",
                    ((row, b.number) for b in batches for row in b.rows),
                )
            except sqlite3.IntegrityError as exc:
                raise JournalError(
                    f"journal {self.path} already holds one of these batch numbers or rows ({exc}); "
                    "a row must belong to exactly one batch"
                ) from exc

    def batches(self) -> list[BatchEntry]:
        """Every batch, by number."""
        with self._lock, self._reading("read"):
            found = self._db.execute(f"SELECT {_BATCH_FIELDS} FROM batch ORDER BY number").fetchall()
        return self._entries(found)

    def batches_between(self, low: int, high: int) -> list[BatchEntry]:
        """The batches holding a row from ``low`` to ``high`` (row keys, both included), by number.

        A streamed submission reads the journal a stretch of rows at a time, never whole.
        """
        with self._lock, self._reading("read"):
            found = self._db.execute(
                f"SELECT {_BATCH_FIELDS} FROM batch WHERE number IN "
                "(SELECT DISTINCT number FROM batch_row WHERE bulk_row BETWEEN ? AND ?) ORDER BY number",
                (low, high),
            ).fetchall()
        return self._entries(found)

    def largest_number(self) -> int:
        """The largest batch number recorded (0 when none is)."""
        with self._lock, self._reading("read"):
            (found,) = self._db.execute("SELECT MAX(number) FROM batch").fetchone()
        return int(found or 0)

    @staticmethod
    def _entries(found: list[Any]) -> list[BatchEntry]:
        return [
            BatchEntry(
                number,
                tuple(orjson.loads(rows)),
                content_hash,
                key,
                BatchState(state),
                attempts,
                orjson.loads(answer) if answer is not None else None,
                users,
                nbytes,
            )
            for number, rows, content_hash, key, state, attempts, answer, users, nbytes in found
        ]

    def counts(self) -> dict[str, int]:
        """Number of batches in each state (every state present, zeros included).

        Example:
            >>> import tempfile, pathlib
            >>> with Journal.open(pathlib.Path(tempfile.mkdtemp()) / "j") as journal:
            ...     journal.counts()["pending"]
            0
        """
        with self._lock, self._reading("read"):
            found = dict(self._db.execute("SELECT state, COUNT(*) FROM batch GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in _STATE_TEXTS}

    def _state(self, db: sqlite3.Connection, number: int) -> BatchState:
        found = db.execute("SELECT state FROM batch WHERE number = ?", (number,)).fetchone()
        if found is None:
            raise JournalError(f"journal {self.path} has no batch {number}")
        return BatchState(found[0])

    def mark_sending(self, number: int, idempotency_key: str) -> None:
        """Record that batch ``number`` is about to be sent with ``idempotency_key`` (before sending).

        Raises:
            JournalError: for an unknown batch, or one already ``acked`` or ``rejected``: its rows are
                settled and must not be sent again.
        """
        with self._transaction() as db:
            state = self._state(db, number)
            if state.final:
                raise JournalError(
                    f"batch {number} is already {state.value}; its rows must not be sent again"
                )
            db.execute(
                "UPDATE batch SET state = 'sending', idempotency_key = ?, attempts = attempts + 1, "
                "updated_at = ? WHERE number = ?",
                (idempotency_key, _now(), number),
            )

    def mark_acked(self, number: int, answer: AckedAnswer) -> None:
        """Record that Courier took batch ``number``, with its per-user errors (right after the answer).

        Raises:
            JournalError: for an unknown batch, or one already ``acked`` or ``rejected``.
        """
        self.mark_done(number, BatchState.ACKED, answer.to_json())

    def mark_rejected(self, number: int, answer: RefusedAnswer) -> None:
        """Record that Courier refused the whole batch ``number``: its rows are settled, not sent again.

        Raises:
            JournalError: for an unknown batch, or one already ``acked`` or ``rejected``.
        """
        self.mark_done(number, BatchState.REJECTED, answer.to_json())

    def mark_failed(self, number: int, answer: RefusedAnswer) -> None:
        """Record that batch ``number`` did not get through (a resumed run sends it again, same key).

        Raises:
            JournalError: for an unknown batch, or one already ``acked`` or ``rejected``.
        """
        self.mark_done(number, BatchState.FAILED, answer.to_json())

    def mark_done(self, number: int, state: BatchState | str, answer: Mapping[str, Any] | None) -> None:
        """Record the outcome of batch ``number`` (right after the answer, or the giving up).

        :meth:`mark_acked`, :meth:`mark_rejected` and :meth:`mark_failed` say the same with typed answers.

        Args:
            number: the batch.
            state: ``acked``, ``rejected`` or ``failed``.
            answer: what to keep about the outcome, as JSON-ready data (Courier's per-user errors,
                or the status and message of the error).

        Raises:
            JournalError: for an unknown state or batch, or a batch already ``acked`` or ``rejected``.
        """
        outcome = BatchState(state) if state in _STATE_TEXTS else None
        if outcome not in _DONE_STATES:
            done = ", ".join(s.value for s in _DONE_STATES)
            raise JournalError(f"state {str(state)!r} is not an outcome; use one of {done}")
        text = orjson.dumps(dict(answer)).decode() if answer is not None else None
        with self._transaction() as db:
            current = self._state(db, number)
            if current.final:
                raise JournalError(f"batch {number} is already {current.value}; its outcome cannot change")
            db.execute(
                "UPDATE batch SET state = ?, answer = ?, updated_at = ? WHERE number = ?",
                (str(outcome), text, _now(), number),
            )

    def replace_with_halves(self, number: int, halves: Sequence[Batch]) -> None:
        """Replace batch ``number`` (refused with 413) by its halves, as ``pending``, in one commit.

        Raises:
            JournalError: when the halves do not hold exactly the batch's rows in order, when a half's
                number is taken, or when the batch is already ``acked`` or ``rejected``.
        """
        now = _now()
        with self._transaction() as db:
            state = self._state(db, number)
            if state.final:
                raise JournalError(f"batch {number} is already {state.value}; it cannot be split")
            (rows_text,) = db.execute("SELECT rows FROM batch WHERE number = ?", (number,)).fetchone()
            rows = orjson.loads(rows_text)
            if [row for half in halves for row in half.rows] != rows:
                raise JournalError(f"the halves of batch {number} do not hold exactly its rows, in order")
            db.executemany("DELETE FROM batch_row WHERE bulk_row = ?", ((row,) for row in rows))
            db.execute("DELETE FROM batch WHERE number = ?", (number,))
            try:
                db.executemany(
                    "INSERT INTO batch (number, rows, content_hash, users, nbytes, state, split_from, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                    [
                        (h.number, _rows_text(h.rows), h.content_hash, h.users, h.nbytes, number, now)
                        for h in halves
                    ],
                )
            except sqlite3.IntegrityError as exc:
                raise JournalError(f"a half of batch {number} reuses a batch number in use ({exc})") from exc
            db.executemany(
                "INSERT INTO batch_row (bulk_row, number) VALUES (?, ?)",
                ((row, h.number) for h in halves for row in h.rows),
            )


__getattr__ = moved_names(
    __name__,
    {
        "BATCH_STATES": Moved(_STATE_TEXTS, "tuple(bulkprep.status.BatchState)"),
        "FINAL_STATES": Moved(
            tuple(s.value for s in BatchState if s in FINAL_BATCH_STATES),
            "bulkprep.status.FINAL_BATCH_STATES",
        ),
    },
)
