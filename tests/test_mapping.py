"""Mapping: specs and files, target paths read off courier.py's models, missing columns, and apply."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bulkprep import courier, prepare
from bulkprep.casts import Cast
from bulkprep.errors import InputError, MappingError
from bulkprep.mapping import (
    DECLARED_OBJECTS,
    OBJECT_TARGETS,
    ColumnSource,
    ConstSource,
    Mapping,
    check_target,
)

NESTED = {
    "recipient": "user_id",
    "profile": {"email": "Email", "phone_number": "Phone"},
    "data": {"first_name": "First Name", "age": {"column": "Age", "cast": "int"}, "src": {"const": "spring"}},
    "to": {"user_id": "user_id"},
}
DOTTED = {
    "recipient": "user_id",
    "profile.email": "Email",
    "profile.phone_number": "Phone",
    "data.first_name": "First Name",
    "data.age": {"column": "Age", "cast": "int"},
    "data.src": {"const": "spring"},
    "to.user_id": "user_id",
}


# -- specs and files ---------------------------------------------------------------------------------


def test_nested_and_dotted_forms_are_the_same_mapping() -> None:
    assert Mapping(NESTED) == Mapping(DOTTED)
    assert Mapping(NESTED).to_dict() == NESTED
    assert Mapping(DOTTED).sources["data.age"] == ColumnSource("Age", Cast.INT)
    assert Mapping(DOTTED).sources["data.src"] == ConstSource("spring")


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
@pytest.mark.parametrize(
    "spec",
    [
        NESTED,
        # an object source with fields under it, and fields named like source keys
        {"data": {"column": "Extra", "cast": "json"}, "data.plan": "Plan", "data.column": "C"},
        {"preferences.categories.news.status": "News", "to.context.tenant_id": {"const": "acme"}},
        {"data.prefs": {"const": {"a": [1, 2], "b": True}}},
    ],
)
def test_save_and_load_round_trip(tmp_path: Path, suffix: str, spec: dict[str, Any]) -> None:
    mapping = Mapping(spec)
    file = tmp_path / f"mapping{suffix}"
    mapping.save(file)
    assert Mapping.load(file) == mapping
    assert Mapping(mapping.to_dict()) == mapping


def test_loads_the_designs_yaml_example(tmp_path: Path) -> None:
    file = tmp_path / "m.yaml"
    file.write_text(
        "recipient: user_id\nprofile:\n  email: Email\n  phone_number: Phone\n"
        "data:\n  first_name: First Name\n  plan: Plan\nto:\n  user_id: user_id\n",
        encoding="utf-8",
    )
    mapping = Mapping.load(file)
    assert mapping.targets == (
        "recipient",
        "profile.email",
        "profile.phone_number",
        "data.first_name",
        "data.plan",
        "to.user_id",
    )
    assert mapping.column_of("data.first_name") == "First Name"
    assert mapping.column_of("data.nothing") is None


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"email": "Email"}, ["'email'", "recipient, profile, data, to, preferences"]),
        ({"to": {"user_ip": "id"}}, ["'to.user_ip'", "user_id"]),
        ({"recipient.id": "id"}, ["'recipient.id'", "no fields"]),
        ({"preferences.news": "N"}, ["'preferences.news'", "categories"]),
        ({"preferences.categories.news.state": "N"}, ["'preferences.categories.news.state'", "status"]),
        ({"data": "Extra"}, ["'data'", "cast: json"]),
        ({"data.age": {"column": "Age", "cast": "integer"}}, ["'data.age'", "int, float, bool"]),
        ({"data.year": {"column": 2024}}, ["'data.year'", "quotes"]),
        ({"data.x": {"const": None}}, ["'data.x'", "remove"]),
        ({"data.x": None}, ["'data.x'", "name a column"]),
        ({"data..x": "X"}, ["'data..x'", "empty"]),
        ({"data": {"x": "X"}, "data.x": "Y"}, ["'data.x'", "twice"]),
    ],
)
def test_bad_specs_are_refused_naming_the_target(spec: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(MappingError) as caught:
        Mapping(spec)
    for word in words:
        assert word in str(caught.value)


def test_load_reports_a_bad_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"\.yaml, \.yml or \.json"):
        Mapping.load(tmp_path / "mapping.txt")
    with pytest.raises(MappingError, match="cannot read"):
        Mapping.load(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.json"
    broken.write_text("{recipient: ", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid JSON"):
        Mapping.load(broken)


def test_repr_is_readable() -> None:
    text = repr(Mapping(DOTTED))
    assert text.startswith("Mapping(recipient <- 'user_id'")
    assert "data.age <- 'Age' as int" in text
    assert "data.src = 'spring'" in text


# -- apply: columns, constants, casts ------------------------------------------------------------------


def test_missing_column_names_the_closest_one() -> None:
    frame = pd.DataFrame(columns=["Email", "Phone", "First Name"])
    with pytest.raises(MappingError) as caught:
        Mapping({"profile.email": "email ", "data.first": "Frist Name", "data.x": "Zzzzz"}).apply(frame)
    message = str(caught.value)
    assert "column 'email ' not found; did you mean 'Email'?" in message
    assert "column 'Frist Name' not found; did you mean 'First Name'?" in message
    assert "column 'Zzzzz' not found; the frame has 'Email', 'Phone', 'First Name'" in message


def test_apply_keys_rows_by_bulk_row_keeps_text_as_written_and_blanks_missing() -> None:
    frame = pd.DataFrame(
        {"bulk_row": [2, 5, 9], "Name": ["  Ann ", "", "   "], "Email": ["A@X.io ", None, "b@y"]}
    )
    mapped = Mapping({"data.name": "Name", "profile.email": "Email", "data.src": {"const": "x"}}).apply(frame)
    assert list(mapped.targets.index) == [2, 5, 9]
    assert mapped.targets.index.name == "bulk_row"
    assert mapped.targets["data.name"].tolist() == ["  Ann ", None, None]
    assert mapped.targets["profile.email"].tolist() == ["A@X.io ", None, "b@y"]
    assert mapped.targets["data.src"].tolist() == ["x", "x", "x"]
    assert mapped.errors.empty
    assert list(frame.columns) == ["bulk_row", "Name", "Email"]  # input untouched


def test_apply_without_bulk_row_uses_positions_and_refuses_repeated_keys() -> None:
    mapped = Mapping({"data.a": "A"}).apply(pd.DataFrame({"A": ["x", "y"]}))
    assert list(mapped.targets.index) == [0, 1]
    with pytest.raises(InputError, match="repeated: 3"):
        Mapping({"data.a": "A"}).apply(pd.DataFrame({"bulk_row": [3, 3], "A": ["x", "y"]}))


# -- target paths come from courier.py -----------------------------------------------------------------


def _fixed_paths() -> list[str]:
    """Every fixed path of the user, from the models (preferences aside: they have their own shape)."""
    paths = list(courier.ROOTS)
    for parent, declared in DECLARED_OBJECTS.items():
        paths += [f"{parent}.{name}" for name in declared.fields if parent]
    return paths


def test_every_declared_field_is_a_target_and_objects_need_json() -> None:
    for path in _fixed_paths():
        check_target(path)
        if path in OBJECT_TARGETS:
            with pytest.raises(MappingError, match="cast: json"):
                Mapping({path: "Col"})
            Mapping({path: {"column": "Col", "cast": "json"}})
        else:
            Mapping({path: "Col"})
    assert {path for path in _fixed_paths() if courier.field_at(path) == "object"} <= OBJECT_TARGETS
    assert set(courier.PREFERENCE_ROOTS) <= OBJECT_TARGETS


def test_the_declared_objects_are_the_models_fields() -> None:
    assert DECLARED_OBJECTS[""].fields == courier.ROOTS
    assert DECLARED_OBJECTS["to"].fields == courier.TO_FIELDS
    assert DECLARED_OBJECTS["to.context"].fields == tuple(courier.Context.model_fields)
    assert DECLARED_OBJECTS["profile"].open
    assert not DECLARED_OBJECTS["to"].open
    # data and to.data are free objects: no declared fields, any path under them
    assert "data" not in DECLARED_OBJECTS
    assert "to.data" not in DECLARED_OBJECTS
    for free in ("data.a.b.c", "to.data.x.y", "profile.custom", "profile.custom.deep"):
        check_target(free)


@pytest.mark.parametrize(
    ("target", "guess"),
    [
        ("to.user_ip", "to.user_id"),
        ("to.emial", "to.email"),
        ("to.contxt.tenant_id", "to.context.tenant_id"),
        ("to.context.tenantid", "to.context.tenant_id"),
        ("profle.email", "profile.email"),
        ("preferences.categorys.news.status", "preferences.categories.news.status"),
        ("to.preferences.notification.n.rules", "to.preferences.notifications.n.rules"),
        ("preferences.categories.news.stauts", "preferences.categories.news.status"),
    ],
)
def test_a_misspelt_field_under_a_fixed_object_is_answered_with_the_closest(target: str, guess: str) -> None:
    with pytest.raises(MappingError) as caught:
        Mapping({target: {"column": "C", "cast": "json"}})
    message = str(caught.value)
    assert message.startswith(f"target {target!r}: ")
    assert message.endswith(f"; did you mean {guess!r}?")
    check_target(guess)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "email",
            "target 'email': must start with one of recipient, profile, data, to, preferences "
            "(for example profile.email or data.email)",
        ),
        ("recipient.id", "target 'recipient.id': recipient is a single user id and has no fields"),
        ("to.locale.x", "target 'to.locale.x': to.locale is a single value and has no fields"),
        ("to.context.x", "target 'to.context.x': to.context has a single field, tenant_id"),
        ("profile.email.x", "target 'profile.email.x': profile.email is a single value and has no fields"),
        (
            "to.preferences.x",
            "target 'to.preferences.x': preferences hold 'categories' or 'notifications', "
            "as in preferences.categories.<id>.status",
        ),
        (
            "preferences.categories.n.rules.x",
            "target 'preferences.categories.n.rules.x': rules cannot be split further; "
            "map one column with cast: json to it",
        ),
    ],
)
def test_target_messages_without_a_close_field_say_what_fits(target: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        check_target(target)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("ROOTS", "bulkprep.courier"),
        ("TO_FIELDS", "bulkprep.courier"),
        ("Cast", "bulkprep.casts"),
        ("build_payloads", "bulkprep.payloads"),
    ],
)
def test_moved_names_still_read_from_mapping_with_a_warning(name: str, home: str) -> None:
    mapping_module = importlib.import_module("bulkprep.mapping")
    with pytest.warns(DeprecationWarning, match=f"bulkprep.mapping.{name} is deprecated; use {home}.{name}"):
        value = getattr(mapping_module, name)
    assert value is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mapping_module.no_such_name


def test_columns_labelled_by_numbers_are_named_by_their_text() -> None:
    frame = pd.DataFrame([["u1", "a@example.com"], ["u2", "b@example.com"]])  # labels 0 and 1
    prepared = prepare(frame, Mapping.from_dict({"recipient": "0", "profile": {"email": "1"}}))
    assert prepared.summary["ready"] == 2
    assert prepared.df["bulk_user"].iloc[1] == {"recipient": "u2", "profile": {"email": "b@example.com"}}
    with pytest.raises(MappingError, match="column '2' not found"):
        prepare(frame, Mapping.from_dict({"recipient": "2"}))
