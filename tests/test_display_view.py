"""The problem view explains each problem: its context columns, duplicate cells, each fix said once."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bulkprep import prepare, read_csv
from bulkprep.demo import sample_path
from bulkprep.display import problem_view as _problem_view
from bulkprep.mapping import Mapping
from bulkprep.report import ErrorCode, errors_from_records

DUPLICATE_YELLOW = ("background-color", "#fde68a")
CONTEXT_BLUE = ("background-color", "#e0f2fe")
ERROR_RED = ("background-color", "#fecaca")


def problem_view(df: pd.DataFrame, errors: pd.DataFrame, **options: Any) -> Any:
    """The view, typed loosely: pandas' stubs do not declare ``Styler.data`` or ``caption``."""
    return _problem_view(df, errors, **options)


def _messy() -> Any:
    return prepare(read_csv(sample_path("users_messy.csv")), sample_path("users_messy.mapping.yaml"))


USERS = pd.DataFrame(
    {
        "Name": ["Ann", "Bob", "Cy", "Ann again"],
        "Country": ["DE", "FR", "US", "DE"],
        "Phone": ["+4917512345678", "12", "+12025550125", "+4917512345678"],
        "Email": ["ann@example.com", "bob@example.com", "cy@example", "ann@example.com"],
    }
)
MAPPING = {"profile": {"email": "Email", "phone_number": {"column": "Phone", "region_column": "Country"}}}


def test_the_country_stands_beside_a_phone_problem_and_is_marked_as_its_context() -> None:
    prepared = prepare(USERS, MAPPING)
    view: Any = prepared.problem_view()
    columns = list(view.data.columns)
    assert columns.index("Country") == columns.index("Phone") + 1
    assert columns.index("Name") > columns.index("Email")  # columns without a problem come last
    styles = view._compute().ctx
    bob = view.data["bulk_row"].tolist().index(1)
    assert ERROR_RED in styles[(bob, columns.index("Phone"))]
    assert CONTEXT_BLUE in styles[(bob, columns.index("Country"))]
    cy = view.data["bulk_row"].tolist().index(2)
    assert CONTEXT_BLUE not in styles.get((cy, columns.index("Country")), [])


def test_without_a_region_column_the_input_order_holds_apart_from_the_columns_at_fault() -> None:
    prepared = prepare(USERS, {"profile": {"email": "Email", "phone_number": "Phone"}}, region="US")
    columns = list(prepared.problem_view().data.columns)
    inputs = [c for c in columns if not c.startswith("bulk_")]
    assert inputs == ["Phone", "Email", "Name", "Country"]


def test_a_duplicate_shows_its_kept_row_and_its_shared_cell_in_yellow() -> None:
    prepared = prepare(USERS, MAPPING)
    view: Any = prepared.problem_view()
    columns = list(view.data.columns)
    assert "bulk_duplicate_of" in columns
    rows = view.data["bulk_row"].tolist()
    assert view.data["bulk_duplicate_of"].tolist()[rows.index(3)] == 0
    styles = view._compute().ctx
    assert DUPLICATE_YELLOW in styles[(rows.index(3), columns.index("Email"))]
    assert ERROR_RED in styles[(rows.index(2), columns.index("Email"))]


def test_no_kept_row_column_when_no_duplicate_is_shown() -> None:
    prepared = prepare(USERS.iloc[:3], MAPPING)
    assert "bulk_duplicate_of" not in prepared.problem_view().data.columns


def test_without_a_mapping_a_duplicate_is_placed_through_another_problem_of_its_field() -> None:
    frame = pd.DataFrame(
        {
            "Email": ["bad", "a@b.co"],
            "bulk_row": [2, 3],
            "bulk_status": ["invalid", "duplicate"],
            "bulk_error": ["x", "y"],
        }
    )
    errors = errors_from_records(
        [
            {
                "bulk_row": 2,
                "field": "profile.email",
                "column": "Email",
                "code": "invalid_email",
                "message": "x",
            },
            {"bulk_row": 3, "field": "profile.email", "code": "duplicate_user", "message": "same email"},
        ]
    )
    view = problem_view(frame, errors)
    styles = view._compute().ctx
    email = list(view.data.columns).index("Email")
    assert DUPLICATE_YELLOW in styles[(1, email)]


def test_each_fix_is_said_once_in_the_caption_keyed_by_its_code() -> None:
    prepared = _messy()
    view: Any = prepared.problem_view()
    caption = str(view.caption)
    hint = ErrorCode.INVALID_EMAIL.hint
    assert caption.count("[invalid_email]") == 1
    assert hint.split("(")[0] in caption
    texts = view.data["bulk_error"].dropna().tolist()
    emails = [t for t in texts if t.endswith("[invalid_email]")]
    assert len(emails) > 2
    assert not any(hint in t for t in texts)
    # The full message stays in the result frame and in the error table.
    assert prepared.df["bulk_error"].str.contains(hint, regex=False).sum() == len(emails)
    # A fix repeated on several rows of one code gets a label even when it is no code's hint.
    assert "[cast_failed]" in caption


def test_a_fix_said_once_stays_on_its_row() -> None:
    frame = pd.DataFrame({"Born": ["x"], "bulk_row": [2], "bulk_status": ["invalid"]})
    frame["bulk_error"] = ["data.born: got 'x'; write it as YYYY-MM-DD"]
    errors = errors_from_records(
        [
            {
                "bulk_row": 2,
                "column": "Born",
                "code": "cast_failed",
                "message": "got 'x'; write it as YYYY-MM-DD",
            }
        ]
    )
    view = problem_view(frame, errors)
    assert view.data["bulk_error"].tolist() == ["data.born: got 'x'; write it as YYYY-MM-DD"]
    assert "What to do" not in str(view.caption)


def test_the_legend_is_escaped() -> None:
    frame = pd.DataFrame({"A": ["x", "y"], "bulk_row": [2, 3], "bulk_status": ["invalid", "invalid"]})
    message = "bad; fix <script>alert(1)</script>"
    frame["bulk_error"] = [f"data.a: {message}"] * 2
    errors = errors_from_records(
        [{"bulk_row": r, "column": "A", "code": "<b>code</b>", "message": message} for r in (2, 3)]
    )
    view = problem_view(frame, errors)
    page = view.to_html()
    assert "<script" not in page
    assert "<b>code</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(view.caption)


def test_the_mapping_of_a_prepared_object_is_used_for_its_region_column() -> None:
    mapping = Mapping(MAPPING)
    prepared = prepare(USERS, mapping)
    direct = problem_view(prepared.df, prepared.errors, mapping=mapping)
    assert list(direct.data.columns) == list(prepared.problem_view().data.columns)
    without = problem_view(prepared.df, prepared.errors)
    assert CONTEXT_BLUE not in {prop for props in without._compute().ctx.values() for prop in props}


def test_a_table_without_a_field_column_still_draws() -> None:
    frame = pd.DataFrame({"Email": ["bad"], "bulk_row": [2], "bulk_status": ["invalid"], "bulk_error": ["x"]})
    errors = pd.DataFrame({"bulk_row": [2], "column": ["Email"], "code": ["invalid_email"], "message": ["x"]})
    view = problem_view(frame, errors)
    assert ERROR_RED in view._compute().ctx[(0, list(view.data.columns).index("Email"))]
