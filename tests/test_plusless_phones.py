"""Phones stored as E.164 digits without their ``+`` (a database export), with no country column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bulkprep import Mapping, prepare, read_csv
from bulkprep.normalize import normalize_phones

MAPPING = Mapping({"recipient": "id", "profile.email": "email", "profile.phone_number": "phone"})


def test_a_column_of_plusless_international_numbers_is_read_with_plus(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "id,email,phone\n"
        "u1,ann@example.com,14153920162\n"
        "u2,ben@example.com,447911123465\n"
        "u3,,819012345671\n"
        "u4,dee@example.com,\n"
        "u5,fay@example.com,4915123456784\n"
        "u6,gus@example.com,5511912345670\n"
        "u7,ivy@example.com,61412345671\n"
    )
    result = prepare(read_csv(path), MAPPING, region="US")
    assert result.summary == {"ready": 7, "invalid": 0, "duplicate": 0}
    phones = [user["profile"].get("phone_number") for user in result.df["bulk_user"]]
    assert phones == [
        "+14153920162",
        "+447911123465",
        "+819012345671",
        None,
        "+4915123456784",
        "+5511912345670",
        "+61412345671",
    ]
    changed = result.changes[result.changes["field"] == "profile.phone_number"]
    pairs = dict(zip(changed["original"], changed["normalized"], strict=True))
    assert pairs["447911123465"] == "+447911123465"


def test_a_single_plusless_number_in_a_national_column_stays_refused() -> None:
    phones = pd.Series(["4153920162", "3129397003", "447911123465"])
    out = normalize_phones(phones, region="US")
    assert out["normalized"].tolist()[:2] == ["+14153920162", "+13129397003"]
    assert out["normalized"].iloc[2] is None
    assert "too long for a US number" in out["message"].iloc[2]


def test_one_national_number_keeps_the_column_national() -> None:
    # Two numbers would prove the international reading, but one is valid only as a US number.
    phones = pd.Series(["447911123465", "819012345671", "4153920162"])
    out = normalize_phones(phones, region="US")
    assert out["normalized"].tolist() == [None, None, "+14153920162"]


def test_one_proof_is_not_enough() -> None:
    phones = pd.Series(["447911123465", "14153920162", "+819012345671"])
    out = normalize_phones(phones, region="US")
    assert out["normalized"].tolist() == [None, "+14153920162", "+819012345671"]


def test_a_country_column_keeps_its_own_rules() -> None:
    # With each row's country, a plusless number of another country than the row's is not accepted.
    phones = pd.Series(["447911123465", "819012345671", "4915123456784"])
    out = normalize_phones(phones, region="US", countries=pd.Series(["US", "US", "DE"]))
    assert out["normalized"].tolist() == [None, None, "+4915123456784"]
