"""Every request and every run bounded, against servers on loopback that misbehave one way each.

A server that drips, never answers or never ends costs at most the request's deadline, or the answer
size cap; paging ends; ``Retry-After: 0`` cannot burn every attempt at once; Ctrl-C stops a hanging
request; and no answer that is not Courier's, in the shape Courier sends, marks a row accepted.
Deadlines and caps are small here so that each test stays fast.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
import pytest
from conftest import TOKEN
from growth import assert_linear
from hostile import (
    JOB_ID,
    NOT_COURIER,
    Answer,
    HostileServer,
    Respond,
    courier_until_ingest,
    courier_with_job,
    endless_cursors,
    fixed,
)
from prepared_frames import prepared_frame

from bulkprep.cli.main import main
from bulkprep.client import CourierClient
from bulkprep.errors import ConfigurationError, CourierError, ProtocolError
from bulkprep.results import SubmitResult
from bulkprep.retry import RetryEvent, RetryPolicy
from bulkprep.submit import submit

MESSAGE = {"event": "E"}
JSON = {"Content-Type": "application/json"}
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


class Recorder:
    """The client's injected sleep: records instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def users(count: int) -> list[dict[str, object]]:
    return [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(count)]


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[HostileServer] = []

    def start(respond: Respond) -> HostileServer:
        servers.append(HostileServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# ------------------------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(Answer(200, b'{"jobId": "1-slow"}', JSON, drip=0.1), id="drips-one-byte-at-a-time"),
        pytest.param(Answer(200, hang=True), id="never-answers"),
        pytest.param(Answer(200, b'{"jobId": "1-x"}', endless=True, drip=0.05), id="endless-slow-body"),
    ],
)
def test_a_server_that_dawdles_costs_at_most_the_deadline(answer: Answer) -> None:
    recorder = Recorder()
    with HostileServer(fixed(answer)) as server:
        client = CourierClient(TOKEN, server.url, request_deadline=1.0, sleep=recorder.sleep)
        started = time.monotonic()
        with client, pytest.raises(CourierError) as caught:
            client.create_job(MESSAGE)
        elapsed = time.monotonic() - started
        requests = list(server.requests)
    assert elapsed < 5.0  # the deadline is 1 s; a dripping answer of 20 bytes alone takes 2 s and more
    assert caught.value.retryable
    assert not isinstance(caught.value, ProtocolError)
    message = str(caught.value)
    assert "no answer within its deadline of 1 s (request_deadline)" in message
    assert "deadline passed" in message
    assert TOKEN not in message
    assert requests == [("POST", "/bulk")]  # no time was left for another attempt
    assert recorder.delays == []


def test_the_deadline_covers_every_retry_and_every_wait() -> None:
    busy = Answer(503, b'{"message": "busy", "type": "api_error"}', JSON)
    policy = RetryPolicy(max_attempts=50, backoff_base=0.2, backoff_cap=0.4)
    with HostileServer(fixed(busy)) as server:
        client = CourierClient(
            TOKEN, server.url, retry=policy, request_deadline=1.5, rng=random.Random(1)
        )  # real waits: they count against the deadline
        started = time.monotonic()
        with client, pytest.raises(CourierError) as caught:
            client.ingest(JOB_ID, b'{"users": [{}]}', idempotency_key="k")
        elapsed = time.monotonic() - started
        attempts = len(server.requests)
    assert elapsed < 6.0
    assert 2 <= attempts < 50
    assert f"in {attempts} attempt(s) (last: 503 api_error)" in str(caught.value)
    assert caught.value.retryable


def test_a_request_started_after_a_slow_one_gets_a_fresh_deadline(serve: object) -> None:
    answers = iter([Answer(200, hang=True), Answer(200, b'{"jobId": "1-fresh"}', JSON)])
    server = serve(lambda _method, _path: next(answers))  # type: ignore[operator]
    with CourierClient(TOKEN, server.url, request_deadline=0.5, max_retries=0) as client:
        with pytest.raises(CourierError, match="deadline"):
            client.create_job(MESSAGE)
        assert client.create_job(MESSAGE) == "1-fresh"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("request_deadline", 0),
        ("request_deadline", -1.0),
        ("request_deadline", float("inf")),
        ("max_answer_bytes", 0),
        ("max_pages", 0),
    ],
)
def test_bounds_out_of_range_are_refused(option: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=option):
        CourierClient(TOKEN, "http://127.0.0.1:9", **{option: value})


# ------------------------------------------------------------------------------------------- size cap


def test_an_endless_body_stops_at_the_cap_with_memory_bounded() -> None:
    cap = 256 * 1024
    endless = Answer(200, b'{"errors": [' + b" " * 65_536, JSON, endless=True)
    with HostileServer(courier_until_ingest(endless)) as server:
        client = CourierClient(TOKEN, server.url, max_answer_bytes=cap, sleep=Recorder().sleep)
        tracemalloc.start()
        try:
            with client, pytest.raises(ProtocolError) as caught:
                client.ingest(JOB_ID, b'{"users": [{}]}', idempotency_key="k")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        sent_when_stopped = server.bytes_sent
        requests = len(server.requests)
    assert peak < 8 * 1024 * 1024  # the body is read up to 256 KiB, never kept whole
    assert sent_when_stopped < 64 * 1024 * 1024  # what the socket buffers took, not gigabytes
    assert requests == 1  # an answer that is not Courier's is not asked for again
    message = str(caught.value)
    assert f"past the answer size cap of {cap} bytes (max_answer_bytes)" in message
    assert caught.value.status == 200


def test_an_answer_declared_larger_than_the_cap_is_not_read() -> None:
    big = Answer(500, b"x" * 5_000, {"Content-Length": "5000"})
    with HostileServer(fixed(big)) as server:
        client = CourierClient(TOKEN, server.url, max_answer_bytes=1_000, sleep=Recorder().sleep)
        with client, pytest.raises(ProtocolError, match="5000 bytes declared") as caught:
            client.get_job(JOB_ID)
        assert len(server.requests) == 1
    assert caught.value.status == 500


def test_an_endless_ingest_answer_leaves_the_rows_failed_never_accepted() -> None:
    endless = Answer(200, b"[" * 4096, JSON, endless=True)
    with HostileServer(courier_until_ingest(endless)) as server:
        client = CourierClient(TOKEN, server.url, max_answer_bytes=64 * 1024, sleep=Recorder().sleep)
        with client:
            result = submit(prepared_frame(users(3)), event="E", client=client, progress=False)
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "answer size cap" in result.df["bulk_error"].iloc[0]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        # The last line, cut before its colon, is no header line: the headers cannot be read.
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Le", "a header line that is not a header", id="headers-cut-short"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n\r\n",
            "empty body that simply ended with the connection",
            id="no-length-nor-body",
        ),
    ],
)
def test_an_empty_ingest_answer_cut_short_is_not_every_user_accepted(raw: bytes, said: str) -> None:
    with HostileServer(courier_until_ingest(Answer(200, raw=raw))) as server:
        result = submit(
            prepared_frame(users(2)), event="E", api_key=TOKEN, base_url=server.url, progress=False
        )
    assert result.df["bulk_status"].tolist() == ["failed"] * 2
    assert said in result.df["bulk_error"].iloc[0]


def test_an_empty_ingest_answer_that_says_so_is_every_user_accepted() -> None:
    bare_204 = Answer(204, raw=b"HTTP/1.1 204 No Content\r\n\r\n")
    for framed in (Answer(204), bare_204, Answer(200, b"", {"Content-Length": "0"})):
        with (
            HostileServer(courier_until_ingest(framed)) as server,
            CourierClient(TOKEN, server.url) as client,
        ):
            receipt = client.ingest(JOB_ID, b'{"users": [{}]}', idempotency_key="k")
        assert (receipt.status, receipt.errors) == (framed.status, [])


# --------------------------------------------------------------------------------------------- paging


def test_a_new_cursor_on_every_page_ends_at_max_pages() -> None:
    with HostileServer(endless_cursors()) as server, CourierClient(TOKEN, server.url, max_pages=5) as client:
        with pytest.raises(ProtocolError, match=r"still had more users after 5 pages \(max_pages=5\)"):
            list(client.iter_users(JOB_ID))
        assert len(server.requests) == 5
        with pytest.raises(ProtocolError, match="after 2 pages"):
            list(client.iter_users(JOB_ID, max_pages=2))


def test_pages_in_a_row_that_list_no_user_but_say_more_follow_stop_the_reading() -> None:
    with HostileServer(endless_cursors()) as server, CourierClient(TOKEN, server.url) as client:
        with pytest.raises(ProtocolError, match=r"10 pages in a row that list no user"):
            list(client.iter_users(JOB_ID))
        pages = len(server.requests)
    assert pages == 10  # not the 100,000 pages max_pages allows


@pytest.mark.parametrize(
    ("paging", "says"),
    [
        pytest.param(
            b'{"more": true, "cursor": 12}', "paging.cursor: Input should be a valid string", id="int"
        ),
        pytest.param(
            b'{"more": true, "cursor": "%s"}' % (b"c" * 5_000),
            "paging.cursor: String should have at most 4096 characters",
            id="absurdly-long",
        ),
        pytest.param(
            b'{"more": true, "cursor": null}', "gave no cursor to read them", id="more-without-cursor"
        ),
        pytest.param(b'{"more": true, "cursor": ""}', "gave no cursor to read them", id="empty-cursor"),
        pytest.param(b'{"more": "yes", "cursor": "c"}', "paging.more", id="more-not-bool"),
        pytest.param(b'{"more": true, "cursor": "same"}', "returned cursor 'same' twice", id="repeated"),
    ],
)
def test_a_malformed_or_looping_cursor_is_a_protocol_error(paging: bytes, says: str) -> None:
    page = Answer(200, b'{"items": [], "paging": %s}' % paging, JSON)
    with HostileServer(fixed(page)) as server, CourierClient(TOKEN, server.url) as client:
        with pytest.raises(ProtocolError, match=says.replace("(", r"\(").replace(")", r"\)")) as caught:
            list(client.iter_users(JOB_ID))
        assert len(server.requests) <= 2
    assert TOKEN not in str(caught.value)


# ------------------------------------------------------------------------------------------ job fields


@pytest.mark.parametrize(
    ("job", "says"),
    [
        pytest.param(
            b'{"status": "CREATED", "received": -1}', "job.received: Input should be greater", id="neg"
        ),
        pytest.param(
            b'{"status": "CREATED", "received": "3"}', "job.received: Input should be a valid int", id="text"
        ),
        pytest.param(
            b'{"status": "PROCESSING", "enqueued": true}',
            "job.enqueued: Input should be a valid int",
            id="bool",
        ),
        pytest.param(
            b'{"status": "COMPLETED", "failures": 1.5}',
            "job.failures: Input should be a valid int",
            id="float",
        ),
        pytest.param(b'{"status": "DONE-ISH"}', "job.status: Input should be", id="unknown-status"),
        pytest.param(b'{"received": 3}', "job.status: Field required", id="no-status"),
    ],
)
def test_malformed_job_fields_are_a_protocol_error_that_names_the_field(job: bytes, says: str) -> None:
    with (
        HostileServer(courier_with_job(b'{"job": %s}' % job)) as server,
        CourierClient(TOKEN, server.url) as client,
        pytest.raises(ProtocolError) as caught,
    ):
        client.get_job(JOB_ID)
    message = str(caught.value)
    assert says in message
    assert f"GET /bulk/{JOB_ID} answered 200 without a job object" in message


def test_a_malformed_total_in_an_ingest_answer_is_a_protocol_error() -> None:
    answer = Answer(200, b'{"errors": [], "total": -4}', JSON)
    with (
        HostileServer(courier_until_ingest(answer)) as server,
        CourierClient(TOKEN, server.url) as client,
        pytest.raises(ProtocolError, match="total: Input should be greater than or equal to 0"),
    ):
        client.ingest(JOB_ID, b'{"users": [{}]}', idempotency_key="k")


# ---------------------------------------------------------------------------------------- Retry-After


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "retry_after",
    ["0", "0.0", "Thu, 01 Jan 2026 11:00:00 GMT", "-5"],
    ids=["zero", "zero-float", "past-date", "negative"],
)
def test_retry_after_zero_or_past_does_not_burn_every_attempt_at_once(retry_after: str) -> None:
    busy = Answer(429, b'{"message": "slow down", "type": "rate_limit_error"}', {"Retry-After": retry_after})
    recorder = Recorder()
    events: list[RetryEvent] = []
    with HostileServer(fixed(busy)) as server:
        client = CourierClient(
            TOKEN, server.url, max_retries=4, sleep=recorder.sleep, on_retry=events.append, clock=lambda: NOW
        )
        with client, pytest.raises(CourierError, match="failed 5 times"):
            client.create_job(MESSAGE)
    floors = [RetryPolicy().backoff_floor(attempt) for attempt in range(1, 5)]
    assert floors == [0.25, 0.5, 1.0, 2.0]
    assert len(recorder.delays) == 4
    assert all(delay >= floor for delay, floor in zip(recorder.delays, floors, strict=True))
    assert sum(recorder.delays) >= 3.75
    assert [event.delay for event in events] == recorder.delays


@pytest.mark.parametrize("retry_after", ["86400", "9" * 400], ids=["a-day", "four-hundred-digits"])
def test_a_huge_retry_after_is_capped(retry_after: str) -> None:
    busy = Answer(503, b"", {"Retry-After": retry_after})
    recorder = Recorder()
    with HostileServer(fixed(busy)) as server:
        client = CourierClient(TOKEN, server.url, max_retries=2, sleep=recorder.sleep)
        with client, pytest.raises(CourierError):
            client.create_job(MESSAGE)
    assert recorder.delays == [60.0, 60.0]


# -------------------------------------------------------------------------------------------- Ctrl-C


def test_interrupt_cuts_a_hanging_request_at_once_and_the_client_goes_on() -> None:
    answers = iter([Answer(200, hang=True), Answer(200, b'{"jobId": "1-after"}', JSON)])
    with HostileServer(lambda _method, _path: next(answers)) as server:
        client = CourierClient(TOKEN, server.url, request_deadline=60)
        while_hanging = threading.Timer(0.3, client.interrupt)
        started = time.monotonic()
        while_hanging.start()
        with client:
            with pytest.raises(CourierError, match="was interrupted") as caught:
                client.ingest(JOB_ID, b'{"users": [{}]}', idempotency_key="k")
            elapsed = time.monotonic() - started
            assert client.create_job(MESSAGE) == "1-after"  # requests after the interrupt go out
        while_hanging.join()
    assert elapsed < 5.0
    assert caught.value.retryable
    assert len(server.requests) == 2


def test_interrupt_ends_a_wait_between_retries() -> None:
    busy = Answer(503, b"", {"Retry-After": "50"})
    with HostileServer(fixed(busy)) as server:
        client = CourierClient(TOKEN, server.url, request_deadline=120)  # real waits
        while_waiting = threading.Timer(0.5, client.interrupt)
        started = time.monotonic()
        while_waiting.start()
        with client, pytest.raises(CourierError, match="was interrupted"):
            client.create_job(MESSAGE)
        while_waiting.join()
    assert time.monotonic() - started < 5.0


SUBMIT_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[2])
from prepared_frames import prepared_frame
from growth import assert_linear
from bulkprep.results import SubmitResult
from bulkprep.submit import submit
users = [{"recipient": f"u{i}"} for i in range(8)]
submit(prepared_frame(users), event="E", api_key=sys.argv[3], base_url=sys.argv[1],
       batch_size=1, concurrency=3, progress=False)
"""


def test_ctrl_c_stops_a_submission_whose_requests_hang(tmp_path: Path) -> None:
    with HostileServer(courier_until_ingest(Answer(200, hang=True))) as server:
        process = subprocess.Popen(
            [sys.executable, "-c", SUBMIT_SCRIPT, server.url, str(TESTS), TOKEN],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            waited = time.monotonic()
            while sum(path.startswith(f"/bulk/{JOB_ID}") for _, path in server.requests) < 3:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() - waited < 60, "the senders never reached the server"
                time.sleep(0.05)
            time.sleep(0.3)  # the three senders now wait on answers that never come
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode != 0
    assert "SubmitInterrupted" in err  # bulkprep's KeyboardInterrupt, carrying the partial result
    assert TOKEN not in out + err


# ------------------------------------------------------------- answers that are not Courier's, by the CLI

MAPPING = "recipient: user_id\nprofile:\n  email: Email\n"


def run_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    rows: int,
    timeout: str = "5",
    extra: list[str] | None = None,
) -> tuple[int, pd.DataFrame]:
    monkeypatch.setenv("COURIER_API_KEY", TOKEN)
    monkeypatch.delenv("COURIER_AUTH_TOKEN", raising=False)
    source = tmp_path / "users.csv"
    source.write_text(
        "user_id,Email\n" + "".join(f"u{i},u{i}@example.com\n" for i in range(rows)), encoding="utf-8"
    )
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(
        [
            "submit",
            str(source),
            "--mapping",
            str(tmp_path / "mapping.yaml"),
            "--event",
            "E",
            "--base-url",
            url,
            "--out",
            str(out),
            "--no-progress",
            "--request-timeout",
            timeout,
            *(extra or []),
        ]
    )
    assert TOKEN not in out.read_text(encoding="utf-8-sig")
    return code, pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)


LISTED = [
    param
    for param in NOT_COURIER
    if param.id in {"html", "truncated-json", "json-array", "errors-not-list", "total-text"}
]


@pytest.mark.parametrize(("body", "described"), LISTED)
def test_the_cli_never_reports_accepted_for_an_answer_that_is_not_courier_s(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
    described: str,
) -> None:
    assert len(LISTED) == 5
    with HostileServer(courier_until_ingest(Answer(200, body))) as server:
        code, table = run_cli(tmp_path, clean_env, server.url, rows=3)
    shown = capsys.readouterr()
    assert code == 1
    assert table["bulk_status"].tolist() == ["failed"] * 3
    assert described in table["bulk_error"].iloc[0]
    assert TOKEN not in shown.out + shown.err


def every_user_refused(echo_key: str, rows: int) -> bytes:
    errors = [{"error": "Invalid user", "user": {echo_key: f"u{i}"}} for i in range(rows)]
    return orjson.dumps({"errors": errors, "total": 0})


def test_an_error_for_every_user_in_an_unknown_shape_does_not_exit_0(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with HostileServer(courier_until_ingest(Answer(200, every_user_refused("userId", 3), JSON))) as server:
        code, table = run_cli(tmp_path, clean_env, server.url, rows=3)
    shown = capsys.readouterr().out
    assert code == 1
    assert table["bulk_status"].tolist() == ["rejected"] * 3
    assert "Courier refused every user of batch 1" in table["bulk_error"].iloc[0]
    assert "3 Courier error(s) matched no single row" in shown


def test_one_unplaceable_error_among_accepted_rows_does_not_exit_0(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Courier says two of the three users went in: the refused one cannot be placed, so no row is
    # known to be in the job.
    body = orjson.dumps({"errors": [{"error": "Invalid user", "user": {"userId": "u0"}}], "total": 2})
    with HostileServer(courier_until_ingest(Answer(200, body, JSON))) as server:
        code, table = run_cli(tmp_path, clean_env, server.url, rows=3)
    assert code == 1
    assert table["bulk_status"].tolist() == ["failed"] * 3
    assert "matches no single row of the batch" in table["bulk_error"].iloc[0]
    assert "1 Courier error(s) matched no single row" in capsys.readouterr().out


def test_ten_thousand_errors_in_an_unknown_shape_are_matched_in_linear_time() -> None:
    # 525 s for 10,000 rows when each unmatched error indexed the whole batch again: held to the CPU
    # time of 1,000 rows (the server answers in this process, so its time counts on both sides).
    results: dict[int, SubmitResult] = {}

    def submitted(rows: int) -> Callable[[], None]:
        frame, answer = prepared_frame(users(rows)), Answer(200, every_user_refused("userId", rows), JSON)

        def run() -> None:
            with HostileServer(courier_until_ingest(answer)) as server:
                results[rows] = submit(
                    frame,
                    event="E",
                    api_key=TOKEN,
                    base_url=server.url,
                    batch_size=rows,
                    concurrency=1,
                    progress=False,
                )

        return run

    assert_linear(submitted(1_000), submitted(10_000))
    result = results[10_000]
    assert (result.df["bulk_status"] == "rejected").all()
    assert len(result.unmatched_errors) == 10_000
    assert set(result.unmatched_errors["candidates"]) == {0}


# ------------------------------------------------------------------------------------------- options


def test_the_cli_request_timeout_bounds_a_run_against_a_server_that_never_answers(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with HostileServer(courier_until_ingest(Answer(200, hang=True))) as server:
        started = time.monotonic()
        code, table = run_cli(tmp_path, clean_env, server.url, rows=2, timeout="0.5")
        elapsed = time.monotonic() - started
    assert elapsed < 10
    assert code == 1
    assert table["bulk_status"].tolist() == ["failed"] * 2
    assert "deadline of 0.5 s" in table["bulk_error"].iloc[0]
    assert TOKEN not in capsys.readouterr().out


@pytest.mark.parametrize("mode", [[], ["--stream"]], ids=["in-memory", "streamed"])
@pytest.mark.parametrize("answer", [Answer(200, hang=True), Answer(503)], ids=["hangs", "503"])
def test_a_run_stops_sending_once_batches_in_a_row_fail(
    answer: Answer,
    mode: list[str],
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Against a server that stopped answering, the batches left do not each spend a deadline."""
    with HostileServer(courier_until_ingest(answer)) as server:
        started = time.monotonic()
        code, table = run_cli(
            tmp_path, clean_env, server.url, rows=400, timeout="1", extra=["--batch-size", "10", *mode]
        )
        elapsed = time.monotonic() - started
    # 40 batches, 4 in flight at a time: without the stop, ten rounds of the 1 s deadline.
    assert elapsed < 6
    assert code == 3
    assert set(table["bulk_status"]) == {"failed"}
    stopped = "not sent: sending stopped (3 batches in a row failed to reach"
    not_sent = table["bulk_error"].str.startswith(stopped)
    assert not_sent.sum() >= 400 - 10 * 6  # only the batches sent before the stop, and those in flight
    waited = table.loc[~not_sent, "bulk_error"]
    assert waited.str.contains("deadline of 1 s").all()
    assert "nothing more was sent" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf", "nan"])
def test_the_cli_refuses_a_request_timeout_that_is_not_positive_seconds(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["submit", "users.csv", "--mapping", "m.yaml", "--event", "E", "--request-timeout", value])
    assert code == 2
    assert "--request-timeout" in capsys.readouterr().err


def test_submit_takes_a_deadline_or_a_client_not_both() -> None:
    with (
        CourierClient(TOKEN, "http://127.0.0.1:9") as client,
        pytest.raises(ConfigurationError, match="request_deadline"),
    ):
        submit(prepared_frame(users(1)), event="E", client=client, request_deadline=5, progress=False)


def test_submit_passes_its_deadline_to_the_client_it_makes() -> None:
    with HostileServer(courier_until_ingest(Answer(200, hang=True))) as server:
        started = time.monotonic()
        result = submit(
            prepared_frame(users(1)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            request_deadline=0.5,
            progress=False,
        )
    assert time.monotonic() - started < 10
    assert result.df["bulk_status"].tolist() == ["failed"]
    assert "deadline of 0.5 s (request_deadline)" in result.df["bulk_error"].iloc[0]
