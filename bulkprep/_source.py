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
from pathlib import Path
from typing import NamedTuple

from bulkprep.errors import InputError
from bulkprep.status import ROW_KEY, Column

__all__ = ["Loaded", "column_names", "load", "suffix_of"]

READ_ERROR = Column.READ_ERROR.value


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


def load(source: object, *, reader: str, kind: str) -> Loaded:
    """Load ``source`` whole; ``reader`` and ``kind`` name the caller and what it reads, for messages.

    Raises:
        InputError: a missing path, a directory, a file that cannot be read, or an object without
            ``read()``.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a {kind}; pass the path of a file inside it")
        try:
            return Loaded(path.read_bytes(), str(path), None)
        except FileNotFoundError:
            raise InputError(
                f"file not found: {path} (looked in {Path.cwd()}); check the name and the folder"
            ) from None
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    read = getattr(source, "read", None)
    if not callable(read):
        raise InputError(
            f"{reader} reads a file path or an open file, not a {type(source).__name__}; "
            f"for a DataFrame you already have, skip {reader}"
        )
    name = getattr(source, "name", None)
    label = str(name) if name is not None else "<buffer>"
    content = read()
    if not isinstance(content, bytes | str):
        raise InputError(f"reading {label} gave {type(content).__name__}, not bytes or text")
    text_encoding = getattr(source, "encoding", None) if isinstance(content, str) else None
    return Loaded(content, label, text_encoding)


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
