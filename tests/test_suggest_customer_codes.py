"""Mapping.suggest finds the person's id in more exports: customer codes and numbers in Spanish, French,
Dutch, Italian, Japanese, Hebrew, Vietnamese and Thai, and keeps order and product codes as data."""

from __future__ import annotations

import pandas as pd
import pytest

from bulkprep import Mapping

CASES = [
    (
        ["ID externo", "Nombre", "Correo electrónico", "Móvil"],
        ["__export__.res_partner_12", "Lucía", "lucia@example.es", "612 345 678"],
    ),
    (
        ["Référence commande", "Billet", "Numéro de billet", "Email payeur"],
        ["5512", "Adulte", "700123", "paul@example.fr"],
    ),
    (
        ["Klantcode", "Voornaam", "E-mailadres", "Mobiel"],
        ["K-0042", "Sanne", "sanne@example.nl", "06 12345678"],
    ),
    (
        ["レコード番号", "担当者名", "メールアドレス", "電話番号"],
        ["17", "佐藤 花子", "hanako@example.jp", "090-1234-5678"],
    ),
    (["מספר לקוח", "שם פרטי", 'דוא"ל', "טלפון נייד"], ["30021", "נועה", "noa@example.co.il", "050-123-4567"]),
    (["Mã khách hàng", "Tên", "Email", "Điện thoại"], ["KH000123", "Lan", "lan@example.vn", "0912 345 678"]),
    (["รหัสลูกค้า", "ชื่อ", "อีเมล", "เบอร์โทร"], ["C0099", "สมชาย", "somchai@example.co.th", "081 234 5678"]),
    (
        ["Codice", "Denominazione", "Codice fiscale", "Email"],
        ["CL-7", "Rossi Srl", "RSSMRA80A01H501U", "mario@example.it"],
    ),
    (
        ["N.º de pedido", "Tipo de entrada", "N.º de asistente", "Correo electrónico"],
        ["991", "General", "1200456", "ana@example.es"],
    ),
    (
        ["(Do Not Modify) Contactpersoon", "Volledige naam", "E-mail"],
        ["5b0c1d2e-0000-4a4a-9000-00aa11bb22cc", "Jan Bos", "jan@example.nl"],
    ),
]
EXPECTED = [
    "ID externo",
    "Numéro de billet",
    "Klantcode",
    "レコード番号",
    "מספר לקוח",
    "Mã khách hàng",
    "รหัสลูกค้า",
    "Codice",
    "N.º de asistente",
    "(Do Not Modify) Contactpersoon",
]


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [(header, cells, expected) for (header, cells), expected in zip(CASES, EXPECTED, strict=True)],
    ids=[
        "odoo",
        "helloasso",
        "lightspeed",
        "kintone",
        "hebrew",
        "vietnamese",
        "thai",
        "fatture",
        "eventbrite",
        "dynamics_nl",
    ],
)
def test_the_person_s_id_is_found(header: list[str], cells: list[str], expected: str) -> None:
    spec = Mapping.suggest(pd.DataFrame([cells], columns=header)).to_dict()
    assert spec["recipient"] == expected
    assert spec["to"]["user_id"] == expected


@pytest.mark.parametrize(
    "header",
    [
        ["Codice prodotto", "Descrizione", "Email"],
        ["Código de pedido", "Producto", "Email"],
        ["Tipo de billet", "Numéro de commande", "Email"],
        ["Mã đơn hàng", "Sản phẩm", "Email"],
    ],
)
def test_an_order_product_or_ticket_type_code_is_no_person_s_id(header: list[str]) -> None:
    spec = Mapping.suggest(pd.DataFrame([["X-1", "Thing", "a@example.com"]], columns=header)).to_dict()
    assert "recipient" not in spec


def test_a_plain_id_comes_before_a_record_s_code() -> None:
    frame = pd.DataFrame([["41", "CL-7", "a@example.it"]], columns=["ID", "Codice", "Email"])
    assert Mapping.suggest(frame).to_dict()["recipient"] == "ID"
