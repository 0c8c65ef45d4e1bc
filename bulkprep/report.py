"""The error table: one row per problem, for every stage.

Columns: ``bulk_row``, ``stage``, ``severity`` (:class:`~bulkprep.status.Severity`: an ``error``
decides the row's status, a ``warning`` is a field left out of the user by ``on_error: drop_field``),
``field`` (target path such as ``profile.email``), ``column`` (source column), ``code`` (a stable
:class:`ErrorCode`), ``message`` (what is wrong and how to fix it) and ``value`` (the offending value,
as text).

Stages build their part of the table column-wise with :func:`errors_where` and the pipeline
concatenates the parts with :func:`concat_errors`. A problem whose severity is not given is an error.

Example:
    >>> import pandas as pd
    >>> bad = pd.Series([False, True], index=[2, 3])
    >>> table = errors_where(bad, stage="validate", field="profile.email", column="Email",
    ...                      code=ErrorCode.INVALID_EMAIL, message="not an email address",
    ...                      values=pd.Series(["a@b.co", "nope"], index=[2, 3]))
    >>> table[["bulk_row", "severity", "code", "value"]].to_dict("records")
    [{'bulk_row': 3, 'severity': 'error', 'code': 'invalid_email', 'value': 'nope'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from bulkprep.status import ROW_KEY, Column, Severity

__all__ = [
    "DELIVERY_COLUMNS",
    "ERROR_COLUMNS",
    "NO_ROW",
    "ErrorCode",
    "concat_errors",
    "count_warnings",
    "delivery_counts",
    "delivery_lines",
    "empty_errors",
    "errors_for_file",
    "errors_from_records",
    "errors_where",
    "format_summary",
    "join_messages",
    "of_severity",
    "problems_by_column",
    "top_problems",
    "warnings_line",
]

ERROR_COLUMNS: tuple[str, ...] = (ROW_KEY, "stage", "severity", "field", "column", "code", "message", "value")

NO_ROW = -1
"""The ``bulk_row`` of a problem that belongs to no row (a Courier error that matches no single row)."""
_ERROR = Severity.ERROR.value


class ErrorCode(StrEnum):
    """Stable codes for every problem bulkprep reports. ``ErrorCode.X.hint`` says what to do about it."""

    # read
    RAGGED_ROW = "ragged_row"
    UNTERMINATED_QUOTE = "unterminated_quote"
    # map
    CAST_FAILED = "cast_failed"
    AMBIGUOUS_DATE_CONVENTION = "ambiguous_date_convention"
    # validate
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    EXCEL_MANGLED_NUMBER = "excel_mangled_number"
    UNKNOWN_COUNTRY = "unknown_country"
    AMBIGUOUS_PHONE_REGION = "ambiguous_phone_region"
    NO_IDENTITY = "no_identity"
    MISSING_EMAIL = "missing_email"
    WRONG_TYPE = "wrong_type"
    INVALID_VALUE = "invalid_value"
    USER_TOO_LARGE = "user_too_large"
    # duplicate
    DUPLICATE_USER = "duplicate_user"
    # ingest
    COURIER_REJECTED = "courier_rejected"
    BATCH_REJECTED = "batch_rejected"
    SEND_FAILED = "send_failed"
    UNMATCHED_ERROR = "unmatched_error"
    # delivery
    DELIVERY_ERROR = "delivery_error"
    UNDELIVERABLE = "undeliverable"

    @property
    def hint(self) -> str:
        """What the user should do about a problem with this code."""
        return _HINTS[self]


_HINTS: dict[ErrorCode, str] = {
    ErrorCode.RAGGED_ROW: "the line has more or fewer fields than the header; check for a stray delimiter "
    "or an unquoted value containing one, then fix the line in the file",
    ErrorCode.UNTERMINATED_QUOTE: "a quoted value never closes; add the closing quote in the file",
    ErrorCode.CAST_FAILED: "the value cannot be converted to the type the mapping asks for; fix the value "
    "or change the cast in the mapping",
    ErrorCode.AMBIGUOUS_DATE_CONVENTION: "the date column holds both day-first and month-first dates; set "
    "dayfirst: true or false (or a format) on the column in the mapping, or write its dates as YYYY-MM-DD",
    ErrorCode.INVALID_EMAIL: "correct the address (it must look like name@example.com) or clear the cell",
    ErrorCode.INVALID_PHONE: "write the number with its country code (+44 20 7946 0958) or set the "
    "default region for numbers without one",
    ErrorCode.EXCEL_MANGLED_NUMBER: "a spreadsheet turned this into scientific notation and lost digits; "
    "re-export the column as text from the original source",
    ErrorCode.UNKNOWN_COUNTRY: "write the row's country as a name or a two-letter code (Germany, DE), or "
    "the number with its country code (+49 ...)",
    ErrorCode.AMBIGUOUS_PHONE_REGION: "write the number with its country code, or correct the row's country",
    ErrorCode.NO_IDENTITY: "give the row a user id, an email or a phone number",
    ErrorCode.MISSING_EMAIL: "this job sends email: fill profile.email for the row",
    ErrorCode.WRONG_TYPE: "the value has the wrong type for this field; fix the value or add a cast",
    ErrorCode.INVALID_VALUE: "use one of the values Courier accepts for this field",
    ErrorCode.USER_TOO_LARGE: "the user's payload is too large for one request; move large data elsewhere",
    ErrorCode.DUPLICATE_USER: "nothing to do if it is the same person; otherwise give the rows distinct ids",
    ErrorCode.COURIER_REJECTED: "read Courier's message, fix the row, and submit the failed rows again",
    ErrorCode.BATCH_REJECTED: "Courier refused the request holding this row; read its message, fix, resubmit",
    ErrorCode.SEND_FAILED: "the row may not have reached Courier; with a journal, run the same command "
    "again with it; without one, submit the failed rows again (to the same job with --job) and give "
    "--journal next time",
    ErrorCode.UNMATCHED_ERROR: "Courier reported an error that matches no single row; see the user it echoes",
    ErrorCode.DELIVERY_ERROR: "Courier could not send to this user; check the address and the channel",
    ErrorCode.UNDELIVERABLE: "the message did not reach this user; the row's bulk_outcome_reason says why "
    "(BOUNCED: fix the address; UNSUBSCRIBED: respect it; NO_CHANNELS: add an email or phone)",
}


def empty_errors() -> pd.DataFrame:
    """An error table with no rows and the standard columns and dtypes.

    Example:
        >>> list(empty_errors().columns) == list(ERROR_COLUMNS)
        True
    """
    frame = pd.DataFrame({name: pd.Series(dtype="object") for name in ERROR_COLUMNS})
    frame[ROW_KEY] = frame[ROW_KEY].astype("int64")
    return frame


def _as_text(values: pd.Series) -> pd.Series:
    """Offending values as text, missing ones as None (the table is for people to read)."""
    return values.astype("object").where(values.notna(), None).map(lambda v: v if v is None else str(v))


def _at(series: pd.Series, mask: pd.Series, positions: np.ndarray, rows: pd.Index) -> pd.Series:
    """``series.loc[rows]``; by position when ``series`` has the mask's own (unique) index."""
    if series.index is mask.index or (series.index.is_unique and series.index.equals(mask.index)):
        return series.iloc[positions]
    return series.loc[rows]


def _messages(message: pd.Series) -> np.ndarray:
    """Messages as text, missing ones as None; without a round trip through a text column when
    every message is already text (the usual case)."""
    texts = message.to_numpy(dtype=object)
    if all(map(isinstance, texts, repeat(str))):
        return texts
    # Missing stays missing whichever pandas runs: 2.x writes None as 'None' in astype(str).
    return _as_text(message).to_numpy(dtype=object)


def _filled(count: int, value: Any) -> np.ndarray:
    """An object column of ``count`` cells holding ``value``."""
    return np.full(count, value, dtype=object)


def errors_where(
    mask: pd.Series,
    *,
    stage: str,
    code: str,
    message: str | pd.Series,
    field: str | None = None,
    column: str | None = None,
    values: pd.Series | None = None,
    severity: str = _ERROR,
) -> pd.DataFrame:
    """Error rows for every row where ``mask`` is true; the mask's index holds the ``bulk_row`` keys.

    ``message`` and ``values`` may be Series aligned on the same index, for per-row texts.
    """
    mask = mask.fillna(False).astype(bool)
    hit = mask.to_numpy(dtype=bool)
    if not hit.any():
        return empty_errors()
    positions = np.flatnonzero(hit)
    rows = mask.index[positions]
    count = len(positions)
    # Object columns from the start: text columns built from scalars would be Arrow text first,
    # which costs a conversion of every cell back to an object.
    cells = {
        "stage": _filled(count, str(stage)),
        "severity": _filled(count, str(severity)),
        "field": _filled(count, field),
        "column": _filled(count, column),
        "code": _filled(count, str(code)),
        "message": _messages(_at(message, mask, positions, rows))
        if isinstance(message, pd.Series)
        else _filled(count, message),
        "value": _as_text(_at(values, mask, positions, rows)).to_numpy(dtype=object)
        if values is not None
        else _filled(count, None),
    }
    frame = pd.DataFrame(cells, dtype="object", copy=False)
    frame.insert(0, ROW_KEY, rows.to_numpy().astype("int64"))
    return frame


def errors_from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """An error table from dicts with the standard keys (missing keys become None, a missing severity error).

    Example:
        >>> table = errors_from_records([{"bulk_row": 4, "code": "send_failed"}])
        >>> table[["bulk_row", "severity"]].to_dict("records")
        [{'bulk_row': 4, 'severity': 'error'}]
    """
    rows = [{name: record.get(name) for name in ERROR_COLUMNS} for record in records]
    if not rows:
        return empty_errors()
    frame = pd.DataFrame(rows, columns=list(ERROR_COLUMNS), dtype=object)
    frame["severity"] = _severities(frame)
    frame[ROW_KEY] = frame[ROW_KEY].astype("int64")
    return frame


def errors_for_file(errors: pd.DataFrame) -> pd.DataFrame:
    """The error table as it is written to a file: an empty ``bulk_row`` for a problem of no row.

    In memory such a problem has ``bulk_row`` :data:`NO_ROW` (-1), so the column stays whole numbers;
    in a file an empty cell says "no row" plainly, where -1 would read as a row number (and, first on
    its line, as a sign to a spreadsheet that splits lines on semicolons).

    Example:
        >>> table = errors_from_records([{"bulk_row": -1, "code": "unmatched_error"}, {"bulk_row": 4}])
        >>> errors_for_file(table)["bulk_row"].tolist()
        [<NA>, 4]
    """
    if ROW_KEY not in errors.columns:
        return errors
    rows = errors[ROW_KEY].astype("Int64")
    return errors.assign(**{ROW_KEY: rows.mask(rows == NO_ROW)})


def concat_errors(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate error tables, dropping empty parts, sorted by row then stage order (stable).

    A part without a ``severity`` column (a table made before there was one) holds errors.
    """
    frames = [part for part in parts if len(part)]
    if not frames:
        return empty_errors()
    table = pd.concat(frames, ignore_index=True)
    table["severity"] = _severities(table)
    return table.sort_values(ROW_KEY, kind="stable").reset_index(drop=True)


def _severities(errors: pd.DataFrame) -> pd.Series:
    """The table's severity per problem; missing (or no column at all) is an error."""
    if "severity" not in errors.columns:
        return pd.Series(_ERROR, index=errors.index, dtype="object")
    found = errors["severity"].astype("object")
    return found.where(found.notna(), _ERROR)


def of_severity(errors: pd.DataFrame, severity: str) -> pd.DataFrame:
    """The problems of one severity (``"error"`` or ``"warning"``); a table without the column holds errors.

    Example:
        >>> table = errors_from_records([{"bulk_row": 2, "code": "invalid_email"},
        ...                              {"bulk_row": 3, "code": "cast_failed", "severity": "warning"}])
        >>> of_severity(table, "warning")["bulk_row"].tolist(), of_severity(table, "error")[ROW_KEY].tolist()
        ([3], [2])
    """
    return errors[(_severities(errors) == str(severity)).to_numpy()]


def count_warnings(errors: pd.DataFrame) -> int:
    """How many fields were left out of users (the table's warnings).

    Example:
        >>> count_warnings(errors_from_records([{"bulk_row": 3, "severity": "warning"}]))
        1
    """
    return len(of_severity(errors, Severity.WARNING))


def warnings_line(errors: pd.DataFrame) -> str:
    """One line counting the fields left out of users (warnings), by field; empty when there are none.

    Example:
        >>> warnings_line(errors_from_records([
        ...     {"bulk_row": 2, "field": "data.born", "severity": "warning"},
        ...     {"bulk_row": 5, "field": "data.born", "severity": "warning"},
        ...     {"bulk_row": 5, "field": "profile.phone_number", "severity": "warning"}]))
        '3 fields left out (warnings): data.born 2, profile.phone_number 1'
    """
    warned = of_severity(errors, Severity.WARNING)
    if warned.empty:
        return ""
    by_field = warned["field"].astype("object").fillna("(no field)").value_counts(sort=False)
    ordered = sorted(by_field.items(), key=lambda item: -int(item[1]))  # stable: first seen first on ties
    fields = ", ".join(f"{field} {int(count)}" for field, count in ordered)
    noun = "field" if len(warned) == 1 else "fields"
    return f"{len(warned)} {noun} left out (warnings): {fields}"


def join_messages(errors: pd.DataFrame, severity: str | None = _ERROR) -> pd.Series:
    """The readable per-row text: each row's messages of ``severity`` joined with ``"; "``.

    With the default (errors) it is the ``bulk_error`` text; with ``"warning"`` the ``bulk_warning``
    text; with None every message.

    Example:
        >>> table = errors_from_records([
        ...     {"bulk_row": 5, "field": "profile.email", "message": "not an email address"},
        ...     {"bulk_row": 5, "field": "profile.phone_number", "message": "too short"}])
        >>> join_messages(table).to_dict()
        {5: 'profile.email: not an email address; profile.phone_number: too short'}
    """
    if severity is not None:
        errors = of_severity(errors, severity)
    if errors.empty:
        return pd.Series(dtype="object")
    labelled = errors["message"].astype(str)
    has_field = errors["field"].notna()
    labelled = labelled.where(~has_field, errors["field"].astype(str) + ": " + labelled)
    return labelled.groupby(errors[ROW_KEY].to_numpy(), sort=False).agg("; ".join)


def top_problems(errors: pd.DataFrame, *, limit: int | None = 5) -> pd.DataFrame:
    """The problems by code, most rows first: one row per code with its count, an example and what to do.

    ``limit`` keeps the most common codes only; None keeps every code.

    Example:
        >>> table = errors_from_records([{"bulk_row": 2, "code": "invalid_email", "value": "a@"},
        ...                              {"bulk_row": 3, "code": "invalid_email", "value": "b@"}])
        >>> top_problems(table)[["code", "rows", "example"]].to_dict("records")
        [{'code': 'invalid_email', 'rows': 2, 'example': 'a@'}]
    """
    columns = ["code", "rows", "example", "fix"]
    if errors.empty:
        return pd.DataFrame(columns=columns)
    grouped = errors.groupby("code", sort=False).agg(
        rows=(ROW_KEY, "nunique"), example=("value", "first"), first=(ROW_KEY, "min")
    )
    grouped = grouped.sort_values(["rows", "first"], ascending=[False, True])
    if limit is not None:
        grouped = grouped.head(limit)
    grouped["fix"] = [ErrorCode(code).hint if code in _CODES else "" for code in grouped.index]
    return grouped.reset_index()[columns]


def problems_by_column(errors: pd.DataFrame) -> pd.DataFrame:
    """Rows per problem code and source column (``column`` empty for a row-wide problem), most first.

    Example:
        >>> table = errors_from_records([
        ...     {"bulk_row": 2, "code": "invalid_email", "column": "Email"},
        ...     {"bulk_row": 3, "code": "invalid_email", "column": "Email"},
        ...     {"bulk_row": 3, "code": "no_identity"}])
        >>> problems_by_column(table).to_numpy().tolist()
        [['invalid_email', 'Email', 2], ['no_identity', '', 1]]
    """
    columns = ["code", "column", "rows"]
    if errors.empty:
        return pd.DataFrame(columns=columns)
    keyed = pd.DataFrame(
        {
            ROW_KEY: errors[ROW_KEY].to_numpy(),
            "code": errors["code"].astype("object").fillna("").astype(str).to_numpy(),
            "column": errors["column"].astype("object").fillna("").astype(str).to_numpy(),
        }
    )
    grouped = keyed.groupby(["code", "column"], sort=False).agg(rows=(ROW_KEY, "nunique")).reset_index()
    return grouped.sort_values("rows", ascending=False, kind="stable").reset_index(drop=True)[columns]


#: The columns that tell how delivery went, in the order a reader asks: Courier's state for the
#: user in the job, then the message's outcome and its reason (present once the outcomes are fetched).
DELIVERY_COLUMNS: tuple[str, ...] = (
    Column.DELIVERY_STATUS.value,
    str(getattr(Column, "OUTCOME", "bulk_outcome")),
    str(getattr(Column, "OUTCOME_REASON", "bulk_outcome_reason")),
)


def delivery_counts(df: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Rows per value of each delivery column ``df`` has (:data:`DELIVERY_COLUMNS`), most first.

    A column that is absent or holds nothing is left out; a frame from ``prepare`` gives ``{}``.

    Example:
        >>> frame = pd.DataFrame({"bulk_delivery_status": ["ENQUEUED", "ERROR", "ENQUEUED", None]})
        >>> delivery_counts(frame)
        {'bulk_delivery_status': {'ENQUEUED': 2, 'ERROR': 1}}
    """
    found: dict[str, dict[str, int]] = {}
    for name in DELIVERY_COLUMNS:
        if name not in df.columns:
            continue
        counts = df[name].dropna().astype(str).value_counts(sort=False)
        ordered = sorted(counts.items(), key=lambda item: -int(item[1]))  # stable: first seen first
        if ordered:
            found[name] = {str(value): int(count) for value, count in ordered}
    return found


def delivery_lines(df: pd.DataFrame | Mapping[str, Mapping[str, int]] | None) -> list[str]:
    """One line per delivery column of ``df`` with its counts (see :func:`delivery_counts`).

    ``df`` may also be those counts already made (a file read a chunk at a time counts as it goes).

    Example:
        >>> delivery_lines(pd.DataFrame({"bulk_delivery_status": ["ENQUEUED", "ERROR", "ENQUEUED"]}))
        ['delivery status: ENQUEUED 2, ERROR 1']
    """
    if df is None:
        return []
    found = delivery_counts(df) if isinstance(df, pd.DataFrame) else df
    return [
        f"{_DELIVERY_LABELS.get(name, name)}: "
        + ", ".join(f"{value} {count}" for value, count in counts.items())
        for name, counts in found.items()
    ]


_DELIVERY_LABELS = dict(zip(DELIVERY_COLUMNS, ("delivery status", "outcome", "outcome reason"), strict=True))


_CODES = {code.value for code in ErrorCode}


def format_summary(
    summary: Mapping[str, int],
    errors: pd.DataFrame,
    *,
    limit: int | None = None,
    df: pd.DataFrame | Mapping[str, Mapping[str, int]] | None = None,
) -> str:
    """A plain-text summary for terminals: counts per status, the fields left out, the delivery, the problems.

    The problems are the errors (they decide the statuses), every code with its rows, an example and
    its fix (``limit`` keeps the most common codes only and says how many it left out); the warnings
    (fields left out of users that are sent without them) are counted on a line of their own. With
    ``df``, the delivery states and outcomes it holds are counted too (or ``df`` is those counts).

    Example:
        >>> warned = errors_from_records([{"bulk_row": 2, "field": "data.born", "severity": "warning"}])
        >>> print(format_summary({"ready": 2, "invalid": 1}, warned))
        ready      2
        invalid    1
        total      3
        1 field left out (warnings): data.born 1
    """
    width = max((len(name) for name in summary), default=5)
    width = max(width, len("total")) + 4
    lines = [f"{name:<{width}}{count}" for name, count in summary.items()]
    lines.append(f"{'total':<{width}}{sum(summary.values())}")
    warned = warnings_line(errors)
    if warned:
        lines.append(warned)
    lines.extend(delivery_lines(df))
    every = top_problems(of_severity(errors, _ERROR), limit=None)
    problems = every if limit is None else every.head(limit)
    if len(problems):
        lines.append("most common problems:" if len(problems) < len(every) else "problems by code:")
        for code, rows, example, fix in problems.itertuples(index=False, name=None):
            shown = f" (e.g. {example!r})" if example is not None else ""
            lines.append(f"  {code!s}: {rows} row(s){shown}")
            if fix:
                lines.append(f"      fix: {fix!s}")
        if len(problems) < len(every):
            more = len(every) - len(problems)
            lines.append(f"  ... and {more} more code(s): see the error table")
    return "\n".join(lines)
