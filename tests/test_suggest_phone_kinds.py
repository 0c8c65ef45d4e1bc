"""Mapping.suggest: Dutch Mobiele telefoon over Zakelijke telefoon, PayPal's Telefonnummer der
Kontaktperson, and a mobile read in the home country rather than the office's."""

from __future__ import annotations

import pandas as pd

from bulkprep import Mapping


def test_dutch_mobile_comes_before_the_office_line() -> None:
    frame = pd.DataFrame(
        [["Eva de Vries", "eva@example.nl", "020 555 0100", "06 12345678", "Nederland"]],
        columns=["Volledige naam", "E-mail", "Zakelijke telefoon", "Mobiele telefoon", "Adres 1: land/regio"],
    )
    phone = Mapping.suggest(frame).to_dict()["profile"]["phone_number"]
    assert phone == {"column": "Mobiele telefoon", "region_column": "Adres 1: land/regio"}


def test_paypal_s_contact_phone_is_the_phone() -> None:
    frame = pd.DataFrame(
        [["Max Bauer", "max@example.de", "0151 23456789", "Artikel"]],
        columns=["Name", "Absender E-Mail-Adresse", "Telefonnummer der Kontaktperson", "Artikelbezeichnung"],
    )
    assert Mapping.suggest(frame).to_dict()["profile"]["phone_number"] == "Telefonnummer der Kontaktperson"


OUTLOOK = [
    "First Name",
    "E-mail Address",
    "Business Country/Region",
    "Home Country/Region",
    "Business Phone",
    "Mobile Phone",
]


def test_outlook_s_mobile_is_read_in_the_home_country() -> None:
    frame = pd.DataFrame(
        [["Ana", "ana@example.com", "United States", "Mexico", "(650) 555-0100", "55 1234 5678"]],
        columns=OUTLOOK,
    )
    phone = Mapping.suggest(frame).to_dict()["profile"]["phone_number"]
    assert phone == {"column": "Mobile Phone", "region_column": "Home Country/Region"}


def test_outlook_s_business_phone_stays_with_the_business_country() -> None:
    frame = pd.DataFrame(
        [["Ana", "ana@example.com", "United States", "Mexico", "(650) 555-0100", ""]], columns=OUTLOOK
    )
    phone = Mapping.suggest(frame).to_dict()["profile"]["phone_number"]
    assert phone == {"column": "Business Phone", "region_column": "Business Country/Region"}


def test_paypal_s_country_code_column_gives_the_phone_s_country() -> None:
    frame = pd.DataFrame(
        [
            ["Max Bauer", "max@example.de", "0151 23456789", "DE"],
            ["Lia Conti", "lia@example.it", "333 765 4321", "IT"],
        ],
        columns=["Name", "Absender E-Mail-Adresse", "Telefonnummer der Kontaktperson", "Ländervorwahl"],
    )
    phone = Mapping.suggest(frame).to_dict()["profile"]["phone_number"]
    assert phone == {"column": "Telefonnummer der Kontaktperson", "region_column": "Ländervorwahl"}
