"""Arrow string columns are looked at in one vectorized pass: the same cells guarded, the same bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.csvsafe import guard_text, neutralize_formulas, write_results_csv

ARROW = pd.StringDtype("pyarrow")

# Cells around every trigger and cut: first, after a ; or a line break, after spaces and quotes.
TRICKY = [
    "=1+1", "@SUM(A1)", "+442079460958", "-12.5", "-1+2", "-", "\t=x", "\r=x", "a=b", "x;=cmd", "a; -12,5",
    "Smith; Ann", "a\n@SUM(1)", "a\r\n+1", 'a;" =1', "a;b;c", ";", "\n", "", " =1", "ann@example.com",
    "Zoë;+1", "日本;=x", "née\r-3", "plain text", "-0", "--1", "+", "@", "==",
]  # fmt: skip


def both(cells: list[str | None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    arrow = pd.DataFrame({"a": pd.Series(cells, dtype=ARROW), "b": pd.Series(cells[::-1], dtype=ARROW)})
    plain = pd.DataFrame({"a": pd.Series(cells, dtype=object), "b": pd.Series(cells[::-1], dtype=object)})
    return arrow, plain


def test_arrow_columns_are_guarded_cell_for_cell_like_text_objects() -> None:
    arrow, plain = both([*TRICKY, None])
    guarded = neutralize_formulas(arrow)
    expected = [None if cell is None else guard_text(cell) for cell in [*TRICKY, None]]
    assert guarded["a"].tolist()[:-1] == expected[:-1]
    assert pd.isna(guarded["a"].tolist()[-1])
    assert guarded["b"].tolist()[1:] == neutralize_formulas(plain)["b"].tolist()[1:]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(TRICKY), st.text(alphabet=' ;\r\n\t"=@+-,.0123456789aé', max_size=12)),
        min_size=1,
        max_size=30,
    )
)
def test_arrow_and_object_columns_write_the_same_file(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str]
) -> None:
    folder: Path = tmp_path_factory.mktemp("arrow")
    arrow, plain = both(cells)
    written = [
        write_results_csv(frame, folder / f"{name}.csv").read_bytes()
        for name, frame in (("arrow", arrow), ("plain", plain))
    ]
    assert written[0] == written[1]


# The characters around the byte-level first look: the triggers and cuts, the fullwidth signs, their
# neighbours in UTF-8 (same lead bytes, other last byte) and other multi-byte letters.
FIRST_LOOK_ALPHABET = ' ;\r\n\t"=@+-,.0aé日\uff1d\uff20\uff0b\uff0d\uff0c\uff1e\u2212'


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(TRICKY), st.text(alphabet=FIRST_LOOK_ALPHABET, max_size=6)),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_the_byte_level_first_look_finds_what_the_pattern_finds(cells: list[str | None], cut: int) -> None:
    import re

    import pyarrow as pa

    from bulkprep.arrowtext import holding_bytes
    from bulkprep.csvsafe import _CANDIDATE, _arrow_candidates

    # A slice (an array whose cells start past its buffers' beginning), as a block of rows is.
    values = pa.array(["=x", None, "a;b", *cells], type=pa.large_string()).slice(min(cut, 3))
    texts = values.to_pylist()
    expected = [text is not None and _CANDIDATE.match(text) is not None for text in texts]
    assert _arrow_candidates(values).tolist() == expected
    quoted = [text is not None and re.search('[",\r\n]', text) is not None for text in texts]
    assert holding_bytes(values, b'",\r\n').tolist() == quoted
