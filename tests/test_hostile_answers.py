"""Answers that look like Courier's but do not add up: counts that contradict the batch, users pages that
never end, the key in a header urllib3 keeps a copy of. No row is accepted on their word, every run ends."""

from __future__ import annotations

import json

import pytest
from conftest import TOKEN
from hostile import JOB_ID, Answer, HostileServer, courier_until_ingest
from prepared_frames import prepared_frame

from bulkprep.client import CourierClient
from bulkprep.errors import AuthenticationError, ProtocolError
from bulkprep.results import SubmitResult
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def users(count: int) -> list[dict[str, object]]:
    return [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(count)]


def ingest_answer(document: object) -> Answer:
    return Answer(200, json.dumps(document).encode(), {"Content-Type": "application/json"})


def submit_three_users_to(ingest: Answer) -> SubmitResult:
    """Three users submitted to a Courier that answers every ingest with ``ingest``."""
    with HostileServer(courier_until_ingest(ingest)) as server:
        return submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            sleep=no_wait,
            progress=False,
        )


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"errors": [], "total": 0}, id="none-taken"),
        pytest.param(
            {"errors": [{"error": "Invalid", "user": {"user_id": "nobody"}}], "total": 0}, id="one-odd"
        ),
        pytest.param({"errors": [], "total": 2}, id="one-short"),
    ],
)
def test_a_total_below_what_the_batch_says_went_in_accepts_no_row(document: object) -> None:
    result = submit_three_users_to(ingest_answer(document))
    assert result.summary["accepted"] == 0
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "does not add up" in result.df["bulk_error"].iloc[0]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"errors": [], "total": 3}, id="per-request"),
        pytest.param({"errors": [], "total": 500}, id="per-job"),
        pytest.param(
            {"errors": [{"error": "Invalid", "user": {"recipient": "u1"}}], "total": 2}, id="one-refused"
        ),
        pytest.param({"errors": []}, id="no-total"),
    ],
)
def test_a_total_that_adds_up_accepts_the_batch(document: object) -> None:
    result = submit_three_users_to(ingest_answer(document))
    refused = sum(1 for error in document["errors"])  # type: ignore[index]
    assert result.summary["accepted"] == 3 - refused
    assert result.summary["rejected"] == refused


def endless_users_pages(per_page: int) -> HostileServer:
    """A Courier that takes every user and runs the job, then lists strangers page after page forever."""
    counter = iter(range(10**9))

    def respond(method: str, path: str) -> Answer:
        if method == "POST" and path == "/bulk":
            return ingest_answer({"jobId": JOB_ID})
        if method == "POST" and path == f"/bulk/{JOB_ID}":
            return Answer(204)
        if method == "POST" and path == f"/bulk/{JOB_ID}/run":
            return Answer(204)
        if method == "GET" and path == f"/bulk/{JOB_ID}":
            return ingest_answer(
                {"job": {"status": "COMPLETED", "received": 3, "enqueued": 3, "failures": 0}}
            )
        if method == "GET" and path.startswith(f"/bulk/{JOB_ID}/users"):
            page = next(counter)
            items = [
                {"recipient": f"stranger-{page}-{i}", "status": "ENQUEUED", "messageId": f"m{page}-{i}"}
                for i in range(per_page)
            ]
            return ingest_answer({"items": items, "paging": {"more": True, "cursor": f"c{page}"}})
        return Answer(404, b'{"message": "not here", "type": "invalid_request_error"}')

    return HostileServer(respond)


def test_users_pages_that_never_end_stop_after_a_bound_and_keep_the_rows_accepted() -> None:
    with endless_users_pages(per_page=500) as server:
        with pytest.raises(ProtocolError, match="listed more than") as caught:
            submit(
                prepared_frame(users(3)),
                event="E",
                api_key=TOKEN,
                base_url=server.url,
                run=True,
                wait=True,
                poll_interval=0.01,
                sleep=no_wait,
                progress=False,
            )
        pages = sum(1 for _, path in server.requests if path.startswith(f"/bulk/{JOB_ID}/users"))
    assert "listed more than" in str(caught.value)
    assert pages <= 25  # 2 x 3 + 10,000 users at 500 a page: about 21 pages, not an endless list
    partial = caught.value.result  # type: ignore[attr-defined]
    assert partial.df["bulk_status"].tolist() == ["accepted"] * 3


def test_a_key_echoed_in_a_response_header_is_scrubbed_from_urllib3_s_copy_too() -> None:
    def respond(method: str, path: str) -> Answer:
        return Answer(
            401,
            b'{"message": "Unauthorized", "type": "authentication_error"}',
            {"WWW-Authenticate": 'Bearer realm="{auth}"', "Content-Type": "application/json"},
        )

    with (
        HostileServer(respond) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.get_job("1-x")
    seen: list[str] = []
    frames = caught.value.__traceback__
    while frames is not None:
        for value in frames.tb_frame.f_locals.values():
            raw = getattr(getattr(value, "raw", None), "headers", None)
            if raw is not None:
                seen += [str(raw[name]) for name in raw]
        frames = frames.tb_next
    assert seen, "the test must find urllib3's copy of the headers to mean anything"
    assert all(TOKEN not in text for text in seen)
