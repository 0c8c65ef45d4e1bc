"""Users built for many rows at once are the users each row gives alone, keys in the targets' order.

``build_payloads`` takes each level's present cells row by row from a matrix of a block of rows and
hands each row's dict its count of (name, value) pairs from one iterator: a miscount would shift
values into the next row's user. These tests build frames with gaps everywhere and compare every
user with the one its row gives on its own, with small blocks and with one block.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkprep import payloads
from bulkprep.payloads import build_payloads

NAMES = ["recipient", "profile.email", "data", "data.a", "data.b", "data.c.d", "data.c.e", "to.data.x"]
CELLS = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.text(max_size=4),
    st.integers(-5, 5),
    st.booleans(),
    st.dictionaries(st.sampled_from(["a", "b", "k"]), st.integers(0, 3) | st.none(), max_size=2),
    st.lists(st.integers(0, 3), max_size=2),
)


@st.composite
def gappy_frames(draw: st.DrawFn) -> pd.DataFrame:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=len(NAMES), unique=True))
    rows = draw(st.integers(min_value=0, max_value=9))
    columns = {}
    for name in names:
        cells = np.empty(rows, dtype=object)
        cells[:] = draw(st.lists(CELLS, min_size=rows, max_size=rows))
        columns[name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(rows, name="bulk_row"))


def _alone(targets: pd.DataFrame) -> list[Any]:
    return [build_payloads(targets.iloc[[i]]).iloc[0] for i in range(len(targets))]


def _bytes(users: list[Any]) -> list[bytes]:
    return [orjson.dumps(user) for user in users]  # the key order counts too


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gappy_frames(), st.sampled_from([1, 3, 1 << 21]))
def test_users_built_together_are_the_users_built_alone(targets: pd.DataFrame, cells_at_once: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(payloads, "_CELLS_AT_ONCE", cells_at_once)
        together = build_payloads(targets).tolist()
    assert _bytes(together) == _bytes(_alone(targets))


def test_a_wide_level_with_gaps_keeps_the_targets_order(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    names = [f"data.attr_{k:02d}" for k in range(40)]
    values = rng.integers(0, 100, (500, 40)).astype(str).astype(object)
    values[rng.random((500, 40)) < 0.6] = None
    targets = pd.DataFrame(values, columns=names, dtype=object)
    monkeypatch.setattr(payloads, "_CELLS_AT_ONCE", 97)  # blocks of two rows
    users = build_payloads(targets).tolist()
    for row, user in zip(values.tolist(), users, strict=True):
        expected = {name[5:]: value for name, value in zip(names, row, strict=True) if value is not None}
        assert list(user.get("data", {}).items()) == list(expected.items())
