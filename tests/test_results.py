"""Tests for bulkprep.results: matching echoes to rows, and the result object's accounting."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.report import errors_from_records
from bulkprep.results import SubmitResult, identities_of, match_to_rows
from bulkprep.status import ALL_STATUSES

BATCH = pd.Series(
    [
        {"recipient": "u1", "profile": {"email": "Ann@Example.com"}},
        {"to": {"user_id": "u2", "email": "bob@example.com"}},
        {"profile": {"email": "cy@example.com", "phone_number": "+15555550100"}},
        {"profile": {"phone_number": "+15555550199"}},
    ],
    index=[10, 11, 12, 13],
)


@pytest.mark.parametrize(
    ("echo", "row"),
    [
        ({"recipient": "u1", "data": {"x": 1}}, 10),  # request-like shape
        ({"user_id": "u1", "email": "ann@example.com"}, 10),  # flattened shape
        ({"user_id": "u2"}, 11),  # flattened id matches to.user_id
        ({"to": {"user_id": "u2"}}, 11),
        ({"email": "ANN@EXAMPLE.COM"}, 10),  # emails compare case-folded
        ({"to": {"email": "cy@example.com"}}, 12),
        ({"profile": {"email": "bob@example.com"}}, 11),
        ({"phone_number": "+15555550199"}, 13),
        ({"profile": {"phone_number": "+15555550100"}}, 12),
        # a generated id Courier added echoes with the email of a row that had none
        ({"user_id": "generated-9", "email": "cy@example.com"}, 12),
    ],
)
def test_echo_matches_its_row_in_either_shape(echo: dict, row: int) -> None:
    matching = match_to_rows([echo], identities_of(BATCH))
    assert matching.matches == {0: row}
    assert matching.unmatched == []


@pytest.mark.parametrize(
    "echo",
    [
        {"user_id": "nobody"},
        {"email": "nobody@example.com"},
        {},
        {"data": {"x": 1}},
        "not a dict",
    ],
)
def test_echo_that_matches_no_row_is_unmatched(echo: object) -> None:
    matching = match_to_rows([echo], identities_of(BATCH))
    assert matching.matches == {}
    assert matching.unmatched == [0]


def test_echo_matching_two_rows_is_unmatched_unless_a_later_tier_narrows_it() -> None:
    users = pd.Series(
        [
            {"recipient": "a", "profile": {"email": "same@example.com", "phone_number": "+1"}},
            {"recipient": "b", "profile": {"email": "same@example.com", "phone_number": "+2"}},
        ],
        index=[1, 2],
    )
    echoes = [
        {"email": "same@example.com"},
        {"email": "same@example.com", "phone_number": "+2"},
        {"user_id": "a", "email": "same@example.com"},
    ]
    matching = match_to_rows(echoes, identities_of(users))
    assert matching.matches == {1: 2, 2: 1}
    assert matching.unmatched == [0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["u1", "u2", "u3", "u4", "u5"]), min_size=1, max_size=5, unique=True))
def test_every_echo_is_either_matched_or_unmatched_never_dropped(ids: list[str]) -> None:
    users = pd.Series([{"recipient": uid} for uid in ids], index=range(len(ids)))
    echoes = [{"user_id": uid} for uid in ["u1", "u2", "u3", "u4", "u5"]]
    matching = match_to_rows(echoes, identities_of(users))
    assert sorted([*matching.matches, *matching.unmatched]) == list(range(len(echoes)))
    assert {ids[row] for row in matching.matches.values()} == set(ids)


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
    with pytest.raises(AssertionError, match="unknown bulk_status"):
        _ = _result(["accepted", "sent"]).summary


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
