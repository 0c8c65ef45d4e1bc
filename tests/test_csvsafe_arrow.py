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
