"""Files bulkprep writes (results, errors): checked before any work, written whole, owner-only.

A results file is the one record of what was sent; finding at the end of a run that it cannot be
written (a missing folder, a name too long, a folder in its place) leaves the outcomes in the journal
alone. :func:`check_writable` asks the file system before anything is sent. :func:`replaced_atomically`
writes a file beside the target and moves it into place in one step: a reader never sees half a file,
and a symbolic link put at the target meanwhile is replaced, never written through. The files hold
people's names, addresses and phone numbers: a new one is readable by its owner only (mode 0600),
whatever the umask; a file that is replaced keeps the mode it had.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_writable(folder / "results.csv", role="--out")
    >>> with replaced_atomically(folder / "results.csv") as part:
    ...     _ = part.write_text("bulk_row\\n")
    >>> oct((folder / "results.csv").stat().st_mode & 0o777)
    '0o600'
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from bulkprep.errors import ConfigurationError

__all__ = ["OWNER_ONLY", "check_writable", "create_owner_only", "names_a_folder", "replaced_atomically"]

#: The mode of every new results, errors and journal file: read and written by its owner only.
OWNER_ONLY = 0o600

_HINT = "check that the folder exists and is writable and that the name is a file's"
_BEFORE = "(stopped before any work: nothing was sent)"


def names_a_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is written as a folder's: ending in a path separator (``newdir/``), existing or not.

    ``Path`` drops the trailing separator, so this is asked of the path as given.

    Example:
        >>> names_a_folder("newdir/"), names_a_folder("results.csv")
        (True, False)
    """
    return os.fspath(path).endswith(tuple(sep for sep in (os.sep, os.altsep) if sep))


def check_writable(path: str | os.PathLike[str], *, role: str) -> None:
    """Raise :class:`ConfigurationError` now if ``path`` could not be written at the end of a run.

    The folder must exist and be writable, ``path`` must not be a folder, and its name must fit: a
    file of that name is created and removed (or, when the file exists, one beside it).

    Example:
        >>> import tempfile
        >>> try:
        ...     check_writable(tempfile.gettempdir(), role="--out")
        ... except ConfigurationError as exc:
        ...     print(str(exc).split(": ")[1][:32])
        it is a folder; give a file name
    """
    target = Path(path)
    if os.path.isdir(target):  # False, not an error, for a name too long
        raise ConfigurationError(f"cannot write {role} {target}: it is a folder; give a file name {_BEFORE}")
    if names_a_folder(path):  # else newdir/ would be written as a file named newdir
        raise ConfigurationError(
            f"cannot write {role} {os.fspath(path)}: a name ending in a path separator is a folder's; "
            f"give a file name {_BEFORE}"
        )
    if _is_special(target):  # a device or a pipe (/dev/null) is written to where it is
        if not os.access(target, os.W_OK):
            raise ConfigurationError(f"cannot write {role} {target}: permission denied {_BEFORE}")
        if _no_reader(target):
            raise ConfigurationError(
                f"cannot write {role} {target}: it is a named pipe that no program reads from, and "
                f"writing to it would wait forever; start its reader first, or give a file name {_BEFORE}"
            )
        return
    try:
        if os.path.lexists(target):
            probe, name = tempfile.mkstemp(dir=_folder(target), prefix=".bulkprep-", suffix=".tmp")
        else:
            probe, name = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY), str(target)
        os.close(probe)
        os.unlink(name)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {role} {target}: {exc.strerror or exc}; {_HINT} {_BEFORE}"
        ) from None


@contextlib.contextmanager
def replaced_atomically(
    path: str | os.PathLike[str], *, protect: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[Path]:
    """A scratch file beside ``path`` to write; when the block ends, it replaces ``path`` in one step.

    The scratch file is owner-only (or takes the mode of the file it replaces). A symbolic link at
    ``path`` is replaced, never followed. Right before the replacement, the file that would be replaced
    is compared with each of ``protect`` (the input, the mapping): a folder swapped meanwhile must
    not make the results land on one of them. When the block fails, the scratch file is removed. A
    device or a named pipe at ``path`` (``/dev/null``) is handed back itself, written where it is.

    Raises:
        ConfigurationError: the scratch file cannot be created, or ``path`` now names a protected file.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
        >>> with replaced_atomically(target) as part:
        ...     _ = part.write_text("a\\n")
        >>> target.read_text(), part.exists()
        ('a\\n', False)
    """
    target = Path(path)
    if _is_special(target):  # a device or a pipe (/dev/null) is written to, never replaced by a file
        yield target
        return
    try:
        handle, name = tempfile.mkstemp(dir=_folder(target), prefix=".bulkprep-", suffix=".tmp")
    except OSError as exc:
        raise ConfigurationError(f"cannot write {target}: {exc.strerror or exc}; {_HINT}") from None
    part = Path(name)
    try:
        try:
            os.fchmod(handle, _mode_for(target))
        finally:
            os.close(handle)
        yield part
        _refuse_protected(target, protect)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def create_owner_only(path: str | os.PathLike[str]) -> None:
    """Create ``path`` empty and owner-only if it does not exist (a file another library then opens).

    Example:
        >>> import tempfile, pathlib
        >>> journal = pathlib.Path(tempfile.mkdtemp()) / "j.sqlite"
        >>> create_owner_only(journal)
        >>> oct(journal.stat().st_mode & 0o777)
        '0o600'
    """
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return
    try:
        os.fchmod(handle, OWNER_ONLY)  # the umask may have taken bits off the owner's too
    finally:
        os.close(handle)


def _is_special(target: Path) -> bool:
    """Whether ``target`` is there and neither a regular file nor a folder: a device, a pipe, a socket.

    A symbolic link counts by what it leads to when that is special (``/dev/stdout``,
    ``/proc/self/fd/1``): it is written through, never replaced by a file. A link to a regular file,
    or to nothing, is not special (it is replaced, never followed).
    """
    try:
        found = os.lstat(target).st_mode
        if stat.S_ISLNK(found):
            found = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(found) or stat.S_ISDIR(found) or stat.S_ISLNK(found))


def _no_reader(target: Path) -> bool:
    """Whether ``target`` is a named pipe that no program reads from (writing to it would wait forever)."""
    try:
        if not stat.S_ISFIFO(os.stat(target).st_mode):
            return False
        probe = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        return exc.errno == errno.ENXIO
    os.close(probe)
    return False


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _mode_for(target: Path) -> int:
    """The mode of the regular file at ``target`` (a replaced file keeps it), else owner-only."""
    try:
        found = os.lstat(target)
    except OSError:
        return OWNER_ONLY
    return stat.S_IMODE(found.st_mode) if stat.S_ISREG(found.st_mode) else OWNER_ONLY


def _refuse_protected(target: Path, protect: Iterable[str | os.PathLike[str]]) -> None:
    # The entry os.replace would take: the folder resolved, the last name as it is (a link there is
    # replaced, not followed).
    landing = _folder(target).resolve() / target.name
    for path in protect:
        kept = Path(path).expanduser()
        same = landing == kept.resolve()
        with contextlib.suppress(OSError):
            same = same or os.path.samestat(os.lstat(landing), os.stat(kept))
        if same:
            raise ConfigurationError(
                f"{target} now names the same file as {kept}: the results were not written over it"
            )
