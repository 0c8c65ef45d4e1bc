"""``prepare_file``: :func:`bulkprep.prepare` for a CSV file larger than memory, at flat memory.

The file is read a chunk at a time (:mod:`bulkprep.stream.chunks`, ``bulk_row`` stays the file's line),
and each chunk goes through the stages that look at one row at a time, the very functions
:func:`~bulkprep.prepare` runs (mapping, normalization, the field policy, validation). Each chunk is
spilled to the work folder as it is done, and its identity keys are filed in an on-disk index. Then
one global pass finds the duplicates across the whole file (:mod:`bulkprep.stream.identity`), by the
same rule and with the same kept row, and a last pass over the spilled chunks gives each row its
status, writes the results as it goes, and keeps the prepared chunks for what comes next.

Row by row, the statuses, errors, warnings, duplicates and users are those of
``prepare(read_csv(path), mapping)``; what differs is only what would need the whole file in memory:
``changes`` are not collected, and the error table is kept on disk (:meth:`PreparedFile.errors`).

The spill (:mod:`bulkprep.stream.spill`) is Python's pickle of each chunk's frames, written and read
back by this process only: it keeps every cell as it is (None against NaN, the nullable integers, the
reader's problem records) with nothing to install, the users' payloads inside it as one JSON text
(pickle is ten times slower at writing dicts). Parquet would need pyarrow and a conversion of every
other column. A chunk of the default 50,000 rows holds about 100 MB
at its peak, whatever the size of the file.

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "users.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("Email\\nann@example.com\\nnot-an-email\\nbob@example.com\\nANN@example.com\\n")
    >>> with prepare_file(path, {"profile": {"email": "Email"}}, chunk_rows=2) as prepared:
    ...     prepared.summary
    {'ready': 2, 'invalid': 1, 'duplicate': 1}
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from bulkprep import courier
from bulkprep._gc import collector_paused
from bulkprep.duplicates import _policy, identity_kinds
from bulkprep.mapping import Mapping
from bulkprep.prepare import Prepared, _local_stages, _row_messages, as_mapping
from bulkprep.progress import progress_bar
from bulkprep.read import CHANGE_COLUMNS, ReadInfo
from bulkprep.report import concat_errors, empty_errors, of_severity
from bulkprep.status import ROW_KEY, Column, KeepPolicy, RowStatus, Severity
from bulkprep.stream import spill
from bulkprep.stream.chunks import ChunkedRead, read_chunks, streamable
from bulkprep.stream.identity import COMPLETENESS, KeyIndex, Resolved, resolve_duplicates
from bulkprep.stream.output import results_writer

__all__ = ["DEFAULT_CHUNK_ROWS", "STREAM_BYTES", "PreparedFile", "prepare_file", "should_stream"]

DEFAULT_CHUNK_ROWS = 50_000
STREAM_BYTES = 200 * 2**20
"""Files larger than this (200 MiB, about 1.5M rows) are checked by the streaming path by default."""

_STATUSES = (RowStatus.READY.value, RowStatus.INVALID.value, RowStatus.DUPLICATE.value)
_SUMMARY_COLUMNS = [ROW_KEY, "severity", "field", "code", "value"]


def should_stream(path: str | PathLike[str], *, encoding: str | None = None) -> bool:
    """Whether ``path`` is a CSV file larger than :data:`STREAM_BYTES` that can be read in chunks.

    Example:
        >>> should_stream("no-such-file.csv")
        False
    """
    try:
        large = os.path.getsize(path) > STREAM_BYTES
    except OSError:
        return False
    return large and streamable(path, encoding=encoding)


class PreparedFile:
    """What :func:`prepare_file` found: a :class:`~bulkprep.Prepared` kept on disk, a chunk at a time.

    Attributes:
        source: the file that was prepared.
        mapping: the mapping that was applied.
        info: what the reader found out about the file (summed over the chunks).
        summary: rows per status, as :attr:`bulkprep.Prepared.summary`.
        rows: the number of input rows.
        workdir: the folder holding the prepared chunks (removed by :meth:`close` when it was made here).
        results: the results CSV written while preparing, or None.
    """

    def __init__(
        self,
        *,
        source: Path,
        mapping: Mapping,
        info: ReadInfo,
        summary: dict[str, int],
        chunks: list[Path],
        error_chunks: list[Path],
        summary_errors: pd.DataFrame,
        workdir: Path,
        owned: bool,
        results: Path | None,
    ) -> None:
        self.source = source
        self.mapping = mapping
        self.info = info
        self.summary = summary
        self.rows = sum(summary.values())
        self.workdir = workdir
        self.results = results
        self._chunks = chunks
        self._error_chunks = error_chunks
        self._summary_errors = summary_errors
        self._cleanup = weakref.finalize(self, shutil.rmtree, workdir, True) if owned else None

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={count}" for name, count in self.summary.items())
        return f"<PreparedFile {self.source.name}: {self.rows} rows in {len(self._chunks)} chunks: {counts}>"

    def __enter__(self) -> PreparedFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the work folder if :func:`prepare_file` made it (a given ``workdir`` is left as it is)."""
        if self._cleanup is not None:
            self._cleanup()

    @property
    def summary_errors(self) -> pd.DataFrame:
        """The error table cut to what :func:`bulkprep.report.format_summary` reads (``bulk_row``,
        ``severity``, ``field``, ``code``, and one example ``value`` per code): small, kept in memory."""
        return self._summary_errors

    def frames(self) -> Iterator[pd.DataFrame]:
        """The prepared rows, a chunk at a time in file order: the columns of :attr:`bulkprep.Prepared.df`."""
        for path in self._chunks:
            frame: pd.DataFrame = spill.load(path)
            yield frame

    def error_frames(self) -> Iterator[pd.DataFrame]:
        """The error table, a chunk at a time in file order (the rows of :attr:`bulkprep.Prepared.errors`)."""
        for path in self._error_chunks:
            errors: pd.DataFrame = spill.load(path)
            yield errors

    def errors(self) -> pd.DataFrame:
        """The whole error table (in memory: for a file with many problems, see :meth:`error_frames`)."""
        parts = [part for part in self.error_frames() if len(part)]
        return pd.concat(parts, ignore_index=True) if parts else empty_errors()

    def to_prepared(self) -> Prepared:
        """Everything in memory as one :class:`~bulkprep.Prepared` (for files that fit; ``changes`` empty)."""
        frames = list(self.frames())
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return Prepared(
            df=df,
            errors=self.errors(),
            changes=pd.DataFrame({name: pd.Series(dtype="object") for name in CHANGE_COLUMNS}),
            mapping=self.mapping,
            blank_rows=self.info.blank_rows,
        )

    def write_results(self, path: str | PathLike[str]) -> Path:
        """Write the results CSV as :func:`bulkprep.csvsafe.write_results_csv` does, a chunk at a time."""
        writer = results_writer(Path(path), self.workdir)
        for frame in self.frames():
            writer.write(frame)
        return writer.close()


def prepare_file(
    path: str | PathLike[str],
    mapping: Mapping | dict[str, Any] | str | PathLike[str] | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    workdir: str | PathLike[str] | None = None,
    results: str | PathLike[str] | None = None,
    region: str | None = "US",
    region_column: str | None = None,
    keep: KeepPolicy | str = KeepPolicy.FIRST,
    keys: str | Iterable[str] | None = None,
    require_email: bool = False,
    encoding: str | None = None,
    sep: str | None = None,
    header_line: int | None = None,
    progress: bool = False,
) -> PreparedFile:
    """Prepare a CSV file of any size a chunk at a time: what ``prepare(read_csv(path), mapping)`` gives.

    Args:
        path: the CSV file (UTF-8 or an 8-bit encoding; see :func:`bulkprep.stream.chunks.streamable`).
        mapping: as for :func:`~bulkprep.prepare` (``None`` suggests one from the first chunk).
        chunk_rows: lines read per chunk: memory grows with it, not with the file.
        workdir: where the prepared chunks are kept; by default a temporary folder, removed by
            :meth:`PreparedFile.close` (or when the result is garbage-collected).
        results: where to write the results CSV while preparing (as ``bulkprep check`` writes it).
        region, region_column, keep, keys, require_email: as for :func:`~bulkprep.prepare`.
        encoding, sep, header_line: as for :func:`~bulkprep.read_csv`.
        progress: show a progress bar for each pass (reading the file, then settling the duplicates).

    Returns:
        A :class:`PreparedFile`.

    Raises:
        InputError, ConfigurationError, MappingError: as :func:`~bulkprep.read_csv` and
            :func:`~bulkprep.prepare` raise them.
    """
    kinds = identity_kinds(keys)  # checked before any work
    policy = _policy(keep)
    owned = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="bulkprep-")) if workdir is None else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _prepare_file(
            Path(path),
            mapping,
            folder=folder,
            owned=owned,
            results=None if results is None else Path(results),
            chunk_rows=chunk_rows,
            region=region,
            region_column=region_column,
            keep=policy,
            kinds=kinds,
            require_email=require_email,
            read_options={"encoding": encoding, "sep": sep, "header_line": header_line},
            show=progress,
        )
    except BaseException:
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _prepare_file(
    path: Path,
    mapping_given: Mapping | dict[str, Any] | str | PathLike[str] | None,
    *,
    folder: Path,
    owned: bool,
    results: Path | None,
    chunk_rows: int,
    region: str | None,
    region_column: str | None,
    keep: KeepPolicy,
    kinds: tuple[str, ...],
    require_email: bool,
    read_options: dict[str, Any],
    show: bool,
) -> PreparedFile:
    progress = ChunkedRead()
    size = path.stat().st_size if path.is_file() else 0
    reading = progress_bar(total=max(size, 1), unit="B", desc="preparing", enabled=show)
    index = KeyIndex(folder / "keys", kinds=kinds)
    local_paths: list[Path] = []
    identity_paths: list[Path] = []
    mapping: Mapping | None = None
    identity_fields = tuple(courier.IDENTITY_FIELDS)
    for number, chunk in enumerate(
        read_chunks(path, chunk_rows=chunk_rows, progress=progress, **read_options)
    ):
        if mapping is None:
            mapping = as_mapping(mapping_given, chunk.frame)
        with collector_paused():
            local = _local_stages(
                chunk.frame, mapping, region=region, region_column=region_column, require_email=require_email
            )
            valid = ~local.invalid.to_numpy()
            targets = local.targets
            identity = targets.loc[valid, [f for f in identity_fields if f in targets.columns]].copy()
            identity[COMPLETENESS] = targets.notna().sum(axis=1).to_numpy()[valid]
            index.add(identity.drop(columns=COMPLETENESS))
            identity_paths.append(spill.dump(identity, folder / f"identity-{number:05d}.pkl"))
            local_paths.append(
                spill.dump(
                    {
                        "keyed": local.keyed,
                        "payloads": local.payloads.reindex(local.keys).to_numpy(),
                        "errors": local.errors,
                        "invalid": local.invalid.to_numpy(),
                    },
                    folder / f"local-{number:05d}.pkl",
                )
            )
        del local, targets, identity, chunk
        reading.update(progress.bytes_read - reading.n)
    reading.close()
    # A file always gives one chunk at least (the reader raises for one without a header).
    assert mapping is not None
    assert progress.info is not None

    candidates = index.shared_rows()
    shutil.rmtree(folder / "keys", ignore_errors=True)
    resolved = resolve_duplicates(
        (_candidates(spill.load(p), candidates) for p in identity_paths), keep=keep, kinds=kinds
    )
    for identity_path in identity_paths:
        identity_path.unlink()

    summary = dict.fromkeys(_STATUSES, 0)
    chunks, error_chunks, summary_parts = [], [], []
    seen_codes: set[str] = set()
    writer = results_writer(results, folder) if results is not None else None
    settling = progress_bar(total=len(local_paths), unit="chunk", desc="settling duplicates", enabled=show)
    for number, local_path in enumerate(local_paths):
        with collector_paused():
            out, errors = _finish(spill.load(local_path), resolved)
        local_path.unlink()
        chunks.append(spill.dump(out, folder / f"prepared-{number:05d}.pkl"))
        error_chunks.append(spill.dump(errors, folder / f"errors-{number:05d}.pkl"))
        counts = out[Column.STATUS].value_counts()
        for name in _STATUSES:
            summary[name] += int(counts.get(name, 0))
        summary_parts.append(_summary_part(errors, seen_codes))
        if writer is not None:
            writer.write(out)
        del out, errors
        settling.update(1)
    settling.close()
    if writer is not None:
        writer.close()
    return PreparedFile(
        source=path,
        mapping=mapping,
        info=progress.info,
        summary=summary,
        chunks=chunks,
        error_chunks=error_chunks,
        summary_errors=concat_errors(summary_parts) if summary_parts else empty_errors(),
        workdir=folder,
        owned=owned,
        results=results,
    )


def _candidates(identity: pd.DataFrame, candidates: np.ndarray) -> pd.DataFrame:
    """The rows of one chunk's identity part that share a key with another row of the file."""
    rows = identity.index.to_numpy(dtype=np.int64)
    position = np.searchsorted(candidates, rows)
    inside = position < len(candidates)
    hit = np.zeros(len(rows), dtype=bool)
    hit[inside] = candidates[position[inside]] == rows[inside]
    return identity[hit]


def _finish(local: dict[str, Any], resolved: Resolved) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One chunk's rows with their statuses, as :func:`~bulkprep.prepare` ends; and its error table."""
    keyed: pd.DataFrame = local["keyed"]
    keys = pd.Index(keyed[ROW_KEY].to_numpy(), name=ROW_KEY)
    invalid = local["invalid"]
    low, high = (int(keys.min()), int(keys.max())) if len(keys) else (0, -1)
    found = resolved.errors[ROW_KEY].to_numpy()
    mine = resolved.errors.iloc[np.searchsorted(found, low) : np.searchsorted(found, high, side="right")]
    errors = concat_errors([local["errors"], mine])
    duplicate_of = resolved.duplicate_of.reindex(keys)
    duplicate = duplicate_of.notna().to_numpy() & ~invalid

    statuses = np.full(len(keys), RowStatus.READY.value, dtype=object)
    statuses[duplicate] = RowStatus.DUPLICATE.value
    statuses[invalid] = RowStatus.INVALID.value
    messages = _row_messages(of_severity(errors, Severity.ERROR)).reindex(keys)
    warnings = _row_messages(of_severity(errors, Severity.WARNING)).reindex(keys)

    out = keyed.copy()
    out[Column.USER.value] = local["payloads"]
    out[Column.STATUS.value] = statuses
    out[Column.ERROR.value] = messages.to_numpy(dtype=object)
    out[Column.WARNING.value] = warnings.to_numpy(dtype=object)
    out[Column.DUPLICATE_OF.value] = duplicate_of.astype("Int64").where(duplicate).array
    return out, errors


def _summary_part(errors: pd.DataFrame, seen_codes: set[str]) -> pd.DataFrame:
    """The columns of one chunk's errors that the summary reads, with a value only for each code's example.

    :func:`~bulkprep.report.top_problems` shows the first value of each code in the table's order;
    every later one is let go, so that the part stays a few small columns.
    """
    part = errors[_SUMMARY_COLUMNS].copy()
    values = part["value"].to_numpy(dtype=object, copy=True)
    keep_value = np.zeros(len(part), dtype=bool)
    present = pd.notna(values)
    codes = part["code"].to_numpy(dtype=object)
    for code in pd.unique(codes[present]).tolist():
        if code in seen_codes:
            continue
        seen_codes.add(code)
        keep_value[np.flatnonzero(present & (codes == code))[0]] = True
    values[~keep_value] = None
    part["value"] = values
    return part
