"""prepare gives the same result in every process: nothing depends on string hashing or set order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

# Prepares the benchmark generator's messy file and the sample data, and pickles every result frame.
SCRIPT = """
import importlib.util, pickle, sys
from pathlib import Path
from bulkprep.mapping import Mapping
from bulkprep.prepare import prepare
from bulkprep.read import read_csv

root, out = Path(sys.argv[1]), Path(sys.argv[2])
spec = importlib.util.spec_from_file_location("messy", root / "benchmarks" / "messy.py")
messy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(messy)
path = out.with_suffix(".csv")
messy.write_messy_csv(path, 3_000, seed=5)
mapping = Mapping.load(root / "data" / "users_messy.mapping.yaml")
results = {}
for name, frame in (("messy", read_csv(path)), ("sample", read_csv(root / "data" / "users_messy.csv"))):
    prepared = prepare(frame, mapping)
    results[name] = (prepared.df, prepared.errors, prepared.changes)
out.write_bytes(pickle.dumps(results))
"""


def prepared_under(seed: str, folder: Path) -> dict[str, tuple[pd.DataFrame, ...]]:
    out = folder / f"seed_{seed}.pickle"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT), str(out)], check=True, env=env, cwd=ROOT)
    results: dict[str, tuple[pd.DataFrame, ...]] = pd.read_pickle(out)
    return results


def test_prepare_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    first, second = prepared_under("1", tmp_path), prepared_under("2", tmp_path)
    assert first.keys() == second.keys() == {"messy", "sample"}
    for name in first:
        for one, other in zip(first[name], second[name], strict=True):
            pd.testing.assert_frame_equal(one, other)
    df = first["messy"][0]
    assert set(df["bulk_status"]) == {"ready", "invalid", "duplicate"}  # the frames hold real work
