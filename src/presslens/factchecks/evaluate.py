"""Measuring claim matching as CheckThat! 2021 Task 2B does (metrics: ``presslens.evaluation.matching``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from presslens.errors import PressLensError
from presslens.evaluation.matching import score_run
from presslens.factchecks.match import Matcher, load_reranker
from presslens.factchecks.store import open_kb
from presslens.factchecks.train import read_qrels, read_queries


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
    from presslens.factchecks.encoder import encoder_available, load_encoder

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
