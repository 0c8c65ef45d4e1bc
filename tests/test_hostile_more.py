"""More hostile cases: paths that clash, escape sequences from a server, message ids that name other
paths, a missing journal for status, Ctrl-C while messages hang."""

from __future__ import annotations

import _thread
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN
from hostile import Answer, HostileServer, fixed

from bulkprep import submit
from bulkprep.client import CourierClient
from bulkprep.delivery import message_outcomes
from bulkprep.errors import AuthenticationError, ConfigurationError, ProtocolError
from bulkprep.redaction import printable

USERS = "id,email\nu1,a@example.com\nu2,b@example.com\n"
MAPPING = "recipient: id\nprofile:\n  email: email\n"


def bulkprep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "users.csv").write_text(USERS)
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    return tmp_path


@pytest.mark.parametrize("out", ["users.csv", "mapping.yaml", "./users.csv"])
def test_check_refuses_results_over_its_own_input_or_mapping(files: Path, out: str) -> None:
    done = bulkprep("check", "users.csv", "--mapping", "mapping.yaml", "--out", out, cwd=files)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "are the same file" in done.stderr
    assert "Traceback" not in done.stderr
    assert (files / "users.csv").read_text() == USERS
    assert (files / "mapping.yaml").read_text() == MAPPING


def test_check_refuses_results_over_a_hard_link_to_the_input(files: Path) -> None:
    (files / "other.csv").hardlink_to(files / "users.csv")
    done = bulkprep("check", "users.csv", "--mapping", "mapping.yaml", "--out", "other.csv", cwd=files)
    assert done.returncode == 2
    assert (files / "users.csv").read_text() == USERS


def test_printable_writes_terminal_controls_as_escapes() -> None:
    shown = printable("refused\x1b[2J\x07\x08 by \u202eevil\u202c\r(401)\nnext\tline")
    assert shown == "refused\\x1b[2J\\x07\\x08 by \\u202eevil\\u202c\\r(401)\nnext\tline"


def test_an_error_message_is_printed_without_the_controls_it_holds(files: Path) -> None:
    done = bulkprep("check", "users.csv", "--mapping", "missing\x1b[2J\x07.yaml", cwd=files)
    assert done.returncode == 2
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert "\\x1b[2J" in done.stderr


@pytest.mark.parametrize(
    "message_id",
    ["..", "../../bulk/job-1/run", ".", "a/b", "x?cursor=1", "a#b", "a\r\nX-Evil: 1", "%2e%2e", ""],
)
def test_a_message_id_that_could_name_another_path_is_never_asked_for(message_id: str) -> None:
    with (
        HostileServer(fixed(Answer(200, b'{"status": "DELIVERED"}'))) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
    ):
        with pytest.raises(ProtocolError, match="not the shape of Courier's ids"):
            client.get_message(message_id)
        unread = (None, "not read (no usable answer); bulkprep status reads it again", None)
        assert message_outcomes(client, {2: message_id}, progress=False) == {2: unread}
        assert server.requests == []


def test_status_with_a_missing_journal_says_so_and_creates_nothing(tmp_path: Path) -> None:
    done = bulkprep("status", "--journal", "missing.sqlite", cwd=tmp_path)
    assert done.returncode == 2
    assert "there is no journal at missing.sqlite" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("workers", ["0", "-1", "100000", "many"])
def test_status_refuses_a_number_of_workers_out_of_range(tmp_path: Path, workers: str) -> None:
    done = bulkprep("status", "--journal", "run.journal", "--workers", workers, cwd=tmp_path)
    assert done.returncode == 2
    assert "--workers" in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_while_messages_hang_stops_at_once() -> None:
    with (
        HostileServer(fixed(Answer(200, hang=True))) as server,
        CourierClient(TOKEN, server.url, max_retries=0, request_deadline=120) as client,
    ):
        timer = threading.Timer(1.0, _thread.interrupt_main)
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            message_outcomes(
                client, {row: f"1-message-{row}" for row in range(2, 40)}, workers=8, progress=False
            )
        assert time.monotonic() - started < 10  # not the 120 s a hung request is given


def test_a_refused_key_while_reading_messages_stops_the_rest() -> None:
    with (
        HostileServer(fixed(Answer(401, b'{"message": "Unauthorized"}'))) as server,
        CourierClient(TOKEN, server.url, max_retries=0) as client,
        pytest.raises(AuthenticationError),
    ):
        message_outcomes(
            client, {row: f"1-message-{row}" for row in range(2, 400)}, workers=2, progress=False
        )
    assert len(server.requests) < 50


def test_a_mapping_of_more_targets_than_taken_is_refused_at_once() -> None:
    from bulkprep import Mapping
    from bulkprep.errors import MappingError
    from bulkprep.mapping import MAX_TARGETS

    started = time.monotonic()
    with pytest.raises(MappingError, match="at most 10,000 are taken"):
        Mapping({"data": {f"field_{n}": "email" for n in range(MAX_TARGETS + 1)}})
    assert time.monotonic() - started < 30
    assert len(Mapping({"data": {f"field_{n}": "email" for n in range(50)}}).targets) == 50


def _small_file_limit() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_a_write_that_fails_is_an_error_message_not_a_traceback(tmp_path: Path) -> None:
    # Streamed, the prepared chunks are spilled to disk; a file size limit makes that write fail.
    rows = "".join(f"u{n},user{n}@example.com\n" for n in range(20_000))
    (tmp_path / "users.csv").write_text("id,email\n" + rows)
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    done = subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", "check", "users.csv", "--mapping", "mapping.yaml", "--stream"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
        preexec_fn=_small_file_limit,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "File too large" in done.stderr


def test_what_a_command_prints_shows_terminal_controls_as_escapes(files: Path) -> None:
    # The file's name stands for any text printed that a server or a file could hold.
    (files / "users\x1b[2J.csv").write_text(USERS)
    done = bulkprep("check", "users\x1b[2J.csv", "--mapping", "mapping.yaml", cwd=files)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert "read users\\x1b[2J.csv: 2 rows" in done.stdout


def test_sigterm_is_raised_as_an_interruption_then_the_previous_handler_is_back() -> None:
    import os
    import signal

    from bulkprep.interrupts import Terminated, terminations_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with terminations_interrupt() as termination, pytest.raises(KeyboardInterrupt) as caught:  # noqa: PT012
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
    assert isinstance(caught.value, Terminated)
    assert termination.received
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_is_held_off_while_results_are_saved() -> None:
    import os
    import signal

    from bulkprep.interrupts import held_interrupts

    before = signal.getsignal(signal.SIGINT)
    with held_interrupts():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)  # the signal is handled here, between bytecodes: it must change nothing
        saved = True
    assert saved
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):  # noqa: PT012 -- the signal arrives during the sleep
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)


def test_a_job_id_longer_than_courier_gives_is_refused_before_anything_is_sent(files: Path) -> None:
    with HostileServer(fixed(Answer(200, b'{"errors": []}'))) as server:
        done = bulkprep(
            "submit", "users.csv", "--mapping", "mapping.yaml", "--job", "j" * 2000,
            "--base-url", server.url, "--no-progress", cwd=files,
        )  # fmt: skip
        assert server.requests == []
    assert done.returncode == 2
    assert "a job id of 2,000 characters, longer than any Courier gives (at most 1,024)" in done.stderr
    assert "j" * 100 not in done.stdout + done.stderr
    assert not (files / "users.submitted.csv").exists()


def test_a_job_id_with_a_line_break_is_refused_before_anything_is_sent(files: Path) -> None:
    with HostileServer(fixed(Answer(200, b'{"errors": []}'))) as server:
        done = bulkprep(
            "submit", "users.csv", "--mapping", "mapping.yaml", "--job", "j1\nresults written to x",
            "--base-url", server.url, "--no-progress", cwd=files,
        )  # fmt: skip
        assert server.requests == []
    assert done.returncode == 2
    assert "a job id with a line break in it" in done.stderr
    assert not any(line.startswith("results written to x") for line in done.stderr.splitlines())


def test_a_job_id_longer_than_courier_gives_is_refused_by_the_library_too() -> None:
    users = pd.DataFrame({"id": ["u1"], "email": ["u1@example.com"]})
    with HostileServer(fixed(Answer(200, b'{"errors": []}'))) as server:
        with pytest.raises(ConfigurationError, match="job_id of 2,000 characters, longer") as raised:
            submit(
                users,
                {"recipient": "id", "profile": {"email": "email"}},
                job_id="j" * 2000,
                api_key=TOKEN,
                base_url=server.url,
                progress=False,
            )
        assert server.requests == []
    assert "j" * 100 not in str(raised.value)


@pytest.mark.parametrize("job_id", [".", ".."])
def test_a_job_id_that_is_a_dot_segment_is_refused_before_anything_is_sent(files: Path, job_id: str) -> None:
    with HostileServer(fixed(Answer(200, b'{"errors": []}'))) as server:
        done = bulkprep(
            "submit", "users.csv", "--mapping", "mapping.yaml", "--job", job_id,
            "--base-url", server.url, "--no-progress", cwd=files,
        )  # fmt: skip
        assert server.requests == []
    assert done.returncode == 2
    assert "a job id that is a path's dot segment" in done.stderr


def test_a_job_id_that_is_a_dot_segment_is_refused_by_the_library_too() -> None:
    users = pd.DataFrame({"id": ["u1"], "email": ["u1@example.com"]})
    with HostileServer(fixed(Answer(200, b'{"errors": []}'))) as server:
        with pytest.raises(ConfigurationError, match="dot segment"):
            submit(
                users,
                {"recipient": "id", "profile": {"email": "email"}},
                job_id="..",
                api_key=TOKEN,
                base_url=server.url,
                progress=False,
            )
        assert server.requests == []
