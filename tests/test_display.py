"""Tests for the notebook problem view: which rows, which cells, the cap, and escaping."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import pytest

from bulkprep import SubmitResult, prepare, read_csv
from bulkprep.demo import sample_path
from bulkprep.display import problem_view as _problem_view
from bulkprep.report import errors_from_records

_CSS_ESCAPE = re.compile(r"\\([0-9a-f]{1,6}) ?")


def problem_view(df: pd.DataFrame, errors: pd.DataFrame, **options: Any) -> Any:
    """The view, typed loosely: pandas' stubs do not declare ``Styler.data``, ``uuid`` or ``caption``."""
    return _problem_view(df, errors, **options)


def _frame(statuses: list[str], **columns: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["bulk_row"] = range(2, 2 + len(statuses))
    frame["bulk_status"] = statuses
    frame["bulk_error"] = [None if s in ("ready", "accepted") else f"{s} row" for s in statuses]
    return frame


def _rules(page: str) -> list[tuple[str, str]]:
    """(selector, body) of every CSS rule in the page's style block."""
    style = page.split("<style", 1)[1].split("</style>", 1)[0]
    return re.findall(r"([^{}]+)\{([^{}]*)\}", style)


def _highlighted(page: str, uuid: str) -> set[tuple[int, int]]:
    cells = set()
    for selector, body in _rules(page):
        if "#fecaca" in body:
            cells |= {(int(r), int(c)) for r, c in re.findall(rf"T_{uuid}_row(\d+)_col(\d+)", selector)}
    return cells


def _tooltips(page: str, uuid: str) -> dict[tuple[int, int], str]:
    found = {}
    for selector, body in _rules(page):
        match = re.search(rf"T_{uuid}_row(\d+)_col(\d+) \.pd-t::after", selector)
        if match:
            text = re.search(r'content: "(.*)";', body, re.DOTALL)
            assert text is not None
            decoded = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text.group(1))
            found[(int(match.group(1)), int(match.group(2)))] = decoded
    return found


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [
        (["ready", "invalid", "ready"], [3]),
        (["accepted", "rejected", "failed", "duplicate", "ready"], [3, 4, 5]),
        (["ready", "accepted"], []),
    ],
)
def test_the_view_holds_only_the_rows_that_need_attention(statuses: list[str], shown: list[int]) -> None:
    frame = _frame(statuses, Email=[f"u{i}@example.com" for i in range(len(statuses))])
    view = problem_view(frame, errors_from_records([]))
    assert view.data["bulk_row"].tolist() == shown
    assert list(view.data.columns) == ["bulk_row", "bulk_status", "bulk_error", "Email"]


def test_offending_cells_are_highlighted_with_their_message_as_tooltip() -> None:
    frame = _frame(
        ["invalid", "ready", "invalid"], Email=["bad", "ok@example.com", "x@y.co"], Phone=["1", "", "2"]
    )
    errors = errors_from_records(
        [
            {"bulk_row": 2, "column": "Email", "code": "invalid_email", "message": "no @-sign"},
            {"bulk_row": 2, "column": "Phone", "code": "invalid_phone", "message": "too short"},
            {"bulk_row": 4, "column": "Phone", "code": "invalid_phone", "message": "not a number"},
        ]
    )
    view = problem_view(frame, errors)
    page = view.to_html()
    email, phone = 3, 4  # positions after bulk_row, bulk_status, bulk_error
    assert _highlighted(page, view.uuid) == {(0, email), (0, phone), (1, phone)}
    tips = _tooltips(page, view.uuid)
    assert tips == {
        (0, email): "invalid_email: no @-sign",
        (0, phone): "invalid_phone: too short",
        (1, phone): "invalid_phone: not a number",
    }


def test_problems_of_one_cell_share_its_tooltip_and_rowwide_problems_go_to_the_status() -> None:
    frame = _frame(["invalid", "failed"], Email=["bad", "a@b.co"])
    errors = errors_from_records(
        [
            {"bulk_row": 2, "column": "Email", "code": "invalid_email", "message": "no @-sign"},
            {"bulk_row": 2, "column": "Email", "code": "cast_failed", "message": "second"},
            {"bulk_row": 3, "code": "send_failed", "message": "batch 1 could not be delivered"},
        ]
    )
    view = problem_view(frame, errors)
    tips = _tooltips(view.to_html(), view.uuid)
    assert tips[(0, 3)] == "invalid_email: no @-sign\ncast_failed: second"
    assert tips[(1, 1)] == "send_failed: batch 1 could not be delivered"


@pytest.mark.parametrize(("rows", "limit", "shown"), [(30, 10, 10), (30, 30, 30), (5, 200, 5), (1, 1, 1)])
def test_the_view_is_capped_and_says_so(rows: int, limit: int, shown: int) -> None:
    frame = _frame(["ready", *["invalid"] * rows], Email=["x"] * (rows + 1))
    errors = errors_from_records(
        {"bulk_row": r, "column": "Email", "code": "invalid_email", "message": "bad"}
        for r in range(3, rows + 3)
    )
    view = problem_view(frame, errors, limit=limit)
    assert len(view.data) == shown
    assert view.data["bulk_row"].tolist() == list(range(3, 3 + shown))
    assert len(_tooltips(view.to_html(), view.uuid)) == shown
    capped = f"first {shown} of {rows} rows" in str(view.caption)
    assert capped == (rows > limit)
    assert f"invalid {rows}" in str(view.caption)


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(limit: object) -> None:
    with pytest.raises(ValueError, match="limit"):
        problem_view(_frame(["invalid"], Email=["x"]), errors_from_records([]), limit=limit)


def test_values_names_and_messages_render_as_inert_text() -> None:
    script = "<script>alert(1)</script>"
    formula = '=HYPERLINK("http://example.com/x","Click me")'
    frame = _frame(["invalid", "invalid"], **{"Name <b>": [script, formula]})
    errors = errors_from_records(
        [{"bulk_row": 2, "column": "Name <b>", "code": "invalid_email", "message": 'bad "</style><script>x'}]
    )
    view = problem_view(frame, errors)
    page = view.to_html()
    assert "<script" not in page.lower()
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Name &lt;b&gt;" in page
    assert "<a " not in page
    assert formula not in page  # its quotes are escaped too
    assert formula in html.unescape(page)
    assert page.count("</style>") == 1
    assert _tooltips(page, view.uuid) == {(0, 3): 'invalid_email: bad "</style><script>x'}


def test_prepared_problem_view_of_the_messy_sample() -> None:
    prepared = prepare(read_csv(sample_path("users_messy.csv")), sample_path("users_messy.mapping.yaml"))
    view: Any = prepared.problem_view()
    summary = prepared.summary
    assert len(view.data) == summary["invalid"] + summary["duplicate"]
    assert set(view.data["bulk_status"]) == {"invalid", "duplicate"}
    tips = _tooltips(view.to_html(), view.uuid)
    columns = list(view.data.columns)
    rows = view.data["bulk_row"].tolist()
    # A duplicate names the field it shares; the mapping places it on the source column.
    assert "duplicate_user" in tips[(rows.index(186), columns.index("Email"))]
    assert "invalid_email" in tips[(rows.index(27), columns.index("Email"))]
    assert "cast_failed" in tips[(rows.index(216), columns.index("Signup Date"))]
    # The reader's problem (line 269 is ragged) has no column: it is shown on the status cell, and the
    # intake's own column is not part of the view.
    assert "bulk_read_error" not in columns
    assert "ragged_row" in tips[(rows.index(269), columns.index("bulk_status"))]


def test_submit_result_problem_view() -> None:
    frame = _frame(["accepted", "rejected"], Email=["a@b.co", "c@d.co"])
    errors = errors_from_records([{"bulk_row": 3, "code": "courier_rejected", "message": "Courier refused"}])
    result = SubmitResult(frame, errors=errors, input_columns=("Email",), job_id="j1")
    view: Any = result.problem_view(limit=5)
    assert view.data["bulk_row"].tolist() == [3]
    assert _tooltips(view.to_html(), view.uuid) == {(0, 1): "courier_rejected: Courier refused"}
