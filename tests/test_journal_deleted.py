"""A journal whose file is deleted while a run holds it: written again at its path, or a warning.

A clean-up of a temporary folder, a user tidying up: the run goes on with the file it holds open (so
nothing it sends goes unrecorded), and on closing puts the journal back where it was, so that the run
can still be resumed and read with ``bulkprep status``; when it cannot, it says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from bulkprep.batching import Batch
from bulkprep.errors import JournalWarning
from bulkprep.journal import Journal
from bulkprep.sandbox import Sandbox
from bulkprep.sandbox.faults import Faults

TOKEN = "sk_test_deleted-journal-KEY"


def _written(path: Path) -> Journal:
    journal = Journal.open(path)
    journal.set_job("job-1", base_url="http://127.0.0.1:1", definition_hash="h")
    journal.add_batches([Batch(1, (0, 1), b'{"users":[{},{}]}')])
    return journal


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def test_a_deleted_journal_is_written_again_at_its_path_with_everything(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    journal = _written(path)
    for name in [path, *_side_files(path)]:
        name.unlink(missing_ok=True)
    journal.mark_sending(1, "k1")  # recorded after the deletion: it must be in the copy too
    with pytest.warns(JournalWarning, match=r"deleted while this run used it; it is written again"):
        journal.close()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with Journal.open_existing(path) as again:
        job = again.job()
        assert job is not None
        assert job.job_id == "job-1"
        assert [(entry.number, entry.state.value) for entry in again.batches()] == [(1, "sending")]
    assert not list(tmp_path.glob(".*partial"))


def test_a_deleted_folder_is_said_and_not_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    journal = _written(folder / "run.journal")
    shutil.rmtree(folder)
    with pytest.warns(
        JournalWarning, match=r"job job-1.*could not be written again \(its folder .*gone was deleted\)"
    ):
        journal.close()
    assert not folder.exists()


def test_a_file_that_took_the_name_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    journal = _written(path)
    path.unlink()
    path.write_bytes(b"someone else's file")
    with pytest.warns(JournalWarning, match="another file has its name now"):
        journal.close()
    assert path.read_bytes() == b"someone else's file"


def test_a_journal_left_in_place_closes_without_a_word(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _written(path).close()
    with Journal.open_existing(path) as again:
        assert again.job() is not None


def test_the_command_line_says_it_and_the_job_can_still_be_read(tmp_path: Path) -> None:
    rows = "".join(f"u{number},u{number}@example.com\n" for number in range(12))
    source = tmp_path / "users.csv"
    source.write_text("user_id,email\n" + rows, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: user_id\nprofile:\n  email: email\n", encoding="utf-8")
    journal = tmp_path / "run.journal"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURIER_")}
    env["COURIER_API_KEY"] = TOKEN
    # Each batch of 3 takes a second, so that the journal is deleted while batches remain to send.
    with Sandbox(token=TOKEN, processing_seconds=0, faults=Faults(latency=1.0, only_ingest=True)) as sandbox:
        command = [sys.executable, "-m", "bulkprep.cli", "submit", str(source), "--event", "WELCOME",
                   "--run", "--mapping", str(mapping), "--base-url", sandbox.url, "--journal", str(journal),
                   "--batch-size", "3", "--concurrency", "1",
                   "--out", str(tmp_path / "results.csv"), "--no-progress"]  # fmt: skip
        with subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as run:
            deadline = time.monotonic() + 60
            while not journal.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)  # a batch or so in
            assert run.poll() is None, "the run ended before the journal could be deleted"
            for name in [journal, *_side_files(journal)]:
                name.unlink(missing_ok=True)
            stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
        assert f"bulkprep: warning: journal {journal}" in stderr
        assert "written again there" in stderr
        assert "Traceback" not in stderr
        status = subprocess.run(
            [sys.executable, "-m", "bulkprep.cli", "status", "--journal", str(journal), "--no-progress"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert status.returncode == 0, status.stderr
    assert "=12" in status.stdout, status.stdout
    assert TOKEN not in stdout + stderr + status.stdout + status.stderr
