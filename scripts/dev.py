#!/usr/bin/env python3
"""Set up and run bulkprep's jobs with nothing but Python 3.11+: ``demo``, ``test``, ``bench``.

Each job creates ``.venv`` beside this project if needed, installs the project into it (again only
when ``pyproject.toml`` changed), then runs. Extra arguments go to the job (``test -k read``); the
test suite runs on every core (pytest-xdist) unless arguments are given.

    python3 scripts/dev.py demo     # the whole story against a local sandbox, offline
    python3 scripts/dev.py test     # lint, type-check and run the test suite
    python3 scripts/dev.py bench    # the benchmarks (a few minutes)
    python3 scripts/dev.py oldest   # the test suite again with the oldest supported pandas (2.2)
    python3 scripts/dev.py ci       # test, then oldest, its environment installed meanwhile
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
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
OLDEST_ENV = Env(".venv-oldest")
# The suite with no arguments: one worker per core (PYTEST_XDIST_AUTO_NUM_WORKERS sets another
# count), each taking the next test as it frees up, so that the slowest files do not hold one back.
SUITE = ("-q", "-n", "auto", "--dist", "worksteal")
# CI shows where its minutes go, to keep them few.
CI_SUITE = (*SUITE, "--durations=60", "--durations-min=1")


def _environment() -> dict[str, str]:
    """This process's environment, with Python allowed to keep the modules it compiles.

    With ``PYTHONDONTWRITEBYTECODE`` set, every process compiles pandas and bulkprep again as it
    imports them (2.5 s of CPU against 0.85 s with the caches), and the suite starts hundreds.
    """
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _run(*command: str | Path) -> None:
    completed = subprocess.run([str(part) for part in command], cwd=ROOT, env=_environment(), check=False)
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
        # No byte-compiling of every installed module up front (minutes of CPU for the dev tools):
        # Python compiles what is imported, once, as it is imported (see _environment).
        _run(env.python, "-m", "pip", "install", "--quiet", "--no-compile", "--editable", f".{extras}", *pins)
        stamp.write_text(digest)
    return env


def demo(args: list[str]) -> None:
    env = _ensure_env("")
    _run(env.bin / "bulkprep", "demo", *args)


def _lint(env: Env) -> None:
    _run(env.bin / "ruff", "check", "bulkprep", "tests", "benchmarks", "scripts", "notebooks")
    _run(env.bin / "ruff", "format", "--check", "bulkprep", "tests", "benchmarks", "scripts")
    _run(env.bin / "mypy")


def setup(_args: list[str]) -> None:
    _ensure_env("[dev]")


def setup_oldest(_args: list[str]) -> None:
    _ensure_env("[dev]", OLDEST_ENV, OLDEST)


def lint(_args: list[str]) -> None:
    _lint(_ensure_env("[dev]"))


def test(args: list[str]) -> None:
    env = _ensure_env("[dev]")
    _lint(env)
    _run(env.python, "-m", "pytest", *(args or SUITE))


def oldest(args: list[str]) -> None:
    env = _ensure_env("[dev]", OLDEST_ENV, OLDEST)
    _run(env.python, "-m", "pytest", *(args or SUITE))


def _timed(step: str, *command: str | Path) -> None:
    started = time.monotonic()
    _run(*command)
    print(f"ci: {step} took {time.monotonic() - started:.0f} s", flush=True)


def ci(args: list[str]) -> None:
    """``test`` then ``oldest``; the oldest environment installs while the first suite runs.

    The second install mostly unpacks the wheels the first one left in pip's cache, so it costs
    little next to a suite; its output is shown only if it fails.
    """
    started, script = time.monotonic(), str(Path(__file__).resolve())
    _timed("installing .venv", sys.executable, script, "setup")
    with tempfile.TemporaryFile("w+") as log:
        installing = subprocess.Popen(
            [sys.executable, script, "setup-oldest"],
            cwd=ROOT,
            env=_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _timed("ruff and mypy", sys.executable, script, "lint")
            _timed("the suite on the newest pandas", MAIN.python, "-m", "pytest", *(args or CI_SUITE))
            waited = time.monotonic()
            if installing.wait():
                log.seek(0)
                print(log.read(), flush=True)
                sys.exit(f"installing {OLDEST_ENV.root.name} failed")
            print(f"ci: waited {time.monotonic() - waited:.0f} s more for {OLDEST_ENV.root.name}", flush=True)
        finally:
            if installing.poll() is None:  # a step above failed: no half-made environment left running
                installing.terminate()
                installing.wait()
    _timed("the suite on the oldest pandas", OLDEST_ENV.python, "-m", "pytest", *(args or CI_SUITE))
    print(f"ci: {time.monotonic() - started:.0f} s in all", flush=True)


def bench(args: list[str]) -> None:
    env = _ensure_env("[dev]")
    _run(env.python, "benchmarks/bench_prepare.py", *args)
    _run(env.python, "benchmarks/bench_submit.py", *args)


JOBS = {
    "demo": demo,
    "test": test,
    "oldest": oldest,
    "bench": bench,
    "ci": ci,
    # The steps of ci on their own.
    "setup": setup,
    "setup-oldest": setup_oldest,
    "lint": lint,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in JOBS:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{','.join(JOBS)}}} [ARGS...]")
    JOBS[sys.argv[1]](sys.argv[2:])
