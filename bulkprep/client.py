"""A small client for Courier's Bulk API: pooled connections, retries, and a key that never shows.

Every request carries ``Authorization: Bearer <key>``, ``Accept: application/json`` and a
``User-Agent`` naming bulkprep; bodies go out as the exact bytes given. What is retried and how long
the client waits is the :class:`~bulkprep.retry.RetryPolicy`'s to say (by default 408, 429, 5xx,
timeouts and dropped connections, with capped exponential backoff and jitter, honouring
``Retry-After``); a POST is always retried with the same ``Idempotency-Key``, so Courier can recognise
the repeat. Every answer is read with the models of :mod:`bulkprep.courier`: a 2xx whose body does
not fit raises :class:`~bulkprep.errors.ProtocolError`; other answers raise the exceptions of
:mod:`bulkprep.errors`.

Whatever the server sends passes one choke point before anything reads it (``_scrubbed``): every form
of the key (plain, JSON-escaped, percent-encoded, cut short; :mod:`bulkprep.redaction`) is removed from
the body's bytes and header values, and again from every string of a parsed answer, so a server that
echoes the ``Authorization`` header cannot bring the key into results, logs, the journal or an
exception. Exceptions chain only scrubbed copies of ``requests``' errors, and the client refuses to be
pickled. Which proxy is used is decided by :func:`resolve_proxy`, never for loopback hosts.

Every request is bounded: all its attempts and the waits between them end within its deadline
(``request_deadline``, even against a server that drips one byte at a time), an answer is read up to
``max_answer_bytes`` only, and a job's users are read in at most ``max_pages`` pages. A request in
flight can be cut at once from another thread (:meth:`CourierClient.interrupt`, for Ctrl-C).

Example:
    >>> client = CourierClient("sk_live_not_a_real_key", "http://127.0.0.1:9")
    >>> client
    CourierClient(base_url='http://127.0.0.1:9', api_key=<hidden>)
    >>> client.close()
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ipaddress
import logging
import math
import os
import random
import re
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

import orjson
import pydantic
import requests
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
import urllib3.response
import urllib3.util.response
from requests.adapters import HTTPAdapter

from bulkprep._moved import Moved, moved_names
from bulkprep._version import __version__
from bulkprep.courier import ErrorBody, Job, JobAnswer, JobCreated, MessageDetails, UserItem, UsersPage
from bulkprep.courier import IngestAnswer as _IngestAnswer  # the name IngestAnswer is the old receipt's
from bulkprep.errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    CourierError,
    ProtocolError,
)
from bulkprep.jsonsafe import dumps
from bulkprep.redaction import Redactor
from bulkprep.retry import RetryEvent, RetryPolicy, TransportFailure, parse_retry_after

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_REQUEST_DEADLINE",
    "MAX_EMPTY_PAGES",
    "MAX_JOB_ID_CHARS",
    "MAX_KEY_CHARS",
    "MAX_REQUEST_DEADLINE",
    "USER_AGENT",
    "CourierClient",
    "IngestReceipt",
    "RetryEvent",
    "job_id_fault",
    "resolve_api_key",
    "resolve_base_url",
    "resolve_proxy",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.courier.com"
USER_AGENT = f"bulkprep/{__version__}"
#: Seconds one request may take, every attempt and every wait between them included.
DEFAULT_REQUEST_DEADLINE = 120.0
#: The largest answer read, in bytes (Courier's answers are far smaller; an endless body stops here).
DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024
#: The most pages of a job's users read (a server handing out new cursors forever stops here).
DEFAULT_MAX_PAGES = 100_000
#: The longest deadline a request may be given, in seconds (a day).
MAX_REQUEST_DEADLINE = 86_400.0
#: The most pages in a row a job's users may come with none on them, though more are said to follow.
MAX_EMPTY_PAGES = 10
#: The longest job id taken from Courier (its ids look like ``1-61e9dd53-b5bb6c863b7ffbe83ad4b28d``).
MAX_JOB_ID_CHARS = 1024
# What ends a line for a terminal or for str.splitlines(): in a job id, it would start a line of its own.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def job_id_fault(job_id: str) -> str | None:
    r"""What makes ``job_id`` an id Courier never gives, in words, or None.

    A job id is in every path, line and row written after the job is made: one longer than
    :data:`MAX_JOB_ID_CHARS`, holding a line break (which would print as a line of its own, one
    that bulkprep did not write), empty or blank, or ``.`` or ``..`` (which would take the request to
    another path), is refused before anything is sent to it.

    Example:
        >>> job_id_fault("1-61e9dd53"), job_id_fault("j1\nresults written")
        (None, 'with a line break in it, which no Courier job id has')
        >>> job_id_fault("..")
        "that is a path's dot segment, which no Courier job id is"
    """
    if len(job_id) > MAX_JOB_ID_CHARS:
        return f"of {len(job_id):,} characters, longer than any Courier gives (at most {MAX_JOB_ID_CHARS:,})"
    if _LINE_BREAK.search(job_id):
        return "with a line break in it, which no Courier job id has"
    if not job_id.strip():
        return "that is empty, which no Courier job id is"
    if job_id in (".", ".."):
        # A path's dot segment: /bulk/.. is /, whatever it is quoted as, so no request could reach it.
        return "that is a path's dot segment, which no Courier job id is"
    return None


# A message id as Courier writes them (``1-65f2a3b4-...``): letters, digits and ``-_.:~``, no ``..``.
# Anything else (``../bulk/x/run``, ``%2e%2e``, ``?``, ``#``, line breaks) could name another path.
_LENGTH = re.compile(r"[0-9]{1,19}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._:~-]{0,255}")
_KEY_VARIABLES = ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")
# The longest key sent. Courier's keys and tokens are a few dozen to a few thousand characters; many
# HTTP servers and proxies refuse a header line past 8 KB, so a longer "key" is a pasted file or a
# mistake, refused before anything is sent.
MAX_KEY_CHARS = 8192
_LOOPBACK_NAMES = ("localhost",)
# The content codings urllib3 decodes here (brotli and zstd only when their modules are installed):
# the only ones asked for, and the only ones read. A body in any other coding is bytes bulkprep cannot
# read, however much they look like JSON.
_DECODABLE = frozenset(urllib3.response.HTTPResponse.CONTENT_DECODERS) | {"identity"}
_ACCEPT_ENCODING = ", ".join(c for c in urllib3.response.HTTPResponse.CONTENT_DECODERS if c != "x-gzip")


# --------------------------------------------------------------------------------------------- settings


class _ApiKey:
    """Holds the API key and knows every form of it an answer may echo (:class:`Redactor`).

    Its repr and str are masked and it refuses to be pickled, so it cannot leak through a log, a
    traceback with local variables or a pickle; code that holds a key holds it in one of these.
    """

    __slots__ = ("_value", "redactor")

    def __init__(self, value: str) -> None:
        self._value = value
        self.redactor = Redactor(value)

    @classmethod
    def given(cls, value: str | None) -> _ApiKey | None:
        """A key passed as an argument, wrapped at once (None stays None: the environment's key is used)."""
        return None if value is None else cls(value)

    @classmethod
    def resolve(cls, api_key: str | _ApiKey | None) -> _ApiKey:
        """The key to use (:func:`resolve_api_key`), wrapped."""
        try:
            return cls(resolve_api_key(api_key.reveal() if isinstance(api_key, _ApiKey) else api_key))
        finally:
            del api_key  # a traceback's local variables must not show it

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("the API key is not pickled")

    def __copy__(self) -> _ApiKey:
        return self

    def __deepcopy__(self, memo: object) -> _ApiKey:
        return self


class _BearerAuth(requests.auth.AuthBase):
    """Sets the Authorization header per request.

    As an explicit ``auth``, it also stops ``requests`` from replacing the header with credentials
    found in a ``~/.netrc``, and it is not re-applied when a redirect leaves the host.
    """

    def __init__(self, key: _ApiKey) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<hidden>)"


def resolve_api_key(api_key: str | None) -> str:
    """The API key: the argument, else ``COURIER_API_KEY``, else ``COURIER_AUTH_TOKEN``.

    Surrounding whitespace (a pasted newline) is dropped.

    Raises:
        ConfigurationError: when no key is set, or when it holds whitespace, control characters or
            anything but plain ASCII, or is longer than :data:`MAX_KEY_CHARS` (the message never
            repeats the key).

    Example:
        >>> resolve_api_key("  pk_test_123\\n")
        'pk_test_123'
    """
    # No local variable keeps the key when this raises: a traceback with locals would show it.
    candidates = [("the api_key argument", api_key)]
    del api_key
    candidates += [(name, os.environ.get(name)) for name in _KEY_VARIABLES]
    for source, value in candidates:
        if value is not None and value.strip():
            key = value.strip()
            del candidates, value
            if any(char.isspace() or not char.isprintable() for char in key):
                del key
                raise ConfigurationError(
                    f"the API key from {source} contains spaces or control characters; "
                    "copy the key again from Courier's settings (API Keys) and set it without them"
                )
            # Courier's keys are plain ASCII; a header cannot carry other letters (http.client would
            # raise with the whole header, key included, in its message).
            if not key.isascii():
                del key
                raise ConfigurationError(
                    f"the API key from {source} contains letters or signs that are not plain ASCII "
                    "(typographic quotes around it, another alphabet); copy the key again from "
                    "Courier's settings (API Keys) and set it as it is"
                )
            if len(key) > MAX_KEY_CHARS:
                length = len(key)
                del key
                raise ConfigurationError(
                    f"the API key from {source} is {length} characters long, more than the "
                    f"{MAX_KEY_CHARS} a request header can carry; check that it holds only the key "
                    "as Courier's settings (API Keys) show it"
                )
            return key
    del candidates
    raise ConfigurationError(
        "no Courier API key: set the COURIER_API_KEY environment variable (or COURIER_AUTH_TOKEN), "
        "for example `export COURIER_API_KEY=...` in the shell or os.environ in a notebook, "
        "or pass api_key=..."
    )


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(base_url: str | None) -> str:
    """The API's base URL: the argument, else ``COURIER_BASE_URL``, else Courier's own.

    Raises:
        ConfigurationError: for a URL that is not http(s), that holds credentials, a query, a
            fragment, a space or a control character, or that uses plain ``http://`` to a host other
            than this machine.

    Example:
        >>> resolve_base_url("http://127.0.0.1:8080/"), resolve_base_url("https://api.eu.courier.com")
        ('http://127.0.0.1:8080', 'https://api.eu.courier.com')
    """
    url = (base_url or os.environ.get("COURIER_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    if any(character.isspace() or not character.isprintable() for character in url):
        # Python's URL parser drops tabs and line breaks without a word, and the HTTP library
        # percent-encodes the rest into the path: either way a request to somewhere not written.
        raise ConfigurationError(
            f"base URL {url!r} holds a space, a line break or a control character; use a URL like "
            f"{DEFAULT_BASE_URL}"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as exc:
        raise ConfigurationError(
            f"base URL {url!r} cannot be parsed ({exc}); use a URL like {DEFAULT_BASE_URL}"
        ) from exc
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"base URL {url!r} is not an http(s) URL; use a URL like {DEFAULT_BASE_URL}")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            "the base URL holds credentials; remove them: the key comes from COURIER_API_KEY"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base URL {url!r} has a query or fragment; remove it")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigurationError(
            f"base URL {url!r} uses plain http:// to {host}, which would send the API key unencrypted; "
            "use https:// (plain http:// is only allowed for localhost and 127.0.0.1)"
        )
    return url


def resolve_proxy(base_url: str, proxy: str | None = None) -> str | None:
    """The proxy the client sends through to ``base_url``, or None to connect directly.

    The choice is deliberate, never left to whatever the environment happens to hold:

    - a loopback base URL (``localhost``, ``127.0.0.1``, ``::1``) is never reached through a proxy,
      nor is any plain ``http://`` one (only loopback hosts may use it), so the key is never handed
      to a proxy in clear;
    - otherwise ``proxy`` when given (``""`` means: connect directly, whatever the environment says);
    - otherwise ``HTTPS_PROXY`` (or ``https_proxy``) from the environment, unless ``NO_PROXY`` names
      the host, as curl and most HTTP tools do. ``HTTP_PROXY`` and ``ALL_PROXY`` are not used.

    An ``https://`` request goes through the proxy in a tunnel (``CONNECT``): the proxy sees the host,
    never the key.

    Raises:
        ConfigurationError: for a proxy that is not an ``http://`` or ``https://`` URL with a host
            (the message names where it came from, and never repeats its password).

    Example:
        >>> resolve_proxy("http://127.0.0.1:8080", "http://proxy.example:3128") is None
        True
        >>> resolve_proxy("https://api.courier.com", "http://proxy.example:3128")
        'http://proxy.example:3128'
    """
    parts = urlsplit(base_url)
    if parts.scheme != "https" or _is_loopback(parts.hostname or ""):
        return None
    if proxy is not None:
        return _checked_proxy(proxy, "proxy=...") if proxy.strip() else None
    from_environment = urllib.request.getproxies_environment().get("https")
    if not from_environment or requests.utils.should_bypass_proxies(base_url, no_proxy=None):
        return None
    return _checked_proxy(from_environment, "the HTTPS_PROXY environment variable")


def _checked_proxy(proxy: str, source: str) -> str:
    url = proxy.strip()
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"the proxy from {source} is not an http:// or https:// URL with a host; "
            "use a URL like http://proxy.example:3128"
        )
    return url


def _proxy_settings(base_url: str, proxy: str | None) -> dict[str, Any]:
    """``requests``' ``proxies`` for every request: each key it looks up, so nothing else decides."""
    parts = urlsplit(base_url)
    keys = ["http", "https", "all", f"{parts.scheme}://{parts.hostname}", f"all://{parts.hostname}"]
    return dict.fromkeys(keys, proxy)


# ------------------------------------------------------------------------------------------------ answers

_Model = TypeVar("_Model", bound=pydantic.BaseModel)
# How much of an unreadable answer an error message quotes.
_SNIPPET_CHARS = 60


@dataclass(frozen=True)
class IngestReceipt:
    """What one ``POST /bulk/{job_id}`` came to: Courier's answer, and how it was obtained.

    Attributes:
        status: the 2xx status (200 with a JSON body, or 204 with none).
        errors: Courier's per-user errors, ``[{"error": "...", "user": {...}}, ...]`` as Courier sent
            them (read with :class:`bulkprep.courier.IngestAnswer`); empty when the body was empty,
            which means every user of the request was accepted.
        total: Courier's ``total`` when it sent one.
        attempts: how many times the request was sent.
        outcome_was_unknown: an earlier attempt may have been processed though no answer came
            (dropped connection, timeout, 5xx); "Duplicate user" errors may then mean "already in".

    Example:
        >>> IngestReceipt(204, [], None, 1).errors
        []
    """

    status: int
    errors: list[dict[str, Any]]
    total: int | None
    attempts: int
    outcome_was_unknown: bool = False


@dataclass(frozen=True)
class _Reply:
    response: requests.Response
    body: bytes  # the answer's body as :func:`_read_body` returned it (``response.content`` is not read)
    attempts: int
    outcome_was_unknown: bool


@dataclass(frozen=True)
class _Received:
    """One attempt's answer: the response (its headers) and the body read from it."""

    response: requests.Response
    body: bytes


@dataclass(frozen=True)
class _Request:
    """One request as the client sends it, every attempt alike (same bytes, same idempotency key)."""

    method: str
    url: str
    where: str
    body: bytes | None
    params: dict[str, str] | None
    idempotency_key: str | None

    def headers(self) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": _ACCEPT_ENCODING,
            "User-Agent": USER_AGENT,
        }
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        if self.idempotency_key is not None:
            headers["Idempotency-Key"] = self.idempotency_key
        return headers


@dataclass(frozen=True)
class _Failed:
    """An attempt that failed in a way the policy retries."""

    status: int  # 0 when no answer came
    reason: str
    maybe_processed: bool
    retry_after: float | None = None
    exc: BaseException | None = None


@dataclass(frozen=True)
class _TransportFailure:
    """What a ``requests`` exception was, for the retry policy and for people."""

    kind: TransportFailure
    maybe_processed: bool
    hint: str = field(default="")
    reason: str = field(default="")

    def __post_init__(self) -> None:
        if not self.reason:
            object.__setattr__(self, "reason", self.kind.value)


def _transport_failure(exc: requests.RequestException) -> _TransportFailure:
    """The one place where ``requests`` exceptions are read.

    A request counts as "maybe processed" unless the connection was never made: once the bytes may
    have left, only the server knows whether it acted on them. Whether to retry is the policy's call.
    """
    if isinstance(exc, requests.exceptions.SSLError):
        return _TransportFailure(
            TransportFailure.TLS_ERROR, False, "check the base URL and the machine's certificates (or proxy)"
        )
    if isinstance(exc, requests.ConnectTimeout):
        return _TransportFailure(TransportFailure.CONNECT_TIMEOUT, False)
    if isinstance(exc, requests.ReadTimeout):
        return _TransportFailure(TransportFailure.READ_TIMEOUT, True)
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidHeader):
        return _TransportFailure(TransportFailure.INVALID_REQUEST, False, "check the base URL and the job id")
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = reason.reason if isinstance(reason, urllib3.exceptions.MaxRetryError) else None
        if isinstance(inner, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
            return _TransportFailure(TransportFailure.CONNECTION_REFUSED, False)
        return _TransportFailure(TransportFailure.CONNECTION_DROPPED, True)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return _TransportFailure(TransportFailure.ANSWER_CUT_OFF, True)
    return _TransportFailure(TransportFailure.OTHER, True, reason=type(exc).__name__)


def _scrubbed_copy(exc: requests.RequestException, redactor: Redactor) -> requests.RequestException:
    """A copy of a ``requests`` exception that tells what happened and holds nothing else.

    The original holds the request (its ``Authorization`` header), the response and a traceback whose
    frames hold both; the copy keeps only the scrubbed text, so a chain printed with local variables
    shows no key.
    """
    text = redactor.text(str(exc))
    try:
        return type(exc)(text)
    except Exception:  # an exception class with a constructor of its own
        return requests.RequestException(text)


def _error_fields(body: bytes, redactor: Redactor) -> tuple[str | None, str | None]:
    """Courier's ``type`` and ``message`` from an error answer (:class:`ErrorBody`), when it sent them."""
    _, document = _describe(body, redactor)
    if isinstance(document, dict):
        try:
            error = ErrorBody.model_validate(document)
        except pydantic.ValidationError:
            pass  # not Courier's error shape: quote the text instead
        else:
            return error.type, error.message
    # The body is scrubbed already (CourierClient._scrubbed), so this cut cannot halve the key.
    text = body.decode("utf-8", errors="replace").strip()[:200]
    return None, text or None


def _framed(response: requests.Response) -> bool:
    """Whether an answer said where its body ends (204, Content-Length, chunked), not only by closing."""
    headers = response.headers
    chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
    return response.status_code == 204 or "Content-Length" in headers or chunked


def _header_fault(response: requests.Response) -> str | None:
    """Why an answer's header lines are not HTTP's (None: they are, or they cannot be looked at).

    A line that is no ``Name: value`` (no colon) ends the headers for the parser: what follows it,
    a Content-Length included, is lost, so where the body ends is not known. urllib3 only logs it.
    """
    message = getattr(getattr(response.raw, "_original_response", None), "msg", None)
    if not isinstance(message, http.client.HTTPMessage):
        return None
    try:
        urllib3.util.response.assert_header_parsing(message)
    except urllib3.exceptions.HeaderParsingError:
        return "a header line that is not a header (no name and colon)"
    return None


def _length_fault(response: requests.Response) -> str | None:
    """Why an answer's Content-Length cannot say where its body ends (None: it can, or there is none).

    One length, in digits: a sign, blanks inside, letters or two lengths that differ would leave the
    body to end wherever the connection does (urllib3 reads a length it cannot use as no length).
    """
    raw = getattr(response.raw, "headers", None)
    getlist = getattr(raw, "getlist", None)
    if callable(getlist):
        values = [str(value) for value in getlist("Content-Length")]
    else:
        values = [response.headers["Content-Length"]] if "Content-Length" in response.headers else []
    lengths = [part.strip() for value in values for part in value.split(",")]
    if not lengths:
        return None
    shown = ", ".join(lengths)[:_SNIPPET_CHARS]
    if not all(_LENGTH.fullmatch(length) for length in lengths):
        return f"a Content-Length that is not a number of bytes ({shown!r})"
    if len({int(length) for length in lengths}) > 1:
        return f"Content-Length given more than once, with different values ({shown!r})"
    return None


def _snippet(content: bytes) -> str:
    """The start of an answer, on one line, for an error message."""
    text = " ".join(content.decode("utf-8", errors="replace").split())
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 3] + "..."


def _describe(content: bytes, redactor: Redactor) -> tuple[str, Any]:
    """What an answer's body is, in words, and the JSON document when it is one (else None).

    Every string of the document, at any depth, is scrubbed before anything reads it: an escape the
    scrubbing of the raw bytes did not know must not bring the key back.
    """
    stripped = content.strip()
    if not stripped:
        return "an empty body", None
    try:
        document = redactor.document(orjson.loads(stripped))
    except orjson.JSONDecodeError:
        if stripped[:1] == b"<":
            return "an HTML page", None
        if stripped[:1] in (b"{", b"["):
            return "JSON cut short or malformed", None
        return "text that is not JSON", None
    kinds = {list: "a JSON array", str: "a JSON string", bool: "a JSON true/false", type(None): "JSON null"}
    if not isinstance(document, dict):
        return kinds.get(type(document), "a JSON number"), document
    return "a JSON object", document


# ------------------------------------------------------------------------------------------------- bounds

_CHUNK_BYTES = 64 * 1024
_DEADLINE = "deadline"
_INTERRUPT = "interrupt"
# The exchange the calling thread is in, for the connection carrying it to join (see _Exchange).
_CURRENT = threading.local()


class _AnswerTooLarge(Exception):
    """An answer that went past the size cap."""


class _DeadlinePassed(Exception):
    """A request whose deadline passed while its answer was being read."""


def _read_body(response: requests.Response, *, deadline: float, cap: int) -> bytes:
    """The whole body of a streamed ``response``, read in chunks; the one place answers are read.

    Stops with :class:`_AnswerTooLarge` past ``cap`` bytes (decoded), so that an endless body cannot
    fill the memory, and with :class:`_DeadlinePassed` once ``time.monotonic()`` is past ``deadline``
    (a read that blocks is cut by the exchange's watchdog; see :class:`_Exchange`).

    Example:
        >>> import io
        >>> response = requests.Response()
        >>> response.raw = io.BytesIO(b'{"jobId": "1-x"}')
        >>> _read_body(response, deadline=time.monotonic() + 5, cap=1024)
        b'{"jobId": "1-x"}'
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _AnswerTooLarge(f"{declared} bytes declared")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK_BYTES):
            size += len(chunk)
            if size > cap:
                raise _AnswerTooLarge(f"more than {cap} bytes")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _DeadlinePassed
    except (ValueError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
        # requests turns only some of urllib3's failures into its own; others come through as they are
        # (a negative chunk size is http.client's ValueError). Whatever breaks while the body is read,
        # the answer is lost and the request may have been acted on: a broken-off answer.
        raise requests.exceptions.ChunkedEncodingError(
            f"the answer's body could not be read ({type(exc).__name__})"
        ) from None
    return b"".join(chunks)


def _codings(response: requests.Response) -> list[str]:
    """The content codings an answer says its body is in, in the order they were applied."""
    header = response.headers.get("Content-Encoding", "")
    return [coding.strip().lower() for coding in header.split(",") if coding.strip()]


class _Exchange:
    """One attempt in flight and the connection carrying it, so that a deadline or an interrupt can cut it.

    Cutting shuts the connection's socket down: a read or a write blocked on it returns at once, in
    whichever thread it waits. The connections of the client's own session join as the request goes
    out; on a session given by the caller, the connection joins once the headers are in (until then
    each read is bounded by the read timeout only).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: object = None
        self.cut_because: str | None = None

    def join(self, connection: object) -> None:
        with self._lock:
            self._connection = connection
            if self.cut_because is not None:
                _shut_down(connection)

    def cut(self, because: str) -> None:
        with self._lock:
            if self.cut_because is None:
                self.cut_because = because
            _shut_down(self._connection)

    def leave(self) -> None:
        with self._lock:
            self._connection = None


def _shut_down(connection: object) -> None:
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):  # a TLS socket is one too
        with contextlib.suppress(OSError):  # closed already: nothing is waiting on it
            sock.shutdown(socket.SHUT_RDWR)


# A chunk's size as HTTP/1.1 writes it: hex digits only (no sign, no "0x", no "_", no blanks before),
# then blanks and a chunk extension at most. int(..., 16) alone takes "-0", "+e", "0x0e" and "0_e".
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
_MAX_CHUNK_SIZE_LINE = 4096


class _StrictChunksResponse(urllib3.response.HTTPResponse):
    """An answer whose chunk sizes must be hex digits: any other is the answer cut off, not a size.

    Read as numbers by Python's rules, ``-0`` would end the body at once (an empty ingest answer says
    every user was accepted) and ``0x0e`` would be a size. These raise urllib3's
    ``InvalidChunkLength``, as a size that is no number at all does: the answer is cut off.
    """

    def _update_chunk_length(self) -> None:
        if self.chunk_left is not None:
            return
        line = self._fp.fp.readline(_MAX_CHUNK_SIZE_LINE + 1)  # type: ignore[union-attr]
        size = _CHUNK_SIZE.fullmatch(line)
        if size is None:
            self.close()
            if not line:  # the connection ended where the next chunk was due
                raise urllib3.exceptions.ProtocolError("Response ended prematurely") from None
            raise urllib3.exceptions.InvalidChunkLength(self, line[:64]) from None
        self.chunk_left = int(size[1], 16)


class _Joining:
    """A connection that joins the calling thread's exchange when a request goes out on it, and reads
    its answers' chunk sizes strictly (:class:`_StrictChunksResponse`).

    Only the client's own session has these connections: on a session the caller gives, chunk sizes
    are read as urllib3 reads them (Content-Length is checked on every session, see _length_fault).
    """

    _answer: http.client.HTTPResponse | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:
        exchange = getattr(_CURRENT, "exchange", None)
        if isinstance(exchange, _Exchange):
            exchange.join(self)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def response_class(self, sock: socket.socket, method: str | None = None) -> http.client.HTTPResponse:
        """What http.client reads an answer with, kept to be closed should urllib3 refuse its headers."""
        self._answer = http.client.HTTPResponse(sock, method=method)
        return self._answer

    def getresponse(self) -> urllib3.response.HTTPResponse:
        try:
            response: urllib3.response.HTTPResponse = super().getresponse()  # type: ignore[misc]
        except urllib3.exceptions.InvalidHeader:
            # Refused after http.client read the headers (two different Content-Lengths): urllib3
            # drops the answer unclosed, and with it the socket's last reference.
            if self._answer is not None:
                self._answer.close()
            raise
        finally:
            self._answer = None
        if type(response) is urllib3.response.HTTPResponse:  # the same object, with stricter chunks
            response.__class__ = _StrictChunksResponse
        return response


class _JoiningHTTPConnection(_Joining, urllib3.connection.HTTPConnection):  # type: ignore[misc]
    """The client's plain connection (:class:`_Joining`)."""


class _JoiningHTTPSConnection(_Joining, urllib3.connection.HTTPSConnection):  # type: ignore[misc]
    """The TLS twin of :class:`_JoiningHTTPConnection`."""


class _JoiningHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _JoiningHTTPConnection


class _JoiningHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _JoiningHTTPSConnection


class _BoundedAdapter(HTTPAdapter):
    """The adapter of the client's own session: its connections can be cut (deadline, interrupt)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _JoiningHTTPPool, "https": _JoiningHTTPSPool}


def _positive_seconds(name: str, value: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{name}={value!r} must be a number of seconds above zero")
    if value > MAX_REQUEST_DEADLINE:  # a socket or a lock refuses waits much longer than this anyway
        raise ConfigurationError(
            f"{name}={value!r} is more than a day; give at most {MAX_REQUEST_DEADLINE:g} seconds"
        )
    return float(value)


def _positive_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name}={value!r} must be a whole number, at least 1")
    return value


# ------------------------------------------------------------------------------------------------- client


class CourierClient:
    """Talks to Courier's Bulk API over one pooled, keep-alive ``requests.Session``.

    Args:
        api_key: the key; by default from ``COURIER_API_KEY`` or ``COURIER_AUTH_TOKEN``.
        base_url: by default ``COURIER_BASE_URL`` or ``https://api.courier.com``.
        session: a session to use (the caller keeps ownership); by default the client makes one. On a
            session of the caller's, the deadline can cut a request only once its headers are in.
        timeout: (connect, read) timeouts in seconds, for each socket operation; never longer than
            what is left of the request's deadline.
        request_deadline: seconds one request may take in all: every attempt (connecting, sending,
            reading the answer) and every wait between attempts; a retry whose wait would end past it
            is not made.
        max_answer_bytes: the largest answer read; a longer one raises :class:`ProtocolError`.
        max_pages: the most pages of users :meth:`iter_users` reads.
        max_retries: retries after the first attempt (shorthand for
            ``retry=RetryPolicy(max_attempts=max_retries + 1)``); by default the policy's.
        retry: what to retry and how long to wait (:class:`~bulkprep.retry.RetryPolicy`).
        sleep: how to wait between attempts (tests pass a recorder).
        rng: source of backoff jitter.
        on_retry: called with a :class:`RetryEvent` before each wait.
        pool_maxsize: connections kept open to Courier; at least the number of concurrent senders.
        clock: the current time, to read ``Retry-After`` dates.
        proxy: the proxy for an ``https://`` base URL (``""``: none); by default ``HTTPS_PROXY`` unless
            ``NO_PROXY`` names the host. Loopback hosts are always reached directly; the session's
            own ``proxies`` and ``HTTP_PROXY``/``ALL_PROXY`` are never used (:func:`resolve_proxy`).

    A client refuses to be pickled: it holds the API key, and a pickle would write it in clear.

    Raises:
        ConfigurationError: for a negative ``max_retries``, or one that contradicts ``retry``; for a
            proxy that is not an http(s) URL; for a deadline, answer size or page count that is not
            above zero.

    Example:
        >>> with CourierClient("key", "http://localhost:9", max_retries=0, request_deadline=30) as client:
        ...     client.base_url, client.retry.max_attempts, client.request_deadline
        ('http://localhost:9', 1, 30.0)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
        pool_maxsize: int = 10,
        clock: Callable[[], datetime] | None = None,
        proxy: str | None = None,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        try:
            self._key = _ApiKey.resolve(api_key)
        finally:
            del api_key  # from here on only the masked _ApiKey holds it (tracebacks show locals)
        self.retry = _policy(retry, max_retries)
        self.request_deadline = _positive_seconds("request_deadline", request_deadline)
        self.max_answer_bytes = _positive_count("max_answer_bytes", max_answer_bytes)
        self.max_pages = _positive_count("max_pages", max_pages)
        # Set by interrupt() for the requests under way then; each request holds the one of its start.
        self._stopping = threading.Event()
        self._in_flight: set[_Exchange] = set()
        self._in_flight_lock = threading.Lock()
        self._auth = _BearerAuth(self._key)
        self.base_url = resolve_base_url(base_url)
        self._proxies = _proxy_settings(self.base_url, resolve_proxy(self.base_url, proxy))
        self.timeout = timeout
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._on_retry = on_retry
        self._clock = clock if clock is not None else (lambda: datetime.now(UTC))
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            # Retries are ours (they know about idempotency keys); urllib3 must not retry on its own.
            adapter = _BoundedAdapter(pool_connections=1, pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self._session = session

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt (the policy's ``max_attempts`` minus one)."""
        return self.retry.max_attempts - 1

    def __repr__(self) -> str:
        # getattr: a traceback with locals shows a client that __init__ did not finish
        return f"CourierClient(base_url={getattr(self, 'base_url', None)!r}, api_key=<hidden>)"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError(
            "a CourierClient is not pickled: it holds the API key, which a pickle would write in clear; "
            "pickle the results instead and make a new client where they are read"
        )

    def __enter__(self) -> CourierClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections (only when the client made the session itself)."""
        if self._owns_session:
            self._session.close()

    def interrupt(self) -> None:
        """Cut every request under way at once, retries and waits included: for Ctrl-C.

        Safe to call from any thread. Each request cut raises a retryable :class:`CourierError` saying
        it was interrupted; requests started afterwards go out as usual.
        """
        with self._in_flight_lock:
            stopping, self._stopping = self._stopping, threading.Event()
            stopping.set()
            exchanges = list(self._in_flight)
        for exchange in exchanges:
            exchange.cut(_INTERRUPT)

    # ------------------------------------------------------------------------------------------ endpoints

    def create_job(self, message: dict[str, Any], *, idempotency_key: str | None = None) -> str:
        """Create a bulk job for ``message`` (``POST /bulk``) and return its job id.

        Without an ``idempotency_key``, a fresh one is made, so that retries of this call cannot
        create two jobs.

        Raises:
            ProtocolError: when the answer is not Courier's ``{"jobId": ...}`` (:class:`JobCreated`),
                or its id is one Courier never gives (:func:`job_id_fault`).
        """
        reply = self._send(
            "POST",
            "/bulk",
            body=dumps({"message": message}),
            idempotency_key=idempotency_key or f"bulkprep-{uuid.uuid4().hex}",
        )
        job_id = self._parse(reply, JobCreated, f"POST {self.base_url}/bulk", "a jobId").jobId
        fault = job_id_fault(job_id)
        if fault is not None:
            raise ProtocolError(
                f"POST {self.base_url}/bulk answered a jobId {fault} "
                f"({self._key.redactor.cut(job_id, 40, '...')!r}); this answer is not Courier's; "
                "check the base URL",
                status=reply.response.status_code,
            )
        return job_id

    def ingest(self, job_id: str, body: bytes, *, idempotency_key: str) -> IngestReceipt:
        """Add users to a job (``POST /bulk/{job_id}``) with a pre-serialized ``{"users": [...]}`` body.

        An empty 2xx body means every user of the request was accepted; a body of blanks is not empty,
        and not Courier's answer either (it is no JSON document).

        Raises:
            ProtocolError: when a body came that is not Courier's ingest answer
                (:class:`bulkprep.courier.IngestAnswer`).
        """
        path = f"/bulk/{quote(job_id, safe='')}"
        reply = self._send("POST", path, body=body, idempotency_key=idempotency_key)
        if reply.body:  # blanks too: Courier answers with nothing (204) or with JSON
            answer = self._parse(reply, _IngestAnswer, f"POST {path}", "Courier's ingest answer")
        elif _framed(reply.response):
            answer = _IngestAnswer(errors=[])
        else:
            raise ProtocolError(
                f"POST {path} answered {reply.response.status_code} with an empty body that simply "
                "ended with the connection (no 204, Content-Length or chunked end): it may have been "
                "cut short, so it does not say the users were accepted",
                status=reply.response.status_code,
            )
        return IngestReceipt(
            reply.response.status_code,
            [error.model_dump(exclude_unset=True) for error in answer.errors],
            answer.total,
            reply.attempts,
            reply.outcome_was_unknown,
        )

    def run_job(self, job_id: str, *, idempotency_key: str | None = None) -> None:
        """Start sending a job (``POST /bulk/{job_id}/run``); Courier's answer has no body to read."""
        self._send(
            "POST",
            f"/bulk/{quote(job_id, safe='')}/run",
            idempotency_key=idempotency_key or f"bulkprep-{uuid.uuid4().hex}",
        )

    def get_job(self, job_id: str, *, until: float | None = None) -> Job:
        """The job's definition, status and counters (the ``job`` of ``GET /bulk/{job_id}``).

        ``until``: a :func:`time.monotonic` instant the request ends by, if that comes before its
        ``request_deadline`` (the end of a wait the look is part of).

        Raises:
            ProtocolError: when the answer is not a :class:`JobAnswer`.
        """
        path = f"/bulk/{quote(job_id, safe='')}"
        reply = self._send("GET", path, until=until)
        return self._parse(reply, JobAnswer, f"GET {path}", "a job object").job

    def iter_users(
        self, job_id: str, *, max_pages: int | None = None, within: float | None = None
    ) -> Iterator[UserItem]:
        """Every ingested user of a job with its delivery state, following ``paging.cursor``.

        Args:
            job_id: the job.
            max_pages: the most pages read (by default the client's ``max_pages``), for example one
                derived from the job's ``received`` count.
            within: the most seconds the whole listing takes (every page's request ends by then, at
                least one request's deadline from the start); by default only the pages are counted.

        Raises:
            ProtocolError: when a page is not a :class:`UsersPage` (a cursor that is not text or longer
                than :data:`bulkprep.courier.MAX_CURSOR_CHARS`), when a page says more users follow
                without a cursor, when a cursor comes back twice, or when the pages do not end within
                ``max_pages``, or when :data:`MAX_EMPTY_PAGES` pages in a row list no user.
            CourierError: when the listing has not ended ``within`` seconds.
        """
        path = f"/bulk/{quote(job_id, safe='')}/users"
        limit = _positive_count("max_pages", max_pages if max_pages is not None else self.max_pages)
        until = None if within is None else (time.monotonic(), max(within, self.request_deadline))
        cursor: str | None = None
        seen: set[bytes] = set()  # digests: a long cursor is not kept once per page
        empty = 0  # pages in a row that listed no user
        for pages in range(1, limit + 1):
            params = {"cursor": cursor} if cursor else None
            reply = self._users_page(path, params, until=until, read=pages - 1)
            page = self._parse(reply, UsersPage, f"GET {path}", "a users page")
            yield from page.items
            cursor = page.paging.cursor
            if not page.paging.more:
                return
            empty = 0 if page.items else empty + 1
            if empty >= MAX_EMPTY_PAGES:
                raise ProtocolError(
                    f"GET {path} gave {empty} pages in a row that list no user yet say more follow; "
                    f"stopped after {pages} page(s), as that is not Courier's paging",
                    status=200,
                )
            if not cursor:
                raise ProtocolError(
                    f"GET {path} said more users follow (paging.more) but gave no cursor to read them; "
                    f"stopped after {pages} page(s)",
                    status=200,
                )
            digest = hashlib.sha256(cursor.encode()).digest()
            if digest in seen:
                raise ProtocolError(
                    f"GET {path} returned cursor {_snippet(cursor.encode())!r} twice; "
                    "stopped to avoid a loop",
                    status=200,
                )
            seen.add(digest)
        raise ProtocolError(
            f"GET {path} still had more users after {limit} pages (max_pages={limit}); stopped, as a "
            "list of users that never ends is not Courier's",
            status=200,
        )

    def _users_page(
        self, path: str, params: dict[str, str] | None, *, until: tuple[float, float] | None, read: int
    ) -> _Reply:
        """One users page; ``until`` (the listing's start and its seconds) ends the listing, ``read``
        pages into it, even inside a request."""
        if until is None:
            return self._send("GET", path, params=params)
        start, seconds = until
        try:
            if time.monotonic() < start + seconds:
                return self._send("GET", path, params=params, until=start + seconds)
        except CourierError as exc:
            if time.monotonic() < start + seconds or not exc.retryable:
                raise
        raise CourierError(
            f"GET {path} had not listed every user after {read} page(s) when the time for reading them "
            f"ran out ({seconds:g} s); stopped reading",
            retryable=True,
        ) from None

    def get_message(self, message_id: str) -> MessageDetails:
        """What became of one message (``GET /messages/{message_id}``): its status, reason and times.

        Bounded and retried like every request (``request_deadline``, ``max_answer_bytes``, the retry
        policy); safe to call from several threads at once.

        Raises:
            ProtocolError: when the answer is not a :class:`bulkprep.courier.MessageDetails`, or is
                the details of another message (its ``id`` not ``message_id``).
            CourierError: when Courier refuses (a ``404`` for a message it does not know).
        """
        if not _MESSAGE_ID.fullmatch(message_id) or ".." in message_id:
            raise ProtocolError(
                f"Courier gave the message id {self._key.redactor.cut(message_id, 40, '...')!r}, which is "
                "not the shape of Courier's ids; it is not asked for (its outcome stays unknown)"
            )
        path = f"/messages/{quote(message_id, safe='')}"
        details = self._parse(self._send("GET", path), MessageDetails, f"GET {path}", "a message's details")
        if details.id != message_id:
            # Another message's details (a cache or a proxy mixing answers up) say nothing of this one.
            raise ProtocolError(
                f"GET {path} answered the details of another message "
                f"({self._key.redactor.cut(details.id, 40, '...')!r}); its outcome stays unknown"
            )
        return details

    # -------------------------------------------------------------------------------------------- reading

    def _parse(self, reply: _Reply, model: type[_Model], where: str, what: str) -> _Model:
        """The answer read as ``model``; a body that does not fit it raises :class:`ProtocolError`."""
        content = reply.body
        description, document = _describe(content, self._key.redactor)
        if isinstance(document, dict):
            try:
                return model.model_validate(document)
            except pydantic.ValidationError as exc:
                first = exc.errors()[0]
                place = ".".join(str(part) for part in first["loc"]) or "the object"
                description = f"a JSON object that does not fit ({place}: {first['msg']})"
        status = reply.response.status_code
        quoted = f": {_snippet(content)!r}" if content.strip() else ""  # content is scrubbed already
        raise ProtocolError(
            f"{where} answered {status} without {what} (got {description}{quoted}); "
            "check that the base URL points at Courier's API",
            status=status,
        )

    # -------------------------------------------------------------------------------------------- sending

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        idempotency_key: str | None = None,
        params: dict[str, str] | None = None,
        until: float | None = None,
    ) -> _Reply:
        """Send one request, again while the policy and the deadline allow; a 2xx comes back, else raises.

        The deadline is ``request_deadline`` from now, or ``until`` (a :func:`time.monotonic` instant:
        the end of a wait the request is part of) when that comes first.
        """
        request = _Request(method, self.base_url + path, f"{method} {path}", body, params, idempotency_key)
        deadline = time.monotonic() + self.request_deadline
        # Whether the request ends with the wait it is part of, before its own deadline.
        with_the_wait = until is not None and until < deadline
        if until is not None:
            deadline = min(deadline, until)
        with self._in_flight_lock:
            stopping = self._stopping
        maybe_processed = False
        out_of_time = False
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(request, attempt, deadline, stopping)
            if isinstance(outcome, _Received):
                return _Reply(outcome.response, outcome.body, attempt, maybe_processed)
            maybe_processed |= outcome.maybe_processed
            if not self.retry.may_try_again(attempt):
                break
            delay = self.retry.delay(attempt, retry_after=outcome.retry_after, rng=self._rng)
            if time.monotonic() + delay >= deadline:
                out_of_time = True
                break
            logger.info(
                "%s: %s on attempt %s; retrying in %.2fs", request.where, outcome.reason, attempt, delay
            )
            if self._on_retry is not None:
                self._on_retry(RetryEvent(attempt, delay, outcome.reason, outcome.status))
            self._wait(request, delay, stopping)
        within = (
            "before the time left of the wait it is part of ran out"
            if with_the_wait
            else f"within its deadline of {self.request_deadline:g} s (request_deadline)"
        )
        what = f"got no answer {within} in {attempt} attempt(s)" if out_of_time else f"failed {attempt} times"
        raise CourierError(
            f"{request.where} to {self.base_url} {what} (last: {outcome.reason}); "
            "Courier or the network is having trouble: try again later "
            "(a resumed run sends only what is missing)",
            status=outcome.status,
            retryable=True,
        ) from outcome.exc  # a scrubbed copy (_scrubbed_copy): no request, no headers, no frames

    def _wait(self, request: _Request, seconds: float, stopping: threading.Event) -> None:
        """Wait before the next attempt; an interrupt ends a real wait at once."""
        if self._sleep is time.sleep:
            stopping.wait(seconds)
        else:
            self._sleep(seconds)
        if stopping.is_set():
            raise self._interrupted_error(request)

    def _interrupted_error(self, request: _Request) -> CourierError:
        return CourierError(
            f"{request.where} to {self.base_url} was interrupted; whether Courier acted on it is not "
            "known (a resumed run sends only what is missing)",
            retryable=True,
        )

    def _attempt(
        self, request: _Request, attempt: int, deadline: float, stopping: threading.Event
    ) -> _Received | _Failed:
        """One attempt: the 2xx answer, or a failure the policy retries; any other failure raises.

        A watchdog cuts the attempt's connection when the deadline passes, however the server
        dawdles (dripping headers or body, never answering); the body is read up to the size cap.
        """
        left = max(deadline - time.monotonic(), 0.001)
        exchange = _Exchange()
        watchdog = threading.Timer(left, exchange.cut, args=(_DEADLINE,))
        watchdog.daemon = True
        with self._in_flight_lock:
            if stopping.is_set():
                raise self._interrupted_error(request)
            self._in_flight.add(exchange)
        watchdog.start()
        _CURRENT.exchange = exchange
        no_answer: tuple[_TransportFailure, requests.RequestException] | None = None
        malformed: str | None = None
        try:
            connect, read = self.timeout
            response = self._session.request(
                request.method,
                request.url,
                data=request.body,
                headers=request.headers(),
                params=request.params,
                timeout=(min(connect, left), min(read, left)),
                auth=self._auth,
                allow_redirects=False,
                proxies=self._proxies,
                stream=True,
            )
            _CURRENT.exchange = None
            # The connection of a session the caller gave joins here, for the body at least.
            exchange.join(getattr(response.raw, "connection", None))
            if 100 <= response.status_code < 200:
                return self._interim(request, response)
            if any(coding not in _DECODABLE for coding in _codings(response)):
                raise self._undecodable(request, response)
            fault = _header_fault(response) or _length_fault(response)
            if fault is not None:
                response.close()  # the body is not read: this connection cannot carry another request
                raise self._misframed(request, response.status_code, fault)
            try:
                # Scrubbed as it comes: not even this frame's locals keep the key a server sent.
                received = self._scrubbed(
                    _Received(response, _read_body(response, deadline=deadline, cap=self.max_answer_bytes))
                )
            except BaseException:
                response.close()  # the rest is unread: this connection cannot carry another request
                raise
        except requests.exceptions.InvalidHeader as exc:
            # urllib3 refuses some answers' headers itself (two different Content-Lengths): the
            # answer is malformed, not the request. Its words only go on, from outside this block.
            inner = exc.args[0] if exc.args else None
            if isinstance(inner, urllib3.exceptions.InvalidHeader):
                malformed = self._key.redactor.text(str(inner))[:_SNIPPET_CHARS]
            else:
                no_answer = (_transport_failure(exc), _scrubbed_copy(exc, self._key.redactor))
        except requests.RequestException as exc:
            # Only a scrubbed copy goes on: the original's request holds the key. It is handled
            # outside this block, so the original is no exception's __context__ either.
            no_answer = (_transport_failure(exc), _scrubbed_copy(exc, self._key.redactor))
        except _DeadlinePassed:
            return _Failed(0, self._deadline_reason(), maybe_processed=True)
        except _AnswerTooLarge as exc:
            status = response.status_code
            raise ProtocolError(
                f"{request.where} answered {status} with {exc} of body, past the answer size cap of "
                f"{self.max_answer_bytes} bytes (max_answer_bytes); stopped reading: an answer that "
                "large is not Courier's",
                status=status,
            ) from None
        finally:
            _CURRENT.exchange = None
            watchdog.cancel()
            exchange.leave()
            with self._in_flight_lock:
                self._in_flight.discard(exchange)
        if malformed is not None:
            raise self._misframed(request, 0, f"headers that cannot be read ({malformed})")
        if no_answer is not None:
            failure, cause = no_answer
            return self._no_answer(request, failure, cause, exchange, deadline, stopping)
        if exchange.cut_because is not None:
            # A cut connection reads as an end of file: headers or a body cut short can look whole
            # (an empty 200 would say every user was accepted). What came is no answer.
            if exchange.cut_because == _INTERRUPT:
                raise self._interrupted_error(request)
            return _Failed(0, self._deadline_reason(), maybe_processed=True)
        return self._received(request, attempt, received)

    def _interim(self, request: _Request, response: requests.Response) -> _Failed:
        """An interim 1xx answer that came as the final one: the real answer is lost, as if cut off.

        http.client skips a 100 only; after any other 1xx (102 Processing, 103 Early Hints) the final
        answer still waits on the connection, where the next request would read it as its own. The
        connection is closed, and the attempt counts as one whose answer was lost: the request may
        have been acted on, so it goes again under the same idempotency key.
        """
        status = response.status_code
        response.close()  # unread: closes the connection rather than handing it back to the pool
        logger.debug("%s answered with an interim %s only (attempt counted as lost)", request.where, status)
        return _Failed(0, f"an interim {status} answer in place of the final one", maybe_processed=True)

    def _undecodable(self, request: _Request, response: requests.Response) -> ProtocolError:
        """The refusal of an answer whose Content-Encoding cannot be decoded here (its body is not read)."""
        status = response.status_code
        coding = self._key.redactor.text(response.headers.get("Content-Encoding", ""))[:_SNIPPET_CHARS]
        response.close()  # the body is not read: this connection cannot carry another request
        return ProtocolError(
            f"{request.where} answered {status} with Content-Encoding {coding!r}, which bulkprep cannot "
            f"decode (it asks for {_ACCEPT_ENCODING} only); the body was not read: an answer in that "
            "coding is not Courier's",
            status=status,
        )

    def _misframed(self, request: _Request, status: int, fault: str) -> ProtocolError:
        """The refusal of an answer that does not say where its body ends (its body is not read)."""
        answered = f"answered {status}" if status else "answered"
        return ProtocolError(
            f"{request.where} {answered} with {self._key.redactor.text(fault)}, so where its body "
            "ends is not known; the answer was not read: a malformed answer is not Courier's",
            status=status,
        )

    def _deadline_reason(self) -> str:
        return f"{TransportFailure.DEADLINE_PASSED.value} ({self.request_deadline:g} s)"

    def _no_answer(
        self,
        request: _Request,
        failure: _TransportFailure,
        cause: requests.RequestException,
        exchange: _Exchange,
        deadline: float,
        stopping: threading.Event,
    ) -> _Failed:
        """An attempt that got no (whole) answer: cut, out of time, or a transport failure.

        ``cause`` is the scrubbed copy of what ``requests`` raised (:func:`_scrubbed_copy`).
        """
        if exchange.cut_because == _INTERRUPT or stopping.is_set():
            raise self._interrupted_error(request)
        if exchange.cut_because == _DEADLINE or time.monotonic() >= deadline:
            return _Failed(0, self._deadline_reason(), maybe_processed=True, exc=cause)
        if not self.retry.should_retry_failure(failure.kind):
            raise CourierError(
                f"{request.where} to {self.base_url} failed: {failure.reason} ({cause}); {failure.hint}",
                retryable=False,
            ) from cause
        return _Failed(0, failure.reason, failure.maybe_processed, exc=cause)

    def _received(self, request: _Request, attempt: int, received: _Received) -> _Received | _Failed:
        """A whole answer: a 2xx to return, a failure to retry, or a refusal to raise."""
        response = received.response
        status = response.status_code
        logger.debug("%s answered %s (attempt %s)", request.where, status, attempt)
        if 200 <= status < 300:
            return received
        if not self.retry.should_retry(status):
            raise self._refusal(request.where, response, request.body, received.body)
        error_type, _ = _error_fields(received.body, self._key.redactor)
        return _Failed(
            status,
            f"{status} {error_type or ''}".strip(),
            # A 5xx may come from a gateway after Courier did the work; 408 and 429 come before it.
            maybe_processed=status >= 500,
            retry_after=parse_retry_after(response.headers.get("Retry-After"), now=self._clock()),
        )

    def _refusal(
        self, where: str, response: requests.Response, body: bytes | None, answer: bytes
    ) -> CourierError:
        """The exception for an answer that a retry would not change (``answer`` is its body)."""
        status = response.status_code
        error_type, courier_message = _error_fields(answer, self._key.redactor)
        said = f": {courier_message}" if courier_message else ""
        fields: dict[str, Any] = {"status": status, "type": error_type, "courier_message": courier_message}
        if status == 401:
            return AuthenticationError(
                f"the API key was refused (401 on {where}{said}); check that COURIER_API_KEY "
                "(or COURIER_AUTH_TOKEN) holds a current key of the right workspace and environment",
                **fields,
            )
        if status == 403:
            return AuthorizationError(
                f"the API key may not do this (403 on {where}{said}); use a key allowed to send "
                "messages in this workspace, or ask an admin to grant it",
                **fields,
            )
        if status == 413:
            size = f"{len(body)} bytes" if body is not None else "the request"
            advice = "send fewer users per request (the batch can be split)"
        elif status == 404:
            size, advice = "", "check the job id and the base URL"
        elif 300 <= status < 400:
            size = ""
            location = response.headers.get("Location")
            advice = f"the API answered with a redirect to {location!r}; check the base URL"
        else:
            size, advice = "", "fix the request as Courier says; sending it again unchanged will fail again"
        what = f" ({size})" if size else ""
        return CourierError(
            f"Courier refused {where}{what} with {status} {error_type or ''}{said}; {advice}".replace(
                "  ", " "
            ),
            retryable=False,
            **fields,
        )

    def _scrubbed(self, received: _Received) -> _Received:
        """The answer with every form of the key removed, before anything reads it.

        The one choke point for what the server sends: the body's bytes as :func:`_read_body` read
        them (so no later cut can halve the key), each header value (``Retry-After``,
        ``Location``...) and the reason phrase. The request that went out forgets its
        ``Authorization`` header, so the response no longer carries the key either.
        """
        redactor = self._key.redactor
        response = received.response
        for name, value in list(response.headers.items()):
            response.headers[name] = redactor.text(value)
        raw_headers = getattr(response.raw, "headers", None)  # urllib3 keeps its own copy of them
        if raw_headers is not None:
            for name in list(raw_headers.keys()):
                raw_headers[name] = redactor.text(raw_headers[name])
        response.reason = redactor.text(response.reason or "")
        response.request.headers.pop("Authorization", None)
        return _Received(response, redactor.bytes(received.body))


def _policy(retry: RetryPolicy | None, max_retries: int | None) -> RetryPolicy:
    """The client's retry policy, from ``retry`` and the ``max_retries`` shorthand."""
    policy = retry if retry is not None else RetryPolicy()
    if max_retries is None:
        return policy
    if max_retries < 0:
        raise ConfigurationError(f"max_retries={max_retries} must be 0 or more")
    if retry is not None and retry.max_attempts != max_retries + 1:
        raise ConfigurationError(
            f"max_retries={max_retries} contradicts retry=RetryPolicy(max_attempts={retry.max_attempts}); "
            "pass one of them"
        )
    return replace(policy, max_attempts=max_retries + 1)


__getattr__ = moved_names(
    __name__,
    {
        "IngestAnswer": Moved(
            IngestReceipt,
            "bulkprep.client.IngestReceipt (bulkprep.courier.IngestAnswer is Courier's answer itself)",
        )
    },
)
