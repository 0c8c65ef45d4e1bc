from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import bulkprep.journal
from bulkprep.batching import Batch, cut_batches, idempotency_key, split_batch
from bulkprep.client import CourierClient
from bulkprep.errors import BulkprepError, JournalError
from bulkprep.journal import SCHEMA_VERSION, AckedAnswer, BatchEntry, JobEntry, Journal, RefusedAnswer
from bulkprep.sandbox import Sandbox
from bulkprep.status import FINAL_BATCH_STATES, BatchState

BATCH_STATES = tuple(state.value for state in BatchState)


def make_batches(count: int, size: int, *, first_row: int = 0, first_number: int = 1) -> list[Batch]:
    rows = range(first_row, first_row + count * size)
    users = pd.Series([{"recipient": f"u{row}"} for row in rows], index=rows, dtype=object)
    return cut_batches(users, max_users=size, first_number=first_number)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal.open(tmp_path / "submit.journal")
    yield opened
    opened.close()


def test_new_journal_is_empty_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "new.journal"
    with Journal.open(path) as journal:
        assert journal.job() is None
        assert journal.batches() == []
        assert journal.counts() == dict.fromkeys(BATCH_STATES, 0)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_job_is_recorded_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    with Journal.open(path) as journal:
        journal.set_job("1-abc", base_url="http://127.0.0.1:1", definition_hash="d1")
        journal.set_job("1-abc", base_url="http://127.0.0.1:2", definition_hash="d1")
    with Journal.open(path) as journal:
        assert journal.job() == JobEntry("1-abc", "http://127.0.0.1:2", "d1", False)
        journal.mark_run_requested()
    with Journal.open(path) as journal:
        job = journal.job()
    assert job is not None
    assert job.run_requested is True


def test_a_journal_holds_one_job(journal: Journal) -> None:
    journal.set_job("1-abc", base_url="u", definition_hash="d")
    with pytest.raises(JournalError, match=r"already records job '1-abc'.*new journal file"):
        journal.set_job("1-xyz", base_url="u", definition_hash="d")


def test_run_requested_needs_a_job(journal: Journal) -> None:
    with pytest.raises(JournalError, match="call set_job first"):
        journal.mark_run_requested()


def test_batch_lifecycle(journal: Journal) -> None:
    batches = make_batches(3, 2, first_row=10)
    journal.add_batches(batches)
    journal.mark_sending(1, "key-1")
    journal.mark_done(1, "acked", {"errors": [{"error": "Duplicate user", "user": {"user_id": "u10"}}]})
    journal.mark_sending(2, "key-2")
    journal.mark_done(2, "failed", {"status": 503})
    journal.mark_sending(2, "key-2")
    entries = journal.batches()
    assert entries[0] == BatchEntry(
        1,
        (10, 11),
        batches[0].content_hash,
        "key-1",
        "acked",
        1,
        {"errors": [{"error": "Duplicate user", "user": {"user_id": "u10"}}]},
        2,
        batches[0].nbytes,
    )
    assert (entries[1].state, entries[1].attempts, entries[1].answer) == ("sending", 2, {"status": 503})
    assert (entries[2].state, entries[2].idempotency_key, entries[2].attempts) == ("pending", None, 0)
    assert journal.counts() == {"pending": 1, "sending": 1, "acked": 1, "rejected": 0, "failed": 0}


@pytest.mark.parametrize("final", ["acked", "rejected"])
def test_settled_batches_are_never_sent_or_changed_again(journal: Journal, final: str) -> None:
    journal.add_batches(make_batches(1, 2))
    journal.mark_sending(1, "k")
    journal.mark_done(1, final, None)
    with pytest.raises(JournalError, match=f"already {final}; its rows must not be sent again"):
        journal.mark_sending(1, "k")
    with pytest.raises(JournalError, match=f"already {final}"):
        journal.mark_done(1, "failed", None)
    with pytest.raises(JournalError, match=f"already {final}; it cannot be split"):
        journal.replace_with_halves(1, split_batch(make_batches(1, 2)[0], numbers=(2, 3)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda j: j.mark_sending(9, "k"), "has no batch 9"),
        (lambda j: j.mark_done(9, "acked", None), "has no batch 9"),
        (lambda j: j.mark_done(1, "sending", None), "'sending' is not an outcome"),
        (lambda j: j.add_batches(make_batches(1, 2, first_number=1)), "batch numbers or rows"),
        (lambda j: j.add_batches(make_batches(1, 2, first_row=1, first_number=5)), "batch numbers or rows"),
    ],
)
def test_wrong_calls_are_refused_and_change_nothing(journal: Journal, call, message: str) -> None:
    journal.add_batches(make_batches(1, 2))
    before = journal.batches()
    with pytest.raises(JournalError, match=message) as caught:
        call(journal)
    assert isinstance(caught.value, BulkprepError)
    assert not isinstance(caught.value, ValueError)
    assert journal.batches() == before


def test_states_are_batch_states_and_the_file_keeps_their_text(tmp_path: Path) -> None:
    path = tmp_path / "typed.journal"
    with Journal.open(path) as journal:
        journal.add_batches(make_batches(3, 1))
        journal.mark_sending(1, "k1")
        journal.mark_acked(1, AckedAnswer(200, [{"error": "Duplicate user", "user": {"user_id": "u0"}}], 0))
        journal.mark_sending(2, "k2")
        journal.mark_rejected(2, RefusedAnswer(400, "recipient must be a string", "invalid_request_error"))
        journal.mark_sending(3, "k3")
        journal.mark_failed(3, RefusedAnswer(503, "down"))
        entries = journal.batches()
    assert [entry.state for entry in entries] == [BatchState.ACKED, BatchState.REJECTED, BatchState.FAILED]
    assert all(isinstance(entry.state, BatchState) for entry in entries)
    assert [entry.state.final for entry in entries] == [True, True, False]
    assert AckedAnswer.from_json(entries[0].answer).errors[0]["error"] == "Duplicate user"
    assert RefusedAnswer.from_json(entries[1].answer).type == "invalid_request_error"
    assert entries[2].answer == {"status": 503, "type": None, "message": "down"}
    with sqlite3.connect(path) as db:
        texts = [state for (state,) in db.execute("SELECT state FROM batch ORDER BY number")]
    db.close()
    assert texts == ["acked", "rejected", "failed"]


def test_a_journal_written_before_typed_answers_still_reads(tmp_path: Path) -> None:
    # The answers as the earlier code stored them: a failed batch without a type, errors as strings.
    path = tmp_path / "old.journal"
    with Journal.open(path) as journal:
        journal.add_batches(make_batches(2, 1))
        journal.mark_sending(1, "k1")
        journal.mark_done(1, "acked", {"status": 200, "errors": ["Duplicate user"], "total": 0})
        journal.mark_sending(2, "k2")
        journal.mark_done(2, "failed", {"status": 401, "message": "refused"})
        first, second = journal.batches()
    assert AckedAnswer.from_json(first.answer) == AckedAnswer(200, [{"error": "Duplicate user"}], 0, False)
    assert RefusedAnswer.from_json(second.answer) == RefusedAnswer(401, "refused", None)


def test_the_former_state_tuples_still_work_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="bulkprep.status"):
        assert bulkprep.journal.BATCH_STATES == BATCH_STATES
    with pytest.warns(DeprecationWarning, match="FINAL_BATCH_STATES"):
        assert set(bulkprep.journal.FINAL_STATES) == set(FINAL_BATCH_STATES)


def test_replace_with_halves_moves_rows_and_keeps_them_unique(journal: Journal) -> None:
    batches = make_batches(2, 4)
    journal.add_batches(batches)
    journal.mark_sending(1, "k1")
    halves = split_batch(batches[0], numbers=(3, 4))
    journal.replace_with_halves(1, halves)
    entries = {entry.number: entry for entry in journal.batches()}
    assert sorted(entries) == [2, 3, 4]
    assert entries[3].rows + entries[4].rows == batches[0].rows
    assert (entries[3].state, entries[3].content_hash, entries[3].nbytes) == (
        "pending",
        halves[0].content_hash,
        halves[0].nbytes,
    )
    # The moved rows are still taken: adding them again is refused.
    with pytest.raises(JournalError, match="exactly one batch"):
        journal.add_batches(make_batches(1, 1, first_row=0, first_number=9))


def test_halves_must_hold_exactly_the_rows(journal: Journal) -> None:
    (batch,) = make_batches(1, 4)
    journal.add_batches([batch])
    first, second = split_batch(batch, numbers=(2, 3))
    with pytest.raises(JournalError, match="do not hold exactly its rows"):
        journal.replace_with_halves(1, [first])
    with pytest.raises(JournalError, match="reuses a batch number"):
        journal.replace_with_halves(1, [first, dataclasses.replace(second, number=2)])
    assert [entry.number for entry in journal.batches()] == [1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"user_id,email\n1,a@b.co\n", "is not a bulkprep journal"),
        (b"\x00" * 5000, "is not a bulkprep journal"),
    ],
)
def test_files_that_are_not_journals_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(content)
    with pytest.raises(JournalError, match=message):
        Journal.open(path)
    assert path.read_bytes() == content


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()
    with pytest.raises(JournalError, match="not a bulkprep journal"):
        Journal.open(path)


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 99])
def test_unknown_schema_version_is_refused_clearly(tmp_path: Path, version: int) -> None:
    path = tmp_path / "future.journal"
    Journal.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {version}")
    db.close()
    with pytest.raises(JournalError, match=f"schema version {version}.*reads version {SCHEMA_VERSION}"):
        Journal.open(path)


def test_unopenable_path_says_what_to_check(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="check that its folder exists"):
        Journal.open(tmp_path / "missing-folder" / "x.journal")


# A writer that never stops: add a group of batches, send, answer, split, repeat; prints after each commit.
_WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from bulkprep.batching import cut_batches, split_batch
    from bulkprep.journal import Journal

    journal = Journal.open(sys.argv[1])
    journal.set_job("1-kill", base_url="http://127.0.0.1:1", definition_hash="d")
    group, number = 0, 1
    while True:
        rows = range(group * 40, group * 40 + 40)
        users = pd.Series([{"recipient": f"u{row}", "data": {"pad": "x" * 200}} for row in rows], index=rows)
        batches = cut_batches(users, max_users=10, first_number=number)
        number += len(batches)
        journal.add_batches(batches)
        for batch in batches:
            journal.mark_sending(batch.number, f"key-{batch.number}")
            if batch.number % 3 == 0:
                journal.replace_with_halves(batch.number, split_batch(batch, numbers=(number, number + 1)))
                number += 2
            else:
                journal.mark_done(batch.number, "acked", {"errors": [], "total": batch.users})
            print(batch.number, flush=True)
        group += 1
    """
)


def test_sigkill_while_writing_leaves_a_consistent_journal(tmp_path: Path) -> None:
    path = tmp_path / "killed.journal"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    try:
        # Kill it mid-stream, once it has committed a good number of writes.
        for _ in range(60):
            assert writer.stdout.readline(), writer.stderr.read() if writer.stderr else ""
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        if writer.stderr is not None:
            writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    with Journal.open(path) as journal:
        assert journal.job() == JobEntry("1-kill", "http://127.0.0.1:1", "d", False)
        entries = journal.batches()
        rows = [row for entry in entries for row in entry.rows]
        # Groups are added whole, batches split whole: the rows are complete groups, each row once.
        assert len(rows) == len(set(rows))
        assert sorted(rows) == list(range(len(rows)))
        assert len(rows) % 40 == 0
        assert len(rows) >= 40 * 2
        for entry in entries:
            assert entry.state in ("pending", "sending", "acked")
            assert entry.users == len(entry.rows)
            assert (entry.answer is not None) == (entry.state == "acked")
            assert (entry.idempotency_key is None) == (entry.state == "pending" and entry.attempts == 0)
        # The file is still writable where it left off.
        pending = next(entry for entry in entries if entry.state in ("pending", "sending"))
        journal.mark_sending(pending.number, "resumed")
        journal.mark_done(pending.number, "acked", {"errors": []})


def test_journal_file_never_holds_the_key_or_headers(tmp_path: Path) -> None:
    key = "sk_live_journal-grep-9f8e7d"
    path = tmp_path / "secret.journal"
    with (
        Sandbox(token=key) as sandbox,
        CourierClient(key, sandbox.url) as client,
        Journal.open(path) as journal,
    ):
        job_id = client.create_job({"event": "WELCOME"})
        journal.set_job(job_id, base_url=client.base_url, definition_hash="d")
        users = pd.Series([{"recipient": f"u{n % 3}"} for n in range(6)], index=range(6), dtype=object)
        batches = cut_batches(users, max_users=3)
        journal.add_batches(batches)
        for batch in batches:
            batch_key = idempotency_key(job_id, batch)
            journal.mark_sending(batch.number, batch_key)
            receipt = client.ingest(job_id, batch.body, idempotency_key=batch_key)
            journal.mark_acked(batch.number, AckedAnswer(receipt.status, receipt.errors, receipt.total))
        journal.mark_run_requested()
        client.run_job(job_id)
        # The second batch repeated users: its answer holds Courier's echoes.
        second_answer = journal.batches()[1].answer
        assert second_answer is not None
        assert len(second_answer["errors"]) == 3
        files = [file for file in tmp_path.iterdir() if file.name.startswith(path.name)]
        contents = b"".join(file.read_bytes() for file in files)
    contents += path.read_bytes()
    assert b"Duplicate user" in contents
    for secret in (key.encode(), b"Authorization", b"Bearer", b"authorization"):
        assert secret not in contents


# ------------------------------------------------------------------------------ one process per journal

_HOLDER = textwrap.dedent(
    """
    import sys
    from bulkprep.journal import Journal

    journal = Journal.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()  # hold the journal until told (or killed)
    journal.close()
    """
)


@contextmanager
def held_by_another_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    """A real second process that holds ``path`` open as a journal until the block ends (or it is killed)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    try:
        assert holder.stdout.readline() == "open\n", holder.stderr.read() if holder.stderr else ""
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()
        for stream in (holder.stdin, holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()


def test_a_second_process_on_the_same_journal_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with held_by_another_process(path) as holder:
        started = time.monotonic()
        with pytest.raises(JournalError, match=rf"in use by another bulkprep run \(process {holder.pid}\)"):
            Journal.open(path)
        assert time.monotonic() - started < 10  # at once: no waiting on SQLite's busy timeout
    with Journal.open(path) as journal:  # the holder closed it
        assert journal.counts()["pending"] == 0


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with held_by_another_process(path) as holder:
        with pytest.raises(JournalError, match="in use"):
            Journal.open(path)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with Journal.open(path) as journal:
            journal.set_job("1-after-kill", base_url="http://127.0.0.1:1", definition_hash="d")
    assert (tmp_path / "run.journal.lock").exists()  # the file stays; the lock died with its holder


def test_the_same_journal_twice_in_one_process_is_refused_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    first = Journal.open(path)
    with pytest.raises(JournalError, match="in use by another bulkprep run"):
        Journal.open(path)
    first.close()
    Journal.open(path).close()


# --------------------------------------------------------------------------- journals that cannot be used


def _journal_with_batches(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.set_job("1-abc", base_url="http://127.0.0.1:1", definition_hash="d")
        users = pd.Series([{"recipient": f"u{i}", "data": {"pad": "x" * 100}} for i in range(2000)])
        journal.add_batches(cut_batches(users, max_users=10))


@pytest.mark.parametrize("keep", [0.5, 0.1, 100], ids=["half", "tenth", "100-bytes"])
def test_a_truncated_journal_is_refused_as_damaged(tmp_path: Path, keep: float) -> None:
    whole = tmp_path / "whole.journal"
    _journal_with_batches(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.journal"
    cut.write_bytes(data[: int(len(data) * keep) if keep < 1 else int(keep)])
    with pytest.raises(JournalError, match="the file is damaged: restore it from a backup, or start over"):
        Journal.open(cut)


def test_random_bytes_are_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "noise.journal"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(JournalError, match="is not a bulkprep journal"):
        Journal.open(path)


@pytest.mark.parametrize(
    ("where", "fragment"),
    [
        pytest.param(lambda tmp: Path("/dev/null"), "is not a regular file", id="dev-null"),
        pytest.param(lambda tmp: tmp, "is a folder; give --journal a file name", id="folder"),
    ],
)
def test_a_path_that_cannot_hold_a_journal_is_refused_and_left_alone(
    tmp_path: Path, where: Any, fragment: str
) -> None:
    path = where(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(JournalError, match=fragment):
        Journal.open(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (mode bits do not stop root: then a read-only one)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    for candidate in (Path("/sys"), Path("/proc")):
        try:
            (candidate / "bulkprep-probe").touch()
        except OSError:
            return candidate
    pytest.skip("no folder on this machine refuses this process a new file")


def test_a_journal_in_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    folder = unwritable_folder(tmp_path)
    with pytest.raises(JournalError, match="the journal's folder must be writable"):
        Journal.open(folder / "run.journal")


_FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    import pandas as pd
    from bulkprep.batching import cut_batches
    from bulkprep.errors import JournalError
    from bulkprep.journal import Journal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), like a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
    try:
        with Journal.open(sys.argv[1]) as journal:
            journal.set_job("1-full", base_url="http://127.0.0.1:1", definition_hash="d")
            users = pd.Series([{"recipient": f"u{i}", "data": {"pad": "x" * 100}} for i in range(20000)])
            journal.add_batches(cut_batches(users, max_users=10))
    except JournalError as exc:
        print(exc)
    """
)


@pytest.mark.parametrize("limit", [16_384, 200_000], ids=["when-created", "when-written"])
def test_a_full_disk_is_a_journal_error_that_says_so(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "full.journal"
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"journal {path} could not be" in done.stdout
    assert "the disk may be full" in done.stdout


@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_second_process_reaching_the_journal_by_a_link_is_refused_too(tmp_path: Path, link: str) -> None:
    path = tmp_path / "run.journal"
    Journal.open(path).close()
    other = tmp_path / "other-name.journal"
    if link == "symbolic":
        other.symlink_to(path)
    else:
        os.link(path, other)
    with held_by_another_process(path) as holder:
        with pytest.raises(JournalError, match="in use by another bulkprep run"):
            Journal.open(other)
        holder.stdin.write("\n")  # type: ignore[union-attr]
        holder.stdin.flush()  # type: ignore[union-attr]
        holder.wait()
    with Journal.open(other) as journal:  # the holder closed it
        assert journal.counts()["pending"] == 0
