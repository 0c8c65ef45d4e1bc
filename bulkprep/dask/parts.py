"""The work :func:`bulkprep.dask.prepare` hands each task: plain pandas, a partition or a bucket at a time.

A partition goes through the stages that look at one row at a time, the very function
:func:`bulkprep.prepare` runs (:func:`local_part`), and keeps what the duplicate pass needs: the
identity fields of its valid rows. The identity keys of every partition are hashed and dealt into
buckets by hash (:func:`bucketed_keys`); one task per bucket finds the rows holding a key another row
holds (:func:`shared_in_bucket`), the *candidates*; their identity fields, gathered in the frame's
order, are resolved by :func:`bulkprep.stream.identity.resolve_duplicates`, the rule of
:mod:`bulkprep.duplicates` itself; and each partition is finished with its share of the answer
(:func:`finish_part`). What crosses the cluster is 16 bytes per key, then the candidates' identity
fields (a few percent of the rows in usual files), then the flagged rows: never whole partitions.

Example:
    >>> import pandas as pd
    >>> first = local_part(pd.DataFrame({"bulk_row": [2, 3], "Email": ["a@x.co", "b@x.co"]}),
    ...                    mapping={"profile": {"email": "Email"}})
    >>> second = local_part(pd.DataFrame({"bulk_row": [4], "Email": ["A@x.co"]}),
    ...                     mapping={"profile": {"email": "Email"}})
    >>> kinds = ("user_id", "email", "phone")
    >>> buckets = [bucketed_keys(part, kinds=kinds, buckets=1)[0] for part in (first, second)]
    >>> candidates = shared_in_bucket(*buckets)
    >>> candidates.tolist()
    [2, 4]
    >>> resolved = resolve(candidates_of(first, candidates), candidates_of(second, candidates),
    ...                    keep="first", kinds=kinds)
    >>> out, errors = finish_part(second, resolved)
    >>> out[["bulk_row", "bulk_status", "bulk_duplicate_of"]].values.tolist()
    [[4, 'duplicate', 2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bulkprep import courier
from bulkprep._gc import collector_paused
from bulkprep.mapping import Mapping
from bulkprep.prepare import _local_stages, as_mapping
from bulkprep.status import ROW_KEY, KeepPolicy
from bulkprep.stream.identity import COMPLETENESS, Resolved, key_hashes, resolve_duplicates, shared_rows
from bulkprep.stream.prepared import _candidates, _finish

__all__ = [
    "LocalPart",
    "bucketed_keys",
    "candidates_of",
    "finish_part",
    "local_part",
    "resolve",
    "shared_in_bucket",
    "union",
    "with_positions",
]

#: One partition after the local stages: what :func:`bulkprep.stream.prepared._finish` takes
#: (``keyed``, ``payloads``, ``errors``, ``invalid``) and the ``identity`` of its valid rows.
LocalPart = dict[str, Any]

_IDENTITY_FIELDS = tuple(courier.IDENTITY_FIELDS)


def with_positions(frame: pd.DataFrame, offset: int) -> pd.DataFrame:
    """``frame`` with a ``bulk_row`` of its rows' positions in the whole frame (it starts at ``offset``).

    :func:`bulkprep.prepare` keys a frame without ``bulk_row`` by position; a partition's positions
    start where the partitions before it end.

    Example:
        >>> with_positions(pd.DataFrame({"a": ["x", "y"]}), 5)["bulk_row"].tolist()
        [5, 6]
    """
    out = frame.copy()
    out.insert(0, ROW_KEY, np.arange(offset, offset + len(frame), dtype=np.int64))
    return out


def local_part(
    frame: pd.DataFrame,
    mapping: Mapping | dict[str, Any],
    *,
    region: str | None = "US",
    region_column: str | None = None,
    require_email: bool = False,
) -> LocalPart:
    """Map, normalize and validate one partition, as :func:`bulkprep.prepare` does its whole frame."""
    with collector_paused():
        local = _local_stages(
            frame,
            as_mapping(mapping, frame),
            region=region,
            region_column=region_column,
            require_email=require_email,
        )
        valid = ~local.invalid.to_numpy()
        targets = local.targets
        # Invalid rows take no part in the duplicates (prepare's exclude=invalid).
        identity = targets.loc[valid, [f for f in _IDENTITY_FIELDS if f in targets.columns]].copy()
        identity[COMPLETENESS] = targets.notna().sum(axis=1).to_numpy()[valid]
        return {
            "keyed": local.keyed,
            "payloads": local.payloads.reindex(local.keys).to_numpy(),
            "errors": local.errors,
            "invalid": local.invalid.to_numpy(),
            "identity": identity,
        }


def bucketed_keys(part: LocalPart, *, kinds: tuple[str, ...], buckets: int) -> list[np.ndarray]:
    """The partition's ``(hash, bulk_row)`` key pairs, dealt into ``buckets`` arrays by hash."""
    pairs = key_hashes(part["identity"].drop(columns=COMPLETENESS), kinds)
    bucket = pairs[:, 0].view(np.uint64) % np.uint64(buckets)
    return [pairs[bucket == number] for number in range(buckets)]


def shared_in_bucket(*pieces: np.ndarray) -> np.ndarray:
    """The rows holding a key another row holds, from one bucket's pairs of every partition (sorted)."""
    return shared_rows(np.concatenate([np.zeros((0, 2), dtype=np.int64), *pieces]))


def union(*found: np.ndarray) -> np.ndarray:
    """The candidates of every bucket, as one sorted array of ``bulk_row``."""
    return np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *found]))


def candidates_of(part: LocalPart, candidates: np.ndarray) -> pd.DataFrame:
    """The identity fields (and completeness) of the partition's rows that are candidates."""
    found: pd.DataFrame = _candidates(part["identity"], candidates)
    return found


def resolve(*parts: pd.DataFrame, keep: KeepPolicy | str, kinds: tuple[str, ...]) -> Resolved:
    """The duplicates among every partition's candidates, given in the frame's order."""
    with collector_paused():
        return resolve_duplicates(parts, keep=keep, kinds=kinds)


def finish_part(part: LocalPart, resolved: Resolved) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partition's rows with their statuses, as :func:`bulkprep.prepare` ends; and its error table."""
    keys = pd.Index(part["keyed"][ROW_KEY].to_numpy())
    flagged = resolved.duplicate_of
    errors = resolved.errors
    # Only this partition's share: its rows need not be a run of consecutive keys.
    mine = Resolved(flagged[flagged.index.isin(keys)], errors[errors[ROW_KEY].isin(keys).to_numpy()])
    with collector_paused():
        out, table = _finish(part, mine)
    return out, table
