"""What came of a submission: every input row with its outcome, the error table, the job.

:class:`SubmitResult` is what :func:`bulkprep.submit.submit` returns. Its ``summary`` always adds up to
the number of input rows. :func:`match_to_rows` is the pure matcher that ties Courier's error echoes
(which carry no index) and delivery items back to the rows that produced them.

Example:
    >>> import pandas as pd
    >>> users = pd.Series([{"recipient": "u1"}, {"profile": {"email": "Ann@Example.com"}}], index=[2, 3])
    >>> matching = match_to_rows([{"email": "ann@example.com"}, {"user_id": "zz"}], identities_of(users))
    >>> matching.matches, matching.unmatched
    ({0: 3}, [1])
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from bulkprep.report import empty_errors, format_summary
from bulkprep.status import ALL_STATUSES, RowStatus

__all__ = [
    "IDENTITY_COLUMNS",
    "RESULT_COLUMNS",
    "UNMATCHED_COLUMNS",
    "Matching",
    "SubmitPlan",
    "SubmitResult",
    "echo_identity",
    "identities_of",
    "match_to_rows",
]

RESULT_COLUMNS: tuple[str, ...] = (
    "bulk_row",
    "bulk_user",
    "bulk_status",
    "bulk_error",
    "bulk_duplicate_of",
    "bulk_batch",
    "bulk_delivery_status",
    "bulk_message_id",
)
UNMATCHED_COLUMNS: tuple[str, ...] = ("batch", "error", "user", "candidates")

# Identity tiers, strongest first. Each tier names where a row's payload holds the identity and
# where Courier's echo may hold it (request-like and flattened echo shapes).
_TIERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("user_id", ("recipient", "to.user_id"), ("recipient", "to.user_id", "user_id")),
    ("email", ("profile.email", "to.email"), ("profile.email", "email", "to.email")),
    (
        "phone",
        ("profile.phone_number", "to.phone_number"),
        ("profile.phone_number", "phone_number", "to.phone_number"),
    ),
)
IDENTITY_COLUMNS: tuple[str, ...] = tuple(path for _, paths, _ in _TIERS for path in paths)


def _dig(payload: Any, path: str) -> str | None:
    """The identity at a dotted ``path`` of a payload, as comparable text, or None."""
    value = payload
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    if value is None or isinstance(value, Mapping | list):
        return None
    text = str(value).strip()
    if not text:
        return None
    # Courier may echo an email with another case; ids and phones compare as they are.
    return text.casefold() if "email" in path else text


def identities_of(users: pd.Series) -> pd.DataFrame:
    """The identity fields of each user payload, one row per ``bulk_row`` (the Series' index).

    Example:
        >>> users = pd.Series([{"recipient": "u1", "to": {"email": "A@B.CO"}}], index=[7])
        >>> identities_of(users).loc[7, ["recipient", "to.email"]].tolist()
        ['u1', 'a@b.co']
    """
    records = [[_dig(user, path) for path in IDENTITY_COLUMNS] for user in users.tolist()]
    return pd.DataFrame(records, index=users.index, columns=list(IDENTITY_COLUMNS), dtype="object")


def echo_identity(echo: Mapping[str, Any]) -> dict[str, set[str]]:
    """The identities an echoed user carries, per tier (``user_id``, ``email``, ``phone``).

    Example:
        >>> echo_identity({"user_id": "u1", "email": "X@Y.CO"})
        {'user_id': {'u1'}, 'email': {'x@y.co'}, 'phone': set()}
    """
    out: dict[str, set[str]] = {}
    for tier, _, echo_paths in _TIERS:
        out[tier] = {value for path in echo_paths if (value := _dig(echo, path)) is not None}
    return out


class Matching(NamedTuple):
    """Which echo (by position) matched which ``bulk_row``, and which echoes matched no single row."""

    matches: dict[int, int]
    unmatched: list[int]


def _tier_index(identities: pd.DataFrame, paths: Iterable[str]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    for path in paths:
        column = identities[path]
        for row, value in zip(identities.index.tolist(), column.tolist(), strict=True):
            if value is not None and value == value:  # skip None and NaN
                index.setdefault(str(value), set()).add(int(row))
    return index


def match_to_rows(echoes: Sequence[Any], identities: pd.DataFrame) -> Matching:
    """Match each echoed user to the one row it stands for.

    Tiers are tried strongest first (user id, then email, then phone); a later tier only narrows
    what an earlier one left ambiguous. An echo that ends with no row, or with more than one, is
    unmatched: the caller must report it, never drop it.

    Args:
        echoes: the ``user`` objects Courier echoed (either shape), or delivery items.
        identities: :func:`identities_of` the candidate rows (for ingest errors: the batch's rows).

    Returns:
        A :class:`Matching` of echo positions to ``bulk_row`` keys, and the unmatched positions.

    Example:
        >>> users = pd.Series([{"recipient": "a", "profile": {"email": "x@y.co"}},
        ...                    {"recipient": "b", "profile": {"email": "x@y.co"}}], index=[1, 2])
        >>> match_to_rows([{"profile": {"email": "x@y.co"}}, {"user_id": "b"}], identities_of(users))
        Matching(matches={1: 2}, unmatched=[0])
    """
    indexes = {tier: _tier_index(identities, row_paths) for tier, row_paths, _ in _TIERS}
    matches: dict[int, int] = {}
    unmatched: list[int] = []
    for position, echo in enumerate(echoes):
        found = echo_identity(echo) if isinstance(echo, Mapping) else {}
        candidates: set[int] | None = None
        for tier, values in found.items():
            if not values:
                continue
            rows = set().union(*(indexes[tier].get(value, set()) for value in values))
            if candidates is None:
                candidates = rows or None
            elif rows & candidates:
                candidates &= rows
            if candidates is not None and len(candidates) == 1:
                break
        if candidates is not None and len(candidates) == 1:
            matches[position] = next(iter(candidates))
        else:
            unmatched.append(position)
    return Matching(matches, unmatched)


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


@dataclass
class SubmitResult:
    """Every input row with its outcome, the error table and the job.

    Attributes:
        df: the input columns plus the ``bulk_*`` columns of :data:`RESULT_COLUMNS`.
        errors: the error table (prepare's problems plus the ``ingest`` and ``delivery`` stages).
        unmatched_errors: Courier errors that could not be tied to one row (:data:`UNMATCHED_COLUMNS`).
        job_id: the bulk job, or None for a dry run that would create one.
        job: the last job snapshot from Courier (``GET /bulk/{job_id}``), or None.
        plan: for a dry run, what would be sent.
        input_columns: the caller's own columns, in order.

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

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status, every status listed; the counts add up to the input rows."""
        counts = self.df["bulk_status"].astype("object").value_counts()
        summary = {status: int(counts.get(status, 0)) for status in ALL_STATUSES}
        unknown = set(counts.index) - set(ALL_STATUSES)
        assert not unknown, f"rows with an unknown bulk_status: {sorted(map(str, unknown))}"
        assert sum(summary.values()) == len(self.df), "the status counts do not add up to the rows"
        return summary

    @property
    def job_status(self) -> str | None:
        """The job's last known status (CREATED, PROCESSING, COMPLETED, ERROR), or None."""
        return None if self.job is None else self.job.get("status")

    def failed_rows(self) -> pd.DataFrame:
        """The rows to fix and submit again (rejected and failed): ``bulk_row`` and the input columns.

        The frame goes through ``prepare`` and ``submit`` again as it is, and its rows keep their
        keys (the file's line numbers), so the new outcomes line up with this result.
        """
        status = self.df["bulk_status"].astype("object")
        mask = status.isin([RowStatus.REJECTED.value, RowStatus.FAILED.value])
        columns = ["bulk_row", *(c for c in self.input_columns if c != "bulk_row")]
        return self.df.loc[mask.to_numpy(), columns].copy()

    def to_csv(self, path: str | Path) -> Path:
        """Write the rows with their outcomes to ``path``, safe to open in a spreadsheet."""
        from bulkprep.csvsafe import write_results_csv

        target = Path(path)
        write_results_csv(self.df, target)
        return target

    def problem_view(self, limit: int = 200) -> Any:
        """The rows not delivered as a styled table: offending cells marked, messages on hover.

        See :func:`bulkprep.display.problem_view` (needs jinja2, as every pandas ``Styler`` does).
        """
        from bulkprep.display import problem_view

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
        return head + ")"

    def __str__(self) -> str:
        return format_summary(self.summary, self.errors)

    def _repr_html_(self) -> str:
        from bulkprep.display import summary_card

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
        return summary_card("Submission", self.summary, self.errors, notes=tuple(notes))
