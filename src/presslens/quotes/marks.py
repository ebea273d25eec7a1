"""Finding direct quotations by their quotation marks.

Works on the plain-quote copy of the text (same length as the text), so straight, curly and
guillemet marks are handled alike, while the direction of curly marks is still read from the
original characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presslens.ingest.normalize import plain_quotes

_OPENERS = set("\u201c\u201e\u00ab\u2018\u201a\u2039")
_CLOSERS = set("\u201d\u00bb\u2019\u203a")
_BEFORE_OPEN = set(" \n([{\u2014\u2013-/:;,'\"")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(slots=True)
class QuoteMark:
    start: int  # offset of the opening mark
    end: int  # offset after the closing mark (or the paragraph end when left open)
    open_ended: bool = False  # the press convention: a paragraph that opens a quote and does not close it

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, (self.end if self.open_ended else self.end - 1)


def find_quote_marks(text: str) -> list[QuoteMark]:
    plain = plain_quotes(text)
    marks: list[QuoteMark] = []
    for para in _PARAGRAPH.finditer(plain):
        doubles = _pair(text, plain, para.start(), para.end(), '"')
        marks.extend(doubles)
        marks.extend(_singles(text, plain, para.start(), para.end(), doubles))
    marks.sort(key=lambda m: m.start)
    return [m for m in marks if _has_words(plain, m)]


def _has_words(plain: str, m: QuoteMark) -> bool:
    a, b = m.inner
    return any(c.isalnum() for c in plain[a:b])


def _is_open(text: str, plain: str, i: int, start: int, end: int) -> bool:
    ch = text[i]
    if ch in _OPENERS:
        return True
    if ch in _CLOSERS:
        return False
    before = plain[i - 1] if i > start else " "
    after = plain[i + 1] if i + 1 < end else " "
    return before in _BEFORE_OPEN and not after.isspace()


def _pair(text: str, plain: str, start: int, end: int, mark: str) -> list[QuoteMark]:
    out: list[QuoteMark] = []
    opened: int | None = None
    for i in range(start, end):
        if plain[i] != mark:
            continue
        if opened is None:
            if _is_open(text, plain, i, start, end):
                opened = i
        elif not _is_open(text, plain, i, start, end) or text[i] not in _OPENERS:
            out.append(QuoteMark(opened, i + 1, False))
            opened = None
    if opened is not None and end - opened > 1:
        out.append(QuoteMark(opened, end, True))
    return out


def _singles(text: str, plain: str, start: int, end: int, doubles: list[QuoteMark]) -> list[QuoteMark]:
    """Single-quoted spans outside double quotes; apostrophes inside words never close one."""
    out: list[QuoteMark] = []
    opened: int | None = None
    for i in range(start, end):
        if plain[i] != "'" or any(d.start <= i < d.end for d in doubles):
            continue
        before = plain[i - 1] if i > start else " "
        after = plain[i + 1] if i + 1 < end else " "
        if opened is None:
            if before in _BEFORE_OPEN and after.isalnum() and text[i] not in _CLOSERS:
                opened = i
        elif not before.isspace() and not after.isalnum():
            if i - opened > 2:
                out.append(QuoteMark(opened, i + 1, False))
            opened = None
    return out
