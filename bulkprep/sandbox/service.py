"""A local stand-in for Courier's Bulk API, served over real HTTP on loopback, with faults on demand.

Tests, notebooks, the demo and the benchmarks talk to a :class:`Sandbox` exactly as they would talk to
Courier: the five bulk endpoints, bearer auth, Courier's error bodies, the 6 MB limit, duplicate users,
``Idempotency-Key`` replay, the job lifecycle and paging. Where Courier's own documentation disagrees,
:class:`Dialect` picks the answer; :class:`Faults` injects 429s, 5xx, latency and dropped connections.

Example:
    >>> import requests
    >>> with Sandbox(token="sk_test", processing_seconds=0) as sb:
    ...     auth = {"Authorization": f"Bearer {sb.token}"}
    ...     created = requests.post(f"{sb.url}/bulk", json={"message": {"event": "WELCOME"}}, headers=auth)
    ...     job = f"{sb.url}/bulk/{created.json()['jobId']}"
    ...     answer = requests.post(job, json={"users": [{"recipient": "u1"}]}, headers=auth)
    ...     print(answer.status_code, answer.json())
    ...     print(requests.post(f"{job}/run", headers=auth).status_code)
    ...     job_id = created.json()["jobId"]
    ...     print(sb.jobs[job_id]["status"], sb.offers(job_id))
    200 {'errors': [], 'total': 1}
    204
    COMPLETED {'u1': 1}
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from bulkprep.errors import ConfigurationError
from bulkprep.sandbox.faults import Faults
from bulkprep.sandbox.gateway import Gateway, RequestRecord
from bulkprep.sandbox.jobs import Channel, Dialect, EchoShape, IngestAnswer, JobStore
from bulkprep.sandbox.rules import ApiError
from bulkprep.sandbox.server import MAX_REQUEST_BYTES, SandboxServer, make_server

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_REQUEST_BYTES",
    "TOKEN_ENV",
    "Dialect",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "add_arguments",
    "run",
    "sandbox_from_args",
]

# Not a secret: the sandbox sends nothing, and a well-known default keeps notebooks short.
DEFAULT_TOKEN = "sandbox-token"
TOKEN_ENV = "BULKPREP_SANDBOX_TOKEN"
# How often the serving thread checks for stop(); short, so tests that start a sandbox each stop fast.
_POLL_SECONDS = 0.02


class Sandbox:
    """A Courier Bulk API on ``http://127.0.0.1:<free port>``, served from a background thread.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`. Every keyword argument not
    listed below is a field of :class:`Faults` (``rate_limit_every=3``, ``drop_rate=0.1``, ...).

    Args:
        token: the API key clients must send as ``Authorization: Bearer <token>``.
        host: the address to bind; loopback unless you mean to share it.
        port: the port; 0 picks a free one.
        faults: the faults to inject, as a :class:`Faults` (or give its fields as keyword arguments).
        create_status: see :class:`Dialect` (200 or 201).
        run_status: see :class:`Dialect` (202 or 204).
        ingest_answer: see :class:`Dialect` (``"json"`` or ``"empty"``).
        echo: see :class:`Dialect` (``"flattened"`` or ``"request"``).
        page_size: users per page of ``GET /bulk/{job_id}/users``.
        processing_seconds: time from run to COMPLETED.
        channel: see :class:`Dialect` (``"any"``, ``"email"`` or ``"sms"``).
        fail_jobs: see :class:`Dialect`: jobs that run end in ERROR.
        clock: monotonic seconds driving the job lifecycle (tests may pass a clock they move by hand).

    Example:
        >>> sb = Sandbox(page_size=10).start()
        >>> sb.url.startswith("http://127.0.0.1:"), sb.jobs
        (True, {})
        >>> sb.stop()
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        create_status: int = 200,
        run_status: int = 204,
        ingest_answer: IngestAnswer = "json",
        echo: EchoShape = "flattened",
        page_size: int = 100,
        processing_seconds: float = 0.2,
        channel: Channel = "any",
        fail_jobs: bool = False,
        clock: Callable[[], float] = time.monotonic,
        **fault_options: Any,
    ) -> None:
        if not token:
            raise ConfigurationError("the sandbox needs a non-empty token")
        if faults is not None and fault_options:
            raise ConfigurationError(
                "give faults either as faults=Faults(...) or as keyword arguments, not both"
            )
        try:
            self.faults = faults if faults is not None else Faults(**fault_options)
        except TypeError as exc:
            raise ConfigurationError(f"unknown sandbox option: {exc}") from exc
        self.dialect = Dialect(
            create_status=create_status,  # type: ignore[arg-type]  # checked by Dialect
            run_status=run_status,  # type: ignore[arg-type]
            ingest_answer=ingest_answer,
            echo=echo,
            page_size=page_size,
            processing_seconds=processing_seconds,
            channel=channel,
            fail_jobs=fail_jobs,
        )
        self.token = token
        self.host = host
        self._port = port
        self._gateway = Gateway(token=token, store=JobStore(self.dialect, clock=clock), faults=self.faults)
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve from a daemon thread; returns the sandbox itself."""
        if self._server is not None:
            return self
        try:
            self._server = make_server(self.host, self._port, self._gateway)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {self.host}:{self._port}: {exc.strerror or exc}"
            ) from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name="bulkprep-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and release the port. Safe to call twice."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()

    close = stop

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Sandbox({where})"

    @property
    def port(self) -> int:
        """The port being served."""
        if self._server is None:
            raise ConfigurationError("the sandbox is not started; call start() or use it in a with block")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client, such as ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -- read access ---------------------------------------------------------------------------------------

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        """Every job, by id, as ``GET /bulk/{job_id}`` reports it (a copy)."""
        with self._gateway.lock:
            return self._gateway.store.jobs()

    def users(self, job_id: str) -> list[dict[str, Any]]:
        """The users stored in a job, as ``GET /bulk/{job_id}/users`` lists them (a copy).

        Raises:
            KeyError: the job does not exist.
        """
        with self._gateway.lock:
            try:
                return self._gateway.store.users(job_id)
            except ApiError as exc:
                raise KeyError(job_id) from exc

    def offers(self, job_id: str | None = None) -> dict[str, int]:
        """How many times each user was offered to a job (or to any job), duplicates and retries included.

        A user is counted under its user id (``recipient`` or ``to.user_id``), else its email, else its
        phone number. Replayed requests do not count; a request refused as a whole (400, 409) does not
        either. A client that delivers each user exactly once leaves every count at 1.

        Raises:
            KeyError: the job does not exist.
        """
        with self._gateway.lock:
            try:
                return self._gateway.store.offers(job_id)
            except ApiError as exc:
                raise KeyError(job_id) from exc

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, oldest first; authorization headers are never recorded."""
        return self._gateway.log()

    def reset(self) -> None:
        """Forget every job, stored idempotent reply and logged request; restart the fault sequence."""
        self._gateway.reset()


# -- command line ---------------------------------------------------------------------------------------


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
        choices=(200, 201),
        default=200,
        help="status of POST /bulk (default: 200)",
    )
    dialect.add_argument(
        "--run-status",
        type=int,
        choices=(202, 204),
        default=204,
        help="status of POST /bulk/{id}/run (default: 204)",
    )
    dialect.add_argument(
        "--ingest-answer",
        choices=("json", "empty"),
        default="json",
        help='POST /bulk/{id} answers 200 {"errors", "total"} or an empty 204 (default: json)',
    )
    dialect.add_argument(
        "--echo",
        choices=("flattened", "request"),
        default="flattened",
        help="shape of the user in a duplicate error: {email, user_id, data} or as sent (default: flattened)",
    )
    dialect.add_argument(
        "--page-size", type=int, default=100, metavar="N", help="users per page (default: 100)"
    )
    dialect.add_argument(
        "--processing-seconds",
        type=float,
        default=0.2,
        metavar="S",
        help="from run to COMPLETED (default: 0.2)",
    )
    dialect.add_argument(
        "--channel",
        choices=("any", "email", "sms"),
        default="any",
        help="address a user needs to be ENQUEUED: email or phone, profile.email, or phone (default: any)",
    )
    dialect.add_argument("--fail-jobs", action="store_true", help="jobs that run end in ERROR")

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


_FAULT_FLAGS = (
    "seed",
    "rate_limit_every",
    "rate_limit_rate",
    "retry_after",
    "retry_after_date",
    "server_error_every",
    "server_error_rate",
    "server_error_status",
    "latency",
    "drop_every",
    "drop_rate",
    "ignore_idempotency",
    "only_ingest",
)


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
    return Sandbox(
        token=token,
        host=args.host,
        port=args.port,
        faults=Faults(**{name: getattr(args, name) for name in _FAULT_FLAGS}),
        create_status=args.create_status,
        run_status=args.run_status,
        ingest_answer=args.ingest_answer,
        echo=args.echo,
        page_size=args.page_size,
        processing_seconds=args.processing_seconds,
        channel=args.channel,
        fail_jobs=args.fail_jobs,
    )


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
