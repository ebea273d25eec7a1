"""Two questions about applying the accurate tagger, on one CV fold: int8 or fp32, and paragraphs or sentences.

Needs the semantic extra:  pip install -e ".[semantic]" "torch==2.13.0"
Usage:  HF_HUB_OFFLINE=1 python experiments/accurate_inference_checks.py --data ../shared/data/persuasion --fold 0
        [--model FOLD.safetensors | --save FOLD.safetensors]

1. **Precision.** The model is trained and cross-validated in fp32 and stored fp16; ``load_accurate`` could
   quantise its linear layers to int8 (PyTorch dynamic quantisation). Scores and time of fp32, int8 everywhere,
   int8 in the encoder only (head fp32) and int8 in the feed-forward layers only, on the held-out fold.
2. **Layout.** Most training files keep one sentence a line, but real articles (and SemEval-2023's own files)
   have one multi-sentence paragraph a line. The held-out fold is re-laid out as paragraphs without changing a
   character offset: the title stays alone and the other lines are joined (newline → space) into N − 1 groups
   of consecutive lines, N being the article's SemEval-2023 paragraph count (rows of ``paragraphs-23.tsv``).
   Paragraph labels are scored on both layouts with the whole line scored at once (shipped) or sentence by
   sentence (a regex splitter) and the highest sentence score kept, for the lexical paragraph classifier and
   the accurate tagger (alone and averaged with the lexical one, the shipped rule), over a threshold sweep.

Trains the fold's tagger with the shipped settings but one member first (~6 minutes on 2 idle cores) unless
--model gives one saved by an earlier --save. Speeds are only comparable within one run.
"""

from __future__ import annotations

import argparse
import collections
import copy
import re
import time
import warnings

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.accurate import (
    LABELS,
    AccurateTagger,
    TrainConfig,
    lexical_line_matrix,
    load_accurate,
    save_tagger,
    train_tagger,
)
from presslens.persuasion.data import LabelledArticle, folds, line_labels, lines_of, load_corpus
from presslens.persuasion.train import fit_paragraphs

# A sentence ends at . ! ? (or a closing quote after one) followed by space and a capital or an opening quote.
SENTENCE_END = re.compile(r"(?<=[.!?\"”’'])\s+(?=[A-Z“\"‘'(])")


def paragraph_counts(folder: str) -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    with open(f"{folder}/paragraphs-23.tsv", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("id\t"):
                counts[line.split("\t", 1)[0]] += 1
    return counts


def as_paragraphs(a: LabelledArticle, n_paragraphs: int) -> str:
    """The article's text with its lines joined into paragraphs; same length, same offsets."""
    lines = lines_of(a.text)
    body = lines[1:]
    chars = list(a.text)
    if body:
        for group in np.array_split(np.arange(len(body)), min(max(1, n_paragraphs - 1), len(body))):
            for i in range(body[group[0]][1], body[group[-1]][2]):
                if chars[i] == "\n":
                    chars[i] = " "
    return "".join(chars)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    out, pos = [], start
    for m in SENTENCE_END.finditer(text, start, end):
        out.append((0, pos, m.start()))
        pos = m.end()
    out.append((0, pos, end))
    return [s for s in out if text[s[1] : s[2]].strip()]


def labels_at(matrix: np.ndarray, threshold: float) -> list[set[str]]:
    return [{LABELS[j] for j in np.where(row >= threshold)[0]} for row in matrix]


def fmt(s: dict) -> str:
    return f"{s['micro_f1']:.3f} (P {s['micro_precision']:.3f} R {s['micro_recall']:.3f})"


def precision_check(tagger: AccurateTagger, test: list[LabelledArticle], lexical: list[np.ndarray]) -> None:
    import torch

    linear = [n for n, m in tagger.model.named_modules() if isinstance(m, torch.nn.Linear)]
    feed_forward = {n for n in linear if n.endswith("intermediate.dense") or n.endswith(".output.dense")}
    variants = {
        "fp32 (trained, cross-validated)": None,
        "int8, every linear layer": set(linear),
        "int8, encoder only (head fp32)": {n for n in linear if n.startswith("encoder.")},
        "int8, feed-forward layers only": {n for n in feed_forward if ".attention." not in n},
    }
    print("\n## Precision (spans at the span threshold; lines: average with the lexical classifier at 0.5)")
    for name, spec in variants.items():
        variant = copy.copy(tagger)
        if spec is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                variant.model = torch.ao.quantization.quantize_dynamic(
                    copy.deepcopy(tagger.model), spec, dtype=torch.qint8
                )
        gold_spans, pred_spans, gold_lines, pred_lines = [], [], [], []
        t0 = time.time()
        for a, lex in zip(test, lexical, strict=True):
            lines = lines_of(a.text)
            spans, line_probs = variant.predict(a.text, lines)
            gold = line_labels(a.text, a.spans)
            gold_lines += [gold[i] for i, _, _ in lines]
            pred_lines += labels_at((line_probs + lex) / 2, 0.5)
            gold_spans.append(a.spans)
            pred_spans.append([(t, s, e) for t, s, e, _ in spans])
        secs = time.time() - t0
        print(
            f"{name:34s} {secs / len(test):.3f} s/article  paragraphs {fmt(multilabel_f1(gold_lines, pred_lines))}  "
            f"spans agnostic {span_f1(gold_spans, pred_spans, aware=False).f1:.3f} "
            f"aware {span_f1(gold_spans, pred_spans, aware=True).f1:.3f}"
        )


def layout_check(tagger: AccurateTagger, para, test: list[LabelledArticle], counts: dict[str, int]) -> None:
    scored: dict[tuple[str, str], list] = collections.defaultdict(list)
    gold_by_layout: dict[str, list[set[str]]] = collections.defaultdict(list)
    spans_by_layout: dict[str, tuple[list, list]] = collections.defaultdict(lambda: ([], []))  # whole lines
    sentence_spans: dict[str, list] = collections.defaultdict(list)  # the tagger run sentence by sentence
    n_sentences = []
    for a in test:
        for layout, text in (("one sentence a line", a.text), ("paragraphs", as_paragraphs(a, counts.get(a.id, 0)))):
            lines = lines_of(text)
            gold = line_labels(text, a.spans)
            gold_by_layout[layout] += [gold[i] for i, _, _ in lines]
            spans, whole = tagger.predict(text, lines)
            spans_by_layout[layout][0].append(a.spans)
            spans_by_layout[layout][1].append([(t, s, e) for t, s, e, _ in spans])
            lex_whole = lexical_line_matrix(para, text, lines)
            acc_sent, lex_sent, by_sentence = [], [], []
            for _, s, e in lines:
                parts = sentences(text, s, e)
                if layout == "paragraphs":
                    n_sentences.append(len(parts))
                part_spans, part_probs = tagger.predict(text, parts)
                by_sentence += [(t, s, e) for t, s, e, _ in part_spans]
                acc_sent.append(part_probs.max(0))
                lex_sent.append(lexical_line_matrix(para, text, parts).max(0))
            sentence_spans[layout].append(by_sentence)
            acc_sent, lex_sent = np.array(acc_sent), np.array(lex_sent)
            for name, matrix in {
                "lexical, whole line": lex_whole,
                "lexical, best sentence": lex_sent,
                "accurate, whole line": whole,
                "accurate, best sentence": acc_sent,
                "accurate + lexical, whole line (shipped)": (whole + lex_whole) / 2,
                "accurate + lexical, best sentence": (acc_sent + lex_sent) / 2,
            }.items():
                scored[(layout, name)].append(matrix)
    print(
        f"\n## Layout: {len(n_sentences)} paragraphs of {np.mean(n_sentences):.2f} sentences on average "
        f"(one sentence: {sum(n == 1 for n in n_sentences)}, over four: {sum(n > 4 for n in n_sentences)})"
    )
    for layout, (gold, pred) in spans_by_layout.items():
        split = sentence_spans[layout]
        print(
            f"{layout}: spans agnostic {span_f1(gold, pred, aware=False).f1:.3f} "
            f"aware {span_f1(gold, pred, aware=True).f1:.3f} (whole lines, shipped); sentence by sentence "
            f"{span_f1(gold, split, aware=False).f1:.3f} / {span_f1(gold, split, aware=True).f1:.3f}"
        )
    for (layout, name), matrices in scored.items():
        matrix = np.concatenate(matrices)
        cells = [fmt(multilabel_f1(gold_by_layout[layout], labels_at(matrix, th))) for th in (0.4, 0.5, 0.6, 0.7)]
        print(f"{layout:20s} {name:42s} @0.4/0.5/0.6/0.7: " + " | ".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--fold", type=int, default=0, help="held-out fold (0-4) of presslens.persuasion.data.folds")
    ap.add_argument("--model", help="the fold's tagger saved by an earlier --save (skips training)")
    ap.add_argument("--save", help="save the fold's trained tagger here")
    ap.add_argument("--members", type=int, default=1, help="ensemble members (the figures in the card: 1)")
    args = ap.parse_args()

    articles = load_corpus(args.data)
    held = set(folds(articles, 5)[args.fold])
    test = [articles[i] for i in sorted(held)]
    train = [a for i, a in enumerate(articles) if i not in held]
    print(f"fold {args.fold}: train {len(train)} articles, test {len(test)}")
    para = fit_paragraphs(train)
    if args.model:
        tagger = load_accurate(args.model, quantize=False)
    else:
        config = TrainConfig(members=args.members)
        t0 = time.time()
        model = train_tagger(train, config, print)
        print(f"fine-tuned in {time.time() - t0:.0f}s")
        path = save_tagger(model, args.save or "/tmp/presslens-fold-tagger.safetensors", config)
        tagger = load_accurate(str(path), quantize=False)  # through the fp16 file, as shipped
    lexical = [lexical_line_matrix(para, a.text, lines_of(a.text)) for a in test]
    precision_check(tagger, test, lexical)
    layout_check(tagger, para, test, paragraph_counts(args.data))


if __name__ == "__main__":
    main()
