"""Plain ASCII domains are decided by a stand-in of their shape: exactly email-validator's verdicts.

The email fast path validates each distinct domain once; a business file has about as many domains
as companies, so a plain ASCII domain (letters, digits, dots, hyphens, no ``xn--``) is decided by
its stand-in (``_stand_in``: letters ``a``, digits ``0``, the last label kept), validated once per
distinct shape. These tests compare, domain by domain, the forms found so with the forms of the
domain validated itself.
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


@pytest.mark.parametrize("local", ["ann", "Ann.Lee+x", "a" * 60, "zoë"])
def test_addresses_at_many_company_domains_are_normalized_as_by_the_library(local: str) -> None:
    domains = [
        f"{stem}{k}.{tld}" for k in range(40) for stem, tld in (("Müller-Bau", "de"), ("acme", "co.uk"))
    ]
    domains += TRICKY_DOMAINS
    values = pd.Series([f" {local}@{domain}" for domain in domains], dtype="object")
    assert accel.enabled("email")
    fast = normalize_emails(values)
    with accel.disabled():
        slow = normalize_emails(values)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["normalized"].notna().sum() > len(values) // 2
