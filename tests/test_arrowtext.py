"""Arrow text read off its bytes: the same cells as the character tests it stands for."""

from __future__ import annotations

import sys

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.arrowtext import WHITESPACE_LEADS, may_be_blank
from bulkprep.mapping import Mapping

# Whitespace of every kind, its UTF-8 neighbours (same lead bytes) and plain letters.
ALPHABET = " \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u1680\u2000\u200a\u200b\u2028\u202f\u205f\u3000\u3001\xa9\xc0a日é"


def test_the_whitespace_leads_are_those_of_every_whitespace_character() -> None:
    leads = {
        chr(code).encode("utf-8", "surrogatepass")[:1]
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace()
    }
    assert set(WHITESPACE_LEADS) == leads


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=5)), max_size=30), st.integers(0, 3))
def test_every_blank_cell_may_be_blank(cells: list[str | None], cut: int) -> None:
    values = pa.array([" ", "a", *cells], type=pa.large_string()).slice(min(cut, 2))
    found = may_be_blank(values).tolist()
    for cell, maybe in zip(values.to_pylist(), found, strict=True):
        if cell is None or not cell.strip():
            assert maybe


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=5)), min_size=1, max_size=30))
def test_arrow_and_object_text_columns_map_alike(cells: list[str | None]) -> None:
    mapping = Mapping({"recipient": "id", "data.note": "note"})
    ids = [f"u{i}" for i in range(len(cells))]
    arrow = pd.DataFrame({"id": ids, "note": pd.Series(cells, dtype=pd.StringDtype("pyarrow"))})
    plain = pd.DataFrame({"id": ids, "note": pd.Series(cells, dtype=object)})
    got, expected = (mapping.apply(frame).targets["data.note"].tolist() for frame in (arrow, plain))
    assert got == expected
    assert [value is None for value in got] == [cell is None or not cell.strip() for cell in cells]
