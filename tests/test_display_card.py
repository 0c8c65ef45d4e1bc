"""The summary card and text: every problem code, the warnings, the delivery, the chart; all escaped."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bulkprep import SubmitResult, prepare, read_csv
from bulkprep.chart import MAX_BARS, bar_chart
from bulkprep.demo import sample_path
from bulkprep.display import SHOWN_CODES, summary_card
from bulkprep.report import ErrorCode, errors_from_records, format_summary

CODES = [code.value for code in ErrorCode]


def _every_code() -> pd.DataFrame:
    """One problem per code, code i on i + 1 rows, so the order by rows is the reverse of the enum's."""
    records = []
    row = 2
    for at, code in enumerate(CODES):
        for _ in range(at + 1):
            records.append({"bulk_row": row, "code": code, "column": f"col{at % 3}", "value": f"v{row}"})
            row += 1
    return errors_from_records(records)


def _summary(errors: pd.DataFrame) -> dict[str, int]:
    return {"ready": 1, "invalid": int(errors["bulk_row"].nunique())}


def test_the_card_lists_every_code_with_its_fix_and_folds_the_long_tail() -> None:
    errors = _every_code()
    card = summary_card("Prepared", _summary(errors), errors)
    for code in CODES:
        assert f"<code>{code}</code>" in card
        assert ErrorCode(code).hint.split("(")[0].replace("'", "&#x27;") in card
    assert f"{len(CODES)} codes, most rows first" in card
    visible, folded = card.split("<details>", 1)
    assert folded.count("<code>") == len(CODES) - SHOWN_CODES
    # The most common codes are the ones shown unfolded.
    for code in CODES[-SHOWN_CODES:]:
        assert f"<code>{code}</code>" in visible
    assert f"<summary>{len(CODES) - SHOWN_CODES} more code(s)" in folded


def test_a_short_list_is_not_folded() -> None:
    errors = errors_from_records([{"bulk_row": 2, "code": "invalid_email", "value": "a@"}])
    card = summary_card("Prepared", {"invalid": 1}, errors)
    assert "<details>" not in card
    assert "<code>invalid_email</code>" in card
    assert "1 code, most rows first" in card


def test_the_text_summary_lists_every_code_unless_told_a_limit() -> None:
    errors = _every_code()
    text = format_summary(_summary(errors), errors)
    assert "problems by code:" in text
    assert all(f"  {code}: " in text for code in CODES)
    cut = format_summary(_summary(errors), errors, limit=3)
    assert "most common problems:" in cut
    assert sum(f"  {code}: " in cut for code in CODES) == 3
    assert f"... and {len(CODES) - 3} more code(s)" in cut


def test_codes_values_and_columns_are_escaped_in_card_and_chart() -> None:
    errors = errors_from_records(
        [
            {"bulk_row": 2, "code": "<script>x</script>", "column": "<b>Email</b>", "value": "<img src=x>"},
            {"bulk_row": 3, "code": "invalid_email", "column": "E'mail", "value": "a&b"},
        ]
    )
    card = summary_card("<i>Title</i>", {"invalid": 2}, errors)
    assert "<script" not in card
    assert "<b>Email</b>" not in card
    assert "<img" not in card
    assert "<i>Title" not in card
    assert "&lt;script&gt;x&lt;/script&gt; · &lt;b&gt;Email&lt;/b&gt;" in card
    assert "a&amp;b" in card


def test_the_chart_draws_one_bar_per_code_and_column() -> None:
    errors = errors_from_records(
        [
            {"bulk_row": 2, "code": "invalid_email", "column": "Email"},
            {"bulk_row": 3, "code": "invalid_email", "column": "Email"},
            {"bulk_row": 4, "code": "invalid_email", "column": "Work Email"},
            {"bulk_row": 5, "code": "no_identity"},
        ]
    )
    card = summary_card("Prepared", {"invalid": 4}, errors)
    svg = card[card.index("<svg") : card.index("</svg>")]
    assert svg.count("<rect") == 3
    labels = re.findall(r"<title>([^<]*)</title>", svg)
    assert labels[1:] == ["invalid_email · Email", "invalid_email · Work Email", "no_identity"]
    widths = [int(w) for w in re.findall(r"<rect [^>]*width='(\d+)'", svg)]
    assert widths[0] == 2 * widths[1]  # scaled to the counts, 2 rows against 1


def test_no_chart_for_a_single_bar_or_only_warnings() -> None:
    one = errors_from_records([{"bulk_row": 2, "code": "invalid_email", "column": "Email"}])
    assert "<svg" not in summary_card("Prepared", {"invalid": 1}, one)
    warned = errors_from_records(
        [
            {
                "bulk_row": 2,
                "code": "cast_failed",
                "column": "Born",
                "field": "data.born",
                "severity": "warning",
            },
            {
                "bulk_row": 3,
                "code": "cast_failed",
                "column": "Day",
                "field": "data.day",
                "severity": "warning",
            },
        ]
    )
    assert "<svg" not in summary_card("Prepared", {"ready": 2}, warned)


def test_a_long_chart_is_cut_and_says_how_many_bars_are_left() -> None:
    bars = [(f"code{i}", 20 - i) for i in range(MAX_BARS + 3)]
    svg = bar_chart(bars, title="t")
    assert svg.count("<rect") == MAX_BARS
    assert "and 3 more" in svg


def test_the_card_counts_the_warnings() -> None:
    warned = errors_from_records(
        [{"bulk_row": 2, "code": "cast_failed", "field": "data.born", "severity": "warning", "value": "x"}]
    )
    card = summary_card("Prepared", {"ready": 1}, warned)
    assert "1 field left out (warnings): data.born 1" in card
    assert "No problems found." in card


def _submitted(**columns: list[str | None]) -> SubmitResult:
    frame = pd.DataFrame(
        {"Email": ["a@b.co", "c@d.co", "e@f.co"], "bulk_row": [2, 3, 4], "bulk_status": ["accepted"] * 3}
    )
    for name, values in columns.items():
        frame[name] = values
    return SubmitResult(frame, input_columns=("Email",), job_id="j1")


def test_the_submission_card_and_text_count_the_delivery_states_and_outcomes() -> None:
    result = _submitted(
        bulk_delivery_status=["ENQUEUED", "ERROR", "ENQUEUED"],
        bulk_outcome=["DELIVERED", "UNDELIVERABLE", None],
        bulk_outcome_reason=[None, "BOUNCED", None],
    )
    card = result._repr_html_()
    assert "<b>Delivery</b>" in card
    section = card.split("<b>Delivery</b>", 1)[1]
    for name in ("bulk_delivery_status", "bulk_outcome", "bulk_outcome_reason"):
        assert f"<th style='text-align:left'>{name}</th>" in section
    assert "<code>ENQUEUED</code></td><td style='text-align:right'>2</td>" in section
    assert "<code>BOUNCED</code></td><td style='text-align:right'>1</td>" in section
    text = str(result)
    assert "delivery status: ENQUEUED 2, ERROR 1" in text
    assert "outcome: DELIVERED 1, UNDELIVERABLE 1" in text
    assert "outcome reason: BOUNCED 1" in text


@pytest.mark.parametrize("columns", [{}, {"bulk_delivery_status": [None, None, None]}])
def test_no_delivery_section_without_delivery_columns(columns: dict[str, list[str | None]]) -> None:
    result = _submitted(**columns)
    assert "<b>Delivery</b>" not in result._repr_html_()
    assert "delivery status" not in str(result)


def test_the_prepared_card_of_the_messy_sample_lists_every_code_it_found() -> None:
    prepared = prepare(read_csv(sample_path("users_messy.csv")), sample_path("users_messy.mapping.yaml"))
    card = prepared._repr_html_()
    found = set(prepared.errors.loc[prepared.errors["severity"] == "error", "code"])
    assert len(found) > SHOWN_CODES  # the sample has more codes than the card shows unfolded
    assert all(f"<code>{code}</code>" in card for code in found)
    assert "<svg" in card
