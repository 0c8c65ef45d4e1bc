"""The column-wise fast paths of normalization, and the one gate that decides when they may run.

:mod:`bulkprep.normalize` decides each distinct email address and phone number with the libraries
themselves (email-validator, phonenumbers): that is the reference. The modules of this package decide
the plainly written values of a whole column at once and must give exactly the library's verdict; they
lean on how the libraries behave (phonenumbers' metadata and parsing steps, email-validator's limits and
role names), which a new release may change. So a fast path runs only when all of these hold:

- it is not switched off: ``BULKPREP_ACCEL=0`` in the environment, or inside :func:`disabled`;
- the installed library is inside the range of versions the differential tests
  (``tests/test_normalize_fast.py``) were run against (:data:`PROVEN`);
- at its first use in the process, it agrees with the library on a built-in corpus
  (:mod:`bulkprep._accel.corpus`): one disagreement (or a failure) and it stays off for the process.

When a fast path is off, every value takes the library's path: the same verdicts, more slowly.

Example:
    >>> with disabled():
    ...     enabled("email"), enabled("phone")
    (False, False)
    >>> enabled("email")
    True
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Final, Literal, NamedTuple

import email_validator
import numpy as np

from bulkprep._accel.email import plain_addresses
from bulkprep._accel.phone import Rejected, plain_verdicts

__all__ = [
    "ENV_VAR",
    "PROVEN",
    "FastPath",
    "Range",
    "Rejected",
    "checked_first_use",
    "disabled",
    "email_path",
    "enabled",
    "phone_path",
    "reason",
    "version_verdict",
]

FastPath = Literal["email", "phone"]

ENV_VAR: Final = "BULKPREP_ACCEL"
"""``BULKPREP_ACCEL=0`` (or ``false``, ``no``, ``off``) turns every fast path off."""

_OFF_WORDS: Final = frozenset({"0", "false", "no", "off"})


class Range(NamedTuple):
    """The versions of a library a fast path is proven against: ``low <= version < high``."""

    distribution: str
    low: tuple[int, int]
    high: tuple[int, int]
    why: str

    def holds(self, version: tuple[int, int]) -> bool:
        """Whether ``version`` (major, minor) is inside the range.

        Example:
            >>> PROVEN["email"].holds((2, 1)), PROVEN["email"].holds((3, 0))
            (True, False)
        """
        return self.low <= version < self.high


PROVEN: Final[dict[FastPath, Range]] = {
    "email": Range(
        "email-validator",
        (2, 1),
        (2, 5),
        # The differential tests pass against 2.1.0, 2.1.1, 2.1.2, 2.2.0, 2.3.0 and 2.4.0. The 2.1
        # series and 2.2.0 refuse local parts over 64 octets, later versions accept them unless
        # strict=True; 2.1.0 misspells a role name. The fast path leaves both cases to the library
        # (it accepted the long local parts before, which 2.1.x and 2.2.0 refuse).
        "differential tests run against email-validator 2.1.0 to 2.4.0",
    ),
    "phone": Range(
        "phonenumbers",
        (8, 13),
        (9, 1),
        # The fast path mirrors parse and is_valid_number step by step and reads the metadata's
        # fields; the differential tests pass against 8.13.0, 8.13.55 (the last 8.x) and 9.0.43.
        # A later minor release may change a parsing step: it runs the library's path until proven.
        "differential tests run against phonenumbers 8.13.0 to 9.0.43",
    ),
}
"""For each fast path, the library versions it is proven against, and why."""

_lock = threading.Lock()
_switched_off = 0  # how many disabled() blocks are open, in any thread


@contextmanager
def disabled() -> Iterator[None]:
    """Turn every fast path off inside the block, in every thread of the process.

    Example:
        >>> with disabled():
        ...     enabled("phone")
        False
    """
    global _switched_off
    with _lock:
        _switched_off += 1
    try:
        yield
    finally:
        with _lock:
            _switched_off -= 1


def _off_by_switch() -> str | None:
    if _switched_off:
        return "switched off by bulkprep._accel.disabled()"
    if os.environ.get(ENV_VAR, "").strip().lower() in _OFF_WORDS:
        return f"switched off by {ENV_VAR}={os.environ[ENV_VAR]}"
    return None


def _installed(distribution: str) -> tuple[int, int] | None:
    """The installed (major, minor) version of ``distribution``, or None when it cannot be read."""
    try:
        found = re.match(r"(\d+)\.(\d+)", metadata.version(distribution))
    except metadata.PackageNotFoundError:
        return None
    return None if found is None else (int(found[1]), int(found[2]))


def version_verdict(proven: Range) -> str | None:
    """Why the installed version of ``proven.distribution`` is not proven (None: it is).

    Example:
        >>> version_verdict(PROVEN["email"]) is None
        True
        >>> old = Range("email-validator", (1, 0), (2, 0), "tests of 1.x")
        >>> print(version_verdict(old))  # doctest: +ELLIPSIS
        email-validator 2... is outside the proven range >=1.0,<2.0 (tests of 1.x)
    """
    version = _installed(proven.distribution)
    if version is None:
        return f"the version of {proven.distribution} cannot be read"
    if not proven.holds(version):
        low, high = ".".join(map(str, proven.low)), ".".join(map(str, proven.high))
        return (
            f"{proven.distribution} {version[0]}.{version[1]} is outside the proven range "
            f">={low},<{high} ({proven.why})"
        )
    return None


@functools.cache
def _version_verdict(path: FastPath) -> str | None:
    """:func:`version_verdict` of ``path``'s library, read once a process."""
    return version_verdict(PROVEN[path])


# The corpus verdict of each fast path (and default region, for phones) once it has been checked:
# None when the fast path agreed with its library, else what went wrong.
_corpus_verdicts: dict[tuple[FastPath, str | None], str | None] = {}


def _key(path: FastPath, region: str | None) -> tuple[FastPath, str | None]:
    return (path, None if path == "email" else region)


def reason(path: FastPath, region: str | None = None) -> str | None:
    """Why the fast path ``path`` is off now, or None when it may run.

    Args:
        path: ``"email"`` or ``"phone"``.
        region: for phones, the default region (upper case, or None) the numbers are read with.

    Example:
        >>> with disabled():
        ...     reason("email")
        'switched off by bulkprep._accel.disabled()'
    """
    return _off_by_switch() or _version_verdict(path) or _corpus_verdicts.get(_key(path, region))


def enabled(path: FastPath, region: str | None = None) -> bool:
    """Whether the fast path ``path`` (``"email"`` or ``"phone"``) may run now.

    Example:
        >>> enabled("phone", "US")
        True
    """
    return reason(path, region) is None


_Decided = tuple[np.ndarray, np.ndarray]


def _undecided(count: int) -> _Decided:
    return np.zeros(count, dtype=bool), np.full(count, None, dtype=object)


def checked_first_use(
    path: FastPath, region: str | None, decide: Callable[[np.ndarray], _Decided], values: np.ndarray
) -> tuple[_Decided, str | None]:
    """``decide(values)`` with the corpus of ``path`` riding along, and what was wrong (None: nothing).

    One pass over the values and the corpus costs little more than one over the values alone. When
    ``decide`` disagrees with its library on any of the corpus, or fails, every value is left
    undecided (the library's path then decides them all) and the reason says why.

    Example:
        >>> def accepts_anything(texts):
        ...     return np.ones(len(texts), dtype=bool), np.array(texts, dtype=object)
        >>> (accepted, _), why = checked_first_use("email", None, accepts_anything, np.array(["x@y"]))
        >>> accepted.tolist(), why.startswith("the fast path disagrees with email-validator on ")
        ([False], True)
    """
    from bulkprep._accel import corpus  # loaded only when a fast path is about to run

    examples = corpus.values(path, region)
    both = np.concatenate([np.asarray(values, dtype=object), np.array(examples, dtype=object)])
    try:
        accepted, normalized = decide(both)
        found = corpus.disagreement(
            path, region, examples, (accepted[len(values) :], normalized[len(values) :])
        )
    except Exception as exc:  # the fast path broke on this version of the library
        found = f"its first values: {type(exc).__name__}: {exc}"
    if found is not None:
        distribution = PROVEN[path].distribution
        return _undecided(len(values)), f"the fast path disagrees with {distribution} on {found}"
    return (accepted[: len(values)], normalized[: len(values)]), None


def _decide(path: FastPath, region: str | None, values: np.ndarray, code_first: bool = False) -> _Decided:
    """The fast path's verdicts on ``values``; at its first use, checked on the corpus as well."""

    def fast(texts: np.ndarray) -> _Decided:
        if path == "email":
            return plain_addresses(texts, email_validator.validate_email)
        return plain_verdicts(texts, region, code_first=code_first)

    key = _key(path, region)
    if key in _corpus_verdicts:
        return fast(values) if _corpus_verdicts[key] is None else _undecided(len(values))
    decided, _corpus_verdicts[key] = checked_first_use(path, region, fast, values)
    return decided


def email_path() -> Callable[[np.ndarray], _Decided] | None:
    """The email fast path over distinct values, checked with email-validator; None when it is off.

    The callable returns (accepted, normalized); see :func:`bulkprep._accel.email.plain_addresses`.

    Example:
        >>> decide = email_path()
        >>> decide(np.array(["Ann@Example.com", "info@example.com"], dtype=object))[1].tolist()
        ['Ann@example.com', None]
    """
    if not enabled("email"):
        return None
    return functools.partial(_decide, "email", None)


def phone_path(region: str | None, *, code_first: bool = False) -> Callable[[np.ndarray], _Decided] | None:
    """The phone fast path over distinct texts, for default ``region``; None when it is off.

    ``code_first``: the numbers are read as on rows of a country (see
    :func:`bulkprep._accel.phone.plain_verdicts`).

    The callable returns (accepted, verdicts): the E.164 text where valid, a :class:`Rejected`
    where the number is read as phonenumbers reads it and is invalid, None where undecided; see
    :func:`bulkprep._accel.phone.plain_verdicts`.

    Example:
        >>> phone_path("US")(np.array(["(202) 555-0125", "(211) 555-0125", "12"], dtype=object))[1].tolist()
        ['+12025550125', Rejected(country_code=1, digits=10, with_plus=False), None]
    """
    if not enabled("phone", region):
        return None
    return functools.partial(_decide, "phone", region, code_first=code_first)
