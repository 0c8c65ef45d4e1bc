"""A misbehaving HTTP server on loopback, for answers the sandbox never gives (it speaks Courier too well).

:class:`HostileServer` answers each request with whatever its ``respond`` function returns for the method
and path; :func:`courier_until_ingest` is a Courier that creates jobs properly and then answers every
ingest with one fixed, wrong body.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass(frozen=True)
class Answer:
    """One canned answer. ``{auth}`` in the body is replaced by the request's Authorization header."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Respond = Callable[[str, str], Answer]


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 answering with ``respond(method, path)``; records each request."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append((self.command, self.path))
                answer = server.respond(self.command, self.path)
                text = answer.body.replace(b"{auth}", (self.headers.get("Authorization") or "").encode())
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in answer.headers:
                    self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def fixed(answer: Answer) -> Respond:
    """Every request gets ``answer``."""
    return lambda _method, _path: answer


JOB_ID = "1-hostile"


def courier_until_ingest(ingest: Answer) -> Respond:
    """A Courier that creates job :data:`JOB_ID` as Courier does, then answers each ingest with ``ingest``."""

    def respond(method: str, path: str) -> Answer:
        if method == "POST" and path == "/bulk":
            return Answer(200, b'{"jobId": "%s"}' % JOB_ID.encode(), {"Content-Type": "application/json"})
        if method == "POST" and path == f"/bulk/{JOB_ID}":
            return ingest
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')

    return respond


#: 2xx ingest bodies that are not what Courier sends, each with what the error says came back.
NOT_COURIER = [
    pytest.param(b"<html><body>Welcome to the proxy</body></html>", "an HTML page", id="html"),
    pytest.param(b'{"errors": [{"error": "Dup', "JSON cut short or malformed", id="truncated-json"),
    pytest.param(b'[{"error": "Duplicate user"}]', "a JSON array", id="json-array"),
    pytest.param(b'"accepted"', "a JSON string", id="json-string"),
    pytest.param(
        b'{"errors": "oops", "total": 1}', "errors: Input should be a valid list", id="errors-not-list"
    ),
    pytest.param(b'{"errors": [], "total": "x"}', "total: Input should be a valid integer", id="total-text"),
    pytest.param(b'{"errors": [], "total": true}', "total: Input should be a valid integer", id="total-bool"),
    pytest.param(b'{"errors": ["Duplicate user"]}', "errors.0:", id="error-not-object"),
    pytest.param(b"accepted", "text that is not JSON", id="plain-text"),
]


# ---------------------------------------------------------------------- servers that reflect the key


def reflect(template: str, auth: str) -> str:
    """``template`` with the request's Authorization header put in, in the form each placeholder names.

    ``{auth}`` as sent, ``{auth_json}`` with every character JSON-escaped (``\\u0042earer...``),
    ``{auth_pct}`` percent-encoded, ``{auth_upper}`` in upper case, and ``{auth:N}`` its first N characters.
    """
    text = template.replace("{auth_json}", "".join(f"\\u{ord(char):04x}" for char in auth))
    text = text.replace("{auth_pct}", "".join(f"%{byte:02X}" for byte in auth.encode()))
    text = text.replace("{auth_upper}", auth.upper())
    text = re.sub(r"\{auth:(\d+)\}", lambda match: auth[: int(match.group(1))], text)
    return text.replace("{auth}", auth)


class ReflectingServer(HostileServer):
    """A :class:`HostileServer` putting the Authorization header (:func:`reflect`) in bodies and headers."""

    def __init__(self, respond: Respond) -> None:
        self.auth_seen: list[str] = []
        reflected = self

        def reflecting(method: str, path: str) -> Answer:
            answer = respond(method, path)
            auth = reflected.auth_seen[-1] if reflected.auth_seen else ""
            headers = {name: reflect(value, auth) for name, value in answer.headers.items()}
            body = reflect(answer.body.decode("utf-8", "surrogateescape"), auth)
            return Answer(answer.status, body.encode("utf-8", "surrogateescape"), headers)

        super().__init__(reflecting)
        handler = self._server.RequestHandlerClass
        for name in ("do_GET", "do_POST"):
            setattr(handler, name, self._recording(getattr(handler, name)))

    def _recording(
        self, answer: Callable[[http.server.BaseHTTPRequestHandler], None]
    ) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
        """``answer``, after noting the request's Authorization header for :func:`reflect`."""

        def recording(request: http.server.BaseHTTPRequestHandler) -> None:
            self.auth_seen.append(request.headers.get("Authorization") or "")
            answer(request)

        return recording


def _json(document: object) -> Answer:
    return Answer(200, json.dumps(document).encode(), {"Content-Type": "application/json"})


def reflecting_courier(**answers: Answer) -> Respond:
    """A Courier that reflects nothing, except in the answers given by name.

    Names: ``create`` (``POST /bulk``), ``ingest`` (``POST /bulk/{id}``), ``run``, ``job`` (``GET
    /bulk/{id}``), ``users`` (the first ``GET /bulk/{id}/users`` page) and ``more_users`` (the pages
    after it). Each defaults to what Courier sends: a job ``1-hostile``, every user accepted, a
    completed job, one empty page. Paths may name any job id (a reflected one too).
    """
    defaults = {
        "create": _json({"jobId": JOB_ID}),
        "ingest": Answer(204),
        "run": Answer(204),
        "job": _json({"job": {"status": "COMPLETED", "received": 0, "enqueued": 0, "failures": 0}}),
        "users": _json({"items": [], "paging": {"more": False}}),
    }
    defaults["more_users"] = defaults["users"]
    chosen = {**defaults, **answers}

    def respond(method: str, path: str) -> Answer:
        parts = path.split("?")[0].strip("/").split("/")
        if method == "POST" and parts == ["bulk"]:
            return chosen["create"]
        if method == "POST" and len(parts) == 2:
            return chosen["ingest"]
        if method == "POST" and len(parts) == 3 and parts[2] == "run":
            return chosen["run"]
        if method == "GET" and len(parts) == 2:
            return chosen["job"]
        if method == "GET" and len(parts) == 3 and parts[2] == "users":
            return chosen["more_users" if "cursor=" in path else "users"]
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')

    return respond
