"""Duplicates across a whole file that is read a chunk at a time: a global pass over the identity keys.

Two steps, so that memory follows the duplicates and not the file:

1. :class:`KeyIndex` files a 64-bit hash of each identity key (per kind: user id, email, phone, in
   the form :func:`bulkprep.duplicates.canonical_keys` compares them) with its row, as 16 bytes in one
   of :data:`BUCKETS` files on disk, chosen by the hash. A bucket at a time is then sorted, and the rows
   holding a hash another row holds are the *candidates*. A row whose keys no other row holds is one
   person on its own under every step of the duplicate rule, and takes no part in any other row's
   cluster, so leaving it out changes nothing. A hash collision only adds candidates, never loses one.
2. :func:`resolve_duplicates` runs :func:`bulkprep.duplicates.flag_duplicates` itself on the
   candidates' identity fields, in file order: the kept row, chains and the reasons are the rule's own.

Measured on 3M rows of the benchmark file, about 3% of the rows are candidates. A file where most rows
share a key with another (a switchboard number on every row) makes most rows candidates: memory then
grows with those rows' identity fields (about 200 bytes a row), never with the whole rows.

Example:
    >>> import pandas as pd, tempfile
    >>> index = KeyIndex(tempfile.mkdtemp(), kinds=("user_id", "email", "phone"))
    >>> part = pd.DataFrame({"profile.email": ["a@x.co", "b@x.co", "A@x.co"]},
    ...                     index=pd.Index([2, 3, 9], name="bulk_row"))
    >>> index.add(part)
    >>> index.shared_rows().tolist()
    [2, 9]
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, NamedTuple, cast

import numpy as np
import pandas as pd

from bulkprep.courier import IDENTITY_FIELDS, IDENTITY_KINDS
from bulkprep.duplicates import canonical_keys, duplicate_errors, flag_duplicates
from bulkprep.report import empty_errors
from bulkprep.status import ROW_KEY, Column, KeepPolicy

__all__ = [
    "BUCKETS",
    "COMPLETENESS",
    "KeyIndex",
    "Resolved",
    "key_hashes",
    "resolve_duplicates",
    "shared_rows",
]

BUCKETS = 64  # files the key hashes are spread over: a bucket holds 1/64 of them in memory at a time
COMPLETENESS = "bulk_filled_targets"  # column of an identity part: the row's filled targets (most_complete)
# Mixed into each kind's hashes, so that the same text as an email and as a user id are different keys.
_KIND_SALT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


class KeyIndex:
    """A compact on-disk index of identity-key hashes, to find the rows sharing a key with another row.

    Args:
        folder: where the bucket files go (created if needed).
        kinds: the identity kinds that link rows (see :func:`bulkprep.duplicates.identity_kinds`).
    """

    def __init__(self, folder: str | os.PathLike[str], *, kinds: tuple[str, ...]) -> None:
        self._folder = Path(folder)
        self._folder.mkdir(parents=True, exist_ok=True)
        self._kinds = kinds
        self._paths = [self._folder / f"keys-{bucket:02d}.bin" for bucket in range(BUCKETS)]
        for path in self._paths:
            path.write_bytes(b"")

    def add(self, identity: pd.DataFrame) -> None:
        """File the keys of ``identity``: the identity fields of the rows taking part, by ``bulk_row``."""
        pairs = key_hashes(identity, self._kinds)
        if not len(pairs):
            return
        bucket = (pairs[:, 0].view(np.uint64) % np.uint64(BUCKETS)).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        pairs, bucket = pairs[order], bucket[order]
        bounds = np.searchsorted(bucket, np.arange(BUCKETS + 1))
        for number in np.flatnonzero(np.diff(bounds)).tolist():
            with open(self._paths[number], "ab") as out:
                np.ascontiguousarray(pairs[bounds[number] : bounds[number + 1]]).tofile(out)

    def shared_rows(self) -> np.ndarray:
        """The rows (sorted ``bulk_row`` values) holding a key hash that another row holds too."""
        found = [shared_rows(np.fromfile(path, dtype=np.int64).reshape(-1, 2)) for path in self._paths]
        return np.unique(np.concatenate(found))


def key_hashes(identity: pd.DataFrame, kinds: tuple[str, ...]) -> np.ndarray:
    """The identity keys of ``identity`` as ``(hash, bulk_row)`` pairs: an int64 array of two columns.

    ``identity`` holds the identity fields of the rows taking part, indexed by ``bulk_row``; each key
    is hashed in the form :func:`bulkprep.duplicates.canonical_keys` compares, salted by its kind.

    Example:
        >>> part = pd.DataFrame({"profile.email": ["a@x.co", None]}, index=pd.Index([2, 3], name="bulk_row"))
        >>> key_hashes(part, ("email",))[:, 1].tolist()
        [2]
    """
    keys = canonical_keys(identity)
    rows = identity.index.to_numpy(dtype=np.int64)
    hashes, holders = [], []
    for kind in kinds:
        salt = _KIND_SALT[IDENTITY_KINDS.index(kind)]
        for field in (f for f in keys.columns if IDENTITY_FIELDS[f] == kind):
            values = keys[field].to_numpy(dtype=object)
            present = pd.notna(values)
            if not present.any():
                continue
            hashed = pd.util.hash_array(values[present].astype(str).astype(object), categorize=False)
            hashes.append(hashed ^ salt)
            holders.append(rows[present])
    if not hashes:
        return np.zeros((0, 2), dtype=np.int64)
    return np.column_stack([np.concatenate(hashes).view(np.int64), np.concatenate(holders)])


def shared_rows(pairs: np.ndarray) -> np.ndarray:
    """The rows of ``(hash, bulk_row)`` pairs (:func:`key_hashes`) holding a hash another row holds too.

    Pairs of one hash must all be given at once (all of them, or all of one bucket of hashes).

    Example:
        >>> shared_rows(np.array([[7, 2], [5, 3], [7, 9], [7, 9]])).tolist()
        [2, 9]
    """
    if len(pairs) < 2:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    hashes, rows = pairs[order, 0], pairs[order, 1]
    # A row holding one key in two fields (profile.email and to.email) holds it once.
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    hashes, rows = hashes[distinct], rows[distinct]
    repeated = np.zeros(len(hashes), dtype=bool)
    same = hashes[1:] == hashes[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    return np.unique(rows[repeated])


class Resolved(NamedTuple):
    """The duplicates of the whole file: the kept row of each flagged row, and their error-table rows."""

    duplicate_of: pd.Series  # Int64 kept ``bulk_row`` by flagged ``bulk_row`` (flagged rows only)
    errors: pd.DataFrame  # stage ``duplicate`` rows, sorted by ``bulk_row``


def _with_completeness(identity: pd.DataFrame) -> pd.DataFrame:
    """The identity fields plus filler columns, so that each row's count of filled cells is its completeness.

    :func:`~bulkprep.duplicates.flag_duplicates` counts a row's filled targets for ``most_complete``;
    the candidates carry only their identity fields, so the other filled targets become fillers.
    """
    counts = identity[COMPLETENESS].to_numpy(dtype=np.int64)
    fields = identity.drop(columns=COMPLETENESS)
    extra = counts - fields.notna().sum(axis=1).to_numpy()
    fillers = {}
    for n in range(1, int(extra.max(initial=0)) + 1):
        filler = np.full(len(extra), None, dtype=object)
        filler[extra >= n] = True
        fillers[f"bulk_filler_{n}"] = filler
    return pd.concat([fields, pd.DataFrame(fillers, index=fields.index)], axis=1) if fillers else fields


def resolve_duplicates(
    parts: Iterable[pd.DataFrame], *, keep: KeepPolicy | str, kinds: tuple[str, ...]
) -> Resolved:
    """Flag the duplicates among the candidate rows, by the rule of :mod:`bulkprep.duplicates`.

    Args:
        parts: the candidates' identity fields, each part indexed by ``bulk_row``, in file order, with a
            :data:`COMPLETENESS` column (each row's filled targets).
        keep: the keep policy.
        kinds: the identity kinds that link rows.
    """
    frames = [part for part in parts if len(part)]
    if not frames:
        return Resolved(pd.Series(dtype="Int64", index=pd.Index([], name=ROW_KEY)), empty_errors())
    candidates = pd.concat(frames)
    policy = cast(Literal["first", "last", "most_complete"], str(keep))
    if KeepPolicy(policy) is KeepPolicy.MOST_COMPLETE:
        targets = _with_completeness(candidates)
    else:
        targets = candidates.drop(columns=COMPLETENESS)
    flags = flag_duplicates(targets, keep=policy, keys=kinds)
    flagged = flags[Column.DUPLICATE_OF].notna().to_numpy()
    errors = duplicate_errors(flags[flagged], targets=targets)
    return Resolved(flags[Column.DUPLICATE_OF][flagged], errors.sort_values(ROW_KEY, kind="stable"))
