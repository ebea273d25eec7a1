"""Cross-validating the accurate tagger and training the shipped model (``presslens train techniques --accurate``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from presslens.errors import ModelError
from presslens.persuasion.accurate.config import LABELS, SEED, TrainConfig
from presslens.persuasion.accurate.inference import AccurateTagger, lexical_line_matrix, line_sources
from presslens.persuasion.accurate.network import load_tokenizer
from presslens.persuasion.accurate.storage import DEFAULT_ACCURATE_PATH, save_tagger, shipped_model_path
from presslens.persuasion.accurate.training import train_tagger
from presslens.persuasion.data import LabelledArticle, lines_of


def cross_validate_accurate(
    articles: list[LabelledArticle],
    k: int = 5,
    config: TrainConfig | None = None,
    only: list[int] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """K-fold CV by article (the lexical models' folds): the fine-tuned spans at the span threshold, and paragraph
    labels from the average of its line probabilities and the lexical paragraph classifier's, trained on the
    same folds. ``only``: run these fold numbers (0-based) and score them together. With a line head, also scores
    each line source ("pieces", "head", "both") averaged with the lexical lines at 0.5 and 0.6
    (``paragraph_variants``), to choose ``line_source`` and the threshold."""
    from presslens.evaluation.persuasion import multilabel_f1, span_f1
    from presslens.persuasion.data import folds, line_labels
    from presslens.persuasion.train import fit_paragraphs

    config = config or TrainConfig()
    tokenizer = load_tokenizer(config.encoder)
    gold_spans, pred_spans, gold_lines, pred_lines, per_fold = [], [], [], [], []
    variants: dict[str, list[np.ndarray]] = {"pieces": [], "head": [], "both": []}
    for n, fold in enumerate(folds(articles, k, SEED)):
        if only is not None and n not in only:
            continue
        t0 = time.time()
        held = set(fold)
        test = [articles[i] for i in fold]
        train = [a for i, a in enumerate(articles) if i not in held]
        para = fit_paragraphs(train)
        tagger = AccurateTagger(train_tagger(train, config, log), tokenizer, asdict(config))
        fold_gold, fold_pred, fold_gl, fold_pl = [], [], [], []
        for a in test:
            lines = lines_of(a.text)
            spans, pieces, head = tagger.scores(a.text, lines)
            lexical = lexical_line_matrix(para, a.text, lines)
            sources = line_sources(pieces, head)
            if head is not None:
                for name, matrix in sources.items():
                    variants[name].append((matrix + lexical) / 2)
            mine = sources.get(config.line_source, pieces)
            fold_gold.append(a.spans)
            fold_pred.append([(t, s, e) for t, s, e, _ in spans])
            avg = (mine + lexical) / 2
            gold = line_labels(a.text, a.spans)
            fold_gl += [gold[index] for index, _, _ in lines]
            fold_pl += [{LABELS[j] for j in np.where(row >= config.paragraph_threshold)[0]} for row in avg]
        fold_scores = {
            "fold": n,
            "paragraphs_micro_f1": multilabel_f1(fold_gl, fold_pl)["micro_f1"],
            "spans_technique_agnostic_f1": span_f1(fold_gold, fold_pred, aware=False).f1,
            "spans_technique_aware_f1": span_f1(fold_gold, fold_pred, aware=True).f1,
            "seconds": round(time.time() - t0),
        }
        log(json.dumps(fold_scores))
        per_fold.append(fold_scores)
        gold_spans += fold_gold
        pred_spans += fold_pred
        gold_lines += fold_gl
        pred_lines += fold_pl
    paragraph_variants = {
        f"{name}+lexical@{th}": multilabel_f1(
            gold_lines, [{LABELS[j] for j in np.where(row >= th)[0]} for row in np.concatenate(mats)]
        )["micro_f1"]
        for name, mats in variants.items()
        if mats
        for th in (0.5, 0.6)
    }
    return {
        "folds": k,
        "folds_run": [f["fold"] for f in per_fold],
        "per_fold": per_fold,
        "paragraphs": multilabel_f1(gold_lines, pred_lines),
        **({"paragraph_variants": paragraph_variants} if paragraph_variants else {}),
        "spans_technique_aware": vars(span_f1(gold_spans, pred_spans, aware=True)),
        "spans_technique_agnostic": vars(span_f1(gold_spans, pred_spans, aware=False)),
    }


def train_accurate(
    data: str | Path,
    out: str | Path | None = DEFAULT_ACCURATE_PATH,
    k: int = 0,
    config: TrainConfig | None = None,
    only: list[int] | None = None,
    log: Callable[[str], None] = print,
    repair: bool = False,
    fit: bool = True,
) -> dict:
    """``presslens train techniques --accurate``: optional K-fold CV, then (``fit``) fit on every article and save
    to ``out`` (None: over the shipped model, in the installed presslens-accurate-model package)."""
    from presslens.persuasion.data import load_corpus

    if out is None and fit:  # found before hours of training, not after
        try:
            out = shipped_model_path()
        except ModelError as exc:
            raise ModelError(f"{exc}; or give --out FILE") from None
    config = config or TrainConfig()
    articles = load_corpus(data, repair=repair)
    log(f"{len(articles)} articles, {sum(len(a.spans) for a in articles)} technique spans; {config}")
    scores = cross_validate_accurate(articles, k, config, only, log) if k > 1 else {}
    if not fit:
        return scores
    assert out is not None  # set above when fitting
    t0 = time.time()
    model = train_tagger(articles, config, log)
    seconds = round(time.time() - t0)
    path = save_tagger(model, out, config, {"cv": scores, "train_seconds": seconds, "articles": len(articles)})
    log(f"final fit {seconds}s; wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return scores
