"""Scrubbing a secret out of whatever a server sends back, in every form it may come in.

A server (or something posing as one) may echo the ``Authorization`` header anywhere in its answer:
plainly, JSON-escaped (``\\u0073k_...``), percent-encoded (``%73k_...``), as HTML character references,
in any mix of these, or cut short. A :class:`Redactor` replaces each of these with ``<hidden>``:

- the whole secret, or any start of it at least :data:`MIN_PREFIX` characters long, anywhere;
- any start of it, however short, right after ``Bearer`` (the header's own form);
- any start of it of at least :data:`MIN_TAIL` characters at the very end of a text (a cut
  that fell inside the secret).

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

import re
from typing import Any, NoReturn

__all__ = ["MASK", "MIN_PREFIX", "MIN_TAIL", "Redactor"]

#: What a scrubbed secret reads as.
MASK = "<hidden>"
#: The shortest start of the secret hidden anywhere in a text.
MIN_PREFIX = 8
#: The shortest start of the secret hidden at the end of a text.
MIN_TAIL = 4

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


def _prefix(chars: list[bytes], required: int) -> bytes:
    """A regex for the first ``required`` characters, then as many of the following as are there."""
    optional = b""
    for char in reversed(chars[required:]):
        optional = b"(?:" + char + optional + b")?"
    return b"".join(chars[:required]) + optional


class Redactor:
    """Hides one secret in bytes, texts and parsed JSON documents.

    Its repr is masked, it refuses to be pickled, and it keeps the secret only inside compiled
    patterns, so holding one in a variable shows nothing in a traceback with local variables.

    Args:
        secret: the text to hide (an API key); an empty one hides nothing.

    Example:
        >>> Redactor("pk_test_0123456789").document({"user": {"id": "pk_test_0123456789"}, "n": 1})
        {'user': {'id': '<hidden>'}, 'n': 1}
    """

    __slots__ = ("_pattern", "_starts")

    def __init__(self, secret: str) -> None:
        chars = [_forms(char) for char in secret]
        # Any match holds "bearer" or the secret's first characters plainly (in some case), or an
        # escape: a text with none of these is returned at once, without running the pattern.
        self._starts = (b"bearer", secret[:MIN_TAIL].encode().lower(), b"\\", b"%", b"&#")
        if not chars:
            self._pattern: re.Pattern[bytes] | None = None
            return
        # Every match starts with one of these bytes: the lookahead lets the engine skip the rest fast.
        first = re.escape(("bB" + secret[0].lower() + secret[0].upper()).encode() + b"\\%&")
        self._pattern = re.compile(
            b"(?=["
            + first
            + b"])(?:"
            + b"|".join(
                [
                    b"(?P<bearer>" + _BEARER + b")" + _prefix(chars, 1),
                    _prefix(chars, min(MIN_PREFIX, len(chars))),
                    _prefix(chars, min(MIN_TAIL, len(chars))) + rb"\Z",
                ]
            )
            + b")",
            re.IGNORECASE,
        )

    def __repr__(self) -> str:
        return f"Redactor({MASK})"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Redactor holds a secret and is not pickled")

    def bytes(self, data: bytes) -> bytes:
        """``data`` with every form of the secret replaced by ``<hidden>``.

        Example:
            >>> Redactor("sk_live_abc123").bytes(b"Authorization: Bearer sk_live_ab")
            b'Authorization: Bearer <hidden>'
        """
        if self._pattern is None:
            return data
        lowered = data.lower()
        if not any(start in lowered for start in self._starts):
            return data
        return self._pattern.sub(_replacement, data)

    def text(self, text: str) -> str:
        """``text`` with every form of the secret replaced by ``<hidden>``.

        Example:
            >>> Redactor("sk_live_abc123").text("SK_LIVE_ABC123 was refused")
            '<hidden> was refused'
        """
        if self._pattern is None:
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
        if self._pattern is None:
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


def _replacement(match: re.Match[bytes]) -> bytes:
    bearer = match.group("bearer")
    return (b"Bearer " if bearer else b"") + MASK.encode()
