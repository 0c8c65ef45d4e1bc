"""Invalid phone numbers are refused column-wise with exactly the library's outcome, message included.

The phone fast path reads a plainly written number as ``phonenumbers.parse`` does and decides
validity by the metadata as ``is_valid_number`` does; a number it reads so and finds invalid is
refused there, with the message the per-value path gives (too short, too long, the wrong length,
not a valid number of its region). Each test compares normalize's frame with the one made with
every fast path off, and checks that the refusals were in fact decided column-wise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import _accel as accel
from bulkprep._accel import corpus
from bulkprep._accel.phone import Rejected, plain_verdicts
from bulkprep.normalize import normalize_phones

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def same_phones(values: list[Any], region: str | None, countries: list[Any] | None = None) -> pd.DataFrame:
    series = pd.Series(values, dtype="object")
    cells = None if countries is None else pd.Series(countries, dtype="object")
    assert accel.enabled("phone", region), accel.reason("phone", region)
    fast = normalize_phones(series, region=region, countries=cells)
    with accel.disabled():
        slow = normalize_phones(series, region=region, countries=cells)
    pd.testing.assert_frame_equal(fast, slow)
    return fast


def nsn_of(region: str) -> str:
    number = phonenumbers.example_number(region)
    return "2345678901" if number is None else phonenumbers.national_significant_number(number)


def broken_numbers(region: str) -> list[str]:
    """Numbers of ``region`` that phonenumbers reads but mostly finds invalid.

    The example number with its first digit (and its first two) replaced, cut and lengthened by
    one and two digits, each written nationally (with and without the national prefix) and
    internationally (``+``, ``00`` and the bare calling code).
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    nsn = nsn_of(region)
    shapes = {nsn[:-1], nsn[:-2], nsn + "0", nsn + "12", nsn[:-3]}
    shapes |= {digit + nsn[1:] for digit in "0123456789"}
    shapes |= {pair + nsn[2:] for pair in ("00", "11", "19", "55", "90", "99")}
    prefix = metadata.national_prefix or ""
    code = str(metadata.country_code)
    found: list[str] = []
    for shape in sorted(shape for shape in shapes if len(shape) >= 2):
        found += [shape, prefix + shape, f"+{code} {shape}", f"00{code}{shape}", code + shape]
    return found


def refused_column_wise(values: list[str], region: str | None) -> int:
    """How many of ``values`` the fast path itself refuses."""
    _, verdicts = plain_verdicts(np.array(values, dtype=object), region)
    return sum(isinstance(verdict, Rejected) for verdict in verdicts.tolist())


@pytest.mark.parametrize("chunk", range(8))
def test_broken_numbers_of_every_region_read_in_their_region(chunk: int) -> None:
    for region in REGIONS[chunk::8]:
        same_phones(broken_numbers(region), region)


@pytest.mark.parametrize("region", ["US", "GB", "DE", "BR", None])
def test_broken_numbers_of_every_region_read_in_another(region: str | None) -> None:
    values = [number for each in REGIONS for number in broken_numbers(each)]
    out = same_phones(values, region)
    assert out["code"].eq("invalid_phone").sum() > len(values) // 3
    # Most of them were refused column-wise, not by the library one at a time.
    assert refused_column_wise(values, region) > len(values) // 4


def test_unassigned_us_numbers_are_refused_column_wise_with_the_librarys_messages() -> None:
    values = [
        "(211) 555-0125",  # N11 service code
        "(292) 555-0125",  # x9x: reserved
        "(212) 055-0125",  # exchange starting with 0
        "1 (212) 155 0125",  # exchange starting with 1, with the calling code
        "+1 911 555 0125",
        "212-555-012",  # a digit short
        "1 212 555 01255",  # the code and a digit too many: too long
        "212.555.012555",
        "0044 20 7946 095",  # a GB number a digit short
        "+44 20 7946 09581",
    ]
    out = same_phones(values, "US")
    assert out["code"].eq("invalid_phone").all()
    assert refused_column_wise(values, "US") == len(values)
    messages = out["message"].tolist()
    assert messages[0].startswith(
        "the number is not a valid US number; numbers without a country code are read as US"
    )
    assert messages[8].startswith("the number is not a valid GB number")


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "+", "00", "+1 ", "+44 ", "+49 ", "0", "1 "]),
            st.text("0123456789", min_size=2, max_size=18),
            st.sampled_from(["", " ", "-", ".", "(", ")"]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["US", "GB", "DE", "FR", "IT", "BR", "IN", "RU", "AU", "JP", None]),
)
def test_random_digits_in_many_regions(parts: list[tuple[str, str, str]], region: str | None) -> None:
    values = [f"{head}{digits[:3]}{sep}{digits[3:]}" for head, digits, sep in parts]
    same_phones(values, region)


COUNTRY_CELLS = ["US", "DE", "Deutschland", "GB", "UK", "FR", "IT", "BR", "IN", "JP", "Narnia", "", None]


@pytest.mark.parametrize("default", ["US", "DE", None])
def test_broken_numbers_on_rows_of_their_country_and_of_others(default: str | None) -> None:
    values: list[str] = []
    countries: list[Any] = []
    for region in ("US", "DE", "GB", "FR", "IT", "BR", "IN", "JP"):
        numbers = broken_numbers(region)
        values += numbers * 2
        countries += [region] * len(numbers)
        countries += [COUNTRY_CELLS[i % len(COUNTRY_CELLS)] for i in range(len(numbers))]
    same_phones(values, default, countries)


def test_numbers_valid_in_the_default_region_stay_ambiguous_on_rows_of_another_country() -> None:
    # Invalid in Germany, valid in the US: the library's path says which readings there are.
    out = same_phones(["(312) 555-0125", "3125550125", "030 1"], "US", ["DE", "Germany", "DE"])
    assert out["code"].tolist() == ["ambiguous_phone_region", "ambiguous_phone_region", "invalid_phone"]


def verdicts(*found: Any) -> np.ndarray:
    out = np.empty(len(found), dtype=object)
    for i, verdict in enumerate(found):
        out[i] = verdict
    return out


def test_a_wrong_refusal_on_the_corpus_is_a_disagreement() -> None:
    values = ("(202) 555-0125", "(211) 555-0125")
    wrong = (np.array([False, False]), verdicts(Rejected(1, 10, False), Rejected(1, 9, False)))
    found = corpus.disagreement("phone", "US", values, wrong)
    assert found is not None
    assert found.startswith("'(202) 555-0125': the fast path gives Rejected(")
    right = (np.array([False]), verdicts(Rejected(1, 10, False)))
    assert corpus.disagreement("phone", "US", values[1:], right) is None


EXTENSIONS = [
    "ext. 138",
    "ext 5",
    "EXT.12",
    "x608",
    "X 1",
    "x.22",
    "ext. 123456789",
    "ext. 1234567890",
    "int 12",
    "#12",
    ";ext=12",
    ";EXT=7",
    ";ext=123456789",
    ";ext=1234567890",
    ";ext=",
    "; ext=4",
]


@pytest.mark.parametrize("region", ["US", "DE", None])
def test_numbers_with_an_extension_are_refused_with_the_librarys_message(region: str | None) -> None:
    numbers = [
        "602.740.5997",
        "+1 702 716 8621",
        "1 (602) 558 5930",
        "(211) 555-0125",
        "12",
        "+49 30 1234567",
    ]
    numbers += ["0044 20 7946 0958", "202-555-0125/", "+999 123"]
    values = [
        f"{number}{space}{extension}" for number in numbers for extension in EXTENSIONS for space in ("", " ")
    ]
    out = same_phones(values, region)
    assert out["message"].str.startswith("the number has an extension").sum() >= len(values) // 4


@pytest.mark.parametrize("default", ["US", "GB"])
def test_numbers_with_an_extension_on_rows_of_a_country(default: str) -> None:
    values = [
        "602.740.5997 ext. 138",
        "030 1234567 x12",
        "+44 20 7946 0958 ext 7",
        "4930123456 x1",
        "0151 2345 x",
        "+49 30 1234567;ext=12",
        "030 1234567;ext=9",
    ]
    cells = ["US", "DE", "Narnia", "DE", "DE", "DE", "Germany"]
    same_phones(values * 2, default, cells + cells[::-1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "+", "00", "+1 ", "+44 ", "1 ", "("]),
            st.text("0123456789", min_size=2, max_size=14),
            st.sampled_from(["", " ", "\t", "/", ")"]),
            st.sampled_from([*EXTENSIONS, "x", "ext", "e", "ex. 1"]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["US", "GB", "DE", "BR", None]),
)
def test_random_numbers_with_extensions(parts: list[tuple[str, str, str, str]], region: str | None) -> None:
    same_phones([f"{head}{digits}{sep}{extension}" for head, digits, sep, extension in parts], region)


def test_foreign_and_code_first_numbers_on_rows_of_a_country_get_the_librarys_outcomes() -> None:
    # US numbers on rows of other countries (ambiguous), digits starting with the row's calling
    # code (read as that code and a number first), random digits: the library's outcomes.
    rng = np.random.default_rng(3)
    digits = [str(number) for number in rng.integers(10**3, 10**13, 400)]
    parts = zip(
        rng.integers(201, 990, 60), rng.integers(200, 999, 60), rng.integers(0, 9999, 60), strict=True
    )
    us_numbers = ["(212) 555-0125", "(415) 724-3273", *(f"{a}-{b}-{c:04d}" for a, b, c in parts)]
    values: list[str] = []
    cells: list[str] = []
    for country in ("US", "CA", "GB", "UK", "AU", "IN", "Deutschland"):
        here = digits + us_numbers + ["1" + d for d in digits[:50]] + ["44" + d for d in digits[:50]]
        values += here
        cells += [country] * len(here)
    out = same_phones(values, "US", cells)
    assert out["code"].eq("ambiguous_phone_region").sum() > 50


def test_the_number_parts_of_extensions_ride_along_in_the_same_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    values = ["602.740.5997 ext. 138", "+1 702 716 8621 x5", "(211) 555-0125;ext=4", "202-555-0125"]
    same_phones(values, "US")  # the corpus check of the first use is behind us
    calls: list[int] = []

    def counted(texts: np.ndarray, region: str | None, *, code_first: bool = False) -> Any:
        calls.append(len(texts))
        return plain_verdicts(texts, region, code_first=code_first)

    monkeypatch.setattr(accel, "plain_verdicts", counted)
    out = normalize_phones(pd.Series(values, dtype="object"), region="US")
    assert calls == [len(values) + 3]
    assert out["message"].fillna("").str.startswith("the number has an extension").tolist() == [
        True,
        True,
        True,
        False,
    ]
