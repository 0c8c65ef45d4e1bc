"""Phone numbers written after a foreign international prefix: 011 (North America), 0011 (Australia),
010 (Japan), as a number is dialled from there, read as the number after the prefix."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.normalize import normalize_phones


def _read(numbers: list[str], country: str | None, region: str | None = "US") -> list[tuple[object, object]]:
    countries = None if country is None else pd.Series([country] * len(numbers))
    out = normalize_phones(pd.Series(numbers), region=region, countries=countries)
    return list(zip(out["normalized"], out["code"], strict=True))


@pytest.mark.parametrize("country", ["United Kingdom", "Germany", "Australia", "United States"])
@pytest.mark.parametrize(
    "written", ["011 44 7911 123468", "0011 44 7911 123468", "00 44 7911 123468", "0044 7911 123468"]
)
def test_a_uk_mobile_dialled_from_abroad_on_any_row(written: str, country: str) -> None:
    assert _read([written], country) == [("+447911123468", None)]


def test_digits_run_together_after_a_prefix_are_read_only_in_their_own_country() -> None:
    # Without the prefix and the country code set apart, a reading abroad is a guess.
    assert _read(["011447911123468"], "United Kingdom") == [("+447911123468", None)]
    assert _read(["011447911123468"], "Germany") == [(None, "ambiguous_phone_region")]


@pytest.mark.parametrize("region", ["GB", "DE", "US", None])
def test_the_default_region_reads_it_too(region: str | None) -> None:
    assert _read(["011 44 7911 123468", "0011 33 6 12 34 56 78"], None, region) == [
        ("+447911123468", None),
        ("+33612345678", None),
    ]


def test_a_national_number_that_starts_like_a_prefix_keeps_its_national_reading() -> None:
    # Sheffield's 0114 and Beijing's 010 are area codes: the number is read as written in its country.
    assert _read(["0114 496 0000"], "United Kingdom") == [("+441144960000", None)]
    assert _read(["010 6552 9988"], "China") == [("+861065529988", None)]


def test_digits_after_the_prefix_that_are_no_number_keep_today_s_error() -> None:
    (outcome,) = _read(["011 44 7911"], "United Kingdom")
    assert outcome[0] is None
    assert outcome[1] == "invalid_phone"
    (outcome,) = _read(["011 99 123 456"], "Germany", None)
    assert outcome == (None, "invalid_phone")


def test_an_extension_after_the_prefix_is_still_refused() -> None:
    (outcome,) = _read(["011 44 7911 123468 ext. 12"], "United Kingdom")
    assert outcome[0] is None
    assert outcome[1] == "invalid_phone"
