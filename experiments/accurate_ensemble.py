"""One fine-tuned tagger or the average of two (``TrainConfig.members``), on CV folds.

Needs the semantic extra:  pip install -e ".[semantic]" "torch==2.13.0"
Usage:  HF_HUB_OFFLINE=1 python experiments/accurate_ensemble.py --data ../shared/data/persuasion --folds 0,1,2
        [--models DIR]

For each fold of ``presslens.persuasion.data.folds`` (by article, seed 13) trains one tagger per seed (13 and 14,
the shipped settings otherwise; ~6 minutes each on 2 idle cores) on the other four folds, or loads
``DIR/fold{K}s{SEED}.safetensors`` saved by an earlier run, and scores on the held-out fold: each seed alone and
the mean of their piece probabilities (the shipped ensemble), spans at the span threshold, paragraph labels from
the average with the lexical paragraph classifier (trained on the same folds) at the paragraph threshold.
Prints each fold and the folds pooled.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.accurate import (
    LABELS,
    TrainConfig,
    decode,
    encode_lines,
    lexical_line_matrix,
    line_matrix,
    load_accurate,
    save_tagger,
    score_rows,
    train_tagger,
)
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus
from presslens.persuasion.train import fit_paragraphs

SEEDS = (13, 14)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--folds", default="0,1,2,3,4")
    ap.add_argument("--models", default="/tmp/presslens-ensemble", help="where fold models are saved and reused")
    args = ap.parse_args()

    config = TrainConfig(members=1)
    articles = load_corpus(args.data)
    os.makedirs(args.models, exist_ok=True)
    names = [f"seed {s}" for s in SEEDS] + ["mean of both (shipped)"]
    pooled = {n: ([], [], [], []) for n in names}  # gold spans, predicted spans, gold lines, predicted lines
    for k in (int(x) for x in args.folds.split(",")):
        held = set(folds(articles, 5)[k])
        test = [articles[i] for i in sorted(held)]
        train = [a for i, a in enumerate(articles) if i not in held]
        para = fit_paragraphs(train)
        taggers = []
        for seed in SEEDS:
            path = os.path.join(args.models, f"fold{k}s{seed}.safetensors")
            if not os.path.exists(path):
                t0 = time.time()
                seeded = replace(config, seed=seed)
                save_tagger(train_tagger(train, seeded, log=lambda m: None), path, seeded)
                print(f"fold {k} seed {seed}: trained in {time.time() - t0:.0f}s")
            taggers.append(load_accurate(path))
        fold = {n: ([], [], [], []) for n in names}
        for a in test:
            lines = lines_of(a.text)
            rows = encode_lines(taggers[0].tokenizer, [(a.text, lines)], taggers[0].max_length)
            probs = [score_rows(t.model, rows)[0] for t in taggers]
            probs.append([np.mean(ps, axis=0) for ps in zip(*probs, strict=True)])
            lexical = lexical_line_matrix(para, a.text, lines)
            gold = line_labels(a.text, a.spans)
            for name, p in zip(names, probs, strict=True):
                spans, line_max = decode(a.text, rows, p, config.span_threshold)
                averaged = (line_matrix(line_max, len(lines)) + lexical) / 2
                for target in (fold[name], pooled[name]):
                    target[0].append(a.spans)
                    target[1].append([(t, s, e) for t, s, e, _ in spans])
                    target[2].extend(gold[i] for i, _, _ in lines)
                    target[3].extend(
                        {LABELS[j] for j in np.where(row >= config.paragraph_threshold)[0]} for row in averaged
                    )
        report(f"fold {k}", fold)
    report("pooled", pooled)


def report(title: str, scored: dict) -> None:
    for name, (gold, pred, gold_lines, pred_lines) in scored.items():
        print(
            f"{title:7s} {name:24s} paragraphs {multilabel_f1(gold_lines, pred_lines)['micro_f1']:.3f}  spans agnostic "
            f"{span_f1(gold, pred, aware=False).f1:.3f} aware {span_f1(gold, pred, aware=True).f1:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
