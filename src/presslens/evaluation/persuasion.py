"""Scores for persuasion techniques, frames and genre.

- **Paragraph level** (SemEval-2023 Task 3 subtask 3): every non-blank line is a paragraph; its gold labels
  are the techniques of the gold spans overlapping it. Micro-F1 over all (paragraph, technique) pairs;
  macro-F1 is the mean of per-technique F1 over the techniques that occur in the gold data (techniques
  absent from gold and predictions would add an arbitrary 0 or 1).
- **Span level** (SemEval-2020 Task 11, span identification with partial credit): with predicted spans S and
  gold spans T of an article, P = Σ_{s∈S,t∈T} |s∩t|/|s| / |S| and R = Σ_{s∈S,t∈T} |s∩t|/|t| / |T|, summed over
  articles before dividing; F1 = 2PR/(P+R). *Technique-aware*: s and t only count when their techniques are
  equal. *Technique-agnostic*: the overlapping spans of each side are first merged into one (the binary task).
- **Frames**: micro-F1 over (article, frame) pairs. **Genre**: accuracy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

Spans = list[tuple[str, int, int]]


def prf(tp: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def multilabel_f1(gold: list[set[str]], pred: list[set[str]]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    micro = prf(tp, n_pred, n_gold)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g, p in zip(gold, pred, strict=True):
        for label in g | p:
            c = per[label]
            c[0] += label in g and label in p
            c[1] += label in p
            c[2] += label in g
    in_gold = [lab for lab, c in per.items() if c[2]]
    macro = sum(prf(*per[lab])[2] for lab in in_gold) / len(in_gold) if in_gold else 0.0
    return {"micro_precision": micro[0], "micro_recall": micro[1], "micro_f1": micro[2], "macro_f1": macro}


def _merge(spans: Spans) -> Spans:
    out: Spans = []
    for _, s, e in sorted(spans, key=lambda x: x[1]):
        if out and s <= out[-1][2]:
            out[-1] = ("span", out[-1][1], max(out[-1][2], e))
        else:
            out.append(("span", s, e))
    return out


@dataclass
class SpanScore:
    precision: float
    recall: float
    f1: float


def span_f1(gold: list[Spans], pred: list[Spans], aware: bool = True) -> SpanScore:
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for g, p in zip(gold, pred, strict=True):
        if not aware:
            g, p = _merge(g), _merge(p)
        n_pred += len(p)
        n_gold += len(g)
        for tp, ps, pe in p:
            for tg, gs, ge in g:
                if aware and tp != tg:
                    continue
                inter = min(pe, ge) - max(ps, gs)
                if inter > 0:
                    p_sum += inter / (pe - ps)
                    r_sum += inter / (ge - gs)
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    return SpanScore(precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0)
