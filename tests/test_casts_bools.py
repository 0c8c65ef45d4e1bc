"""Yes/no under cast: bool in the languages bulkprep reads, PostgreSQL's t/f, and no word of two meanings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.casts import _BOOL_WORDS, YES_NO, Cast, _fold_bool_word, convert
from bulkprep.status import Column


def cast_column(cells: list[Any]) -> tuple[list[Any], dict[int, str]]:
    values, failures = convert(np.array(cells, dtype=object), Cast.BOOL, name="Newsletter")
    return values.tolist(), {failure.position: failure.message for failure in failures}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Bai", "Ez", "BAI", "ez"], [True, False, True, False]),  # Basque
        (["Ha", "Yo‘q", "Yo’q", "yoʻq", "Yo'q"], [True, False, False, False, False]),  # Uzbek, any apostrophe
        (["ҳа", "йўқ"], [True, False]),  # Uzbek in Cyrillic
        (["t", "f", "T", "F", "y", "N"], [True, False, True, False, True, False]),  # PostgreSQL, y/n
        (["так", "ні", "тийм", "үгүй"], [True, False, True, False]),  # Ukrainian, Mongolian
        (["bəli", "xeyr", "Có", "Không", "taip", "ne"], [True, False, True, False, True, False]),
        (["ja", "nee", "はい", "いいえ", "是", "否"], [True, False, True, False, True, False]),
    ],
)
def test_bool_reads_yes_and_no_in_the_languages_it_reads(cells: list[str], expected: list[bool]) -> None:
    assert cast_column(cells) == (expected, {})


def test_no_word_means_yes_in_one_language_and_no_in_another() -> None:
    yes = {_fold_bool_word(word): language for language, (words, _) in YES_NO.items() for word in words}
    no = {_fold_bool_word(word): language for language, (_, words) in YES_NO.items() for word in words}
    both = {word: (yes[word], no[word]) for word in yes.keys() & no.keys()}
    assert both == {}
    plain = {word: meaning for word, meaning in _BOOL_WORDS.items() if word in yes or word in no}
    assert plain == {word: word in yes for word in plain}  # English and t/f agree with every language


@pytest.mark.parametrize("word", ["jo", "po", "na", "maybe", "tf", "yo", "q"])
def test_words_of_two_meanings_or_none_are_refused(word: str) -> None:
    values, failures = cast_column([word])
    assert values == [None]
    assert "expected yes/no" in failures[0]


def test_prepare_sends_basque_answers_as_booleans() -> None:
    frame = pd.DataFrame({"id": ["u1", "u2"], "Buletina": ["Bai", "Ez"]})
    mapping = Mapping({"recipient": "id", "data.newsletter": {"column": "Buletina", "cast": "bool"}})
    prepared = prepare(frame, mapping)
    assert prepared.df[Column.STATUS].tolist() == ["ready", "ready"]
    assert [user["data"]["newsletter"] for user in prepared.df[Column.USER]] == [True, False]
