"""read_csv hands workbooks to read_excel: by a path's suffix, or by the bytes of an open file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bulkprep import prepare, read_csv, read_info
from bulkprep.cli import main
from bulkprep.errors import ConfigurationError

openpyxl = pytest.importorskip("openpyxl")


def write_contacts(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(["Record ID", "Email", "Phone Number"])
    sheet.append([51234567801, "ann@example.com", "+1 201 555 0101"])
    sheet.append([51234567802, "bob@example.com", None])
    other = book.create_sheet("Notes")
    other.append(["note"])
    other.append(["not users"])
    book.save(path)
    return path


def test_a_workbook_path_is_read_with_sheet_row_numbers_and_ids_as_digits(tmp_path: Path) -> None:
    frame = read_csv(write_contacts(tmp_path / "contacts.XLSX"))
    assert frame["bulk_row"].tolist() == [2, 3]
    assert frame["Record ID"].tolist() == ["51234567801", "51234567802"]
    assert read_info(frame).source.endswith("contacts.XLSX")
    prepared = prepare(frame, {"recipient": "Record ID", "profile": {"email": "Email"}})
    assert prepared.summary == {"ready": 2, "invalid": 0, "duplicate": 0}
    assert prepared.df["bulk_user"].tolist()[0] == {
        "recipient": "51234567801",
        "profile": {"email": "ann@example.com"},
    }


def test_a_workbook_in_an_open_file_or_saved_as_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = write_contacts(tmp_path / "contacts.xlsx")
    with path.open("rb") as handle:
        assert read_csv(handle, sheet="Notes")["note"].tolist() == ["not users"]
    disguised = tmp_path / "contacts.csv"
    disguised.write_bytes(path.read_bytes())
    assert read_csv(disguised)["Email"].tolist() == ["ann@example.com", "bob@example.com"]


def test_a_sheet_for_a_csv_file_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="has no sheets"):
        read_csv(io.BytesIO(b"a,b\n1,2\n"), sheet="Users")


def test_check_reads_a_workbook_sheet_and_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_contacts(tmp_path / "contacts.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("recipient: Record ID\nprofile:\n  email: Email\n", encoding="utf-8")
    status = main(
        ["check", str(path), "--mapping", str(mapping), "--sheet", "0", "--out", str(tmp_path / "r.csv")]
    )
    printed = capsys.readouterr().out
    assert status == 0
    assert "2 rows (sheet 'Contacts' of 2" in printed
    results = read_csv(tmp_path / "r.csv")
    assert results["Record ID"].tolist() == ["51234567801", "51234567802"]
    assert main(["check", str(path), "--mapping", str(mapping), "--sheet", "Users"]) == 2
    assert "Contacts" in capsys.readouterr().err


def test_check_says_what_it_undid_in_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exports = Path(__file__).parent / "fixtures" / "exports"
    report = exports / "salesforce_contacts_report.csv"
    out = tmp_path / "r.csv"
    main(
        [
            "check",
            str(report),
            "--mapping",
            str(exports / "salesforce_contacts_report.mapping.yaml"),
            "--out",
            str(out),
        ]
    )
    first = capsys.readouterr().out.splitlines()[0]
    assert "salesforce_report layout" in first
    assert "6 report footer lines dropped" in first
