"""Mapping.suggest prefers the merchant's own id to the platform's record id: Square's Reference ID over its
Square Customer ID when filled, Holded's Código over its 24-hex internal ID."""

from __future__ import annotations

import pandas as pd

from bulkprep import Mapping

SQUARE = ["Reference ID", "First Name", "Email Address", "Phone Number", "Square Customer ID"]


def test_square_s_reference_id_is_the_user_id_when_filled() -> None:
    frame = pd.DataFrame(
        [
            ["C-17", "Ada", "ada@example.com", "+1 415 555 0101", "7Q2WX9R4HZ1J3K5M6N8P0T2V4Y"],
            ["", "Ben", "ben@example.com", "+1 415 555 0102", "2B4D6F8H0JLNPRTVXZ13579ACE"],
        ],
        columns=SQUARE,
    )
    assert Mapping.suggest(frame).to_dict()["recipient"] == "Reference ID"


def test_square_s_own_id_when_no_reference_id_is_filled() -> None:
    frame = pd.DataFrame(
        [["", "Ada", "ada@example.com", "+1 415 555 0101", "7Q2WX9R4HZ1J3K5M6N8P0T2V4Y"]], columns=SQUARE
    )
    spec = Mapping.suggest(frame).to_dict()
    assert spec["recipient"] == "Square Customer ID"
    assert spec["data"]["reference_id"] == "Reference ID"


HOLDED = ["ID", "Nombre", "Código", "Email", "Móvil"]


def test_holded_s_code_comes_before_its_24_hex_internal_id() -> None:
    frame = pd.DataFrame(
        [
            ["6612a0b1c2d3e4f506172839", "Marta Gil", "C-001", "marta@example.es", "612 000 111"],
            ["6612a0b1c2d3e4f50617283a", "Pau Roig", "", "pau@example.es", "612 000 222"],
        ],
        columns=HOLDED,
    )
    spec = Mapping.suggest(frame).to_dict()
    assert spec["recipient"] == "Código"
    assert spec["data"]["id"] == "ID"


def test_the_internal_id_is_the_user_id_when_no_code_is_filled() -> None:
    frame = pd.DataFrame(
        [["6612a0b1c2d3e4f506172839", "Marta Gil", "", "marta@example.es", "612 000 111"]], columns=HOLDED
    )
    assert Mapping.suggest(frame).to_dict()["recipient"] == "ID"


def test_an_id_of_other_digits_stays_before_a_code() -> None:
    frame = pd.DataFrame([["1042", "Marta Gil", "C-001", "marta@example.es", "612 000 111"]], columns=HOLDED)
    assert Mapping.suggest(frame).to_dict()["recipient"] == "ID"
