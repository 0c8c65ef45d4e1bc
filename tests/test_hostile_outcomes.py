"""Messages Courier will not tell about, or tells about with a reason bulkprep does not know."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import Answer, HostileServer, Respond, ScriptedCourier, json_answer

from bulkprep.cli.main import main

MAPPING = "recipient: user_id\nprofile:\n  email: Email\n"
USERS = json_answer(
    200,
    {
        "items": [
            {"status": "ENQUEUED", "messageId": f"1-message-{i}", "recipient": f"u{i}"} for i in range(2)
        ],
        "paging": {"more": False},
    },
)


def courier_whose_messages_answer(message: Answer) -> Respond:
    scripted = ScriptedCourier(users=USERS)

    def respond(method: str, path: str) -> Answer:
        if method == "GET" and path.startswith("/messages/"):
            return message
        return scripted(method, path)

    return respond


def submit_and_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: Answer
) -> tuple[int, pd.DataFrame]:
    monkeypatch.setenv("COURIER_API_KEY", TOKEN)
    monkeypatch.delenv("COURIER_AUTH_TOKEN", raising=False)
    source = tmp_path / "users.csv"
    source.write_text("user_id,Email\nu0,u0@example.com\nu1,u1@example.com\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out.csv"
    with HostileServer(courier_whose_messages_answer(message)) as server:
        code = main(
            [
                "submit",
                str(source),
                "--mapping",
                str(tmp_path / "mapping.yaml"),
                "--event",
                "E",
                "--base-url",
                server.url,
                "--out",
                str(out),
                "--run",
                "--wait",
                "--no-progress",
                "--request-timeout",
                "2",
            ]
        )
    assert TOKEN not in out.read_text(encoding="utf-8-sig")
    return code, pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_messages_that_cannot_be_read_are_said_in_each_row_and_the_summary_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, table = submit_and_wait(tmp_path, monkeypatch, json_answer(500, {"message": "down"}))
    assert code == 1
    reason = "not read (Courier answered 500); bulkprep status reads it again"
    assert table["bulk_outcome"].tolist() == ["", ""]
    assert table["bulk_outcome_reason"].tolist() == [reason, reason]
    assert f"outcome reason: {reason} 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("reason", "written"), [("CARRIER_BLOCKED", "CARRIER_BLOCKED"), ("+cmd\x1b[2J", "'+cmd\\x1b[2J")]
)
def test_an_undeliverable_message_with_a_reason_bulkprep_does_not_know_is_still_undeliverable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reason: str,
    written: str,
) -> None:
    answer = json_answer(
        200, {"id": "1-message-0", "status": "UNDELIVERABLE", "reason": reason, "providers": []}
    )
    code, table = submit_and_wait(tmp_path, monkeypatch, answer)
    assert code == 1
    assert table["bulk_outcome"].tolist() == ["UNDELIVERABLE", "UNDELIVERABLE"]
    assert table["bulk_outcome_reason"].tolist() == [written, written]
    assert all("the message was UNDELIVERABLE" in text for text in table["bulk_error"])
    shown = capsys.readouterr().out
    assert "undeliverable: 2 row(s)" in shown
    assert "\x1b" not in shown
