"""Send prepared users to a Courier bulk job and get every row's outcome back.

:func:`submit` sends only the ``ready`` rows, in batches cut by count and bytes, each with a
deterministic ``Idempotency-Key``; it ties Courier's per-user errors back to their rows, splits a batch
Courier finds too large, stops at once on a refused key, optionally runs the job and waits for it, and
(with a journal) resumes an interrupted submission without sending any row twice.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"Email": ["a@example.com", "oops"], "bulk_row": [2, 3],
    ...                       "bulk_user": [{"profile": {"email": "a@example.com"}}, None],
    ...                       "bulk_status": ["ready", "invalid"], "bulk_error": [None, "not an email"],
    ...                       "bulk_duplicate_of": pd.array([None, None], dtype="Int64")})
    >>> result = submit(frame, event="WELCOME", dry_run=True, progress=False)
    >>> result.summary["ready"], result.plan.batches[["batch", "users"]].to_dict("records")
    (1, [{'batch': 1, 'users': 1}])
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from os import PathLike
from typing import TYPE_CHECKING, Any

import orjson
import pandas as pd
from tqdm.auto import tqdm

from bulkprep.batching import (
    DEFAULT_MAX_BATCH_BYTES,
    DEFAULT_MAX_BATCH_USERS,
    MAX_REQUEST_BYTES,
    Batch,
    cut_batches,
    idempotency_key,
    split_batch,
)
from bulkprep.delivery import DEFAULT_POLL_INTERVAL, delivery_errors, delivery_states, run_job, wait_for_job
from bulkprep.errors import AuthenticationError, AuthorizationError, ConfigurationError, CourierError
from bulkprep.jsonsafe import clean, dumps
from bulkprep.report import ErrorCode, concat_errors, empty_errors, errors_from_records
from bulkprep.results import UNMATCHED_COLUMNS, SubmitPlan, SubmitResult, identities_of, match_to_rows
from bulkprep.status import RowStatus, Stage

if TYPE_CHECKING:
    from bulkprep.client import CourierClient
    from bulkprep.journal import Journal
    from bulkprep.prepare import Prepared

__all__ = [
    "BISECT_MAX_USERS",
    "DEFAULT_POLL_INTERVAL",
    "MESSAGE_FIELDS",
    "job_definition",
    "submit",
]

#: A batch Courier refuses with 400 is bisected to find the offending users when it holds at most
#: this many (at most about 2 x 64 extra requests); a larger one is marked rejected as a whole.
BISECT_MAX_USERS = 64
#: Fields of Courier's ``message`` for a bulk job.
MESSAGE_FIELDS: frozenset[str] = frozenset(
    {"event", "template", "content", "data", "brand", "locale", "override"}
)
_DUPLICATE_USER = "duplicate user"
_SENDABLE_STATES = frozenset({"pending", "sending", "failed"})
_PREVIEW_USERS = 3
_PREVIEW_ROWS = 5


def job_definition(
    *, job_id: str | None = None, event: str | None = None, message: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The job a submission targets: ``{"job_id": ...}`` or ``{"message": {...}}`` to create one.

    Raises:
        ConfigurationError: when the options are missing or contradict each other.

    Example:
        >>> job_definition(event="WELCOME")
        {'message': {'event': 'WELCOME'}}
        >>> job_definition(message={"event": "E", "data": {"promo": "SPRING"}})
        {'message': {'event': 'E', 'data': {'promo': 'SPRING'}}}
        >>> job_definition(job_id="1-abc")
        {'job_id': '1-abc'}
    """
    if job_id is not None:
        if event is not None or message is not None:
            raise ConfigurationError(
                f"job_id={job_id!r} adds users to an existing job, whose message is already set; "
                "pass either job_id, or event/message to create a new job, not both"
            )
        if not str(job_id).strip():
            raise ConfigurationError("job_id is empty; pass the jobId Courier returned when the job was made")
        return {"job_id": str(job_id)}
    body = dict(message or {})
    unknown = sorted(set(body) - MESSAGE_FIELDS)
    if unknown:
        raise ConfigurationError(
            f"message has unknown field(s) {unknown}; a bulk job's message takes {sorted(MESSAGE_FIELDS)}"
        )
    if event is not None:
        if "event" in body and body["event"] != event:
            raise ConfigurationError(
                f"event={event!r} contradicts message['event']={body['event']!r}; pass the event once"
            )
        body["event"] = event
    if not body:
        raise ConfigurationError(
            "no job to send to: pass event='YOUR_EVENT' (or a message with an event) to create a job, "
            "or job_id=... to add users to an existing one"
        )
    if not isinstance(body.get("event"), str) or not body["event"].strip():
        raise ConfigurationError(
            "Courier needs an event (a notification or event id) to create a bulk job: pass event=... "
            "or put 'event' in the message"
        )
    return {"message": clean(body)}


def _definition_hash(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(definition, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _prepared_frame(
    df: pd.DataFrame | Prepared, mapping: Any, *, region: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prepared frame and prepare's error table, preparing a raw frame when a mapping is given."""
    if hasattr(df, "df") and hasattr(df, "errors") and not isinstance(df, pd.DataFrame):
        if mapping is not None:
            raise ConfigurationError("the input is already prepared: leave out the mapping")
        return df.df, df.errors
    if not isinstance(df, pd.DataFrame):
        raise ConfigurationError(
            f"submit takes a DataFrame or the result of prepare(), not {type(df).__name__}"
        )
    if mapping is not None:
        from bulkprep.prepare import prepare

        prepared = prepare(df, mapping, region=region)
        return prepared.df, prepared.errors
    missing = [c for c in ("bulk_row", "bulk_user", "bulk_status") if c not in df.columns]
    if missing:
        raise ConfigurationError(
            f"the frame is not prepared (no {', '.join(missing)} column): pass a mapping, "
            "submit(df, mapping, ...), or the result of prepare(df, mapping)"
        )
    if not df["bulk_row"].is_unique:
        raise ConfigurationError("column 'bulk_row' holds repeated keys; run prepare() on the input again")
    return df, empty_errors()


@dataclass
class _Outcomes:
    """What happened to the sent rows, gathered from the worker threads."""

    status: dict[int, str] = field(default_factory=dict)
    batch: dict[int, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    delivery: dict[int, tuple[Any, Any]] = field(default_factory=dict)


class _Progress:
    """A tqdm bar over rows, with batches and retries in its postfix."""

    def __init__(self, *, total_rows: int, enabled: bool) -> None:
        self._bar = tqdm(total=total_rows, unit="row", desc="submitting", disable=not enabled, leave=True)
        self._batches = 0
        self.total_batches = 0
        self.retries = 0
        self._lock = threading.Lock()

    def retried(self, _event: object = None) -> None:
        with self._lock:
            self.retries += 1
            self._postfix()

    def batch_done(self, rows: int) -> None:
        with self._lock:
            self._batches += 1
            self._bar.update(rows)
            self._postfix()

    def _postfix(self) -> None:
        self._bar.set_postfix(batches=f"{self._batches}/{self.total_batches}", retries=self.retries)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Submission:
    """One submission's sending: batches through the client, outcomes back to rows, the journal kept."""

    def __init__(
        self,
        *,
        client: CourierClient,
        job_id: str,
        users: pd.Series,
        journal: Journal | None,
        progress: _Progress,
        next_number: int,
    ) -> None:
        self.client = client
        self.job_id = job_id
        self.users = users
        self.journal = journal
        self.progress = progress
        self.outcomes = _Outcomes()
        self.stop = threading.Event()
        self.stopped_by: CourierError | None = None
        self._lock = threading.Lock()
        self._next_number = next_number

    # journal and shared state, under one lock (sqlite connections and dicts are not thread-safe)
    def _journal(self, method: str, *args: Any) -> None:
        if self.journal is not None:
            with self._lock:
                getattr(self.journal, method)(*args)

    def _numbers(self) -> tuple[int, int]:
        with self._lock:
            first = self._next_number
            self._next_number += 2
        return first, first + 1

    def _settle(self, rows: Iterable[int], status: str, batch: int) -> None:
        with self._lock:
            for row in rows:
                self.outcomes.status[row] = status
                self.outcomes.batch[row] = batch

    def _error(self, rows: Iterable[int], code: ErrorCode, message: str, value: Any = None) -> None:
        records = [
            {
                "bulk_row": row,
                "stage": Stage.INGEST.value,
                "code": code.value,
                "message": message,
                "value": value,
            }
            for row in rows
        ]
        with self._lock:
            self.outcomes.errors.extend(records)

    # sending
    def send(self, batch: Batch, *, maybe_sent: bool = False) -> None:
        """Send one batch (and, after a 413 or a small 400, its halves); record every row's outcome."""
        if self.stop.is_set():
            return
        key = idempotency_key(self.job_id, batch)
        self._journal("mark_sending", batch.number, key)
        try:
            answer = self.client.ingest(self.job_id, batch.body, idempotency_key=key)
        except (AuthenticationError, AuthorizationError) as exc:
            self._journal("mark_done", batch.number, "failed", {"status": exc.status, "message": str(exc)})
            with self._lock:
                if self.stopped_by is None:
                    self.stopped_by = exc
            self.stop.set()
            return
        except CourierError as exc:
            self._refused(batch, exc, maybe_sent=maybe_sent)
            return
        stored = {
            "status": answer.status,
            "errors": answer.errors,
            "total": answer.total,
            "outcome_was_unknown": bool(getattr(answer, "outcome_was_unknown", False)) or maybe_sent,
        }
        self._journal("mark_done", batch.number, "acked", stored)
        self.apply_answer(batch, stored)
        self.progress.batch_done(batch.users)

    def _refused(self, batch: Batch, exc: CourierError, *, maybe_sent: bool) -> None:
        splittable = batch.users > 1 and (
            exc.status == 413 or (exc.status == 400 and batch.users <= BISECT_MAX_USERS)
        )
        if splittable and not exc.retryable:
            halves = split_batch(batch, numbers=self._numbers())
            self._journal("replace_with_halves", batch.number, list(halves))
            for half in halves:
                self.send(half, maybe_sent=maybe_sent)
            return
        answer = {"status": exc.status, "type": exc.type, "message": _courier_words(exc)}
        # Only Courier's own 4xx refuses the users; anything else (retries exhausted, a network
        # failure that no retry can fix) leaves them not delivered, and safe to send again.
        refused = 400 <= exc.status < 500 and not exc.retryable
        state = "rejected" if refused else "failed"
        self._journal("mark_done", batch.number, state, answer)
        self.apply_refusal(batch, answer, state=state)
        self.progress.batch_done(batch.users)

    # outcomes (also used to restore a journal's stored answers)
    def apply_answer(self, batch: Batch, answer: Mapping[str, Any]) -> None:
        """Rows of an acknowledged batch: rejected when an error matches them, accepted otherwise."""
        errors = [e if isinstance(e, Mapping) else {"error": str(e)} for e in answer.get("errors") or []]
        maybe_sent = bool(answer.get("outcome_was_unknown"))
        rows = list(batch.rows)
        if not errors:  # the usual answer: nothing to match, every row of the batch is in
            self._settle(rows, RowStatus.ACCEPTED.value, batch.number)
            return
        identities = identities_of(self.users.loc[rows])
        matching = match_to_rows([_echo(e) for e in errors], identities)
        rejected: dict[int, list[str]] = {}
        for position, row in matching.matches.items():
            words = _error_text(errors[position])
            # A batch sent again after an unknown outcome finds its own users already in the job.
            if maybe_sent and words.strip().casefold() == _DUPLICATE_USER:
                continue
            rejected.setdefault(row, []).append(words)
        self._settle([r for r in rows if r not in rejected], RowStatus.ACCEPTED.value, batch.number)
        self._settle(rejected, RowStatus.REJECTED.value, batch.number)
        for row, messages in rejected.items():
            for words in messages:
                self._error([row], ErrorCode.COURIER_REJECTED, f"Courier refused the user: {words}")
        for position in matching.unmatched:
            words = _error_text(errors[position])
            echo = _echo(errors[position])
            echo_text = dumps(clean(echo)).decode() if isinstance(echo, Mapping) else str(echo)
            candidates = len(match_to_rows([echo], identities).matches)
            with self._lock:
                self.outcomes.unmatched.append(
                    {"batch": batch.number, "error": words, "user": echo_text, "candidates": candidates}
                )
            self._error(
                [-1],
                ErrorCode.UNMATCHED_ERROR,
                f"batch {batch.number}: Courier reported {words!r} for a user that matches no single "
                "row of the batch",
                echo_text,
            )

    def apply_refusal(self, batch: Batch, answer: Mapping[str, Any], *, state: str) -> None:
        """Rows of a batch refused as a whole (``rejected``) or that never got through (``failed``)."""
        words = str(answer.get("message") or "")
        if state == "failed":
            self._settle(batch.rows, RowStatus.FAILED.value, batch.number)
            message = (
                f"batch {batch.number} could not be delivered to Courier ({words}); the rows are safe "
                "to submit again"
            )
            self._error(batch.rows, ErrorCode.SEND_FAILED, message)
            return
        self._settle(batch.rows, RowStatus.REJECTED.value, batch.number)
        status = answer.get("status")
        if batch.users == 1:
            message = f"Courier refused the user (HTTP {status}): {words}"
        else:
            message = (
                f"Courier refused batch {batch.number} of {batch.users} users as a whole (HTTP {status}): "
                f"{words}; the offending row is not known, every row of the batch is marked"
            )
        self._error(batch.rows, ErrorCode.BATCH_REJECTED, message)


def _courier_words(exc: CourierError) -> str:
    return exc.courier_message or str(exc)


def _echo(error: Mapping[str, Any]) -> Any:
    user = error.get("user")
    return user if user is not None else {}


def _error_text(error: Mapping[str, Any]) -> str:
    for key in ("error", "message", "reason"):
        if error.get(key):
            return str(error[key])
    return "error without a message"


def _batch_from_rows(users: pd.Series, number: int, rows: Iterable[int]) -> Batch:
    """The batch of ``rows`` as it was first cut (same bytes, same content hash)."""
    selected = users.loc[list(rows)]
    pieces = cut_batches(selected, max_users=max(len(selected), 1), max_bytes=MAX_REQUEST_BYTES)
    if len(pieces) != 1:  # only a body too large for any request: it cannot have been cut like this
        raise ConfigurationError(
            f"batch {number} of the journal no longer fits one request: the input has changed since "
            "the journal was written; use a new journal file"
        )
    return replace(pieces[0], number=number)


def _plan(
    definition: dict[str, Any], batches: list[Batch], frame: pd.DataFrame, ready: pd.Series
) -> SubmitPlan:
    table = pd.DataFrame(
        {
            "batch": [b.number for b in batches],
            "users": [b.users for b in batches],
            "bytes": [b.nbytes for b in batches],
            "first_rows": [list(b.rows[:_PREVIEW_ROWS]) for b in batches],
        }
    )
    payloads = batches[0].payload_users()[:_PREVIEW_USERS] if batches else []
    skipped = frame.loc[~ready.to_numpy(), ["bulk_row", "bulk_status", "bulk_error"]].reset_index(drop=True)
    return SubmitPlan(job=definition, batches=table, payloads=payloads, skipped=skipped)


def _result_frame(frame: pd.DataFrame, outcomes: _Outcomes, plan_batches: dict[int, int]) -> pd.DataFrame:
    """The prepared frame with each row's final status, error, batch and delivery state."""
    out = frame.copy()
    keys = out["bulk_row"]
    status = keys.map(outcomes.status)
    out["bulk_status"] = status.where(status.notna(), out["bulk_status"].astype("object")).astype("object")
    batch_numbers = {**plan_batches, **outcomes.batch}
    previous = out["bulk_batch"] if "bulk_batch" in out.columns else pd.Series(pd.NA, index=out.index)
    batch = keys.map(batch_numbers)
    out["bulk_batch"] = batch.where(batch.notna(), previous).astype("Int64")
    ingest = errors_from_records([e for e in outcomes.errors if e["bulk_row"] >= 0])
    if len(ingest):
        text = ingest.groupby("bulk_row", sort=False)["message"].agg("; ".join)
        messages = keys.map(text)
        has = messages.notna().to_numpy()
        bulk_error = out["bulk_error"].astype("object") if "bulk_error" in out.columns else None
        if bulk_error is None:
            bulk_error = pd.Series(None, index=out.index, dtype="object")
        out["bulk_error"] = bulk_error.where(~has, messages)
    elif "bulk_error" not in out.columns:
        out["bulk_error"] = pd.Series(None, index=out.index, dtype="object")
    if "bulk_duplicate_of" not in out.columns:
        out["bulk_duplicate_of"] = pd.array([pd.NA] * len(out), dtype="Int64")
    else:  # a row key, whole numbers even when the column came as floats
        out["bulk_duplicate_of"] = out["bulk_duplicate_of"].astype("Int64")
    for column, position in (("bulk_delivery_status", 0), ("bulk_message_id", 1)):
        merged = keys.map({row: pair[position] for row, pair in outcomes.delivery.items()})
        previous = out[column].astype("object") if column in out.columns else pd.Series(None, index=out.index)
        out[column] = merged.where(merged.notna(), previous).astype("object")
        out[column] = out[column].where(out[column].notna(), None)
    ordered = [c for c in out.columns if not str(c).startswith("bulk_")]
    ordered += ["bulk_row", "bulk_user", "bulk_status", "bulk_error", "bulk_duplicate_of", "bulk_batch"]
    ordered += ["bulk_delivery_status", "bulk_message_id"]
    extra = [c for c in out.columns if c not in ordered]
    return out[ordered + extra]


def submit(
    df: pd.DataFrame | Prepared,
    mapping: Any = None,
    *,
    job_id: str | None = None,
    event: str | None = None,
    message: Mapping[str, Any] | None = None,
    run: bool = False,
    wait: bool = False,
    api_key: str | None = None,
    base_url: str | None = None,
    journal: str | PathLike[str] | None = None,
    batch_size: int = DEFAULT_MAX_BATCH_USERS,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    concurrency: int = 4,
    dry_run: bool = False,
    region: str | None = "US",
    progress: bool = True,
    client: CourierClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
    wait_timeout: float = 600.0,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> SubmitResult:
    """Send the ready rows to a Courier bulk job; every input row comes back with its outcome.

    Args:
        df: a :class:`~bulkprep.prepare.Prepared`, a prepared frame, or a raw frame with ``mapping``.
        mapping: the mapping for a raw frame (a ``Mapping``, a dict, or a YAML/JSON file).
        job_id: add the users to this existing job (instead of creating one).
        event: create the job from this event or notification id (shorthand for ``message={"event": ...}``).
        message: create the job from this message (``event``, ``template``, ``content``, ``data``,
            ``brand``, ``locale``, ``override``).
        run: run the job once every batch is sent (when at least one user is in it).
        wait: wait for the job to finish, then add each row's delivery state (needs ``run``).
        api_key: Courier's key; by default from ``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN``.
        base_url: by default from ``COURIER_BASE_URL``, else Courier's API.
        journal: a file recording the job and each batch, so an interrupted submission can be run
            again with the same arguments and resumes without sending any row twice.
        batch_size: most users per request.
        max_batch_bytes: most bytes per request body (Courier refuses more than 6 MB).
        concurrency: how many batches are in flight at once.
        dry_run: send nothing; the result's ``plan`` shows what would be sent.
        region: default phone region, when a raw frame is prepared here.
        progress: show a progress bar.
        client: a :class:`~bulkprep.client.CourierClient` to use (it stays open).
        sleep: how to wait between polls (tests pass a function that does not really wait).
        wait_timeout: most seconds to wait for the job to finish.
        poll_interval: first pause between two looks at the running job, in seconds.

    Returns:
        A :class:`~bulkprep.results.SubmitResult`: the rows with ``bulk_status`` (accepted, rejected,
        failed, or their prepare status), the error table, the job.

    Raises:
        ConfigurationError: missing or contradictory options, no API key, or a journal that belongs
            to other input.
        AuthenticationError: Courier refused the key (401); nothing more was sent.
        AuthorizationError: the key may not use the Bulk API (403); nothing more was sent.
    """
    definition = job_definition(job_id=job_id, event=event, message=message)
    if wait and not run:
        raise ConfigurationError("wait=True waits for the job to finish, which needs run=True too")
    if concurrency < 1:
        raise ConfigurationError(f"concurrency={concurrency} must be at least 1")
    if wait_timeout < 0 or poll_interval <= 0:
        raise ConfigurationError("wait_timeout must be zero or more and poll_interval more than zero seconds")
    frame, prepare_errors = _prepared_frame(df, mapping, region=region)
    ready = (frame["bulk_status"].astype("object") == RowStatus.READY.value).fillna(False)
    users = pd.Series(
        frame.loc[ready.to_numpy(), "bulk_user"].tolist(),
        index=frame.loc[ready.to_numpy(), "bulk_row"].astype("int64").tolist(),
        dtype="object",
    )
    batches = cut_batches(users, max_users=batch_size, max_bytes=max_batch_bytes)
    if dry_run:
        plan = _plan(definition, batches, frame, ready)
        planned = {row: b.number for b in batches for row in b.rows}
        result_df = _result_frame(frame, _Outcomes(), planned)
        return SubmitResult(
            result_df,
            errors=prepare_errors,
            job_id=definition.get("job_id"),
            plan=plan,
            input_columns=_input_columns(result_df),
        )
    with ExitStack() as stack:
        bar = stack.enter_context(_Progress(total_rows=len(users), enabled=progress))
        if client is None:
            from bulkprep.client import CourierClient

            client = stack.enter_context(
                CourierClient(api_key, base_url, sleep=sleep, on_retry=bar.retried, pool_maxsize=concurrency)
            )
        book = None
        if journal is not None:
            from bulkprep.journal import Journal

            book = stack.enter_context(Journal.open(journal))
        return _send_all(
            frame=frame,
            prepare_errors=prepare_errors,
            users=users,
            batches=batches,
            definition=definition,
            client=client,
            journal=book,
            run=run,
            wait=wait,
            concurrency=concurrency,
            bar=bar,
            progress=progress,
            sleep=sleep,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
        )


def _input_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in frame.columns if not str(c).startswith("bulk_"))


def _job_key(definition_hash: str, batches: list[Batch]) -> str:
    digest = hashlib.sha256(definition_hash.encode())
    for batch in batches:
        digest.update(batch.content_hash.encode())
    return f"bulkprep-job-{digest.hexdigest()[:32]}"


def _open_job(
    *, client: CourierClient, journal: Journal | None, definition: dict[str, Any], batches: list[Batch]
) -> tuple[str, bool]:
    """The job to send to (created, given, or taken from the journal), and whether it was resumed."""
    definition_hash = _definition_hash(definition)
    entry = journal.job() if journal is not None else None
    if entry is not None:
        if entry.definition_hash != definition_hash:
            raise ConfigurationError(
                f"the journal belongs to another job definition (job {entry.job_id}); pass the same "
                "event/message/job_id as the interrupted run, or use a new journal file"
            )
        if entry.base_url.rstrip("/") != client.base_url.rstrip("/"):
            raise ConfigurationError(
                f"the journal's job {entry.job_id} lives on {entry.base_url}, not {client.base_url}; "
                "pass the same base URL, or use a new journal file"
            )
        return entry.job_id, True
    if "job_id" in definition:
        job_id = str(definition["job_id"])
    else:
        job_id = client.create_job(definition["message"], idempotency_key=_job_key(definition_hash, batches))
    if journal is not None:
        journal.set_job(job_id, base_url=client.base_url, definition_hash=definition_hash)
    return job_id, False


def _journal_batches(journal: Journal, users: pd.Series, batches: list[Batch]) -> list[tuple[Batch, Any]]:
    """The batches to work through with their journal entries; on a first run, records them."""
    entries = journal.batches()
    if not entries:
        journal.add_batches(batches)
        entries = journal.batches()
    by_number = {entry.number: entry for entry in entries}
    journal_rows = sorted(row for entry in entries for row in entry.rows)
    if journal_rows != sorted(users.index.tolist()):
        raise ConfigurationError(
            "the input no longer matches the journal: the ready rows differ from the rows it recorded; "
            "submit the same input as the interrupted run, or use a new journal file"
        )
    rebuilt = [
        (_batch_from_rows(users, number, entry.rows), entry) for number, entry in sorted(by_number.items())
    ]
    changed = [batch.number for batch, entry in rebuilt if batch.content_hash != entry.content_hash]
    if changed:
        raise ConfigurationError(
            f"the input no longer matches the journal: the content of batch(es) {changed[:5]} changed "
            "(content hashes differ); submit the same input as the interrupted run, or use a new journal file"
        )
    return rebuilt


def _send_all(
    *,
    frame: pd.DataFrame,
    prepare_errors: pd.DataFrame,
    users: pd.Series,
    batches: list[Batch],
    definition: dict[str, Any],
    client: CourierClient,
    journal: Journal | None,
    run: bool,
    wait: bool,
    concurrency: int,
    bar: _Progress,
    progress: bool,
    sleep: Callable[[float], None],
    wait_timeout: float,
    poll_interval: float,
) -> SubmitResult:
    job_id, resumed = _open_job(client=client, journal=journal, definition=definition, batches=batches)
    if journal is not None:
        work = _journal_batches(journal, users, batches)
    else:
        work = [(batch, None) for batch in batches]
    bar.total_batches = len(work)
    next_number = max((batch.number for batch, _ in work), default=0) + 1
    if journal is not None:
        next_number = max([next_number, *(entry.number + 1 for entry in journal.batches())])
    sending = _Submission(
        client=client, job_id=job_id, users=users, journal=journal, progress=bar, next_number=next_number
    )
    try:
        to_send: list[tuple[Batch, bool]] = []
        for batch, entry in work:
            state = getattr(entry, "state", "pending")
            if state in _SENDABLE_STATES:
                # A batch that was in flight or failed may have reached Courier already.
                to_send.append((batch, state != "pending"))
            elif state == "acked":
                sending.apply_answer(batch, entry.answer or {})
                bar.batch_done(batch.users)
            else:
                sending.apply_refusal(batch, entry.answer or {}, state=state)
                bar.batch_done(batch.users)
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bulkprep-send") as pool:
            futures = [pool.submit(sending.send, b, maybe_sent=m) for b, m in to_send]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                # Interrupted (Ctrl-C) or a bug: send nothing more; the journal knows what went out.
                sending.stop.set()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        bar.close()
    if sending.stopped_by is not None:
        stopped = sending.stopped_by
        sent = sum(1 for s in sending.outcomes.status.values() if s == RowStatus.ACCEPTED.value)
        stopped.add_note(
            f"bulkprep: stopped sending to job {job_id}; {sent} row(s) were accepted before it, the rest "
            "were not sent" + ("; the journal records what was sent" if journal is not None else "")
        )
        raise stopped
    job: dict[str, Any] | None = None
    runs = False
    if run:
        # A resumed job, or one the caller made, may have run already.
        unknown_state = resumed or "job_id" in definition
        any_accepted = any(s == RowStatus.ACCEPTED.value for s in sending.outcomes.status.values())
        job, runs = run_job(
            client, job_id, journal=journal, any_accepted=any_accepted, unknown_state=unknown_state
        )
    if wait and runs:
        job = wait_for_job(
            client, job_id, sleep=sleep, timeout=wait_timeout, interval=poll_interval, progress=progress
        )
        sending.outcomes.delivery.update(delivery_states(client, job_id, _accepted_users(frame, sending)))
    result_df = _result_frame(frame, sending.outcomes, {})
    ingest = errors_from_records(sending.outcomes.errors)
    delivery = delivery_errors(sending.outcomes.delivery)
    unmatched = pd.DataFrame(sending.outcomes.unmatched, columns=list(UNMATCHED_COLUMNS))
    return SubmitResult(
        result_df,
        errors=concat_errors([prepare_errors, ingest, delivery]),
        unmatched_errors=unmatched,
        job_id=job_id,
        job=job,
        input_columns=_input_columns(result_df),
    )


def _accepted_users(frame: pd.DataFrame, sending: _Submission) -> pd.Series:
    """The payloads of every accepted row, this submission's and earlier ones', indexed by row key."""
    outcomes = sending.outcomes
    accepted_rows = [row for row, s in outcomes.status.items() if s == RowStatus.ACCEPTED.value]
    previous = frame.loc[frame["bulk_status"].astype("object") == RowStatus.ACCEPTED.value, "bulk_row"]
    accepted_rows += [int(r) for r in previous.tolist() if int(r) not in outcomes.status]
    all_users = frame.set_index(frame["bulk_row"].astype("int64"))["bulk_user"]
    return all_users.loc[accepted_rows]
