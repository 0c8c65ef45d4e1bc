"""A wide customer file from Latin America and Asia: 60 data columns, national mobiles, many scripts.

A sixth generator for the benchmarks, shaped like a marketing platform's export: 65 columns
(``customer_id, name, email, mobile, country`` and ``attr_01`` to ``attr_60``, every one of them
mapped to ``data``), customers in 14 countries (BR, MX, AR, CO, CL, PE, JP, KR, IN, ID, PH, VN, TH,
CN) spelled as codes, English or own names (``Brasil``, ``日本``, ``대한민국``, and the ambiguous
``Korea``), each mobile written the national way (``(11) 91234-5678``, ``011 15-2345-6789``,
``090-1234-5678``), read in the row's country. The names are Japanese, Korean, Thai, Vietnamese,
Chinese, Portuguese and Spanish. The data columns are filled from 10% to 100% of the rows each
(empty cells are left out of the users): short codes, numbers, dates, flags, words, and some
Arabic or CJK text. Per 100 rows about 2 invalid emails, 3 mobiles a digit short, 3 duplicates.

Run ``python benchmarks/wide.py --rows 1000`` to write a file and print its path.

Example:
    >>> frame = wide_frame(1_000, seed=1)
    >>> frame.shape, frame.filter(like="attr_").eq("").mean().mean() > 0.2
    ((1000, 65), np.True_)
"""

from __future__ import annotations

from pathlib import Path

import generator_cli  # beside this file
import numpy as np
import pandas as pd
from crm_countries import WIDE_COUNTRIES, WIDE_SPELLINGS  # beside this file

DEFAULT_ROWS = 200_000
DEFAULT_SEED = 41
ATTRIBUTES = 60

__all__ = ["ATTRIBUTES", "WIDE_COUNTRIES", "WIDE_SPELLINGS", "wide_frame", "write_wide_csv"]

NAMES = np.array(["佐藤 健", "김민준", "สมชาย ใจดี", "Nguyễn Văn An", "王伟", "João Silva", "María José Pérez",
                  "Lê Thị Hoa", "田中 ゆき", "이서연", "Camila Rodríguez", "Ananya Iyer", "Budi Santoso",
                  "Maria Santos", "李娜", "Sofía Martínez", "Thanh Trần", "Kenji Watanabe"])  # fmt: skip
LOCALS = np.array(["sato.ken", "minjun.kim", "somchai", "an.nguyen", "wei.wang", "joao.silva", "mjperez",
                   "hoa.le", "yuki.tanaka", "seoyeon.lee", "camila.r", "ananya", "budi.s", "maria.santos",
                   "li.na", "sofia.m", "thanh.tran", "kenji.w"])  # fmt: skip
DOMAINS = np.array(["gmail.com", "yahoo.co.jp", "naver.com", "hotmail.com", "uol.com.br", "qq.com",
                    "example.com.mx", "example.co.th", "outlook.com", "empresa.com.ar"])  # fmt: skip
WORDS = np.array(["gold", "silver", "bronze", "VIP", "promo", "sí", "no", "activo", "inativo", "会員",
                  "プレミアム", "우수", "ทอง", "khách hàng", "عميل", "ذهبي", "普通", "São Paulo",
                  "Ciudad de México", "東京", "서울", "Bangkok", "Hà Nội", "Lima", "Bogotá"])  # fmt: skip


def _digits(rng: np.random.Generator, n: int, count: int) -> pd.Series:
    """``n`` strings of ``count`` random digits."""
    return pd.Series(rng.integers(0, 10**count, size=n, dtype=np.int64)).astype(str).str.zfill(count)


def _national(rng: np.random.Generator, pattern: str, n: int) -> pd.Series:
    """``n`` numbers written in ``pattern``, each ``#`` a random digit."""
    out = pd.Series([""] * n, dtype=object)
    for piece in pattern.replace("#", "\0#\0").split("\0"):
        out = out + (_digits(rng, n, 1) if piece == "#" else piece)
    return out


def _attribute(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    """One data column of a kind (a code, a number, a date, a flag, words), filled in part."""
    if kind == 0:
        values = "C" + _digits(rng, n, 4)
    elif kind == 1:
        values = pd.Series(rng.integers(0, 100_000, n) / 100).astype(str)
    elif kind == 2:
        day = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
        values = pd.Series(np.asarray(day.strftime("%Y-%m-%d"), dtype=object))
    elif kind == 3:
        values = pd.Series(
            np.array(["true", "false", "sí", "no", "1", "0"], dtype=object)[rng.integers(0, 6, n)]
        )
    else:
        first = WORDS[rng.integers(0, len(WORDS), n)].astype(object)
        second = WORDS[rng.integers(0, len(WORDS), n)].astype(object)
        values = pd.Series(first + " " + second)
    filled = rng.random(n) < rng.uniform(0.1, 1.0)
    return np.where(filled, values.to_numpy(dtype=object), "")


def wide_frame(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``rows`` customers with 60 data columns (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = rows
    regions = np.array(list(WIDE_COUNTRIES))
    region = regions[rng.integers(0, len(regions), n)]
    country = np.full(n, "", dtype=object)
    mobile = np.full(n, "", dtype=object)
    for code, (spellings, patterns) in WIDE_COUNTRIES.items():
        here = np.flatnonzero(region == code)
        country[here] = np.array(spellings, dtype=object)[rng.integers(0, len(spellings), len(here))]
        pick = rng.integers(0, len(patterns), len(here))
        for k, pattern in enumerate(patterns):
            rows_k = here[pick == k]
            mobile[rows_k] = _national(rng, pattern, len(rows_k)).to_numpy(dtype=object)
    roll = rng.random(n)
    short = roll < 0.03
    mobile[short] = pd.Series(mobile[short]).str[:-1].to_numpy(dtype=object)
    mobile[(roll >= 0.03) & (roll < 0.1)] = ""

    person = rng.integers(0, len(NAMES), n)
    serial = pd.Series(np.arange(n) + 1).astype(str)
    email = pd.Series(LOCALS[person]) + serial + "@" + pd.Series(DOMAINS[rng.integers(0, len(DOMAINS), n)])
    bad = rng.random(n)
    email = email.where(bad >= 0.01, email.str.replace("@", "@@", regex=False))
    email = email.where((bad < 0.01) | (bad >= 0.02), email.str.replace(".", "..", n=1, regex=False))
    email = email.where((bad < 0.02) | (bad >= 0.06), "")

    columns: dict[str, np.ndarray] = {
        "customer_id": pd.Series(rng.permutation(n) + 1).astype(str).radd("CU").to_numpy(dtype=object),
        "name": NAMES[person].astype(object),
        "email": email.to_numpy(dtype=object),
        "mobile": mobile,
        "country": country,
    }
    for k in range(1, ATTRIBUTES + 1):
        columns[f"attr_{k:02d}"] = _attribute(rng, n, k % 5)
    frame = pd.DataFrame(columns)
    return _plant_duplicates(frame, rng)


def _plant_duplicates(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Make about 3% of rows a later copy of an earlier customer under a new id."""
    n = len(frame)
    emails = frame["email"].to_numpy(dtype=object, copy=True)
    mobiles = frame["mobile"].to_numpy(dtype=object, copy=True)
    countries = frame["country"].to_numpy(dtype=object, copy=True)
    later = np.flatnonzero(rng.random(n) < 0.03)
    later = later[later > 0]
    earlier = (rng.random(len(later)) * later).astype(np.int64)
    by_email = rng.random(len(later)) < 0.5
    emails[later[by_email]] = pd.Series(emails[earlier[by_email]]).str.upper().to_numpy()
    mobiles[later[~by_email]] = mobiles[earlier[~by_email]]
    countries[later[~by_email]] = countries[earlier[~by_email]]
    emails[later[~by_email]] = ""
    return frame.assign(email=emails, mobile=mobiles, country=countries)


def write_wide_csv(path: Path, rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`wide_frame` to ``path`` (UTF-8, LF)."""
    wide_frame(rows, seed=seed).to_csv(path, index=False, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    return generator_cli.run(__doc__, "wide", write_wide_csv, rows=DEFAULT_ROWS, seed=DEFAULT_SEED, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
