"""The :class:`Sandbox`: Courier's Bulk API served on loopback from a background thread, with read access.

It wires the parts together (the :class:`~bulkprep.sandbox.gateway.Gateway` over a
:class:`~bulkprep.sandbox.jobs.JobStore`, served by :mod:`bulkprep.sandbox.server`), starts and stops
the serving thread, and lets tests look at what it stored without going through HTTP.

Example:
    >>> with Sandbox(token="sk_test", processing_seconds=0) as sb:
    ...     print(sb.url.startswith("http://127.0.0.1:"), sb.jobs, sb.offers())
    True {} {}
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from bulkprep.errors import ConfigurationError
from bulkprep.sandbox.faults import Faults
from bulkprep.sandbox.gateway import Gateway, RequestRecord
from bulkprep.sandbox.jobs import Dialect, EchoShape, IngestShape, JobChannel, JobStore
from bulkprep.sandbox.rules import ApiError
from bulkprep.sandbox.server import SandboxServer, make_server

__all__ = ["DEFAULT_TOKEN", "Sandbox"]

# Not a secret: the sandbox sends nothing, and a well-known default keeps notebooks short.
DEFAULT_TOKEN = "sandbox-token"
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
        delivery_seconds: see :class:`Dialect`: how long each step of a message takes (0: at once).
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
        ingest_answer: IngestShape = "json",
        echo: EchoShape = "flattened",
        page_size: int = 100,
        processing_seconds: float = 0.2,
        channel: JobChannel = "any",
        fail_jobs: bool = False,
        delivery_seconds: float = 1.0,
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
            delivery_seconds=delivery_seconds,
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
        with self._store_of(job_id) as store:
            return store.users(job_id)

    def offers(self, job_id: str | None = None) -> dict[str, int]:
        """How many times each user was offered to a job (or to any job), duplicates and retries included.

        A user is counted under its user id (``recipient`` or ``to.user_id``), else its email, else its
        phone number. Replayed requests do not count; a request refused as a whole (400, 409) does not
        either. A client that delivers each user exactly once leaves every count at 1.

        Raises:
            KeyError: the job does not exist.
        """
        with self._store_of(job_id) as store:
            return store.offers(job_id)

    @contextlib.contextmanager
    def _store_of(self, job_id: str | None) -> Iterator[JobStore]:
        """The store, under the lock; a missing job is a KeyError, as a missing key of a mapping is."""
        with self._gateway.lock:
            try:
                yield self._gateway.store
            except ApiError as exc:
                raise KeyError(job_id) from exc

    def message(self, message_id: str) -> dict[str, Any]:
        """A message as ``GET /messages/{message_id}`` answers it now (a copy).

        Raises:
            KeyError: no such message.
        """
        with self._store_of(message_id) as store:
            return dict(store.message(message_id).body)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, oldest first; authorization headers are never recorded."""
        return self._gateway.log()

    def reset(self) -> None:
        """Forget every job, stored idempotent reply and logged request; restart the fault sequence."""
        self._gateway.reset()
