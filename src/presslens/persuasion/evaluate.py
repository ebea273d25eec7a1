"""Measuring the persuasion models on a folder laid out like ../shared/data/persuasion (metrics:
``presslens.evaluation.persuasion``; definitions: docs/evaluation.md)."""

from __future__ import annotations

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.model import Analysis
from presslens.persuasion import detect_persuasion, load_accurate, load_models
from presslens.persuasion.data import line_labels, load_corpus


def evaluate_persuasion(
    gold_dir: str, models_path: str | None = None, accurate: bool = False, accurate_model: str | None = None
) -> dict:
    """The shipped (or given) persuasion models on a folder laid out like ../shared/data/persuasion: paragraph
    micro/macro-F1, span F1 technique-aware and -agnostic, frames micro-F1 (genre: ``presslens train genre``
    cross-validates it)."""
    models = load_models(models_path)
    tagger = load_accurate(accurate_model) if accurate or accurate_model else None
    articles = load_corpus(gold_dir)
    gold_spans, pred_spans, gold_lines, pred_lines = [], [], [], []
    frame_gold, frame_pred = [], []
    for art in articles:
        a = Analysis(id=art.id, text=art.text)
        detect_persuasion(a, models, tagger, min_confidence=0.0)  # every span found, shown by default or not
        gold_spans.append(art.spans)
        pred_spans.append([(t.technique, t.start, t.end) for t in a.techniques])
        gold = line_labels(art.text, art.spans)
        for p in a.paragraphs:
            gold_lines.append(gold[p.index])
            pred_lines.append(set(p.techniques))
        if art.frames is not None:
            frame_gold.append(set(art.frames))
            frame_pred.append({f.label for f in a.frames})
    return {
        "articles": len(articles),
        "paragraphs": multilabel_f1(gold_lines, pred_lines),
        "spans_technique_aware": vars(span_f1(gold_spans, pred_spans, aware=True)),
        "spans_technique_agnostic": vars(span_f1(gold_spans, pred_spans, aware=False)),
        "frames": multilabel_f1(frame_gold, frame_pred) if frame_gold else None,
    }
