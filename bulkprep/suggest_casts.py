"""The cast a data column's values prove as a whole: ``bool``, ``int``, ``float`` or ``json``.

:meth:`bulkprep.mapping.Mapping.suggest` sends a data column as text unless its values prove a type,
and a cast that fails on one value makes that row invalid, so a cast is proposed only when every
non-empty value of the column reads under it (the same :func:`bulkprep.casts.convert` the mapping
runs) and the proof is strong:

- ``bool``: at least two filled rows whose values are one yes/no pair (``Y``/``N``, ``yes``/``no``,
  ``true``/``false``, ``Ja``/``Nein``, ``Oui``/``Non``...); ``1``/``0`` only under a header that
  names a flag (``is_``, ``has_``, ``opt``, ``subscribed``, ``consent``, ``newsletter``...), and a
  column holding one word alone only when the word is a whole one (``Yes``, not ``Y``) or the header
  names a flag;
- ``int`` or ``float`` (``int`` when every value is whole and none is written with decimals): numbers
  as the world writes them (``150 000``, ``25 000,50``, ``$1,250.00``), when the header names an
  amount or a count (``Amount``, ``Total``, ``Price``, ``Orders``, ``Betrag``, ``Montant``, ``Сумма``...)
  or a value is written with a decimal mark, thousands separators or a currency sign; never for a
  column with a value that has a leading zero or a ``+``, a column of years alone, one that is
  mostly 4 to 6 digit codes, or one whose header names an id, a postal code or a phone;
- ``json``: every value a JSON object or array.

Example:
    >>> proposal = column_cast("Total Donation Amount", ["1.250,00", "300,50", "0,00"])
    >>> proposal.cast, proposal.reason
    ('float', "numbers written with a decimal mark, separators or a currency sign ('1.250,00')")
    >>> column_cast("Newsletter", ["Ja", "Nein", "Ja"])
    CastProposal(cast='bool', reason="one yes/no pair ('Ja', 'Nein')")
    >>> column_cast("Zip", ["01234", "75001"]) is None
    True
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import NamedTuple

import numpy as np

from bulkprep import casts

__all__ = ["CastProposal", "column_cast"]

MAX_DISTINCT = 50_000
"""A column with more distinct values than this is left as text (its proof is not worth the time)."""


class CastProposal(NamedTuple):
    """A cast for a data column, and why (for the suggestion's notes)."""

    cast: str
    reason: str


# Header words (accents and case folded) that name an amount or a count, in the languages suggest reads.
_AMOUNT_WORDS = frozenset(
    {
        *("amount", "amounts", "total", "totals", "spent", "spend", "spending", "count", "orders", "price"),
        *("balance", "points", "revenue", "sum", "paid", "donations", "donated", "ltv", "cents", "fee"),
        *("fees", "cost", "qty", "quantity", "value", "sales", "purchases", "credit", "credits", "score"),
        *("contributions", "donation", "pax", "guests", "seats", "tickets", "visits", "bookings", "nights"),
        *("reservations", "reserves", "reservas", "sessions"),
        *("betrag", "summe", "gesamt", "preis", "anzahl", "punkte", "umsatz", "saldo", "guthaben"),
        *("montant", "prix", "solde", "depense", "depenses", "achats"),
        *("importe", "monto", "precio", "cantidad", "puntos", "gasto", "compras"),
        *("importo", "prezzo", "punti", "totale", "valore", "spesa"),
        *("valor", "preco", "quantidade", "pontos"),
        *("bedrag", "prijs", "aantal", "punten", "totaal"),
        *("kwota", "cena", "suma", "punkty", "liczba"),
        *("tutar", "fiyat", "toplam", "bakiye", "puan"),
        *("iznos", "cijena", "ukupno", "bodovi", "ukupan"),
        *("summa", "maara", "hinta", "pisteet", "belopp", "antal", "poang", "pris", "saldo"),
        *("сумма", "количество", "цена", "баланс", "итого", "баллы", "стоимость", "бонусы"),
        *("iznos", "износ", "цена", "вкупно"),
    }
)
# Header words that say the column names a thing (an id, a postal code, a phone, a year), never an amount.
_NOT_AN_AMOUNT_WORDS = frozenset(
    {
        *("id", "uid", "uuid", "guid", "zip", "zipcode", "postal", "postcode", "plz", "cep", "iban"),
        *("phone", "tel", "mobile", "fax", "year", "jahr", "annee", "sku", "ean", "isbn", "gtin"),
    }
)
# Header words that name a thing unless the header also names an amount (Account Balance, Number of orders).
_MAYBE_NOT_AN_AMOUNT_WORDS = frozenset(
    {"account", "number", "no", "nr", "nummer", "numero", "ref", "reference", "code", "codigo", "cp"}
)
# Header words (and first words) that name a flag, the only proof that a column of 1 and 0 is yes/no.
_FLAG_WORDS = frozenset(
    {
        *("opt", "optin", "optout", "opted", "subscribed", "subscriber", "unsubscribed", "subscription"),
        *("consent", "consents", "newsletter", "marketing", "active", "enabled", "disabled", "verified"),
        *("valid", "invalid", "flag", "accept", "accepted", "agree", "agreed", "allow", "allowed"),
        *("donotcall", "donotemail", "nomail", "gdpr", "deleted", "archived", "blocked", "confirmed"),
        *("vip", "bounced", "unsubscribe", "optedin", "optedout", "member", "paid", "gifted"),
    }
)
_FLAG_FIRST_WORDS = frozenset({"is", "has", "can", "do", "no", "allow", "accepts", "wants"})
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_LEADING_ZERO = re.compile(r"^\D*0\d")
_PURE_DIGITS = re.compile(r"^\d+$")
_CODE = re.compile(r"^\d{4,6}$")
_YEAR = re.compile(r"^(1[89]|2[01])\d\d$")
_WRITTEN_DECIMALS = re.compile(r"\d[.,]\d{1,2}\D*$")
_MOSTLY = 0.5
_MIN_BOOL_ROWS = 2
_WHOLE_WORD = 3  # a yes/no word this long is a whole word (Yes, Non, Nein), not a letter (Y, N)


def column_cast(header: str, values: list[object], *, rows: int | None = None) -> CastProposal | None:
    """The cast every value of a data column reads under, with the proof, or None (text).

    Args:
        header: the column's name.
        values: its non-empty values, all of them (or each distinct one once, with ``rows``).
        rows: how many rows are filled, when ``values`` holds each distinct value once.

    Example:
        >>> column_cast("is_vip", ["1", "0", "0"])
        CastProposal(cast='bool', reason="one yes/no pair ('1', '0') under a header that names a flag")
        >>> column_cast("Score", ["1", "0"]).cast
        'int'
        >>> column_cast("Notes", ["1", "0"]) is None
        True
    """
    if not values:
        return None
    distinct = _distinct(values)
    if distinct is None:
        return None
    words = _words(header)
    return (
        _bool(words, len(values) if rows is None else rows, distinct)
        or _number(words, distinct)
        or _json(distinct)
    )


def _distinct(values: list[object]) -> list[object] | None:
    seen: dict[object, None] = {}
    for value in values:
        key = value.strip() if isinstance(value, str) else value
        if isinstance(key, dict | list):
            key = json.dumps(key, sort_keys=True)
        try:
            seen.setdefault(key, None)
        except TypeError:
            return None
        if len(seen) > MAX_DISTINCT:
            return None
    return list(seen)


def _words(header: str) -> frozenset[str]:
    text = _CAMEL_HUMP.sub(" ", header)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    found = re.findall(r"[^\W_]+", plain)
    joined = {"".join(found)}  # do_not_call, Opt-In: the words written together too
    first = {f"first:{found[0]}"} if found else set()
    return frozenset({*found, *joined, *first})


def _convert(values: list[object], cast: casts.Cast, name: str | None = None) -> list[object] | None:
    """The values read under ``cast``, or None when one of them fails."""
    raw = np.empty(len(values), dtype=object)
    raw[:] = values
    out, failures = casts.convert(raw, cast, name=name)
    return None if failures else out.tolist()


def _bool(words: frozenset[str], rows: int, distinct: list[object]) -> CastProposal | None:
    if rows < _MIN_BOOL_ROWS or len(distinct) > 2:  # one yes/no pair at most
        return None
    if any(isinstance(value, float) and value not in (0.0, 1.0) for value in distinct):
        return None
    read = _convert(distinct, casts.Cast.BOOL)
    if read is None or len(set(read)) != len(distinct):
        return None  # a column of Y and yes is two spellings of one answer, not one pair
    shown = [_text(value) for value in distinct]
    digits = any(text in ("0", "1") for text in shown)
    flag = _names_a_flag(words)
    if (digits or (len(distinct) == 1 and len(shown[0]) < _WHOLE_WORD)) and not flag:
        return None
    under = " under a header that names a flag" if digits else ""
    pair = ", ".join(repr(text) for text in shown)
    return CastProposal("bool", f"one yes/no pair ({pair}){under}")


def _names_a_flag(words: frozenset[str]) -> bool:
    return bool(words & _FLAG_WORDS) or any(f"first:{word}" in words for word in _FLAG_FIRST_WORDS)


def _text(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(words: frozenset[str], distinct: list[object]) -> CastProposal | None:
    named = bool(words & _AMOUNT_WORDS)
    if words & _NOT_AN_AMOUNT_WORDS or (words & _MAYBE_NOT_AN_AMOUNT_WORDS and not named):
        return None
    if any(isinstance(value, bool | np.bool_ | dict | list) for value in distinct):
        return None
    texts = [value for value in distinct if isinstance(value, str)]
    if any(_LEADING_ZERO.match(text) or text.startswith("+") for text in texts):
        return None  # a code, a ZIP or a phone keeps its digits as written
    plain = [_text(value) for value in distinct]
    if all(_YEAR.match(text) for text in plain):
        return None
    local = next((text for text in texts if not _PURE_DIGITS.match(text.lstrip("-"))), None)
    fractions = any(isinstance(value, float) and not value.is_integer() for value in distinct)
    codes = sum(1 for text in plain if _CODE.match(text))
    if local is None and not fractions and codes > _MOSTLY * len(plain):
        return None  # 4 to 6 digits and nothing else: postal codes, branch or product codes
    if not (named or local is not None or fractions):
        return None
    read = _convert(distinct, casts.Cast.FLOAT)
    if read is None:
        return None
    whole = not fractions and not any(_WRITTEN_DECIMALS.search(text) for text in texts)
    cast = "int" if whole and _convert(distinct, casts.Cast.INT) is not None else "float"
    if local is not None:
        reason = f"numbers written with a decimal mark, separators or a currency sign ({local!r})"
    elif named:
        reason = "numbers under a header that names an amount or a count"
    else:
        reason = "numbers with decimals"
    return CastProposal(cast, reason)


def _json(distinct: list[object]) -> CastProposal | None:
    for value in distinct:
        if isinstance(value, dict | list):
            continue
        if not isinstance(value, str) or not value.startswith(("{", "[")):
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        if not isinstance(parsed, dict | list):
            return None
    if _convert(distinct, casts.Cast.JSON) is None:
        return None
    return CastProposal("json", "JSON objects or arrays")
