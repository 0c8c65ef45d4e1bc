"""``bulkprep status --journal FILE [--out RESULTS.csv]``: read a sent job's delivery again, later.

Delivery goes on for minutes or hours after a job completes. This command reads the job the journal
records, then every user's delivery state and its message's outcome and reason. With ``--out`` (the
results file ``bulkprep submit`` wrote), every row of that file is updated in place: delivery status,
message id, outcome, reason and, for a user not reached, ``bulk_error``. The API key comes only from
``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN``. Exit status: 0 when no user is known to be unreached,
1 when some are, 2 for a usage, key or journal problem, 3 while the job is still running or when
Courier could not be read (its answers failed, or were not Courier's): the results file is then left
as it was, for the same command to read the delivery again later.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="bulkprep status")
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--journal", "run.journal", "--out", "results.csv"])
    >>> str(args.journal), str(args.out), args.workers
    ('run.journal', 'results.csv', 8)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from bulkprep.cli.check import file_path
from bulkprep.cli.submit import add_request_timeout
from bulkprep.client import CourierClient
from bulkprep.csvsafe import write_results_csv
from bulkprep.delivery import (
    DEFAULT_OUTCOME_WORKERS,
    UNDELIVERED_OUTCOMES,
    message_outcomes,
    outcome_unread,
    undelivered,
)
from bulkprep.errors import AuthenticationError, AuthorizationError, ConfigurationError, CourierError
from bulkprep.journal import JobEntry, Journal
from bulkprep.outfiles import check_writable
from bulkprep.redaction import printable
from bulkprep.report import format_summary
from bulkprep.results import SubmitResult
from bulkprep.sending import input_columns
from bulkprep.status import ROW_KEY, Column, DeliveryStatus, Stage

__all__ = ["add_arguments", "read_results", "run"]

EXIT_OK = 0
EXIT_NOT_ALL_OK = 1
EXIT_INCOMPLETE = 3

# The columns every results file of bulkprep submit has, and the delivery is read again from: each
# row's key, its status and the user sent (what ties it to the job's users).
_NEEDED = (ROW_KEY, Column.STATUS.value, Column.USER.value)
# Whole-number columns of a results file (a CSV gives them back as text).
_WHOLE = (Column.BATCH.value, Column.DUPLICATE_OF.value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bulkprep status`` options to ``parser``."""
    parser.add_argument(
        "--journal", type=file_path, required=True, help="the journal the job was submitted with"
    )
    parser.add_argument(
        "--out",
        type=file_path,
        default=None,
        help="the results file of the submission, updated in place with every row's delivery "
        "(without it: counts only)",
    )
    parser.add_argument(
        "--errors", type=file_path, default=None, help="also write the delivery problems here"
    )
    parser.add_argument(
        "--base-url", default=None, help="Courier's API (default: the one the journal recorded)"
    )
    add_request_timeout(parser)
    parser.add_argument(
        "--workers",
        type=_workers,
        default=DEFAULT_OUTCOME_WORKERS,
        metavar="N",
        help=f"messages read at once, 1 to {MAX_WORKERS} (default: %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw progress bars")


def read_results(path: Path) -> pd.DataFrame:
    """A results file written by ``bulkprep submit``, read back with its row keys as whole numbers.

    Raises:
        ConfigurationError: when the file is missing or is not a results file (no ``bulk_row``,
            ``bulk_status`` or ``bulk_user``).
    """
    try:
        frame = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the results file {path}: {exc}; give --out the file bulkprep submit wrote"
        ) from None
    missing = [name for name in _NEEDED if name not in frame.columns]
    if missing:
        raise ConfigurationError(
            f"{path} is not a results file of bulkprep submit (it has no {', '.join(missing)}); give --out "
            "the results file that the submission with this journal wrote"
        )
    frame = frame.astype("object").where(frame.notna(), None)
    frame[ROW_KEY] = frame[ROW_KEY].astype("int64")
    for column in _WHOLE:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    return frame


def _job_entry(args: argparse.Namespace) -> JobEntry:
    with Journal.open_existing(args.journal) as journal:
        entry = journal.job()
    if entry is None:
        raise ConfigurationError(f"the journal {args.journal} holds no job: nothing was sent with it")
    return entry


def _client(args: argparse.Namespace, journal_url: str) -> CourierClient:
    """A client for the journal's Courier (or ``--base-url``), a request bounded by ``--request-timeout``."""
    return CourierClient(None, args.base_url or journal_url, request_deadline=args.request_timeout)


def _counts_only(args: argparse.Namespace) -> int:
    """Without a results file: the job's users by delivery state, and their messages by outcome."""
    entry = _job_entry(args)
    with _client(args, entry.base_url) as client:
        job = client.get_job(entry.job_id)
        items = list(client.iter_users(entry.job_id))
        ids = {position: item.messageId for position, item in enumerate(items) if item.messageId}
        outcomes = message_outcomes(client, ids, workers=args.workers, progress=not args.no_progress)
    print(f"job {entry.job_id} ({job.status.value})")
    states = Counter(item.status.value for item in items)
    print(
        "delivery: " + (", ".join(f"{name}={count}" for name, count in sorted(states.items())) or "no users")
    )
    if outcomes:
        told = Counter("/".join(filter(None, found[:2])) for found in outcomes.values())
        print("outcomes: " + ", ".join(f"{name}={count}" for name, count in sorted(told.items())))
    sys.stdout.flush()
    if not job.status.done:
        return EXIT_INCOMPLETE
    unreached = states.get(DeliveryStatus.ERROR.value, 0) + sum(
        1 for found in outcomes.values() if found[0] in UNDELIVERED_OUTCOMES
    )
    # A message whose outcome could not be read is not known to be delivered, as with --out.
    as_read = pd.DataFrame(
        [found[:2] for found in outcomes.values()],
        columns=[Column.OUTCOME.value, Column.OUTCOME_REASON.value],
        dtype=object,
    )
    return EXIT_NOT_ALL_OK if unreached or outcome_unread(as_read).any() else EXIT_OK


MAX_WORKERS = 64  # more requests at once than any server wants from one client


def _workers(text: str) -> int:
    """``--workers N``: a whole number from 1 to :data:`MAX_WORKERS`, checked as the arguments are read."""
    try:
        workers = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= workers <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_WORKERS}, got {workers}")
    return workers


def run(args: argparse.Namespace) -> int:
    """Read the job's delivery again; update the results file when ``--out`` names one."""
    try:
        return _counts_only(args) if args.out is None else _updated(args)
    except (AuthenticationError, AuthorizationError):
        raise  # the key: a problem of the command's own (exit 2)
    except CourierError as exc:
        # Courier's answers failed or were not its own: nothing was learnt, so nothing is written,
        # and the same command reads the delivery again once Courier answers.
        print(f"bulkprep status: {printable(str(exc))}", file=sys.stderr)
        kept = f"; {args.out} is as it was" if args.out is not None else ""
        print(f"not finished: the delivery was not read{kept}; run the same command again later")
        sys.stdout.flush()
        return EXIT_INCOMPLETE


def _updated(args: argparse.Namespace) -> int:
    """``--out``: the results file updated with the delivery read again."""
    check_writable(args.out, role="--out")  # before Courier is asked: the answers must have a home
    if args.errors is not None:
        check_writable(args.errors, role="--errors")
    frame = read_results(args.out)
    result = SubmitResult(frame, input_columns=input_columns(frame))
    with _client(args, _job_entry(args).base_url) as client:
        fresh = result.refresh(
            args.journal, client=client, workers=args.workers, progress=not args.no_progress
        )
    kept = [args.journal]
    write_results_csv(fresh.df, args.out, protect=kept)  # as fresh.to_csv, never onto the journal
    delivery = fresh.errors[fresh.errors["stage"].astype("object") == Stage.DELIVERY.value]
    if args.errors is not None:
        write_results_csv(delivery, args.errors, protect=kept)
    print(f"job {fresh.job_id} ({fresh.job_status})")
    print(format_summary({name: count for name, count in fresh.summary.items() if count}, delivery))
    for column, label in (
        (Column.DELIVERY_STATUS.value, "delivery"),
        (Column.OUTCOME.value, "outcomes"),
        (Column.OUTCOME_REASON.value, "outcome reasons"),  # "not read (...)" among them: said, not hidden
    ):
        counts = fresh.df[column].dropna().astype(str).value_counts()
        if len(counts):
            print(f"{label}: " + ", ".join(f"{name}={count}" for name, count in counts.sort_index().items()))
    print(f"results updated in {args.out}")
    if fresh.left_to_do is not None:
        print(f"not finished: {fresh.left_to_do}")
    sys.stdout.flush()
    if fresh.left_to_do is not None:
        return EXIT_INCOMPLETE
    return EXIT_NOT_ALL_OK if (undelivered(fresh.df) | outcome_unread(fresh.df)).any() else EXIT_OK
