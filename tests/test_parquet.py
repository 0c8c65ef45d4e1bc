"""Results as Parquet: the CSV's columns and values, nested cells as JSON, a clear error without pyarrow."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TOKEN

from bulkprep import Prepared, prepare, read_csv, submit
from bulkprep.cli import main
from bulkprep.errors import ConfigurationError
from bulkprep.parquet import write_results
from bulkprep.sandbox import Sandbox
from bulkprep.status import ROW_KEY, Column

pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
MAPPING = {
    "recipient": "user_id",
    "profile": {"email": "email", "phone_number": "phone"},
    "data": {"name": "name", "plan": "plan"},
}
USERS = (
    "user_id,email,phone,name,plan\n"
    "u1,Ann@Example.com,(202) 555-0125,=HYPERLINK(1),Pro\n"
    "u2,not an email,12,Bob,\n"
    "u3,ann@example.com,,Ann again,Free\n"
    "u4,zoë@bücher.de,+49 151 23456789,Zoë,-1+2\n"
)


@pytest.fixture
def prepared(tmp_path: Path) -> Prepared:
    source = tmp_path / "users.csv"
    source.write_text(USERS, encoding="utf-8")
    return prepare(read_csv(source), MAPPING)


def csv_of(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    path = write_results(frame, folder / "results.csv")
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_prepared_to_parquet_has_the_csvs_columns_and_values(prepared: Prepared, tmp_path: Path) -> None:
    path = prepared.to_parquet(tmp_path / "results.parquet")
    back = pd.read_parquet(path)
    text = csv_of(prepared.df, tmp_path)
    assert list(back.columns) == list(text.columns)
    assert back[Column.STATUS.value].tolist() == ["ready", "invalid", "duplicate", "ready"]
    assert back[ROW_KEY].tolist() == [2, 3, 4, 5]  # numbers stay numbers
    # The user is the CSV's JSON; formulas are not guarded (no spreadsheet opens Parquet).
    users = [json.loads(u) if isinstance(u, str) else None for u in back[Column.USER.value]]
    assert users[0]["profile"] == {"email": "Ann@example.com", "phone_number": "+12025550125"}
    assert users[3]["profile"]["email"] == "zoë@bücher.de"
    assert back[Column.USER.value].fillna("").tolist() == text[Column.USER.value].tolist()
    assert back["name"].tolist()[0] == "=HYPERLINK(1)"
    assert text["name"].tolist()[0] == "'=HYPERLINK(1)"
    assert pd.isna(back.loc[1, "plan"])


def test_mixed_text_and_number_columns_are_written_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", 5, None], "n": [1, 2, 3], "nested": [[1], {"a": 1}, None]})
    back = pd.read_parquet(write_results(frame, tmp_path / "r.pq"))
    assert back["id"].tolist()[:2] == ["a", "5"]
    assert pd.isna(back.loc[2, "id"])
    assert back["n"].tolist() == [1, 2, 3]
    assert back["nested"].tolist()[:2] == ["[1]", '{"a":1}']


def test_submit_result_to_parquet(prepared: Prepared, tmp_path: Path, sandbox: Sandbox) -> None:
    result = submit(prepared, event="E", base_url=sandbox.url, api_key=TOKEN, progress=False)
    back = pd.read_parquet(result.to_parquet(tmp_path / "submitted.parquet"))
    assert back[Column.STATUS.value].tolist() == ["accepted", "invalid", "duplicate", "accepted"]
    assert list(back.columns) == list(csv_of(result.df, tmp_path).columns)
    assert TOKEN.encode() not in (tmp_path / "submitted.parquet").read_bytes()


def test_check_and_dry_run_write_parquet_by_the_suffix(
    tmp_path: Path, sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "users.csv"
    source.write_text(USERS, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    out = tmp_path / "checked.parquet"
    assert main(["check", str(source), "--mapping", str(mapping), "--out", str(out)]) == 1
    assert pd.read_parquet(out)[Column.STATUS.value].tolist() == ["ready", "invalid", "duplicate", "ready"]
    planned = tmp_path / "planned.PQ"
    args = ["submit", str(source), "--mapping", str(mapping), "--event", "E", "--base-url", sandbox.url]
    assert main([*args, "--dry-run", "--no-progress", "--out", str(planned)]) == 1
    assert pd.read_parquet(planned)[Column.STATUS.value].tolist() == [
        "ready",
        "invalid",
        "duplicate",
        "ready",
    ]
    assert sandbox.requests == []


def test_without_pyarrow_a_clear_error_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An import of a module set to None in sys.modules fails as if it were not installed.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ConfigurationError, match=r"needs pyarrow.*bulkprep\[parquet\]"):
        write_results(pd.DataFrame({"a": [1]}), tmp_path / "r.parquet")
    assert not (tmp_path / "r.parquet").exists()
    source = tmp_path / "users.csv"
    source.write_text(USERS, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    status = main(["check", str(source), "--mapping", str(mapping), "--out", str(tmp_path / "c.parquet")])
    assert status == 2
    assert "pip install 'bulkprep[parquet]'" in capsys.readouterr().err
    # A CSV needs no pyarrow.
    assert write_results(pd.DataFrame({"a": [1]}), tmp_path / "r.csv").exists()
