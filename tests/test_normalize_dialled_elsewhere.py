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
