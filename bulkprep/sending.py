"""The batch worker: send batches concurrently, settle every row, keep the journal, build the result.

:class:`BatchSender` sends each batch through the client with its deterministic idempotency key, ties
Courier's per-user errors back to their rows (:mod:`bulkprep.matching`), cuts a batch the
:class:`~bulkprep.retry.RetryPolicy` says to cut (413 split, small 400 bisected), stops every sender at
once on a refused key, and records each step in the journal before or right after it happens. What
happened to each row gathers in :class:`Outcomes`, which :func:`result_frame` merges onto the frame.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"bulk_row": [2, 3], "bulk_user": [{"recipient": "a"}, None],
    ...                       "bulk_status": ["ready", "invalid"]})
    >>> outcomes = Outcomes()
    >>> outcomes.settle([2], RowStatus.ACCEPTED, batch=1)
    >>> result = result_frame(frame, outcomes)
    >>> result["bulk_status"].tolist(), result["bulk_batch"].tolist()
    (['accepted', 'invalid'], [1, <NA>])
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import pandas as pd

from bulkprep.batching import Batch, cut_batches, idempotency_key, split_batch
from bulkprep.client import CourierClient, IngestReceipt
from bulkprep.courier import MAX_REQUEST_BYTES
from bulkprep.errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    CourierError,
    GuardError,
    InvariantError,
    JournalError,
    ProtocolError,
)
from bulkprep.guard import Limit, rejected_checked_after, rejection_stop
from bulkprep.interrupts import held_interrupts
from bulkprep.journal import AckedAnswer, Journal, RefusedAnswer
from bulkprep.jsonsafe import clean, dumps
from bulkprep.matching import IdentityIndex, Matching, identities_of
from bulkprep.progress import progress_bar
from bulkprep.report import NO_ROW, ErrorCode, errors_from_records
from bulkprep.retry import RetryPolicy
from bulkprep.status import BULK_COLUMNS, ROW_KEY, BatchState, Column, RowStatus, Stage

__all__ = [
    "BatchLog",
    "BatchSender",
    "Outcomes",
    "Progress",
    "WorkItem",
    "accepted_users",
    "input_columns",
    "result_frame",
    "work_from_journal",
]

_DUPLICATE_USER = "duplicate user"

#: What one user's delivery is: (``bulk_delivery_status``, ``bulk_message_id``).
Delivery = tuple[Any, Any]

#: After Ctrl-C, how many seconds the answers of batches already in flight may take to be recorded.
INTERRUPT_GRACE = 3.0
#: Batches in a row that failed after every attempt (no answer within the deadline, the connection
#: refused or reset, 429 or 5xx each time, an answer that is not Courier's) after which nothing more
#: is sent: against a server that stopped answering, each further batch would only spend its own
#: attempts and deadline.
FAILED_IN_A_ROW = 3


# --------------------------------------------------------------------------------------------- outcomes


@dataclass
class Outcomes:
    """What happened to the sent rows, gathered from the worker threads (under one lock).

    Attributes:
        status: each sent row's status, by row key.
        batch: the batch that carried each sent row.
        errors: error-table records of the ``ingest`` stage (``bulk_row`` -1 for no single row).
        unmatched: Courier errors that matched no single row (:data:`bulkprep.results.UNMATCHED_COLUMNS`).
        delivery: each row's delivery state and message id, once the job has run.
        outcome: each row's message status, reason and error text (``bulk_outcome``,
            ``bulk_outcome_reason``).
    """

    status: dict[int, RowStatus] = field(default_factory=dict)
    batch: dict[int, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    delivery: dict[int, Delivery] = field(default_factory=dict)
    outcome: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # (status, reason, error text)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _final: bool = field(default=False, repr=False, compare=False)
    _counts: Counter[RowStatus] = field(default_factory=Counter, repr=False, compare=False)

    def finish(self) -> None:
        """Take no more outcomes: a batch answering after an interrupted run was reported changes nothing."""
        with self._lock:
            self._final = True

    def settle(self, rows: Iterable[int], status: RowStatus, *, batch: int) -> None:
        """Give ``rows`` their final status and the batch that carried them."""
        with self._lock:
            if self._final:
                return
            for row in rows:
                earlier = self.status.get(row)
                if earlier is not None:
                    self._counts[earlier] -= 1
                self._counts[status] += 1
                self.status[row] = status
                self.batch[row] = batch

    def count(self, status: RowStatus) -> int:
        """How many rows ended with ``status`` so far."""
        with self._lock:
            return self._counts[status]

    def error(self, rows: Iterable[int], code: ErrorCode, message: str, value: Any = None) -> None:
        """Add one ``ingest`` error per row."""
        records = [
            {
                ROW_KEY: row,
                "stage": Stage.INGEST.value,
                "code": code.value,
                "message": message,
                "value": value,
            }
            for row in rows
        ]
        with self._lock:
            if not self._final:
                self.errors.extend(records)

    def unmatched_error(self, record: dict[str, Any]) -> None:
        """Keep a Courier error that matches no single row (never dropped)."""
        with self._lock:
            if not self._final:
                self.unmatched.append(record)

    def rows_with(self, status: RowStatus) -> list[int]:
        """The rows that ended with ``status``."""
        with self._lock:
            return [row for row, found in self.status.items() if found is status]


# --------------------------------------------------------------------------------------------- progress


class Progress:
    """A tqdm bar over rows, with batches and retries in its postfix."""

    def __init__(self, *, total_rows: int, enabled: bool) -> None:
        self._bar = progress_bar(total=total_rows, unit="row", desc="submitting", enabled=enabled)
        self._batches = 0
        self.total_batches = 0
        self.retries = 0
        self._lock = threading.Lock()

    def retried(self, _event: object = None) -> None:
        """Count one retry (the client's ``on_retry``)."""
        with self._lock:
            self.retries += 1
            self._postfix()

    def batch_done(self, rows: int) -> None:
        """Count one settled batch of ``rows`` rows."""
        with self._lock:
            self._batches += 1
            self._bar.update(rows)
            self._postfix()

    def _postfix(self) -> None:
        self._bar.set_postfix(batches=f"{self._batches}/{self.total_batches}", retries=self.retries)

    def close(self) -> None:
        """Close the bar."""
        self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------------- work


class BatchLog(Protocol):
    """The journal writes the sending makes (:class:`~bulkprep.journal.Journal` is one)."""

    def mark_sending(self, number: int, idempotency_key: str) -> None: ...
    def mark_acked(self, number: int, answer: AckedAnswer) -> None: ...
    def mark_rejected(self, number: int, answer: RefusedAnswer) -> None: ...
    def mark_failed(self, number: int, answer: RefusedAnswer) -> None: ...
    def replace_with_halves(self, number: int, halves: Sequence[Batch]) -> None: ...


class _NoLog:
    """The journal of a submission without one: it keeps nothing."""

    def mark_sending(self, number: int, idempotency_key: str) -> None:
        pass

    def mark_acked(self, number: int, answer: AckedAnswer) -> None:
        pass

    def mark_rejected(self, number: int, answer: RefusedAnswer) -> None:
        pass

    def mark_failed(self, number: int, answer: RefusedAnswer) -> None:
        pass

    def replace_with_halves(self, number: int, halves: Sequence[Batch]) -> None:
        pass


@dataclass(frozen=True)
class WorkItem:
    """One batch to work through: where it stands and, when settled, the answer recorded for it.

    Example:
        >>> WorkItem(Batch(1, (2,), b'{"users":[{}]}')).state
        <BatchState.PENDING: 'pending'>
    """

    batch: Batch
    state: BatchState = BatchState.PENDING
    answer: Mapping[str, Any] | None = None


def work_from_journal(journal: Journal, users: pd.Series, batches: list[Batch]) -> list[WorkItem]:
    """The batches to work through with their journal entries; on a first run, records them.

    Raises:
        JournalError: when the input no longer matches what the journal recorded.
    """
    entries = journal.batches()
    if not entries:
        journal.add_batches(batches)
        entries = journal.batches()
    journal_rows = sorted(row for entry in entries for row in entry.rows)
    if journal_rows != sorted(users.index.tolist()):
        raise JournalError(
            "the input no longer matches the journal: the ready rows differ from the rows it recorded; "
            "submit the same input as the interrupted run, or use a new journal file"
        )
    work = [
        WorkItem(_batch_from_rows(users, entry.number, entry.rows), entry.state, entry.answer)
        for entry in sorted(entries, key=lambda entry: entry.number)
    ]
    # A batch recorded as taken keeps the 2xx Courier took it with; one without is not believed.
    unanswered = [
        item.batch.number
        for item in work
        if item.state is BatchState.ACKED and not 200 <= AckedAnswer.from_json(item.answer).status < 300
    ]
    if unanswered:
        raise JournalError(
            f"the journal records batch(es) {unanswered[:5]} as taken by Courier without Courier's answer "
            "(no 2xx): it was changed or damaged, and which rows are in the job is not known; use a new "
            "journal file, after checking the job"
        )
    hashes = {entry.number: entry.content_hash for entry in entries}
    changed = [item.batch.number for item in work if item.batch.content_hash != hashes[item.batch.number]]
    if changed:
        raise JournalError(
            f"the input no longer matches the journal: the content of batch(es) {changed[:5]} changed "
            "(content hashes differ); submit the same input as the interrupted run, or use a new journal file"
        )
    return work


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


# --------------------------------------------------------------------------------------------- sending


class _Placing(NamedTuple):
    """Where an answer's errors fall among its batch's rows.

    Attributes:
        identities: the batch's identities.
        matching: each error's single row, and the errors that have none.
        refusals: the errors with no single row that refuse a user (not "already in").
        rejected: the rows an error refusing its user matches.
    """

    identities: IdentityIndex
    matching: Matching
    refusals: list[int]
    rejected: set[int]


class BatchSender:
    """Sends one submission's batches to a job and settles every row of them.

    Args:
        client: the client to send with.
        job_id: the job the users go to.
        users: the ready rows' payloads, by row key (to tie Courier's echoes back to rows).
        policy: which refused batches are cut in halves.
        journal: where each step is recorded (None: nowhere).
        progress: the bar to move.
        next_number: the first free batch number, for the halves of a cut batch.
        max_rejected: stop sending once Courier refused more than this share (or number) of the users
            sent so far (:func:`bulkprep.guard.rejection_stop`); None: never.
        resend: how to send a batch in doubt again, in a failed row's reason, when the journal is not
            one the user names (None: with the journal, or the job id, as the in-memory path does).
        job_users: the most users the job can hold, when it was made for this submission (an answer
            counting more cannot be Courier's); None for a job the caller gave, which may hold others.
    """

    def __init__(
        self,
        *,
        client: CourierClient,
        job_id: str,
        users: pd.Series,
        policy: RetryPolicy,
        journal: BatchLog | None,
        progress: Progress,
        next_number: int,
        max_rejected: Limit | None = None,
        resend: str | None = None,
        job_users: int | None = None,
    ) -> None:
        self.client = client
        self.job_users = job_users
        self.resend = resend
        self.job_id = job_id
        self.users = users
        self.policy = policy
        self.journal: BatchLog = journal if journal is not None else _NoLog()
        self.progress = progress
        self.outcomes = Outcomes()
        self.stop = threading.Event()
        self.stopped_by: CourierError | None = None
        # Batches whose answer was lost or unreadable: Courier may hold their users (see _in_doubt).
        self.in_doubt: set[int] = set()
        self.max_rejected = max_rejected
        self.halted: str | None = None
        self._checked_after = 0
        self._lock = threading.Lock()
        self._next_number = next_number
        self._in_flight: dict[int, Batch] = {}
        self._failed_in_a_row = 0  # batches in a row that failed after every attempt (FAILED_IN_A_ROW)

    # --------------------------------------------------------------------------------------- the run

    def run(self, work: Sequence[WorkItem], *, concurrency: int) -> Outcomes:
        """Settle the recorded batches, send the others ``concurrency`` at a time; every row ends settled.

        When it raises, :attr:`outcomes` still holds every row settled so far, and
        :meth:`settle_unsent` settles the others.

        Raises:
            AuthenticationError: Courier refused the key (nothing more was sent).
            AuthorizationError: the key may not use the Bulk API (nothing more was sent).
            JournalError: the journal could not be written (nothing more was sent).
            KeyboardInterrupt: on Ctrl-C, once the batches in flight answered or
                :data:`INTERRUPT_GRACE` seconds passed (their journal entries stay ``sending``: unknown).
            InvariantError: when a row of the work ends without an outcome (a bug).
        """
        self._checked_after = rejected_checked_after(work[0].batch.users if work else 0)
        to_send = iter([item for item in work if not self._restore(item)])
        taking = threading.Lock()
        failures: list[BaseException] = []
        workers_left = [concurrency]
        all_done = threading.Event()

        def worker() -> None:
            try:
                while not self.stop.is_set():
                    with taking:
                        item = next(to_send, None)
                    if item is None:
                        return
                    # A batch that was in flight or failed may have reached Courier already.
                    self.send(item.batch, maybe_sent=item.state is not BatchState.PENDING)
                    self._check_rejections()
            except BaseException as exc:  # a failing journal or a bug: send nothing more
                failures.append(exc)
                self.stop.set()
            finally:
                with taking:
                    workers_left[0] -= 1
                    if not workers_left[0]:
                        all_done.set()

        # Daemon threads, waited for through an event (an interrupted Thread.join() can lose track of
        # its thread): after Ctrl-C, a request that hangs must not keep the process from exiting.
        try:
            for number in range(concurrency):
                threading.Thread(target=worker, name=f"bulkprep-send-{number}", daemon=True).start()
            all_done.wait()
        except KeyboardInterrupt:
            # Send nothing more; give the batches in flight a moment to record their answers.
            self.stop.set()
            # A request that still hangs is left to its deadline (request_deadline) on its daemon
            # thread; its batch stays 'sending' in the journal: its outcome is not known.
            with held_interrupts():
                all_done.wait(INTERRUPT_GRACE)
            raise
        if failures:
            raise failures[0]
        if self.stopped_by is not None:
            raise self._stopped(self.stopped_by)
        if self.halted is not None and self._unsettled(work):  # nothing is stopped once all was sent
            raise GuardError(self.halted)
        self._check_settled(work)
        return self.outcomes

    def settle_unsent(self, work: Sequence[WorkItem], *, not_sent: str, in_flight: str) -> list[int]:
        """Settle ``failed`` every row of ``work`` still without an outcome, then take no more; returns them.

        Args:
            work: the batches of the run.
            not_sent: the reason for rows that were never sent.
            in_flight: the reason for rows whose batch was sent but whose answer never came.
        """
        with self._lock:
            flying = {row for batch in self._in_flight.values() for row in batch.rows}
        settled = set(self.outcomes.status)
        left: list[int] = []
        for item in work:
            rows = [row for row in item.batch.rows if row not in settled]
            for reason, group in (
                (in_flight, [row for row in rows if row in flying]),
                (not_sent, [row for row in rows if row not in flying]),
            ):
                if group:
                    self.outcomes.settle(group, RowStatus.FAILED, batch=item.batch.number)
                    self.outcomes.error(group, ErrorCode.SEND_FAILED, reason)
            left += rows
        self.outcomes.finish()
        return left

    def _restore(self, item: WorkItem) -> bool:
        """Settle a batch from the answer the journal recorded; False when it is still to be sent."""
        if not item.state.final:
            return False
        if item.state is BatchState.ACKED:
            self.settle_acked(item.batch, AckedAnswer.from_json(item.answer))
        else:
            self.settle_rejected(item.batch, RefusedAnswer.from_json(item.answer))
        self.progress.batch_done(item.batch.users)
        return True

    def _stopped(self, stopped: CourierError) -> CourierError:
        sent = len(self.outcomes.rows_with(RowStatus.ACCEPTED))
        recorded = "; the journal records what was sent" if not isinstance(self.journal, _NoLog) else ""
        stopped.add_note(
            f"bulkprep: stopped sending to job {self.job_id}; {sent} row(s) were accepted before it, "
            f"the rest were not sent{recorded}"
        )
        return stopped

    def _check_rejections(self) -> None:
        """Stop every sender when ``max_rejected`` says Courier refused too many of the users sent."""
        if self.max_rejected is None or self.stop.is_set():
            return
        reason = rejection_stop(
            self.max_rejected,
            accepted=self.outcomes.count(RowStatus.ACCEPTED),
            rejected=self.outcomes.count(RowStatus.REJECTED),
            checked_after=self._checked_after,
        )
        if reason is not None:
            with self._lock:
                self.halted = self.halted or reason
            self.stop.set()

    def _unsettled(self, work: Sequence[WorkItem]) -> set[int]:
        expected = {row for item in work for row in item.batch.rows}
        return expected - set(self.outcomes.status)

    def _check_settled(self, work: Sequence[WorkItem]) -> None:
        missing = self._unsettled(work)
        if missing:
            raise InvariantError(
                f"{len(missing)} sent row(s) ended without an outcome (rows {sorted(missing)[:5]}); "
                "every row of a batch must end accepted, rejected or failed"
            )

    # ----------------------------------------------------------------------------------- one batch

    def send(self, batch: Batch, *, maybe_sent: bool = False) -> None:
        """Send one batch (and, when the policy says so, its halves); record every row's outcome."""
        if self.stop.is_set():
            return
        key = idempotency_key(self.job_id, batch)
        # In flight before the journal says so: a Ctrl-C that sees 'sending' in the journal must
        # also find the batch in flight here, so its rows are reported unknown, not unsent.
        with self._lock:
            self._in_flight[batch.number] = batch
        try:
            self.journal.mark_sending(batch.number, key)
            self._send_marked(batch, key, maybe_sent=maybe_sent)
        finally:
            with self._lock:
                self._in_flight.pop(batch.number, None)

    def _send_marked(self, batch: Batch, key: str, *, maybe_sent: bool) -> None:
        try:
            receipt = self.client.ingest(self.job_id, batch.body, idempotency_key=key)
        except (AuthenticationError, AuthorizationError) as exc:
            exc.batch = batch.number
            self._stop_with(exc)
            self.journal.mark_failed(batch.number, RefusedAnswer(exc.status, str(exc), exc.type))
            return
        except CourierError as exc:
            exc.batch = batch.number
            self._refused(batch, exc, maybe_sent=maybe_sent)
            return
        contradiction = _does_not_add_up(receipt, batch, job_users=self.job_users)
        if contradiction is not None:
            unreadable = ProtocolError(contradiction, status=receipt.status)
            unreadable.batch = batch.number
            self._refused(batch, unreadable, maybe_sent=maybe_sent)
            return
        answer = _acked_answer(receipt, maybe_sent=maybe_sent)
        unplaced = self._unplaced(batch, answer) if answer.errors else []
        if unplaced:
            said = self._unplaced_answer(batch, answer, unplaced)
            self.journal.mark_failed(batch.number, RefusedAnswer(answer.status, said, None))
            self.settle_unknown(batch, answer, said)
            self.progress.batch_done(batch.users)
            return
        self._count_failure(None)
        try:
            self.journal.mark_acked(batch.number, answer)
        finally:
            # Courier took the batch: its rows keep that outcome even when the journal cannot say so.
            self.settle_acked(batch, answer)
            self.progress.batch_done(batch.users)

    def _count_failure(self, failure: CourierError | None) -> None:
        """Stop every sender once :data:`FAILED_IN_A_ROW` batches in a row failed after every attempt.

        ``failure``: why the batch just settled failed (None: Courier took it, or refused its users,
        which shows it is there and starts the count again).
        """
        with self._lock:
            self._failed_in_a_row = self._failed_in_a_row + 1 if failure is not None else 0
            if self._failed_in_a_row < FAILED_IN_A_ROW or self.stopped_by is not None:
                return
        assert failure is not None
        stopped = CourierError(
            f"{FAILED_IN_A_ROW} batches in a row failed to reach {self.client.base_url} after every "
            f"attempt (the last: {failure}); nothing more was sent, so that each batch left does not "
            "spend its attempts and deadline too",
            retryable=True,
        )
        stopped.batch = failure.batch
        self._stop_with(stopped)

    def _stop_with(self, exc: CourierError) -> None:
        with self._lock:
            if self.stopped_by is None:
                self.stopped_by = exc
        self.stop.set()

    def _refused(self, batch: Batch, exc: CourierError, *, maybe_sent: bool) -> None:
        if not exc.retryable and self.policy.should_halve(exc.status, batch.users):
            self._halve(batch, maybe_sent=maybe_sent)
            return
        answer = RefusedAnswer(exc.status, exc.courier_message or str(exc), exc.type)
        if _refuses_rows(exc):
            self._count_failure(None)
            self.journal.mark_rejected(batch.number, answer)
            self.settle_rejected(batch, answer)
        else:
            self._count_failure(exc)
            self.journal.mark_failed(batch.number, answer)
            doubt = _in_doubt(exc)
            if doubt:
                with self._lock:
                    self.in_doubt.add(batch.number)
            self.settle_failed(batch, _failure_reason(batch, exc, self._again() if doubt else None))
        self.progress.batch_done(batch.users)

    def _halve(self, batch: Batch, *, maybe_sent: bool) -> None:
        halves = split_batch(batch, numbers=self._numbers())
        self.journal.replace_with_halves(batch.number, list(halves))
        with self._lock:  # the halves are in flight one by one from now on, not the whole batch
            self._in_flight.pop(batch.number, None)
        for half in halves:
            self.send(half, maybe_sent=maybe_sent)

    def _numbers(self) -> tuple[int, int]:
        with self._lock:
            first = self._next_number
            self._next_number += 2
        return first, first + 1

    # --------------------------------------------------------------------------------------- settling

    def _placing(self, batch: Batch, answer: AckedAnswer) -> _Placing:
        """Where the errors of an answer fall among the batch's rows (:class:`_Placing`)."""
        index = IdentityIndex(identities_of(self.users.loc[list(batch.rows)]))  # once per batch
        matching = index.match([_echo(error) for error in answer.errors])
        # A "Duplicate user" for a batch sent again after an unknown outcome refuses no one: that user
        # went in the first time.
        refused = [p for p, error in enumerate(answer.errors) if not _already_in(error, answer)]
        refusals = [p for p in matching.unmatched if not _already_in(answer.errors[p], answer)]
        rejected = {matching.matches[p] for p in refused if p in matching.matches}
        return _Placing(index, matching, refusals, rejected)

    def _unplaced(self, batch: Batch, answer: AckedAnswer) -> list[int]:
        """The positions of the errors that refuse a user of the batch without saying which one.

        An error is placed when its echo matches one row, or names a user id that rows of the batch
        share (one Courier user). Any other refusal may be about any row, so Courier took fewer users
        than it did not refuse, and which ones is not known; unless the errors refuse as many users as
        the batch holds: then none is in.
        """
        placing = self._placing(batch, answer)
        if len(placing.rejected) + len(placing.refusals) >= batch.users:
            return []
        errors = answer.errors
        return [p for p in placing.refusals if not placing.identities.names_one_user(_echo(errors[p]))]

    def _unplaced_answer(self, batch: Batch, answer: AckedAnswer, unplaced: Sequence[int]) -> str:
        """What Courier answered to a batch with errors that cannot be placed, in words."""
        first = answer.errors[unplaced[0]]
        echo = _echo(first)
        echo_text = dumps(clean(echo)).decode() if isinstance(echo, Mapping) else str(echo)
        total = "no total" if answer.total is None else f"total {answer.total}"
        return (
            f"Courier answered batch {batch.number} of {batch.users} user(s) with HTTP {answer.status}, "
            f"{total} and {len(answer.errors)} error(s), {len(unplaced)} of them for a user that matches "
            f"no single row of the batch ({_error_text(first)!r} for {echo_text})"
        )

    def settle_unknown(self, batch: Batch, answer: AckedAnswer, said: str) -> None:
        """Rows of a batch whose 2xx holds errors that cannot be placed: none known to be in, all ``failed``.

        ``said`` is what Courier answered. The rows Courier's errors do match keep its words beside the
        reason; the errors that match no single row are kept in ``unmatched_errors``, as always.
        """
        placing = self._placing(batch, answer)
        index, matching = placing.identities, placing.matching
        reason = (
            f"{said}: which of its users are in job {self.job_id} is not known, so none is counted as "
            f"accepted; {self._again()}"
        )
        refused = {row: _error_text(answer.errors[position]) for position, row in matching.matches.items()}
        self.outcomes.settle(batch.rows, RowStatus.FAILED, batch=batch.number)
        with self._lock:
            self.in_doubt.add(batch.number)
        for row in batch.rows:
            words = f" (Courier's error for this row: {refused[row]})" if row in refused else ""
            self.outcomes.error([row], ErrorCode.SEND_FAILED, reason + words)
        for position in matching.unmatched:
            self._keep_unmatched(batch, answer.errors[position], index)

    def _again(self) -> str:
        """How to settle rows whose users may be in the job already, without sending anyone twice."""
        if self.resend is not None:
            return self.resend
        if not isinstance(self.journal, _NoLog):
            return (
                "run the same command again with the same journal: it resends the batch under the same "
                "idempotency key, then runs the job"
            )
        return (
            f"check job {self.job_id} before sending these rows again: submitted again to this job "
            f"(--job {self.job_id} / job_id=...), the batch goes under the same idempotency key; sent to "
            "a new job, the users already in this one would get the message twice (with a journal, "
            "--journal FILE, running the same command again resends it by itself)"
        )

    def settle_acked(self, batch: Batch, answer: AckedAnswer) -> None:
        """Rows of an acknowledged batch: rejected when an error matches them, accepted otherwise."""
        rows = list(batch.rows)
        if not answer.errors:  # the usual answer: nothing to match, every row of the batch is in
            self.outcomes.settle(rows, RowStatus.ACCEPTED, batch=batch.number)
            return
        placing = self._placing(batch, answer)
        index, matching, refusals = placing.identities, placing.matching, placing.refusals
        rejected: dict[int, list[str]] = {}
        for position, row in matching.matches.items():
            # A batch sent again after an unknown outcome finds its own users already in the job.
            if not _already_in(answer.errors[position], answer):
                rejected.setdefault(row, []).append(_error_text(answer.errors[position]))
        if refusals and len(rejected) + len(refusals) >= len(rows):
            # As many users refused as the batch holds: every row is refused, even those whose echo
            # cannot be placed (accepting them would report users Courier does not hold).
            words = _error_text(answer.errors[refusals[0]])
            reason = (
                f"{words} (Courier refused every user of batch {batch.number}: {len(rejected)} error(s) "
                f"matched a row, {len(refusals)} match no single row)"
            )
            for row in rows:
                if row not in rejected:
                    rejected[row] = [reason]
        self.outcomes.settle([r for r in rows if r not in rejected], RowStatus.ACCEPTED, batch=batch.number)
        self.outcomes.settle(rejected, RowStatus.REJECTED, batch=batch.number)
        for row, messages in rejected.items():
            for words in messages:
                self.outcomes.error([row], ErrorCode.COURIER_REJECTED, f"Courier refused the user: {words}")
        for position in matching.unmatched:
            self._keep_unmatched(batch, answer.errors[position], index)

    def _keep_unmatched(self, batch: Batch, error: Mapping[str, Any], index: IdentityIndex) -> None:
        words = _error_text(error)
        echo = _echo(error)
        echo_text = dumps(clean(echo)).decode() if isinstance(echo, Mapping) else str(echo)
        candidates = len(index.candidates(echo))  # 0: no row of the batch, 2 or more: which one is unknown
        self.outcomes.unmatched_error(
            {"batch": batch.number, "error": words, "user": echo_text, "candidates": candidates}
        )
        self.outcomes.error(
            [NO_ROW],
            ErrorCode.UNMATCHED_ERROR,
            f"batch {batch.number}: Courier reported {words!r} for a user that matches no single "
            "row of the batch",
            echo_text,
        )

    def settle_rejected(self, batch: Batch, answer: RefusedAnswer) -> None:
        """Rows of a batch Courier refused as a whole."""
        self.outcomes.settle(batch.rows, RowStatus.REJECTED, batch=batch.number)
        if batch.users == 1:
            message = f"Courier refused the user (HTTP {answer.status}): {answer.message}"
        else:
            message = (
                f"Courier refused batch {batch.number} of {batch.users} users as a whole "
                f"(HTTP {answer.status}): {answer.message}; the offending row is not known, every row of "
                "the batch is marked"
            )
        self.outcomes.error(batch.rows, ErrorCode.BATCH_REJECTED, message)

    def settle_failed(self, batch: Batch, reason: str) -> None:
        """Rows of a batch that did not get through (or whose answer could not be read)."""
        self.outcomes.settle(batch.rows, RowStatus.FAILED, batch=batch.number)
        self.outcomes.error(batch.rows, ErrorCode.SEND_FAILED, reason)


def _acked_answer(receipt: IngestReceipt, *, maybe_sent: bool) -> AckedAnswer:
    return AckedAnswer(
        receipt.status,
        receipt.errors,
        receipt.total,
        receipt.outcome_was_unknown or maybe_sent,
    )


def _does_not_add_up(receipt: IngestReceipt, batch: Batch, *, job_users: int | None = None) -> str | None:
    """Why an ingest answer contradicts itself, or None when it adds up.

    ``total`` counts the users ingested, for the request or for the whole job (Courier's documents do
    not say which); either way it is at least what this request added, and at most what the job can
    hold (``job_users``, when the job was made for this submission). An answer saying fewer users
    went in than the batch minus its errors cannot tell which rows are in the job, so none is counted
    as accepted. That holds for a batch sent again after an unknown outcome too: Courier either
    replays its first answer (same key) or answers "Duplicate user" for each user it already holds,
    and both add up; silence about users it did not count says nothing about them.
    """
    if receipt.total is None:
        return None
    most = None if job_users is None else max(job_users, batch.users)
    if most is not None and receipt.total > most:
        return (
            f"Courier's answer to batch {batch.number} does not add up: total {receipt.total} user(s) "
            f"ingested, more than the {most} this submission's job can hold; "
            "which users are in the job is not known"
        )
    taken = batch.users - len(receipt.errors)
    if receipt.total >= taken:
        return None
    return (
        f"Courier's answer to batch {batch.number} does not add up: total {receipt.total} user(s) "
        f"ingested for a request of {batch.users} user(s) with {len(receipt.errors)} error(s); "
        "which users are in the job is not known"
    )


def _refuses_rows(exc: CourierError) -> bool:
    """Whether a refusal is Courier's word on the users (rejected) rather than a failure to deliver them.

    Only Courier's own 4xx refuses the users; anything else (retries exhausted, a network failure that
    no retry can fix, an answer that is not Courier's) leaves them not delivered, and safe to send again.
    """
    return 400 <= exc.status < 500 and not exc.retryable


def _in_doubt(exc: CourierError) -> bool:
    """Whether a batch that failed may be in the job all the same: its answer was lost or unreadable.

    No answer (status 0) or a 5xx after the last attempt may come after Courier stored the users; an
    answer that is not Courier's came after it handled the request. A 429 or 408 came before.
    """
    return isinstance(exc, ProtocolError) or (exc.retryable and (exc.status == 0 or exc.status >= 500))


def _failure_reason(batch: Batch, exc: CourierError, again: str | None) -> str:
    """Why a batch's rows failed; ``again`` says how to settle them when the answer was lost (in doubt)."""
    words = exc.courier_message or str(exc)
    if again is None:
        return (
            f"batch {batch.number} could not be delivered to Courier ({words}); Courier did not take it, "
            "the rows are safe to submit again"
        )
    heard = "got an answer that is not Courier's" if isinstance(exc, ProtocolError) else "lost its answer"
    return f"batch {batch.number} {heard} ({words}), its users may be in the job; {again}"


def _echo(error: Mapping[str, Any]) -> Any:
    user = error.get("user")
    return user if user is not None else {}


def _already_in(error: Mapping[str, Any], answer: AckedAnswer) -> bool:
    """Whether an error says its user is in the job already: "Duplicate user" after an unknown outcome."""
    return answer.outcome_was_unknown and _error_text(error).strip().casefold() == _DUPLICATE_USER


def _error_text(error: Mapping[str, Any]) -> str:
    for key in ("error", "message", "reason"):
        if error.get(key):
            return str(error[key])
    return "error without a message"


# -------------------------------------------------------------------------------------------- the result


def accepted_users(frame: pd.DataFrame, outcomes: Outcomes) -> pd.Series:
    """The payloads of every accepted row, this submission's and earlier ones', indexed by row key."""
    accepted_rows = outcomes.rows_with(RowStatus.ACCEPTED)
    earlier = frame.loc[frame[_STATUS].astype("object") == RowStatus.ACCEPTED.value, ROW_KEY]
    accepted_rows += [int(r) for r in earlier.tolist() if int(r) not in outcomes.status]
    all_users = frame.set_index(frame[ROW_KEY].astype("int64"))[Column.USER.value]
    return all_users.loc[accepted_rows]


def input_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    """The caller's own columns of a frame (every column not starting with ``bulk_``), in order."""
    return tuple(c for c in frame.columns if not str(c).startswith("bulk_"))


_STATUS, _BATCH, _ERROR = Column.STATUS.value, Column.BATCH.value, Column.ERROR.value
_DUPLICATE_OF, _WARNING = Column.DUPLICATE_OF.value, Column.WARNING.value


def _held(out: pd.DataFrame, column: str) -> pd.Series:
    """What ``column`` of ``out`` holds, as objects (nothing when it is absent)."""
    if column in out.columns:
        return out[column].astype("object")
    return pd.Series(None, index=out.index, dtype="object")


def result_frame(
    frame: pd.DataFrame, outcomes: Outcomes, planned_batches: Mapping[int, int] | None = None
) -> pd.DataFrame:
    """The prepared frame with each row's final status, error, batch and delivery state.

    Args:
        frame: the prepared frame.
        outcomes: what happened to the sent rows.
        planned_batches: for a dry run, the batch each row would go in.

    Returns:
        The input columns, then :data:`bulkprep.status.BULK_COLUMNS`, then any other column.
    """
    out = frame.copy()
    keys = out[ROW_KEY]
    status = keys.map({row: found.value for row, found in outcomes.status.items()})
    out[_STATUS] = status.where(status.notna(), _held(out, _STATUS)).astype("object")
    batch = keys.map({**(planned_batches or {}), **outcomes.batch})
    previous = out[_BATCH] if _BATCH in out.columns else pd.Series(pd.NA, index=out.index)
    out[_BATCH] = batch.where(batch.notna(), previous).astype("Int64")
    out[_ERROR] = _bulk_error(out, outcomes)
    out[_WARNING] = _held(out, _WARNING)  # the fields prepare left out; none in a frame made by hand
    if _DUPLICATE_OF not in out.columns:
        out[_DUPLICATE_OF] = pd.array([pd.NA] * len(out), dtype="Int64")
    else:  # a row key, whole numbers even when the column came as floats
        out[_DUPLICATE_OF] = out[_DUPLICATE_OF].astype("Int64")
    for column, found, position in (
        (Column.DELIVERY_STATUS.value, outcomes.delivery, 0),
        (Column.MESSAGE_ID.value, outcomes.delivery, 1),
        (Column.OUTCOME.value, outcomes.outcome, 0),
        (Column.OUTCOME_REASON.value, outcomes.outcome, 1),
    ):
        merged = keys.map({row: pair[position] for row, pair in found.items()})
        merged = merged.where(merged.notna(), _held(out, column)).astype("object")
        out[column] = merged.where(merged.notna(), None)
    ordered = [c for c in out.columns if not str(c).startswith("bulk_")] + list(BULK_COLUMNS)
    extra = [c for c in out.columns if c not in ordered]
    return out[ordered + extra]


def _bulk_error(out: pd.DataFrame, outcomes: Outcomes) -> pd.Series:
    """Each row's error text: its ingest errors joined, else what it held before."""
    held = _held(out, _ERROR)
    ingest = errors_from_records([e for e in outcomes.errors if e[ROW_KEY] != NO_ROW])
    if not len(ingest):
        return held
    text = ingest.groupby(ROW_KEY, sort=False)["message"].agg("; ".join)
    messages = out[ROW_KEY].map(text)
    return held.where(~messages.notna().to_numpy(), messages)
