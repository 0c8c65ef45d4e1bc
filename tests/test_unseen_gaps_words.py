"""Local country names (日本国, アメリカ, BRD...) and "none" in other languages in email and phone cells."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.countries import region_of
from bulkprep.normalize import normalize, placeholders


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("日本国", "JP"),
        ("アメリカ", "US"),
        ("米国", "US"),
        ("中華人民共和国", "CN"),
        ("大韓民国", "KR"),
        ("BRD", "DE"),
        ("Bundesrepublik Deutschland", "DE"),
        ("Česká republika", "CZ"),
        ("Rzeczpospolita Polska", "PL"),
        ("Großbritannien", "GB"),
    ],
)
def test_official_and_short_local_names_are_known(written: str, code: str) -> None:
    assert region_of(written) == code


def test_a_japanese_number_reads_in_the_row_country_written_officially() -> None:
    targets = pd.DataFrame({"profile.phone_number": ["070-1234-5679"]})
    result = normalize(targets, region=None, countries=pd.Series(["日本国"]))
    assert result.targets["profile.phone_number"].tolist() == ["+817012345679"]


@pytest.mark.parametrize(
    "word", ["brak", "Brak", " keine ", "aucun", "ninguno", "nessuno", "geen", "なし", "無し"]
)
def test_none_in_other_languages_is_a_placeholder(word: str) -> None:
    assert placeholders(pd.Series([word])).tolist() == [True]


def test_a_placeholder_phone_is_emptied_not_invalid() -> None:
    targets = pd.DataFrame(
        {"profile.email": ["a@example.com", "geen"], "profile.phone_number": ["brak", "なし"]}
    )
    result = normalize(targets, region="PL")
    assert result.targets["profile.phone_number"].tolist() == [None, None]
    assert result.targets["profile.email"].tolist() == ["a@example.com", None]
    assert result.errors.empty


def test_the_words_are_placeholders_only_in_email_and_phone_columns() -> None:
    targets = pd.DataFrame({"profile.email": ["a@example.com"], "data.note": ["brak"]})
    result = normalize(targets)
    assert result.targets["data.note"].tolist() == ["brak"]
