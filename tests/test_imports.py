"""No import cycles: no module needs the package root, and each module imports on its own.

The package root imports nearly every module to build the public face, so a module that imports a
name from the root (``from bulkprep import __version__``) closes a cycle that only shows when that
module happens to be imported first. Both checks below also run on a small package built to fail,
so that they are known to catch what they look for.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import bulkprep

PACKAGE_DIR = Path(bulkprep.__file__).parent


def module_names(package_dir: Path) -> list[str]:
    """The dotted name of every module of the package in ``package_dir``, the package itself first."""
    names = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names, key=lambda name: (name.count("."), name))


def submodules(package_dir: Path) -> set[str]:
    """The names ``from package import X`` may take as X because X is a module of the package."""
    return {path.stem for path in package_dir.glob("*.py") if path.stem != "__init__"} | {
        path.parent.name for path in package_dir.glob("*/__init__.py")
    }


def root_imports(package_dir: Path) -> list[str]:
    """Every import of the package root by a module of the package other than its ``__init__.py``.

    Flags ``import package`` and ``from package import X`` (also written relatively) where X is not
    a submodule; docstring examples are text, not imports, so they do not count.
    """
    package = package_dir.name
    allowed = submodules(package_dir)
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        if path == package_dir / "__init__.py":
            continue
        relative = path.relative_to(package_dir.parent)
        here = list(relative.parent.parts)  # the package holding this module
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            where = f"{relative}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                found += [f"{where}: import {alias.name}" for alias in node.names if alias.name == package]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target == package:
                    names = [alias.name for alias in node.names if alias.name not in allowed]
                    found += [f"{where}: from {package} import {name}" for name in names]
    return found


# Imports each module named on the command line with no module of the package loaded before it, and
# without running the package's __init__ (a bare package object stands in for it), so each module's
# own imports decide the order, as they would if it were the first one a program imported. Third-party
# libraries stay loaded between modules: one interpreter for all keeps this to seconds.
ALONE = r"""
import importlib, importlib.util, sys, traceback, types

package, names = sys.argv[1], sys.argv[2:]
spec = importlib.util.find_spec(package)
importlib.import_module(package)  # the whole package, the usual way, first
failures = []
for name in names:
    for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[loaded]
    if name != package:
        root = types.ModuleType(package)
        root.__path__ = list(spec.submodule_search_locations)
        root.__spec__ = spec
        sys.modules[package] = root
    try:
        importlib.import_module(name)
    except Exception:
        failures.append("cannot import " + name + " alone:\n" + traceback.format_exc(limit=-3))
print("\n".join(failures))
sys.exit(1 if failures else 0)
"""


def import_alone(package_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ALONE, package_dir.name, *module_names(package_dir)],
        cwd=package_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_module_imports_the_package_root() -> None:
    assert root_imports(PACKAGE_DIR) == []


def test_every_module_imports_alone() -> None:
    names = module_names(PACKAGE_DIR)
    assert {"bulkprep", "bulkprep.read", "bulkprep.cli", "bulkprep.cli.main"} <= set(names)
    done = import_alone(PACKAGE_DIR)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def tangled(tmp_path: Path) -> Path:
    """A package with modules importing its root for a name, and a cycle that only one order shows."""
    package = tmp_path / "tangled"
    (package / "sub").mkdir(parents=True)
    files = {
        # The root imports b first, and so the package as a whole imports fine.
        "__init__.py": 'from tangled.b import B\n__version__ = "1"\n',
        # a first: a imports b, which asks the half-made a for A. b first: b imports a, which is done.
        "a.py": '"""Example:\n    >>> import tangled\n"""\nimport tangled.b\nA = 1\n',
        "b.py": "from tangled.a import A\nB = 2\n",
        "c.py": "import tangled\nfrom tangled import b, sub\n",
        "version.py": "from tangled import __version__\n",
        "sub/__init__.py": "",
        "sub/d.py": "from .. import __version__, a\nfrom . import e\n",
        "sub/e.py": "",
    }
    for name, text in files.items():
        (package / name).write_text(textwrap.dedent(text))
    return package


def test_the_root_import_check_finds_them(tangled: Path) -> None:
    assert root_imports(tangled) == [
        "tangled/c.py:1: import tangled",
        "tangled/sub/d.py:1: from tangled import __version__",
        "tangled/version.py:1: from tangled import __version__",
    ]


def test_the_alone_check_finds_the_cycle(tangled: Path) -> None:
    done = import_alone(tangled)
    assert done.returncode == 1
    failed = re.findall(r"^cannot import (\S+) alone:$", done.stdout, flags=re.MULTILINE)
    # The cycle, and the two modules needing a name only the root's __init__ defines.
    assert failed == ["tangled.a", "tangled.version", "tangled.sub.d"]
    assert "partially initialized module 'tangled.a'" in done.stdout
