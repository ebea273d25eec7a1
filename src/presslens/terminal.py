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


# What json.dumps(..., ensure_ascii=False) leaves raw: DEL, the C1 controls and the bidi overrides; and lone
# surrogates, which cannot be written as UTF-8 (the escape keeps the value: json.loads gives it back).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def safe_json(text: str) -> str:
    """JSON text (from ``json.dumps``) with the characters that ``ensure_ascii=False`` leaves raw and that a
    terminal would act on (or that UTF-8 cannot encode) written as JSON escapes (``\\u009b``): the same JSON value,
    safe to print."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


__all__ = ["safe_for_terminal", "safe_json"]
