"""Send a :class:`~bulkprep.stream.PreparedFile` to a Courier bulk job at flat memory.

:func:`submit_file` is :func:`bulkprep.submit` for a file of any size: the same batches (numbers,
rows, bodies), the same statuses and errors row by row, written to a results file as they come.
Three passes over the prepared chunks on disk, none holding more than a chunk and one batch:

1. **plan**: the ready rows of each chunk in file order are cut into batches by
   :class:`~bulkprep.stream.batches.BatchCutter` (the last partial batch of a chunk carried over);
   of each batch only its number, size, first rows and content hash are kept (a few hundred bytes a
   batch): the job's idempotency key, the dry run's plan and the batch of every unsent row come
   from it.
2. **send** (not for a dry run): the chunks are cut again, and each stretch of batches a chunk closes
   is sent by a :class:`~bulkprep.sending.BatchSender` of its own, recorded in the journal before it
   is sent (a resumed run finds the stretch's batches there and settles or resends them, reading the
   journal a stretch of rows at a time). Halves of a batch Courier found too large are numbered after
   the plan's last batch, as in memory.
3. **write**: a chunk whose ready rows are all settled is written to the results (and its errors to
   the error file) and forgotten. With ``wait=True`` it is kept in the work folder instead until the
   job ran: the job's users are then tied to the accepted rows on disk
   (:class:`~bulkprep.stream.delivery.DeliveryStore`), their messages' outcomes read, and each
   chunk written with its delivery, as the in-memory wait gives it.

Whatever stops a send once the job is open (Ctrl-C, a refused key, a guard, a journal that cannot be
written), the rows of the batches in flight are settled as in memory, every later ready row ``failed``
with the reason and its planned batch, and the results file holds every row before the error is raised
with ``exc.result``. Differences from the in-memory path: ``max_rejected`` is checked after each
stretch of batches rather than each batch; the error table file holds the same records grouped by
chunk.

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "users.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("Email\\na@example.com\\nnot-an-email\\nb@example.com\\n")
    >>> with prepare_file(path, {"profile": {"email": "Email"}}) as prepared:
    ...     result = submit_file(prepared, event="WELCOME", dry_run=True, progress=False)
    >>> result.summary["ready"], result.summary["invalid"], result.plan.batches["users"].tolist()
    (2, 1, [2])
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bulkprep import guard as _guard
from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS, Batch
from bulkprep.client import DEFAULT_REQUEST_DEADLINE, CourierClient, _ApiKey
from bulkprep.courier import Job
from bulkprep.delivery import (
    DEFAULT_OUTCOME_WORKERS,
    DEFAULT_POLL_INTERVAL,
    delivery_problems,
    outcome_unread,
    run_job,
    undelivered,
    wait_for_job,
    wait_until,
    with_problem_text,
)
from bulkprep.errors import BulkprepError, ConfigurationError, GuardError, JournalError, SubmitInterrupted
from bulkprep.guard import GuardDecision, Limit, check_limit, rejection_stop
from bulkprep.interrupts import held_interrupts
from bulkprep.journal import Journal
from bulkprep.progress import progress_bar
from bulkprep.report import (
    ErrorCode,
    concat_errors,
    delivery_counts,
    empty_errors,
    errors_from_records,
    top_problems,
)
from bulkprep.results import UNMATCHED_COLUMNS, Attempt, SubmitPlan
from bulkprep.retry import RetryPolicy
from bulkprep.sending import (
    BatchSender,
    Outcomes,
    Progress,
    WorkItem,
    _batch_from_rows,
    accepted_users,
    result_frame,
)
from bulkprep.status import ROW_KEY, Column, RowStatus
from bulkprep.stream import spill
from bulkprep.stream.batches import BatchCutter, Window, ready_users
from bulkprep.stream.delivery import DeliveryStore
from bulkprep.stream.output import ResultsWriter, results_writer
from bulkprep.stream.prepared import (
    DEFAULT_CHUNK_ROWS,
    PreparedFile,
    _summary_part,
    prepare_file,
)
from bulkprep.stream.result import PREVIEW_ROWS, StreamedSubmitResult
from bulkprep.submit import (
    _AfterSending,
    _check_options,
    _open_job,
    _retry_policy,
    _Step,
    _unsent_reasons,
    job_definition,
)

__all__ = ["BatchPlan", "PlannedBatch", "plan_batches", "submit_file"]

_PREVIEW_USERS = 3
_PREVIEW_FIRST_ROWS = 5


# ------------------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class PlannedBatch:
    """What the plan keeps of one batch: not its body."""

    number: int
    users: int
    nbytes: int
    first_rows: tuple[int, ...]  # its first few row keys
    content_hash: str


@dataclass
class BatchPlan:
    """Every batch of a prepared file, in order, and the first users as they would go out."""

    batches: list[PlannedBatch] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def users(self) -> int:
        """The ready rows of the file."""
        return sum(batch.users for batch in self.batches)

    def table(self) -> pd.DataFrame:
        """One row per batch: ``batch``, ``users``, ``bytes``, ``first_rows`` (as a dry run's plan)."""
        return pd.DataFrame(
            {
                "batch": [b.number for b in self.batches],
                "users": [b.users for b in self.batches],
                "bytes": [b.nbytes for b in self.batches],
                "first_rows": [list(b.first_rows) for b in self.batches],
            }
        )

    def batch_of(self, rows: np.ndarray) -> np.ndarray:
        """The planned batch of each ready row (batches hold consecutive ready rows, in file order)."""
        firsts = np.fromiter((b.first_rows[0] for b in self.batches), dtype=np.int64, count=len(self.batches))
        numbers = np.fromiter((b.number for b in self.batches), dtype=np.int64, count=len(self.batches))
        return numbers[np.searchsorted(firsts, rows, side="right") - 1]

    def record(self, batches: list[Batch]) -> None:
        """Keep what the plan needs of ``batches``."""
        if batches and not self.batches:
            self.payloads = batches[0].payload_users()[:_PREVIEW_USERS]
        self.batches.extend(
            PlannedBatch(b.number, b.users, b.nbytes, b.rows[:_PREVIEW_FIRST_ROWS], b.content_hash)
            for b in batches
        )


def plan_batches(
    prepared: PreparedFile,
    *,
    max_users: int = DEFAULT_MAX_BATCH_USERS,
    max_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    progress: bool = False,
) -> BatchPlan:
    """Cut the ready rows of ``prepared`` into batches, chunk by chunk, keeping only what a plan needs.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "u.csv")
        >>> with open(path, "w") as f:
        ...     _ = f.write("Email\\na@example.com\\nb@example.com\\nc@example.com\\n")
        >>> with prepare_file(path, {"profile": {"email": "Email"}}, chunk_rows=1) as prepared:
        ...     plan = plan_batches(prepared, max_users=2)
        >>> [(b.number, b.users, b.first_rows) for b in plan.batches]
        [(1, 2, (2, 3)), (2, 1, (4,))]
    """
    cutter = BatchCutter(max_users=max_users, max_bytes=max_bytes)
    plan = BatchPlan()
    ready = prepared.summary.get(RowStatus.READY.value, 0)
    with progress_bar(total=ready, unit="user", desc="planning batches", enabled=progress) as bar:
        for frame in prepared.frames():
            users = ready_users(frame)
            plan.record(cutter.add(users).batches)
            bar.update(len(users))
        plan.record(cutter.finish().batches)
    return plan


# ---------------------------------------------------------------------------------------- the public call


def submit_file(
    source: PreparedFile | str | PathLike[str],
    mapping: Any = None,
    *,
    results: str | PathLike[str] | None = None,
    errors: str | PathLike[str] | None = None,
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
    progress: bool = True,
    client: CourierClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
    retry: RetryPolicy | None = None,
    proxy: str | None = None,
    request_deadline: float | None = None,
    max_invalid: Limit | None = None,
    max_rejected: Limit | None = None,
    region: str | None = "US",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    wait_timeout: float = 600.0,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    **prepare_options: Any,
) -> StreamedSubmitResult:
    """Send the ready rows of a prepared file (or of a CSV file, prepared here) at flat memory.

    Args:
        source: a :class:`~bulkprep.stream.PreparedFile`, or a CSV file to prepare with ``mapping``
            (by :func:`~bulkprep.stream.prepare_file`, with ``region``, ``chunk_rows`` and
            ``prepare_options``: ``region_column``, ``keep``, ``keys``, ``require_email``,
            ``encoding``, ``sep``, ``header_line``).
        results: where to write every row with its outcome (``.parquet`` / ``.pq``: Parquet); by
            default ``<input>.submitted.csv`` (``<input>.planned.csv`` for a dry run) beside the input.
        errors: where to write the whole error table as CSV (by default it is not written: the result
            keeps what its summary reads).
        job_id, event, message, run, api_key, base_url, journal, batch_size, max_batch_bytes,
        concurrency, dry_run, progress, client, sleep, retry, proxy, request_deadline, max_invalid,
        max_rejected, wait, wait_timeout, poll_interval: as for :func:`bulkprep.submit`; with ``wait``,
            the rows are written once the delivery is read (kept in the work folder until then).

    Returns:
        A :class:`~bulkprep.stream.result.StreamedSubmitResult`.

    Raises:
        ConfigurationError, JournalError, GuardError, CourierError, SubmitInterrupted: as
            :func:`bulkprep.submit` raises them; once the job is open, ``exc.result`` is the streamed
            result, its results file holding every row.
    """
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
    limits = (check_limit(max_invalid, "max_invalid"), check_limit(max_rejected, "max_rejected"))
    with ExitStack() as stack:
        if isinstance(source, PreparedFile):
            if mapping is not None or prepare_options:
                raise ConfigurationError("the input is already prepared: leave out the mapping")
            prepared = source
        else:
            if mapping is None:
                raise ConfigurationError(f"{source} is not prepared: pass its mapping, submit(path, mapping)")
            prepared = stack.enter_context(
                prepare_file(
                    source,
                    mapping,
                    region=region,
                    chunk_rows=chunk_rows,
                    progress=progress,
                    **prepare_options,
                )
            )
        where = Path(results) if results is not None else _default_results(prepared.source, dry_run)
        plan = plan_batches(prepared, max_users=batch_size, max_bytes=max_batch_bytes, progress=progress)
        guard = None if limits[0] is None else _invalid_guard(prepared, limits[0])
        streamed = _Streamed(prepared, plan, where, None if errors is None else Path(errors), progress)
        if dry_run:
            return streamed.dry_run(definition, guard)
        if guard is not None and not guard.passed:
            refused = streamed.unsent(guard=guard)
            raise GuardError(f"nothing was sent and no job was created: {guard.explain()}", refused)
        if not plan.batches and "message" in definition:
            return streamed.unsent(guard=guard)  # a job created now would stay empty forever
        bar = stack.enter_context(Progress(total_rows=plan.users, enabled=progress))
        if client is None:
            client = stack.enter_context(
                CourierClient(
                    key.reveal() if key is not None else None,
                    base_url,
                    sleep=sleep,
                    on_retry=bar.retried,
                    pool_maxsize=max(concurrency, DEFAULT_OUTCOME_WORKERS),
                    retry=policy,
                    proxy=proxy,
                    request_deadline=(
                        request_deadline if request_deadline is not None else DEFAULT_REQUEST_DEADLINE
                    ),
                )
            )
        book = stack.enter_context(Journal.open(journal)) if journal is not None else None
        job, resumed = _open_job(client=client, journal=book, definition=definition, batches=plan.batches)
        bar.total_batches = len(plan.batches)
        sending = _Sending(
            client=client,
            job_id=job,
            journal=book,
            policy=policy,
            bar=bar,
            concurrency=concurrency,
            max_rejected=limits[1],
            step=_Step(job, None if book is None else book.path),
            next_number=max(len(plan.batches), book.largest_number() if book is not None else 0) + 1,
            job_users=None if "job_id" in definition else plan.users,
        )
        if wait:
            streamed.defer(_AfterSending(run, wait, sleep, wait_timeout, poll_interval, progress))
        return streamed.send(
            sending,
            guard=guard,
            run=run,
            unknown_state=resumed or "job_id" in definition,
            cutter=BatchCutter(max_users=batch_size, max_bytes=max_batch_bytes),
        )
    raise AssertionError("unreachable")  # the ExitStack swallows no exception


def _default_results(source: Path, dry_run: bool) -> Path:
    return source.with_name(f"{source.stem}.{'planned' if dry_run else 'submitted'}.csv")


def _invalid_guard(prepared: PreparedFile, limit: Limit) -> GuardDecision:
    """``max_invalid`` applied to the file's counts (what :func:`bulkprep.guard.check_invalid` does)."""
    bad = sum(prepared.summary.get(status, 0) for status in _guard._NOT_SENDABLE)
    errors = prepared.summary_errors
    top = top_problems(errors, limit=_guard._TOP) if len(errors) else pd.DataFrame(columns=["code", "rows"])
    return GuardDecision(
        limit,
        bad=bad,
        total=prepared.rows,
        allowed=_guard._allowed(limit, prepared.rows),
        top=tuple((str(code), int(rows)) for code, rows in zip(top["code"], top["rows"], strict=True)),
    )


# ------------------------------------------------------------------------------------------- the sending


@dataclass
class _Sending:
    """What sends the stretches of batches: the client, the journal, and where the numbers stand."""

    client: CourierClient
    job_id: str
    journal: Journal | None
    policy: RetryPolicy
    bar: Progress
    concurrency: int
    max_rejected: Limit | None
    step: _Step
    next_number: int
    job_users: int | None = None  # the most users the job can hold (see BatchSender)
    sender: BatchSender | None = None  # the stretch in flight
    work: list[WorkItem] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    checked_after: int | None = None
    in_doubt: set[int] = field(default_factory=set)  # batches whose answer was lost: the job waits

    def work_of(self, window: Window) -> list[WorkItem]:
        """The stretch's batches to work through; with a journal, as it records them (or records them).

        A batch the journal holds comes back with its state and answer (or as the halves it was cut
        into); a batch it does not hold is recorded now, before it is sent.

        Raises:
            JournalError: when the input no longer matches what the journal recorded.
        """
        if self.journal is None:
            return [WorkItem(batch) for batch in window.batches]
        rows = window.users.index.to_numpy(dtype=np.int64)
        entries = self.journal.batches_between(int(rows.min()), int(rows.max()))
        recorded = {row for entry in entries for row in entry.rows}
        new = [batch for batch in window.batches if not recorded.intersection(batch.rows)]
        if recorded | {row for batch in new for row in batch.rows} != set(rows.tolist()):
            raise JournalError(
                "the input no longer matches the journal: the ready rows differ from the rows it recorded; "
                "submit the same input as the interrupted run, or use a new journal file"
            )
        work = [
            WorkItem(_batch_from_rows(window.users, entry.number, entry.rows), entry.state, entry.answer)
            for entry in entries
        ]
        changed = [
            item.batch.number
            for item, entry in zip(work, entries, strict=True)
            if item.batch.content_hash != entry.content_hash
        ]
        if changed:
            raise JournalError(
                f"the input no longer matches the journal: the content of batch(es) {changed[:5]} changed "
                "(content hashes differ); submit the same input as the interrupted run, or use a new "
                "journal file"
            )
        if new:
            self.journal.add_batches(new)
        return sorted([*work, *(WorkItem(batch) for batch in new)], key=lambda item: item.batch.number)

    def send(self, window: Window, pending: Outcomes, *, more_to_come: bool) -> None:
        """Send one stretch of batches; its rows' outcomes go into ``pending``."""
        if not window.batches:
            return
        self.work = self.work_of(window)
        self.sender = BatchSender(
            client=self.client,
            job_id=self.job_id,
            users=window.users,
            policy=self.policy,
            journal=self.journal,
            progress=self.bar,
            next_number=self.next_number,
            job_users=self.job_users,
        )
        if self.checked_after is None:
            self.checked_after = _guard.rejected_checked_after(self.work[0].batch.users)
        outcomes = self.sender.run(self.work, concurrency=self.concurrency)
        self.take(pending)
        if self.max_rejected is not None and more_to_come:
            reason = rejection_stop(
                self.max_rejected,
                accepted=self.accepted,
                rejected=self.rejected,
                checked_after=self.checked_after,
            )
            if reason is not None:
                raise GuardError(reason)
        del outcomes

    def take(self, pending: Outcomes) -> None:
        """Move the outcomes of the stretch just sent into ``pending``."""
        sender, self.sender = self.sender, None
        if sender is None:
            return
        # The halves of a cut batch took numbers from here on: the next stretch goes on after them.
        self.next_number = max(self.next_number, sender._next_number)
        self.in_doubt |= sender.in_doubt
        found = sender.outcomes
        self.accepted += found.count(RowStatus.ACCEPTED)
        self.rejected += found.count(RowStatus.REJECTED)
        pending.status.update(found.status)
        pending.batch.update(found.batch)
        pending.errors.extend(found.errors)
        pending.unmatched.extend(found.unmatched)

    def stop(self, pending: Outcomes, exc: BaseException | None) -> str:
        """Settle the stretch in flight as the in-memory path does; returns why later rows were not sent."""
        not_sent, in_flight = _unsent_reasons(self.step, exc)
        if self.sender is not None:
            self.sender.settle_unsent(self.work, not_sent=not_sent, in_flight=in_flight)
            self.take(pending)
        return not_sent


# -------------------------------------------------------------------------------------- the results file


def _attempt(result: StreamedSubmitResult) -> Attempt:
    """The attempt a streamed result records, ending now (its rows counted, not held)."""
    counts = {name: count for name, count in result.summary.items() if count}
    return Attempt(
        result.job_id, datetime.now(UTC).isoformat(timespec="seconds"), result.rows, counts, result.left_to_do
    )


class _Streamed:
    """The passes over a prepared file that write its results: a dry run's, or a real send's."""

    def __init__(
        self, prepared: PreparedFile, plan: BatchPlan, results: Path, errors: Path | None, progress: bool
    ) -> None:
        self.prepared = prepared
        self.plan = plan
        self.results = results
        self.errors_path = errors
        self.progress = progress
        self.counts: Counter[str] = Counter()
        self.delivered: dict[str, Counter[str]] = {}  # rows per delivery value, first seen first
        self.unreached = 0  # rows not delivered, or whose message's outcome could not be read
        self.preview: pd.DataFrame | None = None
        self.summary_parts: list[pd.DataFrame] = [prepared.summary_errors]
        self.seen_codes: set[str] = set(prepared.summary_errors["code"].dropna().tolist())
        self.unmatched: list[dict[str, Any]] = []
        self.unmatched_errors: list[dict[str, Any]] = []
        self.input_columns: tuple[str, ...] = ()
        self.after: _AfterSending | None = None  # with wait: what to do once sent, the rows kept till then
        self.deferred: list[Path] = []  # the settled chunks kept until their delivery is read
        self.delivery: DeliveryStore | None = None
        self.unmatched_written = False

    def defer(self, after: _AfterSending) -> None:
        """Keep the settled chunks until the job ran and the delivery is read (``wait``)."""
        self.after = after

    # ---------------------------------------------------------------------------------- the passes

    def _chunks(self) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        return zip(self.prepared.frames(), self.prepared.error_frames(), strict=True)

    def dry_run(self, definition: dict[str, Any], guard: GuardDecision | None) -> StreamedSubmitResult:
        """Write what a dry run shows: each ready row with the batch it would go in."""
        skipped: list[pd.DataFrame] = []
        left = PREVIEW_ROWS
        with self._writers() as (results, errors), self._bar("writing the plan") as bar:
            for frame, chunk_errors in self._chunks():
                ready = frame[Column.STATUS.value].astype("object").to_numpy() == RowStatus.READY.value
                rows = frame[ROW_KEY].to_numpy(dtype=np.int64)
                planned = dict(
                    zip(rows[ready].tolist(), self.plan.batch_of(rows[ready]).tolist(), strict=True)
                )
                self._write(result_frame(frame, Outcomes(), planned), chunk_errors, results, errors)
                if left > 0:
                    columns = [ROW_KEY, Column.STATUS.value, Column.ERROR.value]
                    skipped.append(frame.loc[~ready, columns].head(left))
                    left -= len(skipped[-1])
                bar.update(len(frame))
        table = self.plan.table()
        plan = SubmitPlan(
            job=definition,
            batches=table,
            payloads=self.plan.payloads,
            skipped=pd.concat(skipped, ignore_index=True) if skipped else pd.DataFrame(),
        )
        return self._result(job_id=definition.get("job_id"), plan=plan, guard=guard)

    def unsent(self, *, guard: GuardDecision | None) -> StreamedSubmitResult:
        """The rows with their prepare statuses: nothing was sent, no job was made."""
        with self._writers() as (results, errors), self._bar("writing the results") as bar:
            for frame, chunk_errors in self._chunks():
                out = with_problem_text(result_frame(frame, Outcomes()), empty_errors())
                self._write(out, chunk_errors, results, errors)
                bar.update(len(frame))
        result = self._result(job_id=None, guard=guard)
        result.attempts.append(_attempt(result))
        return result

    def send(
        self,
        sending: _Sending,
        *,
        guard: GuardDecision | None,
        run: bool,
        unknown_state: bool,
        cutter: BatchCutter,
    ) -> StreamedSubmitResult:
        """Send every batch in order, writing each chunk once its rows are settled; then run the job."""
        pending = Outcomes()
        self.unmatched = pending.unmatched  # Courier errors that match no single row: kept to the end
        waiting: list[tuple[pd.DataFrame, pd.DataFrame]] = []
        chunks = self._chunks()
        with self._writers() as (results, errors):
            sent_through: int | None = None

            def flush(through: int | None, *, everything: bool = False) -> None:
                while waiting:
                    frame, chunk_errors = waiting[0]
                    rows = ready_users(frame).index
                    if not everything and len(rows) and (through is None or rows[-1] > through):
                        return
                    waiting.pop(0)
                    self._write_sent(frame, chunk_errors, pending, results, errors)

            try:
                for frame, chunk_errors in chunks:
                    waiting.append((frame, chunk_errors))
                    window = cutter.add(ready_users(frame))
                    sending.send(window, pending, more_to_come=True)
                    sent_through = window.last_row if window.last_row is not None else sent_through
                    flush(sent_through)
                window = cutter.finish()
                sending.send(window, pending, more_to_come=False)
                flush(None, everything=True)
                if self.after is None:
                    self._write_unmatched(pending, errors)
                sending.step.now = _Step.RUNNING if run else sending.step.now
                job = None
                if run:
                    job, sending.step.runs = run_job(
                        sending.client,
                        sending.job_id,
                        journal=sending.journal,
                        any_accepted=sending.accepted > 0 or self.counts[RowStatus.ACCEPTED.value] > 0,
                        unknown_state=unknown_state,
                        in_doubt=sending.in_doubt,
                        until=None if self.after is None else wait_until(self.after.timeout),
                    )
                sending.step.job = job
                job = self._wait(sending, job)
                self._write_deferred(pending, results, errors)
            except KeyboardInterrupt:
                with held_interrupts():
                    stopped = self._stopped(sending, pending, waiting, chunks, results, errors, None)
                raise SubmitInterrupted(stopped.left_to_do or "interrupted", stopped) from None
            except BulkprepError as exc:
                stopped = self._stopped(sending, pending, waiting, chunks, results, errors, exc)
                stopped.guard = guard
                exc.result = stopped
                exc.add_note(f"bulkprep: {stopped.left_to_do}")
                raise
            finally:
                sending.bar.close()
        left_to_do = sending.step.left_at_the_end(
            job,
            run=run,
            wait_timeout=None if self.after is None else self.after.timeout,
            failed=self.counts[RowStatus.FAILED.value],
        )
        result = self._result(
            job_id=sending.job_id,
            job=None if job is None else job.model_dump(mode="json", exclude_unset=True),
            guard=guard,
            left_to_do=left_to_do,
        )
        result.attempts.append(_attempt(result))
        return result

    def _stopped(
        self,
        sending: _Sending,
        pending: Outcomes,
        waiting: list[tuple[pd.DataFrame, pd.DataFrame]],
        chunks: Iterator[tuple[pd.DataFrame, pd.DataFrame]],
        results: ResultsWriter,
        errors: ResultsWriter | None,
        exc: BulkprepError | None,
    ) -> StreamedSubmitResult:
        """Every row settled and written after a stop: the rows not sent ``failed``, with the reason."""
        step = sending.step
        if step.now == _Step.SENDING:
            not_sent = sending.stop(pending, exc)
            for frame, chunk_errors in chain(list(waiting), chunks):
                users = ready_users(frame)
                rows = users.index.to_numpy(dtype=np.int64)
                left = rows[
                    ~np.isin(rows, np.fromiter(pending.status, dtype=np.int64, count=len(pending.status)))
                ]
                if len(left):
                    for row, number in zip(left.tolist(), self.plan.batch_of(left).tolist(), strict=True):
                        pending.status[row] = RowStatus.FAILED
                        pending.batch[row] = number
                    pending.errors.extend(
                        {
                            ROW_KEY: row,
                            "stage": "ingest",
                            "code": ErrorCode.SEND_FAILED.value,
                            "message": not_sent,
                            "value": None,
                        }
                        for row in left.tolist()
                    )
                self._write_sent(frame, chunk_errors, pending, results, errors)
            waiting.clear()
            if self.after is None:
                self._write_unmatched(pending, errors)
        self._write_deferred(pending, results, errors)
        unsent = self.counts[RowStatus.FAILED.value]
        accepted = self.counts[RowStatus.ACCEPTED.value]
        left_to_do = step.left_to_do(accepted, unsent, exc)
        job = None if step.job is None else step.job.model_dump(mode="json", exclude_unset=True)
        return self._result(job_id=sending.job_id, job=job, left_to_do=left_to_do)

    # ---------------------------------------------------------------------------------- writing

    def _writers(self) -> _Writers:
        return _Writers(self)

    def _bar(self, desc: str) -> Any:
        return progress_bar(total=self.prepared.rows, unit="row", desc=desc, enabled=self.progress)

    def _write_sent(
        self,
        frame: pd.DataFrame,
        chunk_errors: pd.DataFrame,
        pending: Outcomes,
        results: ResultsWriter,
        errors: ResultsWriter | None,
    ) -> None:
        """Write a chunk whose rows are settled, and forget their outcomes."""
        rows = set(frame[ROW_KEY].astype("int64").tolist())
        mine = Outcomes(
            status={row: pending.status.pop(row) for row in rows if row in pending.status},
            batch={row: pending.batch.pop(row) for row in rows if row in pending.batch},
            errors=[e for e in pending.errors if e[ROW_KEY] in rows],
        )
        # Errors that belong to no single row, and those of later chunks, stay until the end.
        kept = [e for e in pending.errors if e[ROW_KEY] not in rows]
        pending.errors.clear()
        pending.errors.extend(kept)
        if self.after is not None:  # written once the delivery is read
            name = f"settled-{len(self.deferred):05d}.pkl"
            kept_outcomes = (mine.status, mine.batch, mine.errors)  # not the Outcomes: it holds a lock
            settled = (frame, chunk_errors, kept_outcomes)
            self.deferred.append(spill.dump(settled, self.prepared.workdir / name))
            return
        self._write_settled(frame, chunk_errors, mine, results, errors)

    def _write_settled(
        self,
        frame: pd.DataFrame,
        chunk_errors: pd.DataFrame,
        mine: Outcomes,
        results: ResultsWriter,
        errors: ResultsWriter | None,
    ) -> None:
        """Write a settled chunk, its delivery problems (when read) after its rows' own, as in memory."""
        ingest = errors_from_records(mine.errors)
        delivery = delivery_problems(mine.delivery, mine.outcome)
        out = with_problem_text(result_frame(frame, mine), delivery)
        problems = concat_errors([chunk_errors, ingest, delivery])
        self._write(out, problems, results, errors, ingest=concat_errors([ingest, delivery]))

    def _wait(self, sending: _Sending, job: Job | None) -> Job | None:
        """With ``wait``: wait for the job that runs, then read every sent row's delivery (on disk)."""
        after, step = self.after, sending.step
        if after is None or not step.runs:
            return job
        sending.bar.close()  # the sending is done: the wait draws its own bar
        step.now = _Step.WAITING
        step.job = job = wait_for_job(
            sending.client,
            sending.job_id,
            sleep=after.sleep,
            timeout=after.timeout,
            interval=after.interval,
            progress=after.progress,
            seen=job,
        )
        if not job.status.done:
            return job
        step.now = _Step.READING
        self.delivery = store = DeliveryStore(self.prepared.workdir)
        for path in self.deferred:
            frame, _, mine = _settled(path)
            store.add_rows(accepted_users(frame, mine))
        store.read_users(sending.client, sending.job_id, within=after.timeout)
        store.read_outcomes(sending.client, progress=after.progress)
        return job

    def _write_deferred(
        self, pending: Outcomes, results: ResultsWriter, errors: ResultsWriter | None
    ) -> None:
        """Write the chunks kept for their delivery (with it, when it was read), then the unmatched errors."""
        if self.after is None:
            return
        store, self.delivery = self.delivery, None
        for path in self.deferred:
            frame, chunk_errors, mine = _settled(path)
            path.unlink()
            if store is not None and len(frame):
                rows = frame[ROW_KEY].to_numpy(dtype=np.int64)
                low, high = int(rows.min()), int(rows.max())
                mine.delivery, mine.outcome = store.states(low, high), store.outcomes(low, high)
            self._write_settled(frame, chunk_errors, mine, results, errors)
        self.deferred.clear()
        if store is not None:
            store.close()
        if not self.unmatched_written:
            self._write_unmatched(pending, errors)

    def _write_unmatched(self, pending: Outcomes, errors: ResultsWriter | None) -> None:
        """The errors of no single row, last in the error table (as in memory: after the rows' own)."""
        self.unmatched_written = True
        ingest = errors_from_records(pending.errors)
        pending.errors.clear()
        if not len(ingest):
            return
        self.summary_parts.append(_summary_part(ingest, self.seen_codes))
        if errors is not None:
            errors.write(ingest)

    def _write(
        self,
        out: pd.DataFrame,
        chunk_errors: pd.DataFrame,
        results: ResultsWriter,
        errors: ResultsWriter | None,
        *,
        ingest: pd.DataFrame | None = None,
    ) -> None:
        results.write(out)
        if errors is not None:
            errors.write(chunk_errors)
        if ingest is not None and len(ingest):
            self.summary_parts.append(_summary_part(ingest, self.seen_codes))
        counts = out[Column.STATUS.value].astype("object").value_counts()
        self.counts.update({str(name): int(count) for name, count in counts.items()})
        for name, found in delivery_counts(out).items():
            self.delivered.setdefault(name, Counter()).update(found)
        self.unreached += int((undelivered(out) | outcome_unread(out)).sum())
        if self.preview is None:
            self.preview = out.head(PREVIEW_ROWS)
            self.input_columns = tuple(c for c in out.columns if not str(c).startswith("bulk_"))
        elif len(self.preview) < PREVIEW_ROWS:
            self.preview = pd.concat([self.preview, out.head(PREVIEW_ROWS - len(self.preview))])

    def _result(
        self,
        *,
        job_id: str | None,
        job: dict[str, Any] | None = None,
        plan: SubmitPlan | None = None,
        left_to_do: str | None = None,
        guard: GuardDecision | None = None,
    ) -> StreamedSubmitResult:
        return StreamedSubmitResult(
            self.preview if self.preview is not None else pd.DataFrame(),
            errors=concat_errors(self.summary_parts),
            unmatched_errors=pd.DataFrame(self.unmatched, columns=list(UNMATCHED_COLUMNS)),
            job_id=job_id,
            job=job,
            plan=plan,
            input_columns=self.input_columns,
            left_to_do=left_to_do,
            guard=guard,
            results=self.results,
            errors_file=self.errors_path,
            rows=self.prepared.rows,
            counts=dict(self.counts),
            delivery_counts={
                name: dict(sorted(found.items(), key=lambda item: -item[1]))  # stable: first seen first
                for name, found in self.delivered.items()
            },
            unreached=self.unreached,
        )


def _settled(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, Outcomes]:
    """A settled chunk kept for its delivery: its rows, its errors and its rows' outcomes."""
    frame, chunk_errors, (status, batch, errors) = spill.load(path)
    return frame, chunk_errors, Outcomes(status=status, batch=batch, errors=errors)


class _Writers:
    """The results file and the error file, open for a pass; closed (and completed) on the way out."""

    def __init__(self, streamed: _Streamed) -> None:
        self.streamed = streamed
        folder = streamed.prepared.workdir
        self.results = results_writer(streamed.results, folder)
        self.errors = None
        if streamed.errors_path is not None:
            (folder / "errors").mkdir(exist_ok=True)  # its own scratch file, beside the results'
            self.errors = results_writer(streamed.errors_path, folder / "errors")

    def __enter__(self) -> tuple[ResultsWriter, ResultsWriter | None]:
        return self.results, self.errors

    def __exit__(self, *exc_info: object) -> None:
        self.results.close()
        if self.errors is not None:
            self.errors.close()
