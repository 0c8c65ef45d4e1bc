"""Every planted outcome of the real-layout export corpus holds: status, and the exact values sent.

``tests/fixtures/exports/score.py`` measures the corpus record by record; here every file must score
all its records right, and no row may be ready with a value other than the expected one.
"""

from __future__ import annotations

import pytest
from export_corpus import corpus_module

SCORE = corpus_module("score")


@pytest.mark.parametrize("layout", SCORE.make_exports.layouts(), ids=lambda layout: layout.name)
def test_every_record_of_the_export_has_its_planted_outcome(layout: object) -> None:
    records, status_right, all_right, silently_wrong = SCORE.score(layout)
    assert silently_wrong == 0
    assert (status_right, all_right) == (records, records)
