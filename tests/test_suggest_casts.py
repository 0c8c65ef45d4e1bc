"""Mapping.suggest casts a data column only when every value of it reads under the cast."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare, read_csv
from bulkprep.casts import Cast, convert
from bulkprep.mapping import ColumnSource
from bulkprep.numbers import read_numbers
from bulkprep.status import Column, RowStatus
from bulkprep.suggest_casts import MAX_DISTINCT, column_cast


def _cast_of(header: str, cells: Sequence[object]) -> str | None:
    """The cast Mapping.suggest gives a data column beside an email column."""
    emails = [f"u{i}@example.com" for i in range(len(cells))]
    mapping = Mapping.suggest(pd.DataFrame({"Email": emails, header: list(cells)}))
    sources = [s for s in mapping.sources.values() if isinstance(s, ColumnSource) and s.column == header]
    assert sources
    return sources[0].cast


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("NOMAIL", ["Y", "N", "N", "Y"]),
        ("Checked In", ["Yes", "No", "Yes"]),
        ("doNotCall", ["false", "true", "false"]),
        ("Newsletter", ["Ja", "Nein", ""]),
        ("Accepte", ["oui", "non"]),
        ("Archived", ["No", "No", "No"]),  # one answer, a whole word
        ("is_vip", ["1", "0", "0"]),  # 1 and 0 under a header naming a flag
        ("Email Opt-In", [1, 0, 1]),
        ("has_app", ["0", "0"]),
        ("subscribed", [True, False, True]),
    ],
)
def test_a_yes_no_pair_is_cast_bool(header: str, cells: list[object]) -> None:
    assert _cast_of(header, cells) == "bool"


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Notes", ["1", "0", "1"]),  # 1 and 0 alone say nothing
        ("Grade", ["Y", "Y"]),  # a letter alone, no flag in the header
        ("Newsletter", ["Yes"]),  # one row: no proof
        ("Checked In", ["Yes", "No", "maybe"]),  # one value no cast reads
        ("Answer", ["Y", "yes", "N"]),  # two spellings of one answer
        ("Size", ["S", "M", "L"]),
    ],
)
def test_columns_that_are_no_yes_no_pair_stay_text(header: str, cells: list[object]) -> None:
    assert _cast_of(header, cells) is None


@pytest.mark.parametrize(
    ("header", "cells", "cast"),
    [
        ("GIFT_TOTAL", ["150 000", "25 000,50", "5 000"], "float"),
        ("Lifetime Revenue", ["$1,250.00", "$300.00", "$0.00"], "float"),
        ("Total Donation Amount", ["1.250,00", "300,50", "0,00"], "float"),
        ("Orders", ["1", "12", "3"], "int"),  # the header names a count
        ("Количество заказов", ["1", "2"], "int"),
        ("Betrag", ["12,5", "3"], "float"),
        ("Gesamt", ["1.200", "15,5"], "float"),  # 15,5 proves the comma decimal: 1.200 is 1200
        ("plan_monthly_amount_cents", ["500", "1000"], "int"),
        ("Spent", [12.5, 3.0], "float"),  # typed numbers
        ("Balance", [-12.0, 300.0, 0.0], "int"),
        ("Weight", ["1.5", "2.25"], "float"),  # decimals are the proof
    ],
)
def test_amounts_and_counts_are_cast_as_numbers(header: str, cells: list[object], cast: str) -> None:
    assert _cast_of(header, cells) == cast


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Total", ["0123", "450"]),  # a leading zero: a code as written
        ("Zip", ["75001", "10115"]),
        ("Postal code", ["1200", "3000"]),
        ("Amount", ["75001", "10115", "8000"]),  # mostly 4 to 6 digit codes
        ("Total", ["1990", "2001", "1975"]),  # years alone
        ("Balance", ["+44 20 7946 0958", "+33 1 23 45 67 89"]),  # phones
        ("Customer number", ["12", "13"]),
        ("Price", ["12.50", "call us"]),  # one value no number
        ("Visits", ["3", "1,234"]),  # 1,234 reads two ways: the cast would fail it
        ("Gesamt", ["1.200", "15"]),  # likewise 1.200
        ("Rating", ["4", "5"]),  # digits alone under a header that names no amount
        ("Amount", ["1.5", "1.234,50"]),  # two decimal marks: the cast would fail one
    ],
)
def test_codes_ids_phones_and_unproved_numbers_stay_text(header: str, cells: list[object]) -> None:
    assert _cast_of(header, cells) is None


@pytest.mark.parametrize(
    ("header", "cells", "cast"),
    [
        ("metadata", ['{"city": "Caracas"}', "{}", '{"plan": "annual", "age": 34}'], "json"),
        ("tags", ['["a", "b"]', "[]", ""], "json"),
        ("metadata", ['{"city": "Caracas"}', "{city: Lima}"], None),  # one is no JSON
        ("metadata", ['{"a": 1}', "3"], None),  # a number is no object
        ("Purchased at", ["2024-03-05T14:22:10+06:00", "2024-02-28T15:15:00+06:00"], "date"),
        ("Время создания", ["2024-03-05 14:22:10", "2024-03-06 09:12:00"], "date"),
        ("Erased", ["15/01/2024", "20/02/2024"], "date"),
        ("Renewal", ["2024-03-14", "later"], None),  # not all dates, and the header does not say so
        ("Ref", ["20240305", "20240306"], None),  # digits alone are no date
    ],
)
def test_json_and_dates_by_their_values(header: str, cells: list[object], cast: str | None) -> None:
    assert _cast_of(header, cells) == cast


def test_each_cast_is_named_in_the_notes_and_the_mapping_stays_reviewable(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Email": ["a@example.com", "b@example.com"],
            "Paid": ["Yes", "No"],
            "Total": ["$1,250.00", "$3.00"],
            "meta": ['{"a": 1}', "{}"],
        }
    )
    mapping = Mapping.suggest(frame)
    assert mapping.to_dict()["data"] == {
        "paid": {"column": "Paid", "cast": "bool"},
        "total": {"column": "Total", "cast": "float"},
        "meta": {"column": "meta", "cast": "json"},
    }
    assert "data.paid: 'Paid' cast: bool: one yes/no pair ('Yes', 'No')" in mapping.notes
    assert any(
        note.startswith("data.total: 'Total' cast: float: ") and "'$1,250.00'" in note
        for note in mapping.notes
    )
    assert "data.meta: 'meta' cast: json: JSON objects or arrays" in mapping.notes
    path = tmp_path / "mapping.yaml"
    mapping.save(path)
    text = path.read_text(encoding="utf-8")
    assert "# data.paid: 'Paid' cast: bool" in text
    assert Mapping.load(path) == mapping


def test_prepare_sends_the_cast_values(tmp_path: Path) -> None:
    path = tmp_path / "donors.csv"
    path.write_text(
        "Donor ID;Email;GIFT_TOTAL;NOMAIL;metadata;Last gift\n"
        'D1;ann@example.com;150 000;Y;{"city": "Chisinau"};05.03.2024\n'
        "D2;bo@example.com;25 000,50;N;{};12.01.2024\n",
        encoding="utf-8",
    )
    result = prepare(read_csv(path), None)
    assert result.df[Column.STATUS].tolist() == [RowStatus.READY, RowStatus.READY]
    data = [user["data"] for user in result.df[Column.USER]]
    assert data[0] == {
        "gift_total": 150000.0,
        "nomail": True,
        "metadata": {"city": "Chisinau"},
        "last_gift": "2024-03-05",
    }
    assert data[1]["gift_total"] == 25000.5
    assert data[1]["nomail"] is False


def test_identity_choices_do_not_change_with_value_casts() -> None:
    frame = pd.DataFrame(
        {
            "User ID": ["1", "2"],
            "Email": ["a@example.com", "b@example.com"],
            "Phone": ["+44 7700 900123", "+44 7700 900124"],
            "Score": ["1.5", "2"],
        }
    )
    spec = Mapping.suggest(frame).to_dict()
    assert spec["recipient"] == "User ID"
    assert spec["profile"] == {"email": "Email", "phone_number": "Phone"}
    assert spec["data"] == {"score": {"column": "Score", "cast": "float"}}


def test_a_subscription_export_is_addressed_by_its_user_and_its_identifier() -> None:
    frame = pd.DataFrame(
        {
            "id": ["4f1c0d2e-aa01", "4f1c0d2e-aa02", "4f1c0d2e-aa03"],
            "identifier": ["+97433123456", "+966 50 123 4567", "+97455123456"],
            "session_count": ["12", "3", "7"],
            "external_user_id": ["u-1", "u-2", "u-3"],
            "country": ["QA", "SA", "QA"],
        }
    )
    mapping = Mapping.suggest(frame)
    spec = mapping.to_dict()
    assert spec["recipient"] == spec["to"]["user_id"] == "external_user_id"
    assert spec["profile"]["phone_number"] == {"column": "identifier", "region_column": "country"}
    assert spec["data"]["id"] == "id"
    assert any(
        note.startswith("profile.phone_number: 'identifier', whose cells are international")
        for note in mapping.notes
    )


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Code", ["97433123456", "97455123456"]),  # no plus: a number, not a phone
        ("Fax", ["+97433123456", "+97455123456"]),  # a phone no text message reaches
        ("identifier", ["+974", "+97455"]),  # too short for a full number
    ],
)
def test_columns_not_taken_for_phones_by_their_cells(header: str, cells: list[str]) -> None:
    frame = pd.DataFrame({"Email": ["a@example.com", "b@example.com"], header: cells})
    assert "phone_number" not in Mapping.suggest(frame).to_dict()["profile"]


@pytest.mark.parametrize(
    ("ids", "recipient"),
    [
        (["2001", "2002", "2003"], "Account ID"),  # each row its own account: the person's record
        (["A1", "A1", "A1"], None),  # one company's account shared by its contacts
    ],
)
def test_an_account_id_names_the_user_when_each_row_has_its_own(
    ids: list[str], recipient: str | None
) -> None:
    frame = pd.DataFrame(
        {
            "Account ID": ids,
            "Email 1": ["a@example.md", "b@example.md", "c@example.md"],
            "Country": ["MD"] * 3,
        }
    )
    assert Mapping.suggest(frame).to_dict().get("recipient") == recipient


def test_a_column_of_too_many_distinct_values_stays_text() -> None:
    values = [f"{i},5" for i in range(MAX_DISTINCT + 1)]
    assert column_cast("Amount", values) is None
    assert column_cast("Amount", values[:10]) is not None


def test_text_neither_decimal_mark_reads_is_refused_not_a_crash() -> None:
    assert read_numbers(["198.51.100.10"], whole=False) == [None]
    _, failures = convert(np.array(["198.51.100.10", "1.5"], dtype=object), Cast.FLOAT)
    assert [failure.position for failure in failures] == [0]
    assert _cast_of("Address", ["198.51.100.10", "198.51.100.11"]) is None
