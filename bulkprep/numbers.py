"""Numbers as the world writes them, for ``cast: int`` and ``cast: float``: the column's decimal mark.

``1.234,50`` (German), ``1,234.50`` (US), ``1 234,50`` (French, with a space, a no-break space or a
narrow no-break space), ``1'234.50`` (Swiss) are one number each; ``1,234`` and ``1.234`` alone are
two. A column is read by one convention, its *decimal mark*: the mapping's ``decimal: ","`` or
``"."``, else the one its own values prove, as dates prove their day/month order:

- a value using both marks (``1.234,50``) or one mark twice (``12.345.678``) proves strongly;
- a mark followed by other than three digits (``5,5``, ``99,90``, ``1.5``) proves weakly;
- strong proof wins over weak proof, and a value the winning mark cannot read (``1.5`` in a column of
  ``1.234,50``) fails; a column proving both marks at one strength reads neither, and each value
  that uses a mark fails with one message naming the evidence (``1 234`` and ``42`` are kept);
- with no proof, a value that reads two ways (``1,234``) fails under ``float``; under ``int`` it is
  read as the one whole number it can be (``1.234`` is 1234: 1.234 is no whole number).

A currency sign before or after the amount (``$2,500.00``, ``2 500,00 €``) is dropped: the amount is
the number. Texts that are no such number (``1e3``, ``inf``) are left to the plain reading.

Example:
    >>> read_numbers(["1.234,50", "99,90", "5,5"], whole=False)
    [(1234.5, None), (99.9, None), (5.5, None)]
    >>> read_numbers(["1,200", "15"], whole=True)
    [(1200, None), (15, None)]
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bulkprep import _currency_names

__all__ = ["DECIMAL_MARKS", "is_localized", "localized_cells", "read_numbers", "without_currency"]

DECIMAL_MARKS = (",", ".")
"""The decimal marks a mapping's ``decimal`` option may give."""

# Spaces and apostrophes only ever group digits: 1 234 (French), 1'234 (Swiss).
_SPACE_GROUPS = " \u00a0\u202f\u2009'\u2019"
_SIGNS = "+-\u2212"
# (Escaped: a bare +-− in a class is the range from + to the minus sign, letters and all.)
_SHAPE = re.compile(rf"^[{re.escape(_SIGNS)}]?[\d.,{_SPACE_GROUPS}]*\d[\d.,{_SPACE_GROUPS}]*$")
# A number written plainly: digits, perhaps a sign and a decimal dot (read as itself by any cast).
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUP_DIGITS = 3


class _Shape(NamedTuple):
    """A text's two readings (canonical ``-1234.5`` text, or None where it is no number that way)."""

    comma: str | None  # read with a decimal comma
    dot: str | None  # read with a decimal dot
    strong: bool  # both marks, or one mark twice: the text says which is which

    @property
    def proves(self) -> str | None:
        if self.comma is not None and self.dot is None:
            return ","
        if self.dot is not None and self.comma is None:
            return "."
        return None


def _currency_pattern() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A currency code or sign at the start, and at the end, of an amount (longest names first)."""
    codes = _currency_names.CODES.split()
    signs = _currency_names.SIGNS.splitlines()
    # A lone Latin letter (K, R, E) is a sign only before the amount: after it, 5K is five thousand.
    after = [name for name in (*codes, *signs) if not (len(name) == 1 and name.isascii())]

    def alternation(names: list[str]) -> str:
        return "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))

    before = alternation([*codes, *signs])
    # Case is ignored (Ksh and KSh, usd); a code or sign of letters must not run into another word.
    return (
        re.compile(rf"^(?:{before})(?![^\W\d_])\s*", re.IGNORECASE),
        re.compile(rf"(?<![^\W\d_])\s*(?:{alternation(after)})$", re.IGNORECASE),
    )


_CURRENCY_BEFORE, _CURRENCY_AFTER = _currency_pattern()
# Text of digits, signs and separators alone has no currency to drop (no code or sign is made of
# these characters only; a test holds it): most cells of a number column, met once each.
_DIGITS_ONLY = re.compile(rf"[{re.escape(_SIGNS)}]?\d[\d.,\s{_SPACE_GROUPS}]*")


def without_currency(text: str) -> str:
    """The amount without a currency code or sign before or after it, with or without a space
    (``$2,500.00``, ``2 500,00 €``, ``USD 1,250.00``, ``HK$500``, ``1.200 Kč``, ``-R$ 5``).

    The codes are ISO 4217's, the signs CLDR's in every language (``_currency_names``); a lone
    Latin letter (``K``, ``R``) is a sign only before the amount.

    Example:
        >>> [without_currency(text) for text in ("LKR 108,750.00", "GH₵ 20", "12,50 zł", "5K")]
        ['108,750.00', '20', '12,50', '5K']
    """
    stripped = text.strip()
    if _DIGITS_ONLY.fullmatch(stripped):
        return stripped
    sign = ""
    if stripped and stripped[0] in _SIGNS and stripped[1:] and not stripped[1].isdigit():
        sign, stripped = stripped[0], stripped[1:].lstrip()  # -$5.00
    before = _CURRENCY_BEFORE.match(stripped)
    if before is not None:
        stripped = stripped[before.end() :]
    elif stripped and unicodedata.category(stripped[0]) == "Sc":
        stripped = stripped[1:].strip()
    after = _CURRENCY_AFTER.search(stripped)
    if after is not None and after.start() > 0:
        stripped = stripped[: after.start()]
    elif stripped and unicodedata.category(stripped[-1]) == "Sc":
        stripped = stripped[:-1].strip()
    return sign + stripped.strip()


def _read_with(body: str, decimal: str) -> str | None:
    """``body`` (digits and separators, no sign) read with ``decimal`` as its decimal mark."""
    other = "." if decimal == "," else ","
    whole, _, fraction = body.partition(decimal)
    if decimal in fraction or (_ and not fraction.isdigit()):
        return None
    groups_used = {ch for ch in whole if not ch.isdigit()}
    if len(groups_used) > 1 or (groups_used and not groups_used <= {other, *_SPACE_GROUPS}):
        return None
    if groups_used:
        groups = re.split(f"[{re.escape(''.join(groups_used))}]", whole)
        head, rest = groups[0], groups[1:]
        if not (1 <= len(head) <= _GROUP_DIGITS) or head.startswith("0"):
            return None
        if any(len(group) != _GROUP_DIGITS or not group.isdigit() for group in rest):
            return None
        whole = "".join(groups)
    if not whole and not fraction:
        return None
    return f"{whole or '0'}.{fraction}" if fraction else whole


def _shape(text: str) -> tuple[str, _Shape] | None:
    """The sign and both readings of a text, or None when it is no number of this kind."""
    amount = without_currency(text)
    if not _SHAPE.match(amount):
        return None
    sign = "-" if amount[0] in "-\u2212" else ""
    body = amount.lstrip(_SIGNS)
    marks = [ch for ch in body if ch in ".,"]
    strong = len(set(marks)) == 2 or len(marks) > 1
    comma, dot = _read_with(body, ","), _read_with(body, ".")
    if comma is None and dot is None:
        return None  # no number either way (5 5, 1,2,3): left to the plain reading and its message
    return sign, _Shape(comma, dot, strong)


def is_localized(value: Any, number: Any) -> bool:
    """Whether a number cast read this cell as ``number`` from a local format (separators, a decimal
    comma, a currency sign) rather than from plain digits: :func:`bulkprep.prepare.prepare` lists such
    cells in its ``changes``. ``1.234`` read as 1234 (a German column) is one of them.

    Example:
        >>> cells = (("1.234,50", 1234.5), ("$5", 5), ("1.234", 1234), ("12.5", 12.5))
        >>> [is_localized(value, number) for value, number in cells]
        [True, True, True, False]
    """
    if not isinstance(value, str) or number is None or isinstance(number, bool) or _shape(value) is None:
        return False
    text = value.strip()
    return not PLAIN_NUMBER.match(text) or Decimal(text) != Decimal(str(number))


def localized_cells(raw: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Which cells a number cast read from a local format (:func:`is_localized`), column-wise.

    A plain number (``12.5``, ``-3``) read as itself is no change, told apart column-wise: its text
    and its number are the same double exactly when the cast read it as written (``1.234`` read as
    1234 is not). Only the other cells are looked at one by one.
    """
    plain = np.fromiter(
        (type(cell) is str and type(number) in (int, float) for cell, number in zip(raw, kept, strict=True)),
        bool,
        len(raw),
    )
    if plain.any():
        matched = pd.Series(raw[plain], dtype=object).str.fullmatch(PLAIN_NUMBER.pattern)
        plain[plain] = matched.to_numpy(dtype=bool)
    changed = np.zeros(len(raw), dtype=bool)
    if plain.any():
        written = pd.to_numeric(pd.Series(raw[plain], dtype=object)).to_numpy(dtype="float64")
        read = np.array([float(number) for number in kept[plain]], dtype="float64")
        changed[plain] = written != read
    rest = np.flatnonzero(~plain)
    changed[rest] = np.fromiter(map(is_localized, raw[rest], kept[rest]), bool, len(rest))
    return changed


class _Convention(NamedTuple):
    decimal: str | None
    conflict: str | None = None


def _mark_name(mark: str) -> str:
    return "a decimal comma" if mark == "," else "a decimal dot"


def _convention(
    shapes: dict[int, tuple[str, _Shape]], values: list[Any], decimal: str | None, name: str | None
) -> _Convention:
    if decimal is not None:
        return _Convention(decimal)
    for strong in (True, False):
        evidence: dict[str, int] = {}
        for i, (_, shape) in shapes.items():
            mark = shape.proves
            if mark is not None and shape.strong == strong:
                evidence.setdefault(mark, i)
        if len(evidence) == len(DECIMAL_MARKS):
            where = f"column {name!r}" if name else "the column"
            comma, dot = (str(values[evidence[mark]]).strip() for mark in DECIMAL_MARKS)
            return _Convention(
                None,
                f"{where} has both {comma} (decimal comma) and {dot} (decimal dot), so its numbers "
                f'cannot be read one way; set decimal: "," or "." on the column in the mapping, or fix '
                f"the values that differ",
            )
        if evidence:
            return _Convention(next(iter(evidence)))
    return _Convention(None)


def _finish(text: str, *, whole: bool, value: Any) -> tuple[Any, str | None]:
    number = Decimal(text)
    if not whole:
        return float(number), None
    if number != number.to_integral_value():
        return None, (
            f"expected a whole number such as 42 (cast: int), got {value!r}; round it in the source, or "
            f"map the column with cast: float"
        )
    return int(number), None


def read_numbers(
    values: list[Any], *, whole: bool, decimal: str | None = None, name: str | None = None
) -> list[tuple[Any, str | None] | None]:
    """Each value read as a number by the column's decimal mark: (number, None), (None, why not), or
    None for a value that is no text of digits and separators (left to the plain reading).

    Args:
        values: the column's distinct values.
        whole: ``cast: int`` (True) or ``cast: float``.
        decimal: the mapping's decimal mark (``","`` or ``"."``), or None to decide from the column.
        name: the column's name, for the message of a column proving both marks.

    Example:
        >>> print(read_numbers(["1.234,50", "1.5"], whole=False)[1][1])  # doctest: +ELLIPSIS
        expected a number with a decimal comma (cast: float; the column writes them so: 1.234,50), ...
        >>> print(read_numbers(["1,234"], whole=False)[0][1])  # doctest: +ELLIPSIS
        expected a number (cast: float), got the ambiguous '1,234': it reads as 1234 or 1.234, and ...
    """
    shapes = {
        i: found for i, value in enumerate(values) if isinstance(value, str) and (found := _shape(value))
    }
    convention = _convention(shapes, values, decimal, name)
    cast = "int" if whole else "float"
    proof = {
        mark: next((str(values[i]).strip() for i, (_, s) in shapes.items() if s.proves == mark), None)
        for mark in DECIMAL_MARKS
    }
    where = f"column {name!r}" if name else "the column"
    out: list[tuple[Any, str | None] | None] = [None] * len(values)
    for i, (sign, shape) in shapes.items():
        value = values[i]
        readings = dict(zip(DECIMAL_MARKS, (shape.comma, shape.dot), strict=True))
        if convention.decimal is not None:
            reading = readings[convention.decimal]
            if reading is None:
                how = (
                    f'cast: {cast}, decimal: "{decimal}"'
                    if decimal is not None
                    else f"cast: {cast}; {where} writes them so: {proof[convention.decimal]}"
                )
                out[i] = (
                    None,
                    f"expected a number with {_mark_name(convention.decimal)} ({how}), got {value!r}; "
                    f'fix the value, or set decimal: "," or "." on the column in the mapping',
                )
            else:
                out[i] = _finish(sign + reading, whole=whole, value=value)
            continue
        distinct = {reading for reading in readings.values() if reading is not None}
        if not distinct:
            continue  # neither mark reads it (198.51.100.10): left to the plain reading, which refuses it
        if convention.conflict is not None and (len(distinct) > 1 or shape.proves is not None):
            out[i] = (None, convention.conflict)  # a reading that needs the mark the column cannot tell
            continue
        if len(distinct) == 1:
            out[i] = _finish(sign + distinct.pop(), whole=whole, value=value)
            continue
        if whole:
            whole_readings = [r for r in distinct if Decimal(r) == Decimal(r).to_integral_value()]
            if len(whole_readings) == 1:
                out[i] = _finish(sign + whole_readings[0], whole=whole, value=value)
                continue
        first, second = (
            format(Decimal(sign + r).normalize(), "f") for r in (shape.dot, shape.comma) if r is not None
        )
        out[i] = (
            None,
            f"expected a number (cast: {cast}), got the ambiguous {value!r}: it reads as {first} or "
            f'{second}, and no number of the column tells which; set decimal: "," or "." on the '
            f"column in the mapping",
        )
    return out
