"""Peak memory and time of ``bulkprep check`` and ``bulkprep submit`` on files larger than memory.

Each measurement is one fresh ``python -m bulkprep.cli ...`` process on a file of ``messy.py`` rows,
timed from its start to its exit; its peak resident set size is the kernel's (``os.wait4``), so
nothing in the measured process watches itself. The modes:

- ``check``: ``bulkprep check FILE --stream`` (what a CSV over ``STREAM_BYTES`` gets by default);
- ``check-memory``: ``bulkprep check FILE`` on the in-memory path, for comparison (small files only);
- ``dry-run``: ``bulkprep submit FILE --stream --dry-run`` (plans every batch, writes every row);
- ``submit``: ``bulkprep submit FILE --stream`` to the sandbox, running in a process of its own
  (``bench_submit.py``'s), as a remote API would; every user is checked to be there once afterwards.

``us/row`` leaves out the start-up of the interpreter and its imports (``--help``'s time, measured
first). Files of more than 1M rows are generated 1M rows at a time (each slice from its own seed, its
user ids and emails made unique across slices), so that generating them never holds the file either;
they are kept in ``--folder`` and reused by later runs. Not a test: nothing here asserts a time.

    .venv/bin/python benchmarks/bench_stream.py --rows 200000 1000000 --modes check dry-run submit
    .venv/bin/python benchmarks/bench_stream.py --rows 10000000 --modes check dry-run --folder /tmp/big
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAPPING_FILE = ROOT / "data" / "users_messy.mapping.yaml"
SLICE_ROWS = 1_000_000
TOKEN = "bench-token"


def write_file(path: Path, rows: int) -> Path:
    """``rows`` messy users in ``path``, written a slice of at most 1M rows at a time."""
    sys.path.insert(0, str(HERE))
    from messy import messy_frame  # the benchmarks' generator

    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        for number, start in enumerate(range(0, rows, SLICE_ROWS)):
            frame = messy_frame(min(SLICE_ROWS, rows - start), seed=7 + number)
            if number:  # unique across slices: the slice number in front of each id and email
                frame["User ID"] = f"{number}" + frame["User ID"]
                email = frame["Email"]
                frame["Email"] = email.where(
                    email.str.strip() == "", email.str.replace(r"^(\s*)", rf"\1s{number}.", regex=True)
                )
            frame.to_csv(out, index=False, header=not number, lineterminator="\r\n")
            del frame
    return path


def _measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str, float]:
    """Seconds, peak RSS in MiB, exit status, the output and the CPU seconds of one process.

    The CPU seconds include the worker processes it waited for: on a shared machine its wall time
    depends on whether those found a free core, its CPU time does not."""
    with tempfile.TemporaryFile("w+") as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, usage.ru_maxrss / 1024, child.returncode, output.read(), cpu


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bulkprep.cli", *args]


def _environment(url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if url is not None:
        env["COURIER_API_KEY"] = TOKEN
    return env


def _command(mode: str, path: Path, out: Path, url: str | None) -> list[str]:
    common = [str(path), "--mapping", str(MAPPING_FILE), "--out", str(out)]
    if mode == "check":
        return _cli("check", *common, "--stream")
    if mode == "check-memory":
        return _cli("check", *common)
    if mode == "dry-run":
        return _cli("submit", *common, "--stream", "--dry-run", "--event", "WELCOME", "--no-progress")
    assert url is not None
    return _cli("submit", *common, "--stream", "--event", "WELCOME", "--base-url", url, "--no-progress")


def _users_once(url: str, job_id: str, expected: int) -> str | None:
    """What is wrong with the job's users (None when it holds ``expected`` users, each once)."""
    import requests

    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        received = session.get(f"{url}/bulk/{job_id}", timeout=60).json()["job"]["received"]
        held: list[str] = []
        cursor = None
        while True:
            params = {"cursor": cursor} if cursor else None
            page = session.get(f"{url}/bulk/{job_id}/users", params=params, timeout=60).json()
            held += [str(item.get("recipient")) for item in page["items"]]
            cursor = page["paging"]["cursor"]
            if not cursor:
                break
    if received != expected or len(held) != expected or len(set(held)) != expected:
        return (
            f"the job received {received} and holds {len(held)} ({len(set(held))} distinct), not {expected}"
        )
    return None


def main() -> None:
    if sys.argv[1:2] == ["--write"]:
        write_file(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[200_000, 1_000_000])
    parser.add_argument(
        "--modes",
        nargs="*",
        default=["check", "dry-run"],
        choices=["check", "check-memory", "dry-run", "submit"],
    )
    parser.add_argument("--folder", type=Path, default=None, help="where the files are kept (reused)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bulkprep-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    startup, _, _, _, startup_cpu = _measured(_cli("check", "--help"), _environment())
    print(f"start-up (python -m bulkprep.cli check --help): {startup:.1f} s")
    sandbox = None
    if "submit" in args.modes:
        sys.path.insert(0, str(HERE))
        from bench_submit import start_sandbox

        sandbox = start_sandbox(0.0)
    print(f"{'rows':>10}  {'mode':<13}{'s':>8}{'us/row':>9}{'cpu us/row':>11}{'peak MiB':>10}  exit")
    found: list[dict[str, Any]] = []
    try:
        for rows in args.rows:
            path = folder / f"messy-{rows}.csv"
            if not path.exists():
                # In a process of its own: a child forked from a large parent would start with the
                # parent's pages counted in its peak RSS.
                subprocess.run([sys.executable, __file__, "--write", str(path), str(rows)], check=True)
            for mode in args.modes:
                out = folder / f"messy-{rows}.{mode}.csv"
                url = None if sandbox is None else sandbox.url
                if sandbox is not None and mode == "submit":
                    sandbox.command("reset")
                command, env = _command(mode, path, out, url), _environment(url)
                seconds, peak, code, output, cpu = _measured(command, env)
                per_row = max(seconds - startup, 0.0) / rows * 1e6
                cpu_per_row = max(cpu - startup_cpu, 0.0) / rows * 1e6
                times = f"{seconds:>8.1f}{per_row:>9.1f}{cpu_per_row:>11.1f}"
                line = f"{rows:>10}  {mode:<13}{times}{peak:>10.0f}  {code}"
                if mode == "submit" and sandbox is not None:
                    job = next((w.split()[1] for w in output.splitlines() if w.startswith("job ")), "")
                    accepted = next(
                        (int(w.split()[1]) for w in output.splitlines() if w.startswith("accepted ")), 0
                    )
                    problem = _users_once(sandbox.url, job, accepted) if job else "no job"
                    line += f"  users: {problem or f'{accepted} each once'}"
                print(line)
                sys.stdout.flush()
                if code not in (0, 1):
                    print(output[-3000:])
                found.append(
                    {
                        "rows": rows,
                        "mode": mode,
                        "seconds": seconds,
                        "us_per_row": per_row,
                        "cpu_us_per_row": cpu_per_row,
                        "peak_mib": peak,
                        "exit": code,
                    }
                )
                out.unlink(missing_ok=True)
    finally:
        if sandbox is not None:
            sandbox.close()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
