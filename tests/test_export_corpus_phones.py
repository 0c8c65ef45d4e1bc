"""The planted phone outcomes of the real-layout export corpus hold when phones are read by country.

Every file of ``tests/fixtures/exports/`` is read with bulkprep's own detection and prepared with
its mapping, its default region and its country column (the column its mapping file names in a
``region_column`` comment, passed to :func:`bulkprep.prepare` here). Then, record by record:

- a record expected ``ready`` is sent with exactly the expected phone (or none), with no phone
  problem, whatever else the row's status is decided by (dates, duplicates);
- a record expected ``invalid_phone``, ``unknown_country`` or ``ambiguous_phone_region`` has that
  problem on its phone, and is invalid;
- no other record has a phone problem (but for a phone a spreadsheet turned into ``7.53E+09``).

Placeholders in a phone cell (``n/a``, ``-``) are left out: treating them as empty is a rule of its
own, not of reading a number in its country.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping as AbcMapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from export_corpus import export_file

from bulkprep import Mapping, prepare, read_csv
from bulkprep.courier import looks_scientific
from bulkprep.report import ErrorCode

CORPUS = Path(__file__).parent / "fixtures" / "exports"
PHONE = "profile.phone_number"
PHONE_CODES = {
    ErrorCode.INVALID_PHONE.value,
    ErrorCode.EXCEL_MANGLED_NUMBER.value,
    ErrorCode.UNKNOWN_COUNTRY.value,
    ErrorCode.AMBIGUOUS_PHONE_REGION.value,
}
# The planted codes that reading a number in its row's country decides.
PLANTED = PHONE_CODES - {ErrorCode.EXCEL_MANGLED_NUMBER.value}
PLACEHOLDERS = {"n/a", "-", "—", "none", "null"}

# Each file's country column and default region (as its mapping file's comments say).
FILES: dict[str, tuple[str, str]] = {
    "mailchimp_audience": ("CC", "US"),
    "hubspot_contacts": ("Country/Region", "US"),
    "hubspot_contacts_xlsx": ("Country/Region", "US"),
    "salesforce_contacts_report": ("Mailing Country", "US"),
    "shopify_customers_export": ("Default Address Country Code", "US"),
    "stripe_customers": ("Address Country", "US"),
    "klaviyo_profiles": ("Country", "US"),
    "excel_de_semicolon_cp1252": ("Land", "DE"),
    "excel_csv_utf8_bom": ("Country", "US"),
    "google_sheets_app_users": ("country", "GB"),
    "b2b_shared_switchboard": ("Country", "US"),
    "mixed_encoding_utf8_one_cp1252_byte": ("country", "US"),
}


def _expected(name: str) -> list[dict[str, str]]:
    with open(CORPUS / "expected" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sent_phone(user: Any) -> str:
    profile = user.get("profile") if isinstance(user, AbcMapping) else None
    return str(profile.get("phone_number", "")) if isinstance(profile, AbcMapping) else ""


def test_every_file_of_the_corpus_is_here_with_the_column_its_mapping_names() -> None:
    assert sorted(FILES) == sorted(
        path.name.removesuffix(".mapping.yaml") for path in CORPUS.glob("*.mapping.yaml")
    )
    for name, (column, region) in FILES.items():
        text = (CORPUS / f"{name}.mapping.yaml").read_text(encoding="utf-8")
        named = Mapping.load(CORPUS / f"{name}.mapping.yaml").region_columns().get(PHONE)
        assert named == column, name
        assert f"Run with region {region}" in text or region == "US", name


def _outcomes(name: str) -> tuple[pd.DataFrame, dict[int, set[str]], str]:
    column, region = FILES[name]
    frame = read_csv(export_file(name))
    mapping = Mapping.load(CORPUS / f"{name}.mapping.yaml")
    prepared = prepare(frame, mapping, region=region, region_column=column)
    phone_column = mapping.column_of(PHONE)
    assert phone_column is not None
    problems: dict[int, set[str]] = {}
    on_phone = prepared.errors[
        (prepared.errors["field"] == PHONE) & prepared.errors["code"].isin(PHONE_CODES)
    ]
    for row, code in zip(on_phone["bulk_row"], on_phone["code"], strict=True):
        problems.setdefault(int(row), set()).add(str(code))
    return prepared.df.set_index("bulk_row"), problems, phone_column


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_planted_phone_outcomes_hold(name: str) -> None:
    rows, problems, phone_column = _outcomes(name)
    checked = 0
    for want in _expected(name):
        line = int(want["line"])
        if want["status"] == "skipped" or line not in rows.index:
            continue
        raw = rows.loc[line, phone_column]
        if isinstance(raw, str) and raw.strip().lower() in PLACEHOLDERS:
            continue
        found = problems.get(line, set())
        why = f"line {line} ({want['why']}): phone {raw!r}"
        if want["status"] == "ready":
            assert not found, f"{why}: {found}"
            assert _sent_phone(rows.loc[line, "bulk_user"]) == want["phone"], why
        elif want["code"] in PLANTED:
            assert want["code"] in found, f"{why}: {found or 'no phone problem'}"
            assert rows.loc[line, "bulk_status"] == "invalid", why
        elif not (isinstance(raw, str) and looks_scientific(raw)):  # a mangled phone is still one
            assert not found, f"{why}: {found}"
        checked += 1
    assert checked >= 15


def test_the_corpus_plants_every_phone_rule() -> None:
    planted: dict[str, int] = {}
    for name in FILES:
        for want in _expected(name):
            if want["code"] in PLANTED:
                planted[want["code"]] = planted.get(want["code"], 0) + 1
    assert planted.get(ErrorCode.UNKNOWN_COUNTRY.value, 0) >= 4
    assert planted.get(ErrorCode.AMBIGUOUS_PHONE_REGION.value, 0) >= 5
