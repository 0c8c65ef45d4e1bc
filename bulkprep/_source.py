"""What the readers share: where the input comes from (a path or an open file, loaded whole, with a
name for messages), and how a header becomes column names.

``read_csv`` and ``read_excel`` take the same kinds of source and say the same things when one cannot be
read, so they load it here.

Example:
    >>> import io
    >>> load(io.BytesIO(b"id\\n1\\n"), reader="read_csv", kind="CSV file")
    Loaded(content=b'id\\n1\\n', name='<buffer>', text_encoding=None)
    >>> load(42, reader="read_csv", kind="CSV file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bulkprep.errors.InputError: read_csv reads a file path or an open file, not a int; ...
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NamedTuple

from bulkprep.errors import InputError
from bulkprep.status import ROW_KEY, Column

__all__ = ["MAX_INPUT_BYTES", "Loaded", "column_names", "load", "suffix_of"]

READ_ERROR = Column.READ_ERROR.value

MAX_INPUT_BYTES: Final = 2**30
"""The most bytes (1 GiB) read of one input file: several million users, far beyond one Courier job's
worth of rows in practice, while a device or a file that never stops growing is refused, not read."""


class Loaded(NamedTuple):
    """A source's content (bytes, or text from a text buffer), its name, and a text buffer's encoding."""

    content: bytes | str
    name: str
    text_encoding: str | None


def suffix_of(source: object) -> str | None:
    """The lower-cased file suffix of a path source (``".xlsx"``), or None for a buffer.

    Example:
        >>> suffix_of("Users.XLSX"), suffix_of("users.csv"), suffix_of(object())
        ('.xlsx', '.csv', None)
    """
    if isinstance(source, str | os.PathLike):
        return Path(source).suffix.lower()
    return None


def load(source: object, *, reader: str, kind: str, limit: int | None = None) -> Loaded:
    """Load ``source`` whole; ``reader`` and ``kind`` name the caller and what it reads, for messages.

    A path must name a regular file: a directory, a named pipe, a device such as ``/dev/zero`` or a
    socket is refused before anything is read (a pipe would block, a device never ends). At most
    ``limit`` bytes (:data:`MAX_INPUT_BYTES` by default) are read, from a path or a buffer, so that a
    file growing while it is read cannot take the memory.

    Raises:
        InputError: a missing path, a path that is not a regular file, a file that cannot be read or
            is larger than ``limit``, or an object without ``read()``.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return Loaded(_read_file(path, kind=kind, limit=limit), str(path), None)
    read = getattr(source, "read", None)
    if not callable(read):
        raise InputError(
            f"{reader} reads a file path or an open file, not a {type(source).__name__}; "
            f"for a DataFrame you already have, skip {reader}"
        )
    name = getattr(source, "name", None)
    label = str(name) if name is not None else "<buffer>"
    content = _read_at_most(read, limit, label=label)
    text_encoding = getattr(source, "encoding", None) if isinstance(content, str) else None
    return Loaded(content, label, text_encoding)


def _read_file(path: Path, *, kind: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, told apart from other things a path can name first."""
    try:
        # stat, not open: opening a named pipe for reading blocks until someone writes to it.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, mode, kind=kind)
        # Without blocking, in case a pipe took the file's place since; fstat tells what was opened.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as file:
            opened = os.fstat(file.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise _not_a_file(path, opened.st_mode, kind=kind)
            if opened.st_size > limit:
                raise _too_large(str(path), limit, f" (it is {opened.st_size:,} bytes)")
            data = file.read(opened.st_size)  # one buffer for the file as it is now
            more = _read_at_most(file.read, limit - len(data), label=str(path), growing=True, total=limit)
    except FileNotFoundError:
        raise InputError(
            f"file not found: {path} (looked in {Path.cwd()}); check the name and the folder"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    return data + more if isinstance(more, bytes) and more else data


_CHUNK_SIZE: Final = 1 << 24  # bytes or characters read at a time


def _read_at_most(
    read: Callable[[int], object], limit: int, *, label: str, growing: bool = False, total: int | None = None
) -> bytes | str:
    """What ``read`` gives until its end, refused once it is more than ``limit`` (bytes or characters).

    Read in chunks, so that no buffer of ``limit`` is set aside for a small file. ``total`` is the
    limit to name in the message, when ``limit`` is what is left of it.
    """
    chunks: list[Any] = []
    size = 0
    while True:
        chunk = read(_CHUNK_SIZE)
        if not isinstance(chunk, bytes | str):
            raise InputError(f"reading {label} gave {type(chunk).__name__}, not bytes or text")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(
                label, limit if total is None else total, " (it grew while it was read)" if growing else ""
            )
    if isinstance(chunk, str):
        return "".join(chunks)
    return b"".join(chunks)


def _not_a_file(path: Path, mode: int, *, kind: str) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError(f"{path} is a directory, not a {kind}; pass the path of a file inside it")
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    else:
        what = "not a regular file"
    return InputError(
        f"{path} is {what}, not a {kind}; save the data to a file first and pass that file's path"
    )


def _too_large(label: str, limit: int, detail: str = "") -> InputError:
    return InputError(
        f"{label} is larger than the {limit:,} bytes bulkprep reads of it{detail}; split it into smaller "
        "files and read each"
    )


def column_names(header: list[str]) -> tuple[list[str], dict[str, str]]:
    """Column names from a header: blank ones named by position, duplicates suffixed ``.1``, ``.2``.

    ``bulk_row`` and ``bulk_read_error`` are the readers' own, so file columns of those names are renamed.
    Returns the names and a mapping of each new name to the header text it replaces.

    Example:
        >>> column_names(["id", "", "id", "bulk_row"])
        (['id', 'column_2', 'id.1', 'bulk_row.1'], {'column_2': '', 'id.1': 'id', 'bulk_row.1': 'bulk_row'})
    """
    taken = {ROW_KEY, READ_ERROR} | {text for text in header if text.strip()}
    seen: set[str] = {ROW_KEY, READ_ERROR}
    names: list[str] = []
    renamed: dict[str, str] = {}
    for position, text in enumerate(header, start=1):
        name = text if text.strip() else f"column_{position}"
        if name in seen or (name != text and name in taken):
            base, suffix = name, 1
            while f"{base}.{suffix}" in seen or f"{base}.{suffix}" in taken:
                suffix += 1
            name = f"{base}.{suffix}"
        if name != text:
            renamed[name] = text
        seen.add(name)
        names.append(name)
    return names, renamed
