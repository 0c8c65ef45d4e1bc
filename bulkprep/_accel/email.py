"""Decide the plain email addresses of a column without validating each one.

In a users file nearly every address is distinct, but the domains are few. For an address whose part
before the ``@`` is a plain ASCII dot-atom (``ann.lee+news``), email-validator's verdict depends on the
domain alone, plus one length limit: the local part passes its checks, is kept as written (unless it
is a role name such as ``info``, which the library lower-cases), and the normalized address is that
local part, ``@`` and the domain as the library normalizes it. So each distinct domain is validated
once, with a stand-in local part, and the addresses are decided column-wise.

This path only ever accepts. Everything else (non-ASCII text such as the UTF-8 local parts of RFC 6531,
quoted local parts, display names, ``mailto:``, role names, local parts over 64 octets, domains the
library refuses, addresses near the length limit) is left to the per-value path, which gives the
library's own message.

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
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from typing import Any

import email_validator
import numpy as np
import pandas as pd

from bulkprep._accel.textops import fullmatches

__all__ = ["plain_addresses"]

# RFC 5322 atext, exactly the characters of email-validator's ASCII dot-atom.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
# The whole text is an ASCII address with a dot-atom local part, maybe with ASCII whitespace around
# it (which str.strip removes). A text that matches is unchanged by NFC and holds none of the
# invisible characters the clean-up removes.
_PLAIN = rf"[\t-\r ]*[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@[!-~]*[\t-\r ]*"
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
    # The library checks the length of the address as written, as normalized and with the ASCII domain.
    longest = max(len(domain), len(normalized.encode("utf-8")), len(str(ascii_domain)))
    return normalized, longest


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
    plain = texts[fullmatches(texts, _PLAIN)]
    addresses = np.fromiter(map(str.strip, plain.to_numpy(dtype=object)), dtype=object, count=len(plain))
    if not len(addresses):
        return accepted, normalized
    # The local part holds no "@": the first one splits the address, as the library splits it.
    halves = list(map(str.partition, addresses.tolist(), repeat("@")))
    local = np.fromiter(map(itemgetter(0), halves), dtype=object, count=len(halves))
    domain = np.fromiter(map(itemgetter(2), halves), dtype=object, count=len(halves))
    # Role names (info@, support@, ...) are lower-cased by the library: leave them to it. The local
    # part is ASCII here, so str.lower is the library's case-insensitive comparison. Local parts over
    # the RFC's limit are refused by some versions of the library and not by others: leave them too.
    local_length = np.fromiter(map(len, local), dtype=np.int64, count=len(local))
    role = np.fromiter(map(ROLE_NAMES.__contains__, map(str.lower, local)), dtype=bool, count=len(local))
    keep = ~role & (local_length <= LOCAL_PART_MAX_LENGTH)
    plain, addresses, local, domain = plain[keep], addresses[keep], local[keep], domain[keep]
    local_length = local_length[keep]
    domain_codes, domains = pd.factorize(domain)
    forms = [_domain_forms(text, validate) for text in domains]
    known = np.array([form is not None for form in forms], dtype=bool)
    domain_text = np.array([form[0] if form else None for form in forms], dtype=object)
    longest = np.array([form[1] if form else 0 for form in forms], dtype=np.int64)
    ok = known[domain_codes] & (local_length + 1 + longest[domain_codes] <= EMAIL_MAX_LENGTH)
    out = addresses.copy()
    # Most domains are written as the library writes them; the others get their normalized form.
    changed = np.flatnonzero(ok & (domain_text[domain_codes] != domains[domain_codes]))
    if len(changed):
        out[changed] = local[changed] + "@" + domain_text[domain_codes[changed]]
    rows = plain.index.to_numpy()[ok]
    accepted[rows] = True
    normalized[rows] = out[ok]
    return accepted, normalized
