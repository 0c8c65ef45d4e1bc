"""``bulkprep submit``'s traps: running twice, nothing ready, clashing files, unusable journals, Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TOKEN, HeldIngestion
from test_journal import held_by_another_process
from test_submit_cli import GOOD, ROOT, bulkprep_submit, results, run_in_process, write_input

from bulkprep.journal import Journal
from bulkprep.sandbox import Sandbox


def submit_args(users: Path, mapping: Path, url: str, *extra: str) -> list[str]:
    return [str(users), "--mapping", str(mapping), "--event", "WELCOME", "--base-url", url, *extra]


def test_the_same_file_submitted_twice_without_a_journal_makes_two_jobs(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    for _ in range(2):
        code, _, err = run_in_process(submit_args(users, mapping, sandbox.url), clean_env, capsys, TOKEN)
        assert code == 0, err
    first, second = sandbox.jobs
    for job_id in (first, second):
        assert Counter(u["recipient"] for u in sandbox.users(job_id)) == Counter({"u1": 1, "u2": 1, "u3": 1})


def test_with_a_journal_the_second_run_resumes_the_first_job(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    args = submit_args(users, mapping, sandbox.url, "--journal", str(tmp_path / "run.journal"))
    for _ in range(2):
        assert run_in_process(args, clean_env, capsys, TOKEN)[0] == 0
    assert len(sandbox.jobs) == 1


def test_a_new_journal_for_the_same_file_makes_a_new_job(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    for name in ("monday.journal", "tuesday.journal"):
        args = submit_args(users, mapping, sandbox.url, "--journal", str(tmp_path / name))
        assert run_in_process(args, clean_env, capsys, TOKEN)[0] == 0
    assert len(sandbox.jobs) == 2


def test_no_ready_row_sends_nothing_creates_no_job_and_exits_1(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, [("u1", "not-an-email", "Ann"), ("u2", "nope", "Bob")])
    code, out, err = run_in_process(
        submit_args(users, mapping, sandbox.url, "--run"), clean_env, capsys, TOKEN
    )
    assert code == 1, err
    assert "no row is ready: nothing was sent and no job was created" in out
    assert sandbox.requests == []
    assert results(tmp_path / "users.submitted.csv")["bulk_status"].tolist() == ["invalid", "invalid"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        pytest.param(["--out", "{input}"], "--out and the input are the same file", id="out-is-input"),
        pytest.param(
            ["--out", "{folder}/./users.csv"], "--out and the input are the same", id="out-resolves"
        ),
        pytest.param(["--errors", "{input}"], "--errors and the input are the same", id="errors-is-input"),
        pytest.param(
            ["--out", "{folder}/r.csv", "--errors", "{folder}/r.csv"],
            "--errors and --out are the same file",
            id="errors-is-out",
        ),
        pytest.param(["--journal", "{input}"], "--journal and the input are the same", id="journal-is-input"),
        pytest.param(
            ["--journal", "{folder}/users.submitted.csv"],
            "--journal and --out are the same file",
            id="journal-is-default-out",
        ),
    ],
)
def test_an_output_that_would_overwrite_another_file_of_the_run_is_refused_before_sending(
    tmp_path: Path,
    sandbox: Sandbox,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    fragment: str,
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    before = users.read_bytes()
    extra = [part.format(input=users, folder=tmp_path) for part in extra]
    code, _, err = run_in_process(submit_args(users, mapping, sandbox.url, *extra), clean_env, capsys, TOKEN)
    assert code == 2
    assert fragment in err
    assert users.read_bytes() == before
    assert sandbox.requests == []
    assert not (tmp_path / "users.submitted.csv").exists()


def test_an_output_that_is_a_hard_link_to_the_input_is_refused_before_sending(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    before = users.read_bytes()
    alias = tmp_path / "alias.csv"
    os.link(users, alias)  # a second name for the same file
    code, _, err = run_in_process(
        submit_args(users, mapping, sandbox.url, "--out", str(alias)), clean_env, capsys, TOKEN
    )
    assert code == 2
    assert "--out and the input are the same file" in err
    assert users.read_bytes() == before
    assert sandbox.requests == []


def _truncated_journal(folder: Path) -> Path:
    path = folder / "cut.journal"
    with Journal.open(path) as journal:
        journal.set_job("1-abc", base_url="http://127.0.0.1:1", definition_hash="d")
    data = path.read_bytes()
    path.write_bytes(data[:100])
    return path


def _random_journal(folder: Path) -> Path:
    path = folder / "noise.journal"
    path.write_bytes(os.urandom(8192))
    return path


def _other_application(folder: Path) -> Path:
    path = folder / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize(
    ("journal", "fragment"),
    [
        pytest.param(lambda folder: Path("/dev/null"), "is not a regular file", id="dev-null"),
        pytest.param(lambda folder: folder, "is a folder", id="folder"),
        pytest.param(_truncated_journal, "the file is damaged", id="truncated"),
        pytest.param(_random_journal, "is not a bulkprep journal", id="random-bytes"),
        pytest.param(_other_application, "is not a bulkprep journal", id="other-database"),
        pytest.param(lambda folder: folder / "missing" / "x.journal", "does not exist", id="no-folder"),
    ],
)
def test_a_journal_that_cannot_be_used_exits_2_with_a_message_and_sends_nothing(
    tmp_path: Path,
    sandbox: Sandbox,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    journal: Callable[[Path], Path],
    fragment: str,
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    path = journal(tmp_path)
    code, _, err = run_in_process(
        submit_args(users, mapping, sandbox.url, "--journal", str(path)), clean_env, capsys, TOKEN
    )
    assert code == 2
    assert err.startswith("bulkprep submit: ")
    assert fragment in err
    assert "Traceback" not in err
    assert sandbox.requests == []


def test_a_journal_of_another_job_exits_2(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    journal = str(tmp_path / "run.journal")
    assert (
        run_in_process(
            submit_args(users, mapping, sandbox.url, "--journal", journal), clean_env, capsys, TOKEN
        )[0]
        == 0
    )
    other = [
        str(users),
        "--mapping",
        str(mapping),
        "--event",
        "OTHER",
        "--base-url",
        sandbox.url,
        "--journal",
        journal,
    ]
    code, _, err = run_in_process(other, clean_env, capsys, TOKEN)
    assert code == 2
    assert "the journal belongs to another job definition" in err


def test_a_journal_in_use_by_another_process_exits_2_at_once(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    journal = tmp_path / "run.journal"
    with held_by_another_process(journal) as holder:
        done = bulkprep_submit(*submit_args(users, mapping, sandbox.url, "--journal", str(journal)))
        assert done.returncode == 2, done.stderr
        assert f"journal {journal} is in use by another bulkprep run (process {holder.pid})" in done.stderr
        assert "Traceback" not in done.stderr
        assert sandbox.requests == []
    assert (
        bulkprep_submit(*submit_args(users, mapping, sandbox.url, "--journal", str(journal))).returncode == 0
    )


def _limited_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, like a full disk
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def test_a_full_disk_under_the_journal_exits_2_with_a_message(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env.update(PYTHONPATH=ROOT, COURIER_API_KEY=TOKEN, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "bulkprep.cli", "submit", "--no-progress"]
    command += submit_args(users, mapping, sandbox.url, "--journal", str(tmp_path / "run.journal"))
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: _limited_file_size(16_384),
    )
    assert done.returncode == 2, done.stderr
    assert "the disk may be full" in done.stderr
    assert "Traceback" not in done.stderr
    assert not [r for r in sandbox.requests if r.method == "POST"]


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_while_sending_writes_the_results_keeps_the_journal_and_exits_128_plus_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: signal.Signals, status: int
) -> None:
    rows = [(f"u{i}", f"user{i}@example.com", f"N{i}") for i in range(12)]
    users, mapping = write_input(tmp_path, rows)
    journal, out = tmp_path / "run.journal", tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env.update(PYTHONPATH=ROOT, COURIER_API_KEY=TOKEN)
    with Sandbox(token=TOKEN, processing_seconds=0, only_ingest=True) as sb:
        # The fourth batch is held until the process is gone: Ctrl-C always lands with a batch
        # in flight and eight unsent, however loaded the machine is.
        held = HeldIngestion(sb, 3, monkeypatch)
        args = submit_args(users, mapping, sb.url, "--journal", str(journal), "--out", str(out))
        args += ["--batch-size", "1", "--concurrency", "1", "--no-progress"]
        running = subprocess.Popen(
            [sys.executable, "-m", "bulkprep.cli", "submit", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        held.wait_until_held(running)
        running.send_signal(stop)
        stdout, stderr = running.communicate(timeout=60)
        held.release()
        assert running.returncode == status, stderr
        assert "Traceback" not in stderr
        if stop == signal.SIGTERM:
            assert "terminated: stopped as on Ctrl-C" in stderr
        table = results(out)
        statuses = Counter(table["bulk_status"])
        assert statuses == Counter({"accepted": 3, "failed": 9})
        failed = table.loc[table["bulk_status"] == "failed", "bulk_error"]
        assert all(f"run the same submission again with the journal {journal}" in text for text in failed)
        assert "not finished: sending to job" in stdout
        with Journal.open(journal) as book:
            states = Counter(entry.state.value for entry in book.batches())
        assert states["acked"] == 3
        assert states["sending"] == 1  # the batch in flight: its outcome unknown
        # The held batch reaches the job after all; running the same command again sends the rest,
        # and the one in flight is not added twice: every user is in the job exactly once.
        deadline = time.monotonic() + 60
        while len([r for r in sb.requests if r.method == "POST" and r.path != "/bulk"]) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        again = bulkprep_submit(*args[:-1])
        assert again.returncode == 0, again.stderr
        (job_id,) = sb.jobs
        assert Counter(u["recipient"] for u in sb.users(job_id)) == Counter({f"u{i}": 1 for i in range(12)})
    assert TOKEN not in stdout + stderr + out.read_text(encoding="utf-8-sig")


def test_ctrl_c_while_a_request_hangs_still_exits_soon_with_the_batch_recorded_unknown(
    tmp_path: Path,
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    journal, out = tmp_path / "run.journal", tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env.update(PYTHONPATH=ROOT, COURIER_API_KEY=TOKEN)
    with Sandbox(token=TOKEN, only_ingest=True, latency=90) as sb:
        args = submit_args(users, mapping, sb.url, "--journal", str(journal), "--out", str(out))
        running = subprocess.Popen(
            [sys.executable, "-m", "bulkprep.cli", "submit", *args, "--batch-size", "1", "--no-progress"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not journal.exists() or "sending" not in _states(journal):
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        running.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = running.communicate(timeout=80)
        # The hanging request would hold the process 90 s; it stops after a short grace instead.
        assert time.monotonic() - interrupted < 45
    assert running.returncode == 130, stderr
    table = results(out)
    assert table["bulk_status"].tolist() == ["failed"] * 3
    assert any("in flight: whether Courier took it is not known" in text for text in table["bulk_error"])
    assert "not finished: sending to job" in stdout
    assert "sending" in _states(journal)


def _states(journal: Path) -> list[str]:
    """The batch states of a journal another process is writing (read without taking its lock)."""
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        return [state for (state,) in db.execute("SELECT state FROM batch")]
    except sqlite3.Error:
        return []
    finally:
        db.close()


def test_a_disk_that_fills_up_while_sending_stops_cleanly_and_still_writes_the_results(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    rows = [(f"u{i}", f"user{i}@example.com", f"N{i}") for i in range(300)]
    users, mapping = write_input(tmp_path, rows)
    out = tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env.update(PYTHONPATH=ROOT, COURIER_API_KEY=TOKEN, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "bulkprep.cli", "submit", "--no-progress", "--batch-size", "1"]
    command += submit_args(users, mapping, sandbox.url, "--journal", str(tmp_path / "run.journal"))
    command += ["--out", str(out), "--concurrency", "1"]
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        # Room for the journal's first writes, not for one per batch (the results file is smaller).
        preexec_fn=lambda: _limited_file_size(300_000),
    )
    assert done.returncode == 2, done.stderr
    assert "the disk may be full" in done.stderr
    assert "Traceback" not in done.stderr
    table = results(out)
    statuses = Counter(table["bulk_status"])
    assert 0 < statuses["accepted"] < 300
    assert statuses["accepted"] + statuses["failed"] == 300
    (job_id,) = sandbox.jobs
    # Every row Courier took says so, though the journal could not record the last of them.
    assert statuses["accepted"] == len(sandbox.users(job_id))
    assert f"results written to {out}" in done.stdout


@pytest.mark.parametrize("seconds", ["1e308", "1e10", "86401"])
def test_a_request_timeout_of_more_than_a_day_is_a_usage_error(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seconds: str
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    args = submit_args(users, mapping, "http://127.0.0.1:9", "--request-timeout", seconds)
    code, _, err = run_in_process(args, clean_env, capsys, TOKEN)
    assert code == 2
    assert "more than a day" in err


def test_a_journal_that_says_a_batch_was_taken_without_courier_s_answer_is_refused(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hostile import Answer, HostileServer, ScriptedCourier

    users, mapping = write_input(tmp_path, GOOD)
    journal = tmp_path / "run.journal"
    busy = ScriptedCourier(ingest=Answer(503, b'{"message": "busy", "type": "api_error"}'))
    with HostileServer(busy) as server:
        args = submit_args(users, mapping, server.url, "--journal", str(journal), "--request-timeout", "2")
        code, _, err = run_in_process(args, clean_env, capsys, TOKEN)
        assert code in {1, 3}, err
        db = sqlite3.connect(journal)
        with db:
            db.execute("UPDATE batch SET state = 'acked'")  # as if the batch had been taken
        db.close()
        code, out, err = run_in_process(args, clean_env, capsys, TOKEN)
    assert code == 2
    assert "without Courier's answer" in err
    assert "accepted" not in out
