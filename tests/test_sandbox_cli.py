"""``bulkprep sandbox`` as a process: one line on stdout, flags honoured, clean exit on SIGINT and SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from bulkprep.sandbox import DEFAULT_TOKEN, TOKEN_ENV, add_arguments, sandbox_from_args

# Runs the command's own add_arguments and run, as the bulkprep dispatcher does.
COMMAND = (
    "import argparse, sys\n"
    "from bulkprep import sandbox\n"
    "parser = argparse.ArgumentParser()\n"
    "sandbox.add_arguments(parser)\n"
    "sys.exit(sandbox.run(parser.parse_args(sys.argv[1:])))\n"
)


@contextmanager
def serving(*flags: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    environment = {k: v for k, v in os.environ.items() if k != TOKEN_ENV} | (env or {})
    process = subprocess.Popen(
        [sys.executable, "-c", COMMAND, *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://"), line + (
            process.stderr.read() if process.stderr else ""
        )
        yield process, line.removeprefix("listening on ").strip()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def parse(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(flags)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signalled_and_exits_0(stop_signal: signal.Signals) -> None:
    with serving("--token", "sk_cli", "--port", "0") as (process, url):
        assert url.startswith("http://127.0.0.1:")
        answer = requests.post(
            f"{url}/bulk", json={"message": {"event": "E"}}, headers={"Authorization": "Bearer sk_cli"}
        )
        assert answer.status_code == 200
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read() == ""  # exactly one line in all
        assert "sk_cli" not in process.stderr.read()


def test_token_from_the_environment_and_fault_flags() -> None:
    with serving("--rate-limit-every", "2", "--retry-after", "3", env={TOKEN_ENV: "sk_env"}) as (
        process,
        url,
    ):
        auth = {"Authorization": "Bearer sk_env"}
        answers = [
            requests.post(f"{url}/bulk", json={"message": {"event": "E"}}, headers=auth) for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [200, 429]
        assert answers[1].headers["Retry-After"] == "3"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_default_token_is_announced_on_stderr() -> None:
    with serving() as (process, url):
        answer = requests.get(f"{url}/bulk/x", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
        assert answer.status_code == 404
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert process.stderr is not None
        assert DEFAULT_TOKEN in process.stderr.read()


def test_binding_beyond_loopback_warns() -> None:
    with serving("--host", "0.0.0.0", "--token", "t") as (process, url):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "warning: the sandbox is reachable from other machines" in process.stderr.read()
        assert url.startswith("http://0.0.0.0:")


def test_flags_map_onto_the_sandbox_options() -> None:
    sandbox = sandbox_from_args(
        parse(
            "--token",
            "t",
            "--create-status",
            "201",
            "--run-status",
            "202",
            "--ingest-answer",
            "empty",
            "--echo",
            "request",
            "--page-size",
            "7",
            "--processing-seconds",
            "0",
            "--channel",
            "email",
            "--fail-jobs",
            "--seed",
            "9",
            "--rate-limit-rate",
            "0.25",
            "--retry-after-date",
            "--server-error-every",
            "5",
            "--server-error-status",
            "503",
            "--latency",
            "0.01",
            "--drop-rate",
            "0.1",
            "--ignore-idempotency",
            "--only-ingest",
        )
    )
    dialect, faults = sandbox.dialect, sandbox.faults
    assert (dialect.create_status, dialect.run_status, dialect.ingest_answer, dialect.echo) == (
        201,
        202,
        "empty",
        "request",
    )
    assert (dialect.page_size, dialect.processing_seconds, dialect.channel, dialect.fail_jobs) == (
        7,
        0,
        "email",
        True,
    )
    assert (faults.seed, faults.rate_limit_rate, faults.retry_after_date, faults.server_error_every) == (
        9,
        0.25,
        True,
        5,
    )
    assert (faults.server_error_status, faults.latency, faults.drop_rate) == (503, 0.01, 0.1)
    assert faults.ignore_idempotency
    assert faults.only_ingest


def test_defaults_match_the_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    sandbox = sandbox_from_args(parse())
    assert sandbox.dialect == type(sandbox.dialect)()
    assert sandbox.faults == type(sandbox.faults)()
    assert (sandbox.host, sandbox.token) == ("127.0.0.1", DEFAULT_TOKEN)
