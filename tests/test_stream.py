"""The streaming path gives, row by row, what the in-memory path gives on the same file."""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bulkprep import prepare, read_csv
from bulkprep.cli import check
from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.read import read_changes, read_errors
from bulkprep.status import ROW_KEY, Column, RowStatus
from bulkprep.stream import (
    STREAM_BYTES,
    chunks,
    prepare_file,
    read_chunks,
    should_stream,
    spill,
    streamable,
)

ROOT = Path(__file__).resolve().parents[1]
MAPPING: dict[str, Any] = {
    "recipient": "User ID",
    "profile": {"email": "Email", "phone_number": "Phone"},
    "data": {"name": "Name", "note": "Note", "plan": "Plan"},
}
HEADER = ["User ID", "Email", "Phone", "Name", "Note", "Plan"]

# Line by line (the header is line 1): chains of duplicates across chunks of 7 lines, quoted values
# whose line breaks fall on every chunk edge, a ragged row, blank lines, a text marker and bad values.
ROWS: list[list[str]] = [
    ["u1", "ann@example.com", "", "Ann", "", "pro"],  # kept; u1 chain: rows on lines 2, 10, 18
    ["u2", "bob@example.com", "(202) 555-0125", "Bob", "two\nlines", ""],
    ["u3", "not-an-email", "", "Cy", "", ""],  # invalid
    ["", "", "(202) 555-0126", "Phone only", "", ""],
    ["u5", "dee@example.com", "'0202", "Dee", "a\nb\nc\nd\ne\nf\ng\nh", ""],  # spans 8 lines
    ["u6", "eve@example.com", "", "Eve", "", ""],
    ["u1", "ann.new@example.com", "", "Ann again", "", ""],  # same id as line 2: links the chain on
    ["", "", "(202) 555-0126", "Phone again", "", "basic"],  # same phone as the phone-only row
    ["u7", "ANN.NEW@example.com ", "", "Ann third", "", "pro"],  # same email as the row above, new id
    ["u8", "bob@example.com", "", "Bob twin", "x\ny", "team"],
    ["u9", "gus@example.com", "12345", "Gus", "", ""],  # invalid phone
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


def _assert_same(path: Path, *, chunk_rows: int, **options: Any) -> None:
    expected = prepare(read_csv(path), MAPPING, **options)
    with prepare_file(path, MAPPING, chunk_rows=chunk_rows, **options) as streamed:
        got = streamed.to_prepared()
        assert streamed.summary == expected.summary
        assert list(got.df.columns) == list(expected.df.columns)
        assert _cells(got.df) == _cells(expected.df)
        assert _cells(got.errors) == _cells(expected.errors)
        assert streamed.info.blank_rows == expected.blank_rows


@pytest.mark.parametrize("chunk_rows", [1, 3, 7, 1000])
@pytest.mark.parametrize("keep", ["first", "last", "most_complete"])
def test_statuses_errors_and_users_equal_the_in_memory_path(
    tmp_path: Path, chunk_rows: int, keep: str
) -> None:
    path = _write(tmp_path / "users.csv", ROWS * 3)  # each row again in later chunks: more chains
    _assert_same(path, chunk_rows=chunk_rows, keep=keep)


@pytest.mark.parametrize("keys", ["user_id", "email,phone", "phone"])
def test_the_identity_kinds_choose_the_same_duplicates(tmp_path: Path, keys: str) -> None:
    _assert_same(_write(tmp_path / "users.csv", ROWS * 2), chunk_rows=4, keys=keys)


def test_a_chain_across_three_chunks_keeps_its_first_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "users.csv", ROWS)
    with prepare_file(path, MAPPING, chunk_rows=3) as streamed:
        chunk_of = {
            name: number for number, frame in enumerate(streamed.frames()) for name in frame["Name"].dropna()
        }
        frame = streamed.to_prepared().df.set_index("Name")
    # Ann (u1, ann@) <- Ann again (u1, ann.new@) <- Ann third (u7, ANN.NEW@), each in a chunk of its own.
    assert len({chunk_of["Ann"], chunk_of["Ann again"], chunk_of["Ann third"]}) == 3
    first = frame.loc["Ann", ROW_KEY]
    assert frame.loc["Ann again", Column.DUPLICATE_OF] == first
    assert frame.loc["Ann third", Column.DUPLICATE_OF] == first
    assert frame.loc["Ann third", Column.STATUS] == RowStatus.DUPLICATE
    assert f"which links to kept row {first}" in frame.loc["Ann third", Column.ERROR]


def test_line_numbers_stay_the_files_across_quoted_line_breaks(tmp_path: Path) -> None:
    path = _write(tmp_path / "users.csv", ROWS)
    for chunk_rows in (1, 2, 3):
        lines = [row for chunk in read_chunks(path, chunk_rows=chunk_rows) for row in chunk.frame[ROW_KEY]]
        assert lines == read_csv(path)[ROW_KEY].tolist()
    # The 8-line note is one record, whatever the chunk size.
    notes = pd.concat([chunk.frame for chunk in read_chunks(path, chunk_rows=1)])["Note"]
    assert "a\nb\nc\nd\ne\nf\ng\nh" in notes.tolist()


def test_title_lines_a_footer_and_an_unclosed_quote_read_as_the_reader_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    body = _write(tmp_path / "body.csv", ROWS).read_bytes()
    path.write_bytes(b"Users report\r\n\r\n" + body + b'\r\n"Grand Totals (13 records)"\r\n')
    _assert_same(path, chunk_rows=3)
    open_quote = _write(tmp_path / "open.csv", ROWS, extra='u12,joe@example.com,,"Joe,never\r\nclosed\r\n')
    _assert_same(open_quote, chunk_rows=2)


def test_a_later_chunk_is_read_under_its_header_alone_with_the_files_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read below as many empty lines as precede it, a chunk late in a large file took ever longer.

    Each later chunk reaches the reader as the header and its records alone; its rows, text-marker
    changes and problems name the file's lines all the same. The chunk of the ragged record, whose
    message names its line, is read again the old way.
    """
    path = _write(tmp_path / "users.csv", ROWS * 3)
    given: list[bytes] = []

    def reader(source: io.BytesIO, **options: Any) -> pd.DataFrame:
        given.append(source.getvalue())
        return read_csv(source, **options)

    monkeypatch.setattr(chunks, "read_csv", reader)
    frames = [chunk.frame for chunk in read_chunks(path, chunk_rows=3)]
    whole = read_csv(path)
    joined = pd.concat(frames, ignore_index=True)
    assert _cells(joined.drop(columns=Column.READ_ERROR.value)) == _cells(
        whole.drop(columns=Column.READ_ERROR.value)
    )
    assert _cells(pd.concat([read_changes(frame) for frame in frames])) == _cells(read_changes(whole))
    assert _cells(pd.concat([read_errors(frame) for frame in frames])) == _cells(read_errors(whole))
    assert len(read_changes(whole)) == 3  # the text marker of each copy of the rows
    later = given[1:]  # the first chunk holds the file's own header
    assert sum(data.startswith(b"\n") for data in later) == 1
    assert len(later) == len(frames)  # the other later chunks were read once, without empty lines


def test_a_spilled_chunk_is_read_back_without_a_pass_of_the_cycle_collector(tmp_path: Path) -> None:
    """Each pass walked every object of the process, several times per chunk of users' dicts."""
    users = [{"profile": {"email": f"user{n}@example.com"}, "data": {"n": n}} for n in range(100_000)]
    path = spill.dump(users, tmp_path / "chunk.pkl")
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        loaded = spill.load(path)
    finally:
        gc.callbacks.remove(count)
    assert loaded == users
    # At most one pass, as the collector comes back on: which generation it walks depends on the
    # passes the tests before this one triggered.
    assert len(passes) <= 1
    assert gc.isenabled()


def test_a_windows_code_page_file_reads_the_same(tmp_path: Path) -> None:
    rows = [[*row[:3], row[3] + " Müller-Jürgen", *row[4:]] for row in ROWS]
    _assert_same(_write(tmp_path / "cp1252.csv", rows, encoding="cp1252"), chunk_rows=4)


def test_a_utf8_file_with_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    _assert_same(_write(tmp_path / "bom.csv", ROWS, encoding="utf-8-sig"), chunk_rows=3)


@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_old_mac_and_mixed_line_breaks_read_the_same(tmp_path: Path, chunk_rows: int) -> None:
    body = _write(tmp_path / "body.csv", ROWS * 2).read_bytes()
    cr_only = tmp_path / "mac.csv"
    cr_only.write_bytes(body.replace(b"\r\n", b"\r").replace(b"\n", b"\r"))  # quoted breaks too
    _assert_same(cr_only, chunk_rows=chunk_rows)
    # Every record's line break in turn \r, \n and \r\n (the quoted ones stay \n).
    pieces = body.split(b"\r\n")
    endings = [(b"\r", b"\n", b"\r\n")[number % 3] for number in range(len(pieces) - 1)]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"".join(piece + end for piece, end in zip(pieces, [*endings, b""], strict=True)))
    _assert_same(mixed, chunk_rows=chunk_rows)
    assert [row for chunk in read_chunks(mixed, chunk_rows=chunk_rows) for row in chunk.frame[ROW_KEY]] == (
        read_csv(mixed)[ROW_KEY].tolist()
    )


def test_the_results_written_while_preparing_are_those_of_the_in_memory_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "users.csv", ROWS * 2)
    write_results_csv(prepare(read_csv(path), MAPPING).df, tmp_path / "expected.csv")
    with prepare_file(path, MAPPING, chunk_rows=5, results=tmp_path / "streamed.csv") as streamed:
        streamed.write_results(tmp_path / "again.csv")
    expected = (tmp_path / "expected.csv").read_bytes()
    assert (tmp_path / "streamed.csv").read_bytes() == expected
    assert (tmp_path / "again.csv").read_bytes() == expected


def test_the_work_folder_is_removed_on_close_unless_it_was_given(tmp_path: Path) -> None:
    path = _write(tmp_path / "users.csv", ROWS)
    with prepare_file(path, MAPPING, chunk_rows=4) as streamed:
        made = streamed.workdir
        assert any(made.iterdir())
    assert not made.exists()
    given = tmp_path / "work"
    with prepare_file(path, MAPPING, chunk_rows=4, workdir=given) as streamed:
        assert streamed.workdir == given
    assert given.is_dir()
    assert repr(streamed).startswith("<PreparedFile users.csv: 14 rows in ")


def test_files_that_cannot_be_read_in_chunks_are_refused_with_what_to_do(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_bytes("User ID,Email\r\nu1,a@example.com\r\n".encode("utf-16"))
    assert not streamable(wide)
    with pytest.raises(ConfigurationError, match="save it as CSV UTF-8"):
        prepare_file(wide, MAPPING)
    assert not streamable(tmp_path / "users.xlsx")
    with pytest.raises(InputError):
        prepare_file(tmp_path / "missing.csv", MAPPING)
    with pytest.raises(ConfigurationError, match="chunk_rows"):
        list(read_chunks(_write(tmp_path / "users.csv", ROWS), chunk_rows=0))
    with pytest.raises(ConfigurationError, match="keep"):
        prepare_file(tmp_path / "users.csv", MAPPING, keep="newest")


def test_only_csv_files_over_the_threshold_stream_by_default(tmp_path: Path) -> None:
    small = _write(tmp_path / "users.csv", ROWS)
    assert not should_stream(small)
    large = tmp_path / "large.csv"
    with open(large, "wb") as out:
        out.write(b"User ID,Email\r\n")
        out.truncate(STREAM_BYTES + 1)  # sparse: takes no room on disk
    assert should_stream(large)
    assert not should_stream(tmp_path / "large.xlsx")
    assert not should_stream(tmp_path / "missing.csv")


def test_check_streaming_prints_and_writes_what_check_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "users.csv", ROWS * 2)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    args = parser.parse_args([str(path), "--mapping", str(mapping), "--out", str(tmp_path / "memory.csv")])
    code = check.run(args)
    printed = capsys.readouterr().out
    # What a file over STREAM_BYTES gets without being asked.
    args.stream, args.out = True, tmp_path / "stream.csv"
    streamed_code = check.run(args)
    streamed = capsys.readouterr().out
    assert (streamed_code, streamed.replace("stream.csv", "memory.csv")) == (code, printed)
    assert code == 1
    assert "2 blank rows dropped" in printed
    assert (tmp_path / "stream.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()


def test_the_messy_sample_checks_the_same_streamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = ROOT / "data" / "users_messy.csv"
    mapping = ROOT / "data" / "users_messy.mapping.yaml"
    expected = prepare(read_csv(sample), mapping)
    with prepare_file(sample, mapping, chunk_rows=9) as streamed:
        got = streamed.to_prepared()
        assert _cells(got.df) == _cells(expected.df)
        assert _cells(got.errors) == _cells(expected.errors)


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory read from /proc")
def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """A generous bound: the chunks are what is held, not the file (the benchmark measures it)."""
    path = tmp_path / "many.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("User ID,Email,Phone,Name,Note,Plan\r\n")
        for number in range(60_000):
            out.write(f"u{number},user{number % 50_000}@example.com,,Name {number},,pro\r\n")
    with prepare_file(path, MAPPING, chunk_rows=5_000) as streamed:
        assert streamed.summary == {"ready": 50_000, "invalid": 0, "duplicate": 10_000}
        assert len(list(streamed.frames())) == 12
    assert os.path.getsize(path) > 2_000_000
