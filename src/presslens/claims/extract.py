"""Finding the check-worthy statements of an article and who makes them.

Candidates are sentences, cut where quotes cut them: the part of a sentence inside a quote is a statement
by the quote's speaker; a sentence without a quote is the reporter's own voice. ``detect`` ranks them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from presslens.model import Analysis, Claimant, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc

MIN_WORDS = 4
QUESTION_DAMPING = 0.3
_MARKS = '"\u201c\u201d'
_TRIM = " \t\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb,;:\u2014\u2013-"


class Scorer(Protocol):
    """What scores the candidates: the check-worthiness model, one probability a text."""

    def score(self, texts: list[str]) -> Sequence[float]: ...


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    sentence: int  # index of the sentence it comes from
    quote: Quote | None
    score: float = 0.0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    text = doc.text  # built from the tokens on every access: read it once
    for sent in doc.sents:
        s, e = _trim(text, sent.start_char, sent.end_char)
        if e > s:
            out.append((s, e))
    return out


def candidates(analysis: Analysis, sentences: list[tuple[int, int]]) -> list[Candidate]:
    text = analysis.text
    out: list[Candidate] = []
    index = _QuotesByStart(analysis.quotes)
    for i, (s, e) in enumerate(sentences):
        quotes = [q for q in index.starting(s - index.longest, e) if q.start < e and q.end > s]
        pieces = [p for q in quotes for p in _quote_pieces(text, q, s, e)] if quotes else [(s, e, None)]
        for ps, pe, q in pieces:
            ps, pe = _trim(text, ps, pe)
            if len(text[ps:pe].split()) >= MIN_WORDS:
                out.append(Candidate(ps, pe, i, q))
    return out


class _QuotesByStart:
    """The quotes by start offset, for "which quotes overlap this range" without scanning them all (long
    documents); answers in the quotes' own order."""

    def __init__(self, quotes: list[Quote]) -> None:
        self.quotes = quotes
        order = sorted(range(len(quotes)), key=lambda n: quotes[n].start)
        self._starts = [quotes[n].start for n in order]
        self._order = order
        self.longest = max((q.end - q.start for q in quotes), default=0)

    def starting(self, lo: int, hi: int) -> list[Quote]:
        """The quotes whose start is in ``lo:hi``."""
        a, b = bisect.bisect_left(self._starts, lo), bisect.bisect_left(self._starts, hi)
        return [self.quotes[n] for n in sorted(self._order[a:b])]


def _quote_pieces(text: str, q: Quote, s: int, e: int) -> list[tuple[int, int, Quote]]:
    """The quote's words inside the sentence ``s:e``, without the attribution a split quote encloses
    ("…anyone," Peskov told the broadcaster. "But…"): from the closing mark before the speaker or cue to the
    opening mark after them."""
    start, end = max(q.start, s), min(q.end, e)
    marks = [x for x in (q.cue, q.speaker) if x is not None and q.start <= x.start and x.end <= q.end]
    if not marks or q.kind == "indirect":
        return [(start, end, q)]
    a, b = min(x.start for x in marks), max(x.end for x in marks)
    before = max(text.rfind(m, q.start, a) for m in _MARKS)
    after = [i for i in (text.find(m, b, q.end) for m in _MARKS) if i != -1]
    cut_from = before if before != -1 else a
    cut_to = min(after) + 1 if after else b
    return [(ps, pe, q) for ps, pe in ((start, min(end, cut_from)), (max(start, cut_to), end)) if pe > ps]


def is_question(text: str, c: Candidate) -> bool:
    return text[c.start : c.end].rstrip(_TRIM).endswith("?") or text[c.end : c.end + 2].lstrip(
        " \"'\u201d\u2019"
    ).startswith("?")


def score_candidates(analysis: Analysis, cands: list[Candidate], model: Scorer) -> None:
    """The debate model's scores (questions damped): one of the news ranker's features."""
    text = analysis.text
    for c, p in zip(cands, model.score([text[c.start : c.end] for c in cands]), strict=True):
        c.score = p * QUESTION_DAMPING if is_question(text, c) else p


def claimant_of(analysis: Analysis, quote: Quote | None) -> Claimant | None:
    if quote is None:
        return Claimant(analysis.metadata.source) if analysis.metadata.source else None
    sp = quote.speaker
    if sp is None:
        return None
    return Claimant(sp.name or sp.text, sp.entity)
