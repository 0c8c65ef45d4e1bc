"""The export corpus: its files by name, and its own scripts (generator, score) loaded once for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

CORPUS = Path(__file__).parent / "fixtures" / "exports"


def corpus_module(name: str) -> ModuleType:
    """``make_exports`` or ``score`` from the corpus folder, loaded once per test run."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CORPUS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def export_file(name: str) -> Path:
    """The export file of a corpus layout: ``<name>.csv``, or ``<name>.xlsx`` for a workbook."""
    csv_file = CORPUS / f"{name}.csv"
    return csv_file if csv_file.exists() else csv_file.with_suffix(".xlsx")
