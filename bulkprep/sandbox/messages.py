"""What becomes of each message the sandbox enqueues: Courier's Messages API, played deterministically.

Every user a job enqueues gets a message. Its fate is read off the user, so that tests, the demo and
the notebooks can show every case on purpose:

- the email's local part names the case: ``bounce`` bounces (UNDELIVERABLE, BOUNCED), ``unsub``
  unsubscribed (UNDELIVERABLE, UNSUBSCRIBED), ``optin`` needs an opt-in (UNDELIVERABLE,
  OPT_IN_REQUIRED), ``providererror`` fails at the provider (UNDELIVERABLE, PROVIDER_ERROR),
  ``noprovider`` has no provider (UNROUTABLE, NO_PROVIDERS), ``filtered`` is filtered (FILTERED,
  FILTERED), ``delayed``, ``throttled`` and ``canceled`` stop there, ``open`` is opened and ``click``
  is clicked; any other address is DELIVERED;
- an ``OPTED_OUT`` preference (in ``preferences`` or ``to.preferences``) is UNSUBSCRIBED;
- a user whose profile has no email and no phone (its address only in ``to``) has NO_CHANNELS.

A message moves one step along its path (ENQUEUED, SENT, DELIVERED, OPENED, CLICKED) every
``step_seconds`` of the sandbox's clock after it was enqueued; 0 puts it at its end at once.

Example:
    >>> fate = fate_of({"profile": {"email": "bounce@example.com"}})
    >>> fate.path, fate.reason
    (('ENQUEUED', 'SENT', 'UNDELIVERABLE'), 'BOUNCED')
    >>> fate_of({"profile": {"email": "ann+click@example.com"}}).path[-1]
    'CLICKED'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Fate", "Message", "details", "fate_of"]

_DELIVERED = ("ENQUEUED", "SENT", "DELIVERED")
_REFUSED = ("ENQUEUED", "UNDELIVERABLE")

# (token in the local part, path, reason, error text); the first token found wins.
_BY_LOCAL_PART: tuple[tuple[str, tuple[str, ...], str | None, str | None], ...] = (
    ("bounce", ("ENQUEUED", "SENT", "UNDELIVERABLE"), "BOUNCED", "the mailbox does not exist"),
    ("unsub", _REFUSED, "UNSUBSCRIBED", None),
    ("optin", _REFUSED, "OPT_IN_REQUIRED", None),
    ("providererror", ("ENQUEUED", "SENT", "UNDELIVERABLE"), "PROVIDER_ERROR", "provider answered 500"),
    ("noprovider", ("ENQUEUED", "UNROUTABLE"), "NO_PROVIDERS", None),
    ("filtered", ("ENQUEUED", "FILTERED"), "FILTERED", None),
    ("delayed", ("ENQUEUED", "DELAYED"), None, None),
    ("throttled", ("ENQUEUED", "THROTTLED"), None, None),
    ("canceled", ("ENQUEUED", "CANCELED"), None, None),
    ("click", (*_DELIVERED, "OPENED", "CLICKED"), None, None),
    ("open", (*_DELIVERED, "OPENED"), None, None),
)
# The time field each status fills in when the message reaches it.
_STAMPS = {"SENT": "sent", "DELIVERED": "delivered", "OPENED": "opened", "CLICKED": "clicked"}


@dataclass(frozen=True)
class Fate:
    """Where one message goes: the statuses it passes, and the reason and error of its last one."""

    path: tuple[str, ...]
    reason: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Message:
    """One enqueued message: its id, user, job definition, fate and when it was enqueued (ms, epoch)."""

    message_id: str
    user: dict[str, Any]
    definition: dict[str, Any]
    fate: Fate
    enqueued_ms: int


def _text(container: Any, name: str) -> str | None:
    value = container.get(name) if isinstance(container, dict) else None
    return value if isinstance(value, str) and value else None


def _opted_out(preferences: Any) -> bool:
    """Whether any preference of ``{categories?, notifications?}`` is OPTED_OUT."""
    if not isinstance(preferences, dict):
        return False
    for group in ("categories", "notifications"):
        entries = preferences.get(group)
        if isinstance(entries, dict) and any(
            isinstance(p, dict) and p.get("status") == "OPTED_OUT" for p in entries.values()
        ):
            return True
    return False


def fate_of(user: dict[str, Any]) -> Fate:
    """The deterministic fate of the message to ``user`` (see the module's docstring).

    Example:
        >>> fate_of({"to": {"email": "a@b.co"}}).reason
        'NO_CHANNELS'
        >>> fate_of({"profile": {"email": "a@b.co"}}).path
        ('ENQUEUED', 'SENT', 'DELIVERED')
    """
    profile = user.get("profile")
    to = user.get("to")
    email = _text(profile, "email") or _text(to, "email") or ""
    local = email.rpartition("@")[0].lower()
    for token, path, reason, error in _BY_LOCAL_PART:
        if token in local:
            return Fate(path, reason, error)
    if _opted_out(user.get("preferences")) or _opted_out(
        to.get("preferences") if isinstance(to, dict) else None
    ):
        return Fate(_REFUSED, "UNSUBSCRIBED")
    if _text(profile, "email") is None and _text(profile, "phone_number") is None:
        return Fate(("ENQUEUED", "UNROUTABLE"), "NO_CHANNELS")
    return Fate(_DELIVERED)


def details(message: Message, elapsed: float, step_seconds: float) -> dict[str, Any]:
    """The message as ``GET /messages/{id}`` answers it, ``elapsed`` seconds after it was enqueued.

    Example:
        >>> m = Message("1-m", {"recipient": "u1", "profile": {"email": "a@b.co"}}, {"event": "E"},
        ...             fate_of({"profile": {"email": "a@b.co"}}), 1_000)
        >>> details(m, 0.5, 1.0)["status"], details(m, 5.0, 1.0)["status"], details(m, 5.0, 1.0)["delivered"]
        ('ENQUEUED', 'DELIVERED', 3000)
    """
    path = message.fate.path
    steps = len(path) - 1 if step_seconds <= 0 else min(len(path) - 1, int(elapsed / step_seconds))
    body: dict[str, Any] = {
        "id": message.message_id,
        "status": path[steps],
        "enqueued": message.enqueued_ms,
        "event": _text(message.definition, "event") or "",
        "notification": _text(message.definition, "template") or _text(message.definition, "event") or "",
        "recipient": _text(message.user, "recipient") or _text(message.user.get("to"), "user_id") or "",
        "providers": [],
    }
    for position in range(1, steps + 1):
        stamp = _STAMPS.get(path[position])
        if stamp is not None:
            body[stamp] = message.enqueued_ms + int(position * step_seconds * 1000)
    if steps == len(path) - 1:
        if message.fate.reason is not None:
            body["reason"] = message.fate.reason
        if message.fate.error is not None:
            body["error"] = message.fate.error
    return body
