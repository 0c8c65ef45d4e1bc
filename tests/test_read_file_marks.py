"""Marks that belong to files, not to their values: a byte-order mark where a second file was pasted
on, and the Ctrl-Z an old DOS program ends a file with. Neither becomes part of a row."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkprep import prepare, read_csv
from bulkprep.read import read_errors
from bulkprep.status import ROW_KEY, RowStatus
from bulkprep.stream import prepare_file

MAPPING = {"recipient": "id", "profile": {"email": "email"}}
BOM = "\ufeff".encode()


def _rows(path: Path) -> list[list[str]]:
    frame = read_csv(path)
    return [[frame.at[at, ROW_KEY], *frame.loc[at, ["id", "email"]]] for at in frame.index]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_second_file_pasted_on_without_its_header_keeps_no_mark(tmp_path: Path, newline: bytes) -> None:
    lines = [b"id,email", b"u1,a@example.com", BOM + b"u2,b@example.com", b"u3,c@example.com"]
    path = tmp_path / "joined.csv"
    path.write_bytes(BOM + newline.join(lines) + newline)
    assert _rows(path) == [[2, "u1", "a@example.com"], [3, "u2", "b@example.com"], [4, "u3", "c@example.com"]]
    prepared = prepare(read_csv(path), MAPPING)
    assert prepared.df["bulk_user"].tolist()[1] == {"recipient": "u2", "profile": {"email": "b@example.com"}}


def test_a_second_file_pasted_on_with_its_header_drops_the_header_keeping_lines(tmp_path: Path) -> None:
    path = tmp_path / "joined.csv"
    path.write_bytes(BOM + b"id,email\nu1,a@example.com\n" + BOM + b"id,email\nu2,b@example.com\n")
    frame = read_csv(path)
    assert _rows(path) == [[2, "u1", "a@example.com"], [4, "u2", "b@example.com"]]
    assert frame.attrs["bulkprep"]["repeated_headers"] == 1


def test_a_mark_inside_a_line_is_the_value_s_own(tmp_path: Path) -> None:
    # Only a mark that starts a line is a file's; one inside a value is left for the checks to see.
    path = tmp_path / "users.csv"
    path.write_bytes(b"id,email\nu1," + BOM + b"a@example.com\n")
    assert read_csv(path).at[0, "email"] == "\ufeffa@example.com"


@pytest.mark.parametrize("ending", [b"\x1a", b"\r\n\x1a", b"\r\n\x1a\x1a"])
def test_a_dos_end_of_file_mark_is_not_a_row(tmp_path: Path, ending: bytes) -> None:
    path = tmp_path / "dos.csv"
    path.write_bytes(b"id,email\r\nu1,a@example.com\r\nu2,b@example.com" + ending)
    frame = read_csv(path)
    assert _rows(path) == [[2, "u1", "a@example.com"], [3, "u2", "b@example.com"]]
    assert read_errors(frame).empty
    assert prepare(frame, MAPPING).summary[RowStatus.READY.value] == 2


def test_a_dos_file_in_a_code_page_loses_its_mark_too(tmp_path: Path) -> None:
    path = tmp_path / "dos.csv"
    path.write_bytes("id,name,email\r\nu1,Müller,a@example.com\r\n\x1a".encode("cp1252"))
    frame = read_csv(path)
    assert len(frame) == 1
    assert frame.at[0, "name"] == "Müller"


def test_a_control_character_mid_file_is_still_a_value(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(b"id,email\nu1\x1a,a@example.com\nu2,b@example.com\n")
    assert read_csv(path).at[0, "id"] == "u1\x1a"


@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
def test_the_streamed_path_reads_the_marks_as_the_in_memory_path(tmp_path: Path, chunk_rows: int) -> None:
    path = tmp_path / "joined.csv"
    path.write_bytes(
        BOM
        + b"id,email\r\nu1,a@example.com\r\n"
        + BOM
        + b"u2,b@example.com\r\n"
        + BOM
        + b"id,email\r\nu3,c@example.com\r\n"
        + BOM
        + b'u4,"d@example.com"\r\n\x1a'
    )
    expected = prepare(read_csv(path), MAPPING)
    with prepare_file(path, MAPPING, chunk_rows=chunk_rows) as streamed:
        got = streamed.to_prepared()
    assert streamed.summary == expected.summary
    assert got.df[ROW_KEY].tolist() == expected.df[ROW_KEY].tolist() == [2, 3, 5, 6]
    assert got.df["bulk_user"].tolist() == expected.df["bulk_user"].tolist()
    assert [user["recipient"] for user in got.df["bulk_user"]] == ["u1", "u2", "u3", "u4"]
