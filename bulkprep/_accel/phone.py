"""Decide the plainly written phone numbers of a column with phonenumbers' own metadata, column-wise.

``phonenumbers.parse`` and ``is_valid_number`` cost tens of microseconds per number, and in a users
file nearly every number is distinct. Most numbers, though, are written plainly: digits with spaces,
dashes, dots, parentheses or slashes, maybe a leading ``+``. For those, parsing comes down to a few
steps that can be done on the whole column:

- ``+`` then digits: the country code is the first 1 to 3 digits that name a calling code, the rest
  is the national significant number (NSN);
- digits alone: the default region's calling code, and the digits are the NSN;
- ``00`` then digits: read as ``+``, as normalize reads it, unless ``00`` starts a longer international
  prefix of the default region (Brazil's ``00 55`` picks a carrier); where the region's prefix is
  ``00`` itself, ``parse`` strips it and reads the rest as after a ``+``.

phonenumbers would change the digits of some numbers (strip a national prefix such as the ``0`` of
``+49 (0)171 ...``, an international prefix, or the default region's calling code written without
``+``); those numbers are not decided here. Validity follows ``is_valid_number`` step by step: the
region of the number (for calling codes shared by several regions, the first region whose leading
digits match, or else whose rules know the number), then the general description (possible lengths
and pattern), then any number type. Each rule is one regular-expression pass over a group's distinct
NSNs.

:func:`plain_numbers` only ever accepts. :func:`plain_verdicts` also reports the numbers it reads
exactly as parse does and finds invalid (:class:`Rejected`: calling code, length, written with
``+``), which is all normalize's message about them depends on; any other number is left to the
per-value path, which gives phonenumbers' own verdict and a message.

Example:
    >>> accepted, e164 = plain_numbers(
    ...     np.array(["(202) 555-0125", "+44 20 7946 0958", "+49 (0)151 23456789", "12"], dtype=object),
    ...     "US")
    >>> accepted.tolist(), e164.tolist()
    ([True, True, True, False], ['+12025550125', '+442079460958', '+4915123456789', None])
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import PhoneMetadata

from bulkprep._accel.textops import contains, first_of, fullmatches, lengths, sliced, starts, without

__all__ = ["Rejected", "plain_numbers", "plain_verdicts"]

# ASCII whitespace at the ends (which str.strip removes), an optional "+", then digits and the
# formatting people type, all of which phonenumbers ignores.
_PLAIN = r"[\t-\r ]*\+?[0-9 ().\-/]+[\t-\r ]*"
_FORMATTING = " ().-/\t\n\x0b\x0c\r"
# A whole number that went through a float column (2025550125.0), as normalize reads it.
_FLOATIFIED = r"[\t-\r ]*(?P<number>\+?[0-9]+)\.0+[\t-\r ]*"
_MAX_INPUT = 250  # phonenumbers refuses longer texts
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' limits on the national significant number
# The number-type descriptions is_valid_number tries after the general one, any of which makes a
# number valid (mobile only counts when its pattern differs from the fixed-line one).
_TYPES = (
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def _matching(nsns: np.ndarray, nsn_lengths: np.ndarray, desc: Any) -> np.ndarray:
    """``_is_number_matching_desc`` for every NSN (of these lengths): a possible length, then the pattern."""
    hit = np.zeros(len(nsns), dtype=bool)
    if desc is None or not desc.national_number_pattern:
        return hit
    candidates = np.ones(len(nsns), dtype=bool)
    if desc.possible_length:
        candidates = np.isin(nsn_lengths, desc.possible_length)
    if candidates.any():
        hit[candidates] = fullmatches(nsns[candidates], desc.national_number_pattern)
    return hit


def _known_type(nsns: np.ndarray, nsn_lengths: np.ndarray, metadata: Any) -> np.ndarray:
    """True where ``_number_type_helper`` would not say UNKNOWN (each rule tried only where needed)."""
    known = _matching(nsns, nsn_lengths, metadata.general_desc)
    descs = [getattr(metadata, name) for name in _TYPES]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.insert(1, metadata.mobile)  # most numbers are mobile or fixed line: try those first
    undecided = known.copy()
    known[:] = False
    for position, desc in enumerate(descs):
        if not undecided.any():
            break
        if position == 2:
            # Most numbers are of the first two types; of the rest, one pass of every remaining type's
            # pattern at once drops those of no type (most invalid numbers), which would otherwise
            # take one pass per type.
            patterns = [
                d.national_number_pattern for d in descs[2:] if d is not None and d.national_number_pattern
            ]
            where = np.flatnonzero(undecided)
            combined = "|".join(f"(?:{pattern})" for pattern in patterns)
            undecided[where[~fullmatches(nsns[where], combined)] if patterns else where] = False
        where = np.flatnonzero(undecided)
        hit = _matching(nsns[where], nsn_lengths[where], desc)
        known[where[hit]] = True
        undecided[where[hit]] = False
    return known


def _valid(country_code: int, nsns: np.ndarray, region: str | None) -> np.ndarray:
    """What normalize's validity check says for these NSNs of one calling code."""
    valid = np.zeros(len(nsns), dtype=bool)
    nsn_lengths = lengths(nsns)
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
    if region is not None and regions[0] == region:
        # normalize first asks whether the number is valid for the default region itself.
        valid = _known_type(nsns, nsn_lengths, PhoneMetadata.metadata_for_region(region))
    # Then is_valid_number: the number's region, then the number's type in that region.
    undecided = np.flatnonzero(~valid)
    first = 0
    if region is not None and regions[0] == region and _leading_digits(region) is None:
        first = 1  # the default region's rules were just tried, and would be tried again the same way
    if len(regions) == 1:
        metadata = PhoneMetadata.metadata_for_region(regions[0])
        if first == 0 and metadata is not None:
            valid[undecided] = _known_type(nsns[undecided], nsn_lengths[undecided], metadata)
        return valid
    while first < len(regions) and len(undecided):
        metadata = PhoneMetadata.metadata_for_region(regions[first])
        if metadata is None:
            first += 1
            continue
        if metadata.leading_digits is None:
            part = nsns[undecided]
            in_region = _known_type(part, nsn_lengths[undecided], metadata)
            valid[undecided[in_region]] = True
            undecided = undecided[~in_region]
            first += 1
            continue
        # A run of regions known by their leading digits: the first whose digits match is the
        # number's region (one pass for the run), and its rules alone decide.
        run: list[str] = []
        while first < len(regions) and _leading_digits(regions[first]) is not None:
            run.append(regions[first])
            first += 1
        owner = _owners(nsns[undecided], run)
        for position, code in enumerate(run):
            mine = undecided[owner == position]
            if len(mine):
                mine_metadata = PhoneMetadata.metadata_for_region(code)
                valid[mine] = _known_type(nsns[mine], nsn_lengths[mine], mine_metadata)
        undecided = undecided[owner == -1]
    return valid


def _leading_digits(region: str) -> str | None:
    metadata = PhoneMetadata.metadata_for_region(region)
    return None if metadata is None else metadata.leading_digits


def _owners(nsns: np.ndarray, run: list[str]) -> np.ndarray:
    """For each NSN, the position in ``run`` of the first region whose leading digits match, or -1."""
    patterns = [str(_leading_digits(code)) for code in run]
    if all(re.compile(pattern).groups == 0 for pattern in patterns):
        return first_of(nsns, patterns)
    owner = np.full(len(nsns), -1, dtype=np.int64)
    for position, pattern in enumerate(patterns):  # a pattern with groups of its own: one at a time
        open_ = owner == -1
        hit = starts(nsns[open_], pattern)
        owner[np.flatnonzero(open_)[hit]] = position
    return owner


def _starts_with(texts: pd.Series, pattern: str | None) -> np.ndarray:
    """``re.match(pattern, text)`` for every text (False for no pattern)."""
    if not pattern or texts.empty:
        return np.zeros(len(texts), dtype=bool)
    return starts(texts, pattern)


def _prefix_is_00(texts: pd.Series, pattern: str | None) -> np.ndarray:
    """Where ``re.match(pattern, text)`` matches exactly ``00`` (False for no pattern or no match)."""
    if not pattern or texts.empty:
        return np.zeros(len(texts), dtype=bool)
    found = texts.str.extract(f"^(?P<prefix>{pattern})")["prefix"]
    return (found == "00").to_numpy(dtype=bool)


def _put(texts: pd.Series, positions: np.ndarray, values: pd.Series) -> pd.Series:
    """A copy of ``texts`` with ``values`` at ``positions``."""
    out = texts.to_numpy(dtype=object, copy=True)
    out[positions] = values.to_numpy(dtype=object)
    return pd.Series(out, index=texts.index, dtype="object")


def _fullmatch(texts: pd.Series, pattern: str | None) -> np.ndarray:
    """``_match_national_number`` for every text: the whole text matches (False for no pattern)."""
    if not pattern or texts.empty:
        return np.zeros(len(texts), dtype=bool)
    return fullmatches(texts, pattern)


def _without_national_prefix(nsns: pd.Series, metadata: Any) -> tuple[pd.Series, np.ndarray]:
    """The digits as ``parse`` leaves them after its national-prefix step, and where that is mirrored.

    ``parse`` strips a match of ``national_prefix_for_parsing`` (the ``0`` of ``0171 ...``) unless the
    digits fit the general pattern only with it, and then keeps the stripped digits only when their
    length is possible for the region; otherwise the digits stay as written (``078 397 64 3``, a Swiss
    number a digit short, keeps its ``0``: its national significant number is all nine digits). A
    region with a transform rule (Argentina's, Brazil's) rewrites the digits instead where the rule's
    last group takes part in the match (``0351 15 ...`` becomes ``9 351 ...``), by the same tests;
    where it does not (the plain ``0`` of Japan's ``090-...``), the prefix is stripped as in any
    region. A transform rule with a pattern without groups makes the library's step fail: those
    digits are left undecided (False).
    """
    decided = np.ones(len(nsns), dtype=bool)
    pattern = metadata.national_prefix_for_parsing
    if not pattern or nsns.empty:
        return nsns, decided
    matched = _starts_with(nsns, pattern)
    if not matched.any():
        return nsns, decided
    rows = np.flatnonzero(matched)
    original = nsns.iloc[rows]
    # re.match(pattern) finds the same prefix when any remainder may follow it.
    rest = original.str.extract(f"^(?:{pattern})(?P<rest>.*)")["rest"].astype("object")
    failing = np.zeros(len(rows), dtype=bool)
    if metadata.national_prefix_transform_rule:
        rewritten = _rewritten(original, pattern)
        compiled = re.compile(pattern)
        if not compiled.groups:
            failing = rewritten
        elif rewritten.any():
            # parse's own step: re.sub replaces the first match, which is the one at the start.
            rule = metadata.national_prefix_transform_rule
            written = original.to_numpy(dtype=object)[rewritten].tolist()
            rest = _put(
                rest,
                np.flatnonzero(rewritten),
                pd.Series([compiled.sub(rule, text, count=1) for text in written]),
            )
    general = metadata.general_desc
    kept_as_written = _fullmatch(original, general.national_number_pattern) & ~_fullmatch(
        rest, general.national_number_pattern
    )
    rest_lengths = pd.Series(lengths(rest))
    possible = general.possible_length
    # _test_number_length of the stripped digits: stripping stands unless too short, possible only
    # locally, or of an impossible length within the range.
    stands = ~rest_lengths.isin(general.possible_length_local_only) & (
        rest_lengths.isin(possible) | rest_lengths.gt(max(possible, default=-1))
    )
    use_rest = ~kept_as_written & stands.to_numpy(dtype=bool) & ~failing
    decided[rows[failing]] = False
    return _put(nsns, rows[use_rest], rest[use_rest]), decided


def _rewritten(texts: pd.Series, pattern: str) -> np.ndarray:
    """Where ``parse`` applies a region's transform rule: the last group of ``pattern`` takes part
    (every text, for a pattern without groups)."""
    compiled = re.compile(pattern)
    if not compiled.groups:
        return np.ones(len(texts), dtype=bool)
    found = map(compiled.match, texts.to_numpy(dtype=object))
    return np.fromiter(
        (m is None or m.group(compiled.groups) is not None for m in found), dtype=bool, count=len(texts)
    )


def _split_international(digits: pd.Series) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Calling code and NSN of digits written after a ``+``; False where phonenumbers would differ."""
    found_codes = np.zeros(len(digits), dtype=np.int64)
    widths = np.zeros(len(digits), dtype=np.int64)
    known = list(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    # More than 2 digits are needed after the "+"; then the first three digits as one number.
    head = sliced(digits, None, 3)
    open_ = lengths(head) == 3
    first = np.where(open_, pd.to_numeric(head.where(open_, "0")).to_numpy(dtype=np.int64), 0)
    open_ &= first >= 100  # a calling code never starts with 0
    for width, prefix in ((1, first // 100), (2, first // 10), (3, first)):
        found = open_ & np.isin(prefix, known)
        found_codes[found], widths[found] = prefix[found], width
        open_ &= ~found
    decided = found_codes > 0
    nsns = pd.Series("", index=digits.index, dtype="object")
    for width in (1, 2, 3):
        rows = np.flatnonzero(widths == width)
        nsns = _put(nsns, rows, sliced(digits.iloc[rows], width))
    codes = pd.Series(found_codes, index=digits.index)
    main_regions = {code: regions[0] for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()}
    main = codes.map(main_regions).fillna(phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY).astype("object")
    decided &= (main != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY).to_numpy(dtype=bool)
    # parse strips a national prefix after the calling code (+49 (0)171 ...) by the main region's rules.
    region_codes, regions = pd.factorize(main.to_numpy(dtype=object))
    for position in pd.unique(region_codes[decided]):
        rows = np.flatnonzero(decided & (region_codes == position))
        metadata = PhoneMetadata.metadata_for_region(regions[position])
        stripped, ok = _without_national_prefix(nsns.iloc[rows], metadata)
        nsns = _put(nsns, rows, stripped)
        decided[rows] &= ok
    return codes, nsns, decided


def _too_long(nsn_lengths: np.ndarray, general: Any) -> np.ndarray:
    """Where ``_test_number_length`` says TOO_LONG, step by step: not a local-only length, not the
    first possible length nor under it, and over the last one."""
    possible = list(general.possible_length)
    if not possible:  # no metadata of lengths: parse would fail, so nothing is too long here
        return np.zeros(len(nsn_lengths), dtype=bool)
    local = np.isin(nsn_lengths, list(general.possible_length_local_only))
    too_long: np.ndarray = ~local & (nsn_lengths > possible[0]) & (nsn_lengths > possible[-1])
    return too_long


def _split_national(digits: pd.Series, metadata: Any) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """NSN of digits written without ``+`` in the default region; False where not mirrored here.

    Also where the digits start with the region's calling code (those a row's country reads as
    that code and a number first).
    """
    # Fewer than 3 digits may not even be read as a number; an international prefix (011 ...) is
    # stripped by parse.
    decided = lengths(digits) >= 3
    decided &= ~_starts_with(digits, metadata.international_prefix)
    starts_with_code = decided & starts(digits, str(metadata.country_code))
    general = metadata.general_desc.national_number_pattern
    code = str(metadata.country_code)
    # The region's own calling code without "+" (1 212 555 0123 in the US): parse drops it when the
    # digits fit the general pattern only without it, or are too long for the region; otherwise it
    # reads all the digits as a national number. Where a national prefix follows the code, parse
    # strips it before that test: those are left undecided.
    with_code = np.flatnonzero(starts_with_code)
    written = digits.iloc[with_code]
    potential = sliced(written, len(code))
    prefixed = _starts_with(potential, metadata.national_prefix_for_parsing)
    drop = ~_fullmatch(written, general) & _fullmatch(potential, general)
    drop |= _too_long(lengths(written), metadata.general_desc)
    drop &= ~prefixed
    nsns = _put(digits, with_code[drop], potential[drop])
    decided[with_code[prefixed]] = False
    if not metadata.general_desc.possible_length:  # parse's length test has nothing to go on
        decided[with_code] = False
    # Other digits, and those the code was not dropped from: only the national prefix (0 ...) may
    # be stripped.
    others = np.flatnonzero(decided)
    others = others[~np.isin(others, with_code[drop])]
    stripped, ok = _without_national_prefix(digits.iloc[others], metadata)
    nsns = _put(nsns, others, stripped)
    decided[others] &= ok
    return nsns, decided, starts_with_code


def _code_first(
    accepted: np.ndarray, verdicts: np.ndarray, rows: np.ndarray, digits: pd.Series, region: str
) -> None:
    """Put, in place, the verdicts of ``digits`` (at ``rows``) read first as ``region``'s calling code
    and a number: that number where valid, the national reading where it is refused, else undecided.
    """
    read = np.asarray(("+" + digits).to_numpy(dtype=object), dtype=object)
    valid, international = plain_verdicts(read, region)
    refused = np.fromiter(map(isinstance, international, repeat(Rejected)), dtype=bool, count=len(read))
    accepted[rows[valid]] = True
    verdicts[rows[valid]] = international[valid]
    open_ = rows[~valid & ~refused]
    accepted[open_] = False
    verdicts[open_] = None


class Rejected(NamedTuple):
    """A number read exactly as ``phonenumbers.parse`` reads it, and invalid by ``is_valid_number``'s rules.

    What normalize's message about an invalid number needs, and nothing else: the calling code, the
    length of the national significant number, and whether the text normalize parses starts with
    ``+`` (``00`` is written as ``+`` unless it starts the default region's international prefix).
    """

    country_code: int
    digits: int
    with_plus: bool


def plain_numbers(values: np.ndarray, region: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Which ``values`` are valid plainly written numbers, and their E.164 form.

    Args:
        values: distinct raw values as text (anything else is left undecided).
        region: the default region (upper case, known to phonenumbers), or None.

    Returns:
        A boolean array (True: decided valid here) and an object array with the E.164 text where
        accepted, None elsewhere. False means "not decided", never "invalid".
    """
    accepted, verdicts = plain_verdicts(values, region)
    verdicts[~accepted] = None
    return accepted, verdicts


def plain_verdicts(
    values: np.ndarray, region: str | None, *, code_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`plain_numbers`, with the plainly written invalid numbers decided too.

    ``code_first``: digits that start with the region's calling code are read as that code and a
    number before anything else (as normalize reads the numbers of a row's country): that number
    where it is valid, else (it is refused) the digits' national reading, else undecided.

    Returns:
        A boolean array (True: valid) and an object array holding the E.164 text where valid, a
        :class:`Rejected` where the number is read exactly as phonenumbers reads it and is not
        valid, and None where nothing is decided (the library's path decides those).

    Example:
        >>> texts = np.array(["(202) 555-0125", "(211) 555-0125", "+1 202", "202-555-0125 x1"], dtype=object)
        >>> accepted, verdicts = plain_verdicts(texts, "US")
        >>> accepted.tolist()
        [True, False, False, False]
        >>> for verdict in verdicts.tolist():
        ...     print(verdict)
        +12025550125
        Rejected(country_code=1, digits=10, with_plus=False)
        Rejected(country_code=1, digits=3, with_plus=True)
        None
    """
    accepted = np.zeros(len(values), dtype=bool)
    verdicts = np.full(len(values), None, dtype=object)
    with_plus = np.zeros(len(values), dtype=bool)
    is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    texts = pd.Series(values[is_text], index=np.flatnonzero(is_text), dtype="object")
    texts = texts[fullmatches(texts, _PLAIN)]
    texts = texts[lengths(texts) <= _MAX_INPUT]
    # Formatting and the whitespace around the number dropped: the digits, maybe after a "+".
    compact = without(texts, _FORMATTING)
    floatified = contains(texts, ".")  # the float form needs a dot: only those texts are matched
    floatified[floatified] = fullmatches(texts[floatified], _FLOATIFIED)
    if floatified.any():
        number = texts[floatified].str.extract(_FLOATIFIED)["number"]
        compact = _put(compact, np.flatnonzero(floatified), number)
    plus = starts(compact, r"\+")
    metadata = PhoneMetadata.metadata_for_region(region) if region is not None else None
    idd = metadata.international_prefix if metadata is not None else None
    # "00" means "+" unless it starts the region's international prefix (normalize reads it so).
    double_zero = starts(compact, "00")
    zero = np.flatnonzero(double_zero)
    own = _starts_with(compact.iloc[zero], idd)
    # The text normalize parses starts with "+" where it was written so, or where normalize writes
    # "00" as "+" (not where "00" starts the region's own prefix, which parse strips itself).
    with_plus[texts.index.to_numpy()[plus]] = True
    with_plus[texts.index.to_numpy()[zero[~own]]] = True
    # parse strips the region's own prefix and reads the rest as after a "+": the same reading
    # where that prefix is the "00" alone (most of Europe), not where it picks a carrier (00 55 in BR).
    own[own] = ~_prefix_is_00(compact.iloc[zero[own]], idd)
    double_zero[zero[own]] = False
    international = pd.concat([sliced(compact[plus], 1), sliced(compact[double_zero], 2)])
    codes, nsns, decided = _split_international(international.astype("object"))
    codes, nsns = codes[decided], nsns[decided]

    national = compact[~plus & ~double_zero]
    with_code = np.zeros(len(national), dtype=bool)
    if metadata is not None and len(national):
        national_nsns, ok, with_code = _split_national(national.astype("object"), metadata)
        codes = pd.concat([codes, pd.Series(metadata.country_code, index=national.index[ok])])
        nsns = pd.concat([nsns, national_nsns[ok]])
    nsn_lengths = lengths(nsns)
    sized = (nsn_lengths >= _MIN_NSN) & (nsn_lengths <= _MAX_NSN)
    codes, nsns, nsn_lengths = codes[sized], nsns[sized].astype("object"), nsn_lengths[sized]
    for code in pd.unique(codes):
        rows = (codes == code).to_numpy(dtype=bool)
        group = nsns[rows]
        inverse, distinct = pd.factorize(group.to_numpy(dtype=object))
        valid = _valid(int(code), np.asarray(distinct, dtype=object), region)[inverse]
        where = group.index.to_numpy()
        accepted[where[valid]] = True
        verdicts[where[valid]] = (f"+{code}" + group[valid]).to_numpy(dtype=object)
        _reject(verdicts, int(code), where[~valid], nsn_lengths[rows][~valid], with_plus)
    if code_first and region is not None and with_code.any():
        _code_first(accepted, verdicts, national.index.to_numpy()[with_code], national[with_code], region)
    return accepted, verdicts


def _reject(
    verdicts: np.ndarray, code: int, where: np.ndarray, digits: np.ndarray, with_plus: np.ndarray
) -> None:
    """Put a :class:`Rejected` at ``where``, one shared object per length and ``+`` (few of each)."""
    plus = with_plus[where]
    for length in np.unique(digits).tolist():
        for written in (False, True):
            rows = where[(digits == length) & (plus == written)]
            if len(rows):
                one = np.empty(1, dtype=object)  # a tuple put as one object, not spread as a sequence
                one[0] = Rejected(code, length, written)
                verdicts[rows] = one
