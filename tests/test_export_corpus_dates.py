"""The export corpus's dates, held: every date column is read by its own convention.

For each file with a date target, the mapping as the corpus writes it (``cast: date``, no
``dayfirst``) is applied to the file as bulkprep reads it, and every planted date outcome holds:
a ``ready`` record sends exactly its expected ``YYYY-MM-DD`` date (US ``M/D/YYYY`` in Salesforce and
Excel en-US, German dotted dates, a UK-locale sheet's ``dd/mm/yyyy``, ISO with times), and a record
planted with an impossible date (``2/30/2024``, ``31.02.2023``) fails that date's cast.
"""

from __future__ import annotations

import csv

import pytest
from export_corpus import CORPUS, corpus_module

from bulkprep import Mapping, read_csv
from bulkprep.casts import Cast
from bulkprep.mapping import ColumnSource

LAYOUTS = {layout.name: layout for layout in corpus_module("make_exports").layouts() if layout.date_target}


def _expected(name: str) -> list[dict[str, str]]:
    with open(CORPUS / "expected" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_files_with_dates_are_the_ones_the_work_is_about() -> None:
    assert {
        "excel_de_semicolon_cp1252",
        "excel_csv_utf8_bom",
        "salesforce_contacts_report",
        "hubspot_contacts",
        "google_sheets_app_users",
    } <= set(LAYOUTS)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_planted_date_holds(name: str) -> None:
    layout = LAYOUTS[name]
    mapping = Mapping.load(CORPUS / f"{name}.mapping.yaml")
    source = mapping.sources[layout.date_target]
    assert isinstance(source, ColumnSource)
    assert source.cast is Cast.DATE
    assert source.dayfirst is None, "the column's own dates decide"
    mapped = mapping.apply(read_csv(CORPUS / layout.file_name))
    dates = mapped.targets[layout.date_target]
    date_errors = mapped.errors[mapped.errors["field"] == layout.date_target]
    failed = dict(zip(date_errors["bulk_row"], date_errors["code"], strict=True))
    checked = 0
    planted_failures = set()
    for row in _expected(name):
        line = int(row["line"])
        if row["status"] == "ready" and row["date"]:
            assert dates.loc[line] == row["date"], row
            assert line not in failed, row
            checked += 1
        elif row["code"] == "cast_failed":
            assert failed.get(line) == "cast_failed", row
            assert dates.loc[line] is None
            planted_failures.add(line)
    assert checked >= 15
    # No date fails unless planted to, on records invalid for another reason too (their dates
    # are not sent, but they are read all the same).
    assert set(failed) == planted_failures
