"""A large, realistic, messy users file for the benchmarks, generated with vectorized numpy (seeded).

The columns are those of ``data/users_messy.csv``; the file is written as a Windows spreadsheet
saves it (UTF-8 with a byte-order mark, CRLF). Per 100 rows, about: 10 emails in capitals, 5 with
spaces around them, 2 invalid emails, 3 duplicates of an earlier row (same email in capitals under a
new id, or the same phone written another way), 1 repeated user id, 1 invalid and 0.5 Excel-mangled
phone numbers, 1 cell of invalid JSON; phones in the formats people type for US, GB, DE, FR, IN, BR.

Run ``python benchmarks/messy.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = messy_frame(1_000, seed=1)
    >>> len(frame), bool(frame["User ID"].str.len().eq(7).all())
    (1000, True)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 7

COLUMNS: tuple[str, ...] = (
    "User ID",
    "Email",
    "First Name",
    "Last Name",
    "Phone",
    "Country",
    "Plan",
    "Signup Date",
    "Newsletter",
    "Attributes",
    "Notes",
)

FIRST_NAMES = np.array(
    ["James", "Mary", "José", "Sofía", "Oliver", "Amelia", "Jürgen", "Lea", "Léa", "Hugo", "Renée",
     "Aarav", "Priya", "João", "Beatriz", "Siobhán", "Kevin", "Megan", "Björn", "Anaïs"]
)  # fmt: skip
LAST_NAMES = np.array(
    ["Smith", "Garcia", "Peña", "O'Brien", "Jones", "Evans", "Müller", "Schäfer", "Martin", "Lefèvre",
     "Sharma", "Patel", "Silva", "Gonçalves", "Nguyen", "Kim", "Weber", "Dubois", "Reddy", "Lima"]
)  # fmt: skip
# The same names as plain ASCII, for the email addresses.
FIRST_ASCII = np.array(
    ["james", "mary", "jose", "sofia", "oliver", "amelia", "jurgen", "lea", "lea", "hugo", "renee",
     "aarav", "priya", "joao", "beatriz", "siobhan", "kevin", "megan", "bjorn", "anais"]
)  # fmt: skip
LAST_ASCII = np.array(
    ["smith", "garcia", "pena", "obrien", "jones", "evans", "muller", "schafer", "martin", "lefevre",
     "sharma", "patel", "silva", "goncalves", "nguyen", "kim", "weber", "dubois", "reddy", "lima"]
)  # fmt: skip
DOMAINS = np.array(["example.com", "example.org", "example.net", "mail.example.com"])
PLANS = np.array(["Free", "Pro", "Team", "Enterprise"])
SOURCES = np.array(["webinar", "signup_form", "import", "referral", "ads"])

COUNTRIES = np.array(["US", "GB", "DE", "FR", "IN", "BR"])
COUNTRY_SHARE = np.array([0.40, 0.15, 0.15, 0.10, 0.10, 0.10])
CALLING_CODES = np.array(["1", "44", "49", "33", "91", "55"])
# Leading digits of valid numbers per country, then how many random digits follow them.
PREFIXES: dict[str, tuple[list[str], int]] = {
    "US": (["201", "212", "213", "305", "312", "404", "415", "512", "617", "718"], 7),
    "GB": (["74", "75", "78"], 8),
    "DE": (["151", "152", "157", "160", "170", "171", "175", "176"], 8),
    "FR": (["60", "61", "62", "64", "65", "66", "67", "68"], 7),
    "IN": (["6", "7", "8", "9"], 9),
    "BR": (["119", "219", "319", "419", "519"], 8),
}
# Ways of writing a number: text pieces and (start, stop) slices of the national number.
Style = tuple[str | tuple[int, int | None], ...]
STYLES: dict[str, list[Style]] = {
    "US": [
        ("(", (0, 3), ") ", (3, 6), "-", (6, None)),
        ((0, 3), "-", (3, 6), "-", (6, None)),
        ((0, 3), ".", (3, 6), ".", (6, None)),
        ((0, None),),
        ("+1 ", (0, 3), " ", (3, 6), " ", (6, None)),
        ("1-", (0, 3), "-", (3, 6), "-", (6, None)),
    ],
    "GB": [("+44 ", (0, 4), " ", (4, None)), ("+44", (0, None)), ("0044 ", (0, 4), " ", (4, None))],
    "DE": [
        ("+49 ", (0, 3), " ", (3, None)),
        ("+49 (0)", (0, 3), " ", (3, None)),
        ("0049-", (0, 3), "-", (3, None)),
    ],
    "FR": [("+33 ", (0, 1), " ", (1, 3), " ", (3, 5), " ", (5, 7), " ", (7, None)), ("0033 ", (0, None))],
    "IN": [("+91 ", (0, 5), " ", (5, None)), ("+91-", (0, 5), "-", (5, None))],
    "BR": [("+55 (", (0, 2), ") ", (2, 7), "-", (7, None)), ("+55 ", (0, 2), " ", (2, None))],
}


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    numbers = rng.integers(0, 10**count, size=n, dtype=np.int64)
    return pd.Series(numbers).astype(str).str.zfill(count)


def _phones(rng: np.random.Generator, country: np.ndarray) -> pd.Series:
    """A phone number per row, valid for its country, in one of the local ways of writing it."""
    out = np.full(len(country), "", dtype=object)
    for code, (prefixes, count) in PREFIXES.items():
        rows = np.flatnonzero(country == code)
        if not len(rows):
            continue
        prefix = pd.Series(np.array(prefixes)[rng.integers(0, len(prefixes), len(rows))])
        national = prefix + _digits(rng, len(rows), count)
        if code == "US":  # exchange codes start with 2-9
            national = national.str[:3] + rng.integers(2, 10, len(rows)).astype(str) + national.str[4:]
        style = rng.integers(0, len(STYLES[code]), len(rows))
        written = np.full(len(rows), "", dtype=object)
        for number, pieces in enumerate(STYLES[code]):
            chosen = style == number
            text = pd.Series([""] * int(chosen.sum()), dtype=object)
            part = national[chosen].reset_index(drop=True)
            for piece in pieces:
                text = text + (piece if isinstance(piece, str) else part.str[piece[0] : piece[1]])
            written[chosen] = text.to_numpy()
        out[rows] = written
    return pd.Series(out, dtype=object)


def messy_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` messy users as text columns (the problems are described in the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    country = COUNTRIES[rng.choice(len(COUNTRIES), size=n, p=COUNTRY_SHARE)]
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    ids = pd.Series(rng.permutation(np.arange(1, n + 1)) * 7 + 3).astype(str).str.zfill(7).str[-7:]

    serial = pd.Series(np.arange(n)).astype(str)
    local = pd.Series(FIRST_ASCII[first]) + "." + pd.Series(LAST_ASCII[last]) + serial
    email = local + "@" + pd.Series(DOMAINS[rng.integers(0, len(DOMAINS), n)])
    phone = _phones(rng, country)

    roll = rng.random(n)
    email = email.where(~(roll < 0.10), email.str.upper())
    email = email.where(~((roll >= 0.10) & (roll < 0.15)), " " + email + " ")
    bad = (roll >= 0.15) & (roll < 0.17)
    email = email.where(~bad, email.str.replace("@", " at ", regex=False))

    roll = rng.random(n)
    phone = phone.where(~(roll < 0.01), "12345")
    phone = phone.where(~((roll >= 0.01) & (roll < 0.015)), "2.02555E+09")
    phone = phone.where(~((roll >= 0.015) & (roll < 0.15)), "")  # no phone on file

    score = pd.Series(rng.integers(0, 101, n)).astype(str)
    source = pd.Series(SOURCES[rng.integers(0, len(SOURCES), n)])
    attributes = '{"source": "' + source + '", "score": ' + score + "}"
    attributes = attributes.where(rng.random(n) >= 0.01, "{source: 'webinar'}")

    days = rng.integers(0, 5 * 365, n)
    signup = (pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "User ID": ids.to_numpy(dtype=object),
            "Email": email.to_numpy(dtype=object),
            "First Name": FIRST_NAMES[first].astype(object),
            "Last Name": LAST_NAMES[last].astype(object),
            "Phone": phone.to_numpy(dtype=object),
            "Country": country.astype(object),
            "Plan": PLANS[rng.integers(0, len(PLANS), n)].astype(object),
            "Signup Date": np.asarray(signup, dtype=object),
            "Newsletter": np.array(["yes", "no", "Yes", "No"])[rng.integers(0, 4, n)].astype(object),
            "Attributes": attributes.to_numpy(dtype=object),
            "Notes": np.full(n, "", dtype=object),
        }
    )
    return _plant_duplicates(frame, rng)


def _plant_duplicates(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Make about 3% of rows a later copy of an earlier person, and 1% repeat an earlier user id."""
    n = len(frame)
    emails = frame["Email"].to_numpy(dtype=object, copy=True)
    phones = frame["Phone"].to_numpy(dtype=object, copy=True)
    ids = frame["User ID"].to_numpy(dtype=object, copy=True)

    later = np.flatnonzero(rng.random(n) < 0.03)
    later = later[later > 0]
    earlier = (rng.random(len(later)) * later).astype(np.int64)  # always before the copy
    by_email = rng.random(len(later)) < 0.5
    # Same email in capitals under another id (the phone is the copy's own) ...
    emails[later[by_email]] = pd.Series(emails[earlier[by_email]]).str.strip().str.upper().to_numpy()
    # ... or the same phone written as bare digits, with no email.
    source = pd.Series(phones[earlier[~by_email]], dtype=object)
    digits = source.str.replace(r"[^\d+]", "", regex=True)
    phones[later[~by_email]] = digits.where(digits.str.len() > 0, source).to_numpy()
    emails[later[~by_email]] = ""

    repeat = np.flatnonzero(rng.random(n) < 0.01)
    repeat = repeat[repeat > 0]
    ids[repeat] = ids[(rng.random(len(repeat)) * repeat).astype(np.int64)]
    return frame.assign(**{"User ID": ids, "Email": emails, "Phone": phones})


def write_messy_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`messy_frame` to ``path`` as a spreadsheet would (UTF-8 with BOM, CRLF)."""
    messy_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="where to write (default: a new temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bulkprep-bench-")) / f"users_{args.rows}.csv"
    print(write_messy_csv(out, args.rows, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
