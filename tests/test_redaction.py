"""The Redactor: every form of a secret hidden, in bytes, texts and documents, before any cut."""

from __future__ import annotations

from typing import Any

import pytest

from bulkprep.redaction import Redactor

KEY = "Zq9x_live_R3fl3cted-K3y-0123456789abcdef"
REDACTOR = Redactor(KEY)


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        KEY.upper(),
        "".join(f"\\u{ord(char):04X}" for char in KEY),
        "".join(f"%{byte:02x}" for byte in KEY.encode()),
        "".join(f"&#{ord(char)};" for char in KEY),
        "".join(f"&#x{ord(char):x};" for char in KEY),
        "".join(f"\\u{ord(char):04x}" if n % 2 else char for n, char in enumerate(KEY)),
        KEY[:8],
        KEY[:20],
    ],
    ids=["plain", "upper", "json", "percent", "html", "html-hex", "mixed", "first-8", "first-20"],
)
def test_every_form_of_the_key_is_hidden(echo: str) -> None:
    assert REDACTOR.text(f"before {echo} after") == "before <hidden> after"
    assert REDACTOR.bytes(f"[{echo}]".encode()) == b"[<hidden>]"


def test_after_bearer_any_start_is_hidden_and_at_the_end_four_characters() -> None:
    assert REDACTOR.text(f"Bearer {KEY[:1]}, more") == "Bearer <hidden>, more"
    assert REDACTOR.text(f"BEARER%20{KEY[:3]}") == "Bearer <hidden>"
    assert REDACTOR.text(f"cut here: {KEY[:4]}") == "cut here: <hidden>"
    # A few characters inside a text are left alone: they say nothing of the key.
    assert REDACTOR.text(f"{KEY[:5]} in the middle") == f"{KEY[:5]} in the middle"


def test_scrubbing_happens_before_the_cut() -> None:
    text = "x" * 195 + KEY
    assert REDACTOR.cut(text, 200) == "x" * 195 + "<hidd"
    cut = REDACTOR.cut(text, 201, "...")
    assert cut == "x" * 195 + "<hi..."
    assert KEY[:4] not in cut


def test_documents_are_scrubbed_at_any_depth_keys_included() -> None:
    deep: Any = KEY
    for _ in range(5000):
        deep = [deep]
    document = {"a": {KEY: [1, None, True, f"x{KEY}"]}, "deep": deep}
    scrubbed = REDACTOR.document(document)
    assert scrubbed["a"] == {"<hidden>": [1, None, True, "x<hidden>"]}
    inner = scrubbed["deep"]
    while isinstance(inner, list):
        (inner,) = inner
    assert inner == "<hidden>"


def test_a_key_beyond_ascii_and_an_empty_one() -> None:
    key = "ключ-🔑-0123456789"
    redactor = Redactor(key)
    assert redactor.text(f'"{key}"') == '"<hidden>"'
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else "\\ud83d\\udd11" for c in key)
    assert redactor.text(escaped) == "<hidden>"
    assert redactor.bytes(quote_bytes(key)) == b"<hidden>"
    assert Redactor("").text("anything") == "anything"
    assert repr(redactor) == "Redactor(<hidden>)"


def quote_bytes(text: str) -> bytes:
    return "".join(f"%{byte:02X}" for byte in text.encode()).encode()


def pieces_of(key: str) -> list[str]:
    return [key[-12:], key[10:26], key[5:25], key[-9:], key[3:11]]


@pytest.mark.parametrize(
    "piece", pieces_of(KEY), ids=["last-12", "middle-16", "job-id-20", "last-9", "any-8"]
)
def test_any_run_of_eight_characters_of_the_key_is_hidden(piece: str) -> None:
    for text in (
        f"token ...{piece}...",
        f"job-{piece}",
        "x" * 400 + piece + "y" * 400,
    ):  # short and long texts
        hidden = REDACTOR.text(text)
        assert piece not in hidden
        assert "<hidden>" in hidden


def test_a_run_shorter_than_eight_characters_is_left_alone() -> None:
    assert REDACTOR.text(f"short {KEY[12:19]} piece") == f"short {KEY[12:19]} piece"


@pytest.mark.parametrize("lead", [b"", b"a", b"ab", b"api:", b"Bearer "])
def test_the_key_in_base64_base64url_or_hex_is_hidden_in_any_alignment(lead: bytes) -> None:
    import base64

    raw = lead + KEY.encode()
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw), raw.hex().encode()):
        hidden = REDACTOR.bytes(b"auth=" + encoded + b" end")
        # What is left of the encoding is the lead's own, and the few characters lead and padding share.
        kept = hidden.replace(b"auth=", b"").replace(b" end", b"").split(b"<hidden>")
        assert b"<hidden>" in hidden
        assert sum(len(part) for part in kept) <= 2 * len(lead) + 8, hidden


@pytest.mark.parametrize("length", [600, 5000, 40000])
def test_a_long_key_is_hidden_in_every_form(length: int) -> None:
    """A key of any length (a token of thousands of characters) is scrubbed, whole, cut or escaped."""
    key = (KEY * (length // len(KEY) + 1))[:length]
    redactor = Redactor(key)
    echoes = [
        f"Bearer {key}",
        key.upper(),
        "".join(f"\\u{ord(char):04x}" for char in key),
        "".join(f"%{byte:02X}" for byte in key.encode()),
        "".join(f"&#{ord(char)};" for char in key[:100]),
        key[: length // 2],
        key[length // 3 :],
    ]
    for echo in echoes:
        scrubbed = redactor.text(f"said: {echo} (401)")
        assert scrubbed.startswith("said: ")
        assert scrubbed.endswith(" (401)")
        assert key[:8].lower() not in scrubbed.lower(), scrubbed[:80]
        assert key[-8:].lower() not in scrubbed.lower(), scrubbed[-80:]
    assert redactor.text(f"cut: {key[:6]}") == "cut: <hidden>"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32"])
def test_the_key_in_a_body_of_another_encoding_is_hidden(codec: str) -> None:
    # A body in UTF-16 or UTF-32 holds the key with NUL bytes between its characters.
    scrubbed = Redactor(KEY).bytes(f"refused: Bearer {KEY} (401)".encode(codec))
    assert KEY[:8].encode() not in scrubbed.replace(b"\x00", b"")
    assert b"\x00" not in scrubbed
    assert scrubbed.endswith(b"refused: Bearer <hidden> (401)")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_the_key_with_invisible_characters_between_its_own_is_hidden(invisible: str) -> None:
    # On screen it reads as the key.
    assert REDACTOR.text(f"refused {invisible.join(KEY)} (401)") == "refused <hidden> (401)"
    assert REDACTOR.text(f"token {invisible.join(KEY[:10])}") == "token <hidden>"


def test_invisible_characters_of_the_text_itself_stay() -> None:
    # A joiner inside an emoji, a zero-width non-joiner inside a Persian word: not the key's.
    text = "by 👩\u200d💻 in می\u200cخواهم"
    assert REDACTOR.text(text) == text
