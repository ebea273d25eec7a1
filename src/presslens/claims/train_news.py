"""Training and cross-validating the news ranker on the claims-news gold (``presslens train claims``).

Scores, per article (each scored by a model that did not see it, 6 folds by article, seeded): its sentences ranked
by check-worthiness → average precision and P@5 (MAP and mean P@5 over articles), beside text order, random
order and the debate model alone; and precision / recall / F1 of the listed claims (sentences at or above the
threshold) beside "every sentence is a claim". The regularisation C and the listing threshold are chosen inside
each training split (nested), so the held-out figures never saw their own labels.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from presslens.claims.features import NAMES
from presslens.claims.news import (
    C_GRID,
    SEED,
    NewsRanker,
    Prepared,
    article_folds,
    prepare,
    read_gold,
    sentence_scores,
)
from presslens.evaluation.checkworthiness import average_precision, precision_at

Columns = slice | list[int]
BETA = 0.5  # the listing threshold maximises F0.5: a listed claim should be right more often than one is missed
RANDOM_ORDERS = 50


def ranking_scores(labels: Sequence[Sequence[int]], scores: Sequence[Sequence[float]]) -> dict[str, float]:
    """MAP and mean P@k over the articles with at least one check-worthy sentence (a ranking of an article
    without any says nothing; TREC's convention)."""
    runs = [(y, s) for y, s in zip(labels, scores, strict=True) if any(y)]
    n = len(runs) or 1
    return {
        "map": sum(average_precision(y, s) for y, s in runs) / n,
        "p@5": sum(precision_at(y, s, 5) for y, s in runs) / n,
        "p@10": sum(precision_at(y, s, 10) for y, s in runs) / n,
    }


def listing_scores(
    labels: Sequence[Sequence[int]], scores: Sequence[Sequence[float]], threshold: float
) -> dict[str, float]:
    tp = fp = fn = 0
    for y, s in zip(labels, scores, strict=True):
        for label, score in zip(y, s, strict=True):
            listed = score >= threshold
            tp += int(listed and label == 1)
            fp += int(listed and label == 0)
            fn += int(not listed and label == 1)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "listed": tp + fp}


def best_threshold(labels: Sequence[Sequence[int]], scores: Sequence[Sequence[float]], beta: float = BETA) -> float:
    flat = sorted({round(s, 4) for ss in scores for s in ss})
    best, best_f = 0.5, -1.0
    for t in flat:
        m = listing_scores(labels, scores, t)
        p, r = m["precision"], m["recall"]
        f = (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0
        if f > best_f:
            best, best_f = t, f
    return best


def _fit_scores(train: list[Prepared], test: list[Prepared], C: float, cols: Columns) -> list[list[float]]:
    X = np.vstack([p.X[:, cols] for p in train])
    y = np.concatenate([p.y for p in train])
    model = NewsRanker.fit(X, y, C)
    return [sentence_scores(p, model.score(p.X[:, cols])) for p in test]


def _inner(train: list[Prepared], cols: Columns, k: int = 5) -> tuple[float, float]:
    """C by MAP and the threshold by F0.5, from out-of-fold scores within ``train``."""
    folds = article_folds(len(train), k, SEED + 1)
    best_c, best_map, best_scores = C_GRID[0], -1.0, None
    for C in C_GRID:
        scores: list[list[float]] = [[] for _ in train]
        for fold in folds:
            held = set(fold)
            got = _fit_scores([p for i, p in enumerate(train) if i not in held], [train[i] for i in fold], C, cols)
            for i, s in zip(fold, got, strict=True):
                scores[i] = s
        m = ranking_scores([p.gold.labels for p in train], scores)["map"]
        if m > best_map:
            best_c, best_map, best_scores = C, m, scores
    assert best_scores is not None
    return best_c, best_threshold([p.gold.labels for p in train], best_scores)


def nested_cv(
    prepared: list[Prepared], cols: Columns = slice(None)
) -> tuple[list[list[float]], list[float], list[float]]:
    """Held-out sentence scores per article, and the C and threshold each outer fold chose."""
    out: list[list[float]] = [[] for _ in prepared]
    thresholds: list[float] = [0.5] * len(prepared)
    cs = []
    for fold in article_folds(len(prepared)):
        held = set(fold)
        train = [p for i, p in enumerate(prepared) if i not in held]
        C, threshold = _inner(train, cols)
        cs.append(C)
        for i, s in zip(fold, _fit_scores(train, [prepared[i] for i in fold], C, cols), strict=True):
            out[i] = s
            thresholds[i] = threshold
    return out, thresholds, cs


def evaluate(prepared: list[Prepared], log: Callable[[str], None] = print) -> dict:
    """Every figure of the docs' table: the ranker (and its ablations) against the baselines."""
    labels = [p.gold.labels for p in prepared]
    rows: dict[str, dict] = {}
    rows["text order"] = ranking_scores(labels, [[-float(i) for i in range(len(y))] for y in labels])
    rng = random.Random(SEED)
    rand = [ranking_scores(labels, [[rng.random() for _ in y] for y in labels]) for _ in range(RANDOM_ORDERS)]
    rows["random order (mean of 50)"] = {k: sum(r[k] for r in rand) / len(rand) for k in rand[0]}
    debate = [sentence_scores(p, p.debate) for p in prepared]
    rows["debate model alone (before)"] = {**ranking_scores(labels, debate), **listing_scores(labels, debate, 0.3)}
    rows["every sentence a claim"] = listing_scores(labels, [[1.0] * len(y) for y in labels], 0.5)
    n, width = len(NAMES), prepared[0].X.shape[1]
    variants = {
        "full ranker: features + tagger states (default)": list(range(width)),
        "lite ranker: features only (--fast)": list(range(n)),
        "full ranker without the debate score": list(range(1, width)),
        "tagger states alone": list(range(n, width)),
    }
    for name, cols in variants.items():
        t0 = time.time()
        scores, thresholds, cs = nested_cv(prepared, cols)
        flat = [
            [s - t + 0.5 for s in ss] for ss, t in zip(scores, thresholds, strict=True)
        ]  # each at its own threshold
        rows[name] = {**ranking_scores(labels, scores), **listing_scores(labels, flat, 0.5), "C": cs}
        rows[name]["threshold"] = sum(thresholds) / len(thresholds)
        log(
            f"{name}: MAP {rows[name]['map']:.3f}, P@5 {rows[name]['p@5']:.3f}, F1 {rows[name]['f1']:.3f} ({time.time() - t0:.0f}s)"
        )
    return {
        "articles": len(prepared),
        "sentences": sum(len(y) for y in labels),
        "positives": sum(sum(y) for y in labels),
        "folds": 6,
        "by": "article",
        "seed": SEED,
        "rows": rows,
    }


def train(
    gold: str | Path, data: str | Path, out: str | Path, cv: bool = True, log: Callable[[str], None] = print
) -> dict:
    """Cross-validate (nested, by article), then fit both rankers on every article; write them into the folder
    ``out`` (news-ranker-v1 and news-ranker-lite-v1, with their sidecars) and the scores beside them."""
    from presslens.claims.news import FULL_MODEL_PATH, LITE_MODEL_PATH
    from presslens.persuasion.accurate import load_accurate

    prepared = prepare(read_gold(gold), Path(data) / "quotes/polnear/train/text", log)
    scores = evaluate(prepared, log) if cv else {}
    out = Path(out)
    n, width = len(NAMES), prepared[0].X.shape[1]
    for target, cols, source in (
        (FULL_MODEL_PATH, list(range(width)), load_accurate(members=1, int8=True).state_source),
        (LITE_MODEL_PATH, list(range(n)), None),
    ):
        C, threshold = _inner(prepared, cols)
        X = np.vstack([p.X[:, cols] for p in prepared])
        y = np.concatenate([p.y for p in prepared])
        model = NewsRanker.fit(X, y, C)
        model.threshold = threshold
        model.meta = {"C": C, "features": NAMES, "state_width": width - n if source else 0, "gold": str(gold)}
        if source:
            model.meta["state_source"] = source
        written = model.save(out / target.name)
        log(f"wrote {written} (C {C}, threshold {threshold:.3f})")
    (out / "news-ranker-v1.scores.json").write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
    return scores
