"""Out of core: prepare a CSV file larger than memory, a chunk at a time, at flat memory.

:func:`prepare_file` is :func:`bulkprep.prepare` for a path: the same statuses, errors and users row by
row, with the duplicates resolved across the whole file; ``bulkprep check`` uses it for files larger
than :data:`STREAM_BYTES` (or with ``--stream``). See :mod:`bulkprep.stream.prepared`.
"""

from __future__ import annotations

from bulkprep.stream.chunks import read_chunks, streamable
from bulkprep.stream.prepared import (
    DEFAULT_CHUNK_ROWS,
    STREAM_BYTES,
    PreparedFile,
    prepare_file,
    should_stream,
)

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "STREAM_BYTES",
    "PreparedFile",
    "prepare_file",
    "read_chunks",
    "should_stream",
    "streamable",
]
