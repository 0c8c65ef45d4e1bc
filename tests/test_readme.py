"""The README's examples run as written, and its reference tables cover what the code has."""

from __future__ import annotations

import argparse
import doctest
from pathlib import Path

from bulkprep.cli import check
from bulkprep.layouts import LAYOUTS
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


def test_every_recognized_layout_is_in_the_layout_table() -> None:
    text = README.read_text(encoding="utf-8")
    for layout in LAYOUTS:
        assert f"| `{layout.name}` |" in text, layout.name


def test_every_option_of_check_is_documented() -> None:
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    text = README.read_text(encoding="utf-8")
    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    assert {"--region-column", "--keys", "--sheet"} <= set(options)
    for option in options:
        if option != "--help":
            assert f"[{option}" in text or f"{option} " in text, option
