"""Message outcomes read when the system refuses new threads (a memory limit): fewer threads, or none."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from conftest import TOKEN
from prepared_frames import prepared_frame as prepared

from bulkprep.client import CourierClient
from bulkprep.delivery import message_outcomes
from bulkprep.sandbox import Sandbox
from bulkprep.submit import submit

_real_start = threading.Thread.start


def refusing(allowed: Callable[[threading.Thread], bool]) -> Callable[[threading.Thread], None]:
    """A ``Thread.start`` that raises as CPython does at a memory limit, unless ``allowed`` says yes."""

    def start(thread: threading.Thread) -> None:
        if not allowed(thread):
            raise RuntimeError("can't start new thread")
        _real_start(thread)

    return start


def sent_message_ids(sb: Sandbox, users: int) -> dict[int, str]:
    frame = prepared(
        [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(users)]
    )
    result = submit(
        frame,
        event="WELCOME",
        run=True,
        wait=True,
        base_url=sb.url,
        api_key=sb.token,
        progress=False,
        sleep=lambda _seconds: None,
    )
    return dict(zip(result.df["bulk_row"], result.df["bulk_message_id"], strict=True))


def test_no_outcome_thread_at_all_reads_every_outcome_on_the_calling_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        ids = sent_message_ids(sb, 12)
        monkeypatch.setattr(
            threading.Thread, "start", refusing(lambda t: not t.name.startswith("bulkprep-outcome-"))
        )
        with CourierClient(sb.token, sb.url, max_retries=0) as client:
            found = message_outcomes(client, ids, workers=4, progress=False)
    assert set(found) == set(ids)
    assert {status for status, _, _ in found.values()} == {"DELIVERED"}


def test_one_outcome_thread_of_four_reads_every_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        ids = sent_message_ids(sb, 12)
        monkeypatch.setattr(
            threading.Thread,
            "start",
            refusing(lambda t: not t.name.startswith("bulkprep-outcome-") or t.name == "bulkprep-outcome-0"),
        )
        with CourierClient(sb.token, sb.url, max_retries=0) as client:
            found = message_outcomes(client, ids, workers=4, progress=False)
    assert set(found) == set(ids)


def test_no_thread_for_any_request_leaves_the_outcomes_unknown_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with Sandbox(token=TOKEN, processing_seconds=0, delivery_seconds=0) as sb:
        ids = sent_message_ids(sb, 5)
        monkeypatch.setattr(threading.Thread, "start", refusing(lambda t: False))
        with (
            CourierClient(sb.token, sb.url, max_retries=0) as client,
            caplog.at_level(logging.WARNING, logger="bulkprep.delivery"),
        ):
            found = message_outcomes(client, ids, workers=4, progress=False)
    assert found == {}
    assert "stopped reading message outcomes after 0 of 5" in caplog.text
    assert "can't start new thread" in caplog.text
