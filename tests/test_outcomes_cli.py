"""``bulkprep status`` in a new process: the delivery read again from the journal after statuses moved."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import Answer, HostileServer, job_answer, json_answer
from sandbox_support import ManualClock

import bulkprep
from bulkprep.journal import Journal
from bulkprep.sandbox import Sandbox

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
SECRET = "sk_live_status_cli_secret_42"
MAPPING = "recipient: user_id\nprofile:\n  email: Email\ndata:\n  name: Name\n"
ROWS = [
    ("u1", "ann@example.com", "Ann"),
    ("u2", "bounce@example.com", "Bob"),
    ("u3", "cy+open@example.com", "=1+1"),
]


def bulkprep(command: str, *args: str, key: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    env["COURIER_API_KEY"] = key
    line = [sys.executable, "-m", "bulkprep.cli", command, *args, "--no-progress"]
    return subprocess.run(line, env=env, capture_output=True, text=True, timeout=120, check=False)


def results(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def submitted(
    folder: Path, sb: Sandbox, *, wait: bool = True, stream: bool = False
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    users = folder / "users.csv"
    users.write_text("user_id,Email,Name\n" + "".join(f"{a},{b},{c}\n" for a, b, c in ROWS), encoding="utf-8")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    journal, out = folder / "run.journal", folder / "results.csv"
    done = bulkprep(
        "submit",
        str(users),
        "--mapping",
        str(folder / "mapping.yaml"),
        "--event",
        "WELCOME",
        "--base-url",
        sb.url,
        "--journal",
        str(journal),
        "--out",
        str(out),
        "--run",
        *(["--wait"] if wait else []),
        *(["--stream"] if stream else []),
    )
    return journal, out, done


def test_status_updates_the_results_file_after_the_statuses_moved(tmp_path: Path) -> None:
    clock = ManualClock()
    with Sandbox(token=SECRET, processing_seconds=0, delivery_seconds=10, clock=clock) as sb:
        journal, out, done = submitted(tmp_path, sb)
        assert done.returncode == 0, done.stderr  # nothing known to be undelivered yet
        before = results(out)
        assert before["bulk_outcome"].tolist() == ["ENQUEUED"] * 3
        clock.now += 100
        status = bulkprep(
            "status", "--journal", str(journal), "--out", str(out), "--errors", str(tmp_path / "e.csv")
        )
        counts = bulkprep("status", "--journal", str(journal))
    assert status.returncode == 1, status.stderr  # one bounce
    after = results(out)
    assert after["bulk_outcome"].tolist() == ["DELIVERED", "UNDELIVERABLE", "OPENED"]
    assert after["bulk_outcome_reason"].tolist() == ["", "BOUNCED", ""]
    assert after["bulk_message_id"].tolist() == before["bulk_message_id"].tolist()
    assert after["bulk_status"].tolist() == ["accepted"] * 3
    assert "fix the email or phone" in after["bulk_error"][1]
    assert after["Name"].tolist() == before["Name"].tolist()  # a guarded formula stays guarded, once
    assert list(after.columns) == list(before.columns)
    errors = results(tmp_path / "e.csv")
    assert errors[["bulk_row", "code"]].values.tolist() == [["3", "undeliverable"]]
    assert "outcomes: DELIVERED=1, OPENED=1, UNDELIVERABLE=1" in status.stdout
    assert f"results updated in {out}" in status.stdout

    assert counts.returncode == 1, counts.stderr
    assert "delivery: ENQUEUED=3" in counts.stdout
    assert "outcomes: DELIVERED=1, OPENED=1, UNDELIVERABLE/BOUNCED=1" in counts.stdout
    for text in (done.stdout, done.stderr, status.stdout, status.stderr, counts.stdout, counts.stderr):
        assert SECRET not in text
    assert SECRET.encode() not in out.read_bytes()
    assert SECRET.encode() not in journal.read_bytes()


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "streamed"])
def test_submit_exits_1_when_a_user_is_not_delivered(tmp_path: Path, stream: bool) -> None:
    with Sandbox(token=SECRET, processing_seconds=0, delivery_seconds=0) as sb:
        _, out, done = submitted(tmp_path, sb, stream=stream)
    assert done.returncode == 1, done.stderr
    assert results(out)["bulk_outcome"].tolist() == ["DELIVERED", "UNDELIVERABLE", "OPENED"]
    assert "undeliverable" in done.stdout


def test_status_while_the_job_runs_exits_3_and_says_to_come_back(tmp_path: Path) -> None:
    clock = ManualClock()
    with Sandbox(token=SECRET, processing_seconds=60, delivery_seconds=10, clock=clock) as sb:
        journal, out, done = submitted(tmp_path, sb, wait=False)
        assert done.returncode == 0, done.stderr
        (job_id,) = sb.jobs
        running = bulkprep("status", "--journal", str(journal), "--out", str(out))
        clock.now += 30  # half the users enqueued
        half = bulkprep("status", "--journal", str(journal), "--out", str(out))
    assert running.returncode == 3, running.stderr
    assert f"job {job_id} (PROCESSING)" in running.stdout
    assert "refresh again later" in running.stdout
    assert half.returncode == 3, half.stderr
    assert results(out)["bulk_delivery_status"].tolist() == ["ENQUEUED", "PENDING", "PENDING"]
    assert results(out)["bulk_outcome"].tolist() == ["ENQUEUED", "", ""]


@pytest.mark.parametrize("problem", ["missing results", "not a results file", "no job", "wrong key"])
def test_status_says_what_is_wrong_and_exits_2(tmp_path: Path, problem: str) -> None:
    with Sandbox(token=SECRET, processing_seconds=0, delivery_seconds=0) as sb:
        journal, out, done = submitted(tmp_path, sb)
        assert done.returncode == 1, done.stderr
        if problem == "missing results":
            status = bulkprep("status", "--journal", str(journal), "--out", str(tmp_path / "nope.csv"))
            expected = "cannot read the results file"
        elif problem == "not a results file":
            other = tmp_path / "other.csv"
            other.write_text("id,email,bulk_row,bulk_status\nzz,z@example.com,2,ready\n", encoding="utf-8")
            status = bulkprep("status", "--journal", str(journal), "--out", str(other))
            expected = (
                "(it has no bulk_user); give --out the results file that the submission with this journal"
            )
            assert len(status.stderr.splitlines()) == 1, status.stderr
            assert (
                other.read_text(encoding="utf-8")
                == "id,email,bulk_row,bulk_status\nzz,z@example.com,2,ready\n"
            )
        elif problem == "no job":
            Journal.open(tmp_path / "new.journal").close()
            status = bulkprep("status", "--journal", str(tmp_path / "new.journal"))
            expected = "holds no job"
        else:
            status = bulkprep("status", "--journal", str(journal), "--out", str(out), key=TOKEN + "-wrong")
            expected = "bulkprep status:"
    assert status.returncode == 2, status.stdout + status.stderr
    assert expected in status.stderr
    assert SECRET not in status.stdout + status.stderr


@pytest.mark.parametrize("with_out", [True, False], ids=["results-file", "counts"])
def test_status_that_cannot_read_courier_leaves_the_results_and_exits_3(
    tmp_path: Path, with_out: bool
) -> None:
    # A captive portal (a login page, 200) where the job's users should be: nothing was read.
    login = Answer(200, b"<!doctype html><form>Please log in</form>", {"Content-Type": "text/html"})
    with Sandbox(token=SECRET, processing_seconds=0, delivery_seconds=10) as sb:
        journal, out, done = submitted(tmp_path, sb)
    assert done.returncode == 0, done.stderr
    before = out.read_bytes()

    def respond(method: str, path: str) -> Answer:
        return job_answer("COMPLETED", received=3) if path.count("/") == 2 else login

    with HostileServer(respond) as portal:
        status = bulkprep(
            "status",
            "--journal",
            str(journal),
            "--base-url",
            portal.url,
            *(["--out", str(out)] if with_out else []),
        )
        asked = portal.requests
    assert status.returncode == 3, status.stdout + status.stderr
    assert any(path.endswith("/users") for _, path in asked)
    assert "Traceback" not in status.stderr
    assert "bulkprep status:" in status.stderr
    assert "not finished: the delivery was not read" in status.stdout
    assert "run the same command again later" in status.stdout
    assert out.read_bytes() == before
    assert SECRET not in status.stdout + status.stderr


@pytest.mark.parametrize("with_out", [True, False], ids=["results-file", "counts"])
def test_status_ends_within_its_request_timeout_when_messages_never_answer(
    tmp_path: Path, with_out: bool
) -> None:
    with Sandbox(token=SECRET, processing_seconds=0, delivery_seconds=10) as sb:
        journal, out, done = submitted(tmp_path, sb)
    assert done.returncode == 0, done.stderr
    listed = results(out)[["bulk_user", "bulk_message_id"]].to_dict("records")
    page = {
        "items": [
            {**eval_user(row["bulk_user"]), "status": "ENQUEUED", "messageId": row["bulk_message_id"]}
            for row in listed
        ],
        "paging": {"more": False},
    }

    def respond(method: str, path: str) -> Answer:
        if path.startswith("/messages/"):
            return Answer(200, hang=True)
        return json_answer(200, page) if path.endswith("/users") else job_answer("COMPLETED", received=3)

    with HostileServer(respond) as silent:
        started = time.monotonic()
        status = bulkprep(
            "status", "--journal", str(journal), "--base-url", silent.url, "--request-timeout", "2",
            *(["--out", str(out)] if with_out else []),
        )  # fmt: skip
        took = time.monotonic() - started
    assert took < 30, status.stdout + status.stderr
    if with_out:  # the outcomes read after the run stay, as nothing newer was read
        assert status.returncode == 0, status.stdout + status.stderr
        assert "outcomes: ENQUEUED=3" in status.stdout
    else:  # the counts: a message not read is not known to be delivered
        assert status.returncode == 1, status.stdout + status.stderr
        assert "not read (" in status.stdout
    assert "Traceback" not in status.stderr
    assert SECRET not in status.stdout + status.stderr


def eval_user(text: str) -> dict[str, object]:
    """A results file's ``bulk_user`` cell (JSON text) as the user it holds."""
    import json

    user: dict[str, object] = json.loads(text)
    return user
