"""Choosing a technique model's display thresholds from out-of-fold spans (``benchmarks/technique_span_threshold.py``).

A predicted span is **right** when it overlaps, by at least one character, a gold span of the same technique
(technique-aware, partial overlap). For each technique with enough out-of-fold spans, its threshold is the lowest
confidence at which the spans at or above it are right at least ``target`` of the time, with at least
``min_shown`` of them; the techniques with fewer spans share one threshold, chosen the same way on their spans
pooled. A technique whose spans never reach the target gets None: never shown by default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

Gold = Sequence[tuple[str, int, int]]


def is_right(technique: str, start: int, end: int, gold: Gold) -> bool:
    """Whether a gold span of ``technique`` overlaps ``start:end`` by at least one character."""
    return any(t == technique and min(end, e) > max(start, s) for t, s, e in gold)


def lowest_threshold(scored: Iterable[tuple[float, bool]], target: float, min_shown: int) -> float | None:
    """The lowest confidence t such that the spans with confidence ≥ t are at least ``min_shown`` and right at
    least ``target`` of the time (``scored``: (confidence, right) pairs); None when no t qualifies."""
    ranked = sorted(scored, key=lambda x: -x[0])
    best, right = None, 0
    for n, (confidence, ok) in enumerate(ranked, 1):
        right += ok
        tie = n < len(ranked) and ranked[n][0] == confidence  # a cut between equal confidences is no threshold
        if not tie and n >= min_shown and right / n >= target:
            best = confidence
    return best


def choose_thresholds(
    spans: Iterable[tuple[str, float, bool]], target: float = 0.6, min_support: int = 100, min_shown: int = 20
) -> tuple[float | None, dict[str, float | None]]:
    """(the shared threshold, {technique: its own}) from (technique, confidence, right) triples: a technique with
    at least ``min_support`` spans gets its own; the rest share one chosen on their spans pooled."""
    by_technique: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for technique, confidence, right in spans:
        by_technique[technique].append((confidence, right))
    own = {t: lowest_threshold(s, target, min_shown) for t, s in by_technique.items() if len(s) >= min_support}
    rest = [x for t, s in by_technique.items() if t not in own for x in s]
    return lowest_threshold(rest, target, min_shown), own
