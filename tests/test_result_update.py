"""One result across retries: fix the failed rows, send them again, merge; against the sandbox over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN

import bulkprep
from bulkprep.errors import ConfigurationError, JournalError
from bulkprep.results import SubmitResult
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = {"recipient": "user_id", "profile": {"email": "Email"}}


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def send(frame: pd.DataFrame, sb: Sandbox, **options: Any) -> SubmitResult:
    options.setdefault("event", None if "job_id" in options else "WELCOME")
    options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False, **options}
    return submit(frame, MAPPING, **options)


def users(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"user_id": [r[0] for r in rows], "Email": [r[1] for r in rows]})


def job_holding_u1(sb: Sandbox) -> str:
    """A job that already holds u1: sending u1 again, Courier refuses it as a duplicate user."""
    job_id = send(users(("u1", "u1@example.com")), sb).job_id
    assert job_id is not None
    return job_id


FIRST = users(
    ("u0", "u0@example.com"),
    ("u1", "u1@example.com"),  # refused by Courier: the job holds it already
    ("u2", "u2@example.com"),
    ("u3", "broken"),  # invalid, fixed and sent again
    ("u4", "u4@example.com"),
    ("u5", "also broken"),  # invalid, left as it is
)


def test_a_fix_and_resend_loop_ends_with_one_merged_result(sandbox: Sandbox) -> None:
    job_id = job_holding_u1(sandbox)
    first = send(FIRST, sandbox, job_id=job_id)
    assert first.df["bulk_status"].tolist() == [
        "accepted",
        "rejected",
        "accepted",
        "invalid",
        "accepted",
        "invalid",
    ]
    failed = first.failed_rows()
    invalid = first.df.loc[first.df["user_id"] == "u3", ["bulk_row", "user_id", "Email"]]
    fixed = pd.concat([failed, invalid], ignore_index=True)
    fixed.loc[fixed["user_id"] == "u1", ["user_id", "Email"]] = ["u1-new", "u1new@example.com"]
    fixed.loc[fixed["user_id"] == "u3", "Email"] = "u3@example.com"

    retry = send(fixed, sandbox, job_id=job_id)
    assert retry.summary["accepted"] == 2
    merged = first.update(retry)

    assert merged is first
    assert len(merged.df) == len(FIRST)
    assert sum(merged.summary.values()) == len(FIRST)
    assert merged.df["bulk_row"].tolist() == [0, 1, 2, 3, 4, 5]
    assert merged.df["bulk_status"].tolist() == ["accepted"] * 5 + ["invalid"]
    assert merged.df["user_id"].tolist() == ["u0", "u1-new", "u2", "u3", "u4", "u5"]
    assert merged.df.loc[3, "Email"] == "u3@example.com"
    assert merged.df.loc[1, "bulk_user"] == {"recipient": "u1-new", "profile": {"email": "u1new@example.com"}}
    assert merged.df["bulk_error"].notna().tolist() == [False] * 5 + [True]
    # The latest attempt's errors for the rows sent again, the earlier ones for the others.
    assert merged.errors[["bulk_row", "code"]].to_dict("records") == [
        {"bulk_row": 5, "code": "invalid_email"}
    ]
    assert merged.failed_rows().empty
    assert [a.job_id for a in merged.attempts] == [job_id, job_id]
    assert [a.rows for a in merged.attempts] == [6, 2]
    assert merged.attempts[0].summary == {"accepted": 3, "rejected": 1, "invalid": 2}
    assert merged.attempts[1].summary == {"accepted": 2}
    assert "2 attempts" in repr(merged)
    assert f"<b>2 attempts</b> (jobs {job_id}, {job_id})" in merged._repr_html_()
    stored = sorted(u["recipient"] for u in sandbox.users(job_id))
    assert stored == ["u0", "u1", "u1-new", "u2", "u3", "u4"]


def test_a_row_refused_again_stays_refused_and_the_counts_still_add_up(sandbox: Sandbox) -> None:
    job_id = job_holding_u1(sandbox)
    first = send(FIRST, sandbox, job_id=job_id)
    again = send(first.failed_rows().assign(Email="other@example.com"), sandbox, job_id=job_id)
    first.update(again)
    assert first.summary == first.summary | {"accepted": 3, "rejected": 1, "invalid": 2}
    assert sum(first.summary.values()) == 6
    refused = first.errors[first.errors["bulk_row"] == 1]
    assert refused["code"].tolist() == ["courier_rejected"]
    assert len(first.attempts) == 2


def test_update_refuses_rows_it_does_not_hold_and_dry_runs(sandbox: Sandbox) -> None:
    first = send(users(("u0", "u0@example.com")), sandbox)
    stranger = send(users(("u0", "u0@example.com"), ("u9", "u9@example.com")), sandbox)
    with pytest.raises(ConfigurationError, match=r"bulk_row \[1\].*failed_rows\(\)"):
        first.update(stranger)
    planned = send(users(("u0", "u0@example.com")), sandbox, dry_run=True)
    with pytest.raises(ConfigurationError, match="dry run"):
        first.update(planned)
    assert first.summary["accepted"] == 1
    assert len(first.attempts) == 1


def test_a_journal_whose_job_ran_takes_no_new_rows_and_offers_a_new_job(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    journal = tmp_path / "welcome.journal"
    first = send(users(("u0", "u0@example.com"), ("u1", "broken")), sandbox, journal=journal, run=True)
    assert first.job_status is not None
    fixed = first.df.loc[first.df["bulk_status"] == "invalid", ["bulk_row", "user_id", "Email"]]
    fixed["Email"] = "u1@example.com"
    posts = len([r for r in sandbox.requests if r.method == "POST"])
    with pytest.raises(JournalError, match="has already run") as caught:
        send(fixed, sandbox, journal=journal)
    assert "start a new job" in str(caught.value)
    assert "--journal NEW_FILE" in str(caught.value)
    assert len([r for r in sandbox.requests if r.method == "POST"]) == posts
    # Started anew, the rows go to a new job, and merge into the first result.
    retry = send(fixed, sandbox, journal=tmp_path / "welcome-fix.journal")
    first.update(retry)
    assert first.summary["accepted"] == 2
    assert [a.job_id for a in first.attempts] == [first.attempts[0].job_id, retry.job_id]
    assert first.attempts[0].job_id != retry.job_id
    assert first.job_id == retry.job_id


# ------------------------------------------------------------------------------------------------- CLI


def bulkprep_submit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    env["COURIER_API_KEY"] = TOKEN
    command = [sys.executable, "-m", "bulkprep.cli", "submit", *args, "--no-progress"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_cli_merges_a_fixed_file_into_the_results_file(tmp_path: Path, sandbox: Sandbox) -> None:
    job_id = job_holding_u1(sandbox)
    source = tmp_path / "users.csv"
    FIRST.to_csv(source, index=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: user_id\nprofile:\n  email: Email\n", encoding="utf-8")
    common = ["--mapping", str(mapping), "--job", job_id, "--base-url", sandbox.url]
    done = bulkprep_submit(str(source), *common)
    assert done.returncode == 1, done.stderr
    results = tmp_path / "users.submitted.csv"
    earlier = read(results)
    assert earlier["bulk_status"].tolist() == [
        "accepted",
        "rejected",
        "accepted",
        "invalid",
        "accepted",
        "invalid",
    ]

    # Fix the rows that were not accepted, in the results file's own terms (bulk_row kept).
    fixed = earlier.loc[earlier["bulk_status"] != "accepted", ["bulk_row", "user_id", "Email"]].copy()
    fixed["user_id"] = fixed["user_id"] + "-fixed"
    fixed["Email"] = fixed["user_id"] + "@example.com"
    fixed_path = tmp_path / "fixed.csv"
    fixed.to_csv(fixed_path, index=False)
    merged_run = bulkprep_submit(str(fixed_path), *common, "--update", str(results))
    assert merged_run.returncode == 0, merged_run.stderr
    assert f"merged 1 resend(s) into {results}" in merged_run.stdout
    merged = read(results)
    assert len(merged) == 6
    assert merged["bulk_row"].tolist() == ["2", "3", "4", "5", "6", "7"]  # the lines of users.csv
    assert merged["bulk_status"].tolist() == ["accepted"] * 6
    assert merged["user_id"].tolist() == ["u0", "u1-fixed", "u2", "u3-fixed", "u4", "u5-fixed"]
    assert merged["bulk_error"].tolist() == [""] * 6

    planned = bulkprep_submit(str(fixed_path), *common, "--update", str(results), "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert read(results).equals(merged)  # a dry run merges nothing into the results file
    assert (tmp_path / "fixed.planned.csv").exists()

    missing_keys = tmp_path / "no-keys.csv"
    fixed.drop(columns="bulk_row").to_csv(missing_keys, index=False)
    refused = bulkprep_submit(str(missing_keys), *common, "--update", str(results))
    assert refused.returncode == 2
    assert "with --update, the input needs the bulk_row column" in refused.stderr
    assert read(results).equals(merged)
