"""Prepared.to_csv writes the file `bulkprep check --out` writes: the same rows, statuses, users and
formula guards, from a notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from bulkprep import Mapping, prepare, read_csv

ROOT = Path(__file__).resolve().parent.parent
USERS = (
    "id,email,phone,note\r\n"
    "u1,a@example.com,+12025550125,=1+1\r\n"
    "u2,not-an-email,,x;@y\r\n"
    "u3,A@example.com,,-cmd\r\n"
)
MAPPING = "recipient: id\nprofile:\n  email: email\n  phone_number: phone\ndata:\n  note: note\n"


def test_to_csv_writes_what_check_writes(tmp_path: Path) -> None:
    users, mapping = tmp_path / "users.csv", tmp_path / "mapping.yaml"
    users.write_text(USERS, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    by_cli = tmp_path / "cli.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bulkprep.cli",
            "check",
            str(users),
            "--mapping",
            str(mapping),
            "--out",
            str(by_cli),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr  # one invalid row, one duplicate
    prepared = prepare(read_csv(users), Mapping.load(mapping))
    by_library = prepared.to_csv(tmp_path / "library.csv")
    assert by_library.read_bytes() == by_cli.read_bytes()
    back = pd.read_csv(by_library, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["bulk_status"].tolist() == ["ready", "invalid", "duplicate"]
    assert back["note"].tolist() == ["'=1+1", "x;'@y", "'-cmd"]
