"""A file submitted a chunk at a time gives, row by row and batch by batch, what the in-memory path gives."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from conftest import TOKEN, HeldIngestion
from prepared_frames import prepared_frame
from test_stream import MAPPING, ROWS, _write

import bulkprep
from bulkprep import prepare, read_csv
from bulkprep.cli import submit as cli_submit
from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import AuthenticationError, ConfigurationError, GuardError, SubmitInterrupted
from bulkprep.journal import Journal
from bulkprep.sandbox import Sandbox
from bulkprep.status import ROW_KEY, Column, RowStatus
from bulkprep.stream import prepare_file
from bulkprep.stream.batches import BatchCutter, ready_users
from bulkprep.stream.result import StreamedSubmitResult
from bulkprep.stream.submitting import plan_batches, submit_file
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def _file(tmp_path: Path, copies: int = 3) -> Path:
    # Each row again in later chunks: duplicate chains across chunks, quoted line breaks on chunk edges.
    return _write(tmp_path / "users.csv", ROWS * copies)


def _many(tmp_path: Path, count: int) -> Path:
    """The rows of the shared file, then ``count`` people of their own: many batches of 2."""
    unique = [
        [f"p{i}", f"p{i}@example.com", "", f"P {i}", "line\nbreak" if i % 5 == 0 else "", ""]
        for i in range(count)
    ]
    return _write(tmp_path / "many.csv", ROWS + unique)


def _stored(sb: Sandbox, job_id: str) -> Counter[bytes]:
    """The users of a job as sent (without what the sandbox adds: message ids and states)."""
    return Counter(
        orjson.dumps(
            {k: v for k, v in user.items() if k not in ("messageId", "status")}, option=orjson.OPT_SORT_KEYS
        )
        for user in sb.users(job_id)
    )


def _in_memory(path: Path, **options: Any) -> Any:
    return submit(prepare(read_csv(path), MAPPING), progress=False, sleep=no_wait, **options)


def _streamed(path: Path, out: Path, *, chunk_rows: int = 7, **options: Any) -> StreamedSubmitResult:
    errors = out.with_name(out.stem + ".errors.csv")
    return submit_file(
        path,
        MAPPING,
        results=out,
        errors=errors,
        chunk_rows=chunk_rows,
        progress=False,
        sleep=no_wait,
        **options,
    )


def _results_bytes(result: Any, folder: Path) -> bytes:
    return write_results_csv(result.df, folder / "expected.csv").read_bytes()


def _error_records(errors: pd.DataFrame) -> list[tuple[Any, ...]]:
    plain = errors.astype(object).where(errors.notna(), None)
    return sorted(
        (tuple(str(value) for value in record) for record in plain.itertuples(index=False)), key=repr
    )


def _read_errors(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


@pytest.mark.parametrize("chunk_rows", [1, 7, 1000])
@pytest.mark.parametrize(("batch_size", "max_batch_bytes"), [(3, 4_000_000), (100, 400)])
def test_a_dry_run_plans_the_batches_rows_and_payloads_of_the_in_memory_path(
    tmp_path: Path, chunk_rows: int, batch_size: int, max_batch_bytes: int
) -> None:
    path = _file(tmp_path)
    options = {
        "event": "WELCOME",
        "dry_run": True,
        "batch_size": batch_size,
        "max_batch_bytes": max_batch_bytes,
    }
    expected = _in_memory(path, **options)
    got = _streamed(path, tmp_path / "planned.csv", chunk_rows=chunk_rows, **options)
    assert got.summary == expected.summary
    assert got.results is not None
    assert got.results.read_bytes() == _results_bytes(expected, tmp_path)
    assert got.plan is not None
    assert expected.plan is not None
    assert got.plan.batches.to_dict("records") == expected.plan.batches.to_dict("records")
    assert got.plan.payloads == expected.plan.payloads
    assert got.plan.skipped.to_dict("records") == expected.plan.skipped.to_dict("records")
    assert got.plan.job == expected.plan.job
    assert got.errors_file is not None
    assert _error_records(_read_errors(got.errors_file)) == _error_records(
        _read_errors(write_results_csv(expected.errors, tmp_path / "expected-errors.csv"))
    )


def test_the_cutter_gives_the_batches_of_the_whole_file_whatever_the_chunks(tmp_path: Path) -> None:
    path = _file(tmp_path, copies=4)
    whole = prepare(read_csv(path), MAPPING)
    expected = bulkprep.batching.cut_batches(ready_users(whole.df), max_users=4, max_bytes=300)
    for chunk_rows in (1, 2, 5, 7, 50):
        with prepare_file(path, MAPPING, chunk_rows=chunk_rows) as prepared:
            cutter = BatchCutter(max_users=4, max_bytes=300)
            got = [b for frame in prepared.frames() for b in cutter.add(ready_users(frame)).batches]
            got += cutter.finish().batches
            assert got == expected
            plan = plan_batches(prepared, max_users=4, max_bytes=300)
        assert [b.content_hash for b in plan.batches] == [b.content_hash for b in expected]


def test_a_streamed_submit_holds_in_its_job_exactly_the_users_of_the_in_memory_submit(tmp_path: Path) -> None:
    path = _file(tmp_path)
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        options = {"event": "WELCOME", "api_key": TOKEN, "base_url": sb.url, "batch_size": 4, "run": True}
        expected = _in_memory(path, **options)
        got = _streamed(path, tmp_path / "submitted.csv", **options)
        assert got.job_id != expected.job_id
        assert got.summary == expected.summary
        assert got.summary["accepted"] > 0
        assert got.job_status == expected.job_status
        # The rows, their statuses, errors and batches are the same: only the job differs.
        assert got.results is not None
        assert got.results.read_bytes() == _results_bytes(expected, tmp_path)
        users = _stored(sb, got.job_id)
        assert users == _stored(sb, expected.job_id)
        assert sum(users.values()) == got.summary["accepted"]
    loaded = got.load()
    assert loaded.summary == expected.summary
    assert got.failed_rows().empty
    assert expected.failed_rows().empty
    assert len(got.df) == len(expected.df)  # a small file: the preview holds every row
    assert repr(got).startswith(f"StreamedSubmitResult({got.rows} rows: ")


def test_rows_courier_refuses_are_rejected_as_in_memory(tmp_path: Path) -> None:
    path = _file(tmp_path, copies=1)
    with Sandbox(token=TOKEN, echo="request") as sb:
        # The job already holds some of the users: Courier answers "Duplicate user" for them.
        seed = submit(
            prepare(read_csv(path), MAPPING).df.head(4),
            event="E",
            api_key=TOKEN,
            base_url=sb.url,
            progress=False,
        )
        # Batches of 2 (the seed's was of 3 rows): new idempotency keys, so Courier answers each user.
        options = {"job_id": seed.job_id, "api_key": TOKEN, "base_url": sb.url, "batch_size": 2}
        expected = _in_memory(path, **options)
        got = _streamed(path, tmp_path / "submitted.csv", chunk_rows=2, **options)
    assert got.summary == expected.summary
    assert got.summary["rejected"] > 0
    assert got.results is not None
    assert got.results.read_bytes() == _results_bytes(expected, tmp_path)
    assert got.errors_file is not None
    assert _error_records(_read_errors(got.errors_file)) == _error_records(
        _read_errors(write_results_csv(expected.errors, tmp_path / "expected-errors.csv"))
    )
    failed = got.failed_rows()
    assert failed[ROW_KEY].tolist() == expected.failed_rows()[ROW_KEY].tolist()


def test_a_refused_key_leaves_a_results_file_with_every_row_and_a_later_run_finishes(tmp_path: Path) -> None:
    path = _file(tmp_path)
    journal = tmp_path / "run.journal"
    out = tmp_path / "submitted.csv"
    ready = _in_memory(path, event="E", dry_run=True).summary["ready"]
    with Sandbox(token=TOKEN) as sb:
        seed = submit(
            prepared_frame([{"recipient": "seed"}]), event="E", api_key=TOKEN, base_url=sb.url, progress=False
        )
        options: dict[str, Any] = {
            "job_id": seed.job_id,
            "base_url": sb.url,
            "batch_size": 3,
            "journal": journal,
        }
        with pytest.raises(AuthenticationError) as stopped:
            _streamed(path, out, api_key="wrong-key", concurrency=1, **options)
        partial = stopped.value.result
        assert isinstance(partial, StreamedSubmitResult)
        written = pd.read_csv(out, dtype=str)
        assert len(written) == partial.rows == sum(partial.summary.values())
        assert partial.summary["failed"] == ready
        assert partial.left_to_do is not None
        assert str(journal) in partial.left_to_do
        assert "wrong-key" not in out.read_text(encoding="utf-8-sig") + repr(partial)
        # Every unsent row has its planned batch, as in memory.
        unsent = written[written[Column.STATUS.value] == RowStatus.FAILED.value]
        assert unsent[Column.BATCH.value].notna().all()

        again = _streamed(path, out, api_key=TOKEN, **options)
        assert again.summary["failed"] == 0
        assert again.summary["accepted"] == ready
        assert len(sb.users(seed.job_id)) == ready + 1  # the seed's user, then each ready row once


def test_a_journal_resumed_with_other_chunks_finds_every_batch(tmp_path: Path) -> None:
    path = _file(tmp_path)
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN) as sb:
        options = {
            "event": "WELCOME",
            "api_key": TOKEN,
            "base_url": sb.url,
            "batch_size": 3,
            "journal": journal,
        }
        first = _streamed(path, tmp_path / "a.csv", chunk_rows=7, **options)
        before = len(sb.requests)
        again = _streamed(path, tmp_path / "b.csv", chunk_rows=3, **options)
        assert len(sb.requests) == before  # everything restored from the journal
        assert again.job_id == first.job_id
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
        with Journal.open(journal) as book:
            in_memory_batches = _in_memory(path, **{**options, "journal": None, "dry_run": True}).plan.batches
            assert [(b.number, b.users) for b in book.batches()] == [
                (row["batch"], row["users"]) for row in in_memory_batches.to_dict("records")
            ]


SCRIPT = """
import sys
from bulkprep.stream.submitting import submit_file
from test_stream import MAPPING
url, journal, path, out = sys.argv[1:5]
submit_file(path, MAPPING, results=out, event="WELCOME", base_url=url, journal=journal,
            batch_size=2, concurrency=2, chunk_rows=7, progress=False)
"""


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_a_streamed_submit_stopped_mid_way_resumes_to_every_row_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: signal.Signals
) -> None:
    path = _many(tmp_path, 40)
    journal = tmp_path / "run.journal"
    out = tmp_path / "submitted.csv"
    script = tmp_path / "send.py"
    script.write_text(SCRIPT)
    with Sandbox(token=TOKEN, only_ingest=True) as sb:
        held = HeldIngestion(sb, 3, monkeypatch)  # the stop lands with batches in flight and unsent
        root = Path(bulkprep.__file__).resolve().parent.parent
        env = {**os.environ, "COURIER_API_KEY": TOKEN, "PYTHONPATH": f"{root}{os.pathsep}{root / 'tests'}"}
        with (tmp_path / "child.log").open("wb") as log:
            child = subprocess.Popen(
                [sys.executable, str(script), sb.url, str(journal), str(path), str(out)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            held.wait_until_held(child)
            child.send_signal(stop)
            if stop == signal.SIGINT:
                held.release()  # the batches in flight answer within the grace period
            child.wait(timeout=60)
        finally:
            held.release()
            if child.poll() is None:
                child.kill()
        (job_id,) = sb.jobs
        if stop == signal.SIGINT:
            assert child.returncode != 0
            written = pd.read_csv(out, dtype=str)
            assert len(written) == len(read_csv(path))  # Ctrl-C leaves a results file with every row
            assert "interrupted" in (tmp_path / "child.log").read_text()
        result = _streamed(
            path, out, event="WELCOME", api_key=TOKEN, base_url=sb.url, journal=journal, batch_size=2
        )
        assert result.job_id == job_id
        expected = _in_memory(path, event="WELCOME", batch_size=2, dry_run=True)
        assert result.summary["accepted"] == expected.summary["ready"]
        stored = _stored(sb, job_id)
        assert sum(stored.values()) == expected.summary["ready"]
        assert set(stored.values()) == {1}


def test_ctrl_c_in_process_raises_with_a_result_whose_file_holds_every_row(tmp_path: Path) -> None:
    path = _file(tmp_path)
    out = tmp_path / "submitted.csv"
    calls = [0]

    with Sandbox(token=TOKEN) as sb:

        def interrupting(_seconds: float) -> None:
            calls[0] += 1

        from bulkprep.client import CourierClient

        class Interrupting(CourierClient):
            def ingest(self, *args: Any, **kwargs: Any) -> Any:
                calls[0] += 1
                if calls[0] == 3:
                    raise KeyboardInterrupt
                return super().ingest(*args, **kwargs)

        with Interrupting(TOKEN, sb.url) as client, pytest.raises(SubmitInterrupted) as stopped:
            _streamed(path, out, event="WELCOME", client=client, batch_size=2, concurrency=1)
    result = stopped.value.result
    assert isinstance(result, StreamedSubmitResult)
    written = pd.read_csv(out, dtype=str)
    assert len(written) == result.rows == sum(result.summary.values())
    assert result.summary["accepted"] == 4  # the two batches sent before
    assert result.summary["failed"] > 0


def test_guards_and_options_of_a_streamed_submit(tmp_path: Path) -> None:
    path = _file(tmp_path)
    with pytest.raises(GuardError, match="nothing was sent") as refused:
        _streamed(path, tmp_path / "r.csv", event="WELCOME", max_invalid=0, api_key=TOKEN)
    assert isinstance(refused.value.result, StreamedSubmitResult)
    assert len(pd.read_csv(tmp_path / "r.csv")) == refused.value.result.rows
    with pytest.raises(ConfigurationError, match="needs run=True"):
        _streamed(path, tmp_path / "r.csv", event="WELCOME", wait=True)
    with (
        pytest.raises(ConfigurationError, match="leave out the mapping"),
        prepare_file(path, MAPPING) as ready,
    ):
        submit(ready, MAPPING, event="WELCOME", dry_run=True, progress=False)
    with pytest.raises(ConfigurationError, match="results="):
        submit(prepare(read_csv(path), MAPPING), event="WELCOME", dry_run=True, results=tmp_path / "x.csv")
    # submit() takes a PreparedFile and a path, and streams them.
    with prepare_file(path, MAPPING, chunk_rows=5) as ready:
        from_prepared = submit(
            ready, event="WELCOME", dry_run=True, progress=False, results=tmp_path / "p.csv"
        )
    from_path = submit(
        path, MAPPING, event="WELCOME", dry_run=True, progress=False, results=tmp_path / "q.csv"
    )
    assert isinstance(from_prepared, StreamedSubmitResult)
    assert isinstance(from_path, StreamedSubmitResult)
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "q.csv").read_bytes()


def test_parquet_results_hold_the_rows_of_the_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = _file(tmp_path)
    csv_result = _streamed(path, tmp_path / "r.csv", event="WELCOME", dry_run=True)
    parquet_result = _streamed(path, tmp_path / "r.parquet", event="WELCOME", dry_run=True, chunk_rows=3)
    from_csv = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False, na_values=[""])
    from_parquet = pd.read_parquet(tmp_path / "r.parquet")
    assert list(from_parquet.columns) == list(from_csv.columns)
    assert from_parquet[ROW_KEY].tolist() == from_csv[ROW_KEY].astype(int).tolist()
    assert from_parquet[Column.STATUS.value].tolist() == from_csv[Column.STATUS.value].tolist()
    assert parquet_result.summary == csv_result.summary
    assert len(list(parquet_result.frames())) >= 1


def _submit_args(path: Path, tmp_path: Path, *extra: str) -> argparse.Namespace:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli_submit.add_arguments(parser)
    return parser.parse_args([str(path), "--mapping", str(mapping), "--no-progress", *extra])


@pytest.mark.parametrize("mode", [["--dry-run", "--max-invalid", "90%"], ["--run", "--batch-size", "3"]])
def test_submit_stream_prints_writes_and_exits_as_submit_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, mode: list[str]
) -> None:
    path = _file(tmp_path)
    with Sandbox(token=TOKEN, processing_seconds=0) as sb:
        clean_env.setenv("COURIER_API_KEY", TOKEN)
        common = ["--event", "WELCOME", "--base-url", sb.url, *mode]
        code = cli_submit.run(_submit_args(path, tmp_path, *common, "--out", str(tmp_path / "memory.csv")))
        printed = capsys.readouterr().out
        args = _submit_args(path, tmp_path, *common, "--stream", "--out", str(tmp_path / "stream.csv"))
        streamed_code = cli_submit.run(args)
        streamed = capsys.readouterr().out
    jobs = list(sb.jobs)

    def plain(text: str) -> str:
        for number, job in enumerate(jobs):
            text = text.replace(job, f"JOB{number}")
        return text.replace("stream.csv", "memory.csv").replace("JOB1", "JOB0")

    assert streamed_code == code
    assert plain(streamed) == plain(printed)
    assert (tmp_path / "stream.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()


def test_submit_stream_refuses_what_needs_every_row_in_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path)
    args = _submit_args(path, tmp_path, "--event", "E", "--stream", "--update", str(tmp_path / "earlier.csv"))
    with pytest.raises(ConfigurationError, match="--stream cannot be used"):
        cli_submit.run(args)


def test_submit_streams_large_csv_files_without_being_asked(tmp_path: Path) -> None:
    from bulkprep.stream import STREAM_BYTES
    from bulkprep.stream.cli import streams

    large = tmp_path / "large.csv"
    with open(large, "wb") as out:
        out.write(b"User ID,Email\r\n")
        out.truncate(STREAM_BYTES + 1)  # sparse: takes no room on disk
    small = _file(tmp_path)
    assert streams(_submit_args(large, tmp_path, "--event", "E"))
    assert streams(_submit_args(small, tmp_path, "--event", "E", "--stream"))
    assert not streams(_submit_args(small, tmp_path, "--event", "E"))
    # What needs every row in memory keeps a large file on the in-memory path, as before.
    assert not streams(_submit_args(large, tmp_path, "--event", "E", "--update", str(tmp_path / "r.csv")))
    assert streams(_submit_args(large, tmp_path, "--event", "E", "--run", "--wait"))  # streamed too
    assert not streams(_submit_args(large, tmp_path, "--event", "E", "--sheet", "1"))


def test_every_long_stage_shows_a_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    submit_file(path, MAPPING, results=tmp_path / "r.csv", event="WELCOME", dry_run=True, chunk_rows=7)
    bars = capsys.readouterr().err
    for stage in ("preparing", "settling duplicates", "planning batches", "writing the plan"):
        assert stage in bars
    with Sandbox(token=TOKEN) as sb:
        submit_file(
            path, MAPPING, results=tmp_path / "s.csv", event="WELCOME", api_key=TOKEN, base_url=sb.url
        )
    assert "submitting" in capsys.readouterr().err


def _without_message_ids(results: bytes) -> list[dict[str, Any]]:
    """The rows of a results file, each message id only said to be there (each job has its own)."""
    frame = pd.read_csv(io.BytesIO(results), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame[Column.MESSAGE_ID.value] = frame[Column.MESSAGE_ID.value] != ""
    records: list[dict[str, Any]] = frame.to_dict("records")
    return records


def _delivery_file(tmp_path: Path) -> Path:
    """The shared rows, then users whose messages bounce, find no provider, or reach no channel."""
    fates = [
        ["d1", "bounce@example.com", "", "Bounce", "", ""],
        ["d2", "x+noprovider@example.com", "", "No provider", "", ""],
        ["d3", "", "(202) 555-0177", "Phone only", "", ""],  # no email: ERROR on an email job
        ["d4", "d4+click@example.com", "", "Clicks", "two\nlines", ""],
        ["d5", "unsub@example.com", "", "Unsubscribed", "", ""],
    ]
    return _write(tmp_path / "delivery.csv", ROWS + fates + ROWS + fates[:2])


@pytest.mark.parametrize("chunk_rows", [1, 4, 1000])
def test_a_streamed_wait_reads_the_delivery_of_the_in_memory_wait(
    tmp_path: Path, chunk_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _delivery_file(tmp_path)
    monkeypatch.setattr("bulkprep.stream.delivery._OUTCOME_ROWS", 2)  # the outcomes read in stretches
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0, channel="email", page_size=3) as sb:
        options = {
            "event": "WELCOME",
            "api_key": TOKEN,
            "base_url": sb.url,
            "batch_size": 3,
            "run": True,
            "wait": True,
        }
        expected = _in_memory(path, **options)
        got = _streamed(path, tmp_path / "submitted.csv", chunk_rows=chunk_rows, **options)
    assert got.left_to_do is None
    assert expected.left_to_do is None
    assert got.summary == expected.summary
    assert got.job_status == expected.job_status == "COMPLETED"
    assert got.results is not None
    assert _without_message_ids(got.results.read_bytes()) == _without_message_ids(
        _results_bytes(expected, tmp_path)
    )
    delivered = expected.df[Column.DELIVERY_STATUS.value].dropna()
    assert set(delivered) == {"ENQUEUED", "ERROR"}
    assert set(expected.df[Column.OUTCOME.value].dropna()) >= {"UNDELIVERABLE", "UNROUTABLE", "CLICKED"}
    assert got.errors_file is not None
    assert _error_records(_read_errors(got.errors_file)) == _error_records(
        _read_errors(write_results_csv(expected.errors, tmp_path / "expected-errors.csv"))
    )
    assert got.failed_rows()[ROW_KEY].tolist() == expected.failed_rows()[ROW_KEY].tolist()
    assert not (tmp_path / "submitted.csv").with_name("delivery.sqlite").exists()


def test_a_streamed_wait_that_times_out_writes_every_row_and_says_what_is_left(tmp_path: Path) -> None:
    path = _delivery_file(tmp_path)
    with Sandbox(token=TOKEN, processing_seconds=3600) as sb:
        options = {"event": "WELCOME", "api_key": TOKEN, "base_url": sb.url, "run": True, "wait": True}
        expected = _in_memory(path, wait_timeout=0, **options)
        got = _streamed(path, tmp_path / "submitted.csv", chunk_rows=3, wait_timeout=0, **options)
    assert got.left_to_do is not None
    assert expected.left_to_do is not None
    assert got.left_to_do.replace(str(got.job_id), "JOB") == expected.left_to_do.replace(
        str(expected.job_id), "JOB"
    )
    assert got.results is not None
    assert got.results.read_bytes() == _results_bytes(expected, tmp_path)


def test_submit_stream_wait_prints_and_writes_what_the_in_memory_command_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _delivery_file(tmp_path)
    clean_env.setenv("COURIER_API_KEY", TOKEN)
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0, channel="email") as sb:
        common = ["--event", "WELCOME", "--base-url", sb.url, "--run", "--wait"]
        memory = _submit_args(path, tmp_path, *common, "--out", str(tmp_path / "memory.csv"))
        code = cli_submit.run(memory)
        printed = capsys.readouterr().out
        streamed_args = _submit_args(
            path, tmp_path, *common, "--stream", "--out", str(tmp_path / "stream.csv")
        )
        streamed_code = cli_submit.run(streamed_args)
        streamed = capsys.readouterr().out
        jobs = list(sb.jobs)
    for job in jobs:
        printed, streamed = printed.replace(job, "JOB"), streamed.replace(job, "JOB")
    assert "delivery: ENQUEUED=" in printed
    assert streamed_code == code == 1
    assert streamed.replace("stream.csv", "memory.csv") == printed
    streamed_rows = _without_message_ids((tmp_path / "stream.csv").read_bytes())
    assert streamed_rows == _without_message_ids((tmp_path / "memory.csv").read_bytes())
