"""Results, errors and journal files: checked before anything is sent, put in place whole, owner-only.

Also the standard output closed (``>&-``) or a pipe whose reader went away: the run and its exit status
are the same.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN

import bulkprep
from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import ConfigurationError, JournalError
from bulkprep.journal import Journal
from bulkprep.outfiles import check_writable
from bulkprep.parquet import write_results
from bulkprep.sandbox import Sandbox

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = "recipient: user_id\nprofile:\n  email: Email\n"
ROWS = pd.DataFrame({"bulk_row": [2], "name": ["Ann"]})


def write_input(folder: Path) -> tuple[Path, Path]:
    users = folder / "users.csv"
    users.write_text("user_id,Email\nu1,ann@example.com\nu2,bob@example.com\n", encoding="utf-8")
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return users, mapping


def bulkprep_cli(
    *args: str, stdout: int | None = subprocess.PIPE, umask: int = -1
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    env["COURIER_API_KEY"] = TOKEN
    command = [sys.executable, "-m", "bulkprep.cli", *args]
    return subprocess.run(
        command,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        umask=umask,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unwritable_paths(folder: Path) -> dict[str, Path]:
    a_file = folder / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    (folder / "a-folder").mkdir()
    (folder / "gone").symlink_to(folder / "no-such-folder")
    return {
        "missing folder": folder / "missing" / "res.csv",
        "a folder": folder / "a-folder",
        "a name too long": folder / ("r" * 300 + ".csv"),
        "a file as its folder": a_file / "res.csv",
        "a link to a missing folder": folder / "gone" / "res.csv",
    }


KINDS = [
    "missing folder",
    "a folder",
    "a name too long",
    "a file as its folder",
    "a link to a missing folder",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", ["--out", "--errors"])
def test_submit_refuses_an_unwritable_output_before_anything_is_sent(
    tmp_path: Path, sandbox: Sandbox, kind: str, option: str
) -> None:
    users, mapping = write_input(tmp_path)
    target = unwritable_paths(tmp_path)[kind]
    args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    done = bulkprep_cli(*args, "--run", "--wait", "--no-progress", option, str(target))
    assert done.returncode == 2, done.stderr
    assert f"cannot write {option} {target}" in done.stderr
    assert "nothing was sent" in done.stderr
    assert "Traceback" not in done.stderr
    assert sandbox.requests == []
    assert not (tmp_path / "users.submitted.csv").exists()


@pytest.mark.parametrize("kind", ["missing folder", "a folder", "a name too long"])
def test_check_and_status_refuse_an_unwritable_out_first(tmp_path: Path, kind: str) -> None:
    users, mapping = write_input(tmp_path)
    target = unwritable_paths(tmp_path)[kind]
    checked = bulkprep_cli("check", str(users), "--mapping", str(mapping), "--out", str(target))
    assert checked.returncode == 2, checked.stderr
    assert f"cannot write --out {target}" in checked.stderr
    status = bulkprep_cli("status", "--journal", str(tmp_path / "j.sqlite"), "--out", str(target))
    assert status.returncode == 2, status.stderr
    assert f"cannot write --out {target}" in status.stderr
    assert not (tmp_path / "j.sqlite").exists()


@pytest.mark.parametrize("option", ["--out", "--errors", "--journal"])
def test_a_name_ending_in_a_separator_is_a_folder_refused_before_anything_is_sent(
    tmp_path: Path, sandbox: Sandbox, option: str
) -> None:
    users, mapping = write_input(tmp_path)
    folder = str(tmp_path / "newdir") + os.sep  # a folder that does not exist
    args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    done = bulkprep_cli(*args, "--run", "--no-progress", option, folder)
    assert done.returncode == 2, done.stderr
    assert f"argument {option}: {folder!r} ends in a path separator" in done.stderr
    assert "Traceback" not in done.stderr
    assert sandbox.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([users.name, mapping.name])


def test_the_library_refuses_a_results_file_or_journal_named_as_a_folder(tmp_path: Path) -> None:
    folder = str(tmp_path / "newdir") + os.sep
    with pytest.raises(ConfigurationError, match="a name ending in a path separator is a folder's"):
        check_writable(folder, role="--out")
    with pytest.raises(JournalError, match="a name ending in a path separator is a folder's"):
        Journal.open(folder)
    assert list(tmp_path.iterdir()) == []


def test_check_writable_leaves_nothing_behind(tmp_path: Path) -> None:
    check_writable(tmp_path / "new.csv", role="--out")
    (tmp_path / "old.csv").write_text("kept", encoding="utf-8")
    check_writable(tmp_path / "old.csv", role="--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize("name", ["res.csv", "res.parquet"])
def test_a_link_at_the_target_is_replaced_never_written_through(tmp_path: Path, name: str) -> None:
    pytest.importorskip("pyarrow") if name.endswith(".parquet") else None
    victim = tmp_path / "users.csv"
    victim.write_text("user_id\nu1\n", encoding="utf-8")
    target = tmp_path / name
    target.symlink_to(victim)
    write_results(ROWS, target)
    assert victim.read_text(encoding="utf-8") == "user_id\nu1\n"
    assert not target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "users.csv"])


def test_results_never_land_on_a_protected_file_through_a_swapped_folder(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    victim = inputs / "users.csv"
    victim.write_text("user_id\nu1\n", encoding="utf-8")
    swapped = tmp_path / "out"
    swapped.symlink_to(inputs)  # what --out's folder became while the job was sent
    with pytest.raises(ConfigurationError, match="same file as"):
        write_results_csv(ROWS, swapped / "users.csv", protect=[victim])
    assert victim.read_text(encoding="utf-8") == "user_id\nu1\n"
    assert sorted(p.name for p in inputs.iterdir()) == ["users.csv"]  # no scratch file left


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_new_results_errors_and_journal_are_owner_only_whatever_the_umask(
    tmp_path: Path, sandbox: Sandbox, umask: int
) -> None:
    users, mapping = write_input(tmp_path)
    out, errors, journal = tmp_path / "res.csv", tmp_path / "err.csv", tmp_path / "j.sqlite"
    args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    more = ["--out", str(out), "--errors", str(errors), "--journal", str(journal), "--no-progress"]
    done = bulkprep_cli(*args, *more, umask=umask)
    assert done.returncode == 0, done.stderr
    assert {path.name: oct(mode(path)) for path in (out, errors, journal)} == dict.fromkeys(
        ["res.csv", "err.csv", "j.sqlite"], "0o600"
    )
    wal = tmp_path / "j.sqlite-wal"
    assert not wal.exists() or mode(wal) == 0o600


def test_a_replaced_results_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "res.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_results_csv(ROWS, target)
    assert mode(target) == 0o640
    assert "Ann" in target.read_text(encoding="utf-8-sig")


def test_stdout_closed_sends_and_writes_the_results(tmp_path: Path, sandbox: Sandbox) -> None:
    users, mapping = write_input(tmp_path)
    out = tmp_path / "res.csv"
    env = {**os.environ, "PYTHONPATH": ROOT, "COURIER_API_KEY": TOKEN}
    command = (
        f"exec {sys.executable} -m bulkprep.cli submit {users} --mapping {mapping} --event E "
        f"--base-url {sandbox.url} --out {out} --run --wait --no-progress >&-"
    )
    done = subprocess.run(
        ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert pd.read_csv(out, encoding="utf-8-sig")["bulk_status"].tolist() == ["accepted", "accepted"]


def test_a_pipe_whose_reader_went_away_keeps_the_exit_status_the_work_earned(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    users, mapping = write_input(tmp_path)
    out = tmp_path / "res.csv"
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: every write meets a broken pipe
    try:
        args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
        done = bulkprep_cli(*args, "--out", str(out), "--run", "--wait", "--no-progress", stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Broken pipe" not in done.stderr
    assert pd.read_csv(out, encoding="utf-8-sig")["bulk_status"].tolist() == ["accepted", "accepted"]


def test_a_device_at_the_target_is_written_to_never_replaced(tmp_path: Path) -> None:
    check_writable("/dev/null", role="--out")
    write_results_csv(ROWS, "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".bulkprep-")]


def test_a_link_to_a_device_is_written_through_never_replaced(tmp_path: Path) -> None:
    # /dev/stdout and /proc/self/fd/1 are such links: replacing one would take it from every program.
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/null")
    check_writable(link, role="--out")
    write_results_csv(ROWS, link)
    assert link.is_symlink()
    assert os.readlink(link) == "/dev/null"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_named_pipe_nobody_reads_is_refused_before_the_work(tmp_path: Path) -> None:
    pipe = tmp_path / "out.csv"
    os.mkfifo(pipe)
    with pytest.raises(ConfigurationError, match="a named pipe that no program reads from"):
        check_writable(pipe, role="--out")
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # with a reader, it is written to where it is
    try:
        check_writable(pipe, role="--out")
    finally:
        os.close(reader)


@pytest.mark.parametrize("name", ["res.csv", "res.parquet"])
def test_streamed_results_replace_a_link_at_the_target(tmp_path: Path, name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    users, mapping = write_input(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("kept", encoding="utf-8")
    target = tmp_path / name
    target.symlink_to(victim)
    done = bulkprep_cli("check", str(users), "--mapping", str(mapping), "--out", str(target), "--stream")
    assert done.returncode == 0, done.stderr
    assert victim.read_text(encoding="utf-8") == "kept"
    assert not target.is_symlink()
    assert mode(target) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bulkprep-")]


def test_streamed_submit_refuses_an_unwritable_out_before_anything_is_sent(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    users, mapping = write_input(tmp_path)
    target = tmp_path / "missing" / "res.csv"
    args = ["submit", str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    done = bulkprep_cli(*args, "--stream", "--run", "--no-progress", "--out", str(target))
    assert done.returncode == 2, done.stderr
    assert f"cannot write --out {target}" in done.stderr
    assert sandbox.requests == []
