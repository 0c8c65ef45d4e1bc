"""The sandbox's HTTP server: the standard library's threaded server, speaking HTTP/1.1 with keep-alive.

It moves bytes and nothing else: the size limit is enforced from ``Content-Length`` before the body is
read, every answer (even to a malformed request line) is Courier's JSON ``{"message", "type"}``, and a
"dropped" reply closes the connection without a word. What to answer is decided in
:mod:`bulkprep.sandbox.gateway`.

Example:
    >>> from bulkprep.sandbox.faults import Faults
    >>> from bulkprep.sandbox.gateway import Gateway
    >>> from bulkprep.sandbox.jobs import Dialect, JobStore
    >>> server = make_server("127.0.0.1", 0, Gateway(token="t", store=JobStore(Dialect()), faults=Faults()))
    >>> server.server_address[0]
    '127.0.0.1'
    >>> server.server_close()
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import re
import socket
import socketserver
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bulkprep.sandbox.gateway import Gateway, Reply, error_reply
from bulkprep.sandbox.rules import MAX_REQUEST_BYTES

__all__ = ["SandboxServer", "make_server"]

_MAX_REQUEST_LINE = 65_536
# After refusing an oversized body we still read (and discard) up to this much of it, so the client
# is not cut off mid-upload and can read the 413; beyond it the connection is simply closed.
_DRAIN_LIMIT = 64 * 1024 * 1024
_DRAIN_TIMEOUT_SECONDS = 2.0
_DIGITS = re.compile(r"[0-9]{1,18}")

_log = logging.getLogger("bulkprep.sandbox")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients with a pooled session reuse connections
    server_version = "bulkprep-sandbox"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server: SandboxServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug(format, *args)

    # -- request ---------------------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """Read one request line and serve it; unlike the base class, any method name reaches the router."""
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
        except OSError:  # timed out while idle, or reset by the client
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > _MAX_REQUEST_LINE:
            self.requestline, self.command = "", ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, "the request line is too long")
            return
        if not self.parse_request():
            return
        try:
            self._serve()
        except OSError:  # the client went away mid-request
            self.close_connection = True

    def _serve(self) -> None:
        if self.request_version == "HTTP/0.9":
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return
        body = self._read_body()
        if body is None:
            return
        gateway = self.server.gateway
        try:
            reply = gateway.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception:  # a bug must still produce an answer, and be visible in the log
            _log.exception("sandbox failed on %s %s", self.command, self.path)
            reply = error_reply(500, "api_error", "the sandbox failed on this request; this is a sandbox bug")
            gateway.record(self.command, self.path, reply)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(reply)

    def _content_length(self) -> int | None:
        """The declared body size; None when it cannot be trusted (answered with a 400 already)."""
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        texts = {value.strip() for value in values}
        text = texts.pop()
        if texts or not _DIGITS.fullmatch(text):
            self._refuse(400, "Content-Length must be a single whole number of bytes")
            return None
        return int(text)

    def _read_body(self) -> bytes | None:
        """The request body, or None when the request was refused (the answer is sent already)."""
        if self.headers.get("Transfer-Encoding"):
            self._refuse(
                411, "send the body with a Content-Length; chunked transfer encoding is not supported"
            )
            return None
        length = self._content_length()
        if length is None:
            return None
        if length > MAX_REQUEST_BYTES:
            self._refuse_too_large(length)
            self._drain(length)
            return None
        body = self.rfile.read(length)
        if len(body) < length:  # the client hung up mid-body
            self.close_connection = True
            return None
        return body

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it, instead of inviting it with 100 Continue."""
        length = self._content_length()
        if length is None:
            return False
        if length > MAX_REQUEST_BYTES:
            self._refuse_too_large(length)
            return False
        return super().handle_expect_100()

    def _refuse_too_large(self, length: int) -> None:
        self._refuse(
            413,
            f"the request body is {length} bytes; the limit is {MAX_REQUEST_BYTES} bytes. "
            "Send fewer users per request",
        )

    def _refuse(self, status: int, message: str) -> None:
        """Answer an error decided from the headers alone, log it, and close the connection."""
        reply = error_reply(status, "invalid_request_error", message)
        self.server.gateway.record(self.command or "", self.path, reply)
        self._write(reply, close=True)

    def _drain(self, length: int) -> None:
        self.connection.settimeout(_DRAIN_TIMEOUT_SECONDS)
        remaining = min(length, _DRAIN_LIMIT)
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    # -- answer ----------------------------------------------------------------------------------------

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found while parsing the request line or headers, as JSON like every other error."""
        # The parser's own 5xx (HTTP/2 request lines) are the client's mistake here, not a server failure.
        status = 400 if code >= 500 else int(code)
        self.request_version = "HTTP/1.1"
        reply = error_reply(status, "invalid_request_error", message or HTTPStatus(status).phrase)
        self.server.gateway.record(self.command or "", getattr(self, "path", ""), reply)
        self._write(reply, close=True)

    def _write(self, reply: Reply, *, close: bool = False) -> None:
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"HTTP/1.1 {reply.status} {phrase}",
            f"Server: {self.server_version}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
        ]
        if reply.body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(reply.body)}"]
        elif reply.status != 204:
            lines.append("Content-Length: 0")
        lines += [f"{name}: {value}" for name, value in reply.headers]
        if close or self.close_connection:
            self.close_connection = True
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = reply.body if reply.body is not None and self.command != "HEAD" else b""
        self.wfile.write(head + body)
        self.wfile.flush()


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to one :class:`Gateway`; it can cut every open connection on stop."""

    daemon_threads = True
    block_on_close = False  # stop() cuts open connections itself, so no thread is left waiting
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.gateway = gateway
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # The base class looks the host name up in DNS here, which can take seconds; nothing needs it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.exception("sandbox connection from %s failed", client_address)

    def track(self, connection: socket.socket) -> None:
        """Remember an open connection, so :meth:`close_connections` can cut it."""
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        """Forget a closed connection."""
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Cut every open connection (idle keep-alive ones included), so their threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def make_server(host: str, port: int, gateway: Gateway) -> SandboxServer:
    """A bound, listening server (port 0 picks a free one); call ``serve_forever`` to serve."""
    return SandboxServer((host, port), gateway)
