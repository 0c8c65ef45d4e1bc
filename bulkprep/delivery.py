"""After the users are in: run the job once, wait for it, and read each user's delivery state.

Courier's ``GET /bulk/{job_id}/users`` lists the users with ``PENDING``, ``ENQUEUED`` or ``ERROR``
and a ``messageId``, but with no row index and no failure reason: the items are tied back to rows
through the same identity fields as ingest errors (:func:`bulkprep.matching.match_to_rows`). The job
and its users come as :class:`bulkprep.courier.Job` and :class:`bulkprep.courier.UserItem`.

Example:
    >>> from bulkprep.status import DeliveryStatus
    >>> delivery_errors({7: (DeliveryStatus.ERROR.value, None), 8: ("ENQUEUED", "1-abc")})[
    ...     ["bulk_row", "stage", "code"]].to_dict("records")
    [{'bulk_row': 7, 'stage': 'delivery', 'code': 'delivery_error'}]
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from bulkprep.client import CourierClient
from bulkprep.courier import Job
from bulkprep.errors import CourierError
from bulkprep.journal import Journal
from bulkprep.matching import identities_of, match_to_rows
from bulkprep.progress import progress_bar
from bulkprep.report import ErrorCode, empty_errors, errors_from_records
from bulkprep.status import ROW_KEY, DeliveryStatus, JobStatus, Stage

__all__ = ["DEFAULT_POLL_INTERVAL", "delivery_errors", "delivery_states", "run_job", "wait_for_job"]

#: First pause between two looks at a running job, in seconds; it grows to :data:`POLL_CAP`.
DEFAULT_POLL_INTERVAL = 1.0
#: The longest pause between two looks at a running job, in seconds.
POLL_CAP = 30.0
#: How much the pause between two looks grows each time.
POLL_GROWTH = 1.5

#: What one user's delivery is: (``bulk_delivery_status``, ``bulk_message_id``).
Delivery = tuple[Any, Any]

# Courier's answer to running a job that has run already.
_ALREADY_RUN = 409


def run_job(
    client: CourierClient,
    job_id: str,
    *,
    journal: Journal | None,
    any_accepted: bool,
    unknown_state: bool,
) -> tuple[Job, bool]:
    """Run the job when it holds users, unless it has run already; returns its snapshot and whether it runs.

    A job runs only once: a journal that says it was run, or a job past CREATED, is not run again.
    ``unknown_state`` says the job may have been run by someone else (a resumed or a given job). A
    ``409`` to the run request (a retry after the first answer was lost, or a run by someone else) is
    success when the job is no longer CREATED: it runs.

    Raises:
        CourierError: when Courier refuses to run the job (or does not answer), and the job has not run.
    """
    entry = journal.job() if journal is not None else None
    if entry is not None and entry.run_requested:
        return client.get_job(job_id), True
    if not any_accepted or unknown_state:
        job = client.get_job(job_id)
        if job.status is not JobStatus.CREATED:
            if journal is not None:
                journal.mark_run_requested()
            return job, True
        if not any_accepted and not job.received:
            return job, False  # nothing to run: no user reached the job
    key = "bulkprep-run-" + hashlib.sha256(job_id.encode()).hexdigest()[:32]
    try:
        client.run_job(job_id, idempotency_key=key)
    except CourierError as exc:
        if exc.status != _ALREADY_RUN:
            raise
        job = client.get_job(job_id)
        if job.status is JobStatus.CREATED:
            raise
    else:
        job = client.get_job(job_id)
    if journal is not None:
        journal.mark_run_requested()
    return job, True


def wait_for_job(
    client: CourierClient,
    job_id: str,
    *,
    sleep: Callable[[float], None],
    timeout: float,
    interval: float = DEFAULT_POLL_INTERVAL,
    progress: bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Poll the job with a growing pause until it is COMPLETED or ERROR, or ``timeout`` seconds passed.

    The timeout bounds the whole wait, the looks at the job included: it ends when the pauses add up to
    ``timeout`` or when ``clock`` says that many seconds passed, whichever comes first. A job returned
    with a status that is not ``done`` means the wait timed out.
    """
    waited = 0.0
    deadline = clock() + timeout
    job = client.get_job(job_id)
    total = job.received or 0
    with progress_bar(total=total, unit="user", desc="running", enabled=progress) as bar:
        while True:
            done = (job.enqueued or 0) + (job.failures or 0)
            bar.update(max(0, min(done, total) - bar.n))
            bar.set_postfix(status=job.status.value)
            left = min(timeout - waited, deadline - clock())
            if job.status.done or left <= 0:
                return job
            pause = min(interval, left)
            sleep(pause)
            waited += pause
            interval = min(interval * POLL_GROWTH, POLL_CAP)
            job = client.get_job(job_id)


def delivery_states(client: CourierClient, job_id: str, users: pd.Series) -> dict[int, Delivery]:
    """Each row's delivery state and message id, from the job's users; ``users`` are payloads by row key."""
    if users.empty:
        return {}
    items = list(client.iter_users(job_id))
    echoes = [item.model_dump(mode="json", exclude_unset=True) for item in items]
    matching = match_to_rows(echoes, identities_of(users))
    return {
        row: (items[position].status.value, items[position].messageId)
        for position, row in matching.matches.items()
    }


def delivery_errors(states: Mapping[int, Delivery]) -> pd.DataFrame:
    """Error-table rows (stage ``delivery``) for every row Courier reports in ERROR."""
    failed = [row for row, (status, _) in states.items() if status == DeliveryStatus.ERROR.value]
    if not failed:
        return empty_errors()
    return errors_from_records(
        {
            ROW_KEY: row,
            "stage": Stage.DELIVERY.value,
            "code": ErrorCode.DELIVERY_ERROR.value,
            "message": "Courier reports ERROR for this user after the job ran (it gives no reason)",
            "value": DeliveryStatus.ERROR.value,
        }
        for row in sorted(failed)
    )
