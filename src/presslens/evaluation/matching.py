"""Ranking metrics for claim matching, as in CheckThat! 2021 Task 2B: MAP@k (MAP@5 primary) and MRR.

For a query with relevant set R and ranking r_1..r_n: AP@k = (1 / min(|R|, k)) * sum over i <= k of
P@i * [r_i in R]; MAP@k averages AP@k over the queries that have relevance judgements; MRR averages
1 / (rank of the first relevant result), 0 when none is retrieved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


def average_precision_at(relevant: set[str], ranked: Sequence[str], k: int) -> float:
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k], 1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k)


def reciprocal_rank(relevant: set[str], ranked: Sequence[str]) -> float:
    return next((1.0 / i for i, doc in enumerate(ranked, 1) if doc in relevant), 0.0)


def score_run(
    qrels: Mapping[str, set[str]], run: Mapping[str, Sequence[str]], ks=(1, 3, 5, 10, 20)
) -> dict[str, float]:
    queries = [q for q in qrels if qrels[q]]
    n = len(queries) or 1
    out: dict[str, float] = {"queries": len(queries)}
    for k in ks:
        out[f"map@{k}"] = sum(average_precision_at(qrels[q], run.get(q, []), k) for q in queries) / n
    out["mrr"] = sum(reciprocal_rank(qrels[q], run.get(q, [])) for q in queries) / n
    out["recall@20"] = sum(len(qrels[q] & set(run.get(q, [])[:20])) / len(qrels[q]) for q in queries) / n
    return out


@dataclass
class MatchingEvaluation:
    """Scores per method (empty without qrels), the last method's ranking (query → [(fact-check id, score)])
    and the knowledge base's size."""

    scores: dict[str, dict[str, float]]
    run: dict[str, list[tuple[str, float]]]
    method: str
    kb_size: int


def evaluate_claim_matching(
    queries_path: str,
    qrels_path: str | None,
    kb_source: str,
    methods: Sequence[str],
    log: Callable[[str], None] | None = None,
    k: int = 20,
) -> MatchingEvaluation:
    """Rank the knowledge base (a .sqlite file, or the PolitiFact folder / .tar.gz imported once into a cache) for
    each query with each method; methods other than BM25 are skipped without the sentence encoder."""
    from presslens.errors import PressLensError
    from presslens.factchecks.encoder import encoder_available, load_encoder
    from presslens.factchecks.match import Matcher, load_reranker
    from presslens.factchecks.store import open_kb
    from presslens.factchecks.train import read_qrels, read_queries

    say = log or (lambda _m: None)
    encoder = load_encoder() if encoder_available() else None
    if encoder is None:
        say("presslens: the sentence encoder is not installed: BM25 only")
    kb = open_kb(kb_source, encoder, log)
    try:
        queries = read_queries(queries_path)
        qrels = read_qrels(qrels_path) if qrels_path else {}
    except (OSError, ValueError) as exc:
        raise PressLensError(f"cannot read the queries or qrels ({exc})") from None
    if qrels:  # judge the queries that have judgements
        queries = {q: t for q, t in queries.items() if q in qrels}
    matcher = Matcher(kb, encoder, load_reranker())
    qids = list(queries)
    scores: dict[str, dict[str, float]] = {}
    run: dict[str, list[tuple[str, float]]] = {}
    last = methods[0]
    for method in methods:
        if method != "bm25" and encoder is None:
            continue
        ranked = matcher.rank([queries[q] for q in qids], method, k=k)
        records = kb.get(sorted({c.rowid for r in ranked for c in r}))
        run = {q: [(records[c.rowid].id, c.score) for c in r] for q, r in zip(qids, ranked, strict=True)}
        last = method
        if qrels:
            scores[method] = score_run(qrels, {q: [v for v, _ in r] for q, r in run.items()})
    return MatchingEvaluation(scores, run, last, len(kb))
