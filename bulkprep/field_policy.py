"""The field policy: a target whose value fails may be left out of its user instead of sinking the row.

A mapping target says what a failing value does to its row (``on_error``, :class:`bulkprep.mapping.OnError`):
``invalid`` (the default) makes the row invalid; ``drop_field`` leaves the field out of that row's user
and keeps the row. Every value that fails is still in the error table: a left-out one as a ``warning``
whose message ends "sent without <target>", the others as an ``error``
(:class:`~bulkprep.status.Severity`).

The policy never makes an unsendable row ready:

- a user id (``recipient``, ``to.user_id``, or a ``to`` object holding one) is never left out: a user
  sent without its id would be another user to Courier; the failure stays an error and says so;
- the user is checked again once its fields are left out, so a row whose only email or phone was left
  out is ``no_identity`` (``missing_email`` for an email job), and the left-out value is an error there
  too: the row is invalid, with both reasons.

Example:
    >>> import pandas as pd
    >>> from bulkprep.mapping import Mapping
    >>> from bulkprep.validate import validate
    >>> mapping = Mapping({"recipient": "id",
    ...                    "data.born": {"column": "Born", "cast": "date", "on_error": "drop_field"}})
    >>> mapped = mapping.apply(pd.DataFrame({"id": ["u1"], "Born": ["31/02/1990"]}))
    >>> found = apply_field_policy(mapped.targets, mapped.errors, mapping=mapping,
    ...                            check=lambda targets, payloads: validate(targets, payloads=payloads))
    >>> found.payloads.tolist()
    [{'recipient': 'u1'}]
    >>> found.errors[["severity", "field", "code"]].to_dict("records")
    [{'severity': 'warning', 'field': 'data.born', 'code': 'cast_failed'}]
    >>> found.errors.loc[0, "message"].endswith("sent without data.born (on_error: drop_field)")
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from bulkprep import jsonsafe
from bulkprep.courier import IDENTITY_FIELDS
from bulkprep.mapping import Mapping, OnError
from bulkprep.payloads import build_payloads
from bulkprep.report import ErrorCode, concat_errors, of_severity
from bulkprep.status import ROW_KEY, Severity, Stage

__all__ = ["KEPT_TARGETS", "Check", "Checked", "apply_field_policy", "droppable_targets"]

_USER_IDS: Final = tuple(path for path, kind in IDENTITY_FIELDS.items() if kind == "user_id")
KEPT_TARGETS: Final[frozenset[str]] = frozenset(
    set(_USER_IDS)
    | {".".join(path.split(".")[:cut]) for path in _USER_IDS for cut in range(1, path.count(".") + 1)}
)
"""The targets ``on_error: drop_field`` never leaves out: the user ids and the objects holding one."""

# The problems that say a user cannot be reached, and the fields whose loss may have caused each.
_UNREACHABLE: Final[dict[str, tuple[str, ...]]] = {
    ErrorCode.NO_IDENTITY.value: tuple(IDENTITY_FIELDS),
    ErrorCode.MISSING_EMAIL.value: ("profile.email",),
}
_INDEXED = re.compile(r"\[\d+\]")
_ERROR, _WARNING = Severity.ERROR.value, Severity.WARNING.value

Check = Callable[[pd.DataFrame, pd.Series], pd.DataFrame]
"""Checks users: ``(targets, payloads) -> error table`` (such as :func:`bulkprep.validate.validate`)."""


class Checked(NamedTuple):
    """What :func:`apply_field_policy` returns.

    Attributes:
        targets: the targets, with the values left out missing.
        payloads: each row's user, built from those targets.
        errors: the problems found before and by the check, each with its severity.
    """

    targets: pd.DataFrame
    payloads: pd.Series
    errors: pd.DataFrame


def droppable_targets(mapping: Mapping) -> frozenset[str]:
    """The targets whose failing values are left out of their user (``on_error: drop_field``, not a user id).

    Example:
        >>> droppable_targets(Mapping({"recipient": {"column": "id", "on_error": "drop_field"},
        ...                            "data.born": {"column": "Born", "on_error": "drop_field"}}))
        frozenset({'data.born'})
    """
    return frozenset(
        target
        for target, policy in mapping.on_error_policies().items()
        if policy is OnError.DROP_FIELD and target not in KEPT_TARGETS
    )


def apply_field_policy(
    targets: pd.DataFrame, found: pd.DataFrame, *, mapping: Mapping, check: Check
) -> Checked:
    """Leave out the failing values of ``drop_field`` targets, build the users and check them.

    Args:
        targets: the targets frame, indexed by ``bulk_row`` (after normalization).
        found: the problems found so far (the mapping's casts, normalization).
        mapping: the mapping, whose targets say their policy.
        check: checks the users, ``(targets, payloads) -> error table``; it is run again on the rows
            whose fields it made the policy leave out, until those rows are clean or nothing more
            can be left out.

    Returns:
        The targets and users without the values left out, and every problem with its severity:
        ``warning`` for a value left out, ``error`` for the others.
    """
    droppable = droppable_targets(mapping)
    if not mapping.on_error_policies():
        payloads = build_payloads(targets)
        return Checked(targets, payloads, concat_errors([found, check(targets, payloads)]))
    owner_of = _owner_finder(mapping)
    targets = targets.copy()
    found_kept, found_dropped = _split(found, targets, owner_of, droppable, only_present=False)
    _leave_out(targets, found_dropped)
    payloads = build_payloads(targets)
    checked = check(targets, payloads)
    dropped = [found_dropped]
    while True:
        checked, newly = _split(checked, targets, owner_of, droppable, only_present=True)
        if newly.empty:
            break
        dropped.append(newly)
        _leave_out(targets, newly)
        rows = pd.Index(newly[ROW_KEY].unique())
        users = payloads.to_numpy(dtype=object).copy()
        users[payloads.index.get_indexer(rows)] = build_payloads(targets.loc[rows]).to_numpy(dtype=object)
        payloads = pd.Series(users, index=payloads.index, dtype=object)
        rechecked = check(targets.loc[rows], payloads.loc[rows])
        checked = concat_errors([checked[~checked[ROW_KEY].isin(rows).to_numpy()], rechecked])
    kept = concat_errors([found_kept, checked])
    left_out = pd.concat(dropped, ignore_index=True)
    errors = concat_errors([_finished(left_out, kept), _noted_kept_ids(kept, mapping, owner_of)])
    # A row's problems in the order of the stages that found them (a left-out email before the
    # no_identity it causes).
    rank = errors["stage"].map({stage.value: i for i, stage in enumerate(Stage)}).fillna(len(Stage))
    order = np.lexsort((rank.to_numpy(), errors[ROW_KEY].to_numpy()))
    return Checked(targets, payloads, errors.iloc[order].reset_index(drop=True))


def _owner_finder(mapping: Mapping) -> Callable[[object], str | None]:
    """``field -> the mapped target it belongs to``: the field itself, else its nearest mapped parent."""
    mapped = frozenset(mapping.targets)

    def owner_of(field: object) -> str | None:
        if not isinstance(field, str):
            return None
        path = _INDEXED.sub("", field)
        while path:
            if path in mapped:
                return path
            path = path.rpartition(".")[0]
        return None

    return owner_of


def _split(
    table: pd.DataFrame,
    targets: pd.DataFrame,
    owner_of: Callable[[object], str | None],
    droppable: frozenset[str],
    *,
    only_present: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The problems that stay, and those whose field is left out (with the ``target`` left out).

    With ``only_present``, a problem is left out only where its target still holds a value: a check's
    problem about a value no longer there (a preference without its status, say) is the row's own.
    """
    errors = of_severity(table, _ERROR)
    owners = errors["field"].map(owner_of) if len(errors) else pd.Series(dtype="object")
    drop = owners.isin(droppable).to_numpy(dtype=bool).copy()
    if only_present and drop.any():
        rows = errors[ROW_KEY].to_numpy()
        for target in pd.unique(owners[drop]):
            at = np.flatnonzero(drop & (owners == target).to_numpy())
            if target not in targets.columns:
                drop[at] = False
                continue
            values = targets[target].to_numpy(dtype=object)[targets.index.get_indexer(pd.Index(rows[at]))]
            drop[at] = ~jsonsafe.missing_mask(values)
    kept = pd.concat([of_severity(table, _WARNING), errors[~drop]]).sort_index(kind="stable")
    left_out = errors[drop].assign(target=owners[drop].to_numpy())
    return kept, left_out


def _leave_out(targets: pd.DataFrame, left_out: pd.DataFrame) -> None:
    """Make the values of ``left_out`` (``bulk_row``, ``target``) missing in ``targets``, in place."""
    for target, rows in left_out.groupby("target", sort=False)[ROW_KEY]:
        if target not in targets.columns:
            continue
        values = targets[target].to_numpy(dtype=object).copy()
        values[targets.index.get_indexer(pd.Index(rows.unique()))] = None
        targets[target] = values


def _finished(left_out: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """The left-out problems as warnings, or as errors where the row cannot be reached without the value."""
    if left_out.empty:
        return left_out.drop(columns="target")
    errors = of_severity(kept, _ERROR)
    lost = pd.Series(False, index=left_out.index)
    for code, fields in _UNREACHABLE.items():
        rows = errors.loc[errors["code"] == code, ROW_KEY]
        holders = {
            target: any(_holds(target, field) for field in fields) for target in pd.unique(left_out["target"])
        }
        lost |= left_out[ROW_KEY].isin(rows) & left_out["target"].map(holders).astype(bool)
    out = left_out.copy()
    sent_without = "; sent without " + out["target"].astype(str) + " (on_error: drop_field)"
    cannot = (
        "; " + out["target"].astype(str) + " cannot be left out (on_error: drop_field): without it "
        "the user cannot be reached"
    )
    out["message"] = out["message"].astype(str) + sent_without.where(~lost, cannot)
    out["severity"] = np.where(lost.to_numpy(), _ERROR, _WARNING)
    return out.drop(columns="target").astype({"severity": "object"})


def _noted_kept_ids(
    kept: pd.DataFrame, mapping: Mapping, owner_of: Callable[[object], str | None]
) -> pd.DataFrame:
    """The errors of user-id targets that ask for ``drop_field``, told why the policy did not apply."""
    asking = {
        target
        for target, policy in mapping.on_error_policies().items()
        if policy is OnError.DROP_FIELD and target in KEPT_TARGETS
    }
    if not asking or kept.empty:
        return kept
    owners = kept["field"].map(owner_of)
    hit = (owners.isin(asking) & (kept["severity"] == _ERROR)).to_numpy(dtype=bool)
    if not hit.any():
        return kept
    out = kept.copy()
    out.loc[hit, "message"] = (
        out.loc[hit, "message"].astype(str)
        + "; "
        + owners[hit].astype(str)
        + " is a user id and is never left out (on_error: drop_field does not apply to it): fix the value"
    )
    return out


def _holds(target: str, field: str) -> bool:
    """Whether leaving ``target`` out leaves ``field`` out too (it is the field or an object holding it)."""
    return field == target or field.startswith(f"{target}.")
