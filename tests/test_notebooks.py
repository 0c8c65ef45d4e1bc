"""The analyst notebooks: each one runs top to bottom against the sandbox and tells the story it claims.

The notebooks are committed executed; these tests run them again from their saved cells (in a
kernel of this interpreter, see ``notebooks/build_notebooks.py``) and look at the outputs that
carry the story: the counts add up, nothing is sent twice, fixes show in the re-check.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOKS / "build_notebooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = _builder()

# For each notebook, texts its executed outputs must hold.
EXPECTED: dict[str, list[str]] = {
    "01-quickstart.ipynb": [
        "rows in the file: 315 | rows accounted for: 315",
        "'accepted': 296",
        "Showing the first 8 of 19 rows that need attention",
        "welcome-back-results.csv written: 315 rows",
    ],
    "02-cleaning-a-messy-csv.ipynb": [
        "315 rows | encoding utf-8-sig | delimiter ',' | 2 blank lines dropped | 1 line(s) with a problem",
        "cp1252 ';'",
        "region columns: {'profile.phone_number': 'Country'}",
        "default region only      '07406 194974' on a 'UK' row -> invalid",
        "region_column: Country   '07406 194974' on a 'UK' row -> ready: +447406194974",
        "{'ready': 289, 'invalid': 21, 'duplicate': 5}",
        "before: {'ready': 290, 'invalid': 20, 'duplicate': 5}",
        "after:  {'ready': 291, 'invalid': 18, 'duplicate': 5}",
        "25 row(s) need attention (invalid 20, duplicate 5)",
    ],
    "03-submitting-and-reconciling.ipynb": [
        "SubmitPlan(6 batch(es), 290 user(s)",
        "290 users in the job; offered {1} time(s) each",
        "batches sent again: 0 | offers still {1}",
        "all rows now: {'invalid': 20, 'duplicate': 5, 'accepted': 290}",
        "2 attempts:",
        "more than max_invalid (--max-invalid) 5% allows",
        "UNDELIVERABLE",
        "BOUNCED",
        "UNSUBSCRIBED",
        "5 row(s) need attention (rejected 5)",
        "Courier refused the user: Duplicate user",
    ],
}


def _output_texts(notebook: Any) -> str:
    """Every text an output shows: streams, plain text and HTML of results and displays."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


def test_every_notebook_has_expectations() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED) == sorted(BUILDER.NOTEBOOKS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_committed_notebook_is_what_the_builder_writes(name: str) -> None:
    saved = nbformat.read(NOTEBOOKS / name, as_version=4)
    built = BUILDER.build(BUILDER.NOTEBOOKS[name])
    assert [(c.cell_type, c.source) for c in saved.cells] == [(c.cell_type, c.source) for c in built.cells]
    assert all(c.get("execution_count") for c in saved.cells if c.cell_type == "code"), "not executed"
    texts = _output_texts(saved)
    for expected in EXPECTED[name]:
        assert expected in texts
    # Outputs name no file of the machine that built them.
    for local in (str(NOTEBOOKS.parent), tempfile.gettempdir() + "/", "site-packages"):
        assert local not in texts


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_notebook_runs_top_to_bottom(name: str) -> None:
    notebook = BUILDER.execute(nbformat.read(NOTEBOOKS / name, as_version=4))
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    texts = _output_texts(notebook)
    for expected in EXPECTED[name]:
        assert expected in texts
    assert ".pd-t::after" in texts  # a problem view with its tooltips was drawn
