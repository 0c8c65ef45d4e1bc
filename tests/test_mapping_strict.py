"""Mapping mistakes are errors, never silent: unknown source keys, near misses of Courier's fields,
targets under another target's value; and the source options (dayfirst, format, region_column,
on_error, custom) are read, checked, kept through files and exposed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bulkprep.casts import Cast, DateOptions
from bulkprep.errors import MappingError
from bulkprep.mapping import (
    COLUMN_KEYS,
    CONST_KEYS,
    PHONE_TARGETS,
    ColumnSource,
    ConstSource,
    Mapping,
    OnError,
    check_target,
)


def refused(spec: dict[str, Any]) -> str:
    with pytest.raises(MappingError) as caught:
        Mapping(spec)
    return str(caught.value)


# -- unknown keys ----------------------------------------------------------------------------------


def test_an_unknown_key_in_a_source_names_the_allowed_keys_and_the_closest() -> None:
    message = refused({"profile.phone_number": {"column": "Phone", "region_colum": "Country"}})
    assert message == (
        "target 'profile.phone_number': unknown key 'region_colum' in a column source; did you mean "
        "'region_column'? a column source takes column, cast, dayfirst, format, decimal, region_column, "
        "on_error, custom (a field named 'region_colum' is written as a dotted key, "
        "profile.phone_number.region_colum)"
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"column": "Age", "Cast": "int"}, ["unknown key 'Cast'", "did you mean 'cast'?"]),
        ({"column": "Age", "casts": "int"}, ["unknown key 'casts'", "did you mean 'cast'?"]),
        ({"column": "Age", "plan": "Plan"}, ["unknown key 'plan'", "takes column, cast", "data.x.plan"]),
        ({"const": "x", "cst": 1}, ["unknown key 'cst' in a const source", "takes const, custom"]),
        ({"const": "x", "on_error": "drop_field"}, ["unknown key 'on_error' in a const source"]),
        ({"column": "X", "const": "x"}, ["a column or a const, not both", "data.x.column"]),
        ({"colum": "X", "cast": "int"}, ["key 'colum' looks like a misspelt 'column'", "data.x.colum"]),
        ({"Column": "X"}, ["key 'Column' looks like a misspelt 'column'"]),
        ({"CONST": "x"}, ["key 'CONST' looks like a misspelt 'const'"]),
    ],
)
def test_malformed_sources_are_refused_with_the_fix(source: dict[str, Any], words: list[str]) -> None:
    message = refused({"data": {"x": source}})
    assert message.startswith("target 'data.x'")
    for word in words:
        assert word in message


def test_a_dict_without_column_or_const_is_still_a_branch_of_fields() -> None:
    mapping = Mapping({"data": {"format": "Format", "cast": "Cast", "cost": "Cost", "count": "N"}})
    assert mapping.column_of("data.format") == "Format"
    assert mapping.column_of("data.cost") == "Cost"
    assert mapping.to_dict() == {
        "data": {"format": "Format", "cost": "Cost", "count": "N"},
        "data.cast": "Cast",
    }


@pytest.mark.parametrize("name", ["column", "const", "cast", "Column", "colum"])
def test_fields_named_like_source_keys_round_trip_as_dotted_keys(name: str) -> None:
    mapping = Mapping({f"data.x.{name}": "A", f"data.{name}": "B"})
    assert Mapping(mapping.to_dict()) == mapping


# -- options ----------------------------------------------------------------------------------------


FULL = {
    "recipient": "id",
    "profile": {
        "phone_number": {"column": "Phone", "region_column": "Country", "on_error": "drop_field"},
        "emial": {"column": "Emial", "custom": True},
    },
    "to.phone_number": {"column": "Mobile", "region_column": "Land"},
    "data": {
        "signup": {"column": "Signup", "cast": "date", "dayfirst": True},
        "created": {"column": "Created", "cast": "DATE", "format": "%m/%d/%Y %H:%M"},
        "flag": {"const": True, "custom": True},
    },
}


def test_options_are_stored_on_the_source() -> None:
    sources = Mapping(FULL).sources
    assert sources["profile.phone_number"] == ColumnSource(
        "Phone", region_column="Country", on_error=OnError.DROP_FIELD
    )
    assert sources["profile.emial"] == ColumnSource("Emial", custom=True)
    assert sources["data.signup"] == ColumnSource("Signup", Cast.DATE, dayfirst=True)
    assert sources["data.signup"].date_options == DateOptions(dayfirst=True)
    assert sources["data.created"].date_options == DateOptions(date_format="%m/%d/%Y %H:%M")
    assert sources["data.flag"] == ConstSource(True, custom=True)


def test_region_columns_and_on_error_policies_are_exposed() -> None:
    mapping = Mapping(FULL)
    assert mapping.region_columns() == {"profile.phone_number": "Country", "to.phone_number": "Land"}
    assert mapping.on_error_policies() == {"profile.phone_number": OnError.DROP_FIELD}
    assert Mapping({"data.x": {"column": "X", "on_error": " Invalid "}}).on_error_policies() == {}
    assert {"profile.phone_number", "to.phone_number"} == PHONE_TARGETS
    assert COLUMN_KEYS[0] == "column"
    assert CONST_KEYS == ("const", "custom")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_options_survive_save_and_load(tmp_path: Path, suffix: str) -> None:
    mapping = Mapping(FULL)
    file = tmp_path / f"mapping{suffix}"
    mapping.save(file)
    assert Mapping.load(file) == mapping
    spec = mapping.to_dict()
    assert spec["profile"]["phone_number"] == {
        "column": "Phone",
        "region_column": "Country",
        "on_error": "drop_field",
    }
    assert spec["data"]["created"] == {"column": "Created", "cast": "date", "format": "%m/%d/%Y %H:%M"}
    assert spec["data"]["flag"] == {"const": True, "custom": True}
    assert "region_column='Country'" in repr(mapping)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (
            {"data.phone": {"column": "P", "region_column": "Country"}},
            ["'data.phone'", "region_column is for phone numbers", "profile.phone_number or to.phone_number"],
        ),
        (
            {"profile.phone_number": {"column": "P", "region_column": ""}},
            ["region_column must name the column holding each row's country"],
        ),
        (
            {"profile.phone_number": {"column": "P", "region_column": 44}},
            ["region_column must name the column"],
        ),
        (
            {"data.x": {"column": "X", "on_error": "skip"}},
            ["unknown on_error 'skip'", "invalid or drop_field"],
        ),
        ({"data.x": {"column": "X", "custom": "yes"}}, ["custom must be true or false"]),
        (
            {"profile.email": {"column": "E", "custom": True}},
            ["'profile.email'", "custom is for fields of the user's own", "remove custom"],
        ),
        ({"recipient": {"const": "u", "custom": False}}, ["custom is for fields of the user's own"]),
    ],
)
def test_options_in_the_wrong_place_are_refused(spec: dict[str, Any], words: list[str]) -> None:
    message = refused(spec)
    for word in words:
        assert word in message


def test_a_region_column_must_exist_when_the_mapping_is_applied() -> None:
    mapping = Mapping({"profile.phone_number": {"column": "Phone", "region_column": "Contry"}})
    frame = pd.DataFrame({"Phone": ["+442079460958"], "Country": ["GB"]})
    with pytest.raises(MappingError, match=r"column 'Contry' not found; did you mean 'Country'\?"):
        mapping.apply(frame)
    fine = Mapping({"profile.phone_number": {"column": "Phone", "region_column": "Country"}}).apply(frame)
    assert fine.targets["profile.phone_number"].tolist() == ["+442079460958"]


# -- near misses of Courier's fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "guess"),
    [
        ("profile.emial", "profile.email"),
        ("profile.e_mail", "profile.email"),
        ("profile.Email", "profile.email"),
        ("profile.mail", "profile.email"),
        ("profile.emails", "profile.email"),
        ("profile.phone", "profile.phone_number"),
        ("profile.phoneNumber", "profile.phone_number"),
        ("profile.phone-number", "profile.phone_number"),
        ("profile.phone_numbr.x", "profile.phone_number.x"),
    ],
)
def test_a_near_miss_of_a_profile_field_is_refused_unless_custom(target: str, guess: str) -> None:
    message = refused({target: "C"})
    assert f"did you mean {guess!r}?" in message
    assert "a field Courier defines" in message
    assert "add custom: true" in message
    assert Mapping({target: {"column": "C", "custom": True}}).column_of(target) == "C"
    check_target(target, custom=True)
    with pytest.raises(MappingError):
        check_target(target)


@pytest.mark.parametrize(
    "target",
    [
        "profile.first_name",
        "profile.email_verified",
        "profile.emailaddress",
        "profile.phone_verified",
        "profile.x",
    ],
)
def test_profile_fields_of_the_users_own_that_are_not_near_misses_pass(target: str) -> None:
    assert Mapping({target: "C"}).targets == (target,)


# -- targets under another target ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"data.plan": "Plan", "data.plan.tier": "Tier"},
        {"data": {"plan": {"column": "Plan", "cast": "int"}, "plan.tier": "Tier"}},
        {"data.plan.tier": "Tier", "data.plan": {"const": "gold"}},
        {"to.data.a": "A", "to.data.a.b.c": "C"},
    ],
)
def test_a_target_under_another_targets_value_is_refused_naming_both(spec: dict[str, Any]) -> None:
    message = refused(spec)
    assert "is under target" in message
    assert "holds a single value" in message
    assert "map only one of them" in message


def test_a_target_under_an_object_source_is_merged_as_before() -> None:
    mapping = Mapping({"data.plan": {"column": "Plan", "cast": "json"}, "data.plan.tier": "Tier"})
    assert mapping.targets == ("data.plan", "data.plan.tier")
    assert (
        Mapping({"data.plan": {"const": {"a": 1}}, "data.plan.tier": "Tier"}).targets[1] == "data.plan.tier"
    )
    message = refused({"data.plan": "Plan", "data.plan.tier": "Tier"})
    assert message.startswith("target 'data.plan.tier' is under target 'data.plan'")
