"""Out of core: prepare a CSV file larger than memory, a chunk at a time, at flat memory.

:func:`prepare_file` is :func:`bulkprep.prepare` for a path: the same statuses, errors and users row by
row, with the duplicates resolved across the whole file; ``bulkprep check`` uses it for files larger
than :data:`STREAM_BYTES` (or with ``--stream``). See :mod:`bulkprep.stream.prepared`.

Sending from a :class:`PreparedFile` (``submit`` at flat memory) is the next step, by this design: the
ready rows of :meth:`PreparedFile.frames`, chunk by chunk in file order, are cut into batches by
:func:`bulkprep.batching.cut_batches` carrying the last partial batch over to the next chunk, so that
batch numbers and contents are those of the in-memory path; each batch is recorded in the journal
before it is sent, as now, and the sent chunk's rows are matched and written to the results as they
come. A resumed run skips the batches the journal holds as they are cut again.
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
