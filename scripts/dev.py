#!/usr/bin/env python3
"""Set up and run bulkprep's jobs with nothing but Python 3.11+: ``demo``, ``test``, ``bench``.

Each job creates ``.venv`` beside this project if needed, installs the project into it (again only
when ``pyproject.toml`` changed), then runs. Extra arguments go to the job (``test -k read``).

    python3 scripts/dev.py demo     # the whole story against a local sandbox, offline
    python3 scripts/dev.py test     # lint, type-check and run the test suite
    python3 scripts/dev.py bench    # the benchmarks (a few minutes)
    python3 scripts/dev.py oldest   # the test suite again with the oldest supported pandas (2.2)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The oldest releases the project supports, pinned for the `oldest` job.
OLDEST = ("pandas==2.2.*", "numpy<2.3")


class Env:
    """A virtual environment beside the project."""

    def __init__(self, name: str) -> None:
        self.root = ROOT / name
        self.bin = self.root / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")


MAIN = Env(".venv")


def _run(*command: str | Path) -> None:
    completed = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if completed.returncode:
        sys.exit(completed.returncode)


def _ensure_env(extras: str, env: Env = MAIN, pins: tuple[str, ...] = ()) -> Env:
    """Create the virtual environment and install the project with ``extras`` when out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 -- this script runs before any venv exists
        sys.exit(f"bulkprep needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not env.python.exists():
        print(f"creating {env.root.relative_to(ROOT)} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(env.root)
        _run(env.python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    wanted = (ROOT / "pyproject.toml").read_bytes() + extras.encode() + " ".join(pins).encode()
    digest = hashlib.sha256(wanted).hexdigest()
    stamp = env.root / f".installed{extras or '-runtime'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"installing bulkprep{extras} into {env.root.relative_to(ROOT)} ...", flush=True)
        _run(env.python, "-m", "pip", "install", "--quiet", "--editable", f".{extras}", *pins)
        stamp.write_text(digest)
    return env


def demo(args: list[str]) -> None:
    env = _ensure_env("")
    _run(env.bin / "bulkprep", "demo", *args)


def test(args: list[str]) -> None:
    env = _ensure_env("[dev]")
    _run(env.bin / "ruff", "check", "bulkprep", "tests", "benchmarks", "scripts", "notebooks")
    _run(env.bin / "ruff", "format", "--check", "bulkprep", "tests", "benchmarks", "scripts")
    _run(env.bin / "mypy")
    _run(env.python, "-m", "pytest", *(args or ["-q"]))


def oldest(args: list[str]) -> None:
    env = _ensure_env("[dev]", Env(".venv-oldest"), OLDEST)
    _run(env.python, "-m", "pytest", *(args or ["-q"]))


def bench(args: list[str]) -> None:
    env = _ensure_env("[dev]")
    _run(env.python, "benchmarks/bench_prepare.py", *args)
    _run(env.python, "benchmarks/bench_submit.py", *args)


JOBS = {"demo": demo, "test": test, "oldest": oldest, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{','.join(JOBS)}}} [ARGS...]")
    JOBS[sys.argv[1]](sys.argv[2:])
