"""The plan of bulkprep.dask.submit: the batches cut_batches cuts, found from the users' sizes alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from bulkprep.batching import cut_batches
from bulkprep.dask.planning import BatchPlan, plan_cuts
from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import dumps


def _users(lengths: list[int]) -> pd.Series:
    """Users whose JSON is as long as ``lengths`` says, row keys from 2 (as a file's lines)."""
    users = [{"d": "x" * (length - 8)} for length in lengths]  # {"d":""} is 8 bytes
    assert [len(dumps(user)) for user in users] == lengths
    return pd.Series(users, index=range(2, 2 + len(users)), dtype="object")


@pytest.mark.parametrize(
    ("max_users", "max_bytes"), [(3, 4_000_000), (10_000, 200), (7, 150), (1, 100), (50, 13)]
)
def test_the_cuts_are_those_of_cut_batches(max_users: int, max_bytes: int) -> None:
    generator = np.random.default_rng(7)
    # Sizes around the budget, and some users bigger than a whole batch's budget.
    lengths = [*generator.integers(8, 120, size=400).tolist(), 500, 9, 9, 300]
    users = _users(lengths)
    expected = cut_batches(users, max_users=max_users, max_bytes=max_bytes)
    bounds = plan_cuts(np.array(lengths), max_users=max_users, max_bytes=max_bytes)
    ends = np.cumsum([batch.users for batch in expected]).tolist()
    assert bounds.tolist() == [0, *ends]
    plan = BatchPlan.of([np.array(lengths)], max_users=max_users, max_bytes=max_bytes)
    assert plan.nbytes.tolist() == [batch.nbytes for batch in expected]


def test_a_plan_over_partitions_says_who_sends_what_and_reads_where() -> None:
    sizes = [np.full(5, 20), np.zeros(0, dtype=np.int64), np.full(2, 20), np.full(6, 20)]
    plan = BatchPlan.of(sizes, max_users=4)
    assert plan.bounds.tolist() == [0, 4, 8, 12, 13]
    assert plan.offsets.tolist() == [0, 5, 5, 7, 13]
    # Batch 2 starts in partition 0 and runs on over the empty partition and partition 2 into 3.
    assert plan.starting_in(0) == (0, 2)
    assert plan.reads(0) == [(0, 0, 5), (2, 0, 2), (3, 0, 1)]
    assert plan.starting_in(1) == plan.starting_in(2) == (2, 2)
    assert plan.reads(2) == []
    assert plan.reads(3) == [(3, 1, 6)]
    assert [plan.senders_of(part) for part in range(4)] == [[0], [], [0], [0, 3]]
    assert plan.numbers(3).tolist() == [2, 3, 3, 3, 3, 4]
    assert (plan.batches, plan.users) == (4, 13)


def test_the_limits_are_checked_as_cut_batches_checks_them() -> None:
    with pytest.raises(ConfigurationError, match="max_users=0"):
        plan_cuts(np.array([10]), max_users=0, max_bytes=100)
    with pytest.raises(ConfigurationError, match="max_bytes=7000000"):
        BatchPlan.of([], max_users=10, max_bytes=7_000_000)


def test_a_stop_file_is_put_in_place_whole(tmp_path: Path) -> None:
    # Another partition seeing the file must read its reason, never a file created and not yet written.
    from bulkprep.dask.submitting import _SharedStop, _write_stop

    stop = tmp_path / "stop"
    _write_stop(stop, "the guard max_rejected stopped sending")
    assert stop.read_text(encoding="utf-8") == "the guard max_rejected stopped sending"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["stop"]

    class Sender:
        halted: str | bool = False

    sender = Sender()
    shared = _SharedStop(stop, lambda: sender)  # type: ignore[arg-type, return-value]
    assert shared.is_set()
    assert sender.halted == "the guard max_rejected stopped sending"
