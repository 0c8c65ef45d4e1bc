"""``bulkprep schema`` run as its own process; the schema it prints checks real mapping files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent


def bulkprep(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", *args], capture_output=True, text=True, check=False, timeout=60
    )


def test_schema_printed_checks_the_sample_mapping_and_refuses_a_misspelt_target() -> None:
    done = bulkprep("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    sample = yaml.safe_load((ROOT / "data" / "users_messy.mapping.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(sample)) == []
    assert list(validator.iter_errors({**sample, "to": {"user_ip": "User ID"}}))


def test_schema_written_to_a_file_is_the_printed_schema(tmp_path: Path) -> None:
    target = tmp_path / "mapping.schema.json"
    done = bulkprep("schema", "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout
    assert target.read_text(encoding="utf-8") == bulkprep("schema").stdout


def test_schema_to_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    done = bulkprep("schema", "--out", str(tmp_path / "missing" / "schema.json"))
    assert done.returncode == 2
    assert "cannot write the schema" in done.stderr
