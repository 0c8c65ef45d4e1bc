"""``--region-column`` on ``bulkprep check`` and ``bulkprep submit``: real files, the sandbox over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import TOKEN

import bulkprep
from bulkprep.cli import main
from bulkprep.sandbox import Sandbox

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
USERS = """\
user_id,Email,Phone,Country
u1,ann@example.com,07400 123401,United Kingdom
u2,bob@example.com,447400482943,UK
u3,cy@example.com,(201) 555-0123,
u4,di@example.com,3123517909,Italia
"""
MAPPING = "recipient: user_id\nprofile:\n  email: Email\n  phone_number: Phone\n"
# What each row's phone is sent as when read in its row's country.
SENT = {"u1": "+447400123401", "u2": "+447400482943", "u3": "+12015550123", "u4": "+393123517909"}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    users = tmp_path / "users.csv"
    users.write_text(USERS, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return users, mapping


def results(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_check_reads_each_phone_in_its_rows_country(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = files
    assert main(["check", str(users), "--mapping", str(mapping)]) == 1  # one region for the whole file
    assert "invalid_phone: 2 row(s)" in capsys.readouterr().out
    assert main(["check", str(users), "--mapping", str(mapping), "--region-column", "Country"]) == 0
    assert re.search(r"^ready +4$", capsys.readouterr().out, re.MULTILINE)
    table = results(users.with_name("users.checked.csv"))
    assert table["bulk_status"].tolist() == ["ready"] * 4
    assert table["bulk_user"].str.contains('"phone_number":"', regex=False).all()
    for user_id, phone in SENT.items():
        assert phone in table.loc[table["user_id"] == user_id, "bulk_user"].item()


def test_check_flags_an_unknown_country_and_a_number_valid_only_in_the_default_region(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    users, mapping = files
    users.write_text(
        USERS + "u5,ed@example.com,2015550177,France\nu6,fay@example.com,07400 123402,Atlantis\n"
    )
    out = tmp_path / "out.csv"
    code = main(
        ["check", str(users), "--mapping", str(mapping), "--region-column", "Country", "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "ambiguous_phone_region: 1 row(s) (e.g. '2015550177')" in printed
    assert "unknown_country: 1 row(s) (e.g. '07400 123402')" in printed
    table = results(out).set_index("user_id")
    assert table["bulk_status"].to_dict() == {
        "u1": "ready", "u2": "ready", "u3": "ready", "u4": "ready", "u5": "invalid", "u6": "invalid"
    }  # fmt: skip
    assert "but would be +12015550177 in US (the default region)" in table.loc["u5", "bulk_error"]
    assert "'Atlantis'" in table.loc["u6", "bulk_error"]


@pytest.mark.parametrize(("column", "guess"), [("country", "'Country'"), ("Contry", "'Country'")])
def test_a_region_column_missing_from_the_file_exits_2_naming_the_closest(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], column: str, guess: str
) -> None:
    users, mapping = files
    assert main(["check", str(users), "--mapping", str(mapping), "--region-column", column]) == 2
    err = capsys.readouterr().err
    assert f"region column {column!r} not found; did you mean {guess}?" in err
    assert not users.with_name("users.checked.csv").exists()


def test_submit_sends_each_phone_read_in_its_rows_country(
    files: tuple[Path, Path],
    sandbox: Sandbox,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    users, mapping = files
    clean_env.setenv("COURIER_API_KEY", TOKEN)
    args = [str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    code = main(["submit", *args, "--region-column", "Country", "--no-progress"])
    assert code == 0, capsys.readouterr()
    (job_id,) = sandbox.jobs
    sent = {user["recipient"]: user["profile"]["phone_number"] for user in sandbox.users(job_id)}
    assert sent == SENT


def test_submit_refuses_a_missing_region_column_before_sending(
    files: tuple[Path, Path],
    sandbox: Sandbox,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    users, mapping = files
    clean_env.setenv("COURIER_API_KEY", TOKEN)
    args = [str(users), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    assert main(["submit", *args, "--region-column", "Land", "--no-progress"]) == 2
    assert "region column 'Land' not found" in capsys.readouterr().err
    assert sandbox.jobs == {}


def test_the_installed_command_takes_the_flag(files: tuple[Path, Path]) -> None:
    users, mapping = files
    env = {**os.environ, "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "bulkprep.cli", "check", str(users), "--mapping", str(mapping)]
    done = subprocess.run(
        [*command, "--region-column", "Country"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"^ready +4$", done.stdout, re.MULTILINE)
    shown = subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", "check", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "--region-column COLUMN" in shown.stdout
