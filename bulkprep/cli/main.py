"""The ``bulkprep`` parser, its dispatch to each command's module, and the exit status.

Exit status: 0 when every row is accepted (for ``check``: ready), 1 when some are not,
2 for a usage, configuration, authentication or journal error, 3 when ``submit`` stopped after its
job was open (results written; see ``bulkprep submit --help``), 130 when interrupted (Ctrl-C), 143 when
terminated (SIGTERM: handled like Ctrl-C, the results written).

Example:
    >>> main(["--version"])
    bulkprep 0.1.0
    0
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from bulkprep._version import __version__
from bulkprep.errors import BulkprepError, JournalWarning
from bulkprep.interrupts import Terminated, terminations_interrupt
from bulkprep.redaction import printable

__all__ = [
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ALL_OK",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "main",
]

EXIT_OK = 0
EXIT_NOT_ALL_OK = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bulkprep",
        description="Clean a CSV of users, send it as a Courier bulk job, and get every row's outcome back.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    from bulkprep.cli import check

    check.add_arguments(
        commands.add_parser("check", help="read, map, normalize and validate a CSV; write the results")
    )
    from bulkprep.cli import submit

    submit.add_arguments(
        commands.add_parser(
            "submit",
            help="prepare a CSV and send it as a bulk job",
            epilog=submit.EXIT_STATUS_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    from bulkprep.cli import status

    status.add_arguments(
        commands.add_parser("status", help="read a sent job's delivery again; update its results file")
    )
    from bulkprep import sandbox

    sandbox.add_arguments(commands.add_parser("sandbox", help="serve a local Courier-compatible Bulk API"))
    from bulkprep import demo

    demo.add_arguments(commands.add_parser("demo", help="run the whole story on sample data, offline"))
    from bulkprep.cli import schema

    schema.add_arguments(
        commands.add_parser("schema", help="print the JSON Schema of mapping files (for editors)")
    )
    return parser


_RUNNERS = {
    "check": "bulkprep.cli.check",
    "submit": "bulkprep.cli.submit",
    "status": "bulkprep.cli.status",
    "sandbox": "bulkprep.sandbox",
    "demo": "bulkprep.demo",
    "schema": "bulkprep.cli.schema",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _sink_missing_streams()
    _escape_what_the_console_cannot_show()
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if args.version:
        print(f"bulkprep {__version__}")
        return EXIT_OK
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    import importlib

    # What a command prints may hold text a server sent (a job id, a refusal's message): the terminal
    # shows it, never acts on it. Progress bars draw on the standard error, which is left alone.
    shown, sys.stdout = sys.stdout, _PrintableOutput(sys.stdout)
    # A SIGTERM (kill, a service manager, a container stopping) is handled as Ctrl-C is.
    with terminations_interrupt() as termination, _warnings_said_plainly():
        status = _run(args, importlib.import_module, shown)
    if termination.received and status == EXIT_INTERRUPTED:
        # The command stopped as on Ctrl-C: its results are written and it said what is left to do.
        print(
            "terminated: stopped as on Ctrl-C; the results are written and the last lines above say how "
            "to finish (with --journal FILE, run the same command again)",
            file=sys.stderr,
        )
        return EXIT_TERMINATED
    return status


def _run(args: argparse.Namespace, load: Any, shown: TextIO) -> int:
    """Run the command; a SIGTERM (as :class:`~bulkprep.interrupts.Terminated`) goes the way of Ctrl-C."""
    try:
        # Imported here, inside the guard: Ctrl-C while a command's modules load is an interruption too.
        module = load(_RUNNERS[args.command])
        return int(module.run(args))
    except BulkprepError as exc:
        print(f"bulkprep {args.command}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        if isinstance(sys.exc_info()[1], Terminated):
            print("terminated", file=sys.stderr)
            return EXIT_TERMINATED
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of the output went away while the standard output was written past this
        # module's guard (a pipe closed under a command's own stream): nothing more can be shown.
        # The output goes nowhere from now on, so that flushing it at exit fails no more.
        _silence_stdout()
        return EXIT_NOT_ALL_OK
    except OSError as exc:
        # A full disk, a file size limit, a folder that went away: said plainly, not as a traceback.
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"bulkprep {args.command}: {printable(exc.strerror or str(exc))}{printable(where)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    finally:
        sys.stdout = shown


@contextlib.contextmanager
def _warnings_said_plainly() -> Iterator[None]:
    """bulkprep's own warnings on the standard error as one line, not as Python shows a warning."""
    with warnings.catch_warnings():
        shown_otherwise = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, JournalWarning):
                print(f"bulkprep: warning: {printable(str(message))}", file=sys.stderr)
            else:
                shown_otherwise(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


class _PrintableOutput:
    """A text stream that writes what it is given with terminal controls as escapes (:func:`printable`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            self._stream.write(printable(text))
        except BrokenPipeError:
            _silence_stdout()  # the reader went away (``| head -1``): the work goes on, unseen
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _silence_stdout()

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding...: the stream's own
        return getattr(self._stream, name)


def _escape_what_the_console_cannot_show() -> None:
    """Let a console in a narrow encoding (a Windows code page, ASCII) show a name it has no letter
    for as an escape (``\u30e6``) instead of stopping the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change: as it is
                reconfigure(errors="backslashreplace")


def _sink_missing_streams() -> None:
    """Give a closed standard output or error (``>&-``: Python makes it None) the null device.

    What the command prints then goes nowhere; the files it writes and its exit status are the same.
    """
    import os

    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def _silence_stdout() -> None:
    """Send what is left of the standard output to the null device."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (a test's capture)
        pass
