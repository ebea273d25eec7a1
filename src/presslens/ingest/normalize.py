"""Text normalisation applied once, at ingest; the result is the text all offsets refer to."""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
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


def normalize_text(text: str) -> str:
    """NFC, one kind of line break, no invisible characters, plain spaces; trailing blanks trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = text.translate(_SPACES)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def plain_quotes(text: str) -> str:
    """The same text with every quotation mark mapped to ``"`` or ``'`` (same length)."""
    return text.translate(QUOTE_MARKS)
