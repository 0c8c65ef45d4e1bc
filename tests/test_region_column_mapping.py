"""The mapping file's region_column reads each phone in its row's country, as prepare(region_column=) does."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import prepare
from bulkprep.errors import MappingError

USERS = pd.DataFrame(
    {
        "id": ["u1", "u2", "u3"],
        "Phone": ["07400 123456", "030 1234567", "(201) 555-0123"],
        "Land": ["United Kingdom", "Deutschland", None],
        "Other": ["DE", "DE", "DE"],
    }
)


def sent_phones(mapping: dict[str, object], **options: object) -> list[object]:
    prepared = prepare(USERS, mapping, region="US", **options)  # type: ignore[arg-type]
    return [user.get("profile", {}).get("phone_number") for user in prepared.df["bulk_user"]]


def test_the_mapping_names_the_country_column_of_its_phone() -> None:
    mapping = {"recipient": "id", "profile.phone_number": {"column": "Phone", "region_column": "Land"}}
    assert sent_phones(mapping) == ["+447400123456", "+49301234567", "+12015550123"]


def test_the_argument_reads_every_phone_in_its_column_over_the_mapping() -> None:
    mapping = {"recipient": "id", "profile.phone_number": {"column": "Phone", "region_column": "Land"}}
    phones = sent_phones(mapping, region_column="Other")
    # Every number is read as German (the British and American digits happen to be German numbers too).
    assert phones == ["+497400123456", "+49301234567", "+492015550123"]


def test_a_missing_country_column_in_the_mapping_names_the_closest() -> None:
    mapping = {"recipient": "id", "profile.phone_number": {"column": "Phone", "region_column": "land"}}
    with pytest.raises(MappingError, match="Land"):
        prepare(USERS, mapping)
