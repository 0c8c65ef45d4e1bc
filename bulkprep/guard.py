"""Guards on a submission: refuse to send a file that is too broken, stop a run Courier keeps refusing.

``max_invalid`` is checked before the job is created: when more rows are invalid or duplicate than it
allows (a share of the input rows such as ``0.05``, or a count such as ``50``), nothing is sent.
``max_rejected`` is checked while sending: once enough users were sent (:func:`rejected_checked_after`),
a share of them refused by Courier above it stops the run. A dry run reports the first guard's
:class:`GuardDecision` without refusing.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"bulk_status": ["ready", "ready", "invalid", "ready"]})
    >>> decision = check_invalid(frame, pd.DataFrame(columns=["bulk_row", "code", "column"]), 0.2)
    >>> decision.passed, decision.bad, decision.allowed
    (False, 1, 0)
    >>> parse_limit("5%"), parse_limit("50"), parse_limit("0.1")
    (0.05, 50, 0.1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from bulkprep.errors import ConfigurationError
from bulkprep.report import top_problems
from bulkprep.status import Column, RowStatus

__all__ = [
    "REJECTED_CHECK_USERS",
    "GuardDecision",
    "Limit",
    "check_invalid",
    "check_limit",
    "describe_limit",
    "parse_limit",
    "rejected_checked_after",
    "rejection_stop",
]

#: A share of rows (a float in [0, 1)) or a number of rows (an int of 0 or more).
Limit = float | int

#: ``max_rejected`` is checked once this many users were sent (or the first batch, when smaller).
REJECTED_CHECK_USERS = 200

#: The statuses ``max_invalid`` counts: rows prepare would not send.
_NOT_SENDABLE = (RowStatus.INVALID.value, RowStatus.DUPLICATE.value)
_TOP = 3


def check_limit(limit: Limit | None, name: str) -> Limit | None:
    """``limit`` when it is a share in [0, 1) or a count of 0 or more; None stays None.

    Raises:
        ConfigurationError: for anything else (a bool, a negative number, a share of 1 or more).

    Example:
        >>> check_limit(0.05, "max_invalid"), check_limit(3, "max_invalid"), check_limit(None, "x")
        (0.05, 3, None)
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise ConfigurationError(f"{name}={limit!r} must be a share (0.05) or a number of rows (50)")
    if isinstance(limit, float) and not (math.isfinite(limit) and 0 <= limit < 1):
        raise ConfigurationError(
            f"{name}={limit!r}: a share is a float from 0 up to (not including) 1, such as 0.05; "
            "pass None for no limit, or a whole number for a count of rows"
        )
    if isinstance(limit, int) and limit < 0:
        raise ConfigurationError(f"{name}={limit} must be 0 or more rows")
    return limit


def parse_limit(text: str) -> Limit:
    """A limit as written on the command line: ``5%`` or ``0.05`` (a share), ``50`` (a count).

    Raises:
        ValueError: when the text is none of these.

    Example:
        >>> parse_limit("12.5%"), parse_limit("0")
        (0.125, 0)
    """
    written = text.strip()
    try:
        if written.endswith("%"):
            limit: Limit = float(written[:-1]) / 100
        elif written.isdigit():
            limit = int(written)
        else:
            limit = float(written)
    except ValueError:
        raise ValueError(f"{text!r} is not a share (5%, 0.05) or a number of rows (50)") from None
    try:
        return check_limit(limit, "the limit") or limit
    except ConfigurationError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


def describe_limit(limit: Limit) -> str:
    """The limit as people say it.

    Example:
        >>> describe_limit(0.05), describe_limit(50)
        ('5%', '50 rows')
    """
    if isinstance(limit, float):
        return f"{limit * 100:g}%"
    return f"{limit} rows"


def _allowed(limit: Limit, total: int) -> int:
    """How many rows of ``total`` the limit lets through."""
    if isinstance(limit, float):
        return math.floor(limit * total + 1e-9)
    return limit


@dataclass(frozen=True)
class GuardDecision:
    """What the ``max_invalid`` guard decided about a prepared file.

    Attributes:
        limit: the limit it applied (a share or a count).
        bad: the rows invalid or duplicate.
        total: the input rows.
        allowed: how many bad rows the limit lets through.
        top: the most common problems, ``(code, rows)``, most common first.
        passed: whether the rows may be sent.

    Example:
        >>> GuardDecision(0.05, bad=1, total=100, allowed=5, top=(("invalid_email", 1),)).passed
        True
    """

    limit: Limit
    bad: int
    total: int
    allowed: int
    top: tuple[tuple[str, int], ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the rows may be sent (no more bad rows than allowed)."""
        return self.bad <= self.allowed

    @property
    def share(self) -> float:
        """The bad rows as a share of the input rows."""
        return self.bad / self.total if self.total else 0.0

    def explain(self) -> str:
        """One paragraph: the counts, the top problems and how to proceed.

        Example:
            >>> decision = GuardDecision(0, bad=2, total=4, allowed=0, top=(("invalid_email", 2),))
            >>> for part in decision.explain().split("; "):
            ...     print(part)
            2 of 4 rows (50%) are invalid or duplicate, more than max_invalid (--max-invalid) 0 rows ...
            top problems: invalid_email (2 rows)
            fix those rows (see bulk_error in the results) and submit again, or raise max_invalid ...
        """
        counts = f"{self.bad} of {self.total} rows ({self.share * 100:.3g}%) are invalid or duplicate"
        if self.passed:
            return f"{counts}, within max_invalid {describe_limit(self.limit)} ({self.allowed} allowed)"
        problems = ", ".join(f"{code} ({rows} rows)" for code, rows in self.top) or "see bulk_error"
        return (
            f"{counts}, more than max_invalid (--max-invalid) {describe_limit(self.limit)} allows "
            f"({self.allowed}); top problems: {problems}; fix those rows (see bulk_error in the results) "
            "and submit again, or raise max_invalid (--max-invalid)"
        )

    def __str__(self) -> str:
        return self.explain()


def check_invalid(frame: pd.DataFrame, errors: pd.DataFrame, limit: Limit) -> GuardDecision:
    """Apply ``max_invalid`` to a prepared frame and prepare's error table.

    Example:
        >>> frame = pd.DataFrame({"bulk_status": ["ready", "duplicate"]})
        >>> check_invalid(frame, pd.DataFrame(columns=["bulk_row", "code"]), 1).passed
        True
    """
    status = frame[Column.STATUS.value].astype("object")
    bad = int(status.isin(_NOT_SENDABLE).sum())
    top = top_problems(errors, limit=_TOP) if len(errors) else pd.DataFrame(columns=["code", "rows"])
    return GuardDecision(
        limit,
        bad=bad,
        total=len(frame),
        allowed=_allowed(limit, len(frame)),
        top=tuple((str(code), int(rows)) for code, rows in zip(top["code"], top["rows"], strict=True)),
    )


def rejected_checked_after(first_batch_users: int) -> int:
    """How many users must have been sent before ``max_rejected`` is checked.

    Example:
        >>> rejected_checked_after(10_000), rejected_checked_after(50)
        (200, 50)
    """
    return max(1, min(REJECTED_CHECK_USERS, first_batch_users))


def rejection_stop(limit: Limit, *, accepted: int, rejected: int, checked_after: int) -> str | None:
    """Why ``max_rejected`` stops the run, or None while it may go on.

    Args:
        limit: the share (or count) of the users sent that Courier may refuse.
        accepted: users Courier took so far.
        rejected: users Courier refused so far.
        checked_after: how many users must have been sent before the guard looks.

    Example:
        >>> for part in rejection_stop(0.1, accepted=5, rejected=5, checked_after=10).split("; "):
        ...     print(part)
        the guard max_rejected (--max-rejected) 10% stopped sending: Courier refused 5 of the 10 users ...
        read Courier's reasons (bulk_error of the rejected rows) and fix them, or raise max_rejected, ...
        >>> rejection_stop(0.1, accepted=9, rejected=1, checked_after=10) is None
        True
    """
    sent = accepted + rejected
    if sent < checked_after or rejected <= _allowed(limit, sent):
        return None
    return (
        f"the guard max_rejected (--max-rejected) {describe_limit(limit)} stopped sending: Courier refused "
        f"{rejected} of the {sent} users sent so far ({rejected / sent * 100:.3g}%); read Courier's "
        "reasons (bulk_error of the rejected rows) and fix them, or raise max_rejected, "
        "before sending the rest"
    )
