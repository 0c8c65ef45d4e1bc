"""The sample files in ``data/``: their bytes are as documented, and prepare finds every planted problem.

``data/users_messy.expected.csv`` lists each planted problem with its line, the status the row must
end in and the error code it must get; these tests hold bulkprep to that list in both directions:
every planted problem is reported where it was planted, and nothing else is.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import phonenumbers
import pytest

from bulkprep.mapping import Mapping
from bulkprep.prepare import Prepared, prepare
from bulkprep.read import read_csv

DATA = Path(__file__).resolve().parent.parent / "data"
MESSY = DATA / "users_messy.csv"
CLEAN = DATA / "users_clean.csv"
EXPECTED = DATA / "users_messy.expected.csv"
COLUMNS = [
    "User ID", "Email", "First Name", "Last Name", "Phone", "Country", "Plan", "Signup Date",
    "Newsletter", "Attributes", "Notes",
]  # fmt: skip
MESSY_RECORDS = 315  # records after the header, blank lines not counted
BLANK_LINES = 2
# Where the mapping puts each column that planted values are checked in.
PAYLOAD_PATH: dict[str, tuple[str, ...]] = {
    "User ID": ("recipient",),
    "First Name": ("data", "first_name"),
    "Last Name": ("data", "last_name"),
    "Notes": ("data", "notes"),
}
COSMETIC_EMAIL = {
    "email_capitals",
    "email_spaces",
    "email_nbsp",
    "email_capitals_and_spaces",
    "email_display_name",
}

with EXPECTED.open(encoding="utf-8", newline="") as _handle:
    PLANTED: list[dict[str, str]] = list(csv.DictReader(_handle))


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", DATA / "make_sample_data.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _user(rows: pd.DataFrame, record: dict[str, str]) -> Any:
    """The Courier user built for the row a planted record points at."""
    return rows.at[int(record["line"]), "bulk_user"]


def _records(raw: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode(encoding), newline="")))


@pytest.fixture(scope="module")
def messy() -> Prepared:
    return prepare(read_csv(MESSY), DATA / "users_messy.mapping.yaml")


@pytest.fixture(scope="module")
def messy_rows(messy: Prepared) -> pd.DataFrame:
    return messy.df.set_index("bulk_row", drop=False)


# --- the files themselves ------------------------------------------------------------------------------


def test_messy_file_is_utf8_with_bom_and_crlf() -> None:
    raw = MESSY.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    # Every line ends in CRLF, except the line break typed inside the one multi-line cell.
    bare_lf = [m.start() for m in re.finditer(r"(?<!\r)\n", text)]
    assert len(bare_lf) == 1
    assert text.count("\r\n") == MESSY_RECORDS + BLANK_LINES + 1
    records = _records(raw, "utf-8-sig")
    assert records[0] == COLUMNS
    assert sum(1 for r in records[1:] if "".join(r).strip()) == MESSY_RECORDS


def test_clean_file_is_utf8_without_bom_and_lf() -> None:
    raw = CLEAN.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    records = _records(raw, "utf-8")
    assert records[0] == COLUMNS
    assert len(records) == 21
    assert all(len(record) == len(COLUMNS) for record in records)


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    generator = _load_generator()
    rows = generator.build_messy_rows()
    generator.write_rows(rows, tmp_path / "messy.csv", bom=True, newline="\r\n")
    generator.write_expected(generator.expected_records(rows), tmp_path / "expected.csv")
    generator.write_rows(generator.clean_rows(), tmp_path / "clean.csv", bom=False, newline="\n")
    assert (tmp_path / "messy.csv").read_bytes() == MESSY.read_bytes()
    assert (tmp_path / "expected.csv").read_bytes() == EXPECTED.read_bytes()
    assert (tmp_path / "clean.csv").read_bytes() == CLEAN.read_bytes()


def test_readme_states_the_totals_prepare_gives(messy: Prepared) -> None:
    readme = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    ready, invalid, duplicate = (messy.summary[s] for s in ("ready", "invalid", "duplicate"))
    assert f"{ready} ready, {invalid} invalid, {duplicate} duplicate" in readme
    assert f"Totals: {MESSY_RECORDS} records and {BLANK_LINES} blank lines" in readme


def test_readme_lists_every_planted_line() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for record in PLANTED:
        assert re.search(rf"\b{record['line']}\b", readme), record


@pytest.mark.parametrize(
    ("line", "column", "value"),
    [
        (int(r["line"]), r["column"], r["value"])
        for r in PLANTED
        if r["column"] and r["expected_status"] != "skipped"
    ],
)
def test_planted_values_are_in_the_file_as_listed(line: int, column: str, value: str) -> None:
    frame = read_csv(MESSY).set_index("bulk_row")
    cell = frame.loc[line, column]
    assert (cell if isinstance(cell, str) else "") == value


# --- what prepare makes of them --------------------------------------------------------------------------


def test_counts_add_up(messy: Prepared) -> None:
    invalid = {r["line"] for r in PLANTED if r["expected_status"] == "invalid"}
    duplicate = {r["line"] for r in PLANTED if r["expected_status"] == "duplicate"}
    assert len(messy.df) == MESSY_RECORDS
    assert messy.blank_rows == BLANK_LINES
    assert messy.summary == {
        "ready": MESSY_RECORDS - len(invalid) - len(duplicate),
        "invalid": len(invalid),
        "duplicate": len(duplicate),
    }
    assert sum(messy.summary.values()) == len(messy.df)


def test_only_planted_rows_have_problems(messy: Prepared) -> None:
    planted = {int(r["line"]) for r in PLANTED if r["expected_status"] in ("invalid", "duplicate")}
    assert set(messy.errors["bulk_row"]) == planted
    assert set(messy.problems["bulk_row"]) == planted


@pytest.mark.parametrize("record", PLANTED, ids=lambda r: f"line{r['line']}-{r['problem']}")
def test_planted_problem_is_reported_where_it_was_planted(
    record: dict[str, str], messy: Prepared, messy_rows: pd.DataFrame
) -> None:
    line = int(record["line"])
    if record["expected_status"] == "skipped":
        assert line not in messy_rows.index
        return
    row = messy_rows.loc[line]
    assert row["bulk_status"] == record["expected_status"], row["bulk_error"]
    codes = messy.errors.loc[messy.errors["bulk_row"] == line]
    if record["expected_code"]:
        assert record["expected_code"] in set(codes["code"])
        found = codes.loc[codes["code"] == record["expected_code"]].iloc[0]
        if record["column"] and record["expected_code"] != "duplicate_user":
            assert found["column"] == record["column"]
        assert row["bulk_error"]  # a readable reason on the row itself
    else:
        assert codes.empty
        assert pd.isna(row["bulk_error"])
    if record["duplicate_of_line"]:
        assert row["bulk_duplicate_of"] == int(record["duplicate_of_line"])
        kept = messy_rows.loc[int(record["duplicate_of_line"])]
        assert kept["bulk_status"] == "ready"


@pytest.mark.parametrize(
    "record",
    [r for r in PLANTED if r["expected_status"] == "ready" and r["column"] in PAYLOAD_PATH],
    ids=lambda r: f"line{r['line']}-{r['problem']}",
)
def test_odd_values_reach_the_payload_as_written(record: dict[str, str], messy_rows: pd.DataFrame) -> None:
    value = _user(messy_rows, record)
    for key in PAYLOAD_PATH[record["column"]]:
        value = value[key]
    assert value == record["value"]


def test_formula_in_json_attributes_is_kept(messy_rows: pd.DataFrame) -> None:
    (record,) = [r for r in PLANTED if r["problem"] == "formula_like" and r["column"] == "Attributes"]
    attributes = _user(messy_rows, record)["data"]["attributes"]
    assert attributes["source"].startswith("+cmd|")


@pytest.mark.parametrize(
    "record",
    [r for r in PLANTED if r["problem"] in COSMETIC_EMAIL],
    ids=lambda r: f"line{r['line']}-{r['problem']}",
)
def test_messy_but_valid_emails_are_cleaned(record: dict[str, str], messy_rows: pd.DataFrame) -> None:
    email = _user(messy_rows, record)["profile"]["email"]
    address = record["value"].split("<")[-1].strip(" \t\u00a0>")
    local, domain = address.rsplit("@", 1)
    assert email == f"{local}@{domain.lower()}"


def test_every_ready_phone_is_e164(messy_rows: pd.DataFrame) -> None:
    ready = messy_rows[messy_rows["bulk_status"] == "ready"]
    phones = [
        user["profile"]["phone_number"] for user in ready["bulk_user"] if "phone_number" in user["profile"]
    ]
    assert len(phones) > 200
    for phone in phones:
        assert phone.startswith("+")
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone


def test_national_phone_is_read_in_its_rows_country(messy_rows: pd.DataFrame) -> None:
    # The mapping's region_column reads "07406 194974" on a UK row as a UK number; with the default
    # region US alone it is not a valid number (the row was invalid before the mapping named Country).
    (record,) = [r for r in PLANTED if r["problem"] == "phone_without_country_code"]
    row = messy_rows.loc[int(record["line"])]
    assert row["Country"] in {"GB", "UK", "United Kingdom"}
    assert row["bulk_status"] == "ready"
    assert row["bulk_user"]["profile"]["phone_number"] == "+44" + record["value"].replace(" ", "")[1:]
    without_region_column = prepare(read_csv(MESSY), {"profile": {"phone_number": "Phone"}}, region="US")
    alone = without_region_column.df.set_index("bulk_row").loc[int(record["line"])]
    assert alone["bulk_status"] == "invalid"


def test_every_sample_mapping_reads_phones_in_the_rows_country() -> None:
    for path in sorted(DATA.glob("*.mapping.yaml")):
        assert Mapping.load(path).to_dict()["profile"]["phone_number"] == {
            "column": "Phone",
            "region_column": "Country",
        }, path


def test_leading_zero_ids_stay_text(messy_rows: pd.DataFrame) -> None:
    ready = messy_rows[messy_rows["bulk_status"] == "ready"]
    ids = [user["recipient"] for user in ready["bulk_user"] if "recipient" in user]
    assert all(isinstance(uid, str) and len(uid) == 6 for uid in ids)
    assert "000042" in ids


def test_clean_file_is_all_ready() -> None:
    prepared = prepare(read_csv(CLEAN), DATA / "users_clean.mapping.yaml")
    assert prepared.summary == {"ready": 20, "invalid": 0, "duplicate": 0}
    assert prepared.errors.empty
    users = prepared.df["bulk_user"].tolist()
    assert all(user["data"]["source"] == "sample-data" for user in users)
    assert all(isinstance(user["data"]["newsletter"], bool) for user in users)
    assert all(isinstance(user["data"]["attributes"], dict) for user in users)
