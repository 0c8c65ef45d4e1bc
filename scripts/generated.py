"""Write a generated module, or check that the committed one is what its script writes.

The table scripts (``make_country_names.py``, ``make_month_names.py``) share this command line:
no option writes the module, ``--check`` compares and exits 1 when it differs (CI's guard that a
table was regenerated after its script changed).

Example:
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "_table.py"
    >>> write_or_check(target, "X = 1\\n", ["--check"], root=target.parent)
    _table.py differs from what this script writes
    1
"""

from __future__ import annotations

import argparse
from pathlib import Path


def write_or_check(
    target: Path, text: str, argv: list[str] | None, *, root: Path, description: str = ""
) -> int:
    """Write ``text`` to ``target``, or with ``--check`` in ``argv`` compare it; return the exit code."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare with the committed table")
    args = parser.parse_args(argv)
    name = target.relative_to(root)
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{name} differs from what this script writes")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {name}")
    return 0
