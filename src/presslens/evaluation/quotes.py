"""Scoring quote spans and speakers against gold.

- A predicted and a gold quote match when their overlap, divided by the length of the longer of the
  two, is at least the threshold (0.3 and 0.8 reported); matching is one-to-one, best overlap first.
  Lengths and overlap are counted on the characters of the quotes' parts (a quote split by its attribution
  does not count the attribution; a quote without parts is one part).
- Precision = matched / predicted, recall = matched / gold, F1 their harmonic mean (micro, over all articles).
- Speaker accuracy is measured on matched pairs whose gold quote names a speaker. The prediction is right
  when its speaker mention overlaps the gold speaker mention, when the predicted entity has a mention that
  overlaps it, or when the predicted canonical name shares a name word with the gold speaker text
  (so "he" resolved to "Dmitry Peskov" is right against gold "Peskov").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from presslens.evaluation.gold import GoldDoc, GoldQuote
from presslens.model import Analysis, Quote

_STOP = {"the", "a", "an", "mr", "mrs", "ms", "dr", "of", "and", "president", "sen", "rep", "gov", "s"}


@dataclass
class QuoteScores:
    threshold: float
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    speaker_total: int = 0
    speaker_correct: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [predicted, matched]

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.speaker_total if self.speaker_total else 0.0

    def to_dict(self) -> dict:
        return {
            "overlap": self.threshold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "speaker_accuracy": round(self.speaker_accuracy, 4),
            "predicted": self.predicted,
            "gold": self.gold,
            "matched": self.matched,
            "speaker_scored": self.speaker_total,
            "precision_by_kind": {k: round(m / p, 4) if p else 0.0 for k, (p, m) in sorted(self.by_kind.items())},
        }


def overlap_ratio(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    inter = min(a_end, b_end) - max(a_start, b_start)
    if inter <= 0:
        return 0.0
    return inter / max(a_end - a_start, b_end - b_start)


Pieces = list[tuple[int, int]]


def pieces(q: Quote | GoldQuote) -> Pieces:
    """The character ranges a quote covers: its parts, or ``start:end`` when it has none."""
    return [(p.start, p.end) for p in q.parts] if q.parts else [(q.start, q.end)]


def pieces_overlap_ratio(a: Pieces, b: Pieces) -> float:
    """``overlap_ratio`` on the characters of the pieces: shared characters / the larger character count."""
    inter = sum(max(0, min(ae, be) - max(as_, bs)) for as_, ae in a for bs, be in b)
    if inter <= 0:
        return 0.0
    return inter / max(sum(e - s for s, e in a), sum(e - s for s, e in b))


def match(pred: list[Quote], gold: list[GoldQuote], threshold: float) -> list[tuple[Quote, GoldQuote]]:
    pairs = []
    gold_pieces = [pieces(g) for g in gold]
    for p in pred:
        pp = pieces(p)
        for g, gp in zip(gold, gold_pieces, strict=True):
            if p.start >= g.end or g.start >= p.end:
                continue
            r = pieces_overlap_ratio(pp, gp)
            if r >= threshold:
                pairs.append((r, id(p), id(g), p, g))
    pairs.sort(key=lambda x: -x[0])
    used_p, used_g, out = set(), set(), []
    for _, ip, ig, p, g in pairs:
        if ip in used_p or ig in used_g:
            continue
        used_p.add(ip)
        used_g.add(ig)
        out.append((p, g))
    return out


def _words(s: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", (s or "").lower()) if w not in _STOP and len(w) > 1}


def speaker_correct(pred: Quote, gold: GoldQuote, analysis: Analysis) -> bool:
    sp = pred.speaker
    if sp is None:
        return False
    gs, ge = gold.speaker_start, gold.speaker_end
    if gs is not None and ge is not None:
        if sp.start < ge and gs < sp.end:
            return True
        entity = analysis.entity(sp.entity) if sp.entity else None
        if entity and any(m.start < ge and gs < m.end for m in entity.mentions):
            return True
    return bool(_words(sp.name or sp.text) & _words(gold.speaker))


def score_quotes(pairs: list[tuple[Analysis, GoldDoc]], thresholds: Sequence[float] = (0.3, 0.8)) -> list[QuoteScores]:
    out: list[QuoteScores] = []
    for t in thresholds:
        s = QuoteScores(t)
        for analysis, gold in pairs:
            s.predicted += len(analysis.quotes)
            s.gold += len(gold.quotes)
            matched = match(analysis.quotes, gold.quotes, t)
            s.matched += len(matched)
            for q in analysis.quotes:
                s.by_kind.setdefault(q.kind, [0, 0])[0] += 1
            for p, g in matched:
                s.by_kind[p.kind][1] += 1
                if g.speaker or g.speaker_start is not None:
                    s.speaker_total += 1
                    s.speaker_correct += speaker_correct(p, g, analysis)
        out.append(s)
    return out
