"""Input that damages values or eats the machine: each attack refused with a clear message, at once.

Values a ``json`` cast cannot send, paths that are not files, files that never end, workbooks that
unpack to gigabytes, mapping files that expand or contradict themselves, absurdly wide files, and
cells that turn into formulas when a semicolon-splitting spreadsheet opens the results.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import TOKEN
from growth import assert_linear

import bulkprep
from bulkprep import _source, workbook
from bulkprep.casts import Cast, convert
from bulkprep.cli import main
from bulkprep.cli.submit import read_results
from bulkprep.csvsafe import guard_text, is_formula, write_results_csv
from bulkprep.errors import ConfigurationError, InputError, MappingError
from bulkprep.jsonsafe import MAX_DEPTH, text_depth, unsendable
from bulkprep.mapping import MAX_MAPPING_BYTES, Mapping
from bulkprep.prepare import prepare
from bulkprep.read import MAX_COLUMNS, read_csv
from bulkprep.workbook import read_excel

ROOT = str(Path(bulkprep.__file__).resolve().parent.parent)
MAPPING = "recipient: user_id\nprofile:\n  email: email\ndata:\n  extra:\n    column: extra\n    cast: json\n"
JSON_MAPPING = Mapping(
    {"recipient": "user_id", "profile.email": "email", "data.extra": {"column": "extra", "cast": "json"}}
)


def bulkprep_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it; a hang fails the test instead of holding the suite."""
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env["PYTHONPATH"] = ROOT
    env["COURIER_API_KEY"] = TOKEN
    command = [sys.executable, "-m", "bulkprep.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def users_with_extra(folder: Path, *extras: str) -> tuple[Path, Path]:
    """A CSV of users whose ``extra`` column holds ``extras`` (quoted as CSV needs), and its mapping."""
    users = folder / "users.csv"
    with users.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user_id", "email", "extra"])
        for number, extra in enumerate(extras, start=1):
            writer.writerow([f"u{number}", f"user{number}@example.com", extra])
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return users, mapping


def prepared_extra(*extras: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prepared rows and the error table of users whose ``extra`` cells are ``extras``."""
    frame = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(len(extras))],
            "email": [f"user{i}@example.com" for i in range(len(extras))],
            "extra": list(extras),
        }
    )
    result = prepare(frame, JSON_MAPPING, region="US")
    return result.df, result.errors


# --- json cast ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["1e999", "-1e999", '{"score": 1e400}', "[1, [2, -1E999]]"])
def test_json_numbers_beyond_a_double_fail_the_cast_instead_of_dropping_the_field(cell: str) -> None:
    rows, errors = prepared_extra(cell, '{"score": 1}')
    assert rows["bulk_status"].tolist() == ["invalid", "ready"]
    assert errors["code"].tolist() == ["cast_failed"]
    assert errors["field"].tolist() == ["data.extra"]
    assert "too large for JSON" in errors["message"].iloc[0]
    assert rows["bulk_user"].iloc[1]["data"] == {"extra": {"score": 1}}


@pytest.mark.parametrize("cell", ["NaN", "Infinity", "-Infinity", '{"a": NaN}'])
def test_json_constants_that_are_not_json_fail_the_cast(cell: str) -> None:
    rows, errors = prepared_extra(cell)
    assert rows["bulk_status"].tolist() == ["invalid"]
    assert errors["code"].tolist() == ["cast_failed"]
    assert "is not JSON" in errors["message"].iloc[0]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 100_000])
def test_json_nested_too_deep_is_a_cast_failure_not_a_traceback(depth: int) -> None:
    cell = '{"a": ' * depth + "1" + "}" * depth if depth < 1000 else "[" * depth + "]" * depth
    rows, errors = prepared_extra(cell)
    assert rows["bulk_status"].tolist() == ["invalid"]
    assert errors["code"].tolist() == ["cast_failed"]
    assert f"more than {MAX_DEPTH} deep" in errors["message"].iloc[0]
    assert len(errors["message"].iloc[0]) < 400  # the cell is quoted in part, not whole


def test_json_nested_to_the_limit_is_sent() -> None:
    cell = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    rows, errors = prepared_extra(cell)
    assert rows["bulk_status"].tolist() == ["ready"]
    assert errors.empty
    assert text_depth(json.dumps(rows["bulk_user"].iloc[0]["data"]["extra"])) == MAX_DEPTH


def test_a_nesting_count_ignores_brackets_inside_strings() -> None:
    cell = json.dumps({"note": "[" * 500 + '\\"{{{', "list": [[1]]})
    rows, errors = prepared_extra(cell)
    assert rows["bulk_status"].tolist() == ["ready"], errors.to_dict("records")
    assert text_depth(cell) == 3


def test_json_values_from_a_typed_frame_are_checked_too() -> None:
    deep: Any = 1
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    values, failures = convert(np.array([{"a": float("inf")}, deep, {"ok": [1]}], dtype=object), Cast.JSON)
    assert [failure.position for failure in failures] == [0, 1]
    assert "too large for JSON" in failures[0].message
    assert f"more than {MAX_DEPTH} deep" in failures[1].message
    assert values.tolist() == [None, None, {"ok": [1]}]
    assert unsendable({"ok": [1]}) is None


def test_a_10_mb_json_cell_is_refused_without_parsing_it(tmp_path: Path) -> None:
    # Under the 32 MiB line limit (a longer line refuses the file, naming its line), over a request's size.
    huge = '{"blob": "' + "x" * 10_000_000 + '"}'
    users, mapping = users_with_extra(tmp_path, huge, '{"fine": true}')
    started = time.monotonic()
    rows = prepare(read_csv(users), Mapping.load(mapping), region="US")
    assert time.monotonic() - started < 60
    assert rows.df["bulk_status"].tolist() == ["invalid", "ready"]
    message = rows.errors["message"].iloc[0]
    assert "10,000,012 characters, more than one request to Courier can carry" in message


def test_check_records_an_unsendable_json_cell_in_the_results(tmp_path: Path) -> None:
    users, mapping = users_with_extra(tmp_path, "1e999", "[" * 100_000, '{"plan": "pro"}')
    out = tmp_path / "checked.csv"
    done = bulkprep_cli("check", str(users), "--mapping", str(mapping), "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "cast_failed: 2 row(s)" in done.stdout
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert results["bulk_status"].tolist() == ["invalid", "invalid", "ready"]
    assert "too large for JSON" in results["bulk_error"].iloc[0]
    assert f"more than {MAX_DEPTH} deep" in results["bulk_error"].iloc[1]


# --- input paths -------------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp_path / "users.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no unix sockets here")
    path = tmp_path / "users.xlsx"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        yield path


def finishes(call: Callable[[], object], seconds: float = 30) -> BaseException | None:
    """Run ``call`` in a thread; the exception it raised (None if none), failing if it never returns."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


@pytest.mark.parametrize("reader", [read_csv, read_excel])
def test_a_fifo_is_refused_without_opening_it(reader: Callable[[Path], Any], fifo: Path) -> None:
    raised = finishes(lambda: reader(fifo))
    assert isinstance(raised, InputError)
    assert "is a named pipe (FIFO)" in str(raised)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("reader", [read_csv, read_excel])
def test_a_device_is_refused_before_it_is_read(reader: Callable[[str], Any], device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    raised = finishes(lambda: reader(device))
    assert isinstance(raised, InputError)
    assert f"{device} is a device" in str(raised)


@pytest.mark.parametrize("reader", [read_csv, read_excel])
def test_a_socket_and_a_directory_are_refused(
    reader: Callable[[Path], Any], unix_socket: Path, tmp_path: Path
) -> None:
    assert stat.S_ISSOCK(os.stat(unix_socket).st_mode)
    with pytest.raises(InputError, match="is a socket"):
        reader(unix_socket)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        reader(folder)


@pytest.mark.parametrize("command", ["check", "submit"])
def test_the_cli_refuses_a_fifo_and_a_device_with_exit_2(command: str, fifo: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    extra = ["--event", "WELCOME", "--base-url", "http://127.0.0.1:9"] if command == "submit" else []
    for source, said in [(str(fifo), "is a named pipe (FIFO)"), ("/dev/zero", "is a device")]:
        done = bulkprep_cli(command, source, "--mapping", str(mapping), *extra)
        assert done.returncode == 2, done.stderr
        assert said in done.stderr
        assert "Traceback" not in done.stderr
        assert TOKEN not in done.stdout + done.stderr


def test_an_endless_buffer_is_read_only_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_source, "MAX_INPUT_BYTES", 1 << 20)
    with open("/dev/zero", "rb") as endless:
        raised = finishes(lambda: read_csv(endless))
    assert isinstance(raised, InputError)
    assert "larger than the 1,048,576 bytes bulkprep reads of it" in str(raised)
    with pytest.raises(InputError, match="larger than"):
        read_csv(io.StringIO("id\n" + "1\n" * (1 << 20)))
    assert len(read_csv(io.StringIO("id\n" + "1\n" * 1000))) == 1000


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_source, "MAX_INPUT_BYTES", 1000)
    large = tmp_path / "large.csv"
    large.write_text("id\n" + "1\n" * 1000, encoding="utf-8")
    with pytest.raises(
        InputError, match=r"large.csv is larger than the 1,000 bytes .* \(it is 2,003 bytes\)"
    ):
        read_csv(large)
    small = tmp_path / "small.csv"
    small.write_text("id\n" + "1\n" * 100, encoding="utf-8")
    assert len(read_csv(small)) == 100


def test_a_file_that_grows_while_it_is_read_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files of /proc say they are empty and then give text: the reader must not trust the size it saw.
    if not os.path.exists("/proc/self/status") or os.stat("/proc/self/status").st_size:
        pytest.skip("no /proc here")
    monkeypatch.setattr(_source, "MAX_INPUT_BYTES", 64)
    with pytest.raises(InputError, match=r"\(it grew while it was read\)"):
        read_csv("/proc/self/status")


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["user_id", "email"])
    sheet.append(["u1", "ann@example.com"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_workbook_bomb_is_refused_before_it_is_unpacked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(xlsx_bytes())
    with (
        zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as package,
        package.open("xl/media/padding.bin", "w") as part,
    ):
        for _ in range(4):
            part.write(bytes(1 << 20))
    assert bomb.stat().st_size < 100_000  # 4 MiB of zeros pack small: the point of a bomb
    with pytest.raises(
        InputError, match=r"bomb.xlsx would unpack to 4,\d{3},\d{3} bytes, more than the 1,048,576"
    ):
        read_excel(bomb)
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(xlsx_bytes())
    assert read_excel(plain)["email"].tolist() == ["ann@example.com"]


def test_a_workbook_whose_directory_claims_gigabytes_is_refused(tmp_path: Path) -> None:
    data = bytearray(xlsx_bytes())
    # The central directory's first entry: its uncompressed size, 24 bytes in, set to 2 GiB - 1.
    entry = data.index(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = struct.pack("<I", 2**31 - 1)
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(bytes(data))
    with pytest.raises(
        InputError, match=r"would unpack to 2,147,\d{3},\d{3} bytes, more than the 1,073,741,824"
    ):
        read_csv(forged)


# --- mapping files -----------------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
recipient: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(
        MappingError, match=r"line 1: YAML anchors and aliases \(&name, \*name\) are not allowed"
    ):
        Mapping.load(bomb)
    users, _ = users_with_extra(tmp_path, "1")
    done = bulkprep_cli("check", str(users), "--mapping", str(bomb))
    assert done.returncode == 2
    assert "anchors and aliases" in done.stderr


def test_a_lone_alias_is_refused_too(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "recipient: &id user_id\nprofile:\n  email: email\ndata:\n  id: *id\n", encoding="utf-8"
    )
    with pytest.raises(MappingError, match="line 1: YAML anchors"):
        Mapping.load(mapping)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "recipient: user_id\nprofile:\n  email: email\nrecipient: id\n",
            "line 4: key 'recipient' is given twice (first on line 1)",
        ),
        (
            "recipient: user_id\nprofile:\n  email: email\n  email: mail\n",
            "line 4: key 'email' is given twice (first on line 3)",
        ),
        (
            "recipient: user_id\nprofile: {email: a, email: b}\n",
            "line 2: key 'email' is given twice (first on line 2)",
        ),
    ],
)
def test_a_yaml_key_given_twice_is_an_error_naming_it_and_its_line(
    tmp_path: Path, text: str, said: str
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as raised:
        Mapping.load(mapping)
    assert said in str(raised.value)


def test_a_json_key_given_twice_is_an_error_naming_it_and_its_line(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        '{\n  "recipient": "user_id",\n  "profile": {\n    "email": "email",\n'
        '    "phone_number": {"email": 1},\n    "email": "mail"\n  }\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match="line 6: key 'email' is given twice in one object"):
        Mapping.load(mapping)
    # The same key in different objects is no duplicate.
    fine = tmp_path / "fine.json"
    fine.write_text(
        '{"recipient": "user_id", "profile": {"email": "email"}, "to": {"email": "email"}}', encoding="utf-8"
    )
    assert Mapping.load(fine).column_of("to.email") == "email"


def test_a_huge_mapping_file_is_refused_unread(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "recipient: user_id\n" + "# padding\n" * (MAX_MAPPING_BYTES // 10 + 1), encoding="utf-8"
    )
    with pytest.raises(MappingError, match=f"larger than the {MAX_MAPPING_BYTES:,} bytes"):
        Mapping.load(mapping)


def test_a_mapping_path_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pipe = tmp_path / "mapping.yaml"
    os.mkfifo(pipe)
    raised = finishes(lambda: Mapping.load(pipe))
    assert isinstance(raised, MappingError)
    assert "is a named pipe (FIFO)" in str(raised)


@pytest.mark.parametrize("name", ["mapping.yaml", "mapping.json"])
def test_a_mapping_nested_beyond_any_use_is_a_mapping_error(tmp_path: Path, name: str) -> None:
    mapping = tmp_path / name
    mapping.write_text('{"recipient": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(MappingError, match="nests its values too deeply"):
        Mapping.load(mapping)


# --- wide files --------------------------------------------------------------------------------------


def _checked(code: int) -> None:
    assert code == 0


def wide_csv(path: Path, columns: int) -> Path:
    header = ["user_id", "email", *(f"c{i}" for i in range(columns - 2))]
    rows = [[f"u{r}", f"user{r}@example.com", *(f"v{r}" for _ in range(columns - 2))] for r in range(3)]
    path.write_text("\n".join(",".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_20000_column_file_checks_in_linear_time(tmp_path: Path) -> None:
    # 336 s for 100,000 columns when some steps were quadratic. The check of 20,000 columns is held
    # to the CPU time of 2,000, not to seconds that a busy machine would miss.
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: user_id\nprofile:\n  email: email\n", encoding="utf-8")

    def check(columns: int) -> Callable[[], None]:
        source, out = wide_csv(tmp_path / f"wide{columns}.csv", columns), tmp_path / f"checked{columns}.csv"
        return lambda: _checked(main(["check", str(source), "--mapping", str(mapping), "--out", str(out)]))

    assert_linear(check(2_000), check(20_000), warm_up=check(200))
    out = tmp_path / "checked20000.csv"
    results = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    # bulk_row, the file's columns, then bulk_user and the other bulk_* columns of a check
    assert results.shape == (3, 1 + 20_000 + len([c for c in results.columns if c.startswith("bulk_")]) - 1)
    assert {"bulk_user", "bulk_status", "bulk_error"} <= set(results.columns)
    assert results["c19997"].tolist() == ["v0", "v1", "v2"]
    assert results["bulk_status"].tolist() == ["ready"] * 3


def test_a_wide_file_is_read_the_same_by_both_parsers(tmp_path: Path) -> None:
    source = wide_csv(tmp_path / "wide.csv", 1500)
    fast, plain = read_csv(source), read_csv(source, _fast=False)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast.shape == (3, 1501)


def test_a_file_wider_than_the_limit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "too_wide.csv"
    source.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n" + "x\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: c0\n", encoding="utf-8")
    done = bulkprep_cli("check", str(source), "--mapping", str(mapping))
    assert done.returncode == 2, done.stderr
    assert f"has {MAX_COLUMNS + 1:,} columns on line 1, more than the {MAX_COLUMNS:,}" in done.stderr
    # Delimiters inside quotes are no columns.
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('id,note\n1,"' + "," * (MAX_COLUMNS + 5) + '"\n', encoding="utf-8")
    assert read_csv(quoted)["note"].str.len().tolist() == [MAX_COLUMNS + 5]


# --- formulas in semicolon-splitting spreadsheets ----------------------------------------------------

SPLIT_ATTACKS = [
    "x;=cmd|' /C calc'!A0;y",
    "Ann; =1+1",
    'a;"=HYPERLINK(""http://example.com"")"',
    "a;+442079460958",
    "a;-1+cmd|' /C calc'!A0",
    "a;@SUM(A1:A9)",
    "a;\t=1+1",
    "=1;=2",
    # Even a number: the piece a spreadsheet splits off runs on past the cell's end, into the next cells.
    "1;-12,5",
    "a;-3",
]
SPLIT_SAFE = ["Smith; Ann", "1;12,5", "a;b=c", "a;", ";", "a, =1", "a,-1", "plain"]


def semicolon_fields(path: Path) -> list[str]:
    """Every field a spreadsheet splitting on semicolons sees in the file (honouring quotes it sees)."""
    text = path.read_text(encoding="utf-8-sig")
    return [
        field
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=False)
        for field in row
    ]


def test_cells_that_become_formulas_when_split_on_semicolons_are_guarded(tmp_path: Path) -> None:
    cells = SPLIT_ATTACKS + SPLIT_SAFE
    frame = pd.DataFrame(
        {
            "bulk_row": range(2, 2 + len(cells)),
            "name": cells,
            "note": ["x"] * len(cells),
            "bulk_user": [{"data": {"note": cell}} for cell in cells],
        }
    )
    path = write_results_csv(frame, tmp_path / "results.csv")
    for field in semicolon_fields(path):
        assert not is_formula(field.lstrip(' "')), field
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["name"].tolist() == [guard_text(cell) for cell in cells]
    assert back["name"].tolist()[len(SPLIT_ATTACKS) :] == SPLIT_SAFE  # normal values are left as they are
    # The JSON of a payload keeps its meaning exactly: a ; before a formula is escaped, not guarded.
    assert [json.loads(user)["data"]["note"] for user in back["bulk_user"]] == cells
    assert back["bulk_user"].iloc[-1] == '{"data":{"note":"plain"}}'


def test_a_header_split_on_semicolons_is_guarded(tmp_path: Path) -> None:
    path = write_results_csv(pd.DataFrame({"id;=cmd|' /C calc'!A0": ["1"]}), tmp_path / "results.csv")
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == "id;'=cmd|' /C calc'!A0"


def test_check_writes_results_a_semicolon_spreadsheet_opens_safely(tmp_path: Path) -> None:
    users, mapping = users_with_extra(tmp_path, '{"a": 1}', '{"a": 2}')
    frame = pd.read_csv(users, dtype=str)
    frame["user_id"] = ["x;=cmd|' /C calc'!A0;y", "u2"]
    frame.to_csv(users, index=False)
    out = tmp_path / "checked.csv"
    done = bulkprep_cli("check", str(users), "--mapping", str(mapping), "--out", str(out))
    assert done.returncode == 0, done.stderr
    fields = semicolon_fields(out)
    assert "'=cmd|' /C calc'!A0" in fields
    assert not any(is_formula(field.lstrip(' "')) for field in fields)


def test_a_mapping_file_that_is_not_utf8_is_a_mapping_error(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes("recipient: user_id\ndata:\n  city: Città\n".encode("latin-1"))
    with pytest.raises(MappingError, match=r"is not UTF-8 text \(invalid continuation byte at byte 37\)"):
        Mapping.load(mapping)


def test_an_output_whose_reader_went_away_ends_without_a_traceback(tmp_path: Path) -> None:
    """``bulkprep check ... | head -1``: the pipe closes before the summary; the exit status is kept."""
    users, mapping = users_with_extra(tmp_path, *(["{}"] * 5))
    env = {k: v for k, v in os.environ.items() if k not in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")}
    env |= {"PYTHONPATH": ROOT, "PYTHONUNBUFFERED": "1"}  # each line written at once, into the closed pipe
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bulkprep.cli", "check", str(users), "--mapping", str(mapping)],
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr, done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == 0  # the status the check earned: every row is ready


def test_a_fifo_given_to_update_is_refused_without_opening_it(fifo: Path) -> None:
    raised = finishes(lambda: read_results(fifo))
    assert isinstance(raised, ConfigurationError)
    assert "is a named pipe (FIFO)" in str(raised)
