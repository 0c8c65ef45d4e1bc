"""Messages Courier will not tell about, or tells about with a reason bulkprep does not know."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import Answer, HostileServer, Respond, ScriptedCourier, Step, job_answer, json_answer

from bulkprep.cli.main import main
from bulkprep.delivery import UNLISTED

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


def users_answer(*listed: str) -> Answer:
    """The job's users page listing ``listed`` (user ids), each enqueued with a message of its own."""
    items = [{"status": "ENQUEUED", "messageId": f"1-message-{u}", "recipient": u} for u in listed]
    return json_answer(200, {"items": items, "paging": {"more": False}})


def delivered(message_id: str) -> Answer:
    """The details of message ``message_id``, delivered."""
    return json_answer(200, {"id": message_id, "status": "DELIVERED", "providers": []})


#: A message answer: the same for every message, or made for the message id asked about.
Message = Answer | Callable[[str], Answer]


def courier_whose_messages_answer(
    message: Message, users: Step = USERS, job: Answer | None = None
) -> Respond:
    scripted = ScriptedCourier(users=users, job=job)

    def respond(method: str, path: str) -> Answer:
        if method == "GET" and path.startswith("/messages/"):
            return message if isinstance(message, Answer) else message(path.rsplit("/", 1)[1])
        return scripted(method, path)

    return respond


def submit_and_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: Message, *extra: str, users: Step = USERS
) -> tuple[int, pd.DataFrame]:
    monkeypatch.setenv("COURIER_API_KEY", TOKEN)
    monkeypatch.delenv("COURIER_AUTH_TOKEN", raising=False)
    source = tmp_path / "users.csv"
    source.write_text("user_id,Email\nu0,u0@example.com\nu1,u1@example.com\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out.csv"
    with HostileServer(courier_whose_messages_answer(message, users)) as server:
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
                *extra,
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


def test_the_details_of_another_message_are_not_taken_as_this_message_s_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = json_answer(200, {"id": "1-someone-else", "status": "DELIVERED", "providers": []})
    code, table = submit_and_wait(tmp_path, monkeypatch, other)
    assert code == 1
    reason = "not read (no usable answer); bulkprep status reads it again"
    assert table["bulk_outcome"].tolist() == ["", ""]
    assert table["bulk_outcome_reason"].tolist() == [reason, reason]


@pytest.mark.parametrize(
    ("reason", "written"),
    [
        ("CARRIER_BLOCKED", "CARRIER_BLOCKED"),
        ("+cmd\x1b[2J", "'+cmd\\x1b[2J"),
        ("X\nALL ROWS ACCEPTED", "X\\nALL ROWS ACCEPTED"),
    ],
)
def test_an_undeliverable_message_with_a_reason_bulkprep_does_not_know_is_still_undeliverable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reason: str,
    written: str,
) -> None:
    def answer(message_id: str) -> Answer:
        return json_answer(
            200, {"id": message_id, "status": "UNDELIVERABLE", "reason": reason, "providers": []}
        )

    code, table = submit_and_wait(tmp_path, monkeypatch, answer)
    assert code == 1
    assert table["bulk_outcome"].tolist() == ["UNDELIVERABLE", "UNDELIVERABLE"]
    assert table["bulk_outcome_reason"].tolist() == [written, written]
    assert all("the message was UNDELIVERABLE" in text for text in table["bulk_error"])
    shown = capsys.readouterr().out
    assert "undeliverable: 2 row(s)" in shown
    assert "\x1b" not in shown
    assert not any(line.startswith("ALL ROWS ACCEPTED") for line in shown.splitlines())


@pytest.mark.parametrize("streamed", [(), ("--stream",)], ids=["in-memory", "streamed"])
@pytest.mark.parametrize(
    ("listed", "unlisted"),
    [((), ["u0", "u1"]), (("z0", "z1"), ["u0", "u1"]), (("u0",), ["u1"])],
    ids=["none-listed", "other-users-listed", "one-left-out"],
)
def test_a_sent_user_the_job_does_not_list_has_its_delivery_said_not_read_and_exits_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    streamed: tuple[str, ...],
    listed: tuple[str, ...],
    unlisted: list[str],
) -> None:
    code, table = submit_and_wait(tmp_path, monkeypatch, delivered, *streamed, users=users_answer(*listed))
    assert code == 1
    assert table["bulk_status"].tolist() == ["accepted", "accepted"]
    left = table[table["user_id"].isin(unlisted)]
    assert left["bulk_delivery_status"].tolist() == [""] * len(unlisted)
    assert left["bulk_outcome"].tolist() == [""] * len(unlisted)
    assert left["bulk_outcome_reason"].tolist() == [UNLISTED] * len(unlisted)
    assert f"outcome reason: {UNLISTED} {len(unlisted)}" in capsys.readouterr().out
    if "u0" in listed:
        assert table["bulk_outcome"].tolist()[0] == "DELIVERED"


def test_status_does_not_keep_the_delivery_of_users_the_job_no_longer_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = lambda call: users_answer("u0", "u1") if call == 1 else users_answer("z0")  # noqa: E731
    journal = tmp_path / "run.journal"
    code, _ = submit_and_wait(tmp_path, monkeypatch, delivered, "--journal", str(journal), users=users)
    assert code == 0
    out = tmp_path / "out.csv"
    ran = job_answer("COMPLETED", received=2)
    with HostileServer(courier_whose_messages_answer(delivered, users_answer("z0"), ran)) as server:
        capsys.readouterr()
        code = main(["status", "--journal", str(journal), "--out", str(out), "--base-url", server.url])
    assert code == 1
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert table["bulk_delivery_status"].tolist() == ["", ""]
    assert table["bulk_message_id"].tolist() == ["", ""]
    assert table["bulk_outcome"].tolist() == ["", ""]
    assert table["bulk_outcome_reason"].tolist() == [UNLISTED, UNLISTED]
    shown = capsys.readouterr().out
    assert "delivery:" not in shown
    assert "outcomes:" not in shown
    assert f"outcome reasons: {UNLISTED}=2" in shown
