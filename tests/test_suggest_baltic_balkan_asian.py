"""Identity, phone, email and country headers of Baltic, Balkan, Icelandic, Bulgarian, Arabic, Persian,
Indonesian and Malay exports (accounting and shop software), as suggest reads them from real files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bulkprep import Mapping, prepare, read_csv
from bulkprep.status import Column
from bulkprep.suggest import frame_suggestion, suggested_spec


def _column(source: object) -> object:
    return source["column"] if isinstance(source, dict) else source


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Kood", "recipient"),  # Estonian: the customer's code (Merit)
        ("Jäsennumero", "recipient"),  # Finnish member number
        ("Mitgliedsnummer", "recipient"),
        ("Kundennummer", "recipient"),
        ("Kundnummer", "recipient"),
        ("Asiakasnumero", "recipient"),
        ("Klienta kods", "recipient"),  # Latvian
        ("Cod client", "recipient"),  # Romanian
        ("Kliendi kood", "recipient"),  # Estonian, by its words
        ("Код на клиент", "recipient"),  # Bulgarian
        ("Registrant ID", "recipient"),  # Cvent
        ("Šifra", "recipient"),  # Croatian
        ("Шифра", "recipient"),  # Serbian
        ("Код", "recipient"),  # Bulgarian, Ukrainian, Russian (1C)
        ("الكود", "recipient"),  # Arabic
        ("كد", "recipient"),  # Persian written with the Arabic kaf, as Windows-1256 stores it
        ("Tālrunis", "profile.phone_number"),  # Latvian
        ("Mobitel", "profile.phone_number"),  # Croatian
        ("Telefon", "profile.phone_number"),
        ("Farsími", "profile.phone_number"),  # Icelandic
        ("Sími", "profile.phone_number"),
        ("No. Telepon", "profile.phone_number"),  # Indonesian
        ("No. HP", "profile.phone_number"),
        ("No. Telefon", "profile.phone_number"),  # Malay
        ("رقم الموبايل", "profile.phone_number"),  # Arabic (Egypt)
        ("موبایل", "profile.phone_number"),  # Persian, with the Persian yeh
        ("تلفن همراه", "profile.phone_number"),
        ("Мобилен телефон", "profile.phone_number"),  # Bulgarian
        ("E-pasts", "profile.email"),  # Latvian
        ("Netfang", "profile.email"),  # Icelandic
        ("Имейл", "profile.email"),  # Bulgarian
        ("Е-пошта", "profile.email"),  # Serbian
        ("E-mel", "profile.email"),  # Malay
    ],
)
def test_a_header_alone_names_its_target(header: str, target: str) -> None:
    assert _column(suggested_spec([header, "Notes"])[target]) == header


@pytest.mark.parametrize(
    "country", ["Riik", "Държава", "Држава", "Država", "Valsts", "Ţara", "Țara", "Negara", "کشور"]
)
def test_the_phone_is_read_in_the_country_column_of_each_language(country: str) -> None:
    spec = suggested_spec(["Kood", "Telefon", country])
    assert spec["profile.phone_number"] == {"column": "Telefon", "region_column": country}


def test_a_plain_id_wins_over_the_record_code_and_a_person_s_number_over_both() -> None:
    assert suggested_spec(["Kood", "ID", "E-post"])["recipient"] == "ID"
    assert suggested_spec(["Kood", "Jäsennumero", "E-post"])["recipient"] == "Jäsennumero"


def test_a_code_of_something_else_is_no_recipient() -> None:
    spec = suggested_spec(["Kod pocztowy", "Cod poştal", "Riigi kood", "E-post"])
    assert "recipient" not in spec


def _write(folder: Path, name: str, text: str, encoding: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def test_an_estonian_windows_1257_customer_list_is_suggested_whole(tmp_path: Path) -> None:
    text = (
        "Kood;Nimi;Perekonnanimi;E-post;Telefon;Riik\r\n"
        "00042;Tõnu;Šmidt;tonu@example.ee;5123 4568;Eesti\r\n"
        "00043;Kärt;Žukova;kart@example.ee;2612 3457;Läti\r\n"
        "00044;Mari;Tamm;mari@example.ee;040 123 4567;Soome\r\n"
    )
    frame = read_csv(_write(tmp_path, "kliendid.csv", text, "cp1257"))
    spec = frame_suggestion(frame).spec
    assert spec["recipient"] == "Kood"
    assert spec["profile.phone_number"] == {"column": "Telefon", "region_column": "Riik"}
    result = prepare(frame, Mapping.suggest(frame), region="EE")
    assert result.df[Column.STATUS].tolist() == ["ready"] * 3
    users = result.df[Column.USER].tolist()
    assert [user["profile"]["phone_number"] for user in users] == [
        "+37251234568",
        "+37126123457",
        "+358401234567",
    ]
    assert [user["recipient"] for user in users] == ["00042", "00043", "00044"]


def test_a_serbian_windows_1251_list_reads_a_bosnian_number_in_its_row_s_country(tmp_path: Path) -> None:
    text = (
        "Шифра;Име;Презиме;Е-пошта;Телефон;Држава\r\n"
        "0001;Ђорђе;Јовановић;djordje@example.rs;064 123 4567;Србија\r\n"
        "0005;Амра;Хаџић;amra@example.ba;061 123 456;Босна и Херцеговина\r\n"
    )
    frame = read_csv(_write(tmp_path, "kupci.csv", text, "cp1251"))
    spec = frame_suggestion(frame).spec
    assert spec["recipient"] == "Шифра"
    assert spec["profile.email"] == "Е-пошта"
    result = prepare(frame, Mapping.suggest(frame), region="RS")
    users = result.df[Column.USER].tolist()
    assert [user["profile"]["phone_number"] for user in users] == ["+381641234567", "+38761123456"]


def test_a_date_column_with_birthdays_without_a_year_drops_those_instead_of_refusing(tmp_path: Path) -> None:
    text = (
        "Client ID,First Name,Email,Date of Birth\r\n"
        "8812345,Thandiwe,thandi@example.co.za,14/03/1990\r\n"
        "8812346,Sipho,sipho@example.co.za,14 Mar\r\n"
        "8812347,Lerato,lerato@example.co.za,02/11/1985\r\n"
    )
    frame = read_csv(_write(tmp_path, "clients.csv", text, "utf-8"))
    suggestion = frame_suggestion(frame)
    assert suggestion.spec["data.date_of_birth"] == {
        "column": "Date of Birth",
        "cast": "date",
        "on_error": "drop_field",
    }
    assert any("holds dates without a year ('14 Mar')" in note for note in suggestion.notes)
    result = prepare(frame, Mapping.suggest(frame), region="ZA")
    assert result.df[Column.STATUS].tolist() == ["ready"] * 3
    births = [user["data"].get("date_of_birth") for user in result.df[Column.USER].tolist()]
    assert births == ["1990-03-14", None, "1985-11-02"]


def test_a_date_column_of_whole_dates_is_refused_as_before_when_one_is_wrong() -> None:
    spec = frame_suggestion(
        pd.DataFrame({"Email": ["a@example.com", "b@example.com"], "Joined": ["2024-03-14", "2024-02-30"]})
    ).spec
    assert spec["data.joined"] == {"column": "Joined", "cast": "date"}
