"""The changes a number cast lists (numbers read from a local format), told apart column-wise for
plainly written numbers, agree cell by cell with bulkprep.numbers.is_localized."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import numbers

CELLS: list[tuple[Any, Any]] = [
    ("12.5", 12.5),
    ("-3", -3),
    ("007", 7),
    ("5.0", 5),
    ("1.234", 1234),  # a German column: read as a thousand and more
    ("1.234", 1.234),
    ("1.234,50", 1234.5),
    ("$5", 5.0),
    (" 12.5 ", 12.5),
    ("12345678901234567890", 12345678901234567890),
    ("0.1", 0.1),
    ("x", None),
    (None, None),
    (5, 5),
    ("1", True),
    ("2", np.float64(2.0)),
]


def test_each_listed_cell_is_what_is_localized_says() -> None:
    raw = np.array([cell for cell, _ in CELLS], dtype=object)
    kept = np.empty(len(CELLS), dtype=object)
    kept[:] = [number for _, number in CELLS]
    expected = [numbers.is_localized(cell, number) for cell, number in CELLS]
    assert numbers.localized_cells(raw, kept).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "-", "+"]),
            st.integers(0, 10**7),
            st.sampled_from(["", ".", ".5", ".50", ".123", ",5", ".000"]),
            st.sampled_from(["same", "thousand", "none"]),
        ),
        max_size=40,
    )
)
def test_plain_numbers_agree_with_is_localized(cells: list[tuple[str, int, str, str]]) -> None:
    raw = np.array([f"{sign}{whole}{tail}" for sign, whole, tail, _ in cells], dtype=object)
    kept = np.empty(len(cells), dtype=object)
    for i, (text, (_, _, _, how)) in enumerate(zip(raw, cells, strict=True)):
        plain = text.replace(",", ".").rstrip(".")
        kept[i] = {"same": float(plain), "thousand": float(plain) * 1000, "none": None}[how]
    expected = [numbers.is_localized(cell, number) for cell, number in zip(raw, kept, strict=True)]
    assert numbers.localized_cells(raw, kept).tolist() == expected
