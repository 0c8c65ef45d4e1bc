"""``bulkprep submit`` for a large CSV file: the same command, a chunk at a time, at flat memory.

:func:`bulkprep.cli.submit.run` hands a CSV file over :data:`~bulkprep.stream.STREAM_BYTES` (or any
CSV file with ``--stream``) to :func:`run_streaming`: the file is prepared by
:func:`~bulkprep.stream.prepare_file` and sent by :func:`~bulkprep.stream.submitting.submit_file`; the
lines printed, the results file and the exit statuses are those of the in-memory command, ``--wait``
included. ``--update`` (which merges into an earlier results file in memory) is not streamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bulkprep.cli.check import _file_facts
from bulkprep.cli.submit import (
    EXIT_GUARD,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    finished_status,
    say_job_failed,
    sending_options,
)
from bulkprep.errors import BulkprepError, ConfigurationError, GuardError, JournalError, SubmitInterrupted
from bulkprep.interrupts import held_interrupts
from bulkprep.mapping import Mapping
from bulkprep.redaction import printable
from bulkprep.report import format_summary
from bulkprep.status import Column
from bulkprep.stream.prepared import prepare_file, should_stream
from bulkprep.stream.result import StreamedSubmitResult
from bulkprep.stream.submitting import submit_file

__all__ = ["run_streaming", "streams"]


def streams(args: argparse.Namespace) -> bool:
    """Whether ``bulkprep submit`` sends this input a chunk at a time (a large CSV file, or ``--stream``).

    Raises:
        ConfigurationError: ``--stream`` with an option that needs every row in memory.
    """
    if args.sheet is not None:
        return False
    asked = bool(getattr(args, "stream", False))
    if not asked and not should_stream(args.input, encoding=args.encoding):
        return False
    if args.update is not None:
        if asked:
            raise ConfigurationError(
                "--stream cannot be used with --update, which merges the results in memory"
            )
        return False
    return True


def run_streaming(args: argparse.Namespace, out: Path) -> int:
    """Run ``bulkprep submit`` a chunk at a time; returns the exit status."""
    with prepare_file(
        args.input,
        Mapping.load(args.mapping),
        region=args.region,
        region_column=args.region_column,
        keep=args.keep,
        keys=args.keys,
        require_email=args.require_email,
        encoding=args.encoding,
        sep=args.sep,
        header_line=args.header_line,
        progress=not args.no_progress,
    ) as prepared:
        print(f"read {args.input}: {prepared.rows} rows ({', '.join(_file_facts(prepared.info))})")
        sys.stdout.flush()
        try:
            result = submit_file(
                prepared,
                results=out,
                errors=args.errors,
                wait=args.wait,
                wait_timeout=args.wait_timeout,
                **sending_options(args),
            )
        except SubmitInterrupted as exc:
            with held_interrupts():
                _report(exc.result, args, out)
            return EXIT_INTERRUPTED
        except BulkprepError as exc:
            if not isinstance(exc.result, StreamedSubmitResult):
                raise  # nothing was sent: main prints the error
            print(f"bulkprep submit: {printable(str(exc))}", file=sys.stderr)
            _report(exc.result, args, out)
            if isinstance(exc, GuardError):
                return EXIT_GUARD
            return EXIT_USAGE if isinstance(exc, JournalError) else EXIT_INCOMPLETE
    if result.guard is not None and args.dry_run:
        print(f"guard: {'would send' if result.guard.passed else 'would refuse'}: {result.guard}")
    _report(result, args, out)
    return finished_status(result, args, rows=result.rows, unreached=result.unreached)


def _report(result: object, args: argparse.Namespace, out: Path) -> None:
    """Print what happened and what is left to do (the files are written already)."""
    assert isinstance(result, StreamedSubmitResult)
    summary = result.summary
    print(format_summary({n: c for n, c in summary.items() if c}, result.errors, df=result.delivery_counts))
    if result.plan is not None:
        batches = result.plan.batches
        users = int(batches["users"].sum()) if len(batches) else 0
        print(f"dry run: {len(batches)} batch(es) of {users} user(s) would be sent")
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
    say_job_failed(result)
    delivery = result.delivery_counts.get(Column.DELIVERY_STATUS.value, {})
    if delivery:
        print("delivery: " + ", ".join(f"{name}={count}" for name, count in delivery.items()))
    print(f"results written to {out}")
    if args.errors is not None:
        print(f"errors written to {args.errors}")
    if result.left_to_do is not None:
        print(f"not finished: {result.left_to_do}")
    sys.stdout.flush()
