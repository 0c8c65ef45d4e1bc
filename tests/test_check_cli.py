"""`bulkprep check`: summary, results CSV and exit status, on real files."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from bulkprep.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
MAPPING = {
    "recipient": "user_id",
    "profile": {"email": "email", "phone_number": "phone"},
    "data": {"name": "name", "plan": "plan"},
}


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    return path


def test_all_ready_exits_0_and_writes_the_results(
    tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.csv"
    status = main(
        [
            "check",
            str(FIXTURES / "users_utf8_bom_comma_crlf.csv"),
            "--mapping",
            str(mapping_file),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert status == 0
    assert "3 rows (utf-8-sig, comma-delimited)" in printed
    assert "ready        3" in printed
    assert f"results written to {out}" in printed
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(results.columns) == [
        "bulk_row", "user_id", "email", "phone", "name", "plan",
        "bulk_user", "bulk_status", "bulk_error", "bulk_warning", "bulk_duplicate_of",
    ]  # fmt: skip
    assert results["bulk_status"].tolist() == ["ready"] * 3
    assert results["bulk_row"].tolist() == ["2", "3", "4"]


def test_problems_exit_1_and_name_the_fix(
    tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.csv"
    status = main(
        [
            "check",
            str(FIXTURES / "users_utf8_comma_lf.csv"),
            "--mapping",
            str(mapping_file),
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert status == 1
    assert "invalid      3" in printed
    assert "excel_mangled_number: 1 row(s) (e.g. '2.02555E+09')" in printed
    assert "re-export the column as text" in printed
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_line = dict(zip(results["bulk_row"], results["bulk_status"], strict=True))
    assert by_line == {
        "2": "ready",
        "3": "invalid",
        "4": "invalid",
        "5": "ready",
        "6": "invalid",
        "7": "ready",
    }
    assert results.loc[results["bulk_row"] == "2", "user_id"].item() == "00042"


def test_the_default_results_path_is_beside_the_input(tmp_path: Path, mapping_file: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes((FIXTURES / "users_pipe_cr.csv").read_bytes())
    assert main(["check", str(source), "--mapping", str(mapping_file)]) == 0
    assert (tmp_path / "people.checked.csv").is_file()


def test_formulas_from_the_data_are_neutralized(tmp_path: Path, mapping_file: Path) -> None:
    source = tmp_path / "formulas.csv"
    source.write_text(
        "user_id,email,phone,name,plan\n"
        'u1,a@example.com,,"=HYPERLINK(""http://x"",""y"")",@SUM(A1)\n'
        "u2,b@example.com,+1 202 555 0125,-cmd,+pro\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.csv"
    assert main(["check", str(source), "--mapping", str(mapping_file), "--out", str(out)]) == 0
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert results["name"].tolist() == ['\'=HYPERLINK("http://x","y")', "'-cmd"]
    assert results["plan"].tolist() == ["'@SUM(A1)", "'+pro"]
    assert results["bulk_status"].tolist() == ["ready", "ready"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["check", "missing.csv", "--mapping", "{mapping}"], "not found"),
        (["check", str(FIXTURES / "empty.csv"), "--mapping", "{mapping}"], "empty"),
        (
            ["check", str(FIXTURES / "users_pipe_cr.csv"), "--mapping", "no-such-mapping.yaml"],
            "no-such-mapping",
        ),
    ],
)
def test_call_level_problems_exit_2_with_a_message(
    arguments: list[str], message: str, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([part.replace("{mapping}", str(mapping_file)) for part in arguments])
    assert status == 2
    assert message in capsys.readouterr().err


def test_a_mapped_column_missing_from_the_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("profile:\n  email: Email\n", encoding="utf-8")
    assert main(["check", str(FIXTURES / "users_pipe_cr.csv"), "--mapping", str(mapping)]) == 2
    assert "did you mean 'email'" in capsys.readouterr().err


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_codec_that_is_not_a_text_encoding_is_refused_in_one_line(
    mapping_file: Path, capsys: pytest.CaptureFixture[str], stream: list[str]
) -> None:
    source = str(FIXTURES / "users_utf8_bom_comma_crlf.csv")
    assert main(["check", source, "--mapping", str(mapping_file), "--encoding", "rot13", *stream]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("bulkprep check: 'rot13' is not a text encoding; use a codec name such as 'utf-8'")


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_header_written_twice_is_said_and_a_mapping_naming_it_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stream: list[str]
) -> None:
    source = tmp_path / "users.csv"
    source.write_text("id,email,email,name\nu1,first@example.com,second@example.com,A\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("recipient: id\nprofile:\n  email: email\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["check", str(source), "--mapping", str(mapping), "--out", str(out), *stream]) == 2
    err = capsys.readouterr().err
    assert "column 'email' is the header of 2 columns of the file (read as 'email', 'email.1')" in err
    assert not out.exists()
    # The later column, named as it was read, is no ambiguity; the repetition is said.
    mapping.write_text("recipient: id\nprofile:\n  email: email.1\n", encoding="utf-8")
    assert main(["check", str(source), "--mapping", str(mapping), "--out", str(out), *stream]) == 0
    assert "header 'email' repeated: read as 'email', 'email.1'" in capsys.readouterr().out
    assert "second@example.com" in out.read_text(encoding="utf-8")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "usage: bulkprep check" in capsys.readouterr().err
    assert main([]) == 2
    assert "usage: bulkprep" in capsys.readouterr().out


def test_the_installed_command_runs(tmp_path: Path, mapping_file: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", "check", str(FIXTURES / "ragged_rows.csv"), "--mapping",
         str(mapping_file), "--out", str(tmp_path / "r.csv")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stderr
    assert "ragged_row: 3 row(s)" in completed.stdout
    results = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "bulk_read_error" not in results.columns  # the reader's problems are in bulk_error
    ragged = results[results["bulk_row"].isin(["3", "4", "5"])]
    assert set(ragged["bulk_status"]) == {"invalid"}
    assert ragged["bulk_error"].str.contains("but the header has 5").all()


def test_a_header_whose_quote_never_closes_exits_2(
    tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "open.csv"
    source.write_text('user_id,"email\n1,a@example.com\n', encoding="utf-8")
    assert main(["check", str(source), "--mapping", str(mapping_file)]) == 2
    assert "never closes" in capsys.readouterr().err


def test_keep_takes_the_keep_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "twice.csv"
    source.write_text("email,plan\na@example.com,\nA@example.com,pro\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("profile:\n  email: email\ndata:\n  plan: plan\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    arguments = ["check", str(source), "--mapping", str(mapping), "--out", str(out)]
    assert main([*arguments, "--keep", "most_complete"]) == 1
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert results["bulk_status"].tolist() == ["duplicate", "ready"]
    assert main([*arguments, "--keep", "newest"]) == 2
    assert "invalid choice: 'newest' (choose from" in capsys.readouterr().err


def test_the_command_line_is_a_package_with_its_exit_status() -> None:
    import bulkprep.cli

    assert (bulkprep.cli.EXIT_OK, bulkprep.cli.EXIT_NOT_ALL_OK, bulkprep.cli.EXIT_USAGE) == (0, 1, 2)
    assert bulkprep.cli.main is main
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="bulkprep")
    assert script.value == "bulkprep.cli:main"
    assert script.load() is main
    for old in ("bulkprep.cli_check", "bulkprep.cli_submit"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(old)


@pytest.mark.parametrize("stream", [False, True])
def test_a_header_without_rows_exits_1_and_says_so(
    tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str], stream: bool
) -> None:
    source = tmp_path / "export.csv"
    source.write_text("user_id,email,phone,name,plan\r\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    command = ["check", str(source), "--mapping", str(mapping_file), "--out", str(out)]
    status = main([*command, "--stream"] if stream else command)
    printed = capsys.readouterr().out
    assert status == 1  # no row is ready: nothing to send
    assert "0 rows" in printed
    assert "the file has a header and no data rows" in printed
    assert out.exists()


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_a_console_that_cannot_show_the_file_name_gets_escapes_not_a_traceback(
    tmp_path: Path, mapping_file: Path, encoding: str
) -> None:
    source = tmp_path / "ユーザー.csv"
    source.write_text("user_id,email,phone,name,plan\r\nu1,ann@example.com,,Ann,pro\r\n", encoding="utf-8")
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-m", "bulkprep.cli", "check", str(source), "--mapping", str(mapping_file)],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"\\u30e6\\u30fc\\u30b6\\u30fc.csv: 1 rows" in done.stdout
    assert b"Traceback" not in done.stderr
