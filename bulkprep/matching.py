"""Tie Courier's echoes, which carry no index, back to the rows that produced them.

Courier's per-user ingest errors echo the refused user without saying which one of the request it was,
and the users page of a run job lists users with no row index either. :func:`match_to_rows` finds each
echo's row through the identity fields of :data:`bulkprep.courier.IDENTITY_FIELDS` (user ids, then
emails, then phones), looking in both echo shapes Courier documents: request-like (the paths of the
user) and flattened (:data:`bulkprep.courier.FLATTENED_ECHO_FIELDS`).

Example:
    >>> import pandas as pd
    >>> users = pd.Series([{"recipient": "u1"}, {"profile": {"email": "Ann@Example.com"}}], index=[2, 3])
    >>> matching = match_to_rows([{"email": "ann@example.com"}, {"user_id": "zz"}], identities_of(users))
    >>> matching.matches, matching.unmatched
    ({0: 3}, [1])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from bulkprep.courier import FLATTENED_ECHO_FIELDS, IDENTITY_FIELDS, IDENTITY_KINDS

__all__ = [
    "IDENTITY_COLUMNS",
    "IDENTITY_TIERS",
    "IdentityIndex",
    "IdentityTier",
    "Matching",
    "echo_identity",
    "identities_of",
    "match_to_rows",
    "narrow_candidates",
]


@dataclass(frozen=True)
class IdentityTier:
    """One kind of identity: where a row's payload holds it, and where Courier's echo may hold it.

    Attributes:
        kind: ``user_id``, ``email`` or ``phone``.
        row_paths: the dotted paths of the user payload holding this kind (request shape).
        echo_paths: the paths an echo may hold it at: the request-like ones, then the flattened one.

    Example:
        >>> IDENTITY_TIERS[0]
        IdentityTier(kind='user_id', row_paths=('recipient', 'to.user_id'), echo_paths=('recipient', 'to.user_id', 'user_id'))
    """  # noqa: E501

    kind: str
    row_paths: tuple[str, ...]
    echo_paths: tuple[str, ...]


def _tier(kind: str) -> IdentityTier:
    row_paths = tuple(path for path, found in IDENTITY_FIELDS.items() if found == kind)
    flattened = tuple(name for name, found in FLATTENED_ECHO_FIELDS.items() if found == kind)
    return IdentityTier(kind, row_paths, row_paths + flattened)


IDENTITY_TIERS: tuple[IdentityTier, ...] = tuple(_tier(kind) for kind in IDENTITY_KINDS)
"""The identity tiers, strongest first (user ids, then emails, then phones)."""

IDENTITY_COLUMNS: tuple[str, ...] = tuple(path for tier in IDENTITY_TIERS for path in tier.row_paths)
"""The columns of :func:`identities_of`: every identity path of the user payload, strongest first."""


def _dig(payload: Any, path: str, kind: str) -> str | None:
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
    return text.casefold() if kind == "email" else text


def identities_of(users: pd.Series) -> pd.DataFrame:
    """The identity fields of each user payload, one row per ``bulk_row`` (the Series' index).

    Example:
        >>> users = pd.Series([{"recipient": "u1", "to": {"email": "A@B.CO"}}], index=[7])
        >>> identities_of(users).loc[7, ["recipient", "to.email"]].tolist()
        ['u1', 'a@b.co']
    """
    paths = [(path, tier.kind) for tier in IDENTITY_TIERS for path in tier.row_paths]
    records = [[_dig(user, path, kind) for path, kind in paths] for user in users.tolist()]
    return pd.DataFrame(records, index=users.index, columns=list(IDENTITY_COLUMNS), dtype="object")


def echo_identity(echo: Mapping[str, Any]) -> dict[str, set[str]]:
    """The identities an echoed user carries, per tier (``user_id``, ``email``, ``phone``).

    Example:
        >>> echo_identity({"user_id": "u1", "email": "X@Y.CO"})
        {'user_id': {'u1'}, 'email': {'x@y.co'}, 'phone': set()}
    """
    return {
        tier.kind: {value for path in tier.echo_paths if (value := _dig(echo, path, tier.kind)) is not None}
        for tier in IDENTITY_TIERS
    }


def narrow_candidates(tier_rows: Iterable[Set[int]]) -> Set[int]:
    """The rows an echo may stand for, given the rows holding its identities, tier by tier (strongest first).

    The first tier that finds rows gives the candidates; a later one only narrows them when it shares
    rows with them, and the narrowing stops at one row. A tier finding no row changes nothing.

    Example:
        >>> sorted(narrow_candidates([{1, 2}, {9}, {2, 3}]))
        [2]
    """
    candidates: Set[int] | None = None
    for rows in tier_rows:
        if candidates is None:
            candidates = rows or None
        elif rows & candidates:
            candidates = candidates & rows  # a new set: the caller's sets stay as they are
        if candidates is not None and len(candidates) == 1:
            break
    return candidates if candidates is not None else _NO_ROWS


class Matching(NamedTuple):
    """Which echo (by position) matched which ``bulk_row``, and which echoes matched no single row."""

    matches: dict[int, int]
    unmatched: list[int]


_NO_ROWS: frozenset[int] = frozenset()


def _tier_index(identities: pd.DataFrame, paths: Iterable[str]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    rows = [int(row) for row in identities.index.tolist()]
    for path in paths:
        for row, value in zip(rows, identities[path].tolist(), strict=True):
            if value is not None and value == value:  # skip None and NaN
                index.setdefault(str(value), set()).add(row)
    return index


class IdentityIndex:
    """The candidate rows' identities, indexed once per tier: each echo then costs a few look-ups.

    Matching many echoes against many rows stays linear: the rows are read once here, and an echo
    only touches the index entries of its own identities.

    Example:
        >>> users = pd.Series([{"recipient": "a", "profile": {"email": "x@y.co"}},
        ...                    {"recipient": "b", "profile": {"email": "x@y.co"}}], index=[1, 2])
        >>> index = IdentityIndex(identities_of(users))
        >>> sorted(index.candidates({"email": "X@y.co"})), sorted(index.candidates({"user_id": "b"}))
        ([1, 2], [2])
    """

    def __init__(self, identities: pd.DataFrame) -> None:
        self._indexes = {tier.kind: _tier_index(identities, tier.row_paths) for tier in IDENTITY_TIERS}

    def _rows(self, kind: str, values: set[str]) -> Set[int]:
        index = self._indexes[kind]
        if len(values) == 1:  # the usual case: the index's own set, not a copy
            return index.get(next(iter(values)), _NO_ROWS)
        return set().union(*(index.get(value, _NO_ROWS) for value in values))

    def candidates(self, echo: Any) -> Set[int]:
        """The rows an echo may stand for (one when it matches; none, or several, when it does not).

        Tiers are tried strongest first (user id, then email, then phone); a later tier only narrows
        what an earlier one left ambiguous. The set returned must not be changed.
        """
        found = echo_identity(echo) if isinstance(echo, Mapping) else {}
        return narrow_candidates(self._rows(kind, values) for kind, values in found.items() if values)

    def names_one_user(self, echo: Any) -> bool:
        """Whether the echo's user id names rows of the batch: one Courier user, whichever of them it was.

        Rows sharing a user id are one user to Courier, so an echo carrying that id is about that user
        even when it cannot say which of the rows it came from. An echo placed only by an email or a
        phone shared by several rows (or by nothing) names no single user.

        Example:
            >>> users = pd.Series([{"recipient": "a"}, {"recipient": "a"}, {"profile": {"email": "x@y.co"}}])
            >>> index = IdentityIndex(identities_of(users))
            >>> index.names_one_user({"user_id": "a"}), index.names_one_user({"email": "x@y.co"})
            (True, False)
        """
        found = echo_identity(echo) if isinstance(echo, Mapping) else {}
        ids = found.get("user_id", set())
        return len(ids) == 1 and bool(self._rows("user_id", ids))

    def match(self, echoes: Sequence[Any]) -> Matching:
        """Each echo's single row (see :func:`match_to_rows`)."""
        matches: dict[int, int] = {}
        unmatched: list[int] = []
        for position, echo in enumerate(echoes):
            candidates = self.candidates(echo)
            if len(candidates) == 1:
                matches[position] = next(iter(candidates))
            else:
                unmatched.append(position)
        return Matching(matches, unmatched)


def match_to_rows(echoes: Sequence[Any], identities: pd.DataFrame) -> Matching:
    """Match each echoed user to the one row it stands for.

    Tiers are tried strongest first (user id, then email, then phone); a later tier only narrows
    what an earlier one left ambiguous. An echo that ends with no row, or with more than one, is
    unmatched: the caller must report it, never drop it. The rows are indexed once
    (:class:`IdentityIndex`), so the time grows with the echoes plus the rows, not their product.

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
    return IdentityIndex(identities).match(echoes)
