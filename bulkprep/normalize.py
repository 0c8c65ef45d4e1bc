"""Normalize email addresses and phone numbers, once per distinct value.

Email addresses are trimmed (also of no-break spaces and zero-width characters), unwrapped from
``mailto:``, ``<...>`` and ``"Name" <...>``, put in Unicode NFC form and syntax-checked (never with DNS).
Phone numbers become E.164 (``+12025550125``); a number without a country code is read in the default
region or, given each row's country (a country column: ``DE``, ``Germany``, ``Deutschland``, ``UK``),
in its row's country. Values that cannot be normalized are left as written in the targets and reported
in the error table (stage ``validate``); every value that did change is listed in the ``changes`` table,
so nothing is altered silently.

Both normalizers are costly per call, so each distinct raw value is normalized once (a phone number
once per distinct country it is read in) and the outcome mapped back to every row that holds it.
The plainly written values are decided column-wise (:mod:`bulkprep._accel`); when the values left
to the libraries are many, they are decided on several processes (:mod:`bulkprep._pool`;
``BULKPREP_WORKERS=1`` keeps them in this one), with the same outcomes.

Example:
    >>> import pandas as pd
    >>> targets = pd.DataFrame(
    ...     {"profile.email": [" Ann@Example.COM", "ann@"], "profile.phone_number": ["(202) 555-0125", None]},
    ...     index=pd.Index([2, 3], name="bulk_row"), dtype="object")
    >>> result = normalize(targets)
    >>> result.targets.to_dict("list")
    {'profile.email': ['Ann@example.com', 'ann@'], 'profile.phone_number': ['+12025550125', None]}
    >>> result.changes[["bulk_row", "field", "normalized"]].to_dict("records")
    [{'bulk_row': 2, 'field': 'profile.email', 'normalized': 'Ann@example.com'}, \
{'bulk_row': 2, 'field': 'profile.phone_number', 'normalized': '+12025550125'}]
    >>> result.errors[["bulk_row", "code"]].to_dict("records")
    [{'bulk_row': 3, 'code': 'invalid_email'}]
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from collections.abc import Mapping as AbcMapping
from itertools import repeat
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote

import email_validator
import numpy as np
import pandas as pd
import phonenumbers

from bulkprep import _accel, _pool
from bulkprep._accel.textops import INVISIBLE, contains, without
from bulkprep.countries import region_of, regions_of
from bulkprep.courier import IDENTITY_FIELDS, looks_scientific
from bulkprep.errors import ConfigurationError
from bulkprep.report import ErrorCode, concat_errors, errors_where
from bulkprep.status import Stage

__all__ = [
    "CHANGE_COLUMNS",
    "EMAIL_TARGETS",
    "PHONE_TARGETS",
    "RESULT_COLUMNS",
    "Normalized",
    "normalize",
    "normalize_emails",
    "normalize_phones",
]

#: Targets holding an email address.
EMAIL_TARGETS: tuple[str, ...] = tuple(path for path, kind in IDENTITY_FIELDS.items() if kind == "email")
#: Targets holding a phone number.
PHONE_TARGETS: tuple[str, ...] = tuple(path for path, kind in IDENTITY_FIELDS.items() if kind == "phone")
#: Columns of what :func:`normalize_emails` and :func:`normalize_phones` return.
RESULT_COLUMNS: tuple[str, ...] = ("normalized", "code", "message")
#: Columns of the ``changes`` table.
CHANGE_COLUMNS: tuple[str, ...] = ("bulk_row", "field", "column", "original", "normalized")

# (normalized, code, message) for one distinct raw value.
_Outcome = tuple[str | None, str | None, str | None]
_MISSING_OUTCOME: _Outcome = (None, None, None)

_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))  # removed from addresses (see textops.INVISIBLE)

# `"Ann Smith" <ann@example.com>`, `Ann <ann@example.com>` and `<ann@example.com>`: the last <...> wins.
_ANGLE_ADDRESS = re.compile(r"(?P<name>.*)<(?P<address>[^<>]*)>", re.DOTALL)
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
_TEL = re.compile(r"tel:", re.IGNORECASE)
# A label before the number, as contact lists and reports write it: "Phone: ", "Tel.: ", "Mobile: ",
# "Tél : ", "Work phone: ". One or two words of letters, an optional dot, a colon, then the number.
# A fax number is no phone to text or call, so "Fax:" stays and the number is refused.
_LABEL = re.compile(
    r"(?P<label>(?!(?:tele)?fax\b)[^\W\d_]{1,15}(?: [^\W\d_]{1,15})?\.?) ?: *(?=[+(\d])", re.IGNORECASE
)
# A phone word before the number without a colon ("Tel. 0152 ...", "Tel 0152 ...", "Mob 0171 ..."):
# only these words, as any word would let "Fax 030 ..." or a name pass for a label.
_BARE_LABEL = re.compile(r"(?:tel|tél|tlf|mob|mobil|handy)\.? *(?=[+(\d])", re.IGNORECASE)

# A whole number that went through a float column on its way here: 2025550125.0.
_FLOATIFIED = re.compile(r"(?P<number>\+?\d+)[.,]0+")
_FIX_TYPE = "check that the mapping reads the phone column, and that the column holds phone numbers"


class Normalized(NamedTuple):
    """What :func:`normalize` returns.

    Attributes:
        targets: a copy of the targets with each valid email and phone number normalized; invalid
            values are left as written.
        changes: one row per value that changed (columns :data:`CHANGE_COLUMNS`).
        errors: the error table of the values that could not be normalized (stage ``validate``).
    """

    targets: pd.DataFrame
    changes: pd.DataFrame
    errors: pd.DataFrame


class _HasColumnOf(Protocol):
    """Anything that names the source column of a target, such as :class:`bulkprep.mapping.Mapping`."""

    def column_of(self, target: str) -> str | None: ...


def _trim(text: str) -> str:
    """Drop invisible characters anywhere and whitespace (no-break spaces included) at both ends."""
    return text.translate(_INVISIBLE).strip()


# Decides the clearly valid values among the distinct ones, column-wise: (accepted, normalized).
_FastPath = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The code of each row's value (-1 where missing) and the distinct values (object array)."""
    try:
        codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    except TypeError:  # unhashable cells (a dict or list from a json cast): compare them by their text
        hashable = values.map(lambda v: v if isinstance(v, Hashable) else repr(v))
        codes, uniques = pd.factorize(hashable.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _fast_verdicts(
    jobs: list[tuple[_FastPath, np.ndarray]], *, pooled: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[fast(values) for fast, values in jobs]``, on several processes when the values are many.

    A fast path decides each value on its own, so the values are cut into pieces of about equal
    size, decided in :mod:`bulkprep._pool`'s workers and put back together: the verdicts are the
    serial ones. Each fast path is first used here, on no values, so that the check of its corpus
    (:func:`bulkprep._accel.checked_first_use`) runs once, before the fork, and the workers know
    its outcome.
    """
    total = sum(len(values) for _, values in jobs)
    workers = _pool.plan(total) if pooled and total >= _pool.MIN_COLUMN_VALUES else 1
    if workers == 1:
        return [fast(values) for fast, values in jobs]
    for fast, values in jobs:
        fast(values[:0])
    # Two pieces a worker: a slower piece does not hold the others up, and each call of a fast path
    # has a cost of its own (some tens of milliseconds), so more pieces would cost more than they save.
    size = -(-total // (workers * 2))
    pieces = [
        (job, start, min(start + size, len(values)))
        for job, (_, values) in enumerate(jobs)
        for start in range(0, max(len(values), 1), size)  # a piece for every job, an empty one too
    ]

    def decide(piece: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        job, start, stop = piece
        fast, values = jobs[job]
        return fast(values[start:stop])

    decided = _pool.outcomes(decide, pieces, count=total)
    parts: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in jobs]
    for (job, _, _), part in zip(pieces, decided, strict=True):
        parts[job].append(part)
    return [
        (np.concatenate([ok for ok, _ in found]), np.concatenate([verdicts for _, verdicts in found]))
        for found in parts
    ]


def _per_unique(
    values: pd.Series,
    outcome_of: Callable[[Any], _Outcome],
    fast: _FastPath | None = None,
    *,
    pooled: bool = False,
    settle: Callable[[list[np.ndarray], np.ndarray], None] | None = None,
) -> pd.DataFrame:
    """Decide each distinct non-missing value once and spread the outcomes over the rows.

    ``fast`` accepts the plainly valid distinct values column-wise; ``outcome_of`` decides the rest,
    one value at a time, on several processes when they are many and ``pooled`` (``outcome_of``
    calls the libraries only: see :mod:`bulkprep._pool`). ``settle(columns, uniques)`` may then
    change, in place, the outcomes of the distinct values (the result columns, a slot each).
    """
    codes, uniques = _factorized(values)
    # One extra slot at the end holds the outcome of missing values, which the sentinel -1 picks.
    columns = [np.full(len(uniques) + 1, None, dtype=object) for _ in RESULT_COLUMNS]
    accepted = np.zeros(len(uniques), dtype=bool)
    if fast is not None and len(uniques):
        ((accepted, normalized),) = _fast_verdicts([(fast, uniques)], pooled=pooled)
        columns[0][:-1][accepted] = normalized[accepted]
        accepted = accepted | _put_decided(columns, np.arange(len(uniques)), normalized)
    slow = np.flatnonzero(~accepted)
    if len(slow):
        left = uniques[slow].tolist()
        outcomes = _pool.outcomes(outcome_of, left) if pooled else [outcome_of(value) for value in left]
        for column, part in zip(columns, zip(*outcomes, strict=True), strict=True):
            column[slow] = part
    if settle is not None:
        settle(columns, uniques)
    spread = {name: column[codes] for name, column in zip(RESULT_COLUMNS, columns, strict=True)}
    return pd.DataFrame(spread, index=values.index, dtype="object")


def _put_decided(columns: list[np.ndarray], where: np.ndarray, verdicts: np.ndarray) -> np.ndarray:
    """Write the outcomes a fast path decided as refusals (an outcome tuple in ``verdicts``) at ``where``.

    Returns where that was (the rest, but for the accepted values, is left to the library).
    """
    decided = np.fromiter(map(isinstance, verdicts, repeat(tuple)), dtype=bool, count=len(verdicts))
    rows = np.flatnonzero(decided)
    if len(rows):
        outcomes = verdicts[rows].tolist()
        for column, part in zip(columns, zip(*outcomes, strict=True), strict=True):
            column[where[rows]] = part
    return decided


# --- email -------------------------------------------------------------------------------------------


def _unwrap_email(text: str) -> str:
    """The bare address inside ``"Name" <address>``, ``<address>`` or ``mailto:address?subject=...``."""
    angle = _ANGLE_ADDRESS.fullmatch(text)
    if angle:
        text = angle["address"].strip()
    if _MAILTO.match(text):
        # A mailto: link is a URL: its query (?subject=...) is not part of the address, and %40 is "@".
        text = unquote(text[len("mailto:") :].split("?", 1)[0]).strip()
    return text


def _email_outcome(raw: Any, validate: Callable[..., Any]) -> _Outcome:
    text = _trim(raw if isinstance(raw, str) else str(raw))
    if not text:
        return _MISSING_OUTCOME
    # NFC: the same address typed on two systems can arrive composed ("é") or decomposed ("e" + accent);
    # NFC makes both the same string, which is also the form the email standards for Unicode ask for.
    address = unicodedata.normalize("NFC", _unwrap_email(text))
    try:
        checked = validate(address, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        return None, ErrorCode.INVALID_EMAIL.value, f"{reason}; {ErrorCode.INVALID_EMAIL.hint}"
    # email-validator lower-cases the domain and keeps the local part's case.
    return str(checked.normalized), None, None


def normalize_emails(
    values: pd.Series,
    *,
    validate: Callable[..., Any] = email_validator.validate_email,
) -> pd.DataFrame:
    """Trim, unwrap, NFC-normalize and syntax-check email addresses, once per distinct value.

    What changes: whitespace (no-break spaces too) at both ends and zero-width characters anywhere are
    removed; a ``mailto:`` prefix (and its ``?subject=`` query), surrounding ``<>`` and a display name
    (``"Ann" <ann@x.com>`` gives ``ann@x.com``) are dropped; the text is put in Unicode NFC form; the
    domain is lower-cased. The local part keeps its case: it is case-sensitive in principle, so
    duplicate detection case-folds instead of changing the address. Internationalized domains stay in
    their Unicode form. No DNS lookup is ever made.

    Args:
        values: the raw addresses; missing values stay missing and are no error, and so are blank texts.
        validate: the syntax check, called as ``validate(address, check_deliverability=False)``; it
            returns an object with ``normalized`` or raises ``email_validator.EmailNotValidError``.
            A callable of the caller's own checks every distinct non-blank value, once each. With
            the default, plain addresses (an ASCII dot-atom before the ``@``) are decided
            column-wise by their domain when the fast path is on (see :mod:`bulkprep._accel`), with
            the same verdicts.

    Returns:
        A frame indexed like ``values`` with ``normalized`` (str, or None when invalid or missing),
        ``code`` (None or ``invalid_email``) and ``message`` (what is wrong and how to fix it).

    Example:
        >>> import pandas as pd
        >>> out = normalize_emails(pd.Series(["mailto:Ann@Example.COM", "ann.example.com", None]))
        >>> out["normalized"].tolist(), out["code"].tolist()
        (['Ann@example.com', None, None], [None, 'invalid_email', None])
        >>> out.loc[1, "message"]
        'An email address must have an @-sign; correct the address (it must look like name@example.com) \
or clear the cell'
    """
    # The fast path stands in for email-validator only: a caller's own check sees every value.
    ours = validate is email_validator.validate_email
    fast = _accel.email_path() if ours else None
    # A caller's own check runs here, once per value: it may count or log what it sees.
    return _per_unique(values, functools.partial(_email_outcome, validate=validate), fast, pooled=ours)


# --- phone -------------------------------------------------------------------------------------------


def _check_region(region: str | None) -> str | None:
    """The region in upper case; an unknown one raises :class:`ConfigurationError`."""
    if region is None:
        return None
    code = str(region).strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigurationError(
            f"unknown phone region {region!r}: use a two-letter country code such as 'US', 'GB' or 'DE' "
            "for numbers written without a country code, or None to require a +country code on every number"
        )
    return code


def _phone_problem(why: str, *, fix: str = ErrorCode.INVALID_PHONE.hint) -> _Outcome:
    return None, ErrorCode.INVALID_PHONE.value, f"{why}; {fix}"


def _with_plus_for_00(text: str, region: str | None) -> str:
    """``0044 20 ...`` as ``+44 20 ...`` unless ``00`` starts the region's own international prefix.

    phonenumbers knows each region's international dialling prefix (00 in most of Europe, 011 in North
    America, 0011 in Australia); 00 is so widely understood as "+" that it is accepted everywhere.
    """
    compact = re.sub(r"[\s().\-/]", "", text)
    if not compact.startswith("00"):
        return text
    if region is not None:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        prefix = metadata.international_prefix if metadata is not None else None
        if prefix and re.match(prefix, compact):
            return text
    return "+" + compact[2:]


def _phone_text(raw: Any) -> str | _Outcome:
    """The raw value as text to parse, or an outcome when there is nothing to parse."""
    if isinstance(raw, bool | np.bool_):
        return _phone_problem(f"{raw} is a yes/no value, not a phone number", fix=_FIX_TYPE)
    if isinstance(raw, int | np.integer):
        return str(int(raw))
    if isinstance(raw, float | np.floating):
        # A float column turns 2025550125 into 2025550125.0; the whole number is exact up to 2**53.
        if math.isfinite(raw) and float(raw).is_integer():
            return str(int(raw))
        return _phone_problem(f"{raw} is not a whole number, so it cannot be a phone number", fix=_FIX_TYPE)
    return _trim(raw if isinstance(raw, str) else str(raw))


def _phone_input(raw: Any) -> str | _Outcome:
    """The number as text to parse, or an outcome when there is nothing to parse.

    Drops a ``tel:`` prefix, a label (``Phone: ``, ``Tel.: ``, ``Mobile: ``, ``Tel. ``) and the ``.0`` of a
    whole number that went through a float; blank cells and values in scientific notation end here.
    """
    text = _phone_text(raw)
    if isinstance(text, tuple):
        return text
    if _TEL.match(text):  # a tel: link copied from a web page
        text = text[len("tel:") :].strip()
    elif labelled := _LABEL.match(text) or _BARE_LABEL.match(text):
        text = text[labelled.end() :]
    if not text:
        return _MISSING_OUTCOME
    if looks_scientific(text):  # 2.02555E+09: a spreadsheet rounded the number
        return (
            None,
            ErrorCode.EXCEL_MANGLED_NUMBER.value,
            f"{text} is not a phone number: {ErrorCode.EXCEL_MANGLED_NUMBER.hint}",
        )
    floatified = _FLOATIFIED.fullmatch(text)
    return floatified["number"] if floatified else text


def _phone_outcome(raw: Any, region: str | None, parse: Callable[..., Any]) -> _Outcome:
    text = _phone_input(raw)
    if isinstance(text, tuple):
        return text
    return _parsed_outcome(text, region, parse)


def _parsed_outcome(
    text: str, region: str | None, parse: Callable[..., Any], *, rows_country: bool = False
) -> _Outcome:
    """The outcome of one number's text read in ``region`` (the row's country, or the default)."""
    written, text = text, _with_plus_for_00(text, region)
    try:
        number = parse(text, region)
    except phonenumbers.NumberParseException as exc:
        dialled = _dialled_from_abroad(written, parse)
        return (dialled, None, None) if dialled is not None else _phone_problem(_parse_failure(exc, region))
    if number.extension:
        return _extension_outcome(number.extension)
    if any(char.isalpha() for char in text):
        return _phone_problem("the number contains letters", fix="write the number in digits only")
    outcome = _checked_number(number, text, region, rows_country=rows_country)
    if outcome[1] is not None and (dialled := _dialled_from_abroad(written, parse)) is not None:
        return dialled, None, None
    return outcome


# International prefixes other than 00 (which is read as + everywhere, see _with_plus_for_00), as
# people copy a number the way they dial it from North America (011), Australia (0011) or Japan (010).
_FOREIGN_INTERNATIONAL_PREFIXES: tuple[str, ...] = ("0011", "011", "010")


def _dialled_from_abroad(text: str, parse: Callable[..., Any]) -> str | None:
    """The E.164 text of a number written after a foreign international prefix, else None.

    ``011 44 7911 123468`` on a United Kingdom row is ``+447911123468``: 011 is how it is dialled
    from North America. Only for a number that reads as nothing in its own region (the caller
    tried that first): a number that is both a national number and one dialled from abroad keeps
    its national reading, and an international reading that is not a valid number is no reading.

    Example:
        >>> _dialled_from_abroad("011 44 7911 123468", phonenumbers.parse)
        '+447911123468'
        >>> _dialled_from_abroad("0011 44 7911 123468", phonenumbers.parse)
        '+447911123468'
        >>> _dialled_from_abroad("011 44 7911", phonenumbers.parse) is None
        True
    """
    compact = _SEPARATORS.sub("", text)
    prefix = next((p for p in _FOREIGN_INTERNATIONAL_PREFIXES if compact.startswith(p)), None)
    if prefix is None:
        return None
    digits = compact[len(prefix) :]
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        number = parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _parse_failure(exc: Any, region: str | None) -> str:
    """Why phonenumbers could not read a number, in words."""
    kind = exc.error_type
    failure = phonenumbers.NumberParseException
    if kind == failure.INVALID_COUNTRY_CODE:
        if region is None:
            return "the number has no country code (+...) and no default region is set"
        return "the number starts with a country code that does not exist"
    if kind == failure.NOT_A_NUMBER:
        return "this is not a phone number"
    if kind in (failure.TOO_SHORT_NSN, failure.TOO_SHORT_AFTER_IDD):
        return "the number is too short to be a phone number"
    return "the number is too long to be a phone number"


def _is_valid(number: Any, region: str | None) -> bool:
    """Whether the number exists, per phonenumbers' metadata."""
    main_region = phonenumbers.region_code_for_country_code(number.country_code)
    # When the default region is the main region of the number's code (US for +1, GB for +44), a number
    # valid there is valid, and checking one region is about five times faster than checking all that
    # share the code. Otherwise (a Canadian +1 number, say) the full check decides.
    if (
        region is not None
        and main_region == region
        and phonenumbers.is_valid_number_for_region(number, region)
    ):
        return True
    return bool(phonenumbers.is_valid_number(number))


def _checked_number(number: Any, text: str, region: str | None, *, rows_country: bool = False) -> _Outcome:
    """The E.164 text of a parsed number, or why it is not a number one can dial.

    ``rows_country``: ``region`` is the row's country, not the default region (said in the message).
    """
    if _is_valid(number, region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None, None
    digits = len(phonenumbers.national_significant_number(number))
    return _invalid_number(number.country_code, digits, text.startswith("+"), region, rows_country)


@functools.lru_cache(maxsize=4096)
def _invalid_number(
    country_code: int, digits: int, with_plus: bool, region: str | None, rows_country: bool
) -> _Outcome:
    """Why a number of ``country_code`` with ``digits`` digits after it is not one can dial.

    It depends on nothing else (phonenumbers tests a number's length, not its digits), so the
    numbers the fast path rejects column-wise get their message here too.
    """
    where = phonenumbers.region_code_for_country_code(country_code)
    where = f"+{country_code}" if where in (None, "ZZ", "001") else where
    read_as = ""
    if region is not None and not with_plus and where == region:
        # The default region was applied: say so, since a foreign number without its code lands here.
        read_as = (
            f"; numbers without a country code are read in the row's country, {region}"
            if rows_country
            else f"; numbers without a country code are read as {region} numbers"
        )
    # A number of the same length stands in for it: the length is all the test reads.
    possible = phonenumbers.is_possible_number_with_reason(
        phonenumbers.PhoneNumber(country_code=country_code, national_number=int("1" * digits))
    )
    reasons = phonenumbers.ValidationResult
    if possible == reasons.TOO_SHORT:
        return _phone_problem(f"the number is too short for a {where} number ({digits} digits{read_as})")
    if possible in (reasons.TOO_LONG, reasons.INVALID_LENGTH):
        too = "too long" if possible == reasons.TOO_LONG else "the wrong length"
        return _phone_problem(f"the number is {too} for a {where} number ({digits} digits{read_as})")
    if possible == reasons.INVALID_COUNTRY_CODE:
        return _phone_problem(f"the number starts with the unknown country code +{country_code}")
    return _phone_problem(f"the number is not a valid {where} number{read_as}")


def _as_phone_texts(values: np.ndarray) -> np.ndarray:
    """Whole numbers (int, or a float without a fraction) as the text normalize reads them as."""
    out = values.copy()
    is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    for i in np.flatnonzero(~is_text).tolist():
        text = _phone_text(values[i])
        if isinstance(text, str):
            out[i] = text
    return out


def _phone_fast(
    region: str | None, *, rows_country: bool = False, default: str | None = None
) -> _FastPath | None:
    """The phone fast path for numbers read in ``region``, its refusals as normalize's outcomes.

    ``rows_country``: ``region`` is the row's country and ``default`` the file's default region.
    Then a refusal stands only where :func:`_country_outcome` would give it as well: the digits are
    not the country's calling code and a number (that reading is tried first), and the number
    carries its own country code or is refused in the default region too (else it may be
    ambiguous). The other refusals are left to the library's path.
    """
    path = _accel.phone_path(region, code_first=rows_country)
    if path is None:
        return None

    def decide(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        texts = _as_phone_texts(uniques)
        # The number parts of the numbers with an extension ride along in the same pass.
        with_extension, numbers, extensions = _extension_parts(texts)
        every_ok, every = path(np.concatenate([texts, numbers]))
        accepted, verdicts = every_ok[: len(texts)], every[: len(texts)]
        out = np.full(len(texts), None, dtype=object)
        out[accepted] = verdicts[accepted]
        refused = np.fromiter(
            map(isinstance, verdicts, repeat(_accel.Rejected)), dtype=bool, count=len(texts)
        )
        rows = np.flatnonzero(refused)
        # A number refused in its region may be one dialled from abroad (_dialled_from_abroad),
        # which the library's path reads next: valid so, it is accepted; undecided, it is left.
        dialled = _dialled_readings(texts[rows])
        valid = np.fromiter(map(isinstance, dialled, repeat(str)), dtype=bool, count=len(rows))
        accepted[rows[valid]] = True
        out[rows[valid]] = dialled[valid]
        rows = rows[dialled == False]  # noqa: E712 (an object array of str, False and None)
        ambiguous = np.zeros(0, dtype=np.int64)
        readings = np.zeros(0, dtype=object)
        if rows_country and len(rows):
            stand, elsewhere = _refusals_stand(texts[rows], region, default)
            read = np.fromiter(map(isinstance, elsewhere, repeat(str)), dtype=bool, count=len(rows))
            ambiguous, readings = rows[read], elsewhere[read]
            rows = rows[stand]
        for row in rows.tolist():
            out[row] = _invalid_number(*verdicts[row], region, rows_country)
        for row, reading in zip(ambiguous.tolist(), readings.tolist(), strict=True):
            text = _phone_input(texts[row])
            out[row] = _ambiguous_outcome(str(text), str(region), reading, str(default))
        parts = (every_ok[len(texts) :], every[len(texts) :])
        _put_extensions(out, ~accepted & ~refused, with_extension, extensions, parts)
        return accepted, out

    return decide


# The separators people type in a number, as _with_plus_for_00 drops them.
_SEPARATORS = re.compile(r"[\s().\-/]")
# Where every text is ASCII without the control characters \s also matches, _SEPARATORS drops these.
_ASCII_SEPARATORS = " ().-/\t\n\x0b\x0c\r"
_OTHER_ASCII_SPACES = re.compile(r"[\x1c-\x1f]")


def _compact(texts: np.ndarray) -> list[str]:
    """Each phone text without its separators (``_SEPARATORS.sub("", text)``), column-wise when it can."""
    values = list(map(str, texts))
    joined = "".join(values)
    if joined.isascii() and not _OTHER_ASCII_SPACES.search(joined):
        compact: list[str] = without(pd.Series(values, dtype="object"), _ASCII_SEPARATORS).tolist()
        return compact
    return [_SEPARATORS.sub("", value) for value in values]


def _after_an_international_prefix(texts: np.ndarray) -> np.ndarray:
    """Which phone texts start, after their separators, with 00 or a foreign international prefix."""
    prefixes = ("00", *_FOREIGN_INTERNATIONAL_PREFIXES)
    return np.fromiter(map(str.startswith, _compact(texts), repeat(prefixes)), dtype=bool, count=len(texts))


def _dialled_readings(texts: np.ndarray) -> np.ndarray:
    """:func:`_dialled_from_abroad` of plainly written numbers, column-wise.

    The E.164 text where the digits after a foreign international prefix are a valid number, False
    where there is no such reading, None where the fast path cannot tell (left to the library).
    """
    out = np.full(len(texts), False, dtype=object)
    rows: list[int] = []
    numbers: list[str] = []
    compacts = _compact(texts)
    after = map(str.startswith, compacts, repeat(_FOREIGN_INTERNATIONAL_PREFIXES))
    for position in np.flatnonzero(np.fromiter(after, dtype=bool, count=len(texts))).tolist():
        compact = compacts[position]
        prefix = next(p for p in _FOREIGN_INTERNATIONAL_PREFIXES if compact.startswith(p))
        digits = compact[len(prefix) :]
        if digits.isascii() and digits.isdigit():
            rows.append(position)
            numbers.append("+" + digits)
    if not rows:
        return out
    where = np.array(rows, dtype=np.int64)
    path = _accel.phone_path(None)
    if path is None:
        out[where] = None
        return out
    accepted, verdicts = path(np.array(numbers, dtype=object))
    out[where[accepted]] = verdicts[accepted]
    open_ = ~accepted & ~np.fromiter(
        map(isinstance, verdicts, repeat(_accel.Rejected)), dtype=bool, count=len(where)
    )
    # _dialled_from_abroad reads the text _phone_input leaves: a whole number's ".0" dropped.
    written = texts[where].tolist()
    open_ |= np.fromiter(
        (_FLOATIFIED.fullmatch(_trim(str(t))) is not None for t in written), dtype=bool, count=len(where)
    )
    out[where[open_]] = None
    return out


# A plainly written number ending in a digit, then an extension as ``ext. 138``, ``x138`` or, as
# RFC 3966 writes it, ``;ext=138``: a narrow part of what phonenumbers reads as an extension, where it
# reads the digits after the label as the extension and the text before it as the number.
_PLAIN_EXTENSION = re.compile(
    r"[\t-\r ]*(?P<number>\+?[0-9 ().\-/]*[0-9])"
    r"(?:[\t ]*(?:[Ee][Xx][Tt]|[Xx])\.?[\t ]*|;[Ee][Xx][Tt]=)(?P<extension>[0-9]{1,9})[\t-\r ]*"
)
_MAX_PHONE_TEXT = 250  # phonenumbers refuses longer texts before it looks for an extension


def _extension_parts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The plainly written numbers with an extension among ``texts``: where they are, their number
    parts and their extensions.

    Such a text is never one the fast path reads itself (its label or ``;`` is no formatting), so
    its verdict is its number part's, turned into a refusal by :func:`_put_extensions`.
    """
    rows: list[int] = []
    numbers: list[str] = []
    extensions: list[str] = []
    is_text = np.fromiter(map(isinstance, texts, repeat(str)), dtype=bool, count=len(texts))
    texts_at = np.flatnonzero(is_text)
    # Every extension label holds an "x" (ext, x, ;ext=): only those texts can match the pattern.
    strings = texts[texts_at]
    labelled = texts_at[contains(strings, "x") | contains(strings, "X")]
    for row, text in zip(labelled.tolist(), texts[labelled].tolist(), strict=True):
        if len(text) <= _MAX_PHONE_TEXT and (match := _PLAIN_EXTENSION.fullmatch(text)):
            rows.append(row)
            numbers.append(match["number"])
            extensions.append(match["extension"])
    parts = np.empty(len(numbers), dtype=object)
    parts[:] = numbers
    return np.array(rows, dtype=np.int64), parts, extensions


def _put_extensions(
    out: np.ndarray,
    open_: np.ndarray,
    rows: np.ndarray,
    extensions: list[str],
    parts: tuple[np.ndarray, np.ndarray],
) -> None:
    """Decide, in ``out``, the numbers with an extension at ``rows`` that are still ``open_``, from
    the fast path's (accepted, verdicts) of their number parts.

    parse reads them (their number part is one the fast path reads as parse does, valid or not),
    and normalize refuses every number with an extension before it looks any further.
    """
    accepted, verdicts = parts
    for row, ok, verdict, extension in zip(
        rows.tolist(), accepted.tolist(), verdicts.tolist(), extensions, strict=True
    ):
        if open_[row] and (ok or verdict is not None):
            out[row] = _extension_outcome(extension)


def _extension_outcome(extension: str) -> _Outcome:
    return _phone_problem(
        f"the number has an extension ({extension}), which text messages and automated calls cannot dial",
        fix="give the person's direct or mobile number, without the extension",
    )


def _refusals_stand(
    texts: np.ndarray, region: str | None, default: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Where a number refused in its row's country ``region`` is refused by :func:`_country_outcome` too,
    and where that gives ``ambiguous_phone_region`` instead: the number's E.164 in ``default`` there.

    The fast path already read digits that start with the country's calling code as that code and a
    number first (as :func:`_country_outcome` does), and refused that reading too. A number that
    does not carry its own code is then read in the default region: refused there, the refusal
    stands; valid there, the number is ambiguous (its reading in ``default`` is returned);
    undecided there, it is left to the library's path.
    """
    stand = np.ones(len(texts), dtype=bool)
    elsewhere = np.full(len(texts), None, dtype=object)
    if default in (None, region):
        return stand, elsewhere
    # Not carrying its code (+ or 00, as _carries_country_code reads it), the number is ambiguous
    # when it is valid in the default region.
    carries = np.fromiter(
        map(str.startswith, _compact(texts), repeat(("+", "00"))), dtype=bool, count=len(texts)
    )
    in_default = _accel.phone_path(default)
    check = np.flatnonzero(~carries)
    if in_default is not None and len(check):
        _, verdicts = in_default(texts[check])
        stand[check] = np.fromiter(
            map(isinstance, verdicts, repeat(_accel.Rejected)), dtype=bool, count=len(check)
        )
        valid = np.fromiter(map(isinstance, verdicts, repeat(str)), dtype=bool, count=len(check))
        elsewhere[check[valid]] = verdicts[valid]
    elif len(check):
        stand[check] = False
    return stand, elsewhere


# --- phones read in each row's country ------------------------------------------------------------


class _Reading(NamedTuple):
    """How the numbers of some rows are read.

    ``region`` is the region numbers without a country code are read in: the default region
    (``rows_country`` False, the row's country cell is blank or there is no country column) or the
    row's country. ``country`` is set instead when the row's country cell names no country whose
    numbers phonenumbers can read: then only a number written with its country code can be read.
    """

    region: str | None
    rows_country: bool = False
    country: str | None = None


def _carries_country_code(text: str) -> bool:
    """Whether the number is written with its country code: ``+`` or ``00`` before the digits."""
    return _SEPARATORS.sub("", text).startswith(("+", "00"))


def _international_digits(text: str, region: str, parse: Callable[..., Any]) -> str | None:
    """The E.164 text when ``text`` is the row's country's calling code and a number of it, without ``+``.

    ``447400482943`` on a United Kingdom row is ``+447400482943``. This reading wins over reading
    the same digits as a national number: ``4915123456701`` on a Germany row is ``+4915123456701``,
    although ``4915123456701`` is also a possible German national number, because a national
    number is written with its trunk prefix (``0151 ...``) and a plus-less international one is
    what exports and databases write when they drop the ``+``.

    ``00`` before the code is read as ``+`` too (``0055 61 96176 7401`` on a Brazil row is
    ``+5561961767401``), even in the regions where ``00`` starts a longer international prefix
    that picks a carrier (Brazil's ``00 55``, read from within Brazil, would dial +61).
    """
    digits = _SEPARATORS.sub("", text)
    digits = digits[2:] if digits.startswith("00") else digits
    code = phonenumbers.country_code_for_region(region)
    if not (digits.isascii() and digits.isdigit() and code and digits.startswith(str(code))):
        return None
    try:
        number = parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != code or number.extension or not _is_valid(number, region):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


#: How many distinct numbers of a column must prove it holds international numbers without ``+``.
MIN_PLUSLESS_PROOF = 2


def _plusless_reading(digits: str, region: str) -> bool | None:
    """True: only ``+digits`` is a valid number, or the digits are ``region``'s calling code and a
    number of it (``51912345678`` in Peru: the column writes country codes); False: the digits read
    in ``region`` are, and mean something else (or ``+digits`` is invalid); None: neither proves
    anything (both invalid, or both the same number where the calling code is also the trunk
    prefix, such as ``14153920162`` in the US)."""
    try:
        national = phonenumbers.parse(digits, region)
        with_plus = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    national_valid = _is_valid(national, region)
    plus_valid = _is_valid(with_plus, None)
    if national_valid:
        if not (plus_valid and national == with_plus):
            return False
        return True if _writes_its_calling_code(digits, region) else None
    return True if plus_valid else None


def _writes_its_calling_code(digits: str, region: str) -> bool:
    """Whether ``digits`` start with ``region``'s calling code where no national habit puts it.

    In the US (and wherever the trunk prefix is the calling code, 1) a leading 1 is dialled at home
    too; in Peru or Germany 51 or 49 before a number is only ever its country code.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    code = str(phonenumbers.country_code_for_region(region))
    trunk = (metadata.national_prefix or "") if metadata is not None else ""
    return digits.startswith(code) and not (trunk and code.startswith(trunk))


def plusless_international(values: pd.Series, region: str | None) -> pd.Series:
    """``values`` with ``+`` before its digit-only numbers, when the column proves they are international.

    Databases store E.164 numbers without their ``+`` (``447911123465``). Read in the default region,
    such a number is too long; with ``+`` it is valid. As the date conventions are, this is decided
    per column, from the column as a whole: when at least :data:`MIN_PLUSLESS_PROOF` of its distinct
    digit-only values (no ``+``, no leading ``0``) are invalid in ``region`` and valid with a ``+``,
    and none is valid only as a number of ``region``, every digit-only value gets its ``+`` (the
    ``changes`` show each). Otherwise the column is returned as it is, so a single such number in a
    column of national numbers stays refused.

    Example:
        >>> column = pd.Series(["447911123465", "819012345671", "14153920162", None], dtype=object)
        >>> plusless_international(column, "US").tolist()
        ['+447911123465', '+819012345671', '+14153920162', None]
        >>> plusless_international(pd.Series(["447911123465", "4153920162"]), "US").tolist()
        ['447911123465', '4153920162']
    """
    if region is None or values.empty:
        return values
    digits_of: dict[Any, str] = {}
    proven = 0
    for raw in pd.unique(values.dropna().astype("object")):
        text = _phone_text(raw)
        if not (isinstance(text, str) and 8 <= len(text) <= 15 and text.isascii() and text.isdigit()):
            continue
        if text.startswith("0"):  # a trunk prefix (or 00): a national number, or one with its code
            continue
        reading = _plusless_reading(text, region)
        if reading is False:
            return values  # a national number: the column is national (and this ends it early)
        proven += reading is True
        digits_of[raw] = text
    if proven < MIN_PLUSLESS_PROOF:
        return values
    cells = values.to_numpy(dtype=object).copy()
    for position, raw in enumerate(cells.tolist()):
        digits = digits_of.get(raw) if not pd.isna(raw) else None
        if digits is not None:
            cells[position] = "+" + digits
    return pd.Series(cells, index=values.index, name=values.name, dtype="object")


def _country_outcome(raw: Any, region: str, default: str | None, parse: Callable[..., Any]) -> _Outcome:
    """A number on a row whose country is ``region``; ``default`` is the file's default region.

    A number invalid in the row's country but valid in the default region is not accepted: which
    one is meant cannot be known (a wrong country cell, or a number typed without its code), so it
    is reported with both readings. Only the default region is tried: it is the one the numbers of
    the file were read in before there was a country column, and trying every region would find
    some country for almost any string of digits.
    """
    text = _phone_input(raw)
    if isinstance(text, tuple):
        return text
    international = _international_digits(text, region, parse)
    if international is not None:
        return international, None, None
    outcome = _parsed_outcome(text, region, parse, rows_country=True)
    if outcome[1] != ErrorCode.INVALID_PHONE.value or default in (None, region):
        return outcome
    if _carries_country_code(text):  # the number says where it is: no other reading
        return outcome
    elsewhere = _parsed_outcome(text, default, parse)
    if elsewhere[1] is not None:
        return outcome
    return _ambiguous_outcome(text, region, str(elsewhere[0]), default)


def _ambiguous_outcome(text: str, region: str, reading: str, default: str) -> _Outcome:
    """A number invalid in its row's country ``region`` and valid (``reading``) in ``default``."""
    code = ErrorCode.AMBIGUOUS_PHONE_REGION
    return (
        None,
        code.value,
        f"{text} is not a valid number in {region} (the row's country), but would be {reading} "
        f"in {default} (the default region); {code.hint}",
    )


def _unknown_country_outcome(
    raw: Any, country: str, suggestions: tuple[str, ...], parse: Callable[..., Any]
) -> _Outcome:
    """A number on a row whose country cell names no country phonenumbers reads numbers in.

    A number written with ``+`` or ``00`` carries its country and is read as usual: the country
    cell does not matter for it, so it is no problem. Any other number would need the row's
    country, and is never read in the default region instead.
    """
    text = _phone_input(raw)
    if isinstance(text, tuple):
        return text
    if _carries_country_code(text):
        return _parsed_outcome(text, None, parse)
    region = region_of(country)
    code = ErrorCode.UNKNOWN_COUNTRY
    if region is not None:
        why = f"the row's country {country!r} ({region}) has no phone numbers of its own"
    else:
        close = " or ".join(repr(name) for name in suggestions)
        why = f"the row's country {country!r} is not a country name or code bulkprep knows"
        why += f" (did you mean {close}?)" if close else ""
    return None, code.value, f"{why}, so {text} cannot be read without its country code; {code.hint}"


def _readings(
    countries: pd.Series, region: str | None
) -> tuple[np.ndarray, list[_Reading], dict[str, tuple[str, ...]]]:
    """The reading of each row (a code into the distinct readings), and the unknown countries' suggestions."""
    found = regions_of(countries)
    regions = found.regions.to_numpy(dtype=object)
    readable = found.regions.isin(phonenumbers.SUPPORTED_REGIONS).to_numpy(dtype=bool)
    # "" is the default region, "XX" a region, "?cell" a country phonenumbers cannot read numbers in.
    keys = np.full(len(regions), "", dtype=object)
    keys[readable] = regions[readable]
    unreadable = found.unknown.to_numpy(dtype=bool) | (found.regions.notna().to_numpy() & ~readable)
    if unreadable.any():
        keys[unreadable] = ("?" + countries[unreadable].astype(str)).to_numpy(dtype=object)
    codes, distinct = pd.factorize(keys)
    readings = [
        _Reading(region)
        if key == ""
        else _Reading(None, country=key[1:])
        if key.startswith("?")
        else _Reading(key, rows_country=True)
        for key in distinct
    ]
    return codes, readings, found.suggestions


def _per_reading(
    values: pd.Series,
    reading_codes: np.ndarray,
    readings: list[_Reading],
    outcome_of: Callable[[Any, _Reading], _Outcome],
    fast_of: Callable[[_Reading], _FastPath | None],
    *,
    pooled: bool = False,
) -> pd.DataFrame:
    """:func:`_per_unique` for values each read their row's way: once per distinct (value, reading).

    The fast path runs once per distinct reading, over that reading's distinct values.
    """
    codes, uniques = _factorized(values)
    present = codes >= 0
    pairs = codes[present].astype(np.int64) * len(readings) + reading_codes[present]
    pair_ids, inverse = np.unique(pairs, return_inverse=True)
    value_of, reading_of = np.divmod(pair_ids, len(readings))
    # One extra slot at the end holds the outcome of missing values.
    columns = [np.full(len(pair_ids) + 1, None, dtype=object) for _ in RESULT_COLUMNS]
    accepted = np.zeros(len(pair_ids), dtype=bool)
    jobs: list[tuple[_FastPath, np.ndarray]] = []
    for position in np.unique(reading_of).tolist():
        fast = fast_of(readings[position])
        if fast is not None:
            jobs.append((fast, np.flatnonzero(reading_of == position)))
    decided = _fast_verdicts([(fast, uniques[value_of[where]]) for fast, where in jobs], pooled=pooled)
    for (_, where), (ok, normalized) in zip(jobs, decided, strict=True):
        accepted[where[ok]] = True
        columns[0][where[ok]] = normalized[ok]
        accepted[where[_put_decided(columns, where, normalized)]] = True
    slow = np.flatnonzero(~accepted)
    if len(slow):
        left = [
            (uniques[v], readings[r])
            for v, r in zip(value_of[slow].tolist(), reading_of[slow].tolist(), strict=True)
        ]
        decide = functools.partial(_pair_outcome, outcome_of)
        outcomes = _pool.outcomes(decide, left) if pooled else list(map(decide, left))
        for column, part in zip(columns, zip(*outcomes, strict=True), strict=True):
            column[slow] = part
    _refuse_dialled_elsewhere(columns, uniques[value_of], reading_of, readings)
    slots = np.full(len(values), len(pair_ids), dtype=np.int64)
    slots[present] = inverse.reshape(-1)
    spread = {name: column[slots] for name, column in zip(RESULT_COLUMNS, columns, strict=True)}
    return pd.DataFrame(spread, index=values.index, dtype="object")


def _refuse_dialled_elsewhere(
    columns: list[np.ndarray], texts: np.ndarray, reading_of: np.ndarray, readings: list[_Reading]
) -> None:
    """Refuse, in place, numbers read after a prefix their row's country does not dial with, when
    that reading is another country's number.

    ``00`` is read as ``+`` everywhere, and ``011``, ``0011`` and ``010`` are how numbers are dialled
    from North America, Australia and Japan. On a row whose country dials another way, such a reading
    is a guess: ``(006) 6802265293`` on a United States row would go out as a number in Thailand,
    ``010630368015996`` on an India row as one in the Philippines. When the number read is of the
    row's own country (``0061 4...`` on an Australia row), the guess is harmless and kept; otherwise
    the number is refused with its reading, as a number valid only in another region than its row's,
    unless it is plainly written as an international number: the prefix and the country code set
    apart from the rest (``011 44 7911 123468``, ``0044 20 7946 0958``).

    Numbers read in the default region (no country on their row) are held to the same rule for
    ``011``, ``0011`` and ``010`` (``010 5007 7497``, a Korean mobile, is no Falklands number on a
    United States default), while ``00`` stays ``+`` for them.
    """
    # Only accepted numbers read in a region, written after a prefix, are looked at one by one.
    with_region = np.array([r.region is not None for r in readings], dtype=bool)
    candidates = np.flatnonzero(with_region[reading_of] & (columns[0][: len(texts)] != None))  # noqa: E711
    candidates = candidates[_after_an_international_prefix(texts[candidates])]
    for position in candidates.tolist():
        reading = readings[reading_of[position]]
        region, normalized = str(reading.region), columns[0][position]
        written = _SEPARATORS.sub("", str(texts[position]))
        prefix = next((p for p in (*_FOREIGN_INTERNATIONAL_PREFIXES, "00") if written.startswith(p)), None)
        if prefix is None or (prefix == "00" and not reading.rows_country) or _dials_with(region, written):
            continue
        own = phonenumbers.country_code_for_region(region)
        if str(normalized).startswith(f"+{own}"):
            continue
        calling_code = int(phonenumbers.parse(str(normalized)).country_code or 0)
        if _delimits(str(texts[position]), prefix, calling_code):
            continue  # "011 44 7911 ...", "0044 20 ...": written as an international number, on purpose
        code = ErrorCode.AMBIGUOUS_PHONE_REGION
        whose = "the row's country" if reading.rows_country else "the default region"
        columns[0][position] = None
        columns[1][position] = code.value
        columns[2][position] = (
            f"{texts[position]} starts with {prefix}, which is not how numbers are dialled from "
            f"{region} ({whose}); read after it, it would be {normalized}, a number of another "
            f"country; {code.hint}"
        )


def _delimits(text: str, prefix: str, calling_code: int) -> bool:
    """Whether ``text`` writes ``prefix`` and then ``calling_code`` as a group of its own.

    Example:
        >>> _delimits("011 44 7911 123468", "011", 44), _delimits("0044-20-7946-0958", "00", 44)
        (True, True)
        >>> _delimits("(006) 6802265293", "00", 66), _delimits("010630368015996", "010", 63)
        (False, False)
    """
    separator = r"[\s().\-/]"
    pattern = rf"{separator}*{prefix}{separator}*{calling_code}(?:{separator}|$)"
    return re.match(pattern, text) is not None


def _dials_with(region: str, compact: str) -> bool:
    """Whether ``compact`` starts with the international prefix ``region`` dials (00 in most of Europe)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.international_prefix if metadata is not None else None
    return prefix is not None and re.match(prefix, compact) is not None


def _pair_outcome(outcome_of: Callable[[Any, _Reading], _Outcome], pair: tuple[Any, _Reading]) -> _Outcome:
    return outcome_of(*pair)


def normalize_phones(
    values: pd.Series,
    *,
    region: str | None = "US",
    countries: pd.Series | None = None,
    parse: Callable[..., Any] = phonenumbers.parse,
) -> pd.DataFrame:
    """Phone numbers in E.164 form (``+12025550125``), once per distinct value (and country).

    Numbers without a country code are read as numbers of ``region``, or, with ``countries``, of
    each row's country; ``00`` before a country code means ``+``; a ``tel:`` prefix is dropped.
    Refused, with a message that says why and what to do:

    - numbers with an extension (``x123``, ``ext. 123``): text messages and automated calls cannot
      dial one, and sending to the switchboard would reach the wrong person;
    - values in scientific notation (``2.02555E+09``): a spreadsheet replaced the last digits with
      zeros, so any number made from them would be someone else's (code ``excel_mangled_number``);
    - letters (``1-800-FLOWERS``), too short or too long numbers, and numbers that do not exist in
      their region.

    A whole number that went through a float (``2025550125.0``, as text or as a float) is read
    without its ``.0``: no digit is lost.

    With ``countries`` (each row's country as written: ``DE``, ``DEU``, ``Germany``,
    ``Deutschland``, ``UK``; see :func:`bulkprep.countries.region_of`), a number without a country
    code is read in its row's country, and ``region`` applies only where the country cell is blank.
    Then also:

    - the digits of a full international number of the row's country without its ``+``
      (``447400482943`` on a United Kingdom row) are read as that number (``+447400482943``),
      even where the same digits would also be a national number;
    - a number invalid in the row's country but valid in the default region is refused (code
      ``ambiguous_phone_region``) with both readings: either the country or the number is wrong;
    - a country cell naming no known country (``Atlantis``) refuses the row's number unless it is
      written with ``+`` or ``00`` (code ``unknown_country``, with the closest country names): it
      is never read in the default region instead. A number with ``+`` or ``00`` carries its own
      country and is read whatever the country cell says.

    Args:
        values: the raw numbers (text, int or float); missing values and blank texts stay missing.
        region: two-letter region for numbers without a country code (where the row's country is
            blank, with ``countries``), or None to require a country code.
        countries: each row's country, with a cell for every row of ``values`` (matched on the
            index); None reads every number in ``region``.
        parse: the parser, called as ``parse(text, region)`` like :func:`phonenumbers.parse`, once for
            each distinct value (and reading) that reaches parsing. With the default, plainly
            written numbers (digits and common formatting, maybe an extension), valid or not, are
            decided column-wise from phonenumbers' metadata when the fast path is on (see
            :mod:`bulkprep._accel`), once per distinct region, with the same verdicts and messages.

    Returns:
        A frame indexed like ``values`` with ``normalized`` (str, or None when invalid or missing),
        ``code`` (None, ``invalid_phone``, ``excel_mangled_number``, ``ambiguous_phone_region`` or
        ``unknown_country``) and ``message``.

    Raises:
        ConfigurationError: ``region`` is not a region phonenumbers knows, or ``countries`` has no
            cell for some row of ``values``.

    Example:
        >>> import pandas as pd
        >>> out = normalize_phones(pd.Series(["(202) 555-0125", "0044 20 7946 0958", "2.02555E+09", "12"]))
        >>> out["normalized"].tolist()
        ['+12025550125', '+442079460958', None, None]
        >>> out["code"].tolist()
        [None, None, 'excel_mangled_number', 'invalid_phone']
        >>> numbers = pd.Series(["3123517909", "447400482943", "3123517909", "07400 123401", "+442079460958"])
        >>> countries = pd.Series(["Italy", "UK", None, "Atlantis", "Atlantis"])
        >>> out = normalize_phones(numbers, countries=countries)
        >>> out["normalized"].tolist()
        ['+393123517909', '+447400482943', '+13123517909', None, '+442079460958']
        >>> out["code"].tolist()
        [None, None, None, 'unknown_country', None]
    """
    region = _check_region(region)
    if countries is None:
        # Without a country column, the column as a whole may prove its numbers lost their "+".
        values = plusless_international(values, region)
        # The fast path stands in for phonenumbers.parse only: a caller's own parser sees every value.
        ours = parse is phonenumbers.parse
        fast = _phone_fast(region) if ours else None
        outcome = functools.partial(_phone_outcome, region=region, parse=parse)
        if region is None:
            return _per_unique(values, outcome, fast, pooled=ours)
        readings = [_Reading(region)]

        def settle(columns: list[np.ndarray], uniques: np.ndarray) -> None:
            _refuse_dialled_elsewhere(columns, uniques, np.zeros(len(uniques), dtype=np.int64), readings)

        return _per_unique(values, outcome, fast, pooled=ours, settle=settle)
    if not countries.index.equals(values.index):
        if not values.index.isin(countries.index).all():
            # Never read a row without its country cell in the default region: say so instead.
            raise ConfigurationError(
                "countries has no cell for some rows of the phone numbers: give it the same index "
                "(the bulk_row keys of the targets, for normalize)"
            )
        countries = countries.reindex(values.index)
    reading_codes, readings, suggestions = _readings(countries, region)

    def outcome_of(raw: Any, reading: _Reading) -> _Outcome:
        if reading.country is not None:
            return _unknown_country_outcome(raw, reading.country, suggestions.get(reading.country, ()), parse)
        if reading.rows_country and reading.region is not None:
            return _country_outcome(raw, reading.region, region, parse)
        return _phone_outcome(raw, reading.region, parse)

    def fast_of(reading: _Reading) -> _FastPath | None:
        if parse is not phonenumbers.parse:
            return None
        if reading.rows_country:
            return _phone_fast(reading.region, rows_country=True, default=region)
        return _phone_fast(reading.region)

    return _per_reading(
        values, reading_codes, readings, outcome_of, fast_of, pooled=parse is phonenumbers.parse
    )


# --- targets -----------------------------------------------------------------------------------------


#: What exports and people write in an email or phone cell to say there is none (compared trimmed and
#: case-folded). ``NA`` is not among them: it can be a real value (Namibia's code, initials).
#: ``FALSE`` is how Odoo exports a field left empty; no address or number is ever that word.
PLACEHOLDERS: frozenset[str] = frozenset(
    {"n/a", "none", "null", "-", "\u2013", "\u2014", "false", "\\n"}  # MySQL's NULL in a dump (\N)
    # "None" / "not available" in the languages of the exports read: German, French, Spanish,
    # Italian, Portuguese, Dutch, Polish, Czech and Slovak, the Nordic languages, Japanese.
    | {"keine", "kein", "keine angabe", "k.a.", "aucun", "aucune", "néant", "ninguno", "ninguna"}
    | {"nessuno", "nessuna", "nenhum", "nenhuma", "geen", "n.v.t.", "brak", "brak danych", "nie ma"}
    | {"žádný", "žádné", "žiadny", "ingen", "なし", "無し", "ナシ"}
)


def placeholders(values: pd.Series) -> pd.Series:
    """Which cells hold a placeholder for "no value" (:data:`PLACEHOLDERS`), such as ``n/a`` or ``-``.

    Example:
        >>> cells = pd.Series(["n/a", " N/A ", "-", "—", "None", "NA", "+1 202 555 0125", None, 7])
        >>> placeholders(cells).tolist()
        [True, True, True, True, True, False, False, False, False]
    """
    texts = values.astype("object")
    # Only the short text cells can be one: a list or a dict has a length too, and is no placeholder.
    try:
        short = (texts.str.len() <= 12).fillna(False).to_numpy(dtype=bool, copy=True)
    except AttributeError:  # no text in the column at all (numbers from a typed frame)
        return pd.Series(False, index=values.index)
    if short.any():
        cells = texts.to_numpy()[short]
        short[short] = np.fromiter(map(isinstance, cells, repeat(str)), dtype=bool, count=len(cells))
    found = np.zeros(len(texts), dtype=bool)
    if short.any():
        found[short] = texts[short].str.strip().str.casefold().isin(PLACEHOLDERS).to_numpy(dtype=bool)
    return pd.Series(found, index=values.index)


def _nested(values: pd.Series) -> np.ndarray:
    """Which cells hold a list, a dict, a set or a tuple rather than one value."""
    if values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    cells = values.to_numpy()
    return np.fromiter(map(isinstance, cells, repeat(_NESTED_CELLS)), dtype=bool, count=len(cells))


_NESTED_CELLS = (list, dict, set, tuple)


def _nested_kept(result: pd.DataFrame, nested: np.ndarray, values: pd.Series) -> pd.DataFrame:
    """``result`` with each nested cell kept as it is, for validation to refuse (``wrong_type``)."""
    out = result.copy()
    out["normalized"] = out["normalized"].astype("object").where(~nested, values.astype("object"))
    return out


def _changes(field: str, column: str | None, original: pd.Series, normalized: pd.Series) -> pd.DataFrame:
    """Rows whose value in the targets differs (in text or in type) from what was written."""
    before = original.to_numpy(dtype=object)
    after = normalized.to_numpy(dtype=object)
    # Element-wise != on object arrays: a float 2025550125.0 differs from the text "+12025550125".
    changed = original.notna().to_numpy() & np.asarray(before != after, dtype=bool)
    rows = original.index[changed]
    return pd.DataFrame(
        {
            "bulk_row": rows.to_numpy(dtype="int64"),
            "field": pd.Series([field] * len(rows), dtype="object"),
            "column": pd.Series([column] * len(rows), dtype="object"),
            "original": pd.Series(before[changed], dtype="object"),
            "normalized": pd.Series(after[changed], dtype="object"),
        }
    )


def _empty_changes() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="object") for name in CHANGE_COLUMNS})
    frame["bulk_row"] = frame["bulk_row"].astype("int64")
    return frame


def _countries_of(field: str, countries: pd.Series | AbcMapping[str, pd.Series] | None) -> pd.Series | None:
    """The country column the phone target ``field`` is read with, if any."""
    if countries is None or isinstance(countries, pd.Series):
        return countries
    return countries.get(field)


def normalize(
    targets: pd.DataFrame,
    *,
    region: str | None = "US",
    mapping: _HasColumnOf | None = None,
    countries: pd.Series | AbcMapping[str, pd.Series] | None = None,
) -> Normalized:
    """Normalize every email target (:data:`EMAIL_TARGETS`) and phone target (:data:`PHONE_TARGETS`).

    Args:
        targets: the targets frame (indexed by ``bulk_row``, one column per target path). Not modified.
        region: the default region for phone numbers written without a country code (None: require
            one); with ``countries``, only where the row's country cell is blank.
        mapping: anything with ``column_of(target)``, used to name the source column in the tables.
        countries: each row's country as written, indexed like ``targets``: phone numbers are read
            in their row's country (see :func:`normalize_phones`). A Series applies to every phone
            target; a mapping of phone target to Series gives each target its own column (a phone
            target it does not name is read in ``region``).

    Returns:
        :class:`Normalized`: the targets with valid values normalized and invalid ones as written, the
        values that changed, and the error table (stage ``validate``) of the invalid ones.

    Raises:
        ConfigurationError: ``region`` is not a region phonenumbers knows, or a country column has
            no cell for some row of ``targets``.

    Example:
        >>> import pandas as pd
        >>> targets = pd.DataFrame({"to.phone_number": ["2025550125.0", "+12025550125"]},
        ...                        index=pd.Index([1, 2], name="bulk_row"), dtype="object")
        >>> normalize(targets).changes[["bulk_row", "original", "normalized"]].to_dict("records")
        [{'bulk_row': 1, 'original': '2025550125.0', 'normalized': '+12025550125'}]
        >>> country = pd.Series(["United Kingdom", "France"], index=targets.index)
        >>> targets = pd.DataFrame({"profile.phone_number": ["07400 123401", "2015550177"]},
        ...                        index=targets.index, dtype="object")
        >>> result = normalize(targets, countries=country)
        >>> result.targets["profile.phone_number"].tolist()
        ['+447400123401', '2015550177']
        >>> print(result.errors.loc[0, "message"])  # doctest: +NORMALIZE_WHITESPACE
        2015550177 is not a valid number in FR (the row's country), but would be +12015550177 in US
        (the default region); write the number with its country code, or correct the row's country
    """
    region = _check_region(region)
    out = targets.copy()
    changes: list[pd.DataFrame] = []
    errors: list[pd.DataFrame] = []
    for field in targets.columns:
        if field not in EMAIL_TARGETS and field not in PHONE_TARGETS:
            continue
        # A placeholder says "no value": the cell is empty (the change is listed), not a bad address.
        values = targets[field].where(~placeholders(targets[field]), None)
        # A list or a dict (from records or JSON) is no address or number: it is not normalized but
        # kept, and validation makes it the row's problem (wrong_type, saying what the cell holds).
        nested = _nested(values)
        kept = values
        if nested.any():
            values = values.where(~nested, None)
        if field in EMAIL_TARGETS:
            result = normalize_emails(values)
        else:
            of_field = _countries_of(field, countries)
            result = normalize_phones(values, region=region, countries=of_field)
        if nested.any():
            result = _nested_kept(result, nested, kept)
        original = targets[field].astype("object")
        valid = result["code"].isna()
        out[field] = result["normalized"].where(valid, original).astype("object")
        column = mapping.column_of(field) if mapping is not None else None
        changes.append(_changes(field, column, original[valid], result["normalized"][valid]))
        for code in result["code"].dropna().unique():
            errors.append(
                errors_where(
                    result["code"] == code,
                    stage=Stage.VALIDATE,
                    field=field,
                    column=column,
                    code=code,
                    message=result["message"],
                    values=original,
                )
            )
    found = [part for part in changes if len(part)]
    table = pd.concat(found, ignore_index=True) if found else _empty_changes()
    table = table.sort_values("bulk_row", kind="stable").reset_index(drop=True)
    return Normalized(out, table[list(CHANGE_COLUMNS)], concat_errors(errors))
