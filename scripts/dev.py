#!/usr/bin/env python3
"""Set up and run bulkprep's jobs with nothing but Python 3.11+: ``demo``, ``test``, ``bench``.

Each job creates ``.venv`` beside this project if needed, installs the project into it (again only
when ``pyproject.toml`` changed), then runs. Extra arguments go to the job (``test -k read``).

    python3 scripts/dev.py demo     # the whole story against a local sandbox, offline
    python3 scripts/dev.py test     # lint, type-check and run the test suite
    python3 scripts/dev.py bench    # the benchmarks (a few minutes)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*command: str | Path) -> None:
    completed = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if completed.returncode:
        sys.exit(completed.returncode)


def _ensure_env(extras: str) -> None:
    """Create the virtual environment and install the project with ``extras`` when out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 -- this script runs before any venv exists
        sys.exit(f"bulkprep needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV.relative_to(ROOT)} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed{extras or '-runtime'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"installing bulkprep{extras} into {VENV.relative_to(ROOT)} ...", flush=True)
        _run(PYTHON, "-m", "pip", "install", "--quiet", "--editable", f".{extras}")
        stamp.write_text(digest)


def demo(args: list[str]) -> None:
    _ensure_env("")
    _run(BIN / "bulkprep", "demo", *args)


def test(args: list[str]) -> None:
    _ensure_env("[dev]")
    _run(BIN / "ruff", "check", "bulkprep", "tests", "benchmarks", "scripts")
    _run(BIN / "ruff", "format", "--check", "bulkprep", "tests", "benchmarks", "scripts")
    _run(BIN / "mypy")
    _run(PYTHON, "-m", "pytest", *(args or ["-q"]))


def bench(args: list[str]) -> None:
    _ensure_env("[dev]")
    _run(PYTHON, "benchmarks/bench_prepare.py", *args)
    _run(PYTHON, "benchmarks/bench_submit.py", *args)


JOBS = {"demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{','.join(JOBS)}}} [ARGS...]")
    JOBS[sys.argv[1]](sys.argv[2:])
