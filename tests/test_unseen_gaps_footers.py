"""A report's total line at the end of a file (Total, Summe, Razem, 合計...) is a footer, not a user."""

from __future__ import annotations

import io

import pytest

from bulkprep import read_csv
from bulkprep.read import read_info

HEADER = "Member ID,Name,Email,Phone\n"
RECORDS = "M1,Ann,ann@example.com,+14158675310\nM2,Bob,bob@example.com,\n"


@pytest.mark.parametrize(
    "footer",
    [
        "Total members:,15,,\n",
        "Razem: 16 rekordów,,,\n",
        "Grand Total,2,,\n",
        "Summe,,,2\n",
        "Insgesamt: 2\n",
        "Totaal,2\n",
        "Celkem: 2 záznamy\n",
        'Total général,"1,234.50",,\n',
        "合計,2,,\n",
        "合計,10件,,\n",
        "Toplam,10,,\n",
        "Итого: 2\n",
        "Összesen,2 fő,,\n",
        "Totalt,2 kontakter,,\n",
        "Total\n",
        'Totals,16,"LKR 108,750.00",\n',  # an amount in a currency
        'Summe,"2.500,00 €",,\n',
        "Total,HK$ 500,,\n",
    ],
)
def test_a_total_line_at_the_end_is_a_footer(footer: str) -> None:
    frame = read_csv(io.StringIO(HEADER + RECORDS + "\n" + footer))
    assert frame["bulk_row"].tolist() == [2, 3]
    assert read_info(frame).footer_rows == 2  # the total line and the blank line above it


def test_several_total_lines_are_all_dropped() -> None:
    frame = read_csv(io.StringIO(HEADER + RECORDS + "Subtotal,1,,\nTotal,2,,\n"))
    assert frame["bulk_row"].tolist() == [2, 3]
    assert read_info(frame).footer_rows == 2


@pytest.mark.parametrize(
    "last",
    [
        "Total,Tom,tom@example.com,\n",  # an email: a user
        "Sum,Li,,+1 415 867 5310\n",  # a phone: a user
        "Summer,3,,\n",  # not a total word
        "Totally Ann,3,,\n",
        "Total,4915123456789,,\n",  # a long number: maybe a phone or an id
        "Toplam,Ayşe,,\n",  # a name, not a count
        "Total,USD Tom,,\n",  # a currency code before a name
    ],
)
def test_a_last_line_with_a_user_value_or_no_total_word_stays_a_record(last: str) -> None:
    frame = read_csv(io.StringIO(HEADER + RECORDS + last))
    assert frame["bulk_row"].tolist() == [2, 3, 4]
    assert read_info(frame).footer_rows == 0


def test_a_total_line_above_the_last_record_is_a_record() -> None:
    frame = read_csv(io.StringIO(HEADER + "Total,2,,\n" + RECORDS))
    assert frame["bulk_row"].tolist() == [2, 3, 4]
