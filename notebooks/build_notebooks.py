"""Build the analyst notebooks: write each one from the cells below, execute it, save it with its outputs.

Run from the repository root with the project's virtual environment::

    .venv/bin/python notebooks/build_notebooks.py        # every notebook
    .venv/bin/python notebooks/build_notebooks.py 03     # the notebooks whose file name contains "03"

The notebooks talk to a local :class:`bulkprep.Sandbox`, so they build offline in a few seconds each.
``tests/test_notebooks.py`` executes the saved notebooks again with :func:`execute`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KERNEL_SPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

Cell = tuple[str, str]  # ("md" or "py", source)


def execute(notebook: nbformat.NotebookNode, *, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in place, in a kernel of this very interpreter; stop at the first error.

    The kernel spec is written to a temporary folder and given to the client directly, so a
    ``python3`` kernel registered elsewhere on the machine (another Python) is never picked.
    """
    with tempfile.TemporaryDirectory() as specs:
        spec = Path(specs) / "python3"
        spec.mkdir()
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": KERNEL_SPEC["display_name"], "language": "python"})
        )
        manager = KernelManager(
            kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[specs])
        )
        client = NotebookClient(
            notebook,
            km=manager,
            timeout=timeout,
            record_timing=False,  # no timestamps: a rebuild changes only what really changed
            coalesce_streams=True,  # one stream per cell, progress-bar redraws folded into their last state
            resources={"metadata": {"path": str(HERE)}},
        )
        # Without ipywidgets, tqdm.auto falls back to text bars (fine here) and warns once, naming the
        # path of this machine's tqdm; the committed outputs leave that warning out.
        env = {**os.environ, "PYTHONWARNINGS": "ignore:IProgress not found:Warning"}
        client.execute(cleanup_kc=True, env=env)
    notebook.metadata["kernelspec"] = dict(KERNEL_SPEC)
    return notebook


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    """A notebook of markdown (``"md"``) and code (``"py"``) cells, not yet executed."""
    notebook = nbformat.v4.new_notebook()
    for kind, source in cells:
        text = source.strip("\n")
        notebook.cells.append(
            nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        )
    # Stable cell ids, so a rebuild only changes outputs that changed.
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number:02d}"
    return notebook


# ---------------------------------------------------------------------------------------------------
# 01: the whole flow

QUICKSTART: list[Cell] = [
    (
        "md",
        """
# Quickstart: from a CSV of users to a sent Courier bulk job

This notebook takes a spreadsheet export of users to a Courier bulk job and back: every row of the
file ends with what happened to it (`accepted`, or why not). It runs offline: a local `Sandbox`
speaks Courier's Bulk API on `127.0.0.1`, so nothing is sent anywhere.
""",
    ),
    (
        "py",
        """
import pandas as pd

from bulkprep import Sandbox, prepare, read_csv, submit
from bulkprep.demo import sample_path
""",
    ),
    (
        "md",
        """
## 1. Read the file

`read_csv` keeps every value as the text written in the file (the user id `000042` stays `000042`,
never the number 42) and adds `bulk_row`: the line of the file each record starts on. Every later
problem points at that line.
""",
    ),
    ("py", 'users = read_csv(sample_path("users_messy.csv"))\nusers.head(3)'),
    (
        "md",
        """
## 2. Say which column feeds which field

A mapping names, for each field of a Courier user, the column it comes from. `recipient` is the
user id; `profile` holds the contact details Courier delivers to; `data` is merged into templates.
`region_column` on the phone says which column holds each row's country, so a number typed without
its country code (`07406 194974` on a UK row) is read in that country. The same mapping can be saved
as YAML and used from the command line.
""",
    ),
    (
        "py",
        """
mapping = {
    "recipient": "User ID",
    "profile": {"email": "Email", "phone_number": {"column": "Phone", "region_column": "Country"}},
    "data": {"first_name": "First Name", "plan": "Plan"},
}
""",
    ),
    (
        "md",
        """
## 3. Prepare: clean, check, deduplicate (nothing is sent)

`prepare` trims and lowercases emails, writes phone numbers in E.164, validates every row against
Courier's schema and flags repeated people. Each row gets exactly one status, and the counts always
add up to the rows of the file.
""",
    ),
    ("py", "prepared = prepare(users, mapping)\nprepared"),
    (
        "md",
        """
The rows that will not be sent, with the offending cell highlighted (hover over it for the message):
""",
    ),
    ("py", "prepared.problem_view(limit=8)"),
    (
        "md",
        """
## 4. Submit

`submit` sends only the `ready` rows, in batches, each with an idempotency key, retrying what a busy
API refuses. `run=True` starts the job, `wait=True` waits for it and adds each user's delivery state.
Against Courier itself, leave out `api_key` and `base_url`: the key comes from `COURIER_API_KEY`.
""",
    ),
    (
        "py",
        """
courier = Sandbox(processing_seconds=0.5).start()
result = submit(
    prepared,
    event="WELCOME_BACK",
    run=True,
    wait=True,
    api_key=courier.token,
    base_url=courier.url,
    poll_interval=0.2,
)
result
""",
    ),
    (
        "md",
        """
## 5. Every row, with what happened to it

`result.df` is the input plus the `bulk_*` columns: the status, the reason when a row was not sent,
the batch it went in, and Courier's delivery state and message id after the job ran.
""",
    ),
    (
        "py",
        """
columns = ["bulk_row", "User ID", "Email", "bulk_status", "bulk_error",
           "bulk_delivery_status", "bulk_message_id"]
result.df.loc[result.df["bulk_row"].between(24, 29), columns]
""",
    ),
    (
        "py",
        """
summary = result.summary
print(summary)
print("rows in the file:", len(users), "| rows accounted for:", sum(summary.values()))
""",
    ),
    (
        "md",
        """
## 6. Save the results

The results CSV holds the input columns plus the `bulk_*` columns, as UTF-8 with a byte-order mark
(so spreadsheets read accents right), with cells a spreadsheet would run as a formula made inert.
""",
    ),
    (
        "py",
        """
import tempfile
from pathlib import Path

out = result.to_csv(Path(tempfile.mkdtemp()) / "welcome-back-results.csv")
courier.stop()
print(out.name, "written:", len(pd.read_csv(out, dtype=str)), "rows")
""",
    ),
]


# ---------------------------------------------------------------------------------------------------
# 02: cleaning

CLEANING: list[Cell] = [
    (
        "md",
        """
# Cleaning a messy CSV

A real export is never clean: a byte-order mark on the first column, lines broken inside quotes, a
stray comma, phone numbers typed six ways, emails with capitals and invisible spaces, numbers a
spreadsheet turned into `2.02555E+09`. This notebook goes through `users_messy.csv` (315 users with
problems planted at known lines, see `data/README.md`), finds them, fixes a few in pandas, and
checks again. Nothing is sent.
""",
    ),
    (
        "py",
        """
import io
import tempfile
from pathlib import Path

import pandas as pd

from bulkprep import Mapping, prepare, read_csv, read_errors, read_info
from bulkprep.demo import sample_path

pd.set_option("display.max_colwidth", 80)
""",
    ),
    (
        "md",
        """
## What the reader found

`read_csv` detects the encoding and the delimiter instead of assuming them, and reports what it saw.
`utf-8-sig` means UTF-8 with a byte-order mark (what a spreadsheet writes for "CSV UTF-8"); the mark
is removed, so the first column is `User ID` and not `\\ufeffUser ID`.
""",
    ),
    (
        "py",
        """
users = read_csv(sample_path("users_messy.csv"))
info = read_info(users)
print(f"{len(users)} rows | encoding {info.encoding} | delimiter {info.delimiter!r} | "
      f"{info.blank_rows} blank lines dropped | {info.error_count} line(s) with a problem")
""",
    ),
    (
        "md",
        """
An older tool may save Windows-1252 instead, with semicolons: the same call reads it.
""",
    ),
    (
        "py",
        """
legacy = io.BytesIO("Email;First Name\\r\\nzoe@example.com;Zoë\\r\\n".encode("cp1252"))
old_export = read_csv(legacy)
print(read_info(old_export).encoding, repr(read_info(old_export).delimiter))
old_export
""",
    ),
    (
        "md",
        """
Lines the reader could not parse cleanly stay in the frame (so no user silently disappears) and are
listed with their line number. Line 269 has an unquoted comma in its notes:
""",
    ),
    ("py", "read_errors(users)[['bulk_row', 'code', 'message']]"),
    (
        "md",
        """
A record that spans two lines keeps the line where it starts, the one to open in an editor:
""",
    ),
    ("py", 'users.loc[users["bulk_row"].between(133, 136), ["bulk_row", "First Name", "Notes"]]'),
    (
        "md",
        """
## A mapping: suggested, reviewed, saved

`Mapping.suggest` proposes a mapping from the column names and a sample of their cells: a starting
point to review. It reads `Signup Date` as a date (its header and its cells say so), but cannot know
that `Newsletter` is a yes/no or `Attributes` JSON; the reviewed mapping says so with a `cast`, so
those cells are checked and sent as the right JSON type. Save it next to the data and the
command line (`bulkprep check ... --mapping`) uses the very same file.
""",
    ),
    ("py", "suggested = Mapping.suggest(users)\nsuggested.to_dict()"),
    (
        "py",
        """
folder = Path(tempfile.mkdtemp())
suggested.save(folder / "users.mapping.yaml")
mapping = Mapping.load(sample_path("users_messy.mapping.yaml"))  # the reviewed one, with casts
print(Mapping.load(folder / "users.mapping.yaml") == suggested)
mapping
""",
    ),
    (
        "md",
        """
## Prepare

`prepare` maps, normalizes, validates and flags duplicates in one call, and never stops at a bad
row: every problem is a row of the error table.
""",
    ),
    ("py", "prepared = prepare(users, mapping)\nprepared"),
    (
        "md",
        """
### What normalization changed

Every value that was rewritten is listed, so nothing changes behind your back. Phone numbers go to
E.164 (`+44 (0)7878 335462` becomes `+447878335462`: the `(0)` is dropped); emails are trimmed
(including no-break spaces), the domain lowercased, a display name removed.
""",
    ),
    (
        "py",
        """
changes = prepared.changes
print(changes["field"].value_counts().to_dict())
changes[changes["bulk_row"].isin([4, 20, 96, 174, 181])]
""",
    ),
    (
        "md",
        """
### Phones in each row's country

A phone typed without its country code means nothing on its own: `07406 194974` is a UK mobile, but
read in the default region (US) it is not a valid number. The file says where each user lives, in a
`Country` column written in several spellings:
""",
    ),
    ("py", 'users["Country"].value_counts().to_dict()'),
    (
        "md",
        """
The reviewed mapping names that column on the phone (`region_column: Country`), so each number
without a country code is read in its row's country (any of those spellings), and in the default
region only where the cell is blank. A number with `+` or `00` carries its own country. Line 163,
read with and without it:
""",
    ),
    (
        "py",
        """
print("region columns:", mapping.region_columns())
us_only = mapping.to_dict()
us_only["profile"]["phone_number"] = "Phone"  # the same mapping, every phone read in the default region
default_region_only = prepare(users, Mapping(us_only))

for label, run in [("default region only", default_region_only), ("region_column: Country", prepared)]:
    row = run.df.set_index("bulk_row").loc[163]
    ready = row["bulk_status"] == "ready"
    outcome = row["bulk_user"]["profile"]["phone_number"] if ready else row["bulk_error"]
    print(f"{label:24} {row['Phone']!r} on a {row['Country']!r} row -> {row['bulk_status']}: {outcome}")
    print(f"{'':24} {run.summary}")
""",
    ),
    (
        "md",
        """
### The error table

One row per problem: the line, the stage that found it, the target field and source column, a
stable code, a message that says what to do, and the value at fault.
""",
    ),
    ("py", "prepared.errors.head(10)"),
    ("py", 'prepared.errors["code"].value_counts()'),
    (
        "md",
        """
### Problems at a glance

The summary card lists every problem code with its rows, an example and what to do (past the first
five, folded), and draws the problems by code and column, where a picture reads faster than a table:
""",
    ),
    ("py", "prepared"),
    (
        "md",
        """
### The rows to look at

`problem_view` shows only the rows that will not be sent. The cell at fault is highlighted and
carries the message as a tooltip; a duplicate highlights the value it shares with the kept row.
""",
    ),
    ("py", "prepared.problem_view()"),
    (
        "md",
        """
## Fix rows in pandas, then check again

Fixes are plain pandas on the frame `read_csv` returned: the line numbers stay in `bulk_row`, so the
re-check still points at the file. Here: a typo in an email, and a row with no way to reach the
person, dropped.
""",
    ),
    (
        "py",
        """
fixed = users.copy()
fixed.loc[fixed["bulk_row"] == 27, "Email"] = "maria.gonzalez@example.com"
fixed = fixed[fixed["bulk_row"] != 245]

rechecked = prepare(fixed, mapping)
print("before:", prepared.summary)
print("after: ", rechecked.summary)
rechecked.df.loc[rechecked.df["bulk_row"] == 27, ["bulk_row", "Email", "bulk_status"]]
""",
    ),
    (
        "md",
        """
The rest need someone who knows these users (what was the real phone number behind `2.02555E+09`?).
`rechecked.problems` is the list to hand over, each row with its line and the reason.
""",
    ),
    ("py", 'rechecked.problems[["bulk_row", "bulk_status", "bulk_error"]].head()'),
]


# ---------------------------------------------------------------------------------------------------
# 03: submitting

SUBMITTING: list[Cell] = [
    (
        "md",
        """
# Submitting and reconciling

Sending thousands of users over a real network goes wrong in ordinary ways: the API answers
`429 Too Many Requests`, a connection drops after the server stored the batch, the laptop closes.
This notebook makes a local sandbox do those things on purpose and shows how bulkprep still
delivers every ready row exactly once, and ties every outcome back to its row.
""",
    ),
    (
        "py",
        """
import dataclasses
import tempfile
from pathlib import Path

import pandas as pd

from bulkprep import Sandbox, prepare, read_csv, submit
from bulkprep.client import CourierClient
from bulkprep.demo import sample_path

users = read_csv(sample_path("users_messy.csv"))
mapping = sample_path("users_messy.mapping.yaml")
prepared = prepare(users, mapping)
work = Path(tempfile.mkdtemp())
prepared
""",
    ),
    (
        "md",
        """
## A dry run: what would be sent

Batches are cut by count (here 50 users) and by exact size in bytes, well below Courier's 6 MB
limit per request. A dry run sends nothing and shows the plan and the first users exactly as they
would go out, so a wrong mapping shows up before anyone gets a message.
""",
    ),
    (
        "py",
        """
dry = submit(prepared, event="SPRING_PROMO", batch_size=50, dry_run=True)
print(dry.plan)
dry.plan.batches
""",
    ),
    ("py", "dry.plan.payloads[0]"),
    (
        "md",
        """
## A busy API and a flaky network

This sandbox answers every 3rd request with `429` and `Retry-After: 0.2`, and every 4th request is
stored and then its connection cut, so the client never hears the answer. bulkprep waits as told,
and sends a batch whose answer was lost again with the same `Idempotency-Key`: the server replays
its first answer instead of storing the users twice. A journal records each batch as it goes.
""",
    ),
    (
        "py",
        """
busy = Sandbox(rate_limit_every=3, retry_after=0.2, drop_every=4, only_ingest=True, processing_seconds=0.5)
busy.start()
journal = work / "spring-promo.journal.sqlite"
result = submit(
    prepared,
    event="SPRING_PROMO",
    batch_size=50,
    api_key=busy.token,
    base_url=busy.url,
    journal=journal,
)
result
""",
    ),
    (
        "md",
        """
What the sandbox saw: the throttled requests, the dropped ones, and the replays of dropped ones.
""",
    ),
    (
        "py",
        """
log = pd.DataFrame([dataclasses.asdict(request) for request in busy.requests])
log["fault"] = log["fault"].fillna("-")
log.groupby(["method", "status", "fault", "replayed"]).size().rename("requests").reset_index()
""",
    ),
    (
        "md",
        """
`offers` counts how many times each user reached the job, retries included. Exactly once for each:
""",
    ),
    (
        "py",
        """
offers = busy.offers(result.job_id)
print(len(offers), "users in the job; offered", set(offers.values()), "time(s) each")
""",
    ),
    (
        "md",
        """
## Resuming from the journal

Run the same call again with the same journal (after a crash, a closed laptop, or by mistake): the
journal knows every batch was acknowledged, so no user is sent again. This time `run=True,
wait=True` also starts the job and waits for it.
""",
    ),
    (
        "py",
        """
before = len(busy.requests)
resumed = submit(
    prepared,
    event="SPRING_PROMO",
    batch_size=50,
    api_key=busy.token,
    base_url=busy.url,
    journal=journal,
    run=True,
    wait=True,
    poll_interval=0.2,
)
resumed
""",
    ),
    (
        "py",
        """
sent_again = [r for r in busy.requests[before:] if r.method == "POST" and r.path.count("/") == 2]
print("batches sent again:", len(sent_again), "| offers still", set(busy.offers(resumed.job_id).values()))
""",
    ),
    (
        "md",
        """
After `wait`, each accepted row carries Courier's delivery state and message id, matched back by
user id, email or phone:
""",
    ),
    (
        "py",
        """
print(resumed.df["bulk_delivery_status"].value_counts(dropna=False).to_dict())
shown = ["bulk_row", "User ID", "bulk_status", "bulk_batch", "bulk_delivery_status", "bulk_message_id"]
resumed.df[shown].head()
""",
    ),
    ("py", "busy.stop()"),
    (
        "md",
        """
## Failed rows, and retrying only those

Here the server answers every 2nd request with `500`, and a client that gives up at once (no
retries) is used, so some batches fail. A failed row was not delivered and is safe to send again:
`failed_rows()` gives them back with their `bulk_row` (the file's line numbers) and the input
columns, ready for `submit`.
""",
    ),
    (
        "py",
        """
broken = Sandbox(server_error_every=2, only_ingest=True, processing_seconds=0.5).start()
with CourierClient(broken.token, broken.url, max_retries=0) as impatient:
    first_try = submit(prepared, event="SPRING_PROMO", batch_size=50, client=impatient)
first_try
""",
    ),
    ("py", 'failed = first_try.failed_rows()\nprint(len(failed), "rows to retry")\nfailed.head(3)'),
    (
        "md",
        """
Retry them, with the default client (which retries a `500`), into the same job, then run it. The
retried rows keep their `bulk_row` and their index, so they line up with the first result.
""",
    ),
    (
        "py",
        """
retry = submit(
    failed,
    mapping,
    job_id=first_try.job_id,
    batch_size=50,
    api_key=broken.token,
    base_url=broken.url,
    run=True,
    wait=True,
    poll_interval=0.2,
)
broken.stop()
retry
""",
    ),
    (
        "md",
        """
`update` merges the retry into the first result: one frame, one status per input row, the latest
errors for the rows sent again, and the attempts listed.
""",
    ),
    (
        "py",
        """
merged = first_try.update(retry)
print("all rows now:", {name: count for name, count in merged.summary.items() if count})
print(len(merged.attempts), "attempts:", [attempt.job_id for attempt in merged.attempts])
""",
    ),
    (
        "md",
        """
## A guard before sending

`max_invalid` refuses to create the job when more of the file is invalid or duplicate than that
(a share, or a count of rows). A dry run says what the guard would decide, without a key:
""",
    ),
    ("py", 'print(submit(prepared, event="SPRING_PROMO", max_invalid=0.05, dry_run=True).guard)'),
    (
        "md",
        """
## What became of each message

After `wait`, each row also gets its message's outcome and its reason from Courier's Messages API.
The sandbox decides fates from the address (a local part `bounce` bounces, `unsub` is unsubscribed),
and moves each message one step a second. Undelivered rows are problems like any other, and delivery
goes on after the job: `refresh` reads every row's outcome again from the journal.
""",
    ),
    (
        "py",
        """
from bulkprep import Mapping

courier = Sandbox(processing_seconds=0, delivery_seconds=1).start()
people = pd.DataFrame({"email": ["ann@example.com", "bounce@example.com", "unsub@example.com"]})
outcomes_journal = Path(tempfile.mkdtemp()) / "outcomes.sqlite"
sent = submit(
    people,
    Mapping.from_dict({"profile": {"email": "email"}}),
    event="SPRING_PROMO",
    run=True,
    wait=True,
    journal=outcomes_journal,
    api_key=courier.token,
    base_url=courier.url,
    poll_interval=0.2,
)
outcome_columns = ["email", "bulk_delivery_status", "bulk_outcome", "bulk_outcome_reason"]
sent.df[outcome_columns]
""",
    ),
    (
        "py",
        """
import time

time.sleep(5)  # delivery goes on: read it again later
later = sent.refresh(outcomes_journal, api_key=courier.token, base_url=courier.url)
courier.stop()
later.df[outcome_columns]
""",
    ),
    ("py", "later.failed_rows()"),
    (
        "md",
        """
## Courier's per-user errors, matched to rows

Courier refuses a user already in the job, and says so per user, echoing the user rather than its
position. bulkprep matches each echo back to its row by user id, email or phone. Here ten users go
to a job, then users 6 to 15 of the same list are sent to it: the five it already has come back
`rejected`, with Courier's words.
""",
    ),
    (
        "py",
        """
courier = Sandbox(processing_seconds=0.5).start()
ten = prepared.ready.iloc[:10]
first = submit(ten, event="SPRING_PROMO", api_key=courier.token, base_url=courier.url, progress=False)
overlap = prepared.ready.iloc[5:15]
second = submit(overlap, job_id=first.job_id, api_key=courier.token, base_url=courier.url, progress=False)
courier.stop()
second
""",
    ),
    ("py", "second.problem_view()"),
    (
        "py",
        """
second.errors[["bulk_row", "stage", "code", "message"]]
""",
    ),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01-quickstart.ipynb": QUICKSTART,
    "02-cleaning-a-messy-csv.ipynb": CLEANING,
    "03-submitting-and-reconciling.ipynb": SUBMITTING,
}


def main(patterns: list[str]) -> None:
    for name, cells in NOTEBOOKS.items():
        if patterns and not any(pattern in name for pattern in patterns):
            continue
        notebook = execute(build(cells))
        nbformat.write(notebook, HERE / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main(sys.argv[1:])
