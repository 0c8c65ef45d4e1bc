"""Tests of the workbook intake stage on real workbooks: written here with openpyxl (.xlsx) and odfpy (.ods),
and the committed .xls from tests/fixtures/make_xls_fixture.py. openpyxl is also the reference reader."""

from __future__ import annotations

import datetime
import io
import re
import runpy
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from odf.number import NumberStyle, ScientificNumber
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style
from odf.table import Table, TableCell, TableRow
from odf.text import P

from bulkprep.courier import looks_scientific
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.read import read_errors, read_info
from bulkprep.workbook import cell_text, read_excel

XLS_FIXTURE = Path(__file__).parent / "fixtures" / "workbooks" / "users.xls"
TEXT_DTYPE = pd.Series(["text"]).dtype  # the running pandas' default text dtype


def cells(df: pd.DataFrame) -> dict[tuple[int, str], str | None]:
    """Every cell of the file's columns by (bulk_row, column), missing cells as None."""
    return {
        (int(row), column): None if pd.isna(value) else value
        for row, record in df.set_index("bulk_row").iterrows()
        for column, value in record.items()
    }


def check_frame(df: pd.DataFrame, expected: dict[tuple[int, str], str | None], columns: list[str]) -> None:
    """``df`` has exactly ``columns`` (after bulk_row) and exactly the ``expected`` cells."""
    assert list(df.columns) == ["bulk_row", *columns]
    assert df["bulk_row"].dtype == np.int64
    for column in columns:
        assert df[column].dtype == TEXT_DTYPE, column
    assert cells(df) == expected


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The .xlsx ``data`` with the cached results of its formula cells filled in, as Excel saves them
    (openpyxl writes formulas without a result)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # the first sheet
                for ref, value in values.items():
                    pattern = rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/>'.encode()
                    content, count = re.subn(pattern, rb"\1\2<v>" + value.encode() + b"</v>", content)
                    assert count == 1, ref
            target.writestr(item, content)
    return out.getvalue()


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the .xlsx with every kind of cell ----------------------------------------------------------------


@pytest.fixture(scope="module")
def users_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Empty rows 1 and 2, a header with merged cells on row 3, data on rows 4, 5 and 7 (row 6 empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Users"
    # The header: "Name" merged over B3:C3 (C3 is empty in the file), a trailing column K styled only.
    for column, title in zip(
        "ABDEFGHIJ",
        ["user_id", "Name", "ZIP", "Joined", "Share", "Phone", "VIP", "Total", "Check"],
        strict=True,
    ):
        sheet[f"{column}3"] = title
    sheet.merge_cells("B3:C3")
    sheet["A4"] = 4915123456701234  # 16 digits: more than a spreadsheet keeps
    sheet["A4"].number_format = "0"
    sheet["B4"], sheet["C4"] = "Ada", "Lovelace"
    sheet["D4"] = "02134"
    sheet["D4"].number_format = "@"
    sheet["E4"] = datetime.date(2024, 3, 5)
    sheet["E4"].number_format = "yyyy-mm-dd"
    sheet["F4"] = 0.125
    sheet["F4"].number_format = "0%"
    sheet["G4"] = 7530000000
    sheet["G4"].number_format = "0.00E+00"
    sheet["H4"] = True
    sheet["I4"] = "=2+40"
    sheet["J4"] = "#N/A"
    sheet["J4"].data_type = "e"
    sheet["A5"] = 123456789012
    sheet["A5"].number_format = "0"
    sheet["B5"] = "  Grace "
    sheet["D5"] = 2134
    sheet["D5"].number_format = "00000"
    sheet["E5"] = datetime.datetime(2024, 3, 5, 12, 30, 15)
    sheet["F5"] = 0.5
    sheet["F5"].number_format = "0.00%"
    sheet["G5"] = 4915123456701
    sheet["H5"] = False
    sheet["I5"] = "=0.1+0.2"
    sheet["J5"] = "NA"
    sheet["K5"].number_format = "0"  # styled, never filled: the trailing empty column
    sheet["A7"] = "00042"
    sheet["G7"] = 12345678901234567890
    sheet["I7"] = 3.5
    book.create_sheet("Other")["A1"] = "other"
    data = with_cached_values(workbook_bytes(book), {"I4": "42", "I5": "0.30000000000000004"})
    path = tmp_path_factory.mktemp("xlsx") / "users.xlsx"
    path.write_bytes(data)
    return path


USERS_COLUMNS = ["user_id", "Name", "column_3", "ZIP", "Joined", "Share", "Phone", "VIP", "Total", "Check"]

USERS_EXPECTED: dict[tuple[int, str], str | None] = {
    (4, "user_id"): "4.915123456701234E+15",
    (4, "Name"): "Ada",
    (4, "column_3"): "Lovelace",
    (4, "ZIP"): "02134",
    (4, "Joined"): "2024-03-05",
    (4, "Share"): "13%",
    (4, "Phone"): "7.53E+09",
    (4, "VIP"): "TRUE",
    (4, "Total"): "42",
    (4, "Check"): "#N/A",
    (5, "user_id"): "123456789012",
    (5, "Name"): "  Grace ",
    (5, "column_3"): None,
    (5, "ZIP"): "02134",
    (5, "Joined"): "2024-03-05T12:30:15",
    (5, "Share"): "50.00%",
    (5, "Phone"): "4915123456701",
    (5, "VIP"): "FALSE",
    (5, "Total"): "0.3",
    (5, "Check"): "NA",
    (7, "user_id"): "00042",
    (7, "Name"): None,
    (7, "column_3"): None,
    (7, "ZIP"): None,
    (7, "Joined"): None,
    (7, "Share"): None,
    (7, "Phone"): "1.234567890123457E+19",  # the 16 digits openpyxl wrote to the file
    (7, "VIP"): None,
    (7, "Total"): "3.5",
    (7, "Check"): None,
}


def test_xlsx_cells_arrive_as_the_sheet_shows_them(users_xlsx: Path) -> None:
    df = read_excel(users_xlsx)
    check_frame(df, USERS_EXPECTED, USERS_COLUMNS)
    assert df["bulk_row"].tolist() == [4, 5, 7]


def test_xlsx_read_information(users_xlsx: Path) -> None:
    df = read_excel(users_xlsx)
    info = read_info(df)
    assert (info.source, info.encoding, info.delimiter) == (str(users_xlsx), None, None)
    assert info.blank_rows == 1  # row 6; rows 1 and 2, above the header, are not records
    assert info.renamed_columns == {"column_3": ""}
    assert info.error_count == 0
    assert read_errors(df).empty
    assert df.attrs["bulkprep"]["sheet"] == "Users"
    assert df.attrs["bulkprep"]["sheet_names"] == ["Users", "Other"]


def test_xlsx_numbers_agree_with_openpyxl(users_xlsx: Path) -> None:
    """Every whole number read as digits is the number openpyxl reads from the same cell."""
    assert cells(read_excel(users_xlsx)) == USERS_EXPECTED
    sheet = openpyxl.load_workbook(users_xlsx)["Users"]
    letters = dict(zip(USERS_COLUMNS, "ABCDEFGHIJ", strict=True))
    compared = 0
    for (row, column), text in USERS_EXPECTED.items():
        value = sheet[f"{letters[column]}{row}"].value
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            if text is not None and text.isdigit():
                assert int(text) == value, (row, column)
                compared += 1
            else:  # shown otherwise by the sheet's format, or too long to be exact
                assert text is not None
                assert text.endswith("%") or looks_scientific(text) or text.startswith("0"), (row, column)
    assert compared == 3  # A5, D5 (zero-padded), G5


def test_numbers_too_long_for_a_spreadsheet_are_flagged_not_made_up(users_xlsx: Path) -> None:
    df = read_excel(users_xlsx)
    long_values = [df["user_id"].iloc[0], df["Phone"].iloc[2]]
    assert all(looks_scientific(text) for text in long_values)
    # The digits the file holds, none invented: int() of the float would end in ...7168.
    assert "7168" not in long_values[1]


def test_sheet_by_name_and_position(users_xlsx: Path) -> None:
    by_name = read_excel(users_xlsx, sheet="Other")
    by_position = read_excel(users_xlsx, sheet=1)
    for df in (by_name, by_position):
        assert list(df.columns) == ["bulk_row", "other"]
        assert len(df) == 0
        assert df.attrs["bulkprep"]["sheet"] == "Other"
    pd.testing.assert_frame_equal(read_excel(users_xlsx, sheet=0), read_excel(users_xlsx))


def test_missing_sheet_lists_the_sheets(users_xlsx: Path) -> None:
    with pytest.raises(InputError, match=r"no sheet named 'Contacts'; pass sheet= one of 'Users', 'Other'"):
        read_excel(users_xlsx, sheet="Contacts")
    with pytest.raises(InputError, match=r"did you mean 'Users'\?"):
        read_excel(users_xlsx, sheet="users ")
    with pytest.raises(InputError, match=r"no sheet at position 2 .*'Users', 'Other'.*0 to 1"):
        read_excel(users_xlsx, sheet=2)
    with pytest.raises(ConfigurationError, match="name or its 0-based position"):
        read_excel(users_xlsx, sheet=1.0)  # type: ignore[arg-type]


def test_a_binary_buffer_reads_like_the_path(users_xlsx: Path) -> None:
    from_buffer = read_excel(io.BytesIO(users_xlsx.read_bytes()))
    assert from_buffer.attrs["bulkprep"]["source"] == "<buffer>"
    with users_xlsx.open("rb") as handle:
        from_handle = read_excel(handle)
    assert from_handle.attrs["bulkprep"]["source"] == str(users_xlsx)
    pd.testing.assert_frame_equal(from_buffer, read_excel(users_xlsx))


def test_xlsm_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["id"])
    book.active.append([7])
    path = tmp_path / "macros.xlsm"
    path.write_bytes(workbook_bytes(book))
    assert read_excel(path)["id"].tolist() == ["7"]


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (0.125, "0%", "13%"),
        (-0.125, "0.0%", "-12.5%"),
        (0.5, "0.00%;[Red]-0.00%", "50.00%"),
        (7531234567, "0.00E+00", "7.53E+09"),
        (7531234567, "##0.0E+0", "7.5E+9"),
        (12345, "##0.0E+0", "12.3E+3"),
        (9996000000, "0.00E+00", "1.00E+10"),
        (-0.000123, "0.0E+00", "-1.2E-04"),
        (0, "0.00E+00", "0.00E+00"),
        (2134, "00000", "02134"),
        (2134.5, "00000", "2134.5"),
        (4915123456701, "0", "4915123456701"),
        (4915123456701, "General", "4915123456701"),
        (1234.5, "#,##0.00", "1234.5"),  # other formats: the value
        (45356, "yyyy-mm-dd", "2024-03-05"),
    ],
)
def test_xlsx_number_formats(tmp_path: Path, value: float, number_format: str, text: str) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "n"
    book.active["A2"] = value
    book.active["A2"].number_format = number_format
    path = tmp_path / "format.xlsx"
    path.write_bytes(workbook_bytes(book))
    assert read_excel(path)["n"].tolist() == [text]


# --- header, rows and columns ---------------------------------------------------------------------------


def test_header_is_the_first_row_with_text_and_rows_keep_sheet_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C5"], sheet["D5"], sheet["E5"] = "id", "id", "bulk_row"
    sheet["C6"] = 1
    sheet["D7"] = "   "  # whitespace only: a blank row
    sheet["E9"] = "x"
    path = tmp_path / "offset.xlsx"
    path.write_bytes(workbook_bytes(book))
    df = read_excel(path)
    check_frame(
        df,
        {
            (6, "id"): "1",
            (6, "id.1"): None,
            (6, "bulk_row.1"): None,
            (9, "id"): None,
            (9, "id.1"): None,
            (9, "bulk_row.1"): "x",
        },
        ["id", "id.1", "bulk_row.1"],
    )
    assert read_info(df).blank_rows == 2  # rows 7 and 8
    assert read_info(df).renamed_columns == {"id.1": "id", "bulk_row.1": "bulk_row"}


def test_header_only_sheet_gives_an_empty_frame(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["a", 2024, None, "c"])
    path = tmp_path / "header.xlsx"
    path.write_bytes(workbook_bytes(book))
    df = read_excel(path)
    assert list(df.columns) == ["bulk_row", "a", "2024", "column_3", "c"]
    assert len(df) == 0
    assert df["bulk_row"].dtype == np.int64


# --- the HubSpot-like contacts export ------------------------------------------------------------------


def test_hubspot_contacts_ids_arrive_as_digits(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(
        ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Country/Region", "Create Date"]
    )
    records = [
        (
            51234567801,
            "Ada",
            "Lovelace",
            "ada@example.com",
            4915123456701,
            "Germany",
            datetime.datetime(2024, 1, 9, 8, 15),
        ),
        (
            51234567802,
            "Grace",
            "Hopper",
            "grace@example.com",
            "+1 202 555 0143",
            "United States",
            datetime.datetime(2024, 2, 29, 0, 0),
        ),
        (
            51234567803,
            "Alan",
            None,
            "alan@example.co.uk",
            447911123456,
            "United Kingdom",
            datetime.datetime(2024, 3, 1, 17, 45, 30),
        ),
    ]
    for record in records:
        sheet.append(list(record))
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "0"
    path = tmp_path / "hubspot-crm-exports-all-contacts.xlsx"
    path.write_bytes(workbook_bytes(book))
    df = read_excel(path)
    assert df["bulk_row"].tolist() == [2, 3, 4]
    assert df["Record ID"].tolist() == ["51234567801", "51234567802", "51234567803"]
    assert df["Phone Number"].tolist() == ["4915123456701", "+1 202 555 0143", "447911123456"]
    assert df["Create Date"].tolist() == ["2024-01-09T08:15:00", "2024-02-29", "2024-03-01T17:45:30"]
    assert df["Last Name"].isna().tolist() == [False, False, True]
    assert df["Country/Region"].tolist() == ["Germany", "United States", "United Kingdom"]
    reference = openpyxl.load_workbook(path)["Contacts"]
    assert [str(cell.value) for (cell,) in reference.iter_rows(min_row=2, max_col=1)] == df[
        "Record ID"
    ].tolist()


# --- .ods and .xls ---------------------------------------------------------------------------------------


def ods_cell(kind: str | None, value: str = "", shown: str = "") -> TableCell:
    if kind is None:
        return TableCell()
    attributes = {"valuetype": kind}
    if kind in ("float", "percentage"):
        attributes["value"] = value
    elif kind == "date":
        attributes["datevalue"] = value
    elif kind == "boolean":
        attributes["booleanvalue"] = value
    cell = TableCell(**attributes)
    cell.addElement(P(text=shown or value))
    return cell


def with_libreoffice_error(data: bytes, marker: str) -> bytes:
    """The .ods ``data`` with the cell showing ``marker`` turned into an #N/A error as LibreOffice saves
    one (a float 0 whose calcext value type is "error"); odfpy cannot write that attribute."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "content.xml":
                calcext = b"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
                if calcext not in content:
                    content = content.replace(
                        b"<office:document-content ",
                        b'<office:document-content xmlns:calcext="' + calcext + b'" ',
                        1,
                    )
                cell = (
                    f'<table:table-cell office:value-type="string"><text:p>{marker}</text:p>'
                    "</table:table-cell>"
                )
                error = (
                    '<table:table-cell table:formula="of:=NA()" office:value-type="float" office:value="0" '
                    'calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>'
                )
                assert cell.encode() in content
                content = content.replace(cell.encode(), error.encode())
            target.writestr(item, content)
    return out.getvalue()


def test_ods_cells_and_rows(tmp_path: Path) -> None:
    document = OpenDocumentSpreadsheet()
    scientific = NumberStyle(name="N1")
    scientific.addElement(ScientificNumber(decimalplaces="2", minintegerdigits="1", minexponentdigits="2"))
    document.automaticstyles.addElement(scientific)
    document.automaticstyles.addElement(Style(name="sci", family="table-cell", datastylename="N1"))
    table = Table(name="Contacts")
    sci_cell = ods_cell("float", "7530000000", "7.53E+09")
    sci_cell.setAttribute("stylename", "sci")
    rows: list[list[TableCell]] = [
        [ods_cell(None)],
        [ods_cell("string", shown=title) for title in ("id", "zip", "when", "ok", "err", "n", "pct", "sci")],
        [
            ods_cell("float", "4915123456701"),
            ods_cell("string", shown="02134"),
            ods_cell("date", "2024-03-05"),
            ods_cell("boolean", "true", "TRUE"),
            ods_cell("string", shown="ERROR-HERE"),
            ods_cell("float", "0.30000000000000004", "0.3"),
            ods_cell("percentage", "0.125", "12.5%"),
            sci_cell,
        ],
        [ods_cell(None)],
        [ods_cell("float", "7"), ods_cell(None), ods_cell("date", "2024-03-05T12:30:15", "x")],
    ]
    for cells_of_row in rows:
        row = TableRow()
        for cell in cells_of_row:
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    written = io.BytesIO()
    document.write(written)
    path = tmp_path / "contacts.ods"
    path.write_bytes(with_libreoffice_error(written.getvalue(), "ERROR-HERE"))
    df = read_excel(path)
    columns = ["id", "zip", "when", "ok", "err", "n", "pct", "sci"]
    expected = {
        (3, "id"): "4915123456701",
        (3, "zip"): "02134",
        (3, "when"): "2024-03-05",
        (3, "ok"): "TRUE",
        (3, "err"): "#N/A",
        (3, "n"): "0.3",
        (3, "pct"): "12.5%",
        (3, "sci"): "7.53E+09",
        **{(5, column): None for column in columns},
    }
    expected[(5, "id")] = "7"
    expected[(5, "when")] = "2024-03-05T12:30:15"
    check_frame(df, expected, columns)
    assert read_info(df).blank_rows == 1
    assert df.attrs["bulkprep"]["sheet_names"] == ["Contacts"]


def test_committed_xls_fixture() -> None:
    df = read_excel(XLS_FIXTURE, sheet="Users")
    columns = ["user_id", "Phone", "ZIP", "Joined", "VIP", "Score"]
    expected = {
        (3, "user_id"): "1001",
        (3, "Phone"): "4915123456701",
        (3, "ZIP"): "02134",
        (3, "Joined"): "2024-03-05",
        (3, "VIP"): "TRUE",
        (3, "Score"): "0.3",
        (5, "user_id"): "00124",
        (5, "Phone"): None,
        (5, "ZIP"): None,
        (5, "Joined"): None,
        (5, "VIP"): "FALSE",
        (5, "Score"): "-7",
    }
    check_frame(df, expected, columns)
    assert read_info(df).blank_rows == 1
    assert df.attrs["bulkprep"]["sheet_names"] == ["Notes", "Users"]
    assert read_excel(XLS_FIXTURE)["Exported from the CRM"].tolist() == []


def test_committed_xls_fixture_matches_the_generator(tmp_path: Path) -> None:
    pytest.importorskip("xlwt", reason="xlwt writes the .xls fixture; install it to check the committed file")
    generator = runpy.run_path(str(XLS_FIXTURE.parent.parent / "make_workbook_fixtures.py"))
    fresh = tmp_path / "users.xls"
    generator["write_xls"](fresh)
    for sheet in ("Notes", "Users"):
        pd.testing.assert_frame_equal(read_excel(fresh, sheet=sheet), read_excel(XLS_FIXTURE, sheet=sheet))


def test_password_protected_workbook() -> None:
    with pytest.raises(InputError, match=r"password\.xlsx is password-protected; open it, remove the"):
        read_excel(XLS_FIXTURE.parent / "password.xlsx")


# --- files that are not workbooks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty; a workbook needs a sheet with a header row"),
        (
            b"user_id,email\n1,a@example.com\n",
            r"is a text file \(a CSV\?\), not a workbook; read it with .*read_csv",
        ),
        (b"<html><table><tr><td>1</td></tr></table></html>", "web page or XML file .* save it as .xlsx"),
        (
            bytes(range(256)) * 4,
            r"not an Excel or OpenDocument workbook \(.xlsx, .xlsm, .xls, .ods\).*save it as .xlsx",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "not an Excel or OpenDocument workbook .*save it as .xlsx",
        ),
    ],
    ids=["empty", "csv", "html", "random", "broken-ole"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "users.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_excel(path)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "users.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.csv", "id\n1\n")
    with pytest.raises(
        InputError, match=r"users.xlsx is not an Excel or OpenDocument workbook .*save it as .xlsx"
    ):
        read_excel(path)


def test_missing_file_directory_text_buffer_and_other_objects(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"file not found: .*nope.xlsx .*check the name"):
        read_excel(tmp_path / "nope.xlsx")
    with pytest.raises(InputError, match="is a directory, not a workbook"):
        read_excel(tmp_path)
    with pytest.raises(
        InputError, match=r"opened as text; a workbook is binary: open it with open\(path, 'rb'\)"
    ):
        read_excel(io.StringIO("id\n1\n"))  # type: ignore[arg-type]
    with pytest.raises(
        InputError, match="not a DataFrame; for a DataFrame you already have, skip read_excel"
    ):
        read_excel(pd.DataFrame())  # type: ignore[arg-type]


def test_empty_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Blank"
    book.create_sheet("Data")["A1"] = "id"
    path = tmp_path / "blank.xlsx"
    path.write_bytes(workbook_bytes(book))
    with pytest.raises(InputError, match=r"sheet 'Blank' of .* is empty; it needs a header row .*sheet="):
        read_excel(path)
    assert list(read_excel(path, sheet="Data").columns) == ["bulk_row", "id"]


# --- one cell's value to its text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("", None),
        (" ", " "),
        ("00123", "00123"),
        (123.0, "123"),
        (-5.0, "-5"),
        (0.0, "0"),
        (4915123456701.0, "4915123456701"),
        (999999999999999.0, "999999999999999"),
        (1e15, "1E+15"),
        (1234567890123456.0, "1.234567890123456E+15"),
        (1.2345678901234567e19, "1.2345678901234567E+19"),
        (-1.5e20, "-1.5E+20"),
        (0.1 + 0.2, "0.3"),
        (2.9999999999999996, "3"),
        (1e-05, "0.00001"),
        (123.456, "123.456"),
        (float("nan"), "nan"),
        (12, "12"),
        (12345678901234567890, "12345678901234567890"),
        (True, "TRUE"),
        (False, "FALSE"),
        (datetime.date(2024, 3, 5), "2024-03-05"),
        (datetime.datetime(2024, 3, 5, 12, 30, 15), "2024-03-05T12:30:15"),
        (datetime.datetime(2024, 3, 5, 12, 30, 14, 999_700), "2024-03-05T12:30:15"),
        (datetime.time(7, 5), "07:05:00"),
        (datetime.timedelta(hours=26, minutes=3), "26:03:00"),
        (datetime.timedelta(seconds=-90), "-0:01:30"),
    ],
)
def test_cell_text(value: Any, text: str | None) -> None:
    assert cell_text(value) == text
