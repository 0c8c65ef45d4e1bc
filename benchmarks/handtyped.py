"""Contacts typed in by hand: mostly junk in the phone column, long free-text notes, gaps everywhere.

A fifth generator for the benchmarks, shaped like a list that people kept by hand for years
(``id, name, email, phone, country, notes, source, added``): per 100 phones about 35 are words,
placeholders and junk (``call after 5pm``, ``n/a``, ``-``, ``none``, ``NA``, ``555-1234``,
``1-800-FLOWERS``, ``4.15555E+09``, ``555 1234 / 555 9876``), 25 random digit strings of random
length (some with separators), 10 a valid number of another country typed nationally (a UK mobile
on a US row), 30 valid numbers of the row's country (national or international). The country is
one of US, CA, GB, AU and IN in mixed spellings (``USA``, ``U.S.``, ``england``, ``AUS``). The
``notes`` column holds 5 to 150 words with commas and quotes, and 5% of the notes hold line breaks
(quoted records that span lines). 30% of the ids and 50% of the emails are empty.

Run ``python benchmarks/handtyped.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = handtyped_frame(1_000, seed=1)
    >>> len(frame), frame["notes"].str.contains("\\n").mean() > 0.02
    (1000, np.True_)
"""

from __future__ import annotations

from pathlib import Path

import generator_cli  # beside this file
import numpy as np
import pandas as pd
from crm_countries import HANDTYPED_COUNTRIES, HANDTYPED_SPELLINGS  # beside this file

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 37

__all__ = ["HANDTYPED_COUNTRIES", "HANDTYPED_SPELLINGS", "handtyped_frame", "write_handtyped_csv"]

JUNK = np.array(["call after 5pm", "n/a", "N/A", "-", "none", "None", "NA", "555-1234", "1-800-FLOWERS",
                 "4.15555E+09", "555 1234 / 555 9876", "ask reception", "see notes", "TBD", "?",
                 "no phone", "mobile only", "000-000-0000", "1234567890", "x", "cell: ask", "—",
                 "(555) 555-5555", "9999999999", "office", "tel?", "2.12555E+09", "same as above",
                 "123", "00000"])  # fmt: skip
FIRST = np.array(["Bob", "Alice", "Priya", "Liam", "Chloe", "Raj", "Emma", "Noah", "Olivia", "Arjun",
                  "Mia", "Jack", "Zoe", "Aiden", "Grace", "Ravi", "Sophie", "Ethan", "Isla",
                  "Kiran"])  # fmt: skip
LAST = np.array(["Smith", "Patel", "Brown", "Singh", "Wilson", "Taylor", "Nguyen", "Kumar", "Martin",
                 "Walker", "O'Neil", "Murphy", "Chen", "Sharma", "Roy", "Clarke"])  # fmt: skip
DOMAINS = np.array(["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "example.com", "mail.com",
                    "icloud.com", "bigpond.com.au", "rediffmail.com", "btinternet.com"])  # fmt: skip
WORDS = np.array(["met", "at", "the", "conference", "called", "back", "wants", "a", "quote", "for",
                  "next", "quarter", "not", "interested", "right", "now", "follow", "up", "in",
                  "spring", "prefers", "email", "lunch", "meeting", "with", "team", "budget",
                  "approved", "sent", "brochure", "asked", "about", "pricing", "discount", "renewal",
                  "contract", "signed", "left", "voicemail", "his", "her", "assistant", "said",
                  "office", "closed", "moved", "to", "new", "address", "kids", "names", "birthday",
                  "golf", "coffee", "very", "friendly", "difficult", "decision", "maker", "is",
                  "boss"])  # fmt: skip
SOURCES = np.array(["trade show", "referral", "website", "cold call", "LinkedIn", ""])


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    return pd.Series(rng.integers(0, 10**count, size=n, dtype=np.int64)).astype(str).str.zfill(count)


def _numbers(rng: np.random.Generator, region: np.ndarray, *, international: np.ndarray) -> pd.Series:
    """A valid-looking number of each row's ``region``: national, or with its code where ``international``."""
    n = len(region)
    out = pd.Series([""] * n, dtype=object)
    for code, (_, (calling, trunk, prefixes)) in HANDTYPED_COUNTRIES.items():
        rows = np.flatnonzero(region == code)
        if not len(rows):
            continue
        m = len(rows)
        pick = rng.integers(0, len(prefixes), m)
        prefix = pd.Series([prefixes[k][0] for k in pick], dtype=object)
        width = np.array([prefixes[k][1] for k in pick])
        head = pd.Series(rng.integers(2, 10, m)).astype(str)
        rest = pd.Series([s[: w - 1] for s, w in zip(_digits(rng, m, 9), width, strict=True)], dtype=object)
        subscriber = head + rest
        if calling == 1:
            national = "(" + prefix + ") " + subscriber.str[:3] + "-" + subscriber.str[3:]
            national = national.where(
                rng.random(m) < 0.6, prefix + "-" + subscriber.str[:3] + "-" + subscriber.str[3:]
            )
        else:
            national = trunk + prefix + " " + subscriber.str[:3] + " " + subscriber.str[3:]
        with_code = "+" + str(calling) + " " + prefix + " " + subscriber
        out.iloc[rows] = national.where(~international[rows], with_code).to_numpy(dtype=object)
    return out


def _random_digits(rng: np.random.Generator, n: int) -> pd.Series:
    """Digit strings of random length (3 to 15), some written with separators."""
    length = rng.integers(3, 16, n)
    digits = pd.Series([s[:w] for s, w in zip(_digits(rng, n, 15), length, strict=True)], dtype=object)
    dashed = digits.str.replace(r"(\d{3})(?=\d{4})", r"\1-", regex=True)
    spaced = "(" + digits.str[:3] + ") " + digits.str[3:]
    roll = rng.random(n)
    return digits.where(roll < 0.5, dashed.where(roll < 0.8, spaced))


def _notes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Free text of 5 to 150 words, with commas and quotes, 5% with line breaks."""
    counts = rng.integers(5, 151, n)
    words = WORDS[rng.integers(0, len(WORDS), int(counts.sum()))].astype(object)
    # Punctuation after some words: commas, a quoted word, a full stop.
    marks = rng.random(len(words))
    words[marks < 0.08] = words[marks < 0.08] + ","
    words[(marks >= 0.08) & (marks < 0.1)] = '"' + words[(marks >= 0.08) & (marks < 0.1)] + '"'
    words[(marks >= 0.1) & (marks < 0.14)] = words[(marks >= 0.1) & (marks < 0.14)] + "."
    ends = np.cumsum(counts)
    starts = ends - counts
    joined = " ".join(words.tolist()).split(" ")
    notes = np.array(
        [" ".join(joined[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)], dtype=object
    )
    broken = rng.random(n) < 0.05
    notes[broken] = pd.Series(notes[broken]).str.replace(". ", ".\n", n=2, regex=False).to_numpy(dtype=object)
    notes[broken] = notes[broken] + "\n-- " + SOURCES[rng.integers(0, 5, int(broken.sum()))]
    return notes


def handtyped_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` hand-typed contacts (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    regions = np.array(list(HANDTYPED_COUNTRIES))
    region = regions[rng.choice(len(regions), n, p=[0.4, 0.15, 0.2, 0.12, 0.13])]
    country = np.full(n, "", dtype=object)
    for code, (spellings, _) in HANDTYPED_COUNTRIES.items():
        here = np.flatnonzero(region == code)
        country[here] = np.array(spellings, dtype=object)[rng.integers(0, len(spellings), len(here))]
    country[rng.random(n) < 0.03] = ""  # left blank: read in the default region

    roll = rng.random(n)
    phone = pd.Series(JUNK[rng.integers(0, len(JUNK), n)].astype(object))
    digits = roll >= 0.35
    phone[digits] = _random_digits(rng, n)[digits]
    # 10%: a valid number of another of the countries, typed nationally.
    foreign = (roll >= 0.60) & (roll < 0.70)
    position = pd.Series(region).map({code: k for k, code in enumerate(regions)}).to_numpy()
    elsewhere = regions[(position + rng.integers(1, len(regions), n)) % len(regions)]
    phone[foreign] = _numbers(rng, elsewhere, international=np.zeros(n, dtype=bool))[foreign]
    valid = roll >= 0.70
    phone[valid] = _numbers(rng, region, international=rng.random(n) < 0.3)[valid]

    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    number = pd.Series(rng.integers(1, 99_999, n)).astype(str)
    local = pd.Series(FIRST[first]).str.lower() + pd.Series(["", ".", "_"])[rng.integers(0, 3, n)].to_numpy()
    email = local + pd.Series(LAST[last]).str.lower().str.replace("'", "") + number
    email = email + "@" + pd.Series(DOMAINS[rng.integers(0, len(DOMAINS), n)])
    typed = rng.random(n)
    email = email.where(typed >= 0.15, email.str.capitalize())
    email = email.where((typed < 0.15) | (typed >= 0.2), " " + email + " ")
    email = email.where((typed < 0.2) | (typed >= 0.23), email.str.replace("@", " at ", regex=False))
    email = email.where(rng.random(n) >= 0.5, "")

    ids = pd.Series(rng.permutation(n) + 1).astype(str)
    ids = ids.where(rng.random(n) >= 0.3, "")
    added = pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 4000, n), unit="D")
    return pd.DataFrame(
        {
            "id": ids.to_numpy(dtype=object),
            "name": (pd.Series(FIRST[first]) + " " + pd.Series(LAST[last])).to_numpy(dtype=object),
            "email": email.to_numpy(dtype=object),
            "phone": phone.to_numpy(dtype=object),
            "country": country,
            "notes": _notes(rng, n),
            "source": SOURCES[rng.integers(0, len(SOURCES), n)].astype(object),
            "added": np.asarray(added.strftime("%m/%d/%Y"), dtype=object),
        }
    )


def write_handtyped_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`handtyped_frame` to ``path`` (UTF-8, LF)."""
    handtyped_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    return generator_cli.run(
        __doc__, "handtyped", write_handtyped_csv, rows=DEFAULT_ROWS, seed=DEFAULT_SEED, argv=argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
