"""Training and measuring the genre model: ``presslens train genre --data ../shared/data``.

Data: the SemEval articles of ``DIR/persuasion`` with a genre (319 opinion, 30 reporting, 2 satire), plus the
PolNeAR training articles of ``DIR/quotes/polnear/train`` (2016 election coverage, hard news) as extra
``reporting`` examples at a reduced weight. Each article goes through the ``quotes`` component first (about half a
second an article on 2 cores), because the style features read the quotes.

Cross-validation: 5 folds by article on SemEval (the folds of ``presslens train persuasion``); the PolNeAR
training articles are split into 5 folds as well, and fold k of each is held out together. In the same run, on
the same folds: the majority class and the genre model shipped until 2026-12 (TF-IDF words and characters of the
whole text, multinomial logistic regression, SemEval only). Reported: accuracy and recall per genre on SemEval,
the share of held-out PolNeAR articles called ``reporting``, and the same share on ``DIR/quotes/polnear/dev``
(never trained on) for the models fitted on everything.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from presslens.genre.classifier import GenreClassifier, article_inputs
from presslens.labels import GENRES

SEED = 13
POLNEAR_WEIGHT = 0.3  # each PolNeAR article weighs this much against one SemEval article (model card)
C = 1.0
STYLE_WEIGHT = 1.0
PRECISION_TARGET = 0.8  # shown verdicts (not uncertain) must be right this often in cross-validation
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.40, 0.96, 0.05))
LETTERS = re.compile(r"(?m)^LETTERS\.?$")
SECTION_LINES = re.compile(r"(?m)^(?:ABSTRACT|FULL TEXT)\.?\n+")


@dataclass
class GenreExample:
    id: str
    source: str  # "semeval", "polnear-train", "polnear-dev"
    text: str
    label: str
    voice: str = ""
    style: np.ndarray | None = None


def load_examples(
    data: str | Path,
) -> tuple[list[GenreExample], list[list[int]], list[GenreExample], list[GenreExample]]:
    """The labelled SemEval articles, their CV folds (indices into that list), and the PolNeAR train and dev
    articles (labelled ``reporting``)."""
    from presslens.persuasion.data import folds, load_corpus
    from presslens.persuasion.train import SEED as PERSUASION_SEED

    data = Path(data)
    corpus = load_corpus(data / "persuasion")
    fold_of = {corpus[i].id: k for k, fold in enumerate(folds(corpus, 5, PERSUASION_SEED)) for i in fold}
    semeval = [GenreExample(a.id, "semeval", a.text, a.genre) for a in corpus if a.genre in GENRES]
    sem_folds = [[i for i, e in enumerate(semeval) if fold_of[e.id] == k] for k in range(5)]
    polnear = []
    for split in ("train", "dev"):
        folder = data / "quotes" / "polnear" / split / "text"
        texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
        polnear.append(
            [
                GenreExample(name, f"polnear-{split}", _clean(text), "reporting")
                for name, text in texts
                if _is_report(text)
            ]
        )
    return semeval, sem_folds, polnear[0], polnear[1]


def _is_report(text: str) -> bool:
    """PolNeAR is hard news but for letters to the editor (USA Today's, headed "LETTERS.")."""
    return not LETTERS.search(text)


def _clean(text: str) -> str:
    """Without the section lines of one outlet's database ("ABSTRACT.", "FULL TEXT."), which would teach the
    model a source rather than a genre."""
    return SECTION_LINES.sub("", text)


def add_inputs(examples: Sequence[GenreExample], workers: int = 1, log: Callable[[str], None] = print) -> None:
    """Run the quotes component over the examples and keep what the classifier reads (voice, style)."""
    from presslens.ingest.article import article_from_text
    from presslens.model import Analysis
    from presslens.pipeline import analyze_many

    t0 = time.time()
    articles = [article_from_text(e.text, id=str(n)) for n, e in enumerate(examples)]
    for n, result in enumerate(analyze_many(articles, components=("quotes",), workers=workers)):
        quotes = result.quotes if isinstance(result, Analysis) else []
        text = result.text if isinstance(result, Analysis) else articles[n].text
        examples[n].voice, examples[n].style = article_inputs(text, quotes)
        if (n + 1) % 200 == 0:
            log(f"quotes: {n + 1}/{len(examples)} articles, {time.time() - t0:.0f}s")


def fit_model(examples: Sequence[GenreExample], polnear_weight: float | None = None) -> GenreClassifier:
    polnear_weight = POLNEAR_WEIGHT if polnear_weight is None else polnear_weight
    weights = np.array([1.0 if e.source == "semeval" else polnear_weight for e in examples])
    styles = np.vstack([e.style for e in examples if e.style is not None])
    return GenreClassifier(C=C, style_weight=STYLE_WEIGHT).fit(
        [e.voice for e in examples], styles, [e.label for e in examples], weights, seed=SEED
    )


def _proba(model: GenreClassifier, examples: Sequence[GenreExample]) -> list[dict[str, float]]:
    if not examples:
        return []
    P = model.predict_proba([e.voice for e in examples], np.vstack([e.style for e in examples if e.style is not None]))
    return [dict(zip(model.classes, map(float, row), strict=True)) for row in P]


def _old_model(train: Sequence[GenreExample]) -> Callable[[Sequence[GenreExample]], list[str]]:
    """The genre model shipped until 2026-12: TF-IDF words and characters of the whole text, multinomial logistic
    regression, unweighted, SemEval only."""
    from presslens.persuasion.lexical import TextClassifier

    clf = TextClassifier(list(GENRES), multilabel=False, class_weight=None).fit(
        [e.text for e in train], [e.label for e in train]
    )
    return lambda examples: [str(p) for p in clf.predict([e.text for e in examples])] if examples else []


def _best(row: dict[str, float]) -> str:
    return max(row, key=lambda k: row[k])


def scores_of(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """Accuracy and recall per genre (hits / articles)."""
    hits = [g == p for g, p in zip(gold, pred, strict=True)]
    recall: dict[str, dict[str, float | None]] = {}
    for g in GENRES:
        n, found = gold.count(g), sum(h for h, x in zip(hits, gold, strict=True) if x == g)
        recall[g] = {"hits": found, "articles": n, "recall": round(found / n, 3) if n else None}
    return {"accuracy": round(float(np.mean(hits)), 3), "recall": recall}


def choose_threshold(gold: Sequence[str], probs: Sequence[dict[str, float]]) -> tuple[float, list[dict]]:
    """The lowest threshold at which the verdicts shown (top probability at or above it) are right at least
    ``PRECISION_TARGET`` of the time for every genre shown, on the pooled out-of-fold predictions; the table."""
    table, chosen = [], None
    for t in THRESHOLDS:
        shown = [(g, _best(p)) for g, p in zip(gold, probs, strict=True) if max(p.values()) >= t]
        by_label = {
            lab: round(float(np.mean([g == p for g, p in shown if p == lab])), 3)
            for lab in GENRES
            if any(p == lab for _, p in shown)
        }
        row = {
            "threshold": t,
            "shown": len(shown),
            "of": len(gold),
            "precision": round(float(np.mean([g == p for g, p in shown])), 3) if shown else None,
            "precision_by_genre": by_label,
        }
        table.append(row)
        if chosen is None and shown and all(v >= PRECISION_TARGET for v in by_label.values()):
            chosen = t
    return (chosen if chosen is not None else THRESHOLDS[-1]), table


def cross_validate(
    semeval: list[GenreExample],
    sem_folds: list[list[int]],
    polnear: list[GenreExample],
    log: Callable[[str], None] = print,
    polnear_weight: float = POLNEAR_WEIGHT,
) -> dict:
    k = len(sem_folds)
    order = list(range(len(polnear)))
    random.Random(SEED).shuffle(order)
    pn_folds = [sorted(order[i::k]) for i in range(k)]
    sem_probs: list[dict[str, float]] = [{} for _ in semeval]
    pn_probs: list[dict[str, float]] = [{} for _ in polnear]
    sem_old, pn_old = [""] * len(semeval), [""] * len(polnear)
    sem_majority = [""] * len(semeval)
    for n in range(k):
        held_sem, held_pn = set(sem_folds[n]), set(pn_folds[n])
        train_sem = [e for i, e in enumerate(semeval) if i not in held_sem]
        train_pn = [e for i, e in enumerate(polnear) if i not in held_pn and polnear_weight > 0]
        model = fit_model(train_sem + train_pn, polnear_weight)
        old = _old_model(train_sem)
        majority = Counter(e.label for e in train_sem).most_common(1)[0][0]
        test_sem, test_pn = sorted(held_sem), sorted(held_pn)
        for i, p in zip(test_sem, _proba(model, [semeval[i] for i in test_sem]), strict=True):
            sem_probs[i] = p
        for i, p in zip(test_pn, _proba(model, [polnear[i] for i in test_pn]), strict=True):
            pn_probs[i] = p
        for i, lab in zip(test_sem, old([semeval[i] for i in test_sem]), strict=True):
            sem_old[i] = lab
        for i, lab in zip(test_pn, old([polnear[i] for i in test_pn]), strict=True):
            pn_old[i] = lab
        for i in test_sem:
            sem_majority[i] = majority
        log(f"fold {n + 1}/{k}")
    gold = [e.label for e in semeval]
    threshold, table = choose_threshold(gold + ["reporting"] * len(polnear), sem_probs + pn_probs)
    new_pred = [_best(p) for p in sem_probs]
    shown = [(g, p) for g, p, row in zip(gold, new_pred, sem_probs, strict=True) if max(row.values()) >= threshold]
    return {
        "semeval_articles": len(semeval),
        "polnear_train_articles": len(polnear),
        "folds": k,
        "semeval": {
            "majority": scores_of(gold, sem_majority),
            "old": scores_of(gold, sem_old),
            "new": scores_of(gold, new_pred),
            "new_shown_at_threshold": {
                "shown": len(shown),
                **(scores_of([g for g, _ in shown], [p for _, p in shown]) if shown else {}),
            },
        },
        "polnear_heldout_reporting_share": {
            "majority": 0.0,
            "old": round(pn_old.count("reporting") / max(len(polnear), 1), 3),
            "new": round(sum(_best(p) == "reporting" for p in pn_probs) / max(len(polnear), 1), 3),
        },
        "threshold": threshold,
        "threshold_table": table,
    }


def train(data: str | Path, out: str | Path, k: int = 5, workers: int = 1, log: Callable[[str], None] = print) -> dict:
    """Cross-validate, fit on every article, measure PolNeAR dev, write ``out`` (.npz), its JSON sidecar and
    ``*.scores.json``."""
    semeval, sem_folds, pn_train, pn_dev = load_examples(data)
    log(
        f"{len(semeval)} SemEval articles {dict(Counter(e.label for e in semeval))}; PolNeAR {len(pn_train)} train, {len(pn_dev)} dev"
    )
    add_inputs(semeval + pn_train + pn_dev, workers, log)
    scores = cross_validate(semeval, sem_folds, pn_train, log) if k > 1 else {}
    model = fit_model(semeval + pn_train)
    model.threshold = float(scores.get("threshold", 0.5))
    old = _old_model(semeval)
    dev_probs = _proba(model, pn_dev)
    scores["polnear_dev"] = {
        "articles": len(pn_dev),
        "old_reporting_share": round(old(pn_dev).count("reporting") / max(len(pn_dev), 1), 3),
        "new_reporting_share": round(sum(_best(p) == "reporting" for p in dev_probs) / max(len(pn_dev), 1), 3),
        "new_reporting_shown_share": round(
            sum(_best(p) == "reporting" and max(p.values()) >= model.threshold for p in dev_probs)
            / max(len(pn_dev), 1),
            3,
        ),
    }
    out = model.save(out, scores)
    out.with_suffix(".scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and its .json")
    return scores
