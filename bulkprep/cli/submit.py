"""``bulkprep submit INPUT --mapping FILE (--event EVENT | --job JOB_ID)``: prepare a CSV and send it.

The API key comes only from ``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN`` (a flag would land in shell
history); it is never printed, logged or stored. Whatever stops a submission once its job is open,
the results file (and ``--errors``) is written with every row's outcome, and the last line says what
is left to do; a Courier error that matches no single row exits 1. Exit status: :data:`EXIT_STATUS_HELP`.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="bulkprep submit")
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["users.csv", "--mapping", "m.yaml", "--event", "WELCOME", "--run"])
    >>> args.event, args.job, args.run, args.concurrency
    ('WELCOME', None, True, 4)
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS
from bulkprep.cli.check import add_input_arguments, default_results_path, describe_input
from bulkprep.client import DEFAULT_REQUEST_DEADLINE
from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import BulkprepError, ConfigurationError, JournalError, SubmitInterrupted
from bulkprep.parquet import require_writer, write_results
from bulkprep.report import format_summary
from bulkprep.results import SubmitResult
from bulkprep.status import Column, RowStatus
from bulkprep.submit import submit

__all__ = [
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ALL_OK",
    "EXIT_OK",
    "EXIT_STATUS_HELP",
    "EXIT_USAGE",
    "add_arguments",
    "run",
]

EXIT_OK = 0
EXIT_NOT_ALL_OK = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
#: Default of ``--wait-timeout``, in seconds.
DEFAULT_WAIT_TIMEOUT = 600.0

EXIT_STATUS_HELP = f"""\
exit status:
  {EXIT_OK}    every row was accepted (with --dry-run: is ready)
  {EXIT_NOT_ALL_OK}    some rows were not accepted (invalid, duplicate, rejected or failed), or no row
       was ready (nothing sent, no job created)
  {EXIT_USAGE}    usage, configuration, API key or journal problem before anything was sent (no
       results file); or the journal could not be written (results file written)
  {EXIT_INCOMPLETE}    stopped after the job was open: the key refused midway, the job not run, its
       users not read, or --wait-timeout passed; the results file holds every row's outcome
       (unsent rows failed) and the last line says what is left to do
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): the results file is written; run again with the same
       --journal FILE to finish
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} must be a number of seconds above zero")
    return value


def _zero_or_more_seconds(text: str) -> float:
    """A number of seconds of 0 or more (``--wait-timeout 0``: look once, do not wait)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text} must be zero or more seconds")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bulkprep submit``."""
    add_input_arguments(parser)
    parser.add_argument(
        "--errors",
        type=Path,
        default=None,
        metavar="ERRORS.csv",
        help="also write the error table (one row per problem) here",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--event", metavar="EVENT", help="create a bulk job for this event or notification id"
    )
    target.add_argument("--job", metavar="JOB_ID", help="add the users to this existing bulk job")
    parser.add_argument("--run", action="store_true", help="run the job once every batch is sent")
    parser.add_argument(
        "--wait", action="store_true", help="with --run: wait for the job, then add each row's delivery state"
    )
    parser.add_argument(
        "--wait-timeout",
        type=_zero_or_more_seconds,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"with --wait: most seconds to wait for the job (default: {DEFAULT_WAIT_TIMEOUT:g}); then "
        "the results are written with the delivery unknown (exit 3)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help="the API's address (default: COURIER_BASE_URL or Courier)",
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        default=None,
        help="send https:// requests through this proxy ('' for none; default: HTTPS_PROXY unless "
        "NO_PROXY names the host; never for localhost)",
    )
    parser.add_argument(
        "--journal",
        type=Path,
        metavar="FILE",
        default=None,
        help="record the job and every batch here; run the same command again to resume after a stop "
        "(one run at a time per journal)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive,
        default=DEFAULT_MAX_BATCH_USERS,
        metavar="N",
        help=f"most users per request (default: {DEFAULT_MAX_BATCH_USERS})",
    )
    parser.add_argument(
        "--max-batch-bytes",
        type=_positive,
        default=DEFAULT_MAX_BATCH_BYTES,
        metavar="N",
        help=f"most bytes per request (default: {DEFAULT_MAX_BATCH_BYTES})",
    )
    parser.add_argument(
        "--concurrency", type=_positive, default=4, metavar="N", help="batches in flight at once (default: 4)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="send nothing; show the batches that would go out"
    )
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=DEFAULT_REQUEST_DEADLINE,
        metavar="SECONDS",
        help="most seconds one request to Courier may take, its retries included "
        f"(default: {DEFAULT_REQUEST_DEADLINE:g})",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw progress bars")


def _refuse_clashing_paths(args: argparse.Namespace, out: Path) -> None:
    """Refuse, before anything is read or sent, a path that would overwrite another file of the run."""
    named = [("the input", args.input), ("--out", out), ("--errors", args.errors)]
    named.append(("--journal", args.journal))
    seen: dict[Path, str] = {}
    for role, path in named:
        if path is None:
            continue
        resolved = Path(path).expanduser().resolve()
        if resolved in seen:
            raise ConfigurationError(
                f"{role} and {seen[resolved]} are the same file ({path}); give {role} another file name "
                "so that nothing is overwritten"
            )
        seen[resolved] = role


def run(args: argparse.Namespace) -> int:
    """Run ``bulkprep submit``; returns the exit status (:data:`EXIT_STATUS_HELP`)."""
    if args.wait and not args.run:
        print("bulkprep submit: --wait needs --run", file=sys.stderr)
        return EXIT_USAGE
    out = args.out or default_results_path(args.input, "planned" if args.dry_run else "submitted")
    _refuse_clashing_paths(args, out)
    require_writer(out)
    prepared, line = describe_input(args)
    print(line)
    sys.stdout.flush()
    try:
        result = submit(
            prepared,
            job_id=args.job,
            event=args.event,
            run=args.run,
            wait=args.wait,
            base_url=args.base_url,
            proxy=args.proxy,
            journal=args.journal,
            batch_size=args.batch_size,
            max_batch_bytes=args.max_batch_bytes,
            concurrency=args.concurrency,
            dry_run=args.dry_run,
            progress=not args.no_progress,
            wait_timeout=args.wait_timeout,
            request_deadline=args.request_timeout,
        )
    except SubmitInterrupted as exc:
        _report(exc.result, args, out)
        return EXIT_INTERRUPTED
    except BulkprepError as exc:
        if not isinstance(exc.result, SubmitResult):
            raise  # nothing was sent: main prints the error
        print(f"bulkprep submit: {exc}", file=sys.stderr)
        _report(exc.result, args, out)
        return EXIT_USAGE if isinstance(exc, JournalError) else EXIT_INCOMPLETE
    _report(result, args, out)
    if result.left_to_do is not None:
        return EXIT_INCOMPLETE
    if result.job_id is None and not args.dry_run:
        return EXIT_NOT_ALL_OK
    goal = RowStatus.READY if args.dry_run else RowStatus.ACCEPTED
    # An error that matches no single row leaves a row "accepted" that Courier may not hold.
    all_ok = result.summary[goal.value] == len(result.df) and not len(result.unmatched_errors)
    return EXIT_OK if all_ok else EXIT_NOT_ALL_OK


def _report(result: SubmitResult, args: argparse.Namespace, out: Path) -> None:
    """Write the results (and the error table), and print what happened and what is left to do."""
    write_results(result.df, out)
    if args.errors is not None:
        write_results_csv(result.errors, args.errors)
    summary = result.summary
    print(format_summary({name: count for name, count in summary.items() if count}, result.errors))
    if result.plan is not None:
        plan = result.plan
        print(
            f"dry run: {len(plan.batches)} batch(es) of {int(plan.batches['users'].sum())} user(s) "
            "would be sent"
        )
    elif result.job_id is None:
        print("no row is ready: nothing was sent and no job was created")
    if result.job_id:
        state = f" ({result.job_status})" if result.job_status else ""
        print(f"job {result.job_id}{state}")
    if len(result.unmatched_errors):
        print(
            f"{len(result.unmatched_errors)} Courier error(s) matched no single row "
            "(code unmatched_error in the results)"
        )
    delivery = result.df[Column.DELIVERY_STATUS.value].dropna()
    if len(delivery):
        counts = delivery.astype(str).value_counts()
        print("delivery: " + ", ".join(f"{name}={count}" for name, count in counts.items()))
    print(f"results written to {out}")
    if args.errors is not None:
        print(f"errors written to {args.errors}")
    if result.left_to_do is not None:
        print(f"not finished: {result.left_to_do}")
    sys.stdout.flush()
