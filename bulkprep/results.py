"""What came of a submission: every input row with its outcome, the error table, the job.

:class:`SubmitResult` is what :func:`bulkprep.submit.submit` returns. Its ``summary`` always adds up to
the number of input rows (a count that does not is a bug: :class:`~bulkprep.errors.InvariantError`).
A dry run's result carries a :class:`SubmitPlan` of what would be sent.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"bulk_row": [2, 3], "bulk_status": ["accepted", "rejected"]})
    >>> SubmitResult(frame, job_id="1-abc")
    SubmitResult(2 rows: accepted=1, rejected=1; job 1-abc)
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from bulkprep import matching
from bulkprep._moved import Moved, moved_names
from bulkprep.client import CourierClient
from bulkprep.csvsafe import write_results_csv
from bulkprep.delivery import DEFAULT_OUTCOME_WORKERS, refreshed, undelivered
from bulkprep.display import problem_view, summary_card
from bulkprep.errors import ConfigurationError, InvariantError
from bulkprep.guard import GuardDecision
from bulkprep.parquet import write_results_parquet
from bulkprep.report import concat_errors, empty_errors, format_summary
from bulkprep.status import ALL_STATUSES, BULK_COLUMNS, ROW_KEY, Column, RowStatus

__all__ = ["UNMATCHED_COLUMNS", "Attempt", "SubmitPlan", "SubmitResult", "read_results_csv"]

UNMATCHED_COLUMNS: tuple[str, ...] = ("batch", "error", "user", "candidates")
"""The columns of :attr:`SubmitResult.unmatched_errors`: Courier errors tied to no single row."""


def read_results_csv(
    source: str | os.PathLike[str] | io.BytesIO, *, chunk_rows: int | None = None
) -> Iterator[pd.DataFrame]:
    """A results CSV (as ``submit`` writes it) read back: every cell text as written, missing as None.

    The one reader of results files: the whole file as one frame, or ``chunk_rows`` rows at a time.
    ``bulk_row`` stays text too (the callers check it, then make it whole numbers).

    Raises:
        OSError, ValueError: when the file cannot be read as CSV.

    Example:
        >>> data = io.BytesIO("bulk_row,bulk_status,Email\\n2,accepted,\\n".encode("utf-8-sig"))
        >>> [part.to_dict("records") for part in read_results_csv(data)]
        [[{'bulk_row': '2', 'bulk_status': 'accepted', 'Email': None}]]
    """
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    if chunk_rows is None:
        yield _plain(pd.read_csv(source, encoding="utf-8-sig", **options))
        return
    with pd.read_csv(source, encoding="utf-8-sig", chunksize=chunk_rows, **options) as reader:
        for part in reader:
            yield _plain(part)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as objects, missing ones None (not NaN)."""
    return frame.astype("object").where(frame.notna(), None)


@dataclass(frozen=True)
class SubmitPlan:
    """What a dry run would send.

    Attributes:
        job: the job it would create (``{"message": ...}``) or add to (``{"job_id": ...}``).
        batches: one row per batch: ``batch``, ``users``, ``bytes``, ``first_rows``.
        payloads: the first users exactly as they would go out (decoded from the first batch's body).
        skipped: the rows that would not be sent: ``bulk_row``, ``bulk_status``, ``bulk_error``.
    """

    job: dict[str, Any]
    batches: pd.DataFrame
    payloads: list[dict[str, Any]]
    skipped: pd.DataFrame

    def __repr__(self) -> str:
        users = int(self.batches["users"].sum()) if len(self.batches) else 0
        nbytes = int(self.batches["bytes"].sum()) if len(self.batches) else 0
        return (
            f"SubmitPlan({len(self.batches)} batch(es), {users} user(s), {nbytes} bytes, "
            f"{len(self.skipped)} row(s) skipped, job={self.job!r})"
        )


@dataclass(frozen=True)
class Attempt:
    """One submission that went into a result: its job, when it ended, and its rows per status.

    Example:
        >>> Attempt("1-abc", "2026-01-01T00:00:00+00:00", rows=2, summary={"accepted": 2}).rows
        2
    """

    job_id: str | None
    finished_at: str
    rows: int
    summary: dict[str, int]
    left_to_do: str | None = None

    @classmethod
    def of(cls, result: SubmitResult) -> Attempt:
        """The attempt ``result`` records, ending now."""
        counts = {name: count for name, count in result.summary.items() if count}
        return cls(
            result.job_id,
            datetime.now(UTC).isoformat(timespec="seconds"),
            len(result.df),
            counts,
            result.left_to_do,
        )


@dataclass
class SubmitResult:
    """Every input row with its outcome, the error table and the job.

    Attributes:
        df: the input columns plus the ``bulk_*`` columns of :data:`bulkprep.status.BULK_COLUMNS`.
        errors: the error table (prepare's problems plus the ``ingest`` and ``delivery`` stages).
        unmatched_errors: Courier errors that could not be tied to one row (:data:`UNMATCHED_COLUMNS`).
        job_id: the bulk job, or None for a dry run that would create one.
        job: the last job snapshot from Courier (``GET /bulk/{job_id}``), or None.
        plan: for a dry run, what would be sent.
        input_columns: the caller's own columns, in order.
        left_to_do: when the submission stopped short of what was asked (the key refused midway, the
            job not run, the wait timed out, Ctrl-C, ...), what happened and how to finish; None when
            everything asked for was done.
        guard: what the ``max_invalid`` guard decided (:class:`~bulkprep.guard.GuardDecision`), when
            one was set; a dry run reports it without refusing.
        attempts: the submissions merged into this result (:meth:`update`), first to last.

    Example:
        >>> frame = pd.DataFrame({"Email": ["a@b.co", "bad"], "bulk_row": [2, 3],
        ...                       "bulk_status": ["accepted", "invalid"]})
        >>> result = SubmitResult(frame, input_columns=("Email",), job_id="j1")
        >>> result.summary["accepted"], result.summary["invalid"]
        (1, 1)
        >>> result.failed_rows().empty
        True
    """

    df: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=empty_errors)
    unmatched_errors: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(UNMATCHED_COLUMNS))
    )
    job_id: str | None = None
    job: dict[str, Any] | None = None
    plan: SubmitPlan | None = None
    input_columns: tuple[str, ...] = ()
    left_to_do: str | None = None
    guard: GuardDecision | None = None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status, every status listed; the counts add up to the input rows.

        Raises:
            InvariantError: when a row holds a status that is not a :class:`~bulkprep.status.RowStatus`,
                or the counts do not add up (both are bugs).
        """
        counts = self.df[Column.STATUS.value].astype("object").value_counts()
        summary = {status: int(counts.get(status, 0)) for status in ALL_STATUSES}
        unknown = set(counts.index) - set(ALL_STATUSES)
        if unknown:
            raise InvariantError(
                f"rows with an unknown bulk_status: {sorted(map(str, unknown))}; "
                f"every row ends in one of {', '.join(ALL_STATUSES)}"
            )
        if sum(summary.values()) != len(self.df):
            raise InvariantError(
                f"the status counts ({sum(summary.values())}) do not add up to the {len(self.df)} rows"
            )
        return summary

    @property
    def job_status(self) -> str | None:
        """The job's last known status (CREATED, PROCESSING, COMPLETED, ERROR), or None."""
        return None if self.job is None else self.job.get("status")

    def failed_rows(self) -> pd.DataFrame:
        """The rows to fix and submit again: ``bulk_row`` and the input columns.

        They are the rejected and failed rows, and the accepted rows that did not reach their user
        (in ERROR after the run, or a message Courier could not deliver: see ``bulk_outcome_reason``).
        The frame goes through ``prepare`` and ``submit`` again as it is, and its rows keep their
        keys (the file's line numbers), so the new outcomes line up with this result.
        """
        status = self.df[Column.STATUS.value].astype("object")
        refused = status.isin([RowStatus.REJECTED.value, RowStatus.FAILED.value])
        mask = refused | pd.Series(undelivered(self.df), index=self.df.index)
        columns = [ROW_KEY, *(c for c in self.input_columns if c != ROW_KEY)]
        return self.df.loc[mask.to_numpy(), columns].copy()

    def refresh(
        self,
        journal: str | os.PathLike[str],
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        client: CourierClient | None = None,
        workers: int = DEFAULT_OUTCOME_WORKERS,
        progress: bool = True,
    ) -> SubmitResult:
        """This result read again from Courier, as delivery goes on after the job (minutes or hours).

        Reads the job and its rows from ``journal`` (the one given to ``submit``), then every sent
        row's ``bulk_delivery_status``, ``bulk_message_id``, ``bulk_outcome`` and
        ``bulk_outcome_reason``; users in ERROR and messages not delivered become ``delivery`` rows
        of the error table. This result is left as it is: a new one is returned.

        Args:
            journal: the submission's journal.
            api_key: Courier's key (default: ``COURIER_API_KEY``, then ``COURIER_AUTH_TOKEN``).
            base_url: Courier's API (default: the one the journal recorded).
            client: a :class:`~bulkprep.client.CourierClient` to use instead (it is not closed).
            workers: messages read at once.
            progress: show a progress bar.

        Raises:
            ConfigurationError: when the journal holds no job, or another job than this result's.
            CourierError: when Courier cannot be read.
        """
        return refreshed(
            self,
            journal,
            client=client,
            api_key=api_key,
            base_url=base_url,
            workers=workers,
            progress=progress,
        )

    def update(self, retry: SubmitResult) -> SubmitResult:
        """Merge the result of submitting :meth:`failed_rows` again (after a fix) into this one.

        Each row of ``retry`` (matched by ``bulk_row``) takes the retry's values and status, and its
        errors replace the earlier ones; the other rows keep theirs. The job and ``left_to_do`` become
        the retry's, and :attr:`attempts` lists both submissions. The result is updated in place.

        Returns:
            This result, updated.

        Raises:
            ConfigurationError: when ``retry`` is a dry run, or holds rows this result does not.

        Example:
            >>> first = SubmitResult(pd.DataFrame({"Email": ["a@b.co", "bad"], "bulk_row": [2, 3],
            ...                                    "bulk_status": ["accepted", "rejected"]}), job_id="j1")
            >>> retry = SubmitResult(pd.DataFrame({"Email": ["c@d.co"], "bulk_row": [3],
            ...                                    "bulk_status": ["accepted"]}), job_id="j2")
            >>> first.update(retry).df["bulk_status"].tolist(), first.df["Email"].tolist(), first.job_id
            (['accepted', 'accepted'], ['a@b.co', 'c@d.co'], 'j2')
        """
        if retry.plan is not None:
            raise ConfigurationError("the retry is a dry run, which sent nothing: merge a real submission")
        mine = self.df[ROW_KEY].astype("int64")
        theirs = retry.df[ROW_KEY].astype("int64")
        unknown = sorted(set(theirs.tolist()) - set(mine.tolist()))
        if unknown or not theirs.is_unique:
            raise ConfigurationError(
                f"the retry holds rows this result does not have (bulk_row {unknown[:5]}) or holds a row "
                "twice: update() takes the result of submitting this result's failed_rows() again, "
                "which keep their bulk_row"
            )
        if not self.attempts:
            self.attempts.append(Attempt.of(self))
        resent = mine.isin(theirs.tolist()).to_numpy()
        merged = self.df.copy()
        for column in retry.df.columns:
            if column == ROW_KEY:
                continue
            by_key = pd.Series(retry.df[column].to_numpy(dtype=object), index=theirs.to_numpy())
            new = mine.map(by_key).astype("object")
            old = _held(merged, column)
            values = old.where(~resent, new.to_numpy())
            merged[column] = _like(values, self.df[column] if column in self.df.columns else None)
        self.df = merged
        kept = self.errors[~self.errors[ROW_KEY].isin(theirs.tolist())]
        self.errors = concat_errors([kept, retry.errors])
        unmatched = [part for part in (self.unmatched_errors, retry.unmatched_errors) if len(part)]
        if unmatched:
            self.unmatched_errors = pd.concat(unmatched, ignore_index=True)
        if retry.job_id is not None:
            self.job_id, self.job = retry.job_id, retry.job
        self.left_to_do, self.guard = retry.left_to_do, retry.guard
        self.attempts.extend(retry.attempts or [Attempt.of(retry)])
        _ = self.summary  # the counts must still add up (InvariantError otherwise)
        return self

    def to_csv(self, path: str | Path) -> Path:
        """Write the rows with their outcomes to ``path``, safe to open in a spreadsheet."""
        target = Path(path)
        write_results_csv(self.df, target)
        return target

    def to_parquet(self, path: str | Path) -> Path:
        """Write the rows with their outcomes to ``path`` as Parquet (needs pyarrow).

        The columns are those of :meth:`to_csv`; see :func:`bulkprep.parquet.write_results_parquet`.
        """
        return write_results_parquet(self.df, path)

    def problem_view(self, limit: int = 200) -> Any:
        """The rows not delivered as a styled table: offending cells marked, messages on hover.

        See :func:`bulkprep.display.problem_view` (needs jinja2, as every pandas ``Styler`` does).
        """
        return problem_view(self.df, self.errors, limit=limit)

    def _status_line(self) -> str:
        parts = [f"{name}={count}" for name, count in self.summary.items() if count]
        return ", ".join(parts) or "no rows"

    def __repr__(self) -> str:
        job = f"job {self.job_id}" if self.job_id else "no job"
        if self.job_status:
            job += f" ({self.job_status})"
        head = f"SubmitResult({len(self.df)} rows: {self._status_line()}; {job}"
        if len(self.unmatched_errors):
            head += f"; {len(self.unmatched_errors)} unmatched error(s)"
        if self.plan is not None:
            head += f"; dry run: {len(self.plan.batches)} batch(es)"
        if self.left_to_do is not None:
            head += "; unfinished"
        if len(self.attempts) > 1:
            head += f"; {len(self.attempts)} attempts"
        return head + ")"

    def __str__(self) -> str:
        return format_summary(self.summary, self.errors, df=self.df)

    def _repr_html_(self) -> str:
        job = html.escape(self.job_id) if self.job_id else "none"
        if self.job_status:
            job += f" ({html.escape(str(self.job_status))})"
        notes = [f"<b>Job</b>: {job}"]
        if self.plan is not None:
            notes.append(f"<b>Dry run</b>: {html.escape(repr(self.plan))}")
        if len(self.unmatched_errors):
            notes.append(
                f"<b>{len(self.unmatched_errors)} Courier error(s) matched no single row</b>: "
                "see <code>.unmatched_errors</code>"
            )
        if self.left_to_do is not None:
            notes.append(f"<b>Unfinished</b>: {html.escape(self.left_to_do)}")
        if self.guard is not None:
            notes.append(f"<b>Guard</b>: {html.escape(str(self.guard))}")
        if len(self.attempts) > 1:
            jobs = ", ".join(html.escape(str(attempt.job_id)) for attempt in self.attempts)
            notes.append(f"<b>{len(self.attempts)} attempts</b> (jobs {jobs}): see <code>.attempts</code>")
        return summary_card("Submission", self.summary, self.errors, notes=tuple(notes), df=self.df)


def _held(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of ``frame`` as objects (missing when the frame has no such column)."""
    if column in frame.columns:
        return frame[column].astype("object")
    return pd.Series(None, index=frame.index, dtype="object")


def _like(values: pd.Series, original: pd.Series | None) -> pd.Series:
    """``values`` in the dtype of the column they replace, when they fit it (else as objects)."""
    if original is None or original.dtype == object:
        return values
    try:
        return values.astype(original.dtype)
    except (TypeError, ValueError):
        return values


_MOVED_TO_MATCHING = ("IDENTITY_COLUMNS", "Matching", "echo_identity", "identities_of", "match_to_rows")


__getattr__ = moved_names(
    __name__,
    {
        **{name: Moved(getattr(matching, name), f"bulkprep.matching.{name}") for name in _MOVED_TO_MATCHING},
        "RESULT_COLUMNS": Moved(BULK_COLUMNS, "bulkprep.status.BULK_COLUMNS"),
    },
)
