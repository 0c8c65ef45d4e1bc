"""The API key never leaks, whatever field of its answer a server reflects the Authorization header in.

Each test drives bulkprep (the library's ``submit`` and the ``bulkprep submit`` command as a process)
against a :class:`hostile.ReflectingServer` that echoes the header in one field, then looks for the key
in every byte bulkprep produced: stdout, stderr, the logs at DEBUG, the results CSV, the error table,
the journal, the exception (its str, repr, chain, traceback with local variables) and pickles.
Proxies are tested with a tiny proxy-like server on loopback that records every byte it receives.
"""

from __future__ import annotations

import http.server
import logging
import os
import pickle
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from hostile import JOB_ID, Answer, ReflectingServer, reflecting_courier

import bulkprep
from bulkprep.client import MAX_KEY_CHARS, CourierClient, resolve_proxy
from bulkprep.errors import BulkprepError, ConfigurationError, CourierError
from bulkprep.redaction import Redactor
from bulkprep.retry import RetryPolicy
from bulkprep.submit import submit

KEY = "Zq9x_live_R3fl3cted-K3y-0123456789abcdef"
ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = "recipient: user_id\nprofile:\n  email: Email\n"
ROWS = [("u1", "ann@example.com"), ("u2", "bob@example.com")]


def forms(text: str) -> list[bytes]:
    """How ``text`` may show in bytes: plain, JSON-escaped, percent-encoded (any case), and as UTF-16
    writes it: a NUL after each character, as it is, escaped (``\\x00``) or shown as a space."""
    return [
        text.encode().lower(),
        "".join(f"\\u{ord(char):04x}" for char in text).encode(),
        "".join(f"%{byte:02x}" for byte in text.encode()).encode(),
        *(separator.join(text).encode().lower() for separator in ("\x00", "\\x00", " ")),
    ]


#: The key, its first 8 characters (what a cut through it would leave), its end, and the header cut
#: after a few characters, in every form.
SECRETS = forms(KEY) + forms(KEY[:8]) + forms(KEY[-12:]) + forms(f"Bearer {KEY[:3]}")


def leaks(blob: bytes | str) -> list[bytes]:
    """Which forms of the key ``blob`` holds (empty when it holds none)."""
    data = (blob.encode("utf-8", "surrogatepass") if isinstance(blob, str) else blob).lower()
    return [secret for secret in SECRETS if secret in data]


def exception_texts(error: BaseException) -> list[str]:
    """Everything an exception can show: str, repr, attributes, its chain, a traceback with locals."""
    texts = ["".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())]
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(vars(current))]
        for name in ("request", "response"):
            inner = getattr(current, name, None)
            if inner is not None:
                texts += [repr(vars(inner))]
                texts += [repr(dict(getattr(inner, "headers", {}) or {}))]
        pending += [current.__cause__, current.__context__]
    try:
        texts.append(pickle.dumps(error).hex())
        texts.append(repr(pickle.dumps(error)))
    except Exception as exc:  # some exceptions do not pickle; that cannot leak
        texts.append(repr(exc))
    return texts


def write_input(folder: Path) -> tuple[Path, Path]:
    users = folder / "users.csv"
    users.write_text("user_id,Email\n" + "".join(f"{a},{b}\n" for a, b in ROWS), encoding="utf-8")
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return users, mapping


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def no_wait(_seconds: float) -> None:
    """Tests never really wait between retries."""


def json_answer(template: str, status: int = 200, **headers: str) -> Answer:
    return Answer(status, template.encode(), {"Content-Type": "application/json", **headers})


ACCEPTED_U1 = '{"recipient": "u1", "status": "ENQUEUED", "messageId": "m1"}'

#: One reflecting Courier per field the key may come back in: (answers, run and wait, what it does).
REFLECTIONS: dict[str, tuple[dict[str, Answer], bool]] = {
    "job-id": ({"create": json_answer('{"jobId": "{auth}"}')}, False),
    "error-of-a-user": (
        {"ingest": json_answer('{"errors": [{"error": "{auth}", "user": {"recipient": "u1"}}], "total": 2}')},
        False,
    ),
    "echoed-user": (
        {
            "ingest": json_answer(
                '{"errors": [{"error": "Duplicate user", "user": {"recipient": "{auth}",'
                ' "profile": {"email": "{auth}"}, "{auth}": ["{auth}"]}}], "total": 2}'
            )
        },
        False,
    ),
    "json-escaped": (
        {"ingest": json_answer('{"errors": [{"error": "{auth_json}", "user": {"recipient": "u1"}}]}')},
        False,
    ),
    "percent-encoded": (
        {"ingest": json_answer('{"errors": [{"error": "{auth_pct}", "user": {"recipient": "u1"}}]}')},
        False,
    ),
    "upper-case": (
        {"ingest": json_answer('{"errors": [{"error": "{auth_upper}", "user": {"recipient": "u2"}}]}')},
        False,
    ),
    "cut-by-the-server": (
        {"ingest": json_answer('{"errors": [{"error": "token {auth:16}", "user": {"recipient": "u1"}}]}')},
        False,
    ),
    "error-type-retried": (
        {
            "ingest": json_answer(
                '{"type": "{auth}", "message": "slow down"}', 429, **{"Retry-After": "{auth}"}
            )
        },
        False,
    ),
    "error-type-and-message": (
        {"ingest": json_answer('{"type": "{auth}", "message": "{auth_json} refused"}', 400)},
        False,
    ),
    "text-body-cut-at-200": ({"ingest": Answer(400, b"x" * 185 + b"{auth} was refused")}, False),
    "text-body-in-utf16": (
        {
            "ingest": Answer(
                400, "refused: ".encode("utf-16-le") + b"{auth_utf16}", {"Content-Type": "text/plain"}
            )
        },
        False,
    ),
    "html-page": ({"ingest": Answer(200, b"<html><p>Signed in as {auth}</p></html>")}, False),
    "redirect-location": (
        {"ingest": Answer(302, b"", {"Location": "https://elsewhere.example/?t={auth_pct}"})},
        False,
    ),
    "message-id": (
        {
            "users": json_answer(
                '{"items": [{"recipient": "u1", "status": "ENQUEUED", "messageId": "{auth}"},'
                ' {"recipient": "u2", "status": "ERROR", "messageId": "m-{auth_json}"}],'
                ' "paging": {"more": false}}'
            )
        },
        True,
    ),
    "cursor": (
        {
            "users": json_answer(
                '{"items": [' + ACCEPTED_U1 + '], "paging": {"more": true, "cursor": "{auth}"}}'
            ),
            "more_users": json_answer(
                '{"items": [{"recipient": "u2", "status": "ENQUEUED", "messageId": "{auth}"}],'
                ' "paging": {"more": false}}'
            ),
        },
        True,
    ),
    "job": (
        {
            "job": json_answer(
                '{"job": {"status": "COMPLETED", "definition": {"event": "{auth}"}, "received": 2}}'
            )
        },
        True,
    ),
    "create-refused": ({"create": json_answer('{"type": "{auth}", "message": "{auth}"}', 400)}, False),
    "create-unreadable": ({"create": Answer(200, b"x" * 50 + b"{auth}")}, False),
}


@pytest.fixture(params=sorted(REFLECTIONS))
def reflecting(request: pytest.FixtureRequest) -> Iterator[tuple[ReflectingServer, bool]]:
    answers, run = REFLECTIONS[request.param]
    with ReflectingServer(reflecting_courier(**answers)) as server:
        yield server, run


def test_the_library_shows_no_reflected_key(
    reflecting: tuple[ReflectingServer, bool],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
) -> None:
    server, run = reflecting
    caplog.set_level(logging.DEBUG)
    users, mapping = write_input(tmp_path)
    frame = pd.read_csv(users, dtype=str)
    texts: list[str | bytes] = []
    try:
        result = submit(
            frame,
            str(mapping),
            event="WELCOME",
            run=run,
            wait=run,
            api_key=KEY,
            base_url=server.url,
            journal=tmp_path / "journal.sqlite",
            sleep=no_wait,
            poll_interval=0.01,
            progress=False,
            retry=RetryPolicy(max_attempts=2),
        )
    except CourierError as error:
        texts += exception_texts(error)
    else:
        result.to_csv(tmp_path / "results.csv")
        result.errors.to_csv(tmp_path / "errors.csv")
        texts += [repr(result), str(result), result._repr_html_(), pickle.dumps(result)]
        texts += [result.df.to_csv(), result.errors.to_csv(), repr(result.job)]
    out, err = capsys.readouterr()
    texts += [out, err, *every_file(tmp_path).values()]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.__dict__) for record in caplog.records]
    # The server did reflect it: the key was sent, and the test would see it in any output.
    assert server.auth_seen
    assert all(auth == f"Bearer {KEY}" for auth in server.auth_seen)
    for text in texts:
        assert not leaks(text), text


def test_the_library_reports_what_came_back_without_the_key(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Redaction keeps the rest of an answer: the reasons still say what the server said."""
    answer = json_answer(
        '{"errors": [{"error": "bad token {auth}", "user": {"recipient": "u1"}}], "total": 2}'
    )
    users, mapping = write_input(tmp_path)
    with ReflectingServer(reflecting_courier(ingest=answer)) as server:
        result = submit(
            pd.read_csv(users, dtype=str),
            str(mapping),
            event="E",
            api_key=KEY,
            base_url=server.url,
            sleep=no_wait,
            progress=False,
        )
    assert result.df["bulk_status"].tolist() == ["rejected", "accepted"]
    assert "bad token Bearer <hidden>" in result.df["bulk_error"].iloc[0]


def bulkprep_submit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    environment.pop("COURIER_AUTH_TOKEN", None)
    environment |= {"PYTHONPATH": ROOT, "COURIER_API_KEY": KEY, **(env or {})}
    command = [sys.executable, "-m", "bulkprep.cli", "submit", *args, "--no-progress"]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)


#: The reflections the command is run against (each process costs about a second).
CLI_REFLECTIONS = [
    "job-id",
    "echoed-user",
    "json-escaped",
    "error-type-and-message",
    "text-body-cut-at-200",
    "message-id",
    "cursor",
    "create-refused",
]


@pytest.mark.parametrize("name", CLI_REFLECTIONS)
def test_the_command_shows_no_reflected_key(name: str, tmp_path: Path) -> None:
    answers, run = REFLECTIONS[name]
    users, mapping = write_input(tmp_path)
    out = tmp_path / "results.csv"
    options = ["--run", "--wait"] if run else []
    with ReflectingServer(reflecting_courier(**answers)) as server:
        done = bulkprep_submit(
            str(users),
            "--mapping",
            str(mapping),
            "--event",
            "WELCOME",
            "--base-url",
            server.url,
            "--journal",
            str(tmp_path / "journal.sqlite"),
            "--out",
            str(out),
            *options,
        )
    assert server.auth_seen, done.stderr
    assert done.returncode in (0, 1, 2), done.stderr
    assert "Traceback" not in done.stderr
    if name != "create-refused":
        assert out.exists(), done.stderr
    for text in [done.stdout, done.stderr, *every_file(tmp_path).values()]:
        assert not leaks(text), text


# --------------------------------------------------------------------------- chains, locals, pickles


def test_a_transport_failure_chains_no_request_and_no_key() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    with (
        CourierClient(KEY, f"http://127.0.0.1:{port}", max_retries=0) as client,
        pytest.raises(CourierError, match="connection refused") as caught,
    ):
        client.create_job({"event": "E"})
    cause = caught.value.__cause__
    assert isinstance(cause, requests.ConnectionError)
    assert cause.request is None
    assert cause.response is None
    assert cause.__traceback__ is None
    assert caught.value.__context__ is None
    for text in exception_texts(caught.value):
        assert not leaks(text)


def test_a_refused_transport_error_chains_no_key(tmp_path: Path) -> None:
    """A failure the policy does not retry raises from the client itself, outside the handler."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    policy = RetryPolicy(max_attempts=3, retry_failures=frozenset())
    with (
        CourierClient(KEY, f"http://127.0.0.1:{port}", retry=policy, sleep=no_wait) as client,
        pytest.raises(CourierError) as caught,
    ):
        client.create_job({"event": "E"})
    assert caught.value.__context__ is None
    assert getattr(caught.value.__cause__, "request", None) is None
    for text in exception_texts(caught.value):
        assert not leaks(text)


@pytest.mark.parametrize(
    ("api_key", "base_url"),
    [
        (KEY + " pasted twice", "http://127.0.0.1:9"),
        (KEY + "\x07", "http://127.0.0.1:9"),
        (KEY, "http://api.example"),
        ((KEY * 300)[: MAX_KEY_CHARS + 1], "http://127.0.0.1:9"),
    ],
    ids=["space-in-key", "control-in-key", "remote-http", "longer-than-a-header-takes"],
)
def test_a_configuration_error_shows_no_key_in_locals(
    api_key: str, base_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    for attempt in (
        lambda: CourierClient(api_key, base_url),
        lambda: submit(
            pd.DataFrame({"user_id": ["u1"]}),
            {"recipient": "user_id"},
            event="E",
            api_key=api_key,
            base_url=base_url,
            progress=False,
        ),
    ):
        with pytest.raises(ConfigurationError) as caught:
            attempt()
        # The test's own lambdas hold the key; bulkprep's frames must not.
        frames = [
            frame
            for frame in traceback.TracebackException.from_exception(caught.value, capture_locals=True).stack
            if "/bulkprep/" in frame.filename
        ]
        assert frames
        for frame in frames:
            assert not leaks(repr(frame.locals)), (frame.name, frame.locals)


def test_a_long_key_is_sent_whole_and_its_echo_hidden(tmp_path: Path) -> None:
    """A key of hundreds of characters (a signed token) works; the server's echo of it never shows."""
    key = (KEY * 20)[: MAX_KEY_CHARS // 8]
    users, mapping = write_input(tmp_path)
    answers, _ = REFLECTIONS["echoed-user"]
    with ReflectingServer(reflecting_courier(**answers)) as server:
        done = bulkprep_submit(
            str(users),
            "--mapping",
            str(mapping),
            "--event",
            "WELCOME",
            "--base-url",
            server.url,
            "--out",
            str(tmp_path / "results.csv"),
            env={"COURIER_API_KEY": key},
        )
    assert server.auth_seen == [f"Bearer {key}"] * len(server.auth_seen), done.stderr
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    for text in [done.stdout, done.stderr, *every_file(tmp_path).values()]:
        blob = text.encode() if isinstance(text, str) else text
        assert key[:8].lower().encode() not in blob.lower()


def test_a_key_longer_than_a_header_takes_is_refused_before_sending(tmp_path: Path) -> None:
    users, mapping = write_input(tmp_path)
    with ReflectingServer(reflecting_courier()) as server:
        done = bulkprep_submit(
            str(users),
            "--mapping",
            str(mapping),
            "--event",
            "WELCOME",
            "--base-url",
            server.url,
            env={"COURIER_API_KEY": (KEY * 4000)[:120_000]},
        )
    assert not server.auth_seen
    assert done.returncode == 2
    assert "is 120000 characters long, more than the 8192" in done.stderr
    assert done.stderr.count("\n") == 1
    assert not leaks(done.stderr + done.stdout)


def test_the_environment_key_in_no_local_when_it_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("COURIER_API_KEY", KEY + " x")
    with pytest.raises(ConfigurationError, match="COURIER_API_KEY contains spaces") as caught:
        CourierClient(base_url="http://127.0.0.1:9")
    for text in exception_texts(caught.value):
        assert not leaks(text)


def test_the_client_refuses_to_be_pickled() -> None:
    with CourierClient(KEY, "http://127.0.0.1:9") as client:
        with pytest.raises(TypeError, match="a CourierClient is not pickled: it holds the API key"):
            pickle.dumps(client)
        with pytest.raises(TypeError, match="not pickled"):
            pickle.dumps({"client": client})
        with pytest.raises(TypeError, match="not pickled"):
            pickle.dumps(Redactor(KEY))


def test_a_request_that_was_answered_keeps_no_key(clean_env: pytest.MonkeyPatch) -> None:
    """What the session's hooks see afterwards (the response's request) no longer holds the key."""
    kept: list[requests.Response] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: kept.append(response))
    with (
        ReflectingServer(reflecting_courier()) as server,
        session,
        CourierClient(KEY, server.url, session=session) as client,
    ):
        assert client.create_job({"event": "E"}) == JOB_ID
    (response,) = kept
    assert "Authorization" not in response.request.headers
    assert server.auth_seen == [f"Bearer {KEY}"]


# -------------------------------------------------------------------------------------------- proxies


class RecordingProxy:
    """A proxy-like server on loopback that records every byte it receives.

    It opens a ``CONNECT`` tunnel and closes it at once (the TLS handshake then fails, which is not
    retried), and answers 403 to anything else.
    """

    def __init__(self) -> None:
        self.received: list[bytes] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorder.received.append(
                    bytes(self.raw_requestline) + bytes(self.headers) + self.rfile.read(length)
                )
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_CONNECT(self) -> None:
                recorder.received.append(bytes(self.raw_requestline) + bytes(self.headers))
                self.send_response(200, "Connection established")
                self.end_headers()
                self.close_connection = True

            do_GET = do_POST = _refuse

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def __enter__(self) -> RecordingProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def no_proxy_env(clean_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        clean_env.delenv(name, raising=False)
    return clean_env


@pytest.mark.parametrize("explicit", [False, True], ids=["environment", "proxy-option"])
def test_a_loopback_base_url_never_goes_through_a_proxy(
    no_proxy_env: pytest.MonkeyPatch, explicit: bool
) -> None:
    with RecordingProxy() as proxy, ReflectingServer(reflecting_courier()) as server:
        for name in PROXY_VARIABLES:
            no_proxy_env.setenv(name, proxy.url)
        with CourierClient(KEY, server.url, proxy=proxy.url if explicit else None) as client:
            assert client.create_job({"event": "E"}) == JOB_ID
    assert proxy.received == []
    assert server.auth_seen == [f"Bearer {KEY}"]


@pytest.mark.parametrize("explicit", [False, True], ids=["HTTPS_PROXY", "proxy-option"])
def test_an_https_base_url_tunnels_through_the_proxy_the_user_set(
    no_proxy_env: pytest.MonkeyPatch, explicit: bool
) -> None:
    with RecordingProxy() as proxy:
        if not explicit:
            no_proxy_env.setenv("HTTPS_PROXY", proxy.url)
        client = CourierClient(
            KEY,
            "https://api.courier.example",
            proxy=proxy.url if explicit else None,
            max_retries=0,
            timeout=(5.0, 5.0),
        )
        with client, pytest.raises(CourierError) as caught:
            client.create_job({"event": "E"})
    # Only a CONNECT for the host came: the key would travel inside TLS, never to the proxy.
    (received,) = proxy.received
    assert received.startswith(b"CONNECT api.courier.example:443 ")
    assert not leaks(received)
    assert b"authorization" not in received.lower()
    for text in exception_texts(caught.value):
        assert not leaks(text)


def test_the_proxies_of_a_callers_session_are_not_used(no_proxy_env: pytest.MonkeyPatch) -> None:
    with (
        RecordingProxy() as proxy,
        ReflectingServer(reflecting_courier()) as server,
        requests.Session() as session,
    ):
        session.proxies = {"http": proxy.url, "https": proxy.url, "all": proxy.url}
        with CourierClient(KEY, server.url, session=session) as client:
            assert client.create_job({"event": "E"}) == JOB_ID
    assert proxy.received == []
    assert server.auth_seen == [f"Bearer {KEY}"]


def test_http_proxy_and_all_proxy_are_not_used(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("HTTP_PROXY", "http://proxy.example:3128")
    no_proxy_env.setenv("ALL_PROXY", "http://proxy.example:3128")
    assert resolve_proxy("https://api.courier.com") is None


def test_no_proxy_and_an_empty_proxy_option_connect_directly(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert resolve_proxy("https://api.courier.com") == "http://proxy.example:3128"
    assert resolve_proxy("https://api.courier.com", "") is None
    assert (
        resolve_proxy("https://api.courier.com", "http://other.example:8080") == "http://other.example:8080"
    )
    no_proxy_env.setenv("NO_PROXY", "courier.com")
    assert resolve_proxy("https://api.courier.com") is None
    assert resolve_proxy("https://api.eu.courier.com") is None
    assert resolve_proxy("https://courier.example") == "http://proxy.example:3128"


@pytest.mark.parametrize(
    "proxy", ["ftp://user:s3cr3tpass@proxy.example", "socks9://user:s3cr3tpass@p", "http://"]
)
def test_a_proxy_that_is_not_an_http_url_is_refused_without_its_password(
    no_proxy_env: pytest.MonkeyPatch, proxy: str
) -> None:
    with pytest.raises(ConfigurationError, match="not an http:// or https:// URL") as caught:
        CourierClient(KEY, "https://api.courier.com", proxy=proxy)
    assert "s3cr3tpass" not in str(caught.value)
    no_proxy_env.setenv("HTTPS_PROXY", proxy)
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY") as caught:
        CourierClient(KEY, "https://api.courier.com")
    assert "s3cr3tpass" not in str(caught.value)


def test_the_command_sends_through_the_proxy_option_only_in_a_tunnel(tmp_path: Path) -> None:
    users, mapping = write_input(tmp_path)
    with RecordingProxy() as proxy:
        done = bulkprep_submit(
            str(users),
            "--mapping",
            str(mapping),
            "--event",
            "E",
            "--base-url",
            "https://api.courier.example",
            "--proxy",
            proxy.url,
            env={"HTTP_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9"},
        )
    assert done.returncode == 2, done.stderr
    assert proxy.received
    for received in proxy.received:
        assert received.startswith(b"CONNECT api.courier.example:443 HTTP/")
    for text in [done.stdout, done.stderr, *proxy.received]:
        assert not leaks(text)


def test_a_refusal_still_says_what_the_server_said(clean_env: pytest.MonkeyPatch) -> None:
    """Redaction hides the key and keeps the rest of the server's message."""
    refused = reflecting_courier(create=json_answer('{"message": "key {auth} unknown"}', 401))
    with (
        ReflectingServer(refused) as server,
        CourierClient(KEY, server.url, max_retries=0) as client,
        pytest.raises(BulkprepError) as caught,
    ):
        client.create_job({"event": "E"})
    assert "key Bearer <hidden> unknown" in str(caught.value)
