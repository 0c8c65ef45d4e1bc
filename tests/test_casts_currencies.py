"""Currency codes and signs before or after an amount under cast: float and int."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.casts import Cast, convert
from bulkprep.status import ROW_KEY, Column

ROOT = Path(__file__).resolve().parent.parent


def cast_column(cells: list[Any], cast: Cast) -> tuple[list[Any], dict[int, str]]:
    values, failures = convert(np.array(cells, dtype=object), cast, name="Total")
    return values.tolist(), {failure.position: failure.message for failure in failures}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["USD 1,250.00", "USD 45.00", "usd 7"], [1250.0, 45.0, 7.0]),  # an ISO 4217 code, any case
        (["LKR 108,750.00", "NPR 4,500.00", "1,250.00 EUR", "99.5CHF"], [108750.0, 4500.0, 1250.0, 99.5]),
        (["HK$ 500", "HK$1,280.00", "GH₵ 20", "GH₵2,500.00"], [500.0, 1280.0, 20.0, 2500.0]),
        (
            ["R$ 1.234,56", "12,50 zł", "1 200 Kč", "100 kr", "Rp 15.000,00"],
            [1234.56, 12.5, 1200.0, 100.0, 15000.0],
        ),
        (["S/ 150.00", "S/. 20.50", "₹1,500", "₦2,000.00"], [150.0, 20.5, 1500.0, 2000.0]),
        (["KSh 500", "Ksh 1,000.00", "RM 20.90"], [500.0, 1000.0, 20.9]),
        (["-USD 5,00", "-R$ 3,50", "USD -2,50"], [-5.0, -3.5, -2.5]),
        (["K 50", "R 150.00"], [50.0, 150.0]),  # a one-letter sign before the amount (kwacha, rand)
    ],
)
def test_a_currency_code_or_sign_before_or_after_the_amount_is_dropped(
    cells: list[str], expected: list[float]
) -> None:
    assert cast_column(cells, Cast.FLOAT) == (expected, {})


def test_an_int_column_drops_a_code_too() -> None:
    assert cast_column(["NPR 4,500", "LKR 12"], Cast.INT) == ([4500, 12], {})


@pytest.mark.parametrize("cell", ["5K", "USDT 5", "5 USDX", "x 5", "5 5", "EURO"])
def test_what_is_no_code_or_sign_is_not_dropped(cell: str) -> None:
    values, failures = cast_column([cell], Cast.FLOAT)
    assert values == [None]
    assert "expected a number" in failures[0]


def test_prepare_lists_each_amount_read_from_a_currency_in_changes() -> None:
    frame = pd.DataFrame({"id": ["u1", "u2", "u3"], "Total": ["LKR 12,500.00", "HK$ 500", "7.5"]})
    mapping = Mapping({"recipient": "id", "data.total": {"column": "Total", "cast": "float"}})
    prepared = prepare(frame, mapping)
    assert prepared.df[Column.STATUS].tolist() == ["ready"] * 3
    changes = prepared.changes[[ROW_KEY, "field", "original", "normalized"]].to_dict("records")
    assert changes == [
        {ROW_KEY: 0, "field": "data.total", "original": "LKR 12,500.00", "normalized": 12500.0},
        {ROW_KEY: 1, "field": "data.total", "original": "HK$ 500", "normalized": 500.0},
    ]


def test_the_committed_currency_table_is_what_its_script_writes() -> None:
    script = ROOT / "scripts" / "make_currency_names.py"
    command = [sys.executable, str(script), "--check"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_currency_code_or_sign_is_made_of_digits_signs_and_separators_alone() -> None:
    # The fast path of without_currency leaves such text as it is: it could hold no currency.
    from bulkprep import _currency_names
    from bulkprep.numbers import _DIGITS_ONLY

    names = [*_currency_names.CODES.split(), *_currency_names.SIGNS.splitlines()]
    assert names
    assert [name for name in names if _DIGITS_ONLY.fullmatch(name.strip())] == []
