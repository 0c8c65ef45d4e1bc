"""Every planted outcome of the real-layout export corpus holds: status, and the exact values sent.

``tests/fixtures/exports/score.py`` measures the corpus record by record; here every file must score
all its records right, and no row may be ready with a value other than the expected one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

CORPUS = Path(__file__).parent / "fixtures" / "exports"


def _score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _score_module()


@pytest.mark.parametrize("layout", SCORE.make_exports.layouts(), ids=lambda layout: layout.name)
def test_every_record_of_the_export_has_its_planted_outcome(layout: object) -> None:
    records, status_right, all_right, silently_wrong = SCORE.score(layout)
    assert silently_wrong == 0
    assert (status_right, all_right) == (records, records)
