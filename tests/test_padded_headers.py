"""A header cell written with blanks around it (``Email ``) is the column a mapping calls ``Email``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bulkprep import Mapping, MappingError, prepare, read_csv
from bulkprep.read import read_info


def test_a_header_with_a_trailing_space_is_found_by_its_plain_name(tmp_path: Path) -> None:
    path = tmp_path / "registrations.csv"
    path.write_text("First Name,Email ,Country \nAmir,amir@example.com,GB\nBela,bela@example.com,HU\n")
    df = read_csv(path)
    assert read_info(df).padded_columns == ("Email ", "Country ")
    mapping = Mapping({"profile.email": "Email", "data.first": "First Name", "data.country": "Country"})
    result = prepare(df, mapping)
    assert result.summary["ready"] == 2
    assert result.ready["Email "].tolist() == ["amir@example.com", "bela@example.com"]
    assert [user["profile"]["email"] for user in result.ready["bulk_user"]] == [
        "amir@example.com",
        "bela@example.com",
    ]


def test_a_region_column_with_a_leading_space_is_found() -> None:
    frame = pd.DataFrame({"Phone": ["020 7946 0958"], " Country": ["GB"]})
    mapping = Mapping({"profile.phone_number": {"column": "Phone", "region_column": "Country"}})
    result = prepare(frame, mapping)
    assert result.ready["bulk_user"].iloc[0]["profile"]["phone_number"] == "+442079460958"


def test_two_columns_that_would_match_are_still_an_error() -> None:
    frame = pd.DataFrame({"Email ": ["a@example.com"], " Email": ["b@example.com"]})
    with pytest.raises(MappingError, match="column 'Email' not found"):
        Mapping({"profile.email": "Email"}).apply(frame)


def test_the_exact_name_wins_over_a_padded_one() -> None:
    frame = pd.DataFrame({"Email": ["a@example.com"], "Email ": ["b@example.com"]})
    mapped = Mapping({"profile.email": "Email"}).apply(frame)
    assert mapped.targets["profile.email"].tolist() == ["a@example.com"]


def test_a_clean_header_has_no_padded_columns(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("Email\na@example.com\n")
    assert read_info(read_csv(path)).padded_columns == ()
