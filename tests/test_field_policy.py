"""``on_error: drop_field``: a bad optional field is left out of its user, and the row is still sent.

Every problem stays in the error table, with a ``severity``: ``error`` decides the row's status,
``warning`` is a field left out. The policy never makes an unsendable row ready.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import TOKEN

from bulkprep import prepare
from bulkprep.cli import main
from bulkprep.display import problem_view, summary_card
from bulkprep.field_policy import KEPT_TARGETS, droppable_targets
from bulkprep.mapping import Mapping
from bulkprep.read import read_csv
from bulkprep.report import (
    ERROR_COLUMNS,
    concat_errors,
    count_warnings,
    empty_errors,
    errors_from_records,
    errors_where,
    format_summary,
    join_messages,
    of_severity,
)
from bulkprep.sandbox import Sandbox
from bulkprep.status import PREPARED_COLUMNS, Column, Severity
from bulkprep.submit import submit
from bulkprep.validate import validate

CSV_FIXTURES = Path(__file__).parent / "fixtures" / "csv"
DROP = {"on_error": "drop_field"}

USERS = pd.DataFrame(
    {
        "id": ["u1", "u2", "u3"],
        "Email": ["ann@example.com", "bob@example.com", "cat@example.com"],
        "Born": ["1990-01-02", "31/02/1990", "1991-05-06"],
        "Plan": ["pro", "free", "pro"],
    }
)


def born_mapping(**born: Any) -> dict[str, Any]:
    return {
        "recipient": "id",
        "profile.email": "Email",
        "data.born": {"column": "Born", "cast": "date", **born},
        "data.plan": "Plan",
    }


def one(errors: pd.DataFrame, **where: Any) -> pd.Series:
    """The single problem matching ``where`` (column=value)."""
    mask = pd.Series(True, index=errors.index)
    for column, value in where.items():
        mask &= errors[column] == value
    assert int(mask.sum()) == 1, errors.to_dict("records")
    return errors[mask].iloc[0]


# -- the policy on each kind of failure ---------------------------------------------------------------


def test_a_bad_date_is_left_out_and_the_row_stays_ready() -> None:
    result = prepare(USERS, born_mapping(**DROP))
    assert result.summary == {"ready": 3, "invalid": 0, "duplicate": 0}
    assert result.df.loc[1, "bulk_user"] == {
        "recipient": "u2",
        "profile": {"email": "bob@example.com"},
        "data": {"plan": "free"},
    }
    problem = one(result.errors, bulk_row=1)
    assert (problem["stage"], problem["severity"], problem["field"], problem["column"], problem["code"]) == (
        "map",
        "warning",
        "data.born",
        "Born",
        "cast_failed",
    )
    assert problem["value"] == "31/02/1990"
    assert problem["message"].endswith("sent without data.born (on_error: drop_field)")
    assert pd.isna(result.df.loc[1, "bulk_error"])
    assert result.df.loc[1, "bulk_warning"].startswith("data.born: expected a date")
    assert "sent without data.born" in result.df.loc[1, "bulk_warning"]
    assert result.df["bulk_warning"].isna().tolist() == [True, False, True]


def test_the_default_policy_is_unchanged_the_row_is_invalid() -> None:
    for mapping in (born_mapping(), born_mapping(on_error="invalid")):
        result = prepare(USERS, mapping)
        assert result.summary == {"ready": 2, "invalid": 1, "duplicate": 0}
        problem = one(result.errors, bulk_row=1)
        assert problem["severity"] == "error"
        assert "sent without" not in problem["message"]
        assert result.df.loc[1, "bulk_error"].startswith("data.born: expected a date")
        assert result.df["bulk_warning"].isna().all()


@pytest.mark.parametrize(
    ("target", "column", "value", "code"),
    [
        ("profile.phone_number", "Phone", "12", "invalid_phone"),
        ("profile.phone_number", "Phone", "2.02555E+09", "excel_mangled_number"),
        ("profile.email", "Email2", "bob@", "invalid_email"),
        ("data.customer_id", "Customer", "2.02555E+09", "excel_mangled_number"),
        ("data.age", "Age", "forty", "cast_failed"),
        ("data.extra", "Extra", "{not json", "cast_failed"),
    ],
)
def test_each_kind_of_failing_value_is_left_out(target: str, column: str, value: str, code: str) -> None:
    cast = {"data.age": "int", "data.extra": "json"}.get(target)
    source: dict[str, Any] = {"column": column, **DROP, **({"cast": cast} if cast else {})}
    frame = pd.DataFrame({"id": ["u1", "u2"], column: [None, value]})
    result = prepare(frame, {"recipient": "id", target: source})
    assert result.summary["ready"] == 2
    assert result.df.loc[1, "bulk_user"] == {"recipient": "u2"}
    problem = one(result.errors, bulk_row=1)
    assert (problem["severity"], problem["field"], problem["code"]) == ("warning", target, code)
    assert problem["message"].endswith(f"sent without {target} (on_error: drop_field)")


def test_only_the_failing_field_is_left_out_of_the_row() -> None:
    frame = pd.DataFrame(
        {"id": ["u1"], "Phone": ["12"], "Born": ["1990-13-45"], "Plan": ["pro"], "Email": ["a@example.com"]}
    )
    mapping = {
        "recipient": "id",
        "profile": {"email": {"column": "Email", **DROP}, "phone_number": {"column": "Phone", **DROP}},
        "data": {"born": {"column": "Born", "cast": "date", **DROP}, "plan": {"column": "Plan", **DROP}},
    }
    result = prepare(frame, mapping)
    assert result.df.loc[0, "bulk_status"] == "ready"
    assert result.df.loc[0, "bulk_user"] == {
        "recipient": "u1",
        "profile": {"email": "a@example.com"},
        "data": {"plan": "pro"},
    }
    assert result.errors["field"].tolist() == ["data.born", "profile.phone_number"]
    assert set(result.errors["severity"]) == {"warning"}
    assert count_warnings(result.errors) == 2


def test_a_warning_does_not_hide_an_error_of_the_same_row() -> None:
    frame = pd.DataFrame({"id": ["2.02555E+09"], "Born": ["not a date"]})
    result = prepare(frame, {"recipient": "id", "data.born": {"column": "Born", "cast": "date", **DROP}})
    assert result.df.loc[0, "bulk_status"] == "invalid"
    assert result.df.loc[0, "bulk_error"].startswith(
        "recipient: '2.02555E+09' is an id in scientific notation"
    )
    assert "data.born" not in result.df.loc[0, "bulk_error"]
    assert result.df.loc[0, "bulk_warning"].startswith("data.born: ")
    assert result.errors[["severity", "code"]].to_dict("records") == [
        {"severity": "warning", "code": "cast_failed"},
        {"severity": "error", "code": "excel_mangled_number"},
    ]


# -- never an unsendable row ------------------------------------------------------------------------


def test_user_ids_are_never_left_out() -> None:
    assert {"recipient", "to.user_id", "to"} <= KEPT_TARGETS
    assert not {"profile.email", "profile", "data", "profile.phone_number"} & KEPT_TARGETS
    mapping = Mapping(
        {
            "recipient": {"column": "id", **DROP},
            "to.user_id": {"column": "id", **DROP},
            "data.born": {"column": "Born", **DROP},
        }
    )
    assert droppable_targets(mapping) == frozenset({"data.born"})
    result = prepare(pd.DataFrame({"id": ["u1", "2.02555E+09"], "Born": ["x", "y"]}), mapping)
    assert result.df["bulk_status"].tolist() == ["ready", "invalid"]
    assert result.df.loc[1, "bulk_user"]["recipient"] == "2.02555E+09"  # not silently another user
    for field in ("recipient", "to.user_id"):
        problem = one(result.errors, bulk_row=1, field=field)
        assert problem["severity"] == "error"
        assert problem["message"].endswith(
            f"{field} is a user id and is never left out (on_error: drop_field does not apply to it): "
            "fix the value"
        )


def test_an_email_that_was_the_only_way_to_reach_the_user_keeps_the_row_invalid() -> None:
    frame = pd.DataFrame({"id": [None, "u2"], "Email": ["bob@", "cat@"], "Phone": [None, None]})
    mapping = {
        "recipient": "id",
        "profile.email": {"column": "Email", **DROP},
        "profile.phone_number": "Phone",
    }
    result = prepare(frame, mapping)
    assert result.df["bulk_status"].tolist() == ["invalid", "ready"]
    assert result.df.loc[1, "bulk_user"] == {"recipient": "u2"}
    first = result.errors[result.errors["bulk_row"] == 0]
    assert first[["severity", "field", "code"]].to_dict("records") == [
        {"severity": "error", "field": "profile.email", "code": "invalid_email"},
        {"severity": "error", "field": None, "code": "no_identity"},
    ]
    assert (
        first["message"]
        .iloc[0]
        .endswith(
            "profile.email cannot be left out (on_error: drop_field): without it the user cannot be reached"
        )
    )
    assert result.df.loc[0, "bulk_error"].startswith("profile.email: ")
    assert "; the user has no user id, email or phone number" in result.df.loc[0, "bulk_error"]
    assert pd.isna(result.df.loc[0, "bulk_warning"])
    assert one(result.errors, bulk_row=1)["severity"] == "warning"


def test_an_email_job_keeps_a_row_invalid_whose_email_was_left_out() -> None:
    frame = pd.DataFrame({"id": ["u1", "u2"], "Email": ["bob@", "cat@example.com"]})
    result = prepare(
        frame, {"recipient": "id", "profile.email": {"column": "Email", **DROP}}, require_email=True
    )
    assert result.df["bulk_status"].tolist() == ["invalid", "ready"]
    assert result.errors[["bulk_row", "severity", "code"]].to_dict("records") == [
        {"bulk_row": 0, "severity": "error", "code": "invalid_email"},
        {"bulk_row": 0, "severity": "error", "code": "missing_email"},
    ]


def test_a_phone_left_out_beside_an_email_job_stays_a_warning() -> None:
    frame = pd.DataFrame({"Email": ["bob@", "cat@example.com"], "Phone": ["+12025550125", "12"]})
    mapping = {
        "profile.email": {"column": "Email", **DROP},
        "profile.phone_number": {"column": "Phone", **DROP},
    }
    result = prepare(frame, mapping, require_email=True)
    assert result.df["bulk_status"].tolist() == ["invalid", "ready"]
    assert one(result.errors, bulk_row=1)["severity"] == "warning"  # the email still reaches the user
    assert one(result.errors, bulk_row=0, code="invalid_email")["severity"] == "error"
    assert result.df.loc[1, "bulk_user"] == {"profile": {"email": "cat@example.com"}}


def test_a_preference_left_without_its_status_is_still_an_error() -> None:
    frame = pd.DataFrame(
        {"id": ["u1", "u2"], "News": ["opted in", "OPTED_IN"], "Channels": ['[{"channel": "email"}]'] * 2}
    )
    mapping = {
        "recipient": "id",
        "preferences.categories.news.status": {"column": "News", **DROP},
        "preferences.categories.news.channel_preferences": {"column": "Channels", "cast": "json"},
    }
    result = prepare(frame, mapping)
    # Left out, the status leaves a preference Courier would refuse: the row is invalid, and says why.
    assert result.df["bulk_status"].tolist() == ["invalid", "ready"]
    assert result.errors[["severity", "code"]].to_dict("records") == [
        {"severity": "warning", "code": "invalid_value"},
        {"severity": "error", "code": "invalid_value"},
    ]
    assert "has no status" in result.df.loc[0, "bulk_error"]


def test_a_lone_preference_status_is_left_out_with_its_preference() -> None:
    frame = pd.DataFrame({"id": ["u1"], "News": ["opted in"]})
    mapping = {"recipient": "id", "preferences.categories.news.status": {"column": "News", **DROP}}
    result = prepare(frame, mapping)
    assert result.df.loc[0, "bulk_status"] == "ready"
    assert result.df.loc[0, "bulk_user"] == {"recipient": "u1"}
    assert "did you mean OPTED_IN?" in result.df.loc[0, "bulk_warning"]


def test_a_field_too_large_for_a_request_is_left_out() -> None:
    frame = pd.DataFrame({"id": ["u1", "u2"], "Notes": ["short", "x" * 600_000]})
    result = prepare(frame, {"recipient": "id", "data.notes": {"column": "Notes", **DROP}})
    assert result.df["bulk_status"].tolist() == ["ready", "ready"]
    assert result.df.loc[1, "bulk_user"] == {"recipient": "u2"}
    assert one(result.errors, bulk_row=1)[["severity", "code"]].tolist() == ["warning", "user_too_large"]


def test_a_json_object_is_left_out_whole_when_a_field_inside_it_fails() -> None:
    frame = pd.DataFrame({"id": ["u1"], "Profile": ['{"email": 42, "tier": "gold"}']})
    result = prepare(frame, {"recipient": "id", "profile": {"column": "Profile", "cast": "json", **DROP}})
    assert result.df.loc[0, "bulk_status"] == "ready"
    assert result.df.loc[0, "bulk_user"] == {"recipient": "u1"}
    problem = one(result.errors, bulk_row=0)
    assert (problem["severity"], problem["field"], problem["code"]) == (
        "warning",
        "profile.email",
        "wrong_type",
    )
    assert problem["message"].endswith("sent without profile (on_error: drop_field)")


def test_a_left_out_email_is_no_duplicate_key() -> None:
    frame = pd.DataFrame({"id": ["u1", "u2"], "Email": ["bob@", "bob@"]})
    result = prepare(frame, {"recipient": "id", "profile.email": {"column": "Email", **DROP}})
    assert result.summary == {"ready": 2, "invalid": 0, "duplicate": 0}


# -- sent without the field, over real HTTP ------------------------------------------------------------


def test_the_row_is_sent_without_the_field(sandbox: Sandbox) -> None:
    result = submit(
        prepare(USERS, born_mapping(**DROP)),
        event="WELCOME",
        api_key=TOKEN,
        base_url=sandbox.url,
        progress=False,
    )
    assert result.summary["accepted"] == 3
    assert result.job_id is not None
    sent = [{k: v for k, v in user.items() if k != "status"} for user in sandbox.users(result.job_id)]
    assert sent == [
        {
            "recipient": "u1",
            "profile": {"email": "ann@example.com"},
            "data": {"born": "1990-01-02", "plan": "pro"},
        },
        {"recipient": "u2", "profile": {"email": "bob@example.com"}, "data": {"plan": "free"}},
        {
            "recipient": "u3",
            "profile": {"email": "cat@example.com"},
            "data": {"born": "1991-05-06", "plan": "pro"},
        },
    ]
    assert result.failed_rows().empty  # a warning alone never asks for a resubmission
    assert result.df["bulk_warning"].notna().tolist() == [False, True, False]
    assert pd.isna(result.df.loc[1, "bulk_error"])
    assert one(result.errors, bulk_row=1)["severity"] == "warning"
    assert "1 field left out (warnings): data.born 1" in str(result)


def test_ingest_and_duplicate_problems_are_errors(sandbox: Sandbox) -> None:
    frame = pd.DataFrame({"id": ["u1", "u1", "u2"], "Born": ["x", "1990-01-01", "1990-01-01"]})
    mapping = {"recipient": "id", "data.born": {"column": "Born", "cast": "date", **DROP}}
    options: dict[str, Any] = {"api_key": TOKEN, "base_url": sandbox.url, "progress": False}
    first = submit(frame.iloc[[2]], mapping, event="WELCOME", **options)
    again = submit(frame, mapping, job_id=first.job_id, **options)
    assert again.df["bulk_status"].tolist() == ["accepted", "duplicate", "rejected"]
    assert again.errors[["bulk_row", "stage", "severity"]].to_dict("records") == [
        {"bulk_row": 0, "stage": "map", "severity": "warning"},
        {"bulk_row": 1, "stage": "duplicate", "severity": "error"},
        {"bulk_row": 2, "stage": "ingest", "severity": "error"},
    ]
    assert again.failed_rows()["bulk_row"].tolist() == [2]


# -- the error table's severity everywhere -------------------------------------------------------------


def test_every_error_table_has_a_severity_column() -> None:
    assert ERROR_COLUMNS[:3] == ("bulk_row", "stage", "severity")
    assert list(empty_errors().columns) == list(ERROR_COLUMNS)
    assert errors_from_records([{"bulk_row": 1}])["severity"].tolist() == ["error"]
    assert errors_from_records([{"bulk_row": 1, "severity": "warning"}])["severity"].tolist() == ["warning"]
    flagged = errors_where(pd.Series([True], index=[4]), stage="validate", code="invalid_email", message="m")
    assert flagged["severity"].tolist() == ["error"]
    assert validate(pd.DataFrame({"recipient": [None]}))["severity"].tolist() == ["error"]
    old = pd.DataFrame({"bulk_row": [3], "stage": ["validate"], "message": ["m"]})  # made before severity
    assert concat_errors([old])["severity"].tolist() == ["error"]
    assert len(of_severity(old, "error")) == 1
    assert [Severity.ERROR.value, Severity.WARNING.value] == ["error", "warning"]


def test_intake_problems_are_errors() -> None:
    frame = read_csv(CSV_FIXTURES / "ragged_rows.csv")
    result = prepare(frame, {"recipient": "user_id", "data.name": "name"})
    read = result.errors[result.errors["stage"] == "read"]
    assert len(read) == 3
    assert set(read["severity"]) == {"error"}


def test_bulk_error_joins_only_errors_and_bulk_warning_only_warnings() -> None:
    table = errors_from_records(
        [
            {"bulk_row": 5, "field": "data.born", "message": "left out", "severity": "warning"},
            {"bulk_row": 5, "field": "recipient", "message": "bad id"},
        ]
    )
    assert join_messages(table).to_dict() == {5: "recipient: bad id"}
    assert join_messages(table, "warning").to_dict() == {5: "data.born: left out"}
    assert join_messages(table, None).to_dict() == {5: "data.born: left out; recipient: bad id"}
    assert PREPARED_COLUMNS.index(Column.WARNING.value) == PREPARED_COLUMNS.index(Column.ERROR.value) + 1


# -- summaries, views and the command line ---------------------------------------------------------------


def test_summaries_count_the_warnings_apart_from_the_problems() -> None:
    result = prepare(USERS.assign(Born=["x", "y", "1990-01-01"]), born_mapping(**DROP))
    text = format_summary(result.summary, result.errors)
    assert "2 fields left out (warnings): data.born 2" in text
    assert "most common problems" not in text  # warnings are no problem to fix before sending
    assert repr(result) == "<Prepared 3 rows: ready=3, invalid=0, duplicate=0; 0 problems, 2 fields left out>"
    card = summary_card("Prepared", result.summary, result.errors)
    assert "<p>2 fields left out (warnings): data.born 2</p>" in card
    assert "cast_failed" not in card


def test_the_problem_view_marks_a_left_out_field_apart_from_an_error() -> None:
    frame = pd.DataFrame({"id": ["2.02555E+09"], "Born": ["not a date"]})
    mapping = Mapping({"recipient": "id", "data.born": {"column": "Born", "cast": "date", **DROP}})
    result = prepare(frame, mapping)
    view = problem_view(result.df, result.errors, mapping=mapping)
    assert list(view.data.columns)[:4] == ["bulk_row", "bulk_status", "bulk_error", "bulk_warning"]
    styles = view._compute().ctx  # (row, column) -> CSS of each styled cell
    columns = list(view.data.columns)
    born, recipient = columns.index("Born"), columns.index("id")
    assert ("background-color", "#fef3c7") in styles[(0, born)]
    assert ("background-color", "#fecaca") in styles[(0, recipient)]


def test_check_exits_0_when_only_warnings_and_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "users.csv"
    USERS.to_csv(source, index=False)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(yaml.safe_dump(born_mapping(**DROP)), encoding="utf-8")
    out = tmp_path / "checked.csv"
    status = main(["check", str(source), "--mapping", str(mapping_file), "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "ready        3" in printed
    assert "1 field left out (warnings): data.born 1" in printed
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert results["bulk_warning"].tolist()[0] == ""
    assert "sent without data.born" in results["bulk_warning"].tolist()[1]
    assert results["bulk_error"].tolist() == ["", "", ""]

    mapping_file.write_text(yaml.safe_dump(born_mapping()), encoding="utf-8")
    assert main(["check", str(source), "--mapping", str(mapping_file), "--out", str(out)]) == 1
    assert "left out" not in capsys.readouterr().out
