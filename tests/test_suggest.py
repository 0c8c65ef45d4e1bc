"""Suggestions: a mapping proposed from real-world column names."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.errors import MappingError
from bulkprep.mapping import Mapping
from bulkprep.suggest import snake_case, suggested_spec

# -- suggestions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Email", "profile.email"),
        ("E-mail Address", "profile.email"),
        ("email_address", "profile.email"),
        ("  EMAIL  ", "profile.email"),
        ("Mail", "profile.email"),
        ("Phone", "profile.phone_number"),
        ("Mobile", "profile.phone_number"),
        ("Cell", "profile.phone_number"),
        ("Phone Number", "profile.phone_number"),
        ("Tel.", "profile.phone_number"),
        ("User ID", "recipient"),
        ("user_id", "recipient"),
        ("id", "recipient"),
        ("Customer ID", "recipient"),
        ("External-ID", "recipient"),
        ("First Name", "data.first_name"),
        ("Last Name", "data.last_name"),
        ("Company", "data.company"),
        ("Plan", "data.plan"),
        ("Locale", "to.locale"),
        ("signupDate", "data.signup_date"),
        ("Prénom", "data.prénom"),
    ],
)
def test_suggest_recognises_real_world_headers(header: str, target: str) -> None:
    mapping = Mapping.suggest(pd.DataFrame(columns=[header]))
    assert mapping.column_of(target) == header


def test_suggest_feeds_both_user_ids_prefers_better_spellings_and_is_deterministic() -> None:
    frame = pd.DataFrame(
        columns=["bulk_row", "id", "User ID", "Mail", "Email", "First Name", "first_name", "!!"]
    )
    mapping = Mapping.suggest(frame)
    assert mapping.column_of("recipient") == mapping.column_of("to.user_id") == "User ID"
    assert mapping.column_of("profile.email") == "Email"
    assert mapping.column_of("data.mail") == "Mail"
    assert mapping.column_of("data.id") == "id"
    assert mapping.column_of("data.first_name") == "First Name"
    assert mapping.column_of("data.first_name_2") == "first_name"
    assert mapping.column_of("data.column_7") == "!!"  # numbered as in the file, bulk_row aside
    assert "bulk_row" not in mapping.columns
    assert Mapping.suggest(frame) == mapping


def test_suggested_fields_avoid_the_names_the_mapping_format_keeps() -> None:
    spec = suggested_spec(["Column", "Const", "Cast", "cast"], reserved={"column", "cast", "const"})
    assert spec == {
        "data.column_2": "Column",
        "data.const_2": "Const",
        "data.cast_2": "Cast",
        "data.cast_3": "cast",
    }
    mapping = Mapping.suggest(pd.DataFrame(columns=["Column", "Const"]))
    assert mapping.column_of("data.column_2") == "Column"
    assert Mapping(mapping.to_dict()) == mapping


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("First Name", "first_name"),
        ("customerID", "customer_id"),
        ("E-mail", "e_mail"),
        ("!!", ""),
        ("Prénom", "prénom"),
    ],
)
def test_snake_case(header: str, name: str) -> None:
    assert snake_case(header) == name


def test_an_object_target_hint_names_a_field_in_snake_case() -> None:
    with pytest.raises(MappingError, match=r"such as data\.signup_date"):
        Mapping({"data": "Signup Date"})
