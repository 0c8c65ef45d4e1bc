"""An international users file: a Country column, national phone numbers, IDN domains, accents.

A third generator for the benchmarks, shaped unlike ``messy.py`` and ``invalid.py``: users in 24
countries, each row's country written as an ISO alpha-2 or alpha-3 code, its English name or its own
name (``DE``, ``DEU``, ``Germany``, ``Deutschland``; ``日本``), and the phone written the national way,
without a country code (``030 12345678``, ``06 12 34 56 78``, ``090-1234-5678``), so it can only be
read in the row's country (``region_column``). Names keep their accents and scripts, in the person's
name and in about half of the emails' local parts (``zoë.brontë@``, ``たなか.ゆき@``), and about a
fifth of the domains are internationalized (``bücher.de``, ``例え.jp``, ``пример.рф``), some written in
capitals. Per 100 rows about 2 invalid emails, 3 numbers typed one digit short, 1 unknown country
(``Narnia``), 4 duplicates (same email in other case, or the same phone under a new id).

The numbers are made from each country's own mobile pattern (a fixed prefix and random digits per
country, written in its usual grouping), not from bulkprep's code.

Run ``python benchmarks/international.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = international_frame(1_000, seed=1)
    >>> len(frame), frame["Country"].map(SPELLINGS_TO_REGION).notna().mean() > 0.95
    (1000, np.True_)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from country_spellings import COUNTRIES, SPELLINGS_TO_REGION  # beside this file

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 23

__all__ = ["COUNTRIES", "SPELLINGS_TO_REGION", "international_frame", "write_international_csv"]

FIRST = np.array(["Zoë", "José", "Jürgen", "François", "Søren", "Łucja", "İlkay", "Ólafur", "Chloé",
                  "Ana", "Björn", "Mateo", "Ελένη", "Дмитрий", "ゆき", "민준", "伟", "प्रिया",
                  "Noah", "Emma"])  # fmt: skip
LAST = np.array(["Brontë", "Peña", "Müller", "Lefèvre", "Kierkegård", "Wałęsa", "Yılmaz", "Þórsson",
                 "Dubois", "Souza", "Björk", "García", "Παππάς", "Иванов", "たなか", "김", "王", "शर्मा",
                 "Smith", "Rossi"])  # fmt: skip
ASCII_DOMAINS = np.array(["example.com", "example.de", "example.fr", "example.co.jp", "mail.example.org"])
IDN_DOMAINS = np.array(["bücher.de", "例え.jp", "пример.рф", "café.fr", "BÜCHER.DE", "müller.example",
                        "δοκιμή.gr", "مثال.example", "xn--bcher-kva.de"])  # fmt: skip
LANGUAGES = np.array(["en", "de", "fr", "es", "ja", "pt-BR", "ko", "zh-Hans"])


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    return pd.Series(rng.integers(0, 10**count, size=n, dtype=np.int64)).astype(str).str.zfill(count)


def _national(rng: np.random.Generator, pattern: str, n: int) -> pd.Series:
    """``n`` numbers written in ``pattern``, each ``#`` a random digit."""
    out = pd.Series([""] * n, dtype=object)
    for piece in pattern.replace("#", "\0#\0").split("\0"):
        out = out + (_digits(rng, n, 1) if piece == "#" else piece)
    return out


def _ascii(names: np.ndarray) -> np.ndarray:
    """The Latin names without accents, lowercase; other scripts come out empty."""
    plain = pd.Series(names).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return np.asarray(plain.str.lower().str.replace(r"[^a-z]", "", regex=True), dtype=object)


def international_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` users from 24 countries (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    regions = np.array(list(COUNTRIES))
    region = regions[rng.integers(0, len(regions), n)]
    country = np.full(n, "", dtype=object)
    phone = np.full(n, "", dtype=object)
    for code, (spellings, pattern) in COUNTRIES.items():
        rows_here = np.flatnonzero(region == code)
        pick = rng.integers(0, len(spellings), len(rows_here))
        country[rows_here] = np.array(spellings, dtype=object)[pick]
        phone[rows_here] = _national(rng, pattern, len(rows_here)).to_numpy()
    roll = rng.random(n)
    country[roll < 0.01] = "Narnia"
    short = (roll >= 0.01) & (roll < 0.04)
    phone[short] = pd.Series(phone[short]).str[:-1].to_numpy()
    phone[(roll >= 0.04) & (roll < 0.14)] = ""

    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    serial = pd.Series(np.arange(n)).astype(str)
    native = pd.Series(FIRST[first]).str.lower() + "." + pd.Series(LAST[last]).str.lower() + serial
    ascii_first, ascii_last = pd.Series(_ascii(FIRST)[first]), pd.Series(_ascii(LAST)[last])
    plain = (ascii_first + ascii_last).where((ascii_first + ascii_last) != "", "user") + "." + serial
    local = plain.where(rng.random(n) >= 0.5, native)
    roll = rng.random(n)
    domain = pd.Series(ASCII_DOMAINS[rng.integers(0, len(ASCII_DOMAINS), n)])
    domain = domain.where(roll >= 0.2, pd.Series(IDN_DOMAINS[rng.integers(0, len(IDN_DOMAINS), n)]))
    email = local + "@" + domain
    bad = rng.random(n)
    email = email.where(~(bad < 0.01), local + "@" + domain + "@" + domain)
    email = email.where(~((bad >= 0.01) & (bad < 0.02)), local + "@-" + domain)
    email = email.where(~((bad >= 0.02) & (bad < 0.05)), "")

    frame = pd.DataFrame(
        {
            "Contact ID": pd.Series(rng.permutation(n) + 1).astype(str).radd("INT").to_numpy(dtype=object),
            "Given Name": FIRST[first].astype(object),
            "Family Name": LAST[last].astype(object),
            "E-mail": email.to_numpy(dtype=object),
            "Mobile": phone,
            "Country": country,
            "Language": LANGUAGES[rng.integers(0, len(LANGUAGES), n)].astype(object),
        }
    )
    return _plant_duplicates(frame, rng)


def _plant_duplicates(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Make about 4% of rows a later copy of an earlier person under a new id."""
    n = len(frame)
    emails = frame["E-mail"].to_numpy(dtype=object, copy=True)
    phones = frame["Mobile"].to_numpy(dtype=object, copy=True)
    countries = frame["Country"].to_numpy(dtype=object, copy=True)
    later = np.flatnonzero(rng.random(n) < 0.04)
    later = later[later > 0]
    earlier = (rng.random(len(later)) * later).astype(np.int64)
    by_email = rng.random(len(later)) < 0.5
    emails[later[by_email]] = pd.Series(emails[earlier[by_email]]).str.upper().to_numpy()
    phones[later[~by_email]] = phones[earlier[~by_email]]
    countries[later[~by_email]] = countries[earlier[~by_email]]
    emails[later[~by_email]] = ""
    return frame.assign(**{"E-mail": emails, "Mobile": phones, "Country": countries})


def write_international_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`international_frame` to ``path`` (UTF-8, LF)."""
    international_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="where to write (default: a new temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bulkprep-bench-")) / f"international_{args.rows}.csv"
    print(write_international_csv(out, args.rows, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
