"""Sending 100,000 users to a bulk job: bulkprep's ``submit`` against the sequential loop of the SDK examples.

Both send the same prepared users to the sandbox (``bulkprep.sandbox.Sandbox``) with 50 ms of
latency added to every request, over real HTTP on loopback:

- ``bulkprep``: ``submit(prepared, event=...)`` with its defaults (batches cut by count and bytes,
  several in flight at once, idempotency keys), progress bar off;
- ``sequential``: create the job, then ``POST /bulk/{job_id}`` 1,000 users at a time, one request
  after the other, with ``requests`` (a ``Session``, so the connection is at least reused): the loop
  Courier's SDK examples show.

The sandbox runs in its own process, as a remote API would, so the client's work and the server's
do not share one interpreter lock; both sides keep their connections open (keep-alive). Before each
run the sandbox is emptied (no jobs, no stored idempotent replies), so every run starts from the same
server state and creates a fresh job that no earlier run's replies can answer. After each run, off the
clock, the job's users are listed: each user must be there exactly once, so a variant that loses or
doubles users cannot look fast. The users are prepared before the clock starts (``bench_prepare.py``
measures preparing).

Usage: ``python benchmarks/bench_submit.py [--users 100000] [--latency 0.05] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOKEN = "bench-token"
EVENT = "BENCHMARK"
SEQUENTIAL_BATCH = 1_000  # users per request in the SDK examples' loop
CHECK_PAGE_SIZE = 10_000  # users per page when the accounting check lists a job (off the clock)


def prepared_users(count: int) -> pd.DataFrame:
    """A prepared frame of ``count`` distinct, valid users, as ``prepare`` returns it (all ready).

    Built directly rather than with ``prepare``, whose cost is not what this benchmark measures.

    Example:
        >>> frame = prepared_users(2)
        >>> frame.loc[1, "bulk_user"]["profile"], frame["bulk_status"].tolist()
        ({'email': 'user0000001@example.com'}, ['ready', 'ready'])
    """
    ids = [f"{n:07d}" for n in range(count)]
    users = [
        {"recipient": f"u{n}", "profile": {"email": f"user{n}@example.com"},
         "data": {"plan": ("Free", "Pro")[i % 2], "score": i % 100}}
        for i, n in enumerate(ids)
    ]  # fmt: skip
    return pd.DataFrame(
        {
            "user_id": [f"u{n}" for n in ids],
            "bulk_row": range(count),
            "bulk_user": users,
            "bulk_status": "ready",
            "bulk_error": None,
            "bulk_duplicate_of": pd.array([None] * count, dtype="Int64"),
        }
    )


def use_checkout() -> None:
    """Let ``import bulkprep`` find this checkout when the package is not installed."""
    if importlib.util.find_spec("bulkprep") is None:
        sys.path.insert(0, str(ROOT))


def serve(latency: float) -> None:
    """Run a sandbox in this process until stdin closes; print its URL first.

    Each line read from stdin is a command, answered with one line: ``reset`` empties the sandbox
    (answer: ``ready``), ``requests`` counts the requests since the last reset.
    """
    from bulkprep.sandbox import Sandbox

    with Sandbox(token=TOKEN, latency=latency, processing_seconds=0, page_size=CHECK_PAGE_SIZE) as sandbox:
        print(sandbox.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "reset":
                sandbox.reset()
                gc.collect()  # the previous run's users are freed now, not during the next run
                print("ready", flush=True)
            elif line.strip() == "requests":
                print(len(sandbox.requests), flush=True)


class SandboxProcess:
    """The sandbox child process and its command channel (see :func:`serve`)."""

    def __init__(self, child: subprocess.Popen[str], url: str) -> None:
        self.child = child
        self.url = url

    def command(self, line: str) -> str:
        """Send one command line; return the answer line."""
        assert self.child.stdin is not None
        assert self.child.stdout is not None
        self.child.stdin.write(line + "\n")
        self.child.stdin.flush()
        return self.child.stdout.readline().strip()

    def close(self) -> None:
        """Close stdin, which ends :func:`serve`, and wait for the process."""
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(timeout=30)


def start_sandbox(latency: float) -> SandboxProcess:
    """Start :func:`serve` in a child process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    if not url.startswith("http"):
        child.kill()
        raise RuntimeError(f"the sandbox did not start (it printed {url!r})")
    return SandboxProcess(child, url)


def accounting_problem(url: str, job_id: str, prepared: pd.DataFrame) -> str | None:
    """What is wrong with the users the sandbox holds for ``job_id``, or None when each is there once."""
    expected = sorted(user["recipient"] for user in prepared["bulk_user"])
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        job = session.get(f"{url}/bulk/{job_id}", timeout=60)
        job.raise_for_status()
        if job.json()["job"]["received"] != len(expected):
            return f"the job received {job.json()['job']['received']} users, not {len(expected)}"
        held: list[str] = []
        cursor = None
        while True:
            page = session.get(
                f"{url}/bulk/{job_id}/users", params={"cursor": cursor} if cursor else None, timeout=60
            )
            page.raise_for_status()
            held += [item["recipient"] for item in page.json()["items"]]
            cursor = page.json()["paging"]["cursor"]
            if not cursor:
                break
    if sorted(held) != expected:
        return (
            f"the job holds {len(held)} users ({len(set(held))} distinct), not each of {len(expected)} once"
        )
    return None


def send_with_bulkprep(url: str, prepared: Any) -> str:
    """bulkprep's ``submit`` with its defaults; returns the job id."""
    from bulkprep.submit import submit

    result = submit(prepared, event=EVENT, api_key=TOKEN, base_url=url, progress=False)
    return str(result.job_id)


def send_sequentially(url: str, prepared: Any) -> str:
    """The SDK examples' loop: one request of 1,000 users after the other; returns the job id."""
    users = prepared["bulk_user"].tolist()
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        created = session.post(f"{url}/bulk", json={"message": {"event": EVENT}}, timeout=60)
        created.raise_for_status()
        job_id = str(created.json()["jobId"])
        for start in range(0, len(users), SEQUENTIAL_BATCH):
            answer = session.post(
                f"{url}/bulk/{job_id}", json={"users": users[start : start + SEQUENTIAL_BATCH]}, timeout=60
            )
            answer.raise_for_status()
    return job_id


VARIANTS: dict[str, Callable[[str, Any], str]] = {
    "bulkprep": send_with_bulkprep,
    "sequential": send_sequentially,
}


def measure(name: str, sandbox: SandboxProcess, prepared: pd.DataFrame) -> dict[str, Any]:
    """Time one variant on an emptied sandbox, then check that every user arrived exactly once."""
    if sandbox.command("reset") != "ready":
        raise RuntimeError("the sandbox did not answer the reset")
    started = time.perf_counter()
    try:
        job_id = VARIANTS[name](sandbox.url, prepared)
    except Exception as exc:  # report and go on: the other variant's number is still worth having
        return {"variant": name, "error": f"{type(exc).__name__}: {exc}"}
    seconds = time.perf_counter() - started
    sent = int(sandbox.command("requests"))
    problem = accounting_problem(sandbox.url, job_id, prepared)
    if problem is not None:
        return {"variant": name, "error": problem}
    count = len(prepared)
    return {
        "variant": name,
        "seconds": seconds,
        "users": count,
        "per_second": count / seconds,
        "requests": sent,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each variant; the fastest is shown")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    use_checkout()
    if args.serve:
        serve(args.latency)
        return 0

    # Imported before any clock starts, as requests is for the sequential loop.
    importlib.import_module("bulkprep.submit")
    prepared = prepared_users(args.users)
    sandbox = start_sandbox(args.latency)
    try:
        print(
            f"{len(prepared)} users, {args.latency * 1000:.0f} ms added per request; "
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        results: dict[str, dict[str, Any]] = {}
        runs: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.repeat):
            for name in VARIANTS:
                run = measure(name, sandbox, prepared)
                if "error" not in run:
                    runs[name].append(run["seconds"])
                best = results.get(name)
                if (
                    best is None
                    or "error" in best
                    or ("error" not in run and run["seconds"] < best["seconds"])
                ):
                    results[name] = run
    finally:
        sandbox.close()

    head = f"{'variant':<11} {'seconds':>8} {'users':>8} {'users/s':>9} {'requests':>9}"
    print(head)
    print("-" * len(head))
    for name, run in results.items():
        if "error" in run:
            print(f"{name:<11} failed: {run['error']}")
        else:
            print(
                f"{name:<11} {run['seconds']:>8.2f} {run['users']:>8} {run['per_second']:>9.0f} "
                f"{run['requests']:>9}"
            )
    if args.repeat > 1:
        for name, seconds in runs.items():
            print(f"{name} runs: " + ", ".join(f"{s:.2f}" for s in seconds) + " s")
    if all("error" not in run for run in results.values()):
        ratio = results["bulkprep"]["per_second"] / results["sequential"]["per_second"]
        print(f"bulkprep / sequential = {ratio:.2f}x users per second (target: at least 4x)")
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
