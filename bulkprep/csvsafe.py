"""Write results as a CSV that a spreadsheet opens safely and correctly.

A spreadsheet runs a cell that starts with ``=``, ``@``, ``+`` or ``-`` as a formula (and some also
after a leading tab or carriage return), so a crafted value in a user file could run code on the
machine of whoever opens the results ("CSV injection"). Such cells get a leading single quote ``'``,
which spreadsheets read as "this is text" and do not show. A ``-`` followed by a plain number alone
(``-3``, ``-12.5``, ``-0,5``) is a number, not a formula, and is left alone, with two exceptions in a
written file: at the start of a line, since a spreadsheet splitting on semicolons reads the whole line
up to its first ``;`` as one cell (``-1,ingest,...``); and what a number column writes that is not a
plain number (``-inf``, a negative duration such as ``-1 days``). Lists and dicts (such as the ``bulk_user``
payload) are written as compact JSON, missing values as empty cells, and the file starts with a UTF-8
byte order mark so that spreadsheets detect the encoding instead of garbling accented names.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"name": ["=2+5", "Ann"], "delta": ["-12.5", "-1+2"]})
    >>> neutralize_formulas(cells).to_dict("list")
    {'name': ["'=2+5", 'Ann'], 'delta': ['-12.5', "'-1+2"]}
"""

from __future__ import annotations

import codecs
import copy
import marshal
import operator
import re
from collections.abc import Iterable
from functools import partial
from itertools import repeat
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd

from bulkprep.arrowtext import arrow_text, holding_bytes, starting_with
from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import MISSING, clean, dumps
from bulkprep.outfiles import replaced_atomically
from bulkprep.status import Column

__all__ = ["FORMULA_GUARD", "guard_text", "is_formula", "neutralize_formulas", "write_results_csv"]

#: What a cell a spreadsheet would run as a formula is prefixed with.
FORMULA_GUARD = "'"

_FULLWIDTH = ("\uff1d", "\uff20", "\uff0b", "\uff0d")  # = @ + - as fullwidth forms

# Cells starting with = @ + tab or CR, or with - unless the whole cell is a plain number (-12.5, -3,5).
# The fullwidth = @ + - (U+FF1D, U+FF20, U+FF0B, U+FF0D) are triggers too, a fullwidth minus even before
# digits: spreadsheets of East Asian locales read them as their ASCII forms.
# A leading + is guarded even before a plain number: +442079460958 is a phone number, and a spreadsheet
# would read it as the number 442079460958, drop the plus and show it as 4.42079E+11.
_LEADING = r"[=@+\t\r\uff1d\uff20\uff0b\uff0d]|-(?!(?:\d+(?:[.,]\d+)?|[.,]\d+)\Z)"
_FORMULA = re.compile(_LEADING)
# A spreadsheet set to split on semicolons (where the comma is the decimal mark) splits a cell at each ;
# whatever the quotes around it, since for it those quotes open mid-field: the text after a ; is a cell
# of its own, a formula when it starts with a trigger (spaces and quotes before it aside). That piece
# runs on past the cell's end to the next ; so even "-12,5" may continue as a formula: - is a trigger
# there. A line break inside a cell is the same cut for such a reader: the quoted cell does not
# hold it together, so the next line starts a record of its own. A tab is the same cut for a reader
# splitting on tabs (an import dialog's default in some spreadsheets), which does not honour quotes
# either. Commas need no such guard: the writer quotes every cell holding one, and comma-splitting
# readers honour those quotes.
_PIECE_TRIGGER = r"[=@+\-\t\r\uff1d\uff20\uff0b\uff0d]"
_CUT = r"[;\t\r\n]"  # where a reader splitting on ; or tabs starts a new cell (or a new record)
_SPLIT_FORMULA = re.compile(rf'(?<={_CUT})([ "]*)(?={_PIECE_TRIGGER})')
_NEEDS_GUARD = re.compile(rf'\A(?:{_LEADING})|(?<={_CUT})[ "]*(?:{_PIECE_TRIGGER})')
_HAS_CUT = re.compile(_CUT)
_INNER_GUARD = rf"\g<1>{FORMULA_GUARD}"  # what _SPLIT_FORMULA's match becomes: the guard after the spaces
_CANDIDATE = re.compile(
    r"[=@+\-\t\r\uff1d\uff20\uff0b\uff0d]|[^;\t\r\n]*[;\t\r\n]"
)  # every cell _NEEDS_GUARD finds, and a few more
_TRIGGERS = ("=", "@", "+", "-", "\t", "\r", *_FULLWIDTH)  # _CANDIDATE's first alternative
_CUTS = (";", "\t", "\r", "\n")  # and the characters its second one finds
# _CANDIDATE on the bytes of Arrow's strings: a trigger's UTF-8 bytes first, or a cut's byte anywhere.
_TRIGGER_BYTES = tuple(trigger.encode() for trigger in _TRIGGERS)
_CUT_BYTES = "".join(_CUTS).encode()
_QUOTED_BYTES = b'",\r\n'  # what the csv writer quotes a cell for
_ARROW_AT_LEAST = 1_000  # cells of a column from which Arrow's pass is the faster one
_ARROW_ROWS = 8_192  # rows of the results file whose text Arrow builds at once
# What a number column writes for a finite negative number (-3, -0.5, -1e-05): a plain number in every
# spreadsheet. Anything else it may write with a leading - (-inf, a duration such as "-1 days") is not.
_PLAIN_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?(?:e[+-]\d+)?\Z")
# Text cells are looked at in groups of about this many, all at once (one regex pass per group).
_CELLS_AT_ONCE = 1 << 20
_NESTED: Any = dict | list | tuple  # the cells written as JSON text


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text``, or a part of it it splits off, as a formula.

    That is text that starts with a formula trigger (or with ``-`` and is not a plain number), or in
    which a trigger follows a ``;``, a tab or a line break, where a spreadsheet splitting on
    semicolons (or tabs) starts a cell (or a record).

    Example:
        >>> [is_formula(t) for t in ["=1+1", "@SUM(A1)", "+442079460958", "-12.5", "-1+1", "a=b"]]
        [True, True, True, False, True, False]
        >>> [is_formula(t) for t in ["x;=cmd|' /C calc'!A0;y", "a; -12,5", "Smith; Ann", "a\\n@SUM(1)"]]
        [True, True, False, True]
        >>> is_formula("name\\t=1+1"), guard_text("name\\t=1+1")
        (True, "name\\t'=1+1")
    """
    return bool(_NEEDS_GUARD.search(text))


def guard_text(text: str) -> str:
    """``text`` as it is written to a results file: a ``'`` before each formula it starts or holds.

    Example:
        >>> guard_text("=1+1"), guard_text("x;=cmd|' /C calc'!A0;y"), guard_text("Ann")
        ("'=1+1", "x;'=cmd|' /C calc'!A0;y", 'Ann')
    """
    inner = _SPLIT_FORMULA.sub(_INNER_GUARD, text)
    return FORMULA_GUARD + inner if _FORMULA.match(inner) else inner


def _guard_texts(texts: np.ndarray) -> np.ndarray:
    """:func:`guard_text` of each text of an object array, column-wise."""
    out = np.array(texts, dtype=object)  # a copy, written to
    split = np.fromiter(map(bool, map(_HAS_CUT.search, out)), dtype=bool, count=len(out))
    if split.any():
        out[split] = list(map(partial(_SPLIT_FORMULA.sub, _INNER_GUARD), out[split]))
    leading = np.fromiter(map(bool, map(_FORMULA.match, out)), dtype=bool, count=len(out))
    out[leading] = FORMULA_GUARD + out[leading]
    return out


def _columns(df: pd.DataFrame) -> list[pd.Series]:
    """The columns of ``df`` by position, without its ``attrs`` (copied to every column otherwise)."""
    bare = df.copy(deep=False)
    bare.attrs = {}
    return [column for _, column in bare.items()]


def _assemble(columns: list[Any], like: pd.DataFrame, headers: list[Any]) -> pd.DataFrame:
    """One frame of ``columns`` (series, or object arrays of cells), with the index and ``attrs`` of ``like``.

    Built at once: setting the columns of a wide frame one by one costs time in the square of its
    width. The object arrays become one block of cells, which pandas writes as fast as one column.
    """
    cells = [position for position, column in enumerate(columns) if isinstance(column, np.ndarray)]
    typed = [position for position, column in enumerate(columns) if not isinstance(column, np.ndarray)]
    parts = []
    if cells:
        matrix = np.empty((len(like.index), len(cells)), dtype=object)
        for place, position in enumerate(cells):
            matrix[:, place] = columns[position]
        parts.append(pd.DataFrame(matrix, index=like.index, columns=cells, dtype=object, copy=False))
    if typed or not cells:
        arrays = {position: columns[position].array for position in typed}
        parts.append(pd.DataFrame(arrays, index=like.index, columns=typed, copy=False))
    out = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1)
    if cells and typed:
        out = out[list(range(len(columns)))]  # back to the columns' own order
    # The frame's own column index (its name, a MultiIndex) unless a header was guarded.
    out.columns = like.columns if headers == list(like.columns) else pd.Index(headers, tupleize_cols=False)
    out.attrs = copy.deepcopy(like.attrs)
    return out


def _guard_columns(columns: list[pd.Series], *, as_cells: bool = False) -> list[Any]:
    """The columns with their formula-like text cells guarded (see :func:`guard_text`).

    The text cells of many columns are looked at together, so that a file of a hundred thousand
    columns costs about what one long column does. With ``as_cells``, each column that may hold text
    comes back as an object array of its cells (what is written), other columns as they are.
    """
    out: list[Any] = list(columns)
    group: list[int] = []
    cells = 0
    for position, values in enumerate(columns):
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = out[position] = values.astype("object")
        if not pd.api.types.is_string_dtype(values.dtype):
            continue  # numbers, booleans, dates: no text in them
        group.append(position)
        cells += len(values)
        if cells >= _CELLS_AT_ONCE:
            _guard_group(out, group, as_cells=as_cells)
            group, cells = [], 0
    if group:
        _guard_group(out, group, as_cells=as_cells)
    return out


def _arrow_strings(column: pd.Series, *, at_least: int = _ARROW_AT_LEAST) -> Any:
    """The Arrow array of a column of Arrow-backed text of ``at_least`` cells or more, else None.

    Such a column is looked at and written by Arrow without a Python object per cell.
    """
    return arrow_text(column) if len(column) >= at_least else None


def _arrow_candidates(values: Any) -> np.ndarray:
    """Where ``_CANDIDATE`` matches a cell of an Arrow string array (missing cells never do).

    Read off the array's bytes, column-wise: a trigger's UTF-8 bytes at a cell's start, or a cut's
    byte anywhere in it. A regular expression pass over every cell cost several times more.
    """
    found = holding_bytes(values, _CUT_BYTES)
    found |= starting_with(values, _TRIGGER_BYTES)
    return found


def _candidates(cells: np.ndarray) -> np.ndarray:
    """Where ``_CANDIDATE`` matches a text cell of an object array."""
    texts = np.fromiter(map(isinstance, cells, repeat(str)), dtype=bool, count=len(cells))
    look = np.zeros(len(cells), dtype=bool)
    found_texts = cells[texts]
    # _CANDIDATE's match, as C-level string searches: a trigger first, or a cut anywhere (a
    # regular expression walks every character of a long cell in Python's engine).
    count = len(found_texts)
    hits = np.fromiter(map(str.startswith, found_texts, repeat(_TRIGGERS)), dtype=bool, count=count)
    for cut in _CUTS:
        hits |= np.fromiter(map(operator.contains, found_texts, repeat(cut)), dtype=bool, count=count)
    look[np.flatnonzero(texts)] = hits
    return look


class _Look(NamedTuple):
    """A column's first look: its cells as objects (None for Arrow text), the candidates and their texts."""

    cells: np.ndarray | None
    rows: np.ndarray
    texts: np.ndarray


def _first_look(column: pd.Series) -> _Look:
    """The cells of ``column`` that may need a guard (a leading trigger, or any cut), cheaply found.

    Arrow's text columns are searched by Arrow in one vectorized pass, and only their candidates
    become Python objects; the other columns are taken as objects and searched value by value.
    """
    values = _arrow_strings(column)
    if values is not None:
        import pyarrow.compute as pc  # type: ignore[import-untyped, import-not-found, unused-ignore]

        rows = np.flatnonzero(_arrow_candidates(values))
        texts = np.array(pc.take(values, rows).to_pylist(), dtype=object) if len(rows) else _NO_CELLS
        return _Look(None, rows, texts)
    # A copy, written to: under pandas 2, np.array of an object column may hand back its own cells.
    cells = column.to_numpy(dtype=object, copy=True)
    rows = np.flatnonzero(_candidates(cells))
    return _Look(cells, rows, cells[rows])


_NO_CELLS = np.empty(0, dtype=object)


def _guard_group(columns: list[Any], group: list[int], *, as_cells: bool) -> None:
    """Guard, in place in ``columns``, the formula-like texts of the columns at the ``group`` positions.

    With ``as_cells``, an Arrow text column stays a column (its cells are written by Arrow), the
    others become object arrays of their cells.
    """
    looks = [_first_look(columns[position]) for position in group]
    # The exact look at the candidates of every column of the group in one pass.
    found = np.concatenate([look.texts for look in looks]) if looks else _NO_CELLS
    risky = np.fromiter(map(bool, map(_NEEDS_GUARD.search, found)), dtype=bool, count=len(found))
    ends = np.cumsum([len(look.rows) for look in looks]).tolist()
    for place, (position, look) in enumerate(zip(group, looks, strict=True)):
        start = ends[place - 1] if place else 0
        mine = risky[start : ends[place]]
        if mine.any():
            rows, guarded = look.rows[mine], _guard_texts(look.texts[mine])
            if look.cells is not None:
                look.cells[rows] = guarded
            if look.cells is None or not as_cells:
                patched = columns[position].copy()
                patched.iloc[rows] = guarded
                columns[position] = patched
        if as_cells and look.cells is not None:
            columns[position] = look.cells


def _guarded_headers(headers: pd.Index) -> list[Any]:
    return [guard_text(header) if isinstance(header, str) else header for header in headers]


def _written(column: pd.Series) -> np.ndarray:
    """The text each cell of a typed column is written as (pandas' own rendering); None where missing."""
    lines = column.to_frame().to_csv(header=False, index=False, lineterminator="\n").split("\n")[:-1]
    cells = np.array(lines, dtype=object)
    cells[column.isna().to_numpy()] = None
    return cells


def _may_write_a_sign(column: pd.Series, *, line_start: bool) -> bool:
    """Whether a number or duration column may write a cell :func:`_guard_typed` guards (a quick look)."""
    kind = column.dtype
    if pd.api.types.is_timedelta64_dtype(kind):
        return bool((column < pd.Timedelta(0)).any())
    if pd.api.types.is_bool_dtype(kind) or pd.api.types.is_complex_dtype(kind):
        return False
    if pd.api.types.is_float_dtype(kind):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return bool(np.signbit(values).any() if line_start else np.isneginf(values).any())
    if pd.api.types.is_integer_dtype(kind):
        return line_start and bool((column < 0).any())  # any other negative integer is a plain number
    return False


def _guard_typed(column: pd.Series, *, line_start: bool) -> Any:
    """A number or duration column, with a ``'`` before each written cell a spreadsheet would run.

    Such a column writes a leading ``-`` only: a plain number (``-3``, ``-1e-05``) is left alone,
    unless it starts the line (``line_start``); ``-inf`` and negative durations (``-1 days``) are
    not numbers to a spreadsheet. A column with such a cell comes back as the text of its cells.
    """
    if not _may_write_a_sign(column, line_start=line_start):
        return column
    cells = _written(column)
    for position, text in enumerate(cells.tolist()):
        if text is not None and text.startswith("-") and (line_start or not _PLAIN_NEGATIVE.match(text)):
            cells[position] = FORMULA_GUARD + text
    return cells


_QUOTED_TRIGGER = re.compile(rf'[ "]+{_PIECE_TRIGGER}')  # "=x at a line's start: the reader drops the quote


def _starts_with_a_sign(text: str) -> bool:
    return text.startswith(("-", "+", "\uff0b", "\uff0d")) or _QUOTED_TRIGGER.match(text) is not None


def _guard_line_start(cells: Any) -> Any:
    """The first column's cells, each also guarded where it starts with a sign.

    A spreadsheet splitting on semicolons reads a whole line, up to its first ``;``, as one cell: a
    first cell ``-1`` then reads as ``-1,ingest,...``, which is no longer a number. Text and numbers
    of the first column that start with ``-`` (or ``+``) get the ``'``, as the other triggers do, and
    so does text whose trigger follows quotes or spaces (``"=x``), as after a ``;``.
    """
    if not isinstance(cells, np.ndarray):
        return _guard_typed(cells, line_start=True)
    out = cells.copy()
    texts = np.fromiter(map(isinstance, out, repeat(str)), dtype=bool, count=len(out))
    signed = np.fromiter(map(_starts_with_a_sign, out[texts]), dtype=bool, count=int(texts.sum()))
    out[np.flatnonzero(texts)[signed]] = FORMULA_GUARD + out[texts][signed]
    for position in np.flatnonzero(~texts).tolist():  # numbers, missing values: written as str() or empty
        value = out[position]
        missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
        if not missing and _starts_with_a_sign(str(value)):
            out[position] = FORMULA_GUARD + str(value)
    return out


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which no text cell and no header would run as a spreadsheet formula.

    Text starting with ``=``, ``@``, ``+``, a tab or a carriage return, and text starting with ``-``
    that is not a plain number, gets a leading ``'``. Numbers (``-12.5``) and cells that are not text
    are left alone. ``+`` is always guarded: a spreadsheet would read ``+442079460958`` as a number,
    drop the plus and show it in scientific notation; with the quote it stays the phone number. A
    trigger after a ``;`` gets the ``'`` where it is (``x;'=cmd``): a spreadsheet splitting on
    semicolons (the setting where the comma is the decimal mark) would start a cell there.

    Args:
        df: any frame. Not modified.

    Returns:
        The guarded copy, same index, same column order.

    Example:
        >>> import pandas as pd
        >>> neutralize_formulas(pd.DataFrame({"=cmd": ["+12025550125", 5]})).to_dict("list")
        {"'=cmd": ["'+12025550125", 5]}
    """
    return _assemble(_guard_columns(_columns(df)), df, _guarded_headers(df.columns))


def _json_cell(value: Any) -> Any:
    """Lists, tuples and dicts as compact JSON text; anything else as it is.

    A ``;`` is written ``\\u003b`` (the same JSON) where a spreadsheet splitting on semicolons would
    start a formula after it: a ``'`` there would change the value the JSON holds.
    """
    if isinstance(value, dict | list | tuple):
        cleaned = clean(value)
        if cleaned is MISSING:
            return ""
        return _guarded_json(dumps(cleaned).decode())
    return value


def _dates_as_written(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its date and duration columns as the text pandas writes for the whole column.

    pandas writes such a column in one format for all its cells (``2024-01-02`` when every time
    is midnight, ``1 days`` when every duration is whole days), so a block of rows could come out
    otherwise than the whole column: their text is taken from the whole column first.
    """
    columns = _columns(df)
    timed = [position for position, column in enumerate(columns) if column.dtype.kind in "Mm"]
    if not timed:
        return df
    for position in timed:
        columns[position] = pd.Series(_written(columns[position]), index=df.index, dtype=object)
    return _assemble(columns, df, list(df.columns))


def _writable(rows: pd.DataFrame, headers: list[Any]) -> pd.DataFrame:
    """The rows as they are written: JSON for nested values, formulas guarded, ``headers`` on top."""
    columns = [_json_cells(column) if column.dtype == object else column for column in _columns(rows)]
    cells = [
        _guard_typed(column, line_start=False) if isinstance(column, pd.Series) else column
        for column in _guard_columns(columns, as_cells=True)
    ]
    if len(cells) > 1:  # a line of one cell is that cell alone, for any delimiter
        first = cells[0]
        if isinstance(first, pd.Series) and pd.api.types.is_string_dtype(first.dtype):
            first = first.to_numpy(dtype=object)  # an Arrow text column: its cells are looked at
        cells[0] = _guard_line_start(first)
    return _assemble(cells, rows, headers)


def _json_cells(column: pd.Series) -> pd.Series:
    """:func:`_json_cell` of every cell of an object column, the plain JSON cells column-wise.

    A cell of plain JSON data is written by orjson exactly as after :func:`~bulkprep.jsonsafe.clean`.
    Which cells those are is found without a Python step per value: ``marshal`` writes only the
    exact built-in types (no subclass, enum, datetime, numpy scalar...), orjson then refuses what
    JSON cannot hold (sets, bytes, keys other than text, lone surrogates, numbers beyond 64 bits),
    and a ``null`` value in what orjson wrote is a None, NaN or infinity, which ``clean`` leaves out
    of a dict. Every other cell goes through :func:`_json_cell`.
    """
    values = column.to_numpy(dtype=object)
    nested = np.flatnonzero(np.fromiter(map(isinstance, values, repeat(_NESTED)), bool, len(values)))
    if not len(nested):
        return column
    cells = values[nested].tolist()
    if len(nested) == len(values) >= _ARROW_AT_LEAST:
        arrow = _arrow_json_cells(cells)
        if arrow is not None:
            return pd.Series(pd.arrays.ArrowStringArray(arrow), index=column.index, name=column.name)
    out = values.copy()
    try:
        marshal.dumps(cells)  # one pass over every cell (a subclass anywhere makes it fail)
        written: list[bytes | None] = list(map(orjson.dumps, cells))
    except (ValueError, TypeError):  # orjson.JSONEncodeError is a TypeError
        written = list(map(_plain_json, cells))
    plain = np.fromiter(
        (text is not None and not _has_null(text) for text in written), dtype=bool, count=len(written)
    )
    texts = [text for text, ok in zip(written, plain.tolist(), strict=True) if ok and text is not None]
    out[nested[plain]] = np.fromiter(map(_guarded_json, map(bytes.decode, texts)), object, len(texts))
    for position in np.flatnonzero(~plain).tolist():
        out[nested[position]] = _json_cell(cells[position])
    return pd.Series(out, index=column.index, name=column.name, dtype=object)


_SEPARATOR: Any = orjson.Fragment(b"\0")  # a byte orjson never writes: JSON text escapes it


def _arrow_json_cells(cells: list[Any]) -> Any:
    """:func:`_json_cells` of a column of nested cells only, as an Arrow text array (None: not so).

    When every cell is plain (see :func:`_json_cells`), one orjson call writes them all, each
    followed by a byte JSON text never holds, and the array is cut from that one buffer: no Python
    object per cell. The cells in which Arrow finds a ``null`` or a ``;`` are redone one by one by
    :func:`_json_cell`, as :func:`_json_cells` does.
    """
    try:
        import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyarrow.compute as pc  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - pyarrow is an optional dependency
        return None
    try:
        marshal.dumps(cells)  # one pass over every cell (a subclass anywhere makes it fail)
        written = orjson.dumps([part for cell in cells for part in (cell, _SEPARATOR)])
    except (ValueError, TypeError):  # orjson.JSONEncodeError is a TypeError
        return None
    # [cell,\0,cell,\0]: a cell starts after "[" or after ",\0,", and is cut off 3 bytes short
    # of the next start (of the end, for the last cell).
    starts = np.empty(len(cells) + 1, dtype=np.int64)
    starts[0], starts[1:] = 1, np.flatnonzero(np.frombuffer(written, dtype=np.uint8) == 0) + 2
    with_separators = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(cells), [None, pa.py_buffer(starts), pa.py_buffer(written)]
    )
    texts = pc.binary_slice(with_separators, 0, -3).cast(pa.large_string())
    # A null value (None, NaN, infinity: see _has_null) or a ; before a trigger: cell by cell.
    redo = np.flatnonzero(np.asarray(pc.match_substring_regex(texts, "[:\\[,]null|;"), dtype=bool))
    if len(redo):
        again = [_json_cell(cells[position]) for position in redo.tolist()]
        mask = np.zeros(len(cells), dtype=bool)
        mask[redo] = True
        texts = pc.replace_with_mask(texts, pa.array(mask), pa.array(again, type=pa.large_string()))
    return texts


def _has_null(text: bytes) -> bool:
    """Whether compact JSON holds a ``null`` value: one follows a ``:``, ``[`` or ``,``. The text
    ``"null"`` inside a string (a cell that says null) is not one, though a string holding ``:null``
    is taken for one, which only costs a slower path."""
    return b"null" in text and (b":null" in text or b"[null" in text or b",null" in text)


def _plain_json(value: Any) -> bytes | None:
    """orjson's bytes of a value of exact built-in types only (see :func:`_json_cells`), else None."""
    try:
        marshal.dumps(value)
        return orjson.dumps(value)
    except (ValueError, TypeError):
        return None


def _guarded_json(text: str) -> str:
    """JSON text as a cell: a ``;`` before a trigger written ``\\u003b`` (see :func:`_json_cell`)."""
    return text.replace(";", "\\u003b") if ";" in text and _NEEDS_GUARD.search(text) else text


def _csv_lines(block: pd.DataFrame) -> list[bytes] | None:
    """The lines pandas' ``to_csv`` writes for ``block``'s rows (CRLF ends, no header), in UTF-8, by Arrow.

    pandas hands every cell to Python's csv writer, which quotes a cell holding a comma, a quote or
    a line break (doubling its quotes) and writes a missing value as an empty cell. The same is done
    a column at a time: the text of each column, quoted where it holds one of those characters,
    joined along the rows. Only the columns whose text is plain are taken: text or missing cells,
    and whole numbers (written as ``str`` writes them); a block with any other column (fractions,
    dates, booleans, objects of other types), of one column (whose empty cell is written ``""``)
    or of few rows (where Arrow's pass per column costs more than it saves), or without pyarrow,
    gives None and is written by pandas.
    """
    if len(block) < _ARROW_AT_LEAST or len(block.columns) < 2:
        return None
    try:
        import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyarrow.compute as pc  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - pyarrow is an optional dependency
        return None
    quote, comma, nothing, crlf = (pa.scalar(text, pa.large_string()) for text in ('"', ",", "", "\r\n"))
    parts: list[bytes] = []
    # A slice of rows at a time: Arrow's scratch copies of a block's text would take gigabytes.
    for start in range(0, len(block), _ARROW_ROWS):
        texts = []
        for _, column in block.iloc[start : start + _ARROW_ROWS].items():
            dtype = column.dtype
            try:
                arrow = _arrow_strings(column, at_least=0)
                if arrow is not None:  # Arrow's own text, without a Python object per cell
                    values = arrow.cast(pa.large_string())
                elif dtype.kind == "O" or isinstance(dtype, pd.StringDtype):
                    cells = column.to_numpy(dtype=object)
                    values = pa.array(cells, type=pa.large_string(), from_pandas=True)
                elif dtype.kind in "iu":  # numpy's integers, and pandas' with a missing value
                    values = pa.array(column, from_pandas=True).cast(pa.large_string())
                else:
                    return None
            except (pa.ArrowException, TypeError, ValueError, UnicodeError):
                return None  # a cell of another type, or text no encoding can write: pandas says how
            # A missing cell stays missing (null) here: the joins below write it as nothing.
            needs_quotes = pa.array(holding_bytes(values, _QUOTED_BYTES))
            if needs_quotes.true_count:  # only those cells are quoted
                inner = _doubled_quotes(pc.filter(values, needs_quotes))
                quoted = pc.binary_join_element_wise(quote, inner, quote, nothing)
                values = pc.replace_with_mask(values, needs_quotes, quoted)
            texts.append(values)
        texts[-1] = pc.binary_join_element_wise(texts[-1], crlf, nothing, null_handling="replace")
        lines = pc.binary_join_element_wise(*texts, comma, null_handling="replace")
        # The lines end to end are the bytes of the array's data between its first and last offsets:
        # the text is UTF-8 already, and decoding it only to encode it again costs as much.
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[
            lines.offset : lines.offset + len(lines) + 1
        ]
        parts.append(lines.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes())
    return parts


def _doubled_quotes(values: Any) -> Any:
    """An Arrow text array (no missing cell) with each ``"`` doubled, as the csv writer writes it.

    Done on the array's bytes at once (a cell of JSON holds dozens of quotes, which Arrow's
    replace_substring takes far more slowly), each cell's offsets moved by the quotes before it.
    """
    import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, import-not-found, unused-ignore]

    values = values.cast(pa.large_string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[
        values.offset : values.offset + len(values) + 1
    ]
    added = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.asarray(pc.count_substring(values, '"'), dtype=np.int64), out=added[1:])
    data = values.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes().replace(b'"', b'""')
    moved = offsets - offsets[0] + added
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(moved), pa.py_buffer(data))


def write_results_csv(
    df: pd.DataFrame,
    path: str | PathLike[str],
    *,
    encoding: str = "utf-8-sig",
    protect: Iterable[str | PathLike[str]] = (),
) -> Path:
    """Write ``df`` as a CSV that spreadsheets open safely: formulas neutralized, JSON for nested values.

    Dict and list cells become compact JSON, missing values empty cells, and formula-like text is
    guarded (see :func:`neutralize_formulas`). In a file of more than one column, a first cell
    starting with a sign is guarded too, number or text (``'-1``): split on semicolons, the line reads
    as one cell up to its first ``;``. Number columns are written as numbers, except ``-inf`` and
    negative durations, which are guarded like text. A named index (such as ``bulk_row``) is written as the
    first column unless a column of that name exists; an unnamed index is not written. The intake's
    ``bulk_read_error`` column is left out: its records are in ``bulk_error`` once the rows are prepared.

    Args:
        df: the rows to write. Not modified.
        path: where to write; an existing file (or a link there) is replaced in one step, and a new
            one is readable by its owner only (see :mod:`bulkprep.outfiles`).
        encoding: ``utf-8-sig`` (UTF-8 with a byte order mark, so spreadsheets detect it) by default.
        protect: files the results must never land on (the input, the mapping).

    Returns:
        The path written, as a :class:`~pathlib.Path`.

    Raises:
        ConfigurationError: the file cannot be written there, ``path`` names one of ``protect``, or
            the text does not fit ``encoding``.

    Example:
        >>> import pandas as pd, tempfile, os
        >>> rows = pd.DataFrame({"name": ["=1+1"], "bulk_user": [{"profile": {"email": "a@b.co"}}]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     written = write_results_csv(rows, os.path.join(folder, "results.csv"))
        ...     print(written.read_text(encoding="utf-8-sig"))
        name,bulk_user
        '=1+1,"{""profile"":{""email"":""a@b.co""}}"
        <BLANKLINE>
    """
    target = Path(path)
    out = df.drop(columns=Column.READ_ERROR.value) if Column.READ_ERROR in df.columns else df
    named_index = [name for name in out.index.names if name is not None]
    write_index = bool(named_index) and not set(named_index) & set(out.columns)
    if write_index:
        out = out.reset_index()
    headers = _guarded_headers(out.columns)
    if len(headers) > 1:  # a line of one cell is that cell alone, for any delimiter
        headers[0] = _guard_line_start(np.array([headers[0]], dtype=object))[0]
    # Every cell is written as it would be alone, so the rows are written a block at a time: only
    # one block's cells are ever held as text (a wide frame's would take gigabytes at once).
    rows_at_once = max(1, _CELLS_AT_ONCE // max(1, len(headers)))
    out = out.copy(deep=False)
    out.attrs = {}  # not written, and each block's frame would copy them again
    if len(out) > rows_at_once:
        out = _dates_as_written(out)
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    try:
        # CRLF line ends (as RFC 4180 asks): the csv writer quotes cells holding any character of the
        # line terminator, so with a bare "\n" a cell holding a lone "\r" would be written unquoted
        # and split the row when read back. The scratch file is opened once, so that the encoding's
        # byte order mark is written once, before the header.
        with (
            replaced_atomically(target, protect=protect) as part,
            open(part, "w", encoding=encoding, newline="") as handle,
        ):
            for start in range(0, max(len(out), 1), rows_at_once):
                block = _writable(out.iloc[start : start + rows_at_once], headers)
                lines = _csv_lines(block)
                if lines is None:
                    block.to_csv(handle, index=False, header=start == 0, lineterminator="\r\n")
                    continue
                if start == 0:
                    block.iloc[:0].to_csv(handle, index=False, lineterminator="\r\n")
                handle.flush()  # the text written so far (the byte order mark, the header) first
                for piece in lines:
                    if utf8:
                        handle.buffer.write(piece)
                    else:
                        handle.write(piece.decode())
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write the results to {target}: {exc.strerror or exc}; check that the folder exists "
            "and that the file is not open in another program"
        ) from exc
    except UnicodeEncodeError as exc:
        raise ConfigurationError(
            f"the results hold text that {encoding!r} cannot encode ({exc.object[exc.start : exc.end]!r}); "
            "write them with encoding='utf-8-sig'"
        ) from exc
    return target
