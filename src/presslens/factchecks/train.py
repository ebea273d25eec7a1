"""Training the claim-matching re-ranker on CheckThat! 2021 Task 2B (``presslens train claim-matching``).

Positives: (training query, the fact-check it repeats). Negatives: every other candidate the retrievers
propose for those queries, plus the candidates of transcript sentences that repeat no fact-check (so the
probability is calibrated for sentences with no match at all, which is most of what an article holds).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from presslens.factchecks.match import DEFAULT_THRESHOLD, Matcher, Reranker, pair_features

SEED = 13
NEGATIVE_LINES_PER_QUERY = 3


def read_queries(path: str | Path) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                qid, text = line.rstrip("\n").split("\t", 1)
                out[qid] = text
    return out


def read_qrels(path: str | Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[3] != "0":
                out[parts[0]].add(parts[2])
    return dict(out)


def unmatched_lines(
    transcripts: Path, qrels_ids: set[str], names: set[str], n: int, seed: int = SEED
) -> dict[str, str]:
    """Up to ``n`` transcript sentences (of the named transcripts) that no qrels entry links to a fact-check."""
    lines = {}
    for name in sorted(names):
        path = transcripts / f"{name}.tsv"
        if not path.exists():
            continue
        for row in path.read_text(encoding="utf-8").splitlines():
            parts = row.split("\t")
            if len(parts) >= 3 and len(parts[2].split()) >= 6:
                qid = f"{name}_{parts[0]}"
                if qid not in qrels_ids:
                    lines[qid] = parts[2]
    keys = sorted(lines)
    random.Random(seed).shuffle(keys)
    return {k: lines[k] for k in keys[:n]}


def transcript_of(qid: str) -> str:
    return qid.rsplit("_", 1)[0]


def examples(
    matcher: Matcher, queries: dict[str, str], qrels: dict[str, set[str]]
) -> tuple[np.ndarray, np.ndarray, list]:
    qids = list(queries)
    pools = matcher.candidates([queries[q] for q in qids])
    records = matcher.kb.get(sorted({c.rowid for p in pools for c in p}))
    X, y, groups = [], [], []
    for qid, pool in zip(qids, pools, strict=True):
        best = max((c.bm25 for c in pool), default=0.0)
        for c in pool:
            rec = records[c.rowid]
            X.append(pair_features(queries[qid], c, rec.claim_reviewed, best))
            y.append(int(rec.id in qrels.get(qid, set())))
            groups.append(qid)
    return np.array(X), np.array(y), groups


def calibrate(model: Any, X: np.ndarray, y: np.ndarray, groups: list[str], top: int = 3) -> Any:
    """Platt scaling on each query's best candidates: the re-ranker is fit on every candidate, most of them
    hopeless, so its raw probability understates the chance that a top candidate is right."""
    from sklearn.linear_model import LogisticRegression

    p = model.predict_proba(X)[:, 1]
    by_query: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_query[g].append(i)
    keep = [i for idx in by_query.values() for i in sorted(idx, key=lambda i: -p[i])[:top]]
    z = np.log(np.clip(p[keep], 1e-6, 1 - 1e-6) / np.clip(1 - p[keep], 1e-6, 1)).reshape(-1, 1)
    return LogisticRegression(C=1.0, random_state=SEED).fit(z, y[keep])


def train(data: str | Path, out: str | Path, log: Callable[[str], None] = print) -> dict:
    """Fit the re-ranker and its calibration and write them, with what they were trained on, to ``out`` (JSON)."""
    from sklearn.linear_model import LogisticRegression

    from presslens.factchecks.encoder import load_encoder
    from presslens.factchecks.store import open_kb

    data = Path(data)
    v1 = data / "v1"
    encoder = load_encoder()
    kb = open_kb(data, encoder, log)
    queries = read_queries(v1 / "iclaims.queries")
    train_qrels = read_qrels(v1 / "train.tsv")
    names = {transcript_of(q) for q in train_qrels}
    negatives = unmatched_lines(v1 / "transcripts", set(queries), names, NEGATIVE_LINES_PER_QUERY * len(train_qrels))
    train_queries = {q: queries[q] for q in train_qrels} | negatives
    log(f"{len(train_qrels)} training queries with a fact-check, {len(negatives)} transcript sentences without")
    X, y, groups = examples(Matcher(kb, encoder), train_queries, train_qrels)
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED).fit(X, y)
    log(f"{len(y)} pairs, {int(y.sum())} positive; weights {np.round(model.coef_[0], 3).tolist()}")
    calibrator = calibrate(model, X, y, groups)
    meta = {"pairs": len(y), "positives": int(y.sum()), "threshold": DEFAULT_THRESHOLD, "seed": SEED}
    Reranker.from_sklearn(model, calibrator).save(out, meta)
    return meta
