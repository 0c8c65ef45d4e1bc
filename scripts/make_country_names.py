#!/usr/bin/env python3
"""Write ``bulkprep/_country_names.py``, the country names that ``bulkprep.countries`` reads.

    python scripts/make_country_names.py          # rewrite the table
    python scripts/make_country_names.py --check  # exit 1 if the committed table is not what it writes

The sources are CLDR's territory names in every language, as babel ships them, and the ISO 3166-1
codes and names, as pycountry ships them. Reading every language from babel takes seconds, far too
long for the first phone number of a run, so the table is computed here once and committed; at run
time bulkprep only splits its lines (and needs neither package). Both packages are pinned in the
``dev`` extra so that this script always writes the same file; bump them together with the table.

A name (compared by ``countries.country_key``) goes to one country by the first rule that gives it
one, in this order:

1. the aliases of ``countries.ALIASES``;
2. English: CLDR's English names and ISO 3166's name, official name and common name;
3. the country's own name in its official languages (``Deutschland``, ``Schweiz``, ``日本``);
4. the names in every language official in some country (``languages``).

A name that one rule gives to two countries is dropped (and no later rule may take it), and so is a
name whose key is another country's code (``Áo``, Austria in Vietnamese, is Angola's ``AO``
without its accent): each is listed in ``DROPPED`` with the countries it could mean. A name that a
later rule gives to another country than an earlier rule did keeps the earlier meaning; the later
one is listed in ``OVERRIDDEN``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from pathlib import Path

import babel
import babel.languages
import babel.localedata
import phonenumbers
import pycountry
from babel import Locale
from generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulkprep.countries import ALIASES, country_key  # noqa: E402 -- after the path is set

TARGET = ROOT / "bulkprep" / "_country_names.py"


def territories() -> list[str]:
    """The codes named: ISO 3166-1 alpha-2, plus phonenumbers' regions outside it (AC, TA, XK)."""
    iso = {country.alpha_2 for country in pycountry.countries}
    return sorted(iso | (set(phonenumbers.SUPPORTED_REGIONS) & set(Locale("en").territories)))


def alpha_3(codes: Iterable[str]) -> dict[str, str]:
    """ISO alpha-3 codes, and CLDR's for the phonenumbers regions ISO does not code (ASC, TAA, XKK)."""
    wanted = set(codes)
    found = {country.alpha_3: country.alpha_2 for country in pycountry.countries}
    aliases = babel.core.get_global("territory_aliases")
    for alias, targets in aliases.items():
        if len(alias) == 3 and alias.isalpha() and targets[0] in wanted - set(found.values()):
            found[alias] = targets[0]
    return dict(sorted(found.items()))


def languages(codes: Iterable[str]) -> list[str]:
    """The CLDR languages (with their script) official in at least one of the countries ``codes``.

    The languages people of some country officially write in, a hundred or so: the others add few
    names anyone writes in a Country column, and most of the names that contradict each other.
    """
    official = {"en"}
    for code in codes:
        official.update(babel.languages.get_official_languages(code, de_facto=True))
    return sorted(official & set(babel.localedata.locale_identifiers()))


def english(codes: list[str]) -> Iterator[tuple[str, str]]:
    """(code, name) of the English names: CLDR's, then ISO 3166's."""
    wanted = set(codes)
    for code, name in Locale("en").territories.items():
        if code in wanted:
            yield code, name
    for country in pycountry.countries:
        for field in ("name", "official_name", "common_name"):
            if hasattr(country, field):
                yield country.alpha_2, getattr(country, field)


def own(codes: list[str]) -> Iterator[tuple[str, str]]:
    """(code, name) of each country's name in its own official languages."""
    for code in codes:
        for language in babel.languages.get_official_languages(code, de_facto=True):
            try:
                name = Locale.parse(language).territories.get(code)
            except (ValueError, babel.UnknownLocaleError):
                continue
            if name:
                yield code, name


def every_language(codes: list[str], locales: list[str]) -> Iterator[tuple[str, str]]:
    """(code, name) of the names in each of ``locales``."""
    wanted = set(codes)
    for locale in locales:
        for code, name in Locale.parse(locale).territories.items():
            if code in wanted:
                yield code, name


class Names:
    """Names to codes, rule by rule, keeping what each rule dropped or could not take."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.dropped: dict[str, set[str]] = {}
        self.overridden: dict[str, set[str]] = defaultdict(set)

    def add(self, rule: Iterable[tuple[str, str]]) -> None:
        meanings: dict[str, set[str]] = defaultdict(set)
        for code, name in rule:
            key = country_key(name)
            if key:
                meanings[key].add(code)
        for key, codes in meanings.items():
            if key in self.dropped:
                continue
            if key in self.names:
                self.overridden[key] |= codes - {self.names[key]}
                if not self.overridden[key]:
                    del self.overridden[key]
            elif len(codes) > 1:
                self.dropped[key] = codes
            else:
                self.names[key] = next(iter(codes))


def display(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) offered as "did you mean": English names and each country's own names."""
    seen: dict[tuple[str, str], None] = {}
    for code, name in [*english(codes), *own(codes)]:
        seen.setdefault((code, name), None)
    return sorted(seen)


def render() -> str:
    codes = territories()
    table = Names()
    table.add((code, alias) for alias, code in ALIASES.items())
    table.add(english(codes))
    table.add(own(codes))
    table.add(every_language(codes, languages(codes)))
    three = alpha_3(codes)
    # Two or three letters alone are read as a code, so a name whose key is a code is reached only
    # written with its accents or punctuation (Čad, Chad in Czech, is kept). When that code is
    # another country's (Áo, Austria in Vietnamese, and Angola's AO; Nga, Russia, and Nigeria's NGA)
    # an accent would decide the country: dropped.
    known_codes = {code: code for code in codes} | three
    for key, code in list(table.names.items()):
        if known_codes.get(key.upper(), code) != code:
            table.dropped[key] = {table.names.pop(key), known_codes[key.upper()]}
    lines = [
        '"""Country names to alpha-2 codes, written by scripts/make_country_names.py: do not edit.',
        "",
        f"Sources: CLDR {babel.core.get_cldr_version()} territory names in {len(languages(codes))} languages "
        f"(babel {babel.__version__}); ISO 3166-1 (pycountry {version('pycountry')}).",
        '"""',
        "",
        "# ruff: noqa: E501 -- one generated entry a line",
        "",
        "#: The alpha-2 codes known here.",
        f'ALPHA_2 = "{" ".join(codes)}"',
        "",
        "#: Alpha-3 code, space, alpha-2 code; one a line.",
        'ALPHA_3 = """\\',
        *(f"{three_code} {code}" for three_code, code in three.items()),
        '"""',
        "",
        "#: country_key of a name, space, alpha-2 code; one a line.",
        'NAMES = """\\',
        *(f"{key} {code}" for key, code in sorted(table.names.items())),
        '"""',
        "",
        "#: Alpha-2 code, space, CLDR's English name; one a line.",
        'ENGLISH = """\\',
        *(f"{code} {name}" for code, name in sorted(Locale("en").territories.items()) if code in codes),
        '"""',
        "",
        "#: Alpha-2 code, space, a name offered when a value is not recognized; one a line.",
        'DISPLAY = """\\',
        *(f"{code} {name}" for code, name in display(codes)),
        '"""',
        "",
        "#: Names dropped because they mean several countries: country_key, then the codes.",
        'DROPPED = """\\',
        *(f"{key} {' '.join(sorted(codes))}" for key, codes in sorted(table.dropped.items())),
        '"""',
        "",
        "#: Names kept for an earlier rule's country: country_key, then the codes a later rule gave.",
        'OVERRIDDEN = """\\',
        *(f"{key} {' '.join(sorted(codes))}" for key, codes in sorted(table.overridden.items())),
        '"""',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return write_or_check(TARGET, render(), argv, root=ROOT, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
