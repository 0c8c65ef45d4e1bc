"""The sandbox's front door, without sockets: auth, routing, faults, idempotency replay and the request log.

:meth:`Gateway.handle` turns one parsed HTTP request into a :class:`Reply`; the server in
:mod:`bulkprep.sandbox.server` only moves bytes. Errors always come as Courier's ``{"message", "type"}``.

Example:
    >>> from bulkprep.sandbox.faults import Faults
    >>> from bulkprep.sandbox.jobs import Dialect, JobStore
    >>> gateway = Gateway(token="t", store=JobStore(Dialect()), faults=Faults())
    >>> reply = gateway.handle("POST", "/bulk", {"Authorization": "Bearer t"}, b'{"message": {"event": "E"}}')
    >>> reply.status, sorted(reply.json())
    (200, ['jobId'])
    >>> gateway.handle("GET", "/bulk", {"Authorization": "Bearer nope"}, b"").json()["type"]
    'authentication_error'
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from bulkprep.sandbox.faults import FaultInjector, Faults
from bulkprep.sandbox.jobs import Answer, JobStore, read_users
from bulkprep.sandbox.rules import ApiError, parse_json

__all__ = ["Gateway", "Reply", "RequestRecord", "error_reply"]

_ERROR_TYPES = {429: "rate_limit_error", 500: "api_error", 503: "api_error"}
_FAULT_MESSAGES = {
    429: "rate limit exceeded; slow down and retry later",
    500: "internal server error; retry later",
    503: "service unavailable; retry later",
}
_ENDPOINTS = (
    "POST /bulk, POST|GET /bulk/{job_id}, POST /bulk/{job_id}/run, GET /bulk/{job_id}/users, "
    "GET /messages/{message_id}"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox saw it. The ``Authorization`` header is never recorded.

    Attributes:
        method: HTTP method.
        path: the request target, query included.
        status: the status answered (for a dropped connection: the status that was not sent).
        idempotency_key: the ``Idempotency-Key`` header of a POST, if any.
        replayed: whether the answer was replayed from an earlier request with the same key.
        fault: the injected fault: ``"rate_limit"``, ``"server_error"``, ``"drop"`` or None.
    """

    method: str
    path: str
    status: int
    idempotency_key: str | None = None
    replayed: bool = False
    fault: str | None = None


@dataclass(frozen=True)
class Reply:
    """An answer ready to send: status, JSON body bytes (None: no body), extra headers, drop flag."""

    status: int
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    replayed: bool = False
    fault: str | None = field(default=None, compare=False)

    def json(self) -> Any:
        """The body, parsed (None when there is none)."""
        return None if self.body is None else orjson.loads(self.body)


def error_reply(status: int, type: str, message: str, *headers: tuple[str, str]) -> Reply:
    """A Courier-style error answer.

    Example:
        >>> error_reply(404, "invalid_request_error", "no such job").body
        b'{"message":"no such job","type":"invalid_request_error"}'
    """
    return Reply(status, orjson.dumps({"message": message, "type": type}), headers)


def _from_api_error(exc: ApiError) -> Reply:
    return error_reply(exc.status, exc.type, exc.message)


def _from_answer(answer: Answer) -> Reply:
    return Reply(answer.status, None if answer.body is None else orjson.dumps(answer.body))


def _route(method: str, path: str) -> tuple[str, str | None]:
    """The endpoint and job (or message) id of a request, or a 404 (no such path) or 405 (wrong method)."""
    segments = [unquote(segment) for segment in path.split("/")]
    endpoints: dict[str, str] = {}
    job_id = None
    if len(segments) == 3 and segments[:2] == ["", "messages"] and segments[2]:
        endpoints, job_id = {"GET": "message"}, segments[2]
    elif segments == ["", "bulk"]:
        endpoints = {"POST": "create"}
    elif len(segments) in (3, 4) and segments[:2] == ["", "bulk"] and segments[2]:
        job_id = segments[2]
        tail = segments[3] if len(segments) == 4 else None
        endpoints = {
            None: {"POST": "ingest", "GET": "get"},
            "run": {"POST": "run"},
            "users": {"GET": "users"},
        }.get(tail, {})
    if not endpoints:
        raise ApiError(
            404, "invalid_request_error", f"no such endpoint: {method} {path}; the Bulk API has {_ENDPOINTS}"
        )
    if method not in endpoints:
        allowed = ", ".join(sorted(endpoints))
        raise ApiError(405, "invalid_request_error", f"{method} is not allowed on {path}; use {allowed}")
    return endpoints[method], job_id


def _allow_header(method: str, path: str) -> tuple[tuple[str, str], ...]:
    """The ``Allow`` header of a 405: the methods the path does take."""
    allowed = [m for m in ("GET", "POST") if _allowed(m, path)]
    return (("Allow", ", ".join(allowed)),)


def _allowed(method: str, path: str) -> bool:
    try:
        _route(method, path)
    except ApiError:
        return False
    return True


class Gateway:
    """Everything between a parsed HTTP request and the :class:`JobStore`, thread-safe.

    Args:
        token: the API key clients must send as ``Authorization: Bearer <token>``.
        store: the jobs.
        faults: the faults to inject.
    """

    def __init__(self, *, token: str, store: JobStore, faults: Faults) -> None:
        self.token = token
        self.store = store
        self.injector = FaultInjector(faults)
        # One lock for the jobs, the stored replies and the log: handling is in-memory and quick.
        self.lock = threading.RLock()
        self._replies: dict[tuple[str, str, str], Reply] = {}
        self._log: list[RequestRecord] = []

    @property
    def faults(self) -> Faults:
        """The faults being injected."""
        return self.injector.faults

    def reset(self) -> None:
        """Forget jobs, stored replies and the log, and restart the fault sequence."""
        with self.lock:
            self.store.reset()
            self._replies.clear()
            self._log.clear()
        self.injector.reset()

    def log(self) -> list[RequestRecord]:
        """Every request so far, oldest first."""
        with self.lock:
            return list(self._log)

    def record(self, method: str, target: str, reply: Reply, idempotency_key: str | None = None) -> Reply:
        """Add a request to the log and return its reply unchanged."""
        entry = RequestRecord(method, target, reply.status, idempotency_key, reply.replayed, reply.fault)
        with self.lock:
            self._log.append(entry)
        return reply

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        """401 unless the bearer token is right; the token sent is never repeated back."""
        scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "authentication_error", "missing API key: send 'Authorization: Bearer <key>'")
        if not hmac.compare_digest(token.strip().encode(), self.token.encode()):
            raise ApiError(401, "authentication_error", "the API key is not valid; check the key you sent")

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one request (faults included) and log it."""
        path = urlsplit(target).path
        headers = {name.lower(): value for name, value in headers.items()}  # header names ignore case
        key = (headers.get("idempotency-key") or None) if method == "POST" else None
        try:
            self._authenticate(headers)
            endpoint, job_id = _route(method, path)
        except ApiError as exc:
            extra = _allow_header(method, path) if exc.status == 405 else ()
            return self.record(method, target, replace(_from_api_error(exc), headers=extra), key)

        decision = self.injector.decide(ingest=endpoint == "ingest")
        if decision.latency:
            time.sleep(decision.latency)
        if decision.status is not None:
            status = decision.status
            fault = error_reply(status, _ERROR_TYPES[status], _FAULT_MESSAGES[status], *decision.headers)
            return self.record(method, target, replace(fault, fault=decision.fault), key)

        reply = self._answer(endpoint, job_id, target, body, None if self.faults.ignore_idempotency else key)
        if decision.drop:
            reply = replace(reply, drop=True, fault=decision.fault)
        return self.record(method, target, reply, key)

    def _answer(self, endpoint: str, job_id: str | None, target: str, body: bytes, key: str | None) -> Reply:
        """Replay the stored reply for an idempotency key, or handle the request and store its reply."""
        document: Any = None
        parse_error: ApiError | None = None
        if endpoint in ("create", "ingest"):
            # Parsed, and an ingest's users checked and keyed, outside the lock: that is most of the
            # work of a request, and concurrent requests need not wait for it in turn.
            try:
                document = parse_json(body)
            except ApiError as exc:
                parse_error = exc
            else:
                if endpoint == "ingest":
                    document = read_users(document)
        replay_key = (endpoint, urlsplit(target).path, key) if key is not None else None
        with self.lock:
            if replay_key is not None and replay_key in self._replies:
                stored = self._replies[replay_key]
                return replace(
                    stored, headers=(*stored.headers, ("Idempotent-Replayed", "true")), replayed=True
                )
            try:
                if parse_error is not None:
                    raise parse_error
                reply = _from_answer(self._dispatch(endpoint, job_id, target, document))
            except ApiError as exc:
                reply = _from_api_error(exc)
            if replay_key is not None:
                self._replies[replay_key] = reply
            return reply

    def _dispatch(self, endpoint: str, job_id: str | None, target: str, document: Any) -> Answer:
        store = self.store
        if endpoint == "create":
            return store.create(document)
        assert job_id is not None  # every other endpoint has a job (or message) id in its path
        if endpoint == "message":
            return store.message(job_id)
        if endpoint == "ingest":
            return store.add_users(job_id, document)
        if endpoint == "run":
            return store.run(job_id)
        if endpoint == "get":
            return store.get(job_id)
        cursors = parse_qs(urlsplit(target).query).get("cursor") or [""]
        return store.page(job_id, cursors[0] or None)
