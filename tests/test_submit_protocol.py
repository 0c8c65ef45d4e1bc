"""submit() against a server answering 2xx with what Courier never sends: rows end failed, never accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TOKEN
from hostile import JOB_ID, NOT_COURIER, Answer, HostileServer, courier_until_ingest
from prepared_frames import prepared_frame

from bulkprep.errors import CourierError, ProtocolError
from bulkprep.journal import Journal, RefusedAnswer
from bulkprep.status import BatchState
from bulkprep.submit import submit


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def users(count: int) -> list[dict[str, object]]:
    return [{"recipient": f"u{i}", "profile": {"email": f"u{i}@example.com"}} for i in range(count)]


@pytest.mark.parametrize(("body", "described"), NOT_COURIER)
def test_an_ingest_answer_that_is_not_courier_s_leaves_the_batch_failed(
    tmp_path: Path, body: bytes, described: str
) -> None:
    journal = tmp_path / "run.journal"
    with HostileServer(courier_until_ingest(Answer(200, body))) as server:
        result = submit(
            prepared_frame(users(3)),
            event="E",
            api_key=TOKEN,
            base_url=server.url,
            batch_size=2,
            concurrency=1,
            journal=journal,
            sleep=no_wait,
            progress=False,
        )
        ingests = [request for request in server.requests if request == ("POST", f"/bulk/{JOB_ID}")]
    assert result.summary["accepted"] == 0
    assert result.df["bulk_status"].tolist() == ["failed"] * 3
    assert result.df["bulk_batch"].tolist() == [1, 1, 2]
    assert len(ingests) == 2  # one request per batch: an unreadable answer is not asked for again
    errors = result.errors[result.errors["stage"] == "ingest"]
    assert errors["code"].tolist() == ["send_failed"] * 3
    text = result.df["bulk_error"].iloc[0]
    assert "batch 1 got an answer that is not Courier's" in text
    assert described in text
    assert "run the same command again with the same journal" in text
    assert len(text) < 500  # Courier's answer cut short, and how to resend the batch
    assert TOKEN not in text
    with Journal.open(journal) as book:
        entries = book.batches()
    assert [entry.state for entry in entries] == [BatchState.FAILED, BatchState.FAILED]
    assert RefusedAnswer.from_json(entries[0].answer).status == 200


def test_an_echoed_key_never_reaches_the_rows() -> None:
    with HostileServer(courier_until_ingest(Answer(200, b"<html>token {auth}</html>"))) as server:
        result = submit(
            prepared_frame(users(1)), event="E", api_key=TOKEN, base_url=server.url, progress=False
        )
    text = result.df["bulk_error"].iloc[0]
    assert "Bearer <hidden>" in text
    assert TOKEN not in text


@pytest.mark.parametrize(
    "answer",
    [Answer(200, b"<html>welcome</html>"), Answer(201, b"{}"), Answer(200, b'{"jobId": ""}')],
)
def test_a_job_created_without_a_job_id_raises_before_any_user_is_sent(answer: Answer) -> None:
    with HostileServer(lambda _method, _path: answer) as server:
        with pytest.raises(ProtocolError, match="without a jobId") as caught:
            submit(prepared_frame(users(2)), event="E", api_key=TOKEN, base_url=server.url, progress=False)
        assert server.requests == [("POST", "/bulk")]
    assert isinstance(caught.value, CourierError)
    assert caught.value.batch is None
