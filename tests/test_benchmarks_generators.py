"""The benchmark generators make the shapes they promise (checked with the libraries, not with bulkprep)."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from benchmark_modules import load
from email_validator import EmailNotValidError, validate_email


def valid_phone(text: str, region: str | None) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(text, region)))
    except phonenumbers.NumberParseException:
        return False


def valid_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.fixture(scope="module")
def invalid() -> pd.DataFrame:
    frame: pd.DataFrame = load("invalid").invalid_frame(6_000, seed=3)
    return frame


@pytest.fixture(scope="module")
def international() -> pd.DataFrame:
    frame: pd.DataFrame = load("international").international_frame(6_000, seed=3)
    return frame


def test_the_invalid_file_has_38_percent_invalid_distinct_phones(invalid: pd.DataFrame) -> None:
    phones = invalid["mobile"][invalid["mobile"] != ""].drop_duplicates()
    share = 1 - sum(valid_phone(p, "US") for p in phones) / len(phones)
    assert share >= 0.38
    assert phones.str.contains("[A-Za-z]").any()  # lettered numbers too


def test_the_invalid_file_has_accented_local_parts_and_4_percent_duplicates(invalid: pd.DataFrame) -> None:
    emails = invalid["email"][invalid["email"] != ""]
    local = emails.str.split("@").str[0]
    assert 0.25 < (~local.map(str.isascii)).mean() < 0.45
    copies = (
        emails.str.lower().duplicated().sum()
        + invalid["mobile"].str.replace(r"\D", "", regex=True)[invalid["email"] == ""].ne("").sum()
    )
    assert 0.02 < copies / len(invalid) < 0.08


def test_the_international_file_has_20_countries_in_many_spellings(international: pd.DataFrame) -> None:
    spellings = load("country_spellings").SPELLINGS_TO_REGION
    regions = international["Country"].map(spellings)
    assert regions.nunique() >= 20
    assert {"DEU", "Deutschland", "日本", "Россия"} <= set(international["Country"])
    # The numbers are national (no country code), valid when read in their row's country.
    rows = international[(international["Mobile"] != "") & regions.notna()].head(1_500)
    assert not rows["Mobile"].str.startswith("+").any()
    valid = [valid_phone(p, spellings[c]) for p, c in zip(rows["Mobile"], rows["Country"], strict=True)]
    assert sum(valid) / len(valid) > 0.85
    assert not any(valid_phone(p, None) for p in rows["Mobile"].head(200))


def test_the_international_file_has_idn_domains_and_non_ascii_local_parts(
    international: pd.DataFrame,
) -> None:
    emails = international["E-mail"][international["E-mail"] != ""]
    local, domain = emails.str.split("@").str[0], emails.str.split("@").str[-1]
    assert (~domain.map(str.isascii)).mean() > 0.1
    assert (~local.map(str.isascii)).mean() > 0.3
    sample = emails[~domain.map(str.isascii) & ~local.map(str.isascii)].head(300)
    assert sum(map(valid_email, sample)) / len(sample) > 0.9
