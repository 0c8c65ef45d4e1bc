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
import io
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from bulkprep._source import load
from bulkprep.batching import DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_USERS
from bulkprep.cli.check import (
    add_input_arguments,
    default_results_path,
    describe_input,
    file_path,
    refuse_clashing_paths,
)
from bulkprep.client import DEFAULT_REQUEST_DEADLINE, MAX_REQUEST_DEADLINE, job_id_fault
from bulkprep.csvsafe import write_results_csv
from bulkprep.delivery import outcome_unread, undelivered
from bulkprep.errors import (
    BulkprepError,
    ConfigurationError,
    GuardError,
    InputError,
    JournalError,
    SubmitInterrupted,
)
from bulkprep.guard import Limit, parse_limit
from bulkprep.interrupts import held_interrupts
from bulkprep.outfiles import check_writable
from bulkprep.parquet import require_writer, write_results
from bulkprep.read import read_info
from bulkprep.redaction import printable
from bulkprep.report import errors_for_file, format_summary
from bulkprep.results import SubmitResult, read_results_csv
from bulkprep.status import ROW_KEY, Column, JobStatus, RowStatus
from bulkprep.stream import STREAM_BYTES
from bulkprep.submit import submit

__all__ = [
    "EXIT_GUARD",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ALL_OK",
    "EXIT_OK",
    "EXIT_STATUS_HELP",
    "EXIT_USAGE",
    "add_arguments",
    "add_request_timeout",
    "run",
]

EXIT_OK = 0
EXIT_NOT_ALL_OK = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_GUARD = 4
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
  {EXIT_GUARD}    a guard stopped the submission: --max-invalid refused the file (nothing sent, no job
       created; with --dry-run: would refuse it), or --max-rejected stopped sending midway (unsent
       rows failed); the results file is written and the message says how to proceed
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): the results file is written; run again with the same
       --journal FILE to finish
  143  terminated (SIGTERM): handled as Ctrl-C is, the results file written
"""


def _job_id(text: str) -> str:
    """``--job``: a jobId Courier could give (:func:`job_id_fault`); refused before anything is sent."""
    fault = job_id_fault(text)
    if fault is not None:
        raise argparse.ArgumentTypeError(
            f"a job id {fault}; give the jobId Courier returned when the job was made"
        )
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _seconds_from(text: str, *, zero_allowed: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and (value > 0 or (zero_allowed and value == 0))):
        wanted = "zero or more seconds" if zero_allowed else "a number of seconds above zero"
        raise argparse.ArgumentTypeError(f"{text} must be {wanted}")
    return value


def _seconds(text: str) -> float:
    """A number of seconds above 0, a day at most (``--request-timeout``)."""
    value = _seconds_from(text, zero_allowed=False)
    if value > MAX_REQUEST_DEADLINE:
        raise argparse.ArgumentTypeError(f"{text} is more than a day: give at most {MAX_REQUEST_DEADLINE:g}")
    return value


def add_request_timeout(parser: argparse.ArgumentParser) -> None:
    """``--request-timeout SECONDS`` (``submit``, ``status``): one request's deadline, retries included."""
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=DEFAULT_REQUEST_DEADLINE,
        metavar="SECONDS",
        help="most seconds one request to Courier may take, its retries included "
        f"(default: {DEFAULT_REQUEST_DEADLINE:g})",
    )


def _zero_or_more_seconds(text: str) -> float:
    """A number of seconds of 0 or more (``--wait-timeout 0``: look once, do not wait)."""
    return _seconds_from(text, zero_allowed=True)


def _limit(text: str) -> Limit:
    """A guard's limit: ``5%`` or ``0.05`` (a share of the rows), ``50`` (a number of rows)."""
    try:
        return parse_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bulkprep submit``."""
    add_input_arguments(parser)
    parser.add_argument(
        "--errors",
        type=file_path,
        default=None,
        metavar="ERRORS.csv",
        help="also write the error table (one row per problem) here",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--event", metavar="EVENT", help="create a bulk job for this event or notification id"
    )
    target.add_argument(
        "--job", type=_job_id, metavar="JOB_ID", help="add the users to this existing bulk job"
    )
    parser.add_argument("--run", action="store_true", help="run the job once every batch is sent")
    parser.add_argument(
        "--wait", action="store_true", help="with --run: wait for the job, then add each row's delivery state"
    )
    parser.add_argument(
        "--wait-timeout",
        type=_zero_or_more_seconds,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help=f"with --wait: most seconds to wait for the job (default: {DEFAULT_WAIT_TIMEOUT:g}), and "
        "as long again to read its users; then the results are written with the delivery unknown (exit 3)",
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
        type=file_path,
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
    add_request_timeout(parser)
    parser.add_argument(
        "--max-invalid",
        type=_limit,
        default=None,
        metavar="LIMIT",
        help="refuse to send (before the job is created) when more rows than this are invalid or "
        "duplicate: a share (5%%) or a number of rows (50); --dry-run says what it would decide (exit 4)",
    )
    parser.add_argument(
        "--max-rejected",
        type=_limit,
        default=None,
        metavar="LIMIT",
        help="stop sending when Courier refused more than this share (10%%) or number of the users sent "
        "so far, checked after each batch once 200 users (or the first batch) were sent (exit 4)",
    )
    parser.add_argument(
        "--update",
        type=Path,
        default=None,
        metavar="RESULTS.csv",
        help="the input holds rows of this earlier results file, fixed and sent again (with its "
        "bulk_row column, as failed_rows() gives them): merge their new outcomes into it and write "
        "the merged results there (or to --out)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw progress bars")
    parser.add_argument(
        "--stream",
        action="store_true",
        help="read and send the file a chunk at a time, at flat memory, whatever its size (the default "
        f"for CSV files over {STREAM_BYTES // 2**20} MiB); the results are the same",
    )


def _refuse_clashing_paths(args: argparse.Namespace, out: Path) -> None:
    """Refuse, before anything is read or sent, a path that would overwrite another file of the run."""
    named = [("the input", args.input), ("--mapping", args.mapping), ("--out", out)]
    named.append(("--errors", args.errors))
    if args.update is not None and Path(args.update).resolve() != Path(out).resolve():
        named.append(("--update", args.update))
    named.append(("--journal", args.journal))
    refuse_clashing_paths(named)


def protected_paths(args: argparse.Namespace) -> list[Path]:
    """The files of the run that the results and the error table must never land on."""
    named = [args.input, args.mapping, args.journal]
    return [Path(path) for path in named if path is not None and str(path) != "-"]


def run(args: argparse.Namespace) -> int:
    """Run ``bulkprep submit``; returns the exit status (:data:`EXIT_STATUS_HELP`)."""
    if args.wait and not args.run:
        print("bulkprep submit: --wait needs --run", file=sys.stderr)
        return EXIT_USAGE
    # --update writes the merged results into the earlier file; a dry run merges nothing, so never there.
    merged_into = None if args.dry_run else args.update
    out = (
        args.out
        or merged_into
        or default_results_path(args.input, "planned" if args.dry_run else "submitted")
    )
    _refuse_clashing_paths(args, out)
    require_writer(out)
    # Before anything is sent: a results file that cannot be written would leave the outcomes unsaid.
    check_writable(out, role="--out")
    if args.errors is not None:
        check_writable(args.errors, role="--errors")
    from bulkprep.stream.cli import run_streaming, streams  # it builds on this module

    # A large CSV file is sent a chunk at a time without being asked (--stream asks for it whatever
    # the size): the output is the same, the memory flat.
    if streams(args):
        return run_streaming(args, out)
    earlier = None if args.update is None else read_results(args.update)
    prepared, line = describe_input(args, rekey=None if earlier is None else own_row_keys)
    print(line)
    sys.stdout.flush()
    try:
        result = submit(prepared, wait=args.wait, wait_timeout=args.wait_timeout, **sending_options(args))
    except SubmitInterrupted as exc:
        with held_interrupts():
            _report(_merged(earlier, exc.result), args, out)
        return EXIT_INTERRUPTED
    except BulkprepError as exc:
        if not isinstance(exc.result, SubmitResult):
            raise  # nothing was sent: main prints the error
        print(f"bulkprep submit: {printable(str(exc))}", file=sys.stderr)
        _report(_merged(earlier, exc.result), args, out)
        if isinstance(exc, GuardError):
            return EXIT_GUARD
        return EXIT_USAGE if isinstance(exc, JournalError) else EXIT_INCOMPLETE
    if result.guard is not None and args.dry_run:
        print(f"guard: {'would send' if result.guard.passed else 'would refuse'}: {result.guard}")
    result = _merged(earlier, result)
    _report(result, args, out)
    # Users Courier reports in ERROR or not delivered, and messages whose outcome it did not tell.
    unreached = int((undelivered(result.df) | outcome_unread(result.df)).sum())
    return finished_status(result, args, rows=len(result.df), unreached=unreached)


def finished_status(result: SubmitResult, args: argparse.Namespace, *, rows: int, unreached: int) -> int:
    """The exit status of a submission that ran to its end (in memory or streamed), its report printed.

    ``rows``: the input rows; ``unreached``: the rows whose user was not reached or whose message's
    outcome could not be read.
    """
    if result.guard is not None and not result.guard.passed:
        return EXIT_GUARD
    if result.left_to_do is not None:
        return EXIT_INCOMPLETE
    if result.job_id is None and not args.dry_run:
        return EXIT_NOT_ALL_OK
    goal = RowStatus.READY if args.dry_run else RowStatus.ACCEPTED
    # An error that matches no single row leaves a row "accepted" that Courier may not hold.
    all_ok = (
        result.summary[goal.value] == rows
        and not len(result.unmatched_errors)
        and not unreached
        and not job_failed(result)
    )
    return EXIT_OK if all_ok else EXIT_NOT_ALL_OK


def job_failed(result: SubmitResult) -> bool:
    """Whether Courier reports the job itself in ERROR (whatever it says of each user): not all done."""
    return str(result.job_status or "") == JobStatus.ERROR.value


def say_job_failed(result: SubmitResult) -> None:
    """Print, when the job ended in ERROR, what that means for the rows (see :func:`job_failed`)."""
    if job_failed(result):
        print(
            f"job {result.job_id} ended in ERROR: Courier gives no reason, and the rows' states may not "
            "tell the whole story; look at the job in Courier before sending these users again"
        )


def sending_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of ``submit`` that the command line gives alike to the in-memory and streamed runs."""
    return {
        "job_id": args.job,
        "event": args.event,
        "run": args.run,
        "base_url": args.base_url,
        "proxy": args.proxy,
        "journal": args.journal,
        "batch_size": args.batch_size,
        "max_batch_bytes": args.max_batch_bytes,
        "concurrency": args.concurrency,
        "dry_run": args.dry_run,
        "progress": not args.no_progress,
        "request_deadline": args.request_timeout,
        "max_invalid": args.max_invalid,
        "max_rejected": args.max_rejected,
    }


def read_results(path: Path) -> SubmitResult:
    """An earlier results file (as ``submit`` writes it) as a result to merge a resend into.

    Its cells stay text as written; the error table is not in the file (each row's ``bulk_error`` is).

    Raises:
        ConfigurationError: when the file cannot be read or is not a results file.
    """
    try:
        # Through the intake's loader: a named pipe or a device is refused before it can block.
        data = load(path, reader="--update", kind="results file").content
        (frame,) = read_results_csv(io.BytesIO(data if isinstance(data, bytes) else data.encode("utf-8")))
    except InputError as exc:
        raise ConfigurationError(f"--update {path}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"--update {path}: cannot read the results file ({exc})") from None
    missing = [c for c in (ROW_KEY, Column.STATUS.value) if c not in frame.columns]
    keys = pd.to_numeric(frame[ROW_KEY], errors="coerce") if not missing else None
    if missing or keys is None or keys.isna().any() or not keys.is_unique:
        raise ConfigurationError(
            f"--update {path} is not a results file of bulkprep submit (it needs unique {ROW_KEY} keys "
            f"and {Column.STATUS.value}); give the file the first submission wrote"
        )
    frame[ROW_KEY] = keys.astype("int64")
    return SubmitResult(frame, input_columns=tuple(c for c in frame.columns if not c.startswith("bulk_")))


def own_row_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame keyed by its file's own ``bulk_row`` column (the keys of the results it came from).

    Raises:
        ConfigurationError: when the file has no such column, or its keys are not unique whole numbers.
    """
    renamed = read_info(frame).renamed_columns
    own = [name for name, header in renamed.items() if header == ROW_KEY]
    keys = pd.to_numeric(frame[own[0]], errors="coerce") if own else None
    if keys is None or keys.isna().any() or not keys.is_unique or (keys % 1 != 0).any():
        raise ConfigurationError(
            f"with --update, the input needs the {ROW_KEY} column of the results file (unique whole "
            "numbers): it says which earlier row each line fixes; keep that column when fixing the rows"
        )
    out = frame.drop(columns=[ROW_KEY, own[0]])
    out.insert(0, ROW_KEY, keys.astype("int64").to_numpy())
    out.attrs = dict(frame.attrs)
    return out


def _merged(earlier: SubmitResult | None, result: SubmitResult) -> SubmitResult:
    """The resend merged into the earlier results (``--update``), or the result as it is."""
    if earlier is None or result.plan is not None:
        return result
    return earlier.update(result)


def _report(result: SubmitResult, args: argparse.Namespace, out: Path) -> None:
    """Write the results (and the error table), and print what happened and what is left to do."""
    kept = protected_paths(args)
    write_results(result.df, out, protect=kept)
    if args.errors is not None:
        write_results_csv(errors_for_file(result.errors), args.errors, protect=kept)
    summary = result.summary
    print(format_summary({n: c for n, c in summary.items() if c}, result.errors, df=result.df))
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
    if len(result.attempts) > 1:
        print(f"merged {len(result.attempts) - 1} resend(s) into {args.update}")
    if len(result.unmatched_errors):
        print(
            f"{len(result.unmatched_errors)} Courier error(s) matched no single row "
            "(code unmatched_error in the results)"
        )
    say_job_failed(result)
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
