"""Whatever fails once users were sent, every row keeps the status it earned and the results are written.

Each test drives one failure after (or while) sending against a misbehaving Courier on loopback
(:class:`hostile.ScriptedCourier`) or the sandbox's fault switches, through the library and the command line.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import (
    JOB_ID,
    KEY_REVOKED,
    TAKEN,
    Answer,
    HostileServer,
    ScriptedCourier,
    job_answer,
    json_answer,
    one_user_on_every_page,
)
from prepared_frames import prepared_frame
from test_submit_cli import GOOD, results, run_in_process, write_input

from bulkprep.errors import AuthenticationError, CourierError, ProtocolError
from bulkprep.report import top_problems
from bulkprep.results import SubmitResult
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Retries and polls never really wait here."""


def prepared(count: int) -> pd.DataFrame:
    return prepared_frame([{"recipient": f"u{i}", "data": {"n": i}} for i in range(count)])


def send(url: str, frame: pd.DataFrame, **options: Any) -> SubmitResult:
    options = {"event": "WELCOME", "api_key": TOKEN, "base_url": url, "sleep": no_wait, **options}
    return submit(frame, progress=False, **options)


def statuses(result: SubmitResult) -> list[str]:
    return result.df["bulk_status"].tolist()


#: Courier asking to come back in eleven days, every time.
SLOW_DOWN_FOREVER = Answer(
    429,
    b'{"message": "slow down", "type": "rate_limit_error"}',
    {"Content-Type": "application/json", "Retry-After": "1000000"},
)


def revoked_after(accepted_calls: int) -> Any:
    """Ingest answers: the first ``accepted_calls`` taken, then the key refused."""
    return lambda number: TAKEN if number <= accepted_calls else KEY_REVOKED


# ------------------------------------------------------------------------------------------- the library


def test_a_key_revoked_midway_raises_with_every_row_s_outcome() -> None:
    courier = ScriptedCourier(ingest=revoked_after(2))
    with HostileServer(courier) as server, pytest.raises(AuthenticationError) as caught:
        send(server.url, prepared(6), batch_size=2, concurrency=1)
    result = caught.value.result
    assert isinstance(result, SubmitResult)
    assert statuses(result) == ["accepted"] * 4 + ["failed"] * 2
    assert result.job_id == JOB_ID
    assert result.summary["accepted"] == 4
    assert result.summary["failed"] == 2
    failed = result.df.loc[result.df["bulk_status"] == "failed", "bulk_error"]
    assert all(text.startswith("not sent: sending stopped (the API key was refused") for text in failed)
    assert result.left_to_do is not None
    assert "4 row(s) accepted, 2 not sent" in result.left_to_do
    assert f"--job {JOB_ID}" in result.left_to_do
    assert courier.calls["ingest"] == 3  # nothing more was sent after the refusal
    assert TOKEN not in repr(result) + str(caught.value) + result.df.to_csv()


def test_a_key_revoked_midway_with_a_journal_resumes_only_the_rest(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    healthy = ScriptedCourier()
    with HostileServer(ScriptedCourier(ingest=revoked_after(1))) as server:
        with pytest.raises(AuthenticationError) as caught:
            send(server.url, prepared(4), batch_size=2, concurrency=1, journal=journal)
        assert f"run the same submission again with the journal {journal}" in caught.value.result.left_to_do
        server.respond = healthy  # a new key works again
        again = send(server.url, prepared(4), batch_size=2, concurrency=1, journal=journal)
    assert statuses(again) == ["accepted"] * 4
    assert healthy.calls == {"ingest": 1}  # the job from the journal; only the unsent batch went out


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(json_answer(500, {"message": "boom"}), id="500"),
        pytest.param(json_answer(404, {"message": "no such job", "type": "invalid_request_error"}), id="404"),
    ],
)
def test_a_job_that_cannot_be_run_keeps_every_row_accepted(tmp_path: Path, refusal: Answer) -> None:
    journal = tmp_path / "run.journal"
    healthy = ScriptedCourier()
    with HostileServer(ScriptedCourier(run=refusal)) as server:
        with pytest.raises(CourierError) as caught:
            send(server.url, prepared(3), run=True, wait=True, journal=journal)
        server.respond = healthy
        again = send(server.url, prepared(3), run=True, wait=True, journal=journal)
    result = caught.value.result
    assert statuses(result) == ["accepted"] * 3
    assert f"the users are in job {JOB_ID}, but running it stopped" in result.left_to_do
    assert "to run the job (nothing is sent twice), run the same submission again with the journal" in (
        result.left_to_do
    )
    assert statuses(again) == ["accepted"] * 3
    assert again.left_to_do is None
    assert again.job_status == "COMPLETED"
    assert "ingest" not in healthy.calls
    assert healthy.calls["run"] == 1


def test_a_retried_run_told_already_run_after_its_answer_was_lost_is_success() -> None:
    # The first run request is handled, then its connection dropped; the retry hears 409 "already run".
    with Sandbox(token=TOKEN, processing_seconds=0, drop_every=3, ignore_idempotency=True) as sb:
        result = send(sb.url, prepared(2), run=True, wait=True)
        runs = [r.status for r in sb.requests if r.path.endswith("/run")]
        assert Counter(item["recipient"] for item in sb.users(result.job_id)) == Counter({"u0": 1, "u1": 1})
    assert runs == [204, 409]
    assert statuses(result) == ["accepted"] * 2
    assert result.job_status == "COMPLETED"
    assert result.left_to_do is None
    assert result.df["bulk_delivery_status"].notna().all()  # the users were read after the run


def test_a_run_refused_with_409_while_the_job_is_still_created_is_an_error() -> None:
    conflict = json_answer(409, {"message": "conflict", "type": "invalid_request_error"})
    server = HostileServer(ScriptedCourier(run=conflict))
    with server, pytest.raises(CourierError, match="409") as caught:
        send(server.url, prepared(2), run=True)
    assert statuses(caught.value.result) == ["accepted"] * 2


@pytest.mark.parametrize(
    ("users", "error"),
    [
        pytest.param(json_answer(503, {"message": "down"}), CourierError, id="503"),
        pytest.param(
            json_answer(200, {"items": [], "paging": {"more": True, "cursor": "again"}}),
            ProtocolError,
            id="repeated-cursor",
        ),
    ],
)
def test_users_that_cannot_be_read_leave_the_rows_accepted_with_delivery_unknown(
    users: Answer, error: type[CourierError]
) -> None:
    with HostileServer(ScriptedCourier(users=users)) as server, pytest.raises(error) as caught:
        send(server.url, prepared(3), run=True, wait=True)
    result = caught.value.result
    assert statuses(result) == ["accepted"] * 3
    assert result.df["bulk_delivery_status"].isna().all()
    assert f"job {JOB_ID} runs, but reading its users' delivery states stopped" in result.left_to_do


def test_a_wait_that_times_out_returns_the_result_with_delivery_unknown() -> None:
    courier = ScriptedCourier(job=job_answer("PROCESSING", received=3))
    with HostileServer(courier) as server:
        result = send(server.url, prepared(3), run=True, wait=True, wait_timeout=5)
    assert statuses(result) == ["accepted"] * 3
    assert result.job_status == "PROCESSING"
    assert result.df["bulk_delivery_status"].isna().all()
    assert result.left_to_do is not None
    assert f"job {JOB_ID} was still PROCESSING after waiting 5 s" in result.left_to_do
    assert "users" not in courier.calls


def test_after_a_wait_that_timed_out_the_same_run_with_its_journal_waits_again(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    finished = ScriptedCourier(job=job_answer("COMPLETED", received=2))
    with HostileServer(ScriptedCourier(job=job_answer("PROCESSING", received=2))) as server:
        first = send(server.url, prepared(2), run=True, wait=True, wait_timeout=3, journal=journal)
        assert first.left_to_do is not None
        assert f"wait again and read them, run the same submission again with the journal {journal}" in (
            first.left_to_do
        )
        server.respond = finished
        again = send(server.url, prepared(2), run=True, wait=True, wait_timeout=3, journal=journal)
    assert again.left_to_do is None
    assert again.job_status == "COMPLETED"
    assert statuses(again) == ["accepted"] * 2
    assert finished.calls.keys() == {"job", "users"}  # nothing sent, the job not run again


def test_the_wait_timeout_counts_the_looks_at_the_job_too() -> None:
    def slow_job(_number: int) -> Answer:
        time.sleep(0.2)  # each look takes a while; the pauses between looks are nothing
        return job_answer("PROCESSING", received=1)

    courier = ScriptedCourier(job=slow_job)
    with HostileServer(courier) as server:
        result = send(server.url, prepared(1), run=True, wait=True, wait_timeout=1, poll_interval=0.001)
    assert result.job_status == "PROCESSING"
    # Counting only the pauses (0.001 s growing by half) would take some 17 looks to reach 1 s.
    assert courier.calls["job"] <= 10


def test_users_pages_that_never_end_stop_when_the_time_for_reading_them_runs_out() -> None:
    """Each page new (a fresh cursor, a known user): the listing ends by time, long before its page cap."""
    courier = ScriptedCourier(users=one_user_on_every_page("u0"))
    with HostileServer(courier) as server, pytest.raises(CourierError) as caught:
        send(server.url, prepared(1), run=True, wait=True, wait_timeout=1, request_deadline=1)
    assert "when the time for reading them ran out (1 s); stopped reading" in str(caught.value)
    result = caught.value.result
    assert statuses(result) == ["accepted"]
    assert result.df["bulk_delivery_status"].isna().all()
    assert f"job {JOB_ID} runs, but reading its users' delivery states stopped" in result.left_to_do
    assert courier.calls["users"] < 10_000  # the page cap for one row sent is 10,004


def test_a_job_no_user_reached_is_not_run_and_says_how_to_send_its_rows() -> None:
    """Every batch refused for now (rate-limited past the deadline): nothing to run, the rows left to do."""
    courier = ScriptedCourier(ingest=SLOW_DOWN_FOREVER, job=job_answer("CREATED"))
    with HostileServer(courier) as server:
        result = send(server.url, prepared(2), run=True, request_deadline=5)
    assert statuses(result) == ["failed"] * 2
    assert not courier.ran
    assert result.left_to_do is not None
    assert f"job {JOB_ID} was not run: no user reached it (2 row(s) failed to send" in result.left_to_do
    assert f"submit the failed rows again (add them to this job with --job {JOB_ID}" in result.left_to_do
    (fix,) = top_problems(result.errors)["fix"].tolist()
    assert "without one, submit the failed rows again (to the same job with --job)" in fix


def dawdling(answer: Answer) -> Answer:
    """``answer`` dripped a byte every half second: tens of seconds for a job's answer."""
    return Answer(answer.status, answer.body, answer.headers, drip=0.5)


def test_a_look_at_the_job_that_dawdles_ends_with_the_wait_not_its_own_deadline() -> None:
    """The looks while waiting end by the wait's end: a job answer that drips stops the wait in time."""
    processing = job_answer("PROCESSING", received=1)
    courier = ScriptedCourier(job=lambda number: processing if number == 1 else dawdling(processing))
    with HostileServer(courier) as server:
        result = send(server.url, prepared(1), run=True, wait=True, wait_timeout=1, request_deadline=8)
    assert result.job_status == "PROCESSING"
    assert result.left_to_do is not None
    assert f"job {JOB_ID} was still PROCESSING after waiting 1 s" in result.left_to_do
    assert courier.calls["job"] == 2


def test_the_look_after_running_a_job_that_is_waited_for_ends_with_the_wait() -> None:
    courier = ScriptedCourier(job=dawdling(job_answer("COMPLETED", received=1)))
    with HostileServer(courier) as server, pytest.raises(CourierError) as caught:
        send(server.url, prepared(1), run=True, wait=True, wait_timeout=1, request_deadline=8)
    assert "got no answer before the time left of the wait it is part of ran out" in str(caught.value)
    assert statuses(caught.value.result) == ["accepted"]
    assert courier.ran


# ------------------------------------------------------------------------------------------- the CLI


def cli(args: list[str], clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    return run_in_process(args, clean_env, capsys, TOKEN)


@pytest.mark.parametrize(
    ("courier", "extra", "accepted", "fragment"),
    [
        pytest.param(
            ScriptedCourier(ingest=revoked_after(1)),
            ["--batch-size", "1", "--concurrency", "1"],
            1,
            "sending to job 1-hostile stopped",
            id="key-revoked-midway",
        ),
        pytest.param(
            ScriptedCourier(run=json_answer(404, {"message": "gone"})),
            ["--run"],
            3,
            "the users are in job 1-hostile, but running it stopped",
            id="run-404",
        ),
        pytest.param(
            ScriptedCourier(users=json_answer(200, {"items": [], "paging": {"more": True, "cursor": "c"}})),
            ["--run", "--wait"],
            3,
            "job 1-hostile runs, but reading its users' delivery states stopped",
            id="users-repeat-a-cursor",
        ),
        pytest.param(
            ScriptedCourier(job=job_answer("PROCESSING", received=3)),
            ["--run", "--wait", "--wait-timeout", "0"],
            3,
            "job 1-hostile was still PROCESSING after waiting 0 s",
            id="wait-timeout",
        ),
        pytest.param(
            ScriptedCourier(ingest=SLOW_DOWN_FOREVER, job=job_answer("CREATED")),
            ["--run", "--request-timeout", "5"],
            0,
            "job 1-hostile was not run: no user reached it (3 row(s) failed to send",
            id="ingest-rate-limited-forever",
        ),
    ],
)
def test_the_cli_writes_results_and_errors_and_exits_3_when_the_run_stops_after_the_job_is_open(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    courier: ScriptedCourier,
    extra: list[str],
    accepted: int,
    fragment: str,
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    out, errors, journal = tmp_path / "out.csv", tmp_path / "errors.csv", tmp_path / "run.journal"
    with HostileServer(courier) as server:
        args = [str(users), "--mapping", str(mapping), "--event", "E", "--base-url", server.url]
        args += ["--out", str(out), "--errors", str(errors), "--journal", str(journal), *extra]
        code, stdout, stderr = cli(args, clean_env, capsys)
    assert code == 3, stderr
    assert "Traceback" not in stderr
    table = results(out)
    assert table["bulk_status"].tolist() == ["accepted"] * accepted + ["failed"] * (3 - accepted)
    assert f"results written to {out}" in stdout
    assert f"errors written to {errors}" in stdout
    assert f"not finished: {fragment}" in stdout
    assert f"run the same submission again with the journal {journal}" in stdout
    if accepted < 3:
        assert results(errors)["code"].tolist() == ["send_failed"] * (3 - accepted)
    assert TOKEN not in stdout + stderr + out.read_text(encoding="utf-8-sig")


def test_submit_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    from bulkprep.cli import main

    assert main(["submit", "--help"]) == 0
    text = capsys.readouterr().out
    for code in ("0 ", "1 ", "2 ", "3 ", "130 "):
        assert f"\n  {code}" in text
    assert "--wait-timeout SECONDS" in text
