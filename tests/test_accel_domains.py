"""Plain domains are decided by a stand-in of their shape: exactly email-validator's verdicts.

The email fast path validates each distinct domain once; a business file has about as many domains
as companies, so a plain domain (ASCII letters, digits, dots, hyphens and lower-case letters such as
``ü`` or ``ж``, no ``xn--``) is decided by its stand-in (``_stand_in``: ASCII letters ``a``, digits
``0``, the other letters and the last label kept), validated once per distinct shape. These tests
compare, domain by domain, the forms found so with the forms of the domain validated itself.
"""

from __future__ import annotations

import email_validator
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import _accel as accel
from bulkprep._accel import email as fast_email
from bulkprep.normalize import normalize_emails

VALIDATE = email_validator.validate_email

TRICKY_DOMAINS = [
    "example.com", "EXAMPLE.COM", "Mueller-Bau123.co.uk", "a.b", "a.b.c.d.e.f", "x--y.com", "ab--cd.com",
    "xn--bcher-kva.de", "XN--BCHER-KVA.DE", "xn--a.com", "-a.com", "a-.com", "a.-b.com", "a-.b.com",
    "a..com", ".a.com", "a.com.", "com", "localhost", "a.local", "a.LOCAL", "a.localhost", "a.test",
    "a.invalid", "a.onion", "a.arpa", "x.home.arpa", "local.com", "test.example", "a.c0m", "a.123",
    "1.2.3.4", "123.com", "a.co-uk", "a.-uk", "a.uk-", "a" * 63 + ".com", "a" * 64 + ".com",
    ".".join(["abcdefghi"] * 24) + ".com", ".".join(["abcdefghi"] * 25) + ".com", "a.b-", "a-b-c.d-e.fg",
    "ab-.cd", "0-0.00", "a.b.c--d.e", "aa--.com", "a--.com", "--a.com", "q.Q", "mail.example.org",
]  # fmt: skip


def slow_forms(domains: list[str]) -> list[tuple[str, int] | None]:
    return [fast_email._domain_forms(domain, VALIDATE) for domain in domains]


def test_the_stand_ins_are_proven_for_this_email_validator() -> None:
    assert fast_email._shaped_domains_proven()


def test_tricky_domains_get_the_librarys_forms() -> None:
    domains = np.array(TRICKY_DOMAINS, dtype=object)
    assert fast_email._all_domain_forms(domains, VALIDATE) == slow_forms(TRICKY_DOMAINS)


LABELS = st.text(alphabet="abcxyzXN019-", min_size=0, max_size=8) | st.sampled_from(
    ["xn--bcher-kva", "a" * 62, "a" * 63, "a" * 64, "local", "test", "arpa", "com", "de", "co", "uk"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(LABELS, min_size=1, max_size=5).map(".".join), min_size=1, max_size=25))
def test_random_domains_get_the_librarys_forms(domains: list[str]) -> None:
    found = fast_email._all_domain_forms(np.array(domains, dtype=object), VALIDATE)
    assert found == slow_forms(domains)


# Letters of every kind a stand-in may keep or must not: lower-case ones of several scripts, ones the
# library maps to others (long s, micro sign, "ŉ"), upper and title case, deviation characters, marks,
# right-to-left letters and digits, joiners, the middle dot, symbols, full-width and dotted forms.
OTHER_LETTERS = "üøłåßſµŉıǰжяωςÜŁǅªаοא١۱ـ\u0301\u200d·ﬁａ。⒈ⅸ"
UNICODE_LABELS = (
    st.text(alphabet="abxN09-" + OTHER_LETTERS, min_size=0, max_size=10)
    | st.sampled_from(["ü" * 30, "aü" * 28, "ü" * 59, "a" * 56 + "ü", "ß" * 40, "ж" * 50, "l·l", "xn--ü"])
    | LABELS
)
TRICKY_UNICODE_DOMAINS = [
    "Müller-Bau123.de", "MÜLLER-bau.de", "ødegaard805.DE", "Vinícola163.Es", "kraków-tech271.co.uk",
    "straße.de", "ſtrasse.de", "µ.com", "ŉ.com", "ıi.com", "пример.рф", "ПРИМЕР.рф", "ü.ü", "ü--a.de",
    "üa--b.de", "a.ü-", "ü" * 59 + ".de", "ü" * 60 + ".de", "l·l.cat", "a\u0301.de", "ü.local", "ü.123",
    "ü" * 30 + "." + "ü" * 30 + ".com", ".".join(["ü" * 30] * 8) + ".de",
]  # fmt: skip


def test_tricky_unicode_domains_get_the_librarys_forms() -> None:
    domains = np.array(TRICKY_UNICODE_DOMAINS, dtype=object)
    assert fast_email._all_domain_forms(domains, VALIDATE) == slow_forms(TRICKY_UNICODE_DOMAINS)
    # Most of them are decided by a stand-in (the others go to the library one by one).
    assert fast_email._shaped(domains).sum() > len(domains) // 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(UNICODE_LABELS, min_size=1, max_size=5).map(".".join), min_size=1, max_size=25))
def test_random_unicode_domains_get_the_librarys_forms(domains: list[str]) -> None:
    found = fast_email._all_domain_forms(np.array(domains, dtype=object), VALIDATE)
    assert found == slow_forms(domains)


def test_company_domains_with_accents_share_their_stand_ins() -> None:
    domains = [
        f"{stem}{k}.{tld}" for k in range(200) for stem in ("Müller", "ødegaard") for tld in ("de", "fr")
    ]
    calls: list[str] = []

    def counting(address: str, *, check_deliverability: bool) -> object:
        calls.append(address)
        return VALIDATE(address, check_deliverability=check_deliverability)

    found = fast_email._all_domain_forms(np.array(domains, dtype=object), counting)
    assert found == slow_forms(domains)
    assert len(calls) <= 3 * 2 * 2  # one stand-in per stem, tld and count of digits


@pytest.mark.parametrize("local", ["ann", "Ann.Lee+x", "a" * 60, "zoë"])
def test_addresses_at_many_company_domains_are_normalized_as_by_the_library(local: str) -> None:
    domains = [
        f"{stem}{k}.{tld}" for k in range(40) for stem, tld in (("Müller-Bau", "de"), ("acme", "co.uk"))
    ]
    domains += TRICKY_DOMAINS + TRICKY_UNICODE_DOMAINS
    values = pd.Series([f" {local}@{domain}" for domain in domains], dtype="object")
    assert accel.enabled("email")
    fast = normalize_emails(values)
    with accel.disabled():
        slow = normalize_emails(values)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["normalized"].notna().sum() > len(values) // 2
