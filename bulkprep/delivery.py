"""After the users are in: run the job once, wait for it, and read each user's delivery state.

Courier's ``GET /bulk/{job_id}/users`` lists the users with ``PENDING``, ``ENQUEUED`` or ``ERROR``
and a ``messageId``, but with no row index and no failure reason: the items are tied back to rows
through the same identity fields as ingest errors (:func:`bulkprep.matching.match_to_rows`). The job
and its users come as :class:`bulkprep.courier.Job` and :class:`bulkprep.courier.UserItem`.

Once a user is enqueued, Courier's Messages API (``GET /messages/{message_id}``) says what became of
its message: :func:`message_outcomes` reads every row's, a few at a time, into ``bulk_outcome`` and
``bulk_outcome_reason``; :func:`delivery_problems` turns users in ERROR and messages that could not be
delivered into error-table rows, and :func:`refreshed` reads it all again later from the journal.

Example:
    >>> from bulkprep.status import DeliveryStatus
    >>> delivery_errors({7: (DeliveryStatus.ERROR.value, None), 8: ("ENQUEUED", "1-abc")})[
    ...     ["bulk_row", "stage", "code"]].to_dict("records")
    [{'bulk_row': 7, 'stage': 'delivery', 'code': 'delivery_error'}]
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import orjson
import pandas as pd

from bulkprep.client import CourierClient
from bulkprep.courier import Job, MessageReason, MessageStatus, UserItem
from bulkprep.errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    CourierError,
    ProtocolError,
    RunWithheld,
)
from bulkprep.journal import Journal
from bulkprep.matching import identities_of, match_to_rows
from bulkprep.progress import progress_bar
from bulkprep.redaction import one_line
from bulkprep.report import ErrorCode, concat_errors, empty_errors, errors_from_records
from bulkprep.status import ROW_KEY, BatchState, Column, DeliveryStatus, JobStatus, RowStatus, Stage

if TYPE_CHECKING:
    from bulkprep.results import SubmitResult

_log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_OUTCOME_WORKERS",
    "DEFAULT_POLL_INTERVAL",
    "UNDELIVERED_OUTCOMES",
    "UNLISTED",
    "UNREAD",
    "delivery_errors",
    "delivery_problems",
    "delivery_states",
    "message_outcomes",
    "outcome_errors",
    "outcome_unread",
    "refreshed",
    "run_job",
    "run_withheld",
    "undelivered",
    "unlisted",
    "unread_reason",
    "wait_for_job",
    "wait_until",
    "with_problem_text",
]

#: First pause between two looks at a running job, in seconds; it grows to :data:`POLL_CAP`.
DEFAULT_POLL_INTERVAL = 1.0
#: The longest pause between two looks at a running job, in seconds.
POLL_CAP = 30.0
#: How much the pause between two looks grows each time.
POLL_GROWTH = 1.5

#: What one user's delivery is: (``bulk_delivery_status``, ``bulk_message_id``).
Delivery = tuple[Any, Any]
#: What became of one user's message: (``bulk_outcome``, ``bulk_outcome_reason``).
Outcome = tuple[Any, Any]

#: How many messages are read at once after the job ran.
DEFAULT_OUTCOME_WORKERS = 8

UNDELIVERED_OUTCOMES: frozenset[str] = frozenset(
    {MessageStatus.UNDELIVERABLE.value, MessageStatus.UNROUTABLE.value}
)
"""The message statuses that mean the user did not get it (code ``undeliverable``)."""

# What to do about a message that did not arrive, by Courier's reason.
_WHAT_TO_DO: dict[str, str] = {
    MessageReason.BOUNCED.value: "the address bounced: fix the email or phone and send to the row again",
    MessageReason.UNSUBSCRIBED.value: "the user unsubscribed: respect it and do not send to the row again",
    MessageReason.OPT_IN_REQUIRED.value: "the channel needs the user's opt-in first: get it, then send again",
    MessageReason.NO_CHANNELS.value: "Courier found no channel for the user: add an email or a phone "
    "number to the row's profile",
    MessageReason.NO_PROVIDERS.value: "no provider is configured for the channel: set one up in Courier",
    MessageReason.PROVIDER_ERROR.value: "the provider refused the message: read its error, then send again",
    MessageReason.FILTERED.value: "a rule of the notification filtered the user out: check its conditions",
    MessageReason.UNPUBLISHED.value: "the notification is not published: publish it, then send again",
    MessageReason.FAILED.value: "Courier could not send it: read its error, then send again",
}
_NO_REASON = "Courier gave no reason; look the message up in Courier's message logs"
_UNKNOWN_REASON = "look the message up in Courier's message logs for what this reason means"

#: The most characters kept of a reason or an error text a message answer gives.
MAX_SAID_CHARS = 200


def _said(text: str | None) -> str | None:
    """A reason or error text of a message answer (scrubbed already), one printable line, cut to a bound."""
    if text is None:
        return None
    shown = one_line(text.strip())
    return shown if len(shown) <= MAX_SAID_CHARS else shown[: MAX_SAID_CHARS - 3] + "..."


#: How the outcome reason of a message that could not be read starts.
UNREAD = "not read"


def unread_reason(exc: CourierError) -> str:
    """The outcome reason of a message Courier did not tell about: why, in a few words, the same for alike.

    Example:
        >>> unread_reason(CourierError("GET /messages/1-a failed", status=500))
        'not read (Courier answered 500); bulkprep status reads it again'
    """
    why = f"Courier answered {exc.status}" if exc.status else "no usable answer"
    return f"{UNREAD} ({why}); bulkprep status reads it again"


#: The outcome reason of a row sent to the job whose user the job's users list does not hold.
UNLISTED = f"{UNREAD} (the job's users list does not hold this user); bulkprep status reads it again"


def unlisted(rows: Iterable[int], states: Mapping[int, Delivery]) -> dict[int, tuple[None, str, None]]:
    """The outcome of each of ``rows`` (sent to the job) that the job's users list left without a state.

    Courier took these users, yet its list does not hold them (or holds other users only): their
    delivery is not known, which is said in their outcome reason (:data:`UNLISTED`), as for a message
    whose outcome could not be read, and never shown as a state read earlier.

    Example:
        >>> unlisted([2, 3], {2: ("ENQUEUED", "1-a")}) == {3: (None, UNLISTED, None)}
        True
    """
    return {int(row): (None, UNLISTED, None) for row in rows if int(row) not in states}


def outcome_unread(df: pd.DataFrame) -> np.ndarray:
    """Which rows of a result have a message whose outcome could not be read (see :func:`unread_reason`).

    Example:
        >>> outcome_unread(pd.DataFrame({"bulk_outcome": [None, "SENT"],
        ...     "bulk_outcome_reason": ["not read (no usable answer)", None]})).tolist()
        [True, False]
    """
    if Column.OUTCOME_REASON.value not in df.columns or Column.OUTCOME.value not in df.columns:
        return np.zeros(len(df), dtype=bool)
    reason = df[Column.OUTCOME_REASON.value].astype("object")
    said = reason.where(reason.notna(), "").astype(str).str.startswith(UNREAD)
    return (said & df[Column.OUTCOME.value].isna()).to_numpy()


# Courier's answer to running a job that has run already.
_ALREADY_RUN = 409


def run_withheld(job_id: str, in_doubt: Collection[int]) -> RunWithheld | None:
    """Why the job must not be run yet, or None: no batch is in doubt.

    A batch is in doubt when its answer was lost (or was not Courier's) after every retry: Courier
    may hold its users or not. A job that ran takes no more users, so running it now would leave
    those rows out for good; left in CREATED, the batch can go again under the same idempotency key
    and the job run after. This holds whether or not any other user is known to be in the job.
    """
    if not in_doubt:
        return None
    numbers = sorted(in_doubt)
    shown = ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")
    return RunWithheld(
        f"job {job_id} was not run: the answer to batch(es) {shown} was lost (or did not say which users "
        "Courier took), so whether Courier holds their users is not known, and a job that ran would take "
        "none of them again",
        retryable=True,
    )


def run_job(
    client: CourierClient,
    job_id: str,
    *,
    journal: Journal | None,
    any_accepted: bool,
    unknown_state: bool,
    in_doubt: Collection[int] = (),
    until: float | None = None,
) -> tuple[Job, bool]:
    """Run the job when it holds users, unless it has run already; returns its snapshot and whether it runs.

    A job runs only once: a journal that says it was run, or a job past CREATED, is not run again.
    ``unknown_state`` says the job may have been run by someone else (a resumed or a given job). A
    ``409`` to the run request (a retry after the first answer was lost, or a run by someone else) is
    success when the job is no longer CREATED: it runs. A job still CREATED is not run while any
    batch of ``in_doubt`` is (:func:`run_withheld`). ``until`` (:func:`wait_until`, when the run is
    waited for) bounds the look at the job once it was asked to run, as the wait's own looks are.

    Raises:
        CourierError: when Courier refuses to run the job (or does not answer), and the job has not run;
            or when batches are in doubt (the job is not asked to run).
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
    withheld = run_withheld(job_id, in_doubt)
    if withheld is not None:
        raise withheld
    if not any_accepted and not job.received:
        return job, False  # nothing to run: no user reached the job (job is set: it was looked at above)
    key = "bulkprep-run-" + hashlib.sha256(job_id.encode()).hexdigest()[:32]
    looked: Job | None = None
    try:
        client.run_job(job_id, idempotency_key=key)
    except CourierError as exc:
        if exc.status != _ALREADY_RUN:
            raise
        looked = client.get_job(job_id)
        if looked.status is JobStatus.CREATED:
            raise
    # The run was taken: recorded before the look at the job, which may get no answer in time.
    if journal is not None:
        journal.mark_run_requested()
    return (looked if looked is not None else client.get_job(job_id, until=until)), True


def wait_until(timeout: float) -> float | None:
    """The :func:`time.monotonic` instant a wait of ``timeout`` seconds starting now ends, which every
    look at the job during it ends by too; None for a wait of 0 s (one look, bounded by its own deadline)."""
    return time.monotonic() + timeout if timeout > 0 else None


def wait_for_job(
    client: CourierClient,
    job_id: str,
    *,
    sleep: Callable[[float], None],
    timeout: float,
    interval: float = DEFAULT_POLL_INTERVAL,
    progress: bool = True,
    clock: Callable[[], float] = time.monotonic,
    seen: Job | None = None,
) -> Job:
    """Poll the job with a growing pause until it is COMPLETED or ERROR, or ``timeout`` seconds passed.

    The timeout bounds the whole wait, the looks at the job included: it ends when the pauses add up to
    ``timeout`` or when ``clock`` says that many seconds passed, whichever comes first, and each look
    ends by then too (a look that gets no answer in the time left ends the wait with the job as last
    seen, ``seen`` before the first look). A job returned with a status that is not ``done`` means the
    wait timed out.
    """
    waited = 0.0
    deadline = clock() + timeout
    until = wait_until(timeout)
    job = _look(client, job_id, until, seen)
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
            job = _look(client, job_id, until, job)


def _look(client: CourierClient, job_id: str, until: float | None, seen: Job | None) -> Job:
    """A look at the job during a wait that ends ``until``; one that gets no answer before then gives
    the job as last seen (``seen``), when there is one."""
    try:
        return client.get_job(job_id, until=until)
    except CourierError as exc:
        if seen is None or until is None or time.monotonic() < until or not exc.retryable:
            raise
        return seen


def delivery_states(
    client: CourierClient, job_id: str, users: pd.Series, *, within: float | None = None
) -> dict[int, Delivery]:
    """Each row's delivery state and message id, from the job's users; ``users`` are payloads by row key.

    ``within``: the most seconds reading the users takes (:meth:`CourierClient.iter_users`).
    """
    if users.empty:
        return {}
    items = _read_users(client, job_id, limit=_users_limit(len(users)), within=within)
    echoes = [item.model_dump(mode="json", exclude_unset=True) for item in items]
    matching = match_to_rows(echoes, identities_of(users))
    return {
        row: (items[position].status.value, items[position].messageId)
        for position, row in matching.matches.items()
    }


def _users_limit(sent: int) -> int:
    """The most users a job's users pages may list when ``sent`` rows went in: room for users that
    were in the job before (a given ``job_id``), not for a list that never ends."""
    return 2 * sent + 10_000


def _read_users(
    client: CourierClient, job_id: str, *, limit: int, within: float | None = None
) -> list[UserItem]:
    """The job's users, at most ``limit`` of them in at most ``limit + 2`` pages (memory stays bounded)
    and at most ``within`` seconds."""
    items: list[UserItem] = []
    for item in client.iter_users(job_id, max_pages=limit + 2, within=within):
        items.append(item)
        if len(items) > limit:
            raise ProtocolError(
                f"GET /bulk/{job_id}/users listed more than {limit} users for a job that was sent far "
                "fewer; stopped reading, as a list that long is not this job's",
                status=200,
            )
    return items


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


def message_outcomes(
    client: CourierClient,
    message_ids: Mapping[int, str],
    *,
    workers: int = DEFAULT_OUTCOME_WORKERS,
    progress: bool = True,
) -> dict[int, tuple[str | None, str | None, str | None]]:
    """Each row's message status, reason and error text (``GET /messages/{id}``), ``workers`` at a time.

    Every request is bounded and retried by the client. A message Courier cannot tell about (a 404, or
    retries spent) has no status and, as its reason, why it was not read (:data:`UNREAD`...): its
    outcome stays unknown and a later refresh reads it again. A refused key stops everything, as it
    would refuse every other message too.

    Raises:
        AuthenticationError, AuthorizationError: when Courier refuses the key.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} must be a whole number, 1 or more")
    found: dict[int, tuple[str | None, str | None, str | None]] = {}
    if not message_ids:
        return found
    stop = threading.Event()
    answers = _fetch_on_daemons(
        client.get_message, message_ids, workers=min(workers, len(message_ids)), stop=stop
    )
    with progress_bar(total=len(message_ids), unit="message", desc="outcomes", enabled=progress) as bar:
        try:
            for _ in range(len(message_ids)):
                row, details = _next_answer(answers)
                bar.update(1)
                if isinstance(details, (AuthenticationError, AuthorizationError)):
                    raise details
                if isinstance(details, BaseException):
                    if isinstance(details, CourierError):
                        # Unknown for now, and said so in the row; a later refresh asks again.
                        found[row] = (None, unread_reason(details), None)
                        continue
                    if _thread_refused(details):
                        # Not one request could start (a memory limit): the outcomes not read stay
                        # unknown, as after a Courier error, and a later refresh reads them.
                        stop.set()
                        _log.warning(
                            "stopped reading message outcomes after %d of %d: %s; "
                            "bulkprep status reads the others later",
                            len(found),
                            len(message_ids),
                            details,
                        )
                        break
                    raise details
                found[row] = (details.status.value, _said(details.reason), _said(details.error))
        except BaseException:
            stop.set()  # no more requests
            client.interrupt()  # Ctrl-C or a refused key: cut the requests under way, not wait them out
            raise
    return found


_T = TypeVar("_T")


def _fetch_on_daemons(
    fetch: Callable[[str], _T], ids: Mapping[int, str], *, workers: int, stop: threading.Event
) -> queue.Queue[tuple[int, _T | BaseException]]:
    """Fetch each of ``ids`` on ``workers`` daemon threads; each answer (or error) goes to the queue returned.

    Daemon threads, not a thread pool: after Ctrl-C a request that hangs must not keep the process
    from exiting (a pool's threads are joined at exit, so one hung request would hold it until its
    deadline). The threads take no more work once ``stop`` is set, or after an error that is not
    Courier's answer about one message. When the system refuses a thread (a memory limit), the work
    goes on with fewer: a thread that cannot start is not waited for, and a worker whose request
    could not start its own thread hands the message back and ends while another worker is left.
    When not even the first thread starts, the calling thread does it all.
    """
    work: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
    for item in ids.items():
        work.put(item)
    answers: queue.Queue[tuple[int, _T | BaseException]] = queue.Queue()
    alive = [0]  # workers that may still take work
    counting = threading.Lock()

    def give_way() -> bool:
        """Whether this worker ends to leave its thread to the others (never the last one)."""
        with counting:
            if alive[0] <= 1:
                return False
            alive[0] -= 1
            return True

    def worker() -> None:
        while not stop.is_set():
            try:
                row, mid = work.get_nowait()
            except queue.Empty:
                return
            try:
                answers.put((row, fetch(mid)))
            except BaseException as exc:  # handed to the caller, which decides
                if _thread_refused(exc) and give_way():
                    work.put((row, mid))
                    return
                answers.put((row, exc))
                if not isinstance(exc, CourierError) or isinstance(
                    exc, (AuthenticationError, AuthorizationError)
                ):
                    stop.set()

    for number in range(workers):
        with counting:
            alive[0] += 1
        try:
            threading.Thread(target=worker, name=f"bulkprep-outcome-{number}", daemon=True).start()
        except RuntimeError:  # "can't start new thread": go on with the threads started
            with counting:
                alive[0] -= 1
            break
    if not alive[0]:
        alive[0] = 1
        worker()  # not one thread to be had: every message asked on the calling thread, in turn
    return answers


def _thread_refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the system refusing a new thread (a memory or process limit reached)."""
    return isinstance(exc, RuntimeError) and "can't start new thread" in str(exc)


def _next_answer(answers: queue.Queue[tuple[int, _T | BaseException]]) -> tuple[int, _T | BaseException]:
    """The next answer, waited for in short steps so that Ctrl-C is seen at once."""
    while True:
        try:
            return answers.get(timeout=0.2)
        except queue.Empty:
            continue


def outcome_errors(outcomes: Mapping[int, tuple[Any, Any, Any]]) -> pd.DataFrame:
    """Error-table rows (stage ``delivery``, code ``undeliverable``) for every message not delivered.

    Example:
        >>> outcome_errors({4: ("UNDELIVERABLE", "BOUNCED", None), 5: ("DELIVERED", None, None)})[
        ...     ["bulk_row", "code", "value"]].to_dict("records")
        [{'bulk_row': 4, 'code': 'undeliverable', 'value': 'UNDELIVERABLE/BOUNCED'}]
    """
    records = []
    for row in sorted(outcomes):
        status, reason, error = outcomes[row]
        if status not in UNDELIVERED_OUTCOMES:
            continue
        why = _WHAT_TO_DO.get(str(reason), _UNKNOWN_REASON) if reason else _NO_REASON
        said = f" (Courier: {error})" if error else ""
        records.append(
            {
                ROW_KEY: row,
                "stage": Stage.DELIVERY.value,
                "code": ErrorCode.UNDELIVERABLE.value,
                "message": f"the message was {status}{f' ({reason})' if reason else ''}{said}; {why}",
                "value": f"{status}/{reason}" if reason else status,
            }
        )
    return errors_from_records(records) if records else empty_errors()


def delivery_problems(
    states: Mapping[int, Delivery], outcomes: Mapping[int, tuple[Any, Any, Any]]
) -> pd.DataFrame:
    """The delivery stage of the error table: users in ERROR, then messages not delivered."""
    return concat_errors([delivery_errors(states), outcome_errors(outcomes)])


def undelivered(df: pd.DataFrame) -> np.ndarray:
    """Which rows of a result did not reach their user: in ERROR after the run, or not delivered.

    Example:
        >>> frame = pd.DataFrame({"bulk_delivery_status": ["ENQUEUED", "ERROR", "ENQUEUED"],
        ...                       "bulk_outcome": ["DELIVERED", None, "UNDELIVERABLE"]})
        >>> undelivered(frame).tolist()
        [False, True, True]
    """
    mask = np.zeros(len(df), dtype=bool)
    if Column.DELIVERY_STATUS.value in df.columns:
        mask |= (df[Column.DELIVERY_STATUS.value].astype("object") == DeliveryStatus.ERROR.value).to_numpy()
    if Column.OUTCOME.value in df.columns:
        mask |= df[Column.OUTCOME.value].astype("object").isin(list(UNDELIVERED_OUTCOMES)).to_numpy()
    return mask


def with_problem_text(df: pd.DataFrame, problems: pd.DataFrame, rows: Iterable[int] = ()) -> pd.DataFrame:
    """``df`` (a copy) whose ``bulk_error`` says each delivery problem; ``rows`` are cleared first.

    ``rows`` are the rows whose delivery was read again: a problem they had before and no longer
    have (a message that was ENQUEUED then delivered) leaves their text.
    """
    out = df.copy()
    column = Column.ERROR.value
    held = out[column].astype("object") if column in out.columns else pd.Series(None, index=out.index)
    keys = out[ROW_KEY].astype("int64")
    cleared = keys.isin(list(rows)).to_numpy()
    held = held.where(~cleared, None)
    if len(problems):
        text = problems.groupby(ROW_KEY, sort=False)["message"].agg("; ".join)
        messages = keys.map(text)
        held = held.where(~messages.notna().to_numpy(), messages)
    out[column] = held.where(held.notna(), None).astype("object")
    return out


def _user_of(value: Any) -> Any:
    """A row's ``bulk_user`` as a dict: results read back from a CSV hold it as JSON text."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def _sent_rows(journal: Journal) -> tuple[str, str, list[int]]:
    """The journal's job id, base URL, and the rows of every batch Courier took."""
    entry = journal.job()
    if entry is None:
        raise ConfigurationError(
            f"the journal {journal.path} holds no job: nothing was sent with it, so nothing to refresh"
        )
    rows = [row for batch in journal.batches() if batch.state is BatchState.ACKED for row in batch.rows]
    return entry.job_id, entry.base_url, rows


def refreshed(
    result: SubmitResult,
    journal: str | os.PathLike[str],
    *,
    client: CourierClient | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    workers: int = DEFAULT_OUTCOME_WORKERS,
    progress: bool = True,
) -> SubmitResult:
    """``result`` read again from Courier: every sent row's delivery status, message id, outcome, reason.

    The job and its rows come from the journal; the rows are tied to Courier's users through their
    ``bulk_user``, as after the run. See :meth:`bulkprep.results.SubmitResult.refresh`.

    Raises:
        ConfigurationError: when the journal holds no job, or another job than ``result``'s.
        CourierError: when Courier cannot be read (the key refused, the job unknown, ...).
    """
    with Journal.open_existing(journal) as book:
        job_id, journal_url, rows = _sent_rows(book)
    if result.job_id is not None and result.job_id != job_id:
        raise ConfigurationError(
            f"the journal {os.fspath(journal)} is for job {job_id}, the result for job {result.job_id}: "
            "give the journal this result was submitted with"
        )
    own = client is None
    if client is None:
        client = CourierClient(api_key, base_url or journal_url)
    try:
        job = client.get_job(job_id)
        df = result.df
        keys = df[ROW_KEY].astype("int64")
        sent = df.loc[
            (
                keys.isin(rows) & (df[Column.STATUS.value].astype("object") == RowStatus.ACCEPTED.value)
            ).to_numpy()
        ]
        users = pd.Series(
            [_user_of(value) for value in sent[Column.USER.value].tolist()],
            index=sent[ROW_KEY].astype("int64"),
        ).dropna()
        listed = job.status is not JobStatus.CREATED
        states = delivery_states(client, job_id, users) if listed else {}
        messages = {row: mid for row, (_, mid) in states.items() if mid}
        outcomes = message_outcomes(client, messages, workers=workers, progress=progress)
    finally:
        if own:
            client.close()
    # An outcome read before stays when it cannot be read this time.
    held = df[Column.OUTCOME.value] if Column.OUTCOME.value in df.columns else pd.Series(None, index=df.index)
    known = set(keys[held.notna().to_numpy()].tolist())
    outcomes = {row: found for row, found in outcomes.items() if found[0] is not None or row not in known}
    # A user the job's list no longer holds has no delivery now: what an earlier read said is not kept.
    missing = unlisted(users.index.tolist(), states) if listed else {}
    outcomes.update(missing)
    gone = keys.isin(list(missing)).to_numpy()
    out = df.copy()
    for column, found, position in (
        (Column.DELIVERY_STATUS.value, states, 0),
        (Column.MESSAGE_ID.value, states, 1),
        (Column.OUTCOME.value, outcomes, 0),
        (Column.OUTCOME_REASON.value, outcomes, 1),
    ):
        merged = keys.map({row: value[position] for row, value in found.items()}).astype("object")
        held = out[column].astype("object") if column in out.columns else pd.Series(None, index=out.index)
        merged = merged.where(merged.notna() | gone, held)
        out[column] = merged.where(merged.notna(), None).astype("object")
    problems = delivery_problems(states, outcomes)
    out = with_problem_text(out, problems, rows=users.index.tolist())
    kept = result.errors[result.errors["stage"].astype("object") != Stage.DELIVERY.value]
    errors = concat_errors([kept, problems])
    left_to_do = None
    if job.status is JobStatus.CREATED:
        left_to_do = (
            f"job {job_id} has not run yet, so no user has a delivery; run it (submit again with the same "
            "journal and run=True), then refresh"
        )
    elif not job.status.done:
        left_to_do = f"job {job_id} is still {job.status.value}; refresh again later to read every row"
    return dataclasses.replace(
        result,
        df=out,
        errors=errors,
        job_id=job_id,
        job=job.model_dump(mode="json", exclude_unset=True),
        left_to_do=left_to_do,
    )
