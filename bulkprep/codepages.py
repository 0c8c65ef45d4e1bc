# ruff: noqa: RUF002 -- the docstrings quote text in the scripts the code pages hold
"""Choose the code page of a file that is not Unicode: the one home for that choice.

Excel's plain "CSV" (not "CSV UTF-8") writes the ANSI code page of the user's Windows locale, and Mac
Excel writes MacRoman. The bytes do not say which: every 8-bit code page decodes almost any byte, and
the Chinese, Japanese and Korean double-byte code pages accept much of each other's text. So
:func:`guess_code_page` reads a bounded sample (:data:`SAMPLE_BYTES`, cut at a line break, so a
double-byte character is never split) with each candidate of :data:`CODE_PAGES`, drops those that
fail strictly, and scores how plausible each survivor's text is as names, cities and headers in that
code page's languages. The score looks only at what people type, never at byte statistics:

- A *word* (a run of letters, marks and non-ASCII symbols, ASCII punctuation and digits ending it)
  holding non-ASCII characters scores 1 when it reads as a word of one of the code page's languages:
  every letter is of the code page's script and common in one of its languages (``ł`` in Polish), in
  a position the language puts it (Italian ``ò`` ends a word, Portuguese ``õ`` comes before ``e``).
  A letter of the script that is rare, or untypical where it stands, lowers it (0.4, or 0.25 for a
  letter none of the languages use). Double-byte text scores each character by how common it is: the
  first level of the national standard (GB 2312, Big5, JIS X 0208, KS X 1001) against the rest,
  full-width kana against half-width.
- A word scores -1 when it cannot be text: a symbol where a letter belongs (``£ukasz``, ``¯ak``,
  ``Wa³êsa``), scripts mixed inside it (``Renйe``, Hangul with Hanja), an uppercase letter after a
  lowercase one (``MŸller``, the Cyrillic reading of Greek accents), three non-ASCII letters in a
  row in a Latin script (``Èâàíîâ``: Russian read as Windows-1252), a combining mark after no letter.
  A word with a control character (C1, private use, unassigned) scores -2.
- Each word counts as often as it occurs; the file's score is the mean over its words. Standalone
  symbols (``9,99 €``, ``free – trial``) count too: 1 when they are printable, -2 when controls; a
  letter standing alone only 0.7 (``£ 5`` in Windows-1252 is ``Ł 5`` in Windows-1250).

Windows-1252 is the default (the most common ANSI code page; it places the euro sign, curly quotes
and dashes at 0x80-0x9f and otherwise matches Latin-1, which puts invisible C1 controls there, so
Latin-1 stands in only for a file holding one of the five bytes Windows-1252 leaves undefined).
Another code page wins only with a score higher by :data:`CLEARLY_BETTER`, and of at least
:data:`PLAUSIBLE` (bytes that read as text in no code page stay as they were read before), so a
French, German, Spanish, Swedish, Portuguese, Italian or Danish file never changes outcome. A
candidate that decodes the sample to the very text of the Western reading is not scored: it gives
no reason to leave it, and is no rival (German ``äöüß`` are the same bytes in Windows-1250, 1252,
1254 and 1257). The guess is *confident* when the runner-up (the best candidate whose text differs) scores at
least :data:`CONFIDENT_GAP` lower; when it is not, :attr:`CodePageGuess.note` says which code page
was used, which came next and how to force it.

Measured on the fixtures of ``tests/test_codepages.py`` (5-8 rows of names, cities, emails and
phones under a header, per locale: 22 files in 17 code pages, and 5 in MacRoman): every file is read
in its own code page; on 1,080 files of 2-4 of those rows each, 1,074 are, the misses being Hungarian
and Baltic files whose few accented letters read as plausibly in Windows-1252 (``Gyõr``,
``Klaipëda``); on 3,000 lists of random Western names in Windows-1252, none moves and none is
doubtful. ``charset_normalizer`` (installed with requests) was measured as a signal on the same
files and is not used: it reads 823 of the 1,080 small files right, and moves Windows-1252 French,
Spanish and Portuguese files to Windows-1250 (its language model wants running prose, not names).

Example:
    >>> guess = guess_code_page("Imię;Nazwisko;Miasto\\nŁukasz;Żak;Łódź\\n".encode("cp1250"))
    >>> guess.codec, guess.confident
    ('cp1250', True)
    >>> guess_code_page("Prénom;Ville\\nHélène;Zürich\\n".encode("cp1252")).codec
    'cp1252'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

__all__ = [
    "CLEARLY_BETTER",
    "CODE_PAGES",
    "CONFIDENT_GAP",
    "MIN_EVIDENCE",
    "PLAUSIBLE",
    "SAMPLE_BYTES",
    "WESTERN",
    "WESTERN_FALLBACK",
    "CodePage",
    "CodePageGuess",
    "code_page_label",
    "decode_code_page",
    "decode_line",
    "guess_code_page",
    "line_code_page",
]

SAMPLE_BYTES = 256 * 1024  # the head of the file scored, cut at its last line break
CLEARLY_BETTER = 0.1  # how much higher than Windows-1252 another code page must score to win
PLAUSIBLE = 0.3  # the least score another code page needs to replace Windows-1252 (text, not noise)
CONFIDENT_GAP = 0.15  # how much lower the runner-up must score for another code page to be confident
MIN_EVIDENCE = 5  # distinct characters beyond ASCII below which leaving Windows-1252 is not confident
COVERAGE_WEIGHT = 0.3  # how much the letters no single language of the code page explains cost
MAX_WORDS = 300  # the most frequent distinct words scored per candidate: evidence enough, and bounded
WESTERN = "cp1252"
WESTERN_FALLBACK = "latin-1"  # for the five bytes Windows-1252 leaves undefined

_LATIN = "LATIN"
_CJK = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HALFWIDTH", "HANGUL"})


@dataclass(frozen=True)
class CodePage:
    """A code page :func:`guess_code_page` considers.

    Attributes:
        codec: the Python codec name (what ``encoding=`` takes).
        label: the name people know it by.
        script: the script of its letters beyond ASCII (``LATIN``, ``CYRILLIC``, ``HAN``...).
        common: its languages' common letters beyond ASCII, one string per language (lowercase).
        rare: letters its languages use seldom, or only where ``untypical`` does not match.
        untypical: a pattern matching a letter of ``common`` where its language never puts it.

    Example:
        >>> CODE_PAGES["cp1250"].label
        'Windows-1250 (Central European)'
    """

    codec: str
    label: str
    script: str
    common: tuple[str, ...] = ()
    rare: str = ""
    untypical: str = ""


_WESTERN_LANGUAGES = (
    "àâæçéèêëîïôœùü",  # French (û and ÿ are rare: see _WESTERN_RARE)
    "äöüß",  # German
    "áéíñóúü",  # Spanish
    "áâãàçéêíóôõú",  # Portuguese
    "àèéìíîòóù",  # Italian
    "àçèéíïòóúü",  # Catalan
    "áéëïóöüèà",  # Dutch
    "åäöé",  # Swedish, Finnish
    "æøåé",  # Danish, Norwegian
    "áðéíóúýþæö",  # Icelandic
)
_WESTERN_RARE = "õûìòùÿœýþðîšžƒ"
# Italian ì ò ù end a word; Portuguese õ comes before e (ões); ç comes before a, o, u or ends a word
# (Catalan); Icelandic ð and ý never start one, þ only does; French, Dutch and Catalan ï follows a
# vowel (Loïc, ruïne, Lluïsa); Danish and Norwegian ø never does. (A Slovak or Czech file read as
# Windows-1252 breaks the last two: Ďurovič is Ïuroviè, Dvořák is Dvoøák.) No Western word ends in
# æ after a consonant, nor in iè: Bosnian, Croatian and Serbian -ić and -ič names read in
# Windows-1252 do (Hodžić is Hodžiæ, Kovačević is Kovaèeviæ, Đorđević is Ðorðeviæ); Danish and
# Norwegian æ stands inside a word (Sæther, Mæhle) or after a vowel.
_WESTERN_UNTYPICAL = (
    r"[ìòù](?=\w)|õ(?!e)|ç(?![aouâãôõ]|$)|^[ðý]|(?<=.)þ|(?<![aeiouyàâäéèêëîôöúûü])ï|(?<=[aeiouáéíóúåæ])ø"
    r"|(?<=[b-df-hj-np-tv-zšž])æ$|(?<=i)[æè]$"
)

CODE_PAGES: dict[str, CodePage] = {
    page.codec: page
    for page in (
        CodePage(
            WESTERN,
            "Windows-1252 (Western European)",
            _LATIN,
            _WESTERN_LANGUAGES,
            _WESTERN_RARE,
            _WESTERN_UNTYPICAL,
        ),
        CodePage(
            "cp1250",
            "Windows-1250 (Central European)",
            _LATIN,
            (
                "ąćęłńóśźż",  # Polish
                "áčďéěíňóřšťúůýž",  # Czech
                "áäčďéíĺľňóôŕšťúýž",  # Slovak
                "áéíóöőúüű",  # Hungarian
                "čćđšž",  # Croatian, Slovene, Bosnian
                "ăâîşţ",  # Romanian
                "äöüß",  # German
            ),
            "çëŕĺ",
            # Czech and Slovak letters that never start a word; ř starts one only before a vowel
            # (Říha, Řezník), where Norwegian Ø (Øystein, Østby) read in Windows-1250 has none. Ď and
            # Ť do start words (Ďurovič, ďakujem, Ťažký): they are typical there.
            r"^[ěňů]|^ř(?![aáeéěiíoóuú])",
        ),
        CodePage(
            "cp1251",
            "Windows-1251 (Cyrillic)",
            "CYRILLIC",
            (
                "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",  # Russian
                "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",  # Ukrainian
                "абвгдежзийклмнопрстуфхцчшщъьюя",  # Bulgarian
                "абвгдеёжзійклмнопрстуўфхцчшыьэюя",  # Belarusian
                "абвгдђежзијклљмнњопрстћуфхцџш",  # Serbian
                "абвгдѓежзѕијклљмнњопрстќуфхцчџш",  # Macedonian
            ),
        ),
        CodePage(
            "cp1253",
            "Windows-1253 (Greek)",
            "GREEK",
            ("αάβγδεέζηήθιίϊκλμνξοόπρσςτυύϋφχψωώ",),
            "ΐΰ",  # rare in Greek, and what Cyrillic а and р become in it
            r"ς(?=\w)",  # final sigma ends a word
        ),
        CodePage(
            "cp1254",
            "Windows-1254 (Turkish)",
            _LATIN,
            ("çğıöşüâîû", "äöüß"),
            "éáíóú",
        ),
        CodePage("cp1255", "Windows-1255 (Hebrew)", "HEBREW", ("אבגדהוזחטיכךלמםנןסעפףצץקרשת",)),
        CodePage(
            "cp1256",
            "Windows-1256 (Arabic)",
            "ARABIC",
            ("ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيپچژگکی",),
        ),
        CodePage(
            "cp1257",
            "Windows-1257 (Baltic)",
            _LATIN,
            (
                "ąčęėįšųūž",  # Lithuanian
                "āčēģīķļņšūž",  # Latvian
                "äöõüšž",  # Estonian
                "ąćęłńóśźż",  # Polish
                "äöüß",  # German
            ),
            "åæøé",
        ),
        CodePage(
            "cp1258",
            "Windows-1258 (Vietnamese)",
            _LATIN,
            ("àáâãèéêìíòóôõùúýăđĩũơư",),
        ),
        CodePage("cp874", "Windows-874 (Thai)", "THAI"),
        CodePage(
            "mac_roman", "MacRoman (Mac Excel)", _LATIN, _WESTERN_LANGUAGES, _WESTERN_RARE, _WESTERN_UNTYPICAL
        ),
        CodePage("cp932", "Shift-JIS (Japanese, cp932)", "HAN"),
        CodePage("gbk", "GBK (Simplified Chinese, cp936)", "HAN"),
        CodePage("cp949", "Korean (cp949, Unified Hangul)", "HANGUL"),
        CodePage("cp950", "Big5 (Traditional Chinese, cp950)", "HAN"),
    )
}
_WINDOWS = tuple(codec for codec in CODE_PAGES if codec != "mac_roman")
# Latin-1 reads Windows-1252 files that hold a byte Windows-1252 leaves undefined: scored as Western.
_SCORED_AS = {WESTERN_FALLBACK: CODE_PAGES[WESTERN]}


class CodePageGuess(NamedTuple):
    """What :func:`guess_code_page` chose.

    Attributes:
        codec: the chosen codec (a key of :data:`CODE_PAGES`, or ``"latin-1"``).
        confident: whether no other code page came close (see :data:`CONFIDENT_GAP`).
        runner_up: the best other codec whose text differs from the chosen one's (None when none
            decodes the sample, or all give the same text).
    """

    codec: str
    confident: bool
    runner_up: str | None

    @property
    def note(self) -> str | None:
        """A sentence for the user when the guess is not confident (None when it is).

        Example:
            >>> note = CodePageGuess("cp1252", False, "cp1250").note
            >>> note.startswith("the code page was guessed as Windows-1252 (Western European)")
            True
            >>> note.split("; ")[1]
            "if names look wrong, read it with encoding='cp1250' (--encoding cp1250)"
        """
        if self.confident or self.runner_up is None:
            return None
        return (
            f"the code page was guessed as {code_page_label(self.codec)}, with "
            f"{code_page_label(self.runner_up)} close behind; if names look wrong, read it with "
            f"encoding={self.runner_up!r} (--encoding {self.runner_up})"
        )


def code_page_label(codec: str) -> str:
    """The name people know a codec of :data:`CODE_PAGES` by (the codec itself for any other).

    Example:
        >>> code_page_label("cp1251"), code_page_label("latin-1")
        ('Windows-1251 (Cyrillic)', 'Latin-1 (ISO-8859-1)')
    """
    page = CODE_PAGES.get(codec)
    if page is not None:
        return page.label
    return "Latin-1 (ISO-8859-1)" if codec == WESTERN_FALLBACK else codec


def guess_code_page(
    data: bytes,
    *,
    sample: int = SAMPLE_BYTES,
    candidates: Collection[str] | None = None,
    min_evidence: int = MIN_EVIDENCE,
) -> CodePageGuess:
    """The code page ``data`` (bytes that are not UTF-8) was most likely written in.

    Args:
        data: the file's bytes.
        sample: how many bytes to score: the head of ``data`` (cut back to its last line break),
            or its first lines holding bytes beyond ASCII when the head holds none.
        candidates: the codecs of :data:`CODE_PAGES` to consider (all by default); Windows-1252
            (or Latin-1) always is.
        min_evidence: the distinct characters beyond ASCII below which another code page than
            Windows-1252 is never a confident choice.

    Returns:
        The chosen codec, whether the choice is confident, and the runner-up.

    Example:
        >>> guess_code_page("Имя;Город\\nАнна;Москва\\n".encode("cp1251"))
        CodePageGuess(codec='cp1251', confident=True, runner_up='cp1256')
    """
    head = _sample(data, sample)
    scores: dict[str, float] = {}
    texts: dict[str, str] = {}
    for codec in (WESTERN, WESTERN_FALLBACK, *(CODE_PAGES if candidates is None else candidates)):
        if codec in texts or (codec == WESTERN_FALLBACK and WESTERN in texts):
            continue  # Latin-1 only stands in for a Windows-1252 that failed
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            continue
        if texts and text == next(iter(texts.values())):
            continue  # the Western reading's very text: no reason to leave it, and no rival
        texts[codec] = text
        scores[codec] = _score(text, _SCORED_AS.get(codec) or CODE_PAGES[codec])
    western = WESTERN if WESTERN in texts else WESTERN_FALLBACK
    best = max(scores, key=lambda codec: scores[codec] - (0.0 if codec == western else CLEARLY_BETTER))
    if scores[best] <= scores[western] + CLEARLY_BETTER or scores[best] < PLAUSIBLE:
        best = western  # nothing clearly better, or nothing that reads as text: the default stays
    rivals = [codec for codec in scores if texts[codec] != texts[best]]
    if not rivals:
        return CodePageGuess(best, True, None)
    runner_up = max(rivals, key=lambda codec: scores[codec])
    # Windows-1252 is the default: it is doubtful only when another code page scores higher. Leaving
    # it on a handful of letters (one name: Polish "Żółć" reads as Cyrillic too) is never confident.
    if best == western:
        return CodePageGuess(best, scores[best] >= scores[runner_up], runner_up)
    enough = len({char for char in texts[best] if not char.isascii()}) >= min_evidence
    return CodePageGuess(best, enough and scores[best] - scores[runner_up] >= CONFIDENT_GAP, runner_up)


def decode_code_page(data: bytes) -> tuple[str, CodePageGuess]:
    """``data`` decoded in the code page :func:`guess_code_page` chooses, and the guess.

    The guess is made on the head of the file; when a byte beyond it does not decode in the chosen
    code page, the whole file is scored instead (a code page that decodes it always remains:
    Latin-1 decodes any byte).

    Example:
        >>> decode_code_page("Ville\\nKöln\\n".encode("cp1252"))[0]
        'Ville\\nKöln\\n'
    """
    guess = guess_code_page(data)
    try:
        return data.decode(guess.codec), guess
    except UnicodeDecodeError:
        guess = guess_code_page(data, sample=len(data))
        return data.decode(guess.codec), guess


def line_code_page(lines: list[bytes]) -> str | None:
    """The code page of the lines of a UTF-8 file that are not UTF-8, when the evidence is strong.

    Such lines come from Windows programs (a name pasted from one, a row one appended), so only the
    Windows code pages are candidates. None when Windows-1252 is as likely, or the guess is not
    confident: those lines are then read as Windows-1252.

    Example:
        >>> line_code_page(["Łukasz;Żak;Wrocław".encode("cp1250")])
        'cp1250'
        >>> line_code_page(["José;García".encode("cp1252")]) is None
        True
    """
    # Lines of a UTF-8 file: a few letters are enough, since only the Windows code pages compete.
    guess = guess_code_page(b"\n".join(lines), candidates=_WINDOWS, min_evidence=0)
    if guess.codec in (WESTERN, WESTERN_FALLBACK) or not guess.confident:
        return None
    return guess.codec


def decode_line(data: bytes, codec: str | None) -> tuple[str, str]:
    """``data`` (one line) in ``codec`` when given and it decodes, else in Windows-1252 (or Latin-1).

    Example:
        >>> decode_line(b"Jos\\xe9", None), decode_line(b"\\xa3ukasz", "cp1250")
        (('José', 'cp1252'), ('Łukasz', 'cp1250'))
    """
    for candidate in (codec, WESTERN):
        if candidate is not None:
            try:
                return data.decode(candidate), candidate
            except UnicodeDecodeError:
                pass
    return data.decode(WESTERN_FALLBACK), WESTERN_FALLBACK


def _sample(data: bytes, size: int) -> bytes:
    """At most ``size`` bytes of whole lines of ``data``: its head, or its lines beyond ASCII.

    Only lines holding a byte above 0x7f tell code pages apart, so when the head is all ASCII (a
    long file whose first accented name comes late) those lines are taken instead, in order.
    """
    if len(data) <= size:
        return data
    cut = max(data.rfind(b"\n", 0, size), data.rfind(b"\r", 0, size))
    head = data[: cut + 1] if cut > 0 else data[:size]
    if not head.isascii():
        return head
    lines: list[bytes] = []
    taken = 0
    for found in _HIGH_LINE.finditer(data, len(head)):
        lines.append(found.group())
        taken += len(lines[-1]) + 1
        if taken >= size:
            break
    return b"\n".join(lines)


_HIGH_LINE = re.compile(rb"[^\r\n]*[\x80-\xff][^\r\n]*")


# --- scoring --------------------------------------------------------------------------------------

# A word holding characters beyond ASCII: letters (any script), marks and non-ASCII symbols; ASCII
# digits, punctuation and spaces end it. (Found in one C-speed pass: words of ASCII only never match.)
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*+[^\x00-\x7f\s\u3000][^\x00-\x40\x5b-\x60\x7b-\x7f\s\u3000]*")
# Symbols that may touch a letter: before it, after it, or between two.
_OPENING = frozenset("“‘„‚«‹¿¡")
_CLOSING = frozenset("”’»›…°ºª®™©²³")
_JOINING = frozenset("’'·´`‐‑–—")
# Japanese and Chinese punctuation inside double-byte text.
_CJK_PUNCTUATION = frozenset("、。・ー々〆〇「」『』（）・，．：；！？ヽヾゝゞ")
_CASED = frozenset({_LATIN, "CYRILLIC", "GREEK"})


def _score(text: str, page: CodePage) -> float:
    """The mean plausibility of the words of ``text`` holding characters beyond ASCII, for ``page``."""
    words = Counter(_WORD.findall(text))
    if not words:
        return 1.0
    total = weight = 0.0
    letters: Counter[str] = Counter()
    for word, count in words.most_common(MAX_WORDS):
        total += _word_score(word, page) * count
        weight += count
        for char in word.lower():
            if not char.isascii() and _kind(char) == page.script:
                letters[char] += count
    return total / weight - COVERAGE_WEIGHT * (1.0 - _coverage(letters, page))


def _coverage(letters: Counter[str], page: CodePage) -> float:
    """The share of the letters beyond ASCII that the code page's best-fitting language explains.

    Western files mix languages (German, French and Spanish names in one list), so the Western code
    pages are a family: any of their languages' letters counts.
    """
    if not page.common or not letters:
        return 1.0
    languages = ["".join(page.common)] if page.common is _WESTERN_LANGUAGES else page.common
    total = sum(letters.values())
    return max(sum(letters[char] for char in set(language)) for language in languages) / total


def _word_score(word: str, page: CodePage) -> float:
    kinds = [_kind(char) for char in word]
    if any(kind == "bad" for kind in kinds):
        return -2.0
    if not _marks_in_place(kinds):
        return -1.0
    letters = [(char, kind) for char, kind in zip(word, kinds, strict=True) if kind not in ("symbol", "mark")]
    if not letters:
        return 1.0  # a symbol standing alone: a price, a dash, a degree
    if not _symbols_in_place(word, kinds):
        return -1.0
    scripts = {kind for _, kind in letters if kind != "ascii"}
    with_ascii = len(scripts) < len({kind for _, kind in letters})
    if page.script in _CJK or scripts & _CJK:
        return _cjk_score(word, scripts, page, with_ascii=with_ascii)
    if scripts - {page.script}:
        return -1.0  # scripts mixed, or a letter foreign to the code page (Latin inside Cyrillic)
    if page.script != _LATIN and with_ascii:
        return -1.0  # ASCII letters inside a Cyrillic, Greek, Hebrew... word
    if page.script in _CASED and _case_breaks(word):
        return -1.0
    if page.script != _LATIN and page.script in _CASED and not any(char.isupper() for char in word):
        return 0.6  # names and cities are capitalized: Hebrew read as Cyrillic or Greek never is
    if page.script == _LATIN and _non_ascii_run(word) >= 3:
        return -1.0
    if len(letters) == 1 and len(word) == 1:
        return 0.7  # a letter standing alone is seldom text (Windows-1252's "£ 5" is Windows-1250's "Ł 5")
    return _letter_score(word, page)


@lru_cache(maxsize=65536)
def _kind(char: str) -> str:
    """``bad``, ``symbol``, ``mark``, ``ascii`` or the script of a letter (the first word of its name)."""
    if char.isascii():
        return "ascii" if char.isalpha() else "symbol"
    category = unicodedata.category(char)
    if category in ("Cc", "Co", "Cn", "Cs") or char == "\ufffd":
        return "bad"
    if category.startswith("M"):
        return "mark"
    if not category.startswith("L") or char in _CJK_PUNCTUATION:
        return "symbol"
    name = unicodedata.name(char, "")
    script = name.split(" ", 1)[0]
    if script == "CJK":
        return "HAN"
    return script


def _symbols_in_place(word: str, kinds: list[str]) -> bool:
    """Whether each non-ASCII symbol touching a letter is one that may (``O’Connor``, ``¿qué``)."""
    last = len(word) - 1
    for index, (char, kind) in enumerate(zip(word, kinds, strict=True)):
        if kind != "symbol" or char.isascii() or char in _CJK_PUNCTUATION:
            continue
        before = index > 0 and kinds[index - 1] not in ("symbol", "mark")
        after = index < last and kinds[index + 1] not in ("symbol", "mark")
        if before and after and char not in _JOINING:
            return False
        if after and not before and char not in _OPENING and char not in _JOINING:
            return False
        if before and not after and char not in _CLOSING and char not in _JOINING:
            return False
    return True


def _marks_in_place(kinds: list[str]) -> bool:
    """Whether each combining mark follows a letter (or another mark on one)."""
    previous = "symbol"
    for kind in kinds:
        if kind == "mark" and previous == "symbol":
            return False
        previous = kind if kind != "mark" else previous
    return True


def _has_non_ascii_latin(word: str) -> bool:
    return any(not char.isascii() and _kind(char) == _LATIN for char in word)


def _case_breaks(word: str) -> bool:
    """Whether an uppercase letter follows a lowercase one, either beyond ASCII (``MŸller``, ``Гоь``)."""
    return any(
        first.islower() and second.isupper() and not (first.isascii() and second.isascii())
        for first, second in pairwise(word)
    )


def _non_ascii_run(word: str) -> int:
    """The longest run of letters beyond ASCII in ``word`` (combining marks neither count nor break it)."""
    longest = run = 0
    for char in word:
        kind = _kind(char)
        if kind == "mark":
            continue
        run = run + 1 if not char.isascii() and kind != "symbol" else 0
        longest = max(longest, run)
    return longest


def _letter_score(word: str, page: CodePage) -> float:
    """How typical the word's letters beyond ASCII are of one of the code page's languages."""
    lower = word.lower()
    found = {char for char in lower if not char.isascii() and _kind(char) not in ("symbol", "mark")}
    if not page.common:
        return 1.0  # a script whose letters all belong to its one language (Thai)
    languages, common, known, untypical = _alphabets(page)
    if any(found <= language for language in languages):
        score = 1.0
    elif found <= common:
        score = 0.7  # letters of the code page's languages, but of more than one in one word
    elif found <= known:
        score = 0.4
    else:
        score = 0.25
    if untypical is not None and untypical.search(lower):
        score = min(score, 0.4)
    return score


@cache
def _alphabets(
    page: CodePage,
) -> tuple[tuple[frozenset[str], ...], frozenset[str], frozenset[str], re.Pattern[str] | None]:
    """The code page's alphabets as sets: each language's, their union, with the rare letters too."""
    languages = tuple(frozenset(language) for language in page.common)
    common = frozenset("".join(page.common))
    return (
        languages,
        common,
        common | frozenset(page.rare),
        re.compile(page.untypical) if page.untypical else None,
    )


def _cjk_score(word: str, scripts: set[str], page: CodePage, *, with_ascii: bool) -> float:
    """How common the double-byte characters of ``word`` are in ``page``'s standard (-1 when mixed)."""
    if page.script not in _CJK or scripts - _CJK:
        return -1.0
    if page.codec == "cp949":
        if scripts != {"HANGUL"}:
            return -1.0  # Hangul with Hanja or kana in one word: Chinese or Japanese read as Korean
    elif page.codec == "cp932":
        if "HANGUL" in scripts:
            return -1.0
    elif scripts != {"HAN"}:
        return -1.0  # kana or Hangul inside a Chinese word
    chars = [char for char in word if _kind(char) in _CJK]
    if with_ascii and 2 * len(chars) < sum(char.isalpha() for char in word):
        return -1.0  # a few double-byte characters among ASCII letters: 8-bit text read as double-byte
    return sum(_commonness(char, page.codec) for char in chars) / len(chars)


@lru_cache(maxsize=65536)
def _commonness(char: str, codec: str) -> float:
    """1 for a character of the first level of the code page's national standard, less for the rest."""
    kind = _kind(char)
    if codec == "cp949":
        return 1.0 if _encodes(char, "euc_kr") else 0.4
    if codec == "cp932":
        if kind in ("HIRAGANA", "KATAKANA"):
            return 1.0
        if kind == "HALFWIDTH":
            return 0.4
        code = _code(char, "cp932")
        return 1.0 if 0x889F <= code <= 0x9872 else 0.4
    if codec == "gbk":
        code = _code(char, "gb2312")
        return 0.7 if 0xB0A1 <= code <= 0xD7F9 else (0.4 if code else 0.25)
    code = _code(char, "cp950")
    return 0.7 if 0xA440 <= code <= 0xC67E else 0.3


def _encodes(char: str, codec: str) -> bool:
    return _code(char, codec) != 0


def _code(char: str, codec: str) -> int:
    try:
        return int.from_bytes(char.encode(codec), "big")
    except UnicodeEncodeError:
        return 0
