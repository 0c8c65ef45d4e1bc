"""Results files written a chunk at a time: the same file as writing every row at once.

:func:`results_writer` picks the format by the file's suffix, as :func:`bulkprep.parquet.write_results`
does: a CSV is appended chunk by chunk, each chunk written by
:func:`~bulkprep.csvsafe.write_results_csv` and its header kept once, so the bytes are those of the
whole frame written at once; a Parquet file gets one row group per chunk, its columns typed by the
first chunk (a column with no value there is text), the cells of each later chunk cast to them (cells
that do not cast are written as text, as :mod:`bulkprep.parquet` writes a mixed column).

Example:
    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> writer = results_writer(folder / "r.csv", folder)
    >>> writer.write(pd.DataFrame({"bulk_row": [2], "a": ["x"]}))
    >>> writer.write(pd.DataFrame({"bulk_row": [3], "a": ["y"]}))
    >>> writer.close().read_text(encoding="utf-8-sig").splitlines()
    ['bulk_row,a', '2,x', '3,y']
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from bulkprep import parquet as _parquet
from bulkprep.csvsafe import write_results_csv
from bulkprep.errors import ConfigurationError
from bulkprep.outfiles import replaced_atomically
from bulkprep.parquet import is_parquet_path
from bulkprep.status import Column

__all__ = ["CsvResults", "ParquetResults", "ResultsWriter", "results_writer"]


class ResultsWriter(Protocol):
    """A results file written a chunk at a time."""

    path: Path

    def write(self, frame: pd.DataFrame) -> None: ...
    def close(self) -> Path: ...


def results_writer(path: Path, workdir: Path) -> ResultsWriter:
    """A writer for ``path``: Parquet for ``.parquet`` or ``.pq``, else CSV (scratch in ``workdir``)."""
    if is_parquet_path(path):
        return ParquetResults(path)
    return CsvResults(path, workdir)


class CsvResults:
    """The results CSV, appended a chunk at a time: each chunk by ``write_results_csv``, one header."""

    def __init__(self, path: Path, workdir: Path) -> None:
        self.path = path
        self._part = workdir / "results-part.csv"
        self._header: bytes | None = None
        self._started = False
        self._placing = contextlib.ExitStack()
        self._scratch: Path | None = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (the file replaces an existing one on :meth:`close`)."""
        write_results_csv(frame, self._part)
        data = self._part.read_bytes()
        if not self._started:
            write_results_csv(frame.iloc[:0], self._part)
            self._header = self._part.read_bytes()
            self._scratch = self._placing.enter_context(replaced_atomically(self.path))
            self._scratch.write_bytes(data)
            self._started = True
            return
        assert self._header is not None
        assert self._scratch is not None
        with open(self._scratch, "ab") as out:
            out.write(data.removeprefix(self._header))

    def close(self) -> Path:
        """Finish the file (an empty results file when no chunk came) and put it in place."""
        if not self._started:
            write_results_csv(pd.DataFrame(), self.path)
        self._placing.close()
        self._part.unlink(missing_ok=True)
        return self.path


class ParquetResults:
    """The results as Parquet, one row group per chunk (needs pyarrow)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pa, self._pq = _parquet._pyarrow()
        self._writer: Any = None
        self._schema: Any = None
        self._placing = contextlib.ExitStack()

    def _table(self, frame: pd.DataFrame) -> Any:
        out = frame.drop(columns=Column.READ_ERROR.value) if Column.READ_ERROR in frame.columns else frame
        columns = {str(name): _parquet._column(out.iloc[:, i]) for i, name in enumerate(out.columns)}
        plain = pd.DataFrame(columns, index=pd.RangeIndex(len(out)))
        return self._pa.Table.from_pandas(plain, preserve_index=False)

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` as one row group."""
        pa = self._pa
        table = self._table(frame)
        if self._writer is None:
            # A column without a value in the first chunk has no type yet: text, as a CSV column is.
            fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            self._schema = pa.schema(fields)
            scratch = self._placing.enter_context(replaced_atomically(self.path))
            try:
                self._writer = self._pq.ParquetWriter(str(scratch), self._schema)
            except OSError as exc:
                raise ConfigurationError(f"cannot write the results to {self.path}: {exc}") from exc
        self._writer.write_table(self._cast(table))

    def _cast(self, table: Any) -> Any:
        pa = self._pa
        columns = []
        for field in self._schema:
            column = table.column(field.name)
            try:
                columns.append(column.cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                cells = [None if value is None else str(value) for value in column.to_pylist()]
                columns.append(pa.chunked_array([pa.array(cells, type=pa.string())]).cast(field.type))
        return pa.Table.from_arrays(columns, schema=self._schema)

    def close(self) -> Path:
        """Finish the file (an empty results file when no chunk came)."""
        if self._writer is None:
            _parquet.write_results_parquet(pd.DataFrame(), self.path)
        else:
            self._writer.close()
        self._placing.close()
        return self.path
