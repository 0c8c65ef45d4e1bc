"""Japanese, Polish, Czech and Slovak headers, and Dynamics' contact GUID, as suggest reads them."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep.suggest import frame_suggestion, suggested_spec


def test_japanese_headers() -> None:
    spec = suggested_spec(["顧客ID", "氏名", "姓", "名", "電話番号", "携帯番号", "国", "メールアドレス"])
    assert spec["recipient"] == spec["to.user_id"] == "顧客ID"
    assert spec["profile.email"] == "メールアドレス"
    assert spec["profile.phone_number"] == {"column": "携帯番号", "region_column": "国"}
    assert (spec["data.first_name"], spec["data.last_name"]) == ("名", "姓")


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("会員番号", "recipient"),
        ("メール", "profile.email"),
        ("携帯電話", "profile.phone_number"),
        ("電話番号", "profile.phone_number"),
        ("Numer klienta", "recipient"),
        ("Identyfikator", "recipient"),
        ("Telefon komórkowy", "profile.phone_number"),
        ("Komórka", "profile.phone_number"),
        ("Číslo zákazníka", "recipient"),
        ("Mobilní telefon", "profile.phone_number"),
    ],
)
def test_a_header_alone_names_its_target(header: str, target: str) -> None:
    spec = suggested_spec([header, "Notes"])
    source = spec[target]
    assert (source["column"] if isinstance(source, dict) else source) == header


def test_polish_headers_with_the_phone_read_in_the_row_country() -> None:
    spec = suggested_spec(["Nr klienta", "Imię", "Nazwisko", "E-mail", "Telefon", "Kraj"])
    assert spec["recipient"] == "Nr klienta"
    assert spec["profile.email"] == "E-mail"
    assert spec["profile.phone_number"] == {"column": "Telefon", "region_column": "Kraj"}
    assert (spec["data.first_name"], spec["data.last_name"]) == ("Imię", "Nazwisko")


def test_the_dynamics_contact_guid_is_the_recipient_only_when_nothing_better() -> None:
    dynamics = ["(Do Not Modify) Contact", "(Do Not Modify) Row Checksum", "Full Name", "Email"]
    assert suggested_spec(dynamics)["recipient"] == "(Do Not Modify) Contact"
    assert suggested_spec(["User ID", *dynamics])["recipient"] == "User ID"


def test_japanese_and_polish_date_headers_are_cast() -> None:
    frame = pd.DataFrame(
        {
            "メールアドレス": ["a@example.com", "b@example.com"],
            "生年月日": ["1990-04-01", "1985-12-24"],
            "登録日": ["2023/04/08", "2023/05/01"],
            "Data urodzenia": ["01.02.1990", "15.03.1991"],
        }
    )
    spec = frame_suggestion(frame).spec
    for column in ("生年月日", "登録日", "Data urodzenia"):
        assert {"column": column, "cast": "date"} in spec.values()
