"""Fine-tuned all-MiniLM-L6-v2 token classifier (``analyze --accurate``) vs the lexical models, on one CV fold.

Needs the semantic extra:  pip install -e ".[semantic]" "torch==2.13.0"
Usage:  HF_HUB_OFFLINE=1 python experiments/persuasion_finetune_experiment.py --data ../shared/data/persuasion --fold 0

Trains one tagger of ``presslens.persuasion.finetune`` (the shipped training code and defaults, but one member
unless --members; the shipped model averages two, experiments/accurate_ensemble.py) on the other
four folds of ``presslens train persuasion`` (by article, seed 13), and the lexical models on the same folds,
then scores on the held-out fold with the project's metrics (``presslens.evaluation.persuasion``) over a sweep of
thresholds: the fine-tuned spans and lines, and the lines from the average of both models' probabilities.
Also prints inference speed (per article, 2 threads) in fp32 and int8 (dynamic quantisation of the linear
layers, as ``load_accurate`` does) and the size of the weights. ~10–15 minutes per fold on 2 CPU cores.
Thresholds are compared on the held-out fold itself: confirm a choice on another --fold, or use
``presslens train techniques --accurate --cv 5`` for the shipped thresholds on all folds.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.accurate import (
    LABELS,
    TrainConfig,
    decode,
    encode_lines,
    lexical_line_matrix,
    line_matrix,
    load_tokenizer,
    score_rows,
    train_tagger,
    window_line_max,
)
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus


def fmt_lines(s):
    return f"micro-F1 {s['micro_f1']:.3f} (P {s['micro_precision']:.3f} R {s['micro_recall']:.3f}) macro-F1 {s['macro_f1']:.3f}"


def fmt_span(s):
    return f"{s.f1:.3f} (P {s.precision:.3f} R {s.recall:.3f})"


def gate_spans(text: str, spans, line_scores: np.ndarray, gate: float) -> list[tuple[str, int, int]]:
    """The spans whose line scores their technique at least ``gate`` (rows of ``line_scores``: lines_of(text))."""
    lines = lines_of(text)
    kept = []
    for t, s, e, _ in spans:
        n = next((k for k, (_, ls, le) in enumerate(lines) if ls <= s < le), None)
        if n is None or line_scores[n, LABELS.index(t)] >= gate:
            kept.append((t, s, e))
    return kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--fold", type=int, default=0, help="held-out fold (0-4) of presslens.persuasion.data.folds")
    ap.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    ap.add_argument("--lr", type=float, default=TrainConfig.lr, help="encoder learning rate")
    ap.add_argument("--neg-frac", type=float, default=TrainConfig.neg_frac)
    ap.add_argument("--line-head", action="store_true", help="train the line head too (TrainConfig.line_head)")
    ap.add_argument("--encoder", help="a local model folder or cached hub name (default: packaged MiniLM)")
    ap.add_argument("--pos-weight-cap", type=float, default=TrainConfig.pos_weight_cap)
    ap.add_argument("--members", type=int, default=1, help="ensemble members (TrainConfig.members; card: 1)")
    ap.add_argument("--train-limit", type=int, default=None, help="train on N random line windows only")
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8")
    ap.add_argument("--no-int8", action="store_true", help="skip the int8 quantised model")
    args = ap.parse_args()

    import torch

    config = TrainConfig(
        epochs=args.epochs,
        lr=args.lr,
        neg_frac=args.neg_frac,
        train_limit=args.train_limit,
        line_head=args.line_head,
        pos_weight_cap=args.pos_weight_cap,
        encoder=args.encoder,
        members=args.members,
    )
    articles = load_corpus(args.data)
    held = set(folds(articles, 5)[args.fold])
    test = [articles[i] for i in sorted(held)]
    train = [a for i, a in enumerate(articles) if i not in held]
    gold_lines = []
    for a in test:
        gold = line_labels(a.text, a.spans)
        gold_lines += [gold[i] for i, _, _ in lines_of(a.text)]
    gold_spans = [a.spans for a in test]
    print(f"fold {args.fold}: train {len(train)} articles, test {len(test)} articles / {len(gold_lines)} lines")

    from presslens.persuasion.train import fit_paragraphs, fit_tagger
    from presslens.persuasion.train import predict_spans as lexical_spans

    t0 = time.time()
    tagger, para = fit_tagger(train), fit_paragraphs(train)
    print(f"lexical models trained in {time.time() - t0:.0f}s")
    lex = np.concatenate([lexical_line_matrix(para, a.text, lines_of(a.text)) for a in test])
    pred = [lexical_spans(tagger, a) for a in test]
    print(
        f"lexical spans: agnostic {fmt_span(span_f1(gold_spans, pred, False))} aware {fmt_span(span_f1(gold_spans, pred, True))}"
    )
    for th in (0.4, 0.5):
        print(
            f"lexical lines@{th}: {fmt_lines(multilabel_f1(gold_lines, [{LABELS[j] for j in np.where(p >= th)[0]} for p in lex]))}"
        )

    t0 = time.time()
    model = train_tagger(train, config, print)
    print(f"fine-tuned in {time.time() - t0:.0f}s ({config})")
    tokenizer = load_tokenizer(config.encoder)
    per_article = [encode_lines(tokenizer, [(a.text, lines_of(a.text))], config.max_length) for a in test]

    def run(m, name):
        t0 = time.time()
        scored = [score_rows(m, rows) for rows in per_article]
        probs = [p for p, _ in scored]
        secs = time.time() - t0
        print(
            f"{name} inference: {len(gold_lines) / secs:.0f} lines/s, {35 * secs / len(gold_lines):.3f}s per 35-line article"
        )
        for th in [float(x) for x in args.thresholds.split(",")]:
            spans, mats = [], []
            for a, rows, p in zip(test, per_article, probs, strict=True):
                sp, line_max = decode(a.text, rows, p, th)
                spans.append([(t, s, e) for t, s, e, _ in sp])
                mats.append(line_matrix(line_max, len(lines_of(a.text))))
            P = np.concatenate(mats)
            mine = multilabel_f1(gold_lines, [{LABELS[j] for j in np.where(p >= th)[0]} for p in P])
            avg = multilabel_f1(gold_lines, [{LABELS[j] for j in np.where(p >= th)[0]} for p in (P + lex) / 2])
            print(
                f"{name} @{th}: lines {fmt_lines(mine)}; average with lexical {fmt_lines(avg)}; spans agnostic "
                f"{fmt_span(span_f1(gold_spans, spans, False))} aware {fmt_span(span_f1(gold_spans, spans, True))}"
            )
        # second opinions on the spans at 0.7: the line's averaged (fine-tuned + lexical) score for the span's
        # technique as a gate, and the lexical spans (union / overlap with them)
        lex_by_article = np.split(lex, np.cumsum([len(lines_of(a.text)) for a in test])[:-1])
        decoded = [decode(a.text, r, p, 0.7) for a, r, p in zip(test, per_article, probs, strict=True)]
        piece_lines = [line_matrix(lm, len(lines_of(a.text))) for a, (_, lm) in zip(test, decoded, strict=True)]
        for gate in (0.3, 0.4, 0.5):
            spans = [
                gate_spans(a.text, sp, (pl + lx) / 2, gate)
                for a, (sp, _), pl, lx in zip(test, decoded, piece_lines, lex_by_article, strict=True)
            ]
            print(
                f"{name} spans @0.7 kept where the averaged line score ≥ {gate}: agnostic "
                f"{fmt_span(span_f1(gold_spans, spans, False))} aware {fmt_span(span_f1(gold_spans, spans, True))}"
            )
        mine = [[(t, s, e) for t, s, e, _ in sp] for sp, _ in decoded]
        union = [m + lx for m, lx in zip(mine, pred, strict=True)]
        both = [
            [x for x in m if any(x[0] == y[0] and x[1] < y[2] and y[1] < x[2] for y in lx)]
            for m, lx in zip(mine, pred, strict=True)
        ]
        for label, spans in (("union with", union), ("only where overlapping", both)):
            print(
                f"{name} spans @0.7 {label} the lexical spans: agnostic "
                f"{fmt_span(span_f1(gold_spans, spans, False))} aware {fmt_span(span_f1(gold_spans, spans, True))}"
            )
        if scored[0][1] is None:
            return
        # the line head: its line scores alone, averaged with the pieces' and the lexical ones; and as a gate on
        # the spans (a span is kept when the line head gives its technique at least g on that line)
        heads = [
            line_matrix(window_line_max(rows, w), len(lines_of(a.text)))
            for a, rows, (_, w) in zip(test, per_article, scored, strict=True)
        ]
        H = np.concatenate(heads)
        pieces = np.concatenate(piece_lines)
        variants = {
            "head": H,
            "head+lexical": (H + lex) / 2,
            "head+pieces": (H + pieces) / 2,
            "all three": (H + pieces + lex) / 3,
        }
        for vname, M in variants.items():
            for th in (0.4, 0.5, 0.6):
                s = multilabel_f1(gold_lines, [{LABELS[j] for j in np.where(p >= th)[0]} for p in M])
                print(f"{name} lines from {vname} @{th}: {fmt_lines(s)}")
        for gate in (0.3, 0.5, 0.7):
            spans = [gate_spans(a.text, sp, h, gate) for a, (sp, _), h in zip(test, decoded, heads, strict=True)]
            print(
                f"{name} spans @0.7 gated by the line head @{gate}: agnostic "
                f"{fmt_span(span_f1(gold_spans, spans, False))} aware {fmt_span(span_f1(gold_spans, spans, True))}"
            )

    run(model, "fp32")
    with tempfile.TemporaryDirectory() as tmp:
        f32 = os.path.join(tmp, "fp32.pt")
        torch.save(model.state_dict(), f32)
        print(f"size fp32 state_dict: {os.path.getsize(f32) / 1e6:.1f} MB (shipped: fp16 without embeddings, ~22 MB)")
    if not args.no_int8:
        run(torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8), "int8")


if __name__ == "__main__":
    main()
