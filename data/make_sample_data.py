"""Regenerate the sample data in this folder: ``python data/make_sample_data.py``.

Writes, deterministically (fixed seed, no clock):

- ``users_messy.csv``: about 300 users as a Windows spreadsheet saves a CRM export (UTF-8 with a
  byte-order mark, CRLF line ends, line breaks inside cells as a bare LF), with the problems listed in
  ``README.md`` planted at known lines;
- ``users_messy.expected.csv``: one row per planted problem: the line it is on, what was planted and
  what bulkprep is expected to report for it (``tests/test_sample_data.py`` checks every one);
- ``users_clean.csv``: 20 valid users (UTF-8, LF);
- the table of planted problems in ``README.md``, between its ``planted`` markers.

Example:
    >>> rows = build_messy_rows()
    >>> sum(row.kind == "user" for row in rows) > 250
    True
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent
SEED = 20240917
BASE_USERS = 270  # plain users; the planted rows come on top of them

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
EXPECTED_COLUMNS: tuple[str, ...] = (
    "line",
    "user_id",
    "problem",
    "column",
    "value",
    "expected_status",
    "expected_code",
    "duplicate_of_line",
    "note",
)

# --- what people are called and where they live ---------------------------------------------------

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (
        (
            "James",
            "Mary",
            "Robert",
            "Patricia",
            "John",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Ashley",
            "Kevin",
            "Megan",
            "Brian",
            "Laura",
            "José",
            "Sofía",
        ),
        (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Garcia",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Moore",
            "Jackson",
            "Nguyen",
            "Kim",
            "Peña",
            "Muñoz",
            "O'Brien",
            "O'Neill",
        ),
    ),
    "GB": (
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily", "Thomas", "Sophie"),
        ("Jones", "Evans", "Walker", "Wright", "Hughes", "Roberts", "O'Connor", "Fitzgerald-Hale"),
    ),
    "DE": (
        ("Lukas", "Anna", "Jürgen", "Lea", "Maximilian", "Hannah", "Jörg", "Felix", "Marie", "Björn"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Köhler", "Groß", "Becker"),
    ),
    "FR": (
        ("Léa", "Hugo", "Chloé", "Louis", "Zoé", "Jules", "Inès", "Gabriel", "Renée", "Théo", "Anaïs"),
        ("Martin", "Bernard", "Dubois", "Petit", "Lefèvre", "Durand", "Moreau", "Girard", "D'Aubigné"),
    ),
    "IN": (
        ("Aarav", "Priya", "Vivaan", "Ananya", "Arjun", "Diya", "Rohan", "Isha", "Kabir", "Saanvi"),
        ("Sharma", "Patel", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Mehta"),
    ),
    "BR": (
        ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Júlia", "Letícia"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Gonçalves", "Araújo"),
    ),
}
COUNTRY_WEIGHTS: dict[str, int] = {"US": 40, "GB": 15, "DE": 15, "FR": 10, "IN": 10, "BR": 10}
# How the Country column is filled in: mostly codes, sometimes what someone typed.
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "US": ("US", "US", "US", "USA", "United States"),
    "GB": ("GB", "GB", "UK", "United Kingdom"),
    "DE": ("DE", "DE", "Germany", "Deutschland"),
    "FR": ("FR", "FR", "France"),
    "IN": ("IN", "IN", "India"),
    "BR": ("BR", "BR", "Brazil", "Brasil"),
}
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "inbox.example.org")
PLANS = ("Free", "Free", "Free", "Pro", "Pro", "Team", "Enterprise")
SOURCES = ("webinar", "signup_form", "import", "referral", "trade_show", "ads")

# Calling codes and generators of national significant numbers in ranges that are valid mobile or
# geographic numbers (checked with phonenumbers when written, so a metadata change fails loudly).
CALLING_CODES: dict[str, str] = {"US": "1", "GB": "44", "DE": "49", "FR": "33", "IN": "91", "BR": "55"}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


NATIONAL_NUMBER: dict[str, Callable[[random.Random], str]] = {
    "US": lambda r: (
        r.choice(("201", "212", "213", "305", "312", "404", "415", "512", "617", "718", "206", "303"))
        + r.choice("23456789")
        + r.choice("0123456789")
        + r.choice("023456789")
        + _digits(r, 4)
    ),
    "GB": lambda r: "7" + r.choice("458") + _digits(r, 8),
    "DE": lambda r: (
        r.choice(("151", "152", "157", "160", "170", "171", "172", "175", "176", "177")) + _digits(r, 8)
    ),
    "FR": lambda r: r.choice(("60", "61", "62", "64", "65", "66", "67", "68")) + _digits(r, 7),
    "IN": lambda r: r.choice("6789") + _digits(r, 9),
    "BR": lambda r: r.choice(("11", "21", "31", "41", "51", "61", "71", "81")) + "9" + _digits(r, 8),
}


def format_phone(country: str, number: str, rng: random.Random) -> str:
    """``number`` (national significant digits) written the way people in ``country`` write it.

    US numbers come mostly without the +1 (the default region is US); the others always carry
    their country code, as ``+CC`` or the ``00CC`` dialling prefix, with the local punctuation.
    """
    cc = CALLING_CODES[country]
    n = number
    styles: dict[str, tuple[str, ...]] = {
        "US": (
            f"({n[:3]}) {n[3:6]}-{n[6:]}",
            f"{n[:3]}-{n[3:6]}-{n[6:]}",
            f"{n[:3]}.{n[3:6]}.{n[6:]}",
            n,
            f"1-{n[:3]}-{n[3:6]}-{n[6:]}",
            f"+1 {n[:3]} {n[3:6]} {n[6:]}",
            f"+1 ({n[:3]}) {n[3:6]}-{n[6:]}",
        ),
        "GB": (f"+{cc} {n[:4]} {n[4:]}", f"+{cc}{n}", f"+{cc} (0){n[:4]} {n[4:]}", f"00{cc} {n[:4]} {n[4:]}"),
        "DE": (
            f"+{cc} {n[:3]} {n[3:]}",
            f"+{cc} (0){n[:3]} {n[3:]}",
            f"+{cc}-{n[:3]}-{n[3:]}",
            f"00{cc} {n[:3]} {n[3:7]} {n[7:]}",
        ),
        "FR": (
            f"+{cc} {n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:]}",
            f"+{cc} (0){n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:]}",
            f"00{cc} {n[0]}.{n[1:3]}.{n[3:5]}.{n[5:7]}.{n[7:]}",
        ),
        "IN": (f"+{cc} {n[:5]} {n[5:]}", f"+{cc}-{n[:5]}-{n[5:]}", f"+{cc}{n}"),
        "BR": (
            f"+{cc} ({n[:2]}) {n[2:7]}-{n[7:]}",
            f"+{cc} {n[:2]} {n[2:7]} {n[7:]}",
            f"00{cc} {n[:2]} {n[2:]}",
        ),
    }
    return rng.choice(styles[country])


def e164(country: str, number: str) -> str:
    """The E.164 form of a generated number, after checking that phonenumbers calls it valid."""
    text = f"+{CALLING_CODES[country]}{number}"
    if not phonenumbers.is_valid_number(phonenumbers.parse(text)):
        raise ValueError(f"generated {text} is not a valid number; adjust NATIONAL_NUMBER[{country!r}]")
    return text


def ascii_fold(text: str) -> str:
    """``Müller`` -> ``Muller``: the accents dropped, as most people write them in an address."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


# --- rows -------------------------------------------------------------------------------------------


@dataclass
class Planted:
    """One planted problem, as recorded in ``users_messy.expected.csv``."""

    problem: str
    column: str
    value: str
    expected_status: str
    expected_code: str = ""
    duplicate_of: Row | None = None
    note: str = ""


@dataclass(eq=False)
class Row:
    """One record of the file: a user's cells, or a raw line written as it is."""

    cells: dict[str, str] = field(default_factory=dict)
    raw: str | None = None  # written verbatim (blank lines, the ragged line)
    kind: str = "user"
    planted: list[Planted] = field(default_factory=list)
    country: str = "US"
    e164: str = ""  # the phone's expected normalized form, when valid
    line: int = 0  # set when written

    def plant(
        self,
        problem: str,
        column: str,
        expected_status: str,
        expected_code: str = "",
        *,
        duplicate_of: Row | None = None,
        note: str = "",
    ) -> Row:
        """Record a problem planted in this row (``column`` empty for the row as a whole)."""
        value = self.raw if column == "" and self.raw is not None else self.cells.get(column, "")
        self.planted.append(
            Planted(problem, column, value, expected_status, expected_code, duplicate_of, note)
        )
        return self


class UserFactory:
    """Makes plausible users; every email and user id it hands out is unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: set[str] = set()
        self.ids: set[str] = set()

    def user_id(self) -> str:
        while True:
            uid = f"{self.rng.randint(1, 99_999):06d}"  # six digits, zero-padded: the CRM's ids
            if uid not in self.ids:
                self.ids.add(uid)
                return uid

    def email(self, first: str, last: str) -> str:
        local = re.sub(r"[^a-z0-9.'-]", "", ascii_fold(f"{first}.{last}").lower().replace(" ", ""))
        domain = self.rng.choice(DOMAINS)
        candidate, n = f"{local}@{domain}", 1
        while candidate.lower() in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate.lower())
        return candidate

    def user(self, country: str | None = None, *, with_phone: bool = False) -> Row:
        """A plausible user of ``country`` (drawn at random when None)."""
        rng = self.rng
        if country is None:
            country = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
        firsts, lasts = NAMES[country]
        first, last = rng.choice(firsts), rng.choice(lasts)
        number = NATIONAL_NUMBER[country](rng)
        has_phone = rng.random() < 0.85 or with_phone
        year, month, day = rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28)
        attributes = {"source": rng.choice(SOURCES), "score": rng.randint(0, 100)}
        if rng.random() < 0.3:
            attributes["tags"] = rng.sample(
                ["beta", "vip", "churn-risk", "partner", "edu"], k=rng.randint(1, 2)
            )
        cells = {
            "User ID": self.user_id(),
            "Email": self.email(first, last),
            "First Name": first,
            "Last Name": last,
            "Phone": format_phone(country, number, rng) if has_phone else "",
            "Country": rng.choice(COUNTRY_SPELLINGS[country]),
            "Plan": rng.choice(PLANS),
            "Signup Date": f"{year:04d}-{month:02d}-{day:02d}",
            "Newsletter": rng.choice(("yes", "yes", "no", "Yes", "No", "")),
            "Attributes": json.dumps(attributes, ensure_ascii=False) if rng.random() < 0.9 else "",
            "Notes": "",
        }
        return Row(cells=cells, country=country, e164=e164(country, number) if has_phone else "")


# --- the messy file ----------------------------------------------------------------------------------


def _add_cosmetic_noise(row: Row, rng: random.Random) -> None:
    """Problems normalization fixes silently: capitals, stray spaces and NBSPs around an email."""
    email = row.cells["Email"]
    roll = rng.random()
    if roll < 0.06:
        local, domain = email.split("@")
        row.cells["Email"] = f"{local.title()}@{domain.upper()}"
        row.plant("email_capitals", "Email", "ready", note="domain lowercased by normalize")
    elif roll < 0.10:
        row.cells["Email"] = rng.choice((" ", "  ", "")) + email + rng.choice((" ", "\t", "  "))
        row.plant("email_spaces", "Email", "ready", note="surrounding whitespace trimmed")


def build_messy_rows(seed: int = SEED) -> list[Row]:
    """Every record of ``users_messy.csv`` in file order, with its planted problems attached."""
    rng = random.Random(seed)
    make = UserFactory(rng)
    base = [make.user() for _ in range(BASE_USERS)]
    for row in base:
        _add_cosmetic_noise(row, rng)

    def user(country: str = "US", *, with_phone: bool = False) -> Row:
        return make.user(country, with_phone=with_phone)

    def twin(original: Row, **cells: str) -> Row:
        """A second record of the same person under a new id."""
        copy = Row(cells={**original.cells, "User ID": make.user_id(), **cells}, country=original.country)
        copy.e164 = original.e164
        return copy

    # Originals that duplicates point back to must have an email and a phone.
    def with_contact(index: int, country: str) -> Row:
        row = base[index]
        if not row.cells["Phone"] or row.country != country or row.planted:
            row = base[index] = make.user(country, with_phone=True)
        return row

    # (position in the base list, rows inserted before that position)
    inserts: list[tuple[int, list[Row]]] = []

    def at(position: int, *rows: Row) -> None:
        inserts.append((position, list(rows)))

    # Cosmetic problems at fixed places, so the README can point at them.
    r = user("FR")
    r.cells["Email"] = "\u00a0" + r.cells["Email"]
    at(4, r.plant("email_nbsp", "Email", "ready", note="leading no-break space (U+00A0) trimmed"))
    r = user("GB")
    r.cells["Email"] = r.cells["Email"] + "\u00a0 "
    at(9, r.plant("email_nbsp", "Email", "ready", note="trailing no-break space and space trimmed"))
    r = user()
    r.cells["Email"] = " " + r.cells["Email"].upper() + " "
    at(14, r.plant("email_capitals_and_spaces", "Email", "ready", note="trimmed; domain lowercased"))

    r = user("GB")
    r.cells["Email"] = f'"{r.cells["First Name"]} {r.cells["Last Name"]}" <{r.cells["Email"]}>'
    at(
        76,
        r.plant(
            "email_display_name", "Email", "ready", note="copied from a mail client; the address is kept"
        ),
    )

    # Invalid emails.
    for position, value, note in (
        (20, "maria.gonzalez.example.com", "missing @"),
        (33, "tom..harris@example.com", "two dots in a row in the local part"),
        (47, "jane.doe@example..com", "two dots in a row in the domain"),
        (61, "mark twain@example.com", "space inside the address"),
        (75, "paul.wright@", "nothing after the @"),
        (88, "kevin.lee@example", "domain without a dot"),
    ):
        r = user()
        r.cells["Email"] = value
        at(position, r.plant("invalid_email", "Email", "invalid", "invalid_email", note=note))

    # Phones: an Excel-mangled number, invalid ones, a national number without country code.
    for position, value, note in (
        (25, "2.02555E+09", "a spreadsheet showed the number in scientific notation and saved it so"),
        (97, "4.47912E+11", "a +44 number the spreadsheet mangled"),
    ):
        r = user()
        r.cells["Phone"] = value
        at(position, r.plant("excel_mangled_phone", "Phone", "invalid", "excel_mangled_number", note=note))
    for position, value, note in (
        (38, "12345", "too short"),
        (54, "call after 6pm", "not a number"),
        (110, "+1 212 555", "cut off"),
        (123, "000-000-0000", "placeholder"),
    ):
        r = user()
        r.cells["Phone"] = value
        at(position, r.plant("invalid_phone", "Phone", "invalid", "invalid_phone", note=note))
    r = user("GB", with_phone=True)
    r.cells["Phone"] = "07" + r.e164[4:7] + " " + r.e164[7:]
    at(
        131,
        r.plant(
            "phone_without_country_code",
            "Phone",
            "ready",
            note="a UK number in national form, read in its row's Country (the mapping's region_column)",
        ),
    )

    # Phones that are fine once normalized.
    r = user("GB", with_phone=True)
    national = r.e164[3:]
    r.cells["Phone"] = f"+44 (0){national[:4]} {national[4:]}"
    at(140, r.plant("phone_trunk_zero", "Phone", "ready", note="+44 (0)... normalizes to E.164"))
    r = user()
    gb = user("GB", with_phone=True)
    r.cells["Phone"] = f"011 44 {gb.e164[3:7]} {gb.e164[7:]}"
    r.e164, r.country = gb.e164, "GB"
    at(146, r.plant("phone_us_exit_code", "Phone", "ready", note="011 is the US international prefix"))

    # Duplicates: same email in other case, same phone in another format, the same id twice.
    original = with_contact(30, "US")
    dup = twin(original, Email=original.cells["Email"].upper(), Phone="")
    at(
        150,
        dup.plant(
            "duplicate_email_case",
            "Email",
            "duplicate",
            "duplicate_user",
            duplicate_of=original,
            note="same email as an earlier row, in capitals, under another id",
        ),
    )
    original = with_contact(42, "DE")
    number = original.e164[3:]
    dup = twin(original, **{"User ID": "", "Email": "", "Phone": f"0049 {number[:3]} {number[3:]}"})
    at(
        160,
        dup.plant(
            "duplicate_phone_format",
            "Phone",
            "duplicate",
            "duplicate_user",
            duplicate_of=original,
            note="same phone as an earlier row, written another way, no id or email",
        ),
    )
    original = with_contact(57, "US")
    number = original.e164[2:]
    dup = twin(original, **{"User ID": "", "Email": "", "Phone": f"{number[:3]}.{number[3:6]}.{number[6:]}"})
    at(
        171,
        dup.plant(
            "duplicate_phone_format",
            "Phone",
            "duplicate",
            "duplicate_user",
            duplicate_of=original,
            note="same US phone as an earlier row, dots instead of parentheses, no id or email",
        ),
    )
    original = with_contact(66, "FR")
    dup = Row(cells=dict(original.cells), country=original.country, e164=original.e164)
    at(
        180,
        dup.plant(
            "duplicate_id_exact",
            "User ID",
            "duplicate",
            "duplicate_user",
            duplicate_of=original,
            note="the whole row exported twice",
        ),
    )
    original = with_contact(80, "IN")
    new_email = make.email(original.cells["First Name"], original.cells["Last Name"])
    dup = Row(
        cells={**original.cells, "Plan": "Enterprise", "Email": new_email},
        country=original.country,
        e164=original.e164,
    )
    at(
        190,
        dup.plant(
            "duplicate_id_changed",
            "User ID",
            "duplicate",
            "duplicate_user",
            duplicate_of=original,
            note="same id, plan and email changed since (an updated record exported twice)",
        ),
    )

    # Rows with little or no identity.
    r = user()
    r.cells.update({"User ID": "", "Email": "", "Phone": ""})
    at(200, r.plant("no_identity", "", "invalid", "no_identity", note="no user id, email or phone"))
    r = user("BR")
    r.cells.update({"User ID": "", "Phone": ""})
    at(205, r.plant("email_only", "Email", "ready", note="no id or phone: the email is enough"))
    r = user("IN", with_phone=True)
    r.cells.update({"User ID": "", "Email": ""})
    at(210, r.plant("phone_only", "Phone", "ready", note="no id or email: the phone is enough"))

    # Blank lines: dropped by the reader, not rows.
    at(100, Row(raw="", kind="blank").plant("blank_line", "", "skipped", note="an empty line"))
    at(
        215,
        Row(raw="," * (len(COLUMNS) - 1), kind="blank").plant(
            "blank_line", "", "skipped", note="a line of empty fields"
        ),
    )

    # The ragged row: an unquoted comma in the last column.
    r = user("DE")
    r.cells["Notes"] = "Berlin"
    fields = [r.cells[c] for c in COLUMNS]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    r.raw = buffer.getvalue() + ", Mitte"
    r.kind = "ragged"
    at(
        220,
        r.plant(
            "ragged_row",
            "",
            "invalid",
            "ragged_row",
            note="unquoted comma in Notes gives one field too many; the extra field is cut off",
        ),
    )

    # Quoted values that a naive split breaks: a line break and a comma in a cell.
    r = user("DE")
    r.cells["Notes"] = "Met at the Berlin fair, hall 4\nwants a demo in Q3"
    at(
        108,
        r.plant(
            "multiline_cell",
            "Notes",
            "ready",
            note="quoted cell with a line break and a comma; the record spans two lines",
        ),
    )
    r = user("US")
    r.cells["Notes"] = 'Prefers "Bob", not Robert'
    at(115, r.plant("quoted_comma", "Notes", "ready", note="quoted cell with a comma and doubled quotes"))

    # Names with accents and apostrophes: passed through byte for byte.
    for position, first, last, country in (
        (12, "Renée", "Lefèvre", "FR"),
        (23, "Jürgen", "Müller", "DE"),
        (35, "Begoña", "Peña", "US"),
        (49, "Siobhán", "O'Brien", "GB"),
    ):
        r = user(country)
        r.cells.update({"First Name": first, "Last Name": last, "Email": make.email(first, last)})
        at(
            position,
            r.plant("accented_name", "Last Name", "ready", note="accents and apostrophes kept as written"),
        )

    # Values that look like spreadsheet formulas: data for Courier, not errors.
    for position, column, value in (
        (60, "First Name", '=HYPERLINK("http://example.com/x","Click me")'),
        (72, "Last Name", "@SUM(1+1)*cmd|' /C calc'!A0"),
        (84, "Attributes", '{"source": "+cmd|\' /C calc\'!A0", "score": 1}'),
        (94, "Notes", "-2+3"),
    ):
        r = user()
        r.cells[column] = value
        at(
            position,
            r.plant("formula_like", column, "ready", note="sent as written (it is text, not a formula)"),
        )

    # Attributes that are not valid JSON.
    for position, value, note in (
        (119, "{source: 'webinar'}", "unquoted key, single quotes"),
        (135, '{"score": 10,}', "trailing comma"),
        (155, "webinar", "plain text"),
    ):
        r = user()
        r.cells["Attributes"] = value
        at(position, r.plant("invalid_json", "Attributes", "invalid", "cast_failed", note=note))

    # Values the casts refuse.
    r = user()
    r.cells["Newsletter"] = "maybe"
    at(165, r.plant("bad_bool", "Newsletter", "invalid", "cast_failed", note="not yes/no"))
    r = user()
    r.cells["Signup Date"] = "2023-02-30"
    at(175, r.plant("bad_date", "Signup Date", "invalid", "cast_failed", note="February has no 30th"))
    r = user()
    r.cells["Signup Date"] = "last spring"
    at(185, r.plant("bad_date", "Signup Date", "invalid", "cast_failed", note="not a date"))

    # Leading zeros in ids: every id has six digits, this one is mostly zeros.
    r = user()
    r.cells["User ID"] = "000042"
    make.ids.add("000042")
    at(2, r.plant("leading_zero_id", "User ID", "ready", note="kept as the text 000042, never the number 42"))

    rows: list[Row] = []
    by_position: dict[int, list[Row]] = {}
    for position, new in inserts:
        by_position.setdefault(position, []).extend(new)
    for index, row in enumerate(base):
        rows.extend(by_position.pop(index, []))
        rows.append(row)
    if by_position:
        raise ValueError(f"insert positions past the end: {sorted(by_position)}")
    return rows


def write_rows(rows: Iterable[Row], path: Path, *, bom: bool, newline: str) -> None:
    """Write ``rows`` under a header, numbering each row's ``line`` (1-based, the header is line 1)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(COLUMNS)
    line = 2
    for row in rows:
        start = buffer.tell()
        if row.raw is not None:
            buffer.write(row.raw + newline)
        else:
            writer.writerow([row.cells[c] for c in COLUMNS])
        row.line = line
        line += buffer.getvalue()[start:].count("\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))


def expected_records(rows: Iterable[Row]) -> list[dict[str, str]]:
    """One record per planted problem, for ``users_messy.expected.csv``."""
    records = []
    for row in rows:
        for p in row.planted:
            records.append(
                {
                    "line": str(row.line),
                    "user_id": row.cells.get("User ID", ""),
                    "problem": p.problem,
                    "column": p.column,
                    "value": p.value,
                    "expected_status": p.expected_status,
                    "expected_code": p.expected_code,
                    "duplicate_of_line": str(p.duplicate_of.line) if p.duplicate_of is not None else "",
                    "note": p.note,
                }
            )
    return records


def write_expected(records: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPECTED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def readme_table(records: list[dict[str, str]]) -> str:
    """The planted problems as a Markdown table (cosmetic email noise summarized in one line)."""
    cosmetic = [r for r in records if r["problem"] in {"email_capitals", "email_spaces"}]
    lines = [
        "| line | problem | column | value | expected |",
        "|---:|---|---|---|---|",
    ]
    for r in records:
        if r in cosmetic:
            continue
        value = r["value"].replace("\n", "\\n").replace("\u00a0", "<NBSP>").replace("|", "\\|")
        expected = r["expected_status"]
        if r["expected_code"]:
            expected += f" (`{r['expected_code']}`)"
        if r["duplicate_of_line"]:
            expected += f" of line {r['duplicate_of_line']}"
        value_cell = f"`{value}`" if value else ""
        lines.append(
            f"| {r['line']} | {r['problem']}: {r['note']} | {r['column']} | {value_cell} | {expected} |"
        )
    for name in ("email_capitals", "email_spaces"):
        found = [r["line"] for r in cosmetic if r["problem"] == name]
        lines.append(f"| {', '.join(found)} | {name}: fixed by normalization | Email | | ready |")
    return "\n".join(lines)


def clean_rows(seed: int = SEED + 1) -> list[Row]:
    """20 valid users: every cell well formed, every phone in E.164, every email lowercase."""
    rng = random.Random(seed)
    make = UserFactory(rng)
    rows: list[Row] = []
    while len(rows) < 20:
        row = make.user()
        if not row.e164 or not row.cells["Attributes"]:
            continue
        row.cells["Phone"] = row.e164
        row.cells["Country"] = row.country
        row.cells["Newsletter"] = row.cells["Newsletter"].lower() or "no"
        rows.append(row)
    return rows


def update_readme(table: str, path: Path) -> None:
    """Replace the text between the ``planted`` markers of the README with ``table``."""
    start, end = "<!-- planted:start -->", "<!-- planted:end -->"
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{path} lacks the {start} / {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def main() -> None:
    rows = build_messy_rows()
    write_rows(rows, HERE / "users_messy.csv", bom=True, newline="\r\n")
    records = expected_records(rows)
    write_expected(records, HERE / "users_messy.expected.csv")
    write_rows(clean_rows(), HERE / "users_clean.csv", bom=False, newline="\n")
    readme = HERE / "README.md"
    if readme.exists():
        update_readme(readme_table(records), readme)
    users = sum(row.kind != "blank" for row in rows)
    print(f"users_messy.csv: {users} records, {len(records)} planted problems; users_clean.csv: 20 records")


if __name__ == "__main__":
    main()
