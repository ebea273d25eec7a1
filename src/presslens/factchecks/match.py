"""Finding the fact-checks a claim repeats: BM25 and sentence-embedding retrieval, fused, then re-ranked.

1. BM25 over claim, headline and claimant (SQLite FTS5) and cosine similarity of all-MiniLM-L6-v2
   embeddings each propose their top candidates;
2. reciprocal-rank fusion (k = 60) merges the two lists;
3. the re-ranker, a logistic regression over a few features of each (claim, candidate) pair, trained on the
   CheckThat! 2021 Task 2B training queries (``presslens train claim-matching``), orders the candidates and
   gives each a calibrated probability that it checks the same claim. Matches below the threshold are not
   shown, so an empty list means nothing similar is known.

Each stage is measured on its own by ``presslens eval claim-matching --method``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from presslens.errors import ModelError, PressLensError
from presslens.factchecks.store import KnowledgeBase, content_words
from presslens.modelfiles import FORMAT_VERSION, read_meta
from presslens.options import DEFAULT_MATCH_THRESHOLD as DEFAULT_THRESHOLD
from presslens.options import DEFAULT_MATCH_TOP as DEFAULT_TOP

if TYPE_CHECKING:
    from presslens.factchecks.encoder import Encoder
    from presslens.model import Analysis, Claim

RRF_K = 60
POOL = 30
METHODS = ("bm25", "semantic", "fused", "reranked")
DEFAULT_RERANKER_PATH = Path(__file__).parent / "models" / "claim-matching-v1.json"
RERANKER_KIND = "claim-matching"
_TRAIN_HINT = "train it: presslens train claim-matching --data DIR"
# What pair_features returns, in order: the re-ranker file names them so that a change is noticed.
PAIR_FEATURES = (
    "cosine",
    "bm25_ratio",
    "bm25_reciprocal_rank",
    "semantic_reciprocal_rank",
    "overlap",
    "numbers",
    "cosine_x_overlap",
)


@dataclass(slots=True)
class Candidate:
    rowid: int
    bm25: float = 0.0
    cosine: float = 0.0
    bm25_rank: int = 0  # 1-based; 0 = not proposed by this retriever
    semantic_rank: int = 0
    fused: float = 0.0
    score: float = 0.0


def pair_features(query: str, candidate: Candidate, claim: str, best_bm25: float) -> list[float]:
    q, c = content_words(query), content_words(claim)
    overlap = len(q & c) / max(1, len(q))
    numbers = {w for w in q if w.isdigit()}
    return [
        candidate.cosine,
        candidate.bm25 / best_bm25 if best_bm25 > 0 else 0.0,
        1.0 / candidate.bm25_rank if candidate.bm25_rank else 0.0,
        1.0 / candidate.semantic_rank if candidate.semantic_rank else 0.0,
        overlap,
        len(numbers & c) / len(numbers) if numbers else 0.5,
        candidate.cosine * overlap,
    ]


class Reranker:
    """The re-ranker, a logistic regression over ``pair_features``, and its calibration (a logistic regression on
    the re-ranker's log-odds): ``probability`` ≈ the chance that a candidate checks the claim.

    Plain weights, applied as scikit-learn's ``predict_proba`` applies them; stored as JSON (``save``).
    """

    def __init__(
        self, coef: np.ndarray, intercept: np.ndarray, calibration: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        self.coef, self.intercept, self.calibration = coef, intercept, calibration

    @classmethod
    def from_sklearn(cls, model: Any, calibrator: Any = None) -> Reranker:
        """From fitted binary ``LogisticRegression`` models (training)."""
        calibration = None if calibrator is None else (calibrator.coef_, calibrator.intercept_)
        return cls(model.coef_, model.intercept_, calibration)

    @staticmethod
    def _logistic(X: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        return expit((X @ coef.T + intercept).reshape(-1))

    def probability(self, X: np.ndarray) -> np.ndarray:
        p = self._logistic(np.asarray(X, dtype=np.float64), self.coef, self.intercept)
        if self.calibration is None:
            return p
        z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1)).reshape(-1, 1)
        return self._logistic(z, *self.calibration)

    def save(self, path: str | Path, meta: dict) -> Path:
        """One JSON file: the weights (exact: JSON numbers round-trip a float64), feature names and ``meta``."""
        weights = {"coef": self.coef.tolist(), "intercept": self.intercept.tolist()}
        calibration = None
        if self.calibration is not None:
            calibration = {"coef": self.calibration[0].tolist(), "intercept": self.calibration[1].tolist()}
        model = {"kind": RERANKER_KIND, "format": FORMAT_VERSION, "features": list(PAIR_FEATURES)}
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {**model, "reranker": weights, "calibrator": calibration, **meta}
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        return path


@lru_cache(maxsize=2)
def load_reranker(path: str | None = None) -> Reranker | None:
    """The shipped (or given) re-ranker, or None where there is none (matching then ranks without it)."""
    target = Path(path) if path else DEFAULT_RERANKER_PATH
    if not target.exists():
        return None
    meta = read_meta(target, RERANKER_KIND, "claim-matching re-ranker", _TRAIN_HINT)
    try:
        if meta["features"] != list(PAIR_FEATURES):
            raise ValueError("features")
        calibration = meta.get("calibrator")
        return Reranker(
            np.array(meta["reranker"]["coef"], dtype=np.float64),
            np.array(meta["reranker"]["intercept"], dtype=np.float64),
            None
            if calibration is None
            else (
                np.array(calibration["coef"], dtype=np.float64),
                np.array(calibration["intercept"], dtype=np.float64),
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(
            f"cannot load the claim-matching re-ranker from {target} (missing or malformed {exc})"
        ) from None


class Matcher:
    """Ranks a knowledge base's fact-checks for claims. ``encoder=None`` falls back to BM25 alone."""

    def __init__(self, kb: KnowledgeBase, encoder: Encoder | None = None, reranker: Reranker | None = None) -> None:
        self.kb = kb
        self.encoder = encoder
        self.reranker = reranker

    def candidates(self, claims: list[str], pool: int = POOL) -> list[list[Candidate]]:
        """The fused candidate pool of each claim, best first by fusion."""
        sem: list[list[tuple[int, float]]] = [[] for _ in claims]
        sims = None
        if self.encoder is not None and claims:
            ids, mat = self.kb.vectors(self.encoder.name)
            if len(ids):
                sims = self.encoder.encode(claims) @ mat.T
                m = min(pool, sims.shape[1])
                top = np.argpartition(-sims, m - 1, axis=1)[:, :m]  # the best m, unordered; then order just those
                top = np.take_along_axis(top, np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1), axis=1)
                sem = [[(int(ids[j]), float(sims[i, j])) for j in row] for i, row in enumerate(top)]
        out = []
        for i, claim in enumerate(claims):
            cands: dict[int, Candidate] = {}
            for rank, (rowid, s) in enumerate(self.kb.bm25(claim, pool), 1):
                cands[rowid] = Candidate(rowid, bm25=s, bm25_rank=rank)
            for rank, (rowid, s) in enumerate(sem[i], 1):
                c = cands.setdefault(rowid, Candidate(rowid))
                c.cosine, c.semantic_rank = s, rank
            if sims is not None:  # the cosine of BM25-only candidates too, for fusion and re-ranking
                pos = np.searchsorted(ids, [c.rowid for c in cands.values()])
                for c, p in zip(cands.values(), pos, strict=True):
                    if not c.semantic_rank and p < len(ids) and ids[p] == c.rowid:
                        c.cosine = float(sims[i, p])
            for c in cands.values():
                c.fused = sum(1.0 / (RRF_K + r) for r in (c.bm25_rank, c.semantic_rank) if r)
            out.append(sorted(cands.values(), key=lambda c: -c.fused))
        return out

    def rank(self, claims: list[str], method: str = "reranked", k: int = 20) -> list[list[Candidate]]:
        """Candidates of each claim ordered by ``method``, with ``score`` set to that method's score."""
        pools = self.candidates(claims)
        reranker = self.reranker if method == "reranked" else None
        if reranker is not None:
            texts = self.kb.get(sorted({c.rowid for p in pools for c in p}))
        out = []
        for claim, pool in zip(claims, pools, strict=True):
            if method == "bm25":
                ranked = sorted((c for c in pool if c.bm25_rank), key=lambda c: c.bm25_rank)
                for c in ranked:
                    c.score = c.bm25
            elif method == "semantic":
                ranked = sorted((c for c in pool if c.semantic_rank), key=lambda c: c.semantic_rank)
                for c in ranked:
                    c.score = c.cosine
            elif reranker is not None and pool:
                best = max(c.bm25 for c in pool)
                X = np.array([pair_features(claim, c, texts[c.rowid].claim_reviewed, best) for c in pool])
                for c, p in zip(pool, reranker.probability(X), strict=True):
                    c.score = float(p)
                ranked = sorted(pool, key=lambda c: -c.score)
            else:
                ranked = pool
                for c in ranked:
                    c.score = c.fused
            out.append(ranked[:k])
        return out


_matchers: dict[str, tuple[Matcher, int]] = {}


def matcher_for(kb_path: str) -> Matcher:
    """One matcher per process and knowledge base, rebuilt when the knowledge base has changed since (another
    process imported or embedded records); semantic when the encoder is installed and the KB embedded."""
    cached = _matchers.get(kb_path)
    if cached is not None and cached[0].kb.data_version() == cached[1]:
        return cached[0]
    from presslens.factchecks.encoder import encoder_available, load_encoder

    if cached is not None:
        cached[0].kb.close()
    kb = KnowledgeBase(kb_path, readonly=True)
    encoder = None
    if encoder_available():
        enc = load_encoder()
        if len(kb.vectors(enc.name)[0]):
            encoder = enc
    matcher = Matcher(kb, encoder, load_reranker() if encoder is not None else None)
    _matchers[kb_path] = (matcher, kb.data_version())
    return matcher


def claims_to_match(analysis: Analysis, top: int = DEFAULT_TOP) -> list[Claim]:
    """The claims looked up: the disputed ones first, then the most check-worthy, ``top`` in all (0 = every claim).

    Encoding a claim costs about 25 ms of one core, most of the matching cost; the default keeps the whole
    claims step within 50 ms per article on 2 cores (docs/benchmarks.md)."""
    disputed = {d.claim for d in analysis.disputes}
    ranked = sorted(analysis.claims, key=lambda c: (c.id not in disputed, -c.checkworthiness))
    chosen = {c.id for c in (ranked if top <= 0 else ranked[:top])}
    return [c for c in analysis.claims if c.id in chosen]


def match_claims(
    analysis: Analysis, matcher: Matcher, threshold: float = DEFAULT_THRESHOLD, k: int = 3, top: int = DEFAULT_TOP
) -> None:
    """Set ``analysis.fact_checks``: for each claim looked up (``claims_to_match``), the fact-checks scoring at or
    above ``threshold`` (best ``k``); an empty list means nothing similar is known."""
    match_many([analysis], matcher, threshold, k, top)


def match_many(
    analyses: list[Analysis], matcher: Matcher, threshold: float = DEFAULT_THRESHOLD, k: int = 3, top: int = DEFAULT_TOP
) -> None:
    """``match_claims`` for several analyses in one pass: the encoder runs on all their claims in one batch.

    Without the re-ranker (BM25 only) scores are not probabilities, so nothing is shown rather than guessed.
    """
    from presslens.model import ClaimMatches, FactCheckMatch

    selected = {id(a): claims_to_match(a, top) for a in analyses}
    claims = [c for a in analyses for c in selected[id(a)]]
    method = "reranked" if matcher.reranker is not None else "bm25"
    ranked = matcher.rank([c.text for c in claims], method, k=k) if claims else []
    records = matcher.kb.get(sorted({c.rowid for r in ranked for c in r}))
    results = iter(ranked)
    for a in analyses:
        out = []
        for claim in selected[id(a)]:
            cands = next(results)
            matches = []
            if method == "reranked":
                for c in cands:
                    if c.score >= threshold:
                        r = records[c.rowid]
                        matches.append(
                            FactCheckMatch(r.id, r.claim_reviewed, r.rating, r.publisher, r.url, r.date, c.score)
                        )
            out.append(ClaimMatches(claim.id, matches))
        a.fact_checks = out


def search(kb_path: str | Path | None, query: str, limit: int = 5, method: str | None = None) -> tuple[str, list]:
    """The fact-checks closest to ``query``: ``(method used, [(FactCheck, score)])``, best first. ``method``
    defaults to the best available; without embeddings or the encoder it falls back to BM25. A query without
    a word or number (empty, spaces, punctuation) is an error: it would match anything."""
    if not any(ch.isalnum() for ch in query):
        raise PressLensError("the search text is empty (no word or number in it); give a claim to search for")
    if any("\ud800" <= ch <= "\udfff" for ch in query):
        raise PressLensError("the search text is not valid Unicode (a lone surrogate: bytes that are not UTF-8?)")
    with KnowledgeBase(kb_path, readonly=True) as kb:  # a missing or foreign file fails here, with one line
        path = str(kb.path)
    matcher = matcher_for(path)
    method = method or ("reranked" if matcher.reranker is not None else "bm25")
    if method != "bm25" and matcher.encoder is None:
        method = "bm25"
    ranked = matcher.rank([query], method, k=limit)[0]
    records = matcher.kb.get([c.rowid for c in ranked])
    return method, [(records[c.rowid], c.score) for c in ranked]
