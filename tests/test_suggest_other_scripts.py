"""Mapping.suggest reads headers in Greek, Cyrillic, Korean and Chinese, and table-prefixed headers."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import Mapping

CASES = [
    (
        ["Επώνυμο", "Όνομα", "Ηλεκτρονικό ταχυδρομείο", "Κινητό", "Χώρα"],
        ["Παπαδόπουλος", "Νίκος", "nikos@example.gr", "6912345678", "Ελλάδα"],
    ),
    (
        ["Фамилия", "Имя", "Электронная почта", "Мобильный телефон", "Страна"],
        ["Иванов", "Иван", "ivan@example.ru", "8 912 345-67-89", "Россия"],
    ),
    (["이름", "이메일", "휴대폰", "국가"], ["김민준", "minjun@example.kr", "010-2345-6789", "대한민국"]),
    (["姓名", "电子邮件", "手机号码", "国家"], ["王芳", "wangfang@example.cn", "13912345678", "中国"]),
    (
        ["Név", "E-mail", "Telefonszám", "Ország"],
        ["Kovács Anna", "anna@example.hu", "06 30 123 4567", "Magyarország"],
    ),
]


@pytest.mark.parametrize(
    ("header", "cells"), CASES, ids=["greek", "russian", "korean", "chinese", "hungarian"]
)
def test_email_phone_and_the_phone_s_country_are_found_in_any_script(
    header: list[str], cells: list[str]
) -> None:
    frame = pd.DataFrame([cells, cells], columns=header)
    spec = Mapping.suggest(frame).to_dict()
    assert spec["profile"]["email"] == header[-3]
    assert spec["profile"]["phone_number"] == {"column": header[-2], "region_column": header[-1]}


def test_a_table_prefixed_customer_id_is_the_user_id() -> None:
    frame = pd.DataFrame(
        {"customers.id": ["cust_1", "cust_2"], "customers.email": ["a@example.com", "b@example.com"]}
    )
    assert Mapping.suggest(frame).to_dict()["recipient"] == "customers.id"


def test_calendly_s_text_reminder_number_is_the_phone() -> None:
    frame = pd.DataFrame(
        {"Invitee Email": ["a@example.com", "b@example.com"], "Text Reminder Number": ["+1 201-555-0123"] * 2}
    )
    assert Mapping.suggest(frame).to_dict()["profile"]["phone_number"] == "Text Reminder Number"


@pytest.mark.parametrize("header", ["注册日期", "가입일", "Дата регистрации", "Ημερομηνία εγγραφής"])
def test_a_date_column_in_another_script_is_cast_as_a_date(header: str) -> None:
    frame = pd.DataFrame({"email": ["a@example.com", "b@example.com"], header: ["2024-03-04", "2024-03-05"]})
    data = Mapping.suggest(frame).to_dict()["data"]
    assert [value for value in data.values() if isinstance(value, dict)] == [
        {"column": header, "cast": "date"}
    ]
