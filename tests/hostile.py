"""A misbehaving HTTP server on loopback, for answers the sandbox never gives (it speaks Courier too well).

:class:`HostileServer` answers each request with whatever its ``respond`` function returns for the method
and path; :func:`courier_until_ingest` is a Courier that creates jobs properly and then answers every
ingest with one fixed, wrong body.
"""

from __future__ import annotations

import http.server
import json
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


# ------------------------------------------------------------ a Courier that fails one step after sending


def json_answer(status: int, document: Any) -> Answer:
    """An answer with ``document`` as its JSON body."""
    return Answer(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


#: Courier taking a batch with no per-user error.
TAKEN = json_answer(200, {"errors": [], "total": 1})
#: Courier refusing the key, as when it is revoked in the middle of a run.
KEY_REVOKED = json_answer(401, {"message": "Unauthorized: key revoked", "type": "authentication_error"})
#: A job's users, all read on one page, none listed.
NO_USERS = json_answer(200, {"items": [], "paging": {"more": False}})


def job_answer(status: str, received: int = 0) -> Answer:
    """``GET /bulk/{job_id}``'s answer for a job in ``status``."""
    return json_answer(200, {"job": {"status": status, "received": received, "enqueued": 0, "failures": 0}})


Step = Answer | Callable[[int], Answer]


class ScriptedCourier:
    """A Courier that makes job :data:`JOB_ID` and answers each step as scripted; counts each step's calls.

    A step is an :class:`Answer`, or a function of the call's number (1, 2, ...) returning one. Use the
    instance as a :class:`HostileServer`'s ``respond``.
    """

    def __init__(
        self,
        *,
        ingest: Step = TAKEN,
        run: Step = Answer(204),
        job: Step | None = None,
        users: Step = NO_USERS,
    ) -> None:
        self.ran = False
        self.steps: dict[str, Step] = {"ingest": ingest, "run": run, "users": users}
        self.job = job
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def _answer(self, step: str, scripted: Step) -> Answer:
        with self._lock:
            self.calls[step] = number = self.calls.get(step, 0) + 1
        return scripted(number) if callable(scripted) else scripted

    def __call__(self, method: str, path: str) -> Answer:
        base = f"/bulk/{JOB_ID}"
        if method == "POST" and path == "/bulk":
            return self._answer("create", json_answer(200, {"jobId": JOB_ID}))
        if method == "POST" and path == base:
            return self._answer("ingest", self.steps["ingest"])
        if method == "POST" and path == f"{base}/run":
            answer = self._answer("run", self.steps["run"])
            self.ran = self.ran or answer.status < 300
            return answer
        if method == "GET" and path == base:
            default = job_answer("COMPLETED" if self.ran else "CREATED", received=1)
            return self._answer("job", self.job if self.job is not None else default)
        if method == "GET" and path.startswith(f"{base}/users"):
            return self._answer("users", self.steps["users"])
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')
