"""Read a CSV of users as text, exactly as written, with the line number where each record starts.

:func:`read_csv` is the intake stage. It never guesses types: ``007``, ``+44 20 7946 0958``, ``NA``,
``null`` and ``2.02555E+09`` all arrive as the text in the file, and only truly empty cells are missing.
It detects the encoding and the delimiter, keeps quoted newlines, and puts ``bulk_row`` (the 1-based
line of the file where the record starts) first, so every later problem can point at a line the
analyst can open. Rows it cannot parse cleanly stay in the frame, each with its :class:`ReadProblem`
in the ``bulk_read_error`` column, so the problems travel with their rows through filters, ``concat``,
``merge``, copies and pickles; :func:`read_errors` turns them into the error table. What it found out
about the file is in :func:`read_info`.

It undoes the marks that exports leave, each certain and each reported, never silent: a line of a
UTF-8 file that is not UTF-8 (a Windows program's ``\\xe9`` for ``é``) is decoded as Windows-1252
while the rest stays UTF-8 (:attr:`ReadInfo.repaired_lines`); a spreadsheet's text-marker
apostrophe before a digit-like cell (``'02134``) is stripped; a report footer at the end of the file
(Salesforce's ``Grand Totals (604 records)`` and the lines after it, or a report's time stamp) is
dropped like blank lines (:attr:`ReadInfo.footer_rows`), and so are a report's title lines above the
header (:attr:`ReadInfo.preamble_rows`; ``header_line=`` names the header when they cannot be told).
Also: Excel's ``sep=;`` first line (:attr:`ReadInfo.sep_line`), ``="000123"`` text-formula cells,
the header repeated as a row by exports joined by hand (:attr:`ReadInfo.repeated_headers`), and a
script's ``NaN`` cells and ``1001.0`` integers (:attr:`ReadInfo.float_columns`). A file that is not
UTF-8 is read in the code page its words read most plausibly in (:mod:`bulkprep.codepages`).
The changed cells are in :func:`read_changes`, and :attr:`ReadInfo.layout` names the export the
header (or the footer) shows, see :mod:`bulkprep.layouts`.

Example:
    >>> import io
    >>> data = io.BytesIO(b"user_id;Phone;Note\\n007;+44 20 7946 0958;NA\\n;;\\n008;;\\"two\\nlines\\"\\n")
    >>> df = read_csv(data)
    >>> df[["bulk_row", "user_id", "Note"]].to_dict("list")
    {'bulk_row': [2, 4], 'user_id': ['007', '008'], 'Note': ['NA', 'two\\nlines']}
    >>> df["Phone"].isna().tolist()
    [False, True]
    >>> info = read_info(df)
    >>> (info.encoding, info.delimiter, info.blank_rows)
    ('utf-8', ';', 1)
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress, islice, pairwise, repeat
from typing import IO, Any, Literal, overload

import numpy as np
import pandas as pd

from bulkprep import status
from bulkprep._gc import collector_paused
from bulkprep._moved import Moved, moved_names
from bulkprep._source import (
    Change,
    check_line_lengths,
    column_names,
    load,
    padded_columns,
    repeated_header_rows,
    script_values,
    strip_text_markers,
    suffix_of,
    unwrap_text_formulas,
)
from bulkprep.codepages import (
    WESTERN,
    WESTERN_FALLBACK,
    code_page_label,
    decode_code_page,
    decode_line,
    line_code_page,
)
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.layouts import (
    MAX_FOOTER_LINES,
    MAX_PREAMBLE_LINES,
    SALESFORCE_REPORT,
    footer_start,
    preamble_end,
    recognize_layout,
    sep_hint,
)
from bulkprep.report import ErrorCode, empty_errors, errors_from_records
from bulkprep.status import ATTRS_KEY, AttrsRecords
from bulkprep.workbook import WORKBOOK_SUFFIXES, read_excel

__all__ = [
    "CHANGE_COLUMNS",
    "DELIMITERS",
    "MAX_COLUMNS",
    "ReadInfo",
    "ReadProblem",
    "read_changes",
    "read_csv",
    "read_errors",
    "read_info",
]

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""The delimiters :func:`read_csv` detects, in order of preference when the evidence is equal."""

CHANGE_COLUMNS: tuple[str, ...] = (status.ROW_KEY, "field", "column", "original", "normalized")
"""Columns of :func:`read_changes` (those of :func:`bulkprep.prepare`'s ``changes``; ``field`` is empty)."""

_ROW_KEY = status.ROW_KEY
_READ_ERROR = status.Column.READ_ERROR.value
SNIFF_LINES = 50  # physical lines looked at to choose the delimiter
BINARY_SAMPLE_CHARS = 65_536  # decoded characters inspected for control characters
BINARY_CONTROL_RATIO = 0.05  # random bytes give about 24% control characters, real text about 0%
MAX_VALUE_CHARS = 200  # longest offending text quoted in an error-table record
MAX_COLUMNS = 100_000
"""The most columns :func:`read_csv` reads: six times what a spreadsheet holds (16,384), and far more
than a mapping uses; a wider file is refused rather than turned into a frame of that many columns."""
_C_PARSER_WIDTH = 1000  # columns beyond which a file with fewer lines than columns skips the C parser

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Files people save with a .csv name by mistake, recognised by their first bytes.
# Workbooks (.xlsx and .ods are zip archives, .xls an OLE container) go to read_excel.
_WORKBOOK_SIGNATURES: tuple[bytes, ...] = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_NOT_CSV_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
)

# Control characters that never appear in real CSV text (tab, LF, CR are fine); C1 controls
# (0x80-0x9f) only show up when bytes were decoded as Latin-1 that were not Latin-1 text.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


__getattr__ = moved_names(__name__, {"ROW_KEY": Moved(status.ROW_KEY, "bulkprep.status.ROW_KEY")})


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Why :func:`read_csv` could not parse one record cleanly: a cell of the ``bulk_read_error`` column.

    Frozen, because a copied frame shares its cells with the original: a record cannot be changed
    through one frame and show up changed in another. The row it belongs to is the row holding it.

    Attributes:
        code: :attr:`ErrorCode.RAGGED_ROW` or :attr:`ErrorCode.UNTERMINATED_QUOTE`.
        message: what is wrong, on which line, and how to fix it.
        value: the offending text (cut to ``MAX_VALUE_CHARS`` characters).

    Example:
        >>> import io
        >>> df = read_csv(io.StringIO("a,b\\n1,2,3\\n"))
        >>> problem = df.loc[0, "bulk_read_error"]
        >>> problem.code, problem.value
        (<ErrorCode.RAGGED_ROW: 'ragged_row'>, '3')
    """

    code: ErrorCode
    message: str
    value: str


@dataclass(frozen=True)
class ReadInfo:
    """What :func:`read_csv` found out about a file.

    Attributes:
        source: the path, or the buffer's name (``"<buffer>"`` when it has none).
        encoding: the codec the bytes were decoded with (``None`` for a text buffer). A UTF-8 file
            some of whose lines are not UTF-8 is ``"utf-8"``: those lines are in ``repaired_lines``.
        delimiter: the field delimiter used (None for a workbook).
        blank_rows: fully blank records (only whitespace and delimiters) that were dropped.
        renamed_columns: new column name to the header text it replaces (empty or duplicate names).
        error_count: how many records of the file could not be parsed cleanly (when it was read).
        layout: the export layout recognized by the header or the footer (a name of
            :data:`bulkprep.layouts.LAYOUTS`, such as ``"shopify"``), or None.
        footer_rows: lines of a report footer at the end of the file (and the blank lines around
            it) that were dropped, as blank rows are: they are not records.
        preamble_rows: lines above the header that were dropped: a report's title lines (and the
            blank lines among them), or the lines above ``header_line``. ``bulk_row`` still counts
            them: it is the line of the file.
        repaired_lines: the lines of a UTF-8 file that were not valid UTF-8 and were decoded as
            Windows-1252 instead (Latin-1 for the five bytes it leaves undefined), or in the code
            page they clearly fit (:func:`bulkprep.codepages.line_code_page`).
        sheet: for a workbook, the sheet that was read (None for a CSV file).
        sheet_names: for a workbook, the names of all its sheets.
        repeated_headers: rows below the header that repeat it (exports joined by hand), dropped
            as blank rows are: they are not users. ``bulk_row`` of the other rows is unchanged.
        sep_line: whether line 1 was Excel's delimiter hint (``sep=;``), used as the delimiter
            (unless ``sep=`` was given) and dropped; it is not counted in ``preamble_rows``.
        float_columns: the columns of whole numbers a script wrote as floats (``1001.0``), whose
            ``.0`` was removed (each cell is in :func:`read_changes`).
        encoding_note: a sentence to show the user when the code page was guessed with another
            close behind (naming both, and how to force the other), or when the lines that are not
            UTF-8 were read in a code page other than Windows-1252; None otherwise.
        padded_columns: the header cells written with blanks around them (``"Email "``), kept as
            written; a mapping naming the column without them (``Email``) reads it, when no other
            column matches so.
        trailing_fields: the records whose one empty field past the header's last was dropped,
            because (nearly) every record of the file ends so (a delimiter after each line's last
            value, as OpenCart writes): that field is no value, and the records are not ragged.

    Example:
        >>> ReadInfo("users.csv", "utf-8", ",", 0, {}, 0).delimiter
        ','
    """

    source: str
    encoding: str | None
    delimiter: str | None
    blank_rows: int
    renamed_columns: Mapping[str, str] = field(default_factory=dict)
    error_count: int = 0
    layout: str | None = None
    footer_rows: int = 0
    repaired_lines: tuple[int, ...] = ()
    preamble_rows: int = 0
    sheet: str | None = None
    sheet_names: tuple[str, ...] = ()
    repeated_headers: int = 0
    sep_line: bool = False
    float_columns: tuple[str, ...] = ()
    encoding_note: str | None = None
    padded_columns: tuple[str, ...] = ()
    trailing_fields: int = 0


def read_csv(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    encoding: str | None = None,
    sep: str | None = None,
    sheet: str | int | None = None,
    header_line: int | None = None,
    _fast: bool = True,
) -> pd.DataFrame:
    """Read a CSV file (or a workbook) with every value as the text written in it.

    Args:
        source: a path, or an open binary or text file (anything with ``read()``).
        encoding: the file's encoding; detected when not given (UTF-8 with or without a byte-order
            mark, UTF-16 or UTF-32 with a byte-order mark, else the code page
            :func:`bulkprep.codepages.guess_code_page` chooses: Windows-1252, or Latin-1, unless
            another is clearly better; a close call is said in :attr:`ReadInfo.encoding_note`). In
            a detected UTF-8 file, each line that is not valid UTF-8 is decoded as Windows-1252 (or
            the code page those lines clearly fit) and reported (a file with no UTF-8 beyond ASCII
            in any line is read in its code page as a whole).
            A given encoding is used as it is, for every line. Not used for a text buffer, which is
            already decoded.
        sep: the field delimiter; detected among comma, semicolon, tab and pipe when not given.
            The names ``"comma"``, ``"semicolon"``, ``"tab"``, ``"pipe"`` and the two characters
            ``\\t`` (as typed in a shell) are accepted too.
        sheet: for a workbook, the sheet to read (its name, or its 0-based position; the first by
            default). A path ending in ``.xlsx``, ``.xlsm``, ``.xls`` or ``.ods``, or a buffer holding
            a workbook, is read by :func:`bulkprep.workbook.read_excel` with the same guarantees.
        header_line: the line of the file (1-based) that holds the header; the lines above it are
            dropped and counted (:attr:`ReadInfo.preamble_rows`). When not given, a report's title
            lines above the header are found (:func:`bulkprep.layouts.preamble_end`). For a workbook,
            the sheet's row of the header.

    Returns:
        A frame whose first column ``bulk_row`` (int64) is the line of the file where each record
        starts, followed by the file's columns as text (missing only where the cell is empty). When
        some records could not be parsed cleanly (more or fewer fields than the header, a quote that
        never closes), a last column ``bulk_read_error`` holds each such row's :class:`ReadProblem`
        and None on the other rows; :func:`read_errors` reads it, and :func:`bulkprep.prepare` marks
        those rows invalid. A clean file gets no such column: the frame holds exactly the file's
        columns after ``bulk_row`` (most files are clean, and a column of nothing but None would be
        noise in every view and every export), and the column's presence is itself the sign that
        something needs a look. Frames combined with ``concat`` or ``merge`` may mix both: rows
        without the column count as clean. ``df.attrs["bulkprep"]`` holds what was found out about
        the file (``source``, ``encoding``, ``delimiter``, ``blank_rows``, ``renamed_columns``,
        ``error_count``, ``layout``, ``footer_rows``, ``repaired_lines``, ``changes``, and when there
        was one ``preamble_rows``, ``sep_line``, ``repeated_headers``, ``float_columns``,
        ``encoding_note``, ``trailing_fields``); see
        :func:`read_info` and :func:`read_changes`. Nothing that decides a row's status is kept
        there, since many pandas operations drop ``attrs``.

        Before the frame is returned: text-marker apostrophes are stripped from digit-like cells
        (:data:`bulkprep.layouts.TEXT_MARKED`), ``="..."`` text-formula cells become their text
        (:data:`bulkprep.layouts.TEXT_FORMULA`), rows repeating the header are dropped, a report
        footer at the end of the file (known footer lines and the blank lines around them,
        :func:`bulkprep.layouts.footer_start`) is dropped unless it lies inside a quoted value left
        open, and in a file a script wrote, ``NaN`` / ``NaT`` / ``nan`` cells are empty and the
        ``.0`` of whole numbers written as floats is removed (:func:`bulkprep._source.script_values`).
        A first line ``sep=;`` names the delimiter and is dropped.

    Raises:
        InputError: the file is missing, a directory, empty, binary or cannot be decoded, or the
            header holds a quote that never closes (which leaves no rows).
        ConfigurationError: ``sep`` is not a single character, ``encoding`` is not a known codec,
            or ``header_line`` is not a line of the file (a row of the sheet with text).

    Files whose every record is one line with the header's field count (most files) are split by
    pandas' C parser, several times faster; any other file by the ``csv`` module, which also says
    what is wrong with its records. Both give the same frame (``_fast=False`` forces the second).

    Example:
        >>> import io
        >>> df = read_csv(io.StringIO("id,zip\\n001,02134\\n002,\\n"))
        >>> df["bulk_row"].tolist(), df["id"].tolist(), df["zip"].isna().tolist()
        ([2, 3], ['001', '002'], [False, True])
    """
    sep = _resolve_sep(sep)
    _check_header_line(header_line)
    if isinstance(source, str | os.PathLike) and suffix_of(source) in WORKBOOK_SUFFIXES:
        return read_excel(source, sheet=sheet, header_line=header_line)
    data, name, text_encoding = load(source, reader="read_csv", kind="CSV file")
    if isinstance(data, bytes) and data.startswith(_WORKBOOK_SIGNATURES):
        workbook = io.BytesIO(data)
        workbook.name = name  # so that what read_excel says names the file
        return read_excel(workbook, sheet=sheet, header_line=header_line)
    if sheet is not None:
        raise ConfigurationError(f"{name} is a CSV file, which has no sheets; leave out sheet={sheet!r}")
    repaired: dict[int, tuple[str, str]] = {}
    encoding_note: str | None = None
    if isinstance(data, str):
        text, used_encoding = data, text_encoding
    else:
        check_line_lengths(data, name=name)  # before decoding: an endless line is refused, not parsed
        text, used_encoding, repaired, encoding_note = _decode(data, name=name, encoding=encoding)
    del data  # the file's bytes, and below its text and lines, are let go as soon as they are used
    text = _without_file_marks(text)
    _check_text(text, name=name)

    with _field_size_limit(len(text)), collector_paused():
        delimiter, preamble_rows = _header_position(text, sep=sep, header_line=header_line, name=name)
        # Excel's sep= hint on line 1 is one of the lines dropped above the header, told apart.
        sep_line = bool(preamble_rows) and header_line != 1 and sep_hint(_first_lines(text, 1)[0]) is not None
        if preamble_rows:
            # The title lines become empty lines: the parsers skip them as blank lines above a
            # header, and every line keeps its number.
            cut = sum(map(len, _first_lines(text, preamble_rows)))
            text = "\n" * preamble_rows + text[cut:]
        markers = _may_hold_text_markers(text, delimiter=delimiter)
        formulas = '="' in text
        header_again = _may_repeat_header(text, delimiter=delimiter, skip=preamble_rows)
        script_marks = "NaN" in text or "NaT" in text
        scripted = script_marks or ".0" in text
        footer_rows, footer_cut, salesforce = _footer(text, delimiter=delimiter)
        _check_width(text, delimiter=delimiter, name=name)
        whole = None
        if footer_rows:
            whole, text = text, text[:footer_cut]
        parsed = (
            _parse_plain(text[preamble_rows:], delimiter=delimiter, first_line=preamble_rows + 1)
            if _fast
            else None
        )
        if parsed is None:
            lines = list(_physical_lines(text))
            del text
            parsed = _parse(lines, delimiter=delimiter, name=name)
            del lines
        else:
            del text
        if whole is not None:
            if any(problem.code is ErrorCode.UNTERMINATED_QUOTE for problem in parsed.problems.values()):
                # The "footer" was inside a quoted value left open: the file is read as it is.
                footer_rows, salesforce = 0, False
                parsed = _parse(list(_physical_lines(whole)), delimiter=delimiter, name=name)
            del whole
        frame = _to_frame(parsed)
        repeated_headers = 0
        if header_again:
            header = [parsed.renamed_columns.get(column, column) for column in parsed.names]
            repeated = repeated_header_rows(frame, header)
            repeated_headers = int(repeated.sum())
            if repeated_headers:
                frame = frame[~repeated].reset_index(drop=True)
        changes: list[Change] = _repair_changes(frame, repaired) if repaired else []
        if markers:
            changes += strip_text_markers(frame)
        if formulas:
            changes += unwrap_text_formulas(frame)
        float_columns: tuple[str, ...] = ()
        if scripted:
            script_changes, float_columns = script_values(frame, marks=script_marks)
            changes += script_changes
    frame.attrs[ATTRS_KEY] = {
        "source": name,
        "encoding": used_encoding,
        "delimiter": delimiter,
        "blank_rows": parsed.blank_rows,
        "renamed_columns": parsed.renamed_columns,
        "error_count": len(parsed.problems),
        "layout": SALESFORCE_REPORT if salesforce else recognize_layout(parsed.names),
        "footer_rows": footer_rows,
        "repaired_lines": AttrsRecords(repaired),
        # By line; within a line, repairs first, then each kind of mark in the columns' order.
        "changes": AttrsRecords(sorted(changes, key=lambda change: change[0])),
    }
    found = {
        # Each only when there was one, as ``sheet`` only for a workbook.
        "preamble_rows": preamble_rows - sep_line,
        "sep_line": sep_line,
        "repeated_headers": repeated_headers,
        "float_columns": float_columns,
        "encoding_note": encoding_note,
        "padded_columns": padded_columns(frame.columns),
        "trailing_fields": parsed.trailing_fields,
    }
    frame.attrs[ATTRS_KEY].update({key: value for key, value in found.items() if value})
    return frame


def read_errors(df: pd.DataFrame) -> pd.DataFrame:
    """The intake problems of the rows of ``df``, as an error table, from its ``bulk_read_error`` column.

    Only the rows present count: a row filtered out takes its problem with it, and rows brought in
    by ``concat`` or ``merge`` bring theirs. Each problem is given the row's ``bulk_row`` (its
    position when the frame has no such column, as :func:`bulkprep.prepare` numbers it). A frame
    without the column (a clean file, or one not read by :func:`read_csv`) gets an empty table.

    Raises:
        InputError: the ``bulk_read_error`` column holds something other than :class:`ReadProblem`
            records and missing values (a column of the user's own by that name).

    Example:
        >>> import io
        >>> df = read_csv(io.StringIO("a,b\\n1,2,3\\n4,5\\n"))
        >>> read_errors(df)[["bulk_row", "stage", "code", "value"]].to_dict("records")
        [{'bulk_row': 2, 'stage': 'read', 'code': 'ragged_row', 'value': '3'}]
        >>> read_errors(df[df["a"] != "1"]).empty
        True
    """
    if _READ_ERROR not in df.columns:
        return empty_errors()
    cells = df[_READ_ERROR].to_numpy(dtype=object)
    present = ~pd.isna(cells)
    keys = df[_ROW_KEY].to_numpy() if _ROW_KEY in df.columns else np.arange(len(df))
    problems = cells[present].tolist()
    strangers = [cell for cell in problems if not isinstance(cell, ReadProblem)]
    if strangers:
        raise InputError(
            f"column {_READ_ERROR!r} holds {strangers[0]!r}, not a record of read_csv's: the column is "
            "bulkprep's own (the rows read_csv could not parse); rename or drop it"
        )
    return errors_from_records(
        {
            _ROW_KEY: int(key),
            "stage": status.Stage.READ.value,
            "code": problem.code.value,
            "message": problem.message,
            "value": problem.value,
        }
        for key, problem in zip(keys[present].tolist(), problems, strict=True)
    )


def read_info(df: pd.DataFrame) -> ReadInfo:
    """What :func:`read_csv` found out about the file behind ``df``.

    Raises:
        InputError: ``df`` carries no read information (it did not come from :func:`read_csv`, or
            a pandas operation dropped ``df.attrs``).

    Example:
        >>> import io
        >>> read_info(read_csv(io.BytesIO("x|y\\n\\"é\\"|2\\n".encode("cp1252")))).encoding
        'cp1252'
    """
    attrs = df.attrs.get(ATTRS_KEY)
    if not isinstance(attrs, Mapping) or "delimiter" not in attrs:
        raise InputError(
            "this frame carries no read information: it did not come from bulkprep.read.read_csv, "
            "or a pandas operation dropped df.attrs; call read_info on the frame read_csv returned"
        )
    return ReadInfo(
        source=attrs["source"],
        encoding=attrs["encoding"],
        delimiter=attrs["delimiter"],
        blank_rows=attrs["blank_rows"],
        renamed_columns=dict(attrs["renamed_columns"]),
        error_count=int(attrs.get("error_count", 0)),
        layout=attrs.get("layout"),
        footer_rows=int(attrs.get("footer_rows", 0)),
        repaired_lines=tuple(attrs.get("repaired_lines", ())),
        preamble_rows=int(attrs.get("preamble_rows", 0)),
        repeated_headers=int(attrs.get("repeated_headers", 0)),
        sep_line=bool(attrs.get("sep_line", False)),
        float_columns=tuple(attrs.get("float_columns", ())),
        encoding_note=attrs.get("encoding_note"),
        sheet=attrs.get("sheet"),
        sheet_names=tuple(attrs.get("sheet_names", ())),
        padded_columns=tuple(attrs.get("padded_columns", ())),
        trailing_fields=int(attrs.get("trailing_fields", 0)),
    )


def read_changes(df: pd.DataFrame) -> pd.DataFrame:
    """The values :func:`read_csv` changed in the rows of ``df``, one row each (:data:`CHANGE_COLUMNS`).

    Two kinds, both certain: a text-marker apostrophe stripped from a digit-like cell (``'02134``
    is ``02134``), and a cell of a line that was not UTF-8 in a UTF-8 file, decoded as Windows-1252
    (``original`` shows the bytes that were not UTF-8 as ``\\xe9``). ``field`` is empty: the value
    changed before any mapping. :func:`bulkprep.prepare` puts these first in its ``changes``.

    Only the rows present count (by ``bulk_row``). The record of what was changed is in
    ``df.attrs``, which some pandas operations drop, and nothing in it decides a row's status: a
    frame without it, or without ``bulk_row``, gets an empty table.

    Example:
        >>> import io
        >>> df = read_csv(io.StringIO("id,zip,name\\n'007,'02134,O'Brien\\n"))
        >>> df.loc[0, ["id", "zip", "name"]].tolist()
        ['007', '02134', "O'Brien"]
        >>> read_changes(df)[["bulk_row", "column", "original", "normalized"]].to_dict("records")[1]
        {'bulk_row': 2, 'column': 'zip', 'original': "'02134", 'normalized': '02134'}
    """
    attrs = df.attrs.get(ATTRS_KEY)
    changes = attrs.get("changes", ()) if isinstance(attrs, Mapping) else ()
    if not changes or _ROW_KEY not in df.columns:
        return _empty_changes()
    rows, columns, originals, normalized = zip(*changes, strict=True)
    table = pd.DataFrame(
        {
            _ROW_KEY: np.asarray(rows, dtype=np.int64),
            "field": pd.Series([None] * len(rows), dtype="object"),
            "column": pd.Series(columns, dtype="object"),
            "original": pd.Series(originals, dtype="object"),
            "normalized": pd.Series(normalized, dtype="object"),
        }
    )
    present = table[_ROW_KEY].isin(df[_ROW_KEY].to_numpy())
    return table[present].reset_index(drop=True)


def _empty_changes() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="object") for name in CHANGE_COLUMNS})
    frame[_ROW_KEY] = frame[_ROW_KEY].astype("int64")
    return frame


# --- loading and decoding -------------------------------------------------------------------------


_SEP_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}


def _resolve_sep(sep: str | None) -> str | None:
    """The delimiter character ``sep`` names, refusing one the CSV reader cannot use."""
    if isinstance(sep, str):
        sep = _SEP_NAMES.get(sep.lower(), sep)
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n'):
        raise ConfigurationError(
            f"sep must be one character such as ',' ';' '|' or a tab (or its name: comma, semicolon, "
            f"tab, pipe), not {sep!r}; leave it unset to detect the delimiter"
        )
    return sep


def _check_encoding(encoding: str) -> None:
    """Refuse an ``encoding`` that is not a text encoding Python knows (ConfigurationError).

    A codec from bytes to bytes (``rot13``, ``hex``, ``zlib``) is known to :func:`codecs.lookup` but
    cannot decode a file into text; it is refused as an unknown name is.

    Example:
        >>> _check_encoding("cp1250")
        >>> _check_encoding("rot13")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        bulkprep.errors.ConfigurationError: 'rot13' is not a text encoding; ...
    """
    hint = "use a codec name such as 'utf-8', 'cp1252' or 'utf-16'"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigurationError(f"unknown encoding {encoding!r}; {hint}") from None
    try:
        b"a".decode(encoding, "replace")  # empty bytes would skip the codec, and its check
    except LookupError:
        raise ConfigurationError(f"{encoding!r} is not a text encoding; {hint}") from None
    except (UnicodeError, ValueError):
        pass  # a text codec that takes no "replace" (idna): refused on the file, if at all


def _decode(
    data: bytes, *, name: str, encoding: str | None
) -> tuple[str, str, dict[int, tuple[str, str]], str | None]:
    """Decode ``data`` with ``encoding`` or, when it is None, with the detected one.

    Returns the text, the codec, the lines of a UTF-8 file that were not UTF-8 (see
    :func:`_decode_lines`): line number to the line's text and the codec it was decoded with, and
    the sentence about the encoding for :attr:`ReadInfo.encoding_note` (or None).
    """
    if not data:
        raise _empty_file(name)
    if encoding is not None:
        _check_encoding(encoding)
        try:
            return data.decode(encoding), encoding, {}, None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name} cannot be decoded as {encoding!r} (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}); leave encoding unset to detect it, or pass the encoding the file was "
                "saved with"
            ) from None

    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec, {}, None
            except UnicodeDecodeError:
                if codec == "utf-8-sig":  # the mark says UTF-8: the lines that are not are repaired
                    text, repaired = _decode_lines(data[len(bom) :], require_utf8=False)
                    return text, codec, repaired, _lines_note(repaired)
                raise InputError(
                    f"{name} starts with a {codec} byte-order mark but is not valid {codec} text; "
                    "save it again as CSV UTF-8, or pass the right encoding="
                ) from None

    for signature, kind in _NOT_CSV_SIGNATURES:
        if data.startswith(signature):
            raise InputError(
                f"{name} is {kind}, not a CSV file; open it and save it as 'CSV UTF-8' "
                "(or read it with pandas and pass the DataFrame instead)"
            )
    if b"\x00" in data:
        raise InputError(
            f"{name} is not a text CSV file: it contains NUL bytes; save it as 'CSV UTF-8', or, if it "
            "is UTF-16 text without a byte-order mark, pass encoding='utf-16-le' (or 'utf-16-be')"
        )
    # UTF-8 first: text in any other encoding with a byte above 0x7f almost never happens to be
    # valid UTF-8, so a clean decode is strong evidence (and plain ASCII is UTF-8 anyway).
    try:
        return data.decode("utf-8"), "utf-8", {}, None
    except UnicodeDecodeError:
        pass
    # A UTF-8 file with a few lines a Windows program wrote (one pasted name, one appended row):
    # the UTF-8 lines stay UTF-8, and only the others are read as the code page below.
    mixed = _decode_lines(data, require_utf8=True)
    if mixed is not None:
        return mixed[0], "utf-8", mixed[1], _lines_note(mixed[1])
    # Not UTF-8, so most likely a spreadsheet's "CSV" export: in the ANSI code page of the user's
    # Windows locale (Windows-1252 unless another is clearly better), see bulkprep.codepages.
    text, codec, note = _decode_code_page(data)
    return text, codec, {}, note


def _decode_code_page(data: bytes) -> tuple[str, str, str | None]:
    """``data`` in the code page :func:`bulkprep.codepages.guess_code_page` chooses, and its note."""
    text, guess = decode_code_page(data)
    return text, guess.codec, guess.note


def _lines_note(repaired: Mapping[int, tuple[str, str]]) -> str | None:
    """The note naming the code page the lines that are not UTF-8 were read in, unless Windows-1252."""
    codecs_used = {codec for _, codec in repaired.values()} - {WESTERN, WESTERN_FALLBACK}
    if not codecs_used:
        return None
    return f"the lines not in UTF-8 were read as {code_page_label(min(codecs_used))}, the code page they fit"


@overload
def _decode_lines(data: bytes, *, require_utf8: Literal[False]) -> tuple[str, dict[int, tuple[str, str]]]: ...
@overload
def _decode_lines(data: bytes, *, require_utf8: bool) -> tuple[str, dict[int, tuple[str, str]]] | None: ...
def _decode_lines(data: bytes, *, require_utf8: bool) -> tuple[str, dict[int, tuple[str, str]]] | None:
    """Decode each line of ``data`` as UTF-8 when it is valid UTF-8, and as Windows-1252 when it is not.

    The rule for a file that is UTF-8 but for some lines: a line (between line breaks, counted as the
    CSV reader counts them) that is valid UTF-8 is UTF-8, since text in an 8-bit code page almost
    never is; a line that is not is read in Windows-1252 (Latin-1 if it holds a byte Windows-1252
    leaves undefined), the code page of the Windows programs that write such lines, unless those
    lines together clearly fit another (:func:`bulkprep.codepages.line_code_page`), and is
    reported. A UTF-8 sequence never holds a line-break byte, so cutting at line breaks cannot split
    a character. Each stretch of valid lines is decoded in one call, so the work is linear in the
    file and in C but for one step per repaired line.

    Args:
        data: the file's bytes (after any byte-order mark).
        require_utf8: return None unless some line holds UTF-8 beyond ASCII (else the file is
            simply in the code page, and no line is worth reporting).

    Returns:
        The text, and line number to ``(line text, codec)`` for each repaired line.
    """
    # Dropping what is not UTF-8 leaves ASCII when no line holds UTF-8 beyond it (at C speed).
    if require_utf8 and data.decode("utf-8", "ignore").isascii():
        return None
    view = memoryview(data)
    pieces: list[str] = []
    repaired: dict[int, tuple[str, str]] = {}
    foreign: dict[int, tuple[int, bytes]] = {}  # line number to its place in pieces, and its bytes
    position, line, utf8_seen = 0, 1, False
    while True:
        try:
            rest = codecs.utf_8_decode(view[position:], "strict", True)[0]
        except UnicodeDecodeError as exc:
            bad = position + exc.start
            start = max(data.rfind(b"\n", position, bad), data.rfind(b"\r", position, bad), position - 1) + 1
            ends = [found for found in (data.find(b"\n", bad), data.find(b"\r", bad)) if found >= 0]
            end = min(ends) if ends else len(data)
            head = codecs.utf_8_decode(view[position:start], "strict", True)[0]
            pieces.append(head)
            utf8_seen = utf8_seen or not head.isascii()
            line += (
                data.count(b"\n", position, start)
                + data.count(b"\r", position, start)
                - data.count(b"\r\n", position, start)
            )
            foreign[line] = (len(pieces), data[start:end])
            pieces.append("")  # filled in below, in the code page of all such lines
            position = end  # the next stretch starts with this line's break
        else:
            pieces.append(rest)
            utf8_seen = utf8_seen or not rest.isascii()
            break
    if require_utf8 and not utf8_seen:
        return None
    codec = line_code_page([chunk for _, chunk in foreign.values()])
    for number, (index, chunk) in foreign.items():
        pieces[index], used = decode_line(chunk, codec)
        repaired[number] = (pieces[index], used)
    return "".join(pieces), repaired


def _without_file_marks(text: str) -> str:
    """The text without the marks that belong to files, not to their values.

    A byte-order mark starts the text, and starts a line where a second file was pasted on (its
    header is then a repeated header, its first row a row); an old DOS program ends a file with
    Ctrl-Z (``\\x1a``). Line breaks stay, so every line keeps its number.

    Example:
        >>> _without_file_marks("\\ufeffid\\n1\\n\\ufeff2\\n\\x1a")
        'id\\n1\\n2\\n'
    """
    text = text.removeprefix("\ufeff")
    if "\ufeff" in text:
        text = text.replace("\n\ufeff", "\n").replace("\r\ufeff", "\r")
    if text.endswith("\x1a"):
        text = text.rstrip("\x1a")
    return text


def _check_text(text: str, *, name: str) -> None:
    """Refuse text that is empty or too full of control characters to be a CSV."""
    if not text.strip():
        raise _empty_file(name)
    sample = text[:BINARY_SAMPLE_CHARS]
    if "\x00" in text or len(_CONTROL_CHARS.findall(sample)) > BINARY_CONTROL_RATIO * len(sample):
        raise InputError(
            f"{name} does not look like a text CSV file (it is full of control characters); "
            "check that it is the right file and save it as 'CSV UTF-8', or pass encoding= if you "
            "know how it was saved"
        )


def _check_width(text: str, *, delimiter: str, name: str) -> None:
    """Refuse a file whose first records have more than :data:`MAX_COLUMNS` fields."""
    for number, line in enumerate(_first_lines(text, SNIFF_LINES), start=1):
        if line.count(delimiter) >= MAX_COLUMNS:  # cheap first: a delimiter inside quotes is no field
            width = len(next(csv.reader([line], delimiter=delimiter, strict=False), []))
            if width > MAX_COLUMNS:
                raise InputError(
                    f"{name} has {width:,} columns on line {number}, more than the {MAX_COLUMNS:,} bulkprep "
                    "reads; keep only the columns the mapping needs and read the file again"
                )


def _empty_file(name: str) -> InputError:
    return InputError(f"{name} is empty; a CSV needs at least a header line naming the columns")


# --- what exports add: footers, text markers, foreign lines ---------------------------------------

FOOTER_TAIL_CHARS = 8192  # the end of the text looked at for a report footer


def _footer(text: str, *, delimiter: str) -> tuple[int, int, bool]:
    """The report footer ending ``text``: its line count, where it starts, and whether it is Salesforce's.

    See :func:`bulkprep.layouts.footer_start`. Only whole lines after the header are looked at: a
    tail that starts inside a line leaves that line out.
    """
    tail_start = max(0, len(text) - FOOTER_TAIL_CHARS)
    first_break = _LINE_BREAK.search(text, tail_start)
    if first_break is None:
        return 0, len(text), False  # one line, the header
    tail_start = first_break.end()
    lines = list(_physical_lines(text[tail_start:]))[-MAX_FOOTER_LINES:]
    start, salesforce = footer_start(lines, delimiter=delimiter)
    if start == len(lines):
        return 0, len(text), False
    return len(lines) - start, len(text) - sum(map(len, lines[start:])), salesforce


def _may_repeat_header(text: str, *, delimiter: str, skip: int) -> bool:
    """Whether a line below the header may repeat it: one starts with the header's first cell.

    False spares the look at every row of the first column; the rows are compared in full only then
    (:func:`bulkprep._source.repeated_header_rows`). The first cell is searched for as written, in
    small letters, in capitals and capitalized (``str.find`` runs at memory speed, a regular
    expression without letter case does not); a cell found at the start of a line is enough, and so
    are very many found elsewhere.
    """
    lines = _first_lines(text, skip + SNIFF_LINES)
    header_at = next((at for at in range(skip, len(lines)) if lines[at].strip()), None)
    if header_at is None:
        return False
    first = next(iter(_split_line(lines[header_at], delimiter)), "").strip()
    if not first:
        return False
    after = sum(map(len, lines[: header_at + 1]))
    for variant in {first, first.lower(), first.upper(), first.capitalize(), first.title()}:
        found, probes = text.find(variant, after), 0
        while found >= 0:
            # A byte-order mark starts the header line of a second file pasted on (see repeated_header_rows).
            before = text[max(found - 8, after - 1) : found].rstrip(' \t"\ufeff')
            if before.endswith(("\n", "\r")):
                return True
            probes += 1
            if probes > HEADER_PROBES:
                return True
            found = text.find(variant, found + len(variant))
    return False


HEADER_PROBES = 10_000  # places the header's first cell is found at before every row is compared


MARKER_PROBES = 200_000  # apostrophes looked at one by one before searching the text for cell starts


def _may_hold_text_markers(text: str, *, delimiter: str) -> bool:
    """Whether some cell of ``text`` may start with an apostrophe; False spares the look at every cell.

    A cell starts right after a delimiter, a line break or a quote. Most files have no apostrophe
    at all or a few in names (``O'Brien``), so the apostrophes are looked at one by one first;
    a file full of them is searched for the four pairs instead.
    """
    starts = {delimiter, "\n", "\r", '"'}
    found = text.find("'", 1)
    for _ in range(MARKER_PROBES):
        if found < 0:
            return False
        if text[found - 1] in starts:
            return True
        found = text.find("'", found + 1)
    return any(before + "'" in text for before in starts)


def _repair_changes(frame: pd.DataFrame, repaired: Mapping[int, tuple[str, str]]) -> list[Change]:
    """The cells of repaired lines whose bytes were not UTF-8, with those bytes shown as ``\\xe9``."""
    keys = frame[_ROW_KEY].to_numpy()
    names = [name for name in frame.columns if name not in (_ROW_KEY, _READ_ERROR)]
    changes: list[Change] = []
    for line, (text, codec) in repaired.items():
        position = int(np.searchsorted(keys, line, side="right")) - 1
        if position < 0:
            continue  # the header's line
        for name in names:
            cell = frame[name].iat[position]
            if not isinstance(cell, str) or cell.isascii() or cell not in text:
                continue
            written = cell.encode(codec).decode("utf-8", "backslashreplace")
            if written != cell:
                changes.append((int(keys[position]), name, written, cell))
    return changes


# --- where the header is -------------------------------------------------------------------------


def _check_header_line(header_line: int | None) -> None:
    if header_line is not None and (
        isinstance(header_line, bool) or not isinstance(header_line, int) or header_line < 1
    ):
        raise ConfigurationError(
            f"header_line must be the 1-based line number of the header (1 for the first line), not "
            f"{header_line!r}; leave it unset to find the header"
        )


def _header_position(text: str, *, sep: str | None, header_line: int | None, name: str) -> tuple[str, int]:
    """The delimiter, and how many lines above the header are a preamble to drop.

    A first line ``sep=;`` (:func:`bulkprep.layouts.sep_hint`) names the delimiter, unless ``sep``
    does, and is one of the lines to drop. With ``header_line``, the lines above it; else the title
    lines :func:`preamble_end` finds. A
    title line of one cell splits into one field under every delimiter, so when no delimiter splits
    the first lines the delimiter is chosen from the lines after them.
    """
    first = _first_lines(text, 1)
    hint = sep_hint(first[0]) if first and header_line != 1 else None
    if hint is not None:
        # Excel's delimiter hint: the delimiter (unless sep= says otherwise), and a line to drop.
        blanked = "\n" + text[len(first[0]) :]
        delimiter, found = _header_position(
            blanked, sep=hint if sep is None else sep, header_line=header_line, name=name
        )
        return delimiter, max(found, 1)
    if header_line is not None:
        lines = _first_lines(text, header_line - 1 + SNIFF_LINES)
        if len(lines) < header_line or not lines[header_line - 1].strip():
            raise ConfigurationError(
                f"header_line={header_line} but line {header_line} of {name} is "
                + ("past the end of the file" if len(lines) < header_line else "blank")
                + "; give the line that holds the column names"
            )
        below = lines[header_line - 1 :]
        return (sep if sep is not None else _sniff_delimiter(below)), header_line - 1
    lines = _first_lines(text, SNIFF_LINES)
    delimiter = sep if sep is not None else _sniff_delimiter(lines)
    found = preamble_end(lines, delimiter=delimiter)
    if found or sep is not None:
        return delimiter, found
    # Leading lines no delimiter splits in two (titles, blank lines): the delimiter is the one the
    # lines below them use, if it shows a preamble there.
    unsplit = 0
    for line in lines[: MAX_PREAMBLE_LINES + 1]:
        if any(
            len([cell for cell in _split_line(line, candidate) if cell.strip()]) >= 2
            for candidate in DELIMITERS
        ):
            break
        unsplit += 1
    if unsplit and unsplit < len(lines):
        used_below = _sniff_delimiter(lines[unsplit:])
        if used_below != delimiter and (found := preamble_end(lines, delimiter=used_below)):
            return used_below, found
    return delimiter, 0


def _split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, strict=False), [])


# --- delimiter --------------------------------------------------------------------------------------


def _sniff_delimiter(lines: list[str]) -> str:
    """The candidate delimiter that splits the first records most consistently, header first.

    Each candidate splits the first lines with the real CSV reader, so delimiters inside quoted
    values do not count. A candidate must split the header into at least two fields; among those,
    the one with the largest share of records having the header's field count wins, then the one
    giving more fields, then the earlier of :data:`DELIMITERS`. This is steadier than
    ``csv.Sniffer``, which looks for any character with a regular frequency and is easily fooled by
    letters, spaces or decimal commas, and which ignores that the header fixes the field count.
    A file that no candidate splits has a single column; comma is then as good as any.
    """
    best, best_score = ",", (0.0, 0)
    for candidate in DELIMITERS:
        counts = [
            len(row) for row in csv.reader(lines, delimiter=candidate, strict=False) if "".join(row).strip()
        ]
        if not counts or counts[0] < 2:
            continue
        consistency = sum(count == counts[0] for count in counts) / len(counts)
        score = (consistency, counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


# --- parsing ----------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """The records of a file and what was found on the way."""

    names: list[str]
    records: list[list[str]]
    starts: np.ndarray
    blank_rows: int = 0
    renamed_columns: dict[str, str] = field(default_factory=dict)
    problems: dict[int, ReadProblem] = field(default_factory=dict)  # by the line the record starts on
    columns: list[np.ndarray] | None = None  # the values column by column, instead of records
    trailing_fields: int = 0  # records whose empty field past the header's last was dropped


@contextmanager
def _field_size_limit(size: int) -> Iterator[None]:
    """Let the CSV reader accept a field as long as the whole text, for the duration of the read.

    The reader refuses fields over 128 KiB by default, which a large JSON cell or an unterminated
    quote swallowing the rest of the file exceeds; the limit is process-wide, so it is put back.
    """
    previous = csv.field_size_limit()
    if size < previous:
        yield
        return
    csv.field_size_limit(size + 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# What ends a physical line for a CSV reader: \r\n, \n or \r (not \x0b, \x85 or \u2028 as
# str.splitlines would), so line numbers match what editors show.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BEFORE_LINE_BREAK = re.compile(rb"(?=\r)|(?<!\r)(?=\n)")
# Appended to every line as one more field by _parse_plain: a record that ends with it, in the field
# after the header's last, has exactly the header's field count.
_END_MARK = "\x01"
_QUOTE_BYTE, _LF_BYTE, _CR_BYTE = ord('"'), ord("\n"), ord("\r")
_QUOTE_SCAN_BYTES = 1 << 24  # bytes looked at at once for quotes: bounds the scan's own memory


def _physical_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as a CSV reader sees them, each with its line break."""
    return iter(io.StringIO(text, newline=""))


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` physical lines of ``text``, looking only at as much of it as they need."""
    size = 1 << 16
    while True:
        lines = list(islice(_physical_lines(text[:size]), count + 2))
        # With two more lines found, the cut at ``size`` cannot have split one of the first ``count``.
        if len(lines) == count + 2 or size >= len(text):
            return lines[:count]
        size *= 4


def _parse_plain(text: str, *, delimiter: str, first_line: int = 1) -> _Parsed | None:
    """The records of a file split by pandas' C parser, or None when it might not split them as ``_parse``.

    The two parsers split a line alike; they differ only over what the ``csv`` module is asked to
    report: records spanning lines, records with another field count than the header, unclosed
    quotes, a header below blank lines. So this path is taken only when none of these can be there:
    the header is on line 1, there are as many records as lines (no quoted line break), and each
    record, given one marker field more at the end of its line, holds the marker right after the
    header's fields (none short, none long: a long one makes the C parser fail). Blank records are
    dropped as ``_parse`` drops them. ``first_line`` is the line of the file ``text`` starts on
    (after the lines of a preamble).
    """
    if delimiter not in DELIMITERS:
        return None
    first_break = _LINE_BREAK.search(text)
    first = text[: first_break.end()] if first_break else text
    header = next(csv.reader([first], delimiter=delimiter, strict=False), [])
    body = text[len(first) :]
    if not "".join(header).strip() or not body or _ends_inside_quotes(first, delimiter=delimiter):
        return None
    if _END_MARK in body:
        return None  # the marker must be the only one of its kind to be told apart from the data
    width = len(header)
    if width > _C_PARSER_WIDTH and body.count("\n") < width:
        # Wide and short (more columns than lines): the C parser's cost per column outweighs what the
        # csv module costs per cell, and grew with the width times itself.
        return None
    try:
        # Bytes from here on: counting and replacing line breaks in UTF-8 runs at memory speed, and
        # the C parser reads UTF-8 as it is.
        data = body.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a lone surrogate, from a text buffer
    del body
    mark = (delimiter + _END_MARK).encode("ascii")
    # Lines of the body that end a record; None: every one does (no line break inside quotes).
    record_ends = None
    if _may_break_inside_quotes(data):
        record_ends, ending_breaks = _record_ending_lines(data)
        marked, breaks = _marked_at(data, mark, ending_breaks)
    else:
        marked, breaks = _marked(data, mark)
    if not data.endswith((b"\r", b"\n")):
        marked += mark
        breaks += 1
    del data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning (data left out) is as good as a failure here
            table = pd.read_csv(
                io.BytesIO(marked),
                encoding="utf-8",
                sep=delimiter,
                header=None,
                names=range(width + 1),
                index_col=False,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
                doublequote=True,
                escapechar=None,
                comment=None,
            )
    except (ValueError, Warning):  # a long record, an unclosed quote
        return None
    del marked
    if len(table) != breaks:
        return None  # some quoted value holds a line break the quick count took for a record's end
    values = [table[position].to_numpy(dtype=object) for position in range(width + 1)]
    del table
    whole = values[width] == _END_MARK
    blank = _blank_records(values[:width], whole)
    if not (whole | blank).all():
        return None  # a record with fewer fields than the header
    if record_ends is not None and any(_holds_mark(column) for column in values[:width]):
        return None  # a stray quote misled the count: a marker landed inside a quoted value
    keep = ~blank
    columns = []
    for column in values[:width]:
        kept = column[keep]
        kept[kept == ""] = None
        columns.append(kept)
    names, renamed = column_names(header)
    # The line each record starts on: the one after the line its predecessor ended on.
    lines = np.arange(len(keep)) if record_ends is None else np.concatenate(([0], record_ends[:-1] + 1))
    if record_ends is not None and len(lines) < len(keep):  # the last record has no line break
        lines = np.append(lines, record_ends[-1] + 1 if len(record_ends) else 0)
    return _Parsed(
        names=names,
        records=[],
        starts=lines[keep] + first_line + 1,
        blank_rows=int(blank.sum()),
        renamed_columns=renamed,
        columns=columns,
    )


def _may_break_inside_quotes(body: bytes) -> bool:
    """Whether some line break of ``body`` may sit inside a quoted value: an odd count of quotes before it.

    A quick look, column-wise over the bytes. Quoted values hold their quotes in pairs (an opening
    and a closing one, ``""`` for each quote inside), so a line break inside one follows an odd count.
    A stray quote inside an unquoted value (``5" screen``) may say yes wrongly, which only costs the
    slower reader; a no that is wrong is caught after the C parser, which counts the records.

    Example:
        >>> _may_break_inside_quotes(b'a,"b\\nc"\\n'), _may_break_inside_quotes(b'a,"b ""c"" d"\\ne\\n')
        (True, False)
    """
    if b'"' not in body:
        return False
    quotes_before = 0
    for start in range(0, len(body), _QUOTE_SCAN_BYTES):
        piece = np.frombuffer(
            body, dtype=np.uint8, count=min(_QUOTE_SCAN_BYTES, len(body) - start), offset=start
        )
        quotes = np.flatnonzero(piece == _QUOTE_BYTE)
        breaks = np.flatnonzero((piece == _LF_BYTE) | (piece == _CR_BYTE))
        if ((np.searchsorted(quotes, breaks) + quotes_before) % 2).any():
            return True
        quotes_before += len(quotes)
    return False


def _line_break_positions(body: bytes) -> np.ndarray:
    """Where each line break of ``body`` starts (a ``\\r\\n`` once, at its ``\\r``), in order."""
    codes = np.frombuffer(body, dtype=np.uint8)
    crs = np.flatnonzero(codes == _CR_BYTE)
    lfs = np.flatnonzero(codes == _LF_BYTE)
    if len(crs) and len(lfs):
        after_cr = np.zeros(len(codes), dtype=bool)
        after_cr[crs[crs + 1 < len(codes)] + 1] = True
        lfs = lfs[~after_cr[lfs]]
        return np.sort(np.concatenate((crs, lfs)))
    return crs if len(crs) else lfs


def _record_ending_lines(body: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The lines of ``body`` (0-based) whose line break ends a record, and where those line breaks are.

    A line break ends a record when an even count of quotes comes before it: quoted values hold
    their quotes in pairs, so a line break inside one follows an odd count. A stray quote in an
    unquoted value (``5" screen``) misleads the count; the C parser's records then do not end where
    the count said, which :func:`_parse_plain` notices and leaves to the csv module.

    Example:
        >>> lines, where = _record_ending_lines(b'a,"b\\nc"\\nd,e\\r\\nf\\n')
        >>> lines.tolist(), where.tolist()
        ([1, 2, 3], [7, 11, 14])
    """
    breaks = _line_break_positions(body)
    quotes = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == _QUOTE_BYTE)
    lines = np.flatnonzero(np.searchsorted(quotes, breaks) % 2 == 0)
    return lines, breaks[lines]


def _marked_at(body: bytes, mark: bytes, where: np.ndarray) -> tuple[bytes, int]:
    """``body`` with ``mark`` put before the line breaks at ``where``, and how many there are."""
    # One view a record, joined at once: no copy of the body per mark, and no Python work per byte.
    edges = [0, *where.tolist(), len(body)]
    view = memoryview(body)
    return mark.join([view[start:end] for start, end in pairwise(edges)]), len(where)


def _holds_mark(column: np.ndarray) -> bool:
    """Whether some value of the object array ``column`` holds the end marker."""
    return _END_MARK in "".join(column)


def _marked(body: bytes, mark: bytes) -> tuple[bytes, int]:
    """``body`` with ``mark`` put before every line break, and how many line breaks there are."""
    crs, lfs = body.count(b"\r"), body.count(b"\n")
    # One kind of line break (as files have): a plain replacement, at memory speed.
    if not crs or not lfs:
        ending = b"\n" if not crs else b"\r"
        return body.replace(ending, mark + ending), crs + lfs
    if crs == lfs == body.count(b"\r\n"):
        return body.replace(b"\r\n", mark + b"\r\n"), crs
    # Mixed: before every \r, and before every \n but the one of a \r\n.
    return _BEFORE_LINE_BREAK.subn(mark, body)


def _blank_records(columns: list[np.ndarray], whole: np.ndarray) -> np.ndarray:
    """Records with nothing but whitespace in their fields (the end marker of a short one aside)."""
    blank = np.ones(len(whole), dtype=bool)
    for column in columns:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        found = column[rows]
        empty = np.fromiter(map(str.isspace, found), dtype=bool, count=len(found)) | (found == "")
        # In a short record the marker lands in one of the header's fields (an empty line: the second).
        empty |= (found == _END_MARK) & ~whole[rows]
        blank[rows[~empty]] = False
    return blank


def _parse(lines: list[str], *, delimiter: str, name: str) -> _Parsed:
    """Split ``lines`` into a header and records, noting blank, ragged and unterminated records.

    There is no Python loop per record: the reader makes the records in C, and the line where each
    starts is counted from the records themselves, since a record spans one line plus the line
    breaks kept inside its quoted values (a blank line is an empty record of one line).
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    # The header is the first record with any text; blank lines above it are skipped.
    header: list[str] | None = None
    header_start = 1
    for row in reader:
        if "".join(row).strip():
            header = row
            break
        header_start = reader.line_num + 1
    if header is None:
        raise _empty_file(name)
    header_end = reader.line_num
    names, renamed = column_names(header)
    width = len(names)

    rows = list(reader)
    count = len(rows)
    # Fields joined by a space: blank stays blank, and a \r ending one field cannot pair with a \n
    # starting the next into one \r\n (they were two line breaks in the file).
    texts = list(map(" ".join, rows))
    if len(lines) - header_end == count:  # no record spans more than one line
        spans = np.ones(count, dtype=np.int64)
    else:
        spans = _count(texts, "\n") + _count(texts, "\r") - _count(texts, "\r\n") + 1
    starts = header_end + np.cumsum(spans) - spans + 1
    # Blank: nothing but whitespace between the delimiters (or an empty line).
    keep = np.fromiter(map(bool, map(str.strip, texts)), dtype=bool, count=count)
    del texts
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=count)
    trailing = _trailing_empty_fields(rows, keep, widths, width)
    for position in np.flatnonzero(trailing).tolist():
        del rows[position][width:]
    widths[trailing] = width

    problems: dict[int, ReadProblem] = {}
    for position in np.flatnonzero(keep & (widths != width)).tolist():
        start = int(starts[position])
        raw = lines[start - 1 : start - 1 + int(spans[position])]
        problems[start] = _ragged_row(rows[position], raw, start=start, width=width, delimiter=delimiter)
        rows[position] = (rows[position] + [""] * width)[:width]

    # Only the last record can hold an unclosed quote: it swallows everything after it.
    if not count:
        if _ends_inside_quotes("".join(lines[header_start - 1 :]), delimiter=delimiter):
            raise _unterminated_header(name, start=header_start, end=len(lines))
    elif keep[-1]:
        last_start = int(starts[-1])
        raw_last = "".join(lines[last_start - 1 :])
        if _ends_inside_quotes(raw_last, delimiter=delimiter):
            # The unclosed quote is the cause, not the field count: its record replaces a ragged one.
            problems[last_start] = _unterminated_quote(raw_last, start=last_start, end=len(lines))

    return _Parsed(
        names=names,
        records=list(compress(rows, keep)),
        starts=starts[keep],
        blank_rows=count - int(keep.sum()),
        renamed_columns=renamed,
        problems=problems,
        trailing_fields=int(trailing.sum()),
    )


# The share of the records that must end in one empty field more than the header for that field
# to be the writer's habit (a delimiter after every value, OpenCart's) rather than a broken record.
TRAILING_FIELD_SHARE = 0.9


def _trailing_empty_fields(
    rows: list[list[str]], keep: np.ndarray, widths: np.ndarray, width: int
) -> np.ndarray:
    """The records whose one field past the header's is empty, when (nearly) every record has one.

    Some exports end every data line with a delimiter but not the header: each record then has one
    empty field more than the header, which says nothing. That field is dropped when at least
    :data:`TRAILING_FIELD_SHARE` of the records have it, and never when one of them holds text
    there (a value the header does not name: those records stay ragged).
    """
    longer: np.ndarray = keep & (widths == width + 1)
    found = int(longer.sum())
    if not found or found < TRAILING_FIELD_SHARE * int(keep.sum()):
        return np.zeros(len(rows), dtype=bool)
    if any(rows[position][width].strip() for position in np.flatnonzero(longer).tolist()):
        return np.zeros(len(rows), dtype=bool)
    return longer


def _count(texts: list[str], sub: str) -> np.ndarray:
    """How often ``sub`` occurs in each of ``texts``."""
    return np.fromiter(map(str.count, texts, repeat(sub)), dtype=np.int64, count=len(texts))


def _ends_inside_quotes(raw: str, *, delimiter: str) -> bool:
    """Whether the CSV text ``raw`` (one record) ends inside a quoted value.

    The reader does not say so, but it can be asked: after a line break and a quote, text that ended
    inside quotes still holds one record (the break joins the value and the quote closes it), while
    text that ended outside quotes now holds two.
    """
    probe = io.StringIO(raw + '\n"', newline="")
    return sum(1 for _ in csv.reader(probe, delimiter=delimiter, strict=False)) == 1


def _ragged_row(row: list[str], raw: list[str], *, start: int, width: int, delimiter: str) -> ReadProblem:
    """The error record of a record with more or fewer fields than the header."""
    found = len(row)
    where = f"line {start}" if len(raw) == 1 else f"the record starting on line {start}"
    if found > width:
        value = delimiter.join(row[width:])
        outcome = f"the extra {_fields(found - width)} {value!r} were cut off"
        fix = f"quote the value that contains {delimiter!r}, or remove the stray {delimiter!r}"
    else:
        value = "".join(raw).rstrip("\r\n")
        outcome = f"the last {_fields(width - found)} were left empty"
        fix = "add the missing values (or empty fields) to the line"
    return _problem(
        ErrorCode.RAGGED_ROW,
        f"{where} has {_fields(found)} but the header has {width}; {outcome}. To fix: {fix}, "
        "then read the file again",
        value,
    )


def _fields(count: int) -> str:
    return f"{count} field" if count == 1 else f"{count} fields"


def _unterminated_quote(raw: str, *, start: int, end: int) -> ReadProblem:
    """The error record of a quoted value that is still open at the end of the file."""
    return _problem(
        ErrorCode.UNTERMINATED_QUOTE,
        f"a quoted value opened in the record starting on line {start} never closes, so lines "
        f"{start} to {end} (the end of the file) were read as that one record. To fix: add the "
        "closing quote where the value ends, then read the file again",
        raw.rstrip("\r\n"),
    )


def _unterminated_header(name: str, *, start: int, end: int) -> InputError:
    """The error of a header whose quoted value never closes: it swallows the file, leaving no row."""
    return InputError(
        f"{name}: a quoted value opened in the header on line {start} never closes, so lines {start} to "
        f"{end} (the end of the file) were read as the header and no rows remain. To fix: add the "
        "closing quote where the column name ends, then read the file again"
    )


def _problem(code: ErrorCode, message: str, value: str) -> ReadProblem:
    if len(value) > MAX_VALUE_CHARS:
        value = value[: MAX_VALUE_CHARS - 1] + "…"
    return ReadProblem(code=code, message=message, value=value)


def _to_frame(parsed: _Parsed) -> pd.DataFrame:
    """The frame of the parsed records: ``bulk_row`` first, then text columns (empty cells missing)."""
    # The default text dtype of the running pandas: ``str`` in pandas 3, object in 2.x.
    text_dtype: Any = pd.Series(["text"]).dtype
    columns: dict[str, Any] = {_ROW_KEY: parsed.starts.astype(np.int64)}
    # Arrays, not series: a series costs several times more to make, which a file of many thousands of
    # columns feels.
    if parsed.columns is not None:
        for name, values in zip(parsed.names, parsed.columns, strict=True):
            columns[name] = pd.array(values, dtype=text_dtype)
        return pd.DataFrame(columns)
    cells = np.empty((len(parsed.records), len(parsed.names)), dtype=object)
    if parsed.records:
        cells[:] = parsed.records
        cells[cells == ""] = None
    for position, name in enumerate(parsed.names):
        columns[name] = pd.array(cells[:, position], dtype=text_dtype)
    if parsed.problems:
        columns[_READ_ERROR] = _problem_column(parsed.problems, parsed.starts)
    return pd.DataFrame(columns)


def _problem_column(problems: dict[int, ReadProblem], starts: np.ndarray) -> pd.Series:
    """Each record's :class:`ReadProblem` or None; ``starts`` holds the line each record starts on."""
    cells = np.full(len(starts), None, dtype=object)
    lines = np.fromiter(problems, dtype=np.int64, count=len(problems))
    cells[np.searchsorted(starts, lines)] = list(problems.values())
    return pd.Series(cells, dtype=object)
