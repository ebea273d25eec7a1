"""CPU time of the technique taggers alone, and whether ONNX Runtime gives torch's spans.

Usage:  HF_HUB_OFFLINE=1 python benchmarks/bench_tagger.py [--data ../shared/data] [--n 40] [--words 600-1000]
        [--repeat 2]
        python benchmarks/bench_tagger.py --smoke      (the built-in sample articles, one pass)

One process, one thread (as in each of analyze's workers). Each variant tags every article (``AccurateTagger.predict``
on the article's lines; for `lexical`, the lexical span tagger and paragraph classifier); the variants alternate,
--repeat rounds, and the best round counts: CPU seconds (``time.process_time``) are steadier than wall time on a
shared machine. Variants: `torch-2` (both members in torch: `--accurate` until 2026-12-01), `onnx-2` (`--accurate`
now), `torch-1`, `onnx-1` (the default), `lexical` (`--fast`). Then the spans of each ONNX Runtime variant against
torch's with the same members: identical (technique, start, end) or not, and the largest difference in a span's
confidence. Needs the accurate extra; the ONNX exports are built (or found in the cache) before timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _sample import have, sample_texts

VARIANTS = ("torch-2", "onnx-2", "torch-1", "onnx-1", "lexical")


def load_texts(data: Path, n: int, words: str) -> list[str]:
    files = sorted((data / "quotes/polnear/train/text").glob("*.txt")) + sorted(
        (data / "quotes/polnear/dev/text").glob("*.txt")
    )
    if not files:
        sys.exit(f"no PolNeAR texts under {data}/quotes/polnear: pass --data")
    lo, hi = (int(x) for x in words.split("-"))
    texts = [t for t in (f.read_text(encoding="utf-8") for f in files) if lo <= len(t.split()) <= hi]
    return texts[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--words", default="600-1000", metavar="LO-HI", help="only articles of LO to HI words")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="the built-in sample articles, one pass: checks that it runs")
    args = ap.parse_args()
    if not have("torch") or not have("presslens_accurate_model"):
        sys.exit("needs the accurate extra (scripts/setup.sh installs it)")
    os.environ["OMP_NUM_THREADS"] = "1"  # as in a worker: ONNX Runtime reads it (runtime.OnnxScorer)
    import torch

    torch.set_num_threads(1)
    from presslens.persuasion.accurate import load_accurate
    from presslens.persuasion.data import lines_of
    from presslens.persuasion.detect import load_models

    if args.smoke:
        texts, args.repeat = sample_texts()[: args.n], 1
    else:
        texts = load_texts(Path(args.data), args.n, args.words)
    docs = [(t, lines_of(t)) for t in texts]
    print(f"{len(texts)} articles, {sum(len(t.split()) for t in texts) / len(texts):.0f} words each; 1 thread")
    lexical = load_models()
    taggers = {
        f"{backend}-{members}": load_accurate(None, members=members, backend=backend)
        for backend in ("torch", "onnx")
        for members in (2, 1)
    }

    def run(variant: str) -> list:
        if variant == "lexical":
            return [
                (
                    lexical["tagger"].predict_spans(t, [(s, e) for _, s, e in lines]),
                    lexical["paragraphs"].predict_proba([t[s:e] for _, s, e in lines]),
                )
                for t, lines in docs
            ]
        return [taggers[variant].predict(t, lines) for t, lines in docs]

    run("onnx-1")  # warm up
    best = {v: float("inf") for v in VARIANTS}
    spans = {}
    for _ in range(args.repeat):
        for variant in VARIANTS:
            t0 = time.process_time()
            spans[variant] = run(variant)
            best[variant] = min(best[variant], time.process_time() - t0)
    for variant in VARIANTS:
        print(f"{variant:<8} {1000 * best[variant] / len(texts):7.1f} ms CPU per article")
    for members in (2, 1):
        a, b = spans[f"torch-{members}"], spans[f"onnx-{members}"]
        same = sum({x[:3] for x in sa} == {x[:3] for x in sb} for (sa, _), (sb, _) in zip(a, b, strict=True))
        n_a, n_b = sum(len(sa) for sa, _ in a), sum(len(sb) for sb, _ in b)
        pairs = [(x, y) for (sa, _), (sb, _) in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=False)]
        gap = max((abs(x[3] - y[3]) for x, y in pairs), default=0)
        print(
            f"{members} member(s): torch {n_a} spans, onnx {n_b}; articles with identical spans {same}/{len(texts)}; "
            f"largest confidence difference {gap:.1e}"
        )


if __name__ == "__main__":
    main()
