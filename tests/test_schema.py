"""The mapping file's JSON Schema: valid draft 2020-12, true to every mapping file, and to Mapping itself."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import courier
from bulkprep.errors import MappingError
from bulkprep.mapping import DECLARED_OBJECTS, Mapping
from bulkprep.schema import DRAFT, mapping_schema, schema_json

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = jsonschema.Draft202012Validator(mapping_schema())


def schema_accepts(spec: Any) -> bool:
    return bool(VALIDATOR.is_valid(spec))


def mapping_accepts(spec: Any) -> bool:
    try:
        Mapping(spec)
    except MappingError:
        return False
    return True


def near_miss(spec: Any) -> bool:
    """Mapping refuses a profile field close to a declared one (profile.emai); the schema leaves it."""
    try:
        Mapping(spec)
    except MappingError as error:
        return "a field Courier defines; did you mean" in str(error)
    return False


def assert_agree(spec: Any) -> None:
    if near_miss(spec):
        assert schema_accepts(spec), spec
    else:
        assert schema_accepts(spec) == mapping_accepts(spec), spec


# -- the schema itself ---------------------------------------------------------------------------------


def test_the_schema_is_draft_2020_12_with_a_title_and_descriptions() -> None:
    schema = mapping_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    assert "nested" in schema["description"]
    assert "dotted" in schema["description"]
    for root in courier.ROOTS:
        assert schema["properties"][root]["description"].startswith(f"{root}: ")
    assert "Identifies the user (user id)" in schema["properties"]["recipient"]["description"]
    assert "``" not in schema_json()  # editors show descriptions as Markdown
    to = schema["$defs"]["to"]["else"]["properties"]
    assert set(to) == set(courier.TO_FIELDS)
    assert to["account_id"]["description"].endswith("Deprecated: use tenant_id.")
    assert schema["$defs"]["to.account_id"]["deprecated"] is True
    casts = {option.get("const"): option.get("description") for option in schema["$defs"]["cast"]["anyOf"]}
    assert casts["bool"] == (
        "bool: yes/no, true/false, y/n or 1/0 in any letter case (or yes/no in other languages: ja/nein, "
        "oui/non, sí/no...), as true or false."
    )


def test_schema_json_is_pretty_sorted_and_ends_with_a_newline() -> None:
    text = schema_json()
    assert json.loads(text) == mapping_schema()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")


# -- mapping files -------------------------------------------------------------------------------------


def _mapping_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    names = listed.stdout.split() if listed.returncode == 0 else []
    files = [ROOT / name for name in names if re.search(r"mapping[^/]*\.(ya?ml|json)$", name)]
    if not files:  # not a git checkout: look where the mappings live
        files = [
            path
            for folder in ("data", "bulkprep/samples", "tests/fixtures")
            for path in (ROOT / folder).rglob("*mapping*")
            if path.suffix in (".yaml", ".yml", ".json")
        ]
    return sorted(files)


def _readme_mappings() -> list[dict[str, Any]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)]
    return [block for block in blocks if isinstance(block, dict) and "recipient" in block]


def test_the_repository_has_mapping_files_to_check() -> None:
    names = {path.name for path in _mapping_files()}
    assert {"users_clean.mapping.yaml", "users_messy.mapping.yaml"} <= names
    assert _readme_mappings()


@pytest.mark.parametrize("path", _mapping_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_mapping_file_in_the_repository_validates(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    spec = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert schema_accepts(spec), list(VALIDATOR.iter_errors(spec))
    Mapping.load(path)


def test_the_readmes_mapping_validates() -> None:
    for spec in _readme_mappings():
        assert schema_accepts(spec), list(VALIDATOR.iter_errors(spec))
        Mapping(spec)


def test_a_saved_suggestion_validates(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(columns=["User ID", "E-mail", "Mobile", "Column", "Signup Date", "Notes"])
    file = tmp_path / "mapping.yaml"
    Mapping.suggest(frame).save(file)
    assert schema_accepts(yaml.safe_load(file.read_text(encoding="utf-8")))


# -- good and broken mappings, both ways --------------------------------------------------------------

GOOD: list[dict[str, Any]] = [
    {},
    {"recipient": "user_id", "profile": {"email": "Email"}, "to": {"user_id": "user_id"}},
    {"profile.email": "Email", "data.plan": {"column": "Plan", "cast": "str"}},
    {"data": {"column": "Extra", "cast": "json"}, "data.plan": "Plan", "data.column": "C"},
    {"data": {"column": "Extra", "cast": " JSON "}},
    {"data.age": {"column": "Age", "cast": "Int"}, "data.n": {"column": "N", "cast": None}},
    {"data": {"const": {}}, "to.context": {"const": {"tenant_id": "acme"}}},
    {"data": {"a": {"b": {"c": "C"}}, "x.y": "Y"}},
    {"profile": {"custom": {"deep": "D"}, "other.field": "O", "phone_number": "Phone"}},
    {"to": {"data": {"a.b": "A"}, "context.tenant_id": "T", "preferences.categories.n.status": "S"}},
    {"to.context": {"tenant_id": {"const": "acme"}}},
    {
        "preferences": {
            "categories": {"news": {"status": "News"}, "promo.rules": {"column": "R", "cast": "json"}}
        }
    },
    {"preferences.notifications": {"welcome": "W"}, "preferences.categories.news": "N"},
    {"preferences": {"const": {"categories": {}}}},
    {"data.list": {"const": [1, 2]}, "data.flag": {"const": False}, "data.zero": {"const": 0}},
    {"data.signup": {"column": "S", "cast": "date", "dayfirst": True}},
    {"data.signup": {"column": "S", "cast": " Date ", "format": "%d/%m/%Y", "dayfirst": None}},
    {"data.signup": {"column": "S", "cast": "int", "dayfirst": None, "format": None}},
    {"profile.phone_number": {"column": "Phone", "region_column": "Country", "on_error": "drop_field"}},
    {"to": {"phone_number": {"column": "Phone", "region_column": None}}},
    {"data.age": {"column": "Age", "cast": "int", "on_error": "Invalid"}},
    {"data": {"column": "Extra", "cast": "json", "on_error": "drop_field"}},
    {"profile.emial": {"column": "E", "custom": True}, "data.x": {"const": 1, "custom": False}},
    {"to.data.x": {"column": "X", "custom": None}},
    {"data": {"format": "Format", "custom": "Custom", "on_error": "OnError"}},  # fields named like options
    {"data.plan": {"column": "P", "cast": "json"}, "data.plan.tier": "T"},  # an object merged with a field
]

BROKEN: list[dict[str, Any]] = [
    {"email": "Email"},  # unknown root
    {"profle": {"email": "Email"}},  # misspelt root
    {"data.age": {"column": "Age", "cast": "integer"}},  # bad cast
    {"data.age": {"column": "Age", "cast": 1}},
    {"data": "Extra"},  # object target without a json cast
    {"data": {"column": "Extra"}},
    {"to": {"column": "To", "cast": "str"}},
    {"to.context": {"const": "acme"}},  # an object target's const must be an object
    {"preferences": "Prefs"},
    {"to": {"user_ip": "id"}},  # misspelt field under a fixed object
    {"to.user_ip": "id"},
    {"to.contxt.tenant_id": "T"},
    {"to.context.tenant": "T"},
    {"preferences.categorys.news.status": "N"},
    {"preferences.categories.news.state": "N"},
    {"preferences.categories.news.status.x": "N"},
    {"data.src": {"const": "x", "cast": "str"}},  # const with cast
    {"data.src": {"const": None}},
    {"data.src": None},
    {"data.src": 2024},
    {"data.src": ["A", "B"]},
    {"data.year": {"column": 2024}},
    {"data": {}},
    {"data..x": "X"},
    {"data. ": "X"},
    {"recipient": {"id": "id"}},
    {"recipient.id": "id"},
    {"profile.email.x": "E"},
    {"to": {"email": {"x": "E"}}},
    {"profile.phone_number": {"column": "Phone", "region_colum": "Country"}},  # an unknown key
    {"data.plan": {"column": "Plan", "tier": "Tier"}},  # a branch mixed with a source
    {"data.x": {"column": "X", "const": "x"}},
    {"data.x": {"const": "x", "on_error": "drop_field"}},
    {"data.d": {"column": "D", "dayfirst": True}},  # dayfirst without cast: date
    {"data.d": {"column": "D", "cast": "int", "format": "%d"}},
    {"data.d": {"column": "D", "cast": "date", "dayfirst": False, "format": "%m/%d/%Y"}},
    {"data.d": {"column": "D", "cast": "date", "dayfirst": "yes"}},
    {"data.p": {"column": "P", "region_column": "Country"}},  # region_column off a phone target
    {"profile.phone_number": {"column": "Phone", "region_column": " "}},
    {"data.x": {"column": "X", "on_error": "skip"}},
    {"profile.email": {"column": "E", "custom": True}},  # custom on a field Courier defines
    {"data": {"column": "Extra", "cast": "json", "custom": True}},
    {"recipient": {"const": "x", "custom": True}},
]


def test_what_the_schema_leaves_to_mapping() -> None:
    # blanks around a key: Mapping forgives them, the schema does not
    assert mapping_accepts({" profile.email ": "E"})
    assert not schema_accepts({" profile.email ": "E"})
    # a target given twice: the schema cannot see it, Mapping refuses it
    twice = {"data": {"x": "X"}, "data.x": "Y"}
    assert schema_accepts(twice)
    assert not mapping_accepts(twice)
    # a target under another target's single value, a key that looks like a misspelt column, a
    # profile field close to a declared one, a format that reads no whole date: Mapping refuses them
    for spec in (
        {"data.plan": "Plan", "data.plan.tier": "Tier"},
        {"data.plan": {"colum": "Plan"}},
        {"data.plan": {"Column": "Plan", "cast": "int"}},
        {"profile.emial": "E"},
        {"profile": {"phone": "P"}},
        {"data.d": {"column": "D", "cast": "date", "format": "%d/%m"}},
    ):
        assert schema_accepts(spec), spec
        assert not mapping_accepts(spec), spec


@pytest.mark.parametrize("spec", GOOD, ids=lambda spec: json.dumps(spec)[:60])
def test_good_mappings_pass_both(spec: dict[str, Any]) -> None:
    assert mapping_accepts(spec)
    assert schema_accepts(spec), list(VALIDATOR.iter_errors(spec))


@pytest.mark.parametrize("spec", BROKEN, ids=lambda spec: json.dumps(spec)[:60])
def test_broken_mappings_fail_both(spec: dict[str, Any]) -> None:
    assert not mapping_accepts(spec)
    assert not schema_accepts(spec)


# -- every target: the schema accepts exactly what Mapping accepts ---------------------------------------


def _declared_paths() -> list[str]:
    """Every target path courier.py declares, the preference paths spelled out with an id."""
    paths: list[str] = []
    for parent, declared in DECLARED_OBJECTS.items():
        paths += [f"{parent}.{name}" if parent else name for name in declared.fields]
    for root in courier.PREFERENCE_ROOTS:
        for group in courier.PREFERENCE_GROUPS:
            paths += [f"{root}.{group}", f"{root}.{group}.news"]
            paths += [f"{root}.{group}.news.{field}" for field in courier.PREFERENCE_FIELDS]
    return paths


def _wrong_spellings(path: str) -> list[str]:
    parts = path.split(".")
    out = []
    for i, part in enumerate(parts):
        if len(part) > 3:
            out.append(".".join([*parts[:i], part[:-1], *parts[i + 1 :]]))  # a letter dropped
        out.append(".".join([*parts[:i], part + "s", *parts[i + 1 :]]))
    return out


def _target_paths() -> list[str]:
    declared = _declared_paths()
    paths = set(declared)
    for path in declared:
        paths.update({f"{path}.x", f"{path}.x.y", f"{path}.", f"{path}. ", f"{path}..x"})
        paths.update(_wrong_spellings(path))
    paths.update({"x", "", " ", ".", "data", "data.column", "profile.const", "to.data.cast.x"})
    paths.update({"data.format", "profile.custom", "to.data.on_error.x", "data.x.region_column"})
    return sorted(paths)


def _nested(path: str, source: Any) -> Any:
    spec = source
    for part in reversed(path.split(".")):
        spec = {part: spec}
    return spec


SOURCES: list[Any] = [
    "Col",
    {"column": "Col", "cast": "json"},
    {"column": "Col", "cast": "int"},
    {"const": {"k": "v"}},
    {"const": "v"},
    {"column": "Col", "cast": "date", "dayfirst": True},
    {"column": "Col", "cast": "json", "on_error": "drop_field"},
    {"column": "Col", "region_column": "Country"},
    {"column": "Col", "custom": True},
    {"const": "v", "custom": True},
]


def test_the_generated_targets_cover_accepted_and_refused_paths() -> None:
    paths = _target_paths()
    accepted = [path for path in paths if mapping_accepts({path: {"column": "C", "cast": "json"}})]
    assert len(paths) > 400
    assert 50 < len(accepted) < len(paths) - 100
    assert set(_declared_paths()) <= set(accepted)


@pytest.mark.parametrize("path", _target_paths())
def test_schema_and_mapping_agree_on_every_generated_target(path: str) -> None:
    for source in SOURCES:
        for spec in ({path: source}, _nested(path, source)):
            assert_agree(spec)


def test_near_misses_of_declared_profile_fields_are_refused_unless_custom() -> None:
    refused = [path for path in _target_paths() if near_miss({path: "Col"})]
    assert set(refused) >= {"profile.emai", "profile.emails", "profile.phone_numbe", "profile.phone_numbers"}
    for path in refused:
        assert mapping_accepts({path: {"column": "Col", "custom": True}})
        assert schema_accepts({path: {"column": "Col", "custom": True}})


# Segments to build paths from: every declared name, a close misspelling, free names, names the
# format keeps for sources, and empty or blank segments (keys with blanks around them aside: Mapping
# forgives those and the schema does not).
SEGMENTS = sorted(
    {name for declared in DECLARED_OBJECTS.values() for name in declared.fields}
    | set(courier.PREFERENCE_GROUPS)
    | set(courier.PREFERENCE_FIELDS)
    | {
        "user_ip",
        "contxt",
        "categorys",
        "news",
        "x",
        "first name",
        "prénom",
        "column",
        "cast",
        "const",
        "dayfirst",
        "format",
        "region_column",
        "on_error",
        "custom",
        "",
        " ",
    }
)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6),
    source=st.sampled_from(SOURCES),
    nested=st.booleans(),
)
def test_schema_and_mapping_agree_on_any_path(parts: list[str], source: Any, nested: bool) -> None:
    path = ".".join(parts)
    spec = _nested(path, source) if nested else {path: source}
    assert_agree(spec)
