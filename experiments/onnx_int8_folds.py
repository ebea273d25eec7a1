"""ONNX Runtime int8 against fp32 for the default technique tagger, on gold spans of held-out CV folds.

Usage:  HF_HUB_OFFLINE=1 python experiments/onnx_int8_folds.py --data ../shared/data/persuasion --models DIR [--folds 0,1]

DIR holds one-member fold models `fold{k}s13.safetensors` trained on the other four folds with the shipped settings
(`benchmarks/technique_span_threshold.py --model accurate --models DIR` trains and keeps them, ~6 minutes a fold on
2 idle cores). Each is exported to ONNX as `analyze` does (fp32), then quantised with ONNX Runtime's dynamic int8
(per-channel weights, `quantize_dynamic`); both score the held-out fold's articles. Printed per fold and precision:
paragraph micro-F1 (the shipped rule: the tagger's line scores averaged with the fold's lexical paragraph
classifier), technique-agnostic and technique-aware span F1 (SemEval partial credit), and tagger seconds. The
issue-13 rule: int8 is adopted only where it costs < 0.005 on every score.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.accurate import LABELS, lexical_line_matrix, load_accurate
from presslens.persuasion.accurate.runtime import OnnxScorer, export_path
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus
from presslens.persuasion.train import fit_paragraphs

SEED = 13


def quantized(onnx: Path, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(onnx), str(out), per_channel=True, weight_type=QuantType.QInt8)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/persuasion"))
    ap.add_argument("--models", type=Path, required=True)
    ap.add_argument("--folds", default="0,1")
    args = ap.parse_args()
    articles = load_corpus(args.data)
    wanted = [int(x) for x in args.folds.split(",")]
    tmp = Path(tempfile.mkdtemp())
    print(f"{'fold':>4} {'precision':>9} {'paragraphs':>10} {'agnostic':>8} {'aware':>8} {'tagger s':>8}")
    for n, fold in enumerate(folds(articles, 5, SEED)):
        if n not in wanted:
            continue
        held = set(fold)
        test = [articles[i] for i in fold]
        para = fit_paragraphs([a for i, a in enumerate(articles) if i not in held])
        path = args.models / f"fold{n}s{SEED}.safetensors"
        tagger = load_accurate(str(path), backend="onnx")
        fp32_scorer = tagger.scorer
        onnx = export_path([path])
        int8 = OnnxScorer(quantized(onnx, tmp / f"fold{n}-int8.onnx"))
        for name, scorer in (("fp32", fp32_scorer), ("int8", int8)):
            tagger.scorer = scorer
            gold_spans, pred_spans, gold_lines, pred_lines = [], [], [], []
            seconds = 0.0
            for a in test:
                lines = lines_of(a.text)
                t0 = time.perf_counter()
                spans, pieces, _ = tagger.scores(a.text, lines)
                seconds += time.perf_counter() - t0
                avg = (pieces + lexical_line_matrix(para, a.text, lines)) / 2
                gold = line_labels(a.text, a.spans)
                gold_lines += [gold[index] for index, _, _ in lines]
                pred_lines += [{LABELS[j] for j in np.where(row >= tagger.paragraph_threshold)[0]} for row in avg]
                gold_spans.append(a.spans)
                pred_spans.append([(t, s, e) for t, s, e, _ in spans])
            print(
                f"{n:>4} {name:>9} {multilabel_f1(gold_lines, pred_lines)['micro_f1']:>10.4f}"
                f" {span_f1(gold_spans, pred_spans, aware=False).f1:>8.4f} {span_f1(gold_spans, pred_spans, aware=True).f1:>8.4f}"
                f" {seconds:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
