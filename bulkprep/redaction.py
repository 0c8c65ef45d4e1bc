"""Scrubbing a secret out of whatever a server sends back, in every form it may come in.

A server (or something posing as one) may echo the ``Authorization`` header anywhere in its answer:
plainly, JSON-escaped (``\\u0073k_...``), percent-encoded (``%73k_...``), as HTML character references,
in any mix of these, or cut short. A :class:`Redactor` replaces each of these with ``<hidden>``:

- the whole secret, or any start of it at least :data:`MIN_PREFIX` characters long, anywhere;
- any start of it, however short, right after ``Bearer`` (the header's own form);
- any start of it of at least :data:`MIN_TAIL` characters at the very end of a text (a cut
  that fell inside the secret);
- any run of at least :data:`MIN_PIECE` consecutive characters of it, as they are (its end, its
  middle), and the same of its base64 and base64url forms (in each of the three alignments a
  longer text puts it in, as in ``Basic`` credentials) and of its hex form;
- each of these in UTF-16 or UTF-32 text too, whose NUL bytes are dropped, and with invisible
  characters (zero-width spaces and joiners, soft hyphens) between the secret's own.

Matching ignores ASCII case, so an echo in upper case is hidden too. Scrub first and cut afterwards
(:meth:`Redactor.cut`): a cut made after scrubbing can never halve the secret.

Example:
    >>> redactor = Redactor("sk_live_abc123")
    >>> redactor.text('{"error": "Bearer sk_live_abc123", "echo": "\\\\u0073k_live_abc123"}')
    '{"error": "Bearer <hidden>", "echo": "<hidden>"}'
    >>> redactor.text("key was %73%6B_live_ab"), redactor
    ('key was <hidden>', Redactor(<hidden>))
"""

from __future__ import annotations

import base64
import re
from typing import Any, NoReturn

import numpy as np

from bulkprep._accel.textops import INVISIBLE

__all__ = ["MASK", "MIN_PIECE", "MIN_PREFIX", "MIN_TAIL", "Redactor"]

#: What a scrubbed secret reads as.
MASK = "<hidden>"
#: The shortest start of the secret hidden anywhere in a text.
MIN_PREFIX = 8
#: The shortest start of the secret hidden at the end of a text.
MIN_TAIL = 4

#: The shortest run of the secret's characters (or of its encoded forms) hidden anywhere in a text.
MIN_PIECE = 8
# Pieces are found through the secret's 4-grams, looked up at every 4th place of a text: any run of
# MIN_PIECE characters holds one whole 4-gram that starts at such a place.
_GRAM = 4
# Texts of at least this many 4-grams are looked at column-wise (numpy), shorter ones gram by gram.
_AT_ONCE = 64

# The characters that show as nothing, in UTF-8.
_INVISIBLE = re.compile(b"|".join(re.escape(char.encode()) for char in INVISIBLE))
# "Bearer" and the space after it, as the header has them, JSON-escaped or percent-encoded.
_BEARER = rb"bearer(?:\s|\\u0020|%20|\+|&#0*32;|&#x0*20;)+"


def _forms(char: str) -> bytes:
    """A regex matching one character in each form it can take in an echo."""
    encoded = char.encode("utf-8")
    forms = [re.escape(encoded)]
    code = ord(char)
    if code <= 0xFFFF:
        forms.append(rb"\\u%04x" % code)
    else:  # JSON writes characters beyond the BMP as a surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(rb"\\u%04x\\u%04x" % (high, low))
    if char in '"\\/':
        forms.append(re.escape(b"\\" + encoded))
    forms.append(b"".join(b"%%%02x" % byte for byte in encoded))
    forms.append(rb"&#0*%d;" % code)
    forms.append(rb"&#x0*%x;" % code)
    return b"(?:" + b"|".join(forms) + b")"


def _hashed(codes: np.ndarray) -> np.ndarray:
    """A 16-bit hash of each 32-bit number (Fibonacci hashing: the top bits of a multiplication)."""
    return (codes.astype(np.uint32) * np.uint32(2654435761)) >> np.uint32(16)


def _encoded_forms(secret: str) -> list[bytes]:
    """The secret, and its base64, base64url and hex forms, lower-cased (pieces are found in any case).

    A base64 text holding the secret after other bytes encodes it in one of three alignments; of
    each, only the characters that depend on the secret alone are kept.
    """
    raw = secret.encode("utf-8")
    forms = [raw, raw.hex().encode()]
    for lead in range(3):
        encoded = base64.b64encode(b"\0" * lead + raw)
        start = (lead * 4 + 2) // 3  # the first character no lead byte reaches
        stop = ((lead + len(raw)) // 3) * 4  # the last whole group of three secret bytes
        core = encoded[start:stop] if stop > start else b""
        forms += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return [form.lower() for form in forms if len(form) >= MIN_PIECE]


class _Pieces:
    """Finds every run of at least :data:`MIN_PIECE` characters of some texts (the secret's forms)."""

    __slots__ = ("_grams", "_table", "_texts")

    def __init__(self, texts: list[bytes]) -> None:
        self._texts = texts
        self._grams: dict[bytes, list[tuple[int, int]]] = {}
        for number, text in enumerate(texts):
            for start in range(len(text) - _GRAM + 1):
                self._grams.setdefault(text[start : start + _GRAM], []).append((number, start))
        self._table = np.zeros(1 << 16, dtype=bool)
        self._table[_hashed(np.frombuffer(b"".join(self._grams), dtype="<u4"))] = True

    def _places(self, lowered: bytes) -> list[int]:
        """The places (multiples of 4) where ``lowered`` holds one of the 4-grams."""
        count = len(lowered) // _GRAM
        if count < _AT_ONCE:
            grams = self._grams
            return [p for p in range(0, count * _GRAM, _GRAM) if lowered[p : p + _GRAM] in grams]
        # A long text is looked at all at once: each 4-gram of it read as one 32-bit number, hashed
        # into a table of the secret's 4-grams; the few collisions are then ruled out one by one.
        codes = np.frombuffer(lowered, dtype="<u4", count=count)
        maybe = (np.flatnonzero(self._table[_hashed(codes)]) * _GRAM).tolist()
        return [p for p in maybe if lowered[p : p + _GRAM] in self._grams]

    def spans(self, lowered: bytes) -> list[tuple[int, int]]:
        """The ``(start, stop)`` of each run found in ``lowered`` (a lower-cased text), merged."""
        found = []
        # How far right each alignment of a text against ``lowered`` was followed already: a long
        # echo holds a 4-gram of it at every 4th place, and each is then inside a run found before
        # (following each again would take time growing with the square of the secret's length).
        reached: dict[tuple[int, int], int] = {}
        for place in self._places(lowered):
            for number, start in self._grams[lowered[place : place + _GRAM]]:
                text = self._texts[number]
                offset = start - place
                if reached.get((number, offset), -1) >= place + _GRAM:
                    continue
                left, right = place, place + _GRAM
                while left > max(0, -offset) and lowered[left - 1] == text[left - 1 + offset]:
                    left -= 1
                end = min(len(lowered), len(text) - offset)
                while right < end and lowered[right] == text[right + offset]:
                    right += 1
                reached[number, offset] = right
                if right - left >= MIN_PIECE:
                    found.append((left, right))
        merged: list[tuple[int, int]] = []
        for start, stop in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
            else:
                merged.append((start, stop))
        return merged

    def hide(self, data: bytes) -> bytes:
        """``data`` with each run replaced by the mask."""
        spans = self.spans(data.lower())
        if not spans:
            return data
        out, last = [], 0
        for start, stop in spans:
            out += [data[last:start], MASK.encode()]
            last = stop
        out.append(data[last:])
        return b"".join(out)


# A numeric character reference, as a lower-cased text has it (leading zeros allowed).
_REFERENCE = re.compile(rb"&#(?:x0*([0-9a-f]{1,6})|0*([0-9]{1,7}));")


class _Starts:
    """Measures how much of the secret's start a text holds at a place, each character in any form.

    The forms of each character are compared one character at a time, so a secret of any length costs
    time in proportion to it (a regex of nested optional groups, one per character, recursed as deep
    as the secret is long when compiled).
    """

    __slots__ = ("_chars",)

    def __init__(self, secret: str) -> None:
        self._chars = [(ord(char), _literal_forms(char)) for char in secret]

    def __len__(self) -> int:
        return len(self._chars)

    def span(self, lowered: bytes, place: int) -> tuple[int, int]:
        """How many of the secret's first characters ``lowered`` holds from ``place``, and where they end."""
        count = 0
        for code, forms in self._chars:
            for form in forms:
                if lowered.startswith(form, place):
                    place += len(form)
                    break
            else:
                reference = _REFERENCE.match(lowered, place) if lowered.startswith(b"&#", place) else None
                if reference is None or _referenced(reference) != code:
                    break
                place = reference.end()
            count += 1
        return count, place


def _literal_forms(char: str) -> tuple[bytes, ...]:
    """The forms of one character :func:`_forms` matches, lower-cased, but the numeric references.

    The longest come first: the form of an escape (``%25``, ``\\\\``) is read whole, not as the
    character it starts with.
    """
    encoded = char.encode("utf-8")
    code = ord(char)
    if code <= 0xFFFF:
        forms = [encoded.lower(), b"\\u%04x" % code]
    else:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms = [encoded.lower(), b"\\u%04x\\u%04x" % (high, low)]
    if char in '"\\/':
        forms.append(b"\\" + encoded)
    forms.append(b"".join(b"%%%02x" % byte for byte in encoded))
    return tuple(sorted(forms, key=len, reverse=True))


def _referenced(reference: re.Match[bytes]) -> int:
    """The character code a numeric character reference stands for."""
    hexadecimal, decimal = reference.groups()
    return int(hexadecimal, 16) if hexadecimal is not None else int(decimal)


# Characters a terminal acts on instead of showing: C0 and C1 controls (escape sequences, bells,
# backspaces, carriage returns that overwrite a line) and the bidirectional overrides that reorder
# what is shown. Line breaks and tabs stay.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with the characters a terminal would act on written as escapes (``\x1b``).

    For what a server sent, before it is shown: an answer must not move the cursor, clear the
    screen or reorder the line it is printed on.

    Example:
        >>> print(printable("refused\x1b[2J\x07 (401)"))
        refused\x1b[2J\x07 (401)
    """
    return _UNSHOWABLE.sub(_escaped, text)


# What starts a new line besides the controls printable() escapes already (a line feed, the Unicode
# line and paragraph separators).
_NEW_LINE = re.compile("[\n\u2028\u2029]")


def one_line(text: str) -> str:
    r"""``text`` made :func:`printable`, its line breaks written as escapes too (``\n``).

    For a server's words shown inside a line of bulkprep's own (a message's outcome reason in the
    summary): they must not print as a line of their own that bulkprep did not write.

    Example:
        >>> print(one_line("X\nALL ROWS ACCEPTED"))
        X\nALL ROWS ACCEPTED
    """
    return _NEW_LINE.sub(_escaped, printable(text))


def _escaped(found: re.Match[str]) -> str:
    """The character ``found``, written as its escape (``\x1b``, ``\n``, ``\u202e``)."""
    return ascii(found.group())[1:-1]


class Redactor:
    """Hides one secret in bytes, texts and parsed JSON documents.

    Its repr is masked, it refuses to be pickled, and it keeps the secret only inside its own
    parts (a compiled pattern, tables of the secret's forms), so holding one in a variable shows
    nothing in a traceback with local variables.

    Args:
        secret: the text to hide (an API key); an empty one hides nothing.

    Example:
        >>> Redactor("pk_test_0123456789").document({"user": {"id": "pk_test_0123456789"}, "n": 1})
        {'user': {'id': '<hidden>'}, 'n': 1}
    """

    __slots__ = ("_found", "_pieces", "_prefix", "_starts")

    def __init__(self, secret: str) -> None:
        self._prefix = _Starts(secret)
        self._pieces = _Pieces(_encoded_forms(secret))
        # Any match holds "bearer" or the secret's first characters plainly (in some case), or an
        # escape: a text with none of these is returned at once, without running the pattern.
        self._starts = (b"bearer", secret[:MIN_TAIL].encode().lower(), b"\\", b"%", b"&#")
        if not secret:
            self._found: re.Pattern[bytes] | None = None
            return
        # Where a match may start: "Bearer " before the secret's first character, or its first
        # MIN_TAIL characters (every kind of match holds that many, or the whole of a shorter secret).
        # How far it goes is measured from there (_Starts). Every match starts with one of the bytes
        # of the lookahead, which lets the engine skip the rest fast.
        first = re.escape(("bB" + secret[0].lower() + secret[0].upper()).encode() + b"\\%&")
        head = b"".join(_forms(char) for char in secret[:MIN_TAIL])
        bearer = b"(?P<bearer>" + _BEARER + b")(?=" + _forms(secret[0]) + b")"
        self._found = re.compile(b"(?=[" + first + b"])(?:" + bearer + b"|(?=" + head + b"))", re.IGNORECASE)

    def _matched(self, bearer: bool, count: int, stop: int, size: int) -> bool:
        """Whether ``count`` of the secret's first characters, ending at ``stop``, are hidden."""
        if bearer:
            return count >= 1
        whole = len(self._prefix)
        return count >= min(MIN_PREFIX, whole) or (count >= min(MIN_TAIL, whole) and stop == size)

    def _hide_starts(self, data: bytes, lowered: bytes, found: re.Pattern[bytes]) -> bytes:
        """``data`` with each start of the secret (after "Bearer ", anywhere, at the end) masked."""
        out: list[bytes] = []
        done = place = 0
        while (candidate := found.search(data, place)) is not None:
            bearer = candidate.group("bearer") is not None
            count, stop = self._prefix.span(lowered, candidate.end())
            if self._matched(bearer, count, stop, len(data)):
                out += [data[done : candidate.start()], b"Bearer " if bearer else b"", MASK.encode()]
                done = place = stop
            else:
                place = candidate.start() + 1
        if not out:
            return data
        out.append(data[done:])
        return b"".join(out)

    def __repr__(self) -> str:
        return f"Redactor({MASK})"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Redactor holds a secret and is not pickled")

    def _scrubbed(self, data: bytes) -> bytes:
        assert self._found is not None
        lowered = data.lower()
        if any(start in lowered for start in self._starts):
            data = self._hide_starts(data, lowered, self._found)
        return self._pieces.hide(data)

    def bytes(self, data: bytes) -> bytes:
        """``data`` with every form of the secret replaced by ``<hidden>``.

        Example:
            >>> Redactor("sk_live_abc123").bytes(b"Authorization: Bearer sk_live_ab")
            b'Authorization: Bearer <hidden>'
        """
        if self._found is None:
            return data
        if b"\x00" in data:
            # Text in UTF-16 or UTF-32 (a body in another encoding than it says) holds the secret
            # with NUL bytes between its characters; no text of an answer holds a NUL of its own.
            data = data.replace(b"\x00", b"")
        if _INVISIBLE.search(data):
            # The secret with invisible characters between its own reads as the secret on screen.
            # They are dropped only where that uncovers it: elsewhere they may belong to the text
            # (a joiner in an emoji or a Persian word).
            visible = _INVISIBLE.sub(b"", data)
            scrubbed = self._scrubbed(visible)
            if scrubbed != visible:
                return scrubbed
        return self._scrubbed(data)

    def text(self, text: str) -> str:
        """``text`` with every form of the secret replaced by ``<hidden>``.

        Example:
            >>> Redactor("sk_live_abc123").text("SK_LIVE_ABC123 was refused")
            '<hidden> was refused'
        """
        if self._found is None:
            return text
        return self.bytes(text.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")

    def cut(self, text: str, limit: int, ellipsis: str = "") -> str:
        """``text`` scrubbed, then cut to ``limit`` characters (``ellipsis`` ending a cut text).

        Example:
            >>> Redactor("sk_live_abc123").cut("refused: Bearer sk_live_abc123 (401)", 20, "...")
            'refused: Bearer <...'
        """
        scrubbed = self.text(text)
        if len(scrubbed) <= limit:
            return scrubbed
        return scrubbed[: max(limit - len(ellipsis), 0)] + ellipsis

    def document(self, document: Any) -> Any:
        """A parsed JSON document with every string in it (keys too, at any depth) scrubbed.

        Containers are changed in place and the document is returned. The walk uses no recursion,
        so a document nested thousands deep is no trouble.

        Example:
            >>> Redactor("sk_live_abc123").document(["ok", {"sk_live_abc123": ["sk_live_abc1"]}])
            ['ok', {'<hidden>': ['<hidden>']}]
        """
        if self._found is None:
            return document
        if isinstance(document, str):
            return self.text(document)
        pending: list[Any] = [document]
        while pending:
            container = pending.pop()
            if isinstance(container, list):
                for index, item in enumerate(container):
                    if isinstance(item, str):
                        container[index] = self.text(item)
                    elif isinstance(item, list | dict):
                        pending.append(item)
            elif isinstance(container, dict):
                for name in list(container):
                    item = container.pop(name) if isinstance(name, str) else container[name]
                    if isinstance(item, str):
                        item = self.text(item)
                    elif isinstance(item, list | dict):
                        pending.append(item)
                    container[self.text(name) if isinstance(name, str) else name] = item
        return document
