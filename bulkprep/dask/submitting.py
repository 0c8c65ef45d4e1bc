"""``submit`` from a cluster: one job, the users sent from the partitions on the workers, each exactly once.

The client process opens the job, once: it creates it (or takes the one its journal names, or the
one given) and records it in ``job.journal`` of the job folder. Then one graph does the rest on the
workers. Each partition's ready rows are cut into batches by :func:`bulkprep.batching.cut_batches`,
numbered on from the partitions before it, and sent by :class:`bulkprep.sending.BatchSender` with
the retries of the :class:`~bulkprep.retry.RetryPolicy` and the deterministic idempotency keys of
the in-memory path (the end of a partition ends a batch too: a partition is sent where it is, and
never waits for the next one to fill its last batch); each partition's rows, with their statuses,
are written as one Parquet file of ``results/``, which :attr:`DaskSubmitResult.df` reads as a Dask
DataFrame.

The journal is one SQLite file per partition (``part-00007.journal``) under the job folder, next to
the client's ``job.journal``. Each has one writer: the task sending that partition, which runs on
one worker at a time. One shared file would not do: SQLite takes one writer at a time and the
journal admits one process (an OS lock), so the workers would wait on each other at every step of
every batch, and over a network file system SQLite's locks cannot be trusted between machines;
funnelling every step through the client instead would make each send wait on a round trip to the
client and lose the record with the client. A worker that dies mid-send releases its file's lock
with its process; the partition's task run again (the scheduler does so by itself, or the same
``submit`` is called again with the same folder) resumes from the file like ``bulkprep submit
--journal``: acknowledged batches are not sent again, and a batch that was in flight goes again
under the same idempotency key, which Courier answers from its record without taking its users
twice. The input must prepare to the same rows again (it does: preparing is deterministic).

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

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, cast

import dask.dataframe as dd
import pandas as pd

from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS, cut_batches
from bulkprep.client import DEFAULT_REQUEST_DEADLINE, CourierClient
from bulkprep.dask._typed import compute, frame_from_map, partitions, task
from bulkprep.dask.preparing import DaskPrepared
from bulkprep.delivery import run_job
from bulkprep.errors import BulkprepError, ConfigurationError, JournalError
from bulkprep.journal import Journal
from bulkprep.parquet import require_writer, write_results_parquet
from bulkprep.report import concat_errors, errors_from_records
from bulkprep.retry import RetryPolicy
from bulkprep.sending import BatchSender, Progress, result_frame, work_from_journal
from bulkprep.status import Column, RowStatus
from bulkprep.submit import _definition_hash, _open_job, _ready, job_definition

__all__ = ["JOB_JOURNAL", "RESULTS_FOLDER", "DaskSubmitResult", "submit"]

JOB_JOURNAL = "job.journal"
"""The client's journal in the job folder: the job, and whether it was run."""
RESULTS_FOLDER = "results"
"""The folder of the job folder holding one Parquet file of results per partition."""


@dataclass(frozen=True)
class DaskSubmitResult:
    """What :func:`submit` did: the job, the rows per status, and every row's outcome on disk.

    Attributes:
        job_id: the job the users went to.
        summary: rows per final status (``accepted``, ``rejected``, ``failed``, ``invalid``, ...).
        results: the folder of Parquet files, one per partition, with the columns of the results CSV.
        errors: the ``ingest`` errors of the sent rows (Courier's refusals), one row each.
        left_to_do: what is left when a partition stopped short (None when every batch was settled).
    """

    job_id: str
    summary: dict[str, int]
    results: Path
    errors: pd.DataFrame
    left_to_do: str | None = None

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
    batch_size: int
    max_batch_bytes: int
    concurrency: int
    retry: RetryPolicy
    request_deadline: float
    proxy: str | None


def _plan(frame: pd.DataFrame, *, batch_size: int, max_batch_bytes: int) -> tuple[int, int]:
    """How many batches the partition's ready rows make, and how many ready rows it has."""
    _, users = _ready(frame)
    return len(cut_batches(users, max_users=batch_size, max_bytes=max_batch_bytes)), len(users)


def _numbers(plans: tuple[tuple[int, int], ...], number: int) -> tuple[int, int]:
    """The partition's first batch number, and the first number its cut batches' halves may take.

    Batches are numbered on through the partitions; the halves of each partition's cut batches take
    numbers after all of them, from a range of twice its ready rows (the most halves it can make).
    """
    total = sum(batches for batches, _ in plans)
    first = 1 + sum(batches for batches, _ in plans[:number])
    halves = total + 1 + 2 * sum(ready for _, ready in plans[:number])
    return first, halves


def _send_part(
    frame: pd.DataFrame, number: int, plans: tuple[tuple[int, int], ...], how: _Sending
) -> dict[str, Any]:
    """Send one partition's ready rows (resuming from its journal) and write its rows' results."""
    first, halves = _numbers(plans, number)
    _, users = _ready(frame)
    batches = cut_batches(users, max_users=how.batch_size, max_bytes=how.max_batch_bytes, first_number=first)
    folder = Path(how.folder)
    stopped: str | None = None
    with ExitStack() as stack:
        book = stack.enter_context(Journal.open(folder / f"part-{number:05d}.journal"))
        entry = book.job()
        if entry is None:
            book.set_job(how.job_id, base_url=how.base_url, definition_hash=how.definition_hash)
        elif entry.job_id != how.job_id or entry.definition_hash != how.definition_hash:
            raise JournalError(
                f"the journal of partition {number} in {folder} belongs to job {entry.job_id}, not "
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
        work = work_from_journal(book, users, batches)
        sender = BatchSender(
            client=client,
            job_id=how.job_id,
            users=users,
            policy=how.retry,
            journal=book,
            progress=Progress(total_rows=len(users), enabled=False),
            next_number=max([halves, *(item.batch.number + 1 for item in work)]),
        )
        try:
            outcomes = sender.run(work, concurrency=how.concurrency)
        except BulkprepError as exc:
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
            stopped = f"partition {number}: {exc}"
    results = result_frame(frame, outcomes)
    target = folder / RESULTS_FOLDER / f"part-{number:05d}.parquet"
    write_results_parquet(results, target)
    counts = results[Column.STATUS.value].value_counts()
    return {
        "summary": {str(status): int(count) for status, count in counts.items()},
        "errors": outcomes.errors,
        "stopped": stopped,
    }


def submit(
    prepared: DaskPrepared,
    job_folder: str | PathLike[str],
    *,
    job_id: str | None = None,
    event: str | None = None,
    message: Mapping[str, Any] | None = None,
    run: bool = False,
    base_url: str | None = None,
    batch_size: int = DEFAULT_MAX_BATCH_USERS,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    concurrency: int = 2,
    retry: RetryPolicy | None = None,
    proxy: str | None = None,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
) -> DaskSubmitResult:
    """Send the ready rows of a prepared Dask DataFrame to one Courier bulk job, from the workers.

    Called again with the same ``job_folder`` (after a worker, or the client, died), it resumes: the
    same job, no batch Courier took sent again, a batch left in doubt sent again under its key.
    The job is opened before the partitions are computed (so a new job is made even when no row
    turns out ready), and run, with ``run=True``, only when no partition stopped short.

    Args:
        prepared: what :func:`bulkprep.dask.prepare` gave.
        job_folder: where the journals and the results go (every worker must be able to write it).
        job_id, event, message: the job, as for :func:`bulkprep.submit`.
        run: run the job once every partition is sent (when a user is in it).
        base_url: Courier's API (by default ``COURIER_BASE_URL``, else Courier's), for every worker.
        batch_size, max_batch_bytes: as for :func:`bulkprep.submit`.
        concurrency: batches in flight at once per partition's task.
        retry: the retry policy (:class:`~bulkprep.retry.RetryPolicy`).
        proxy, request_deadline: as for :func:`bulkprep.submit`.

    Returns:
        A :class:`DaskSubmitResult`.

    Raises:
        ConfigurationError: missing or contradictory options, or no API key in the environment.
        JournalError: the job folder belongs to another job, or the input no longer matches it.
        CourierError: creating or running the job failed (after retries).
    """
    if not isinstance(prepared, DaskPrepared):
        raise ConfigurationError("submit takes what bulkprep.dask.prepare gives")
    if concurrency < 1:
        raise ConfigurationError(f"concurrency={concurrency} must be at least 1")
    require_writer(Path(job_folder) / RESULTS_FOLDER / "part.parquet")  # say so before sending anything
    definition = job_definition(job_id=job_id, event=event, message=message)
    policy = retry if retry is not None else RetryPolicy()
    folder = Path(job_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULTS_FOLDER).mkdir(exist_ok=True)
    with ExitStack() as stack:
        client = stack.enter_context(
            CourierClient(None, base_url, retry=policy, proxy=proxy, request_deadline=request_deadline)
        )
        book = stack.enter_context(Journal.open(folder / JOB_JOURNAL))
        # The job is made before the partitions are computed: its key is the journal's run, so a
        # run again finds the same job even when the first one died before recording it.
        opened, resumed = _open_job(client=client, journal=book, definition=definition, batches=[])
        how = _Sending(
            job_id=opened,
            base_url=client.base_url,
            definition_hash=_definition_hash(definition),
            folder=str(folder.resolve()),
            batch_size=batch_size,
            max_batch_bytes=max_batch_bytes,
            concurrency=concurrency,
            retry=policy,
            request_deadline=request_deadline,
            proxy=proxy,
        )
        parts = partitions(prepared.df)
        plans = [task(_plan, part, batch_size=batch_size, max_batch_bytes=max_batch_bytes) for part in parts]
        every_plan = task(tuple, plans)
        # Not pure: a call again sends again (resuming from the journals), whatever was computed before.
        sends = [
            task(_send_part, part, number, every_plan, how, pure=False) for number, part in enumerate(parts)
        ]
        sent = cast(tuple[dict[str, Any], ...], compute(*sends))
        summary: dict[str, int] = {}
        for part in sent:
            for status, count in part["summary"].items():
                summary[status] = summary.get(status, 0) + count
        stopped = [part["stopped"] for part in sent if part["stopped"]]
        if run and not stopped:
            run_job(
                client,
                opened,
                journal=book,
                any_accepted=summary.get(RowStatus.ACCEPTED.value, 0) > 0,
                unknown_state=resumed or "job_id" in definition,
            )
    errors = concat_errors([errors_from_records(part["errors"]) for part in sent])
    left = None
    if stopped:
        left = (
            f"{'; '.join(stopped)}; to send the rest, run the same submit again with the job folder {folder}"
        )
    return DaskSubmitResult(
        job_id=opened,
        summary=summary,
        results=folder / RESULTS_FOLDER,
        errors=errors,
        left_to_do=left,
    )
