"""Files whose quoted values hold line breaks: the quick look that sends them to the csv reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import read_csv
from bulkprep.read import _may_break_inside_quotes
from bulkprep.status import ROW_KEY


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"a,b\nc,d\n", False),  # no quote at all
        (b'a,"b, c"\r\nd,e\r\n', False),
        (b'a,"say ""hi"""\nb,c\n', False),  # escaped quotes come in pairs
        (b'a,"two\nlines"\nb,c\n', True),
        (b'a,"two\r\nlines"\r\nb,c\r\n', True),
        (b'a,"lone\rcr"\rb,c\r', True),
        (b'a,5" screen\nb,c\n', True),  # a stray quote: a wrong yes, which only costs the slower reader
    ],
)
def test_the_quick_look_finds_line_breaks_after_an_odd_count_of_quotes(body: bytes, expected: bool) -> None:
    assert _may_break_inside_quotes(body) is expected


def test_the_quick_look_carries_the_count_across_the_pieces_it_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bulkprep.read._QUOTE_SCAN_BYTES", 4)
    assert _may_break_inside_quotes(b'ab,"cd\nef"\n') is True  # the quote and the break in different pieces
    assert _may_break_inside_quotes(b'ab,"c""d",e\nf\n') is False


def _write(path: Path, lines: list[str], ending: str) -> Path:
    path.write_bytes(("user_id,email,notes" + ending + ending.join(lines) + ending).encode("utf-8"))
    return path


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_file_with_quoted_line_breaks_keeps_its_values_and_line_numbers(
    tmp_path: Path, ending: str
) -> None:
    lines = [
        'u1,a@x.co,"first\nsecond"',
        "u2,b@x.co,plain",
        'u3,c@x.co,"say ""hi""\r\nthen\nbye"',
        "u4,d@x.co,",
    ]
    frame = read_csv(_write(tmp_path / "notes.csv", lines, ending))
    assert frame["notes"].tolist()[:3] == ["first\nsecond", "plain", 'say "hi"\r\nthen\nbye']
    assert pd.isna(frame["notes"].iloc[3])
    assert frame[ROW_KEY].tolist() == [2, 4, 5, 8]  # the line each record starts on


def test_a_stray_quote_that_hides_a_quoted_line_break_is_still_read_right(tmp_path: Path) -> None:
    # The quote in 5" flips the count, so the quick look says no; the C parser's record count catches it.
    lines = ['u1,5" screen,"and\nmore"', "u2,b@x.co,plain"]
    source = _write(tmp_path / "stray.csv", lines, "\n")
    fast, plain = read_csv(source), read_csv(source, _fast=False)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast[ROW_KEY].tolist() == [2, 4]
    assert fast["notes"].iloc[0] == "and\nmore"


_cells = st.text(alphabet=st.sampled_from(["a", "b", " ", '"', ",", "\n", "\r", "é"]), max_size=8)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=1, max_size=6))
def test_both_readers_agree_on_quoted_values_with_line_breaks(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in '",\r\n') else cell

    text = "id,email,notes\n" + "".join(",".join(map(quoted, row)) + "\n" for row in rows)
    source = tmp_path_factory.mktemp("agree") / "rows.csv"
    source.write_bytes(text.encode("utf-8"))
    fast, plain = read_csv(source), read_csv(source, _fast=False)
    pd.testing.assert_frame_equal(fast, plain)


@pytest.mark.parametrize(
    "body",
    [
        'u1,5" x,"a\nb",6" y\nu2,b,c,d\n',  # two stray quotes around a quoted break: the count is misled
        'u1,"a\r\nb",c,d\r\nu2,"e\nf\rg",h,i\r\n',  # every kind of line break inside quotes
        'u1,"a\rb",c,d\ru2,e,f,g\r',  # lone CRs only
        'u1,"a\n\nb",c,d\n\nu2,"",,\n',  # a blank line inside quotes, and one between records
        'u1,"a\nb",c,d\nu2,e,f',  # the last record without a line break
        'u1,"a\nb",c\nu2,e,f,g\n',  # a short record after a quoted break
    ],
)
def test_records_spanning_lines_read_as_the_csv_module_reads_them(tmp_path: Path, body: str) -> None:
    source = tmp_path / "spans.csv"
    source.write_bytes(("id,b,c,d\n" + body).encode("utf-8"))
    fast, plain = read_csv(source), read_csv(source, _fast=False)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast.attrs == plain.attrs
