"""Countries however written, to phonenumbers' region codes (bulkprep.countries)."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import babel
import babel.languages
import numpy as np
import pandas as pd
import phonenumbers
import pycountry
import pytest
from export_corpus import export_file
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkprep import _country_names
from bulkprep.countries import (
    ALIASES,
    MAX_SUGGESTED_VALUES,
    RegionColumn,
    country_key,
    region_of,
    regions_of,
    suggestions_for,
)
from bulkprep.mapping import Mapping
from bulkprep.read import read_csv

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "tests" / "fixtures" / "exports"

SPELLINGS: list[tuple[str, str]] = [
    # United States: code, alpha-3, names, aliases, other languages
    ("US", "US"),
    ("us", "US"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("U.S.", "US"),
    ("United States", "US"),
    ("United States of America", "US"),
    ("The United States", "US"),
    ("America", "US"),
    ("  united   states ", "US"),
    ("Estados Unidos", "US"),
    ("Vereinigte Staaten", "US"),
    ("アメリカ合衆国", "US"),
    # United Kingdom
    ("GB", "GB"),
    ("UK", "GB"),
    ("uk", "GB"),
    ("U.K.", "GB"),
    ("GBR", "GB"),
    ("United Kingdom", "GB"),
    ("  united kingdom ", "GB"),
    ("Great Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("Vereinigtes Königreich", "GB"),
    ("Royaume-Uni", "GB"),
    ("Reino Unido", "GB"),
    # Germany and its neighbours, as German and Swiss exports write them
    ("DE", "DE"),
    ("de", "DE"),
    ("DEU", "DE"),
    ("deu", "DE"),
    ("Germany", "DE"),
    ("Deutschland", "DE"),
    ("deutschland ", "DE"),
    ("DEUTSCHLAND", "DE"),
    ("Allemagne", "DE"),
    ("Alemania", "DE"),
    ("Niemcy", "DE"),
    ("ドイツ", "DE"),
    ("Österreich", "AT"),
    ("Osterreich", "AT"),
    ("ÖSTERREICH", "AT"),
    ("Austria", "AT"),
    ("AUT", "AT"),
    ("Schweiz", "CH"),
    ("Suisse", "CH"),
    ("Svizzera", "CH"),
    ("Switzerland", "CH"),
    ("CHE", "CH"),
    ("Niederlande", "NL"),
    ("Frankreich", "FR"),
    ("Italien", "IT"),
    ("Spanien", "ES"),
    # Southern and western Europe
    ("España", "ES"),
    ("Espana", "ES"),
    ("ESPAÑA", "ES"),
    ("Spain", "ES"),
    ("ESP", "ES"),
    ("Italia", "IT"),
    ("Italy", "IT"),
    ("ITA", "IT"),
    ("France", "FR"),
    ("FRA", "FR"),
    ("Francia", "FR"),
    ("Nederland", "NL"),
    ("Netherlands", "NL"),
    ("The Netherlands", "NL"),
    ("Holland", "NL"),
    ("Bharat", "IN"),
    ("KSA", "SA"),
    ("NLD", "NL"),
    ("België", "BE"),
    ("Belgique", "BE"),
    ("Lëtzebuerg", "LU"),
    ("Portugal", "PT"),
    ("Éire", "IE"),
    ("Ireland", "IE"),
    ("IRL", "IE"),
    # Northern, central and eastern Europe
    ("Polska", "PL"),
    ("Poland", "PL"),
    ("Sverige", "SE"),
    ("Danmark", "DK"),
    ("Norge", "NO"),
    ("Suomi", "FI"),
    ("Ísland", "IS"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Česko", "CZ"),
    ("CZE", "CZ"),
    ("Magyarország", "HU"),
    ("România", "RO"),
    ("Hrvatska", "HR"),
    ("България", "BG"),
    ("Србија", "RS"),
    ("Srbija", "RS"),
    ("Україна", "UA"),
    ("Russia", "RU"),
    ("Russian Federation", "RU"),
    ("Россия", "RU"),
    ("RUS", "RU"),
    ("Ελλάδα", "GR"),
    ("Türkiye", "TR"),
    ("TÜRKİYE", "TR"),
    ("Turkey", "TR"),
    ("Türkei", "TR"),
    ("Kıbrıs", "CY"),
    ("Kibris", "CY"),
    ("XK", "XK"),
    ("Kosovo", "XK"),
    ("Kosova", "XK"),
    ("XKX", "XK"),
    # Asia
    ("日本", "JP"),
    ("Japan", "JP"),
    ("JPN", "JP"),
    ("South Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("Republic of Korea", "KR"),
    ("대한민국", "KR"),
    ("North Korea", "KP"),
    ("Korea, Democratic People's Republic of", "KP"),
    ("中国", "CN"),
    ("China", "CN"),
    ("台灣", "TW"),
    ("Taiwan", "TW"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("Việt Nam", "VN"),
    ("India", "IN"),
    ("भारत", "IN"),
    ("বাংলাদেশ", "BD"),
    ("پاکستان", "PK"),
    ("ایران", "IR"),
    ("ישראל", "IL"),
    ("საქართველო", "GE"),
    ("Pilipinas", "PH"),
    ("UAE", "AE"),
    # Africa
    ("Ivory Coast", "CI"),
    ("côte d'ivoire", "CI"),
    ("COTE D IVOIRE", "CI"),
    ("Côte d\u2019Ivoire", "CI"),
    ("CIV", "CI"),
    ("المغرب", "MA"),
    ("مصر", "EG"),
    ("Čad", "TD"),
    ("Congo", "CG"),
    ("DR Congo", "CD"),
    ("Congo, The Democratic Republic of the", "CD"),
    ("Eswatini", "SZ"),
    ("Swaziland", "SZ"),
    ("the Gambia", "GM"),
    # Americas and Oceania
    ("Brasil", "BR"),
    ("Brazil", "BR"),
    ("México", "MX"),
    ("Mexico", "MX"),
    ("MEX", "MX"),
    ("Canada", "CA"),
    ("Australia", "AU"),
    ("AUS", "AU"),
    ("Aotearoa", "NZ"),
    ("St. Lucia", "LC"),
    ("Saint Lucia", "LC"),
    ("Bosnia & Herzegovina", "BA"),
    ("Bosnia and Herzegovina", "BA"),
    # phonenumbers' regions outside ISO 3166
    ("Ascension Island", "AC"),
    ("ASC", "AC"),
    ("Tristan da Cunha", "TA"),
]

UNRECOGNIZED = ["Narnia", "Europe", "EU", "N/A", "n.a.", "123", "-", "Atlantis", "XK-1", "Kongo"]

# Names that mean two countries, dropped from the table (spelled as a person would write them).
DROPPED = {
    "Kata": {"QA", "TD"},  # Qatar in most languages that write it so, Chad in Maori
    "Kongo": {"CG", "CD"},  # the Republic of the Congo, the Democratic Republic in Norwegian
    "Конго": {"CG", "CD"},  # the same in Bosnian and in Kazakh
    "Lusia": {"RU", "LC"},  # Russia in Tongan, Saint Lucia in Yoruba
    "Свети Мартин": {"MF", "SX"},  # Saint Martin: the French part in Bosnian, the Dutch in Macedonian
    # Names whose key is another country's code: written without accents they would be that code.
    "Nga": {"NG", "RU"},  # Russia in Vietnamese; NGA is Nigeria's alpha-3 code, which wins
    "Áo": {"AT", "AO"},  # Austria in Vietnamese; AO is Angola
    "Bỉ": {"BE", "BI"},  # Belgium in Vietnamese; BI is Burundi
}


def test_spelling_table_is_wide() -> None:
    assert len(SPELLINGS) >= 80
    assert len({code for _, code in SPELLINGS}) >= 30


@pytest.mark.parametrize(("spelling", "code"), SPELLINGS)
def test_spelling_names_its_country(spelling: str, code: str) -> None:
    assert region_of(spelling) == code
    assert region_of(spelling.upper()) == code
    assert region_of(f" \t{spelling.lower()}  ") == code


@pytest.mark.parametrize("value", UNRECOGNIZED)
def test_unrecognized_value_is_none(value: str) -> None:
    assert region_of(value) is None
    assert isinstance(suggestions_for(value), tuple)


@pytest.mark.parametrize(
    ("value", "first"),
    [
        ("Germny", "Germany"),
        ("Deutchland", "Deutschland"),
        ("Untied Kingdom", "United Kingdom"),
        ("Autsria", "Austria"),
        ("Narnia", "Armenia"),
        ("Kongo", "Congo-Kinshasa"),
    ],
)
def test_suggestions_put_the_closest_name_first(value: str, first: str) -> None:
    suggestions = suggestions_for(value)
    assert suggestions[0] == first
    assert region_of(value) is None
    # Every suggestion is itself a name that is recognized, each for another country.
    regions = [region_of(name) for name in suggestions]
    assert None not in regions
    assert len(set(regions)) == len(regions)


def test_a_name_meaning_two_countries_offers_both() -> None:
    assert {region_of(name) for name in suggestions_for("Kongo")} == {"CG", "CD"}


@pytest.mark.parametrize("value", ["Europe", "EU", "N/A", "123", "-", "Atlantis"])
def test_nothing_close_suggests_nothing(value: str) -> None:
    assert suggestions_for(value) == ()


@pytest.mark.parametrize(
    "name", ["Korea", "KOREA", "Korea Republic", "Korea, Rep.", "Corea", "Corée", "Coreia"]
)
def test_korea_alone_is_south_korea_and_north_korea_keeps_its_names(name: str) -> None:
    assert region_of(name) == "KR"
    assert region_of("North Korea") == "KP"
    assert region_of("Korea, Democratic People's Republic of") == "KP"
    assert region_of("Corea del Norte") == "KP"
    assert region_of("Kongo") is None  # still two countries: never guessed


def test_suggestions_respect_the_limit() -> None:
    assert len(suggestions_for("Guinea", limit=2)) <= 2
    assert suggestions_for("Autsria", limit=1) == ("Austria",)


def test_dropped_names_are_listed_and_not_recognized() -> None:
    lines = _country_names.DROPPED.splitlines()
    listed = {key: set(codes.split()) for key, _, codes in (line.partition(" ") for line in lines)}
    assert listed == {country_key(name): codes for name, codes in DROPPED.items()}
    for name in DROPPED:
        assert region_of(f"{name}.") is None
        if name.isascii() and len(name) <= 3:
            assert region_of(name) == "NG"  # three letters alone are a code
        else:
            assert region_of(name) is None
    assert _country_names.OVERRIDDEN == ""


def test_codes_need_letters_alone() -> None:
    # NA is Namibia's code; a placeholder written with punctuation is not.
    assert region_of("NA") == "NA"
    assert region_of("N/A") is None
    assert region_of("n.a.") is None
    assert region_of("D E") == "DE"
    assert region_of("D-E") is None


def test_aliases_are_recognized_and_win() -> None:
    for alias, code in ALIASES.items():
        assert region_of(alias) == code, alias


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_every_phone_region_from_its_code_and_english_name(region: str) -> None:
    assert region_of(region) == region
    assert region_of(region.lower()) == region
    assert region_of(babel.Locale("en").territories[region]) == region


def test_every_iso_country_from_its_codes_and_names() -> None:
    for country in pycountry.countries:
        assert region_of(country.alpha_2) == country.alpha_2
        assert region_of(country.alpha_3) == country.alpha_2
        for field in ("name", "official_name", "common_name"):
            if hasattr(country, field):
                assert region_of(getattr(country, field)) == country.alpha_2, getattr(country, field)


def test_every_country_by_its_own_name() -> None:
    for code in sorted(phonenumbers.SUPPORTED_REGIONS):
        for language in babel.languages.get_official_languages(code, de_facto=True):
            try:
                name = babel.Locale.parse(language).territories.get(code)
            except (ValueError, babel.UnknownLocaleError):
                continue
            if name:
                assert region_of(name) == code, (language, name)


def test_table_keys_are_keys() -> None:
    for line in _country_names.NAMES.splitlines():
        key, code = line.split(" ")
        assert country_key(key) == key
        assert re.fullmatch(r"[A-Z]{2}", code)


@given(st.text())
def test_country_key_is_idempotent(text: str) -> None:
    key = country_key(text)
    assert country_key(key) == key
    assert not any(character.isspace() for character in key)


COMPATIBLE = [("𝐀", "a"), ("Ｄｅｕｔｓｃｈｌａｎｄ", "deutschland"), ("ﬁji", "fiji"), ("ＵＳＡ", "usa")]


@pytest.mark.parametrize(("text", "key"), COMPATIBLE)
def test_compatibility_letters_fold(text: str, key: str) -> None:
    assert country_key(text) == key


def test_full_width_codes_are_codes() -> None:
    assert region_of("ＤＥ") == "DE"
    assert region_of("ＧＢＲ") == "GB"
    assert region_of("Ｎ/Ａ") is None


def test_generated_table_is_what_the_script_writes() -> None:
    script = ROOT / "scripts" / "make_country_names.py"
    completed = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


# Column values for the vectorized reading: known spellings, unknown ones, blanks, non-text cells.
CELLS = st.one_of(
    st.sampled_from([spelling for spelling, _ in SPELLINGS]),
    st.sampled_from([*UNRECOGNIZED, "", "   ", "\t"]),
    st.none(),
    st.just(math.nan),
    st.integers(-5, 500),
    st.text(max_size=12),
)


def _scalar(cell: object) -> tuple[str | None, bool]:
    """What regions_of must give for one cell: its region, and whether it is unknown."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None, False
    text = str(cell)
    region = region_of(text)
    return region, region is None and bool(text.strip())


@settings(max_examples=150, deadline=None)
@given(st.lists(CELLS, max_size=40))
def test_vectorized_matches_scalar(cells: list[object]) -> None:
    column = pd.Series(cells, dtype="object", index=pd.RangeIndex(7, 7 + len(cells)), name="Country")
    result = regions_of(column)
    expected = [_scalar(cell) for cell in cells]
    assert result.regions.tolist() == [region for region, _ in expected]
    assert result.unknown.tolist() == [unknown for _, unknown in expected]
    assert result.regions.index.equals(column.index)
    assert result.unknown.index.equals(column.index)
    assert result.unknown.dtype == bool
    unknown_cells = {str(cell) for cell, (_, unknown) in zip(cells, expected, strict=True) if unknown}
    assert set(result.suggestions) == unknown_cells


@pytest.mark.parametrize("dtype", ["object", "str", "string"])
def test_string_dtypes_read_alike(dtype: str) -> None:
    cells = ["Deutschland", None, "  ", "uk", "Atlantis", "日本", "Atlantis", "Österreich"]
    column = pd.Series(cells, dtype=dtype, index=[10, 11, 12, 13, 14, 15, 16, 17])
    result = regions_of(column)
    assert isinstance(result, RegionColumn)
    assert result.regions.dtype == object
    assert result.regions.tolist() == ["DE", None, None, "GB", None, "JP", None, "AT"]
    assert result.regions.isna().tolist() == [False, True, True, False, True, False, True, False]
    assert result.unknown.tolist() == [False, False, False, False, True, False, True, False]
    assert result.suggestions == {"Atlantis": ()}


def test_missing_values_of_every_kind_are_blank() -> None:
    column = pd.Series(["FR", pd.NA, np.nan, None, ""], dtype="object")
    result = regions_of(column)
    assert result.regions.tolist() == ["FR", None, None, None, None]
    assert not result.unknown.any()
    assert result.suggestions == {}


def test_empty_column() -> None:
    result = regions_of(pd.Series([], dtype="object"))
    assert result.regions.empty
    assert result.unknown.empty
    assert result.suggestions == {}


def test_non_text_cells_read_as_their_text() -> None:
    result = regions_of(pd.Series([123, 1.5, "DE"], dtype="object"))
    assert result.regions.tolist() == [None, None, "DE"]
    assert result.unknown.tolist() == [True, True, False]
    assert set(result.suggestions) == {"123", "1.5"}


def _region_column(mapping: Path) -> str:
    """The country column a mapping of the export corpus names on its phone target."""
    found = Mapping.load(mapping).region_columns().get("profile.phone_number")
    assert found, mapping
    return found


def test_export_corpus_countries() -> None:
    """Every country cell of the real-layout exports is read, but for the planted unknown ones."""
    unknown: set[str] = set()
    for mapping in sorted(EXPORTS.glob("*.mapping.yaml")):
        name = mapping.name.removesuffix(".mapping.yaml")
        frame = read_csv(export_file(name))
        result = regions_of(frame[_region_column(mapping)])
        expected = pd.read_csv(EXPORTS / "expected" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert int(result.unknown.sum()) == int((expected["code"] == "unknown_country").sum()), name
        unknown |= set(result.suggestions)
    assert unknown == {"Absurdistan", "Atlantis", "Middle-earth", "XK-1"}


def test_suggestions_stop_after_the_first_distinct_values() -> None:
    # A column with this many distinct unknown values is not a country column: every row is
    # flagged, and only the first values get suggestions (each of these would get "Germany").
    typos = [f"Germny {number}" for number in range(MAX_SUGGESTED_VALUES + 50)]
    assert suggestions_for(typos[-1])[0] == "Germany"
    result = regions_of(pd.Series([*typos, *typos], dtype="object"))
    assert result.unknown.all()
    assert list(result.suggestions) == typos
    assert all(result.suggestions[typo][0] == "Germany" for typo in typos[:MAX_SUGGESTED_VALUES])
    assert all(result.suggestions[typo] == () for typo in typos[MAX_SUGGESTED_VALUES:])
