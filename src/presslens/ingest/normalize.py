"""Text normalisation applied once, at ingest; the result is the text all offsets refer to."""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Terminal escape sequences as a whole, since their printable tail is no text either: CSI (``ESC [ 2 J``; the C1
# form ``\x9b31m`` only with parameters, as a lone C1 byte is usually mojibake), OSC / DCS / PM / APC strings with
# their terminator (``ESC ] 0;title BEL``), and two-character ``ESC x``. No class includes ESC, so a failed match
# stops at the next one and matching stays linear on any input. What is left of a broken sequence goes below.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]+[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -~]?"
)
# Invisible characters: C0 controls but tab and newline, DEL, C1 controls, zero-width characters, the soft hyphen,
# bidi marks, embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), invisible math operators, the
# deprecated format characters, and the BOM. A zero-width joiner is kept inside an emoji sequence (below);
# variation selectors and emoji tag characters are never touched.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
_ZWJ = re.compile("\u200d")
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " "})

# One-to-one mapping of the many quotation marks onto the four plain ones. It is applied
# to a *copy* used for quote detection, so lengths (and offsets) never change.
QUOTE_MARKS = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\uff02": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2039": "'",
        "\u203a": "'",
        "\u2032": "'",
        "\u0060": "'",
        "\u00b4": "'",
    }
)


def _is_emoji(char: str) -> bool:
    """A character an emoji ZWJ sequence joins: a pictograph (category So) or, before the joiner, the variation
    selector or skin-tone modifier that ends the previous emoji."""
    return unicodedata.category(char) == "So" or char == "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff"


def _drop_zwj(text: str) -> str:
    """Zero-width joiners, except between two emoji (the family 👨‍👩‍👧 stays one sequence)."""

    def keep_in_emoji(match: re.Match[str]) -> str:
        at = match.start()
        inside = 0 < at < len(text) - 1 and _is_emoji(text[at - 1]) and _is_emoji(text[at + 1])
        return match.group() if inside else ""

    return _ZWJ.sub(keep_in_emoji, text) if "\u200d" in text else text


def normalize_text(text: str) -> str:
    """One kind of line break, no escape sequences or invisible characters, NFC, plain spaces; trailing blanks
    trimmed. NFC comes after the removals, so a combining mark that followed a removed control still composes."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _ESCAPES.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _drop_zwj(text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_SPACES)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def plain_quotes(text: str) -> str:
    """The same text with every quotation mark mapped to ``"`` or ``'`` (same length)."""
    return text.translate(QUOTE_MARKS)
