"""The values on which each fast path must agree with its library, checked at its first use in a process.

Each value is one the fast path may decide (plainly written) and one where the two could part ways
with a new library release: lengths at the RFC limits, role names, internationalized domains, national
prefixes, numbers one digit too short or too long. The check runs the fast path on the whole corpus
and compares every value it accepts with the library's own verdict; a value the fast path leaves
undecided is no disagreement (the library decides it anyway).

Example:
    >>> first_disagreement("email") is None, first_disagreement("phone", "US") is None
    (True, True)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import email_validator
import numpy as np
import phonenumbers

from bulkprep._accel.email import plain_addresses
from bulkprep._accel.phone import Rejected, plain_verdicts

__all__ = ["EMAILS", "disagreement", "first_disagreement", "phones", "values"]

_LONG_DOMAIN = ".".join(["abcdefghi"] * 24) + ".com"  # 243 characters

EMAILS: tuple[str, ...] = (
    "ann@example.com",
    " Ann.Lee@EXAMPLE.com ",
    "b+tag@mail.example.co.uk",
    "o'brien@example.org",
    "{x}|~@example.net",
    "a_b-c@123.com",
    # Role names, which the library lower-cases ("marking" is how 2.1.0 spells "marketing").
    "INFO@example.com",
    "Marketing@example.com",
    "MARKING@example.com",
    "PostMaster@example.com",
    # The local part at the 64-octet limit and one over it.
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    # Labels of 63 and 64 characters, the whole address around 254.
    "ann@" + "x" * 63 + ".com",
    "ann@" + "x" * 64 + ".com",
    "a" * 5 + "@" + _LONG_DOMAIN,
    "a" * 6 + "@" + _LONG_DOMAIN,
    "a" * 10 + "@" + _LONG_DOMAIN,
    # Internationalized domains, written in Unicode, in ASCII and in mixed case.
    "ann@xn--bcher-kva.de",
    "ann@xn--bcher-kva.DE",
    "ann@example.xn--p1ai",
    # Domains the library refuses or treats apart.
    "ann@example",
    "ann@localhost",
    "ann@example..com",
    "ann@-example.com",
    "ann@example.local",
    "ann@a.test",
    "ann@[192.168.0.1]",
    # Internationalized local parts (in NFC, as normalize hands them over), with Unicode domains.
    "zoë.brontë@bücher.de",
    "Zoë@BÜCHER.DE",
    "たなか.ゆき@例え.jp",
    "Дмитрий@пример.рф",
    "प्रिया@example.com",
    "\u0301ab@example.com",
    "é" * 33 + "@example.com",
    "ann@例え.jp",
    "INFO@bücher.de",
)
"""Plain addresses (ASCII, maybe with spaces around them) and what the library makes of them."""

# Regions whose example numbers are in every phone corpus: +1 shared by many regions, and national
# prefixes kept (GB, DE) or rewritten (BR). Each calling code costs the fast path a pass of its own.
_PHONE_EXAMPLE_REGIONS = ("US", "CA", "GB", "DE", "BR")


def _variants(digits: str) -> Iterator[str]:
    """``digits``, and the same one digit shorter and one digit longer."""
    yield digits
    yield digits[:-1]
    yield digits + "5"


def phones(region: str | None) -> tuple[str, ...]:
    """Example numbers of a few regions and of ``region``, as E.164 and as dialled nationally, each
    also with a digit less and a digit more.

    Example:
        >>> "+12015550123" in phones("US"), "+33123456789" in phones("FR")
        (True, True)
    """
    found: list[str] = ["(202) 555-0125", "202-555-0125", "+1 202 555 0125", "+44 20 7946 0958"]
    found += ["+49 (0)151 23456789", "020 7946 0958", "12", "123", "+1", "+999 123 456"]
    # Invalid ones: an unassigned area code, the code written without "+", far too long.
    found += ["(211) 555-0125", "1 211 555 0125", "+1 211 555 0125", "1 202 555 01255", "12025550125999"]
    for example_region in dict.fromkeys((*_PHONE_EXAMPLE_REGIONS, region or "US")):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(example_region, kind)
            if number is None:
                continue
            for form in (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL):
                written = phonenumbers.format_number(number, form)
                found += _variants("".join(ch for ch in written if ch == "+" or ch.isdigit()))
    return tuple(dict.fromkeys(found))


def _library_email(text: str) -> str | None:
    """What email-validator makes of a plain address: its normalized form, or None when refused."""
    try:
        checked = email_validator.validate_email(text.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    return str(checked.normalized)


def _library_valid(number: phonenumbers.PhoneNumber, region: str | None) -> bool:
    """Whether a parsed number is valid as normalize decides."""
    main_region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    return bool(
        (
            region is not None
            and main_region == region
            and phonenumbers.is_valid_number_for_region(number, region)
        )
        or phonenumbers.is_valid_number(number)
    )


def _library_phone(text: str, region: str | None) -> str | None:
    """What phonenumbers makes of a plain number: E.164 when valid, else None (as normalize decides)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not _library_valid(number, region) or number.extension:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _library_rejection(text: str, region: str | None) -> tuple[int, int] | None:
    """(calling code, digits of the national significant number) of a number phonenumbers reads
    and finds invalid as normalize decides; None when it fails to read it, or finds it valid."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or number.country_code is None or _library_valid(number, region):
        return None
    return number.country_code, len(phonenumbers.national_significant_number(number))


def values(path: Literal["email", "phone"], region: str | None = None) -> tuple[str, ...]:
    """The corpus of ``path`` (for phones, read under the default ``region``).

    Example:
        >>> len(values("email")) == len(EMAILS)
        True
    """
    return EMAILS if path == "email" else phones(region)


def disagreement(
    path: Literal["email", "phone"],
    region: str | None,
    corpus: tuple[str, ...],
    decided: tuple[np.ndarray, np.ndarray],
) -> str | None:
    """The first value of ``corpus`` the fast path accepted (``decided``) where the library differs.

    Example:
        >>> import numpy as np
        >>> wrong = (np.array([True]), np.array(["x@example.com"], dtype=object))
        >>> disagreement("email", None, ("ann@example.com",), wrong)
        "'ann@example.com': the fast path gives 'x@example.com', the library 'ann@example.com'"
    """
    accepted, normalized = decided
    for value, ok, fast in zip(corpus, accepted.tolist(), normalized.tolist(), strict=True):
        if isinstance(fast, Rejected):
            library_reading = _library_rejection(value, region)
            if library_reading != fast[:2]:
                found = f"{value!r}: the fast path gives {fast!r}, the library {library_reading!r}"
                return f"{found} (default region {region})"
            continue
        if not ok:
            continue
        library = _library_email(value) if path == "email" else _library_phone(value, region)
        if library != fast:
            found = f"{value!r}: the fast path gives {fast!r}, the library {library!r}"
            return found if path == "email" else f"{found} (default region {region})"
    return None


def first_disagreement(path: Literal["email", "phone"], region: str | None = None) -> str | None:
    """The first corpus value on which the fast path ``path`` and its library disagree, or None.

    Phone numbers are checked under the default ``region`` (upper case, or None). A fast path that
    fails (an attribute of the library it reads has gone) disagrees too.
    """
    corpus = values(path, region)
    texts = np.array(corpus, dtype=object)
    try:
        if path == "email":
            decided = plain_addresses(texts, email_validator.validate_email)
        else:
            decided = plain_verdicts(texts, region)
    except Exception as exc:  # the fast path itself broke on this library version
        return f"the corpus: {type(exc).__name__}: {exc}"
    return disagreement(path, region, corpus, decided)
