"""Time and peak memory of bulkprep.dask on a local cluster against the single-machine streaming path.

Each run is a fresh process on a file from ``messy.py``: the single-machine streamed check
(``bulkprep check --stream``, one process) or ``bulkprep.dask`` (``read_csv`` then ``prepare`` on a
``LocalCluster`` of worker processes, computed to the rows per status and the error count). For the
streamed check, time is the whole command (its imports included, about a second, and the writing of
its results CSV to a temporary folder) and memory its peak resident set size; for the cluster, time
is from after the imports and the cluster's start to the last row prepared, and memory is the peak
resident set size (``ru_maxrss``) of the client and of every worker. Not a test: nothing here asserts a time.

    .venv/bin/python benchmarks/bench_dask.py --rows 1000000 3000000 [--workers 2] [--dir /tmp/bench]
    .venv/bin/python benchmarks/bench_dask.py --csv FILE [--blocksize 64] [--only cluster]

Generated files are kept in ``--dir`` (a temporary folder by default) and used again when present.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING_FILE = ROOT / "data" / "users_messy.mapping.yaml"

_STREAM = """
import json, re, resource, subprocess, sys, tempfile, time
from pathlib import Path
path, mapping = sys.argv[1], sys.argv[2]
command = Path(sys.executable).with_name("bulkprep")
with tempfile.TemporaryDirectory() as folder:  # the results it writes, not left next to the input
    start = time.perf_counter()
    done = subprocess.run([str(command), "check", "--stream", "--mapping", mapping, path,
                           "--out", str(Path(folder) / "results.csv")], capture_output=True, text=True)
    seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
said = done.stdout + done.stderr
summary = {status: int(count.replace(",", "")) for status, count in
           re.findall(r"^(ready|invalid|duplicate) +([0-9][0-9,]*)$", said, flags=re.M)}
print(json.dumps({"seconds": seconds, "summary": summary, "errors": None, "peaks_mib": [peak],
                  "exit": done.returncode, "said": said[-2000:]}))
"""

_CLUSTER = """
import json, resource, sys, time
from pathlib import Path
import distributed
from bulkprep import dask as bulkdask
from bulkprep.mapping import Mapping

def peak():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if __name__ == "__main__":
    path, mapping = sys.argv[1], Mapping.load(Path(sys.argv[2]))
    workers, blocksize = int(sys.argv[3]), int(sys.argv[4]) * 2**20
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0",
                                  memory_limit=0) as cluster, distributed.Client(cluster) as client:
        client.run(lambda: __import__("bulkprep.dask"))  # the workers' imports are not timed
        start = time.perf_counter()
        prepared = bulkdask.prepare(bulkdask.read_csv(path, blocksize=blocksize), mapping)
        summary, errors = client.compute(
            [prepared.df["bulk_status"].value_counts(), prepared.errors.shape[0]], sync=True
        )
        seconds = time.perf_counter() - start
        peaks = [peak(), *client.run(peak).values()]
    summary = {str(k): int(v) for k, v in summary.items()}
    print(json.dumps({"seconds": seconds, "summary": summary, "errors": int(errors), "peaks_mib": peaks,
                      "partitions": prepared.df.npartitions}))
"""


def _run(path: Path, mode: str, workers: int, blocksize: int) -> dict[str, object]:
    script, extra = (_STREAM, []) if mode == "stream" else (_CLUSTER, [str(workers), str(blocksize)])
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(MAPPING_FILE), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--csv", type=Path, nargs="*", default=[], help="files to measure instead")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocksize", type=int, default=64, help="MiB of the file per partition")
    parser.add_argument("--dir", type=Path, help="where the generated files go (and are found again)")
    parser.add_argument("--only", choices=("stream", "cluster"), help="measure one path only")
    args = parser.parse_args()
    modes = (args.only,) if args.only else ("stream", "cluster")
    with tempfile.TemporaryDirectory() as temporary:
        files = list(args.csv)
        where = args.dir or Path(temporary)
        where.mkdir(parents=True, exist_ok=True)
        for rows in [] if files else args.rows:
            path = where / f"messy-{rows}.csv"
            files.append(path)
            if path.exists():
                continue
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "messy.py"),
                    "--rows",
                    str(rows),
                    "--out",
                    str(path),
                ],
                check=True,
                capture_output=True,
            )
        print(f"{'file':<24}{'path':<14}{'s':>9}{'us/row':>9}  peak MiB (client, workers)  summary")
        for path in files:
            for mode in modes:
                found = _run(path, mode, args.workers, args.blocksize)
                summary = found["summary"]
                assert isinstance(summary, dict)
                rows, seconds = sum(summary.values()), float(str(found["seconds"]))
                measured = found["peaks_mib"]
                assert isinstance(measured, list)
                peaks = ", ".join(f"{float(peak):.0f}" for peak in measured)
                name = "check --stream" if mode == "stream" else f"cluster x{args.workers}"
                print(
                    f"{path.name:<24}{name:<14}{seconds:>9.1f}{seconds / rows * 1e6:>9.1f}  "
                    f"{peaks:<26}  {summary} errors={found['errors']}"
                )
                sys.stdout.flush()


if __name__ == "__main__":
    main()
