"""A users file full of numbers that are not numbers: many invalid and unassigned US phones.

A second generator for the benchmarks, with another shape than ``messy.py`` (its own columns, a
lowercase CRM export written with LF line ends and no byte-order mark) and, above all, other values:

- phones are US numbers as people type them, but about four in ten distinct ones are not valid:
  unassigned area codes (``x11``, ``x9x`` and codes never assigned), exchanges starting with 0 or 1,
  nine or eleven-plus digits, vanity letters (``1-800-FLOWERS``), extensions, text (``n/a``);
- the local part of about a third of the emails keeps the accents of the name (``josé.peña12@``),
  a few are invalid (two ``@``, a trailing dot, a space inside);
- 4% of rows are a later copy of an earlier person (same email in capitals, or same phone written
  as bare digits under a new id).

It is written without looking at how bulkprep decides values: the numbers are drawn from area
codes and shapes, not from phonenumbers' metadata.

Run ``python benchmarks/invalid.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = invalid_frame(1_000, seed=1)
    >>> len(frame), list(frame.columns[:3])
    (1000, ['customer_id', 'full_name', 'email'])
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 11

FIRST = np.array(["José", "María", "Jürgen", "Zoë", "François", "Ångström", "Chloé", "Søren", "Ñoño",
                  "Dmitri", "Emma", "Liam", "Noah", "Ava", "Élodie", "Björk", "Ïsa", "Mårten"])  # fmt: skip
LAST = np.array(["Peña", "Müller", "Gómez", "Østergaard", "Brontë", "Nuñez", "Smith", "Johnson",
                 "Dvořák", "Łukasz", "Öztürk", "Brown", "Lee", "Çelik", "Fähnrich"])  # fmt: skip
DOMAINS = np.array(["example.com", "mail.example.org", "example.net", "corp.example.co.uk"])
COMPANIES = np.array(["Acme", "Initech", "Globex", "Umbrella", "Hooli", "Vandelay", "Stark"])
TIERS = np.array(["bronze", "silver", "gold", "platinum"])

# Area codes in service (a sample) and codes that are not: N11 service codes, the reserved x9x
# block, and a few never assigned.
ASSIGNED = np.array(["201", "212", "213", "305", "312", "404", "415", "503", "512", "602", "617",
                     "702", "713", "718", "805", "917"])  # fmt: skip
UNASSIGNED = np.array(["211", "311", "411", "511", "611", "711", "811", "911", "290", "391", "492",
                       "593", "694", "795", "896", "997", "222", "333", "444", "555", "666", "777",
                       "888", "999", "238", "237", "286"])  # fmt: skip
VANITY = np.array(["1-800-FLOWERS", "1-800-GOT-JUNK", "555-CALL-NOW", "(212) 555-PIZZA", "TEL 212 555",
                   "n/a", "none", "ask front desk", "x1234", "+1 (212) ABC-DEFG"])  # fmt: skip


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    return pd.Series(rng.integers(0, 10**count, size=n, dtype=np.int64)).astype(str).str.zfill(count)


def _written(rng: np.random.Generator, area: pd.Series, exchange: pd.Series, line: pd.Series) -> pd.Series:
    """A ten-digit number in one of six ways people write it."""
    styles = [
        "(" + area + ") " + exchange + "-" + line,
        area + "-" + exchange + "-" + line,
        area + "." + exchange + "." + line,
        area + exchange + line,
        "+1 " + area + " " + exchange + " " + line,
        "1 (" + area + ") " + exchange + " " + line,
    ]
    choice = rng.integers(0, len(styles), len(area))
    out = styles[0].copy()
    for number, style in enumerate(styles[1:], start=1):
        out = out.where(choice != number, style)
    return out


def _phones(rng: np.random.Generator, n: int) -> pd.Series:
    """One phone cell per row: valid, unassigned, wrong length, lettered, or blank."""
    roll = rng.random(n)
    assigned = pd.Series(ASSIGNED[rng.integers(0, len(ASSIGNED), n)])
    unassigned = pd.Series(UNASSIGNED[rng.integers(0, len(UNASSIGNED), n)])
    good_exchange = pd.Series(rng.integers(2, 10, n)).astype(str) + _digits(rng, n, 2)
    bad_exchange = pd.Series(rng.integers(0, 2, n)).astype(str) + _digits(rng, n, 2)
    line = _digits(rng, n, 4)

    valid = _written(rng, assigned, good_exchange, line)
    phone = valid.copy()
    # 22%: an area code not in service.
    phone = phone.where(~((roll >= 0.40) & (roll < 0.62)), _written(rng, unassigned, good_exchange, line))
    # 10%: an exchange starting with 0 or 1.
    phone = phone.where(~((roll >= 0.62) & (roll < 0.72)), _written(rng, assigned, bad_exchange, line))
    # 5%: one digit short.
    phone = phone.where(~((roll >= 0.72) & (roll < 0.77)), assigned + good_exchange + line.str[:3])
    # 5%: too long (digits appended, or a 12-digit number without a country code).
    long_digits = assigned + good_exchange + line + _digits(rng, n, 2)
    phone = phone.where(~((roll >= 0.77) & (roll < 0.82)), long_digits)
    # 3%: letters or text.
    phone = phone.where(~((roll >= 0.82) & (roll < 0.85)), pd.Series(VANITY[rng.integers(0, len(VANITY), n)]))
    # 3%: a valid number with an extension.
    phone = phone.where(~((roll >= 0.85) & (roll < 0.88)), valid + " ext. " + _digits(rng, n, 3))
    # 12%: no phone.
    return phone.where(roll < 0.88, "")


def _ascii(names: np.ndarray) -> np.ndarray:
    """The names without accents, lowercase (as most people write their address)."""
    plain = pd.Series(names).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return np.asarray(plain.str.lower().str.replace(r"[^a-z]", "", regex=True), dtype=object)


def invalid_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` users with many invalid phones and accented emails (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    serial = pd.Series(np.arange(n)).astype(str)
    domain = pd.Series(DOMAINS[rng.integers(0, len(DOMAINS), n)])

    accented = pd.Series(FIRST[first]).str.lower() + "." + pd.Series(LAST[last]).str.lower() + serial
    plain = pd.Series(_ascii(FIRST)[first]) + "_" + pd.Series(_ascii(LAST)[last]) + serial
    roll = rng.random(n)
    local = plain.where(roll >= 0.33, accented)
    email = local + "@" + domain
    bad = rng.random(n)
    email = email.where(~(bad < 0.01), local + "@@" + domain)
    email = email.where(~((bad >= 0.01) & (bad < 0.02)), local + ".@" + domain)
    email = email.where(~((bad >= 0.02) & (bad < 0.03)), local + " x@" + domain)
    email = email.where(~((bad >= 0.03) & (bad < 0.06)), "")  # no email on file

    ids = pd.Series(rng.permutation(n) + 10_000_000).astype(str).radd("C-")
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(dtype=object),
            "full_name": (pd.Series(FIRST[first]) + " " + pd.Series(LAST[last])).to_numpy(dtype=object),
            "email": email.to_numpy(dtype=object),
            "mobile": _phones(rng, n).to_numpy(dtype=object),
            "company": COMPANIES[rng.integers(0, len(COMPANIES), n)].astype(object),
            "tier": TIERS[rng.integers(0, len(TIERS), n)].astype(object),
            "created_at": np.asarray(
                (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")).strftime(
                    "%m/%d/%Y"
                ),
                dtype=object,
            ),
        }
    )
    return _plant_duplicates(frame, rng)


def _plant_duplicates(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Make about 4% of rows a later copy of an earlier person under a new id."""
    n = len(frame)
    emails = frame["email"].to_numpy(dtype=object, copy=True)
    phones = frame["mobile"].to_numpy(dtype=object, copy=True)
    later = np.flatnonzero(rng.random(n) < 0.04)
    later = later[later > 0]
    earlier = (rng.random(len(later)) * later).astype(np.int64)
    by_email = rng.random(len(later)) < 0.6
    emails[later[by_email]] = pd.Series(emails[earlier[by_email]]).str.upper().to_numpy()
    source = pd.Series(phones[earlier[~by_email]], dtype=object)
    digits = source.str.replace(r"\D", "", regex=True)
    phones[later[~by_email]] = digits.where(digits.str.len() > 0, source).to_numpy()
    emails[later[~by_email]] = ""
    return frame.assign(email=emails, mobile=phones)


def write_invalid_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`invalid_frame` to ``path`` (UTF-8, LF, no byte-order mark)."""
    invalid_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="where to write (default: a new temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bulkprep-bench-")) / f"invalid_{args.rows}.csv"
    print(write_invalid_csv(out, args.rows, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
