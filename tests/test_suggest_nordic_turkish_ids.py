"""Identity, phone, country and date headers of Nordic, Finnish and Turkish files and of accounting,
shop and helpdesk exports (Xero, Odoo, Shopware, Lightspeed, Freshdesk), as suggest reads them."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.suggest import frame_suggestion, suggested_spec


def _column(source: object) -> object:
    return source["column"] if isinstance(source, dict) else source


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Internal ID", "recipient"),  # Lightspeed, NetSuite
        ("Unique External ID", "recipient"),  # Freshdesk
        ("Reference", "recipient"),  # Odoo
        ("Kundnummer", "recipient"),  # Swedish
        ("Kundenummer", "recipient"),  # Danish, Norwegian
        ("Asiakasnumero", "recipient"),  # Finnish
        ("Müşteri No", "recipient"),  # Turkish
        ("Müşteri Numarası", "recipient"),
        ("Customer Number", "recipient"),
        ("customerNumber", "recipient"),  # Shopware
        ("Matkapuhelin", "profile.phone_number"),  # Finnish mobile
        ("Puhelin", "profile.phone_number"),
        ("Cep Telefonu", "profile.phone_number"),  # Turkish mobile
        ("Mobilnummer", "profile.phone_number"),
        ("E-post", "profile.email"),  # Swedish, Norwegian
        ("Sähköposti", "profile.email"),  # Finnish
        ("E-posta", "profile.email"),  # Turkish
    ],
)
def test_a_header_alone_names_its_target(header: str, target: str) -> None:
    assert _column(suggested_spec([header, "Notes"])[target]) == header


def test_the_shop_customer_number_wins_over_the_record_hex_id() -> None:
    spec = suggested_spec(["id", "autoIncrement", "customerNumber", "email"])
    assert spec["recipient"] == spec["to.user_id"] == "customerNumber"


def test_a_reference_is_the_recipient_only_without_any_id() -> None:
    assert suggested_spec(["ID", "Reference", "Email"])["recipient"] == "ID"


def test_a_mobile_comes_before_a_phone_in_finnish_and_turkish() -> None:
    finnish = suggested_spec(["Asiakasnumero", "Puhelin", "Matkapuhelin", "Maa"])
    assert finnish["profile.phone_number"] == {"column": "Matkapuhelin", "region_column": "Maa"}
    turkish = suggested_spec(["Müşteri No", "Telefon", "Cep Telefonu", "Ülke"])
    assert turkish["profile.phone_number"] == {"column": "Cep Telefonu", "region_column": "Ülke"}
    assert turkish["recipient"] == "Müşteri No"


def _xero(account_numbers: list[str]) -> pd.DataFrame:
    size = len(account_numbers)
    return pd.DataFrame(
        {
            "ContactName": [f"Person {i}" for i in range(size)],
            "AccountNumber": account_numbers,
            "EmailAddress": [f"p{i}@example.com" for i in range(size)],
            "POCountry": ["New Zealand"] * size,
            "SACountry": ["Australia"] * size,
            "PhoneNumber": ["09 377 5011"] * size,
            "MobileNumber": ["021 555 0199"] * size,
        }
    )


def test_a_xero_account_number_names_each_contact_and_the_postal_country_reads_the_phone() -> None:
    spec = frame_suggestion(_xero([f"ACC-{i:04}" for i in range(10)])).spec
    assert spec["recipient"] == spec["to.user_id"] == "AccountNumber"
    assert spec["profile.phone_number"] == {"column": "MobileNumber", "region_column": "POCountry"}


def test_an_account_number_shared_by_contacts_is_the_company_s_not_a_recipient() -> None:
    spec = frame_suggestion(_xero(["ACC-1", "ACC-1", "ACC-2", "ACC-2", "ACC-2", "ACC-3"])).spec
    assert "recipient" not in spec
    assert "recipient" not in suggested_spec(["AccountNumber", "Email"])  # no cells to tell


@pytest.mark.parametrize(
    ("countries", "chosen"),
    [
        (["Shipping Country", "Billing Country"], "Billing Country"),
        (["Shipping Country", "Mailing Country", "Billing Country"], "Mailing Country"),
        (["SACountry", "PO Country"], "PO Country"),
        (["Shipping Country", "Country"], "Country"),
    ],
)
def test_which_address_country_reads_the_phone(countries: list[str], chosen: str) -> None:
    spec = suggested_spec(["Email", "Mobile", *countries])
    assert spec["profile.phone_number"] == {"column": "Mobile", "region_column": chosen}


def test_nordic_finnish_and_turkish_date_headers_are_cast() -> None:
    frame = pd.DataFrame(
        {
            "E-post": ["a@example.com", "b@example.com"],
            "Medlem sedan": ["2021-05-01", "2021-06-10"],
            "Syntymäaika": ["12.03.1985", "1.2.1990"],
            "Liittynyt": ["2022-01-10", "2022-01-11"],
            "Doğum Tarihi": ["12.03.1985", "01.02.1979"],
            "Kayıt Tarihi": ["14.03.2024", "15.03.2024"],
            "Fødselsdato": ["1985-03-12", "1979-02-01"],
        }
    )
    spec = frame_suggestion(frame).spec
    cast = {_column(source): source.get("cast") for source in spec.values() if isinstance(source, dict)}
    assert cast == dict.fromkeys(list(frame.columns)[1:], "date")


def test_dates_written_with_month_names_are_cast() -> None:
    frame = pd.DataFrame(
        {
            "Adresse e-mail": ["a@example.com", "b@example.com", "c@example.com"],
            "Date de naissance": ["3 févr. 1990", "17 juil. 1985", "25 déc. 1992"],
            "Inscrit le": ["14 mars 2024", "9 avril 2024", "7 avr. 2024"],
        }
    )
    spec = frame_suggestion(frame).spec
    assert spec["data.date_de_naissance"] == {"column": "Date de naissance", "cast": "date"}
    assert spec["data.inscrit_le"] == {"column": "Inscrit le", "cast": "date"}
