"""Contract tests of the sandbox's five endpoints, over real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.client import HTTPConnection
from typing import Any

import pytest
import requests
from sandbox_support import FULL_USER, ManualClock

from bulkprep.errors import ConfigurationError
from bulkprep.sandbox import MAX_REQUEST_BYTES, Faults, Sandbox

TOKEN = "sk_test_contract"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COURIER_ID = r"[0-9]-[0-9a-f]{8}-[0-9a-f]{24}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    """Not the shared sandbox: pages of 4 and jobs that take 10 s on a clock the test moves."""
    with Sandbox(token=TOKEN, page_size=4, processing_seconds=10, clock=clock) as sb:
        yield sb


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(AUTH)
        yield session


def create_job(sb: Sandbox, http: requests.Session, message: dict[str, Any] | None = None) -> str:
    answer = http.post(f"{sb.url}/bulk", json={"message": message or {"event": "WELCOME"}})
    assert answer.status_code == 200, answer.text
    job_id: str = answer.json()["jobId"]
    return job_id


def add(
    sb: Sandbox, http: requests.Session, job_id: str, users: list[Any], **kwargs: Any
) -> requests.Response:
    return http.post(f"{sb.url}/bulk/{job_id}", json={"users": users}, **kwargs)


def assert_error(answer: requests.Response, status: int, type: str, *words: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == {"message", "type"}
    assert body["type"] == type
    for word in words:
        assert word in body["message"]


# -- create --------------------------------------------------------------------------------------------


def test_create_answers_a_courier_shaped_job_id_and_stores_the_definition(sandbox: Sandbox, http) -> None:
    message = {"event": "WELCOME", "template": "T1", "data": {"plan": "pro"}, "locale": "fr", "brand": "B"}
    answer = http.post(f"{sandbox.url}/bulk", json={"message": message})
    assert answer.status_code == 200
    job_id = answer.json()["jobId"]
    assert pytest.importorskip("re").fullmatch(COURIER_ID, job_id)
    assert sandbox.jobs == {
        job_id: {"definition": message, "status": "CREATED", "received": 0, "enqueued": 0, "failures": 0}
    }


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, ['"message" is required']),
        ([], ["must be an object"]),
        ({"message": "WELCOME"}, ["message must be an object, not a string"]),
        ({"message": {}}, ["message.event is required"]),
        ({"message": {"event": 7}}, ["message.event must be a string, not a number"]),
        ({"message": {"event": ""}}, ["message.event must not be empty"]),
        ({"message": {"event": "E", "data": []}}, ["message.data must be an object, not an array"]),
        ({"message": {"event": "E", "locale": 1}}, ["message.locale must be a string or an object"]),
    ],
)
def test_create_refuses_bad_messages_with_400(sandbox: Sandbox, http, body: Any, words: list[str]) -> None:
    assert_error(http.post(f"{sandbox.url}/bulk", json=body), 400, "invalid_request_error", *words)
    assert sandbox.jobs == {}


def test_create_status_201_reading(clock) -> None:
    with Sandbox(token=TOKEN, create_status=201) as sb, requests.Session() as http:
        answer = http.post(f"{sb.url}/bulk", json={"message": {"event": "E"}}, headers=AUTH)
        assert answer.status_code == 201
        assert set(answer.json()) == {"jobId"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", ["empty"]),
        (b"{not json", ["not valid JSON"]),
        (b'{"message": {"event": NaN}}', ["not valid JSON"]),
        (b"\xff\xfe", ["not valid JSON"]),
        (b"[" * 251 + b"]" * 251, ["nested more than 250 levels"]),
    ],
)
def test_malformed_json_is_a_400(sandbox: Sandbox, http, body: bytes, words: list[str]) -> None:
    answer = http.post(f"{sandbox.url}/bulk", data=body, headers={"Content-Type": "application/json"})
    assert_error(answer, 400, "invalid_request_error", *words)


# -- auth, routing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": TOKEN}, {"Authorization": "Basic abc"}],
    ids=["none", "empty", "no-scheme", "basic"],
)
def test_missing_key_is_401(sandbox: Sandbox, headers: dict[str, str]) -> None:
    answer = requests.post(f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers=headers)
    assert_error(answer, 401, "authentication_error", "missing API key")
    assert sandbox.jobs == {}


def test_wrong_key_is_401_and_never_echoed(sandbox: Sandbox) -> None:
    secret = "sk_live_do_not_repeat_me"
    answer = requests.get(f"{sandbox.url}/bulk/x", headers={"Authorization": f"Bearer {secret}"})
    assert_error(answer, 401, "authentication_error", "not valid")
    assert secret not in answer.text
    assert secret not in repr(sandbox.requests)


def test_scheme_and_header_name_ignore_case(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers={"authorization": f"bearer {TOKEN}"}
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/bulk/abc/nope", 404),
        ("POST", "/bulk//run", 404),
        ("GET", "/bulk/abc/run/x", 404),
        ("GET", "/bulk", 405),
        ("DELETE", "/bulk/abc", 405),
        ("GET", "/bulk/abc/run", 405),
        ("POST", "/bulk/abc/users", 405),
        ("PATCH", "/bulk", 405),
    ],
)
def test_unknown_paths_are_404_and_wrong_methods_405(sandbox: Sandbox, http, method, path, status) -> None:
    answer = http.request(method, f"{sandbox.url}{path}")
    assert_error(answer, status, "invalid_request_error")
    if status == 405:
        assert answer.headers["Allow"] in {"GET", "POST", "GET, POST"}


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", ""), ("GET", ""), ("POST", "/run"), ("GET", "/users")], ids=str
)
def test_unknown_job_is_404(sandbox: Sandbox, http, method: str, suffix: str) -> None:
    answer = http.request(
        method, f"{sandbox.url}/bulk/1-00000000-000000000000000000000000{suffix}", json={"users": []}
    )
    assert_error(answer, 404, "invalid_request_error", "not found")


# -- ingest --------------------------------------------------------------------------------------------


def test_ingest_stores_users_as_sent_and_counts_them(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    answer = add(sandbox, http, job_id, [FULL_USER, {}, {"profile": {"email": "x@example.com"}}])
    assert answer.status_code == 200
    assert answer.json() == {"errors": [], "total": 3}
    assert [{k: v for k, v in u.items() if k != "status"} for u in sandbox.users(job_id)] == [
        FULL_USER,
        {},
        {"profile": {"email": "x@example.com"}},
    ]
    assert sandbox.jobs[job_id]["received"] == 3


@pytest.mark.parametrize(
    ("users", "words"),
    [
        ("nope", ["users must be an array, not a string"]),
        ([1], ["users[0] must be an object, not a number"]),
        ([{}, None], ["users[1] must be an object, not null"]),
        ([{"recipient": "ok"}, {"recipient": 5}], ["users[1].recipient must be a string, not a number"]),
        ([{"recipient": None}], ["users[0].recipient must be a string, not null"]),
        ([{"profile": "a@b.co"}], ["users[0].profile must be an object"]),
        ([{"data": [1]}], ["users[0].data must be an object, not an array"]),
        ([{"to": "u1"}], ["users[0].to must be an object"]),
        ([{"to": {"email": 1}}], ["users[0].to.email must be a string"]),
        ([{"to": {"data": "x"}}], ["users[0].to.data must be an object"]),
        ([{"to": {"context": {"tenant_id": 1}}}], ["users[0].to.context.tenant_id must be a string"]),
        ([{"preferences": []}], ["users[0].preferences must be an object"]),
        ([{"to": {"preferences": []}}], ["users[0].to.preferences must be an object, not an array"]),
        (
            [{"to": {"preferences": {"notifications": {"n": {"status": "YES"}}}}}],
            ["users[0].to.preferences.notifications.n.status must be one of"],
        ),
        (
            [{"preferences": {"categories": {"c": {}}}}],
            ["users[0].preferences.categories.c.status is required"],
        ),
        ([{"preferences": {"categories": {"c": {"status": "YES"}}}}], ["status must be one of"]),
        (
            [
                {
                    "preferences": {
                        "notifications": {
                            "n": {"status": "OPTED_IN", "channel_preferences": [{"channel": "fax"}]}
                        }
                    }
                }
            ],
            ["channel_preferences[0].channel must be one of"],
        ),
        (
            [{"preferences": {"notifications": {"n": {"status": "OPTED_IN", "rules": [{"start": "x"}]}}}}],
            ["rules[0].until is required"],
        ),
    ],
)
def test_ingest_refuses_malformed_users_as_a_whole(
    sandbox: Sandbox, http, users: Any, words: list[str]
) -> None:
    job_id = create_job(sandbox, http)
    assert_error(add(sandbox, http, job_id, users), 400, "invalid_request_error", *words)
    assert sandbox.users(job_id) == []  # nothing of a refused request is stored, valid users included


def test_deepest_accepted_user_is_stored_echoed_and_listed(sandbox: Sandbox, http) -> None:
    deep: Any = 1
    for _ in range(250 - 4):  # body, users, user and data make four levels
        deep = [deep]
    job_id = create_job(sandbox, http, {"event": "E", "data": {"deep": deep}})
    user = {"recipient": "a", "data": {"deep": deep}}
    assert add(sandbox, http, job_id, [user]).json()["total"] == 1
    assert add(sandbox, http, job_id, [user]).json()["errors"][0]["user"] == {
        "user_id": "a",
        "data": user["data"],
    }
    assert http.get(f"{sandbox.url}/bulk/{job_id}/users").json()["items"][0]["data"] == user["data"]
    assert http.get(f"{sandbox.url}/bulk/{job_id}").json()["job"]["definition"]["data"] == user["data"]
    assert_error(
        add(sandbox, http, job_id, [{"data": {"deep": [deep]}}]), 400, "invalid_request_error", "nested"
    )


def test_a_missing_job_is_named_before_the_problems_of_the_users(sandbox: Sandbox, http) -> None:
    answer = http.post(f"{sandbox.url}/bulk/1-00000000-000000000000000000000000", json={"users": [5]})
    assert_error(answer, 404, "invalid_request_error", "not found")
    job_id = create_job(sandbox, http)
    assert http.post(f"{sandbox.url}/bulk/{job_id}/run").status_code == 204
    assert_error(add(sandbox, http, job_id, [5]), 400, "invalid_request_error", "users[0] must be an object")
    assert_error(add(sandbox, http, job_id, [{}]), 409, "invalid_request_error", "already run")


def test_stored_users_stay_as_sent_through_listing_running_and_echoes(clock) -> None:
    # The store keeps the very objects parsed from each request; nothing it does may change them.
    users = [
        {"recipient": "a", "profile": {"email": "a@example.com"}, "data": {"tags": ["x"]}},
        {"recipient": "b", "to": {"user_id": "b", "data": {"n": 1}}},
    ]
    with (
        Sandbox(token=TOKEN, echo="request", page_size=1, processing_seconds=1, clock=clock) as sb,
        requests.Session() as http,
    ):
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        add(sb, http, job_id, users)
        assert add(sb, http, job_id, users).json()["errors"] == [
            {"error": "Duplicate user", "user": user} for user in users
        ]
        pages = []
        for before in ("nothing", "run", "half the processing time"):  # then CREATED, half-way, done
            if before == "run":
                http.post(f"{sb.url}/bulk/{job_id}/run")
            clock.now += 0.5 * (before != "nothing")
            cursor = None
            for _ in users:
                params: dict[str, str] | None = {"cursor": cursor} if cursor else None
                page = http.get(f"{sb.url}/bulk/{job_id}/users", params=params).json()
                pages += page["items"]
                cursor = page["paging"]["cursor"]
            listed = sb.users(job_id)
            listed[0]["data"]["tags"].append("changed by the caller")  # a copy: the store is untouched
        strip = {"status", "messageId"}
        assert [{k: v for k, v in item.items() if k not in strip} for item in pages] == users * 3
        # b has no address, so it ends in ERROR (and never gets a message id).
        assert [(item["status"], "messageId" in item) for item in pages] == [
            *[("PENDING", False)] * 2,
            *[("ENQUEUED", True), ("PENDING", False)],
            *[("ENQUEUED", True), ("ERROR", False)],
        ]
        assert [{k: v for k, v in item.items() if k not in strip} for item in sb.users(job_id)] == users


def test_ingest_body_without_users_is_400(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    assert_error(http.post(f"{sandbox.url}/bulk/{job_id}", json={}), 400, "invalid_request_error", '"users"')
    assert_error(http.post(f"{sandbox.url}/bulk/{job_id}", json=[]), 400, "invalid_request_error", "object")


DUPLICATES = [
    {"recipient": "a", "profile": {"email": "a@example.com"}, "data": {"n": 1}},
    {"to": {"user_id": "a", "email": "a2@example.com"}, "data": {"n": 2}},  # same id, other field
    {"recipient": "b"},
    {"profile": {"email": "same@example.com"}},  # no user id: always added
    {"profile": {"email": "same@example.com"}},
]


@pytest.mark.parametrize(
    ("echo", "expected"),
    [
        ("flattened", {"email": "a2@example.com", "user_id": "a", "data": {"n": 2}}),
        ("request", DUPLICATES[1]),
    ],
)
def test_duplicate_users_within_a_request_are_echoed(echo: str, expected: dict[str, Any]) -> None:
    with Sandbox(token=TOKEN, echo=echo) as sb, requests.Session() as http:  # type: ignore[arg-type]
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        answer = add(sb, http, job_id, DUPLICATES)
        assert answer.json() == {"errors": [{"error": "Duplicate user", "user": expected}], "total": 4}
        assert len(sb.users(job_id)) == 4
        assert sb.offers(job_id) == {"a": 2, "b": 1, "same@example.com": 2}


def test_duplicates_across_requests_and_the_shared_id_namespace(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    assert add(sandbox, http, job_id, [{"recipient": "a"}, {"to": {"user_id": "b"}}]).json()["total"] == 2
    answer = add(sandbox, http, job_id, [{"to": {"user_id": "a"}}, {"recipient": "b"}, {"recipient": "c"}])
    assert answer.json() == {
        "errors": [
            {"error": "Duplicate user", "user": {"user_id": "a"}},
            {"error": "Duplicate user", "user": {"user_id": "b"}},
        ],
        "total": 1,
    }
    # Another job is another namespace.
    other = create_job(sandbox, http)
    assert add(sandbox, http, other, [{"recipient": "a"}]).json() == {"errors": [], "total": 1}


def test_empty_ingest_answer_is_204_without_body() -> None:
    with Sandbox(token=TOKEN, ingest_answer="empty") as sb, requests.Session() as http:
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        answer = add(sb, http, job_id, [{"recipient": "a"}, {"recipient": "a"}])
        assert (answer.status_code, answer.content) == (204, b"")
        assert "Content-Length" not in answer.headers
        assert len(sb.users(job_id)) == 1


def test_a_job_that_ran_takes_no_users_and_runs_once(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    add(sandbox, http, job_id, [{"recipient": "a"}])
    run = http.post(f"{sandbox.url}/bulk/{job_id}/run")
    assert (run.status_code, run.content) == (204, b"")
    assert_error(
        add(sandbox, http, job_id, [{"recipient": "b"}]),
        409,
        "invalid_request_error",
        "already run",
        "new job",
    )
    assert_error(http.post(f"{sandbox.url}/bulk/{job_id}/run"), 409, "invalid_request_error", "already run")
    assert [u["recipient"] for u in sandbox.users(job_id)] == ["a"]


def test_run_status_202_reading() -> None:
    with Sandbox(token=TOKEN, run_status=202) as sb, requests.Session() as http:
        http.headers.update(AUTH)
        run = http.post(f"{sb.url}/bulk/{create_job(sb, http)}/run")
        assert (run.status_code, run.content) == (202, b"")


# -- lifecycle and paging ------------------------------------------------------------------------------


def test_lifecycle_moves_through_processing_to_completed_with_counters(sandbox: Sandbox, http, clock) -> None:
    job_id = create_job(sandbox, http)
    users = [
        {"recipient": "mail", "profile": {"email": "m@example.com"}},
        {"recipient": "to-mail", "to": {"email": "t@example.com"}},
        {"recipient": "phone", "profile": {"phone_number": "+12025550125"}},
        {"recipient": "nothing", "data": {"x": 1}},
    ]
    add(sandbox, http, job_id, users)

    def job() -> dict[str, Any]:
        answer: dict[str, Any] = http.get(f"{sandbox.url}/bulk/{job_id}").json()["job"]
        return answer

    assert job()["status"] == "CREATED"
    assert {u["status"] for u in sandbox.users(job_id)} == {"PENDING"}
    http.post(f"{sandbox.url}/bulk/{job_id}/run")
    assert (job()["status"], job()["enqueued"] + job()["failures"]) == ("PROCESSING", 0)
    clock.now += 5  # half way: half of the users are done
    halfway = job()
    assert halfway["status"] == "PROCESSING"
    assert halfway["enqueued"] + halfway["failures"] == 2
    clock.now += 5
    assert job() == {
        "definition": {"event": "WELCOME"},
        "status": "COMPLETED",
        "received": 4,
        "enqueued": 3,
        "failures": 1,
    }
    items = http.get(f"{sandbox.url}/bulk/{job_id}/users").json()["items"]
    assert [(u["recipient"], u["status"]) for u in items] == [
        ("mail", "ENQUEUED"),
        ("to-mail", "ENQUEUED"),
        ("phone", "ENQUEUED"),
        ("nothing", "ERROR"),
    ]
    assert all(pytest.importorskip("re").fullmatch(COURIER_ID, u["messageId"]) for u in items[:3])
    assert "messageId" not in items[3]
    assert job() == sandbox.jobs[job_id]


@pytest.mark.parametrize(
    ("channel", "statuses"),
    [("email", ["ENQUEUED", "ERROR", "ERROR", "ERROR"]), ("sms", ["ERROR", "ERROR", "ENQUEUED", "ERROR"])],
)
def test_channel_decides_who_can_be_reached(channel: str, statuses: list[str]) -> None:
    users = [
        {"profile": {"email": "m@example.com"}},
        {"to": {"email": "t@example.com"}},  # to.email alone does not route an email job
        {"to": {"phone_number": "+12025550125"}},
        {"profile": {"email": ""}},
    ]
    with Sandbox(token=TOKEN, channel=channel, processing_seconds=0) as sb, requests.Session() as http:  # type: ignore[arg-type]
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        add(sb, http, job_id, users)
        http.post(f"{sb.url}/bulk/{job_id}/run")
        assert [u["status"] for u in sb.users(job_id)] == statuses


def test_failed_jobs_end_in_error_with_every_user(clock) -> None:
    with (
        Sandbox(token=TOKEN, fail_jobs=True, processing_seconds=1, clock=clock) as sb,
        requests.Session() as http,
    ):
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        add(sb, http, job_id, [{"profile": {"email": "m@example.com"}}, {"recipient": "x"}])
        http.post(f"{sb.url}/bulk/{job_id}/run")
        assert sb.jobs[job_id]["status"] == "PROCESSING"
        clock.now += 1
        job = http.get(f"{sb.url}/bulk/{job_id}").json()["job"]
        assert (job["status"], job["received"], job["enqueued"], job["failures"]) == ("ERROR", 2, 0, 2)
        assert [u["status"] for u in sb.users(job_id)] == ["ERROR", "ERROR"]


def test_paging_through_two_and_a_half_pages(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    add(sandbox, http, job_id, [{"recipient": f"u{i}"} for i in range(10)])
    seen, cursor, pages = [], None, 0
    while True:
        page = http.get(
            f"{sandbox.url}/bulk/{job_id}/users", params={"cursor": cursor} if cursor else None
        ).json()
        pages += 1
        seen += [item["recipient"] for item in page["items"]]
        assert all(item["status"] == "PENDING" for item in page["items"])
        if not page["paging"]["more"]:
            assert page["paging"]["cursor"] is None
            break
        cursor = page["paging"]["cursor"]
        assert isinstance(cursor, str)
    assert pages == 3
    assert seen == [f"u{i}" for i in range(10)]


def test_empty_job_has_one_empty_page(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    page = http.get(f"{sandbox.url}/bulk/{job_id}/users", params={"cursor": ""}).json()
    assert page == {"items": [], "paging": {"more": False, "cursor": None}}


def test_a_foreign_or_garbled_cursor_is_400(sandbox: Sandbox, http) -> None:
    first, second = create_job(sandbox, http), create_job(sandbox, http)
    add(sandbox, http, first, [{"recipient": f"u{i}"} for i in range(6)])
    cursor = http.get(f"{sandbox.url}/bulk/{first}/users").json()["paging"]["cursor"]
    for job_id, bad in [(second, cursor), (first, "%%%"), (first, "bm9wZQ")]:
        answer = http.get(f"{sandbox.url}/bulk/{job_id}/users", params={"cursor": bad})
        assert_error(answer, 400, "invalid_request_error", "cursor")


# -- limits, idempotency, concurrency, read access -----------------------------------------------------


def body_of_size(size: int) -> bytes:
    head, tail = b'{"users": [{"data": {"pad": "', b'"}}]}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_request_size_limit_is_6_000_000_bytes(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    url = f"{sandbox.url}/bulk/{job_id}"
    just_fits = http.post(url, data=body_of_size(MAX_REQUEST_BYTES))
    assert just_fits.json() == {"errors": [], "total": 1}
    too_big = http.post(url, data=body_of_size(MAX_REQUEST_BYTES + 1))
    assert_error(too_big, 413, "invalid_request_error", "6000000 bytes")
    assert len(sandbox.users(job_id)) == 1
    # The server keeps serving on a fresh connection.
    assert http.get(f"{sandbox.url}/bulk/{job_id}").status_code == 200


def test_idempotency_key_replays_status_and_body_without_doing_it_again(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    headers = {"Idempotency-Key": "batch-1"}
    first = add(sandbox, http, job_id, [{"recipient": "a"}, {"recipient": "a"}], headers=headers)
    again = add(sandbox, http, job_id, [{"recipient": "a"}, {"recipient": "a"}], headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sandbox.offers(job_id) == {"a": 2}
    # Error answers are replayed too, and keys are scoped by method and path.
    bad = http.post(f"{sandbox.url}/bulk", json={"message": {}}, headers={"Idempotency-Key": "k"})
    http.post(f"{sandbox.url}/bulk", json={"message": {"event": "E"}}, headers={"Idempotency-Key": "k"})
    assert bad.status_code == 400
    assert len(sandbox.jobs) == 1
    other_path = add(sandbox, http, create_job(sandbox, http), [{"recipient": "a"}], headers=headers)
    assert other_path.json() == {"errors": [], "total": 1}
    assert [r.replayed for r in sandbox.requests if r.idempotency_key == "k"] == [False, True]


def test_ignoring_idempotency_handles_each_request_again() -> None:
    with Sandbox(token=TOKEN, ignore_idempotency=True) as sb, requests.Session() as http:
        http.headers.update(AUTH)
        job_id = create_job(sb, http)
        for _ in range(2):
            add(
                sb,
                http,
                job_id,
                [{"recipient": "a"}, {"profile": {"email": "e@example.com"}}],
                headers={"Idempotency-Key": "k"},
            )
        assert len(sb.users(job_id)) == 3
        assert sb.offers(job_id) == {"a": 2, "e@example.com": 2}


def test_concurrent_ingest_loses_and_doubles_no_user(sandbox: Sandbox) -> None:
    with requests.Session() as http:
        http.headers.update(AUTH)
        job_id = create_job(sandbox, http)

    def send(thread: int) -> None:
        with requests.Session() as session:
            session.headers.update(AUTH)
            for batch in range(5):
                users = [{"recipient": f"t{thread}-b{batch}-u{i}"} for i in range(20)] + [
                    {"recipient": "shared"}
                ]
                assert session.post(f"{sandbox.url}/bulk/{job_id}", json={"users": users}).status_code == 200

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = [u["recipient"] for u in sandbox.users(job_id)]
    assert len(stored) == len(set(stored)) == 8 * 5 * 20 + 1
    assert sandbox.offers(job_id)["shared"] == 40


def test_request_log_and_reset(sandbox: Sandbox, http) -> None:
    job_id = create_job(sandbox, http)
    http.get(f"{sandbox.url}/bulk/{job_id}?x=1")
    assert [(r.method, r.path, r.status) for r in sandbox.requests] == [
        ("POST", "/bulk", 200),
        ("GET", f"/bulk/{job_id}?x=1", 200),
    ]
    sandbox.reset()
    assert (sandbox.jobs, sandbox.requests, sandbox.offers()) == ({}, [], {})
    with pytest.raises(KeyError):
        sandbox.users(job_id)


def test_keep_alive_serves_many_requests_on_one_connection(sandbox: Sandbox) -> None:
    connection = HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    try:
        connection.connect()
        local = connection.sock.getsockname()
        for body in (b'{"message": {"event": "E"}}', b"{bad", b'{"message": {"event": "F"}}'):
            connection.request("POST", "/bulk", body=body, headers=AUTH)
            answer = connection.getresponse()
            answer.read()
            assert answer.status in (200, 400)
            assert answer.getheader("Connection") != "close"
        assert connection.sock.getsockname() == local
    finally:
        connection.close()
    assert len(sandbox.jobs) == 2


def test_stop_is_clean_and_idempotent_and_frees_the_port() -> None:
    sb = Sandbox(token=TOKEN).start()
    url, port = sb.url, sb.port
    with requests.Session() as http:  # an idle keep-alive connection must not keep the server alive
        assert http.get(f"{url}/bulk/x", headers=AUTH).status_code == 404
        sb.stop()
        sb.stop()
        with pytest.raises(requests.ConnectionError):
            http.get(f"{url}/bulk/x", headers=AUTH, timeout=2)
    with Sandbox(token=TOKEN, port=port) as again:
        assert again.port == port
    with pytest.raises(ConfigurationError, match="not started"):
        _ = sb.url


@pytest.mark.parametrize(
    "options",
    [
        {"create_status": 204},
        {"echo": "nested"},
        {"page_size": 0},
        {"processing_seconds": -1},
        {"token": ""},
        {"no_such_fault": 1},
        {"rate_limit_rate": 1.5},
        {"drop_every": -1},
        {"server_error_status": 502},
        {"faults": Faults(), "latency": 1},
    ],
    ids=str,
)
def test_bad_options_raise_configuration_error(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        Sandbox(**options)


def test_the_package_face_is_what_the_package_root_and_the_command_line_use() -> None:
    import importlib

    import bulkprep
    import bulkprep.sandbox as package

    assert (bulkprep.Sandbox, bulkprep.Faults) == (Sandbox, Faults) == (package.Sandbox, package.Faults)
    assert set(package.__all__) == {
        *("DEFAULT_TOKEN", "MAX_REQUEST_BYTES", "TOKEN_ENV", "Dialect", "Faults", "RequestRecord", "Sandbox"),
        *("add_arguments", "run", "sandbox_from_args"),
    }
    for name in package.__all__:
        assert getattr(package, name) is not None
    # The modules behind it, each with its own public names.
    for part in ("command", "faults", "gateway", "jobs", "rules", "server", "service"):
        module = importlib.import_module(f"bulkprep.sandbox.{part}")
        assert all(hasattr(module, name) for name in module.__all__), part


# -- an independent client, written from the API reference alone ---------------------------------------


def test_independent_client_creates_fills_runs_and_reads_a_job() -> None:
    with Sandbox(token="sk_ref", processing_seconds=0, page_size=2) as sb:
        base, auth = sb.url, {"Authorization": "Bearer sk_ref"}
        created = requests.post(f"{base}/bulk", json={"message": {"event": "NEWSLETTER"}}, headers=auth)
        assert 200 <= created.status_code < 300
        job_id = created.json()["jobId"]
        users = [
            {"recipient": "8ec8c99a", "profile": {"email": "hello@example.com"}, "data": {"name": "Jane"}},
            {"profile": {"phone_number": "2025550125"}},
            {"recipient": "8ec8c99a", "profile": {"email": "again@example.com"}},
        ]
        ingest = requests.post(f"{base}/bulk/{job_id}", json={"users": users}, headers=auth)
        assert 200 <= ingest.status_code < 300
        body: dict[str, Any] = ingest.json() if ingest.content else {"errors": [], "total": len(users)}
        assert [error["error"] for error in body["errors"]] == ["Duplicate user"]
        assert body["total"] == 2
        assert 200 <= requests.post(f"{base}/bulk/{job_id}/run", headers=auth).status_code < 300
        job = requests.get(f"{base}/bulk/{job_id}", headers=auth).json()["job"]
        assert job["status"] in {"PROCESSING", "COMPLETED"}
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            page = requests.get(f"{base}/bulk/{job_id}/users", params=params, headers=auth).json()
            items += page["items"]
            if not page["paging"]["more"]:
                break
            cursor = page["paging"]["cursor"]
        assert [item["status"] for item in items] == ["ENQUEUED", "ENQUEUED"]
        assert job["received"] == len(items)
