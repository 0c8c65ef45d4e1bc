"""A line longer than MAX_LINE_BYTES is refused before it is decoded or parsed, naming its line, in memory
and in chunks alike; lines up to the bound are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkprep import read_csv
from bulkprep._source import MAX_LINE_BYTES, check_line_lengths
from bulkprep.errors import InputError
from bulkprep.stream.chunks import read_chunks

HEADER = b"id,email,note\r\n"


def write_long_line(path: Path, *, short_lines_before: int, length: int = MAX_LINE_BYTES + 1) -> Path:
    """A CSV whose record after ``short_lines_before`` short ones has a line ``length`` bytes long."""
    with path.open("wb") as file:
        file.write(HEADER)
        for number in range(short_lines_before):
            file.write(b"u%d,u%d@example.com,\r\n" % (number, number))
        start = b"long,long@example.com,"
        file.write(start + b"x" * (length - len(start)) + b"\r\n")
        file.write(b"last,last@example.com,\r\n")
    return path


@pytest.mark.parametrize("short_lines_before", [0, 300])
def test_read_csv_refuses_a_line_past_the_bound_naming_it(tmp_path: Path, short_lines_before: int) -> None:
    path = write_long_line(tmp_path / "in.csv", short_lines_before=short_lines_before)
    line = short_lines_before + 2
    with pytest.raises(InputError, match=rf"has a line longer than {MAX_LINE_BYTES:,} bytes \(line {line}\)"):
        read_csv(path)


@pytest.mark.parametrize("short_lines_before", [0, 300])
def test_the_chunk_reader_refuses_it_too(tmp_path: Path, short_lines_before: int) -> None:
    # 0: in the head the delimiter is found in; 300: in the records after it, read line by line.
    path = write_long_line(tmp_path / "in.csv", short_lines_before=short_lines_before)
    line = short_lines_before + 2
    with pytest.raises(InputError, match=rf"\(line {line}\)"):
        list(read_chunks(path, chunk_rows=100))


def test_a_file_of_one_endless_line_is_refused_without_its_end(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    with path.open("wb") as file:
        file.write(b"id," + b"x" * (3 * MAX_LINE_BYTES))
    with pytest.raises(InputError, match=r"\(line 1\)"):
        read_csv(path)
    with pytest.raises(InputError, match=r"\(line 1\)"):
        list(read_chunks(path))


def test_a_line_at_the_bound_is_read(tmp_path: Path) -> None:
    path = write_long_line(tmp_path / "in.csv", short_lines_before=1, length=MAX_LINE_BYTES)
    chunks = list(read_chunks(path, chunk_rows=100))
    frame = chunks[0].frame
    assert frame["id"].tolist() == ["u0", "long", "last"]
    assert len(frame["note"].iloc[1]) == MAX_LINE_BYTES - len("long,long@example.com,")


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"a\r\nbb\r\n123456\r\n", 3, id="crlf"),
        pytest.param(b"a\rbb\r123456\r", 3, id="cr"),
        pytest.param(b"a\nbb\n\n\n123456", 5, id="lf-last-unended"),
        pytest.param(b"a\r\n\r\nbb\r123456\n", 4, id="mixed"),
    ],
)
def test_each_kind_of_line_break_ends_a_line(data: bytes, line: int) -> None:
    check_line_lengths(data.replace(b"123456", b"12345"), name="f.csv", limit=5)
    with pytest.raises(InputError, match=rf"\(line {line}\)"):
        check_line_lengths(data, name="f.csv", limit=5)
