"""Peak memory and time of the streaming path (``prepare_file``) against the in-memory one, by file size.

Each run is a fresh Python process on a file from ``messy.py``, measured from after its imports to the
results CSV written; memory is the process's peak resident set size (``ru_maxrss``). Not a test:
nothing here asserts a time.

    .venv/bin/python benchmarks/bench_stream.py --rows 200000 1000000 3000000 [--memory-too]
    .venv/bin/python benchmarks/bench_stream.py --csv FILE [--chunk-rows 50000]
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

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from bulkprep import prepare, read_csv
from bulkprep.csvsafe import write_results_csv
from bulkprep.mapping import Mapping
from bulkprep.stream import prepare_file
path, mode, chunk_rows, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
mapping = Mapping.load(Path(sys.argv[5]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if mode == "stream":
    with prepare_file(path, mapping, chunk_rows=chunk_rows, results=out) as prepared:
        rows, summary = prepared.rows, prepared.summary
else:
    result = prepare(read_csv(path), mapping)
    write_results_csv(result.df, out)
    rows, summary = len(result.df), result.summary
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak / 1024,
                  "imports_mib": before / 1024, "summary": summary}))
"""


def _run(path: Path, mode: str, chunk_rows: int, folder: Path) -> dict[str, object]:
    out = folder / f"{path.stem}.{mode}.results.csv"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode, str(chunk_rows), str(out), str(MAPPING_FILE)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    out.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[200_000, 1_000_000])
    parser.add_argument("--csv", type=Path, nargs="*", default=[], help="files to measure instead")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--memory-too", action="store_true", help="also run the in-memory path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        files = list(args.csv)
        if not files:
            for rows in args.rows:
                path = folder / f"messy-{rows}.csv"
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
                files.append(path)
        print(f"{'file':<28}{'path':<10}{'rows':>10}{'s':>9}{'us/row':>9}{'peak MiB':>10}")
        modes = ["stream", "memory"] if args.memory_too else ["stream"]
        for path in files:
            for mode in modes:
                found = _run(path, mode, args.chunk_rows, folder)
                rows, seconds, peak = int(found["rows"]), float(found["seconds"]), float(found["peak_mib"])
                per_row = seconds / rows * 1e6
                print(f"{path.name:<28}{mode:<10}{rows:>10}{seconds:>9.1f}{per_row:>9.1f}{peak:>10.0f}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
