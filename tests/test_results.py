"""Tests for bulkprep.results: the result object's accounting, views and exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bulkprep.results
from bulkprep.errors import BulkprepError, InvariantError
from bulkprep.report import errors_from_records
from bulkprep.results import SubmitResult
from bulkprep.status import ALL_STATUSES, BULK_COLUMNS


def _result(statuses: list[str]) -> SubmitResult:
    frame = pd.DataFrame(
        {
            "Name": [f"n{i}" for i in range(len(statuses))],
            "bulk_row": range(2, 2 + len(statuses)),
            "bulk_status": statuses,
            "bulk_error": [None] * len(statuses),
        }
    )
    errors = errors_from_records(
        [{"bulk_row": 2, "stage": "ingest", "code": "courier_rejected", "message": "<b>bad</b>"}]
    )
    return SubmitResult(frame, errors=errors, job_id="job<1>", input_columns=("Name",))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ALL_STATUSES), max_size=30))
def test_summary_adds_up_to_the_rows(statuses: list[str]) -> None:
    summary = _result(statuses).summary
    assert list(summary) == list(ALL_STATUSES)
    assert sum(summary.values()) == len(statuses)


def test_summary_refuses_an_unknown_status() -> None:
    with pytest.raises(InvariantError, match="unknown bulk_status: \\['sent'\\]") as caught:
        _ = _result(["accepted", "sent"]).summary
    assert isinstance(caught.value, BulkprepError)
    assert "every row ends in one of ready, invalid" in str(caught.value)


def test_result_columns_moved_to_status_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="bulkprep.status.BULK_COLUMNS"):
        assert bulkprep.results.RESULT_COLUMNS == BULK_COLUMNS


def test_failed_rows_are_rejected_and_failed_with_their_keys_and_input_columns() -> None:
    result = _result(["rejected", "accepted", "failed", "invalid", "duplicate", "ready"])
    again = result.failed_rows()
    assert list(again.columns) == ["bulk_row", "Name"]
    assert again["Name"].tolist() == ["n0", "n2"]
    assert again["bulk_row"].tolist() == result.df["bulk_row"].iloc[[0, 2]].tolist()


def test_html_escapes_and_shows_counts_job_and_fix() -> None:
    page = _result(["rejected", "accepted"])._repr_html_()
    assert "job&lt;1&gt;" in page
    assert "<b>bad</b>" not in page
    assert "courier_rejected" in page
    assert "fix" in page
    assert "<th>total</th><th style='text-align:right'>2</th>" in page


def test_repr_is_one_readable_line() -> None:
    text = repr(_result(["rejected", "accepted", "accepted"]))
    assert text == "SubmitResult(3 rows: accepted=2, rejected=1; job job<1>)"


def test_to_csv_writes_every_row_formula_safe(tmp_path: Path) -> None:
    result = _result(["accepted", "rejected"])
    result.df.loc[0, "Name"] = "=HYPERLINK(1)"
    path = result.to_csv(tmp_path / "out.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back["bulk_status"].tolist() == ["accepted", "rejected"]
    assert not back["Name"].iloc[0].startswith("=")
