"""The larger encoder against MiniLM on one CV fold, on the same training budget (issue 13, section 3).

Needs the accurate extra and the all-mpnet-base-v2 parts (scripts/setup.sh).
Usage:  HF_HUB_OFFLINE=1 nice -n 19 python experiments/accurate_encoder_budget.py --data ../shared/data/persuasion \
        --fold 0 [--train-limit 1200] [--epochs 1] [--test-articles 25] [--encoders mpnet,minilm]

For fold K of ``presslens.persuasion.data.folds`` (by article, seed 13): one tagger per encoder — all-mpnet-base-v2
with rank-16 LoRA adapters (lr 5e-4, ``--lora 16`` of ``train techniques``), or the packaged MiniLM fine-tuned as
shipped — trained on the same random ``--train-limit`` windows of the other four folds (0: all), then scored on the
first ``--test-articles`` held-out articles (0: all) with the shipped metrics: spans at the span threshold, paragraph
labels from the average with the lexical paragraph classifier at the paragraph threshold. Prints the scores with
the wall and CPU seconds of training and of scoring an article (the LoRA adapters merged first, as at load time).
The full comparison is ``presslens train techniques --accurate --encoder all-mpnet-base-v2 --lora 16 --cv 5``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.accurate import TrainConfig, train_tagger
from presslens.persuasion.accurate.config import LABELS, MPNET_ENCODER, SEED
from presslens.persuasion.accurate.inference import AccurateTagger, lexical_line_matrix
from presslens.persuasion.accurate.network import load_tokenizer, merge_lora
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus
from presslens.persuasion.train import fit_paragraphs


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--train-limit", type=int, default=1200, help="random training windows (0: all)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--test-articles", type=int, default=25, help="first N held-out articles (0: all)")
    ap.add_argument("--encoders", default="mpnet,minilm")
    ap.add_argument("--lora-lr", type=float, default=5e-4, help="mpnet: the adapters' learning rate")
    ap.add_argument("--head-lr", type=float, default=1e-3, help="both: the head's learning rate")
    ap.add_argument("--lora-rank", type=int, default=16)
    args = ap.parse_args()
    articles = load_corpus(args.data)
    fold = list(folds(articles, 5, SEED))[args.fold]
    held = set(fold)
    test = [articles[i] for i in fold][: args.test_articles or None]
    train = [a for i, a in enumerate(articles) if i not in held]
    para = fit_paragraphs(train)
    for name in args.encoders.split(","):
        config = TrainConfig(epochs=args.epochs, members=1, train_limit=args.train_limit or None, head_lr=args.head_lr)
        if name == "mpnet":
            config.encoder, config.lora_rank, config.lr = MPNET_ENCODER, args.lora_rank, args.lora_lr
        log(f"{name}: {config}")
        t, c = time.time(), time.process_time()
        model = train_tagger(train, config, log)
        train_wall, train_cpu = time.time() - t, time.process_time() - c
        if config.lora_rank:
            merge_lora(model)
        tagger = AccurateTagger(model, load_tokenizer(config.encoder), asdict(config))
        gold_spans, pred_spans, gold_lines, pred_lines = [], [], [], []
        t, c = time.time(), time.process_time()
        for a in test:
            lines = lines_of(a.text)
            spans, pieces, _ = tagger.scores(a.text, lines)
            average = (pieces + lexical_line_matrix(para, a.text, lines)) / 2
            gold_spans.append(a.spans)
            pred_spans.append([(x, s, e) for x, s, e, _ in spans])
            gold = line_labels(a.text, a.spans)
            gold_lines += [gold[i] for i, _, _ in lines]
            pred_lines += [{LABELS[j] for j in np.where(row >= config.paragraph_threshold)[0]} for row in average]
        score_wall, score_cpu = time.time() - t, time.process_time() - c
        # untimed: the spans at a lower threshold (an undertrained tagger may give none at the shipped one)
        low = [[(x, s, e) for x, s, e, _ in tagger.scores(a.text, lines_of(a.text), 0.5)[0]] for a in test]
        result = {
            "encoder": name,
            "fold": args.fold,
            "train_limit": args.train_limit,
            "epochs": args.epochs,
            "lr": config.lr,
            "head_lr": config.head_lr,
            "paragraphs_micro_f1": round(multilabel_f1(gold_lines, pred_lines)["micro_f1"], 4),
            "spans_technique_agnostic_f1": round(span_f1(gold_spans, pred_spans, aware=False).f1, 4),
            "spans_technique_aware_f1": round(span_f1(gold_spans, pred_spans, aware=True).f1, 4),
            "spans_shown": sum(map(len, pred_spans)),
            "spans_agnostic_f1_at_0.5": round(span_f1(gold_spans, low, aware=False).f1, 4),
            "spans_aware_f1_at_0.5": round(span_f1(gold_spans, low, aware=True).f1, 4),
            "train_wall_s": round(train_wall),
            "train_cpu_s": round(train_cpu),
            "score_wall_s_per_article": round(score_wall / len(test), 3),
            "score_cpu_s_per_article": round(score_cpu / len(test), 3),
            "test_articles": len(test),
        }
        log("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
