"""Ranking metrics for check-worthiness, as in the CheckThat! 2020 Task 5 scorer.

Per transcript the lines are ranked by score (ties keep line order); with R positives:
- average precision = mean of precision@rank over the ranks of the positives (0 if R = 0);
- R-precision = precision at rank R;
- P@k = positives in the top k / k.
MAP, mean R-precision and mean P@k average over transcripts (transcripts without positives count as 0,
as the official scorer does).
"""

from __future__ import annotations

from collections.abc import Sequence

KS = (1, 3, 5, 10, 20, 50)


def ranking(scores: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    hits, total = 0, 0.0
    for rank, i in enumerate(ranking(scores), 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    positives = sum(1 for x in labels if x)
    return total / positives if positives else 0.0


def precision_at(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    top = ranking(scores)[:k]
    return sum(1 for i in top if labels[i]) / k if k else 0.0


def r_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    r = sum(1 for x in labels if x)
    return precision_at(labels, scores, r) if r else 0.0


def score_transcripts(runs: Sequence[tuple[Sequence[int], Sequence[float]]]) -> dict[str, float]:
    """``runs``: one ``(labels, scores)`` per transcript → MAP, mean R-precision, mean P@k."""
    n = len(runs) or 1
    out = {
        "transcripts": len(runs),
        "map": sum(average_precision(y, s) for y, s in runs) / n,
        "r_precision": sum(r_precision(y, s) for y, s in runs) / n,
    }
    for k in KS:
        out[f"p@{k}"] = sum(precision_at(y, s, k) for y, s in runs) / n
    return out
