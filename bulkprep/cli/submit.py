"""``bulkprep submit INPUT --mapping FILE (--event EVENT | --job JOB_ID)``: prepare a CSV and send it.

The API key comes only from ``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN`` (a flag would land in shell
history); it is never printed, logged or stored. Exit status: 0 when every row is accepted (for
``--dry-run``: ready), 1 when some are not or a Courier error matches no single row, 2 for usage,
configuration and authentication errors.

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
from bulkprep.report import format_summary
from bulkprep.status import Column, RowStatus
from bulkprep.submit import submit

__all__ = ["add_arguments", "run"]


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bulkprep submit``."""
    add_input_arguments(parser)
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
        help="record the job and every batch here; run the same command again to resume after a stop",
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


def run(args: argparse.Namespace) -> int:
    """Run ``bulkprep submit``; returns the exit status."""
    if args.wait and not args.run:
        print("bulkprep submit: --wait needs --run", file=sys.stderr)
        return 2
    prepared, line = describe_input(args)
    print(line)
    sys.stdout.flush()
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
        request_deadline=args.request_timeout,
    )
    out = args.out or default_results_path(args.input, "planned" if args.dry_run else "submitted")
    result.to_csv(out)
    summary = result.summary
    print(format_summary({name: count for name, count in summary.items() if count}, result.errors))
    if result.plan is not None:
        plan = result.plan
        print(
            f"dry run: {len(plan.batches)} batch(es) of {int(plan.batches['users'].sum())} user(s) "
            "would be sent"
        )
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
    sys.stdout.flush()
    goal = RowStatus.READY if args.dry_run else RowStatus.ACCEPTED
    # An error that matches no single row leaves a row "accepted" that Courier may not hold.
    return 0 if summary[goal.value] == len(result.df) and not len(result.unmatched_errors) else 1
