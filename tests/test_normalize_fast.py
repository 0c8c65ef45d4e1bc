"""The column-wise fast paths of normalization give exactly what the libraries give, value by value.

Each test normalizes a corpus twice, once as ``normalize`` does (plain values decided column-wise) and
once with every fast path switched off (``bulkprep._accel.disabled()``, every value through the
library), and requires identical frames: normalized text, code and message.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import _accel as accel
from bulkprep.countries import region_of
from bulkprep.normalize import normalize_emails, normalize_phones
from bulkprep.read import read_csv

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["US", "GB", "DE", "FR", "IN", "BR", "AU", "CA", "IT", "RU", "AR", "MX", "JP", "CH", "NL", None]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_emails(values: list[Any]) -> None:
    series = pd.Series(values, dtype="object")
    assert accel.enabled("email"), accel.reason("email")
    fast = normalize_emails(series)
    with accel.disabled():
        slow = normalize_emails(series)
    pd.testing.assert_frame_equal(fast, slow)


def same_phones(values: list[Any], region: str | None) -> None:
    series = pd.Series(values, dtype="object")
    assert accel.enabled("phone", region), accel.reason("phone", region)
    fast = normalize_phones(series, region=region)
    with accel.disabled():
        slow = normalize_phones(series, region=region)
    pd.testing.assert_frame_equal(fast, slow)


def csv_cells() -> list[Any]:
    """Every cell of the sample data and the CSV fixtures, read as bulkprep reads them."""
    cells: list[Any] = []
    for path in sorted([*ROOT.glob("data/*.csv"), *ROOT.glob("tests/fixtures/csv/*.csv")]):
        try:
            frame = read_csv(path)
        except Exception:  # fixtures of unreadable files are the reader's business
            continue
        for column in frame.columns:
            cells.extend(frame[column].dropna().astype(str).unique().tolist())
    return cells


def table_values(name: str) -> list[Any]:
    """The raw values of a parametrized table of tests/test_normalize.py."""
    tests = load(ROOT / "tests" / "test_normalize.py")
    (mark,) = [m for m in getattr(tests, name).pytestmark if m.name == "parametrize"]
    return [row[0] for row in mark.args[1]]


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    frame: pd.DataFrame = load(ROOT / "benchmarks" / "messy.py").messy_frame(4_000, seed=11)
    return frame


def test_emails_of_the_benchmark_file(messy: pd.DataFrame) -> None:
    same_emails(messy["Email"].tolist())


@pytest.mark.parametrize("region", ["US", "GB", "DE", "BR", None])
def test_phones_of_the_benchmark_file(messy: pd.DataFrame, region: str | None) -> None:
    same_phones(messy["Phone"].tolist(), region)


def test_sample_data_and_fixture_cells() -> None:
    cells = csv_cells()
    assert len(cells) > 100
    same_emails(cells)
    for region in ("US", "GB", None):
        same_phones(cells, region)


def test_the_tables_of_the_normalize_tests() -> None:
    same_emails(table_values("test_email_table"))
    phones = table_values("test_phone_table")
    for region in REGIONS:
        same_phones(phones, region)


def example_numbers() -> list[str]:
    """An example number of every type of every region, in E.164 and as dialled nationally."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            found.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
            found.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return sorted(set(found))


EXAMPLES = example_numbers()


@pytest.mark.parametrize("region", ["US", "BR", None])  # BR rewrites its national prefix
def test_example_numbers_of_every_region(region: str | None) -> None:
    same_phones(EXAMPLES, region)


def written(number: str, separators: list[str], cut: list[int]) -> str:
    """``number`` with separators put in at the ``cut`` positions."""
    out, last = [], 0
    for position, separator in zip(sorted(cut), separators, strict=False):
        out += [number[last:position], separator]
        last = position
    return "".join(out) + number[last:]


@st.composite
def phone_texts(draw: st.DrawFn) -> str:
    base = draw(st.one_of(st.sampled_from(EXAMPLES), st.from_regex(r"\+?[0-9]{1,19}", fullmatch=True)))
    digits = list(base)
    for _ in range(draw(st.integers(0, 2))):  # typos: a digit changed, dropped or added
        where = draw(st.integers(0, max(len(digits) - 1, 0)))
        action = draw(st.sampled_from(["change", "drop", "add"]))
        digit = draw(st.sampled_from("0123456789"))
        if action == "change" and digits:
            digits[where] = digit if digits[where] != "+" else "+"
        elif action == "drop" and len(digits) > 1:
            del digits[where]
        else:
            digits.insert(where, digit)
    number = "".join(digits)
    number = draw(st.sampled_from(["", "00", "0", "1", "011", "+", "+0", "(0)"])) + number
    separators = draw(
        st.lists(st.sampled_from([" ", "-", ".", "(", ")", "/", " (0)", "\t", "x"]), max_size=4)
    )
    cut = draw(st.lists(st.integers(0, len(number)), min_size=len(separators), max_size=len(separators)))
    text = written(number, separators, cut)
    return (
        draw(st.sampled_from(["", " ", "\u00a0", "tel:"]))
        + text
        + draw(st.sampled_from(["", " ", ".0", ".00"]))
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(phone_texts(), min_size=1, max_size=30), st.sampled_from(REGIONS))
def test_phones_in_many_formats_and_regions(values: list[str], region: str | None) -> None:
    same_phones(values, region)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**15), st.floats(allow_nan=True)), max_size=10))
def test_phones_as_numbers(values: list[Any]) -> None:
    same_phones([np.float64(v) if isinstance(v, float) else v for v in values], "US")


local_parts = st.one_of(
    st.sampled_from(
        [
            "ann",
            "Ann.Lee",
            "b+tag",
            "x",
            "info",
            "INFO",
            "Support",
            "a" * 64,
            "a" * 65,
            "a" * 200,
            "o'brien",
            "a_b-c",
            "{x}|~",
            "jos\u00e9",
            "jose\u0301",
            '"ann lee"',
            '"a@b"',
            ".ann",
            "ann.",
            "a..b",
            "ann lee",
            "mailto:ann",
            "ann\u200b",
            "",
            "=?x?=",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)
domains = st.one_of(
    st.sampled_from(
        [
            "example.com",
            "EXAMPLE.org",
            "mail.example.com",
            "bücher.de",
            "BÜCHER.DE",
            "xn--bcher-kva.de",
            "xn--bcher-kva.DE",
            "example",
            "localhost",
            "example..com",
            "example.com.",
            "-example.com",
            "ex-.com",
            "[192.168.0.1]",
            "example.local",
            "test",
            "a.test",
            "ab--c.com",
            "x" * 63 + ".com",
            "x" * 64 + ".com",
            ".".join(["abcdefghi"] * 24) + ".com",
            ".".join(["abcdefghi"] * 26) + ".com",
            "exa mple.com",
            "exam<ple>.com",
            "",
            "123.com",
            "example.c0m",
            "a@b.com",
            "ex\u00a0ample.com",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda pad, local, domain, end: f"{pad}{local}@{domain}{end}",
            st.sampled_from(["", " ", "\t", "\u00a0", "\x1c", "<", "mailto:"]),
            local_parts,
            domains,
            st.sampled_from(["", " ", "\n", ">", "\u200b", "\x1f"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_emails_with_odd_characters(values: list[str]) -> None:
    same_emails(values)


# --- the boundaries ------------------------------------------------------------------------------------


def domain_of_length(length: int, tld: str = "com") -> str:
    """A domain of exactly ``length`` characters: labels of at most 63 characters, then ``tld``."""
    labels, left = [], length - len(tld)
    while left > 0:
        size = min(63, left - 1)  # each label takes a dot
        labels.append(("d" * size) if size > 0 else "")
        left -= size + 1
    domain = ".".join([*labels, tld])
    return domain if len(domain) == length else "x" * (length - len(tld) - 1) + "." + tld


def idn_label(ascii_length: int) -> str:
    """A label with one non-ASCII letter whose ASCII form (``xn--...``) has ``ascii_length`` characters."""
    for size in range(ascii_length):
        label = "a" * size + "ü"
        if len("xn--" + label.encode("punycode").decode()) == ascii_length:
            return label
    raise AssertionError(ascii_length)


BOUNDARY_LOCALS = [
    "a",
    "a" * 63,
    "a" * 64,  # RFC 5321's limit
    "a" * 65,
    "A" * 64,
    "a.b" * 21 + "a",  # 64 with dots
    "a.b" * 21 + "ab",  # 65 with dots
    ".ann",
    "ann.",
    "a..b",
    ".",
    '"ann lee"',
    '"a..b"',
    '"a\\"b"',
    '""',
    '"' + "a" * 62 + '"',
    "josé",
    "jose\u0301",
    "用户",
    "ñ" * 32,  # 32 characters, 64 octets
    "ñ" * 33,
    "MARKING",
    "Marketing",
    "POSTMASTER",
    "info",
]
BOUNDARY_DOMAINS = [
    "example.com",
    "x" * 63 + ".com",
    "x" * 64 + ".com",
    "a." + "x" * 63,
    domain_of_length(252),
    domain_of_length(253),  # the limit of a domain as transmitted
    domain_of_length(254),
    domain_of_length(255),
    domain_of_length(256),
    # Internationalized domains: in Unicode, in ASCII (xn--), invalid punycode, mixed scripts.
    "bücher.de",
    "BÜCHER.DE",
    "xn--bcher-kva.de",
    "xn--bcher-kva.DE",
    "xn--.com",
    "xn--abc-.com",
    "xn--zz.com",
    "例え.jp",
    "пример.рф",
    "xn--e1afmkfd.xn--p1ai",
    "pаypal.com",  # a Cyrillic а among Latin letters
    "example.中国",
    idn_label(63) + ".de",  # its ASCII form (xn--...) is a label of 63 characters
    idn_label(64) + ".de",  # and of 64
    ".".join(["bücher"] * 20) + ".de",  # short in Unicode, long in ASCII
    ".".join(["bücher"] * 17) + ".de",
]


def test_emails_at_the_length_limits_idn_and_quoted_local_parts() -> None:
    values = [f"{local}@{domain}" for local in BOUNDARY_LOCALS for domain in BOUNDARY_DOMAINS]
    # Whole addresses around 254: the limit of the address itself.
    for total in range(250, 258):
        for local_length in (1, 10, 64, 65):
            values.append("l" * local_length + "@" + domain_of_length(total - local_length - 1))
    same_emails(values)


def test_the_boundary_domains_have_their_lengths() -> None:
    assert [len(domain_of_length(n)) for n in (252, 253, 254, 255, 256)] == [252, 253, 254, 255, 256]
    assert [len("xn--" + idn_label(n).encode("punycode").decode()) for n in (63, 64)] == [63, 64]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda local, domain_length, tld, case: (
                f"{local}@{domain_of_length(domain_length, tld)}".upper()
                if case
                else f"{local}@{domain_of_length(domain_length, tld)}"
            ),
            st.from_regex(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,70}", fullmatch=True),
            st.integers(4, 258),
            st.sampled_from(["com", "de", "xn--p1ai", "test", "c0m"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_emails_of_random_lengths_around_the_limits(values: list[str]) -> None:
    same_emails(values)


def _national_significant(region: str) -> str:
    number = phonenumbers.example_number(region)
    if number is None:
        return "2345678901"
    return phonenumbers.national_significant_number(number)


def numbers_around_the_limits(region: str) -> tuple[list[str], list[str]]:
    """Numbers of ``region`` of every length from one under its shortest to one over its longest.

    Returns the national forms (with and without the national prefix) and the international ones
    (+code, with and without a national prefix after it).
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    possible = [n for n in metadata.general_desc.possible_length if n > 0] or [8]
    digits = _national_significant(region) * 4
    prefix = metadata.national_prefix or ""
    national: list[str] = []
    international: list[str] = []
    for length in range(min(possible) - 1, max(possible) + 2):
        nsn = digits[:length]
        national += [nsn, f"{prefix}{nsn}", f"{prefix} {nsn[:3]} {nsn[3:]}"]
        international += [f"+{metadata.country_code}{nsn}", f"+{metadata.country_code} ({prefix}){nsn}"]
        international += [f"+{metadata.country_code}{prefix}{nsn}"]
    return national, international


# Regions whose national prefix is rewritten or read by a pattern of its own, and a spread of others.
TRICKY_REGIONS = sorted(
    region
    for region in phonenumbers.SUPPORTED_REGIONS
    if (metadata := phonenumbers.PhoneMetadata.metadata_for_region(region)) is not None
    and (metadata.national_prefix_for_parsing or "") not in ("", metadata.national_prefix or "")
)
SPREAD_REGIONS = ["US", "CA", "DE", "FR", "IN", "IT", "RU", "KZ", "MX", "NL", "CH", "ES", "PL", "HU", "NZ"]
SPREAD_REGIONS += ["ZA", "NG", "EG", "SA", "AE", "IL", "TR", "ID", "PH", "VN", "SG", "HK", "VA", "SM"]


@pytest.mark.parametrize("region", sorted({*TRICKY_REGIONS, *SPREAD_REGIONS}))
def test_phones_of_every_length_around_the_regions_limits(region: str) -> None:
    national, international = numbers_around_the_limits(region)
    same_phones(national + international, region)


@pytest.mark.parametrize("region", [None, "US", "GB"])
def test_international_numbers_of_every_region_around_their_limits(region: str | None) -> None:
    values: list[str] = []
    for each in sorted(phonenumbers.SUPPORTED_REGIONS):
        values += numbers_around_the_limits(each)[1]
    same_phones(values, region)


# --- numbers read in each row's country -------------------------------------------------------------

# Country cells as exports write them: codes, names, local names, aliases, unknown values and blanks.
COUNTRY_CELLS: list[Any] = [
    "US", "USA", "United States", "GB", "UK", "United Kingdom", "DE", "DEU", "Deutschland", "FR",
    "France", "IN", "BR", "Brasil", "IT", "Italia", "ES", "España", "CA", "MX", "CH", "Schweiz", "NL",
    "AU", "JP", "RU", "KZ", "AR", "Atlantis", "XK-1", "Antarctica", "", None,
]  # fmt: skip


def same_phones_by_country(values: list[Any], countries: list[Any], region: str | None) -> None:
    """Fast path and library agree on numbers read in their rows' countries (or in ``region``)."""
    series = pd.Series(values, dtype="object")
    cells = pd.Series(countries, dtype="object")
    fast = normalize_phones(series, region=region, countries=cells)
    # Every region the fast path ran for kept it on (none disagreed with the library at first use).
    for used in {*(region_of(str(c)) for c in cells.dropna().unique()), region, None}:
        if used is None or used in phonenumbers.SUPPORTED_REGIONS:
            assert accel.enabled("phone", used), accel.reason("phone", used)
    with accel.disabled():
        slow = normalize_phones(series, region=region, countries=cells)
    pd.testing.assert_frame_equal(fast, slow)


def rotating(values: list[Any], cells: list[Any]) -> list[Any]:
    """A country cell for each value, going round ``cells``; each value with every cell over the calls."""
    return [cells[i % len(cells)] for i in range(len(values))]


@pytest.mark.parametrize("region", ["US", "GB", "DE", None])
def test_phones_of_the_benchmark_file_in_their_countries(messy: pd.DataFrame, region: str | None) -> None:
    same_phones_by_country(messy["Phone"].tolist(), messy["Country"].tolist(), region)


def test_phones_of_the_sample_data_in_their_countries() -> None:
    users = read_csv(ROOT / "data" / "users_messy.csv")
    for region in ("US", "GB", None):
        same_phones_by_country(users["Phone"].tolist(), users["Country"].tolist(), region)


def test_example_numbers_of_every_region_in_their_own_country() -> None:
    """Each region's example numbers, national, E.164, E.164 without plus and with 00, on its rows."""
    values: list[str] = []
    countries: list[str] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            written = [e164[1:], "00" + e164[1:], national, national + "5"]
            values += written
            countries += [region] * len(written)
    for default in ("DE", None):
        same_phones_by_country(values, countries, default)


@pytest.mark.parametrize("shift", range(3))
def test_example_numbers_of_every_region_on_rows_of_other_countries(shift: int) -> None:
    values = EXAMPLES + [number.lstrip("+") for number in EXAMPLES if number.startswith("+")]
    cells = COUNTRY_CELLS[shift:] + COUNTRY_CELLS[:shift]
    same_phones_by_country(values, rotating(values, cells), ["US", "GB", None][shift])


def test_the_tables_of_the_region_tests() -> None:
    tests = load(ROOT / "tests" / "test_normalize_regions.py")
    values: list[Any] = []
    countries: list[Any] = []
    for name in dir(tests):
        for mark in getattr(getattr(tests, name), "pytestmark", []):
            if mark.name != "parametrize":
                continue
            argnames = mark.args[0]
            names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
            if "raw" in names and "country" in names:
                for row in mark.args[1]:
                    values.append(row[names.index("raw")])
                    countries.append(row[names.index("country")])
    assert len(values) > 50
    for region in ("US", "GB", "DE", None):
        same_phones_by_country(values, countries, region)
        # Every number with every country cell, too.
        same_phones_by_country(
            values * len(COUNTRY_CELLS), [c for c in COUNTRY_CELLS for _ in values], region
        )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(phone_texts(), st.sampled_from(COUNTRY_CELLS)), min_size=1, max_size=30),
    st.sampled_from(REGIONS),
)
def test_phones_in_many_formats_and_countries(rows: list[tuple[str, Any]], region: str | None) -> None:
    same_phones_by_country([number for number, _ in rows], [country for _, country in rows], region)


# Default regions whose international prefix is 00 itself (GB, DE, FR...), or starts with 00 and
# goes on (BR picks a carrier: 00 55, 00 12...; AU's 0011; CO, KR, IL with carrier codes).
DOUBLE_ZERO_REGIONS = ["GB", "DE", "CH", "BR", "AU", "CO", "KR"]


@pytest.mark.parametrize("region", DOUBLE_ZERO_REGIONS)
def test_numbers_written_with_00_and_with_the_regions_own_prefix(region: str) -> None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    prefixes = ["00", "00 ", "0011", "0055", "000"]
    if metadata.preferred_international_prefix:
        prefixes.append(metadata.preferred_international_prefix + " ")
    values = [prefix + number[1:] for number in EXAMPLES if number.startswith("+") for prefix in prefixes]
    same_phones(values, region)


# --- the other generators of the benchmarks: invalid numbers, countries, internationalized addresses ---


@pytest.fixture(scope="module")
def invalid_file() -> pd.DataFrame:
    frame: pd.DataFrame = load(ROOT / "benchmarks" / "invalid.py").invalid_frame(4_000, seed=5)
    return frame


@pytest.fixture(scope="module")
def international_file() -> pd.DataFrame:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))  # international.py reads its table beside it
    try:
        frame: pd.DataFrame = load(ROOT / "benchmarks" / "international.py").international_frame(
            4_000, seed=5
        )
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return frame


def test_emails_of_the_invalid_and_international_files(
    invalid_file: pd.DataFrame, international_file: pd.DataFrame
) -> None:
    same_emails(invalid_file["email"].tolist())
    same_emails(international_file["E-mail"].tolist())


@pytest.mark.parametrize("region", ["US", "CA", None])
def test_phones_of_the_invalid_file(invalid_file: pd.DataFrame, region: str | None) -> None:
    same_phones(invalid_file["mobile"].tolist(), region)


@pytest.mark.parametrize("region", ["US", "DE", None])
def test_phones_of_the_international_file_in_their_countries(
    international_file: pd.DataFrame, region: str | None
) -> None:
    same_phones_by_country(
        international_file["Mobile"].tolist(), international_file["Country"].tolist(), region
    )


def test_internationalized_addresses_are_decided_column_wise() -> None:
    """The fast path accepts local parts in other scripts and IDN domains (the library agrees)."""
    values = [
        "zoë.brontë@bücher.de",
        "たなか.ゆき@例え.jp",
        "Дмитрий@пример.рф",
        "ann@BÜCHER.DE",
        "प्रिया@example.com",
    ]
    decide = accel.email_path()
    assert decide is not None
    accepted, normalized = decide(np.array(values, dtype=object))
    assert accepted.all()
    assert normalized.tolist() == ["zoë.brontë@bücher.de", "たなか.ゆき@例え.jp", "Дмитрий@пример.рф",
                                   "ann@bücher.de", "प्रिया@example.com"]  # fmt: skip
    same_emails(values)


unicode_locals = st.one_of(
    st.sampled_from(
        [
            "zoë",
            "Zoë.Brontë",
            "jose\u0301",
            "\u0301ab",
            "a\u0301\u0302b",
            "たなか",
            "민준",
            "王伟",
            "प्रिया",
            "ελένη.π",
            "дмитрий_1",
            "ǅemal",
            "ⅻ",
            "x²",
            "١٢٣",
            "a·b",
            "ä" * 64,
            "ä" * 65,
            "é" * 33,
            "ÆØÅ",
            "İlkay",
            "ß",
            "ﬁ",
            "a\u200bé",
            "é\u00a0x",
            "é..x",
            ".é",
            "é.",
            "é@é",
            "info",
            "ÍNFO",
            "a\u2028é",
            "é\u202e",
            "\ufeffé",
            "é\U000e0001",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=6),
    st.text(st.characters(categories=["L", "M", "N"]), min_size=1, max_size=8),
)
unicode_domains = st.sampled_from(
    ["example.com", "bücher.de", "BÜCHER.DE", "例え.jp", "пример.рф", "δοκιμή.gr", "xn--bcher-kva.de",
     "café.fr", "e\u0301xample.com", "bü\u00adcher.de", "bücher", "-bücher.de", "x" * 60 + "é.com",
     "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "dé.com", "例え.テスト", "مثال.إختبار"]
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda pad, local, domain, end: f"{pad}{local}@{domain}{end}",
            st.sampled_from(["", " ", "\t", "\u00a0", "<", "\u200b"]),
            unicode_locals,
            unicode_domains,
            st.sampled_from(["", " ", "\n", ">", "\u3000"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_emails_with_internationalized_local_parts(values: list[str]) -> None:
    same_emails(values)


# --- numbers written after a foreign international prefix (011, 0011, 010), as dialled from abroad ---


@pytest.mark.parametrize("region", ["US", "GB", "AU", "JP", "CN", "DE", None])
def test_numbers_dialled_from_abroad_read_the_same_both_ways(region: str | None) -> None:
    international = [number for number in EXAMPLES if number.startswith("+")]
    values = [prefix + number[1:] for number in international for prefix in ("011 ", "0011", "010 ")]
    same_phones(values, region)


def test_numbers_dialled_from_abroad_in_their_countries_read_the_same_both_ways() -> None:
    values: list[str] = []
    countries: list[str] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if number is None:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        written = ["011 " + e164[1:], "0011 " + e164[1:], "010" + e164[1:]]
        values += written
        countries += [region] * len(written)
    for default in ("US", None):
        same_phones_by_country(values, countries, default)
