"""What the sandbox's test modules share: a clock moved by hand, and a user with every declared field."""

from __future__ import annotations

from typing import Any


class ManualClock:
    """Seconds for a sandbox's job lifecycle that move only when the test moves :attr:`now`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


#: A valid Courier user with every field courier.py declares (and a few of the user's own).
FULL_USER: dict[str, Any] = {
    "recipient": "u1",
    "profile": {"email": "u1@example.com", "phone_number": "+12025550125", "name": "Jane"},
    "data": {"plan": "pro", "visits": [1, 2], "nested": {"a": None}},
    "preferences": {
        "categories": {"news": {"status": "OPTED_IN", "channel_preferences": [{"channel": "email"}]}},
        "notifications": {
            "n1": {"status": "REQUIRED", "rules": [{"start": "2024-01-01", "until": "2024-02-01"}]}
        },
    },
    "to": {
        "user_id": "u1",
        "email": "u1@example.com",
        "phone_number": "+12025550125",
        "locale": "en",
        "data": {"k": "v"},
        "tenant_id": "t1",
        "account_id": "a1",
        "context": {"tenant_id": "t1"},
        "list_id": "l1",
        "preferences": {"notifications": {"n1": {"status": "OPTED_OUT", "rules": [{"until": "2025-01-01"}]}}},
    },
}
