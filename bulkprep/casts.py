"""The casts a mapped column may ask for, each run once per distinct value of the column.

A value that fails its cast becomes missing, with a message saying what was expected and how to fix
it (:meth:`bulkprep.mapping.Mapping.apply` turns each into a ``cast_failed`` row):

- ``int``: whole numbers (``42``, ``3.0``); ``3.5`` fails, and so does scientific notation such as
  ``2.02555E+09`` or ``2,02555E+09`` (a spreadsheet rounded it: :func:`bulkprep.courier.looks_scientific`),
  and anything beyond 2**53 - 1, which JSON readers cannot hold exactly (map such ids without a cast:
  they are sent as text).
- ``int`` and ``float`` read numbers as the world writes them (``1.234,50``, ``1,234.50``, ``1 234,50``,
  ``$2,500.00``), by the column's decimal mark: the mapping's ``decimal``, else the one its values
  prove (:mod:`bulkprep.numbers`); :func:`bulkprep.prepare.prepare` lists each such cell in its
  ``changes``.
- ``float``: numbers; infinity fails (JSON cannot carry it).
- ``bool``: true/false, yes/no, y/n, 1/0, in any letter case, and yes/no in other languages (ja/nein,
  oui/non, sí/no, sim/não, tak/nie, evet/hayir, да/нет, ano/ne, kyllä/ei, igen/nem...).
- ``date``: a date, as ``YYYY-MM-DD`` text, read by the column's convention (see :func:`convert`):
  ISO ``YYYY-MM-DD`` (``/`` or ``.`` separators and ``YYYYMMDD`` too) is always year, month, day; a
  column of ``M/D/YYYY`` or ``D/M/YYYY`` dates is read the way its own values prove (``3/14/2024``
  proves month-first, ``25/03/2024`` day-first), dotted ``dd.mm.yyyy`` is day-first, month names
  read themselves in English and the languages of Europe (Greek and Cyrillic too, in their
  genitive and nominative forms), abbreviated or not, with or without their dot (``4 Mar 2024``,
  ``March 14, 2024``, ``14-Mar-2024``, ``3 févr. 1990``, ``1. März 2024``,
  ``5 de marzo de 2024``, ``12 ene. 2024``: CLDR's names, :mod:`bulkprep._month_names`, and
  Austria's ``Feber``); a name that means two months in two languages (``listopada``: October in
  Croatian, November in Polish) is read in the language the column's other month names belong to
  alone (``svibnja``: Croatian), and fails when nothing in the column tells. The mapping may
  say ``dayfirst: true|false`` or give an strptime ``format``. A time part is dropped and the date
  kept, and :func:`bulkprep.prepare.prepare` lists each date whose time of day it dropped in its
  ``changes`` (:func:`timed_dates`); a day that does not exist (``31/02/2024``, ``30 févr. 1990``)
  and a two-digit year (``3/4/24``) fail, and so does a partial date (``01.2019``, ``2019-01``,
  ``March 2019``, a year alone): a date has a day, a month and a four-digit year, never a made-up day.
  JavaScript's ``Date.toString()`` text (``Tue Mar 05 2024 14:22:10 GMT+0100 (Central European
  Standard Time)``) keeps the date it writes. A year before 1800 or after 2200 is refused, naming the
  calendar it likely is (Thai Buddhist Era ``05/03/2567``, Hijri ``1445/09/05``, ROC ``113/03/11``),
  never sent as a Gregorian year; a ``format`` reads the year as written.
  A zero date (Outlook's ``0/0/00``, MySQL's ``0000-00-00``, with or
  without a zero time) says "no date": it is missing, not a failure (:func:`zero_dates`).
- ``json``: JSON text, parsed (``NaN`` and ``Infinity`` are refused: they are not JSON).
  So are numbers beyond a double's range such as ``1e999``, nesting deeper than
  :data:`bulkprep.jsonsafe.MAX_DEPTH` levels, and cells longer than one request to Courier can carry.
- ``str``: text; numbers from a typed frame become their digits (``12345.0`` becomes ``"12345"``).

Empty and blank cells are missing, never cast.

Example:
    >>> import numpy as np
    >>> values, failures = convert(np.array(["41", "", "old", "41"], dtype=object), Cast.INT)
    >>> values.tolist(), [failure.position for failure in failures]
    ([41, None, None, 41], [2])
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]  # pandas ships it

from bulkprep import _month_names, jsonsafe, numbers
from bulkprep.courier import MAX_REQUEST_BYTES, looks_scientific
from bulkprep.report import ErrorCode

__all__ = ["Cast", "CastFailure", "DateOptions", "convert", "timed_dates", "zero_dates"]

# The largest integer a JSON reader using doubles (JavaScript among them) holds exactly.
_MAX_EXACT_JSON_INT = 2**53 - 1
# Year first is year-month-day in every convention, also as Hungary writes it: 2024. 03. 04.
_ISO_DATE = re.compile(r"^(\d{4})([-/.]?|\. )(\d{1,2})\2(\d{1,2})\.?(?:[T ].*)?$")
_BOOL_WORDS: dict[str, bool] = {
    **dict.fromkeys(("true", "yes", "y", "1", "t"), True),  # t/f: PostgreSQL's booleans
    **dict.fromkeys(("false", "no", "n", "0", "f"), False),
}
# Yes and no in the languages bulkprep reads elsewhere (month names, country names), as their
# speakers answer a form's yes/no question: language -> (yes words, no words). Only words that mean
# yes or no and nothing else; a word that is yes in one language and no in another is left out
# (Albanian "jo" is no, Swedish "jo" yes; Welsh "na" is also n/a), and tests check the table so.
YES_NO: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "af": (("ja",), ("nee",)),
    "ar": (("نعم",), ("لا",)),
    "az": (("bəli", "hə"), ("xeyr",)),
    "be": (("так",), ("не",)),
    "bg": (("да",), ("не",)),
    "bn": (("হ্যাঁ",), ("না",)),
    "bs": (("da",), ("ne",)),
    "ca": (("sí",), ("no",)),
    "cs": (("ano",), ("ne",)),
    "da": (("ja",), ("nej",)),
    "de": (("ja", "wahr"), ("nein", "falsch")),
    "el": (("\u03bd\u03b1\u03b9",), ("\u03bf\u03c7\u03b9",)),
    "es": (("sí", "verdadero"), ("no", "falso")),
    "et": (("jah",), ("ei",)),
    "eu": (("bai",), ("ez",)),
    "fa": (("بله",), ("نه", "خیر")),
    "fi": (("kyllä",), ("ei",)),
    "fr": (("oui", "vrai"), ("non", "faux")),
    "gl": (("si",), ("non",)),
    "he": (("כן",), ("לא",)),
    "hi": (("हाँ", "हां"), ("नहीं",)),
    "hr": (("da",), ("ne",)),
    "hu": (("igen",), ("nem",)),
    "hy": (("այո",), ("ոչ",)),
    "id": (("ya",), ("tidak",)),
    "is": (("já",), ("nei",)),
    "it": (("sì", "vero"), ("no", "falso")),
    "ja": (("はい",), ("いいえ",)),
    "ka": (("კი",), ("არა",)),
    "kk": (("иә", "ия"), ("жоқ",)),
    "ko": (("예", "네"), ("아니요", "아니오")),
    "ky": (("ооба",), ("жок",)),
    "lt": (("taip",), ("ne",)),
    "lv": (("jā",), ("nē",)),
    "mk": (("да",), ("не",)),
    "mn": (("тийм",), ("үгүй",)),
    "ms": (("ya",), ("tidak",)),
    "nb": (("ja",), ("nei",)),
    "nl": (("ja",), ("nee",)),
    "pl": (("tak",), ("nie",)),
    "pt": (("sim", "verdadeiro"), ("não", "falso")),
    "ro": (("da",), ("nu",)),
    "ru": (("да",), ("нет",)),
    "sk": (("áno",), ("nie",)),
    "sl": (("da",), ("ne",)),
    "sr": (("da", "да"), ("ne", "не")),
    "sv": (("ja",), ("nej",)),
    "sw": (("ndiyo",), ("hapana",)),
    "th": (("ใช่",), ("ไม่",)),
    "tk": (("hawa",), ("ýok",)),
    "tr": (("evet",), ("hayır",)),
    "uk": (("так",), ("ні",)),
    "ur": (("ہاں",), ("نہیں",)),
    "uz": (("ha", "ҳа"), ("yo'q", "йўқ")),  # yo‘q, yoʻq: apostrophes are folded to '
    "vi": (("có",), ("không",)),
    "zh": (("是",), ("否",)),
}
# The apostrophes a yes/no word may be written with (Uzbek yo‘q, yoʻq, yo’q), folded to '.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bb\u02bc`\u00b4", "'"))


def _fold_bool_word(word: str) -> str:
    """A yes/no word as the table keys it: accents dropped, case folded, apostrophes straight."""
    return _fold_name(word.translate(_APOSTROPHES))


def _foreign_bool_words() -> dict[str, bool]:
    words: dict[str, bool] = {}
    for yes, no in YES_NO.values():
        words.update({_fold_bool_word(word): True for word in yes})
        words.update({_fold_bool_word(word): False for word in no})
    return words


class Cast(StrEnum):
    """The conversions a mapped column may ask for."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    JSON = "json"
    STR = "str"

    @property
    def description(self) -> str:
        """What the cast accepts and gives, in a sentence (editors show it through the mapping's schema).

        Example:
            >>> Cast.BOOL.description.startswith("yes/no, true/false, y/n or 1/0 in any letter case")
            True
        """
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: dict[Cast, str] = {
    Cast.INT: "a whole number (42, 3.0, 1,234 or 1.234 by the column's decimal mark) up to 2**53 - 1; 3.5 "
    "and scientific notation (2.02555E+09) fail",
    Cast.FLOAT: "a number (3.5, 1e3, 1,234.50, 1.234,50, 1 234,50, $2,500.00) read by the column's decimal "
    "mark or the mapping's decimal; infinity fails",
    Cast.BOOL: "yes/no, true/false, y/n or 1/0 in any letter case (or yes/no in other languages: ja/nein, "
    "oui/non, sí/no...), as true or false",
    Cast.DATE: "a date (2024-03-31, 3/31/2024, 31.03.2024, 31 Mar 2024, 3 févr. 1990, any time part "
    "dropped) read by the column's convention or the mapping's dayfirst or format, as YYYY-MM-DD text",
    Cast.JSON: "JSON text, parsed (objects, lists, numbers...); NaN, Infinity, 1e999 and nesting over 64 "
    "deep fail",
    Cast.STR: "text; numbers from a typed frame become their digits (12345.0 becomes 12345)",
}


def _blank_mask(
    values: np.ndarray, text_missing: np.ndarray | None = None, may_be_blank: np.ndarray | None = None
) -> np.ndarray:
    """True for missing cells and for text that is empty or only whitespace (column-wise).

    ``text_missing``, when given, is the missing mask of a column known to hold only text otherwise
    (a pandas string column), which spares finding the missing values and the texts again;
    ``may_be_blank``, with it, the cells that may be blank (all the blank ones, and maybe others):
    only their texts are looked at.
    """
    if text_missing is None:
        blank = jsonsafe.missing_mask(values)
        texts = np.flatnonzero(
            np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
        )
    else:
        blank = text_missing.copy()
        texts = np.flatnonzero(~text_missing if may_be_blank is None else ~text_missing & may_be_blank)
    found = values[texts]
    # A text is blank when it is empty or all whitespace (exactly when str.strip leaves nothing);
    # str.isspace mapped in C makes no new string.
    empty = np.fromiter(map(str.isspace, found), dtype=bool, count=len(found)) | (found == "")
    blank[texts[empty]] = True
    return blank


class CastFailure(NamedTuple):
    """A cell that failed its cast: its position in the column, what is wrong and how to fix it, and
    the code of the problem (``cast_failed``, or ``ambiguous_date_convention`` for a date column
    that proves both conventions)."""

    position: int
    message: str
    code: ErrorCode = ErrorCode.CAST_FAILED


def convert(
    raw: np.ndarray,
    cast: Cast | None,
    *,
    text_missing: np.ndarray | None = None,
    may_be_blank: np.ndarray | None = None,
    dates: DateOptions | None = None,
    name: str | None = None,
    decimal: str | None = None,
) -> tuple[np.ndarray, list[CastFailure]]:
    """Cast a column: the converted values (None where missing or failed) and the failures.

    Dates (``cast: date``) are read by the column's convention, decided from the column as a whole
    unless ``dates`` sets it: ISO ``YYYY-MM-DD`` is always year, month, day; of the numeric dates with
    the year last (``3/4/2024``, ``03.04.2024``), a first part above 12 proves the column day-first and
    a second part above 12 proves it month-first; with no proof, dotted dates are day-first (the
    convention where they are written) and other dates that read two ways (``03/04/2024``) fail,
    while those that read one way (``05/05/2024``, ``13/04/2024``) are kept. A column proving both
    conventions fails its two-way dates with ``ambiguous_date_convention``, one message naming the
    evidence. A month written as its name (``3 févr. 1990``) reads one way only. Two-digit years fail
    (a format with ``%y`` reads them); a time part is dropped (:func:`timed_dates` tells which cells
    had one).

    Args:
        raw: the column's cells, an object array.
        cast: the conversion, or None to keep the cells as they are (blank ones become None).
        text_missing: the missing mask of a column known to hold only text otherwise (a pandas string
            column), which spares finding its missing values and its texts again.
        may_be_blank: with ``text_missing``, the cells that may be blank (every blank one among
            them, as :func:`bulkprep.arrowtext.may_be_blank` finds them): only those are looked at.
        dates: the mapping's ``dayfirst`` or ``format`` for a date column.
        decimal: the mapping's decimal mark (``","`` or ``"."``) for a number column; None decides
            from the column (:mod:`bulkprep.numbers`).
        name: the column's name, for messages about the column as a whole.

    Example:
        >>> import numpy as np
        >>> values, failures = convert(np.array(["yes", " ", "maybe"], dtype=object), Cast.BOOL)
        >>> values.tolist()
        [True, None, None]
        >>> [(failure.position, failure.code.value) for failure in failures]
        [(2, 'cast_failed')]
        >>> failures[0].message  # doctest: +ELLIPSIS
        "expected yes/no, true/false, y/n or 1/0 (cast: bool), got 'maybe'; ..."
        >>> column = np.array(["3/14/2024", "3/4/2024 14:03", "12/1/2023"], dtype=object)
        >>> convert(column, Cast.DATE)[0].tolist()  # 3/14 proves the column month-first
        ['2024-03-14', '2024-03-04', '2023-12-01']
        >>> convert(column, Cast.DATE, dates=DateOptions(date_format="%m/%d/%Y"))[0].tolist()
        ['2024-03-14', '2024-03-04', '2023-12-01']
    """
    out = np.empty(len(raw), dtype=object)
    blank = _blank_mask(raw, text_missing, may_be_blank)
    present = np.flatnonzero(~blank)
    if cast is None:
        out[present] = raw[present]
        return out, []
    codes, distinct = _factorize(raw[present])
    if cast is Cast.DATE:
        results = _cast_date(distinct, dates or DateOptions(), name)
    elif cast in (Cast.INT, Cast.FLOAT):
        results = [
            (value, problem, ErrorCode.CAST_FAILED)
            for value, problem in _cast_number(distinct, cast, decimal, name)
        ]
    else:
        results = [(value, problem, ErrorCode.CAST_FAILED) for value, problem in _CASTS[cast](distinct)]
    values = np.empty(len(results), dtype=object)
    for j, (value, _, _) in enumerate(results):
        values[j] = value  # one by one: numpy would read a list value as a row of cells
    failed = np.fromiter((problem is not None for _, problem, _ in results), dtype=bool, count=len(results))
    out[present] = values[codes]
    bad = np.flatnonzero(failed[codes])
    failures = []
    for k in bad.tolist():
        _, problem, code = results[codes[k]]
        failures.append(CastFailure(int(present[k]), str(problem), code))
    return out, failures


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct values (1, 1.0 and True kept apart), so each is converted once."""
    if all(map(isinstance, values, repeat(str))):
        codes, uniques = pd.factorize(values)
        return codes, list(uniques)
    keys: dict[Hashable, int] = {}
    distinct: list[Any] = []
    codes = np.empty(len(values), dtype="int64")
    for i, value in enumerate(values):
        key = _unique_key(value)
        if key not in keys:
            keys[key] = len(distinct)
            distinct.append(value)
        codes[i] = keys[key]
    return codes, distinct


def _unique_key(value: Any) -> Hashable:
    """A key under which equal cells share one conversion (1 and True and 1.0 kept apart)."""
    if isinstance(value, str):
        return value
    try:
        hash(value)
    except TypeError:
        return (type(value), id(value))  # unhashable (a dict from a typed frame): converted alone
    return (type(value), value)


Converted = list[tuple[Any, str | None]]


def _cast_str(values: list[Any]) -> Converted:
    out: Converted = []
    for value in values:
        if isinstance(value, str):
            out.append((value, None))
        elif isinstance(value, float | np.floating) and float(value).is_integer():
            out.append((str(int(value)), None))
        elif isinstance(value, dict | list):
            out.append((jsonsafe.dumps(jsonsafe.clean(value)).decode(), None))
        else:
            out.append((str(jsonsafe.clean(value)), None))
    return out


def _cast_int(values: list[Any]) -> Converted:
    return [_to_int(value) for value in values]


def _to_int(value: Any) -> tuple[Any, str | None]:
    expected = "expected a whole number such as 42 (cast: int)"
    if isinstance(value, bool | np.bool_):
        return None, f"{expected}, got the yes/no value {value}; use cast: bool"
    if isinstance(value, str) and looks_scientific(value):
        return None, (
            f"{expected}, got {value!r} in scientific notation: a spreadsheet rounded it and digits may be "
            f"lost; re-export the column as text from the original source"
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return (
            None,
            f"{expected}, got {value!r}; fix the value (digits only, no separators) or clear the cell",
        )
    if not number.is_finite() or number != number.to_integral_value():
        return None, f"{expected}, got {value!r}; round it in the source, or map the column with cast: float"
    whole = int(number)
    if abs(whole) > _MAX_EXACT_JSON_INT:
        return None, (
            f"{expected}, got {value!r}, which is too large to send exactly as a JSON number; "
            f"map the column without a cast to send it as text"
        )
    return whole, None


def _cast_number(values: list[Any], cast: Cast, decimal: str | None, name: str | None) -> Converted:
    """Numbers in the column's local format (:mod:`bulkprep.numbers`), the others read plainly."""
    whole = cast is Cast.INT
    local = numbers.read_numbers(values, whole=whole, decimal=decimal, name=name)
    plain = [value for value, read in zip(values, local, strict=True) if read is None]
    plain_read = iter(_cast_int(plain) if whole else _cast_float(plain))
    out: Converted = []
    for read in local:
        if read is None:
            out.append(next(plain_read))
        elif whole and read[1] is None:
            out.append(_to_int(read[0]))  # the range check of every whole number
        else:
            out.append(read)
    return out


def _cast_float(values: list[Any]) -> Converted:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
    out: Converted = []
    for value, number in zip(values, numbers.tolist(), strict=True):
        if isinstance(value, bool | np.bool_) or np.isnan(number):
            out.append(
                (
                    None,
                    f"expected a number such as 3.5 (cast: float), got {value!r}; use a dot for "
                    f"decimals and no thousands separators, or clear the cell",
                )
            )
        elif np.isinf(number):
            out.append((None, f"expected a finite number (cast: float), got {value!r}; JSON cannot hold it"))
        else:
            out.append((number, None))
    return out


def _cast_bool(values: list[Any]) -> Converted:
    out: Converted = []
    for value in values:
        if isinstance(value, bool | np.bool_):
            out.append((bool(value), None))
            continue
        word = str(value).strip().casefold()
        if word in _BOOL_WORDS:
            out.append((_BOOL_WORDS[word], None))
        elif (folded := _fold_bool_word(word)) in _FOREIGN_BOOL_WORDS:
            out.append((_FOREIGN_BOOL_WORDS[folded], None))
        else:
            out.append(
                (
                    None,
                    f"expected yes/no, true/false, y/n or 1/0 (cast: bool), got {value!r}; "
                    f"fix the value or clear the cell",
                )
            )
    return out


# A time part after a date: ignored (``6/1/2024 14:03``, ``14:03:59``, ``2:03 PM``, ``T10:00Z``), with
# its zone as JavaScript's Date.toString() writes it too (``14:22:10 GMT+0100 (Central European Time)``).
_TIME = (
    r"(?:(?:[ T]+|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|UTC|GMT|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?))?(?:\s*\([^()]*\))?)?"
)
# Day and month in some order, then the year: 3/4/2024, 03.04.2024, 3-4-2024 (a time part allowed).
# (Czech, Slovak and German write the dotted form with a space after each dot: 2. 11. 1975.)
_NUMERIC_DATE = re.compile(rf"^(\d{{1,2}})(\.\s?|[/-])(\d{{1,2}})\2(\d{{4}}){_TIME}$")
_TWO_DIGIT_YEAR = re.compile(rf"^\d{{1,2}}([/.-])\d{{1,2}}\1\d{{2}}{_TIME}$")
_TRAILING_TIME = re.compile(rf"{_TIME}$")
_LAST_MONTH = 12
# Years a date of a user may have: outside them the text is most likely in another calendar.
_FIRST_YEAR, _LAST_YEAR = 1800, 2200
# A year of three digits first (113/03/11): Taiwan's ROC (Minguo) calendar.
_PERSIAN_UP_TO = 2040  # a Persian (Solar Hijri) year is named only while it reads as a year of a user
_SHORT_YEAR_FIRST = re.compile(rf"^(\d{{3}})([/.-])\d{{1,2}}\2\d{{1,2}}{_TIME}$")
# What exports write for "no date": Outlook 0/0/00, MySQL and WooCommerce 0000-00-00 (00:00:00).
_ZERO_DATE = re.compile(r"^0{1,4}([/.-])0{1,2}\1(?:0{2}|0{4})(?:[T ]0{1,2}:00(?::00(?:\.0+)?)?)?$")


class DateOptions(NamedTuple):
    """How a date column is read: an explicit convention, an strptime format, or neither.

    ``dayfirst`` None means "decided from the column" (see :func:`convert`); ``date_format`` wins
    over everything when given.
    """

    dayfirst: bool | None = None
    date_format: str | None = None


class _Numeric(NamedTuple):
    """A numeric date of the day/month family: its two leading parts, year and separator."""

    first: int
    second: int
    year: int
    separator: str


def zero_dates(values: np.ndarray | list[Any]) -> np.ndarray:
    """Which cells hold a zero date, an export's "no date" (``0/0/00``, ``0000-00-00 00:00:00``).

    A date cast leaves them missing instead of failing them.

    Example:
        >>> import numpy as np
        >>> zero_dates(np.array(["0/0/00", "0000-00-00", "0000-00-00 00:00:00", "1/1/2000", None])).tolist()
        [True, True, True, False, False]
    """
    return np.fromiter(
        (isinstance(value, str) and _ZERO_DATE.match(value.strip()) is not None for value in values),
        dtype=bool,
        count=len(values),
    )


# What some locales write after a date's year or its time: Croatian, Serbian, Hungarian and Latvian
# end the year with a dot (14.03.1988.), Bulgarian and Russian write г. (year), Serbian god., Lithuanian
# m., Argentina hs. after the hour, German Uhr. Dropped before the date is read.
_DATE_SUFFIX = re.compile(r"(?<=\d)(?:\.|\s*(?:г\.?|god\.|m\.|hs\.?|Uhr))$", re.IGNORECASE)


def _without_suffix(value: Any) -> Any:
    """``value`` without a locale's mark after its year or time (a dot after the year, a year word).

    Example:
        >>> _without_suffix("14. svibnja 1988."), _without_suffix("14 de marzo de 2025 18:22 hs.")
        ('14. svibnja 1988', '14 de marzo de 2025 18:22')
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    return _DATE_SUFFIX.sub("", text, count=1) if _DATE_SUFFIX.search(text) else value


def _cast_date(
    values: list[Any], options: DateOptions, name: str | None = None
) -> list[tuple[Any, str | None, ErrorCode]]:
    values = [_without_suffix(value) for value in values]
    zero = zero_dates(values)
    if zero.any():
        # "No date": missing like an empty cell, and left out of the column's convention.
        kept = [value for value, is_zero in zip(values, zero.tolist(), strict=True) if not is_zero]
        read = iter(_cast_date(kept, options, name) if kept else [])
        return [(None, None, ErrorCode.CAST_FAILED) if is_zero else next(read) for is_zero in zero.tolist()]
    if options.date_format is not None:
        return [_with_format(value, options.date_format) for value in values]
    out: list[tuple[Any, str | None, ErrorCode]] = []
    numeric: dict[int, _Numeric] = {}
    pending: list[int] = []  # spellings that are neither ISO nor numeric: parsed by pandas below
    two_ways: list[int] = []  # month names of two meanings: the column's other names may settle them
    for i, value in enumerate(values):
        iso, problem = _iso_date(value)
        out.append((iso, problem, ErrorCode.CAST_FAILED))
        if problem != _NOT_ISO:
            continue
        text = str(value).strip()
        match = _NUMERIC_DATE.match(text)
        if match:
            first, separator, second, year = match.groups()
            numeric[i] = _Numeric(int(first), int(second), int(year), separator)
        elif _TWO_DIGIT_YEAR.match(text):
            out[i] = (None, _two_digit_year_message(value), ErrorCode.CAST_FAILED)
        elif (spelt := _month_name_date(value, text)) is not None:
            out[i] = (*spelt, ErrorCode.CAST_FAILED)
            if (
                spelt[0] is None
                and (found := _spelt_date(text)) is not None
                and found[1] in _AMBIGUOUS_MONTHS
            ):
                two_ways.append(i)
        else:
            pending.append(i)
    if two_ways and (settled := _settled_months(values)):
        for i in two_ways:
            spelt = _month_name_date(values[i], str(values[i]).strip(), settled)
            if spelt is not None:
                out[i] = (*spelt, ErrorCode.CAST_FAILED)
    if numeric:
        convention = _column_convention(values, numeric, options.dayfirst, name)
        for i, parts in numeric.items():
            out[i] = _read_numeric(values[i], parts, convention, explicit=options.dayfirst is not None)
    if pending:
        _parse_spelled_dates(values, pending, options.dayfirst, out)
    return [_check_calendar(value, read) for value, read in zip(values, out, strict=True)]


def _check_calendar(value: Any, read: tuple[Any, str | None, ErrorCode]) -> tuple[Any, str | None, ErrorCode]:
    """A date read from text whose year no Gregorian date of a user has (before 1800, after 2200) is
    refused, naming the calendar it likely is, rather than sent as a Gregorian date.

    Example:
        >>> print(_check_calendar("05/03/2567", ("2567-03-05", None, ErrorCode.CAST_FAILED))[1])
        ... # doctest: +ELLIPSIS
        expected a date (cast: date), got '05/03/2567': the year 2567 looks like the Thai Buddhist Era...
    """
    iso, problem, _ = read
    if not isinstance(value, str):
        return read
    text = value.strip()
    written = None if problem is None else (_SHORT_YEAR_FIRST.match(text) or _ISO_DATE.match(text))
    numeric = None if problem is None else _NUMERIC_DATE.match(text)
    if written is not None:
        year = int(written[1])  # refused already (113/03/11, 1445-02-30): the calendar says why
    elif numeric is not None:
        year = int(numeric[4])  # 03/05/2567 is no ambiguity to settle: its year is of another calendar
    elif problem is None and isinstance(iso, str):
        year = int(iso[:4])
    else:
        return read
    if _FIRST_YEAR <= year <= _LAST_YEAR:
        return read
    return None, _calendar_message(value, year), ErrorCode.CAST_FAILED


def _calendar_message(value: Any, year: int) -> str:
    buddhist, hijri, persian, minguo = (year - 543, year + 579, year + 621, year + 1911)
    if 2400 <= year <= 2800:
        likely = f"the Thai Buddhist Era (BE {year} is {buddhist})"
    elif 1300 <= year <= 1500:
        likely = f"the Hijri calendar (AH {year} is about {hijri})"
        if persian <= _PERSIAN_UP_TO:
            likely += f" or the Persian one ({year} is {persian})"
    elif year < 200:
        likely = f"Taiwan's ROC (Minguo) calendar (year {year} is {minguo})"
    else:
        likely = "another calendar, or a typing mistake"
    return (
        f"expected a date (cast: date), got {value!r}: the year {year} looks like {likely}, not a "
        f"Gregorian year from {_FIRST_YEAR} to {_LAST_YEAR}; write the date in the Gregorian calendar "
        f"as YYYY-MM-DD, or give the column a format if the year is meant as written"
    )


class _Convention(NamedTuple):
    """What a column says of its ambiguous dates: read day first, month first, or neither.

    ``conflict`` is the message for a column that proves both (None when it does not).
    """

    dayfirst: bool | None
    conflict: str | None = None


def _column_convention(
    values: list[Any], numeric: dict[int, _Numeric], dayfirst: bool | None, name: str | None
) -> _Convention:
    """The column's convention: the mapping's ``dayfirst``, else what its own values prove."""
    if dayfirst is not None:
        return _Convention(dayfirst)
    # A first part above 12 can only be a day, a second part above 12 only a day too (so the first
    # is the month); the first value of each kind (in the column's order) is the evidence shown.
    day_first = next((i for i, p in numeric.items() if p.first > _LAST_MONTH >= p.second), None)
    month_first = next((i for i, p in numeric.items() if p.second > _LAST_MONTH >= p.first), None)
    if day_first is not None and month_first is not None:
        where = f"column {name!r}" if name else "the column"
        return _Convention(
            None,
            f"{where} has both {str(values[day_first]).strip()} (day first) and "
            f"{str(values[month_first]).strip()} (month first), so its dates that read both ways "
            f"cannot be told; set dayfirst: true or false (or a format) on the column in the mapping, "
            f"or write the dates as YYYY-MM-DD",
        )
    if day_first is not None:
        return _Convention(True)
    if month_first is not None:
        return _Convention(False)
    return _Convention(None)


def _read_numeric(
    value: Any, parts: _Numeric, convention: _Convention, *, explicit: bool
) -> tuple[Any, str | None, ErrorCode]:
    day_first = _valid_date(parts.year, parts.second, parts.first)
    month_first = _valid_date(parts.year, parts.first, parts.second)
    if explicit:
        reading = day_first if convention.dayfirst else month_first
        if reading is None:
            order = "day.month.year" if convention.dayfirst else "month/day/year"
            flag = "true" if convention.dayfirst else "false"
            return (
                None,
                (
                    f"expected a date (cast: date, dayfirst: {flag}), got {value!r}, which is no day "
                    f"read as {order}; fix the value, or the column's dayfirst in the mapping"
                ),
                ErrorCode.CAST_FAILED,
            )
        return reading, None, ErrorCode.CAST_FAILED
    readings = {reading for reading in (day_first, month_first) if reading is not None}
    if not readings:
        return (
            None,
            (f"expected a date (cast: date), got {value!r}, a day that does not exist; fix the value"),
            ErrorCode.CAST_FAILED,
        )
    if len(readings) == 1 or parts.first == parts.second:
        return readings.pop(), None, ErrorCode.CAST_FAILED  # it reads one way only
    if convention.conflict is not None:
        return None, convention.conflict, ErrorCode.AMBIGUOUS_DATE_CONVENTION
    dayfirst = convention.dayfirst
    if dayfirst is None and parts.separator.startswith("."):
        dayfirst = True  # dotted dates (dd.mm.yyyy) are day-first wherever they are written
    if dayfirst is None:
        return (
            None,
            (
                f"expected a date (cast: date), got the ambiguous {value!r}: it reads as {month_first} or "
                f"{day_first}, and no date of the column tells which; write it as YYYY-MM-DD, or set "
                f"dayfirst: true or false on the column in the mapping"
            ),
            ErrorCode.CAST_FAILED,
        )
    return (day_first if dayfirst else month_first), None, ErrorCode.CAST_FAILED


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _two_digit_year_message(value: Any) -> str:
    return (
        f"expected a date with a four-digit year (cast: date), got {value!r}: a two-digit year could "
        f"be of any century; write the year in full (2024), or give the column a format such as "
        f'"%m/%d/%y" in the mapping'
    )


def _with_format(value: Any, date_format: str) -> tuple[Any, str | None, ErrorCode]:
    native, problem = _iso_date(value)
    if problem is None and not isinstance(value, str):
        return native, None, ErrorCode.CAST_FAILED  # a date already (a typed frame): no text to read
    text = str(value).strip()
    for candidate in (text, _TRAILING_TIME.sub("", text, count=1)):
        try:
            return (
                dt.datetime.strptime(candidate, date_format).date().isoformat(),
                None,
                ErrorCode.CAST_FAILED,
            )
        except ValueError:
            continue
    return (
        None,
        (
            f"expected a date written as {date_format!r} (cast: date, format), got {value!r}; fix the value, "
            f"or the column's format in the mapping"
        ),
        ErrorCode.CAST_FAILED,
    )


# -- dates with a month name: 3 févr. 1990, 1. März 2024, 5 de marzo de 2024, March 14, 2024 -------
def _name_table(text: str) -> dict[str, tuple[int, frozenset[str]]]:
    """Name -> its month and the languages that have it, from the table's ``name month langs`` lines."""
    table: dict[str, tuple[int, frozenset[str]]] = {}
    for line in text.splitlines():
        name, month, languages = line.rsplit(" ", 2)
        table[name] = (int(month), frozenset(languages.split(",")))
    return table


_MONTHS: dict[str, tuple[int, frozenset[str]]] = _name_table(_month_names.MONTHS)
# A name that means two months in two languages: name -> "month:languages ..." as the table writes it.
_AMBIGUOUS_MONTHS: dict[str, str] = dict(line.split(" ", 1) for line in _month_names.AMBIGUOUS.splitlines())
_WEEKDAYS: frozenset[str] = frozenset(_month_names.WEEKDAYS.splitlines())
_MONTH_NAMES_EN = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_WORD = r"[^\W\d_]+"
_WEEKDAY = rf"(?:(?P<weekday>{_WORD})\.?,?\s+)?"
# After the day: 1. (German), 1er (French), 1st/2nd/3rd/14th (English), 1º (Spanish, folded to o).
_ORDINAL = r"(?:\.|er|st|nd|rd|th|o)?"
_BETWEEN = r"[\s\-/.,]*"
_FILLER = r"(?:(?:de|del|of)\s+)?"  # 5 de marzo de 2024, the 14th of March 2024
_ELISION = r"(?:d['\u2019]\s?)?"  # Catalan elides de before a vowel: 5 d'agost de 2024, 1 d’abril
_SPELT_DATES = tuple(
    re.compile(pattern + _TIME + "$", re.IGNORECASE)
    for pattern in (
        rf"^{_WEEKDAY}(?P<day>\d{{1,2}}){_ORDINAL}{_BETWEEN}{_FILLER}{_ELISION}(?P<month>{_WORD})\.?{_BETWEEN}"
        rf"{_FILLER}(?P<year>\d{{4}})",
        rf"^{_WEEKDAY}(?P<month>{_WORD})\.?{_BETWEEN}(?P<day>\d{{1,2}}){_ORDINAL},?[\s\-/.]+(?P<year>\d{{4}})",
        rf"^(?P<year>\d{{4}})[\s\-/.]+(?P<month>{_WORD})\.?[\s\-/.]+(?P<day>\d{{1,2}})\.?",
    )
)


def _fold_name(text: str) -> str:
    """Text with its accents dropped and its case folded, as the month table keys its names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("ı", "i")


_FOREIGN_BOOL_WORDS = _foreign_bool_words()


def _spelt_date(text: str) -> tuple[re.Match[str], str] | None:
    """The match of a date written with a month's name and that name (folded), or None."""
    folded = _fold_name(text)
    for pattern in _SPELT_DATES:
        match = pattern.match(folded)
        if match is None:
            continue
        weekday = match.groupdict().get("weekday")
        if weekday is not None and weekday not in _WEEKDAYS:
            continue
        word = match["month"]
        if word in _AMBIGUOUS_MONTHS or word in _MONTHS:
            return match, word
    return None


def _meanings(word: str) -> dict[int, frozenset[str]]:
    """The months an ambiguous name means, each with its languages: ``lis`` -> {10: {hr}, 11: {cs, pl}}."""
    found: dict[int, frozenset[str]] = {}
    for meaning in _AMBIGUOUS_MONTHS[word].split():
        month, languages = meaning.split(":")
        found[int(month)] = frozenset(languages.split(","))
    return found


def _settled_months(values: list[Any]) -> dict[str, int]:
    """The ambiguous month names of a column that its other month names settle: name -> month.

    A column is written in one language: one that has every month name of the column. A name of
    two meanings (``listopada``: October in Croatian, November in Polish) takes the meaning whose
    languages are the only ones left (``svibnja`` beside it is Croatian alone); when none or both
    are left (``May``, or ``svibnja`` and ``maja`` together), the name stays refused.

    Example:
        >>> _settled_months(["3. listopada 2020", "5. svibnja 2022"])
        {'listopada': 10}
        >>> _settled_months(["3 listopada 2020", "5 maja 2022"])  # Polish (and Slovak) May
        {'listopada': 11}
        >>> _settled_months(["3. listopada 2020", "5 März 2022"])  # German: no language of either
        {}
    """
    words: set[str] = set()
    for value in values:
        if isinstance(value, str) and (spelt := _spelt_date(value.strip())) is not None:
            words.add(spelt[1])
    languages = {
        word: _MONTHS[word][1] if word in _MONTHS else frozenset().union(*_meanings(word).values())
        for word in words
    }
    settled: dict[str, int] = {}
    for word in words & _AMBIGUOUS_MONTHS.keys():
        if len(words) < 2:
            break  # the name alone: nothing tells
        left = frozenset.intersection(*languages.values())
        months = {month for month, spoken in _meanings(word).items() if spoken & left}
        if len(months) == 1:
            settled[word] = months.pop()
    return settled


def _month_name_date(
    value: Any, text: str, settled: Mapping[str, int] | None = None
) -> tuple[str | None, str | None] | None:
    """A date written with its month's name, read whatever the language: (ISO date, None) or (None,
    why not); None when the text is not a day, a month name and a four-digit year.

    The names are CLDR's (:mod:`bulkprep._month_names`), in English and the languages of Europe, wide
    or abbreviated, with or without their dot. A name meaning two months in two languages (``lis``,
    October in Croatian and November in Czech and Polish) is refused unless ``settled`` (the
    column's :func:`_settled_months`) gives its month, and so is a day that does not exist
    (``30 févr. 1990``).

    Example:
        >>> [_month_name_date(t, t) for t in ("3 févr. 1990", "1. März 2024", "March 14, 2024")]
        [('1990-02-03', None), ('2024-03-01', None), ('2024-03-14', None)]
        >>> _month_name_date("4 lis 2024", "4 lis 2024")[1]  # doctest: +ELLIPSIS
        "expected a date (cast: date), got '4 lis 2024': 'lis' names October (hr) or November (cs, pl)..."
        >>> _month_name_date("4 lis 2024", "4 lis 2024", {"lis": 10})
        ('2024-10-04', None)
        >>> _month_name_date("Q3 2024", "Q3 2024") is None
        True
    """
    spelt = _spelt_date(text)
    if spelt is None:
        return None
    match, word = spelt
    if word in _AMBIGUOUS_MONTHS:
        if settled is None or word not in settled:
            return None, _ambiguous_month_message(value, word)
        month = settled[word]
    else:
        month = _MONTHS[word][0]
    reading = _valid_date(int(match["year"]), month, int(match["day"]))
    if reading is None:
        return (
            None,
            f"expected a date (cast: date), got {value!r}, a day that does not exist; fix the value",
        )
    return reading, None


def _ambiguous_month_message(value: Any, word: str) -> str:
    meanings = []
    for meaning in _AMBIGUOUS_MONTHS[word].split():
        month, languages = meaning.split(":")
        meanings.append(f"{_MONTH_NAMES_EN[int(month) - 1]} ({languages.replace(',', ', ')})")
    return (
        f"expected a date (cast: date), got {value!r}: {word!r} names {' or '.join(meanings)}, "
        f"depending on the language; write the date as YYYY-MM-DD, or give the column a format"
    )


# A date cell's time of day: a time part after the date that is not midnight (08:15, 2:03 PM).
_TIME_OF_DAY = re.compile(r"(?:[ T]|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp]\.?[Mm]\.?)?")


def timed_dates(values: np.ndarray | list[Any]) -> np.ndarray:
    """Which cells give a time of day besides their date (``2021-05-01 08:15``): a date cast keeps
    the date and drops the time, and :func:`bulkprep.prepare.prepare` lists each such cell in its
    ``changes``, so that the time is never lost silently. Midnight (``2021-05-01 00:00:00``,
    ``12:00 AM``) is no time of day: an export writes it for a plain date.

    Example:
        >>> import numpy as np
        >>> cells = ["2021-05-01 08:15", "2021-05-01 00:00:00", "3/14/2024 2:03 PM", "2021-05-01", None]
        >>> timed_dates(np.array(cells, dtype=object)).tolist()
        [True, False, True, False, False]
    """
    cells = np.asarray(values, dtype=object)
    try:
        codes, distinct = pd.factorize(cells)  # once per distinct value, as the cast reads them
    except TypeError:  # an unhashable cell (a dict from a typed frame): each cell alone
        return np.fromiter((_has_time_of_day(value) for value in cells), dtype=bool, count=len(cells))
    timed = np.fromiter((_has_time_of_day(value) for value in distinct), dtype=bool, count=len(distinct))
    return np.append(timed, False)[codes]  # code -1 (a missing cell) reads the extra False


def _has_time_of_day(value: Any) -> bool:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return bool(value.time() != dt.time())
    if not isinstance(value, str):
        return False
    match = _TIME_OF_DAY.search(value.strip())
    if match is None:
        return False
    hour, minute, second, fraction, half = match.groups()
    midnight = int(hour) in ((12,) if half and half[0] in "Aa" else (0,))
    return not (midnight and int(minute) == 0 and int(second or 0) == 0 and int(fraction or 0) == 0)


def _parse_spelled_dates(
    values: list[Any],
    pending: list[int],
    dayfirst: bool | None,
    out: list[tuple[Any, str | None, ErrorCode]],
) -> None:
    """Spellings other than ISO and numbers (``4 Mar 2024``): parsed all at once, both ways.

    A date is kept when both readings agree (or the mapping's ``dayfirst`` chooses), so that an
    ambiguous spelling is refused rather than silently guessed.
    """
    partial = {i: _partial_date_message(values[i]) for i in pending}
    for i, message in partial.items():
        if message is not None:
            out[i] = (None, message, ErrorCode.CAST_FAILED)
    pending = [i for i in pending if partial[i] is None]
    texts = [str(values[i]).strip() for i in pending]
    month_first = _parse_dates(texts, dayfirst=False)
    day_first = _parse_dates(texts, dayfirst=True)
    for i, text, a, b in zip(pending, texts, month_first, day_first, strict=True):
        chosen = a if dayfirst is None or not dayfirst else b
        if chosen is not None and (a == b or dayfirst is not None):
            out[i] = (chosen, None, ErrorCode.CAST_FAILED)
        elif a is not None and b is not None:
            out[i] = (
                None,
                f"expected a date (cast: date), got the ambiguous {values[i]!r}: it reads as "
                f"{a} or {b}; write it as YYYY-MM-DD, or set dayfirst: true or false on the column "
                f"in the mapping",
                ErrorCode.CAST_FAILED,
            )
        else:
            out[i] = (
                None,
                f"expected a date such as 2024-03-31 (cast: date), got {text!r}; "
                f"write it as YYYY-MM-DD or clear the cell",
                ErrorCode.CAST_FAILED,
            )


_NOT_ISO = "not an ISO date"


def _iso_date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date().isoformat(), None
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        return None, _NOT_ISO
    year, _, month, day = match.groups()
    try:
        return dt.date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return None, f"expected a date (cast: date), got {value!r}, a day that does not exist; fix the value"


# Month and year without a day: 01.2019, 1/2019, 2019-01, 2019/1 (a day cannot be made up).
_MONTH_YEAR = re.compile(r"^(?:\d{1,2}[/.-]\d{4}|\d{4}[/.-]\d{1,2})$")
# Two far-apart defaults: a field the text lacks takes the default, so the two readings differ.
_PROBE_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2004, 2, 2))
_FIRST_FULL_YEAR = 1000  # a reading before this year lacked a four-digit year


def _partial_date_message(value: Any) -> str | None:
    """Why a spelt date is not a whole date (no day, month or year: ``March 2019``), else None."""
    text = str(value).strip()
    if _MONTH_YEAR.match(text):
        missing = "a day is"
    else:
        try:
            first, second = (dateutil_parser.parse(text, default=d) for d in _PROBE_DEFAULTS)
        except (ValueError, OverflowError):
            return None  # not a spelling this probe reads: pandas decides below
        lacking = [
            name
            for name, a, b in (
                ("a day", first.day, second.day),
                ("a month", first.month, second.month),
                ("a four-digit year", first.year, second.year),
            )
            if a != b
        ]
        if not lacking:
            return None
        missing = " and ".join(lacking) + (" are" if len(lacking) > 1 else " is")
    return (
        f"expected a whole date (cast: date), got {value!r}, which has no day, month and year together "
        f"({missing} missing); write the full date as YYYY-MM-DD or clear the cell"
    )


def _parse_dates(texts: list[str], *, dayfirst: bool) -> list[str | None]:
    try:
        parsed = pd.to_datetime(pd.Series(texts), format="mixed", dayfirst=dayfirst, errors="coerce")
        return [_whole_date(t) for t in parsed]
    except (ValueError, OverflowError):
        pass  # mixed time zones refuse to share one column: read each text alone
    dates: list[str | None] = []
    for text in texts:
        try:
            stamp = pd.to_datetime(text, format="mixed", dayfirst=dayfirst)
        except (ValueError, OverflowError):
            dates.append(None)
            continue
        dates.append(_whole_date(stamp))
    return dates


def _whole_date(stamp: Any) -> str | None:
    """A parsed stamp as ISO text; None for no date, and for a year before 1000 (a missing year)."""
    if pd.isna(stamp) or stamp.year < _FIRST_FULL_YEAR:
        return None
    return str(stamp.date().isoformat())


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# A JSON cell longer than one request to Courier can carry could never be sent: refused unparsed.
MAX_JSON_CHARS = MAX_REQUEST_BYTES
_SHOWN_CHARS = 60  # how much of a refused JSON cell its message quotes


def _cast_json(values: list[Any]) -> Converted:
    return [_to_json(value) for value in values]


def _to_json(value: Any) -> tuple[Any, str | None]:
    expected = "expected JSON text (cast: json)"
    if not isinstance(value, str):
        problem = jsonsafe.unsendable(value)  # a dict or number from a typed frame
        return (value, None) if problem is None else (None, f"{expected}, got {_shown(value)}: {problem}")
    if len(value) > MAX_JSON_CHARS:
        return None, (
            f"{expected}, got {len(value):,} characters, more than one request to Courier can carry "
            f"({MAX_REQUEST_BYTES:,} bytes); shorten the cell"
        )
    # Nesting is measured before parsing: the parser recurses, and thousands of levels exhaust its stack.
    if (
        value.count("[") + value.count("{") > jsonsafe.MAX_DEPTH
        and jsonsafe.text_depth(value) > jsonsafe.MAX_DEPTH
    ):
        problem = f"it nests lists and objects more than {jsonsafe.MAX_DEPTH} deep"
        return None, f"{expected}, got {_shown(value)}: {problem}; flatten the value"
    try:
        parsed = json.loads(value, parse_constant=_refuse_constant)
    except ValueError as exc:
        return None, (
            f'expected JSON text such as {{"key": "value"}} (cast: json): {exc}; '
            f"fix the cell (double quotes around keys and text)"
        )
    problem = jsonsafe.unsendable(parsed)
    if problem is not None:  # 1e999 parses as infinity, which JSON cannot carry
        return None, f"{expected}, got {_shown(value)}: {problem}; fix the value or clear the cell"
    return parsed, None


def _shown(value: Any) -> str:
    """``repr`` of a value for a message, cut so that a huge cell does not make a huge message."""
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else f"{shown[:_SHOWN_CHARS]}... ({len(shown):,} characters)"


_CASTS: dict[Cast, Callable[[list[Any]], Converted]] = {
    Cast.STR: _cast_str,
    Cast.INT: _cast_int,
    Cast.FLOAT: _cast_float,
    Cast.BOOL: _cast_bool,
    Cast.JSON: _cast_json,
}
