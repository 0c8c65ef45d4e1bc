"""bulkprep on a Dask cluster: read, prepare and submit files larger than one machine handles.

``pip install "bulkprep[dask]"`` installs what it needs (``dask[dataframe]`` and ``distributed``).
The three steps are those of the in-memory path, partition by partition on the workers, with the
parts that need the whole frame done once across it:

- :func:`read_csv`: CSV files as a Dask DataFrame cut only between records, ``bulk_row`` the file's line
  (:mod:`bulkprep.dask.reading`).
- :func:`prepare`: the stages of :func:`bulkprep.prepare` per partition, the duplicates resolved across
  the whole frame; ``.compute()`` gives what :func:`bulkprep.prepare` gives (:mod:`bulkprep.dask.preparing`).
- :func:`submit`: one job, the batches :func:`bulkprep.submit` would cut (planned once from each
  user's size, each sent from a worker), every row's status written to Parquet; ``wait``, guards, dry
  runs and a progress bar as in memory; run again after a failure, it sends each user once
  (:mod:`bulkprep.dask.submitting`).

On a real cluster only the scheduler's address changes (``Client("tcp://scheduler:8786")``); the
files must be where every worker can read them, and the job folder where every worker can write.
"""

from __future__ import annotations

try:
    import dask.dataframe  # noqa: F401  # the extra's first need: say how to get it
    import distributed  # noqa: F401
except ImportError as missing:  # pragma: no cover - only without the extra
    raise ImportError(
        f'bulkprep.dask needs the dask extra ({missing.name} is not installed): pip install "bulkprep[dask]"'
    ) from missing

from bulkprep.dask.preparing import DaskPrepared, prepare
from bulkprep.dask.reading import read_csv
from bulkprep.dask.submitting import DaskSubmitResult, submit

__all__ = ["DaskPrepared", "DaskSubmitResult", "prepare", "read_csv", "submit"]
