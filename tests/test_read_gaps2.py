"""What exports write that is not a user or not a value, as products and spreadsheets write it.

Excel text formulas (``="000123"``), a header line repeated by exports joined by hand, Excel's
``sep=;`` first line, files saved in a Central European, Turkish or Mac code page, workbooks with a
report's title and footer rows, and what a pandas script writes for missing values and gappy ints.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bulkprep import prepare
from bulkprep.codepages import guess_code_page
from bulkprep.csvsafe import neutralize_formulas
from bulkprep.errors import ConfigurationError
from bulkprep.layouts import sep_hint, unwrap_text_formula
from bulkprep.read import read_changes, read_csv, read_info
from bulkprep.stream.chunks import read_chunks

openpyxl = pytest.importorskip("openpyxl")

MAPPING = {"recipient": "id", "profile": {"email": "email", "phone_number": "phone"}}


def changes_of(df: pd.DataFrame) -> list[tuple[int, str, object, object]]:
    table = read_changes(df)
    return [
        (int(row), column, original, None if pd.isna(normalized) else normalized)
        for row, column, original, normalized in zip(
            table["bulk_row"], table["column"], table["original"], table["normalized"], strict=True
        )
    ]


# --- Excel text formulas -----------------------------------------------------------------------------

# What a web shop's "export for Excel" writes: ids and phones as ="..." so Excel keeps the zeros.
FORMULA_EXPORT = (
    "id;email;phone;note\r\n"
    '="000123";julien@example.fr;="+33612345680";="a ""quoted"" word"\r\n'
    '"=""000124""";chloe@example.fr;="0612345681";=SUM(A1:A3)\r\n'
    '000125;luc@example.fr;06 12 34 56 82;="1"&"2"\r\n'
)


@pytest.mark.parametrize("fast", [True, False])
def test_text_formula_cells_are_unwrapped_and_listed(fast: bool) -> None:
    df = read_csv(io.StringIO(FORMULA_EXPORT), _fast=fast)
    assert df["id"].tolist() == ["000123", "000124", "000125"]
    assert df["phone"].tolist() == ["+33612345680", "0612345681", "06 12 34 56 82"]
    # Only the whole-cell shape: other cells starting with "=" stay as written.
    assert df["note"].tolist() == ['a "quoted" word', "=SUM(A1:A3)", '="1"&"2"']
    assert sorted(changes_of(df)) == [
        (2, "id", '="000123"', "000123"),
        (2, "note", '="a ""quoted"" word"', 'a "quoted" word'),
        (2, "phone", '="+33612345680"', "+33612345680"),
        (3, "id", '="000124"', "000124"),
        (3, "phone", '="0612345681"', "0612345681"),
    ]


def test_unwrapped_ids_and_phones_are_sent_and_other_formulas_still_guarded() -> None:
    prepared = prepare(
        read_csv(io.StringIO(FORMULA_EXPORT)),
        {**MAPPING, "data": {"note": "note"}},
        region="FR",
    )
    users = prepared.df["bulk_user"].tolist()
    assert [user["recipient"] for user in users] == ["000123", "000124", "000125"]
    assert users[0]["profile"]["phone_number"] == "+33612345680"
    assert users[1]["profile"]["phone_number"] == "+33612345681"
    # A formula that is no text formula is a value as written, and the results file guards it.
    assert users[1]["data"]["note"] == "=SUM(A1:A3)"
    assert neutralize_formulas(read_csv(io.StringIO(FORMULA_EXPORT)))["note"].tolist()[1] == "'=SUM(A1:A3)"
    assert set(prepared.changes["original"]) >= {'="000123"', '="+33612345680"'}


@pytest.mark.parametrize("cell", ['="000123"', '=""', '="+1 (201) 555-0101"'])
def test_text_formula_shape(cell: str) -> None:
    assert unwrap_text_formula(cell) == cell[2:-1]


@pytest.mark.parametrize("cell", ["=A1", '="1"&"2"', '= "1"', '="open', '\'="1"', '="a"b"'])
def test_other_cells_are_no_text_formula(cell: str) -> None:
    assert unwrap_text_formula(cell) is None


# --- a header repeated mid-file ----------------------------------------------------------------------

HEADER = "id,email,phone\n"
MONTH_1 = "u1,a@example.com,+12025550101\nu2,b@example.com,\n"
MONTH_2 = "u3,c@example.com,+12025550103\nu4,d@example.com,+12025550104\n"


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("again", [HEADER, " ID , Email,PHONE\n", '"id","email","phone"\n'])
def test_a_repeated_header_line_is_dropped_and_counted(again: str, fast: bool) -> None:
    df = read_csv(io.StringIO(HEADER + MONTH_1 + again + MONTH_2), _fast=fast)
    assert df["id"].tolist() == ["u1", "u2", "u3", "u4"]
    assert df["bulk_row"].tolist() == [2, 3, 5, 6]  # the file's lines, the header's line 4 left out
    assert read_info(df).repeated_headers == 1
    prepared = prepare(df, MAPPING)
    assert prepared.summary == {"ready": 4, "invalid": 0, "duplicate": 0}


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("rows", [2, 5000], ids=["few-rows", "many-rows"])
def test_two_exports_pasted_together_byte_for_byte_lose_the_second_header(
    fast: bool, rows: int, tmp_path: Path
) -> None:
    # Each export starts with its byte-order mark: the second one's stands before its header line.
    block = "".join(f"u{n},u{n}@example.com,\r\n" for n in range(rows)).encode()
    export = BOM + HEADER.encode() + block
    path = tmp_path / "pasted.csv"
    path.write_bytes(export + export)
    df = read_csv(path, _fast=fast)
    assert len(df) == 2 * rows
    assert read_info(df).repeated_headers == 1
    assert df["bulk_row"].iloc[rows] == rows + 3
    chunked = pd.concat(chunk.frame for chunk in read_chunks(path, chunk_rows=max(rows // 2, 1)))
    assert chunked["bulk_row"].tolist() == df["bulk_row"].tolist()


def test_a_row_like_the_header_in_some_cells_only_is_a_record() -> None:
    df = read_csv(io.StringIO(HEADER + MONTH_1 + "id,email,+12025550109\n"))
    assert df["id"].tolist() == ["u1", "u2", "id"]
    assert read_info(df).repeated_headers == 0


def test_a_header_repeated_below_a_blank_named_column() -> None:
    text = "id;email;\n1;a@example.com;\nid;email;\n2;b@example.com;\n"
    df = read_csv(io.StringIO(text))
    assert df["id"].tolist() == ["1", "2"]
    assert df["bulk_row"].tolist() == [2, 4]
    assert read_info(df).repeated_headers == 1


def test_a_header_repeated_many_times_in_a_large_file() -> None:
    block = "".join(f"u{n},u{n}@example.com,\n" for n in range(200))
    df = read_csv(io.StringIO(HEADER + (block + HEADER) * 3 + block))
    assert len(df) == 800
    assert read_info(df).repeated_headers == 3
    assert df["bulk_row"].iloc[200] == 203


# --- sep= first line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"), [("sep=;", ";"), ("sep=,", ","), ("sep=\t", "\t"), ("SEP=|", "|")]
)
@pytest.mark.parametrize("fast", [True, False])
def test_the_sep_line_names_the_delimiter_and_is_dropped(line: str, delimiter: str, fast: bool) -> None:
    # The first record holds all four candidates, so only the hint tells which one splits.
    rows = [["id", "email", "note"], ["1", "a@example.com", "x,y;z|t"], ["2", "b@example.com", "w"]]
    text = line + "\r\n" + "".join(delimiter.join(row) + "\r\n" for row in rows)
    text = text.replace("x,y;z|t", '"x,y;z|t"')
    df = read_csv(io.BytesIO(text.encode()), _fast=fast)
    assert list(df.columns) == ["bulk_row", "id", "email", "note"]
    assert df["bulk_row"].tolist() == [3, 4]
    info = read_info(df)
    assert (info.delimiter, info.sep_line, info.preamble_rows) == (delimiter, True, 0)


def test_the_callers_sep_wins_over_the_hint_and_header_line_still_works() -> None:
    text = "sep=,\nid;email\n1;a@example.com\n"
    df = read_csv(io.StringIO(text), sep=";")
    assert df["email"].tolist() == ["a@example.com"]
    assert read_info(df).sep_line is True
    df = read_csv(io.StringIO("sep=;\nid;email\n1;a@example.com\n"), header_line=2)
    assert (read_info(df).delimiter, df["bulk_row"].tolist()) == (";", [3])


def test_a_sep_line_above_a_report_title() -> None:
    text = "sep=;\nMembers 2024\n\nid;email;phone\n1;a@example.com;\n2;b@example.com;\n"
    df = read_csv(io.StringIO(text))
    assert df["bulk_row"].tolist() == [5, 6]
    info = read_info(df)
    assert (info.sep_line, info.preamble_rows) == (True, 2)


@pytest.mark.parametrize("line", ["sep=;;\n", '"sep=;"\n', "sep=;\r\n"])
def test_sep_hint_shapes(line: str) -> None:
    assert sep_hint(line) == ";"


@pytest.mark.parametrize("line", ["sep,email\n", "sep=\n", "sep=;,x\n", "separator=;\n"])
def test_no_sep_hint(line: str) -> None:
    assert sep_hint(line) is None


def test_a_column_named_sep_is_a_header() -> None:
    df = read_csv(io.StringIO("sep=x,email\n1,a@example.com\n"))
    assert list(df.columns) == ["bulk_row", "sep=x", "email"]
    assert read_info(df).sep_line is False


# --- legacy 8-bit code pages ---------------------------------------------------------------------

NAMES = {
    "polish": ["Łukasz Wałęsa", "Zofia Żółć", "Małgorzata Dąbrowska", "Paweł Kościuszko", "Jerzy Śliwiński"],
    "czech": ["Jiří Dvořák", "Petr Černý", "Tomáš Novák", "Zdeněk Kučera", "Ondřej Růžička"],
    "turkish": [
        "Ay\u015fe Y\u0131lmaz",
        "Mustafa \u015eahin",
        "Zeynep Do\u011fan",
        "\u0130brahim Koç",
        "Ahmet Çelik",
    ],
    "swedish": ["Åsa Öberg", "Björn Ström", "Märta Ågren", "Göran Persson", "Ingrid Bäckström"],
    "french": ["Hélène Dupré", "François Lefèvre", "Jérôme Bézier", "Gaëlle Noël", "André Crémieux"],
    "german": ["Jürgen Müller", "Günther Schäfer", "Käthe Groß", "Jörg Bär", "Lena Hübner"],
    "spanish": ["José Núñez", "María Peña", "Andrés Gómez", "Iñigo Etxeberria", "Martín Fernández"],
}
SAVED_AS = [
    ("polish", "cp1250"),
    ("czech", "cp1250"),
    ("turkish", "cp1254"),
    ("swedish", "cp1252"),
    ("french", "cp1252"),
    ("german", "cp1252"),
    ("spanish", "cp1252"),
    ("swedish", "mac_roman"),
    ("french", "mac_roman"),
    ("german", "mac_roman"),
    ("spanish", "mac_roman"),
]


def user_file(names: list[str]) -> str:
    lines = ["id;name;email"] + [f"{n};{name};user{n}@example.com" for n, name in enumerate(names, 1)]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(("language", "codec"), SAVED_AS)
def test_a_file_in_a_legacy_code_page_reads_its_names(language: str, codec: str, tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(user_file(NAMES[language]).encode(codec))
    df = read_csv(path)
    assert df["name"].tolist() == NAMES[language]
    assert read_info(df).encoding == codec


@pytest.mark.parametrize(("language", "codec"), SAVED_AS)
def test_one_name_alone_is_never_read_in_a_wrong_code_page_with_confidence(language: str, codec: str) -> None:
    # A single name can be ambiguous: leaving Windows-1252 on so little is right, or said to be a guess.
    for name in NAMES[language]:
        data = user_file([name]).encode(codec)
        guess = guess_code_page(data)
        if guess.codec != "cp1252":
            assert data.decode(guess.codec) == user_file([name]) or not guess.confident


def test_a_western_name_in_windows_1252_stays_windows_1252() -> None:
    # Inès Lefèvre reads in Windows-1250 too (Inčs Lefčvre), but not plausibly: Windows-1252 stays.
    df = read_csv(io.BytesIO(user_file(["Inès Lefèvre"]).encode("cp1252")))
    info = read_info(df)
    assert info.encoding == "cp1252"
    assert df["name"].tolist() == ["Inès Lefèvre"]


def test_a_clear_guess_has_no_note_and_encoding_still_overrides() -> None:
    data = user_file(NAMES["polish"]).encode("cp1250")
    assert read_info(read_csv(io.BytesIO(data))).encoding_note is None
    forced = read_csv(io.BytesIO(data), encoding="cp1252")
    assert read_info(forced).encoding == "cp1252"
    assert forced["name"].iloc[0] == "£ukasz Wa³êsa"


@pytest.mark.parametrize(
    "text",
    [
        "id,name,price\n1,Renée,€ 5\n2,O’Brien,“quoted”\n3,it’s – fine,£ 7\n",
        "id,note\n1,100 €\n2,– dash –\n3,café au lait… ½ price\n",
        "id,name\n1,Ångström\n2,Søren Kierkegaard\n3,Ærø\n4,Þór\n",
    ],
)
def test_windows_1252_files_read_as_before(text: str) -> None:
    df = read_csv(io.BytesIO(text.encode("cp1252")))
    assert read_info(df).encoding == "cp1252"
    assert df[df.columns[2]].tolist() == [line.split(",")[1] for line in text.splitlines()[1:]]


def test_a_byte_windows_1252_leaves_undefined_is_still_latin_1() -> None:
    df = read_csv(io.BytesIO(b"name,code\nRen\xe9e Dupont,AB\x81CD\nJos\xe9 Garc\xeda,EFGH\n"))
    assert read_info(df).encoding == "latin-1"


# --- workbooks: title rows, footers, marks, repeated headers -------------------------------------


def save(book: object, path: Path) -> Path:
    book.save(path)  # type: ignore[attr-defined]
    return path


def report_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Member list", None, None])
    sheet.append(["Acme Sports Club", None, None])
    sheet.append([])
    sheet.append(["id", "email", "phone"])
    sheet.append(['="000123"', "ann@example.com", "'+1 201 555 0101"])
    sheet.append(["'000124", "bob@example.com", None])
    sheet.append(["ID", "Email", "Phone"])  # a second export pasted below
    sheet.append([125, "cy@example.com", "=HYPERLINK(1)"])
    # Pasted as text, as a CSV export is when opened as text: cells, not formulas.
    sheet["A5"].data_type = sheet["C8"].data_type = "s"
    sheet.append([])
    sheet.append(["Grand Totals (3 records)"])
    sheet.append(["Generated on 2024-03-06 14:13"])
    return save(book, path)


def test_a_workbook_report_is_read_as_a_csv_report_is(tmp_path: Path) -> None:
    df = read_csv(report_book(tmp_path / "report.xlsx"))
    assert df["bulk_row"].tolist() == [5, 6, 8]
    assert df["id"].tolist() == ["000123", "000124", "125"]
    assert df["phone"].fillna("").tolist() == ["+1 201 555 0101", "", "=HYPERLINK(1)"]
    info = read_info(df)
    assert (info.preamble_rows, info.footer_rows, info.repeated_headers) == (3, 3, 1)
    assert sorted(changes_of(df)) == [
        (5, "id", '="000123"', "000123"),
        (5, "phone", "'+1 201 555 0101", "+1 201 555 0101"),
        (6, "id", "'000124", "000124"),
    ]
    prepared = prepare(df, MAPPING, region="US")
    assert prepared.df["bulk_user"].iloc[0]["recipient"] == "000123"
    assert set(prepared.changes["original"]) >= {'="000123"', "'000124"}


def test_header_line_names_a_workbooks_header_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Exported by: Ann", "2024-03-06", "v2"])  # looks like a header of three names
    sheet.append(["id", "email", "phone"])
    sheet.append([1, "ann@example.com", None])
    path = save(book, tmp_path / "users.xlsx")
    assert read_csv(path)["bulk_row"].tolist() == [2, 3]  # the first row with text is the header
    df = read_csv(path, header_line=2)
    assert df.columns.tolist() == ["bulk_row", "id", "email", "phone"]
    assert df["bulk_row"].tolist() == [3]
    assert read_info(df).preamble_rows == 1
    with pytest.raises(ConfigurationError, match=r"row 9 .* past the end of the sheet"):
        read_csv(path, header_line=9)


def test_a_plain_workbook_is_unchanged(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "email"])
    sheet.append(["Total", "t@example.com"])  # a user named Total, not a total line
    sheet.append(["u2", "b@example.com"])
    df = read_csv(save(book, tmp_path / "users.xlsx"))
    assert df["id"].tolist() == ["Total", "u2"]
    info = read_info(df)
    assert (info.preamble_rows, info.footer_rows, info.repeated_headers) == (0, 0, 0)
    assert read_changes(df).empty


# --- what a pandas script writes -----------------------------------------------------------------


def script_export() -> str:
    frame = pd.DataFrame(
        {
            "id": [1001, 1002, np.nan, 1004],
            "email": ["a@example.com", np.nan, "c@example.com", "d@example.com"],
            "phone": [14155552701, np.nan, 14155552703, 14155552704],
            "score": [1.5, 2.0, np.nan, 3.0],
            "first_name": ["Nan", "Ann", "Bo", "Cy"],
        }
    )
    return frame.to_csv(index=False)


def test_a_pandas_written_file_gets_its_integers_back() -> None:
    text = script_export()
    assert "1001.0" in text  # as pandas writes them
    assert "14155552701.0" in text
    df = read_csv(io.StringIO(text))
    assert df["id"].fillna("").tolist() == ["1001", "1002", "", "1004"]
    assert df["phone"].fillna("").tolist() == ["14155552701", "", "14155552703", "14155552704"]
    assert df["score"].fillna("").tolist() == ["1.5", "2.0", "", "3.0"]  # real decimals stay
    assert df["first_name"].tolist() == ["Nan", "Ann", "Bo", "Cy"]
    assert read_info(df).float_columns == ("id", "phone")
    assert (2, "id", "1001.0", "1001") in changes_of(df)


def test_nan_and_nat_cells_of_a_script_written_file_are_empty() -> None:
    # A frame turned into text before to_csv (astype(str) in pandas 2) writes its missing values so.
    text = "id,email,joined,first_name\n1,a@example.com,2024-03-01,Nan\n2,nan,NaT,nan\n3,NaN,2024-03-03,Ann\n"
    df = read_csv(io.StringIO(text))
    assert df["email"].fillna("").tolist() == ["a@example.com", "", ""]
    assert df["joined"].fillna("").tolist() == ["2024-03-01", "", "2024-03-03"]
    assert df["first_name"].fillna("").tolist() == ["Nan", "", "Ann"]
    assert (3, "email", "nan", None) in changes_of(df)
    prepared = prepare(df, {"recipient": "id", "profile": {"email": "email"}})
    assert prepared.summary == {"ready": 3, "invalid": 0, "duplicate": 0}


def test_without_nan_or_nat_a_file_keeps_its_nan_and_whole_floats() -> None:
    df = read_csv(io.StringIO("id,name,version\n1,nan,1.0\n2,Nan,2.0\n"))
    assert df["name"].tolist() == ["nan", "Nan"]
    assert df["version"].tolist() == ["1.0", "2.0"]  # no empty cell: written as decimals
    assert read_info(df).float_columns == ()
    assert read_changes(df).empty


def test_the_same_id_written_as_float_and_as_integer_is_a_duplicate() -> None:
    text = "user_id,email\n1001.0,a@example.com\n1002.0,NaN\n1001,a@example.com\n"
    df = read_csv(io.StringIO(text))
    assert df["user_id"].tolist() == ["1001", "1002", "1001"]
    prepared = prepare(df, {"recipient": "user_id", "profile": {"email": "email"}})
    assert prepared.summary == {"ready": 2, "invalid": 0, "duplicate": 1}


@pytest.mark.parametrize("written", ["FALSE", "False", " false "])
def test_false_in_an_email_or_phone_cell_is_empty(written: str) -> None:
    # Odoo exports a field left empty as FALSE.
    text = f"id,email,phone,vip\n1,{written},+12025550101,FALSE\n2,b@example.com,{written},TRUE\n"
    prepared = prepare(read_csv(io.StringIO(text)), {**MAPPING, "data": {"vip": "vip"}})
    assert prepared.summary == {"ready": 2, "invalid": 0, "duplicate": 0}
    users = prepared.df["bulk_user"].tolist()
    assert "email" not in users[0]["profile"]
    assert "phone_number" not in users[1]["profile"]
    assert users[0]["data"]["vip"] == "FALSE"  # elsewhere it is a value
