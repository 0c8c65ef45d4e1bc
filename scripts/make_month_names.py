#!/usr/bin/env python3
"""Write ``bulkprep/_month_names.py``, the month and weekday names that ``bulkprep.casts`` reads dates with.

    python scripts/make_month_names.py          # rewrite the table
    python scripts/make_month_names.py --check  # exit 1 if the committed table is not what it writes

The source is CLDR's calendar names (the Gregorian months and weekdays) in English and the main
languages of Europe, as babel ships them: wide and abbreviated, in their format (``14 févr.``,
Polish ``lutego``, Czech ``února``) and stand-alone (``luty``, ``únor``) forms. Reading them from babel
takes a while and babel is no runtime dependency, so the table is computed here once and committed;
at run time bulkprep only splits its lines. babel is pinned in the ``dev`` extra so that this script
always writes the same file.

A name is written folded (:func:`fold`: case and accents dropped, a final dot left out), and goes
to its month, with the languages that have it, when every one of them means the same month. A name
that means two months in two languages (Croatian ``listopad`` is October, Czech and Polish
``listopad`` November) is listed in ``AMBIGUOUS`` with the months and the languages; a date written
with it is read only when the column's other month names belong to one of those languages alone.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import babel
from babel import Locale
from generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "bulkprep" / "_month_names.py"

#: English and the languages of Europe, in CLDR's codes: those written in the Latin script, then
#: Greek and those written in Cyrillic (``5 Μαρτίου 1990``, ``5 марта 1990``).
LANGUAGES: tuple[str, ...] = (
    *("en", "fr", "de", "de_AT", "es", "it", "pt", "nl", "ca", "gl", "eu", "ga", "cy"),  # de_AT: Jänner
    *("sv", "da", "nb", "nn", "is", "fi", "et", "lv", "lt"),
    *("pl", "cs", "sk", "sl", "hr", "bs", "hu", "ro", "sq", "tr", "mt", "lb", "rm", "fo"),
    *("el", "ru", "uk", "be", "bg", "sr", "mk"),
)
_WIDTHS = ("wide", "abbreviated")
_CONTEXTS = ("format", "stand-alone")


def fold(name: str) -> str:
    """A name as the table keys it: accents dropped, case folded, no final dot (``Févr.`` is ``fevr``).

    Turkish dotless i is read as i, as ``bulkprep.casts`` reads it.
    """
    decomposed = unicodedata.normalize("NFKD", name.strip())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("ı", "i")
    return plain.rstrip(".").strip()


def month_names() -> Iterator[tuple[str, int, str]]:
    """(folded name, month 1-12, language) of every month name of :data:`LANGUAGES`."""
    for language in LANGUAGES:
        months = Locale.parse(language).months
        for context in _CONTEXTS:
            for width in _WIDTHS:
                for month, name in months[context][width].items():
                    key = fold(name)
                    if key and not key.isdigit():
                        yield key, month, language


def weekday_names() -> set[str]:
    """The folded weekday names of :data:`LANGUAGES` (``Mon``, ``lundi``, ``lun``): skipped before a date."""
    found: set[str] = set()
    for language in LANGUAGES:
        days = Locale.parse(language).days
        for context in _CONTEXTS:
            for width in _WIDTHS:
                found.update(fold(name) for name in days[context][width].values())
    return {name for name in found if name}


def render() -> str:
    meanings: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, month, language in month_names():
        meanings[key][month].add(language)
    # English's four-letter "Sept" is written as often as CLDR's "Sep"; Austria writes "Feber" for
    # February as it writes "Jänner" for January, though CLDR has only the second.
    meanings["sept"][9].add("en")
    meanings["feber"][2].add("de_AT")
    months = {key: found for key, found in meanings.items() if len(found) == 1}
    ambiguous = {key: found for key, found in meanings.items() if len(found) > 1}
    # A weekday name may also be a month name elsewhere (lun): the weekday comes before the day, where
    # no month is read, so both tables keep it.
    weekdays = sorted(weekday_names())
    lines = [
        '"""Month and weekday names, written by scripts/make_month_names.py: do not edit.',
        "",
        f"Source: CLDR {babel.core.get_cldr_version()} Gregorian calendar names in "
        f"{len(LANGUAGES)} languages (babel {babel.__version__}): {' '.join(LANGUAGES)}.",
        "Names are folded: accents dropped, case folded, no final dot.",
        '"""',
        "",
        "# ruff: noqa: E501 -- one generated entry a line",
        "",
        "#: Folded month name, month number (1-12), the languages that have it; one a line.",
        'MONTHS = """\\',
        *(
            f"{key} {month} {','.join(sorted(langs))}"
            for key, found in sorted(months.items())
            for month, langs in found.items()
        ),
        '"""',
        "",
        "#: Names that mean different months in different languages: name, then month:languages, ...",
        'AMBIGUOUS = """\\',
        *(
            f"{key} "
            + " ".join(f"{month}:{','.join(sorted(langs))}" for month, langs in sorted(found.items()))
            for key, found in sorted(ambiguous.items())
        ),
        '"""',
        "",
        "#: Folded weekday names, one a line (a date may start with its weekday).",
        'WEEKDAYS = """\\',
        *weekdays,
        '"""',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return write_or_check(TARGET, render(), argv, root=ROOT, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
