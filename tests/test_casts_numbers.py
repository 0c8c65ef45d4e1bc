"""Numbers as the world writes them under cast: int and float, and yes/no in other languages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.casts import Cast, convert
from bulkprep.errors import MappingError
from bulkprep.status import ROW_KEY

NBSP, NNBSP = "\u00a0", "\u202f"


def cast_column(cells: list[Any], cast: Cast, **options: Any) -> tuple[list[Any], dict[int, str]]:
    values, failures = convert(np.array(cells, dtype=object), cast, name="Amount", **options)
    return values.tolist(), {failure.position: failure.message for failure in failures}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.234,50", "12.345.678,00", "99,90", "0,00", "5,5"], [1234.5, 12345678.0, 99.9, 0.0, 5.5]),
        (["1,234.50", "99.90", "1.234", "0"], [1234.5, 99.9, 1.234, 0.0]),
        ([f"1{NBSP}234,50", "2 500,00", f"3{NNBSP}000,75", "12,00"], [1234.5, 2500.0, 3000.75, 12.0]),
        (["1'234.50", "-1,234.5", "\u22122.5"], [1234.5, -1234.5, -2.5]),
        (["$2,500.00", "-$5.25"], [2500.0, -5.25]),  # a currency sign is dropped: the amount is the number
        (["2 500,00 €", "€ 12,50"], [2500.0, 12.5]),
        (["1 234", "42", "1e3"], [1234.0, 42.0, 1000.0]),  # no mark to decide: each reads one way
    ],
)
def test_a_float_column_is_read_by_the_decimal_mark_its_values_prove(
    cells: list[str], expected: list[float]
) -> None:
    assert cast_column(cells, Cast.FLOAT) == (expected, {})


def test_an_int_column_reads_a_lone_group_as_the_whole_number_it_can_be() -> None:
    assert cast_column(["12", "1.234", "0", "1,200", "2 000"], Cast.INT) == ([12, 1234, 0, 1200, 2000], {})
    values, failures = cast_column(["1.234,00", "1,5"], Cast.INT)
    assert values == [1234, None]
    assert "round it in the source" in failures[1]


def test_a_lone_group_under_float_with_nothing_to_decide_it_fails_with_both_readings() -> None:
    values, failures = cast_column(["1,234", "7"], Cast.FLOAT)
    assert values == [None, 7.0]
    assert failures == {
        0: "expected a number (cast: float), got the ambiguous '1,234': it reads as 1234 or 1.234, and no "
        'number of the column tells which; set decimal: "," or "." on the column in the mapping'
    }


def test_strong_proof_wins_and_a_value_its_mark_cannot_read_fails() -> None:
    values, failures = cast_column(["1.234,50", "99,90", "1.5", "1.234"], Cast.FLOAT)
    assert values == [1234.5, 99.9, None, 1234.0]
    assert failures == {
        2: "expected a number with a decimal comma (cast: float; column 'Amount' writes them so: 1.234,50), "
        'got \'1.5\'; fix the value, or set decimal: "," or "." on the column in the mapping'
    }


def test_a_column_proving_both_marks_fails_every_value_using_one_with_the_same_evidence() -> None:
    values, failures = cast_column(["5,5", "1.5", "1,234", "42", "1 000"], Cast.FLOAT)
    assert values == [None, None, None, 42.0, 1000.0]
    message = (
        "column 'Amount' has both 5,5 (decimal comma) and 1.5 (decimal dot), so its numbers cannot be read "
        'one way; set decimal: "," or "." on the column in the mapping, or fix the values that differ'
    )
    assert failures == {0: message, 1: message, 2: message}


@pytest.mark.parametrize(("decimal", "expected"), [(",", [1.5, 1234.0, 5.5]), (".", [None, 1.234, None])])
def test_the_mapping_decimal_decides_the_column(decimal: str, expected: list[Any]) -> None:
    frame = pd.DataFrame({"Amount": ["1,5", "1.234", "5,5"]})
    mapping = Mapping({"data.amount": {"column": "Amount", "cast": "float", "decimal": decimal}})
    mapped = mapping.apply(frame)
    assert mapped.targets["data.amount"].tolist() == expected
    if decimal == ".":
        assert mapped.errors["message"].str.contains('decimal: "."', regex=False).all()
    assert Mapping(mapping.to_dict()) == mapping  # the option survives a round trip


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ({"column": "A", "cast": "date", "decimal": ","}, "decimal is for numbers"),
        ({"column": "A", "decimal": "."}, "decimal is for numbers"),
        ({"column": "A", "cast": "float", "decimal": ";"}, 'decimal must be "," or "."'),
    ],
)
def test_a_decimal_mark_is_only_for_numbers_and_only_a_comma_or_a_dot(
    source: dict[str, Any], problem: str
) -> None:
    with pytest.raises(MappingError, match=problem):
        Mapping({"data.a": source})


def test_prepare_lists_each_number_read_from_a_local_format_in_changes() -> None:
    frame = pd.DataFrame(
        {
            "id": ["u1", "u2", "u3"],
            "Umsatz": ["1.234,50", "99,90", "7"],
            "Bestellungen": ["1.234", "12", "3"],
        }
    )
    mapping = Mapping(
        {
            "recipient": "id",
            "data.revenue": {"column": "Umsatz", "cast": "float"},
            "data.orders": {"column": "Bestellungen", "cast": "int"},
        }
    )
    prepared = prepare(frame, mapping)
    assert prepared.df["bulk_status"].tolist() == ["ready"] * 3
    changes = prepared.changes[[ROW_KEY, "field", "original", "normalized"]].to_dict("records")
    assert changes == [
        {"bulk_row": 0, "field": "data.revenue", "original": "1.234,50", "normalized": 1234.5},
        {"bulk_row": 0, "field": "data.orders", "original": "1.234", "normalized": 1234},
        {"bulk_row": 1, "field": "data.revenue", "original": "99,90", "normalized": 99.9},
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        *(
            (word, True)
            for word in (
                "ja",
                "JA",
                "Oui",
                "sí",
                "si",
                "Sì",
                "sim",
                "tak",
                "evet",
                "Да",
                "ano",
                "Kyllä",
                "igen",
            )
        ),
        *(
            (word, False)
            for word in (
                "nein",
                "Non",
                "não",
                "nao",
                "nej",
                "nee",
                "nie",
                "Hayır",
                "HAYIR",
                "нет",
                "ne",
                "ei",
            )
        ),
        ("nem", False),
        ("\u03bd\u03b1\u03b9", True),  # Greek yes
        ("\u038c\u03c7\u03b9", False),  # Greek no, with its accent
    ],
)
def test_bool_reads_yes_and_no_in_other_languages(word: str, expected: bool) -> None:
    assert cast_column([word], Cast.BOOL) == ([expected], {})


@pytest.mark.parametrize("word", ["jein", "peut-être", "vielleicht", "o"])
def test_bool_still_refuses_words_that_are_no_yes_or_no(word: str) -> None:
    values, failures = cast_column([word], Cast.BOOL)
    assert values == [None]
    assert "expected yes/no" in failures[0]
