"""Ranking metrics for claim matching, as in CheckThat! 2021 Task 2B: MAP@k (MAP@5 primary) and MRR.

For a query with relevant set R and ranking r_1..r_n: AP@k = (1 / min(|R|, k)) * sum over i <= k of
P@i * [r_i in R]; MAP@k averages AP@k over the queries that have relevance judgements; MRR averages
1 / (rank of the first relevant result), 0 when none is retrieved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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
    qrels: Mapping[str, set[str]], run: Mapping[str, Sequence[str]], ks: Sequence[int] = (1, 3, 5, 10, 20)
) -> dict[str, float]:
    queries = [q for q in qrels if qrels[q]]
    n = len(queries) or 1
    out: dict[str, float] = {"queries": len(queries)}
    for k in ks:
        out[f"map@{k}"] = sum(average_precision_at(qrels[q], run.get(q, []), k) for q in queries) / n
    out["mrr"] = sum(reciprocal_rank(qrels[q], run.get(q, [])) for q in queries) / n
    out["recall@20"] = sum(len(qrels[q] & set(run.get(q, [])[:20])) / len(qrels[q]) for q in queries) / n
    return out
