"""A number read after a prefix its row's country does not dial with is refused when that reading is
another country's number and the text does not set the prefix and country code apart."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.normalize import normalize_phones


def _read(number: str, country: str) -> tuple[object, object, object]:
    out = normalize_phones(pd.Series([number]), region="US", countries=pd.Series([country]))
    return out["normalized"][0], out["code"][0], out["message"][0]


@pytest.mark.parametrize(
    ("written", "country", "reading"),
    [
        ("(006) 6802265293", "United States", "+66802265293"),  # junk read as a number in Thailand
        ("010630368015996", "India", "+63368015996"),  # and in the Philippines
    ],
)
def test_junk_that_reads_as_another_country_s_number_is_refused(
    written: str, country: str, reading: str
) -> None:
    normalized, code, message = _read(written, country)
    assert (normalized, code) == (None, "ambiguous_phone_region")
    assert f"it would be {reading}" in str(message)
    assert "the row's country" in str(message)


@pytest.mark.parametrize(
    ("written", "country", "number"),
    [
        ("0061 412 345 678", "Australia", "+61412345678"),  # 00 is not Australia's prefix, but its own number
        ("0044 7911 123456", "Germany", "+447911123456"),  # 00 is how Germany dials abroad
        ("0044 7911 123456", "United States", "+447911123456"),  # written as an international number
        ("011 44 7911 123456", "Germany", "+447911123456"),
        ("+66 80 226 5293", "United States", "+66802265293"),  # the + says it all
    ],
)
def test_numbers_written_as_international_numbers_are_read(written: str, country: str, number: str) -> None:
    assert _read(written, country)[:2] == (number, None)


@pytest.mark.parametrize("countries", [None, ""], ids=["no-country-column", "blank-country"])
@pytest.mark.parametrize(
    "written",
    ["010 5007 7497", "(010) 9826-6973", "0109826 6973"],  # Korean mobiles: no Falklands or Iran numbers
)
def test_a_foreign_prefix_the_default_region_does_not_dial_is_no_international_number(
    written: str, countries: str | None
) -> None:
    values = pd.Series([written])
    out = normalize_phones(
        values, region="US", countries=None if countries is None else pd.Series([countries])
    )
    assert out["normalized"].tolist() == [None]
    assert out["code"].tolist() == ["ambiguous_phone_region"]
    assert "not how numbers are dialled from US (the default region)" in out["message"].iloc[0]


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("011 44 7911 123468", "+447911123468"),  # how the United States dials out
        ("0044 20 7946 0958", "+442079460958"),  # 00 is + everywhere
        ("00447911123468", "+447911123468"),
        ("0011 61 412 345 678", "+61412345678"),  # the prefix and the code set apart: on purpose
    ],
)
def test_international_numbers_read_in_the_default_region_stay_read(written: str, number: str) -> None:
    assert normalize_phones(pd.Series([written]), region="US")["normalized"].tolist() == [number]
