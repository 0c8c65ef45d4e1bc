"""Courier's request rules as the sandbox applies them: parse JSON, check messages, users and the size limit.

This is a copy, on purpose. :mod:`bulkprep.courier` declares the same wire format for bulkprep's own
side; the sandbox plays the other side, so it keeps its own reading of Courier's reference (the field
types, the preference statuses and channels, the 6 MB limit) and never imports the declaration. Were it
to share that code, a mistake in bulkprep's declaration would be a mistake of the server too, and no test
against the sandbox could see it. ``tests/test_sandbox_agrees_with_courier_models.py`` feeds both sides
the same users and answers and holds them to agreement, with the few deliberate differences written down:

- the sandbox ignores fields it does not know, as Courier does; bulkprep's declaration refuses them, so
  that bulkprep never sends a field Courier does not document;
- the sandbox types ``profile`` only as an object, as Courier's reference does; bulkprep's declaration
  also types the two profile fields it routes on (``email``, ``phone_number``) as text.

Every problem raises :class:`ApiError` with the HTTP status, Courier's error ``type`` and a message that
names the offending field by its path (``users[2].to.email``), so the server answers a precise 400 and
never a 500.

Example:
    >>> check_users(parse_json(b'{"users": [{"recipient": "u1", "profile": {"email": "a@b.co"}}]}'))
    [{'recipient': 'u1', 'profile': {'email': 'a@b.co'}}]
    >>> try:
    ...     check_users({"users": [{"profile": "a@b.co"}]})
    ... except ApiError as exc:
    ...     print(exc.status, exc.type, exc.message)
    400 invalid_request_error users[0].profile must be an object, not a string
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

__all__ = [
    "CHANNELS",
    "MAX_JSON_DEPTH",
    "MAX_REQUEST_BYTES",
    "PREFERENCE_STATUSES",
    "ApiError",
    "check_message",
    "check_users",
    "json_type",
    "parse_json",
]

# Courier refuses request bodies over "6 MB" with a 413. Decimal megabytes: the stricter of the two
# readings (6 MiB would be 6_291_456), so a client that fits here fits Courier either way.
MAX_REQUEST_BYTES = 6_000_000

# Deeper documents are refused with a 400: the sandbox must always be able to write back what it stored
# (inside its own answers, a few levels deeper), and the JSON encoder stops at 254 levels, well before
# the decoder does. Real user payloads are a few levels deep.
MAX_JSON_DEPTH = 250
_ANSWER_NESTING = 254 - MAX_JSON_DEPTH  # levels an answer may add around a stored document

PREFERENCE_STATUSES = frozenset({"OPTED_IN", "OPTED_OUT", "REQUIRED"})
CHANNELS = frozenset({"direct_message", "email", "push", "sms", "webhook", "inbox"})


class ApiError(Exception):
    """An error answer: HTTP status, Courier's error ``type`` and a readable message.

    Example:
        >>> ApiError(404, "invalid_request_error", "job 'x' not found").body()
        {'message': "job 'x' not found", 'type': 'invalid_request_error'}
    """

    def __init__(self, status: int, type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message

    def body(self) -> dict[str, str]:
        """The JSON body Courier sends with an error."""
        return {"message": self.message, "type": self.type}


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", message)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages.

    Example:
        >>> [json_type(v) for v in ({}, [], "", 1.5, True, None)]
        ['an object', 'an array', 'a string', 'a number', 'a boolean', 'null']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _too_deep(document: Any) -> bool:
    """Whether the encoder could not write the document back inside an answer (checked in C, so fast)."""
    wrapped = document
    for _ in range(_ANSWER_NESTING):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError:
        return True
    return False


def parse_json(body: bytes) -> Any:
    """Parse a request body as strict JSON (UTF-8, no NaN), refusing empty or too deeply nested ones.

    Example:
        >>> parse_json(b'{"a": [1]}')
        {'a': [1]}
        >>> try:
        ...     parse_json(b"{nope")
        ... except ApiError as exc:
        ...     print(exc.status, exc.message.split(":")[0])
        400 the request body is not valid JSON
    """
    if not body.strip():
        raise _invalid("the request body is empty; send a JSON object")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _invalid(f"the request body is not valid JSON: {exc}") from exc
    if _too_deep(document):
        raise _invalid(f"the request body is nested more than {MAX_JSON_DEPTH} levels deep")
    return document


# A field check takes the value and its path and raises when the value does not fit.
_Check = Callable[[Any, str], None]


def _string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise _invalid(f"{path} must be a string, not {json_type(value)}")


def _object(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise _invalid(f"{path} must be an object, not {json_type(value)}")


def _string_or_object(value: Any, path: str) -> None:
    if not isinstance(value, str | dict):
        raise _invalid(f"{path} must be a string or an object, not {json_type(value)}")


def _array(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _invalid(f"{path} must be an array, not {json_type(value)}")


def _fields(value: Any, path: str, checks: dict[str, _Check], *, required: tuple[str, ...] = ()) -> None:
    """Check an object's known fields; unknown fields are accepted, as Courier ignores them."""
    _object(value, path)
    for name in required:
        if name not in value:
            raise _invalid(f"{path}.{name} is required")
    for name, check in checks.items():
        if name in value:
            check(value[name], f"{path}.{name}")


def _channel_preference(value: Any, path: str) -> None:
    _fields(value, path, {"channel": _string}, required=("channel",))
    if value["channel"] not in CHANNELS:
        raise _invalid(
            f"{path}.channel must be one of {', '.join(sorted(CHANNELS))}, not {value['channel']!r}"
        )


def _rule(value: Any, path: str) -> None:
    _fields(value, path, {"start": _string, "until": _string}, required=("until",))


def _each(check: _Check) -> _Check:
    def check_array(value: Any, path: str) -> None:
        _array(value, path)
        for index, item in enumerate(value):
            check(item, f"{path}[{index}]")

    return check_array


def _preference(value: Any, path: str) -> None:
    checks = {"status": _string, "channel_preferences": _each(_channel_preference), "rules": _each(_rule)}
    _fields(value, path, checks, required=("status",))
    if value["status"] not in PREFERENCE_STATUSES:
        raise _invalid(
            f"{path}.status must be one of {', '.join(sorted(PREFERENCE_STATUSES))}, not {value['status']!r}"
        )


def _preferences_by_id(value: Any, path: str) -> None:
    _object(value, path)
    for key, item in value.items():
        _preference(item, f"{path}.{key}")


def _preferences(value: Any, path: str) -> None:
    _fields(value, path, {"categories": _preferences_by_id, "notifications": _preferences_by_id})


def _context(value: Any, path: str) -> None:
    _fields(value, path, {"tenant_id": _string})


_TO_FIELDS: dict[str, _Check] = {
    "user_id": _string,
    "email": _string,
    "phone_number": _string,
    "locale": _string,
    "data": _object,
    "tenant_id": _string,
    "account_id": _string,
    "context": _context,
    "list_id": _string,
    "preferences": _preferences,  # the same preferences as the user's own, for this message
}


def _to(value: Any, path: str) -> None:
    _fields(value, path, _TO_FIELDS)


_USER_FIELDS: dict[str, _Check] = {
    "recipient": _string,
    "profile": _object,
    "data": _object,
    "preferences": _preferences,
    "to": _to,
}

_MESSAGE_FIELDS: dict[str, _Check] = {
    "event": _string,
    "template": _string,
    "content": _object,
    "data": _object,
    "brand": _string,
    "locale": _string_or_object,
    "override": _object,
}


# Stands in for an absent object field in the quick test; only its type is ever looked at.
_NO_OBJECT: dict[str, Any] = {}


def _plain_user(user: Any) -> bool:
    """Whether a user certainly passes the checks of :data:`_USER_FIELDS`, by a few exact type tests.

    True only for the common shape (a ``recipient`` string, ``profile`` and ``data`` objects, each
    optional) without ``to`` or ``preferences``; False does not mean invalid, only "check precisely".

    Example:
        >>> _plain_user({"recipient": "u1", "data": {"a": [1]}}), _plain_user({"recipient": 5})
        (True, False)
    """
    return (
        type(user) is dict
        and type(user.get("recipient", "")) is str
        and type(user.get("profile", _NO_OBJECT)) is dict
        and type(user.get("data", _NO_OBJECT)) is dict
        and "to" not in user
        and "preferences" not in user
    )


def check_message(document: Any) -> dict[str, Any]:
    """Return the ``message`` of a ``POST /bulk`` body, or raise a 400 naming the problem.

    Example:
        >>> check_message({"message": {"event": "WELCOME", "data": {"a": 1}}})
        {'event': 'WELCOME', 'data': {'a': 1}}
    """
    if not isinstance(document, dict):
        raise _invalid(
            f'the request body must be an object like {{"message": {{...}}}}, not {json_type(document)}'
        )
    if "message" not in document:
        raise _invalid('"message" is required: send {"message": {"event": "..."}}')
    _fields(document["message"], "message", _MESSAGE_FIELDS, required=("event",))
    message: dict[str, Any] = document["message"]
    if not message["event"]:
        raise _invalid("message.event must not be empty")
    return message


def check_users(document: Any) -> list[dict[str, Any]]:
    """Return the ``users`` of a ``POST /bulk/{job_id}`` body, or raise a 400 naming the first bad field.

    Example:
        >>> check_users({"users": []})
        []
    """
    if not isinstance(document, dict):
        raise _invalid(
            f'the request body must be an object like {{"users": [...]}}, not {json_type(document)}'
        )
    if "users" not in document:
        raise _invalid('"users" is required: send {"users": [{...}, ...]}')
    users = document["users"]
    _array(users, "users")
    # The quick test vouches for nearly every user of a real request; the precise walk, which names
    # the offending field, runs only on the users it cannot vouch for (and then raises or passes them).
    if not all(map(_plain_user, users)):
        for index, user in enumerate(users):
            if not _plain_user(user):
                _fields(user, f"users[{index}]", _USER_FIELDS)
    return list(users)
