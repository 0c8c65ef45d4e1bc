"""Which 8-bit code page a text file that is not UTF-8 was saved in, told by how plausible its words read.

Spreadsheets save "CSV" in the code page of the machine: Windows-1252 in Western Europe and the
Americas, Windows-1250 in Central Europe, Windows-1254 in Turkey, MacRoman from Excel on a Mac. The
bytes do not say which, but the text does: each candidate decodes the words holding a byte above
0x7f, and a word scores when its accented letters all belong to one language's alphabet (``Łódź``
is Polish, ``Öberg`` Swedish), and loses when they belong to none, when a symbol sits between
letters (``Wa³êsa``, or MacRoman's ``Núñez`` read as Windows-1252, with a dash for its ``ñ``), when
a capital follows a small letter (``JosŽ``) or when a byte means nothing in the code page; the
reading whose words one alphabet fits the most of scores more again. Windows-1252, the old
default, wins every tie; Latin-1 takes its place for a file with a byte Windows-1252 leaves
undefined, as before.

Example:
    >>> guess_code_page("Łódź;Wałęsa;Żaneta".encode("cp1250")).codec
    'cp1250'
    >>> guess_code_page("Ay\\u015fe;Y\\u0131lmaz;Do\\u011fan".encode("cp1254")).codec
    'cp1254'
    >>> guess_code_page("José;Núñez;Peña".encode("mac_roman")).codec
    'mac_roman'
    >>> guess_code_page("Renée;Müller;Ångström".encode("cp1252")).codec
    'cp1252'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Final

__all__ = ["CANDIDATES", "CodePageGuess", "guess_code_page", "plausibility"]

CANDIDATES: Final[tuple[str, ...]] = ("cp1252", "cp1250", "cp1254", "mac_roman")
"""The code pages :func:`guess_code_page` chooses among, in order of preference when they tie."""

SAMPLE_BYTES: Final = 1 << 20  # the head of the file whose words are looked at
MAX_WORDS: Final = 5000  # distinct words scored, the most frequent first
TIE: Final = 0.5  # scores this close read the file alike well

# A word holding a byte above 0x7f: ASCII letters and such bytes around it.
_WORD: Final = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")

# The accented letters of the languages written in these code pages (small letters).
_ALPHABETS: Final[tuple[str, ...]] = (
    "àâæçéèêëîïôùûüÿœ",  # French
    "äöüß",  # German
    "áéíñóúü",  # Spanish
    "áâãàçéêíóôõú",  # Portuguese
    "àèéìíòóù",  # Italian
    "áéëïóöü",  # Dutch
    "àçéèíïòóú",  # Catalan
    "åäöšžé",  # Swedish, Finnish
    "æøåéó",  # Danish, Norwegian
    "áðéíóúýþæö",  # Icelandic
    "ąćęłńóśźż",  # Polish
    "áčďéěíňóřšťúůýž",  # Czech
    "áäčďéíĺľňóôŕšťúýž",  # Slovak
    "áéíóöőúüű",  # Hungarian
    "ăâîșțşţ",  # Romanian
    "čćđšž",  # Croatian, Slovenian
    "çğıöşüâîûİ",  # Turkish (İ is its capital i, whose small letter is ASCII)
    "çë",  # Albanian
)
# Letters few names hold: worth less than the common ones when two readings compete.
_RARE: Final = frozenset("ŕĺľďťňűőÿðþţđ")
# Punctuation that real text holds, scored as a letter where it stands as it does in text.
_APOSTROPHES: Final = frozenset("’'")
_OPENING: Final = frozenset("“„«‘¿¡")
_CLOSING: Final = frozenset("”»’")
_STANDALONE: Final = frozenset("–—…€£°§©®×·ºª\xa0")


@dataclass(frozen=True, slots=True)
class CodePageGuess:
    """The code page chosen for a file, and the candidates that read it as well but differently.

    Example:
        >>> guess_code_page("Hélène".encode("cp1252"))  # or the Czech-looking Hélčne
        CodePageGuess(codec='cp1252', rivals=('cp1250',))
    """

    codec: str
    rivals: tuple[str, ...] = ()


def _letter(character: str) -> str:
    small = character.lower()
    return small if len(small) == 1 else character


def plausibility(word: str) -> float:
    """How plausible ``word`` is as text: above 0 when its accented letters read as a language.

    Example:
        >>> plausibility("Wałęsa") > 0 > plausibility("Wa³êsa")
        True
        >>> plausibility("Núñez") > 0 > plausibility("N\\u0153\\u2013ez")
        True
    """
    score = 0.0
    letters: set[str] = set()
    last = len(word) - 1
    for position, character in enumerate(word):
        if character.isascii():
            continue
        before = word[position - 1] if position else ""
        after = word[position + 1] if position < last else ""
        if character.isalpha():
            letters.add(_letter(character))
            if character.isupper() and before.islower():
                score -= 6  # a capital after a small letter (JosŽ): outweighs the letter's worth
            continue
        if unicodedata.category(character)[0] == "C" or character == "\ufffd":
            score -= 10  # a control character, or a byte the code page leaves undefined
        elif before.isalpha() and after.isalpha():
            score += 2 if character in _APOSTROPHES else -3  # O’Brien, not Wa³êsa
        elif (
            (character in _OPENING and not before)
            or (character in _CLOSING and not after)
            or (character in _STANDALONE and not before and not after)
        ):
            score += 1
        else:
            score -= 1
    if len(word) == 1:
        return score  # a letter alone is no word: a symbol another code page reads as one (£, Ł)
    if letters:
        alphabet = next((alphabet for alphabet in _ALPHABETS if letters.issubset(alphabet)), None)
        if alphabet is None:
            score -= 2 * len(letters)
        else:
            score += sum(0.5 if letter in _RARE else 2 for letter in letters)
    return score


def guess_code_page(data: bytes) -> CodePageGuess:
    """The code page among :data:`CANDIDATES` (or Latin-1) whose reading of ``data`` is most plausible.

    The distinct words of the first :data:`SAMPLE_BYTES` that hold a byte above 0x7f are decoded by
    each candidate and scored (:func:`plausibility`). Windows-1252 is kept unless another candidate
    scores more by over :data:`TIE`; when it cannot decode the file, Latin-1 (Windows-1252 with C1
    controls for its five undefined bytes) takes its place, as before. ``rivals`` names the
    candidates whose score is within :data:`TIE` of the chosen one's while they read the words
    differently.

    Example:
        >>> guess_code_page(b"plain ASCII")
        CodePageGuess(codec='cp1252', rivals=())
    """
    words = Counter(_WORD.findall(data[:SAMPLE_BYTES]))
    chosen = [word for word, _ in words.most_common(MAX_WORDS)]
    default = "cp1252" if _decodes(data, "cp1252") else "latin-1"
    codecs = (default, *CANDIDATES[1:])
    readings = {codec: [word.decode(codec, "replace") for word in chosen] for codec in codecs}
    scores = {codec: _score(texts) for codec, texts in readings.items()}
    codec = default
    for candidate in CANDIDATES[1:]:
        if scores[candidate] > scores[codec] + TIE and _decodes(data, candidate):
            codec = candidate
    rivals = tuple(
        candidate
        for candidate in codecs
        if candidate != codec
        and abs(scores[candidate] - scores[codec]) <= TIE
        and readings[candidate] != readings[codec]
        and _decodes(data, candidate)
    )
    return CodePageGuess(codec, rivals)


def _score(words: list[str]) -> float:
    """The plausibility of a reading: its words', and twice how many of them one alphabet fits."""
    scores = list(map(plausibility, words))
    return sum(scores) + 2 * _coherence(
        [word for word, score in zip(words, scores, strict=True) if score > 0]
    )


def _coherence(words: list[str]) -> int:
    """How many of ``words`` the one alphabet that fits the most of them fits: a file is in a language.

    Another code page's reading scatters the words over alphabets (a Turkish ``ş`` read as the
    Romanian ``ţ``, its ``ğ`` as the Croatian ``đ``), while the right one keeps them in one.
    """
    fits = [0] * len(_ALPHABETS)
    for word in words:
        letters = {
            _letter(character) for character in word if not character.isascii() and character.isalpha()
        }
        if not letters:
            continue
        for position, alphabet in enumerate(_ALPHABETS):
            if letters.issubset(alphabet):
                fits[position] += 1
    return max(fits)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
