"""The sandbox and bulkprep's declaration of Courier's wire format (``bulkprep.courier``) agree.

The sandbox keeps its own copy of Courier's rules (``bulkprep/sandbox/rules.py``), on purpose: it plays
the other side, so a mistake in bulkprep's declaration must not be the server's mistake too. These tests
hold the two copies together: the same users (and messages) are accepted or refused by both, and every
answer the sandbox gives over HTTP fits the answer model bulkprep reads it with.

Where the two differ on purpose, the difference is written down in :data:`DELIBERATE` with its reason;
in every such case bulkprep's declaration is the stricter side, never the other way round.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from sandbox_support import FULL_USER, ManualClock

from bulkprep import courier
from bulkprep.sandbox import MAX_REQUEST_BYTES, Faults, Sandbox
from bulkprep.sandbox.rules import CHANNELS, PREFERENCE_STATUSES, ApiError, check_message, check_users
from bulkprep.status import DeliveryStatus, JobStatus

# -- the same constants, kept twice ----------------------------------------------------------------


def test_the_request_limit_is_the_same_on_both_sides() -> None:
    assert MAX_REQUEST_BYTES == courier.MAX_REQUEST_BYTES == 6_000_000


def test_the_preference_statuses_and_channels_are_the_same_on_both_sides() -> None:
    assert set(courier.PREFERENCE_STATUSES) == PREFERENCE_STATUSES
    assert set(courier.CHANNELS) == CHANNELS


# -- users: both accept or both refuse -------------------------------------------------------------


def sandbox_accepts(user: Any) -> bool:
    """Whether the sandbox stores this user (as the only user of an ingest body)."""
    try:
        check_users({"users": [user]})
    except ApiError as exc:
        status = exc.status
    else:
        return True
    assert status == 400
    return False


def courier_accepts(user: Any) -> bool:
    """Whether bulkprep's declaration of a Courier user takes it."""
    try:
        courier.User.model_validate(user)
    except ValidationError:
        return False
    return True


def at(path: str, value: Any) -> dict[str, Any]:
    """A user holding ``value`` at a dotted ``path``: ``at("to.email", 1) == {"to": {"email": 1}}``."""
    user: Any = value
    for name in reversed(path.split(".")):
        user = {name: user}
    return dict(user)


def with_preference(root: str, **preference: Any) -> dict[str, Any]:
    """A user with one category preference under ``root`` (``preferences`` or ``to.preferences``)."""
    return at(root, {"categories": {"news": preference}})


#: Values of each JSON type, to put where another type belongs.
JSON_VALUES: dict[str, Any] = {
    "text": "x",
    "number": 5,
    "float": 1.5,
    "boolean": True,
    "object": {},
    "array": [],
    "null": None,
}
TEXT_FIELDS = sorted(courier.STRING_FIELDS)
OBJECT_FIELDS = sorted(courier.OBJECT_FIELDS)
# Profile fields the sandbox does not type (see DELIBERATE); everything else is typed on both sides.
UNTYPED_IN_SANDBOX = {"profile.email", "profile.phone_number"}

VALID: list[tuple[str, dict[str, Any]]] = [
    ("empty", {}),
    ("every declared field", FULL_USER),
    *((f"{path} empty text", at(path, "")) for path in TEXT_FIELDS),
    *((f"{path} text", at(path, "é 名前")) for path in TEXT_FIELDS),
    *((f"{path} empty object", at(path, {})) for path in OBJECT_FIELDS),
    ("profile fields of the user's own", {"profile": {"nickname": 3, "tags": ["a"], "email": "a@b.co"}}),
    ("profile email null", {"profile": {"email": None}}),
    ("data anything", {"data": {"a": [None, {"b": 1.5}], "c": True}}),
    *(
        (f"{root} status {status}", with_preference(root, status=status))
        for root in courier.PREFERENCE_ROOTS
        for status in courier.PREFERENCE_STATUSES
    ),
    *(
        (
            f"channel {channel}",
            with_preference("preferences", status="OPTED_IN", channel_preferences=[{"channel": channel}]),
        )
        for channel in courier.CHANNELS
    ),
    ("no channels", with_preference("preferences", status="OPTED_IN", channel_preferences=[])),
    ("rule until only", with_preference("preferences", status="OPTED_OUT", rules=[{"until": "2025-01-01"}])),
    ("no rules", with_preference("preferences", status="OPTED_OUT", rules=[])),
    ("empty preferences", {"preferences": {}, "to": {"preferences": {"categories": {}}}}),
]

INVALID: list[tuple[str, Any]] = [
    *((f"user is {kind}", value) for kind, value in JSON_VALUES.items() if kind != "object"),
    *(
        (f"{path} is {kind}", at(path, value))
        for path in TEXT_FIELDS
        if path not in UNTYPED_IN_SANDBOX
        for kind, value in JSON_VALUES.items()
        if kind != "text"
    ),
    *(
        (f"{path} is {kind}", at(path, value))
        for path in OBJECT_FIELDS
        for kind, value in JSON_VALUES.items()
        if kind != "object"
    ),
    *(
        (f"{root} is {kind}", at(root, value))
        for root in courier.PREFERENCE_ROOTS
        for kind, value in JSON_VALUES.items()
        if kind != "object"
    ),
    *(
        (f"{root}.{group} is {kind}", at(f"{root}.{group}", value))
        for root in courier.PREFERENCE_ROOTS
        for group in courier.PREFERENCE_GROUPS
        for kind, value in JSON_VALUES.items()
        if kind != "object"
    ),
    *(
        (f"{root} preference is {kind}", at(f"{root}.notifications.n", value))
        for root in courier.PREFERENCE_ROOTS
        for kind, value in JSON_VALUES.items()
        if kind != "object"
    ),
    ("preference without status", with_preference("preferences")),
    ("to preference without status", with_preference("to.preferences", channel_preferences=[])),
    ("status lower case", with_preference("preferences", status="opted_in")),
    ("status unknown", with_preference("to.preferences", status="MAYBE")),
    ("status a number", with_preference("preferences", status=1)),
    ("status null", with_preference("preferences", status=None)),
    *(
        (
            f"channel_preferences is {kind}",
            with_preference("preferences", status="OPTED_IN", channel_preferences=value),
        )
        for kind, value in JSON_VALUES.items()
        if kind != "array"
    ),
    *(
        (
            f"channel is {kind}",
            with_preference("preferences", status="OPTED_IN", channel_preferences=[{"channel": value}]),
        )
        for kind, value in {**JSON_VALUES, "unknown text": "fax", "upper case": "EMAIL"}.items()
    ),
    (
        "channel item is text",
        with_preference("preferences", status="OPTED_IN", channel_preferences=["email"]),
    ),
    (
        "channel item without channel",
        with_preference("preferences", status="OPTED_IN", channel_preferences=[{}]),
    ),
    *(
        (f"rules is {kind}", with_preference("preferences", status="OPTED_IN", rules=value))
        for kind, value in JSON_VALUES.items()
        if kind != "array"
    ),
    (
        "rule without until",
        with_preference("preferences", status="OPTED_IN", rules=[{"start": "2024-01-01"}]),
    ),
    ("rule is text", with_preference("preferences", status="OPTED_IN", rules=["2024-01-01"])),
    *(
        (
            f"rule {name} is {kind}",
            with_preference("preferences", status="OPTED_IN", rules=[{"until": "u", name: value}]),
        )
        for name in courier.RULE_FIELDS
        for kind, value in JSON_VALUES.items()
        if kind != "text"
    ),
]

#: Where the two sides differ on purpose: the sandbox accepts, bulkprep's declaration refuses.
DELIBERATE: list[tuple[str, Any, str]] = [
    *(
        (
            f"unknown field in {where}",
            user,
            "Courier ignores fields it does not know, and so does the sandbox; bulkprep's declaration "
            "refuses them, so that bulkprep never sends a field Courier does not document",
        )
        for where, user in [
            ("the user", {"recipient": "u1", "nickname": "J"}),
            ("to", at("to.name", "J")),
            ("to.context", at("to.context.brand", "b")),
            ("preferences", {"preferences": {"topics": {}}}),
            ("to.preferences", {"to": {"preferences": {"templateId": "t"}}}),
            ("a preference", with_preference("preferences", status="OPTED_IN", source="list")),
            (
                "a channel preference",
                with_preference(
                    "preferences", status="OPTED_IN", channel_preferences=[{"channel": "sms", "x": 1}]
                ),
            ),
            (
                "a rule",
                with_preference("to.preferences", status="OPTED_IN", rules=[{"until": "u", "tz": "UTC"}]),
            ),
        ]
    ),
    *(
        (
            f"{path} is {kind}",
            at(path, value),
            "Courier's reference types profile as an object of the user's own fields, and so does the "
            "sandbox; bulkprep's declaration also types the two profile fields it routes on as text",
        )
        for path in sorted(UNTYPED_IN_SANDBOX)
        for kind, value in JSON_VALUES.items()
        if kind not in ("text", "null")
    ),
]


def case_ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [str(case[0]) for case in cases]


def test_the_full_user_holds_every_declared_field() -> None:
    """So that a field added to the declaration is tried on both sides (and added here)."""
    for path in [*TEXT_FIELDS, *OBJECT_FIELDS, *courier.PREFERENCE_ROOTS]:
        value: Any = FULL_USER
        for name in path.split("."):
            assert name in value, path
            value = value[name]


def test_the_corpus_has_no_repeated_names() -> None:
    names = case_ids(VALID) + case_ids(INVALID) + case_ids(DELIBERATE)
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("name", "user"), VALID, ids=case_ids(VALID))
def test_both_sides_accept(name: str, user: dict[str, Any]) -> None:
    assert sandbox_accepts(user)
    assert courier_accepts(user)


@pytest.mark.parametrize(("name", "user"), INVALID, ids=case_ids(INVALID))
def test_both_sides_refuse(name: str, user: Any) -> None:
    assert not sandbox_accepts(user)
    assert not courier_accepts(user)


@pytest.mark.parametrize(("name", "user", "reason"), DELIBERATE, ids=case_ids(DELIBERATE))
def test_deliberate_differences_go_one_way(name: str, user: Any, reason: str) -> None:
    assert sandbox_accepts(user), reason
    assert not courier_accepts(user), reason


def test_bulkprep_names_the_null_field_it_refuses() -> None:
    """A null is not a way to leave a field out (INVALID holds a null for every declared field)."""
    with pytest.raises(ValidationError, match="email is null; leave a field out"):
        courier.User.model_validate({"to": {"email": None}})


# Users drawn from the declared fields: each text field text or some other JSON value, each object
# field an object (its declared fields drawn the same way) or some other value, each preference root
# preferences with statuses, channels and rules nearly right.
_any_json = st.sampled_from(list(JSON_VALUES.values())) | st.text(max_size=3) | st.integers()
_non_objects = (
    st.sampled_from([v for v in JSON_VALUES.values() if not isinstance(v, dict)])
    | st.text(max_size=3)
    | st.integers()
)
_texts = st.text(max_size=6) | _any_json
_preferences = st.dictionaries(
    st.sampled_from(courier.PREFERENCE_GROUPS),
    st.dictionaries(
        st.text(max_size=3),
        st.fixed_dictionaries(
            {},
            optional={
                "status": st.sampled_from([*courier.PREFERENCE_STATUSES, "NO"]) | _any_json,
                "channel_preferences": st.lists(
                    st.fixed_dictionaries(
                        {}, optional={"channel": st.sampled_from([*courier.CHANNELS, "fax"]) | _any_json}
                    )
                    | _any_json,
                    max_size=2,
                )
                | _any_json,
                "rules": st.lists(
                    st.fixed_dictionaries({}, optional=dict.fromkeys(courier.RULE_FIELDS, _texts))
                    | _any_json,
                    max_size=2,
                )
                | _any_json,
            },
        )
        | _any_json,
        max_size=2,
    )
    | _any_json,
    max_size=2,
)


#: Declared objects that take only their declared fields (the profile, data and to.data are open).
CLOSED_OBJECTS = frozenset({"to", "to.context"})


@st.composite
def declared_users(draw: st.DrawFn) -> dict[str, Any]:
    """A user whose keys are all declared fields, with values often right and sometimes not."""
    user: dict[str, Any] = {}
    paths = sorted(
        draw(st.sets(st.sampled_from([*TEXT_FIELDS, *OBJECT_FIELDS, *courier.PREFERENCE_ROOTS]), max_size=6)),
        key=lambda path: path.count("."),
    )
    for path in paths:
        *parents, name = path.split(".")
        container: Any = user
        for parent in parents:
            container = container.setdefault(parent, {})
            if not isinstance(container, dict):
                break
        else:
            if path in courier.PREFERENCE_ROOTS:
                container[name] = draw(_preferences)
            elif path in CLOSED_OBJECTS:
                # Keys drawn at random would be undeclared fields, which only bulkprep's side refuses
                # (a deliberate difference): a closed object is empty here or not an object at all.
                container[name] = draw(st.just({}) | _non_objects)
            elif path in courier.OBJECT_FIELDS:
                container[name] = draw(st.just({}) | _any_json)
            else:
                container[name] = draw(_texts)
    return user


@settings(max_examples=300, deadline=None)
@given(user=declared_users())
def test_users_drawn_from_the_declared_fields_get_the_same_answer(user: dict[str, Any]) -> None:
    profile = user.get("profile")
    profile_untyped = isinstance(profile, dict) and any(
        profile.get(name) is not None and not isinstance(profile.get(name), str)
        for name in ("email", "phone_number")
    )
    if profile_untyped:  # a deliberate difference (see DELIBERATE): only bulkprep's side refuses
        assert not courier_accepts(user)
    else:
        assert sandbox_accepts(user) == courier_accepts(user)


# -- messages: both accept or both refuse ------------------------------------------------------------


def message_outcomes(message: Any) -> tuple[bool, bool]:
    try:
        check_message({"message": message})
    except ApiError:
        sandbox = False
    else:
        sandbox = True
    try:
        courier.JobMessage.model_validate(message)
    except ValidationError:
        return sandbox, False
    return sandbox, True


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"event": "WELCOME"}, (True, True)),
        (
            {
                "event": "E",
                "template": "T",
                "content": {"title": "t", "body": "b"},
                "data": {"a": 1},
                "brand": "B",
                "locale": {"fr": {}},
                "override": {},
            },
            (True, True),
        ),
        ({"event": "E", "locale": "fr"}, (True, True)),
        ({}, (False, False)),
        ({"event": ""}, (False, False)),
        ({"event": 5}, (False, False)),
        ({"event": "E", "template": None}, (False, False)),
        ({"event": "E", "data": []}, (False, False)),
        ({"event": "E", "locale": 5}, (False, False)),
        ("E", (False, False)),
        # Deliberate, as for users: Courier ignores unknown fields, bulkprep never sends them.
        ({"event": "E", "routing": {}}, (True, False)),
    ],
)
def test_messages_get_the_same_answer(message: Any, expected: tuple[bool, bool]) -> None:
    assert message_outcomes(message) == expected


# -- the sandbox's answers fit courier.py's answer models --------------------------------------------

Answer = TypeVar("Answer", bound=BaseModel)


def fits(model: type[Answer], answer: requests.Response) -> Answer:
    """The answer parsed with ``model``, which must also leave nothing over (no undeclared field)."""
    assert answer.headers["Content-Type"] == "application/json"
    parsed = model.model_validate_json(answer.content)
    assert not parsed.model_extra, parsed.model_extra
    return parsed


def assert_empty(answer: requests.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.content == b""


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def session_for(sb: Sandbox, http: requests.Session) -> requests.Session:
    http.headers["Authorization"] = f"Bearer {sb.token}"
    return http


USERS = [
    {"recipient": "u1", "profile": {"email": "u1@example.com"}, "data": {"name": "Ann"}},
    {"to": {"user_id": "u2", "phone_number": "+12025550125"}, "preferences": {"notifications": {}}},
    {"recipient": "u3"},  # no address: ends in ERROR
    {"recipient": "u1", "data": {"again": True}},  # a duplicate: echoed in an error
]


@pytest.mark.parametrize("create_status", [200, 201])
def test_a_created_job_fits_job_created(create_status: int, http: requests.Session) -> None:
    with Sandbox(create_status=create_status) as sb:
        answer = session_for(sb, http).post(f"{sb.url}/bulk", json={"message": {"event": "E"}})
    assert answer.status_code == create_status
    assert fits(courier.JobCreated, answer).jobId


@pytest.mark.parametrize(
    ("echo", "ingest_answer"), list(itertools.product(["flattened", "request"], ["json", "empty"]))
)
def test_ingest_answers_fit_ingest_answer(echo: Any, ingest_answer: Any, http: requests.Session) -> None:
    with Sandbox(echo=echo, ingest_answer=ingest_answer) as sb:
        session = session_for(sb, http)
        job = fits(courier.JobCreated, session.post(f"{sb.url}/bulk", json={"message": {"event": "E"}})).jobId
        answer = session.post(f"{sb.url}/bulk/{job}", json={"users": USERS})
    if ingest_answer == "empty":
        assert_empty(answer, 204)
        return
    assert answer.status_code == 200
    parsed = fits(courier.IngestAnswer, answer)
    assert parsed.total == 3
    (error,) = parsed.errors
    assert not error.model_extra
    assert error.error == "Duplicate user"
    if echo == "request":
        assert courier.User.model_validate(error.user) == courier.User.model_validate(USERS[3])
    else:
        assert error.user == {"user_id": "u1", "data": {"again": True}}


@pytest.mark.parametrize(("run_status", "fail_jobs"), [(204, False), (202, False), (204, True)])
def test_job_and_users_answers_fit_through_the_lifecycle(
    run_status: Any, fail_jobs: bool, http: requests.Session
) -> None:
    clock = ManualClock()
    with Sandbox(
        run_status=run_status, fail_jobs=fail_jobs, page_size=2, processing_seconds=10, clock=clock
    ) as sb:
        session = session_for(sb, http)
        message = {"event": "E", "data": {"plan": "pro"}, "locale": "fr"}
        job = fits(courier.JobCreated, session.post(f"{sb.url}/bulk", json={"message": message})).jobId
        assert session.post(f"{sb.url}/bulk/{job}", json={"users": USERS}).status_code == 200

        def job_status() -> JobStatus:
            parsed = fits(courier.JobAnswer, session.get(f"{sb.url}/bulk/{job}"))
            assert not parsed.job.model_extra
            assert courier.JobMessage.model_validate(
                parsed.job.definition
            ) == courier.JobMessage.model_validate(message)
            assert parsed.job.received == 3
            assert parsed.job.enqueued is not None
            assert parsed.job.failures is not None
            assert parsed.job.enqueued + parsed.job.failures <= 3
            return parsed.job.status

        def statuses() -> list[DeliveryStatus]:
            items: list[courier.UserItem] = []
            cursor: str | None = None
            while True:
                params = {"cursor": cursor} if cursor else {}
                page = fits(courier.UsersPage, session.get(f"{sb.url}/bulk/{job}/users", params=params))
                assert not page.paging.model_extra
                assert (page.paging.cursor is not None) == page.paging.more
                items += page.items
                if not page.paging.more:
                    break
                cursor = page.paging.cursor
            for item, sent in zip(items, USERS, strict=False):
                assert (item.messageId is not None) == (item.status == DeliveryStatus.ENQUEUED)
                # Besides its delivery state, an item is the user as it was sent.
                as_sent = item.model_dump(exclude={"status", "messageId"}, exclude_none=True)
                assert courier.User.model_validate(as_sent) == courier.User.model_validate(sent)
            return [item.status for item in items]

        assert job_status() == JobStatus.CREATED
        assert statuses() == [DeliveryStatus.PENDING] * 3
        assert_empty(session.post(f"{sb.url}/bulk/{job}/run"), run_status)
        clock.now += 5
        assert job_status() == JobStatus.PROCESSING
        assert DeliveryStatus.PENDING in statuses()
        clock.now += 5
        final = job_status()
        done = statuses()
    if fail_jobs:
        assert (final, done) == (JobStatus.ERROR, [DeliveryStatus.ERROR] * 3)
    else:
        assert (final, done) == (
            JobStatus.COMPLETED,
            [DeliveryStatus.ENQUEUED, DeliveryStatus.ENQUEUED, DeliveryStatus.ERROR],
        )


def faulty_answer(**faults: Any) -> requests.Response:
    """The answer of a sandbox that injects ``faults`` into every request."""
    with Sandbox(faults=Faults(**faults)) as faulty:
        return requests.get(f"{faulty.url}/bulk/x", headers={"Authorization": f"Bearer {faulty.token}"})


def test_error_answers_fit_error_body_with_the_documented_types(
    sandbox: Sandbox, http: requests.Session
) -> None:
    url, session = sandbox.url, session_for(sandbox, http)
    job = fits(courier.JobCreated, session.post(f"{url}/bulk", json={"message": {"event": "E"}})).jobId
    assert_empty(session.post(f"{url}/bulk/{job}/run"), 204)
    answers = {
        400: session.post(f"{url}/bulk", data=b"{not json"),
        401: requests.get(f"{url}/bulk/{job}", headers={"Authorization": "Bearer wrong"}),
        404: session.get(f"{url}/bulk/nope"),
        405: session.get(f"{url}/bulk"),
        409: session.post(f"{url}/bulk/{job}/run"),
        413: session.post(f"{url}/bulk/{job}", data=b" " * (MAX_REQUEST_BYTES + 1)),
        429: faulty_answer(rate_limit_every=1),
        500: faulty_answer(server_error_every=1, server_error_status=500),
        503: faulty_answer(server_error_every=1, server_error_status=503),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        body = fits(courier.ErrorBody, answer)
        assert body.message
        # 405 is not among the documented statuses; the sandbox gives it the type of the other 4xx.
        assert body.type == courier.DOCUMENTED_ERROR_TYPES.get(status, "invalid_request_error"), status
