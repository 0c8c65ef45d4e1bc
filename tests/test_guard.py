"""submit's guards against the sandbox over real HTTP: max_invalid before sending, max_rejected midway."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN
from prepared_frames import prepared_frame as prepared

import bulkprep
from bulkprep.errors import ConfigurationError, GuardError
from bulkprep.guard import parse_limit
from bulkprep.journal import Journal
from bulkprep.results import SubmitResult
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = {"recipient": "user_id", "profile": {"email": "Email"}}


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def raw_users(good: int, bad: int) -> pd.DataFrame:
    """``good`` rows with an address, then ``bad`` rows whose address is not one."""
    emails = [f"u{i}@example.com" for i in range(good)] + [f"broken{i}" for i in range(bad)]
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(good + bad)], "Email": emails})


def user(i: int) -> dict[str, Any]:
    return {"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}}


def send(frame: pd.DataFrame, sb: Sandbox, mapping: Any = None, **options: Any) -> SubmitResult:
    options.setdefault("event", None if "job_id" in options else "WELCOME")
    options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False, **options}
    return submit(frame, mapping, **options)


# ------------------------------------------------------------------------------------------ max_invalid


def test_max_invalid_refuses_and_explains_before_anything_reaches_courier(sandbox: Sandbox) -> None:
    with pytest.raises(GuardError) as caught:
        send(raw_users(8, 2), sandbox, MAPPING, max_invalid=0.1)
    message = str(caught.value)
    assert "2 of 10 rows (20%) are invalid or duplicate" in message
    assert "more than max_invalid (--max-invalid) 10% allows (1)" in message
    assert "invalid_email (2 rows)" in message
    assert "nothing was sent and no job was created" in message
    assert "raise max_invalid" in message
    result = caught.value.result
    assert isinstance(result, SubmitResult)
    assert result.job_id is None
    assert result.summary["ready"] == 8
    assert result.summary["invalid"] == 2
    assert result.guard is not None
    assert not result.guard.passed
    assert set(result.errors["code"]) == {"invalid_email"}
    assert sandbox.requests == []
    assert sandbox.jobs == {}


def test_max_invalid_as_a_count_lets_as_many_bad_rows_through(sandbox: Sandbox) -> None:
    result = send(raw_users(3, 2), sandbox, MAPPING, max_invalid=2)
    assert result.summary["accepted"] == 3
    assert result.summary["invalid"] == 2
    assert result.guard is not None
    assert result.guard.passed
    assert (result.guard.bad, result.guard.allowed) == (2, 2)
    with pytest.raises(GuardError, match="2 of 5 rows"):
        send(raw_users(3, 2), sandbox, MAPPING, max_invalid=1)


def test_duplicates_count_against_max_invalid(sandbox: Sandbox) -> None:
    frame = prepared([user(1), user(2), None], ["ready", "ready", "duplicate"])
    with pytest.raises(GuardError, match="1 of 3 rows"):
        send(frame, sandbox, max_invalid=0)
    assert sandbox.jobs == {}


def test_the_dry_run_reports_what_the_guard_would_decide(sandbox: Sandbox) -> None:
    result = send(raw_users(8, 2), sandbox, MAPPING, max_invalid=0.1, dry_run=True)
    assert result.guard is not None
    assert not result.guard.passed
    assert "more than max_invalid" in str(result.guard)
    assert result.plan is not None
    assert int(result.plan.batches["users"].sum()) == 8
    assert send(raw_users(8, 2), sandbox, MAPPING, max_invalid=0.2, dry_run=True).guard.passed  # type: ignore[union-attr]
    assert send(raw_users(8, 2), sandbox, MAPPING, dry_run=True).guard is None
    assert sandbox.requests == []


@pytest.mark.parametrize("limit", [1.0, 1.5, -0.1, -1, True, "5%", float("nan")])
def test_a_limit_that_is_neither_a_share_nor_a_count_is_refused(limit: Any, sandbox: Sandbox) -> None:
    with pytest.raises(ConfigurationError, match="max_invalid"):
        send(raw_users(2, 0), sandbox, MAPPING, max_invalid=limit)
    with pytest.raises(ConfigurationError, match="max_rejected"):
        send(raw_users(2, 0), sandbox, MAPPING, max_rejected=limit)
    assert sandbox.requests == []


def test_limits_as_written_on_the_command_line() -> None:
    assert parse_limit("5%") == pytest.approx(0.05)
    assert parse_limit(" 0.25 ") == 0.25
    assert parse_limit("50") == 50
    for text in ("100%", "-3", "lots", "1.5"):
        with pytest.raises(ValueError, match=repr(text)):
            parse_limit(text)


# ----------------------------------------------------------------------------------------- max_rejected


def _job_holding(sb: Sandbox, count: int) -> str:
    """A job already holding users u0 .. u(count-1): sending them again, Courier refuses them.

    (A batch of exactly the same users would carry the same idempotency key, and get the first answer.)
    """
    first = send(prepared([user(i) for i in range(count)]), sb)
    assert first.job_id is not None
    return first.job_id


def test_max_rejected_stops_sending_and_fails_the_unsent_rows(tmp_path: Path, sandbox: Sandbox) -> None:
    job_id = _job_holding(sandbox, 10)
    frame = prepared([user(i) for i in range(30)])
    journal = tmp_path / "run.journal"
    with pytest.raises(GuardError, match="max_rejected") as caught:
        send(frame, sandbox, job_id=job_id, batch_size=5, concurrency=1, max_rejected=0.5, journal=journal)
    result = caught.value.result
    assert isinstance(result, SubmitResult)
    # The first batch (u0..u4) was refused whole: 5 of 5 sent is more than half, nothing more went out.
    assert result.summary["rejected"] == 5
    assert result.summary["failed"] == 25
    assert sum(result.summary.values()) == 30
    ingests = [r for r in sandbox.requests if r.method == "POST" and r.path == f"/bulk/{job_id}"]
    assert len(ingests) == 2  # the first job's batch, then one batch of this run
    unsent = result.df.loc[result.df["bulk_status"] == "failed", "bulk_error"]
    assert unsent.str.contains(
        "the guard max_rejected (--max-rejected) 50% stopped sending", regex=False
    ).all()
    assert unsent.str.contains("Courier refused 5 of the 5 users sent so far", regex=False).all()
    assert result.left_to_do is not None
    assert "max_rejected" in result.left_to_do
    assert str(journal) in result.left_to_do
    with Journal.open(journal) as book:
        assert {state: n for state, n in book.counts().items() if n} == {"acked": 1, "pending": 5}
    # The journal is consistent: the same run without the guard sends the rest, nothing twice.
    rest = send(frame, sandbox, job_id=job_id, batch_size=5, concurrency=1, journal=journal)
    assert rest.summary["rejected"] == 10
    assert rest.summary["accepted"] == 20
    assert len(sandbox.users(job_id)) == 30


def test_max_rejected_waits_for_enough_users_and_tolerates_its_share(sandbox: Sandbox) -> None:
    job_id = _job_holding(sandbox, 1)
    result = send(
        prepared([user(i) for i in range(12)]), sandbox, job_id=job_id, batch_size=4, max_rejected=0.25
    )
    # 1 refused of 4 is within 25%, and so is 1 of 12.
    assert result.summary == result.summary | {"accepted": 11, "rejected": 1}
    assert result.left_to_do is None


def test_max_rejected_as_a_count(sandbox: Sandbox) -> None:
    job_id = _job_holding(sandbox, 4)
    with pytest.raises(GuardError, match="Courier refused 3 of the 3 users"):
        send(
            prepared([user(i) for i in range(9)]),
            sandbox,
            job_id=job_id,
            batch_size=3,
            concurrency=1,
            max_rejected=2,
        )


def test_a_guard_tripped_by_the_last_batch_stops_nothing(sandbox: Sandbox) -> None:
    job_id = _job_holding(sandbox, 3)
    result = send(prepared([user(i) for i in range(2)]), sandbox, job_id=job_id, max_rejected=0.5)
    assert result.summary["rejected"] == 2
    assert result.left_to_do is None


# ------------------------------------------------------------------------------------------------- CLI


def bulkprep_submit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    env["COURIER_API_KEY"] = TOKEN
    command = [sys.executable, "-m", "bulkprep.cli", "submit", *args, "--no-progress"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def _write_input(folder: Path, good: int, bad: int) -> tuple[Path, Path]:
    users = folder / "users.csv"
    raw_users(good, bad).to_csv(users, index=False)
    mapping = folder / "mapping.yaml"
    mapping.write_text("recipient: user_id\nprofile:\n  email: Email\n", encoding="utf-8")
    return users, mapping


def test_the_cli_refuses_with_exit_4_writes_the_results_and_sends_nothing(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    users, mapping = _write_input(tmp_path, 8, 2)
    common = [str(users), "--mapping", str(mapping), "--event", "WELCOME", "--base-url", sandbox.url]
    done = bulkprep_submit(*common, "--max-invalid", "5%")
    assert done.returncode == 4, done.stderr
    assert "2 of 10 rows (20%) are invalid or duplicate" in done.stderr
    assert "--max-invalid" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    written = pd.read_csv(tmp_path / "users.submitted.csv", encoding="utf-8-sig", dtype=str)
    assert written["bulk_status"].value_counts().to_dict() == {"ready": 8, "invalid": 2}
    assert sandbox.requests == []
    planned = bulkprep_submit(*common, "--max-invalid", "5%", "--dry-run")
    assert planned.returncode == 4, planned.stderr
    assert "guard: would refuse: 2 of 10 rows" in planned.stdout
    allowed = bulkprep_submit(*common, "--max-invalid", "2")
    assert allowed.returncode == 1, allowed.stderr  # sent; two rows were not accepted
    assert len(sandbox.jobs) == 1
    wrong = bulkprep_submit(*common, "--max-invalid", "lots")
    assert wrong.returncode == 2
    assert "'lots' is not a share (5%, 0.05) or a number of rows (50)" in wrong.stderr


def test_the_cli_stops_midway_with_exit_4(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = _write_input(tmp_path, 12, 0)
    job_id = send(raw_users(5, 0), sandbox, MAPPING).job_id
    assert job_id is not None
    done = bulkprep_submit(
        *(str(users), "--mapping", str(mapping), "--job", job_id, "--base-url", sandbox.url),
        *("--batch-size", "4", "--concurrency", "1", "--max-rejected", "10%"),
    )
    assert done.returncode == 4, done.stderr
    assert "the guard max_rejected (--max-rejected) 10% stopped sending" in done.stderr
    written = pd.read_csv(tmp_path / "users.submitted.csv", encoding="utf-8-sig", dtype=str)
    assert written["bulk_status"].value_counts().to_dict() == {"failed": 8, "rejected": 4}
    assert "not finished:" in done.stdout
