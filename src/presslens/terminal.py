"""Text made safe to print on a terminal: no escape sequences or bidi overrides from the data get through raw.

A leaf module (imports nothing from presslens): the reports, the CLI and every error line use it.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, the bidi embeddings/overrides/isolates, and lone
# surrogates (which no terminal can be sent: they are not UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_for_terminal(text: str) -> str:
    """``text`` with every control character (but tab and newline) and bidi override shown as a visible escape
    (``\\x1b``, ``\\u202e``), so printing it cannot move the cursor, retitle the window or reorder the line;
    a lone surrogate likewise (``\\ud800``), so that the text encodes as UTF-8."""
    return _UNSAFE.sub(_visible, text)


__all__ = ["safe_for_terminal"]
