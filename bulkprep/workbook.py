"""Read a sheet of a workbook (.xlsx, .xlsm, .xls, .ods) as text, as the sheet shows it, with its row numbers.

:func:`read_excel` is the intake stage for workbooks, with the guarantees of
:func:`bulkprep.read.read_csv`: every value arrives as text, only empty cells are missing, ``bulk_row``
(the sheet's own 1-based row number) comes first, the header is the first row with any text, fully
blank rows are dropped and counted, and empty or duplicate header names are renamed. A spreadsheet
stores numbers, dates and booleans rather than text, so each cell is written back as the sheet shows
it: a whole number as its digits (``4915123456701``, never ``4.915123456701e12`` or ``…701.0``), a date
as ``2024-03-05``, a date with a time as ``2024-03-05T12:30:15``, a boolean as ``TRUE`` / ``FALSE``, an
error as its text (``#N/A``).

The cells are read by python-calamine, which gives each cell's value (turning date formats into dates)
but not its number format, and reads error cells as empty (as 0 in .ods). What a cell shows beyond its
value is therefore read from the file itself where the format allows: in .xlsx / .xlsm the number formats
of the styles (scientific such as ``0.00E+00``, percentage, zero-padded such as ``00000``) and the error
cells; in .ods the text the file stores beside the value, for errors, percentages and scientific
styles. An .xls gives its values only: numbers as values, errors empty.

Example:
    >>> import datetime, io, openpyxl
    >>> book = openpyxl.Workbook()
    >>> book.active.append(["user_id", "Phone", "Joined", "VIP"])
    >>> book.active.append([123, 4915123456701, datetime.date(2024, 3, 5), True])
    >>> book.active.append([])
    >>> book.active.append(["00124", None, None, False])
    >>> data = io.BytesIO()
    >>> book.save(data)
    >>> df = read_excel(io.BytesIO(data.getvalue()))
    >>> df.fillna("").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'bulk_row': [2, 4], 'user_id': ['123', '00124'], 'Phone': ['4915123456701', ''],
     'Joined': ['2024-03-05', ''], 'VIP': ['TRUE', 'FALSE']}
    >>> df.attrs["bulkprep"]["blank_rows"], df.attrs["bulkprep"]["sheet"]
    (1, 'Sheet')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import IO, Any, Final
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import python_calamine

from bulkprep._gc import collector_paused
from bulkprep._source import (
    Change,
    column_names,
    load,
    padded_columns,
    repeated_header_rows,
    strip_text_markers,
    unwrap_text_formulas,
)
from bulkprep.errors import ConfigurationError, InputError
from bulkprep.layouts import MAX_FOOTER_LINES, MAX_PREAMBLE_LINES, footer_start_in_rows, preamble_end_in_rows
from bulkprep.status import ATTRS_KEY, ROW_KEY, AttrsRecords
from bulkprep.workbook_bounds import check_xlsx_bounds

__all__ = ["MAX_UNPACKED_BYTES", "WORKBOOK_SUFFIXES", "cell_text", "read_excel"]

WORKBOOK_SUFFIXES: Final[tuple[str, ...]] = (".xlsx", ".xlsm", ".xls", ".ods")
"""File name endings of the workbooks :func:`read_excel` reads."""

EXACT_DIGITS: Final = 15
"""Significant digits a spreadsheet keeps of a number: Excel stores no more, and shows no more."""

EXACT_LIMIT: Final = 10**EXACT_DIGITS
"""Whole numbers from here on have more digits than a spreadsheet keeps: their last digits are lost."""

_ZIP_SIGNATURE: Final = b"PK\x03\x04"  # .xlsx, .xlsm, .ods (and .xlsb)
_OLE_SIGNATURE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
_TEXT_SAMPLE_BYTES: Final = 4096
# An encrypted .xlsx is an OLE container holding a stream of this name (names are UTF-16 there); its
# directory sits near the start of the small files people protect, and anywhere in large ones.
_ENCRYPTED_PACKAGE: Final = "EncryptedPackage".encode("utf-16-le")
_ENCRYPTION_SEARCH_BYTES: Final = 1 << 26

MAX_UNPACKED_BYTES: Final = 2**30
"""The most bytes (1 GiB) the parts of an .xlsx, .xlsm or .ods workbook may unpack to, as its zip
directory declares them: far more than a sheet of a million rows needs, while a "zip bomb" (a small file
that unpacks to gigabytes) is refused before it is unpacked."""

Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def read_excel(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    sheet: str | int | None = None,
    header_line: int | None = None,
) -> pd.DataFrame:
    """Read one sheet of a workbook with every value as the text the sheet shows.

    Args:
        source: a path, or an open binary file (anything with ``read()``), of an ``.xlsx``, ``.xlsm``,
            ``.xls`` or ``.ods`` workbook; the format is told from the content, not the name.
        sheet: the sheet's name, or its 0-based position among the workbook's sheets; the first
            sheet when not given.
        header_line: the sheet's row (1-based) that holds the header; the rows above it are dropped
            and counted (``preamble_rows``). When not given, a report's title rows above the header
            are found as :func:`bulkprep.read.read_csv` finds title lines
            (:func:`bulkprep.layouts.preamble_end_in_rows`).

    Returns:
        A frame whose first column ``bulk_row`` (int64) is the sheet's row number of each record
        (the first data row is 2 when the header is on row 1), followed by the sheet's columns as
        text, missing only where the cell is empty. The header is the first row with any text; fully
        blank rows below it are dropped, and empty columns left and right of the table are not read.
        Cells become the text the sheet shows: text as written, whole numbers as their digits, other
        numbers to the 15 significant digits a spreadsheet keeps (``0.30000000000000004`` is ``0.3``),
        numbers in a scientific, percentage or zero-padded format as the format shows them
        (``7.53E+09``, ``13%``, ``02134``; .xlsx, .xlsm and .ods), dates as ``YYYY-MM-DD``, dates with a
        time as ``YYYY-MM-DDTHH:MM:SS``, times as ``HH:MM:SS``, durations as ``H:MM:SS``, booleans as
        ``TRUE`` / ``FALSE``, errors as their text (``#N/A``; not in .xls). A formula cell is the
        result the file holds for it. A whole number of 16 digits or more
        cannot be exact in a spreadsheet (it keeps 15), so it arrives in scientific notation with the
        digits the file holds (``1.2345678901234567E+19``) rather than as digits that look right and
        are not: :func:`bulkprep.courier.looks_scientific` then flags it like any mangled number.
        ``df.attrs["bulkprep"]`` holds the keys of :func:`bulkprep.read.read_csv` (``source``,
        ``encoding`` and ``delimiter`` both ``None``, ``blank_rows``, ``renamed_columns``,
        ``read_errors``, ``footer_rows``, ``changes``, and ``preamble_rows`` and ``repeated_headers``
        when there were some), so :func:`bulkprep.read.read_info` and
        :func:`bulkprep.read.read_changes` work on the frame, and also ``sheet`` (the name of the
        sheet read) and ``sheet_names`` (every sheet, in workbook order).

        As in a CSV file: a report's footer rows at the end of the sheet are dropped
        (``footer_rows``), rows repeating the header are dropped (``repeated_headers``), and
        text-marker apostrophes (``'02134``) and ``="..."`` text formulas held as text are undone,
        each change listed by :func:`bulkprep.read.read_changes`.

    Raises:
        InputError: the file is missing, a directory, empty, not a workbook, password-protected or
            damaged; the sheet named is not in the workbook (the message lists its sheets); the
            sheet has no text at all.
        ConfigurationError: ``sheet`` is neither a name nor a position; ``header_line`` is not a
            row of the sheet with text.

    Example:
        >>> import io, openpyxl
        >>> book = openpyxl.Workbook()
        >>> book.active.title = "Notes"
        >>> users = book.create_sheet("Users")
        >>> users["B3"], users["C3"] = "id", "zip"
        >>> users["B4"], users["C4"] = 1001, "02134"
        >>> data = io.BytesIO()
        >>> book.save(data)
        >>> df = read_excel(io.BytesIO(data.getvalue()), sheet="Users")
        >>> df["bulk_row"].tolist(), df["id"].tolist(), df["zip"].tolist()
        ([4], ['1001'], ['02134'])
        >>> read_excel(io.BytesIO(data.getvalue()), sheet="Contacts")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bulkprep.errors.InputError: <buffer> has no sheet named 'Contacts'; pass sheet= one of 'Notes', ...
    """
    data, name = _load(source)
    _check_workbook_bytes(data, name=name)
    _check_unpacked_size(data, name=name)
    check_xlsx_bounds(data, name=name)
    if data.startswith(_OLE_SIGNATURE) and _ENCRYPTED_PACKAGE in data[:_ENCRYPTION_SEARCH_BYTES]:
        raise _password_protected(name)  # calamine sees an .xls it cannot read in such a file
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise _password_protected(name) from None
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise _not_a_workbook(name, detail=str(exc)) from None
    with book:
        sheet_names = list(book.sheet_names)
        chosen = _choose_sheet(sheet, sheet_names, name=name)
        try:
            # From cell A1, so that row positions are the sheet's row numbers.
            rows = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
        except python_calamine.CalamineError as exc:
            raise InputError(
                f"sheet {chosen!r} of {name} cannot be read ({exc}); open the workbook, save it "
                "again as .xlsx and read it once more"
            ) from None
    _apply_overrides(rows, _sheet_overrides(data, chosen))
    del data

    with collector_paused():
        table = _Table.from_rows(rows, sheet=chosen, name=name, header_line=header_line)
        del rows
        frame = table.frame()
        repeated = repeated_header_rows(frame, table.header)
        if repeated.any():
            frame = frame[~repeated].reset_index(drop=True)
        changes: list[Change] = strip_text_markers(frame) + unwrap_text_formulas(frame)
    frame.attrs[ATTRS_KEY] = {
        "source": name,
        "encoding": None,
        "delimiter": None,
        "blank_rows": table.blank_rows,
        "renamed_columns": table.renamed_columns,
        "footer_rows": table.footer_rows,
        "changes": AttrsRecords(sorted(changes, key=lambda change: change[0])),
        "sheet": chosen,
        "sheet_names": sheet_names,
    }
    found = {
        "preamble_rows": table.preamble_rows,
        "repeated_headers": int(repeated.sum()),
        "padded_columns": padded_columns(frame.columns),
    }
    frame.attrs[ATTRS_KEY].update({key: value for key, value in found.items() if value})
    return frame


# --- loading ----------------------------------------------------------------------------------------


def _load(source: object) -> tuple[bytes, str]:
    """The bytes of ``source`` and its name for messages."""
    content, label, _ = load(source, reader="read_excel", kind="workbook")
    if isinstance(content, str):
        raise InputError(
            f"{label} was opened as text; a workbook is binary: open it with open(path, 'rb'), "
            "or pass its path"
        )
    return content, label


def _check_workbook_bytes(data: bytes, *, name: str) -> None:
    """Refuse, with the fix, content that cannot be a workbook: empty, text, or another kind of file."""
    if not data.strip():
        raise InputError(f"{name} is empty; a workbook needs a sheet with a header row naming the columns")
    if data.startswith((_ZIP_SIGNATURE, _OLE_SIGNATURE)):
        return
    head = data[:_TEXT_SAMPLE_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        raise InputError(
            f"{name} is a web page or XML file saved with a workbook's name, not a workbook; open it in "
            "a spreadsheet program and save it as .xlsx (or as 'CSV UTF-8' and use read_csv)"
        )
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise InputError(
                f"{name} is a text file (a CSV?), not a workbook; read it with bulkprep.read.read_csv"
            )
    raise _not_a_workbook(name)


def _check_unpacked_size(data: bytes, *, name: str) -> None:
    """Refuse a zip-based workbook whose parts would unpack to more than :data:`MAX_UNPACKED_BYTES`.

    The sizes are those of the zip directory, read without unpacking anything; the parts read here
    later (:func:`_sheet_overrides`) are never unpacked beyond their declared size.
    """
    if not data.startswith(_ZIP_SIGNATURE):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(part.file_size for part in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: calamine says what is wrong with it
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{name} would unpack to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} bulkprep "
            "unpacks of a workbook; if it is the right file, save the sheet as 'CSV UTF-8' and read that"
        )


def _password_protected(name: str) -> InputError:
    return InputError(
        f"{name} is password-protected; open it, remove the password, save it and read it again"
    )


def _not_a_workbook(name: str, *, detail: str = "") -> InputError:
    because = f" ({detail})" if detail else ""
    return InputError(
        f"{name} is not an Excel or OpenDocument workbook (.xlsx, .xlsm, .xls, .ods){because}; check it "
        "is the right file, or open it in a spreadsheet program and save it as .xlsx"
    )


def _choose_sheet(sheet: object, sheet_names: Sequence[str], *, name: str) -> str:
    """The name of the sheet ``sheet`` points at, or an InputError that lists the sheets there are."""
    listed = ", ".join(map(repr, sheet_names))
    if not sheet_names:
        raise InputError(f"{name} has no sheets; open it in a spreadsheet program and save it as .xlsx")
    if sheet is None:
        return sheet_names[0]
    if isinstance(sheet, bool) or not isinstance(sheet, str | int):
        raise ConfigurationError(
            f"sheet must be a sheet's name or its 0-based position, not {sheet!r}; "
            "leave it unset to read the first sheet"
        )
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheet_names):
            return sheet_names[sheet]
        raise InputError(
            f"{name} has {len(sheet_names)} sheet(s), so there is no sheet at position {sheet} "
            f"(positions start at 0); its sheets are {listed}: pass a name or a position 0 to "
            f"{len(sheet_names) - 1} as sheet="
        )
    if sheet in sheet_names:
        return sheet
    near = [known for known in sheet_names if known.strip().casefold() == sheet.strip().casefold()]
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise InputError(f"{name} has no sheet named {sheet!r}{hint}; pass sheet= one of {listed}")


# --- cells to text ----------------------------------------------------------------------------------


def cell_text(value: Cell) -> str | None:
    """The text a spreadsheet shows for a cell's value, or None for an empty cell.

    Example:
        >>> import datetime
        >>> [cell_text(v) for v in (4915123456701.0, 0.1 + 0.2, 1.2345678901234567e19, True, "")]
        ['4915123456701', '0.3', '1.2345678901234567E+19', 'TRUE', None]
        >>> cell_text(datetime.datetime(2024, 3, 5, 12, 30, 15)), cell_text(datetime.timedelta(hours=26))
        ('2024-03-05T12:30:15', '26:00:00')
    """
    convert = _CONVERTERS.get(type(value))
    if convert is None:  # a subclass: find the converter of its base
        convert = next(f for kind, f in _CONVERTERS.items() if isinstance(value, kind))
    return convert(value)


def _text(value: str) -> str | None:
    return value if value else None


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= EXACT_LIMIT:
        # More digits than a spreadsheet keeps: the digits the file holds, in scientific notation,
        # so none is made up and the value reads as the mangled number it is.
        mantissa, _, exponent = repr(value).partition("e")
        if not exponent:  # repr writes 1e15 to 1e16 positionally: 1234567890123456.0
            mantissa, _, exponent = f"{value:.17e}".partition("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa.removesuffix('.0')}E{int(exponent):+03d}"
    if value.is_integer():
        return str(int(value))
    shown = float(f"{value:.{EXACT_DIGITS}g}")  # what the spreadsheet shows: 15 significant digits
    if shown.is_integer():
        return str(int(shown))
    text = repr(shown)
    return text if "e" not in text else np.format_float_positional(shown, trim="-")


def _integer(value: int) -> str:
    return str(value)


def _boolean(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _date(value: dt.date) -> str:
    return value.isoformat()


def _datetime(value: dt.datetime) -> str:
    # A spreadsheet stores a time as a fraction of a day: round away the float noise below a second.
    whole = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return whole.isoformat(timespec="seconds")


def _time(value: dt.time) -> str:
    seconds = value.hour * 3600 + value.minute * 60 + value.second + round(value.microsecond / 1e6)
    hours, rest = divmod(min(seconds, 86_399), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _duration(value: dt.timedelta) -> str:
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


# Looked up by exact type first; bool before int and datetime before date for the subclass lookup.
_CONVERTERS: Final[dict[type, Callable[[Any], str | None]]] = {
    str: _text,
    float: _number,
    bool: _boolean,
    int: _integer,
    dt.datetime: _datetime,
    dt.date: _date,
    dt.time: _time,
    dt.timedelta: _duration,
}


# --- the table --------------------------------------------------------------------------------------


class _Table:
    """The records of a sheet below its header row, as text, with their sheet row numbers."""

    def __init__(
        self,
        names: list[str],
        columns: list[np.ndarray],
        rows: np.ndarray,
        blank_rows: int,
        renamed_columns: dict[str, str],
        header: list[str] | None = None,
        preamble_rows: int = 0,
        footer_rows: int = 0,
    ) -> None:
        self.names = names
        self.columns = columns
        self.rows = rows
        self.blank_rows = blank_rows
        self.renamed_columns = renamed_columns
        self.header = names if header is None else header  # the header's texts, one per column
        self.preamble_rows = preamble_rows
        self.footer_rows = footer_rows

    @classmethod
    def from_rows(
        cls, rows: list[list[Cell]], *, sheet: str, name: str, header_line: int | None = None
    ) -> _Table:
        """The table of ``rows`` (the sheet from cell A1): header, records, blank rows, column span.

        Column by column: a sheet's column mostly holds one type, converted by one function mapped
        over it, and only text cells can be blank. The header is the row ``header_line`` names, or
        the first with text below a report's title rows; a report's footer rows at the end go.
        """
        header_at = next((position for position, row in enumerate(rows) if _row_has_text(row)), None)
        if header_at is None:
            raise InputError(
                f"sheet {sheet!r} of {name} is empty; it needs a header row naming the columns "
                "(pass sheet= to read another sheet)"
            )
        if header_line is not None:
            if header_line > len(rows) or not _row_has_text(rows[header_line - 1]):
                raise ConfigurationError(
                    f"header_line={header_line} but row {header_line} of sheet {sheet!r} of {name} is "
                    + ("past the end of the sheet" if header_line > len(rows) else "blank")
                    + "; give the row that holds the column names"
                )
            header_at, preamble_rows = header_line - 1, header_line - 1
        else:
            sample = [_row_texts(row) for row in rows[header_at : header_at + _SNIFF_ROWS]]
            preamble_rows = preamble_end_in_rows(sample)
            header_at += preamble_rows
        width = max(map(len, rows[header_at:]))
        body = [
            row if len(row) == width else [*row, *[""] * (width - len(row))] for row in rows[header_at + 1 :]
        ]
        tail = [_row_texts(row) for row in body[-MAX_FOOTER_LINES:]]
        footer_rows = len(tail) - footer_start_in_rows(tail)[0]
        if footer_rows:
            del body[len(body) - footer_rows :]
        header = [cell_text(value) or "" for value in rows[header_at]]
        header += [""] * (width - len(header))
        texts: list[list[str | None]] = []
        filled = np.zeros((width, len(body)), dtype=bool)
        for position, column in enumerate(zip(*body, strict=True) if body else [() for _ in header]):
            column_texts, filled[position] = _column_texts(column)
            texts.append(column_texts)
        used = filled.any(axis=1) | np.fromiter(map(_has_text, header), bool, width)
        first, last = int(np.argmax(used)), width - int(np.argmax(used[::-1]))
        keep = filled[first:last].any(axis=0)
        names, renamed = column_names(header[first:last])
        return cls(
            names=names,
            columns=[np.array(column, dtype=object)[keep] for column in texts[first:last]],
            # Sheet rows are 1-based: position 0 of the rows read from A1 is row 1.
            rows=np.flatnonzero(keep).astype(np.int64) + header_at + 2,
            blank_rows=int(len(body) - keep.sum()),
            renamed_columns=renamed,
            header=header[first:last],
            preamble_rows=preamble_rows,
            footer_rows=footer_rows,
        )

    def frame(self) -> pd.DataFrame:
        """``bulk_row`` first, then the columns as the running pandas' default text dtype."""
        text_dtype = pd.Series(["text"]).dtype  # ``str`` in pandas 3, object in 2.x
        data: dict[str, Any] = {ROW_KEY: self.rows}
        for column_name, values in zip(self.names, self.columns, strict=True):
            data[column_name] = pd.Series(values, dtype=text_dtype)
        return pd.DataFrame(data)


_SNIFF_ROWS: Final = MAX_PREAMBLE_LINES + 40  # rows looked at for a report's title rows


def _row_texts(row: Sequence[Cell]) -> list[str]:
    """The texts a row of values shows (empty cells as ``""``)."""
    return [cell_text(value) or "" for value in row]


def _row_has_text(row: list[Cell]) -> bool:
    """Whether a row of values holds anything but empty or whitespace text."""
    return any(not isinstance(value, str) or (value and not value.isspace()) for value in row)


def _has_text(text: str | None) -> bool:
    return bool(text and not text.isspace())


def _column_texts(column: Sequence[Cell]) -> tuple[list[str | None], np.ndarray]:
    """The texts of a column's values, and which of them are not blank.

    A column of one type (the usual case) gets that type's converter mapped over it, whole numbers
    in bulk; only text cells can be blank.
    """
    count = len(column)
    kinds = set(map(type, column))
    kind = kinds.pop() if len(kinds) == 1 else None
    if kind is str:
        texts: list[str | None] = [value or None for value in column]  # type: ignore[misc]
        return texts, np.fromiter(map(bool, map(str.strip, column)), bool, count)  # type: ignore[arg-type]
    if kind is float:
        return _float_texts(np.array(column, dtype=np.float64)), np.ones(count, dtype=bool)
    if kind is not None and kind in _CONVERTERS:
        return list(map(_CONVERTERS[kind], column)), np.ones(count, dtype=bool)
    texts = list(map(cell_text, column))
    return texts, np.fromiter(map(_has_text, texts), bool, count)


def _float_texts(values: np.ndarray) -> list[str | None]:
    """:func:`cell_text` of each float, the whole numbers below :data:`EXACT_LIMIT` in one go."""
    with np.errstate(invalid="ignore"):
        whole = (np.abs(values) < EXACT_LIMIT) & (np.floor(values) == values)
    texts: list[str | None] = [None] * len(values)
    positions = np.flatnonzero(whole).tolist()
    for position, text in zip(positions, values[whole].astype(np.int64).astype(str).tolist(), strict=True):
        texts[position] = text
    for position in np.flatnonzero(~whole).tolist():
        texts[position] = _number(float(values[position]))
    return texts


# --- what calamine does not say: number formats and error cells of .xlsx / .xlsm ------------------
#
# python-calamine gives each cell's value but neither its number format (beyond turning date formats
# into dates) nor error cells (#N/A arrives as an empty cell). For the Office Open XML formats both are
# read here from the file itself: the styles once, then only the cells that need it, found with one
# regular-expression scan of the sheet's XML (C speed; no Python work per ordinary cell). Formats other
# than scientific, percentage and zero-padded ("00000") are left to the value as read.

_MAIN_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that change how a number is shown (ECMA-376 part 1, 18.8.30).
_BUILTIN_FORMATS: Final = {9: "0%", 10: "0.00%", 11: "0.00E+00", 48: "##0.0E+0"}
_QUOTED_OR_BRACKETED: Final = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_CELL_REF: Final = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_CELL_TYPE: Final = re.compile(rb'\bt="([a-z]+)"')
_CELL_VALUE: Final = re.compile(rb"<v>([^<]*)</v>")
_ERROR_CELL: Final = re.compile(rb'<c\b[^>]*\bt="e"[^>]*>')

Shown = Callable[[float], str]


def _format_display(code: str) -> Shown | None:
    """How a number in format ``code`` is shown, for the formats that make other text than its value.

    Text the format adds around the number (quoted, bracketed) is left out: the number is what counts.
    """
    section = _QUOTED_OR_BRACKETED.sub("", code.split(";", 1)[0]).strip()
    scientific = _SCIENTIFIC_FORMAT.search(section)
    if scientific:
        integer, decimals, exponent = scientific.groups()
        # "##0.0E+0" is engineering notation: the exponent a multiple of the integer part's width.
        step = len(integer) if "#" in integer else 1
        return lambda value: _scientific(value, len(decimals), exponent_digits=len(exponent), step=step)
    if section.endswith("%") and re.fullmatch(r"[0#,]*(?:\.([0#]*))?%", section):
        decimals = len(section.partition(".")[2]) - 1 if "." in section else 0
        return lambda value: _fixed(value * 100, decimals) + "%"
    if len(section) > 1 and set(section) == {"0"}:
        width = len(section)
        return lambda value: f"{round(value):0{width}d}" if float(value).is_integer() else _number(value)
    return None


_SCIENTIFIC_FORMAT: Final = re.compile(r"([0#]+)\.?([0#]*)[eE][+-]([0#]+)")


def _fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, halves rounded away from zero as a spreadsheet does."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return f"{Decimal(repr(value)):.{decimals}f}"


def _scientific(value: float, decimals: int, *, exponent_digits: int, step: int) -> str:
    """``value`` in scientific notation as a spreadsheet shows it: ``7.53E+09`` for ``0.00E+00``."""
    if value == 0:
        return f"{0:.{decimals}f}E+{0:0{exponent_digits}d}"
    exact = Decimal(repr(value))
    exponent = exact.adjusted() // step * step
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals))
        if abs(mantissa) >= 10**step:  # rounding carried into another digit: 9.996E+09 -> 1.00E+10
            exponent += step
            mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals))
    sign = "-" if exponent < 0 else "+"
    return f"{mantissa}E{sign}{abs(exponent):0{exponent_digits}d}"


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _sheet_overrides(data: bytes, sheet: str) -> dict[tuple[int, int], str | Shown]:
    """Cells of ``sheet`` whose shown text the values alone do not give: (row, column) from 0 to the
    text to show (an error's), or to how the number is shown. Empty for .xls (calamine's values only)."""
    if not data.startswith(_ZIP_SIGNATURE):
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "xl/workbook.xml" not in names:
                return _ods_overrides(package, sheet) if "content.xml" in names else {}
            path = _sheet_path(package, sheet)
            if path is None or path not in names:
                return {}
            xml = package.read(path)
            displays = _style_displays(package) if "xl/styles.xml" in names else {}
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError):
        return {}  # calamine read the file; without its extras the values are still right
    overrides: dict[tuple[int, int], str | Shown] = {}
    if b't="e"' in xml:
        for match in _ERROR_CELL.finditer(xml):
            ref = _CELL_REF.search(match.group())
            end = -1 if match.group().endswith(b"/>") else xml.find(b"</c>", match.end())
            value = _CELL_VALUE.search(xml, match.end(), end) if end >= 0 else None
            if ref and value:
                where = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
                overrides[where] = value.group(1).decode("utf-8", "replace")
    if displays:
        styles = b"|".join(str(style).encode() for style in displays)
        for match in re.finditer(rb'<c\b[^>]*\bs="(' + styles + rb')"[^>]*>', xml):
            cell_type = _CELL_TYPE.search(match.group())
            ref = _CELL_REF.search(match.group())
            if ref and (cell_type is None or cell_type.group(1) == b"n"):
                where = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
                overrides.setdefault(where, displays[int(match.group(1))])
    return overrides


def _sheet_path(package: zipfile.ZipFile, sheet: str) -> str | None:
    """The package path of the worksheet named ``sheet``."""
    book = ET.fromstring(package.read("xl/workbook.xml"))
    rel_id = next(
        (node.get(f"{_REL_NS}id") for node in book.iter(f"{_MAIN_NS}sheet") if node.get("name") == sheet),
        None,
    )
    rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _style_displays(package: zipfile.ZipFile) -> dict[int, Shown]:
    """Style index to how a number of that style is shown, for the styles whose format matters."""
    styles = ET.fromstring(package.read("xl/styles.xml"))
    codes: dict[int, str] = dict(_BUILTIN_FORMATS)
    for node in styles.iter(f"{_MAIN_NS}numFmt"):
        with contextlib.suppress(KeyError, ValueError):
            codes[int(node.attrib["numFmtId"])] = node.attrib["formatCode"]
    cell_xfs = styles.find(f"{_MAIN_NS}cellXfs")
    displays: dict[int, Shown] = {}
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(f"{_MAIN_NS}xf")):
        code = codes.get(int(xf.get("numFmtId", "0")))
        display = _format_display(code) if code else None
        if display is not None:
            displays[index] = display
    return displays


def _apply_overrides(rows: list[list[Cell]], overrides: dict[tuple[int, int], str | Shown]) -> None:
    """Put the shown text of each overridden cell into ``rows`` (read from A1)."""
    for (row, column), override in overrides.items():
        if row >= len(rows) or column >= len(rows[row]):
            continue
        value = rows[row][column]
        if isinstance(override, str):
            rows[row][column] = override  # an error: calamine reads it as empty, or 0 in .ods
        elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            rows[row][column] = override(float(value))


# OpenDocument keeps the text each cell shows beside its value, so the shown text is taken as it is for
# the cells whose value alone misleads: errors (calamine reads #N/A as 0), percentages and numbers in a
# scientific style. Only looked at when content.xml holds such a cell.
_ODS_TABLE: Final = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE: Final = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_STYLE: Final = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODS_NUMBER: Final = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_ODS_CALCEXT: Final = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_TRIGGERS: Final = (b'value-type="error"', b'value-type="percentage"', b"scientific-number")


def _ods_overrides(package: zipfile.ZipFile, sheet: str) -> dict[tuple[int, int], str | Shown]:
    """The shown text of the errors, percentages and scientific numbers of ``sheet`` in an .ods."""
    content = package.read("content.xml")
    if not any(trigger in content for trigger in _ODS_TRIGGERS):
        return {}
    scientific = _ods_scientific_styles(content)
    if "styles.xml" in package.namelist():
        scientific |= _ods_scientific_styles(package.read("styles.xml"))
    overrides: dict[tuple[int, int], str | Shown] = {}
    row = column = 0
    in_sheet = False
    for event, node in ET.iterparse(io.BytesIO(content), events=("start", "end")):
        tag = node.tag
        if tag == f"{_ODS_TABLE}table":
            in_sheet = event == "start" and node.get(f"{_ODS_TABLE}name") == sheet
            row = 0
        elif not in_sheet or event == "start":
            continue
        elif tag == f"{_ODS_TABLE}table-row":
            row += int(node.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            column = 0
            node.clear()
        elif tag in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
            kind = node.get(f"{_ODS_CALCEXT}value-type") or node.get(f"{_ODS_OFFICE}value-type")
            if (
                kind == "error"
                or kind == "percentage"
                or (kind == "float" and node.get(f"{_ODS_TABLE}style-name") in scientific)
            ):
                shown = "\n".join("".join(paragraph.itertext()) for paragraph in node)
                if shown:
                    overrides[(row, column)] = shown
            column += int(node.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
    return overrides


def _ods_scientific_styles(xml: bytes) -> set[str]:
    """Names of the cell styles whose number style shows numbers in scientific notation."""
    if b"scientific-number" not in xml:
        return set()
    root = ET.fromstring(xml)
    data_styles = {
        node.get(f"{_ODS_STYLE}name")
        for node in root.iter(f"{_ODS_NUMBER}number-style")
        if node.find(f"{_ODS_NUMBER}scientific-number") is not None
    }
    return {
        name
        for node in root.iter(f"{_ODS_STYLE}style")
        if node.get(f"{_ODS_STYLE}data-style-name") in data_styles and (name := node.get(f"{_ODS_STYLE}name"))
    }
