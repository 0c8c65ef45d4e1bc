"""Every user's delivery outcome and its reason on its row: after ``wait``, and later from the journal.

Against the sandbox over real HTTP; its messages take their fate from each user's address (see
:mod:`bulkprep.sandbox.messages`) and move on a clock the tests hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TOKEN
from prepared_frames import prepared_frame as prepared
from sandbox_support import ManualClock

from bulkprep.client import CourierClient
from bulkprep.delivery import message_outcomes, undelivered
from bulkprep.errors import ConfigurationError, JournalError
from bulkprep.journal import Journal
from bulkprep.results import SubmitResult
from bulkprep.sandbox import Sandbox
from bulkprep.status import BULK_COLUMNS, Column
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait."""


def by_email(local: str, i: int) -> dict[str, Any]:
    return {"recipient": f"u{i}", "profile": {"email": f"{local}@example.com"}}


# local part (or user) -> (bulk_delivery_status, bulk_outcome, bulk_outcome_reason)
CASES: list[tuple[dict[str, Any], tuple[str, str | None, str | None]]] = [
    (by_email("ann", 0), ("ENQUEUED", "DELIVERED", None)),
    (by_email("bounce", 1), ("ENQUEUED", "UNDELIVERABLE", "BOUNCED")),
    (by_email("unsub", 2), ("ENQUEUED", "UNDELIVERABLE", "UNSUBSCRIBED")),
    (by_email("optin", 3), ("ENQUEUED", "UNDELIVERABLE", "OPT_IN_REQUIRED")),
    (by_email("providererror", 4), ("ENQUEUED", "UNDELIVERABLE", "PROVIDER_ERROR")),
    (by_email("noprovider", 5), ("ENQUEUED", "UNROUTABLE", "NO_PROVIDERS")),
    (by_email("filtered", 6), ("ENQUEUED", "FILTERED", "FILTERED")),
    (by_email("delayed", 7), ("ENQUEUED", "DELAYED", None)),
    (by_email("throttled", 8), ("ENQUEUED", "THROTTLED", None)),
    (by_email("canceled", 9), ("ENQUEUED", "CANCELED", None)),
    (by_email("ann+open", 10), ("ENQUEUED", "OPENED", None)),
    (by_email("bob.click", 11), ("ENQUEUED", "CLICKED", None)),
    (
        {
            "recipient": "u12",
            "profile": {"email": "cy@example.com"},
            "preferences": {"notifications": {"WELCOME": {"status": "OPTED_OUT"}}},
        },
        ("ENQUEUED", "UNDELIVERABLE", "UNSUBSCRIBED"),
    ),
    ({"recipient": "u13", "to": {"email": "dee@example.com"}}, ("ENQUEUED", "UNROUTABLE", "NO_CHANNELS")),
    ({"recipient": "u14"}, ("ERROR", None, None)),  # no address at all: Courier reports ERROR
]
UNREACHED = {3, 4, 5, 6, 7, 14, 15, 16}  # rows (from line 2) of the UNDELIVERABLE, UNROUTABLE and ERROR cases


def send(frame: pd.DataFrame, sb: Sandbox, **options: Any) -> SubmitResult:
    options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False, **options}
    return submit(frame, event="WELCOME", run=True, wait=True, **options)


def row_outcomes(result: SubmitResult) -> list[tuple[Any, Any, Any]]:
    columns = [Column.DELIVERY_STATUS.value, Column.OUTCOME.value, Column.OUTCOME_REASON.value]
    return [tuple(row) for row in result.df[columns].itertuples(index=False, name=None)]


def test_every_delivery_status_and_reason_lands_on_its_row() -> None:
    frame = prepared([user for user, _ in CASES])
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        result = send(frame, sb, batch_size=4)
    assert row_outcomes(result) == [expected for _, expected in CASES]
    assert list(result.df.columns[-len(BULK_COLUMNS) :]) == list(BULK_COLUMNS)
    assert result.summary["accepted"] == len(CASES)
    assert set(result.df.loc[undelivered(result.df), "bulk_row"]) == UNREACHED

    delivery = result.errors[result.errors["stage"] == "delivery"]
    assert sorted(delivery["bulk_row"]) == sorted(UNREACHED)
    assert set(delivery["severity"]) == {"error"}
    codes = dict(zip(delivery["bulk_row"], delivery["code"], strict=True))
    assert codes[16] == "delivery_error"
    assert {codes[row] for row in UNREACHED - {16}} == {"undeliverable"}
    errors = dict(zip(result.df["bulk_row"], result.df["bulk_error"], strict=True))
    assert "fix the email or phone" in errors[3]  # BOUNCED
    assert "respect it" in errors[4]  # UNSUBSCRIBED
    assert "add an email or a phone" in errors[15]  # NO_CHANNELS
    assert "mailbox does not exist" in errors[3]  # Courier's error text, when it gives one
    assert "provider answered 500" in errors[6]
    assert "ERROR" in errors[16]
    assert all(errors[row] is None for row in set(errors) - UNREACHED)


def test_undelivered_rows_are_in_failed_rows_problem_view_and_the_summary() -> None:
    frame = prepared([by_email("ann", 0), by_email("bounce", 1), {"recipient": "u2"}])
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        result = send(frame, sb)
    assert result.failed_rows()["bulk_row"].tolist() == [3, 4]
    assert list(result.failed_rows().columns) == ["bulk_row", "Name"]
    view = result.problem_view()
    assert view.data["bulk_row"].tolist() == [3, 4]
    assert "undeliverable" in str(result)
    assert "delivery_error" in str(result)
    assert "undeliverable" in result._repr_html_()


def test_outcomes_right_after_wait_may_still_be_enqueued() -> None:
    clock = ManualClock()
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=5, clock=clock) as sb:
        result = send(prepared([by_email("bounce", 0), by_email("ann", 1)]), sb)
    assert row_outcomes(result) == [("ENQUEUED", "ENQUEUED", None)] * 2
    assert not undelivered(result.df).any()
    assert result.failed_rows().empty


def test_refresh_reads_the_moved_statuses_from_the_journal_into_a_new_result(tmp_path: Path) -> None:
    clock = ManualClock()
    journal = tmp_path / "run.journal"
    frame = prepared(
        [by_email("bounce", 0), by_email("ann+click", 1), by_email("unsub", 2), by_email("x", 3)]
    )
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=5, clock=clock) as sb:
        first = send(frame, sb, journal=journal)
        assert [o for _, o, _ in row_outcomes(first)] == ["ENQUEUED"] * 4
        clock.now += 6  # one step: SENT
        middle = first.refresh(journal, api_key=sb.token, progress=False)
        clock.now += 60  # every message at its end
        last = middle.refresh(journal, api_key=sb.token, progress=False)
    assert [o for _, o, _ in row_outcomes(first)] == ["ENQUEUED"] * 4  # not mutated
    assert first.errors[first.errors["stage"] == "delivery"].empty
    assert [o for _, o, _ in row_outcomes(middle)] == ["SENT", "SENT", "UNDELIVERABLE", "SENT"]
    assert row_outcomes(last) == [
        ("ENQUEUED", "UNDELIVERABLE", "BOUNCED"),
        ("ENQUEUED", "CLICKED", None),
        ("ENQUEUED", "UNDELIVERABLE", "UNSUBSCRIBED"),
        ("ENQUEUED", "DELIVERED", None),
    ]
    assert last.df["bulk_message_id"].tolist() == first.df["bulk_message_id"].tolist()
    delivery = last.errors[last.errors["stage"] == "delivery"]
    assert delivery["bulk_row"].tolist() == [2, 4]  # each problem once, not once per refresh
    assert last.failed_rows()["bulk_row"].tolist() == [2, 4]
    assert last.summary == first.summary
    assert last.left_to_do is None
    assert last.job_status == "COMPLETED"


def test_refresh_reads_a_job_that_was_not_waited_for(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False}
        first = submit(
            prepared([by_email("bounce", 0)]), event="WELCOME", journal=journal, run=True, **options
        )
        assert first.df["bulk_outcome"].tolist() == [None]
        fresh = first.refresh(journal, api_key=sb.token, progress=False)
    assert row_outcomes(fresh) == [("ENQUEUED", "UNDELIVERABLE", "BOUNCED")]


def test_refresh_refuses_the_journal_of_another_job(tmp_path: Path) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        one = send(prepared([by_email("a", 0)]), sb, journal=tmp_path / "one.journal")
        send(prepared([by_email("b", 0)]), sb, journal=tmp_path / "two.journal")
        with pytest.raises(ConfigurationError, match="is for job"):
            one.refresh(tmp_path / "two.journal", api_key=sb.token, progress=False)
        Journal.open(tmp_path / "empty.journal").close()
        with pytest.raises(ConfigurationError, match="holds no job"):
            one.refresh(tmp_path / "empty.journal", api_key=sb.token, progress=False)
        with pytest.raises(JournalError, match="there is no journal at"):
            one.refresh(tmp_path / "missing.journal", api_key=sb.token, progress=False)
        assert not (tmp_path / "missing.journal").exists()


def test_message_outcomes_says_unknown_messages_not_read_and_checks_workers() -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        result = send(prepared([by_email("ann", i) for i in range(20)]), sb)
        ids = dict(zip(result.df["bulk_row"], result.df["bulk_message_id"], strict=True))
        with CourierClient(sb.token, sb.url, max_retries=0) as client:
            found = message_outcomes(client, {**ids, 99: "1-unknown"}, workers=3, progress=False)
            with pytest.raises(ValueError, match="workers"):
                message_outcomes(client, ids, workers=0)
    assert set(found) == {*ids, 99}
    assert found.pop(99) == (None, "not read (Courier answered 404); bulkprep status reads it again", None)
    assert {status for status, _, _ in found.values()} == {"DELIVERED"}
    assert len([r for r in sb.requests if r.path.startswith("/messages/")]) >= 21


def test_the_key_never_appears_in_results_errors_or_reprs(tmp_path: Path) -> None:
    secret = "sk_live_outcomes_secret_123"
    journal = tmp_path / "run.journal"
    with Sandbox(token=secret, processing_seconds=0, delivery_seconds=0) as sb:
        options = {"api_key": secret, "base_url": sb.url, "sleep": no_wait, "progress": False}
        result = submit(
            prepared([by_email("bounce", 0)]),
            event="WELCOME",
            run=True,
            wait=True,
            journal=journal,
            **options,
        )
        fresh = result.refresh(journal, api_key=secret, progress=False)
    fresh.to_csv(tmp_path / "out.csv")
    texts = [repr(fresh), str(fresh), fresh._repr_html_(), fresh.errors.to_csv(), fresh.df.to_csv()]
    assert not any(secret in text for text in texts)
    assert secret.encode() not in (tmp_path / "out.csv").read_bytes()
    assert secret.encode() not in journal.read_bytes()


def test_refresh_of_a_job_not_run_says_so_and_changes_no_row(tmp_path: Path) -> None:
    journal = tmp_path / "run.journal"
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        options = {"api_key": sb.token, "base_url": sb.url, "sleep": no_wait, "progress": False}
        first = submit(prepared([by_email("ann", 0)]), event="WELCOME", journal=journal, **options)
        fresh = first.refresh(journal, api_key=sb.token, progress=False)
    assert fresh.left_to_do is not None
    assert "has not run yet" in fresh.left_to_do
    assert row_outcomes(fresh) == [(None, None, None)]
    assert fresh.job_status == "CREATED"
