"""``submit`` from a cluster: one job, the batches of the in-memory path, each sent once from a worker.

Three steps, each one graph over the partitions, and between them the client:

1. **stage** (:mod:`bulkprep.dask.staging`): the prepared partitions are computed once; each task
   writes its rows to its results file and its ready users, as the JSON that goes on the wire, to the
   job folder, and gives back only each user's size in bytes (4 bytes a user), its rows per status
   and its problems per code.
2. **plan and send**: the client checks ``max_invalid`` over the whole frame, cuts the batches of the
   whole frame from the sizes (:class:`bulkprep.dask.planning.BatchPlan`: the cuts of
   :func:`bulkprep.batching.cut_batches`, so the same numbers, users, bodies and idempotency keys as
   :func:`bulkprep.submit` of the computed frame), opens the job, and gives each partition's task the
   batches that *start* in its partition. The last of them may run on into the next partitions: the
   task reads that tail, a batch's worth of lines at most, from their staged files. So one batch is
   sent by one task, and what crosses the cluster is the plan and the sizes, never the rows. A
   shuffle on the batch number would do the same by moving every row between workers (and, for
   a frame not persisted, computing the preparation again); a plan per partition would end a batch
   at each partition's end, as this module used to.
3. **write**: each partition's results are written from the outcomes of its rows, which the tasks
   that sent them (its own and, for its first rows, an earlier partition's) kept in the job folder;
   with ``wait=True``, the delivery states the client read after the run are added.

The journal is one SQLite file per sending task (``part-00007.journal``: the batches starting in
partition 7) under the job folder, next to the client's ``job.journal``. Each has one writer: the
task sending those batches, which runs on one worker at a time. One shared file would not do: SQLite
takes one writer at a time and the journal admits one process (an OS lock), so the workers would wait
on each other at every step of every batch, and over a network file system SQLite's locks cannot be
trusted between machines; funnelling every step through the client instead would make each send wait
on a round trip to the client and lose the record with the client. A worker that dies mid-send
releases its file's lock with its process; the task run again (the scheduler does so by itself, or
the same ``submit`` is called again with the same folder) resumes from the file like ``bulkprep submit
--journal``: acknowledged batches are not sent again, and a batch that was in flight goes again under
the same idempotency key, which Courier answers from its record without taking its users twice. The
input must prepare to the same rows in the same partitions again (it does: preparing is
deterministic), and the call must cut the same batches (same ``batch_size`` and ``max_batch_bytes``).

Where it differs from :func:`bulkprep.submit`: ``max_rejected`` is applied by each task to the users it
sent (once one task stops, the others stop before their next batch, through a file in the job folder);
the halves of a batch Courier found too large are numbered per task (after every planned batch); a
stop other than a guard is not raised but said in ``left_to_do``; the progress bar moves as each
partition's batches are all settled.

The API key never enters the task graph: the client process and every worker take it from their
environment (``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN``), as the command line does. On a real
cluster, set it in the workers' environment.

Example:
    >>> import os, tempfile, dask, pandas as pd, dask.dataframe as dd
    >>> from bulkprep.dask import prepare
    >>> from bulkprep.sandbox import Sandbox
    >>> users = pd.DataFrame({"Email": ["ann@example.com", "bob@example.com", "oops"]})
    >>> with Sandbox(token="sk_test", processing_seconds=0) as sandbox, dask.config.set(scheduler="sync"):
    ...     os.environ["COURIER_API_KEY"] = "sk_test"
    ...     prepared = prepare(dd.from_pandas(users, npartitions=2), {"profile": {"email": "Email"}})
    ...     result = submit(prepared, tempfile.mkdtemp(), event="WELCOME", base_url=sandbox.url)
    ...     del os.environ["COURIER_API_KEY"]
    >>> result.summary
    {'accepted': 2, 'invalid': 1}
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, cast

import dask.dataframe as dd
import numpy as np
import orjson
import pandas as pd

from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS, Batch, _body
from bulkprep.client import DEFAULT_REQUEST_DEADLINE, CourierClient
from bulkprep.dask._typed import Delayed, completed, compute, frame_from_map, partitions, task
from bulkprep.dask.planning import BatchPlan
from bulkprep.dask.preparing import DaskPrepared
from bulkprep.dask.staging import (
    RESULTS_FOLDER,
    STAGED_FOLDER,
    read_piece,
    read_users,
    results_path,
    stage_part,
    staged_rows,
    users_of,
    write_piece,
    write_results,
)
from bulkprep.delivery import (
    DEFAULT_POLL_INTERVAL,
    _read_users,
    _users_limit,
    delivery_problems,
    message_outcomes,
    run_job,
    unlisted,
    wait_for_job,
    with_problem_text,
)
from bulkprep.errors import BulkprepError, ConfigurationError, GuardError, JournalError, RunWithheld
from bulkprep.guard import GuardDecision, Limit, _allowed, check_limit
from bulkprep.journal import Journal
from bulkprep.matching import identities_of, match_to_rows
from bulkprep.parquet import require_writer
from bulkprep.progress import progress_bar
from bulkprep.report import concat_errors, empty_errors, errors_from_records
from bulkprep.results import UNMATCHED_COLUMNS, SubmitPlan
from bulkprep.retry import RetryPolicy
from bulkprep.sending import BatchSender, Outcomes, Progress, result_frame, work_from_journal
from bulkprep.status import ROW_KEY, Column, RowStatus
from bulkprep.submit import _check_options, _definition_hash, _open_job, job_definition

__all__ = ["JOB_JOURNAL", "RESULTS_FOLDER", "DaskSubmitResult", "submit"]

JOB_JOURNAL = "job.journal"
"""The client's journal in the job folder: the job, and whether it was run."""
STOP_FILE = "stop"
"""The file of ``staged/`` that a guard tripped in one partition's task leaves, to stop all the others."""

_PREVIEW_USERS = 3
_PREVIEW_ROWS = 5
_NOT_SENDABLE = (RowStatus.INVALID.value, RowStatus.DUPLICATE.value)
_TOP = 3


@dataclass(frozen=True)
class DaskSubmitResult:
    """What :func:`submit` did: the job, the rows per status, and every row's outcome on disk.

    Attributes:
        job_id: the job the users went to (None when no job was made: nothing ready, a guard, a dry
            run creating one).
        summary: rows per final status (``accepted``, ``rejected``, ``failed``, ``invalid``, ...).
        results: the folder of Parquet files, one per partition, with the columns of the results CSV.
        errors: the ``ingest`` errors of the sent rows (Courier's refusals), one row each, and with
            ``wait=True`` the ``delivery`` problems.
        left_to_do: what is left when a partition stopped short or the wait ended first (else None).
        unmatched_errors: Courier errors tied to no single row (never dropped).
        job: the job as Courier last showed it (after running or waiting), else None.
        plan: for a dry run, what would be sent (:class:`bulkprep.results.SubmitPlan`).
        guard: the ``max_invalid`` decision, when the guard was asked for.
    """

    job_id: str | None
    summary: dict[str, int]
    results: Path
    errors: pd.DataFrame
    left_to_do: str | None = None
    unmatched_errors: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(UNMATCHED_COLUMNS))
    )
    job: dict[str, Any] | None = None
    plan: SubmitPlan | None = None
    guard: GuardDecision | None = None

    @property
    def df(self) -> dd.DataFrame:
        """Every row with its status, as a Dask DataFrame read from :attr:`results`."""
        files = sorted(str(path) for path in self.results.glob("part-*.parquet"))
        first = pd.read_parquet(files[0])
        return frame_from_map(pd.read_parquet, files, meta=first.iloc[:0])


@dataclass(frozen=True)
class _Sending:
    """What every partition's task needs to send (no secret: the workers read the key themselves)."""

    job_id: str
    base_url: str
    definition_hash: str
    folder: str
    concurrency: int
    retry: RetryPolicy
    request_deadline: float
    proxy: str | None
    max_rejected: Limit | None
    identities: bool  # give back the accepted users' identities (to read their delivery after the run)


@dataclass(frozen=True)
class _Batches:
    """The batches one partition's task sends: those starting in the partition, as the plan cuts them."""

    part: int
    reads: list[tuple[int, int, int]]  # (partition, first, stop) slices of ready users they hold
    first_number: int
    users: list[int]  # users per batch, in order
    halves: int  # the first number the halves of its cut batches take


def _stage(frame: pd.DataFrame, errors: pd.DataFrame, part: int, folder: str) -> dict[str, Any]:
    return stage_part(frame, errors, part, Path(folder))


class _SharedStop(threading.Event):
    """A sender's stop that is also set by a guard tripped in another partition's task (a file)."""

    def __init__(self, path: Path, sender: Callable[[], BatchSender]) -> None:
        super().__init__()
        self.path = path
        self.sender = sender

    def is_set(self) -> bool:
        if super().is_set():
            return True
        if not self.path.exists():
            return False
        sender = self.sender()
        sender.halted = sender.halted or self.path.read_text(encoding="utf-8")
        super().set()
        return True


def _write_stop(path: Path, reason: str) -> None:
    """Put the stop file in place whole: another partition that sees it reads the reason, never a
    file just created and not yet written (a stop with no reason)."""
    written = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    written.write_text(reason, encoding="utf-8")
    os.replace(written, path)


def _send_part(batches: _Batches, how: _Sending) -> dict[str, Any]:
    """Send the batches starting in one partition (resuming from its journal); keep every row's outcome."""
    folder = Path(how.folder)
    rows, lines = read_users(folder, batches.reads)
    users = users_of(rows, lines)
    cut: list[Batch] = []
    start = 0
    for number, count in enumerate(batches.users, start=batches.first_number):
        cut.append(Batch(number, tuple(rows[start : start + count]), _body(lines[start : start + count])))
        start += count
    stopped: str | None = None
    halted = False
    with ExitStack() as stack:
        book = stack.enter_context(Journal.open(folder / f"part-{batches.part:05d}.journal"))
        entry = book.job()
        if entry is None:
            book.set_job(how.job_id, base_url=how.base_url, definition_hash=how.definition_hash)
        elif entry.job_id != how.job_id or entry.definition_hash != how.definition_hash:
            raise JournalError(
                f"the journal of partition {batches.part} in {folder} belongs to job {entry.job_id}, not "
                f"{how.job_id}; use a new job folder"
            )
        client = stack.enter_context(
            CourierClient(
                None,  # the worker's own environment holds the key
                how.base_url,
                pool_maxsize=how.concurrency,
                retry=how.retry,
                proxy=how.proxy,
                request_deadline=how.request_deadline,
            )
        )
        work = work_from_journal(book, users, cut)
        sender = BatchSender(
            client=client,
            job_id=how.job_id,
            users=users,
            policy=how.retry,
            journal=book,
            progress=Progress(total_rows=len(users), enabled=False),
            next_number=max([batches.halves, *(item.batch.number + 1 for item in work)]),
            max_rejected=how.max_rejected,
            resend=(
                f"run the same submit again with the job folder {folder}: it resends the batch under the "
                "same idempotency key, then runs the job"
            ),
        )
        stop_file = folder / STAGED_FOLDER / STOP_FILE
        sender.stop = _SharedStop(stop_file, lambda: sender)
        try:
            outcomes = sender.run(work, concurrency=how.concurrency)
        except BulkprepError as exc:
            halted = isinstance(exc, GuardError)
            if halted and not stop_file.exists():
                _write_stop(stop_file, str(exc))  # the other partitions stop too
            again = f"to send the rest, run the same submit again with the job folder {folder}"
            sender.settle_unsent(
                work,
                not_sent=f"not sent: sending stopped ({exc}); {again}",
                in_flight=(
                    f"sending stopped ({exc}) while its batch was in flight: whether Courier took it is "
                    f"not known; {again} (it goes again under the same idempotency key)"
                ),
            )
            outcomes = sender.outcomes
            stopped = f"partition {batches.part}: {exc}"
    accepted: dict[int, pd.DataFrame] = {}
    for part, first, stop in batches.reads:
        # The rows of this slice, as the batches hold them (they follow each other in ``rows``).
        offset = sum(high - low for number, low, high in batches.reads if number < part)
        slice_rows = rows[offset : offset + stop - first]
        write_piece(folder, batches.part, part, outcomes, slice_rows)
        if how.identities:
            taken = [row for row in slice_rows if outcomes.status.get(row) is RowStatus.ACCEPTED]
            accepted[part] = identities_of(users.loc[taken])
    return {
        "batches": len(cut),
        "errors": outcomes.errors,
        "unmatched": outcomes.unmatched,
        "stopped": stopped,
        "halted": halted,
        "accepted": outcomes.count(RowStatus.ACCEPTED),
        "in_doubt": sorted(sender.in_doubt),
        "identities": accepted,
    }


def _write_part(
    part: int,
    senders: list[int],
    folder: str,
    planned: np.ndarray | None,
    delivery: Mapping[int, tuple[Any, Any]],
    outcome: Mapping[int, tuple[Any, ...]],
) -> dict[str, Any]:
    """Write partition ``part``'s results: its rows with what became of them; its rows per status."""
    where = Path(folder)
    path = results_path(where, part)
    frame = pd.read_parquet(path)
    outcomes = Outcomes()
    for sender in senders:
        read_piece(where, sender, part, outcomes)
    outcomes.delivery.update(delivery)
    outcomes.outcome.update(outcome)
    batches = None
    if planned is not None:
        batches = dict(zip(staged_rows(where, part).tolist(), planned.tolist(), strict=True))
    out = result_frame(frame, outcomes, batches)
    if delivery or outcome:
        out = with_problem_text(out, delivery_problems(delivery, outcome))
    write_results(out, path)
    counts = out[Column.STATUS.value].astype("object").value_counts()
    skipped = out.loc[
        out[Column.STATUS.value].astype("object") != RowStatus.READY.value,
        [ROW_KEY, Column.STATUS.value, Column.ERROR.value],
    ]
    return {
        "summary": {str(status): int(count) for status, count in counts.items()},
        "skipped": skipped.reset_index(drop=True) if planned is not None else None,
    }


def _invalid_guard(staged: list[dict[str, Any]], limit: Limit) -> GuardDecision:
    """``max_invalid`` over every partition: :func:`bulkprep.guard.check_invalid` of the whole frame."""
    total = sum(part["rows"] for part in staged)
    bad = sum(part["counts"].get(status, 0) for part in staged for status in _NOT_SENDABLE)
    problems: dict[str, tuple[int, int]] = {}
    for part in staged:
        for code, (rows, first) in part["problems"].items():
            held, low = problems.get(code, (0, first))
            problems[code] = (held + rows, min(low, first))  # a row is in one partition only
    top = sorted(problems.items(), key=lambda found: (-found[1][0], found[1][1]))[:_TOP]
    return GuardDecision(
        limit,
        bad=bad,
        total=total,
        allowed=_allowed(limit, total),
        top=tuple((code, rows) for code, (rows, _) in top),
    )


def _first_rows(folder: Path, plan: BatchPlan) -> list[list[int]]:
    """The first row keys of each batch (as a dry run's plan shows them), read from the staged rows."""
    rows = [staged_rows(folder, part) for part in range(len(plan.offsets) - 1)]
    found: list[list[int]] = []
    for start, stop in zip(plan.bounds[:-1].tolist(), plan.bounds[1:].tolist(), strict=True):
        wanted = range(start, min(stop, start + _PREVIEW_ROWS))
        parts = np.searchsorted(plan.offsets, list(wanted), side="right") - 1
        found.append(
            [
                int(rows[part][position - plan.offsets[part]])
                for part, position in zip(parts, wanted, strict=True)
            ]
        )
    return found


def _dry_plan(folder: Path, plan: BatchPlan, definition: dict[str, Any], skipped: pd.DataFrame) -> SubmitPlan:
    table = pd.DataFrame(
        {
            "batch": list(range(1, plan.batches + 1)),
            "users": np.diff(plan.bounds).tolist(),
            "bytes": plan.nbytes.tolist(),
            "first_rows": _first_rows(folder, plan),
        }
    )
    payloads: list[dict[str, Any]] = []
    if plan.batches:
        head = min(int(plan.bounds[1]), _PREVIEW_USERS)
        part = int(np.searchsorted(plan.offsets, 0, side="right")) - 1
        _, lines = read_users(folder, [(part, 0, head)])
        payloads = [orjson.loads(line) for line in lines]
    return SubmitPlan(job=definition, batches=table, payloads=payloads, skipped=skipped)


def _deliveries(
    client: CourierClient, job_id: str, sent: list[dict[str, Any]], progress: bool
) -> tuple[dict[int, dict[int, Any]], dict[int, dict[int, Any]]]:
    """Each accepted row's delivery state and its message's outcome, per partition of the row."""
    owner: dict[int, int] = {}
    frames = []
    for done in sent:
        for part, identities in done["identities"].items():
            owner.update(dict.fromkeys(identities.index.tolist(), part))
            frames.append(identities)
    if not owner:
        return {}, {}
    identities = pd.concat(frames)
    items = _read_users(client, job_id, limit=_users_limit(len(identities)))
    echoes = [item.model_dump(mode="json", exclude_unset=True) for item in items]
    matching = match_to_rows(echoes, identities)
    states = {row: (items[at].status.value, items[at].messageId) for at, row in matching.matches.items()}
    outcomes = message_outcomes(
        client, {row: mid for row, (_, mid) in states.items() if mid}, progress=progress
    )
    outcomes.update(unlisted(owner, states))
    delivery: dict[int, dict[int, Any]] = {}
    messages: dict[int, dict[int, Any]] = {}
    for row, state in states.items():
        delivery.setdefault(owner[row], {})[row] = state
    for row, found in outcomes.items():
        messages.setdefault(owner[row], {})[row] = found
    return delivery, messages


def _summed(parts: list[dict[str, int]]) -> dict[str, int]:
    summary: dict[str, int] = {}
    for part in parts:
        for status, count in part.items():
            summary[status] = summary.get(status, 0) + count
    return summary


def submit(
    prepared: DaskPrepared,
    job_folder: str | PathLike[str],
    *,
    job_id: str | None = None,
    event: str | None = None,
    message: Mapping[str, Any] | None = None,
    run: bool = False,
    wait: bool = False,
    base_url: str | None = None,
    batch_size: int = DEFAULT_MAX_BATCH_USERS,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    concurrency: int = 2,
    dry_run: bool = False,
    progress: bool | None = None,
    retry: RetryPolicy | None = None,
    proxy: str | None = None,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    max_invalid: Limit | None = None,
    max_rejected: Limit | None = None,
    wait_timeout: float = 600.0,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> DaskSubmitResult:
    """Send the ready rows of a prepared Dask DataFrame to one Courier bulk job, from the workers.

    The batches are those :func:`bulkprep.submit` cuts from the computed frame: the same numbers,
    users, bodies and idempotency keys. Called again with the same ``job_folder`` (after a worker, or
    the client, died), it resumes: the same job, no batch Courier took sent again, a batch left in
    doubt sent again under its key.

    Args:
        prepared: what :func:`bulkprep.dask.prepare` gave.
        job_folder: where the journals, the staged users and the results go (the client and every
            worker must be able to write it).
        job_id, event, message: the job, as for :func:`bulkprep.submit`.
        run: run the job once every partition is sent (when a user is in it).
        wait: wait for the job to finish, then add each accepted row's delivery state and its
            message's outcome (needs ``run``; the job's users are read on the client).
        base_url: Courier's API (by default ``COURIER_BASE_URL``, else Courier's), for every worker.
        batch_size, max_batch_bytes: as for :func:`bulkprep.submit`.
        concurrency: batches in flight at once per partition's task.
        dry_run: send nothing and make no job; ``plan`` shows the batches that would be sent, and the
            results hold each ready row's batch.
        progress: a bar over the batches sent (by default only when standard error is a terminal).
        retry: the retry policy (:class:`~bulkprep.retry.RetryPolicy`).
        proxy, request_deadline: as for :func:`bulkprep.submit`.
        max_invalid: as for :func:`bulkprep.submit`: refuse before the job is made when more rows of
            the whole frame are invalid or duplicate.
        max_rejected: as for :func:`bulkprep.submit`, applied by each partition's task to the users it
            sent; once one task stops, every other stops before its next batch.
        wait_timeout, poll_interval: as for :func:`bulkprep.submit`.

    Returns:
        A :class:`DaskSubmitResult`. When no row is ready and the job would be created, nothing is
        sent and no job is made (``job_id`` is None).

    Raises:
        ConfigurationError: missing or contradictory options, or no API key in the environment.
        GuardError: ``max_invalid`` refused the frame (no job made) or ``max_rejected`` stopped the
            sending; ``exc.result`` is the :class:`DaskSubmitResult`, every row's status on disk.
        JournalError: the job folder belongs to another job, or the input no longer matches it.
        CourierError: creating or running the job failed (after retries).
    """
    if not isinstance(prepared, DaskPrepared):
        raise ConfigurationError("submit takes what bulkprep.dask.prepare gives")
    _check_options(
        run=run, wait=wait, concurrency=concurrency, wait_timeout=wait_timeout, poll_interval=poll_interval
    )
    max_invalid = check_limit(max_invalid, "max_invalid")
    max_rejected = check_limit(max_rejected, "max_rejected")
    BatchPlan.of([], max_users=batch_size, max_bytes=max_batch_bytes)  # the limits, checked now
    require_writer(Path(job_folder) / RESULTS_FOLDER / "part.parquet")  # say so before sending anything
    definition = job_definition(job_id=job_id, event=event, message=message)
    policy = retry if retry is not None else RetryPolicy()
    show = progress if progress is not None else _on_a_terminal()
    folder = Path(job_folder).resolve()
    (folder / RESULTS_FOLDER).mkdir(parents=True, exist_ok=True)
    staging = folder / STAGED_FOLDER
    staging.mkdir(exist_ok=True)
    (staging / STOP_FILE).unlink(missing_ok=True)  # a guard of an earlier call decides nothing now

    # 1. Prepare once: each partition's rows and ready users to the job folder; their sizes back.
    frames, problems = partitions(prepared.df), partitions(prepared.errors)
    stage_tasks = [
        task(_stage, frame, errors, number, str(folder), pure=False)
        for number, (frame, errors) in enumerate(zip(frames, problems, strict=True))
    ]
    staged = cast(list[dict[str, Any]], list(compute(*stage_tasks)))
    plan = BatchPlan.of([part["sizes"] for part in staged], max_users=batch_size, max_bytes=max_batch_bytes)
    prepared_summary = _summed([part["counts"] for part in staged])
    guard = None if max_invalid is None else _invalid_guard(staged, max_invalid)
    parts = range(len(staged))

    def as_prepared(**more: Any) -> DaskSubmitResult:
        return DaskSubmitResult(
            job_id=None,
            summary=prepared_summary,
            results=folder / RESULTS_FOLDER,
            errors=_no_errors(),
            guard=guard,
            **more,
        )

    if dry_run:
        written = compute(
            *[task(_write_part, part, [], str(folder), plan.numbers(part), {}, {}) for part in parts]
        )
        skipped = pd.concat([done["skipped"] for done in written], ignore_index=True)
        shown = _dry_plan(folder, plan, definition, skipped)
        shutil.rmtree(staging, ignore_errors=True)
        return DaskSubmitResult(
            job_id=definition.get("job_id"),
            summary=prepared_summary,
            results=folder / RESULTS_FOLDER,
            errors=_no_errors(),
            plan=shown,
            guard=guard,
        )
    if guard is not None and not guard.passed:
        shutil.rmtree(staging, ignore_errors=True)
        raise GuardError(f"nothing was sent and no job was created: {guard.explain()}", as_prepared())
    if not plan.users and "message" in definition:
        shutil.rmtree(staging, ignore_errors=True)
        return as_prepared()  # nothing to send: a job created now would stay empty forever

    with ExitStack() as stack:
        client = stack.enter_context(
            CourierClient(None, base_url, retry=policy, proxy=proxy, request_deadline=request_deadline)
        )
        book = stack.enter_context(Journal.open(folder / JOB_JOURNAL))
        # The job's key is the journal's run: a call again finds the same job even when the first one
        # died before recording it.
        opened, resumed = _open_job(client=client, journal=book, definition=definition, batches=[])
        how = _Sending(
            job_id=opened,
            base_url=client.base_url,
            definition_hash=_definition_hash(definition),
            folder=str(folder),
            concurrency=concurrency,
            retry=policy,
            request_deadline=request_deadline,
            proxy=proxy,
            max_rejected=max_rejected,
            identities=wait,
        )
        # 2. Send: each batch from the task of the partition it starts in.
        sent = _send_all(plan, how, show)
        stopped = [done["stopped"] for done in sent if done["stopped"]]
        halted = any(done["halted"] for done in sent)
        accepted = sum(done["accepted"] for done in sent)
        job = None
        delivery: dict[int, dict[int, Any]] = {}
        messages: dict[int, dict[int, Any]] = {}
        left: str | None = None
        in_doubt = {number for done in sent for number in done["in_doubt"]}
        withheld: RunWithheld | None = None
        runs = False
        if run and not stopped:
            try:
                job, runs = run_job(
                    client,
                    opened,
                    journal=book,
                    any_accepted=accepted > 0,
                    unknown_state=resumed or "job_id" in definition,
                    in_doubt=in_doubt,
                )
            except RunWithheld as exc:
                withheld = exc
                left = (
                    f"{exc}; to finish, run the same submit again with the job folder {folder}: it "
                    "resends the batches in doubt under the same idempotency keys, then runs the job"
                )
            if wait and runs:
                job = wait_for_job(
                    client,
                    opened,
                    sleep=time.sleep,
                    timeout=wait_timeout,
                    interval=poll_interval,
                    progress=show,
                )
                if job.status.done:
                    delivery, messages = _deliveries(client, opened, sent, show)
                else:
                    left = (
                        f"job {opened} was still {job.status.value} after waiting {wait_timeout:g} s; the "
                        "delivery states are not known yet; run the same submit again with the job folder "
                        f"{folder} to wait again and read them"
                    )
    # 3. Write each partition's results from what became of its rows.
    written = compute(
        *[
            task(
                _write_part,
                part,
                plan.senders_of(part),
                str(folder),
                None,
                delivery.get(part, {}),
                messages.get(part, {}),
            )
            for part in parts
        ]
    )
    summary = _summed([done["summary"] for done in written])
    ingest = concat_errors([errors_from_records(done["errors"]) for done in sent])
    problems_after = [
        delivery_problems(delivery.get(part, {}), messages.get(part, {}))
        for part in parts
        if part in delivery
    ]
    errors = concat_errors([ingest, *problems_after])
    if stopped:
        left = (
            f"{'; '.join(stopped)}; to send the rest, run the same submit again with the job folder {folder}"
        )
    elif withheld is None:
        shutil.rmtree(staging, ignore_errors=True)
    result = DaskSubmitResult(
        job_id=opened,
        summary=summary,
        results=folder / RESULTS_FOLDER,
        errors=errors,
        left_to_do=left,
        unmatched_errors=pd.DataFrame(
            [record for done in sent for record in done["unmatched"]], columns=list(UNMATCHED_COLUMNS)
        ),
        job=None if job is None else job.model_dump(mode="json", exclude_unset=True),
        guard=guard,
    )
    if halted:
        reason = next(done["stopped"] for done in sent if done["halted"])
        raise GuardError(f"{reason}; {left}", result)
    return result


def _send_all(plan: BatchPlan, how: _Sending, show: bool) -> list[dict[str, Any]]:
    """Send every batch, each from the task of the partition it starts in; a bar over the batches sent."""
    work: list[Delayed] = []
    for part in range(len(plan.offsets) - 1):
        first, stop = plan.starting_in(part)
        if first == stop:
            continue
        batches = _Batches(
            part=part,
            reads=plan.reads(part),
            first_number=first + 1,
            users=np.diff(plan.bounds[first : stop + 1]).tolist(),
            # Halves of cut batches are numbered after every batch, from a range of twice the users
            # of the batches before (the most halves they can make): no two tasks take one number.
            halves=plan.batches + 1 + 2 * int(plan.bounds[first]),
        )
        # Not pure: a call again sends again (resuming from the journals), whatever was computed before.
        work.append(task(_send_part, batches, how, pure=False))
    sent: list[dict[str, Any]] = [{} for _ in work]
    with progress_bar(total=plan.batches, unit="batch", desc="submitting", enabled=show) as bar:
        for position, done in completed(work):
            sent[position] = done
            bar.update(done["batches"])
    return sent


def _no_errors() -> pd.DataFrame:
    return empty_errors()


def _on_a_terminal() -> bool:
    """Whether a bar would be seen: standard error is a terminal (not a log, not a pipe)."""
    return sys.stderr.isatty()
