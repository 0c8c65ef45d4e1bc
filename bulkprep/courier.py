"""Courier's Bulk API wire format, declared once: the user, the job's message, and every answer.

This module is the one home of what Courier's Bulk API sends and accepts. The other stages read it:

- the mapping's targets and their types (:data:`ROOTS`, :func:`field_at`, :data:`STRING_FIELDS`, ...),
- the column-wise validation rules (:class:`PreferenceStatus`, :class:`Channel`, :data:`ID_FIELDS`),
- the identity fields that duplicates and Courier's echoes are matched on (:data:`IDENTITY_FIELDS`),
- the limits (:data:`MAX_REQUEST_BYTES`) and one rule for spreadsheet-mangled numbers
  (:func:`looks_scientific`),
- the parsing of every answer: a 2xx whose body does not fit its model is a protocol error.

The models are the declaration; the stages stay column-wise and fast, in the way a schema stays apart
from the engine that applies it. Answers are read leniently where Courier may add fields (unknown keys
are kept) and strictly where the client relies on a field (its type must match).

Sources: Courier's API reference and bulk tutorial, and its official SDK (``trycourier`` 9.x). Where they
disagree (``locale`` an object or a string, an ingest answered 200 with errors or 204 with no body), the
models accept both readings.

Example:
    >>> user = User.model_validate({"recipient": "u1", "profile": {"email": "a@b.co"},
    ...                             "preferences": {"categories": {"news": {"status": "OPTED_IN"}}}})
    >>> user.preferences.categories["news"].status
    <PreferenceStatus.OPTED_IN: 'OPTED_IN'>
    >>> IDENTITY_FIELDS["to.email"]
    'email'
    >>> answer = IngestAnswer.model_validate_json(b'{"errors": [{"error": "Duplicate user"}], "total": 1}')
    >>> answer.errors[0].error, answer.total
    ('Duplicate user', 1)
    >>> looks_scientific("2,02555E+09"), looks_scientific("2025-01")
    (True, False)
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from bulkprep.status import DeliveryStatus, JobStatus

__all__ = [
    "CHANNELS",
    "DOCUMENTED_ERROR_TYPES",
    "FLATTENED_ECHO_FIELDS",
    "IDENTITY_FIELDS",
    "IDENTITY_KINDS",
    "ID_FIELDS",
    "MAX_CURSOR_CHARS",
    "MAX_REQUEST_BYTES",
    "OBJECT_FIELDS",
    "PREFERENCE_FIELDS",
    "PREFERENCE_GROUPS",
    "PREFERENCE_ROOTS",
    "PREFERENCE_STATUSES",
    "ROOTS",
    "RULE_FIELDS",
    "SCIENTIFIC_NOTATION",
    "STRING_FIELDS",
    "TO_FIELDS",
    "Channel",
    "ChannelPreference",
    "Context",
    "ErrorBody",
    "IngestAnswer",
    "IngestError",
    "Job",
    "JobAnswer",
    "JobCreated",
    "JobMessage",
    "MessageDetails",
    "MessageReason",
    "MessageStatus",
    "MessagesPage",
    "Paging",
    "Preference",
    "PreferenceStatus",
    "Preferences",
    "Profile",
    "Rule",
    "To",
    "User",
    "UserItem",
    "UsersPage",
    "field_at",
    "looks_scientific",
]

MAX_REQUEST_BYTES: Final = 6_000_000
"""Courier refuses a request body over 6 MB with a 413 (counted as 10**6 bytes a MB: the safe reading)."""

# What a spreadsheet shows for a long number it reformatted: 2.02555E+09, 4,47911e+11 (a comma
# for decimals in European locales), -1.2e-05. Any digits, a dot or a comma, an e, an exponent.
SCIENTIFIC_NOTATION: Final = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+\s*")


def looks_scientific(text: str) -> bool:
    """Whether ``text`` is a number a spreadsheet rounded into scientific notation (digits are lost).

    One rule for every field: ids, phone numbers and cast numbers alike.

    Example:
        >>> [looks_scientific(t) for t in ("2.02555E+09", " 4,47911e+11 ", "1e5", "e5", "12345")]
        [True, True, True, False, False]
    """
    return SCIENTIFIC_NOTATION.fullmatch(text) is not None


# ---------------------------------------------------------------------------------------------------
# Enumerations


class PreferenceStatus(StrEnum):
    """A user's choice for a category or a notification."""

    OPTED_IN = "OPTED_IN"
    OPTED_OUT = "OPTED_OUT"
    REQUIRED = "REQUIRED"


class Channel(StrEnum):
    """The channels a preference may name."""

    DIRECT_MESSAGE = "direct_message"
    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class MessageStatus(StrEnum):
    """What became of one message, as Courier's Messages API reports it."""

    CANCELED = "CANCELED"
    CLICKED = "CLICKED"
    DELAYED = "DELAYED"
    DELIVERED = "DELIVERED"
    DIGESTED = "DIGESTED"
    ENQUEUED = "ENQUEUED"
    FILTERED = "FILTERED"
    OPENED = "OPENED"
    ROUTED = "ROUTED"
    SENT = "SENT"
    SIMULATED = "SIMULATED"
    THROTTLED = "THROTTLED"
    UNDELIVERABLE = "UNDELIVERABLE"
    UNMAPPED = "UNMAPPED"
    UNROUTABLE = "UNROUTABLE"


class MessageReason(StrEnum):
    """Why a message was not delivered, as Courier's Messages API reports it."""

    BOUNCED = "BOUNCED"
    FAILED = "FAILED"
    FILTERED = "FILTERED"
    NO_CHANNELS = "NO_CHANNELS"
    NO_PROVIDERS = "NO_PROVIDERS"
    OPT_IN_REQUIRED = "OPT_IN_REQUIRED"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    UNPUBLISHED = "UNPUBLISHED"
    UNSUBSCRIBED = "UNSUBSCRIBED"


PREFERENCE_STATUSES: tuple[str, ...] = tuple(s.value for s in PreferenceStatus)
CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)

#: Courier's error ``type`` per HTTP status, as its reference documents them.
DOCUMENTED_ERROR_TYPES: Final = {
    400: "invalid_request_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    401: "authentication_error",
    403: "authorization_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
}


# ---------------------------------------------------------------------------------------------------
# The user sent to POST /bulk/{job_id}
#
# ``identity`` marks the fields a user is known by (and the kind of key each is); ``identifier``
# marks ids a spreadsheet may have rounded into scientific notation. Phone numbers are identities but
# not identifiers: normalization has its own rule for them.

_USER_ID: Final = {"identity": "user_id", "identifier": True}
_EMAIL: Final = {"identity": "email"}
_PHONE: Final = {"identity": "phone"}
_IDENTIFIER: Final = {"identifier": True}


class _Sent(BaseModel):
    """An object bulkprep sends: only the fields Courier documents, each one given or left out, never null.

    Example:
        >>> To.model_validate({"email": "a@b.co"}).email
        'a@b.co'
        >>> To.model_validate({"email": None})
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 1 validation error for To
          Value error, email is null; leave a field out instead of sending null [...]
        ...
    """

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        # ``X | None = None`` makes a field optional, and would also take an explicit null. Courier's
        # reference types every field string, object or array, bulkprep's validation refuses null
        # preferences, and bulkprep never sends null (empty cells are left out): the declaration says
        # the same, so that a null from a future payload builder is caught here and not by a 400.
        if isinstance(data, dict):
            nulls = [str(name) for name, value in data.items() if value is None]
            if nulls:
                verb = "is" if len(nulls) == 1 else "are"
                raise ValueError(f"{', '.join(nulls)} {verb} null; leave a field out instead of sending null")
        return data


class _Open(BaseModel):
    """An object whose fields are the user's own (template data, profile fields)."""

    model_config = ConfigDict(extra="allow")


class ChannelPreference(_Sent):
    """One channel a preference routes to."""

    channel: Channel


class Rule(_Sent):
    """A time window for a preference (ISO 8601 times)."""

    start: StrictStr | None = None
    until: StrictStr


class Preference(_Sent):
    """A user's preference for one category or notification."""

    status: PreferenceStatus
    channel_preferences: list[ChannelPreference] | None = None
    rules: list[Rule] | None = None


class Preferences(_Sent):
    """A user's preferences, by category id and by notification id."""

    categories: dict[str, Preference] | None = None
    notifications: dict[str, Preference] | None = None


class Context(_Sent):
    """The context a message is sent in."""

    tenant_id: Annotated[StrictStr | None, Field(json_schema_extra=_IDENTIFIER)] = None


class Profile(_Open):
    """The user's profile: ``email`` is what routes email jobs; any other field is the user's own."""

    email: Annotated[StrictStr | None, Field(json_schema_extra=_EMAIL)] = None
    phone_number: Annotated[StrictStr | None, Field(json_schema_extra=_PHONE)] = None


class To(_Sent):
    """Who one message goes to (the ``to`` of a bulk user)."""

    user_id: Annotated[StrictStr | None, Field(json_schema_extra=_USER_ID)] = None
    email: Annotated[StrictStr | None, Field(json_schema_extra=_EMAIL)] = None
    phone_number: Annotated[StrictStr | None, Field(json_schema_extra=_PHONE)] = None
    locale: StrictStr | None = None
    data: dict[str, Any] | None = None
    tenant_id: Annotated[StrictStr | None, Field(json_schema_extra=_IDENTIFIER)] = None
    account_id: Annotated[
        StrictStr | None, Field(json_schema_extra=_IDENTIFIER, deprecated="use tenant_id")
    ] = None
    context: Context | None = None
    list_id: Annotated[StrictStr | None, Field(json_schema_extra=_IDENTIFIER)] = None
    preferences: Preferences | None = None


class User(_Sent):
    """One user of a bulk job. Every field is optional; Courier needs at least one way to reach them."""

    recipient: Annotated[StrictStr | None, Field(json_schema_extra=_USER_ID)] = None
    profile: Profile | None = None
    data: dict[str, Any] | None = None
    to: To | None = None
    preferences: Preferences | None = None


class JobMessage(_Sent):
    """The message a bulk job sends (the body of ``POST /bulk`` is ``{"message": ...}``)."""

    event: StrictStr = Field(min_length=1)
    template: StrictStr | None = None
    content: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    brand: StrictStr | None = None
    # An object in the SDK, a string in the older tutorial.
    locale: dict[str, Any] | StrictStr | None = None
    override: dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------------
# Courier's answers


#: A count Courier reports (users received, enqueued, failed; the ingest ``total``): never negative.
_Count = Annotated[StrictInt, Field(ge=0)]

MAX_CURSOR_CHARS: Final = 4096
"""The longest paging cursor read; Courier's are short opaque tokens, a longer one is not Courier's."""


class _Answer(BaseModel):
    """An answer from Courier: unknown fields are kept, declared fields must have their type."""

    model_config = ConfigDict(extra="allow", frozen=True)


class ErrorBody(_Answer):
    """The body of an error answer: ``{"message": ..., "type": ...}`` (either may be missing)."""

    message: StrictStr | None = None
    type: StrictStr | None = None


class JobCreated(_Answer):
    """The answer to ``POST /bulk``. The id's format is not documented, so it is never checked."""

    jobId: StrictStr = Field(min_length=1)


class IngestError(_Answer):
    """One user Courier refused. The echoed ``user`` has no index, in a request-like or a flattened shape."""

    error: StrictStr | None = None
    user: dict[str, Any] | None = None


class IngestAnswer(_Answer):
    """The JSON answer to ``POST /bulk/{job_id}`` (an empty 204 means every user was accepted).

    A body, when there is one, must carry ``errors`` (a list, empty when every user was taken): an
    object without it (``{}``, ``{"total": 10}``, an envelope such as ``{"data": {...}}``) says nothing
    about the users, so it cannot say they were accepted.
    """

    errors: list[IngestError]
    total: _Count | None = None


class Job(_Answer):
    """A bulk job's state and counters."""

    definition: dict[str, Any] | None = None
    status: JobStatus
    received: _Count | None = None
    enqueued: _Count | None = None
    failures: _Count | None = None


class JobAnswer(_Answer):
    """The answer to ``GET /bulk/{job_id}``."""

    job: Job


class Paging(_Answer):
    """Where a paged list goes on: ``cursor`` is given while ``more`` is true."""

    more: StrictBool
    cursor: Annotated[StrictStr, Field(max_length=MAX_CURSOR_CHARS)] | None = None


class UserItem(_Answer):
    """One ingested user with its delivery state (``GET /bulk/{job_id}/users``)."""

    status: DeliveryStatus
    messageId: StrictStr | None = None
    recipient: StrictStr | None = None
    profile: dict[str, Any] | None = None
    to: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class UsersPage(_Answer):
    """One page of a job's users."""

    items: list[UserItem]
    paging: Paging


class MessageDetails(_Answer):
    """What became of one message (``GET /messages/{message_id}``); times are ms since the epoch."""

    id: StrictStr
    status: MessageStatus
    # Mostly one of MessageReason; one Courier has added since is kept as the text it came as.
    reason: StrictStr | None = None
    error: StrictStr | None = None
    event: StrictStr | None = None
    notification: StrictStr | None = None
    recipient: StrictStr | None = None
    enqueued: StrictInt | None = None
    sent: StrictInt | None = None
    delivered: StrictInt | None = None
    opened: StrictInt | None = None
    clicked: StrictInt | None = None
    providers: list[dict[str, Any]] | None = None


class MessagesPage(_Answer):
    """One page of ``GET /messages``, most recent first."""

    results: list[MessageDetails]
    paging: Paging


# ---------------------------------------------------------------------------------------------------
# What the stages read off the user model


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X | None`` (or ``Annotated[...]``), or None for a plain value."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        if get_origin(candidate) is Annotated:
            found = _model_of(get_args(candidate)[0])
            if found is not None:
                return found
    return None


def _is_text(annotation: Any) -> bool:
    return annotation is str or any(_is_text(arg) for arg in get_args(annotation))


def _is_dict(annotation: Any) -> bool:
    return get_origin(annotation) is dict or any(_is_dict(arg) for arg in get_args(annotation))


_FieldKind = Literal["text", "object", "preferences", "value"]


def _walk(model: type[BaseModel], prefix: str) -> dict[str, tuple[_FieldKind, dict[str, Any]]]:
    """Every fixed path under ``model``: its kind, and the field's extra declarations."""
    out: dict[str, tuple[_FieldKind, dict[str, Any]]] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        inner = _model_of(info.annotation)
        if inner is Preferences:
            out[path] = ("preferences", dict(extra))
        elif inner is not None:
            out[path] = ("object", dict(extra))
            out.update(_walk(inner, f"{path}."))
        elif _is_dict(info.annotation):
            out[path] = ("object", dict(extra))
        elif _is_text(info.annotation):
            out[path] = ("text", dict(extra))
        else:
            out[path] = ("value", dict(extra))
    return out


_PATHS: Final = _walk(User, "")

ROOTS: tuple[str, ...] = tuple(User.model_fields)
"""The top-level fields of a Courier bulk user."""

TO_FIELDS: tuple[str, ...] = tuple(To.model_fields)
"""The fields of a user's ``to`` object."""

STRING_FIELDS: frozenset[str] = frozenset(path for path, (kind, _) in _PATHS.items() if kind == "text")
"""The fixed fields that hold text (``recipient``, ``profile.email``, ``to.user_id``, ...)."""

OBJECT_FIELDS: frozenset[str] = frozenset(path for path, (kind, _) in _PATHS.items() if kind == "object")
"""The fixed fields that hold an object (``profile``, ``data``, ``to``, ``to.data``, ``to.context``)."""

PREFERENCE_ROOTS: tuple[str, ...] = tuple(
    sorted((path for path, (kind, _) in _PATHS.items() if kind == "preferences"), key=lambda p: p.count("."))
)
"""Where a user carries preferences: ``preferences`` and ``to.preferences``."""

PREFERENCE_GROUPS: tuple[str, ...] = tuple(Preferences.model_fields)
PREFERENCE_FIELDS: tuple[str, ...] = tuple(Preference.model_fields)
RULE_FIELDS: tuple[str, ...] = tuple(Rule.model_fields)

IDENTITY_FIELDS: dict[str, str] = {
    path: extra["identity"] for path, (_, extra) in _PATHS.items() if "identity" in extra
}
"""The fields a user is known by, each with its kind of key (``user_id``, ``email``, ``phone``).

Ordered strongest kind first (user ids, then emails, then phones), and within a kind as declared.
"""
IDENTITY_KINDS: tuple[str, ...] = ("user_id", "email", "phone")
IDENTITY_FIELDS = dict(sorted(IDENTITY_FIELDS.items(), key=lambda item: IDENTITY_KINDS.index(item[1])))

FLATTENED_ECHO_FIELDS: Final = {"user_id": "user_id", "email": "email", "phone_number": "phone"}
"""Where the flattened echo of a refused user (``IngestError.user``) holds its identities, with their kind.

Courier's reference shows two shapes for ``errors[].user``: request-like (``recipient``, ``profile.email``,
...: the paths of :data:`IDENTITY_FIELDS`), and flattened, ``{"user_id": ..., "email": ...}``, whose
identity fields are these top-level names.
"""

ID_FIELDS: frozenset[str] = frozenset(path for path, (_, extra) in _PATHS.items() if extra.get("identifier"))
"""Ids that a spreadsheet may have rounded into scientific notation (phones are normalized apart)."""


def field_at(path: str) -> Literal["text", "object", "preferences", "value"] | None:
    """The kind of value a fixed path of the user holds, or None for a free path (under ``data``, ...).

    Example:
        >>> field_at("to.email"), field_at("to.context"), field_at("data.plan")
        ('text', 'object', None)
    """
    found = _PATHS.get(path)
    return None if found is None else found[0]
