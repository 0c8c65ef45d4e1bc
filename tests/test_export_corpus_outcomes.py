"""Every planted outcome of the real-layout export corpus holds: status, and the exact values sent.

``tests/fixtures/exports/score.py`` measures the corpus record by record; here every file must score
all its records right, and no row may be ready with a value other than the expected one.
"""

from __future__ import annotations

import pandas as pd
import pytest
from export_corpus import CORPUS, corpus_module

from bulkprep import Mapping, prepare, read_csv, read_excel

SCORE = corpus_module("score")


@pytest.mark.parametrize("layout", SCORE.make_exports.layouts(), ids=lambda layout: layout.name)
def test_every_record_of_the_export_has_its_planted_outcome(layout: object) -> None:
    records, status_right, all_right, silently_wrong = SCORE.score(layout)
    assert silently_wrong == 0
    assert (status_right, all_right) == (records, records)


def test_the_workbook_export_is_sent_as_its_sheet_shows_it() -> None:
    # HubSpot's XLSX: ids are number cells, a ZIP a zero-padded number cell, dates date cells.
    path = CORPUS / "hubspot_contacts_xlsx.xlsx"
    frame = read_excel(path)
    pd.testing.assert_frame_equal(frame, read_csv(path))  # read_csv hands a workbook to read_excel
    prepared = prepare(frame, Mapping.load(CORPUS / "hubspot_contacts_xlsx.mapping.yaml"), region="US")
    rows = prepared.df.set_index("bulk_row")
    ready = rows[rows["bulk_status"] == "ready"]
    recipients = [user["recipient"] for user in ready["bulk_user"] if "recipient" in user]
    assert len(recipients) == len(ready) - 1  # one contact's Record ID cell is blank
    assert all(isinstance(uid, str) and uid.isdigit() and len(uid) == 11 for uid in recipients)
    zips = {line: rows.loc[line, "bulk_user"]["data"]["postal_code"] for line in (3, 13)}
    assert zips == {3: "02134", 13: "02139"}  # a text cell, and a number cell formatted 00000
    assert rows.loc[18, "bulk_user"]["data"]["created"] == "2024-02-29"  # a date cell without a time
    assert rows.loc[17, "bulk_status"] == "invalid"
    assert "7.53E+09" in rows.loc[17, "bulk_error"]
