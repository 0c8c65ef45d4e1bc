"""submit() with a journal: an interrupted submission resumes without sending any row twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import HeldIngestion
from prepared_frames import prepared_frame

import bulkprep
from bulkprep.client import CourierClient
from bulkprep.errors import AuthenticationError, JournalError
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit

TOKEN = "test-token"


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def prepared(count: int, *, start: int = 0) -> pd.DataFrame:
    return prepared_frame([{"recipient": f"u{i}", "data": {"n": i}} for i in range(start, start + count)])


def stored(sb: Sandbox, job_id: str) -> Counter[str]:
    return Counter(item["recipient"] for item in sb.users(job_id))


def send(frame: pd.DataFrame, sb: Sandbox, journal: Path, **options: Any) -> Any:
    options = {"event": "WELCOME", "api_key": TOKEN, "base_url": sb.url, "sleep": no_wait, **options}
    return submit(frame, journal=journal, progress=False, **options)


def test_a_second_run_with_the_same_journal_sends_nothing_again(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN) as sb:
        first = send(prepared(5), sb, journal, batch_size=2)
        before = len(sb.requests)
        again = send(prepared(5), sb, journal, batch_size=2)
        assert again.job_id == first.job_id
        assert len(sb.jobs) == 1
        assert len(sb.requests) == before  # everything was restored from the journal
        assert again.summary["accepted"] == 5
        assert stored(sb, first.job_id) == Counter({f"u{i}": 1 for i in range(5)})
        assert "test-token" not in journal.read_bytes().decode("latin-1")


def test_rejections_are_restored_from_the_stored_answer(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN, echo="request") as sb:
        seed = submit(prepared(1), event="E", api_key=TOKEN, base_url=sb.url, progress=False)
        first = send(prepared(3), sb, journal, event=None, job_id=seed.job_id)
        again = send(prepared(3), sb, journal, event=None, job_id=seed.job_id)
        for result in (first, again):
            assert result.df["bulk_status"].tolist() == ["rejected", "accepted", "accepted"]
            assert result.df["bulk_error"].iloc[0] == "Courier refused the user: Duplicate user"
        assert stored(sb, seed.job_id) == Counter({"u0": 1, "u1": 1, "u2": 1})


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda frame: frame.assign(bulk_user=[{"recipient": "other"}, *frame["bulk_user"][1:]]), "content"),
        (lambda frame: frame.iloc[:2], "ready rows differ"),
    ],
)
def test_a_journal_of_other_input_is_refused(tmp_path: Path, change: Any, fragment: str) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN) as sb:
        send(prepared(3), sb, journal)
        with pytest.raises(JournalError, match=fragment):
            send(change(prepared(3)), sb, journal)
        with pytest.raises(JournalError, match="another job definition"):
            send(prepared(3), sb, journal, event="OTHER")


def test_failed_batches_are_sent_again_and_their_own_duplicates_count_as_accepted(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN, only_ingest=True, latency=0.2, ignore_idempotency=True) as sb:
        impatient = CourierClient(TOKEN, sb.url, sleep=no_wait, max_retries=0, timeout=(2.0, 0.02))
        first = send(prepared(2), sb, journal, client=impatient)
        assert first.summary["failed"] == 2
        # The server went on and stored the users; the second run hears "Duplicate user" for them.
        patient = CourierClient(TOKEN, sb.url, sleep=no_wait, timeout=(2.0, 5.0))
        again = send(prepared(2), sb, journal, client=patient)
        assert again.summary["accepted"] == 2
        assert again.unmatched_errors.empty
        assert stored(sb, again.job_id) == Counter({"u0": 1, "u1": 1})


def test_a_refused_key_is_journalled_and_a_later_run_finishes(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN) as sb:
        job_id = submit(
            prepared(1, start=100), event="E", api_key=TOKEN, base_url=sb.url, progress=False
        ).job_id
        with pytest.raises(AuthenticationError):
            send(
                prepared(4),
                sb,
                journal,
                event=None,
                job_id=job_id,
                api_key="wrong",
                batch_size=2,
                concurrency=1,
            )
        again = send(prepared(4), sb, journal, event=None, job_id=job_id, batch_size=2)
        assert again.summary["accepted"] == 4
        assert stored(sb, job_id) == Counter({"u100": 1, "u0": 1, "u1": 1, "u2": 1, "u3": 1})


SCRIPT = """
import sys
import pandas as pd
from bulkprep.submit import submit

count = int(sys.argv[3])
frame = pd.DataFrame({
    "bulk_row": range(2, 2 + count),
    "Name": [f"name {i}" for i in range(count)],
    "bulk_user": [{"recipient": f"u{i}", "data": {"n": i}} for i in range(count)],
    "bulk_status": ["ready"] * count,
    "bulk_error": [None] * count,
    "bulk_duplicate_of": pd.array([None] * count, dtype="Int64"),
})
submit(frame, event="WELCOME", base_url=sys.argv[1], journal=sys.argv[2], batch_size=1, concurrency=2,
       progress=False)
print("finished")
"""


def test_a_run_killed_mid_way_resumes_and_sends_every_row_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "run.journal"
    script = tmp_path / "send.py"
    script.write_text(SCRIPT)
    count = 12
    with Sandbox(token=TOKEN, only_ingest=True) as sb:
        held = HeldIngestion(sb, 4, monkeypatch)  # the kill lands with batches in flight and unsent
        root = str(Path(bulkprep.__file__).resolve().parent.parent)
        env = {**os.environ, "COURIER_API_KEY": TOKEN, "PYTHONPATH": root}
        log = tmp_path / "child.log"
        with log.open("wb") as output:
            child = subprocess.Popen(
                [sys.executable, str(script), sb.url, str(journal), str(count)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            held.wait_until_held(child)
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
            held.release()
        assert child.returncode == -signal.SIGKILL
        (job_id,) = sb.jobs
        assert 0 < len(sb.users(job_id)) < count, "the kill must land mid-way"

        result = send(prepared(count), sb, journal, batch_size=1, concurrency=2)
        assert result.job_id == job_id
        assert result.summary["accepted"] == count
        assert sum(result.summary.values()) == count
        assert stored(sb, job_id) == Counter({f"u{i}": 1 for i in range(count)})
