"""``bulkprep demo``: the whole story on the bundled sample data, against a local sandbox.

Reads a messy CRM export, shows what was cleaned and what is wrong, flags duplicates, sends the
ready rows to a bulk job on an in-process sandbox (which answers 429 now and then, as a busy API
does), runs the job, waits for it, merges each user's delivery state back into the rows, and writes
the results CSV. No key, no network, well under a minute.

Example:
    >>> sample_path("users_messy.csv").name
    'users_messy.csv'
"""

from __future__ import annotations

import argparse
import tempfile
from importlib import resources
from pathlib import Path
from typing import TextIO

import pandas as pd

from bulkprep.mapping import Mapping
from bulkprep.prepare import prepare
from bulkprep.read import read_csv, read_info
from bulkprep.report import format_summary
from bulkprep.sandbox import Sandbox
from bulkprep.status import Column
from bulkprep.submit import submit

__all__ = ["add_arguments", "run", "run_demo", "sample_path"]

DEMO_EVENT = "WELCOME_BACK"
DEMO_REGION = "US"  # where a phone has no country code and its row no country
_SHOWN_CHANGES = 6


def sample_path(name: str) -> Path:
    """The path of a file of the bundled sample data (``users_messy.csv``, ``users_clean.csv``, ...)."""
    path = Path(str(resources.files("bulkprep") / "samples" / name))
    if not path.is_file():
        raise FileNotFoundError(f"sample file {name!r} is not installed with bulkprep")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bulkprep demo``."""
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="RESULTS.csv",
        help="where to write the results (default: bulkprep-demo-results.csv in the current folder)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not draw progress bars")


def run(args: argparse.Namespace) -> int:
    """Run ``bulkprep demo``; returns the exit status (0 when the story ran to its end)."""
    out = args.out or Path("bulkprep-demo-results.csv")
    run_demo(out, progress=not args.no_progress)
    return 0


def _say(stream: TextIO | None, text: str = "") -> None:
    print(text, file=stream, flush=True)


def _changes_table(changes: pd.DataFrame) -> str:
    """A few normalized values, one per kind of field, as aligned text."""
    sample = changes.groupby("field", sort=False).head(2).head(_SHOWN_CHANGES)
    lines = [
        f"    line {row.bulk_row:<4} {row.field:<22} {row.original!r:<28} -> {row.normalized!r}"
        for row in sample.itertuples(index=False)
    ]
    return "\n".join(lines)


def run_demo(out: Path, *, progress: bool = True, stream: TextIO | None = None) -> pd.DataFrame:
    """Run the demo, printing the story to ``stream`` (stdout by default); returns the result rows."""
    source = sample_path("users_messy.csv")
    mapping = sample_path("users_messy.mapping.yaml")
    _say(stream, "bulkprep demo: a messy CRM export to a sent Courier bulk job, against a local sandbox\n")

    frame = read_csv(source)
    info = read_info(frame)
    _say(stream, f"1. Read {source.name} ({info.encoding}): {len(frame)} rows; {info.blank_rows} blank rows")
    _say(stream, f"   dropped; {info.error_count} malformed line(s) kept as rows and flagged")

    prepared = prepare(frame, mapping, region=DEMO_REGION)
    _say(stream, f"\n2. Mapped and normalized: {len(prepared.changes)} values cleaned, for example")
    _say(stream, _changes_table(prepared.changes))
    for column in sorted(set(Mapping.load(mapping).region_columns().values())):
        # The mapping's region_column: a national number such as "07406 194974" on a UK row is British.
        _say(
            stream,
            f"   phones without a country code are read in each row's {column!r} (else in {DEMO_REGION})",
        )

    _say(stream, "\n3. Validated and deduplicated (nothing sent yet):")
    _say(stream, "   " + format_summary(prepared.summary, prepared.errors, limit=4).replace("\n", "\n   "))

    with Sandbox(rate_limit_every=4, retry_after=0.2, only_ingest=True, processing_seconds=0.5) as sandbox:
        ready = prepared.summary["ready"]
        _say(
            stream,
            f"\n4. Sending the {ready} ready rows to a bulk job at {sandbox.url} (event {DEMO_EVENT}),",
        )
        _say(stream, "   in batches of 50; this sandbox answers every 4th request with 429 Too Many Requests")
        with tempfile.TemporaryDirectory() as folder:
            result = submit(
                prepared,
                event=DEMO_EVENT,
                run=True,
                wait=True,
                api_key=sandbox.token,
                base_url=sandbox.url,
                journal=Path(folder) / "demo-journal.sqlite",
                batch_size=50,
                progress=progress,
                poll_interval=0.2,
            )
        throttled = sum(1 for record in sandbox.requests if record.status == 429)
        stored = len(sandbox.users(result.job_id)) if result.job_id else 0

    _say(stream, f"   job {result.job_id}: {result.job_status}; 429 answers: {throttled}, each waited out")
    _say(stream, f"   and retried with the same Idempotency-Key; the sandbox holds {stored} users, each once")
    delivery = result.df[Column.DELIVERY_STATUS.value].value_counts()
    _say(stream, "\n5. Every input row's outcome:")
    _say(stream, "   " + format_summary(result.summary, result.errors, limit=0).replace("\n", "\n   "))
    if len(delivery):
        states = ", ".join(f"{state} {count}" for state, count in delivery.items())
        _say(stream, f"   delivery, from GET /bulk/{{job_id}}/users: {states}")
    written = result.to_csv(out)
    _say(stream, f"\nResults (input columns plus bulk_* columns) written to {written.resolve()}")
    return result.df
