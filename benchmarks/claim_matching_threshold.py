"""Is the fact-check match threshold calibrated? Shown matches on CheckThat! 2021 Task 2B dev.

Usage:  HF_HUB_OFFLINE=1 python benchmarks/claim_matching_threshold.py [--data ../shared/data/claim-matching/politifact]

Dev queries repeat a known fact-check; "no-match" sentences are other lines of the same transcripts that no
qrels entry links to a fact-check (and that the re-ranker did not train on). At each threshold: the share of
dev queries whose correct fact-check is shown, the precision of what is shown for them, and the share of
no-match sentences for which anything is shown (false alarms).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from presslens.factchecks.encoder import load_encoder
from presslens.factchecks.match import Matcher, load_reranker
from presslens.factchecks.store import open_kb
from presslens.factchecks.train import (
    NEGATIVE_LINES_PER_QUERY,
    read_qrels,
    read_queries,
    transcript_of,
    unmatched_lines,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/claim-matching/politifact")
    ap.add_argument("--negatives", type=int, default=400)
    args = ap.parse_args()
    data = Path(args.data)
    v1 = data / "v1"
    encoder = load_encoder()
    kb = open_kb(data, encoder, print)
    queries = read_queries(v1 / "iclaims.queries")
    train_qrels, dev = read_qrels(v1 / "train.tsv"), read_qrels(v1 / "dev.tsv")
    used = unmatched_lines(
        v1 / "transcripts",
        set(queries),
        {transcript_of(q) for q in train_qrels},
        NEGATIVE_LINES_PER_QUERY * len(train_qrels),
    )
    pool = unmatched_lines(v1 / "transcripts", set(queries), {transcript_of(q) for q in dev}, 10**6, seed=7)
    negatives = [t for q, t in pool.items() if q not in used][: args.negatives]
    matcher = Matcher(kb, encoder, load_reranker())
    qids = list(dev)
    ranked_pos = matcher.rank([queries[q] for q in qids], "reranked", k=3)
    ranked_neg = matcher.rank(negatives, "reranked", k=3)
    ids = kb.get(sorted({c.rowid for r in ranked_pos + ranked_neg for c in r}))
    print(f"{len(qids)} dev queries with a fact-check, {len(negatives)} sentences without")
    print(f"{'threshold':>9} {'found':>7} {'precision':>10} {'false alarms':>13}")
    for th in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7):
        shown = correct = found = 0
        for q, r in zip(qids, ranked_pos, strict=True):
            hits = [ids[c.rowid].id for c in r if c.score >= th]
            shown += len(hits)
            correct += sum(h in dev[q] for h in hits)
            found += any(h in dev[q] for h in hits)
        alarms = sum(1 for r in ranked_neg if r and r[0].score >= th)
        print(
            f"{th:>9} {found / len(qids):>7.3f} {correct / shown if shown else 0:>10.3f} {alarms / len(negatives):>13.3f}"
        )


if __name__ == "__main__":
    main()
