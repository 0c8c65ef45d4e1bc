"""``bulkprep check INPUT --mapping FILE``: prepare a CSV or workbook, send nothing, write the results.

Exit status: 0 when every row is ready, 1 when some are not, 2 for usage and configuration errors.
Only errors decide it: a row whose only problems are warnings (fields left out of its user by
``on_error: drop_field``) is ready, and the summary counts those fields on a line of their own.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from bulkprep._source import repeated_headers_read_as
from bulkprep.duplicates import identity_kinds
from bulkprep.errors import ConfigurationError
from bulkprep.mapping import Mapping
from bulkprep.outfiles import check_writable, names_a_folder
from bulkprep.parquet import require_writer, write_results
from bulkprep.prepare import Prepared, prepare
from bulkprep.read import ReadInfo, read_csv, read_info
from bulkprep.report import format_summary
from bulkprep.status import KeepPolicy
from bulkprep.stream import STREAM_BYTES, prepare_file, should_stream

__all__ = [
    "add_arguments",
    "add_input_arguments",
    "default_results_path",
    "describe_input",
    "file_path",
    "refuse_clashing_paths",
    "run",
]


def _kinds(text: str) -> tuple[str, ...]:
    """``--keys user_id,email``: the identity kinds, checked while the arguments are read."""
    try:
        return identity_kinds(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def file_path(text: str) -> Path:
    """A file to write (``--out``, ``--errors``, ``--journal``), refused while the arguments are read when
    its name ends in a path separator: ``newdir/`` names a folder, which ``Path`` would make ``newdir``.

    Example:
        >>> file_path("results.csv")
        PosixPath('results.csv')
    """
    if names_a_folder(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} ends in a path separator, as a folder does: give a file name"
        )
    return Path(text)


def _sheet(text: str) -> str | int:
    """``--sheet Users`` names a sheet; ``--sheet 2`` is the third one."""
    return int(text) if text.isdigit() else text


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command that reads a CSV and prepares it shares (``check`` and ``submit``)."""
    parser.add_argument(
        "input",
        type=Path,
        metavar="INPUT",
        help="the CSV file or workbook (.xlsx, .xlsm, .xls, .ods) of users",
    )
    parser.add_argument(
        "--mapping", type=Path, required=True, metavar="FILE", help="the mapping file (YAML or JSON)"
    )
    parser.add_argument(
        "--region",
        default="US",
        metavar="R",
        help="default region for phone numbers without a country code (default: US); with "
        "--region-column, for the rows whose country is blank",
    )
    parser.add_argument(
        "--region-column",
        default=None,
        metavar="COLUMN",
        help="the column holding each row's country (DE, DEU, Germany, Deutschland, UK, ...): "
        "numbers without a country code are read in their row's country",
    )
    parser.add_argument(
        "--keep",
        choices=[policy.value for policy in KeepPolicy],
        default=KeepPolicy.FIRST.value,
        help="which row of a group of duplicates to keep (default: first)",
    )
    parser.add_argument(
        "--keys",
        type=_kinds,
        default=None,
        metavar="KINDS",
        help="the identity keys that make rows the same person, comma-separated among user_id, email "
        "and phone (default: all three; a shared phone links only rows whose user ids and emails do "
        "not differ)",
    )
    parser.add_argument(
        "--require-email", action="store_true", help="the job sends email: every user needs profile.email"
    )
    parser.add_argument("--encoding", default=None, help="the file's encoding (default: detected)")
    parser.add_argument("--sep", default=None, help="the field delimiter (default: detected)")
    parser.add_argument(
        "--sheet",
        type=_sheet,
        default=None,
        metavar="NAME|N",
        help="for a workbook, the sheet to read: its name or its 0-based position (default: the first)",
    )
    parser.add_argument(
        "--header-line",
        type=int,
        default=None,
        metavar="N",
        help="the line of a CSV file that holds the header; the lines above it are dropped "
        "(default: the first line with text, below any report title lines)",
    )
    parser.add_argument(
        "--out",
        type=file_path,
        default=None,
        metavar="RESULTS.csv",
        help="where to write the results (a .parquet or .pq file is written as Parquet, needs pyarrow)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bulkprep check``."""
    add_input_arguments(parser)
    parser.add_argument(
        "--stream",
        action="store_true",
        help="read the file a chunk at a time, at flat memory, whatever its size (the default for CSV "
        f"files over {STREAM_BYTES // 2**20} MiB); the results are the same",
    )


def refuse_clashing_paths(named: Sequence[tuple[str, Path | str | None]]) -> None:
    """Refuse, before anything is read, two roles of a run that name the same file.

    Each of ``named`` is a role (``"the input"``, ``"--out"``) and its path; a file that exists is
    known by its device and inode too, so that a hard link is the same file.

    Raises:
        ConfigurationError: two roles name one file; nothing would be left of the first.

    Example:
        >>> try:
        ...     refuse_clashing_paths([("the input", "users.csv"), ("--out", "./users.csv")])
        ... except ConfigurationError as exc:
        ...     print(str(exc)[:48])
        --out and the input are the same file (./users.c

    """
    seen: dict[object, str] = {}
    for role, path in named:
        if path is None:
            continue
        resolved = Path(path).expanduser().resolve()
        names = [resolved] + [identity for identity in [_file_identity(resolved)] if identity is not None]
        earlier = next((seen[name] for name in names if name in seen), None)
        if earlier is not None:
            raise ConfigurationError(
                f"{role} and {earlier} are the same file ({path}); give {role} another file name "
                "so that nothing is overwritten"
            )
        seen.update(dict.fromkeys(names, role))


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of an existing file (None when there is none)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def default_results_path(input_path: Path, suffix: str) -> Path:
    """``users.csv`` -> ``users.<suffix>.csv`` beside the input."""
    return input_path.with_name(f"{input_path.stem}.{suffix}.csv")


def describe_input(
    args: argparse.Namespace, *, rekey: Callable[[pd.DataFrame], pd.DataFrame] | None = None
) -> tuple[Prepared, str]:
    """Read and prepare the input named on the command line; returns the result and a line about the file.

    ``rekey`` changes the frame before it is prepared (``submit --update`` keys it by its own column).
    """
    frame = read_csv(
        args.input, encoding=args.encoding, sep=args.sep, sheet=args.sheet, header_line=args.header_line
    )
    if rekey is not None:
        frame = rekey(frame)
    mapping = Mapping.load(args.mapping)
    prepared = prepare(
        frame,
        mapping,
        region=args.region,
        region_column=args.region_column,
        keep=args.keep,
        keys=args.keys,
        require_email=args.require_email,
    )
    return prepared, f"read {args.input}: {len(frame)} rows ({', '.join(_file_facts(read_info(frame)))})"


def _file_facts(info: ReadInfo) -> list[str]:
    """What the reader found out about the file, for the one line ``check`` and ``submit`` print first."""
    if info.sheet is not None:
        facts = [f"sheet {info.sheet!r} of {len(info.sheet_names)}"]
    else:
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            info.delimiter or "", info.delimiter
        )
        facts = [str(info.encoding), f"{delimiter}-delimited"]
    if info.layout is not None:
        facts.append(f"{info.layout} layout")
    if info.blank_rows:
        facts.append(f"{info.blank_rows} blank rows dropped")
    if info.preamble_rows:
        facts.append(f"{info.preamble_rows} title lines above the header dropped")
    if info.footer_rows:
        facts.append(f"{info.footer_rows} report footer lines dropped")
    if info.trailing_fields:
        facts.append(f"an empty field after the last column dropped on {info.trailing_fields} rows")
    for text, columns in repeated_headers_read_as(info.renamed_columns).items():
        facts.append(f"header {text!r} repeated: read as {', '.join(map(repr, columns))}")
    if info.repaired_lines:
        lines = ", ".join(map(str, info.repaired_lines[:5])) + (
            ", ..." if len(info.repaired_lines) > 5 else ""
        )
        # The note names the lines' code page when it is not Windows-1252.
        read_as = "" if info.encoding_note else " read as Windows-1252"
        facts.append(f"lines not in UTF-8{read_as}: {lines}")
    if info.encoding_note:
        facts.append(info.encoding_note)
    return facts


def _run_streaming(args: argparse.Namespace, out: Path) -> int:
    """``check`` a chunk at a time (:func:`bulkprep.stream.prepare_file`): the same output, at flat memory."""
    with prepare_file(
        args.input,
        Mapping.load(args.mapping),
        results=out,
        region=args.region,
        region_column=args.region_column,
        keep=args.keep,
        keys=args.keys,
        require_email=args.require_email,
        encoding=args.encoding,
        sep=args.sep,
        header_line=args.header_line,
        progress=sys.stderr.isatty(),  # a long read shows its bars on a terminal, not in a log
    ) as prepared:
        print(f"read {args.input}: {prepared.rows} rows ({', '.join(_file_facts(prepared.info))})")
        print(format_summary(prepared.summary, prepared.summary_errors))
        print(f"results written to {out}")
        return _exit_status(prepared.summary["ready"], prepared.rows)


def run(args: argparse.Namespace) -> int:
    """Run ``bulkprep check``; returns the exit status."""
    out = args.out or default_results_path(args.input, "checked")
    refuse_clashing_paths([("the input", args.input), ("--mapping", args.mapping), ("--out", out)])
    require_writer(out)
    check_writable(out, role="--out")  # before the file is read, which may take long
    # A large CSV file is read in chunks without being asked (args.stream asks for it whatever the
    # size): the output is the same, the memory flat.
    if args.sheet is None and (
        getattr(args, "stream", False) or should_stream(args.input, encoding=args.encoding)
    ):
        return _run_streaming(args, out)
    prepared, line = describe_input(args)
    write_results(prepared.df, out, protect=[p for p in (args.input, args.mapping) if p is not None])
    print(line)
    print(format_summary(prepared.summary, prepared.errors))
    print(f"results written to {out}")
    return _exit_status(prepared.summary["ready"], len(prepared.df))


def _exit_status(ready: int, rows: int) -> int:
    """0 when every row is ready, else 1; a file of no rows (a header alone) has none ready."""
    if not rows:
        print("no row to check: the file has a header and no data rows (was the export filtered?)")
    sys.stdout.flush()
    return 0 if rows and ready == rows else 1
