"""``bulkprep schema``: print the JSON Schema of a mapping file, so that editors can complete and check one.

Example:
    >>> import argparse, json, contextlib, io
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     status = run(parser.parse_args([]))
    >>> status, json.loads(out.getvalue())["title"].startswith("bulkprep")
    (0, True)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bulkprep.errors import ConfigurationError
from bulkprep.schema import schema_json

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bulkprep schema``."""
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="write the schema to FILE instead of printing it (for example mapping.schema.json)",
    )


def run(args: argparse.Namespace) -> int:
    """Print (or write) the schema; exit status 0."""
    text = schema_json()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot write the schema to {args.out}: {exc.strerror}") from None
    print(f"wrote the mapping schema to {args.out}")
    return 0
