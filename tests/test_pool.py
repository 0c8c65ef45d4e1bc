"""The process pool over distinct values: the serial path's outcomes, in order, and no process left behind.

Each test that needs the pool allows two workers with ``BULKPREP_WORKERS=2`` (the default also
looks at the load average, which a test cannot count on) and, where the values are few, lowers
the threshold; the workers' process ids show that the pool did run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import _pool
from bulkprep.errors import ConfigurationError
from bulkprep.normalize import normalize_emails, normalize_phones

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the pool forks its workers"
)


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Two workers allowed, and a pool for any number of values."""
    monkeypatch.setenv(_pool.ENV_VAR, "2")
    monkeypatch.setattr(_pool, "MIN_VALUES", 1)
    monkeypatch.setattr(_pool, "MIN_COLUMN_VALUES", 1)
    return monkeypatch


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def with_pid(value: Any) -> tuple[Any, int]:
    return value, os.getpid()


def test_outcomes_come_back_in_order_from_other_processes(two_workers: pytest.MonkeyPatch) -> None:
    values = [f"v{i}" for i in range(1_000)]
    found = _pool.outcomes(with_pid, values)
    assert [value for value, _ in found] == values
    pids = {pid for _, pid in found}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2  # which worker takes which chunk is up to the scheduler
    assert all(gone(pid) for pid in pids)
    assert multiprocessing.active_children() == []


def test_the_threshold_and_the_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_pool.ENV_VAR, "2")
    assert _pool.plan(_pool.MIN_VALUES - 1) == 1
    assert _pool.plan(_pool.MIN_VALUES) == 2
    monkeypatch.setenv(_pool.ENV_VAR, "8")
    assert _pool.plan(_pool.MIN_VALUES) == 8
    monkeypatch.setenv(_pool.ENV_VAR, "1")
    assert _pool.plan(10 * _pool.MIN_VALUES) == 1
    monkeypatch.setattr(_pool, "MIN_VALUES", 1)
    assert [pid for _, pid in _pool.outcomes(with_pid, list(range(50)))] == [os.getpid()] * 50


@pytest.mark.parametrize("written", ["0", "two", "-3", "1.5"])
def test_a_wrong_number_of_workers_is_refused(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv(_pool.ENV_VAR, written)
    with pytest.raises(ConfigurationError, match="BULKPREP_WORKERS"):
        _pool.plan(_pool.MIN_VALUES)


def test_without_the_switch_only_idle_cores_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_pool.ENV_VAR, raising=False)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert 1 <= _pool.plan(_pool.MIN_VALUES) <= cpus
    monkeypatch.setattr(os, "getloadavg", lambda: (float(cpus + 3), 0.0, 0.0))
    assert _pool.plan(_pool.MIN_VALUES) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert _pool.plan(_pool.MIN_VALUES) == (cpus if cpus >= 2 else 1)


def _plan_in_child(answers: Any) -> None:
    os.environ[_pool.ENV_VAR] = "2"
    answers.put(_pool.plan(_pool.MIN_VALUES))


def test_no_pool_in_a_daemon_process_nor_in_any_worker_process() -> None:
    context = multiprocessing.get_context("fork")
    answers = context.SimpleQueue()
    for daemon in (True, False):
        child = context.Process(target=_plan_in_child, args=(answers,), daemon=daemon)
        child.start()
        child.join(60)
        assert child.exitcode == 0
        assert answers.get() == 1
    os.environ[_pool.ENV_VAR] = "2"
    try:
        assert _pool.plan(_pool.MIN_VALUES) == 2  # the same call, in this process
    finally:
        del os.environ[_pool.ENV_VAR]


def test_no_pool_outside_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_pool.ENV_VAR, "2")
    found: list[int] = []
    thread = threading.Thread(target=lambda: found.append(_pool.plan(_pool.MIN_VALUES)))
    thread.start()
    thread.join()
    assert found == [1]


class Stop:
    """Decides values in a worker, writing its pid to ``folder``; at ``at`` it fails or interrupts."""

    def __init__(self, folder: Path, at: int, how: str) -> None:
        self.folder, self.at, self.how = folder, at, how

    def __call__(self, value: int) -> int:
        (self.folder / str(os.getpid())).touch()
        if value == self.at:
            if self.how == "raise":
                raise ValueError(f"no outcome for {value}")
            os.kill(os.getppid(), signal.SIGINT)  # as Ctrl-C reaches the parent
        time.sleep(0.002)
        return value


def worker_pids(folder: Path) -> list[int]:
    return [int(path.name) for path in folder.iterdir()]


def test_a_workers_error_closes_the_pool(two_workers: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no outcome for 300"):
        _pool.outcomes(Stop(tmp_path, 300, "raise"), list(range(1_000)))
    pids = worker_pids(tmp_path)
    assert pids
    assert os.getpid() not in pids
    assert all(gone(pid) for pid in pids)
    assert multiprocessing.active_children() == []


def test_an_interrupt_closes_the_pool(two_workers: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        _pool.outcomes(Stop(tmp_path, 100, "interrupt"), list(range(100_000)))
    pids = worker_pids(tmp_path)
    assert pids
    assert os.getpid() not in pids
    assert all(gone(pid) for pid in pids)
    assert multiprocessing.active_children() == []
    # The next call starts a pool of its own and gives every outcome.
    assert _pool.outcomes(abs, [-1, 2, -3]) == [1, 2, 3]


# --- normalize with the pool: the serial path's frames ---------------------------------------------


def same_with_pool(run: Any, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    monkeypatch.setenv(_pool.ENV_VAR, "1")
    serial = run()
    monkeypatch.setenv(_pool.ENV_VAR, "2")
    pooled = run()
    pd.testing.assert_frame_equal(pooled, serial)
    return pooled


# Values that go to the libraries one by one: invalid or unusual addresses, numbers with letters,
# labels, extensions written loosely, unknown countries, numbers of regions that rewrite digits.
EMAILS = [
    "ann at example.com", "ann@", "@example.com", "ann..lee@example.com", "ann@exa mple.com",
    '"ann lee"@example.com', "josé.peña@bücher.de", "ΑΝΝ@παράδειγμα.ελ", "иван@пример.рф",
    "名前@例え.jp", "a" * 65 + "@example.com", "ann@example", "mailto:Ann@Example.com?subject=hi",
    "Ann <ann@example.com>", "ann@-example.com", "ann@localhost", " ANN@EXAMPLE.COM ",
]  # fmt: skip
PHONES = [
    "1-800-FLOWERS", "Tel.: +44 20 7946 0958", "+1 202 555 0125 ext 12", "12", "2.02555E+09",
    "+49 (0)151 2345 6789 #3", "tel:+33612345678", "0055 (11) 91234-5678", "011 44 7911 123468",
    "010-5988-1428", "(11) 90652-082", "0 11 91234 5678", "n/a", "+81 90-1234-5678", "x",
]  # fmt: skip
COUNTRIES = ["Narnia", "JP", "Brasil", "Deutschland", None, "KR", "日本", "Atlantis", "US", "FR"]


def test_emails_with_the_pool(two_workers: pytest.MonkeyPatch) -> None:
    values = pd.Series([f"{i}.{email}" if i % 3 else email for i, email in enumerate(EMAILS * 40)])
    out = same_with_pool(lambda: normalize_emails(values), two_workers)
    assert out["code"].notna().sum() > 100


def test_phones_with_the_pool_in_a_region_and_in_rows_countries(two_workers: pytest.MonkeyPatch) -> None:
    values = pd.Series([f"{phone}{i % 7}" if i % 2 else phone for i, phone in enumerate(PHONES * 40)])
    countries = pd.Series([COUNTRIES[i % len(COUNTRIES)] for i in range(len(values))])
    for region in ("US", "BR", None):
        same_with_pool(lambda region=region: normalize_phones(values, region=region), two_workers)
        same_with_pool(
            lambda region=region: normalize_phones(values, region=region, countries=countries), two_workers
        )


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789+-() .xX#aé@", min_size=1, max_size=18),
            st.sampled_from(COUNTRIES),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_random_values_with_the_pool(rows: list[tuple[str, str | None]]) -> None:
    values = pd.Series([text for text, _ in rows], dtype="object")
    countries = pd.Series([country for _, country in rows], dtype="object")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_pool, "MIN_VALUES", 1)
        patch.setattr(_pool, "MIN_COLUMN_VALUES", 1)
        same_with_pool(lambda: normalize_phones(values, countries=countries), patch)
        same_with_pool(lambda: normalize_emails(values), patch)


def test_the_fast_paths_decide_in_the_pool_too(two_workers: pytest.MonkeyPatch) -> None:
    """Plain values, which the column-wise fast paths decide, are cut into pieces for the workers."""
    emails = pd.Series([f"user{i}@example{i % 50}.com" for i in range(3_000)] + EMAILS)
    phones = pd.Series([f"(202) 555-{i:04d}" for i in range(3_000)] + PHONES)
    countries = pd.Series([COUNTRIES[i % len(COUNTRIES)] for i in range(len(phones))])
    counts: list[int | None] = []
    outcomes = _pool.outcomes

    def counted(decide: Any, values: Any, *, count: int | None = None) -> Any:
        counts.append(count)
        return outcomes(decide, values, count=count)

    two_workers.setattr(_pool, "outcomes", counted)
    same_with_pool(lambda: normalize_emails(emails), two_workers)
    same_with_pool(lambda: normalize_phones(phones, region="US"), two_workers)
    same_with_pool(lambda: normalize_phones(phones, countries=countries), two_workers)
    # Each pooled run sent its distinct values to the pool in pieces, counted as the values they hold.
    assert [count for count in counts if count is not None and count >= 3_000] == [
        len(emails.unique()),
        len(phones.unique()),
        len(pd.MultiIndex.from_arrays([phones, countries.fillna("")]).unique()),
    ]
