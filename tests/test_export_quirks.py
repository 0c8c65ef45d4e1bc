"""The planted outcomes of the export corpus that intake is responsible for.

Shopify's text-marker apostrophes, Salesforce's report footer, the one Windows-1252 line of a UTF-8
file, and the layout each export is recognized as (tests/fixtures/exports/README.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bulkprep import Mapping, prepare
from bulkprep.read import read_changes, read_csv, read_errors, read_info

CORPUS = Path(__file__).parent / "fixtures" / "exports"


def _expected(name: str) -> list[dict[str, str]]:
    with open(CORPUS / "expected" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sent(user: dict[str, object], path: str) -> str:
    node: object = user
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return ""
        node = node[part]
    return str(node)


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("mailchimp_audience", "mailchimp"),
        ("hubspot_contacts", "hubspot"),
        ("salesforce_contacts_report", "salesforce_report"),
        ("shopify_customers_export", "shopify"),
        ("stripe_customers", "stripe"),
        ("klaviyo_profiles", "klaviyo"),
        ("excel_de_semicolon_cp1252", None),
        ("excel_csv_utf8_bom", None),
        ("google_sheets_app_users", None),
        ("b2b_shared_switchboard", None),
        ("mixed_encoding_utf8_one_cp1252_byte", None),
    ],
)
def test_each_export_is_recognized_as_its_layout(name: str, layout: str | None) -> None:
    assert read_info(read_csv(CORPUS / f"{name}.csv")).layout == layout


def test_shopify_ids_phones_and_zips_are_sent_without_the_apostrophe() -> None:
    name = "shopify_customers_export"
    frame = read_csv(CORPUS / f"{name}.csv")
    result = prepare(frame, Mapping.load(CORPUS / f"{name}.mapping.yaml"), region="US")
    rows = result.df.set_index("bulk_row")
    expected = _expected(name)
    for want in expected:
        row = rows.loc[int(want["line"])]
        assert row["bulk_status"] == want["status"], want
        if want["status"] == "ready":
            user = row["bulk_user"]
            got = (
                _sent(user, "recipient"),
                _sent(user, "profile.email"),
                _sent(user, "profile.phone_number"),
            )
            assert got == (want["recipient"], want["email"], want["phone"]), want
    cells = frame.drop(columns="bulk_row").stack().dropna().tolist()
    assert not [cell for cell in cells if cell[:1] == "'" and cell[1:2].isdigit()]
    assert frame["Default Address Zip"].dropna().str.startswith("0").any()  # ZIPs keep their zeros
    stripped = read_changes(frame)
    assert set(stripped["column"]) == {"Customer ID", "Default Address Zip", "Default Address Phone", "Phone"}
    assert (stripped["original"].str[1:] == stripped["normalized"]).all()
    # The reader's changes come first in prepare's changes, before normalization's.
    reader_rows = result.changes[result.changes["field"].isna()]
    assert len(reader_rows) == len(stripped)


def test_salesforce_footer_lines_are_skipped_not_users() -> None:
    name = "salesforce_contacts_report"
    frame = read_csv(CORPUS / f"{name}.csv")
    expected = _expected(name)
    skipped = {int(row["line"]) for row in expected if row["status"] == "skipped"}
    users = {int(row["line"]) for row in expected if row["status"] != "skipped"}
    assert len(skipped) == 6
    assert set(frame["bulk_row"]) == users
    assert read_errors(frame).empty
    info = read_info(frame)
    assert (info.footer_rows, info.blank_rows) == (len(skipped), 0)


def test_the_windows_1252_line_of_a_utf8_file_is_repaired() -> None:
    name = "mixed_encoding_utf8_one_cp1252_byte"
    frame = read_csv(CORPUS / f"{name}.csv")
    info = read_info(frame)
    expected = _expected(name)
    planted = [int(row["line"]) for row in expected if "cp1252" in row["why"]]
    assert (info.encoding, info.repaired_lines) == ("utf-8", tuple(planted))
    emails = dict(zip(frame["bulk_row"], frame["email"], strict=True))
    assert {int(row["line"]): row["email"] for row in expected} == emails  # every address as written
    assert not any("Ã" in cell for cell in frame.drop(columns="bulk_row").stack().dropna().tolist())
    assert read_errors(frame).empty
    # The repaired row is sent as the corpus expects (its number is Spanish: read in ES here).
    result = prepare(frame, Mapping.load(CORPUS / f"{name}.mapping.yaml"), region="ES")
    row = result.df.set_index("bulk_row").loc[planted[0]]
    want = next(row for row in expected if int(row["line"]) == planted[0])
    assert row["bulk_status"] == "ready"
    assert (_sent(row["bulk_user"], "profile.email"), _sent(row["bulk_user"], "profile.phone_number")) == (
        want["email"],
        want["phone"],
    )
    changes = read_changes(frame)
    assert changes[changes["column"] == "email"][["bulk_row", "original", "normalized"]].values.tolist() == [
        [planted[0], "jos\\xe9.garcia@example.com", "josé.garcia@example.com"]
    ]
