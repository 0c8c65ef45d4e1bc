"""Mapping.suggest knows more exports' ids, and phone, email and country headers in more languages."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import Mapping


@pytest.mark.parametrize(
    "header",
    [
        "A/C Ref",
        "unique id",
        "CUSTNO",
        "Patientennummer",
        "Mitgliedsnr.",
        "會員編號",
        "회원번호",
        "Prospect ID",
    ],
)
def test_an_export_s_own_id_is_the_recipient(header: str) -> None:
    frame = pd.DataFrame(
        {header: ["A1", "A2", "A2"], "Email": ["a@example.com", "b@example.com", "c@example.com"]}
    )
    assert Mapping.suggest(frame).to_dict()["recipient"] == header


def test_an_account_code_is_the_recipient_only_when_each_row_has_its_own() -> None:
    emails = [f"u{n}@example.com" for n in range(10)]
    own = pd.DataFrame({"account_code": [f"00{n}" for n in range(10)], "email": emails})
    assert Mapping.suggest(own).to_dict()["recipient"] == "account_code"
    shared = pd.DataFrame({"account_code": ["ACME"] * 5 + ["GLOBEX"] * 5, "email": emails})
    assert "recipient" not in Mapping.suggest(shared).to_dict()


def test_a_glide_row_id_is_the_recipient_only_without_another_id() -> None:
    frame = pd.DataFrame({"Row ID": ["r1", "r2"], "Email": ["a@example.com", "b@example.com"]})
    assert Mapping.suggest(frame).to_dict()["recipient"] == "Row ID"
    frame["User ID"] = ["u1", "u2"]
    assert Mapping.suggest(frame).to_dict()["recipient"] == "User ID"


CASES = [
    (["שם", 'דוא"ל', "טלפון נייד", "ארץ"], ["דנה", "dana@example.co.il", "050-765-4321", "ישראל"]),
    (
        ["الاسم", "البريد الإلكتروني", "الجوال", "الدولة"],
        ["سارة", "sara@example.sa", "0501234567", "السعودية"],
    ),
    (["ชื่อ", "อีเมล", "โทรศัพท์", "ประเทศ"], ["สมชาย", "somchai@example.co.th", "081 234 5678", "ไทย"]),
    (
        ["Họ và tên", "Email", "Số điện thoại", "Quốc gia"],
        ["Nguyễn An", "an@example.vn", "0912 345 678", "Việt Nam"],
    ),
    (["Vardas", "El. paštas", "Telefonas", "Šalis"], ["Jonas", "jonas@example.lt", "8 612 34567", "Lietuva"]),
    (["Prénom", "Courriel", "Cellulaire", "Pays"], ["Luc", "luc@example.ca", "(514) 555-0123", "Canada"]),
    (["Vorname", "E-Mail", "Natel", "Land"], ["Urs", "urs@example.ch", "079 123 45 67", "Schweiz"]),
    (["NAME", "EMAIL", "PHONE", "CTRY"], ["Ann", "ann@example.com", "020 7946 0958", "GB"]),
]


@pytest.mark.parametrize(
    ("header", "cells"),
    CASES,
    ids=["hebrew", "arabic", "thai", "vietnamese", "lithuanian", "quebec", "swiss", "ctry"],
)
def test_email_phone_and_the_phone_s_country_are_found(header: list[str], cells: list[str]) -> None:
    frame = pd.DataFrame([cells, cells], columns=header)
    spec = Mapping.suggest(frame).to_dict()
    assert spec["profile"]["email"] == header[1]
    assert spec["profile"]["phone_number"] == {"column": header[2], "region_column": header[3]}
