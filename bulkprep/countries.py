"""A row's country, however it is written, as the region code phonenumbers reads numbers in.

Exports carry each row's country in a column of their own (``CC``, ``Country/Region``, ``Land``...),
written as ISO 3166-1 alpha-2 or alpha-3 codes, English names, the country's own names, names in
other languages, or aliases (``UK``, ``USA``, ``Holland``). :func:`region_of` reads one such value,
:func:`regions_of` a whole column, once per distinct value, and says which rows hold a country
nobody knows, with the closest known names for a "did you mean" message.

Matching ignores letter case, accents (``Österreich`` = ``Osterreich``), punctuation and spaces
(``U.K.``, ``côte d'ivoire``, ``COTE D IVOIRE``). A text made of two or three letters alone is a code
(``de``, ``DEU``); with anything else in it (``N/A``, ``n.a.``) it is read as a name, so a
placeholder never passes for Namibia's ``NA``.

The names come from ``bulkprep/_country_names.py``, a table generated from the Unicode CLDR
territory names in every language official in some country, and from the ISO 3166 names
(``scripts/make_country_names.py`` writes it; nothing is read from those sources at run time). A
name that means two countries in two languages is dropped from it (``Kongo``: the Republic of the
Congo in most languages, the Democratic Republic in Norwegian), so such a value is reported, never
guessed.

Example:
    >>> region_of("Deutschland"), region_of(" u.k. "), region_of("CIV"), region_of("Narnia")
    ('DE', 'GB', 'CI', None)
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "ALIASES",
    "MAX_SUGGESTED_VALUES",
    "RegionColumn",
    "country_key",
    "region_of",
    "regions_of",
    "suggestions_for",
]

#: How many distinct unknown values of a column get suggestions (a few milliseconds each): a column
#: with more is not a country column (an email or city column mapped by mistake), and the rest of
#: its unknown values get none. Every unknown row is still flagged.
MAX_SUGGESTED_VALUES = 200

#: Names people write for a country that neither CLDR nor ISO 3166 gives, gives only as a variant,
#: or that must not depend on either's wording. They win over every generated name.
ALIASES: dict[str, str] = {
    # The United Kingdom: its nations and its old names are what people write in the Country field.
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    # The United States, as forms and people abbreviate it.
    "U.S.": "US",
    "U.S.A.": "US",
    "America": "US",
    "United States of America": "US",
    # Common English names CLDR keeps only as variants.
    "Holland": "NL",
    "Ivory Coast": "CI",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Swaziland": "SZ",
    "Burma": "MM",
    "Macedonia": "MK",
    "East Timor": "TL",
    "Cape Verde": "CV",
    "Vatican": "VA",
    "Palestine": "PS",
    "Republic of Korea": "KR",
    # "Korea" alone is South Korea in a customer file (North Korea keeps its own names); the names
    # of the peninsula in Spanish and Italian, French and Portuguese are read so too.
    "Korea": "KR",
    "Korea Republic": "KR",
    "Korea, Rep.": "KR",
    "Corea": "KR",
    "Corée": "KR",
    "Coreia": "KR",
    "UAE": "AE",
    "KSA": "SA",  # the Kingdom of Saudi Arabia, as the Gulf writes it
    # India's own name in Latin letters (the Constitution's "India, that is Bharat"), as Indian
    # forms and shops offer it; CLDR has it only in Devanagari (भारत).
    "Bharat": "IN",
    "DRC": "CD",
    "DR Congo": "CD",
    # Kosovo has no ISO code; phonenumbers and CLDR use XK, the EU and the IMF write XKX.
    "XKX": "XK",
    # Official and everyday local names CLDR does not list (its names are the short forms).
    "日本国": "JP",  # Japan's official name
    "アメリカ": "US",  # Japanese short forms: America, the US (米国), China, Korea
    "米国": "US",
    "中華人民共和国": "CN",
    "大韓民国": "KR",
    "한국": "KR",
    "香港": "HK",
    "マカオ": "MO",
    "臺灣": "TW",
    "BRD": "DE",  # Bundesrepublik Deutschland
    "Bundesrepublik Deutschland": "DE",
    "Großbritannien": "GB",
    "Velká Británie": "GB",
    "Česká republika": "CZ",
    "Slovenská republika": "SK",
    "Rzeczpospolita Polska": "PL",
    "Koninkrijk der Nederlanden": "NL",
    "République française": "FR",
    "Schweizerische Eidgenossenschaft": "CH",
    "Republik Österreich": "AT",
    "Russische Föderation": "RU",
    "Российская Федерация": "RU",
    "Volksrepublik China": "CN",
    "Монгол Улс": "MN",  # Mongolia's own official name: CLDR's Mongolian has only Монгол
    # CLDR's short forms (alt="short"), which babel does not ship, and the short names people write
    # beside CLDR's long ones: Spanish "EE. UU.", Arabic "the Saudi one", Thai "country of Thai".
    "EE. UU.": "US",
    "السعودية": "SA",
    "الإمارات": "AE",
    "ประเทศไทย": "TH",
}

# Letters that Unicode does not decompose into a base letter and an accent, written as people
# type them without the accent (Kıbrıs, Færøerne, Włochy).
_FOLD = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
# A calling code standing for its country (44, +55): one to three digits, a plus sign before.
_CALLING_CODE = re.compile(r"\+?([1-9][0-9]{0,2})")
# A name with its code in brackets after it: "Australia (AU)", "Germany [DEU]".
_NAME_AND_CODE = re.compile(r"(?P<name>.*?\S)\s*[(\[]\s*(?P<code>[A-Za-z]{2,3})\s*[)\]]")
# An English article before a name.
_ARTICLE = re.compile(r"\s*the\s+", re.IGNORECASE)
# Combining accents of the Latin, Greek and Cyrillic scripts. Marks of other scripts (Devanagari
# vowel signs...) spell the word and are kept.
_ACCENTS = range(0x0300, 0x0370)


def country_key(text: str) -> str:
    """The form every country name is compared in: no case, no accents, letters and digits only.

    Args:
        text: a country as written.

    Returns:
        The text case-folded, without Latin, Greek and Cyrillic accents, without punctuation and
        spaces; the letters of other scripts as they are (NFC).

    Example:
        >>> country_key("  Côte d\u2019Ivoire "), country_key("COTE D IVOIRE"), country_key("TÜRKİYE")
        ('cotedivoire', 'cotedivoire', 'turkiye')
        >>> country_key("\uff35\uff33\uff21")  # full-width USA
        'usa'
    """
    # Decomposed before case-folding too: mathematical and full-width letters fold only then.
    compatible = unicodedata.normalize("NFKD", text)
    folded = unicodedata.normalize("NFKD", compatible.casefold().translate(_FOLD))
    bare = unicodedata.normalize("NFC", "".join(c for c in folded if ord(c) not in _ACCENTS))
    return "".join(c for c in bare if unicodedata.category(c)[0] in "LNM")


class _Table(NamedTuple):
    codes: dict[str, str]  # alpha-2, alpha-3 and UK, upper case -> alpha-2
    names: dict[str, str]  # country_key of a name -> alpha-2
    display: dict[str, str]  # country_key -> a name as written, offered as a suggestion
    english: dict[str, str]  # alpha-2 -> CLDR's English name
    dropped: dict[str, tuple[str, ...]]  # country_key of a name meaning several countries -> them


def _pairs(lines: str) -> list[tuple[str, str]]:
    """The generated lines ``first rest`` as (first, rest)."""
    return [(first, rest) for first, _, rest in (line.partition(" ") for line in lines.splitlines())]


@functools.cache
def _table() -> _Table:
    """The lookup tables, built on first use from the generated names and :data:`ALIASES`."""
    from bulkprep import _country_names as generated

    codes = {code: code for code in generated.ALPHA_2.split()}
    codes.update(_pairs(generated.ALPHA_3))
    names = dict(_pairs(generated.NAMES))
    display = _pairs(generated.DISPLAY)
    for alias, code in ALIASES.items():
        letters = "".join(alias.split())
        if letters.isascii() and letters.isalpha() and len(letters) <= 3:
            codes[letters.upper()] = code
        names[country_key(alias)] = code
        display.append((code, alias))
    offered = {country_key(name): name for _, name in display}
    english = dict(_pairs(generated.ENGLISH))
    dropped = {key: tuple(meanings.split()) for key, meanings in _pairs(generated.DROPPED)}
    return _Table(codes, names, offered, english, dropped)


def region_of(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (phonenumbers' region code) of a country written any way.

    Args:
        value: the country cell: a code (``DE``, ``DEU``, ``UK``), a name in English or another
            language (``Germany``, ``Deutschland``, ``日本``), an alias (``USA``, ``Holland``), a
            name with its code in brackets (``Australia (AU)``, both must agree) or a calling code
            (``44``, ``+55``: the code's main country, so ``1`` is the US and ``7`` Russia).

    Returns:
        The upper-case two-letter code (``XK`` for Kosovo, as phonenumbers writes it; a few codes,
        such as ``AQ`` for Antarctica, have no phone numbering of their own), or None when the value
        is blank or names no country known here.

    Example:
        >>> [region_of(v) for v in ["de", "DEU", "España", "United States of America", "N/A", ""]]
        ['DE', 'DE', 'ES', 'US', None, None]
        >>> [region_of(v) for v in ["44", "+55", "1", "7", "800", "Australia (AU)", "Austria (AU)"]]
        ['GB', 'BR', 'US', 'RU', None, 'AU', None]
    """
    table = _table()
    letters = "".join(unicodedata.normalize("NFKC", value).split())  # NFKC: full-width ＤＥ is DE
    if letters.isascii() and letters.isalpha() and len(letters) <= 3:
        return table.codes.get(letters.upper())
    calling = _CALLING_CODE.fullmatch(letters)
    if calling:
        return _calling_code_region(int(calling.group(1)))
    both = _NAME_AND_CODE.fullmatch(value.strip())
    if both:
        # Both halves must name the same country: "Austria (AU)" is a mistake, never a guess.
        by_name, by_code = region_of(both["name"]), table.codes.get(both["code"].upper())
        return by_name if by_name is not None and by_name == by_code else None
    key = country_key(value)
    region = table.names.get(key) if key else None
    if region is None and _ARTICLE.match(value):
        # "The Netherlands", "the Gambia": CLDR and ISO write them without the article.
        return table.names.get(country_key(_ARTICLE.sub("", value, count=1)))
    return region


def _calling_code_region(code: int) -> str | None:
    """The main region of a calling code, as phonenumbers has it (1: US, 7: RU, 44: GB), or None.

    A calling code shared by several countries stands for the one phonenumbers lists first, its
    main country: ``1`` is the United States (not Canada or Jamaica), ``7`` Russia (not
    Kazakhstan). Codes of no country (``800``, international freephone) and unassigned ones are None.
    """
    import phonenumbers  # only a country column of calling codes needs it

    region = phonenumbers.region_code_for_country_code(code)
    return None if region in ("ZZ", "001") else str(region)


def suggestions_for(value: str, *, limit: int = 3) -> tuple[str, ...]:
    """The known country names closest to ``value``, best first, for a "did you mean" message.

    Args:
        value: a country that :func:`region_of` did not recognize.
        limit: how many names at most.

    Returns:
        Up to ``limit`` names (English, the country's own, or an alias), one per country; empty
        when nothing is close.

    Example:
        >>> suggestions_for("Germny", limit=1), suggestions_for("Kongo")
        (('Germany',), ('Congo-Kinshasa', 'Congo-Brazzaville'))
    """
    key = country_key(value)
    if not key:
        return ()
    table = _table()
    # A name dropped for meaning several countries: each of them.
    close = [country_key(table.english[code]) for code in table.dropped.get(key, ())]
    close += difflib.get_close_matches(key, table.display, n=limit * 4, cutoff=0.7)
    if len(key) >= 4:
        # A part of a longer name ("Guinea" of "Equatorial Guinea", "Papua New Guinea").
        close += sorted((known for known in table.display if key in known), key=len)
    chosen: dict[str, str] = {}
    for match in close:
        name = table.display[match]
        region = region_of(name)
        if region is not None:
            chosen.setdefault(region, name)
    return tuple(chosen.values())[:limit]


class RegionColumn(NamedTuple):
    """The region of each row of a country column (what :func:`regions_of` returns).

    Attributes:
        regions: the alpha-2 code per row (object dtype, same index as the column); None where the
            cell is blank or not recognized.
        unknown: True on the rows whose cell holds a value that names no known country.
        suggestions: for each such value as written in the column, the closest known names
            (empty for the distinct unknown values past the first :data:`MAX_SUGGESTED_VALUES`).
    """

    regions: pd.Series
    unknown: pd.Series
    suggestions: dict[str, tuple[str, ...]]


def regions_of(values: pd.Series) -> RegionColumn:
    """The region of every row of a country column, read once per distinct value.

    Args:
        values: the country column, of any dtype (object, ``str``, ``string``); missing values and
            blank texts mean "no country given". Non-text cells are read as their text.

    Returns:
        A :class:`RegionColumn`: codes, the rows with an unknown country, and suggestions.

    Example:
        >>> column = pd.Series(["DE", "Atlantis", None, "deutschland", "  "], index=[2, 3, 4, 5, 6])
        >>> result = regions_of(column)
        >>> result.regions.tolist(), result.unknown.tolist()
        (['DE', None, None, 'DE', None], [False, True, False, False, False])
        >>> result.suggestions
        {'Atlantis': ()}
    """
    positions, distinct = pd.factorize(values.astype("object"), use_na_sentinel=True)
    found: list[str | None] = []
    unknown: list[bool] = []
    suggestions: dict[str, tuple[str, ...]] = {}
    for raw in distinct:
        text = str(raw)
        region = region_of(text)
        missing = region is None and bool(text.strip())
        found.append(region)
        unknown.append(missing)
        if missing:
            suggestions[text] = suggestions_for(text) if len(suggestions) < MAX_SUGGESTED_VALUES else ()
    # One more slot for the missing cells (factorize numbers them -1).
    per_value = np.array([*found, None], dtype=object)
    unknown_per_value = np.array([*unknown, False], dtype=bool)
    return RegionColumn(
        regions=pd.Series(per_value[positions], index=values.index, dtype="object", name=values.name),
        unknown=pd.Series(unknown_per_value[positions], index=values.index, dtype=bool, name=values.name),
        suggestions=suggestions,
    )
