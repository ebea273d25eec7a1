"""Training and cross-validating the persuasion models from a corpus folder (``../shared/data/persuasion``).

``presslens train persuasion --data DIR`` runs 5-fold cross-validation by article (seeded), reports the
scores, then fits every model on all articles and writes the bundle (``persuasion-v1.npz`` and
``persuasion-v1.json``, see ``lexical.save_bundle``) and its scores.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.labels import FRAMES, TECHNIQUES
from presslens.persuasion.data import LabelledArticle, folds, line_labels, lines_of, load_corpus
from presslens.persuasion.lexical import SpanTagger, TextClassifier, save_bundle
from presslens.persuasion.tokens import tokenize

SEED = 13


def token_tags(article: LabelledArticle) -> tuple[list[list[tuple[str, int, int]]], list[list[str]]]:
    toks_out, tags_out = [], []
    spans = sorted(article.spans, key=lambda s: s[2] - s[1])  # shortest span wins where spans overlap
    for _, start, end in lines_of(article.text):
        toks = tokenize(article.text, start, end)
        tags = []
        for _, ts, te in toks:
            mid = (ts + te) / 2
            tags.append(next((t for t, s, e in spans if s <= mid < e), "O"))
        toks_out.append(toks)
        tags_out.append(tags)
    return toks_out, tags_out


def _lines(articles: list[LabelledArticle]) -> tuple[list[str], list[set[str]]]:
    texts, labels = [], []
    for a in articles:
        gold = line_labels(a.text, a.spans)
        for index, start, end in lines_of(a.text):
            texts.append(a.text[start:end])
            labels.append(gold[index])
    return texts, labels


def fit_tagger(articles: list[LabelledArticle]) -> SpanTagger:
    toks, tags = [], []
    for a in articles:
        t, g = token_tags(a)
        toks += t
        tags += g
    return SpanTagger().fit(toks, tags, seed=SEED)


def predict_spans(tagger: SpanTagger, a: LabelledArticle) -> list[tuple[str, int, int]]:
    bounds = [(s, e) for _, s, e in lines_of(a.text)]
    return [(t, s, e) for t, s, e, _ in tagger.predict_spans(a.text, bounds)]


def fit_paragraphs(articles: list[LabelledArticle]) -> TextClassifier:
    texts, labels = _lines(articles)
    return TextClassifier(list(TECHNIQUES)).fit(texts, labels)


def fit_frames(articles: list[LabelledArticle]) -> TextClassifier:
    with_frames = [(a.text, set(a.frames)) for a in articles if a.frames is not None]
    return TextClassifier(list(FRAMES), C=8.0).fit([t for t, _ in with_frames], [f for _, f in with_frames])


def paragraph_labels(
    clf: TextClassifier, tagger: SpanTagger | None, a: LabelledArticle, threshold: float
) -> list[set[str]]:
    """Paragraph labels: the line classifier's, plus the techniques of predicted spans in the line."""
    lines = lines_of(a.text)
    probs = clf.predict_proba([a.text[s:e] for _, s, e in lines])
    spans = predict_spans(tagger, a) if tagger else []
    out = []
    for (_, s, e), row in zip(lines, probs, strict=True):
        labels = {lab for lab, p in row.items() if p >= threshold}
        labels |= {t for t, ss, se in spans if ss < e and se > s}
        out.append(labels)
    return out


def cross_validate(articles: list[LabelledArticle], k: int = 5, log: Callable[[str], None] = print) -> dict:
    gold_spans, pred_spans = [], []
    gold_lines: list[set[str]] = []
    pred_lines: dict[float, list[set[str]]] = {th: [] for th in (0.4, 0.5, 0.6)}
    pred_lines_union: list[set[str]] = []
    frame_gold, frame_prob = [], []
    for n, fold in enumerate(folds(articles, k, SEED), 1):
        t0 = time.time()
        test = [articles[i] for i in fold]
        train = [a for i, a in enumerate(articles) if i not in set(fold)]
        tagger = fit_tagger(train)
        para = fit_paragraphs(train)
        frames = fit_frames(train)
        for a in test:
            gold_spans.append(a.spans)
            pred_spans.append(predict_spans(tagger, a))
            gold = line_labels(a.text, a.spans)
            gold_lines.extend(gold[i] for i, _, _ in lines_of(a.text))
            for th in pred_lines:
                pred_lines[th].extend(paragraph_labels(para, None, a, th))
            pred_lines_union.extend(paragraph_labels(para, tagger, a, 0.6))
            if a.frames is not None:
                frame_gold.append(set(a.frames))
                frame_prob.append(frames.predict_proba([a.text])[0])
        log(f"fold {n}/{k}: {len(test)} articles, {time.time() - t0:.0f}s")
    aware = span_f1(gold_spans, pred_spans, aware=True)
    agnostic = span_f1(gold_spans, pred_spans, aware=False)
    lines_scores = {f"lines@{th}": multilabel_f1(gold_lines, p) for th, p in pred_lines.items()}
    lines_scores["lines@0.6+spans"] = multilabel_f1(gold_lines, pred_lines_union)
    frame_scores = {}
    for th in (0.3, 0.4, 0.5):
        frame_scores[th] = multilabel_f1(frame_gold, [{f for f, p in row.items() if p >= th} for row in frame_prob])
    return {
        "articles": len(articles),
        "folds": k,
        "spans_technique_aware": vars(aware),
        "spans_technique_agnostic": vars(agnostic),
        "paragraphs": lines_scores,
        "frames": {str(th): v for th, v in frame_scores.items()},
    }


def train(
    data: str | Path, out: str | Path, k: int = 5, log: Callable[[str], None] = print, repair: bool = False
) -> dict:
    """Cross-validate, fit on every article, write ``out`` (.npz), its JSON sidecar and ``*.scores.json``."""
    articles = load_corpus(data, repair=repair)
    log(f"{len(articles)} articles, {sum(len(a.spans) for a in articles)} technique spans")
    scores = cross_validate(articles, k, log) if k > 1 else {}
    t0 = time.time()
    bundle = {
        "tagger": fit_tagger(articles),
        "paragraphs": fit_paragraphs(articles),
        "paragraph_threshold": 0.4,  # the best "lines@…" cross-validated score
        "frames": fit_frames(articles),
        "frame_threshold": 0.4,
        "cv": scores,
    }
    out = save_bundle(bundle, out)
    (out.with_suffix(".scores.json")).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    log(f"final fit {time.time() - t0:.0f}s; wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and its .json")
    return scores


if __name__ == "__main__":
    train(sys.argv[1], sys.argv[2])
