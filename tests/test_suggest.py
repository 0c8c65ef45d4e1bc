"""Suggestions: a mapping proposed from real-world column names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from bulkprep.demo import sample_path
from bulkprep.errors import MappingError
from bulkprep.layouts import LAYOUTS
from bulkprep.mapping import Mapping
from bulkprep.read import read_csv, read_info
from bulkprep.status import ATTRS_KEY
from bulkprep.suggest import snake_case, suggested_frame_spec, suggested_spec

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
        ("Prénom", "data.first_name"),
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


# -- the exports' layouts ----------------------------------------------------------------------------

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
EXPORT_FILES = sorted([*EXPORTS.glob("*.csv"), *EXPORTS.glob("*.xlsx")])
IDENTITY_TARGETS = ("recipient", "profile.email", "profile.phone_number")


def _intended_region_column(mapping_file: Path) -> str | None:
    """The region column a corpus mapping names on its phone (``region_column: Country``)."""
    return Mapping.load(mapping_file).region_columns().get("profile.phone_number")


@pytest.mark.parametrize("export", EXPORT_FILES, ids=lambda path: path.name)
def test_suggest_reads_each_export_as_its_own_mapping_does(export: Path) -> None:
    mapping_file = EXPORTS / f"{export.stem}.mapping.yaml"
    intended = Mapping.load(mapping_file)
    suggested = Mapping.suggest(read_csv(export))
    for target in IDENTITY_TARGETS:
        assert suggested.column_of(target) == intended.column_of(target), target
    assert suggested.column_of("to.user_id") == intended.column_of("recipient")
    region = _intended_region_column(mapping_file)
    assert region is not None
    phone = suggested.to_dict()["profile"]["phone_number"]
    assert phone == {"column": intended.column_of("profile.phone_number"), "region_column": region}
    assert Mapping(suggested.to_dict()) == suggested


def test_the_corpus_covers_every_recognized_layout() -> None:
    layouts = {read_info(read_csv(export)).layout for export in EXPORTS.glob("*.csv")}
    # Recognized by their header without an export in the corpus (tested in tests/test_layouts.py).
    header_only = {"zoho_crm", "google_contacts", "outlook", "woocommerce", "pipedrive"}
    assert {layout.name for layout in LAYOUTS} - header_only <= layouts


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Record ID", "recipient"),  # HubSpot
        ("Klaviyo ID", "recipient"),
        ("Contact ID", "recipient"),  # Salesforce
        ("Customer ID", "recipient"),  # Shopify
        ("LEID", "recipient"),  # Mailchimp
        ("user_id (metadata)", "recipient"),  # Stripe
        ("Kundennummer", "recipient"),
        ("Email Address", "profile.email"),  # Mailchimp
        ("E-Mail", "profile.email"),
        ("Telefon", "profile.phone_number"),
        ("Mobil", "profile.phone_number"),
        ("Handy", "profile.phone_number"),
        ("Office Phone", "profile.phone_number"),
        ("locale", "to.locale"),
        ("language", "to.locale"),
        ("Language", "to.locale"),
        ("tenant_id", "to.tenant_id"),
        ("Tenant ID", "to.tenant_id"),
        ("Land", "data.land"),  # a country column stays data; the phone reads it
        ("plan (metadata)", "data.plan_metadata"),  # metadata not named like an id is data
        # Alone, a phone named by its words is the phone (beside Shopify's Phone or HubSpot's Phone
        # Number it is data: see the layout ties below).
        ("Default Address Phone", "profile.phone_number"),
        ("Mobile Phone Number", "profile.phone_number"),
    ],
)
def test_suggest_knows_the_exports_headers(header: str, target: str) -> None:
    assert Mapping.suggest(pd.DataFrame(columns=[header])).column_of(target) == header


@pytest.mark.parametrize(
    ("columns", "recipient"),
    [
        (["id", "Email", "user_id (metadata)"], "user_id (metadata)"),  # Stripe: the app's id over cus_…
        (["id", "customer_id (metadata)"], "customer_id (metadata)"),
        (["User ID", "id (metadata)"], "id (metadata)"),
        (["id", "plan (metadata)"], "id"),  # Stripe's id when the metadata holds none
        (["External ID", "Klaviyo ID"], "Klaviyo ID"),  # External ID is set only for synced profiles
        (["Record ID", "Email"], "Record ID"),
        (["LEID", "EUID"], "LEID"),
        (["Kundennummer", "E-Mail"], "Kundennummer"),
        (["id", "LEID"], "LEID"),
    ],
)
def test_suggest_prefers_the_users_own_id(columns: list[str], recipient: str) -> None:
    mapping = Mapping.suggest(pd.DataFrame(columns=columns))
    assert mapping.column_of("recipient") == mapping.column_of("to.user_id") == recipient


@pytest.mark.parametrize(
    ("columns", "layout", "phone"),
    [
        (["Phone", "Mobile"], None, "Mobile"),  # headers alone: the mobile first (text messages)
        (["Phone", "Mobile"], "salesforce_report", "Mobile"),  # a contact's Phone is the office line
        (["Phone", "Mobile"], "hubspot", "Mobile"),  # Zoho CRM's export is read as HubSpot's
        (["Phone Number", "Mobile Phone Number"], None, "Mobile Phone Number"),
        (["Mobile"], "salesforce_report", "Mobile"),
        (["Phone"], "salesforce_report", "Phone"),
        (["Telefon", "Mobil"], None, "Mobil"),  # German: the mobile over the landline
        (["Telefon", "Handy"], None, "Handy"),
        (["Telefon"], None, "Telefon"),
        (["Phone Number", "Mobile Phone Number"], "hubspot", "Phone Number"),
        (["Default Address Phone", "Phone"], "shopify", "Phone"),
    ],
)
def test_a_recognized_layout_breaks_ties_between_phones(
    columns: list[str], layout: str | None, phone: str
) -> None:
    assert suggested_spec(columns, layout=layout)["profile.phone_number"] == phone
    frame = pd.DataFrame(columns=columns)
    if layout is not None:
        frame.attrs[ATTRS_KEY] = {"layout": layout}
    assert Mapping.suggest(frame).column_of("profile.phone_number") == phone


def test_suggest_reads_the_layout_from_the_frame_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Record ID,Contact owner,Create Date,Phone Number,Mobile Phone Number\n"
        "101,Ann Owner,2024-03-01 10:00,+1 212 555 0100,+1 212 555 0101\n",
        encoding="utf-8",
    )
    frame = read_csv(path)
    assert read_info(frame).layout == "hubspot"
    assert Mapping.suggest(frame).column_of("profile.phone_number") == "Phone Number"
    frame.attrs.clear()
    assert Mapping.suggest(frame).column_of("profile.phone_number") == "Mobile Phone Number"


@pytest.mark.parametrize(
    ("columns", "phone", "region"),
    [
        (["Phone", "Country"], "Phone", "Country"),
        (["Phone", "CC"], "Phone", "CC"),
        (["Phone Number", "Country/Region"], "Phone Number", "Country/Region"),
        (["Mobile", "Mailing Country"], "Mobile", "Mailing Country"),
        (["Phone", "Default Address Country Code"], "Phone", "Default Address Country Code"),
        (["Mobil", "Land"], "Mobil", "Land"),
        (["phone", "country_code"], "phone", "country_code"),
        (["Phone", "Address Country"], "Phone", "Address Country"),
        (["Phone", "CC", "Country"], "Phone", "Country"),  # the better spelling, wherever it is
    ],
)
def test_suggest_proposes_the_region_column(columns: list[str], phone: str, region: str) -> None:
    mapping = Mapping.suggest(pd.DataFrame(columns=columns))
    assert mapping.to_dict()["profile"] == {"phone_number": {"column": phone, "region_column": region}}
    assert mapping.column_of("profile.phone_number") == phone
    assert mapping.column_of(f"data.{snake_case(region)}") == region  # still sent as data


@pytest.mark.parametrize(
    "columns",
    [["Country", "Email"], ["Phone", "State / Region"], ["Phone", "Countries visited"], ["Phone"]],
)
def test_no_region_column_without_both_a_phone_and_a_country(columns: list[str]) -> None:
    spec = suggested_spec(columns)
    assert all(isinstance(source, str) for source in spec.values())


def test_a_suggested_region_column_is_the_mappings_own() -> None:
    frame = pd.DataFrame({"User ID": ["1"], "Phone": ["020 7946 0958"], "Country": ["GB"]})
    mapping = Mapping.suggest(frame)
    assert mapping.region_columns() == {"profile.phone_number": "Country"}
    assert mapping.apply(frame).targets["data.country"].tolist() == ["GB"]


@pytest.mark.parametrize(
    ("cells", "root"),
    [
        (['{"categories": {"news": {"status": "OPTED_IN"}}}', ""], "preferences"),
        (['{"a": 1}', '{"b": [1, 2]}'], "data"),
        (["{}", None], "data"),
    ],
)
@pytest.mark.parametrize("case", [str.lower, str.title, str.upper])
def test_json_object_columns_feed_their_root(
    cells: list[str | None], root: str, case: Callable[[str], str]
) -> None:
    column = case(root)
    frame = pd.DataFrame({"id": ["1", "2"], column: cells, "Plan": ["a", "b"]})
    mapping = Mapping.suggest(frame)
    assert mapping.to_dict()[root] == {"column": column, "cast": "json"}
    assert mapping.column_of("data.plan") == "Plan"
    assert Mapping(mapping.to_dict()) == mapping


@pytest.mark.parametrize(
    ("column", "cells", "target"),
    [
        ("data", ["[1, 2]", '{"a": 1}'], "data.data"),  # not every cell an object
        ("data", ["x", ""], "data.data"),
        ("data", ["", None], "data.data"),  # nothing to tell
        ("preferences", ["opted in"], "data.preferences"),
        ("Data ", ['{"a": 1}'], "data.data"),  # the name exactly
        ("user_data", ['{"a": 1}'], "data.user_data"),
        ("Attributes", ['{"a": 1}'], "data.attributes"),  # JSON, but the reviewer says so with a cast
    ],
)
def test_other_columns_are_data_even_with_json_cells(
    column: str, cells: list[str | None], target: str
) -> None:
    mapping = Mapping.suggest(pd.DataFrame({column: cells}))
    assert mapping.column_of(target) == column
    assert list(mapping.to_dict()) == ["data"]  # no root fed: a data field (cast: json when all are JSON)
    assert list(mapping.to_dict()["data"]) == [snake_case(column)]


def test_suggest_maps_locale_and_tenant_to_the_message_recipient() -> None:
    mapping = Mapping.suggest(pd.DataFrame(columns=["User ID", "Locale", "language", "Tenant ID", "Plan"]))
    assert mapping.to_dict() == {
        "recipient": "User ID",
        "data": {"language": "language", "plan": "Plan"},
        "to": {"user_id": "User ID", "locale": "Locale", "tenant_id": "Tenant ID"},
    }


def test_the_sample_datas_suggested_mapping_reads_phones_by_country() -> None:
    users = read_csv(sample_path("users_messy.csv"))
    assert Mapping.suggest(users).to_dict() == {
        "recipient": "User ID",
        "profile": {"email": "Email", "phone_number": {"column": "Phone", "region_column": "Country"}},
        "data": {
            "first_name": "First Name",
            "last_name": "Last Name",
            "country": "Country",
            "plan": "Plan",
            "signup_date": {"column": "Signup Date", "cast": "date"},
            "newsletter": "Newsletter",
            "attributes": "Attributes",
            "notes": "Notes",
        },
        "to": {"user_id": "User ID"},
    }


# -- other languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        pytest.param(
            ["Identifiant", "Civilité", "Prénom", "Nom", "Adresse e-mail", "Téléphone", "Portable", "Pays",
             "Langue", "Date de création"],
            {"recipient": "Identifiant", "profile.email": "Adresse e-mail",
             "profile.phone_number": {"column": "Portable", "region_column": "Pays"},
             "data.first_name": "Prénom", "data.last_name": "Nom", "to.locale": "Langue"},
            id="french-crm",
        ),
        pytest.param(
            ["ID client", "Nom", "Prénom", "Courriel", "Mobile", "Code pays"],
            {"recipient": "ID client", "profile.email": "Courriel",
             "profile.phone_number": {"column": "Mobile", "region_column": "Code pays"},
             "data.first_name": "Prénom", "data.last_name": "Nom"},
            id="french-shop",
        ),
        pytest.param(
            ["Número de cliente", "Nombre", "Apellidos", "Correo electrónico", "Teléfono", "Móvil", "País",
             "Idioma"],
            {"recipient": "Número de cliente", "profile.email": "Correo electrónico",
             "profile.phone_number": {"column": "Móvil", "region_column": "País"},
             "data.first_name": "Nombre", "data.last_name": "Apellidos", "to.locale": "Idioma"},
            id="spanish",
        ),
        pytest.param(
            ["ID", "Nombre", "Apellido", "Correo", "Celular", "País"],
            {"recipient": "ID", "profile.email": "Correo",
             "profile.phone_number": {"column": "Celular", "region_column": "País"},
             "data.first_name": "Nombre", "data.last_name": "Apellido"},
            id="spanish-latin-america",
        ),
        pytest.param(
            ["Codice cliente", "Nome", "Cognome", "Posta elettronica", "Telefono", "Cellulare", "Paese",
             "Lingua"],
            {"recipient": "Codice cliente", "profile.email": "Posta elettronica",
             "profile.phone_number": {"column": "Cellulare", "region_column": "Paese"},
             "data.first_name": "Nome", "data.last_name": "Cognome", "to.locale": "Lingua"},
            id="italian",
        ),
        pytest.param(
            ["ID cliente", "Nome", "Sobrenome", "E-mail", "Telefone", "Celular", "País", "Idioma"],
            {"recipient": "ID cliente", "profile.email": "E-mail",
             "profile.phone_number": {"column": "Celular", "region_column": "País"},
             "data.first_name": "Nome", "data.last_name": "Sobrenome", "to.locale": "Idioma"},
            id="portuguese-brazil",
        ),
        pytest.param(
            ["Número de cliente", "Nome", "Correio electrónico", "Telefone", "Telemóvel", "País"],
            {"recipient": "Número de cliente", "profile.email": "Correio electrónico",
             "profile.phone_number": {"column": "Telemóvel", "region_column": "País"}},
            id="portuguese-portugal",
        ),
        pytest.param(
            ["Klantnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "E-mailadres", "Telefoonnummer",
             "Mobiel", "Land", "Taal"],
            {"recipient": "Klantnummer", "profile.email": "E-mailadres",
             "profile.phone_number": {"column": "Mobiel", "region_column": "Land"},
             "data.first_name": "Voornaam", "data.last_name": "Achternaam", "to.locale": "Taal"},
            id="dutch",
        ),
        pytest.param(
            ["Kundennummer", "Vorname", "Nachname", "E-Mail", "Telefon", "Handy", "Land", "Sprache"],
            {"recipient": "Kundennummer", "profile.email": "E-Mail",
             "profile.phone_number": {"column": "Handy", "region_column": "Land"},
             "data.first_name": "Vorname", "data.last_name": "Nachname", "to.locale": "Sprache"},
            id="german",
        ),
    ],
)  # fmt: skip
def test_suggest_reads_exports_in_other_languages(columns: list[str], expected: dict[str, object]) -> None:
    spec = suggested_spec(columns)
    assert {target: spec.get(target) for target in expected} == expected
    if "recipient" in expected:
        assert spec["to.user_id"] == expected["recipient"]
    # The country column is still sent, under its own name; every column is used once.
    region = spec["profile.phone_number"]
    assert isinstance(region, dict)
    assert spec[f"data.{snake_case(str(region['region_column']))}"] == region["region_column"]
    sources = [s if isinstance(s, str) else s["column"] for t, s in spec.items() if t != "to.user_id"]
    assert sorted(sources) == sorted(columns)
    frame = pd.DataFrame(columns=columns)
    assert Mapping.suggest(frame) == Mapping(spec)


@pytest.mark.parametrize(
    ("header", "same_as"),
    [
        ("Téléphone", "telephone"),
        ("TÉLÉPHONE", "Telephone"),
        ("Teléfono", "Telefono"),
        ("Móvil", "Movil"),
        ("Telemóvel", "telemovel"),
        ("Correo electrónico", "correo_electronico"),
        ("Número de cliente", "numero de cliente"),
        ("Kundennummer", "KUNDENNUMMER"),
    ],
)
def test_accents_and_case_do_not_matter_in_a_header(header: str, same_as: str) -> None:
    folded = suggested_spec([header, "Country"])
    plain = suggested_spec([same_as, "Country"])
    target = next(
        t for t, s in plain.items() if s == same_as or (isinstance(s, dict) and s["column"] == same_as)
    )
    assert not target.startswith("data.")
    assert target in folded
    source = folded[target]
    assert (source if isinstance(source, str) else source["column"]) == header


def test_accents_stay_in_the_data_field_names() -> None:
    spec = suggested_spec(["Société", "Straße", "Phone", "PAÍS"])
    assert spec == {
        "profile.phone_number": {"column": "Phone", "region_column": "PAÍS"},
        "data.société": "Société",
        "data.strasse": "Straße",
        "data.país": "PAÍS",
    }


@pytest.mark.parametrize(
    ("columns", "first", "last", "kept"),
    [
        (["Nom", "Courriel"], None, "Nom", {}),  # French: Nom alone is the last name
        (["Prénom", "Nom"], "Prénom", "Nom", {}),
        (["Nome", "Cognome"], "Nome", "Cognome", {}),  # Italian
        (["Nome", "Sobrenome"], "Nome", "Sobrenome", {}),  # Portuguese
        (["Nombre", "Apellidos"], "Nombre", "Apellidos", {}),  # Spanish
        (["Nombre", "Primer apellido", "Segundo apellido"], "Nombre", "Primer apellido",
         {"data.segundo_apellido": "Segundo apellido"}),
        # Alone, Nome and Nombre are as often the whole name: kept under their own name, no guess.
        (["Nome", "E-mail"], None, None, {"data.nome": "Nome"}),
        (["Nombre", "Correo"], None, None, {"data.nombre": "Nombre"}),
        # English first: the other language's column is then data of its own name.
        (["First Name", "Last Name", "Prénom", "Nom"], "First Name", "Last Name",
         {"data.prénom": "Prénom", "data.nom": "Nom"}),
        (["Firstname", "Lastname"], "Firstname", "Lastname", {}),
        (["Name", "Email"], None, None, {"data.name": "Name"}),
    ],
)  # fmt: skip
def test_first_and_last_names_in_any_language(
    columns: list[str], first: str | None, last: str | None, kept: dict[str, str]
) -> None:
    spec = suggested_spec(columns)
    assert spec.get("data.first_name") == first
    assert spec.get("data.last_name") == last
    assert {target: spec[target] for target in kept} == kept


def test_a_column_named_first_name_after_a_recognized_first_name_is_numbered() -> None:
    spec = suggested_spec(["Prénom", "first name", "Nom"])
    assert spec == {"data.first_name": "first name", "data.prénom": "Prénom", "data.last_name": "Nom"}
    spec = suggested_spec(["Voornaam", "Achternaam", "last_name"])
    assert spec == {
        "data.first_name": "Voornaam",
        "data.last_name": "last_name",
        "data.achternaam": "Achternaam",
    }


# What the suggestion made of these headers before it knew other languages: it still does.
_UNCHANGED: list[tuple[list[str], dict[str, object]]] = [
    (
        ["User ID", "Email", "First Name", "Last Name", "Phone", "Country", "Plan", "Locale"],
        {"recipient": "User ID", "profile.email": "Email",
         "profile.phone_number": {"column": "Phone", "region_column": "Country"},
         "data.first_name": "First Name", "data.last_name": "Last Name", "data.country": "Country",
         "data.plan": "Plan", "to.user_id": "User ID", "to.locale": "Locale"},
    ),
    (
        ["Kundennummer", "Anrede", "Firma", "E-Mail", "Telefon", "Mobil", "Straße", "PLZ", "Ort", "Land"],
        {"recipient": "Kundennummer", "profile.email": "E-Mail",
         "profile.phone_number": {"column": "Mobil", "region_column": "Land"},
         "data.anrede": "Anrede", "data.firma": "Firma", "data.telefon": "Telefon", "data.strasse": "Straße",
         "data.plz": "PLZ", "data.ort": "Ort", "data.land": "Land", "to.user_id": "Kundennummer"},
    ),
    (
        # Without HubSpot's layout the mobile comes first, as everywhere (with it: Phone Number).
        ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
         "Country/Region", "Create Date"],
        {"recipient": "Record ID", "profile.email": "Email",
         "profile.phone_number": {"column": "Mobile Phone Number", "region_column": "Country/Region"},
         "data.first_name": "First Name", "data.last_name": "Last Name",
         "data.phone_number": "Phone Number", "data.country_region": "Country/Region",
         "data.create_date": "Create Date", "to.user_id": "Record ID"},
    ),
    (
        ["id", "Email", "Name", "Phone", "Address Country", "user_id (metadata)", "Language"],
        {"recipient": "user_id (metadata)", "profile.email": "Email",
         "profile.phone_number": {"column": "Phone", "region_column": "Address Country"},
         "data.id": "id", "data.name": "Name", "data.address_country": "Address Country",
         "to.user_id": "user_id (metadata)", "to.locale": "Language"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("columns", "expected"), _UNCHANGED)
def test_english_german_and_product_headers_map_as_before(
    columns: list[str], expected: dict[str, object]
) -> None:
    assert suggested_spec(columns) == expected


@pytest.mark.parametrize("export", EXPORT_FILES, ids=lambda path: path.name)
def test_the_export_corpus_sends_its_other_columns_under_their_own_names(export: Path) -> None:
    # Every column of the corpus the suggestion does not recognize is data under its own name, as
    # before other languages were known; only the German Vorname and Nachname are names now.
    spec = suggested_frame_spec(read_csv(export))
    columns = {target: _column(source) for target, source in spec.items()}
    renamed = {
        target.removeprefix("data."): column
        for target, column in columns.items()
        if target.startswith("data.") and target != f"data.{snake_case(column)}"
    }
    expected = (
        {"first_name": "Vorname", "last_name": "Nachname"} if export.stem.startswith("excel_de") else {}
    )
    assert renamed == expected


def _column(source: object) -> str:
    """The column of a spec's source: the name itself, or a column source's ``column``."""
    if isinstance(source, dict):
        return str(source["column"])
    return str(source)
