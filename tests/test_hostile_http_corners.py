"""HTTP corners: interim 1xx answers, a chunk size that is not hex digits (negative, say), a Content-Length
that cannot be used, a Content-Encoding that cannot be decoded. Each leaves the outcome unknown or refuses
the answer; none is read as Courier's word."""

from __future__ import annotations

import json

import pytest
from conftest import TOKEN
from hostile import JOB_ID, TAKEN, Answer, HostileServer, ScriptedCourier, courier_until_ingest, json_answer
from prepared_frames import prepared_frame

from bulkprep.client import CourierClient
from bulkprep.errors import CourierError, ProtocolError
from bulkprep.retry import RetryPolicy
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def users(count: int) -> list[dict[str, object]]:
    return [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(count)]


def body_of(count: int) -> bytes:
    return json.dumps({"users": users(count)}).encode()


def first_then_taken(first: Answer) -> ScriptedCourier:
    """A Courier whose first ingest answer is ``first`` and every later one a plain acceptance."""
    return ScriptedCourier(ingest=lambda number: first if number == 1 else TAKEN)


@pytest.mark.parametrize("interim", [(102,) * 50, (103,)], ids=["fifty-102", "one-103"])
def test_an_interim_answer_is_a_lost_answer_sent_again_under_the_same_key(interim: tuple[int, ...]) -> None:
    courier = first_then_taken(
        Answer(200, b'{"errors": []}', {"Content-Type": "application/json"}, interim=interim)
    )
    with HostileServer(courier) as server, CourierClient(TOKEN, server.url, sleep=no_wait) as client:
        receipt = client.ingest(JOB_ID, body_of(2), idempotency_key="k-1")
    assert courier.calls["ingest"] == 2
    assert receipt.outcome_was_unknown  # the first attempt may have been stored: a replay is expected


def test_the_answer_behind_an_interim_one_is_not_read_by_the_next_request() -> None:
    # The first ingest's real answer is a "Duplicate user" refusal: read by the job request that
    # follows on the same connection, it would be a job that does not parse (or worse, one that does).
    stale = json_answer(200, {"errors": [{"error": "Duplicate user", "user": {"user_id": "u0"}}]})
    courier = first_then_taken(Answer(stale.status, stale.body, stale.headers, interim=(103,)))
    with HostileServer(courier) as server, CourierClient(TOKEN, server.url, sleep=no_wait) as client:
        receipt = client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
        job = client.get_job(JOB_ID)
        again = client.ingest(JOB_ID, body_of(1), idempotency_key="k-2")
    assert receipt.errors == []
    assert again.errors == []
    assert job.status == "CREATED"
    assert courier.calls == {"ingest": 3, "job": 1}


def test_rows_behind_interim_answers_are_accepted_not_failed() -> None:
    courier = first_then_taken(
        Answer(200, b'{"errors": []}', {"Content-Type": "application/json"}, interim=(102,) * 5)
    )
    with HostileServer(courier) as server:
        result = submit(
            prepared_frame(users(4)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            batch_size=2,
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["accepted"] * 4
    assert courier.calls["ingest"] == 3


NEGATIVE_CHUNK = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'-1a\r\n{"errors": []}\r\n0\r\n\r\n'
)


def test_a_negative_chunk_size_is_an_answer_cut_off_not_a_value_error() -> None:
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=NEGATIVE_CHUNK))) as server,
        CourierClient(TOKEN, server.url, max_retries=1, sleep=no_wait) as client,
        pytest.raises(CourierError, match="answer cut off") as caught,
    ):
        client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    assert caught.value.retryable
    assert server.requests.count(("POST", f"/bulk/{JOB_ID}")) == 2  # retried: the outcome was unknown


def test_rows_behind_a_negative_chunk_size_fail_with_every_row_reported() -> None:
    with HostileServer(courier_until_ingest(Answer(200, raw=NEGATIVE_CHUNK))) as server:
        result = submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            retry=RetryPolicy(max_attempts=2),
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "answer cut off" in result.df["bulk_error"].iloc[0]


@pytest.mark.parametrize("coding", ["br", "x-bogus", "gzip, x-bogus"])
def test_an_answer_in_a_coding_that_cannot_be_decoded_is_refused(coding: str) -> None:
    ingest = Answer(200, b'{"errors": []}', {"Content-Type": "application/json", "Content-Encoding": coding})
    with (
        HostileServer(courier_until_ingest(ingest)) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
        pytest.raises(ProtocolError, match="cannot decode") as caught,
    ):
        client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    assert repr(coding) in str(caught.value)


def test_rows_answered_in_an_undecodable_coding_are_not_accepted() -> None:
    ingest = Answer(
        200, b'{"errors": []}', {"Content-Type": "application/json", "Content-Encoding": "x-bogus"}
    )
    with HostileServer(courier_until_ingest(ingest)) as server:
        result = submit(
            prepared_frame(users(2)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 2
    assert "cannot decode" in result.df["bulk_error"].iloc[0]


def test_only_codings_that_can_be_decoded_are_asked_for() -> None:
    seen: list[str] = []
    with HostileServer(courier_until_ingest(TAKEN)) as server:
        handler = server._server.RequestHandlerClass
        original = handler._answer

        def recording(self: object) -> None:
            seen.append(self.headers.get("Accept-Encoding", ""))  # type: ignore[attr-defined]
            original(self)

        handler.do_POST = recording
        with CourierClient(TOKEN, server.url, max_retries=0) as client:
            client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    codings = {coding.strip() for coding in seen[0].split(",")}
    assert "gzip" in codings
    assert codings <= {"gzip", "deflate", "br", "zstd"}


def chunked(size: bytes, body: bytes = b'{"errors": []}') -> bytes:
    """A chunked 200 whose one chunk's size line is ``size``, then the end of the body."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + size + b"\r\n" + body + b"\r\n0\r\n\r\n"


# Sizes Python's int(..., 16) would read, none of them hex digits: "-0" would end the body at once.
NOT_HEX = [b"-0", b"0x0e", b"+e", b"0_e", b" e", b"zz"]


@pytest.mark.parametrize("size", NOT_HEX, ids=lambda size: size.decode())
def test_a_chunk_size_that_is_not_hex_digits_is_an_answer_cut_off(size: bytes) -> None:
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=chunked(size)))) as server,
        CourierClient(TOKEN, server.url, max_retries=1, sleep=no_wait) as client,
        pytest.raises(CourierError, match="answer cut off") as caught,
    ):
        client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    assert caught.value.retryable
    assert server.requests.count(("POST", f"/bulk/{JOB_ID}")) == 2  # retried: the outcome was unknown


def test_rows_behind_a_negative_zero_chunk_size_are_not_accepted() -> None:
    # "-0" read as a number is the last chunk: an empty body, which says every user was accepted.
    with HostileServer(courier_until_ingest(Answer(200, raw=chunked(b"-0", b"")))) as server:
        result = submit(
            prepared_frame(users(2)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            retry=RetryPolicy(max_attempts=2),
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 2
    assert "answer cut off" in result.df["bulk_error"].iloc[0]


def with_lengths(*lengths: bytes, body: bytes = b'{"errors": []}') -> bytes:
    """A 200 with one Content-Length header per length given, then ``body`` and the connection closed."""
    fields = b"".join(b"Content-Length: %s\r\n" % length for length in lengths)
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + fields + b"\r\n" + body


BAD_LENGTHS = [
    pytest.param((b"-5",), "not a number of bytes", id="negative"),
    pytest.param((b"+14",), "not a number of bytes", id="signed"),
    pytest.param((b"",), "not a number of bytes", id="empty"),
    pytest.param((b"14", b"15"), "multiple unmatching values", id="two-headers"),
    pytest.param((b"14, 15",), "multiple unmatching values", id="two-values"),
]


@pytest.mark.parametrize(("lengths", "words"), BAD_LENGTHS)
def test_a_content_length_that_cannot_be_used_is_a_malformed_answer(
    lengths: tuple[bytes, ...], words: str
) -> None:
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=with_lengths(*lengths)))) as server,
        CourierClient(TOKEN, server.url, max_retries=2, sleep=no_wait) as client,
        pytest.raises(ProtocolError, match="where its body ends is not known") as caught,
    ):
        client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    assert words in str(caught.value)
    assert server.requests.count(("POST", f"/bulk/{JOB_ID}")) == 1  # refused, not read to the close


@pytest.mark.parametrize(("lengths", "words"), BAD_LENGTHS[:1] + BAD_LENGTHS[3:4])
def test_rows_behind_a_content_length_that_cannot_be_used_are_not_accepted(
    lengths: tuple[bytes, ...], words: str
) -> None:
    # Read to the close, the empty body of the negative length would say every user was accepted.
    raw = with_lengths(*lengths, body=b"")
    with HostileServer(courier_until_ingest(Answer(200, raw=raw))) as server:
        result = submit(
            prepared_frame(users(2)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 2
    assert words in result.df["bulk_error"].iloc[0]


@pytest.mark.parametrize("lengths", [(b"14", b"14"), (b"14, 14",), (b"0014",)], ids=str)
def test_the_same_length_given_twice_or_with_leading_zeros_is_read(lengths: tuple[bytes, ...]) -> None:
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=with_lengths(*lengths)))) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
    ):
        assert client.ingest(JOB_ID, body_of(1), idempotency_key="k-1").errors == []


NOT_A_HEADER = (
    b"HTTP/1.1 200 OK\r\nThis is not a header\r\nContent-Type: application/json\r\nContent-Length: 14\r\n"
    b'\r\n{"errors": []}'
)


def test_a_header_line_without_a_colon_is_a_malformed_answer_and_accepts_no_row() -> None:
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=NOT_A_HEADER))) as server,
        CourierClient(TOKEN, server.url, max_retries=2, sleep=no_wait) as client,
        pytest.raises(ProtocolError, match="where its body ends is not known") as caught,
    ):
        client.ingest(JOB_ID, body_of(1), idempotency_key="k-1")
    assert "a header line that is not a header" in str(caught.value)
    with HostileServer(courier_until_ingest(Answer(200, raw=NOT_A_HEADER))) as server:
        result = submit(
            prepared_frame(users(2)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 2
    assert "a header line that is not a header" in result.df["bulk_error"].iloc[0]


def test_well_formed_headers_with_an_empty_value_are_read() -> None:
    raw = b"HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n"
    with (
        HostileServer(courier_until_ingest(Answer(200, raw=raw + b'{"errors": []}'))) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
    ):
        assert client.ingest(JOB_ID, body_of(1), idempotency_key="k-1").errors == []
