"""Send prepared users to a Courier bulk job and get every row's outcome back.

:func:`submit` sends only the ``ready`` rows, in batches cut by count and bytes, each with a
deterministic ``Idempotency-Key``; it ties Courier's per-user errors back to their rows, splits a batch
Courier finds too large, stops at once on a refused key, optionally runs the job and waits for it, and
(with a journal) resumes an interrupted submission without sending any row twice.

Resuming is something the caller asks for, with a journal or ``job_id=``: without them, each call makes
a new job (the same file submitted twice is sent twice, never silently "accepted" from the first job).
Whatever stops a submission once its job is open, no row's outcome is lost: the error raised carries
the partial :class:`~bulkprep.results.SubmitResult` in ``exc.result`` (Ctrl-C raises
:class:`~bulkprep.errors.SubmitInterrupted` with it), and ``result.left_to_do`` says how to finish.

Two guards protect a send: ``max_invalid`` refuses, before the job is created, a file with more invalid
or duplicate rows than it allows, and ``max_rejected`` stops sending once Courier refused too many of
the users sent (:mod:`bulkprep.guard`; both raise :class:`~bulkprep.errors.GuardError`). The rows of
``failed_rows()``, fixed and sent again, merge into the first result with
:meth:`~bulkprep.results.SubmitResult.update`.

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
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import orjson
import pandas as pd
import pydantic

from bulkprep._moved import Moved, moved_names
from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS, Batch, cut_batches
from bulkprep.client import DEFAULT_REQUEST_DEADLINE, CourierClient, _ApiKey, job_id_fault
from bulkprep.courier import Job, JobMessage
from bulkprep.delivery import (
    DEFAULT_OUTCOME_WORKERS,
    DEFAULT_POLL_INTERVAL,
    delivery_problems,
    delivery_states,
    message_outcomes,
    run_job,
    unlisted,
    wait_for_job,
    wait_until,
    with_problem_text,
)
from bulkprep.errors import (
    BulkprepError,
    ConfigurationError,
    CourierError,
    GuardError,
    InputError,
    JournalError,
    RunWithheld,
    SubmitInterrupted,
)
from bulkprep.frames import as_pandas
from bulkprep.guard import GuardDecision, Limit, check_invalid, check_limit
from bulkprep.interrupts import held_interrupts
from bulkprep.journal import Journal
from bulkprep.jsonsafe import clean
from bulkprep.prepare import Prepared, prepare
from bulkprep.report import concat_errors, empty_errors, errors_from_records
from bulkprep.results import UNMATCHED_COLUMNS, Attempt, SubmitPlan, SubmitResult
from bulkprep.retry import RetryPolicy
from bulkprep.sending import (
    BatchSender,
    Outcomes,
    Progress,
    WorkItem,
    accepted_users,
    input_columns,
    result_frame,
    work_from_journal,
)
from bulkprep.status import ROW_KEY, Column, JobStatus, RowStatus

if TYPE_CHECKING:
    from bulkprep.stream.prepared import PreparedFile

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "MESSAGE_FIELDS",
    "job_definition",
    "submit",
]

#: Fields of Courier's ``message`` for a bulk job (:class:`bulkprep.courier.JobMessage`).
MESSAGE_FIELDS: frozenset[str] = frozenset(JobMessage.model_fields)
_PREVIEW_USERS = 3
_PREVIEW_ROWS = 5
_PREPARED_NEEDS = (ROW_KEY, Column.USER.value, Column.STATUS.value)


def job_definition(
    *, job_id: str | None = None, event: str | None = None, message: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The job a submission targets: ``{"job_id": ...}`` or ``{"message": {...}}`` to create one.

    The message is checked against Courier's (:class:`bulkprep.courier.JobMessage`): its fields and
    their types.

    Raises:
        ConfigurationError: when the options are missing, contradict each other, or the message does not
            fit Courier's.

    Example:
        >>> job_definition(event="WELCOME")
        {'message': {'event': 'WELCOME'}}
        >>> job_definition(message={"event": "E", "data": {"promo": "SPRING"}})
        {'message': {'event': 'E', 'data': {'promo': 'SPRING'}}}
        >>> job_definition(job_id="1-abc")
        {'job_id': '1-abc'}
    """
    if job_id is not None:
        return _existing_job(job_id, given_message=event is not None or message is not None)
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
    return {"message": _checked_message(body)}


def _existing_job(job_id: str, *, given_message: bool) -> dict[str, Any]:
    if given_message:
        raise ConfigurationError(
            f"job_id={job_id!r} adds users to an existing job, whose message is already set; "
            "pass either job_id, or event/message to create a new job, not both"
        )
    if not str(job_id).strip():
        raise ConfigurationError("job_id is empty; pass the jobId Courier returned when the job was made")
    fault = job_id_fault(str(job_id))  # it would be in every path, line and row written
    if fault is not None:
        raise ConfigurationError(f"job_id {fault}; pass the jobId Courier returned when the job was made")
    return {"job_id": str(job_id)}


def _checked_message(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` made JSON-safe, once :class:`JobMessage` finds every field of the right type."""
    event = body.get("event")
    if not isinstance(event, str) or not event.strip():
        raise ConfigurationError(
            "Courier needs an event (a notification or event id) to create a bulk job: pass event=... "
            "or put 'event' in the message"
        )
    message = clean(body)
    try:
        JobMessage.model_validate(message)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()[:3]
        )
        raise ConfigurationError(
            f"the message does not fit Courier's bulk job message ({problems}); event, template and brand "
            "are texts, content, data and override objects, locale an object or a text"
        ) from None
    checked: dict[str, Any] = message
    return checked


def _definition_hash(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(definition, option=orjson.OPT_SORT_KEYS)).hexdigest()


class _Hashed(Protocol):
    """A batch as the job's idempotency key reads it (a :class:`Batch`, or a streamed run's plan of one)."""

    @property
    def content_hash(self) -> str: ...


def _job_key(definition_hash: str, batches: Iterable[_Hashed], run_id: str) -> str:
    """The idempotency key of creating the job: the same for the same input and run, new for a new run.

    ``run_id`` is the journal's (so a resumed run finds the job it made, even when the first run died
    before recording it), or a fresh one for a run without a journal (so running the same file twice
    makes a second job instead of silently reusing the first).
    """
    digest = hashlib.sha256(definition_hash.encode())
    digest.update(run_id.encode())
    for batch in batches:
        digest.update(batch.content_hash.encode())
    return f"bulkprep-job-{digest.hexdigest()[:32]}"


# ------------------------------------------------------------------------------------------------ input


def _prepared_frame(
    df: pd.DataFrame | Prepared, mapping: Any, *, region: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prepared frame and prepare's error table, preparing a raw frame when a mapping is given."""
    if hasattr(df, "df") and hasattr(df, "errors") and not isinstance(df, pd.DataFrame):
        if mapping is not None:
            raise ConfigurationError("the input is already prepared: leave out the mapping")
        if isinstance(df, Prepared):
            df.check_unchanged()  # an edit after prepare() would be shown by the results, never sent
        return df.df, df.errors
    if not isinstance(df, pd.DataFrame):
        try:  # an Arrow or polars table, or a list of dicts, is converted at the door
            df = as_pandas(df, what="submit's input")
        except InputError as error:
            raise ConfigurationError(f"{error}; or pass the result of prepare()") from None
    if mapping is not None:
        prepared = prepare(df, mapping, region=region)
        return prepared.df, prepared.errors
    missing = [c for c in _PREPARED_NEEDS if c not in df.columns]
    if missing:
        raise ConfigurationError(
            f"the frame is not prepared (no {', '.join(missing)} column): pass a mapping, "
            "submit(df, mapping, ...), or the result of prepare(df, mapping)"
        )
    if not df[ROW_KEY].is_unique:
        raise ConfigurationError(f"column {ROW_KEY!r} holds repeated keys; run prepare() on the input again")
    return df, empty_errors()


def _ready(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Which rows are ready, and their payloads indexed by row key."""
    ready = (frame[Column.STATUS.value].astype("object") == RowStatus.READY.value).fillna(False)
    rows = frame.loc[ready.to_numpy()]
    users = pd.Series(
        rows[Column.USER.value].tolist(), index=rows[ROW_KEY].astype("int64").tolist(), dtype="object"
    )
    return ready, users


def _check_options(
    *, run: bool, wait: bool, concurrency: int, wait_timeout: float, poll_interval: float
) -> None:
    if wait and not run:
        raise ConfigurationError("wait=True waits for the job to finish, which needs run=True too")
    if concurrency < 1:
        raise ConfigurationError(f"concurrency={concurrency} must be at least 1")
    if wait_timeout < 0 or poll_interval <= 0:
        raise ConfigurationError("wait_timeout must be zero or more and poll_interval more than zero seconds")


def _retry_policy(retry: RetryPolicy | None, client: CourierClient | None) -> RetryPolicy:
    """The one policy of a submission: the given one, else the given client's, else the default."""
    if client is None:
        return retry if retry is not None else RetryPolicy()
    if retry is not None and retry != client.retry:
        raise ConfigurationError(
            "retry=... and client=... both set a retry policy: build the client with "
            "CourierClient(..., retry=policy), or leave out the client"
        )
    return client.retry


# ------------------------------------------------------------------------------------------- the public call


@dataclass(frozen=True)
class _AfterSending:
    """What to do once every batch is sent: run the job, wait for it, read each user's delivery."""

    run: bool
    wait: bool
    sleep: Callable[[float], None]
    timeout: float
    interval: float
    progress: bool


def submit(
    df: pd.DataFrame | Prepared | PreparedFile | str | PathLike[str],
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
    retry: RetryPolicy | None = None,
    proxy: str | None = None,
    request_deadline: float | None = None,
    max_invalid: Limit | None = None,
    max_rejected: Limit | None = None,
    results: str | PathLike[str] | None = None,
) -> SubmitResult:
    """Send the ready rows to a Courier bulk job; every input row comes back with its outcome.

    Args:
        df: a :class:`~bulkprep.prepare.Prepared`, a prepared frame, or a raw frame with ``mapping``;
            or, sent a chunk at a time at flat memory, a :class:`~bulkprep.stream.PreparedFile` or the
            path of a CSV file with ``mapping`` (:func:`bulkprep.stream.submitting.submit_file`: the
            result is a :class:`~bulkprep.stream.result.StreamedSubmitResult`, its rows in a file).
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
            again with the same arguments and resumes without sending any row twice (one process
            at a time: a journal in use by another run is refused).
        batch_size: most users per request.
        max_batch_bytes: most bytes per request body (Courier refuses more than 6 MB).
        concurrency: how many batches are in flight at once.
        dry_run: send nothing; the result's ``plan`` shows what would be sent.
        region: default phone region, when a raw frame is prepared here.
        progress: show a progress bar.
        client: a :class:`~bulkprep.client.CourierClient` to use (it stays open).
        sleep: how to wait between retries and polls (tests pass a function that does not really wait).
        wait_timeout: most seconds to wait for the job to finish, all looks at it included; when they
            pass, the result comes back with the delivery states unknown and ``left_to_do`` set.
            Reading the job's users afterwards takes at most as long again (at least one request's
            deadline); a listing not ended by then stops with the users not read.
        poll_interval: first pause between two looks at the running job, in seconds.
        retry: what to retry, how long to wait and when to cut a refused batch
            (:class:`~bulkprep.retry.RetryPolicy`); by default the given client's, else the defaults.
        proxy: the proxy for an ``https://`` base URL (``""``: none); by default ``HTTPS_PROXY`` unless
            ``NO_PROXY`` names the host; loopback hosts are always reached directly
            (:func:`~bulkprep.client.resolve_proxy`).
        request_deadline: most seconds one request to Courier may take, its retries and their waits
            included (by default :data:`bulkprep.client.DEFAULT_REQUEST_DEADLINE`); with ``client``,
            set it on the client instead.
        max_invalid: refuse to send (before the job is created) when more rows are invalid or duplicate
            than this: a share of the input rows (``0.05``) or a number of rows (``50``); None: no limit.
            A dry run reports the decision in ``result.guard`` without refusing.
        max_rejected: stop sending when Courier refused more than this share (``0.1``) or number of the
            users sent so far; checked after each batch once 200 users (or the first batch, when
            smaller) were sent. None: no limit.
        results: for a file, where its results are written (see ``submit_file``); not for a frame.

    Returns:
        A :class:`~bulkprep.results.SubmitResult`: the rows with ``bulk_status`` (accepted, rejected,
        failed, or their prepare status), the error table, the job. When no row is ready and the job
        would be created, nothing is sent and no job is made (``job_id`` is None). When the wait timed
        out, ``left_to_do`` says so.

    Raises:
        ConfigurationError: missing or contradictory options, or no API key.
        JournalError: the journal cannot be used (in use by another run, damaged, unwritable, or of
            other input), or could not be written while sending.
        AuthenticationError: Courier refused the key (401); nothing more was sent.
        AuthorizationError: the key may not use the Bulk API (403); nothing more was sent.
        CourierError: running the job or reading its users failed (after retries).
        GuardError: ``max_invalid`` refused the file (nothing sent, ``exc.result`` holds the prepared
            rows and ``exc.result.guard`` the decision), or ``max_rejected`` stopped sending.
        ProtocolError: creating, running or reading the job got an answer that is not Courier's (a
            batch whose answer is not Courier's ends ``failed`` instead).
        SubmitInterrupted: Ctrl-C (a ``KeyboardInterrupt``).

        Every error raised once the job is open carries ``exc.result``: the partial
        :class:`~bulkprep.results.SubmitResult`, every row with the status it earned (accepted rows
        ``accepted``, unsent rows ``failed`` with the reason) and ``left_to_do`` saying how to finish.
    """
    if isinstance(df, str | PathLike) or _is_prepared_file(df):
        from bulkprep.stream.submitting import submit_file  # it builds on this module

        return submit_file(
            df,  # type: ignore[arg-type]  # a path or a PreparedFile, by the test above
            mapping,
            results=results,
            job_id=job_id,
            event=event,
            message=message,
            run=run,
            wait=wait,
            api_key=api_key,
            base_url=base_url,
            journal=journal,
            batch_size=batch_size,
            max_batch_bytes=max_batch_bytes,
            concurrency=concurrency,
            dry_run=dry_run,
            progress=progress,
            client=client,
            sleep=sleep,
            retry=retry,
            proxy=proxy,
            request_deadline=request_deadline,
            max_invalid=max_invalid,
            max_rejected=max_rejected,
            region=region,
        )
    if results is not None:
        raise ConfigurationError(
            "results=... names the results file of a file submitted a chunk at a time; a frame's "
            "result holds its rows: write them with result.to_csv(path)"
        )
    key = _ApiKey.given(api_key)
    del api_key  # only the masked key object holds it from here (tracebacks show local variables)
    definition = job_definition(job_id=job_id, event=event, message=message)
    _check_options(
        run=run, wait=wait, concurrency=concurrency, wait_timeout=wait_timeout, poll_interval=poll_interval
    )
    policy = _retry_policy(retry, client)
    if client is not None and request_deadline is not None:
        raise ConfigurationError(
            "request_deadline=... and client=... both given: build the client with "
            "CourierClient(..., request_deadline=...), or leave out the client"
        )
    max_invalid = check_limit(max_invalid, "max_invalid")
    max_rejected = check_limit(max_rejected, "max_rejected")
    frame, prepare_errors = _prepared_frame(cast("pd.DataFrame | Prepared", df), mapping, region=region)
    guard = None if max_invalid is None else check_invalid(frame, prepare_errors, max_invalid)
    ready, users = _ready(frame)
    batches = cut_batches(users, max_users=batch_size, max_bytes=max_batch_bytes)
    if dry_run:
        return _dry_run(definition, batches, frame, ready, prepare_errors, guard)
    if guard is not None and not guard.passed:
        refused = _result(frame, prepare_errors, Outcomes(), job_id=None, job=None, guard=guard)
        raise GuardError(f"nothing was sent and no job was created: {guard.explain()}", refused)
    if users.empty and "message" in definition:
        # Nothing to send: a job created now would stay empty forever.
        return _result(frame, prepare_errors, Outcomes(), job_id=None, job=None, guard=guard)
    after = _AfterSending(run, wait, sleep, wait_timeout, poll_interval, progress)
    with ExitStack() as stack:
        bar = stack.enter_context(Progress(total_rows=len(users), enabled=progress))
        if client is None:
            client = stack.enter_context(
                CourierClient(
                    key.reveal() if key is not None else None,
                    base_url,
                    sleep=sleep,
                    on_retry=bar.retried,
                    pool_maxsize=max(concurrency, DEFAULT_OUTCOME_WORKERS),  # senders, then outcome readers
                    retry=policy,
                    proxy=proxy,
                    request_deadline=(
                        request_deadline if request_deadline is not None else DEFAULT_REQUEST_DEADLINE
                    ),
                )
            )
        book = None
        if journal is not None:
            book = stack.enter_context(Journal.open(journal))
        job_id, resumed = _open_job(client=client, journal=book, definition=definition, batches=batches)
        work = _work(book, users, batches)
        bar.total_batches = len(work)
        sender = BatchSender(
            client=client,
            job_id=job_id,
            users=users,
            policy=policy,
            journal=book,
            progress=bar,
            next_number=max((item.batch.number for item in work), default=0) + 1,
            max_rejected=max_rejected,
            job_users=None if "job_id" in definition else len(users),
        )
        step = _Step(job_id, None if book is None else book.path)
        try:
            try:
                outcomes = sender.run(work, concurrency=concurrency)
            finally:
                bar.close()
            # A resumed job, or one the caller made, may have run already.
            unknown_state = resumed or "job_id" in definition
            job = _run_and_wait(
                client,
                book,
                frame,
                outcomes,
                after,
                step,
                unknown_state=unknown_state,
                in_doubt=sender.in_doubt,
            )
        except KeyboardInterrupt:
            with held_interrupts():
                stopped = _stopped_result(frame, prepare_errors, sender, work, step, None)
            raise SubmitInterrupted(stopped.left_to_do or "interrupted", stopped) from None
        except BulkprepError as exc:
            exc.result = _stopped_result(frame, prepare_errors, sender, work, step, exc)
            exc.result.guard = guard
            exc.add_note(f"bulkprep: {exc.result.left_to_do}")
            raise
        left_to_do = step.left_at_the_end(
            job,
            run=after.run,
            wait_timeout=after.timeout if after.wait else None,
            failed=len(outcomes.rows_with(RowStatus.FAILED)),
        )
        return _result(
            frame, prepare_errors, outcomes, job_id=job_id, job=job, left_to_do=left_to_do, guard=guard
        )


def _is_prepared_file(value: object) -> bool:
    """Whether ``value`` is a :class:`~bulkprep.stream.PreparedFile` (imported only when asked)."""
    from bulkprep.stream.prepared import PreparedFile

    return isinstance(value, PreparedFile)


def _work(journal: Journal | None, users: pd.Series, batches: list[Batch]) -> list[WorkItem]:
    """The batches to work through; a journal whose job has run takes no new rows, and says so."""
    if journal is None:
        return [WorkItem(b) for b in batches]
    try:
        return work_from_journal(journal, users, batches)
    except JournalError as exc:
        entry = journal.job()
        if entry is None or not entry.run_requested:
            raise
        raise JournalError(
            f"the job of journal {journal.path} ({entry.job_id}) has already run, and a job that ran "
            "takes no more users; to send these rows, start a new job: submit them with a new journal "
            "file (--journal NEW_FILE) or none"
        ) from exc


class _Step:
    """Where a submission stands once its job is open, to say what is left when it stops short."""

    SENDING = "sending"
    RUNNING = "running"
    WAITING = "waiting"
    READING = "reading"

    def __init__(self, job_id: str, journal: Path | None) -> None:
        self.job_id = job_id
        self.journal = journal
        self.now = _Step.SENDING
        self.job: Job | None = None
        self.runs = False  # whether the job was run (now or before), so that waiting for it means something

    def again(self, goal: str) -> str:
        """How to finish: with a journal, the same run again; without, what to do by hand."""
        if self.journal is not None:
            return f"to {goal}, run the same submission again with the journal {self.journal}"
        if self.now == _Step.SENDING:
            return (
                f"to {goal}, submit the failed rows again (add them to this job with --job {self.job_id} "
                "/ job_id=..., or to a new one); with a journal (--journal FILE), running the same "
                "command again would resume by itself"
            )
        return (
            f"to {goal}, look at job {self.job_id} later (GET /bulk/{self.job_id}); with a journal "
            "(--journal FILE), running the same command again would resume by itself"
        )

    def resend_and_run(self) -> str:
        """How to finish a job that was not run because batches are in doubt (:class:`RunWithheld`)."""
        if self.journal is not None:
            return (
                f"to finish, run the same command again with the same journal {self.journal}: it resends "
                "the batches in doubt under the same idempotency keys, then runs the job"
            )
        return (
            f"to finish, submit the same rows again to job {self.job_id} and run it (--job {self.job_id} "
            f"--run / job_id={self.job_id!r}, run=True): each batch goes again under the same idempotency "
            "key, so Courier takes no user twice, then the job runs; do not send them to a new job"
        )

    def left_to_do(self, accepted: int, unsent: int, exc: BaseException | None) -> str:
        """What happened and what is left, for ``SubmitResult.left_to_do``."""
        what = "was interrupted" if exc is None else f"stopped: {exc}"
        if isinstance(exc, RunWithheld):
            return f"{exc}; {accepted} row(s) accepted, {unsent} failed; {self.resend_and_run()}"
        if self.now == _Step.SENDING:
            return (
                f"sending to job {self.job_id} {what}; {accepted} row(s) accepted, {unsent} not sent "
                f"(failed); {self.again('send the rest')}"
            )
        if self.now == _Step.RUNNING:
            return (
                f"the users are in job {self.job_id}, but running it {what}; "
                f"{self.again('run the job (nothing is sent twice)')}"
            )
        doing = "waiting for it" if self.now == _Step.WAITING else "reading its users' delivery states"
        return (
            f"job {self.job_id} runs, but {doing} {what}; the delivery states are not known; "
            f"{self.again('wait for the job and read them')}"
        )

    def left_at_the_end(
        self, job: Job | None, *, run: bool, wait_timeout: float | None, failed: int
    ) -> str | None:
        """What is left once a submission ran to its end (None when nothing is): a job asked to run
        but not run, as no user reached it, while ``failed`` rows could not be sent; or a wait (of
        ``wait_timeout`` seconds) that ended before the job did."""
        if run and not self.runs and failed:
            self.now = _Step.SENDING
            return (
                f"job {self.job_id} was not run: no user reached it ({failed} row(s) failed to send, "
                f"and Courier did not take them); {self.again('send them and run the job')}"
            )
        if wait_timeout is not None and self.runs and job is not None:
            return self.timed_out(job, wait_timeout)
        return None

    def timed_out(self, job: Job, timeout: float) -> str | None:
        """What is left after a wait that ended before the job did (None when the job is done)."""
        if job.status.done:
            return None
        self.now = _Step.WAITING
        return (
            f"job {self.job_id} was still {job.status.value} after waiting {timeout:g} s; the delivery "
            f"states are not known yet; {self.again('wait again and read them')}"
        )


def _stopped_result(
    frame: pd.DataFrame,
    prepare_errors: pd.DataFrame,
    sender: BatchSender,
    work: list[WorkItem],
    step: _Step,
    exc: BulkprepError | None,
) -> SubmitResult:
    """The result of a submission that stopped short: every row settled, and what is left to do."""
    not_sent, in_flight = _unsent_reasons(step, exc)
    unsent = sender.settle_unsent(work, not_sent=not_sent, in_flight=in_flight)
    outcomes = sender.outcomes
    # A job not run for batches in doubt sent every batch: its failed rows are the ones to say.
    failed = len(outcomes.rows_with(RowStatus.FAILED)) if isinstance(exc, RunWithheld) else len(unsent)
    left = step.left_to_do(len(outcomes.rows_with(RowStatus.ACCEPTED)), failed, exc)
    return _result(frame, prepare_errors, outcomes, job_id=step.job_id, job=step.job, left_to_do=left)


def _unsent_reasons(step: _Step, exc: BaseException | None) -> tuple[str, str]:
    """Why a row was not sent, and why a row whose batch was in flight is unknown, once sending stopped."""
    why = "interrupted" if exc is None else f"sending stopped ({exc})"
    again = step.again("send it")
    return (
        f"not sent: {why}; {again}",
        f"{why} while its batch was in flight: whether Courier took it is not known; {again} "
        "(it goes again under the same idempotency key)",
    )


def _dry_run(
    definition: dict[str, Any],
    batches: list[Batch],
    frame: pd.DataFrame,
    ready: pd.Series,
    prepare_errors: pd.DataFrame,
    guard: GuardDecision | None,
) -> SubmitResult:
    table = pd.DataFrame(
        {
            "batch": [b.number for b in batches],
            "users": [b.users for b in batches],
            "bytes": [b.nbytes for b in batches],
            "first_rows": [list(b.rows[:_PREVIEW_ROWS]) for b in batches],
        }
    )
    payloads = batches[0].payload_users()[:_PREVIEW_USERS] if batches else []
    skipped_columns = [ROW_KEY, Column.STATUS.value, Column.ERROR.value]
    skipped = frame.loc[~ready.to_numpy(), skipped_columns].reset_index(drop=True)
    plan = SubmitPlan(job=definition, batches=table, payloads=payloads, skipped=skipped)
    planned = {row: b.number for b in batches for row in b.rows}
    result_df = result_frame(frame, Outcomes(), planned)
    return SubmitResult(
        result_df,
        errors=prepare_errors,
        job_id=definition.get("job_id"),
        plan=plan,
        input_columns=input_columns(result_df),
        guard=guard,
    )


def _open_job(
    *, client: CourierClient, journal: Journal | None, definition: dict[str, Any], batches: Iterable[_Hashed]
) -> tuple[str, bool]:
    """The job to send to (created, given, or taken from the journal), and whether it was resumed."""
    definition_hash = _definition_hash(definition)
    entry = journal.job() if journal is not None else None
    if entry is not None:
        if entry.definition_hash != definition_hash:
            raise JournalError(
                f"the journal belongs to another job definition (job {entry.job_id}); pass the same "
                "event/message/job_id as the interrupted run, or use a new journal file"
            )
        if entry.base_url.rstrip("/") != client.base_url.rstrip("/"):
            raise JournalError(
                f"the journal's job {entry.job_id} lives on {entry.base_url}, not {client.base_url}; "
                "pass the same base URL, or use a new journal file"
            )
        return entry.job_id, True
    if "job_id" in definition:
        job_id = str(definition["job_id"])
        _refuse_a_job_that_ran(client, job_id)
    else:
        run_id = journal.run_id if journal is not None else uuid.uuid4().hex
        job_id = client.create_job(
            definition["message"], idempotency_key=_job_key(definition_hash, batches, run_id)
        )
    if journal is not None:
        journal.set_job(job_id, base_url=client.base_url, definition_hash=definition_hash)
    return job_id, False


def _refuse_a_job_that_ran(client: CourierClient, job_id: str) -> None:
    """Refuse, before anything is sent, to add users to a job that has run (Courier would refuse each).

    A job that cannot be read (a refused key, an unknown job) is left to the sending, whose answers
    say what is wrong batch by batch, as they would without this look.
    """
    try:
        status = client.get_job(job_id).status
    except CourierError:
        return
    if status is not JobStatus.CREATED:
        raise ConfigurationError(
            f"job {job_id} has already run (it is {status.value}), and a job that ran takes no more "
            "users; nothing was sent. To send these rows, start a new job: pass event=... instead of "
            "job_id=... (on the command line, --event EVENT instead of --job)"
        )


def _run_and_wait(
    client: CourierClient,
    journal: Journal | None,
    frame: pd.DataFrame,
    outcomes: Outcomes,
    after: _AfterSending,
    step: _Step,
    *,
    unknown_state: bool,
    in_doubt: Collection[int],
) -> Job | None:
    """Run the job and wait for it when asked; each accepted row's delivery goes into ``outcomes``.

    ``step`` follows along, so that a failure says which part did not happen. A job is not run while
    a batch of ``in_doubt`` is (:func:`~bulkprep.delivery.run_withheld`).
    """
    runs = False
    if after.run:
        step.now = _Step.RUNNING
        any_accepted = bool(outcomes.rows_with(RowStatus.ACCEPTED))
        step.job, runs = run_job(
            client,
            step.job_id,
            journal=journal,
            any_accepted=any_accepted,
            unknown_state=unknown_state,
            in_doubt=in_doubt,
            until=wait_until(after.timeout) if after.wait else None,
        )
        step.runs = runs
    if after.wait and runs:
        step.now = _Step.WAITING
        step.job = wait_for_job(
            client,
            step.job_id,
            sleep=after.sleep,
            timeout=after.timeout,
            interval=after.interval,
            progress=after.progress,
            seen=step.job,
        )
        if step.job.status.done:
            step.now = _Step.READING
            users = accepted_users(frame, outcomes)
            # Reading the users is bounded as the wait is: a listing that never ends stops.
            outcomes.delivery.update(delivery_states(client, step.job_id, users, within=after.timeout))
            sent = {row: mid for row, (_, mid) in outcomes.delivery.items() if mid}
            outcomes.outcome.update(unlisted(users.index.tolist(), outcomes.delivery))
            outcomes.outcome.update(message_outcomes(client, sent, progress=after.progress))
    return step.job


def _result(
    frame: pd.DataFrame,
    prepare_errors: pd.DataFrame,
    outcomes: Outcomes,
    *,
    job_id: str | None,
    job: Job | None,
    left_to_do: str | None = None,
    guard: GuardDecision | None = None,
) -> SubmitResult:
    ingest = errors_from_records(outcomes.errors)
    delivery = delivery_problems(outcomes.delivery, outcomes.outcome)
    result_df = with_problem_text(result_frame(frame, outcomes), delivery)
    result = SubmitResult(
        result_df,
        errors=concat_errors([prepare_errors, ingest, delivery]),
        unmatched_errors=pd.DataFrame(outcomes.unmatched, columns=list(UNMATCHED_COLUMNS)),
        job_id=job_id,
        job=None if job is None else job.model_dump(mode="json", exclude_unset=True),
        input_columns=input_columns(result_df),
        left_to_do=left_to_do,
        guard=guard,
    )
    result.attempts.append(Attempt.of(result))
    return result


__getattr__ = moved_names(
    __name__,
    {
        "BISECT_MAX_USERS": Moved(
            RetryPolicy().bisect_max_users, "submit(..., retry=RetryPolicy(bisect_max_users=...))"
        )
    },
)
