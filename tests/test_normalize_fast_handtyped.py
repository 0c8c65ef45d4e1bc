"""The fast paths on the shapes of the hand-kept and wide files give the library's outcomes.

Argentina's mobiles written nationally with their ``15`` (``(0351) 15-...``, ``011 15 ...``), which
parse rewrites by the region's transform rule; digits that start with the row's country's calling
code (``91283 48783`` in India, ``1232`` in the United States), read as that code and a number
first; numbers refused in their region after ``00``, ``011``, ``0011`` or ``010``, which may be
numbers dialled from abroad; and the benchmark files themselves. Each test compares the frame with
the one made with every fast path off (every value through phonenumbers), and checks that the
values were decided column-wise (what reaches the library one by one is counted).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from benchmark_modules import load
from test_normalize_fast_international import same_phones

from bulkprep import _accel as accel
from bulkprep import _pool


@pytest.fixture
def left(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The values the fast path leaves to the library, one by one (filled by each fast run)."""
    found: list[Any] = []
    outcomes = _pool.outcomes

    def counting(decide: Any, values: list[Any]) -> list[Any]:
        if accel.enabled("phone"):
            found.extend(values)
        return outcomes(decide, values)

    monkeypatch.setattr(_pool, "outcomes", counting)
    return found


def argentine_mobiles(rng: np.random.Generator, count: int) -> list[str]:
    """Mobiles as Argentines write them: area code with its 0, then 15, then the number; cut and
    lengthened by a digit, and without the 15."""
    out: list[str] = []
    for area, width in (("11", 8), ("351", 7), ("341", 7), ("2954", 6), ("3783", 6)):
        for number in rng.integers(10 ** (width - 1), 10**width, count).astype(str).tolist():
            for digits in (number, number[:-1], number + "7"):
                half = len(digits) // 2
                out += [f"0{area} 15-{digits[:half]}-{digits[half:]}", f"(0{area}) 15 {digits}"]
                out += [f"0{area}15{digits}", f"0{area} {digits}", f"15 {digits}"]
    return out


@pytest.mark.parametrize("default", ["AR", "US", None])
def test_argentine_mobiles_with_their_15_are_read_column_wise(left: list[Any], default: str | None) -> None:
    values = argentine_mobiles(np.random.default_rng(7), 12)
    if default == "AR":
        out = same_phones(values, "AR")
    else:
        out = same_phones(values, default, ["Argentina"] * len(values))
    assert out["normalized"].notna().sum() > len(values) / 10
    # What is left is only numbers that are no number in the region (some with 011, Buenos Aires'
    # area code, which is also how numbers are dialled from North America).
    assert len(left) < len(values) / 10


def test_every_transform_rule_region_in_its_own_country_and_as_the_default(left: list[Any]) -> None:
    values: list[str] = []
    cells: list[str] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or not metadata.national_prefix_transform_rule:
            continue
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            nsn = phonenumbers.national_significant_number(number)
            # The short forms the rules complete (Bahamas' 7 digits, Jersey's 6), and with a prefix.
            shapes = [nsn, nsn[-7:], nsn[-6:], nsn[-5:], "0" + nsn, "1" + nsn[-7:], "0" + nsn[-6:]]
            values += shapes
            cells += [region] * len(shapes)
    same_phones(values, "US", cells)
    same_phones(values, None, cells)
    for region in sorted(set(cells)):
        same_phones([v for v, c in zip(values, cells, strict=True) if c == region], region)


CODE_FIRST_REGIONS = ["IN", "US", "CA", "GB", "AU", "DE", "BR", "AR", "JP", "RU", "IT", "FR"]


def digits_with_the_calling_code(region: str, rng: np.random.Generator) -> list[str]:
    """The region's calling code, then 1 to 13 random digits, some grouped as people type them."""
    code = str(phonenumbers.country_code_for_region(region))
    out: list[str] = []
    for length in range(1, 14):
        for digits in rng.integers(0, 10**length, 6).astype(str).tolist():
            number = code + digits.zfill(length)
            out += [number, f"{number[:5]} {number[5:]}".strip(), f"({number[:3]}) {number[3:]}"]
    return out


@pytest.mark.parametrize("default", ["US", "GB", None])
def test_digits_starting_with_the_rows_calling_code(left: list[Any], default: str | None) -> None:
    rng = np.random.default_rng(17)
    values: list[str] = []
    cells: list[str] = []
    for region in CODE_FIRST_REGIONS:
        here = digits_with_the_calling_code(region, rng)
        values += here
        cells += [region] * len(here)
    same_phones(values, default, cells)
    assert len(left) < len(values) / 5


@pytest.mark.parametrize("region", ["US", "GB", "AU", "IN", "AR", "KR", None])
def test_refusals_after_an_international_prefix_as_a_default_region(
    left: list[Any], region: str | None
) -> None:
    rng = np.random.default_rng(29)
    values: list[str] = []
    for prefix in ("00", "011", "0011", "010", "001", "0", ""):
        for length in range(2, 15):
            for digits in rng.integers(0, 10**length, 4).astype(str).tolist():
                number = prefix + digits.zfill(length)
                values += [number, f"{number[:3]}-{number[3:]}", f"({number[:3]}) {number[3:]}"]
    # Numbers that are valid only when read after the foreign prefix: decided column-wise.
    dialled: list[str] = []
    for example in ("+447911123456", "+4915123456789", "+61412345678", "+819012345678", "+12025550125"):
        dialled += [p + example[1:] for p in ("011", "0011", "010", "011 ", "00")]
    out = same_phones(values + dialled, region)
    assert out["code"].notna().sum() > len(values) / 2
    if region is not None:  # without a region, digits without "+" are the library's to read
        # The region's own international prefix (011 in the US) parse strips itself: the library's.
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        assert metadata is not None
        own = re.compile(metadata.international_prefix or "$^")
        foreign = {number for number in dialled if not own.match(number.replace(" ", ""))}
        assert foreign
        assert not foreign & set(left)


def test_refusals_after_an_international_prefix_on_rows_of_countries(left: list[Any]) -> None:
    rng = np.random.default_rng(31)
    values: list[str] = []
    for prefix in ("00", "011", "0011", "010"):
        for length in range(4, 14):
            values += [prefix + d.zfill(length) for d in rng.integers(0, 10**length, 3).astype(str).tolist()]
    values += [
        "011 15-9814-9046",
        "011 15 7970 645",
        "010 5971 4954",
        "0011 44 7911 123456",
        "011447911123456",
    ]
    cells = ["US", "AR", "KR", "AU", "JP", "GB", "Deutschland", "India", "Atlantis", ""]
    all_values = [v for v in values for _ in cells]
    all_cells = [c for _ in values for c in cells]
    for default in ("US", None):
        same_phones(all_values, default, all_cells)
    assert len(left) < len(all_values)


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    frame: pd.DataFrame = load("wide").wide_frame(6_000, seed=9)
    return frame.replace("", None)


@pytest.fixture(scope="module")
def handtyped() -> pd.DataFrame:
    frame: pd.DataFrame = load("handtyped").handtyped_frame(6_000, seed=9)
    return frame.replace("", None)


@pytest.mark.parametrize("default", ["US", None, "AR"])
def test_phones_of_the_wide_file_in_their_countries(
    left: list[Any], wide: pd.DataFrame, default: str | None
) -> None:
    rows = wide[wide["mobile"].notna()]
    same_phones(rows["mobile"].tolist(), default, rows["country"].tolist())
    # Argentina's and India's national mobiles are decided column-wise: a few in a hundred are left.
    assert len(left) < len(rows) / 10


@pytest.mark.parametrize("default", ["US", "GB", None])
def test_phones_of_the_handtyped_file_in_their_countries(
    left: list[Any], handtyped: pd.DataFrame, default: str | None
) -> None:
    rows = handtyped[handtyped["phone"].notna()]
    same_phones(rows["phone"].tolist(), default, rows["country"].tolist())
    same_phones(rows["phone"].tolist(), default)
