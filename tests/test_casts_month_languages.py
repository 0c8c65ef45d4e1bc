"""Month names a column's other names settle (Croatian listopada beside svibnja), and Austria's Feber."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bulkprep import Mapping, prepare, read_csv
from bulkprep.casts import Cast, convert
from bulkprep.status import Column


def _dates(*cells: object) -> tuple[list[object], list[str]]:
    values, failures = convert(np.array(cells, dtype=object), Cast.DATE)
    return values.tolist(), [failure.message for failure in failures]


@pytest.mark.parametrize(
    ("cell", "iso"),
    [("1. Feber 2022", "2022-02-01"), ("14. Feb. 2022", "2022-02-14"), ("3. Jänner 2020", "2020-01-03")],
)
def test_austrian_month_names(cell: str, iso: str) -> None:
    assert _dates(cell) == ([iso], [])


def test_a_croatian_name_settles_listopada_as_october() -> None:
    values, failures = _dates("3. listopada 2020.", "5. svibnja 2022.", "14.03.2021.")
    assert values == ["2020-10-03", "2022-05-05", "2021-03-14"]
    assert failures == []


def test_a_polish_name_settles_listopada_as_november() -> None:
    values, failures = _dates("3 listopada 2020", "5 października 2021", "1 maja 2022")
    assert values == ["2020-11-03", "2021-10-05", "2022-05-01"]
    assert failures == []


def test_a_name_many_languages_share_settles_only_with_the_one_it_leaves() -> None:
    # Of Croatian and Polish, only Polish has "mar" (Croatian abbreviates March as ožu).
    assert _dates("3 listopada 2020", "5 mar 2022") == (["2020-11-03", "2022-03-05"], [])


def test_the_short_names_are_settled_too() -> None:
    assert _dates("4 lis 2024", "9 stu 2024")[0] == ["2024-10-04", "2024-11-09"]  # Croatian stu(deni)
    assert _dates("4 lis 2024", "9 říj 2024")[0] == ["2024-11-04", "2024-10-09"]  # Czech říj(en)


@pytest.mark.parametrize(
    "cells",
    [
        ("3 listopada 2020",),  # nothing else
        ("3 listopada 2020", "5 März 2022"),  # German: neither language
        ("3 listopada 2020", "5 May 2022"),  # English: neither language
        ("3 listopada 2020", "5. svibnja 2022", "14 Mar 2021"),  # no one language has all three
        ("3 listopada 2020", "5. svibnja 2022", "1 maja 2022"),  # Croatian and Polish: both meanings
        ("3 listopada 2020", "4 lip 2024"),  # two names of two meanings settle nothing
    ],
)
def test_still_refused_with_both_meanings_when_nothing_decides(cells: tuple[str, ...]) -> None:
    values, failures = _dates(*cells)
    assert values[0] is None
    assert "'listopada' names October (hr) or November (pl)" in failures[0]


def test_a_croatian_windows_1250_file_is_prepared_with_its_month_names(tmp_path: Path) -> None:
    text = (
        "Šifra;Ime;Prezime;E-pošta;Datum upisa\r\n"
        "P-01;Ivana;Horvat;ivana@example.hr;5. svibnja 2022.\r\n"
        "P-02;Đuro;Kovačić;djuro@example.hr;3. listopada 2021.\r\n"
        "P-03;Željka;Babić;zeljka@example.hr;14. prosinca 2020.\r\n"
    )
    path = tmp_path / "clanovi.csv"
    path.write_bytes(text.encode("cp1250"))
    frame = read_csv(path)
    mapping = Mapping(
        {
            "recipient": "Šifra",
            "profile.email": "E-pošta",
            "data.joined": {"column": "Datum upisa", "cast": "date"},
        }
    )
    result = prepare(frame, mapping, region="HR")
    assert result.df[Column.STATUS].tolist() == ["ready"] * 3
    joined = [user["data"]["joined"] for user in result.df[Column.USER].tolist()]
    assert joined == ["2022-05-05", "2021-10-03", "2020-12-14"]


@pytest.mark.parametrize(
    "cells", [("2. 11. 1975",), ("2. 11. 1975", "14. 3. 1988"), ("2. 11. 1975", "1.2.2000")]
)
def test_dotted_dates_with_a_space_after_each_dot_are_day_first(cells: tuple[str, ...]) -> None:
    # Slovak, Czech and German write d. m. yyyy: as dotted as 02.11.1975, and as day-first.
    values, failures = _dates(*cells)
    assert values[0] == "1975-11-02"
    assert failures == []
