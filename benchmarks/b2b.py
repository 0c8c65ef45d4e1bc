"""A European B2B CRM export: contacts at companies, office landlines, countries spelled every way.

A fourth generator for the benchmarks, shaped like what a sales team's CRM exports: 15 columns
(``Contact ID, Company, First Name, Last Name, Job Title, Email, Phone, Country, City, Street,
Postcode, Industry, Account Owner, Created, Last Activity``), contacts in 19 European countries,
each row's country written as a code, an alpha-3 code, the English name or the country's own in
several cases (``DE``, ``DEU``, ``Germany``, ``GERMANY``, ``Deutschland``; ``UK``, ``England``;
``Holland``; ``Suomi``). The phone is an office landline (area code and subscriber number from the
country's numbering, see ``crm_countries.py``), written nationally (``030 12345678``), with its
code (``+49 30 12345678``), in E.164, after ``00``, as bare digits or as ``+49 (0)30 12345678``;
about 10% carry an extension (`` ext. 12``, `` x12``, ``;ext=12``). Per 100 rows about 12 are a
second contact at a company already in the file (same switchboard number, another person, another
email), 2 the same contact entered again under a new id with the email in other letter case.
Names keep their accents; company domains are mostly ASCII, some internationalized
(``müller-bau.de``); the dates are written ``dd.mm.yyyy`` (mapped as text).

Run ``python benchmarks/b2b.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = b2b_frame(1_000, seed=1)
    >>> frame.shape, frame["Country"].map(B2B_SPELLINGS).notna().all()
    ((1000, 15), np.True_)
"""

from __future__ import annotations

from pathlib import Path

import generator_cli  # beside this file
import numpy as np
import pandas as pd
from crm_countries import B2B_COUNTRIES, B2B_SPELLINGS  # beside this file

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 31

__all__ = ["B2B_COUNTRIES", "B2B_SPELLINGS", "b2b_frame", "write_b2b_csv"]

FIRST = np.array(["Jürgen", "Anaïs", "Søren", "Zoë", "José", "Małgorzata", "Jiří", "Åsa", "Eoin",
                  "Siobhán", "François", "Björn", "Inês", "Dimitrios", "Hélène", "Marco", "Lotte",
                  "Matthias", "Elif", "Pekka", "Nikolaj", "Clara"])  # fmt: skip
LAST = np.array(["Müller", "Lefèvre", "Østergaard", "Nuñez", "Wiśniewski", "Dvořák", "Öberg",
                 "O'Sullivan", "Gonçalves", "Papadopoulos", "Rossi", "de Vries", "Van den Berg",
                 "Schäfer", "Korhonen", "Kowalski", "Janssens", "Fernández", "Weiß", "Nieminen"])  # fmt: skip
COMPANY_STEMS = np.array(["Müller Bau", "Nordlicht", "Alpenblick", "Soleil", "Brouwer", "Ødegaard",
                          "Vinícola", "Kraków Tech", "Helios", "Atlântico", "Fjord", "Rheinmetall",
                          "Lumière", "Zürcher", "Baltic", "Toscana", "Danubio", "Hansa", "Celtic",
                          "Iberia"])  # fmt: skip
COMPANY_FORMS = np.array(["GmbH", "AG", "SA", "SARL", "BV", "NV", "Ltd", "S.p.A.", "AB", "A/S", "Oy",
                          "sp. z o.o.", "s.r.o.", "Lda"])  # fmt: skip
TITLES = np.array(["CEO", "Head of Sales", "Einkaufsleiter", "Directeur Commercial", "Office Manager",
                   "CFO", "Procurement", "IT-Leiter", "Responsable Achats", "Buyer", ""])  # fmt: skip
CITIES = np.array(["Berlin", "München", "Wien", "Zürich", "Paris", "Lyon", "Bruxelles", "Amsterdam",
                   "London", "Dublin", "Madrid", "Lisboa", "Milano", "København", "Göteborg", "Oslo",
                   "Helsinki", "Kraków", "Praha", "Αθήνα"])  # fmt: skip
STREETS = np.array(["Hauptstraße", "Rue de la Paix", "Kerkstraat", "High Street", "Calle Mayor",
                    "Via Roma", "Storgatan", "ul. Długa", "Bahnhofstrasse",
                    "Avenida da Liberdade"])  # fmt: skip
INDUSTRIES = np.array(["Manufacturing", "Retail", "Logistics", "Software", "Construction", "Food",
                       "Energy", "Finance", "Healthcare", ""])  # fmt: skip
OWNERS = np.array(["a.schmidt", "m.dupont", "j.jansen", "s.smith", "l.rossi", "k.nowak"])
TLDS = {"DE": "de", "AT": "at", "CH": "ch", "FR": "fr", "BE": "be", "NL": "nl", "LU": "lu", "GB": "co.uk",
        "IE": "ie", "ES": "es", "PT": "pt", "IT": "it", "DK": "dk", "SE": "se", "NO": "no", "FI": "fi",
        "PL": "pl", "CZ": "cz", "GR": "gr"}  # fmt: skip
EXTENSIONS = (" ext. ", " x", ";ext=", " Ext. ", " ext ")


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    return pd.Series(rng.integers(0, 10**count, size=n, dtype=np.int64)).astype(str).str.zfill(count)


def _ascii(names: np.ndarray) -> np.ndarray:
    """The names without accents, lowercase, letters only (as people write an email address)."""
    plain = pd.Series(names).str.replace("ø", "o").str.replace("ł", "l").str.replace("ß", "ss")
    plain = plain.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return np.asarray(plain.str.lower().str.replace(r"[^a-z]", "", regex=True), dtype=object)


def _grouped(digits: pd.Series, size: int) -> pd.Series:
    """The digits in groups of ``size`` from the left, joined by spaces (``12 34 56 7``)."""
    return digits.str.replace(rf"(\d{{{size}}})(?=\d)", r"\1 ", regex=True)


def _landlines(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """One office number per row, for the row's country, in one of six ways people write it."""
    n = len(region)
    out = np.full(n, "", dtype=object)
    for code, (_, (calling, trunk, areas)) in B2B_COUNTRIES.items():
        rows = np.flatnonzero(region == code)
        if not len(rows):
            continue
        m = len(rows)
        pick = rng.integers(0, len(areas), m)
        area = pd.Series([areas[k][0] for k in pick], dtype=object)
        width = np.array([areas[k][1] for k in pick])
        # The first subscriber digit is 2 to 8 (0 and 1 start other services in most plans).
        subscriber = pd.Series(rng.integers(2, 9, m)).astype(str) + pd.Series(
            [s[: w - 1] for s, w in zip(_digits(rng, m, 9), width, strict=True)], dtype=object
        )
        grouping = 2 if code in ("FR", "DK", "NO", "BE", "LU") else 4 if code in ("DE", "GB") else 3
        written = _grouped(subscriber, grouping)
        national = (trunk + area + " " + written) if trunk else (area + " " + written)
        spaced = "+" + str(calling) + " " + area + " " + written
        styles = [
            national,
            spaced,
            "+" + str(calling) + area + subscriber,
            "00" + str(calling) + " " + area + " " + written,
            (trunk + area + subscriber) if trunk else (area + subscriber),
            ("+" + str(calling) + " (" + trunk + ")" + area + " " + written) if trunk else spaced,
        ]
        choice = rng.choice(len(styles), m, p=[0.34, 0.22, 0.12, 0.1, 0.12, 0.1])
        phone = styles[0].copy()
        for number, style in enumerate(styles[1:], start=1):
            phone = phone.where(choice != number, style)
        out[rows] = phone.to_numpy(dtype=object)
    return out


def b2b_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` contacts at European companies (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    regions = np.array(list(B2B_COUNTRIES))
    weights = np.array([18, 5, 6, 12, 4, 7, 1, 12, 3, 7, 3, 7, 2, 3, 2, 2, 3, 2, 1], dtype=float)
    region = regions[rng.choice(len(regions), n, p=weights / weights.sum())]
    country = np.full(n, "", dtype=object)
    for code, (spellings, _) in B2B_COUNTRIES.items():
        rows_here = np.flatnonzero(region == code)
        country[rows_here] = np.array(spellings, dtype=object)[
            rng.integers(0, len(spellings), len(rows_here))
        ]
    # A few cells padded with spaces, as pasted.
    padded = rng.random(n) < 0.02
    country[padded] = pd.Series(country[padded]).radd(" ").add(" ").to_numpy(dtype=object)

    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    stem = rng.integers(0, len(COMPANY_STEMS), n)
    form = rng.integers(0, len(COMPANY_FORMS), n)
    serial = pd.Series(rng.integers(1, 999, n)).astype(str)
    company = pd.Series(COMPANY_STEMS[stem]) + " " + serial + " " + pd.Series(COMPANY_FORMS[form])
    # The company's domain: its name without accents, or (8%) with them, an internationalized domain.
    tld = pd.Series(region).map(TLDS)
    ascii_stem = pd.Series(_ascii(COMPANY_STEMS)[stem])
    idn_stem = pd.Series(COMPANY_STEMS[stem]).str.lower().str.replace(" ", "-")
    idn = (rng.random(n) < 0.08) & (idn_stem != ascii_stem).to_numpy()
    domain = (ascii_stem + serial).where(~idn, idn_stem + serial) + "." + tld
    local = pd.Series(_ascii(FIRST)[first]) + "." + pd.Series(_ascii(LAST)[last])
    local = local.where(
        rng.random(n) >= 0.3, pd.Series(_ascii(FIRST)[first]).str[0] + pd.Series(_ascii(LAST)[last])
    )
    email = local + "@" + domain
    email = email.where(rng.random(n) >= 0.1, email.str.title())  # some typed with capitals
    email = email.where(rng.random(n) >= 0.04, "")  # no email on file

    phone = _landlines(rng, region)
    roll = rng.random(n)
    with_extension = roll < 0.10
    labels = np.array(EXTENSIONS, dtype=object)[rng.integers(0, len(EXTENSIONS), int(with_extension.sum()))]
    extension = pd.Series(rng.integers(1, 9999, int(with_extension.sum()))).astype(str)
    phone[with_extension] = phone[with_extension] + labels + extension.to_numpy(dtype=object)
    phone[(roll >= 0.10) & (roll < 0.13)] = ""

    created = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
    activity = created + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    ids = pd.Series(rng.permutation(n) + 100_000).astype(str).radd("CRM-")
    frame = pd.DataFrame(
        {
            "Contact ID": ids.to_numpy(dtype=object),
            "Company": company.to_numpy(dtype=object),
            "First Name": FIRST[first].astype(object),
            "Last Name": LAST[last].astype(object),
            "Job Title": TITLES[rng.integers(0, len(TITLES), n)].astype(object),
            "Email": email.to_numpy(dtype=object),
            "Phone": phone,
            "Country": country,
            "City": CITIES[rng.integers(0, len(CITIES), n)].astype(object),
            "Street": (pd.Series(STREETS[rng.integers(0, len(STREETS), n)]) + " "
                       + pd.Series(rng.integers(1, 200, n)).astype(str)).to_numpy(dtype=object),
            "Postcode": _digits(rng, n, 5).to_numpy(dtype=object),
            "Industry": INDUSTRIES[rng.integers(0, len(INDUSTRIES), n)].astype(object),
            "Account Owner": OWNERS[rng.integers(0, len(OWNERS), n)].astype(object),
            "Created": np.asarray(created.strftime("%d.%m.%Y"), dtype=object),
            "Last Activity": np.asarray(activity.strftime("%d.%m.%Y"), dtype=object),
        }
    )  # fmt: skip
    return _plant_colleagues_and_repeats(frame, rng)


def _plant_colleagues_and_repeats(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """12% second contacts at an earlier row's company (its switchboard), 2% contacts entered again."""
    n = len(frame)
    columns = {name: frame[name].to_numpy(dtype=object, copy=True) for name in frame.columns}
    roll = rng.random(n)
    later = np.flatnonzero((roll < 0.14) & (np.arange(n) > 0))
    earlier = (rng.random(len(later)) * later).astype(np.int64)
    colleague = roll[later] < 0.12
    # A colleague: the company, its country, street and switchboard; a name and email of their own.
    shared = ("Company", "Phone", "Country", "City", "Street", "Postcode", "Industry")
    for name in shared:
        columns[name][later[colleague]] = columns[name][earlier[colleague]]
    domains = pd.Series(columns["Email"][earlier[colleague]]).str.partition("@")[2]
    mine = pd.Series(columns["Email"][later[colleague]]).str.partition("@")[0]
    columns["Email"][later[colleague]] = (
        (mine + "@" + domains).where(domains != "", "").to_numpy(dtype=object)
    )
    # The same contact again, under a new id, the email in other letter case.
    again = later[~colleague]
    source = earlier[~colleague]
    for name in frame.columns:
        if name not in ("Contact ID", "Created", "Last Activity"):
            columns[name][again] = columns[name][source]
    emails = pd.Series(columns["Email"][again], dtype=object)
    columns["Email"][again] = emails.where(rng.random(len(again)) < 0.5, emails.str.upper()).to_numpy(
        dtype=object
    )
    return pd.DataFrame(columns)


def write_b2b_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`b2b_frame` to ``path`` (UTF-8 with a byte-order mark, CRLF, as a spreadsheet saves it)."""
    b2b_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def main(argv: list[str] | None = None) -> int:
    return generator_cli.run(__doc__, "b2b", write_b2b_csv, rows=DEFAULT_ROWS, seed=DEFAULT_SEED, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
