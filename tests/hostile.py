"""A misbehaving HTTP server on loopback, for answers the sandbox never gives (it speaks Courier too well).

:class:`HostileServer` answers each request with whatever its ``respond`` function returns for the method
and path (and query); each :class:`Answer` may also misbehave in time and size: drip its bytes slowly,
never come, or have a body that never ends. :func:`courier_until_ingest` is a Courier that creates jobs
properly and then answers every ingest with one fixed, wrong body; :func:`courier_with_job` one whose
job answer is fixed; :func:`endless_cursors` one whose users list hands out a new cursor on every page.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass(frozen=True)
class Answer:
    """One canned answer. ``{auth}`` in the body is replaced by the request's Authorization header.

    Attributes:
        drip: seconds between two bytes of the whole answer (status line, headers and body).
        hang: never answer; the connection stays open until the server closes.
        endless: after the headers, a chunked body that never ends (``body`` repeated).
        raw: these bytes exactly, instead of an answer made of the other fields, then the connection
            closes (an answer cut short in its headers, say).
        interim: the status codes of interim answers (102, 103...) written before this one, on a
            connection that stays open (HTTP allows any number of 1xx before the final answer).
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0
    hang: bool = False
    endless: bool = False
    raw: bytes = b""
    interim: tuple[int, ...] = ()


Respond = Callable[[str, str], Answer]


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 answering with ``respond(method, path)``; records each request.

    ``bytes_sent`` counts the answer bytes written; closing the server releases every answer still
    dripping, hanging or going on forever.
    """

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[tuple[str, str]] = []
        self.bytes_sent = 0
        self.closing = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append((self.command, self.path))
                answer = server.respond(self.command, self.path)
                text = answer.body.replace(b"{auth}", (self.headers.get("Authorization") or "").encode())
                if answer.hang:
                    server.closing.wait()
                    self.close_connection = True
                    return
                if answer.drip or answer.endless or answer.raw:
                    self.close_connection = True
                    # An OSError is the client going away: that is what it should do.
                    with contextlib.suppress(OSError):
                        server._misbehave(self, answer, text)
                    return
                for status in answer.interim:
                    self.wfile.write(b"HTTP/1.1 %d Interim\r\n\r\n" % status)
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

    def _misbehave(self, handler: http.server.BaseHTTPRequestHandler, answer: Answer, text: bytes) -> None:
        if answer.raw:
            self._write(handler, answer.raw, drip=answer.drip)
            return
        lines = [f"HTTP/1.1 {answer.status} Hostile"]
        lines += [f"{name}: {value}" for name, value in answer.headers.items()]
        if answer.endless:
            lines.append("Transfer-Encoding: chunked")
        elif "Content-Length" not in answer.headers:
            lines.append(f"Content-Length: {len(text)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        if not answer.endless:
            self._write(handler, head + text, drip=answer.drip)
            return
        self._write(handler, head, drip=answer.drip)
        chunk = b"%x\r\n%s\r\n" % (len(text), text)
        while not self.closing.is_set():
            self._write(handler, chunk, drip=answer.drip)

    def _write(self, handler: http.server.BaseHTTPRequestHandler, data: bytes, *, drip: float) -> None:
        pieces = [data[i : i + 1] for i in range(len(data))] if drip else [data]
        for piece in pieces:
            if self.closing.is_set():
                raise ConnectionAbortedError("the server is closing")
            handler.wfile.write(piece)
            handler.wfile.flush()
            with self._lock:
                self.bytes_sent += len(piece)
            if drip:
                time.sleep(drip)

    def close(self) -> None:
        self.closing.set()
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
    pytest.param(b"{}", "errors: Field required", id="empty-object"),
    pytest.param(b'{"total": 3}', "errors: Field required", id="total-only"),
    pytest.param(b'{"data": {"errors": [], "total": 3}}', "errors: Field required", id="envelope"),
]


# ---------------------------------------------------------------------- servers that reflect the key


def reflect(template: str, auth: str) -> str:
    """``template`` with the request's Authorization header put in, in the form each placeholder names.

    ``{auth}`` as sent, ``{auth_json}`` with every character JSON-escaped (``\\u0042earer...``),
    ``{auth_pct}`` percent-encoded, ``{auth_upper}`` in upper case, ``{auth:N}`` its first N characters,
    and ``{auth_utf16}`` as UTF-16 writes it (a NUL after each character), in a body of that encoding.
    """
    text = template.replace("{auth_utf16}", "".join(f"{char}\x00" for char in auth))
    text = text.replace("{auth_json}", "".join(f"\\u{ord(char):04x}" for char in auth))
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


def endless_cursors() -> Respond:
    """A Courier whose ``GET /bulk/{JOB_ID}/users`` always says more users follow, with a fresh cursor."""
    counter = itertools.count()

    def respond(method: str, path: str) -> Answer:
        if method == "GET" and path.startswith(f"/bulk/{JOB_ID}/users"):
            cursor = f"c{next(counter)}".encode()
            body = b'{"items": [], "paging": {"more": true, "cursor": "%s"}}' % cursor
            return Answer(200, body, {"Content-Type": "application/json"})
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')

    return respond


def courier_with_job(job: bytes) -> Respond:
    """A Courier that creates job :data:`JOB_ID` properly and answers ``GET /bulk/{JOB_ID}`` with ``job``."""

    def respond(method: str, path: str) -> Answer:
        if method == "POST" and path == "/bulk":
            return Answer(200, b'{"jobId": "%s"}' % JOB_ID.encode(), {"Content-Type": "application/json"})
        if method == "GET" and path == f"/bulk/{JOB_ID}":
            return Answer(200, job, {"Content-Type": "application/json"})
        if method == "POST" and path.startswith(f"/bulk/{JOB_ID}"):
            return Answer(204)
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')

    return respond


# ------------------------------------------------------------ a Courier that fails one step after sending


def json_answer(status: int, document: Any) -> Answer:
    """An answer with ``document`` as its JSON body."""
    return Answer(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


#: Courier taking a batch with no per-user error.
TAKEN = json_answer(200, {"errors": []})
#: Courier refusing the key, as when it is revoked in the middle of a run.
KEY_REVOKED = json_answer(401, {"message": "Unauthorized: key revoked", "type": "authentication_error"})
#: A job's users, all read on one page, none listed.
NO_USERS = json_answer(200, {"items": [], "paging": {"more": False}})


def job_answer(status: str, received: int = 0) -> Answer:
    """``GET /bulk/{job_id}``'s answer for a job in ``status``."""
    return json_answer(200, {"job": {"status": status, "received": received, "enqueued": 0, "failures": 0}})


Step = Answer | Callable[[int], Answer]


def one_user_on_every_page(recipient: str) -> Callable[[int], Answer]:
    """A users step whose every page lists the same user, with a new cursor, and says more follow."""

    def page(number: int) -> Answer:
        item = {"recipient": recipient, "status": "ENQUEUED"}
        return json_answer(200, {"items": [item], "paging": {"more": True, "cursor": f"c{number}"}})

    return page


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
