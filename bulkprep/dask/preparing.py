"""``prepare`` for a Dask DataFrame: the local stages per partition, the duplicates across the whole frame.

The graph has three steps (the pieces are in :mod:`bulkprep.dask.parts`):

1. Each partition goes through mapping, normalization, the field policy and validation: the
   functions :func:`bulkprep.prepare` runs, on the partition's rows.
2. The duplicates are resolved across the whole frame: the identity keys are hashed and dealt into
   buckets by hash, a task per bucket finds the rows sharing a key with another row (wherever they
   are), and those candidates' identity fields, gathered in the frame's order, are flagged by
   :func:`bulkprep.duplicates.flag_duplicates` itself. Clusters span partitions (a chain through
   three partitions is one cluster), and the kept row is the one the rule keeps in the whole frame.
3. Each partition gets its statuses, messages and users, as :func:`bulkprep.prepare` ends.

So ``prepare(ddf, mapping).compute()`` holds, row by row, what ``bulkprep.prepare(ddf.compute(),
mapping)`` gives, whatever the partitioning: statuses, errors, warnings, users and kept rows. What
differs is only what would gather every row in one place: ``changes`` are not collected, and
``blank_rows`` (what the reader dropped) is not known here.

``bulk_row`` must be a key of the whole frame: :func:`bulkprep.dask.read_csv` gives the files'
lines; a frame without the column is keyed by position in the whole frame, as
:func:`bulkprep.prepare` keys it.

Example:
    >>> import dask, pandas as pd, dask.dataframe as dd
    >>> users = pd.DataFrame({"Email": ["ann@example.com", "bob@example.com", "Ann@example.com"]})
    >>> with dask.config.set(scheduler="synchronous"):
    ...     prepared = prepare(dd.from_pandas(users, npartitions=3), {"profile": {"email": "Email"}})
    ...     prepared.compute().df["bulk_duplicate_of"].tolist()
    [<NA>, <NA>, 0]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any, cast

import dask.dataframe as dd
import pandas as pd

from bulkprep.dask import parts
from bulkprep.dask._typed import Delayed, compute, frame_from_tasks, item, partitions, persist, task
from bulkprep.duplicates import _policy, identity_kinds
from bulkprep.mapping import Mapping
from bulkprep.prepare import Prepared, as_mapping
from bulkprep.read import CHANGE_COLUMNS
from bulkprep.report import empty_errors
from bulkprep.status import ROW_KEY, Column, KeepPolicy, RowStatus
from bulkprep.stream.identity import Resolved

__all__ = ["MAX_BUCKETS", "DaskPrepared", "prepare"]

MAX_BUCKETS = 32
"""At most this many buckets of key hashes (one task each) in the duplicate pass."""

_STATUSES = (RowStatus.READY.value, RowStatus.INVALID.value, RowStatus.DUPLICATE.value)


@dataclass(frozen=True)
class DaskPrepared:
    """What :func:`prepare` gives: the prepared rows and the error table as Dask DataFrames, not computed.

    Attributes:
        df: the partitions' rows with the columns of :attr:`bulkprep.Prepared.df`.
        errors: the error table, partition by partition (each sorted by ``bulk_row``).
        mapping: the mapping that was applied.
    """

    df: dd.DataFrame
    errors: dd.DataFrame
    mapping: Mapping

    def compute(self, **options: Any) -> Prepared:
        """Everything in memory as one :class:`bulkprep.Prepared` (for frames that fit; ``changes`` empty).

        ``options`` go to :func:`dask.compute` (a ``scheduler``, say).
        """
        df, errors = cast(tuple[pd.DataFrame, pd.DataFrame], compute(self.df, self.errors, **options))
        return Prepared(
            df=df,
            errors=errors.sort_values(ROW_KEY, kind="stable").reset_index(drop=True),
            changes=pd.DataFrame({name: pd.Series(dtype="object") for name in CHANGE_COLUMNS}),
            mapping=self.mapping,
        )

    def persist(self, **options: Any) -> DaskPrepared:
        """The same, computed once and held in the cluster's memory (:func:`dask.persist`)."""
        df, errors = cast(tuple[dd.DataFrame, dd.DataFrame], persist(self.df, self.errors, **options))
        return DaskPrepared(df, errors, self.mapping)

    def summary(self) -> dict[str, int]:
        """Rows per status (computed), as :attr:`bulkprep.Prepared.summary`."""
        counts = cast(pd.Series, self.df[Column.STATUS.value].value_counts().compute())
        return {name: int(counts.get(name, 0)) for name in _STATUSES}


def _keyed_partitions(ddf: dd.DataFrame) -> list[Delayed]:
    """The partitions; without a ``bulk_row`` column, each gets its rows' positions in the whole frame."""
    found = partitions(ddf)
    if ROW_KEY in ddf.columns:
        return found
    lengths = [task(len, partition) for partition in found]
    offsets = [task(sum, lengths[:number]) for number in range(len(found))]
    return [
        task(parts.with_positions, partition, offset)
        for partition, offset in zip(found, offsets, strict=True)
    ]


def prepare(
    ddf: dd.DataFrame,
    mapping: Mapping | dict[str, Any] | str | PathLike[str] | None = None,
    *,
    region: str | None = "US",
    region_column: str | None = None,
    keep: KeepPolicy | str = KeepPolicy.FIRST,
    keys: str | Iterable[str] | None = None,
    require_email: bool = False,
) -> DaskPrepared:
    """:func:`bulkprep.prepare` for a Dask DataFrame: built here, computed on the cluster when asked.

    Args:
        ddf: the users, one per row (from :func:`bulkprep.dask.read_csv`, or any Dask DataFrame).
        mapping: as for :func:`bulkprep.prepare`; ``None`` suggests one from the first partition.
        region, region_column, keep, keys, require_email: as for :func:`bulkprep.prepare`.

    Returns:
        A :class:`DaskPrepared` (nothing is computed yet but the first partition when ``mapping`` is
        None).

    Raises:
        ConfigurationError, MappingError: as :func:`bulkprep.prepare` raises them (checked on the
            frame's columns before anything is computed).
    """
    kinds = identity_kinds(keys)  # checked before any work
    policy = _policy(keep)
    meta_frame = cast(pd.DataFrame, ddf._meta)  # the frame's columns and types, no rows
    if mapping is None:
        mapping = Mapping.suggest(cast(pd.DataFrame, compute(ddf.partitions[0])[0]))
    mapping = as_mapping(mapping, meta_frame)
    local_stages = functools.partial(
        parts.local_part,
        mapping=mapping,
        region=region,
        region_column=region_column,
        require_email=require_email,
    )
    # The columns and types of the results, from the stages run on the empty meta; this also checks
    # the mapping and the region column against the frame's columns now, not later on a worker.
    if ROW_KEY not in meta_frame.columns:
        meta_frame = parts.with_positions(meta_frame, 0)
    nothing = Resolved(pd.Series(dtype="Int64", index=pd.Index([], name=ROW_KEY)), empty_errors())
    meta_out, meta_errors = parts.finish_part(local_stages(meta_frame), nothing)

    local = [task(local_stages, partition) for partition in _keyed_partitions(ddf)]
    buckets = max(1, min(MAX_BUCKETS, len(local)))
    dealt = [task(parts.bucketed_keys, part, kinds=kinds, buckets=buckets) for part in local]
    shared = [
        task(parts.shared_in_bucket, *[item(pieces, number) for pieces in dealt]) for number in range(buckets)
    ]
    candidates = task(parts.union, *shared)
    resolved = task(
        parts.resolve,
        *[task(parts.candidates_of, part, candidates) for part in local],
        keep=policy,
        kinds=kinds,
    )
    finished = [task(parts.finish_part, part, resolved) for part in local]
    df = frame_from_tasks([item(done, 0) for done in finished], meta_out)
    errors = frame_from_tasks([item(done, 1) for done in finished], meta_errors)
    return DaskPrepared(df, errors, mapping)
