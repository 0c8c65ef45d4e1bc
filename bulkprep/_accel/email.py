"""Decide the plain email addresses of a column without validating each one.

In a users file nearly every address is distinct, but the domains are few. For an address whose part
before the ``@`` is a plain ASCII dot-atom (``ann.lee+news``), email-validator's verdict depends on the
domain alone, plus one length limit: the local part passes its checks, is kept as written (unless it
is a role name such as ``info``, which the library lower-cases), and the normalized address is that
local part, ``@`` and the domain as the library normalizes it. So each distinct domain is validated
once, with a stand-in local part, and the addresses are decided column-wise.

An internationalized address (RFC 6531: letters of any script before the ``@``, ``zoë.brontë@``,
``たなか@例え.jp``) is decided the same way, in bulk: each distinct text is put in NFC form (as the
per-value path does before calling the library), its local part must be a dot-atom of ASCII atext and
non-ASCII letters, digits and combining marks (no mark first), the characters email-validator's
internationalized dot-atom and its unsafe-character check both allow; the characters are classified
once per distinct character of the column, not per address. Such a local part is kept as written
(no role name is lower-cased when the local part is not ASCII), and the length limit is checked in
UTF-8 octets on the forms the library checks. This part runs only with the email-validator versions
it was compared against (:data:`UNICODE_LOCAL_PROVEN`); with others those addresses go to the library.

This path only ever accepts. Everything else (non-ASCII punctuation, symbols or spaces, quoted local
parts, display names, ``mailto:``, role names, local parts over 64 characters, domains the library
refuses, addresses near the length limit) is left to the per-value path, which gives the library's
own message.

The limits are the RFCs' own, written here rather than read from email-validator's non-public
``rfc_constants``. What differs between the library's versions (found by running the differential
tests against 2.1.0, 2.1.1, 2.1.2, 2.2.0, 2.3.0 and 2.4.0):

- email-validator 2.1.x and 2.2.0 refuse a local part over 64 octets ("too long before the @-sign");
  from 2.3.0 that check runs only with ``strict=True``, so the default accepts it. Such local parts are
  left to the library, which then decides either way.
- email-validator 2.1.0 lower-cases ``marking@`` instead of ``marketing@`` (a typo in its list of role
  names, fixed in 2.1.1): both are left to the library.

Example:
    >>> import email_validator
    >>> accepted, normalized = plain_addresses(
    ...     np.array([" Ann.Lee@EXAMPLE.com", "info@example.com", "bad"], dtype=object),
    ...     email_validator.validate_email)
    >>> accepted.tolist(), normalized.tolist()
    ([True, False, False], ['Ann.Lee@example.com', None, None])
    >>> plain_addresses(np.array(["Zoë.Brontë@BÜCHER.de"], dtype=object), email_validator.validate_email)[1]
    array(['Zoë.Brontë@bücher.de'], dtype=object)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from importlib import metadata
from itertools import repeat
from operator import itemgetter
from typing import Any

import email_validator
import numpy as np
import pandas as pd

from bulkprep._accel.textops import INVISIBLE, fullmatches

__all__ = ["UNICODE_LOCAL_PROVEN", "plain_addresses"]

# RFC 5322 atext, exactly the characters of email-validator's ASCII dot-atom.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
# The whole text is an ASCII address with a dot-atom local part, maybe with ASCII whitespace around
# it (which str.strip removes). A text that matches is unchanged by NFC and holds none of the
# invisible characters the clean-up removes.
_PLAIN = rf"[\t-\r ]*[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@[!-~]*[\t-\r ]*"
# A text that may be an internationalized address: no ASCII whitespace or control inside, nothing the
# per-value clean-up would remove or unwrap (the invisible characters, "<", ">", quotes), an "@". The
# precise test of the local part comes after NFC, per character class; the domain is the library's.
_NOT_INSIDE = '\\x00-\\x20"<>' + INVISIBLE
_MAYBE_UNICODE = rf"[\t-\r ]*[^{_NOT_INSIDE}@]+@[^{_NOT_INSIDE}]+[\t-\r ]*"
_PROBE_LOCAL = "a"  # a local part that is valid and no role name
# RFC 5321 4.5.3.1.1: a local part is at most 64 octets (the text is ASCII here: one octet a character).
LOCAL_PART_MAX_LENGTH = 64
# RFC 5321 4.5.3.1.3 limits a path to 256 octets, angle brackets included: 254 for the address.
EMAIL_MAX_LENGTH = 254
# The mailbox names of RFC 2142 (sections 3 to 5, postmaster also RFC 5321 4.5.1), which email-validator
# treats as case-insensitive and lower-cases; "marking" is its 2.1.0 spelling of "marketing".
ROLE_NAMES = frozenset(
    {
        *("info", "marketing", "sales", "support"),
        *("abuse", "noc", "security"),
        *("postmaster", "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp"),
        "marking",
    }
)


UNICODE_LOCAL_PROVEN: tuple[tuple[int, int], tuple[int, int]] = ((2, 4), (2, 5))
"""The email-validator versions (low inclusive, high exclusive) the internationalized local parts are
decided here with: the differential tests were run against 2.4.0 for them."""


@functools.cache
def _installed_within(span: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    """Whether the installed email-validator's version is in ``span`` (low inclusive, high exclusive)."""
    found = re.match(r"(\d+)\.(\d+)", metadata.version("email-validator"))
    if found is None:
        return False
    low, high = span
    return low <= (int(found[1]), int(found[2])) < high


def _unicode_local_proven() -> bool:
    """Whether the installed email-validator is one the internationalized path was compared against."""
    return _installed_within(UNICODE_LOCAL_PROVEN)


def _local_pattern(texts: list[str]) -> re.Pattern[str]:
    """A dot-atom of ASCII atext and the non-ASCII characters of ``texts`` the library allows there.

    email-validator accepts any character from U+0080 in an internationalized dot-atom, then refuses
    the unsafe ones by Unicode category; letters and digits (categories L and N) pass anywhere and
    combining marks (M) anywhere but first. Punctuation and symbols are allowed by the library too,
    but left to it here (some look like the ``<``, ``:`` or spaces the per-value clean-up acts on).
    """
    extra = {c for c in set("".join(texts)) if ord(c) > 0x7F}
    first = "".join(re.escape(c) for c in sorted(extra) if unicodedata.category(c)[0] in "LN")
    marks = "".join(re.escape(c) for c in sorted(extra) if unicodedata.category(c)[0] == "M")
    start = f"[{_ATEXT}{first}]"
    rest = f"[{_ATEXT}{first}{marks}]"
    return re.compile(f"{start}{rest}*(?:\\.{rest}+)*")


def _domain_forms(domain: str, validate: Callable[..., Any]) -> tuple[str, int] | None:
    """The normalized domain and the longest byte length of its forms, or None when it is refused."""
    try:
        checked = validate(f"{_PROBE_LOCAL}@{domain}", check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    normalized = str(checked.normalized)[len(_PROBE_LOCAL) + 1 :]
    ascii_domain = getattr(checked, "ascii_domain", None)
    if ascii_domain is None:
        if not normalized.isascii():
            return None  # the ASCII form is unknown, so the length limit cannot be checked here
        ascii_domain = normalized
    # The library checks the length of the address as written, as normalized and with the ASCII domain,
    # each in UTF-8 octets.
    longest = max(len(domain.encode("utf-8")), len(normalized.encode("utf-8")), len(str(ascii_domain)))
    return normalized, longest


SHAPED_DOMAINS_PROVEN: tuple[tuple[int, int], tuple[int, int]] = ((2, 4), (2, 5))
"""The email-validator versions (low inclusive, high exclusive) whose verdict on a plain ASCII domain
is read from a stand-in of the same shape: the differential tests were run against 2.4.0 for it."""

# Letters and digits as the stand-in of a plain ASCII domain writes them (a domain is compared
# lower-cased, as email-validator compares it).
_SHAPE = str.maketrans("abcdefghijklmnopqrstuvwxyz0123456789", "a" * 26 + "0" * 10)


def _shaped_domains_proven() -> bool:
    """Whether the installed email-validator is one the stand-in domains were compared against."""
    return _installed_within(SHAPED_DOMAINS_PROVEN)


def _stand_in(domain: str) -> str:
    """A plain domain with the same verdict: each ASCII letter before the last dot an ``a``, each
    ASCII digit a ``0``, the dots, hyphens, other letters and last label as they are.

    email-validator decides such a domain (ASCII letters, digits, dots and hyphens, maybe
    :func:`_plain_letter` s, no ``xn--``) by its lower-cased form alone: its length and its labels'
    lengths, where its dots and hyphens are (at the ends of a label, side by side, two hyphens after
    two characters), whether it has a dot, its top-level domain (a letter last, no special-use
    name), and which other letters it holds where. The stand-in keeps all of that, so a business
    file's hundred thousand company domains take a few hundred validations.

    Example:
        >>> _stand_in("Mueller-Bau123.CO.UK"), _stand_in("Müller-Bau123.de")
        ('aaaaaaa-aaa000.aa.uk', 'aüaaaa-aaa000.de')
    """
    head, dot, tld = domain.lower().rpartition(".")
    return head.translate(_SHAPE) + dot + tld


def _plain_letter(char: str) -> bool:
    """Whether ``char`` is a non-ASCII letter whose verdict in a domain does not depend on its neighbours.

    A lower-case letter written left to right (``ü``, ``ø``, ``ł``, ``ж``), no combining mark and in
    NFC form: IDNA's contextual rules (joiners, the middle dot), its right-to-left rule and NFC's
    compositions never involve it, and the ASCII letters and digits around it are all of one kind
    for them. Its own verdict (allowed or not, mapped or not) is the stand-in's, which keeps it.
    """
    return (
        ord(char) > 0x7F
        and unicodedata.category(char) == "Ll"
        and unicodedata.bidirectional(char) == "L"
        and unicodedata.combining(char) == 0
        and unicodedata.normalize("NFC", char) == char
    )


def _shaped(domains: np.ndarray) -> np.ndarray:
    """Which domains :func:`_stand_in` decides: ASCII letters, digits, dots and hyphens and
    :func:`_plain_letter` s only, no ``xn--``."""
    letters = "".join(sorted(c for c in set("".join(domains.tolist())) if _plain_letter(c)))
    shaped = fullmatches(domains, f"[A-Za-z0-9.\\-{re.escape(letters)}]+")
    shaped[shaped] = ~np.fromiter(
        ("xn--" in text.lower() for text in domains[shaped]), dtype=bool, count=int(shaped.sum())
    )
    return shaped


def _all_domain_forms(domains: np.ndarray, validate: Callable[..., Any]) -> list[tuple[str, int] | None]:
    """:func:`_domain_forms` of every distinct domain; the plain ones by their stand-ins."""
    forms: list[tuple[str, int] | None] = [None] * len(domains)
    shaped = np.zeros(len(domains), dtype=bool)
    if _shaped_domains_proven() and len(domains):
        shaped = _shaped(domains)
    if shaped.any():
        rows = np.flatnonzero(shaped)
        texts = domains[rows].tolist()
        codes, stand_ins = pd.factorize(np.fromiter(map(_stand_in, texts), dtype=object, count=len(texts)))
        verdicts = [_domain_forms(text, validate) for text in stand_ins]
        # A stand-in the library writes otherwise than as it is (a letter it maps to another) says
        # nothing of the domain's own form: such domains are validated themselves.
        kept = [
            verdict is None or verdict[0] == text for verdict, text in zip(verdicts, stand_ins, strict=True)
        ]
        for row, text, code in zip(rows.tolist(), texts, codes.tolist(), strict=True):
            verdict = verdicts[code]
            if not kept[code]:
                forms[row] = _domain_forms(text, validate)
            elif verdict is not None:
                # The domain is normalized to lower case, and its forms are as long as the stand-in's.
                forms[row] = (text.lower(), verdict[1])
    for row in np.flatnonzero(~shaped).tolist():
        forms[row] = _domain_forms(domains[row], validate)
    return forms


def plain_addresses(values: np.ndarray, validate: Callable[..., Any]) -> tuple[np.ndarray, np.ndarray]:
    """Which ``values`` are valid plain addresses, and their normalized form.

    Args:
        values: distinct raw values (any objects; only text can be accepted).
        validate: the syntax check, called once per distinct domain as
            ``validate("a@" + domain, check_deliverability=False)``.

    Returns:
        A boolean array (True: decided valid here) and an object array with the normalized address
        where accepted, None elsewhere. False means "not decided", never "invalid".
    """
    accepted = np.zeros(len(values), dtype=bool)
    normalized = np.full(len(values), None, dtype=object)
    is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    texts = pd.Series(values[is_text], index=np.flatnonzero(is_text), dtype="object")
    is_plain = fullmatches(texts, _PLAIN)
    plain = texts[is_plain]
    addresses = np.fromiter(map(str.strip, plain.to_numpy(dtype=object)), dtype=object, count=len(plain))
    if len(addresses):
        _decide_ascii_local(plain.index.to_numpy(), addresses, validate, accepted, normalized)
    if _unicode_local_proven():
        others = texts[~is_plain]
        # Series.str.isascii is pandas 3 only.
        non_ascii = ~np.fromiter(map(str.isascii, others), dtype=bool, count=len(others))
        others = others[fullmatches(others, _MAYBE_UNICODE) & non_ascii]
        if len(others):
            _decide_unicode_local(others, validate, accepted, normalized)
    return accepted, normalized


def _split(addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The local parts and domains of ``addresses``, split at the first ``@`` as the library splits."""
    halves = list(map(str.partition, addresses.tolist(), repeat("@")))
    local = np.fromiter(map(itemgetter(0), halves), dtype=object, count=len(halves))
    domain = np.fromiter(map(itemgetter(2), halves), dtype=object, count=len(halves))
    return local, domain


def _accept(
    rows: np.ndarray,
    local: np.ndarray,
    domain: np.ndarray,
    local_octets: np.ndarray,
    validate: Callable[..., Any],
    accepted: np.ndarray,
    normalized: np.ndarray,
) -> None:
    """Accept the addresses whose domain the library accepts and whose length fits; write their forms."""
    domain_codes, domains = pd.factorize(domain)
    forms = _all_domain_forms(np.asarray(domains, dtype=object), validate)
    known = np.array([form is not None for form in forms], dtype=bool)
    domain_text = np.array([form[0] if form else None for form in forms], dtype=object)
    longest = np.array([form[1] if form else 0 for form in forms], dtype=np.int64)
    ok = known[domain_codes] & (local_octets + 1 + longest[domain_codes] <= EMAIL_MAX_LENGTH)
    out = local + "@" + domain
    # Most domains are written as the library writes them; the others get their normalized form.
    changed = np.flatnonzero(ok & (domain_text[domain_codes] != domains[domain_codes]))
    if len(changed):
        out[changed] = local[changed] + "@" + domain_text[domain_codes[changed]]
    accepted[rows[ok]] = True
    normalized[rows[ok]] = out[ok]


def _decide_ascii_local(
    rows: np.ndarray,
    addresses: np.ndarray,
    validate: Callable[..., Any],
    accepted: np.ndarray,
    normalized: np.ndarray,
) -> None:
    """Decide ASCII addresses with a dot-atom local part (``rows``: their places in the values)."""
    # The local part holds no "@": the first one splits the address, as the library splits it.
    local, domain = _split(addresses)
    # Role names (info@, support@, ...) are lower-cased by the library: leave them to it. The local
    # part is ASCII here, so str.lower is the library's case-insensitive comparison. Local parts over
    # the RFC's limit are refused by some versions of the library and not by others: leave them too.
    local_length = np.fromiter(map(len, local), dtype=np.int64, count=len(local))
    role = np.fromiter(map(ROLE_NAMES.__contains__, map(str.lower, local)), dtype=bool, count=len(local))
    keep = ~role & (local_length <= LOCAL_PART_MAX_LENGTH)
    _accept(rows[keep], local[keep], domain[keep], local_length[keep], validate, accepted, normalized)


def _decide_unicode_local(
    texts: pd.Series, validate: Callable[..., Any], accepted: np.ndarray, normalized: np.ndarray
) -> None:
    """Decide addresses with non-ASCII text (``texts`` indexed by their places in the values)."""
    # The per-value path strips, unwraps and puts the text in NFC before the library sees it; here
    # only texts with nothing to unwrap or strip but ASCII whitespace at the ends get this far.
    addresses = texts.str.strip().str.normalize("NFC").to_numpy(dtype=object)
    local, domain = _split(addresses)
    pattern = _local_pattern(local.tolist())
    good = np.fromiter((pattern.fullmatch(text) is not None for text in local), dtype=bool, count=len(local))
    local_length = np.fromiter(map(len, local), dtype=np.int64, count=len(local))
    octets = np.fromiter((len(text.encode("utf-8")) for text in local), dtype=np.int64, count=len(local))
    # An ASCII local part (before an internationalized domain) may be a role name: leave those.
    role = np.fromiter(
        (text.isascii() and text.lower() in ROLE_NAMES for text in local), dtype=bool, count=len(local)
    )
    keep = good & ~role & (local_length <= LOCAL_PART_MAX_LENGTH) & (octets <= LOCAL_PART_MAX_LENGTH)
    rows = texts.index.to_numpy()
    _accept(rows[keep], local[keep], domain[keep], octets[keep], validate, accepted, normalized)
