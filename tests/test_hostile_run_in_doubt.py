"""A job is never run while a batch's answer is in doubt: the batch goes again first, then the job runs once.

The sandbox stores each batch of :class:`LostAnswers` and then drops the connection, on every attempt:
Courier holds the users, the client never hears so. The job must stay CREATED (a job that ran takes no
more users), every row keep the status it earned, and a run again resend the batch under the same
idempotency key, run the job once, and leave each user in it once.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN
from test_submit_cli import results, run_in_process, write_input

from bulkprep import prepare
from bulkprep.delivery import run_withheld
from bulkprep.errors import RunWithheld
from bulkprep.retry import RetryPolicy
from bulkprep.sandbox import Sandbox
from bulkprep.sandbox.faults import Decision
from bulkprep.stream.result import StreamedSubmitResult
from bulkprep.stream.submitting import submit_file
from bulkprep.submit import submit

ROWS = [(f"u{i}", f"user{i}@example.com", f"User {i}") for i in range(6)]
MAPPING = {"recipient": "user_id", "profile": {"email": "Email"}, "data": {"name": "Name"}}
ATTEMPTS = 3  # each lost answer is asked for this many times in all


def no_wait(_seconds: float) -> None:
    """Retries never really wait here."""


class LostAnswers:
    """Makes the sandbox drop the answer to its first ``count`` ingestions (after storing their users)."""

    def __init__(self, sandbox: Sandbox, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
        injector = sandbox._gateway.injector
        decide, self.left = injector.decide, count
        lock = threading.Lock()

        def losing(*, ingest: bool) -> Decision:
            with lock:
                lose = ingest and self.left > 0
                self.left -= lose
            return Decision(drop=True) if lose else decide(ingest=ingest)

        monkeypatch.setattr(injector, "decide", losing)


def runs(sb: Sandbox) -> list[int]:
    return [record.status for record in sb.requests if record.path.endswith("/run")]


def ingest_keys(sb: Sandbox) -> list[str | None]:
    return [r.idempotency_key for r in sb.requests if r.method == "POST" and r.path.count("/") == 2]


def each_user_once(sb: Sandbox, job_id: str) -> None:
    assert Counter(user["recipient"] for user in sb.users(job_id)) == Counter(u for u, _, _ in ROWS)


def frame() -> Any:
    users = pd.DataFrame(ROWS, columns=["user_id", "Email", "Name"])
    return prepare(users, MAPPING)


def send(sb: Sandbox, **options: Any) -> Any:
    defaults: dict[str, Any] = {"event": "WELCOME", "batch_size": 2, "concurrency": 1, "run": True}
    return submit(
        frame(),
        api_key=TOKEN,
        base_url=sb.url,
        sleep=no_wait,
        retry=RetryPolicy(max_attempts=ATTEMPTS),
        progress=False,
        **{**defaults, **options},
    )


def test_a_lost_answer_leaves_the_job_unrun_and_the_journal_resends_it_then_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        LostAnswers(sb, ATTEMPTS, monkeypatch)
        with pytest.raises(RunWithheld) as caught:
            send(sb, journal=journal)
        result = caught.value.result
        assert result.df["bulk_status"].tolist() == ["failed"] * 2 + ["accepted"] * 4
        reason = result.df["bulk_error"].iloc[0]
        assert "batch 1 lost its answer" in reason
        assert "run the same command again with the same journal" in reason
        assert "under the same idempotency key, then runs the job" in reason
        assert "safe to submit again" not in reason
        assert result.left_to_do.startswith(f"job {result.job_id} was not run: the answer to batch(es) 1")
        assert "4 row(s) accepted, 2 failed" in result.left_to_do
        assert f"with the same journal {journal}: it resends the batches in doubt" in result.left_to_do
        assert "under the same idempotency keys, then runs the job" in result.left_to_do
        assert runs(sb) == []
        assert sb.jobs[result.job_id]["status"] == "CREATED"
        first_keys = ingest_keys(sb)

        again = send(sb, journal=journal, wait=True, poll_interval=0.01)
        assert again.df["bulk_status"].tolist() == ["accepted"] * 6
        assert again.left_to_do is None
        assert again.job_status == "COMPLETED"
        assert runs(sb) == [204]
        each_user_once(sb, result.job_id)
        resent = ingest_keys(sb)[len(first_keys) :]
        assert resent == [first_keys[0]]  # only batch 1 went again, under its key


def test_without_a_journal_the_job_id_resumes_and_the_job_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        LostAnswers(sb, ATTEMPTS, monkeypatch)
        with pytest.raises(RunWithheld) as caught:
            send(sb)
        result = caught.value.result
        job_id = result.job_id
        assert result.df["bulk_status"].tolist() == ["failed"] * 2 + ["accepted"] * 4
        assert f"--job {job_id} --run / job_id={job_id!r}, run=True" in result.left_to_do
        assert "under the same idempotency key" in result.left_to_do
        assert f"--job {job_id} / job_id=..." in result.df["bulk_error"].iloc[0]
        assert runs(sb) == []

        again = send(sb, event=None, job_id=job_id)
        assert again.df["bulk_status"].tolist() == ["accepted"] * 6
        assert runs(sb) == [204]
        each_user_once(sb, job_id)


def test_a_streamed_submit_withholds_the_run_writes_every_row_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users, _ = write_input(tmp_path, ROWS)
    out, journal = tmp_path / "submitted.csv", tmp_path / "run.journal"
    options: dict[str, Any] = {
        "results": out,
        "event": "WELCOME",
        "batch_size": 2,
        "concurrency": 1,
        "run": True,
        "journal": journal,
        "api_key": TOKEN,
        "sleep": no_wait,
        "retry": RetryPolicy(max_attempts=ATTEMPTS),
        "progress": False,
    }
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        LostAnswers(sb, ATTEMPTS, monkeypatch)
        with pytest.raises(RunWithheld) as caught:
            submit_file(users, MAPPING, base_url=sb.url, **options)
        result = caught.value.result
        assert isinstance(result, StreamedSubmitResult)
        written = results(out)
        assert written["bulk_status"].tolist() == ["failed"] * 2 + ["accepted"] * 4
        assert "batch 1 lost its answer" in written["bulk_error"].iloc[0]
        assert result.left_to_do is not None
        assert "was not run: the answer to batch(es) 1 was lost" in result.left_to_do
        assert f"with the same journal {journal}: it resends the batches in doubt" in result.left_to_do
        assert runs(sb) == []

        again = submit_file(users, MAPPING, base_url=sb.url, **options)
        assert again.summary["accepted"] == 6
        assert again.left_to_do is None
        assert results(out)["bulk_status"].tolist() == ["accepted"] * 6
        assert runs(sb) == [204]
        each_user_once(sb, result.job_id)


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "stream"])
def test_the_command_line_exits_3_saying_the_job_was_not_run_and_a_run_again_finishes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stream: bool,
) -> None:
    monkeypatch.setattr(RetryPolicy, "delay", lambda *_args, **_kwargs: 0.0)  # retries never wait
    users, mapping = write_input(tmp_path, ROWS)
    out, journal = tmp_path / "out.csv", tmp_path / "run.journal"
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        args = [str(users), "--mapping", str(mapping), "--event", "WELCOME", "--base-url", sb.url]
        args += ["--batch-size", "2", "--concurrency", "1", "--run", "--journal", str(journal)]
        args += ["--out", str(out), *(["--stream"] if stream else [])]
        LostAnswers(sb, RetryPolicy().max_attempts, monkeypatch)
        code, printed, said = run_in_process(args, clean_env, capsys, TOKEN)
        assert code == 3
        (job_id,) = sb.jobs
        assert f"job {job_id} was not run: the answer to batch(es) 1 was lost" in said
        assert f"not finished: job {job_id} was not run" in printed
        assert f"run the same command again with the same journal {journal}" in printed
        assert results(out)["bulk_status"].tolist() == ["failed"] * 2 + ["accepted"] * 4
        assert runs(sb) == []

        code, printed, said = run_in_process(args, clean_env, capsys, TOKEN)
        assert code == 0, said
        assert results(out)["bulk_status"].tolist() == ["accepted"] * 6
        assert runs(sb) == [204]
        each_user_once(sb, job_id)


def test_the_run_is_withheld_only_while_a_batch_is_in_doubt_and_says_which() -> None:
    assert run_withheld("J", set()) is None
    withheld = run_withheld("J", set(range(12, 0, -1)))
    assert isinstance(withheld, RunWithheld)
    assert str(withheld).startswith(
        "job J was not run: the answer to batch(es) 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ..."
    )
    assert withheld.retryable
