"""The command line as a user runs it: `bulkprep sandbox` in one process, `bulkprep check` and
`bulkprep submit` in others, talking over loopback HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
TOKEN = "end-to-end-token"


def counts(summary: str) -> dict[str, int]:
    """The status counts of a printed summary (``accepted    20`` lines)."""
    pairs = (line.split() for line in summary.splitlines())
    return {words[0]: int(words[1]) for words in pairs if len(words) == 2 and words[1].isdigit()}


def bulkprep(*args: str, key: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    if key is not None:
        env["COURIER_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """`bulkprep sandbox` started as its own process; its URL from the one line it prints."""
    command = [sys.executable, "-m", "bulkprep.cli", "sandbox", "--port", "0", "--token", TOKEN,
               "--processing-seconds", "0.2", "--rate-limit-every", "3", "--retry-after", "0.1"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:"), line
            yield line.removeprefix("listening on ")
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=10)
        assert server.returncode == 0


def test_check_then_submit_run_wait_against_the_sandbox_command(sandbox_url: str, tmp_path: Path) -> None:
    source = DATA / "users_clean.csv"
    mapping = DATA / "users_clean.mapping.yaml"
    checked = bulkprep(
        "check", str(source), "--mapping", str(mapping), "--out", str(tmp_path / "checked.csv")
    )
    assert checked.returncode == 0, checked.stderr
    assert counts(checked.stdout) == {"ready": 20, "invalid": 0, "duplicate": 0, "total": 20}

    out = tmp_path / "submitted.csv"
    journal = tmp_path / "run.sqlite"
    args = ["submit", str(source), "--mapping", str(mapping), "--event", "WELCOME", "--run", "--wait"]
    args += ["--base-url", sandbox_url, "--journal", str(journal), "--out", str(out), "--no-progress"]
    done = bulkprep(*args)
    assert done.returncode == 0, done.stderr
    assert counts(done.stdout) == {"accepted": 20, "total": 20}
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert results["bulk_status"].tolist() == ["accepted"] * 20
    assert results["bulk_delivery_status"].tolist() == ["ENQUEUED"] * 20
    assert results["bulk_message_id"].str.len().min() > 0
    assert TOKEN not in done.stdout + done.stderr + out.read_text(encoding="utf-8-sig")
    assert TOKEN.encode() not in journal.read_bytes()

    again = bulkprep(*args)  # the journal knows every batch was acknowledged and the job has run
    assert again.returncode == 0, again.stderr
    assert counts(again.stdout) == {"accepted": 20, "total": 20}


def test_a_wrong_key_exits_2_and_sends_nothing(sandbox_url: str, tmp_path: Path) -> None:
    source = DATA / "users_clean.csv"
    mapping = DATA / "users_clean.mapping.yaml"
    done = bulkprep(
        "submit", str(source), "--mapping", str(mapping), "--event", "WELCOME", "--base-url", sandbox_url,
        "--out", str(tmp_path / "r.csv"), "--no-progress", key="not-the-key",
    )  # fmt: skip
    assert done.returncode == 2
    assert "refused" in done.stderr
    assert "not-the-key" not in done.stdout + done.stderr
