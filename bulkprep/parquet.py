"""Write results as Parquet, the columnar file analysts and warehouses read large results from.

The columns are those of the results CSV (:func:`bulkprep.csvsafe.write_results_csv`), in the same
order: a named index (such as ``bulk_row``) first unless a column of that name exists, the intake's
``bulk_read_error`` left out, dict and list cells (``bulk_user``) as the same compact JSON text, and
missing values as nulls. Unlike the CSV, nothing is guarded against spreadsheet formulas (Parquet is
not opened by a spreadsheet) and numbers, booleans and dates keep their types. A text column that
also holds other values (a number among texts) is written as text, as the CSV would show it.

Writing needs pyarrow (``pip install 'bulkprep[parquet]'``); :func:`write_results` picks the format by
the file's suffix (``.parquet`` or ``.pq``; anything else is CSV).

Example:
    >>> import pandas as pd, tempfile, os
    >>> rows = pd.DataFrame({"bulk_row": [2], "bulk_user": [{"profile": {"email": "a@b.co"}}]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_results_parquet(rows, os.path.join(folder, "results.parquet"))
    ...     pd.read_parquet(path).to_dict("list")
    {'bulk_row': [2], 'bulk_user': ['{"profile":{"email":"a@b.co"}}']}
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from os import PathLike
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import ConfigurationError
from bulkprep.jsonsafe import MISSING, clean, dumps
from bulkprep.outfiles import replaced_atomically
from bulkprep.status import Column

__all__ = ["PARQUET_SUFFIXES", "is_parquet_path", "require_writer", "write_results", "write_results_parquet"]

PARQUET_SUFFIXES: Final = frozenset({".parquet", ".pq"})
"""The file suffixes (any case) that :func:`write_results` writes as Parquet."""

_NESTED = (dict, list, tuple)


def is_parquet_path(path: str | PathLike[str]) -> bool:
    """Whether ``path`` names a Parquet file by its suffix.

    Example:
        >>> is_parquet_path("out/results.parquet"), is_parquet_path("R.PQ"), is_parquet_path("r.csv")
        (True, True, False)
    """
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


_MISSING_PYARROW: Final = (
    "writing results as Parquet needs pyarrow, which is not installed: "
    "pip install 'bulkprep[parquet]' (or write a .csv file)"
)


def require_writer(path: str | PathLike[str]) -> None:
    """Raise :class:`ConfigurationError` now if ``path`` is a Parquet file and pyarrow is missing.

    The command line calls it before any work, so that a long run does not end unable to write.

    Example:
        >>> require_writer("results.csv")  # a CSV needs nothing more
    """
    if is_parquet_path(path):
        _pyarrow()


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and its Parquet module; :class:`ConfigurationError` when pyarrow is not installed."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise ConfigurationError(_MISSING_PYARROW) from None
    return pa, pq


def _json_text(value: Any) -> Any:
    cleaned = clean(value)
    return None if cleaned is MISSING else dumps(cleaned).decode()


def _column(values: pd.Series) -> Any:
    """The column as Parquet holds it: nested cells as JSON text, mixed text columns as text."""
    if values.dtype != object:
        return values.array
    cells = values.to_numpy(dtype=object)
    nested = np.fromiter(map(isinstance, cells, repeat(_NESTED)), dtype=bool, count=len(cells))
    if nested.any():
        cells = cells.copy()
        cells[nested] = [_json_text(value) for value in cells[nested]]
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind in ("string", "empty"):
        return cells
    # Mixed cells (texts and numbers, say): one Parquet column has one type, so all become text.
    present = ~pd.isna(cells)
    text = np.full(len(cells), None, dtype=object)
    text[present] = [str(value) for value in cells[present]]
    return text


def write_results_parquet(
    df: pd.DataFrame, path: str | PathLike[str], *, protect: Iterable[str | PathLike[str]] = ()
) -> Path:
    """Write ``df`` as a Parquet file: the results CSV's columns, nested values as JSON, nulls.

    Args:
        df: the rows to write (a ``Prepared.df`` or ``SubmitResult.df``). Not modified.
        path: where to write; an existing file (or a link there) is replaced in one step, and a new
            one is readable by its owner only (see :mod:`bulkprep.outfiles`).
        protect: files the results must never land on (the input, the mapping).

    Returns:
        The path written, as a :class:`~pathlib.Path`.

    Raises:
        ConfigurationError: pyarrow is not installed, the file cannot be written there, or ``path``
            names one of ``protect``.

    Example:
        >>> import pandas as pd, tempfile, os
        >>> rows = pd.DataFrame({"bulk_row": [2, 3], "note": ["=1+1", None]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     written = write_results_parquet(rows, os.path.join(folder, "r.parquet"))
        ...     back = pd.read_parquet(written)
        >>> back.loc[0, "note"], back["note"].isna().tolist()
        ('=1+1', [False, True])
    """
    pa, pq = _pyarrow()
    target = Path(path)
    out = df.drop(columns=Column.READ_ERROR.value) if Column.READ_ERROR in df.columns else df
    named_index = [name for name in out.index.names if name is not None]
    if named_index and not set(named_index) & set(out.columns):
        out = out.reset_index()
    columns = {str(name): _column(out.iloc[:, position]) for position, name in enumerate(out.columns)}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(out)))
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        with replaced_atomically(target, protect=protect) as part:
            pq.write_table(table, str(part))
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write the results to {target}: {exc.strerror or exc}; check that the folder exists "
            "and that the file is not open in another program"
        ) from exc
    return target


def write_results(
    df: pd.DataFrame, path: str | PathLike[str], *, protect: Iterable[str | PathLike[str]] = ()
) -> Path:
    """Write the results to ``path`` as Parquet (``.parquet``, ``.pq``) or else as a safe CSV.

    Example:
        >>> import pandas as pd, tempfile, os
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_results(pd.DataFrame({"a": ["=x"]}), os.path.join(folder, "r.csv")).suffix
        '.csv'
    """
    if is_parquet_path(path):
        return write_results_parquet(df, path, protect=protect)
    return write_results_csv(df, path, protect=protect)
