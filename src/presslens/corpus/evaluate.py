"""How well the corpus links speakers and groups claims, on gold sets (issue 15).

- Speakers: ``benchmarks/data/corpus-links`` (our own articles, each quote's speaker mention labelled with a person
  key). The articles are ingested into a fresh store; each gold mention is mapped to the corpus speaker of the quote
  it introduces; every two mentions in different articles are a pair, predicted "same" when both map to one
  speaker. Precision and recall over pairs, and the share of same-surname traps wrongly merged.
- Claims: the same-claim test on labelled claim pairs (paraphrases against near misses), and on PolitiFact claims
  known to restate one verified claim (iclaim → vclaim qrels, against the nearest other verified claims); and the
  clusters the ingest builds, on the claim sentences repeated across the gold articles.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from presslens.corpus.clusters import ClaimText, Clusterer, numbers, same_claim, similarity, terms
from presslens.store import open_engine, schema


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pair_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    """(gold same, predicted same) pairs → precision, recall, F1 and counts."""
    c = Counter(pairs)
    tp, fp, fn = c[(True, True)], c[(False, True)], c[(True, False)]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "pairs": sum(c.values()),
        "gold_same": tp + fn,
        "predicted_same": tp + fp,
    }


def _versions(db: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """external id → (version id, analysis JSON) of the current versions."""
    engine = open_engine(db, create=False)
    v = schema.versions.c
    with engine.connect() as conn:
        rows = conn.execute(select(v.external_id, v.id, v.analysis).where(v.current.is_(True))).all()
    engine.dispose()
    return {r[0]: (int(r[1]), json.loads(r[2])) for r in rows}


def _table(db: str, query: Any) -> list[Any]:
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        rows = list(conn.execute(query).all())
    engine.dispose()
    return rows


def mention_speakers(db: str, mentions: list[dict[str, Any]]) -> list[int | None]:
    """The corpus speaker of each gold mention: the stored quote whose speaker span overlaps it, else a quote by the
    entity one of whose mentions overlaps it; None when PressLens attributed no quote to it."""
    versions = _versions(db)
    q = schema.quotes.c
    speaker_of = {(r[0], r[1]): r[2] for r in _table(db, select(q.version_id, q.qid, q.speaker_id))}
    out: list[int | None] = []
    for m in mentions:
        vid, analysis = versions.get(m["article"], (None, None))
        found: int | None = None
        if analysis is not None:
            a, b = m["start"], m["end"]
            for quote in analysis["quotes"]:
                s = quote.get("speaker")
                if s and s["start"] < b and a < s["end"] and speaker_of.get((vid, quote["id"])):
                    found = speaker_of[(vid, quote["id"])]
                    break
            if found is None:
                owners = {
                    e["id"] for e in analysis["entities"] if any(x["start"] < b and a < x["end"] for x in e["mentions"])
                }
                for quote in analysis["quotes"]:
                    s = quote.get("speaker")
                    if s and s.get("entity") in owners and speaker_of.get((vid, quote["id"])):
                        found = speaker_of[(vid, quote["id"])]
                        break
        out.append(found)
    return out


def evaluate_speakers(db: str, gold_dir: Path) -> dict[str, Any]:
    mentions = read_jsonl(gold_dir / "speakers.jsonl")
    people = {p["person"]: p for p in read_jsonl(gold_dir / "people.jsonl")}
    predicted = mention_speakers(db, mentions)
    pairs, traps = [], []
    for (m1, s1), (m2, s2) in itertools.combinations(zip(mentions, predicted, strict=True), 2):
        if m1["article"] == m2["article"]:
            continue
        gold = m1["person"] == m2["person"]
        pred = s1 is not None and s1 == s2
        pairs.append((gold, pred))
        p1, p2 = people.get(m1["person"], {}), people.get(m2["person"], {})
        if not gold and p1.get("kind") == "person" and p1.get("surname") and p1.get("surname") == p2.get("surname"):
            traps.append(pred)
    scores = pair_scores(pairs)
    scores["mentions"] = len(mentions)
    scores["mentions_linked"] = sum(1 for s in predicted if s is not None)
    scores["surname_traps"] = len(traps)
    scores["surname_traps_merged"] = sum(traps)
    return scores


def evaluate_claim_pairs(gold: list[dict[str, Any]], clusterer: Clusterer) -> dict[str, Any]:
    texts = [p["a"] for p in gold] + [p["b"] for p in gold]
    prepared = clusterer.prepare(texts)
    n = len(gold)
    rows = [(bool(p["same"]), same_claim(prepared[i], prepared[n + i]), p.get("kind", "")) for i, p in enumerate(gold)]
    scores: dict[str, Any] = dict(pair_scores((g, s) for g, s, _ in rows))
    by_kind: dict[str, list[int]] = {}
    for g, s, kind in rows:
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += int(g == s)
        by_kind[kind][1] += 1
    scores["accuracy_by_kind"] = {k: f"{a}/{t}" for k, (a, t) in sorted(by_kind.items())}
    return scores


def politifact_pairs(data: Path, split: str, hard: int = 5) -> list[tuple[str, str, bool]]:
    """(input claim, verified claim, same) pairs: each judged pair, and the input claim against the ``hard`` other
    verified claims nearest to it by terms (near misses a clusterer must keep apart)."""
    from presslens.factchecks import read_records

    base = data / "claim-matching" / "politifact"
    queries = dict(
        line.split("\t", 1)
        for line in (base / "v1" / "iclaims.queries").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    qrels = [
        line.split("\t") for line in (base / "v1" / f"{split}.tsv").read_text(encoding="utf-8").splitlines() if line
    ]
    from presslens.factchecks.records import FactCheck

    records = read_records(base / "politifact-vclaims.tar.gz")
    verified = {r.id: r.claim_reviewed for r in records if isinstance(r, FactCheck)}
    index: dict[str, set[str]] = {}
    vterms = {vid: set(terms(t)) for vid, t in verified.items()}
    for vid, ts in vterms.items():
        for t in ts:
            index.setdefault(t, set()).add(vid)
    out: list[tuple[str, str, bool]] = []
    for qid, _, vid, _ in qrels:
        if qid not in queries or vid not in verified:
            continue
        q = queries[qid].strip()
        out.append((q, verified[vid], True))
        qt = set(terms(q))
        shared: Counter[str] = Counter()
        for t in qt:
            if len(index.get(t, ())) < 2000:
                shared.update(index.get(t, ()))
        judged = {r[2] for r in qrels if r[0] == qid}
        for other, _ in shared.most_common(hard + len(judged)):
            if other not in judged and len([x for x in out if x[0] == q and not x[2]]) < hard:
                out.append((q, verified[other], False))
    return out


def evaluate_politifact(
    pairs: list[tuple[str, str, bool]], clusterer: Clusterer
) -> tuple[dict[str, Any], list[tuple[float, bool, bool]]]:
    a = clusterer.prepare([p[0] for p in pairs])
    b = clusterer.prepare([p[1] for p in pairs])
    preds = [same_claim(x, y) for x, y in zip(a, b, strict=True)]
    sims = [
        (similarity(x, y), bool(p[2]), x.numbers == set() or y.numbers == set() or bool(x.numbers & y.numbers))
        for x, y, p in zip(a, b, pairs, strict=True)
    ]
    return pair_scores((p[2], s) for p, s in zip(pairs, preds, strict=True)), sims


def best_threshold(sims: list[tuple[float, bool, bool]]) -> tuple[float, dict[str, float]]:
    """The cosine threshold (numbers agreeing) with the best F1 on these pairs."""
    best = (0.0, {"f1": -1.0})
    for t in np.arange(0.40, 0.96, 0.01):
        s = pair_scores((g, bool(agree and sim >= t)) for sim, g, agree in sims)
        if s["f1"] > best[1]["f1"]:
            best = (round(float(t), 2), s)
    return best


def evaluate_clusters(db: str, gold_dir: Path) -> dict[str, Any]:
    """The ingest's clusters on the claim sentences repeated across the gold articles (and their near misses)."""
    sentences = read_jsonl(gold_dir / "claim-groups.jsonl")
    versions = _versions(db)
    c = schema.claims.c
    rows = _table(db, select(c.version_id, c.start, c.end, c.cluster_id))
    by_version: dict[int, list[tuple[int, int, int]]] = {}
    for vid, s, e, cl in rows:
        by_version.setdefault(vid, []).append((s, e, cl))
    found: list[int | None] = []
    for s in sentences:
        vid = versions.get(s["article"], (None, None))[0]
        hits = [
            (min(e, s["end"]) - max(a, s["start"]), cl)
            for a, e, cl in by_version.get(vid or -1, [])
            if a < s["end"] and s["start"] < e
        ]
        found.append(max(hits)[1] if hits else None)
    pairs = []
    for (s1, f1), (s2, f2) in itertools.combinations(zip(sentences, found, strict=True), 2):
        if s1["article"] != s2["article"]:
            pairs.append((s1["group"] == s2["group"], f1 is not None and f1 == f2))
    scores = pair_scores(pairs)
    scores["sentences"] = len(sentences)
    scores["sentences_with_a_claim"] = sum(1 for f in found if f is not None)
    return scores


__all__ = [
    "ClaimText",
    "best_threshold",
    "evaluate_claim_pairs",
    "evaluate_clusters",
    "evaluate_politifact",
    "evaluate_speakers",
    "numbers",
    "pair_scores",
    "politifact_pairs",
]
