"""The fast paths on the international file's shapes give the library's verdicts, messages included.

Numbers written nationally in their row's country (``090-....-....`` in Japan, ``06 1. .. .. ..``
in France), a digit short (parse then keeps the national prefix, and the number is all the digits
as written), in the regions whose national prefix has a transform rule (Japan, Brazil, Argentina
and others: only where the rule's last group takes part are the digits rewritten), and the file's
addresses with non-ASCII local parts and internationalized domains. Each test compares the frame
with the one made with every fast path off, and checks that the values were decided column-wise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from benchmark_modules import load

from bulkprep import _accel as accel
from bulkprep._accel.phone import plain_verdicts
from bulkprep.normalize import normalize_emails, normalize_phones

TRANSFORMING = sorted(
    region
    for region in phonenumbers.SUPPORTED_REGIONS
    if (metadata := phonenumbers.PhoneMetadata.metadata_for_region(region)) is not None
    and metadata.national_prefix_transform_rule
)


@pytest.fixture(scope="module")
def international() -> pd.DataFrame:
    frame: pd.DataFrame = load("international").international_frame(8_000, seed=5)
    return frame.replace("", None)


def same_phones(values: list[Any], region: str | None, countries: list[Any] | None = None) -> pd.DataFrame:
    series = pd.Series(values, dtype="object")
    cells = None if countries is None else pd.Series(countries, dtype="object")
    fast = normalize_phones(series, region=region, countries=cells)
    with accel.disabled():
        slow = normalize_phones(series, region=region, countries=cells)
    pd.testing.assert_frame_equal(fast, slow)
    return fast


def undecided(values: list[str], region: str, *, code_first: bool = False) -> list[str]:
    _, verdicts = plain_verdicts(np.array(values, dtype=object), region, code_first=code_first)
    return [value for value, verdict in zip(values, verdicts.tolist(), strict=True) if verdict is None]


@pytest.mark.parametrize("default", ["US", None, "JP"])
def test_phones_of_the_international_file_in_their_countries(
    international: pd.DataFrame, default: str | None
) -> None:
    rows = international[international["Mobile"].notna()]
    out = same_phones(rows["Mobile"].tolist(), default, rows["Country"].tolist())
    assert out["code"].notna().sum() > 200


def test_the_international_files_national_numbers_are_decided_column_wise(
    international: pd.DataFrame,
) -> None:
    spellings: dict[str, str] = load("country_spellings").SPELLINGS_TO_REGION
    rows = international[international["Mobile"].notna() & international["Country"].isin(spellings)]
    left: dict[str, int] = {}
    for region, part in rows.groupby(rows["Country"].map(spellings)):
        left[str(region)] = len(undecided(part["Mobile"].tolist(), str(region), code_first=True))
    assert {region: count for region, count in left.items() if count} == {}


def test_emails_of_the_international_file(international: pd.DataFrame) -> None:
    values = pd.Series(international["E-mail"].tolist(), dtype="object")
    fast = normalize_emails(values)
    with accel.disabled():
        slow = normalize_emails(values)
    pd.testing.assert_frame_equal(fast, slow)


def national_shapes(region: str) -> list[str]:
    """Every example number of ``region`` written nationally, then cut by one to three digits and
    lengthened by one, with and without the national prefix, and with the prefix doubled."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    prefix = metadata.national_prefix or "0"
    found: list[str] = []
    for kind in phonenumbers.PhoneNumberType.values():
        number = phonenumbers.example_number_for_type(region, kind)
        if number is None:
            continue
        nsn = phonenumbers.national_significant_number(number)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        found.append(national)
        for shape in (nsn, nsn[:-1], nsn[:-2], nsn[:-3], nsn + "7"):
            found += [shape, prefix + shape, prefix + prefix + shape, f"{prefix} {shape[:3]} {shape[3:]}"]
    return sorted(set(found))


@pytest.mark.parametrize("region", TRANSFORMING)
def test_regions_with_a_transform_rule(region: str) -> None:
    values = national_shapes(region)
    same_phones(values, region)
    same_phones(values, "US", [region] * len(values))
    same_phones(values, None, [region] * len(values))


def test_every_region_transform_rule_or_not_with_numbers_a_digit_short() -> None:
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    values: list[str] = []
    cells: list[str] = []
    for region in regions:
        shapes = national_shapes(region)
        values += shapes
        cells += [region] * len(shapes)
    same_phones(values, "US", cells)
    for region in ("GB", "FR", "JP"):
        mine = [value for value, cell in zip(values, cells, strict=True) if cell == region]
        assert len(undecided(mine, region)) < len(mine) / 4


def test_japanese_numbers_with_the_national_prefix_are_read_column_wise() -> None:
    numbers = [f"090-{i:04d}-{(i * 7919) % 10_000:04d}" for i in range(1_000, 1_400)]
    numbers += [number[:-1] for number in numbers[:50]] + ["03-1234-5678", "0120-123-456"]
    assert undecided(numbers, "JP") == []
    same_phones(numbers, "JP")
    same_phones(numbers, "US", ["日本"] * len(numbers))
    # Where the rule's last group takes part (Brazil's 0 15 then a carrier's area code and number),
    # parse rewrites the digits by the rule: read column-wise the same way.
    rewritten = ["0 15 11 91234 5678", "0 21 11 91234-5678"]
    assert undecided(rewritten, "BR") == []
    same_phones([*rewritten, "(11) 91234-5678", "011 91234-5678"], "BR")
