"""Jobs of the sandbox: the state and rules behind Courier's five bulk endpoints and its messages, no HTTP.

A :class:`JobStore` holds the jobs, detects duplicate users, runs the job lifecycle on an injected clock
and remembers how often each user was offered. It is not thread-safe on its own: the server calls it
under one lock. :class:`Dialect` picks which of Courier's documented answers the store gives where the
documentation disagrees.

Example:
    >>> store = JobStore(Dialect(processing_seconds=0), clock=lambda: 0.0)
    >>> job_id = store.create({"message": {"event": "WELCOME"}}).body["jobId"]
    >>> store.add_users(job_id, {"users": [{"recipient": "u1"}, {"recipient": "u1"}]}).body
    {'errors': [{'error': 'Duplicate user', 'user': {'user_id': 'u1'}}], 'total': 1}
    >>> _ = store.run(job_id)
    >>> store.get(job_id).body["job"]["status"]
    'COMPLETED'
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

import orjson

from bulkprep.errors import ConfigurationError
from bulkprep.sandbox.messages import Message, details, fate_of
from bulkprep.sandbox.rules import ApiError, check_message, check_users

__all__ = [
    "DIALECT_CHOICES",
    "Answer",
    "CreateStatus",
    "Dialect",
    "EchoShape",
    "Incoming",
    "IngestShape",
    "JobChannel",
    "JobStore",
    "RunStatus",
    "new_courier_id",
    "offer_key",
    "read_users",
    "user_ids",
]

_T = TypeVar("_T")

# Where Courier's documentation disagrees, the readings the sandbox can give (see :class:`Dialect`).
CreateStatus = Literal[200, 201]
RunStatus = Literal[202, 204]
IngestShape = Literal["json", "empty"]
EchoShape = Literal["flattened", "request"]
JobChannel = Literal["any", "email", "sms"]

DIALECT_CHOICES: dict[str, tuple[Any, ...]] = {
    "create_status": get_args(CreateStatus),
    "run_status": get_args(RunStatus),
    "ingest_answer": get_args(IngestShape),
    "echo": get_args(EchoShape),
    "channel": get_args(JobChannel),
}
"""The values each choice of :class:`Dialect` takes, by field name (the command line offers the same)."""


@dataclass(frozen=True)
class Dialect:
    """Which of Courier's documented answers the sandbox gives, and how its jobs behave.

    Attributes:
        create_status: status of ``POST /bulk``: 200 (current reference) or 201 (older docs).
        run_status: status of ``POST /bulk/{id}/run``: 202 (older docs) or 204 (current reference).
        ingest_answer: ``"json"`` answers ``POST /bulk/{id}`` with 200 ``{"errors", "total"}`` (the ingest
            page); ``"empty"`` answers 204 with no body (the current OpenAPI reference).
        echo: shape of the user echoed in a duplicate error: ``"flattened"`` (``{email, user_id, data}``,
            the ingest page's example) or ``"request"`` (the user as sent).
        page_size: users per page of ``GET /bulk/{id}/users``.
        processing_seconds: how long a job takes from run to COMPLETED; users finish one by one over it.
        channel: which address a user needs to end ENQUEUED rather than ERROR: ``"any"`` (an email or a
            phone number in ``profile`` or ``to``), ``"email"`` (``profile.email``; ``to.email`` alone is
            not enough, as for Courier's email jobs) or ``"sms"`` (a phone number in ``profile`` or ``to``).
        fail_jobs: every job that runs ends in ERROR, and so does each of its users (Courier gives no
            reason for either); for testing what a client does with a failed job.
        delivery_seconds: how long each step of a message takes once enqueued (ENQUEUED, SENT,
            DELIVERED, ...; see :mod:`bulkprep.sandbox.messages`); 0 puts every message at its end.

    Example:
        >>> Dialect(create_status=201).run_status
        204
    """

    create_status: CreateStatus = 200
    run_status: RunStatus = 204
    ingest_answer: IngestShape = "json"
    echo: EchoShape = "flattened"
    page_size: int = 100
    processing_seconds: float = 0.2
    channel: JobChannel = "any"
    fail_jobs: bool = False
    delivery_seconds: float = 1.0

    def __post_init__(self) -> None:
        for name, values in DIALECT_CHOICES.items():
            if getattr(self, name) not in values:
                raise ConfigurationError(
                    f"sandbox option {name}={getattr(self, name)!r} is not one of "
                    + ", ".join(map(repr, values))
                )
        if not isinstance(self.page_size, int) or self.page_size < 1:
            raise ConfigurationError(
                f"sandbox option page_size={self.page_size!r} must be a positive integer"
            )
        for name in ("processing_seconds", "delivery_seconds"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"sandbox option {name}={getattr(self, name)!r} is negative")


@dataclass(frozen=True)
class Answer:
    """A successful answer: HTTP status and JSON body (``None`` for an empty body)."""

    status: int
    body: Any = None


def new_courier_id() -> str:
    """An id shaped like Courier's job and message ids: a digit, 8 hex digits (the time), 24 hex digits.

    Example:
        >>> import re
        >>> bool(re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", new_courier_id()))
        True
    """
    return f"1-{int(time.time()) & 0xFFFFFFFF:08x}-{secrets.token_hex(12)}"


def _text(container: Any, name: str) -> str | None:
    """``container[name]`` when the container is an object and the value a non-empty string."""
    if isinstance(container, dict):
        value = container.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def user_ids(user: dict[str, Any]) -> list[str]:
    """The user ids a user claims (``recipient`` and ``to.user_id`` share one namespace).

    Example:
        >>> user_ids({"recipient": "a", "to": {"user_id": "b"}})
        ['a', 'b']
    """
    ids = [_text(user, "recipient"), _text(user.get("to"), "user_id")]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _email(user: dict[str, Any]) -> str | None:
    return _text(user.get("profile"), "email") or _text(user.get("to"), "email")


def _phone(user: dict[str, Any]) -> str | None:
    return _text(user.get("profile"), "phone_number") or _text(user.get("to"), "phone_number")


def offer_key(user: dict[str, Any], ids: list[str] | None = None) -> str:
    """What identifies a user when counting offers: its user id, else its email, else its phone, else itself.

    Example:
        >>> offer_key({"profile": {"email": "a@b.co"}}), offer_key({"data": {"x": 1}})
        ('a@b.co', '{"data":{"x":1}}')
    """
    ids = user_ids(user) if ids is None else ids
    key = ids[0] if ids else (_email(user) or _phone(user))
    return key if key is not None else orjson.dumps(user, option=orjson.OPT_SORT_KEYS).decode()


def _flattened(user: dict[str, Any]) -> dict[str, Any]:
    """The flattened echo of Courier's ingest example: ``{email, user_id, data}``, absent parts left out."""
    ids = user_ids(user)
    echo = {"email": _email(user), "user_id": ids[0] if ids else None, "data": user.get("data")}
    return {name: value for name, value in echo.items() if value is not None}


def _copy(value: _T) -> _T:
    """A deep copy through JSON: stored data is JSON by construction, and this is fast and depth-safe."""
    copied: _T = orjson.loads(orjson.dumps(value))
    return copied


def _claims(user: dict[str, Any]) -> tuple[str, ...]:
    """:func:`user_ids` as a tuple, without its general walk for the common user that has no ``to``."""
    if "to" in user:
        return tuple(user_ids(user))
    recipient = user.get("recipient")
    return (recipient,) if isinstance(recipient, str) and recipient else ()


@dataclass(frozen=True)
class Incoming:
    """The users of one ``POST /bulk/{job_id}`` body, read ahead of the store (outside the server's lock).

    Attributes:
        users: the users, checked, in request order.
        claims: the user ids each user claims (see :func:`user_ids`).
        offer_keys: what each user is counted under (see :func:`offer_key`).
        problem: the 400 the body earns, if any; :meth:`JobStore.add_users` raises it only once the job
            is found, so a missing job is still named first.
    """

    users: list[dict[str, Any]]
    claims: list[tuple[str, ...]]
    offer_keys: list[str]
    problem: ApiError | None = None


def read_users(document: Any) -> Incoming:
    """Check the users of an ingest body and work out what the store needs of each.

    A body that breaks the rules is not raised here but carried as ``problem`` (see :class:`Incoming`).

    Example:
        >>> incoming = read_users({"users": [{"recipient": "a"}, {"profile": {"email": "b@c.co"}}]})
        >>> incoming.claims, incoming.offer_keys, incoming.problem
        ([('a',), ()], ['a', 'b@c.co'], None)
        >>> read_users({"users": [{"to": 1}]}).problem.message
        'users[0].to must be an object, not a number'
    """
    try:
        users = check_users(document)
    except ApiError as exc:
        return Incoming([], [], [], exc)
    claims = [_claims(user) for user in users]
    keys = [ids[0] if ids else offer_key(user, []) for user, ids in zip(users, claims, strict=True)]
    return Incoming(users, claims, keys)


@dataclass
class _Job:
    """A job and its users.

    The users and their delivery states are kept side by side, in arrival order, rather than as one
    object per user: a job can hold hundreds of thousands of users, and every extra object per user
    costs time to build and to sweep for the cycle collector.
    """

    job_id: str
    definition: dict[str, Any]
    users: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    message_ids: dict[int, str] = field(default_factory=dict)  # by position, once a user is ENQUEUED
    ids: set[str] = field(default_factory=set)
    offers: Counter[str] = field(default_factory=Counter)
    ran_at: float | None = None
    finished: int = 0  # users[:finished] have their final status; they finish in order
    enqueued: int = 0
    failures: int = 0

    def item(self, position: int) -> dict[str, Any]:
        """A user as ``GET /bulk/{id}/users`` lists it; ``messageId`` only once there is one.

        Shares the stored user's nested values: answers are encoded at once, under the server's lock,
        and read access for tests copies.
        """
        item = {**self.users[position], "status": self.statuses[position]}
        message_id = self.message_ids.get(position)
        if message_id is not None:
            item["messageId"] = message_id
        return item


class JobStore:
    """Courier's bulk jobs in memory; each public method is one endpoint and returns an :class:`Answer`.

    Args:
        dialect: which documented answers to give and how jobs behave.
        clock: seconds, monotonic; drives the lifecycle so tests need not wait.

    Raises:
        ApiError: from every endpoint method, for the answers Courier gives as errors.
    """

    def __init__(self, dialect: Dialect, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.dialect = dialect
        self._clock = clock
        self._jobs: dict[str, _Job] = {}
        self._messages: dict[str, tuple[Message, float]] = {}  # by id: the message, when enqueued
        # Message times are ms since the epoch; the clock only says how far apart things are.
        self._epoch_offset = time.time() - clock()

    def reset(self) -> None:
        """Forget every job and message."""
        self._jobs.clear()
        self._messages.clear()

    # -- endpoints ---------------------------------------------------------------------------------------

    def create(self, document: Any) -> Answer:
        """``POST /bulk``: a new job from ``{"message": {...}}``."""
        message = check_message(document)
        job_id = new_courier_id()
        while job_id in self._jobs:  # pragma: no cover - 96 random bits
            job_id = new_courier_id()
        self._jobs[job_id] = _Job(job_id, message)
        return Answer(self.dialect.create_status, {"jobId": job_id})

    def add_users(self, job_id: str, document: Any) -> Answer:
        """``POST /bulk/{job_id}``: add users, refusing ones whose user id the job already holds.

        ``document`` is the parsed body, or the :class:`Incoming` that :func:`read_users` made of it.
        """
        job = self._job(job_id)
        incoming = document if isinstance(document, Incoming) else read_users(document)
        if incoming.problem is not None:
            raise incoming.problem
        if job.ran_at is not None:
            raise ApiError(
                409,
                "invalid_request_error",
                f"job {job_id} has already run; users can no longer be added to it. Create a new job",
            )
        # Nothing below can fail, so a request is stored in full or (above) not at all.
        job.offers.update(incoming.offer_keys)
        held = job.ids
        added: list[dict[str, Any]] = []
        errors = []
        # The users were parsed for this request alone and are never changed once stored, so they are
        # kept as they are, without copies (every read for tests copies; answers are encoded at once).
        for user, ids in zip(incoming.users, incoming.claims, strict=True):
            if ids and not held.isdisjoint(ids):
                echo = _flattened(user) if self.dialect.echo == "flattened" else user
                errors.append({"error": "Duplicate user", "user": echo})
                continue
            held.update(ids)
            added.append(user)
        job.users += added
        job.statuses += ["PENDING"] * len(added)
        if self.dialect.ingest_answer == "empty":
            return Answer(204)
        return Answer(200, {"errors": errors, "total": len(added)})

    def run(self, job_id: str) -> Answer:
        """``POST /bulk/{job_id}/run``: start the job; a job runs once."""
        job = self._job(job_id)
        if job.ran_at is not None:
            raise ApiError(
                409, "invalid_request_error", f"job {job_id} has already run; a job runs only once"
            )
        job.ran_at = self._clock()
        return Answer(self.dialect.run_status)

    def get(self, job_id: str) -> Answer:
        """``GET /bulk/{job_id}``: the job's definition, status and counters."""
        return Answer(200, {"job": self._snapshot(self._job(job_id))})

    def page(self, job_id: str, cursor: str | None) -> Answer:
        """``GET /bulk/{job_id}/users?cursor=``: one page of users with their delivery state."""
        job = self._job(job_id)
        self._advance(job)
        start = self._offset(job, cursor) if cursor else 0
        end = start + self.dialect.page_size
        items = [job.item(position) for position in range(start, min(end, len(job.users)))]
        more = end < len(job.users)
        next_cursor = self._cursor(job, end) if more else None
        return Answer(200, {"items": items, "paging": {"more": more, "cursor": next_cursor}})

    def message(self, message_id: str) -> Answer:
        """``GET /messages/{message_id}``: what became of one enqueued message, up to the clock."""
        found = self._messages.get(message_id)
        if found is None:
            raise ApiError(404, "invalid_request_error", f"message {message_id!r} not found")
        message, enqueued_at = found
        elapsed = self._clock() - enqueued_at
        return Answer(200, details(message, elapsed, self.dialect.delivery_seconds))

    # -- read access for tests ---------------------------------------------------------------------------

    def jobs(self) -> dict[str, dict[str, Any]]:
        """Every job as ``GET /bulk/{job_id}`` reports it, by job id (a copy)."""
        return _copy({job_id: self._snapshot(job) for job_id, job in self._jobs.items()})

    def users(self, job_id: str) -> list[dict[str, Any]]:
        """Every stored user of a job, as ``GET /bulk/{job_id}/users`` lists them (a copy)."""
        job = self._job(job_id)
        self._advance(job)
        return _copy([job.item(position) for position in range(len(job.users))])

    def offers(self, job_id: str | None = None) -> dict[str, int]:
        """How many times each user (see :func:`offer_key`) was offered to one job, or to all jobs."""
        jobs: Iterator[_Job] = iter([self._job(job_id)]) if job_id is not None else iter(self._jobs.values())
        total: Counter[str] = Counter()
        for job in jobs:
            total.update(job.offers)
        return dict(total)

    # -- rules -------------------------------------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(
                404, "invalid_request_error", f"job {job_id!r} not found; create one with POST /bulk"
            )
        return job

    def _snapshot(self, job: _Job) -> dict[str, Any]:
        status = self._advance(job)
        return {
            "definition": job.definition,
            "status": status,
            "received": len(job.users),
            "enqueued": job.enqueued,
            "failures": job.failures,
        }

    def _reachable(self, user: dict[str, Any]) -> bool:
        """Whether the job's channel has an address for this user (see :class:`Dialect` ``channel``)."""
        channel = self.dialect.channel
        if channel == "email":
            return _text(user.get("profile"), "email") is not None
        if channel == "sms":
            return _phone(user) is not None
        return _email(user) is not None or _phone(user) is not None

    def _advance(self, job: _Job) -> str:
        """Bring a job up to the clock and return its status; users finish evenly over the processing time."""
        if job.ran_at is None:
            return "CREATED"
        elapsed = self._clock() - job.ran_at
        duration = self.dialect.processing_seconds
        count = len(job.users)
        done = count if elapsed >= duration else int(count * elapsed / duration)
        for position in range(job.finished, done):
            if self._reachable(job.users[position]) and not self.dialect.fail_jobs:
                job.statuses[position] = "ENQUEUED"
                job.message_ids[position] = self._enqueue(job, position)
                job.enqueued += 1
            else:
                job.statuses[position] = "ERROR"
                job.failures += 1
        job.finished = max(job.finished, done)
        if elapsed < duration:
            return "PROCESSING"
        return "ERROR" if self.dialect.fail_jobs else "COMPLETED"

    def _enqueue(self, job: _Job, position: int) -> str:
        """A new message to the user at ``position``, enqueued now; returns its id."""
        message_id = new_courier_id()
        while message_id in self._messages:  # pragma: no cover - 96 random bits
            message_id = new_courier_id()
        user = job.users[position]
        now = self._clock()
        enqueued_ms = int((now + self._epoch_offset) * 1000)
        message = Message(message_id, user, job.definition, fate_of(user), enqueued_ms)
        self._messages[message_id] = (message, now)
        return message_id

    @staticmethod
    def _cursor(job: _Job, offset: int) -> str:
        return base64.urlsafe_b64encode(f"{job.job_id}:{offset}".encode()).decode().rstrip("=")

    @staticmethod
    def _offset(job: _Job, cursor: str) -> int:
        """Decode a cursor of this job; anything else is a 400 (cursors are opaque to clients)."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            owner, _, offset = text.rpartition(":")
            if owner == job.job_id and offset.isdigit() and int(offset) <= len(job.users):
                return int(offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            pass
        raise ApiError(
            400,
            "invalid_request_error",
            "cursor is not valid for this job; "
            "pass paging.cursor from the previous page, or no cursor for the first page",
        )
