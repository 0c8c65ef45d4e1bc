"""Single values a new set of exports showed: Mongolia's own name, Catalan elided months, a foreign
number among numbers written with the default region's calling code, and an empty JSON object."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bulkprep import Mapping, prepare
from bulkprep.casts import Cast, convert
from bulkprep.countries import region_of
from bulkprep.normalize import normalize_phones
from bulkprep.status import Column


def test_mongolias_own_official_name_is_mongolia() -> None:
    assert (region_of("Монгол Улс"), region_of("монгол улс"), region_of("Монгол")) == ("MN", "MN", "MN")


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("5 d'agost de 2024", "2024-08-05"),
        ("1 d\u2019abril de 2022", "2022-04-01"),
        ("12 d'octubre de 2023", "2023-10-12"),
        ("3 de març de 2024", "2024-03-03"),
    ],
)
def test_a_catalan_month_after_an_elided_de_is_read(written: str, date: str) -> None:
    values, failures = convert(np.array([written], dtype=object), Cast.DATE, name="Client des de")
    assert (values.tolist(), failures) == ([date], [])


def test_a_word_glued_to_a_month_by_an_apostrophe_is_still_no_date() -> None:
    values, failures = convert(np.array(["5 x'agost de 2024"], dtype=object), Cast.DATE, name="d")
    assert values.tolist() == [None]
    assert len(failures) == 1


def test_numbers_written_with_the_default_regions_calling_code_prove_the_column_international() -> None:
    # Peruvian numbers stored as 51 and the number, and one Chilean number stored as 56 and its own.
    phones = pd.Series(["51912345678", "51987654321", "5112345678", "56961234567", "519123456"])
    out = normalize_phones(phones, region="PE")
    assert out["normalized"].tolist() == ["+51912345678", "+51987654321", "+5112345678", "+56961234567", None]
    assert "not a valid PE number" in out["message"].iloc[4]  # +51 and 7 digits: too short


def test_a_national_number_still_keeps_such_a_column_national() -> None:
    phones = pd.Series(["51912345678", "912345678", "56961234567"])
    out = normalize_phones(phones, region="PE")
    assert out["normalized"].tolist() == ["+51912345678", "+51912345678", None]


def test_where_the_trunk_prefix_is_the_calling_code_a_leading_1_proves_nothing() -> None:
    phones = pd.Series(["14153920162", "447911123465"])
    out = normalize_phones(phones, region="US")
    assert out["normalized"].tolist() == ["+14153920162", None]


def test_an_empty_json_object_or_list_is_sent_as_written_and_an_empty_cell_is_left_out() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "metadata": ["{}", "[]", '{"plan": "anual"}', None]})
    mapping = Mapping({"recipient": "id", "data.metadata": {"column": "metadata", "cast": "json"}})
    users = prepare(frame, mapping).df[Column.USER].tolist()
    assert [user.get("data") for user in users] == [
        {"metadata": {}},
        {"metadata": []},
        {"metadata": {"plan": "anual"}},
        None,
    ]


def test_an_object_whose_members_are_all_missing_is_still_left_out() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "extra": [{"x": float("nan")}, {"x": 1}]})
    users = prepare(frame, Mapping({"recipient": "id", "data.extra": "extra"})).df[Column.USER].tolist()
    assert [user.get("data") for user in users] == [None, {"extra": {"x": 1}}]
