"""Write results as a CSV that a spreadsheet opens safely and correctly.

A spreadsheet runs a cell that starts with ``=``, ``@``, ``+`` or ``-`` as a formula (and some also
after a leading tab or carriage return), so a crafted value in a user file could run code on the
machine of whoever opens the results ("CSV injection"). Such cells get a leading single quote ``'``,
which spreadsheets read as "this is text" and do not show. Lists and dicts (such as the ``bulk_user``
payload) are written as compact JSON, missing values as empty cells, and the file starts with a UTF-8
byte order mark so that spreadsheets detect the encoding instead of garbling accented names.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"name": ["=2+5", "Ann"], "delta": ["-12.5", "-1+2"]})
    >>> neutralize_formulas(cells).to_dict("list")
    {'name': ["'=2+5", 'Ann'], 'delta': ['-12.5', "'-1+2"]}
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import MISSING, clean, dumps
from bulkprep.status import Column

__all__ = ["FORMULA_GUARD", "is_formula", "neutralize_formulas", "write_results_csv"]

#: What a cell a spreadsheet would run as a formula is prefixed with.
FORMULA_GUARD = "'"

# Cells starting with = @ + tab or CR, or with - unless the whole cell is a plain number (-12.5, -3,5).
# A leading + is guarded even before a plain number: +442079460958 is a phone number, and a spreadsheet
# would read it as the number 442079460958, drop the plus and show it as 4.42079E+11.
_FORMULA = re.compile(r"[=@+\t\r]|-(?!(?:\d+(?:[.,]\d+)?|[.,]\d+)\Z)")
# Inferred types of object columns that may hold text (pandas' .str accessor accepts these).
_MAY_HOLD_TEXT = ("string", "mixed", "mixed-integer", "empty")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (or mangle it as a signed number).

    Example:
        >>> [is_formula(t) for t in ["=1+1", "@SUM(A1)", "+442079460958", "-12.5", "-1+1", "a=b"]]
        [True, True, True, False, True, False]
    """
    return bool(_FORMULA.match(text))


def _guarded(values: pd.Series) -> pd.Series:
    """The column with its formula-like text cells prefixed; other cells untouched."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("object")
    if not pd.api.types.is_string_dtype(values.dtype):
        return values
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in _MAY_HOLD_TEXT:
        return values
    risky = values.str.match(_FORMULA.pattern, na=False).fillna(False).astype(bool).to_numpy()
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = FORMULA_GUARD + values[risky].astype(str)
    return out


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which no text cell and no header would run as a spreadsheet formula.

    Text starting with ``=``, ``@``, ``+``, a tab or a carriage return, and text starting with ``-``
    that is not a plain number, gets a leading ``'``. Numbers (``-12.5``) and cells that are not text
    are left alone. ``+`` is always guarded: a spreadsheet would read ``+442079460958`` as a number,
    drop the plus and show it in scientific notation; with the quote it stays the phone number.

    Args:
        df: any frame. Not modified.

    Returns:
        The guarded copy, same index, same column order.

    Example:
        >>> import pandas as pd
        >>> neutralize_formulas(pd.DataFrame({"=cmd": ["+12025550125", 5]})).to_dict("list")
        {"'=cmd": ["'+12025550125", 5]}
    """
    out = df.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _guarded(out.iloc[:, position]).array)
    headers = [FORMULA_GUARD + c if isinstance(c, str) and is_formula(c) else c for c in out.columns]
    if headers != list(out.columns):
        out.columns = pd.Index(headers)
    return out


def _json_cell(value: Any) -> Any:
    """Lists, tuples and dicts as compact JSON text; anything else as it is."""
    if isinstance(value, dict | list | tuple):
        cleaned = clean(value)
        return "" if cleaned is MISSING else dumps(cleaned).decode()
    return value


def write_results_csv(
    df: pd.DataFrame,
    path: str | PathLike[str],
    *,
    encoding: str = "utf-8-sig",
) -> Path:
    """Write ``df`` as a CSV that spreadsheets open safely: formulas neutralized, JSON for nested values.

    Dict and list cells become compact JSON, missing values empty cells, and formula-like text is
    guarded (see :func:`neutralize_formulas`). A named index (such as ``bulk_row``) is written as the
    first column unless a column of that name exists; an unnamed index is not written. The intake's
    ``bulk_read_error`` column is left out: its records are in ``bulk_error`` once the rows are prepared.

    Args:
        df: the rows to write. Not modified.
        path: where to write; an existing file is replaced.
        encoding: ``utf-8-sig`` (UTF-8 with a byte order mark, so spreadsheets detect it) by default.

    Returns:
        The path written, as a :class:`~pathlib.Path`.

    Raises:
        ConfigurationError: the file cannot be written there, or the text does not fit ``encoding``.

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
    out = out.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object:
            out.isetitem(position, column.map(_json_cell).array)
    out = neutralize_formulas(out)
    try:
        # CRLF line ends (as RFC 4180 asks): the csv writer quotes cells holding any character of the
        # line terminator, so with a bare "\n" a cell holding a lone "\r" would be written unquoted
        # and split the row when read back.
        out.to_csv(target, index=False, encoding=encoding, lineterminator="\r\n")
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
