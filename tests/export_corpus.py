"""The export corpus's own scripts (its generator and its score), loaded once for the tests that use them."""

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
