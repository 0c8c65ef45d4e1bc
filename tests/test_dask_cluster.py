"""bulkprep.dask on a real cluster of two worker processes: what it gives is what the in-memory path gives.

One local cluster serves the module (starting one takes seconds). Its workers take the API key from
their environment, as they would on a real cluster, so the key is set before the cluster starts.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import dask  # noqa: E402
import dask.dataframe as dd  # noqa: E402
from conftest import TOKEN, HeldIngestion  # noqa: E402

import bulkprep  # noqa: E402
from bulkprep import dask as bulkdask  # noqa: E402
from bulkprep import prepare, read_csv  # noqa: E402
from bulkprep import submit as submit_in_memory  # noqa: E402
from bulkprep.batching import Batch, cut_batches, idempotency_key  # noqa: E402
from bulkprep.errors import ConfigurationError, GuardError  # noqa: E402
from bulkprep.retry import RetryPolicy  # noqa: E402
from bulkprep.sandbox import Sandbox  # noqa: E402
from bulkprep.sandbox.faults import Decision  # noqa: E402
from bulkprep.status import ROW_KEY, Column, RowStatus  # noqa: E402

PLAIN: dict[str, Any] = {"recipient": "User ID", "profile": {"email": "Email"}}
MAPPING: dict[str, Any] = {
    "recipient": "User ID",
    "profile": {"email": "Email", "phone_number": "Phone"},
    "data": {"name": "Name", "note": "Note", "plan": "Plan"},
}
HEADER = ["User ID", "Email", "Phone", "Name", "Note", "Plan"]
# Chains of duplicates, quoted values holding line breaks (one of 8 lines), invalid rows.
ROWS: list[list[str]] = [
    ["u1", "ann@example.com", "", "Ann", "", "pro"],  # kept: Ann <- Ann again <- Ann third
    ["u2", "bob@example.com", "(202) 555-0125", "Bob", "two\nlines", ""],
    ["u3", "not-an-email", "", "Cy", "", ""],
    ["", "", "(202) 555-0126", "Phone only", "", ""],
    ["u5", "dee@example.com", "'0202", "Dee", "a\nb\nc\nd\ne\nf\ng\nh", ""],
    ["u6", "eve@example.com", "", "Eve", "", ""],
    ["u1", "ann.new@example.com", "", "Ann again", "", ""],
    ["", "", "(202) 555-0126", "Phone again", "", "basic"],
    ["u7", "ANN.NEW@example.com ", "", "Ann third", "", "pro"],
    ["u8", "bob@example.com", "", "Bob twin", "x\ny", "team"],
    ["u9", "gus@example.com", "12345", "Gus", "", ""],
    ["u10", "hal@example.com", "", "Hal", "", ""],
    ["u6", "eve@example.com", "", "Eve twin", "", "pro"],
]


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", extra: str = "") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number, row in enumerate(rows):
        writer.writerow(row)
        if number == 5:
            buffer.write("\r\n,,,,,\r\n")  # blank records
        if number == 8:
            buffer.write("u11,ivy@example.com,,Ivy,,,surplus\r\n")  # ragged: a field too many
    buffer.write(extra)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _cells(frame: pd.DataFrame) -> list[dict[str, Any]]:
    plain = frame.reset_index(drop=True).astype(object)
    records: list[dict[str, Any]] = plain.where(plain.notna(), None).to_dict("records")
    return records


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes on loopback, one thread each; the client is the default scheduler."""
    before = os.environ.get("COURIER_API_KEY")
    os.environ["COURIER_API_KEY"] = TOKEN  # the workers inherit the environment they start in
    try:
        # The dashboard on a free port: with 8787 taken (another cluster on the machine), the default
        # warns, and the suite's warnings are errors.
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
            ) as local,
            distributed.Client(local) as client,
        ):
            # The workers run this very code, not another installed copy.
            assert set(client.run(lambda: bulkprep.__file__).values()) == {bulkprep.__file__}
            yield client
    finally:
        if before is None:
            os.environ.pop("COURIER_API_KEY", None)
        else:
            os.environ["COURIER_API_KEY"] = before


def _assert_same(path: Path, *, blocksize: int, **options: Any) -> int:
    """The cluster's read and prepare of ``path`` equal the in-memory ones row by row; the partitions."""
    whole = read_csv(path)
    frame = bulkdask.read_csv(path, blocksize=blocksize)
    read = frame.compute()
    expected_read = whole.copy()
    if Column.READ_ERROR.value not in expected_read.columns:
        expected_read[Column.READ_ERROR.value] = None
    assert _cells(read) == _cells(expected_read)
    expected = prepare(whole, MAPPING, **options)
    got = bulkdask.prepare(frame, MAPPING, **options).compute()
    assert list(got.df.columns) == list(expected.df.columns)
    assert _cells(got.df) == _cells(expected.df)
    assert _cells(got.errors) == _cells(expected.errors)
    npartitions: int = frame.npartitions
    return npartitions


@pytest.mark.parametrize(("blocksize", "keep"), [(200, "first"), (400, "most_complete")])
def test_read_and_prepare_equal_the_in_memory_path_whatever_the_partitions(
    cluster: Any, tmp_path: Path, blocksize: int, keep: str
) -> None:
    path = _write(tmp_path / "users.csv", ROWS * 3)
    assert _assert_same(path, blocksize=blocksize, keep=keep) >= 4


def test_partitions_never_cut_a_quoted_value_and_keep_the_files_lines(cluster: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "users.csv", ROWS)
    frame = bulkdask.read_csv(path, blocksize=1)  # a cut after every line break outside quotes
    lines = [part[ROW_KEY].tolist() for part in dask.compute(*frame.to_delayed())]
    assert [row for part in lines for row in part] == read_csv(path)[ROW_KEY].tolist()
    assert len(lines) == frame.npartitions > 10
    # The 8-line note is one cell of one row, and the rows after it keep the file's lines.
    rows = frame.compute().set_index("Name")
    assert rows.loc["Dee", "Note"] == "a\nb\nc\nd\ne\nf\ng\nh"
    assert rows.loc["Eve", ROW_KEY] == rows.loc["Dee", ROW_KEY] + 8


def test_title_lines_a_footer_a_code_page_and_an_open_quote_read_as_the_reader_reads_them(
    cluster: Any, tmp_path: Path
) -> None:
    rows = [[*row[:3], row[3] + " Müller-Jürgen", *row[4:]] for row in ROWS]
    body = _write(tmp_path / "body.csv", rows, encoding="cp1252").read_bytes()
    report = tmp_path / "report.csv"
    report.write_bytes(b"Users report\r\n\r\n" + body + b'\r\n"Grand Totals (13 records)"\r\n')
    _assert_same(report, blocksize=40)
    open_quote = _write(tmp_path / "open.csv", ROWS, extra='u12,joe@example.com,,"Joe,never\r\nclosed\r\n')
    _assert_same(open_quote, blocksize=30)
    # A footer-like line with records after it is a record, even at the end of a partition.
    middle = _write(tmp_path / "middle.csv", [*ROWS[:2], ["Grand Totals (13 records)"], *ROWS[11:]])
    assert _assert_same(middle, blocksize=1) >= 5


def test_a_chain_across_three_partitions_keeps_its_first_row(cluster: Any) -> None:
    users = pd.DataFrame(ROWS, columns=HEADER).replace("", None)
    frame = dd.from_pandas(users, chunksize=2, sort=False)
    got = bulkdask.prepare(frame, MAPPING).compute().df
    expected = prepare(users, MAPPING).df
    assert _cells(got) == _cells(expected)
    names = got.set_index("Name")
    place = {
        name: number for number, part in enumerate(dask.compute(*frame.to_delayed())) for name in part["Name"]
    }
    assert len({place["Ann"], place["Ann again"], place["Ann third"]}) == 3
    first = names.loc["Ann", ROW_KEY]
    assert names.loc["Ann again", Column.DUPLICATE_OF] == first
    assert names.loc["Ann third", Column.DUPLICATE_OF] == first
    assert f"which links to kept row {first}" in names.loc["Ann third", Column.ERROR]


def test_several_files_number_their_rows_on_and_must_share_their_columns(
    cluster: Any, tmp_path: Path
) -> None:
    first = _write(tmp_path / "a.csv", ROWS[:4])
    second = _write(tmp_path / "b.csv", ROWS[4:])
    frame = bulkdask.read_csv([first, second], blocksize=30, path_column="file")
    rows = frame.compute()
    lines_of_first = first.read_bytes().count(b"\n")
    assert rows[ROW_KEY].tolist() == [
        *read_csv(first)[ROW_KEY].tolist(),
        *(read_csv(second)[ROW_KEY] + lines_of_first).tolist(),
    ]
    assert set(rows["file"]) == {str(first), str(second)}
    other = tmp_path / "c.csv"
    other.write_text("Email\nann@example.com\n")
    with pytest.raises(ConfigurationError, match="other columns"):
        bulkdask.read_csv([first, other])


def _users(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"User ID": [f"user-{n}" for n in range(count)], "Email": [f"u{n}@example.com" for n in range(count)]}
    )


def test_submit_sends_every_ready_row_once_and_writes_each_rows_status(cluster: Any, tmp_path: Path) -> None:
    users = pd.concat([_users(30), pd.DataFrame({"User ID": ["bad"], "Email": ["not-an-email"]})])
    prepared = bulkdask.prepare(
        dd.from_pandas(users, npartitions=3, sort=False),
        {"recipient": "User ID", "profile": {"email": "Email"}},
    )
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        result = bulkdask.submit(
            prepared, tmp_path / "job", event="WELCOME", base_url=sandbox.url, batch_size=4
        )
        assert result.summary == {"accepted": 30, "invalid": 1}
        assert list(sandbox.jobs) == [result.job_id]
        assert sorted(sandbox.offers(result.job_id).values()) == [1] * 30
    rows = result.df.compute()
    assert rows[Column.STATUS].value_counts().to_dict() == {"accepted": 30, "invalid": 1}
    batches = rows[Column.BATCH].dropna().astype(int)
    assert sorted(batches.unique().tolist()) == list(range(1, batches.nunique() + 1))
    assert batches.value_counts().max() <= 4
    assert TOKEN not in "".join(
        p.read_bytes().decode("latin-1") for p in (tmp_path / "job").rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("batch_size", [3, 5], ids=["batches-end-at-partitions", "batches-span-partitions"])
def test_a_worker_killed_mid_submit_then_the_call_repeated_sends_each_user_once(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    users = _users(48)
    prepared = bulkdask.prepare(
        dd.from_pandas(users, npartitions=4, sort=False),
        {"recipient": "User ID", "profile": {"email": "Email"}},
    )
    folder = tmp_path / "job"
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        held = HeldIngestion(sandbox, 2, monkeypatch)
        options: dict[str, Any] = {
            "event": "WELCOME",
            "base_url": sandbox.url,
            "batch_size": batch_size,  # 12 users a partition: 3 ends batches there, 5 does not
            "concurrency": 1,
        }
        outcome: list[Any] = []

        def first_call() -> None:
            try:
                outcome.append(bulkdask.submit(prepared, folder, **options))
            except Exception as exc:  # the killed worker's task may end the call
                outcome.append(exc)

        caller = threading.Thread(target=first_call)
        caller.start()
        deadline = time.monotonic() + 60
        while held.arrived <= held.limit:
            assert time.monotonic() < deadline, "no batch was held in time"
            time.sleep(0.02)
        sending = [
            worker
            for worker, keys in cluster.processing().items()
            if any("_send_part" in str(key) for key in keys)
        ]
        pids = cluster.run(os.getpid)
        os.kill(pids[sending[0]], signal.SIGKILL)
        held.release()
        caller.join(120)
        assert not caller.is_alive()

        result = bulkdask.submit(prepared, folder, **options)
        assert result.summary == {"accepted": 48}
        assert list(sandbox.jobs) == [result.job_id]  # one job, made once
        offers = sandbox.offers(result.job_id)
        assert len(offers) == 48
        assert set(offers.values()) == {1}
        assert len(sandbox.users(result.job_id)) == 48
        # The job holds the batches of the in-memory path: the same rows under the same keys.
        keys = {r.idempotency_key for r in sandbox.requests if r.path == f"/bulk/{result.job_id}"}
        expected = _in_memory_batches(prepared, batch_size=batch_size)
        assert keys == {idempotency_key(result.job_id, batch) for batch in expected}
    rows = result.df.compute()
    assert (rows[Column.STATUS] == RowStatus.ACCEPTED.value).all()
    assert _batches_of(rows) == {batch.number: batch.rows for batch in expected}


def _in_memory_batches(prepared: bulkdask.DaskPrepared, **limits: Any) -> list[Batch]:
    """The batches bulkprep.submit cuts from the computed frame."""
    frame = prepared.compute().df
    ready = frame[frame[Column.STATUS] == RowStatus.READY.value]
    users = pd.Series(ready[Column.USER].tolist(), index=ready[ROW_KEY].astype("int64").tolist())
    return cut_batches(
        users, max_users=limits.get("batch_size", 10_000), max_bytes=limits.get("max_batch_bytes", 4_000_000)
    )


def _batches_of(rows: pd.DataFrame) -> dict[int, tuple[int, ...]]:
    """Each batch number with its rows in order, from a result's rows."""
    sent = rows.dropna(subset=[Column.BATCH]).sort_values(ROW_KEY)
    return {
        int(number): tuple(int(row) for row in group[ROW_KEY])
        for number, group in sent.groupby(Column.BATCH, sort=True)
    }


def _partition_of(frame: dd.DataFrame) -> dict[int, int]:
    return {
        int(row): number
        for number, part in enumerate(dask.compute(*frame.to_delayed()))
        for row in part[ROW_KEY]
    }


def _users_file(path: Path, count: int) -> Path:
    """A CSV of ``count`` users, every seventh address broken, every eleventh a repeated address."""
    lines = ["User ID,Email,Name"]
    for n in range(count):
        email = f"u{n}@example.com" if n % 7 != 3 else f"broken{n}"
        if n % 11 == 10:
            email = f"U{n - 1}@example.com"
        lines.append(f"user-{n},{email},{'Name ' * (n % 5)}{n}")
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


SPANNING = {"recipient": "User ID", "profile": {"email": "Email"}, "data": {"name": "Name"}}


@pytest.mark.parametrize(
    "limits", [{"batch_size": 7}, {"batch_size": 1000, "max_batch_bytes": 600}], ids=["by-users", "by-bytes"]
)
def test_submit_sends_the_batches_of_the_in_memory_path_across_partitions(
    cluster: Any, tmp_path: Path, limits: dict[str, int]
) -> None:
    path = _users_file(tmp_path / "users.csv", 60)
    frame = bulkdask.read_csv(path, blocksize=400)
    assert frame.npartitions >= 4
    prepared = bulkdask.prepare(frame, SPANNING)
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        memory = submit_in_memory(
            prepare(read_csv(path), SPANNING),
            event="WELCOME",
            base_url=sandbox.url,
            api_key=TOKEN,
            progress=False,
            **limits,
        )
        result = bulkdask.submit(
            prepared, tmp_path / "job", event="WELCOME", base_url=sandbox.url, progress=False, **limits
        )
        assert memory.job_id is not None
        assert result.job_id is not None
        keys = {r.idempotency_key for r in sandbox.requests if r.path == f"/bulk/{result.job_id}"}
        expected = _in_memory_batches(prepared, **limits)
        assert keys == {idempotency_key(result.job_id, batch) for batch in expected}

        # The same users went in (in the order the workers' batches arrived).
        def recipient(user: dict[str, Any]) -> str:
            return str(user["recipient"])

        in_memory = sorted(sandbox.users(memory.job_id), key=recipient)
        assert sorted(sandbox.users(result.job_id), key=recipient) == in_memory
    rows = result.df.compute().sort_values(ROW_KEY).reset_index(drop=True)
    assert _batches_of(rows) == _batches_of(memory.df) == {batch.number: batch.rows for batch in expected}
    # Some batch holds rows of two partitions: the plan did not end it at a partition's end.
    place = _partition_of(frame)
    assert any(len({place[row] for row in batch.rows}) > 1 for batch in expected)
    columns = [ROW_KEY, Column.STATUS, Column.BATCH, Column.ERROR, Column.DUPLICATE_OF]
    assert _cells(rows[columns]) == _cells(memory.df[columns].sort_values(ROW_KEY))
    assert result.summary == {status: rows for status, rows in memory.summary.items() if rows}
    assert not (tmp_path / "job" / "staged").exists()  # what was staged between the steps is gone


def test_a_dry_run_sends_nothing_and_shows_the_batches_it_would_send(cluster: Any, tmp_path: Path) -> None:
    path = _users_file(tmp_path / "users.csv", 40)
    frame = bulkdask.read_csv(path, blocksize=300)
    prepared = bulkdask.prepare(frame, SPANNING)
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        result = bulkdask.submit(
            prepared,
            tmp_path / "job",
            event="WELCOME",
            base_url=sandbox.url,
            batch_size=6,
            dry_run=True,
            max_invalid=0.01,
        )
        assert sandbox.requests == []
    memory = submit_in_memory(
        prepare(read_csv(path), SPANNING),
        event="WELCOME",
        batch_size=6,
        dry_run=True,
        progress=False,
        max_invalid=0.01,
    )
    assert result.job_id is None
    assert result.plan is not None
    assert memory.plan is not None
    assert _cells(result.plan.batches) == _cells(memory.plan.batches)
    assert result.plan.payloads == memory.plan.payloads
    assert _cells(result.plan.skipped) == _cells(memory.plan.skipped)
    assert result.guard == memory.guard
    assert result.guard is not None
    assert not result.guard.passed
    assert result.summary == {status: rows for status, rows in memory.summary.items() if rows}
    rows = result.df.compute().sort_values(ROW_KEY)
    assert _batches_of(rows) == _batches_of(memory.df)
    assert not list((tmp_path / "job").glob("*.journal"))


def test_max_invalid_refuses_the_whole_frame_before_a_job_is_made(cluster: Any, tmp_path: Path) -> None:
    path = _users_file(tmp_path / "users.csv", 40)
    prepared = bulkdask.prepare(bulkdask.read_csv(path, blocksize=300), SPANNING)
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        with pytest.raises(GuardError) as caught:
            bulkdask.submit(prepared, tmp_path / "job", event="WELCOME", base_url=sandbox.url, max_invalid=3)
        assert sandbox.jobs == {}
        with pytest.raises(GuardError) as memory:
            submit_in_memory(
                prepare(read_csv(path), SPANNING),
                event="WELCOME",
                base_url=sandbox.url,
                api_key=TOKEN,
                max_invalid=3,
                progress=False,
            )
        assert str(caught.value) == str(memory.value)
    result = caught.value.result
    assert isinstance(result, bulkdask.DaskSubmitResult)
    assert result.job_id is None
    assert result.summary == {k: v for k, v in prepare(read_csv(path), SPANNING).summary.items() if v}
    assert result.df.compute()[Column.STATUS].value_counts().to_dict() == result.summary


def test_max_rejected_stops_every_partition_and_the_call_again_sends_the_rest(
    cluster: Any, tmp_path: Path
) -> None:
    users = _users(30)
    mapping = {"recipient": "User ID", "profile": {"email": "Email"}}
    prepared = bulkdask.prepare(dd.from_pandas(users, npartitions=3, sort=False), mapping)
    folder = tmp_path / "job"
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        # A job already holding the first 10 users: sent again, Courier refuses them.
        first = submit_in_memory(
            prepare(users.iloc[:10], mapping),
            event="WELCOME",
            base_url=sandbox.url,
            api_key=TOKEN,
            progress=False,
        )
        assert first.job_id is not None
        options: dict[str, Any] = {"job_id": first.job_id, "base_url": sandbox.url, "batch_size": 5}
        with pytest.raises(GuardError, match="max_rejected") as caught:
            bulkdask.submit(prepared, folder, concurrency=1, max_rejected=0.5, **options)
        result = caught.value.result
        assert isinstance(result, bulkdask.DaskSubmitResult)
        # Partition 0's first batch was refused whole: its second batch was never sent.
        assert result.summary["rejected"] == 5
        assert result.summary["failed"] >= 5
        assert sum(result.summary.values()) == 30
        rows = result.df.compute()
        unsent = rows.loc[rows[Column.STATUS] == RowStatus.FAILED.value, Column.ERROR]
        assert unsent.str.contains(
            "the guard max_rejected (--max-rejected) 50% stopped sending", regex=False
        ).all()
        assert result.left_to_do is not None
        assert str(folder) in result.left_to_do
        # Without the guard, the same call sends the rest, nothing twice.
        rest = bulkdask.submit(prepared, folder, **options)
        assert rest.summary == {"rejected": 10, "accepted": 20}
        assert len(sandbox.users(first.job_id)) == 30
        # The first 10 were offered twice (in the first job's send, then refused here), the rest once.
        assert sorted(sandbox.offers(first.job_id).values()) == [1] * 20 + [2] * 10


def test_a_lost_answer_leaves_the_job_unrun_and_the_call_again_resends_it_and_runs_once(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = _users(12)
    prepared = bulkdask.prepare(dd.from_pandas(users, npartitions=2, sort=False), PLAIN)
    folder = tmp_path / "job"
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        # The first ingestion is stored, then its connection dropped: the one attempt hears nothing.
        injector = sandbox._gateway.injector
        decide, lost = injector.decide, threading.Event()

        def losing_the_first(*, ingest: bool) -> Decision:
            if ingest and not lost.is_set():
                lost.set()
                return Decision(drop=True)
            return decide(ingest=ingest)

        monkeypatch.setattr(injector, "decide", losing_the_first)
        options: dict[str, Any] = {
            "event": "WELCOME",
            "base_url": sandbox.url,
            "batch_size": 3,
            "run": True,
            "retry": RetryPolicy(max_attempts=1),
            "progress": False,
        }
        result = bulkdask.submit(prepared, folder, **options)
        assert result.summary == {"accepted": 9, "failed": 3}
        assert result.left_to_do is not None
        assert f"job {result.job_id} was not run: the answer to batch(es)" in result.left_to_do
        assert f"run the same submit again with the job folder {folder}" in result.left_to_do
        assert sandbox.jobs[result.job_id]["status"] == "CREATED"
        rows = result.df.compute()
        reasons = rows.loc[rows[Column.STATUS] == RowStatus.FAILED.value, Column.ERROR]
        assert reasons.str.contains(f"lost its answer .*job folder {folder}: it resends the batch").all()
        again = bulkdask.submit(prepared, folder, **options)
        assert again.summary == {"accepted": 12}
        assert again.left_to_do is None
        assert [r.status for r in sandbox.requests if r.path.endswith("/run")] == [204]
        assert sorted(sandbox.offers(result.job_id).values()) == [1] * 12


def test_wait_runs_the_job_and_reads_each_rows_delivery_as_the_in_memory_path(
    cluster: Any, tmp_path: Path
) -> None:
    path = _users_file(tmp_path / "users.csv", 30)
    prepared = bulkdask.prepare(bulkdask.read_csv(path, blocksize=300), SPANNING)
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        options: dict[str, Any] = {"event": "WELCOME", "base_url": sandbox.url, "batch_size": 4}
        with pytest.raises(ConfigurationError, match="needs run=True"):
            bulkdask.submit(prepared, tmp_path / "job", wait=True, **options)
        result = bulkdask.submit(
            prepared, tmp_path / "job", run=True, wait=True, poll_interval=0.05, progress=False, **options
        )
        memory = submit_in_memory(
            prepare(read_csv(path), SPANNING), run=True, wait=True, api_key=TOKEN, progress=False, **options
        )
    assert result.job is not None
    assert result.job["status"] == memory.job["status"] == "COMPLETED"
    assert result.left_to_do is None
    rows = result.df.compute().sort_values(ROW_KEY)
    columns = [ROW_KEY, Column.STATUS, Column.DELIVERY_STATUS, Column.ERROR]
    assert _cells(rows[columns]) == _cells(memory.df[columns].sort_values(ROW_KEY))
    accepted = rows[rows[Column.STATUS] == RowStatus.ACCEPTED.value]
    assert accepted[Column.MESSAGE_ID].notna().all()
    # Each message's outcome was read (which one depends on how far the sandbox has taken it).
    assert accepted[Column.OUTCOME].notna().all()
    assert (
        rows[Column.OUTCOME].notna().tolist()
        == memory.df.sort_values(ROW_KEY)[Column.OUTCOME].notna().tolist()
    )
    assert set(accepted[Column.DELIVERY_STATUS]) == {"ENQUEUED"}


def test_the_progress_bar_counts_the_batches_sent_and_is_off_when_not_a_terminal(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prepared = bulkdask.prepare(dd.from_pandas(_users(20), npartitions=3, sort=False), PLAIN)
    with Sandbox(token=TOKEN, processing_seconds=0) as sandbox:
        options: dict[str, Any] = {"event": "WELCOME", "base_url": sandbox.url, "batch_size": 3}
        bulkdask.submit(prepared, tmp_path / "shown", progress=True, **options)
        shown = capsys.readouterr().err
        bulkdask.submit(prepared, tmp_path / "quiet", **options)  # standard error is not a terminal here
        quiet = capsys.readouterr().err
    assert "submitting" in shown
    assert "7/7" in shown  # 20 users in batches of 3
    assert "submitting" not in quiet
