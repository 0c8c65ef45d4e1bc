"""An empty field after every data line's last value (OpenCart's customer export) is no ragged row."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkprep import Mapping, prepare, read_csv, read_errors, read_info
from bulkprep.cli import main
from bulkprep.status import Column
from bulkprep.stream.chunks import ChunkedRead, read_chunks

HEADER = "customer_id,firstname,lastname,email,telephone,date_added\r\n"
LINES = [
    "1,Ann,Lee,ann@example.com,+44 20 7946 0958,2024-01-05 10:22:00,\r\n",
    "2,Bob,Ray,bob@example.com,,2024-02-11 08:00:00,\r\n",
    "3,Cy,Oh,cy@example.com,+1 650 555 0101,2024-03-02 16:45:10,\r\n",
]


def _write(folder: Path, lines: list[str]) -> Path:
    path = folder / "customer.csv"
    path.write_bytes((HEADER + "".join(lines)).encode("utf-8"))
    return path


@pytest.mark.parametrize("fast", [True, False])
def test_the_empty_field_past_the_header_is_dropped_and_counted(tmp_path: Path, fast: bool) -> None:
    frame = read_csv(_write(tmp_path, LINES), _fast=fast)
    assert list(frame.columns) == ["bulk_row", *HEADER.strip().split(",")]
    assert read_errors(frame).empty
    info = read_info(frame)
    assert (info.trailing_fields, info.error_count) == (3, 0)
    assert frame["email"].tolist() == ["ann@example.com", "bob@example.com", "cy@example.com"]
    result = prepare(frame, Mapping({"recipient": "customer_id", "profile.email": "email"}))
    assert result.df[Column.STATUS].tolist() == ["ready"] * 3


def test_a_clean_file_drops_nothing(tmp_path: Path) -> None:
    frame = read_csv(_write(tmp_path, [line.replace(",\r\n", "\r\n") for line in LINES]))
    assert read_info(frame).trailing_fields == 0
    assert "trailing_fields" not in frame.attrs["bulkprep"]


def test_nearly_every_record_is_enough_and_the_others_stay_ragged(tmp_path: Path) -> None:
    lines = [f"{n},P{n},Q,p{n}@example.com,,2024-01-05,\r\n" for n in range(1, 20)]
    lines.append("20,P20,Q,p20@example.com\r\n")  # short: still ragged
    frame = read_csv(_write(tmp_path, lines))
    assert read_info(frame).trailing_fields == 19
    assert read_errors(frame)[["bulk_row", "code"]].values.tolist() == [[21, "ragged_row"]]


def test_an_extra_field_with_text_is_never_dropped(tmp_path: Path) -> None:
    lines = [*LINES[:2], LINES[2].replace(",\r\n", ",VIP\r\n")]
    frame = read_csv(_write(tmp_path, lines))
    assert read_info(frame).trailing_fields == 0
    assert read_errors(frame)["code"].tolist() == ["ragged_row"] * 3


def test_a_few_records_with_an_empty_extra_field_stay_ragged(tmp_path: Path) -> None:
    lines = [line.replace(",\r\n", "\r\n") for line in LINES] * 4
    lines[0] = LINES[0]  # one record of twelve with the extra field
    frame = read_csv(_write(tmp_path, lines))
    assert read_info(frame).trailing_fields == 0
    assert read_errors(frame)["bulk_row"].tolist() == [2]


def test_check_says_the_fields_were_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, LINES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: customer_id\nprofile:\n  email: email\n", encoding="utf-8")
    code = main(["check", str(path), "--mapping", str(mapping), "--out", str(tmp_path / "out.csv")])
    assert code == 0
    assert "an empty field after the last column dropped on 3 rows" in capsys.readouterr().out


def test_a_file_read_in_chunks_drops_the_field_as_the_whole_file_does(tmp_path: Path) -> None:
    path = _write(tmp_path, LINES)
    whole = read_csv(path)
    progress = ChunkedRead()
    chunks = list(read_chunks(path, chunk_rows=1, progress=progress))
    streamed = [row for chunk in chunks for row in chunk.frame.fillna("").to_numpy().tolist()]
    assert streamed == whole.fillna("").to_numpy().tolist()
    assert progress.info is not None
    assert (progress.info.trailing_fields, progress.info.error_count) == (3, 0)
