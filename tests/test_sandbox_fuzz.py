"""Arbitrary requests thrown at the sandbox: every answer is well-formed, no 5xx, and it keeps serving."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bulkprep.sandbox import Sandbox
from bulkprep.sandbox.jobs import offer_key, read_users, user_ids
from bulkprep.sandbox.rules import _USER_FIELDS, ApiError, _fields, _plain_user, check_users

TOKEN = "sk_test_fuzz"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """Not the shared sandbox: one for the whole module (hundreds of examples), with pages of 3."""
    with Sandbox(token=TOKEN, page_size=3, processing_seconds=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def job_id(sandbox: Sandbox) -> str:
    answer = requests.post(f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers=AUTH)
    return str(answer.json()["jobId"])


def assert_well_formed(status: int, headers: dict[str, str], body: bytes) -> None:
    assert 200 <= status < 500, (status, body)
    if status >= 400:
        assert headers.get("content-type") == "application/json"
        error = json.loads(body)
        assert set(error) == {"message", "type"}
        assert isinstance(error["message"], str)
        assert error["message"]
        assert error["type"] in {"invalid_request_error", "authentication_error"}
    elif body:
        json.loads(body)


def assert_still_serving(sandbox: Sandbox) -> None:
    answer = requests.post(f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers=AUTH, timeout=5)
    assert answer.status_code == 200


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
# Users that are often nearly right, so the checks deep inside a user get exercised too.
user_fields = st.sampled_from(["recipient", "profile", "data", "preferences", "to", "extra"])
nearly_users = st.dictionaries(user_fields, json_values, max_size=4) | st.fixed_dictionaries(
    {},
    optional={
        "recipient": st.text(max_size=4),
        "to": st.dictionaries(
            st.sampled_from(["user_id", "email", "context", "data", "list_id"]), json_values
        ),
        "preferences": st.dictionaries(
            st.sampled_from(["categories", "notifications"]),
            st.dictionaries(
                st.text(max_size=3),
                st.fixed_dictionaries(
                    {"status": st.sampled_from(["OPTED_IN", "REQUIRED", "NO"])},
                    optional={
                        "channel_preferences": st.lists(
                            st.fixed_dictionaries({"channel": st.text(max_size=6)})
                        ),
                        "rules": st.lists(st.dictionaries(st.sampled_from(["start", "until"]), json_values)),
                    },
                ),
            ),
        ),
    },
)
bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"users": st.lists(nearly_users, max_size=4) | json_values}).map(
        lambda value: json.dumps(value).encode()
    ),
    st.fixed_dictionaries(
        {"message": st.dictionaries(st.sampled_from(["event", "data", "locale"]), json_values)}
    ).map(lambda value: json.dumps(value).encode()),
)
segments = st.sampled_from(["bulk", "run", "users", "JOB", "", "..", "%00", "%2F", "x y", "é"]) | st.text(
    max_size=5
)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FETCH"]),
    parts=st.lists(segments, min_size=1, max_size=4),
    query=st.dictionaries(st.sampled_from(["cursor", "x"]), st.text(max_size=12), max_size=2),
    body=bodies,
    auth=st.sampled_from([AUTH, {}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer"}]),
    key=st.none() | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=10),
)
def test_arbitrary_requests_get_well_formed_answers(
    sandbox: Sandbox,
    job_id: str,
    method: str,
    parts: list[str],
    query: dict[str, str],
    body: bytes,
    auth,
    key,
) -> None:
    path = "/" + "/".join(job_id if part == "JOB" else part for part in parts)
    headers: dict[str, Any] = {**auth, "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    answer = requests.request(method, sandbox.url + path, params=query, data=body, headers=headers, timeout=5)
    if method == "HEAD":  # a HEAD answer has headers only
        assert 400 <= answer.status_code < 500
        assert answer.content == b""
    else:
        assert_well_formed(
            answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.content
        )
    assert_still_serving(sandbox)


def raw_exchange(sandbox: Sandbox, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer until the server closes; returns status, headers and body."""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, code, *_ = status_line.split(" ")
    assert version == "HTTP/1.1"
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert len(body) == int(headers.get("content-length", "0"))
    return int(code), headers, body


tokens = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), min_size=1, max_size=12
)
header_values = st.text(
    st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\r\n"), max_size=20
)


@FUZZ
@given(
    method=tokens,
    target=st.text(st.characters(min_codepoint=33, max_codepoint=255), min_size=1, max_size=40),
    version=st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/x", "FTP/1.1"]),
    headers=st.lists(st.tuples(tokens, header_values), max_size=5),
    body=st.binary(max_size=64),
    with_length=st.booleans(),
)
def test_raw_requests_get_well_formed_answers(
    sandbox: Sandbox,
    method: str,
    target: str,
    version: str,
    headers: list[tuple[str, str]],
    body: bytes,
    with_length,
) -> None:
    lines = [f"{method} {target} {version}", *(f"{name}: {value}" for name, value in headers)]
    # Framing headers are the test's to set: a wrong Content-Length would leave the server waiting for bytes.
    lines = [lines[0]] + [
        line
        for line in lines[1:]
        if line.split(":")[0].strip().lower()
        not in {"content-length", "transfer-encoding", "connection", "expect"}
    ]
    lines += [f"Authorization: Bearer {TOKEN}", "Connection: close"]
    if with_length:
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body if with_length else b"")
    status, answer_headers, answer_body = raw_exchange(sandbox, request)
    if method == "HEAD" and status >= 400:
        return  # a HEAD answer has headers only
    assert_well_formed(status, answer_headers, answer_body)
    assert_still_serving(sandbox)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /bulk\r\n\r\n", 400),  # HTTP/0.9
        (b"POST /bulk HTTP/2.0\r\n\r\n", 400),
        (b"GET " + b"/x" * 40_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"POST /bulk HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        (b"POST /bulk HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", 400),
        (b"POST /bulk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
        (b"POST /bulk HTTP/1.1\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n", 413),
    ],
    ids=["http09", "http2", "long-line", "bad-length", "two-lengths", "chunked", "expect-too-large"],
)
def test_broken_framing_gets_a_json_4xx(sandbox: Sandbox, request_bytes: bytes, status: int) -> None:
    answer_status, headers, body = raw_exchange(sandbox, request_bytes)
    assert answer_status == status
    assert_well_formed(answer_status, headers, body)
    assert headers["connection"] == "close"
    assert_still_serving(sandbox)


@FUZZ
@given(users=st.lists(nearly_users, max_size=5))
def test_ingest_of_arbitrary_users_is_all_or_nothing_and_adds_up(sandbox: Sandbox, users: list[Any]) -> None:
    job = requests.post(f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers=AUTH).json()["jobId"]
    answer = requests.post(f"{sandbox.url}/bulk/{job}", json={"users": users}, headers=AUTH)
    assert answer.status_code in (200, 400), answer.text
    stored = sandbox.users(job)
    if answer.status_code == 400:
        assert_well_formed(
            answer.status_code, {"content-type": answer.headers["Content-Type"]}, answer.content
        )
        assert answer.json()["message"].startswith("users[")
        assert stored == []
    else:
        body = answer.json()
        assert body["total"] == len(stored)
        assert body["total"] + len(body["errors"]) == len(users)
        assert sum(sandbox.offers(job).values()) == len(users)


@FUZZ
@given(
    message=json_values
    | st.dictionaries(st.sampled_from(["event", "data", "locale", "content"]), json_values)
)
def test_create_with_arbitrary_messages_is_200_or_400(sandbox: Sandbox, message: Any) -> None:
    answer = requests.post(f"{sandbox.url}/bulk", json={"message": message}, headers=AUTH)
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 200:
        assert sandbox.jobs[answer.json()["jobId"]]["definition"] == message


# Users of the common shape, which the quick check vouches for, with now and then one field of the
# wrong type or a rarer field, which it must leave to the precise walk.
common_users = st.fixed_dictionaries(
    {},
    optional={
        "recipient": st.text(max_size=4) | json_values,
        "profile": st.dictionaries(st.sampled_from(["email", "phone_number"]), json_values) | json_values,
        "data": st.dictionaries(st.text(max_size=3), json_values),
        "extra": json_values,
    },
)
any_users = st.lists(common_users | nearly_users | json_values, max_size=6)


def precise_outcome(users: list[Any]) -> str | None:
    """The message of the first problem the precise walk finds in every user, or None."""
    try:
        for index, user in enumerate(users):
            _fields(user, f"users[{index}]", _USER_FIELDS)
    except ApiError as exc:
        return exc.message
    return None


@FUZZ
@given(users=any_users)
def test_the_quick_user_check_agrees_with_the_precise_walk(users: list[Any]) -> None:
    assert all(precise_outcome([user]) is None for user in users if _plain_user(user))
    expected = precise_outcome(users)
    if expected is None:
        assert check_users({"users": users}) == users
    else:
        with pytest.raises(ApiError) as refused:
            check_users({"users": users})
        assert refused.value.message == expected


@FUZZ
@given(users=st.lists(common_users | nearly_users, max_size=6))
def test_users_read_ahead_claim_the_ids_and_offer_keys_of_the_general_rules(users: list[Any]) -> None:
    try:  # as the server sees them: what JSON can carry (whole numbers within 64 bits)
        users = orjson.loads(orjson.dumps(users))
    except orjson.JSONEncodeError:
        assume(False)
    incoming = read_users({"users": users})
    if incoming.problem is not None:
        assert incoming.problem.message == precise_outcome(users)
        assert incoming.users == incoming.claims == incoming.offer_keys == []
    else:
        assert incoming.claims == [tuple(user_ids(user)) for user in users]
        assert incoming.offer_keys == [offer_key(user) for user in users]
