"""The command line every CRM-shaped generator has: ``--rows``, ``--seed``, ``--out``; prints the path.

Example:
    >>> from pathlib import Path
    >>> def write(path: Path, rows: int, *, seed: int) -> Path:
    ...     _ = path.write_text(f"{rows},{seed}\\n")
    ...     return path
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "x.csv")
    >>> run("Gen.", "x", write, rows=5, seed=1, argv=["--out", out, "--rows", "3"])  # doctest: +ELLIPSIS
    /.../x.csv
    0
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path


def run(
    doc: str | None,
    name: str,
    write: Callable[..., Path],
    *,
    rows: int,
    seed: int,
    argv: list[str] | None = None,
) -> int:
    """Parse ``argv``, write the file with ``write(path, rows, seed=seed)`` and print its path."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--out", type=Path, help="where to write (default: a new temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bulkprep-bench-")) / f"{name}_{args.rows}.csv"
    print(write(out, args.rows, seed=args.seed))
    return 0
