from __future__ import annotations

import json
import logging
import random
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import pandas as pd
import pytest
import requests
from hostile import NOT_COURIER, Answer, HostileServer, fixed

import bulkprep.client
from bulkprep import __version__, submit
from bulkprep.client import (
    DEFAULT_BASE_URL,
    CourierClient,
    IngestReceipt,
    RetryEvent,
    resolve_api_key,
    resolve_base_url,
)
from bulkprep.courier import Job, UserItem
from bulkprep.errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    CourierError,
    ProtocolError,
)
from bulkprep.jsonsafe import dumps
from bulkprep.retry import RetryPolicy
from bulkprep.sandbox import Faults, Sandbox

KEY = "sk_test_5ecret-KEY-never-shown"
MESSAGE = {"event": "WELCOME"}


def users_body(*ids: str) -> bytes:
    return dumps(
        {"users": [{"recipient": user_id, "profile": {"email": f"{user_id}@example.com"}} for user_id in ids]}
    )


class Recorder:
    """The client's injected sleep and on_retry: records instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.events: list[RetryEvent] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(sandbox: Sandbox, recorder: Recorder, **options: Any) -> CourierClient:
    options.setdefault("rng", random.Random(3))
    return CourierClient(
        sandbox.token, sandbox.url, sleep=recorder.sleep, on_retry=recorder.events.append, **options
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


# -------------------------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("argument", "env", "expected"),
    [
        ("arg-key", {"COURIER_API_KEY": "env-key"}, "arg-key"),
        (None, {"COURIER_API_KEY": "env-key", "COURIER_AUTH_TOKEN": "old-key"}, "env-key"),
        (None, {"COURIER_AUTH_TOKEN": "old-key"}, "old-key"),
        (None, {"COURIER_API_KEY": "", "COURIER_AUTH_TOKEN": "old-key"}, "old-key"),
        ("", {"COURIER_API_KEY": "env-key"}, "env-key"),
        ("  pasted-key\n", {}, "pasted-key"),
    ],
)
def test_resolve_api_key(
    clean_env: pytest.MonkeyPatch, argument: str | None, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert resolve_api_key(argument) == expected


def test_missing_api_key_says_how_to_set_it(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="set the COURIER_API_KEY environment variable"):
        resolve_api_key(None)


@pytest.mark.parametrize("bad_key", ["sk_live_abc def", "sk_live_abc\ndef", "sk_live_abc\x00def"])
def test_api_key_with_inner_whitespace_is_refused_without_echoing_it(bad_key: str) -> None:
    with pytest.raises(ConfigurationError, match="spaces or control characters") as caught:
        resolve_api_key(bad_key)
    assert "abc" not in str(caught.value)


@pytest.mark.parametrize(
    "bad_key", ["\u043a\u043b\u044e\u0447_live_abc", "\u201csk_live_abc\u201d", "sk_live_abc\u00e9"]
)
def test_api_key_beyond_ascii_is_refused_without_echoing_it(
    bad_key: str, clean_env: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    with pytest.raises(ConfigurationError, match="not plain ASCII") as caught:
        resolve_api_key(bad_key)
    assert "abc" not in str(caught.value)
    # Before anything is sent, from the environment too: never a UnicodeEncodeError holding the header.
    clean_env.setenv("COURIER_AUTH_TOKEN", bad_key)
    frame = pd.DataFrame({"id": ["u1"], "email": ["u1@example.com"]})
    with pytest.raises(ConfigurationError, match="COURIER_AUTH_TOKEN contains letters") as raised:
        submit(frame, {"recipient": "id", "profile": {"email": "email"}}, event="E", base_url=sandbox.url)
    assert "abc" not in repr(raised.value)
    assert raised.value.__context__ is None
    assert sandbox.jobs == {}


@pytest.mark.parametrize(
    ("argument", "env", "expected"),
    [
        (None, None, DEFAULT_BASE_URL),
        (None, "https://api.eu.courier.com/", "https://api.eu.courier.com"),
        (
            "https://proxy.example.com/courier/",
            "https://api.eu.courier.com",
            "https://proxy.example.com/courier",
        ),
        ("http://localhost:8080", None, "http://localhost:8080"),
        ("http://127.0.0.1:1", None, "http://127.0.0.1:1"),
        ("http://127.8.9.10", None, "http://127.8.9.10"),
        ("http://[::1]:9000/", None, "http://[::1]:9000"),
    ],
)
def test_resolve_base_url(
    clean_env: pytest.MonkeyPatch, argument: str | None, env: str | None, expected: str
) -> None:
    if env is not None:
        clean_env.setenv("COURIER_BASE_URL", env)
    assert resolve_base_url(argument) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://api.courier.com", "unencrypted; use https://"),
        ("http://10.0.0.1:8080", "unencrypted; use https://"),
        ("http://localhost.example.com", "unencrypted; use https://"),
        ("ftp://api.courier.com", "not an http\\(s\\) URL"),
        ("api.courier.com", "not an http\\(s\\) URL"),
        ("https://user:hunter2@api.courier.com", "holds credentials; remove them"),
        ("https://api.courier.com/?token=1", "query or fragment"),
        ("https://[::1", "cannot be parsed"),
        # Python's URL parser would drop the line break and the tab; the HTTP library would encode
        # the rest into the path.
        ("https://api.courier.com/\r\nX-Injected: 1", "a line break or a control character"),
        ("https://api.cou\trier.com", "a line break or a control character"),
        ("https://api.courier.com/a b", "holds a space"),
        ("https://api.courier.com/\x00", "a control character"),
        ("https://api.courier.com/\u202e", "a control character"),
    ],
)
def test_unsafe_or_malformed_base_urls_are_refused(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says) as caught:
        resolve_base_url(url)
    assert "hunter2" not in str(caught.value)


def test_client_refuses_negative_retries() -> None:
    with pytest.raises(ConfigurationError, match="max_retries=-1"):
        CourierClient(KEY, "http://127.0.0.1:9", max_retries=-1)


@pytest.mark.parametrize(
    ("options", "attempts"),
    [
        ({}, 7),
        ({"max_retries": 0}, 1),
        ({"retry": RetryPolicy(max_attempts=3)}, 3),
        ({"retry": RetryPolicy(max_attempts=3), "max_retries": 2}, 3),
    ],
)
def test_the_client_takes_its_attempts_from_the_policy(options: dict[str, Any], attempts: int) -> None:
    with CourierClient(KEY, "http://127.0.0.1:9", **options) as client:
        assert client.retry.max_attempts == attempts
        assert client.max_retries == attempts - 1


def test_max_retries_that_contradicts_the_policy_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="contradicts retry=RetryPolicy\\(max_attempts=3\\)"):
        CourierClient(KEY, "http://127.0.0.1:9", max_retries=5, retry=RetryPolicy(max_attempts=3))


# ------------------------------------------------------------------------------------------ happy path


def test_full_job_over_http_with_the_agreed_headers(recorder: Recorder) -> None:
    sent: list[requests.PreparedRequest] = []
    session = requests.Session()
    # A copy as it went out: once answered, the client strips the key from the request it keeps.
    session.hooks["response"].append(lambda response, **_: sent.append(response.request.copy()))
    body = users_body("u1", "u2", "u3")
    with Sandbox(token=KEY, page_size=2, processing_seconds=0) as sandbox, session:
        with CourierClient(KEY, sandbox.url, session=session, sleep=recorder.sleep) as client:
            job_id = client.create_job(MESSAGE)
            answer = client.ingest(job_id, body, idempotency_key="batch-1")
            client.run_job(job_id)
            job = client.get_job(job_id)
            users = list(client.iter_users(job_id))
        sent_by_client = list(sent)
        # The client leaves a session it did not make open.
        assert session.get(f"{sandbox.url}/bulk/{job_id}", headers={"Authorization": f"Bearer {KEY}"}).ok
    assert answer == IngestReceipt(200, [], 3, 1, False)
    assert isinstance(job, Job)
    assert job.status == "COMPLETED"
    assert job.definition == MESSAGE
    assert all(isinstance(user, UserItem) for user in users)
    assert [user.recipient for user in users] == ["u1", "u2", "u3"]
    assert {user.status for user in users} <= {"PENDING", "ENQUEUED", "ERROR"}
    ingest = next(request for request in sent if request.path_url == f"/bulk/{job_id}")
    assert ingest.body == body
    assert ingest.headers["Content-Type"] == "application/json"
    assert ingest.headers["Idempotency-Key"] == "batch-1"
    for request in sent_by_client:
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"] == f"bulkprep/{__version__}"
        assert request.headers["Authorization"] == f"Bearer {KEY}"
    # create and run carry a generated key, so that their retries are safe too.
    keys = [record.idempotency_key for record in sandbox.requests if record.method == "POST"]
    assert all(keys)
    assert len(set(keys)) == 3
    assert recorder.delays == []


@pytest.mark.parametrize(("create_status", "run_status"), [(200, 204), (201, 202)])
def test_both_documented_create_and_run_statuses_are_success(
    recorder: Recorder, create_status: int, run_status: int
) -> None:
    with Sandbox(token=KEY, create_status=create_status, run_status=run_status) as sandbox:
        with make_client(sandbox, recorder) as client:
            job_id = client.create_job(MESSAGE)
            client.run_job(job_id)
        assert job_id in sandbox.jobs


def test_empty_204_ingest_answer_means_every_user_accepted(recorder: Recorder) -> None:
    with Sandbox(token=KEY, ingest_answer="empty") as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        answer = client.ingest(job_id, users_body("u1", "u2"), idempotency_key="k")
        assert answer == IngestReceipt(204, [], None, 1, False)
        assert len(sandbox.users(job_id)) == 2


@pytest.mark.parametrize(
    ("echo", "user"),
    [("flattened", {"user_id": "u1"}), ("request", {"recipient": "u1"})],
)
def test_per_user_errors_are_returned_in_either_echo_shape(
    recorder: Recorder, echo: Literal["flattened", "request"], user: dict[str, str]
) -> None:
    with Sandbox(token=KEY, echo=echo) as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        client.ingest(job_id, users_body("u1"), idempotency_key="first")
        answer = client.ingest(job_id, users_body("u1", "u2"), idempotency_key="second")
    assert answer.total == 1
    assert len(answer.errors) == 1
    assert answer.errors[0]["error"] == "Duplicate user"
    assert user.items() <= answer.errors[0]["user"].items()


def test_concurrent_ingests_share_the_pool(recorder: Recorder) -> None:
    with Sandbox(token=KEY) as sandbox, make_client(sandbox, recorder, pool_maxsize=8) as client:
        job_id = client.create_job(MESSAGE)
        bodies = [users_body(f"u{n}a", f"u{n}b") for n in range(16)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(lambda n: client.ingest(job_id, bodies[n], idempotency_key=f"k{n}"), range(16))
            )
        assert all(answer.errors == [] for answer in answers)
        assert set(sandbox.offers(job_id).values()) == {1}
        assert len(sandbox.offers(job_id)) == 32


# -------------------------------------------------------------------------------------------- retries


def test_429_without_retry_after_backs_off_with_jitter(recorder: Recorder) -> None:
    with Sandbox(token=KEY, rate_limit_every=2, only_ingest=True) as sandbox:
        with make_client(sandbox, recorder) as client:
            job_id = client.create_job(MESSAGE)
            client.ingest(job_id, users_body("u1"), idempotency_key="a")
            answer = client.ingest(job_id, users_body("u2"), idempotency_key="b")
        assert [record.status for record in sandbox.requests if record.idempotency_key == "b"] == [429, 200]
    assert answer.attempts == 2
    assert answer.outcome_was_unknown is False  # a 429 comes before any work
    assert len(recorder.delays) == 1
    assert 0.25 <= recorder.delays[0] <= 0.5
    assert recorder.events == [RetryEvent(1, recorder.delays[0], "429 rate_limit_error", 429)]


@pytest.mark.parametrize(("as_date", "low", "high"), [(False, 7.0, 7.0), (True, 5.0, 8.0)])
def test_429_retry_after_is_honoured_as_seconds_or_date(
    recorder: Recorder, as_date: bool, low: float, high: float
) -> None:
    faults = Faults(rate_limit_every=2, retry_after=7, retry_after_date=as_date, only_ingest=True)
    with Sandbox(token=KEY, faults=faults) as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        client.ingest(job_id, users_body("u1"), idempotency_key="a")
        client.ingest(job_id, users_body("u2"), idempotency_key="b")
    assert len(recorder.delays) == 1
    assert low <= recorder.delays[0] <= high


def test_retry_after_is_capped(recorder: Recorder) -> None:
    faults = Faults(rate_limit_every=2, retry_after=3600, only_ingest=True)
    with Sandbox(token=KEY, faults=faults) as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        client.ingest(job_id, users_body("u1"), idempotency_key="a")
        client.ingest(job_id, users_body("u2"), idempotency_key="b")
    assert recorder.delays == [60.0]


def test_retries_exhausted_raise_a_retryable_error(recorder: Recorder) -> None:
    with Sandbox(token=KEY, rate_limit_every=1, only_ingest=True) as sandbox:
        with make_client(sandbox, recorder, max_retries=3) as client:
            job_id = client.create_job(MESSAGE)
            with pytest.raises(
                CourierError, match="failed 4 times \\(last: 429 rate_limit_error\\)"
            ) as caught:
                client.ingest(job_id, users_body("u1"), idempotency_key="k")
        assert len(sandbox.requests) == 5
    assert caught.value.retryable is True
    assert caught.value.status == 429
    assert "try again later" in str(caught.value)
    assert [event.attempt for event in recorder.events] == [1, 2, 3]
    # The ceiling doubles: attempt n waits between 0.25 * 2**(n-1) and 0.5 * 2**(n-1).
    for attempt, delay in enumerate(recorder.delays, start=1):
        assert 0.25 * 2 ** (attempt - 1) <= delay <= 0.5 * 2 ** (attempt - 1)


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_retried_and_flags_an_unknown_outcome(recorder: Recorder, status: int) -> None:
    faults = Faults(server_error_every=2, server_error_status=status, only_ingest=True)
    with Sandbox(token=KEY, faults=faults) as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        client.ingest(job_id, users_body("u1"), idempotency_key="a")
        answer = client.ingest(job_id, users_body("u2", "u3"), idempotency_key="b")
        assert sandbox.offers(job_id) == {"u1": 1, "u2": 1, "u3": 1}
    assert (answer.attempts, answer.outcome_was_unknown, answer.errors) == (2, True, [])
    assert recorder.events[0].status == status


def test_dropped_connection_after_processing_is_retried_with_the_same_key(recorder: Recorder) -> None:
    with (
        Sandbox(token=KEY, drop_every=2, only_ingest=True) as sandbox,
        make_client(sandbox, recorder) as client,
    ):
        job_id = client.create_job(MESSAGE)
        client.ingest(job_id, users_body("u1"), idempotency_key="a")
        answer = client.ingest(job_id, users_body("u2", "u3"), idempotency_key="b")
        # Stored once: the retry carried the same key and got the first answer replayed.
        assert sandbox.offers(job_id) == {"u1": 1, "u2": 1, "u3": 1}
        tries = [
            (record.fault, record.replayed) for record in sandbox.requests if record.idempotency_key == "b"
        ]
        assert tries == [("drop", False), (None, True)]
    assert (answer.attempts, answer.outcome_was_unknown, answer.errors, answer.total) == (2, True, [], 2)
    assert recorder.events[0].reason == "connection dropped"


def test_dropped_connection_without_server_idempotency_shows_duplicates_flagged_unknown(
    recorder: Recorder,
) -> None:
    faults = Faults(drop_every=1, ignore_idempotency=True, only_ingest=True)
    with (
        Sandbox(token=KEY, faults=faults) as sandbox,
        make_client(sandbox, recorder, max_retries=1) as client,
    ):
        job_id = client.create_job(MESSAGE)
        with pytest.raises(CourierError, match="last: connection dropped") as caught:
            client.ingest(job_id, users_body("u1"), idempotency_key="k")
        assert caught.value.status == 0
        assert caught.value.retryable is True
        # Both attempts reached the server; the second was refused as a duplicate, the user stored once.
        assert len(sandbox.users(job_id)) == 1


def test_read_timeout_is_retried_then_reported(recorder: Recorder) -> None:
    sandbox = Sandbox(token=KEY, latency=0.3, only_ingest=True)
    with sandbox, make_client(sandbox, recorder, timeout=(2.0, 0.05), max_retries=1) as client:
        job_id = client.create_job(MESSAGE)
        with pytest.raises(CourierError, match="failed 2 times \\(last: read timeout\\)") as caught:
            client.ingest(job_id, users_body("u1"), idempotency_key="k")
    assert caught.value.retryable is True
    assert [event.reason for event in recorder.events] == ["read timeout"]
    assert isinstance(caught.value.__cause__, requests.ReadTimeout)


def test_connection_refused_is_retried_then_reported(recorder: Recorder) -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    client = CourierClient(
        KEY,
        f"http://127.0.0.1:{port}",
        sleep=recorder.sleep,
        on_retry=recorder.events.append,
        max_retries=2,
        rng=random.Random(0),
    )
    with client, pytest.raises(CourierError, match="last: connection refused") as caught:
        client.get_job("job")
    assert [event.reason for event in recorder.events] == ["connection refused"] * 2
    assert caught.value.retryable is True


# ------------------------------------------------------------------------------------------- refusals


def test_401_stops_at_once_and_names_the_variable(sandbox: Sandbox, recorder: Recorder) -> None:
    client = CourierClient("sk_test_wrong", sandbox.url, sleep=recorder.sleep)
    with client, pytest.raises(AuthenticationError, match="check that COURIER_API_KEY") as caught:
        client.create_job(MESSAGE)
    error = caught.value
    assert (error.status, error.type, error.retryable) == (401, "authentication_error", False)
    assert recorder.delays == []


def test_400_carries_courier_type_and_message(sandbox: Sandbox, recorder: Recorder) -> None:
    client = make_client(sandbox, recorder)
    with (
        client,
        pytest.raises(CourierError, match="refused POST /bulk with 400 invalid_request_error") as caught,
    ):
        client.create_job({"template": "no-event"})
    error = caught.value
    assert (error.status, error.type, error.retryable) == (400, "invalid_request_error", False)
    assert error.courier_message
    assert error.courier_message in str(error)
    assert recorder.delays == []


def test_404_for_an_unknown_job(sandbox: Sandbox, recorder: Recorder) -> None:
    client = make_client(sandbox, recorder)
    with client, pytest.raises(CourierError, match="check the job id") as caught:
        client.get_job("1-does-not-exist")
    assert caught.value.status == 404


def test_413_is_not_retried_and_says_to_send_fewer_users(recorder: Recorder) -> None:
    body = dumps({"users": [{"data": {"pad": "x" * 1000}, "recipient": f"u{n}"} for n in range(6100)]})
    assert len(body) > 6_000_000
    with Sandbox(token=KEY) as sandbox, make_client(sandbox, recorder) as client:
        job_id = client.create_job(MESSAGE)
        with pytest.raises(
            CourierError, match=f"\\({len(body)} bytes\\) with 413.*send fewer users"
        ) as caught:
            client.ingest(job_id, body, idempotency_key="big")
        assert sandbox.users(job_id) == []
    assert (caught.value.status, caught.value.retryable) == (413, False)
    assert recorder.delays == []


# A server that answers every request the same way, for answers the sandbox does not give.
@pytest.fixture
def fixed_server() -> Iterator[Callable[[int, bytes, dict[str, str]], str]]:
    servers: list[HostileServer] = []

    def serve(status: int, body: bytes, headers: dict[str, str]) -> str:
        servers.append(HostileServer(fixed(Answer(status, body, headers))))
        return servers[-1].url

    yield serve
    for server in servers:
        server.close()


def test_403_raises_authorization_error(fixed_server: Callable[..., str], recorder: Recorder) -> None:
    body = json.dumps({"message": "Forbidden", "type": "authorization_error"}).encode()
    url = fixed_server(403, body, {"Content-Type": "application/json"})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(AuthorizationError) as caught:
        client.create_job(MESSAGE)
    assert (caught.value.status, caught.value.type, caught.value.courier_message) == (
        403,
        "authorization_error",
        "Forbidden",
    )
    assert "ask an admin" in str(caught.value)


def test_redirect_is_not_followed(fixed_server: Callable[..., str], recorder: Recorder) -> None:
    url = fixed_server(301, b"", {"Location": "https://elsewhere.example.com/bulk"})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(CourierError) as caught:
        client.create_job(MESSAGE)
    assert "redirect to 'https://elsewhere.example.com/bulk'; check the base URL" in str(caught.value)


@pytest.mark.parametrize(("body", "described"), NOT_COURIER)
def test_a_2xx_ingest_body_that_is_not_courier_s_is_a_protocol_error(
    fixed_server: Callable[..., str], recorder: Recorder, body: bytes, described: str
) -> None:
    url = fixed_server(200, body, {})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(ProtocolError) as caught:
        client.ingest("job", b'{"users":[]}', idempotency_key="k")
    error = caught.value
    assert isinstance(error, CourierError)
    assert (error.status, error.retryable) == (200, False)
    assert described in str(error)
    assert "POST /bulk/job answered 200 without Courier's ingest answer" in str(error)
    assert recorder.delays == []  # a body that cannot be read is not read better the second time


@pytest.mark.parametrize(
    ("body", "errors", "total"),
    [
        (b"", [], None),
        (b'{"errors": [], "total": 2}', [], 2),
        (
            b'{"errors": [{"error": "Duplicate user", "user": {"user_id": "u1"}, "code": 7}], '
            b'"total": 1, "x": 1}',
            [{"error": "Duplicate user", "user": {"user_id": "u1"}, "code": 7}],
            1,
        ),
    ],
)
def test_courier_s_ingest_answers_are_read_as_sent(
    fixed_server: Callable[..., str], recorder: Recorder, body: bytes, errors: list[dict], total: int | None
) -> None:
    url = fixed_server(200, body, {})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client:
        answer = client.ingest("job", b'{"users":[]}', idempotency_key="k")
    assert (answer.errors, answer.total) == (errors, total)


@pytest.mark.parametrize(
    ("call", "body", "described"),
    [
        (lambda c: c.create_job(MESSAGE), b"<html>welcome</html>", "without a jobId (got an HTML page"),
        (
            lambda c: c.create_job(MESSAGE),
            b"{}",
            "without a jobId (got a JSON object that does not fit (jobId",
        ),
        (lambda c: c.create_job(MESSAGE), b'{"jobId": 12}', "jobId: Input should be a valid string"),
        (lambda c: c.create_job(MESSAGE), b"", "without a jobId (got an empty body)"),
        (lambda c: c.get_job("j"), b'{"job": {"status": "DONE"}}', "job.status: Input should be"),
        (lambda c: c.get_job("j"), b'[{"job": {}}]', "without a job object (got a JSON array"),
        (lambda c: list(c.iter_users("j")), b'{"items": {}}', "without a users page"),
        (lambda c: list(c.iter_users("j")), b'{"items": [], "paging": {"more": "yes"}}', "paging.more"),
    ],
)
def test_every_other_answer_is_read_by_its_model(
    fixed_server: Callable[..., str],
    recorder: Recorder,
    call: Callable[[CourierClient], Any],
    body: bytes,
    described: str,
) -> None:
    url = fixed_server(200, body, {})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(ProtocolError) as caught:
        call(client)
    assert described in str(caught.value)
    assert "check that the base URL points at Courier's API" in str(caught.value)


def test_a_protocol_error_never_quotes_the_key(fixed_server: Callable[..., str], recorder: Recorder) -> None:
    url = fixed_server(200, b"<html>you sent {auth}</html>", {})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(ProtocolError) as caught:
        client.ingest("job", b'{"users":[]}', idempotency_key="k")
    assert KEY not in str(caught.value)
    assert "Bearer <hidden>" in str(caught.value)


def test_a_long_unreadable_answer_is_quoted_short(
    fixed_server: Callable[..., str], recorder: Recorder
) -> None:
    url = fixed_server(200, b"<html>" + b"x" * 5000 + b"</html>", {})
    with CourierClient(KEY, url, sleep=recorder.sleep) as client, pytest.raises(ProtocolError) as caught:
        client.ingest("job", b'{"users":[]}', idempotency_key="k")
    assert len(str(caught.value)) < 300


def test_the_client_asks_its_policy_what_to_retry(recorder: Recorder) -> None:
    with Sandbox(token=KEY, rate_limit_every=1, only_ingest=True) as sandbox:
        policy = RetryPolicy(max_attempts=2)
        with make_client(sandbox, recorder, retry=policy) as client:
            job_id = client.create_job(MESSAGE)
            with pytest.raises(CourierError, match="failed 2 times"):
                client.ingest(job_id, users_body("u1"), idempotency_key="k")
        assert len([r for r in sandbox.requests if r.idempotency_key == "k"]) == 2
        not_429 = RetryPolicy(retry_statuses=frozenset({408}))
        with (
            make_client(sandbox, recorder, retry=not_429) as client,
            pytest.raises(CourierError, match=r"refused .* with 429") as caught,
        ):
            client.ingest(job_id, users_body("u2"), idempotency_key="k2")
        assert caught.value.retryable is False
        assert len([r for r in sandbox.requests if r.idempotency_key == "k2"]) == 1
    assert len(recorder.delays) == 1


def test_the_former_answer_name_still_works_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="IngestReceipt"):
        assert bulkprep.client.IngestAnswer is IngestReceipt


def test_answer_cut_off_is_retried_as_maybe_processed(
    fixed_server: Callable[..., str], recorder: Recorder
) -> None:
    # The server promises 500 bytes, sends 12 and closes: the request was handled, the answer lost.
    url = fixed_server(200, b'{"errors": [', {"Content-Length": "500", "Connection": "close"})
    client = CourierClient(KEY, url, sleep=recorder.sleep, on_retry=recorder.events.append, max_retries=1)
    with client, pytest.raises(CourierError, match="failed 2 times \\(last: answer cut off\\)") as caught:
        client.ingest("job", b'{"users":[]}', idempotency_key="k")
    assert [event.reason for event in recorder.events] == ["answer cut off"]
    assert caught.value.retryable is True


def test_create_job_without_job_id_is_an_error(fixed_server: Callable[..., str], recorder: Recorder) -> None:
    url = fixed_server(200, b"<html>welcome</html>", {})
    with (
        CourierClient(KEY, url, sleep=recorder.sleep) as client,
        pytest.raises(ProtocolError, match="without a jobId"),
    ):
        client.create_job(MESSAGE)


# ------------------------------------------------------------------------------ the key never shows


def test_the_key_never_shows(
    fixed_server: Callable[..., str], recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raised: list[BaseException] = []
    client = CourierClient(KEY, "http://127.0.0.1:9", max_retries=0, sleep=recorder.sleep)
    texts = [repr(client), str(client)]
    # An error body that repeats the Authorization header back.
    echo_url = fixed_server(400, b'{"message": "bad header {auth}", "type": "invalid_request_error"}', {})
    with Sandbox(token=KEY, rate_limit_every=2, drop_every=3, only_ingest=True) as sandbox:
        with make_client(sandbox, recorder, max_retries=4) as good:
            job_id = good.create_job(MESSAGE)
            for n in range(4):
                good.ingest(job_id, users_body(f"u{n}"), idempotency_key=f"k{n}")
        clients = [
            CourierClient(KEY + "-wrong", sandbox.url, sleep=recorder.sleep),
            CourierClient(KEY, echo_url, sleep=recorder.sleep),
            client,
        ]
        for other in clients:
            with other:
                try:
                    other.create_job(MESSAGE)
                except CourierError as exc:
                    raised.append(exc)
    assert len(raised) == 3
    for error in raised:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        cause = error.__cause__
        if cause is not None:
            texts += [str(cause), repr(cause)]
    assert "bad header Bearer <hidden>" in str(raised[1])
    texts += [record.getMessage() for record in caplog.records]
    assert any("answered 429" in record.getMessage() for record in caplog.records)
    for text in texts:
        assert KEY not in text


# ---------------------------------------------------------------------------------------------- bounds


def test_a_session_of_the_caller_s_is_cut_by_the_deadline_once_headers_are_in(recorder: Recorder) -> None:
    slow_body = Answer(200, b'{"jobId": "1-x"}', endless=True)
    dripping = Answer(200, raw=b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + b" " * 400, drip=0.05)
    for answer in (slow_body, dripping):
        with HostileServer(fixed(answer)) as server, requests.Session() as session:
            client = CourierClient(
                KEY, server.url, session=session, request_deadline=0.5, sleep=recorder.sleep
            )
            started = time.monotonic()
            with client, pytest.raises(CourierError, match="deadline"):
                client.create_job(MESSAGE)
            assert time.monotonic() - started < 5  # the dripping body alone takes 20 s


def test_bounds_are_the_client_s_settings(recorder: Recorder) -> None:
    client = CourierClient(KEY, "http://127.0.0.1:9", request_deadline=7, max_answer_bytes=10, max_pages=3)
    with client:
        assert (client.request_deadline, client.max_answer_bytes, client.max_pages) == (7.0, 10, 3)
    with CourierClient(KEY, "http://127.0.0.1:9") as client:
        assert (client.request_deadline, client.max_answer_bytes, client.max_pages) == (
            120.0,
            16 * 2**20,
            100_000,
        )
