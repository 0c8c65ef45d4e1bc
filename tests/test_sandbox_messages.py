"""Contract tests of the sandbox's ``GET /messages/{message_id}``, over real HTTP on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sandbox_support import ManualClock

from bulkprep.courier import MessageDetails
from bulkprep.errors import ConfigurationError
from bulkprep.sandbox import Faults, Sandbox
from bulkprep.sandbox.messages import fate_of

TOKEN = "sk_test_messages"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COURIER_ID = r"[0-9]-[0-9a-f]{8}-[0-9a-f]{24}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    """Jobs done at once; each message step takes 2 s on a clock the test moves."""
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=2, clock=clock) as sb:
        yield sb


def run_job(
    sb: Sandbox, users: list[dict[str, Any]], message: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Create, fill and run a job; its users as ``GET /bulk/{id}/users`` lists them."""
    with requests.Session() as http:
        http.headers.update(AUTH)
        job_id = http.post(f"{sb.url}/bulk", json={"message": message or {"event": "WELCOME"}}).json()[
            "jobId"
        ]
        assert http.post(f"{sb.url}/bulk/{job_id}", json={"users": users}).status_code == 200
        assert http.post(f"{sb.url}/bulk/{job_id}/run").status_code == 204
        items: list[dict[str, Any]] = http.get(f"{sb.url}/bulk/{job_id}/users").json()["items"]
        return items


def get_message(sb: Sandbox, message_id: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(
        f"{sb.url}/messages/{message_id}", headers=AUTH if headers is None else headers, timeout=10
    )


def test_every_enqueued_user_has_a_message_that_moves_with_the_clock(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    (item,) = run_job(sandbox, [{"recipient": "u1", "profile": {"email": "ann+click@example.com"}}])
    message_id = item["messageId"]
    assert re.fullmatch(COURIER_ID, message_id)
    seen = []
    for _ in range(6):
        answer = get_message(sandbox, message_id)
        assert answer.status_code == 200, answer.text
        details = MessageDetails.model_validate(answer.json())  # the shape bulkprep reads
        seen.append(details.status.value)
        clock.now += 2
    assert seen == ["ENQUEUED", "SENT", "DELIVERED", "OPENED", "CLICKED", "CLICKED"]
    body = answer.json()
    assert body["id"] == message_id
    assert (body["event"], body["notification"], body["recipient"]) == ("WELCOME", "WELCOME", "u1")
    assert body["enqueued"] < body["sent"] < body["delivered"] < body["opened"] < body["clicked"]
    assert body["sent"] - body["enqueued"] == 2000
    assert "reason" not in body
    assert sandbox.message(message_id) == body


def test_a_bounce_has_its_reason_only_once_it_ends(sandbox: Sandbox, clock: ManualClock) -> None:
    (item,) = run_job(sandbox, [{"recipient": "u1", "profile": {"email": "bounce@example.com"}}])
    first = get_message(sandbox, item["messageId"]).json()
    clock.now += 10
    last = get_message(sandbox, item["messageId"]).json()
    assert (first["status"], first.get("reason")) == ("ENQUEUED", None)
    assert (last["status"], last["reason"]) == ("UNDELIVERABLE", "BOUNCED")
    assert "delivered" not in last
    assert last["error"]


@pytest.mark.parametrize(
    ("user", "path", "reason"),
    [
        ({"profile": {"email": "a@b.co"}}, ("ENQUEUED", "SENT", "DELIVERED"), None),
        ({"profile": {"phone_number": "+15555550100"}}, ("ENQUEUED", "SENT", "DELIVERED"), None),
        ({"profile": {"email": "Unsub.Me@b.co"}}, ("ENQUEUED", "UNDELIVERABLE"), "UNSUBSCRIBED"),
        ({"profile": {"email": "optin@b.co"}}, ("ENQUEUED", "UNDELIVERABLE"), "OPT_IN_REQUIRED"),
        ({"profile": {"email": "x.noprovider@b.co"}}, ("ENQUEUED", "UNROUTABLE"), "NO_PROVIDERS"),
        ({"profile": {"email": "filtered@b.co"}}, ("ENQUEUED", "FILTERED"), "FILTERED"),
        ({"profile": {"email": "delayed@b.co"}}, ("ENQUEUED", "DELAYED"), None),
        ({"to": {"email": "a@b.co"}}, ("ENQUEUED", "UNROUTABLE"), "NO_CHANNELS"),
        (
            {
                "profile": {"email": "a@b.co"},
                "preferences": {"categories": {"news": {"status": "OPTED_OUT"}}},
            },
            ("ENQUEUED", "UNDELIVERABLE"),
            "UNSUBSCRIBED",
        ),
        (
            {
                "profile": {"email": "a@b.co"},
                "to": {"preferences": {"notifications": {"W": {"status": "OPTED_OUT"}}}},
            },
            ("ENQUEUED", "UNDELIVERABLE"),
            "UNSUBSCRIBED",
        ),
        (
            {"profile": {"email": "a@b.co"}, "preferences": {"categories": {"news": {"status": "OPTED_IN"}}}},
            ("ENQUEUED", "SENT", "DELIVERED"),
            None,
        ),
        (
            {"profile": {"email": "bounce@b.co"}, "to": {"email": "a@b.co"}},
            ("ENQUEUED", "SENT", "UNDELIVERABLE"),
            "BOUNCED",
        ),
    ],
)
def test_the_fate_is_read_off_the_user(
    user: dict[str, Any], path: tuple[str, ...], reason: str | None
) -> None:
    fate = fate_of(user)
    assert (fate.path, fate.reason) == (path, reason)
    assert fate_of(user) == fate  # deterministic


def test_an_unknown_message_is_404(sandbox: Sandbox) -> None:
    answer = get_message(sandbox, "1-00000000-000000000000000000000000")
    assert answer.status_code == 404
    assert answer.json()["type"] == "invalid_request_error"
    assert "not found" in answer.json()["message"]
    with pytest.raises(KeyError):
        sandbox.message("1-nope")


def test_a_user_in_error_has_no_message(sandbox: Sandbox) -> None:
    (item,) = run_job(sandbox, [{"recipient": "u1"}])
    assert item["status"] == "ERROR"
    assert "messageId" not in item


@pytest.mark.parametrize(
    ("headers", "words"),
    [({}, "missing API key"), ({"Authorization": "Bearer wrong"}, "not valid")],
)
def test_messages_take_the_same_auth_as_the_bulk_endpoints(
    sandbox: Sandbox, headers: dict[str, str], words: str
) -> None:
    (item,) = run_job(sandbox, [{"recipient": "u1", "profile": {"email": "a@b.co"}}])
    answer = get_message(sandbox, item["messageId"], headers=headers)
    assert answer.status_code == 401
    assert answer.json()["type"] == "authentication_error"
    assert words in answer.json()["message"]
    assert "wrong" not in answer.text


def test_messages_only_take_get_and_a_single_id(sandbox: Sandbox) -> None:
    assert requests.post(f"{sandbox.url}/messages/1-x", headers=AUTH, timeout=10).status_code == 405
    assert requests.get(f"{sandbox.url}/messages/1-x/extra/more", headers=AUTH, timeout=10).status_code == 404


def test_instant_delivery_and_reset(clock: ManualClock) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0, clock=clock) as sb:
        (item,) = run_job(sb, [{"recipient": "u1", "profile": {"email": "ann+open@example.com"}}])
        assert sb.message(item["messageId"])["status"] == "OPENED"
        sb.reset()
        assert get_message(sb, item["messageId"]).status_code == 404


def test_faults_reach_the_messages_endpoint_too(clock: ManualClock) -> None:
    faults = Faults(rate_limit_every=2)
    with (
        Sandbox(token=TOKEN, processing_seconds=0, clock=clock, faults=faults) as sb,
        requests.Session() as http,
    ):
        http.headers.update(AUTH)
        statuses = [http.get(f"{sb.url}/messages/1-x").status_code for _ in range(4)]
    assert statuses.count(429) == 2


def test_a_negative_delivery_time_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="delivery_seconds"):
        Sandbox(delivery_seconds=-1)
