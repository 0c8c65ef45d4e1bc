#!/usr/bin/env python3
"""Write ``bulkprep/_currency_names.py``, the currency codes and signs ``bulkprep.numbers`` drops.

    python scripts/make_currency_names.py          # rewrite the table
    python scripts/make_currency_names.py --check  # exit 1 if the committed table is not what it writes

The sources are ISO 4217's codes, as pycountry ships them, and CLDR's currency symbols in every
language, as babel ships them (``HK$``, ``GH₵``, ``zł``, ``Kč``, ``R$``, ``S/``, ``₹``). As for the
country names, the table is computed here once and committed, so that bulkprep needs neither
package at run time; both are pinned in the ``dev`` extra.

A symbol that holds a digit is left out (it could be part of the amount), and so are the
invisible direction marks CLDR writes around some Arabic and Hebrew signs.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import babel.core
import babel.localedata
import pycountry
from babel import Locale, UnknownLocaleError
from generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "bulkprep" / "_currency_names.py"

# Signs in common use that CLDR's standard symbols spell otherwise: Peru's S/. (older style),
# Russia's руб. and Turkey's TL (before ₺).
EXTRA_SIGNS = ("S/.", "руб.", "TL")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u061c"))


def codes() -> list[str]:
    """ISO 4217 alphabetic codes."""
    return sorted(currency.alpha_3 for currency in pycountry.currencies)


def signs() -> list[str]:
    """CLDR's currency symbols in every locale, and the extra signs, that are no ISO code."""
    found: set[str] = set(EXTRA_SIGNS)
    for identifier in babel.localedata.locale_identifiers():
        try:
            symbols = Locale.parse(identifier).currency_symbols
        except (ValueError, UnknownLocaleError):
            continue
        found.update(symbol.translate(_INVISIBLE).strip() for symbol in symbols.values())
    iso = set(codes())
    return sorted(s for s in found if s and s not in iso and not any(ch.isdigit() for ch in s))


def render() -> str:
    lines = [
        '"""Currency codes and signs, written by scripts/make_currency_names.py: do not edit.',
        "",
        f"Sources: ISO 4217 (pycountry {version('pycountry')}); CLDR {babel.core.get_cldr_version()} "
        f"currency symbols in every locale (babel {babel.__version__}).",
        '"""',
        "",
        "# ruff: noqa: E501 -- one generated entry a line",
        "",
        "#: ISO 4217 alphabetic codes, space-separated.",
        f'CODES = "{" ".join(codes())}"',
        "",
        "#: Currency signs that are no ISO code, one a line.",
        'SIGNS = """\\',
        *signs(),
        '"""',
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return write_or_check(TARGET, render(), argv, root=ROOT, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
