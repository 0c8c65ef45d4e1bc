"""The README's examples run as written, and its reference tables cover what the code has."""

from __future__ import annotations

import doctest
from pathlib import Path

from bulkprep.report import ErrorCode
from bulkprep.status import RowStatus

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_examples_run_as_written() -> None:
    outcome = doctest.testfile(
        str(README),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert outcome.attempted > 5
    assert outcome.failed == 0


def test_every_error_code_and_status_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for code in ErrorCode:
        assert f"| `{code.value}` |" in text, code
    for status in RowStatus:
        assert f"| `{status.value}` |" in text, status
