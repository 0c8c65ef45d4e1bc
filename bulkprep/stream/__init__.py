"""Out of core: prepare and submit a CSV file larger than memory, a chunk at a time, at flat memory.

:func:`prepare_file` is :func:`bulkprep.prepare` for a path: the same statuses, errors and users row by
row, with the duplicates resolved across the whole file (:mod:`bulkprep.stream.prepared`).
:func:`submit_file` is :func:`bulkprep.submit` for a :class:`PreparedFile` (or a path): the same
batches, numbers and bodies, the same outcomes row by row, written to a results file as they come,
under the journal (:mod:`bulkprep.stream.submitting`); it returns a :class:`StreamedSubmitResult`,
whose rows stay in that file (:mod:`bulkprep.stream.result`). ``submit(path_or_prepared_file, ...)``
calls it; ``bulkprep check`` and ``bulkprep submit`` use this path for CSV files larger than
:data:`STREAM_BYTES` (or with ``--stream``).

The stages are functions of a chunk, for other engines to build on: prepare a chunk
(:func:`bulkprep.prepare._local_stages`), resolve the duplicates given the global key pass
(:class:`~bulkprep.stream.identity.KeyIndex`, :func:`~bulkprep.stream.identity.resolve_duplicates`),
cut batches from a stream of ready rows (:class:`BatchCutter`, :func:`ready_users`), write results a
chunk at a time (:func:`~bulkprep.stream.output.results_writer`).

The prepared chunks are kept on disk as pickles in a private work folder: they round-trip every cell
exactly (payload dicts, nullable integers, mixed object columns) at the speed of a memory copy, need
no extra dependency, and are read back only by the process that wrote them.
"""

from __future__ import annotations

from bulkprep.stream.batches import BatchCutter, ready_users
from bulkprep.stream.chunks import read_chunks, streamable
from bulkprep.stream.prepared import (
    DEFAULT_CHUNK_ROWS,
    STREAM_BYTES,
    PreparedFile,
    prepare_file,
    should_stream,
)
from bulkprep.stream.result import StreamedSubmitResult
from bulkprep.stream.submitting import plan_batches, submit_file

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "STREAM_BYTES",
    "BatchCutter",
    "PreparedFile",
    "StreamedSubmitResult",
    "plan_batches",
    "prepare_file",
    "read_chunks",
    "ready_users",
    "should_stream",
    "streamable",
    "submit_file",
]
