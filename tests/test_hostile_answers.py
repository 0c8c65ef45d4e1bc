"""Answers that look like Courier's but do not add up: counts that contradict the batch, users pages that
never end, the key in a header urllib3 keeps a copy of. No row is accepted on their word, every run ends."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN
from hostile import JOB_ID, Answer, HostileServer, ScriptedCourier, courier_until_ingest, job_answer
from prepared_frames import prepared_frame
from test_submit_cli import GOOD, results, run_in_process, write_input

from bulkprep.client import CourierClient
from bulkprep.errors import AuthenticationError, ProtocolError, RunWithheld
from bulkprep.journal import Journal, RefusedAnswer
from bulkprep.results import SubmitResult
from bulkprep.status import BatchState
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def users(count: int) -> list[dict[str, object]]:
    return [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(count)]


def ingest_answer(document: object) -> Answer:
    return Answer(200, json.dumps(document).encode(), {"Content-Type": "application/json"})


def submit_users_to(ingest: Answer, payloads: list[dict[str, object]], **options: Any) -> SubmitResult:
    """``payloads`` submitted to a Courier that answers every ingest with ``ingest``."""
    with HostileServer(courier_until_ingest(ingest)) as server:
        return submit(
            prepared_frame(payloads),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            concurrency=1,
            sleep=no_wait,
            progress=False,
            **options,
        )


def submit_three_users_to(ingest: Answer) -> SubmitResult:
    """Three users submitted to a Courier that answers every ingest with ``ingest``."""
    return submit_users_to(ingest, users(3))


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


@pytest.mark.parametrize("total", [4, 5000, 10**12])
def test_a_total_above_what_a_new_job_can_hold_accepts_no_row(total: int) -> None:
    # The job was made for these three users: no count of its users or of the request's exceeds 3.
    result = submit_three_users_to(ingest_answer({"errors": [], "total": total}))
    assert result.summary["accepted"] == 0
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "more than the 3 this submission's job can hold" in result.df["bulk_error"].iloc[0]


def test_a_total_counting_other_users_of_a_job_the_caller_gave_accepts_the_batch() -> None:
    # A job given by id may hold users of earlier submissions: a count of the whole job may be larger.
    with HostileServer(courier_until_ingest(ingest_answer({"errors": [], "total": 500}))) as server:
        result = submit(
            prepared_frame(users(3)),
            job_id=JOB_ID,
            api_key=TOKEN,
            base_url=server.url,
            sleep=no_wait,
            progress=False,
        )
    assert result.summary["accepted"] == 3


NOBODY = {"error": "Invalid", "user": {"user_id": "nobody"}}


def test_an_error_for_no_user_of_the_batch_leaves_every_row_failed_though_the_total_adds_up(
    tmp_path: Path,
) -> None:
    # 10 sent, 9 taken, 1 refused: the counts agree, but which user was refused is not known.
    journal = tmp_path / "run.sqlite"
    result = submit_users_to(ingest_answer({"errors": [NOBODY], "total": 9}), users(10), journal=journal)
    assert result.summary["accepted"] == 0
    assert result.df["bulk_status"].tolist() == ["failed"] * 10
    text = result.df["bulk_error"].iloc[0]
    assert "HTTP 200, total 9 and 1 error(s), 1 of them for a user that matches no single row" in text
    assert '\'Invalid\' for {"user_id":"nobody"}' in text
    assert "run the same command again with the same journal" in text
    assert "under the same idempotency key, then runs the job" in text
    assert result.unmatched_errors[["batch", "error", "candidates"]].to_dict("records") == [
        {"batch": 1, "error": "Invalid", "candidates": 0}
    ]
    codes = result.errors.loc[result.errors["stage"] == "ingest", "code"].value_counts().to_dict()
    assert codes == {"send_failed": 10, "unmatched_error": 1}
    with Journal.open(journal) as book:
        (entry,) = book.batches()
    assert entry.state is BatchState.FAILED  # a resumed run sends it again, under the same key
    assert "matches no single row" in RefusedAnswer.from_json(entry.answer).message


def test_without_a_journal_the_reason_says_to_check_the_job_before_a_new_one() -> None:
    result = submit_users_to(ingest_answer({"errors": [NOBODY], "total": 9}), users(10))
    text = result.df["bulk_error"].iloc[0]
    assert "check job 1-hostile before sending these rows again" in text
    assert "would get the message twice" in text


def test_an_error_placed_only_by_an_email_two_rows_share_leaves_the_batch_failed() -> None:
    shared = [{"recipient": f"u{i}", "profile": {"email": "same@example.com"}} for i in range(2)]
    refused = {"error": "Invalid", "user": {"email": "same@example.com"}}
    result = submit_users_to(ingest_answer({"errors": [refused], "total": 2}), [*shared, *users(3)[2:]])
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert result.unmatched_errors["candidates"].tolist() == [2]


def test_the_rows_courier_s_errors_do_match_keep_its_words_beside_the_reason() -> None:
    placed = {"error": "Bad phone", "user": {"user_id": "u1"}}
    result = submit_users_to(ingest_answer({"errors": [placed, NOBODY], "total": 1}), users(3))
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert result.df["bulk_error"].iloc[1].endswith("(Courier's error for this row: Bad phone)")
    assert "Courier's error for this row" not in result.df["bulk_error"].iloc[0]


def test_an_error_naming_a_user_id_rows_share_is_one_courier_user_and_accepts_the_batch() -> None:
    twins = [{"recipient": "twin", "data": {"n": n}} for n in (1, 2)]
    duplicate = {"error": "Duplicate user", "user": {"user_id": "twin"}}
    result = submit_users_to(ingest_answer({"errors": [duplicate], "total": 2}), [*twins, *users(1)])
    assert result.df["bulk_status"].tolist() == ["accepted"] * 3
    assert result.unmatched_errors["candidates"].tolist() == [2]


def test_a_duplicate_user_for_no_row_of_a_batch_sent_again_is_that_batch_s_own_user(tmp_path: Path) -> None:
    # The first answer is lost; the batch goes again and Courier finds its users already in the job.
    again = ingest_answer({"errors": [{"error": "Duplicate user", "user": {}}] * 3, "total": 0})
    courier = ScriptedCourier(ingest=lambda call: Answer(502) if call == 1 else again)
    with HostileServer(courier) as server:
        result = submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            sleep=no_wait,
            progress=False,
        )
    assert courier.calls["ingest"] == 2
    assert result.df["bulk_status"].tolist() == ["accepted"] * 3


def test_the_cli_writes_the_unplaceable_error_with_an_empty_row_and_exits_1(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users_file, mapping = write_input(tmp_path, GOOD)
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    with HostileServer(courier_until_ingest(ingest_answer({"errors": [NOBODY], "total": 2}))) as server:
        args = [str(users_file), "--mapping", str(mapping), "--event", "E", "--base-url", server.url]
        code, _, stderr = run_in_process(
            [*args, "--out", str(out), "--errors", str(errors)], clean_env, capsys, TOKEN
        )
    assert code == 1, stderr
    assert results(out)["bulk_status"].tolist() == ["failed"] * 3
    table = results(errors)
    assert table.loc[table["code"] == "unmatched_error", "bulk_row"].tolist() == [""]  # no row: empty
    assert table.loc[table["code"] == "send_failed", "bulk_row"].tolist() == ["2", "3", "4"]
    text = errors.read_text(encoding="utf-8-sig")
    for row in csv.reader(text.splitlines(), delimiter=";"):  # a spreadsheet splitting on semicolons
        assert not row[0].startswith(("-", "+", "=", "@")), row[0]


def test_a_batch_sent_again_whose_answer_counts_fewer_users_than_it_holds_accepts_no_row() -> None:
    # The first answer is lost; the second says no user went in and none was refused.
    courier = ScriptedCourier(
        ingest=lambda call: Answer(502) if call == 1 else ingest_answer({"errors": [], "total": 0})
    )
    with HostileServer(courier) as server:
        result = submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            sleep=no_wait,
            progress=False,
        )
    assert courier.calls["ingest"] == 2
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "does not add up" in result.df["bulk_error"].iloc[0]


def test_a_job_no_user_is_known_to_be_in_is_not_run_and_the_result_says_what_is_left() -> None:
    # No user is known to be in the job, but the batch's are in doubt: Courier may hold them. The job
    # is not run (it would take them no more) and, not a plain return, the result says how to finish.
    courier = ScriptedCourier(
        ingest=ingest_answer({"errors": [NOBODY], "total": 2}), job=job_answer("CREATED", received=0)
    )
    with HostileServer(courier) as server, pytest.raises(RunWithheld) as caught:
        submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            run=True,
            wait=True,
            sleep=no_wait,
            progress=False,
        )
    result = caught.value.result
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "run" not in courier.calls
    assert result.left_to_do.startswith("job 1-hostile was not run: the answer to batch(es) 1 was lost")
    assert "0 row(s) accepted, 3 failed" in result.left_to_do
    assert "--job 1-hostile --run" in result.left_to_do
    assert "timed out" not in result.left_to_do  # it was not waited for


@pytest.mark.parametrize("kind", ["text/html", "application/json", None])
@pytest.mark.parametrize("blanks", [b"   ", b"\r\n", b"\t \n"])
def test_a_2xx_of_blanks_is_not_an_empty_answer_and_accepts_no_row(blanks: bytes, kind: str | None) -> None:
    result = submit_three_users_to(Answer(200, blanks, {"Content-Type": kind} if kind else {}))
    assert result.summary["accepted"] == 0
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert "not Courier's" in result.df["bulk_error"].iloc[0]


def test_a_job_id_too_long_to_be_courier_s_is_refused_before_anything_is_sent() -> None:
    huge = ingest_answer({"jobId": "J" * 3_000_000})

    def respond(method: str, path: str) -> Answer:
        return huge if (method, path) == ("POST", "/bulk") else Answer(204)

    with HostileServer(respond) as server:
        with pytest.raises(ProtocolError, match="a jobId of 3,000,000 characters") as caught:
            submit(prepared_frame(users(3)), event="E", api_key=TOKEN, base_url=server.url, progress=False)
        assert server.requests == [("POST", "/bulk")]
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("job_id", ["j1\nresults written to /etc/shadow", "j1\u2028ALL ROWS ACCEPTED"])
def test_a_job_id_with_a_line_break_is_refused_before_anything_is_sent_to_it(job_id: str) -> None:
    made = ingest_answer({"jobId": job_id})

    def respond(method: str, path: str) -> Answer:
        return made if (method, path) == ("POST", "/bulk") else Answer(204)

    with HostileServer(respond) as server:
        with pytest.raises(ProtocolError, match="a jobId with a line break in it") as caught:
            submit(prepared_frame(users(3)), event="E", api_key=TOKEN, base_url=server.url, progress=False)
        assert server.requests == [("POST", "/bulk")]
    assert len(str(caught.value).splitlines()) == 1


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


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "streamed"])
def test_a_job_courier_reports_in_error_exits_1_and_says_so(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stream: bool
) -> None:
    # Every user was taken and none is reported in ERROR, but the job itself ended in ERROR.
    users_file, mapping = write_input(tmp_path, GOOD)
    courier = ScriptedCourier(job=job_answer("ERROR", received=3))
    with HostileServer(courier) as server:
        args = [str(users_file), "--mapping", str(mapping), "--event", "E", "--base-url", server.url]
        code, printed, stderr = run_in_process(
            [*args, "--out", str(tmp_path / "out.csv"), "--run", "--wait", *(["--stream"] if stream else [])],
            clean_env,
            capsys,
            TOKEN,
        )
    assert code == 1, stderr
    assert f"job {JOB_ID} ended in ERROR" in printed
    assert results(tmp_path / "out.csv")["bulk_status"].tolist() == ["accepted"] * 3


@pytest.mark.parametrize(
    ("job_id", "said"),
    [
        (".", "that is a path's dot segment"),
        ("..", "that is a path's dot segment"),
        ("", ""),
        ("  ", "that is empty"),
    ],
)
def test_a_job_id_that_names_another_path_is_refused_before_anything_is_sent_to_it(
    job_id: str, said: str
) -> None:
    # /bulk/.. is /, and /bulk/ (an empty id) the jobs' own path: ingesting there reaches no job.
    made = ingest_answer({"jobId": job_id})

    def respond(method: str, path: str) -> Answer:
        return made if (method, path) == ("POST", "/bulk") else Answer(204)

    with HostileServer(respond) as server:
        with pytest.raises(ProtocolError, match=f"a jobId {said}"):
            submit(prepared_frame(users(3)), event="E", api_key=TOKEN, base_url=server.url, progress=False)
        assert server.requests == [("POST", "/bulk")]
