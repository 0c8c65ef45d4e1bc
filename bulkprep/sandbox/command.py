"""``bulkprep sandbox`` on the command line: its options, and serving until interrupted.

The command line's dispatcher calls :func:`add_arguments` to build the subcommand's parser and
:func:`run` to serve; :func:`sandbox_from_args` turns the parsed options into a :class:`Sandbox`.

Example:
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> sandbox_from_args(parser.parse_args(["--echo", "request", "--latency", "0.5"])).dialect.echo
    'request'
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import signal
import sys
import threading
from types import FrameType

from bulkprep.sandbox.faults import Faults
from bulkprep.sandbox.jobs import DIALECT_CHOICES, Dialect
from bulkprep.sandbox.service import DEFAULT_TOKEN, Sandbox

__all__ = ["TOKEN_ENV", "add_arguments", "run", "sandbox_from_args"]

TOKEN_ENV = "BULKPREP_SANDBOX_TOKEN"

# The options default to what the constructor does: one source for both.
_DEFAULT = Dialect()
# Every field of Faults and of Dialect is a flag of the same name (and Dialect's, a Sandbox keyword).
_FAULT_FLAGS = tuple(field.name for field in dataclasses.fields(Faults))
_DIALECT_FLAGS = tuple(field.name for field in dataclasses.fields(Dialect))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bulkprep sandbox`` options to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_arguments(parser)
        >>> parser.parse_args(["--rate-limit-every", "3", "--retry-after", "1"]).rate_limit_every
        3
    """
    serve = parser.add_argument_group("serving")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    serve.add_argument(
        "--token",
        default=None,
        help=f"API key clients must send (default: ${TOKEN_ENV}, else {DEFAULT_TOKEN!r})",
    )

    dialect = parser.add_argument_group("answers, where Courier's documentation disagrees")
    dialect.add_argument(
        "--create-status",
        type=int,
        choices=DIALECT_CHOICES["create_status"],
        default=_DEFAULT.create_status,
        help="status of POST /bulk (default: %(default)s)",
    )
    dialect.add_argument(
        "--run-status",
        type=int,
        choices=DIALECT_CHOICES["run_status"],
        default=_DEFAULT.run_status,
        help="status of POST /bulk/{id}/run (default: %(default)s)",
    )
    dialect.add_argument(
        "--ingest-answer",
        choices=DIALECT_CHOICES["ingest_answer"],
        default=_DEFAULT.ingest_answer,
        help='POST /bulk/{id} answers 200 {"errors", "total"} or an empty 204 (default: %(default)s)',
    )
    dialect.add_argument(
        "--echo",
        choices=DIALECT_CHOICES["echo"],
        default=_DEFAULT.echo,
        help="shape of the user in a duplicate error: {email, user_id, data} or as sent "
        "(default: %(default)s)",
    )
    dialect.add_argument(
        "--page-size",
        type=int,
        default=_DEFAULT.page_size,
        metavar="N",
        help="users per page (default: %(default)s)",
    )
    dialect.add_argument(
        "--processing-seconds",
        type=float,
        default=_DEFAULT.processing_seconds,
        metavar="S",
        help="from run to COMPLETED (default: %(default)s)",
    )
    dialect.add_argument(
        "--channel",
        choices=DIALECT_CHOICES["channel"],
        default=_DEFAULT.channel,
        help="address a user needs to be ENQUEUED: email or phone, profile.email, or phone "
        "(default: %(default)s)",
    )
    dialect.add_argument("--fail-jobs", action="store_true", help="jobs that run end in ERROR")
    dialect.add_argument(
        "--delivery-seconds",
        type=float,
        default=_DEFAULT.delivery_seconds,
        metavar="S",
        help="each step of a message (ENQUEUED, SENT, DELIVERED, ...) once enqueued (default: %(default)s)",
    )

    faults = parser.add_argument_group("faults (all off by default)")
    faults.add_argument("--seed", type=int, default=0, help="seed for every random fault")
    faults.add_argument(
        "--rate-limit-every", type=int, default=0, metavar="N", help="429 on every Nth request"
    )
    faults.add_argument("--rate-limit-rate", type=float, default=0.0, metavar="F", help="429 on a fraction")
    faults.add_argument(
        "--retry-after", type=float, default=None, metavar="S", help="send Retry-After with 429s"
    )
    faults.add_argument("--retry-after-date", action="store_true", help="send Retry-After as an HTTP date")
    faults.add_argument(
        "--server-error-every", type=int, default=0, metavar="N", help="5xx on every Nth request"
    )
    faults.add_argument("--server-error-rate", type=float, default=0.0, metavar="F", help="5xx on a fraction")
    faults.add_argument("--server-error-status", type=int, choices=(500, 503), default=500)
    faults.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="seconds added to each request"
    )
    faults.add_argument("--drop-every", type=int, default=0, metavar="N", help="handle, then drop every Nth")
    faults.add_argument(
        "--drop-rate", type=float, default=0.0, metavar="F", help="handle, then drop a fraction"
    )
    faults.add_argument("--ignore-idempotency", action="store_true", help="ignore Idempotency-Key headers")
    faults.add_argument("--only-ingest", action="store_true", help="inject faults into POST /bulk/{id} only")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_from_args(args: argparse.Namespace) -> Sandbox:
    """Build (not start) the sandbox the command-line options describe.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_arguments(parser)
        >>> sandbox_from_args(parser.parse_args(["--token", "t", "--drop-every", "2"])).faults.drop_every
        2
    """
    token = args.token or os.environ.get(TOKEN_ENV) or DEFAULT_TOKEN
    faults = Faults(**{name: getattr(args, name) for name in _FAULT_FLAGS})
    dialect = {name: getattr(args, name) for name in _DIALECT_FLAGS}
    return Sandbox(token=token, host=args.host, port=args.port, faults=faults, **dialect)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; prints exactly one line, ``listening on http://HOST:PORT``."""
    sandbox = sandbox_from_args(args)
    if not _is_loopback(sandbox.host):
        print(f"warning: the sandbox is reachable from other machines on {sandbox.host}", file=sys.stderr)
    if sandbox.token == DEFAULT_TOKEN:
        print(
            f"using the default token {DEFAULT_TOKEN!r}; set --token or ${TOKEN_ENV} to change it",
            file=sys.stderr,
        )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Signal handlers can only be set from the main thread; elsewhere the caller stops the process.
    in_main_thread = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGINT, signal.SIGTERM) if in_main_thread else ()
    previous = {sig: signal.signal(sig, request_stop) for sig in signals}
    try:
        with sandbox:
            print(f"listening on {sandbox.url}", flush=True)
            while not stop.wait(0.2):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
