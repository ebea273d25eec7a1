"""Speaker linking and claim clustering across articles, measured on gold sets (issue 15; docs/evaluation.md).

Usage:  python benchmarks/eval_corpus_links.py [--data ../shared/data] [--db FILE] [--fast] [--calibrate]
        python benchmarks/eval_corpus_links.py --smoke      (the gold articles only, no ../shared; a few seconds)

1. Ingests benchmarks/data/corpus-links/articles.jsonl into a fresh store (a temporary SQLite file, or --db) and
   scores speaker linking on speakers.jsonl and the ingest's claim clusters on claim-groups.jsonl (pairwise).
2. Scores the same-claim test on claim-pairs.jsonl (paraphrases against near misses).
3. With ../shared: on PolitiFact input claims against their verified claim and the 5 nearest other verified claims,
   train and dev qrels; --calibrate prints the cosine threshold with the best F1 on train (the shipped COSINE).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from _sample import SHARED

from presslens.corpus import evaluate as ev
from presslens.corpus import ingest
from presslens.corpus.clusters import COSINE
from presslens.corpus.ingest import load_clusterer
from presslens.options import Options

GOLD = Path(__file__).resolve().parent / "data" / "corpus-links"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--db", help="store to ingest into (default: a temporary SQLite file)")
    ap.add_argument("--fast", action="store_true", help="ingest with the lexical technique model")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument(
        "--encoder", choices=["onnx", "torch", "words"], default="onnx", help="the claim encoder (words: none)"
    )
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    clusterer = load_clusterer(args.encoder)
    kind = "ONNX int8" if "Onnx" in type(clusterer.encoder).__name__ else "torch"
    print(
        f"encoder: {f'all-MiniLM-L6-v2 ({kind})' if clusterer.encoder is not None else 'none (lexical)'}; COSINE={COSINE}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "links.db")
        t0 = time.perf_counter()
        report = ingest(
            [str(GOLD / "articles.jsonl")],
            db,
            options=Options(fast=args.fast or args.smoke, workers=1),
            clusterer=clusterer,
        )
        print(f"ingested {report.stored} articles in {time.perf_counter() - t0:.1f} s ({report.failed} failed)")
        print("speakers:", json.dumps(ev.evaluate_speakers(db, GOLD)))
        print("clusters (gold articles):", json.dumps(ev.evaluate_clusters(db, GOLD)))
    pairs = ev.read_jsonl(GOLD / "claim-pairs.jsonl")
    print("claim pairs:", json.dumps(ev.evaluate_claim_pairs(pairs, clusterer)))
    if args.smoke:
        return
    if not (args.data / "claim-matching" / "politifact").exists():
        print(f"skipped PolitiFact: no {args.data}/claim-matching/politifact", file=sys.stderr)
        return
    for split in ("train", "dev"):
        pf = ev.politifact_pairs(args.data, split)
        scores, sims = ev.evaluate_politifact(pf, clusterer)
        print(f"politifact {split}:", json.dumps(scores))
        if args.calibrate and split == "train":
            t, best = ev.best_threshold(sims)
            print(f"  best cosine threshold on train: {t} -> {json.dumps(best)}")


if __name__ == "__main__":
    main()
