"""errors_where reads per-row messages and values by label, whatever the order of their index."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bulkprep.report import ERROR_COLUMNS, errors_where


def _index(keys: list[int]) -> pd.Index:
    return pd.Index(keys, name="bulk_row")


def test_messages_and_values_are_read_by_row_key() -> None:
    mask = pd.Series([True, False, True], index=_index([7, 3, 5]))
    message = pd.Series(["five", "seven", "three"], index=_index([5, 7, 3]), dtype="object")
    values = pd.Series([12, None, 10], index=_index([5, 3, 7]), dtype="object")
    table = errors_where(mask, stage="validate", code="invalid_phone", message=message, values=values)
    assert table["bulk_row"].tolist() == [7, 5]
    assert table["message"].tolist() == ["seven", "five"]
    assert table["value"].tolist() == ["10", "12"]


def test_same_index_gives_the_same_table_as_an_equal_copy() -> None:
    keys = _index([2, 4, 6, 8])
    mask = pd.Series([True, True, False, True], index=keys)
    message = pd.Series(["a", None, "c", 4], index=keys, dtype="object")
    values = pd.Series(["x", 1.5, None, None], index=keys, dtype="object")
    shared = errors_where(mask, stage="validate", code="c", message=message, values=values)
    copied = errors_where(
        mask,
        stage="validate",
        code="c",
        message=message.set_axis(keys.copy()),
        values=values.set_axis(keys.copy()),
    )
    pd.testing.assert_frame_equal(shared, copied)
    # A message that is not text is written as pandas writes it as text (None: missing).
    assert shared["message"].tolist()[0] == "a"
    assert shared["message"].tolist()[2] == "4"
    assert pd.isna(shared["message"].tolist()[1])
    assert shared["value"].tolist()[:2] == ["x", "1.5"]
    assert pd.isna(shared["value"].tolist()[2])


def test_columns_are_objects_and_keys_whole_numbers() -> None:
    mask = pd.Series([True, True], index=_index([1, 2]))
    table = errors_where(mask, stage="read", code="c", message="why", field="profile.email", column="Email")
    assert list(table.columns) == list(ERROR_COLUMNS)
    assert table["bulk_row"].dtype == np.int64
    assert all(table[name].dtype == object for name in ERROR_COLUMNS[1:])
    assert table.iloc[0].tolist() == [1, "read", "error", "profile.email", "Email", "c", "why", None]
