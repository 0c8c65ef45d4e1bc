"""Dates with a locale's mark after the year or the time, Austrian month names, and more yes/no words."""

from __future__ import annotations

import numpy as np
import pytest

from bulkprep.casts import Cast, convert
from bulkprep.countries import region_of


def _date(text: str) -> object:
    out, failures = convert(np.array([text], dtype=object), Cast.DATE)
    assert not failures, failures
    return out[0]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("14.03.1988.", "1988-03-14"),  # Croatian, Serbian, Latvian: a dot after the year
        ("03.04.1988.", "1988-04-03"),  # still dotted, so day-first
        ("14. svibnja 1988.", "1988-05-14"),
        ("14.03.1988 г.", "1988-03-14"),  # Bulgarian: г. for "year"
        ("5 марта 1990 г.", "1990-03-05"),
        ("14 de marzo de 2025 18:22 hs.", "2025-03-14"),  # Argentina: hs. after the hour
        ("3. Jänner 2020", "2020-01-03"),  # Austrian German
        ("2024. 03. 04.", "2024-03-04"),  # Hungarian year-first, as before
    ],
)
def test_a_locale_s_mark_after_the_year_or_the_time_is_dropped(text: str, iso: str) -> None:
    assert _date(text) == iso


def test_a_year_alone_with_its_dot_is_still_no_whole_date() -> None:
    _, failures = convert(np.array(["1988."], dtype=object), Cast.DATE)
    assert len(failures) == 1


@pytest.mark.parametrize(("word", "value"), [("Nei", False), ("nu", False), ("Jah", True), ("taip", True)])
def test_more_yes_and_no_words(word: str, value: bool) -> None:
    out, failures = convert(np.array([word], dtype=object), Cast.BOOL)
    assert not failures
    assert out[0] is value


def test_the_short_arabic_name_of_the_emirates_is_a_country() -> None:
    assert region_of("الإمارات") == "AE"
