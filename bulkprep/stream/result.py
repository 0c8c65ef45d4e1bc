"""What a streamed submission hands back: the counts and the problems in memory, every row on disk.

A :class:`StreamedSubmitResult` is a :class:`~bulkprep.results.SubmitResult` whose rows stay in its
results file (:attr:`~StreamedSubmitResult.results`), written a chunk at a time as the batches came
back. In memory it keeps what stays small however large the file:

- :attr:`~StreamedSubmitResult.summary`: rows per status, counted as the rows were written;
- ``errors``: the error table cut to what the summary reads (``bulk_row``, ``severity``, ``field``,
  ``code``, one example ``value`` per code); the whole table is on disk when ``errors=`` was given
  (:attr:`~StreamedSubmitResult.errors_file`);
- ``df``: the first :data:`PREVIEW_ROWS` rows of the results, to look at;
- ``unmatched_errors``, ``job_id``, ``job``, ``plan`` (its ``skipped`` cut to the first
  :data:`PREVIEW_ROWS` rows), ``left_to_do`` and ``guard``, as for any submission.

:meth:`~StreamedSubmitResult.failed_rows` reads the results file a chunk at a time; :meth:`load`
reads it whole, as a plain :class:`~bulkprep.results.SubmitResult` (for a file that fits).

Example:
    >>> import pandas as pd
    >>> result = StreamedSubmitResult(pd.DataFrame({"bulk_row": [2], "bulk_status": ["accepted"]}),
    ...                               rows=3, counts={"accepted": 2, "rejected": 1}, job_id="1-abc")
    >>> result.summary["accepted"], result.summary["rejected"], result.summary["ready"]
    (2, 1, 0)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bulkprep.delivery import undelivered
from bulkprep.errors import ConfigurationError, InvariantError
from bulkprep.parquet import is_parquet_path
from bulkprep.results import SubmitResult, read_results_csv
from bulkprep.status import ALL_STATUSES, ROW_KEY, Column, RowStatus
from bulkprep.stream.output import results_writer

__all__ = ["PREVIEW_ROWS", "StreamedSubmitResult"]

#: Rows of a streamed result kept in memory to look at (``df``, ``plan.skipped``).
PREVIEW_ROWS = 1_000
_READ_ROWS = 100_000  # rows read back from the results file at a time


@dataclass(repr=False)
class StreamedSubmitResult(SubmitResult):
    """A submission whose rows are in a results file: counts and problems in memory (see the module).

    Attributes:
        results: the results file, every input row with its outcome.
        errors_file: the whole error table, when it was asked for.
        rows: the number of input rows.
        counts: rows per status.
        delivery_counts: rows per value of each delivery column, most first (as
            :func:`bulkprep.report.delivery_counts` counts them; empty when the delivery was not read).
        unreached: rows whose user Courier did not reach (in ERROR after the run, or not delivered) or
            whose message's outcome could not be read (see :mod:`bulkprep.delivery`).
    """

    results: Path | None = None
    errors_file: Path | None = None
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    delivery_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unreached: int = 0

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status, every status listed; the counts add up to the input rows."""
        summary = {status: int(self.counts.get(status, 0)) for status in ALL_STATUSES}
        if sum(summary.values()) != self.rows:
            raise InvariantError(
                f"the status counts ({sum(summary.values())}) do not add up to the {self.rows} rows"
            )
        return summary

    def frames(self) -> Iterator[pd.DataFrame]:
        """The results file, a chunk of rows at a time (cells as the file holds them: text in a CSV)."""
        if self.results is None:
            return
        if is_parquet_path(self.results):
            import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]

            for batch in pq.ParquetFile(self.results).iter_batches(batch_size=_READ_ROWS):
                yield batch.to_pandas()
            return
        for part in read_results_csv(self.results, chunk_rows=_READ_ROWS):
            part[ROW_KEY] = part[ROW_KEY].astype("int64")
            yield part

    def failed_rows(self) -> pd.DataFrame:
        """The rows to fix and submit again (as :meth:`SubmitResult.failed_rows`), read from the file."""
        columns = [ROW_KEY, *(c for c in self.input_columns if c != ROW_KEY)]
        parts = []
        for part in self.frames():
            status = part[Column.STATUS.value].astype("object")
            refused = status.isin([RowStatus.REJECTED.value, RowStatus.FAILED.value]).to_numpy()
            parts.append(part.loc[refused | np.asarray(undelivered(part)), columns])
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def load(self) -> SubmitResult:
        """Every row in memory, as a plain :class:`~bulkprep.results.SubmitResult` (for a file that fits)."""
        parts = list(self.frames())
        df = pd.concat(parts, ignore_index=True) if parts else self.df.iloc[:0]
        return SubmitResult(
            df,
            errors=self.errors,
            unmatched_errors=self.unmatched_errors,
            job_id=self.job_id,
            job=self.job,
            plan=self.plan,
            input_columns=self.input_columns,
            left_to_do=self.left_to_do,
            guard=self.guard,
            attempts=list(self.attempts),
        )

    def update(self, retry: SubmitResult) -> SubmitResult:
        """Refused: the rows are on disk (``result.load().update(retry)`` for a file that fits)."""
        raise ConfigurationError(
            "a streamed submission keeps its rows in its results file: merge a resend into "
            "result.load() (for a file that fits in memory), or submit the fixed rows on their own"
        )

    def to_csv(self, path: str | Path) -> Path:
        """Write the rows with their outcomes to ``path`` as CSV, a chunk at a time."""
        return self._copy(Path(path))

    def to_parquet(self, path: str | Path) -> Path:
        """Write the rows with their outcomes to ``path`` as Parquet, a chunk at a time (needs pyarrow)."""
        return self._copy(Path(path))

    def _copy(self, target: Path) -> Path:
        writer = results_writer(target, target.parent)
        for part in self.frames():
            writer.write(part)
        return writer.close()

    def __repr__(self) -> str:
        job = f"job {self.job_id}" if self.job_id else "no job"
        if self.job_status:
            job += f" ({self.job_status})"
        head = f"StreamedSubmitResult({self.rows} rows: {self._status_line()}; {job}; in {self.results}"
        if len(self.unmatched_errors):
            head += f"; {len(self.unmatched_errors)} unmatched error(s)"
        if self.plan is not None:
            head += f"; dry run: {len(self.plan.batches)} batch(es)"
        if self.left_to_do is not None:
            head += "; unfinished"
        return head + ")"
