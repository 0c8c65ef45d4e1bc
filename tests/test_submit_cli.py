"""``bulkprep submit`` end to end: a real process, a real CSV, the sandbox over HTTP, exit codes, results."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import Answer, HostileServer, courier_until_ingest

import bulkprep
from bulkprep.sandbox import Sandbox

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = """\
recipient: user_id
profile:
  email: Email
data:
  name: Name
"""


def write_input(folder: Path, rows: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    users = folder / "users.csv"
    users.write_text("user_id,Email,Name\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows), encoding="utf-8")
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return users, mapping


def bulkprep_submit(*args: str, key: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    if key is not None:
        env["COURIER_API_KEY"] = key
    command = [sys.executable, "-m", "bulkprep.cli", "submit", *args, "--no-progress"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def results(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


GOOD = [("u1", "ann@example.com", "Ann"), ("u2", "bob@example.com", "Bob"), ("u3", "cy@example.com", "Cy")]


def test_every_row_accepted_exits_0_and_writes_results_next_to_the_input(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    done = bulkprep_submit(
        str(users),
        "--mapping",
        str(mapping),
        "--event",
        "WELCOME",
        "--base-url",
        sandbox.url,
        "--run",
        "--wait",
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "users.submitted.csv"
    assert f"results written to {out}" in done.stdout
    (job_id,) = sandbox.jobs
    assert f"job {job_id} (COMPLETED)" in done.stdout
    assert "accepted" in done.stdout
    assert "delivery: ENQUEUED=3" in done.stdout
    table = results(out)
    assert table["bulk_status"].tolist() == ["accepted"] * 3
    assert table["bulk_delivery_status"].tolist() == ["ENQUEUED"] * 3
    assert table["Name"].tolist() == ["Ann", "Bob", "Cy"]
    assert Counter(u["recipient"] for u in sandbox.users(job_id)) == Counter({"u1": 1, "u2": 1, "u3": 1})
    assert TOKEN not in done.stdout + done.stderr


def test_some_rows_not_accepted_exits_1(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path, [*GOOD, ("u4", "not-an-email", "Dee")])
    out = tmp_path / "out.csv"
    done = bulkprep_submit(
        str(users),
        "--mapping",
        str(mapping),
        "--event",
        "WELCOME",
        "--base-url",
        sandbox.url,
        "--out",
        str(out),
        "--batch-size",
        "2",
        "--concurrency",
        "2",
    )
    assert done.returncode == 1, done.stderr
    assert "invalid_email" in done.stdout
    table = results(out)
    assert table["bulk_status"].tolist() == ["accepted", "accepted", "accepted", "invalid"]
    assert table["bulk_row"].tolist() == ["2", "3", "4", "5"]  # line numbers of the file
    (job_id,) = sandbox.jobs
    assert len(sandbox.users(job_id)) == 3


def test_adding_to_an_existing_job_reports_courier_rejections(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path, GOOD[:1])
    assert (
        bulkprep_submit(
            str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url
        ).returncode
        == 0
    )
    (job_id,) = sandbox.jobs
    users, mapping = write_input(tmp_path, GOOD)
    done = bulkprep_submit(str(users), "--mapping", str(mapping), "--job", job_id, "--base-url", sandbox.url)
    assert done.returncode == 1
    assert "courier_rejected" in done.stdout
    table = results(tmp_path / "users.submitted.csv")
    assert table["bulk_status"].tolist() == ["rejected", "accepted", "accepted"]
    assert "Duplicate user" in table["bulk_error"].iloc[0]


def run_in_process(
    args: list[str], clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: str | None
) -> tuple[int, str, str]:
    """The command line in this process (quicker), with the key only in the (otherwise clean) environment."""
    from bulkprep.cli import main

    if key is not None:
        clean_env.setenv("COURIER_API_KEY", key)
    code = main(["submit", *args, "--no-progress"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("key", "extra", "fragment"),
    [
        ("wrong-key", [], "API key was refused"),
        (None, [], "COURIER_API_KEY"),
        (TOKEN, ["--wait"], "--wait needs --run"),
    ],
)
def test_key_and_configuration_problems_exit_2_and_never_show_the_key(
    tmp_path: Path,
    sandbox: Sandbox,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str | None,
    extra: list[str],
    fragment: str,
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    args = [str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url, *extra]
    code, out, err = run_in_process(args, clean_env, capsys, key)
    assert code == 2
    assert fragment in err
    assert "wrong-key" not in out + err
    assert TOKEN not in out + err
    assert sandbox.jobs == {}


@pytest.mark.parametrize(
    "args", [[], ["--event", "E", "--job", "1-abc"], ["--batch-size", "0", "--event", "E"]]
)
def test_usage_errors_exit_2(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    code, _, err = run_in_process([str(users), "--mapping", str(mapping), *args], clean_env, capsys, TOKEN)
    assert code == 2
    assert "usage" in err


def test_dry_run_sends_nothing_and_needs_no_key(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    args = [str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url, "--dry-run"]
    code, out, _ = run_in_process(args, clean_env, capsys, None)
    assert code == 0
    assert "dry run: 1 batch(es) of 3 user(s) would be sent" in out
    assert results(tmp_path / "users.planned.csv")["bulk_status"].tolist() == ["ready"] * 3
    assert sandbox.requests == []


def test_journal_makes_a_second_run_send_nothing_again(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    journal = tmp_path / "users.journal"
    args = [
        str(users),
        "--mapping",
        str(mapping),
        "--event",
        "E",
        "--base-url",
        sandbox.url,
        "--journal",
        str(journal),
        "--run",
    ]
    assert bulkprep_submit(*args).returncode == 0
    sent = len(sandbox.requests)
    again = bulkprep_submit(*args)
    assert again.returncode == 0, again.stderr
    (job_id,) = sandbox.jobs
    assert all(r.method == "GET" for r in sandbox.requests[sent:])  # only a look at the job
    assert len(sandbox.users(job_id)) == 3
    assert TOKEN.encode() not in journal.read_bytes()


def test_an_answer_that_is_not_courier_s_leaves_the_rows_failed_and_exits_1(tmp_path: Path) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    out = tmp_path / "out.csv"
    proxy_page = Answer(200, b"<html><body>Please sign in to the proxy</body></html>")
    with HostileServer(courier_until_ingest(proxy_page)) as server:
        done = bulkprep_submit(
            str(users), "--mapping", str(mapping), "--event", "E", "--base-url", server.url, "--out", str(out)
        )
    assert done.returncode == 1, done.stderr
    assert "send_failed" in done.stdout
    table = results(out)
    assert table["bulk_status"].tolist() == ["failed"] * 3
    assert "an HTML page" in table["bulk_error"].iloc[0]
    assert TOKEN not in done.stdout + done.stderr + out.read_text(encoding="utf-8-sig")


def test_a_job_created_without_a_job_id_exits_2_and_says_so(tmp_path: Path) -> None:
    users, mapping = write_input(tmp_path, GOOD)
    with HostileServer(lambda _method, _path: Answer(200, b"<html>welcome</html>")) as server:
        done = bulkprep_submit(
            str(users), "--mapping", str(mapping), "--event", "E", "--base-url", server.url
        )
    assert done.returncode == 2
    assert "without a jobId (got an HTML page" in done.stderr
    assert not (tmp_path / "users.submitted.csv").exists()
