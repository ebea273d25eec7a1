"""The news ranker: check-worthiness of a statement in a news article, 0..1.

A logistic regression over ``features.matrix`` (attribution, dispute, numbers, entities, tense, modality, person,
position, and the debate model's score) and, in the full ranker, the statement's meaning: the technique tagger's
hidden states mean-pooled over its word pieces (``presslens.nlp.states``; the techniques component leaves them on
the doc, so the default analysis pays no second encoder pass). Trained on our own news gold set
(``benchmarks/data/claims-news``: PolNeAR articles labelled sentence by sentence, texts read from ../shared) and
chosen by cross-validated MAP over articles (docs/evaluation.md). The lite ranker (features only) runs where the
tagger does not: ``--fast``, or without the ``accurate`` extra.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from presslens.errors import ModelError
from presslens.modelfiles import load_model, save_model

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.claims.checkworthiness import CheckworthinessModel
    from presslens.claims.extract import Candidate
    from presslens.model import Analysis
    from presslens.nlp.states import PieceStates
    from presslens.persuasion.accurate import AccurateTagger

MODELS = Path(__file__).parent / "models"
FULL_MODEL_PATH = MODELS / "news-ranker-v1.npz"  # and its .json sidecar: features + tagger states
LITE_MODEL_PATH = MODELS / "news-ranker-lite-v1.npz"  # features only
MODEL_KIND = "claims-news-ranker"
SEED = 14
FOLDS = 6
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
_TRAIN_HINT = "train it: presslens train claims --data DIR"


@dataclass
class NewsRanker:
    """Standardised features → logistic regression; ``threshold``: the score at which a statement is listed."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, C: float) -> NewsRanker:
        from sklearn.linear_model import LogisticRegression

        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale < 1e-6] = 1.0
        clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=SEED)
        clf.fit((X - mean) / scale, y)
        return cls(
            mean.astype(np.float32), scale.astype(np.float32), clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
        )

    def score(self, X: np.ndarray) -> list[float]:
        if len(X) == 0:
            return []
        z = ((X - self.mean) / self.scale) @ self.coef + self.intercept
        return [float(v) for v in 1.0 / (1.0 + np.exp(-z))]

    @property
    def state_source(self) -> str | None:
        """The tagger states this ranker reads (None: the lite ranker, features only)."""
        return self.meta.get("state_source")

    def save(self, path: str | Path) -> Path:
        meta = {"intercept": self.intercept, "threshold": self.threshold, "meta": self.meta}
        return save_model(path, MODEL_KIND, meta, {"mean": self.mean, "scale": self.scale, "coef": self.coef})


@lru_cache(maxsize=4)
def load_news_ranker(path: str | None = None, lite: bool = False) -> NewsRanker:
    """The shipped full ranker (``lite``: the features-only one), or the model at ``path``."""
    target = Path(path) if path else (LITE_MODEL_PATH if lite else FULL_MODEL_PATH)
    meta, arrays = load_model(target, MODEL_KIND, "news claim ranker", _TRAIN_HINT)
    try:
        return NewsRanker(
            arrays["mean"],
            arrays["scale"],
            arrays["coef"],
            float(meta["intercept"]),
            float(meta["threshold"]),
            dict(meta.get("meta", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"cannot load the news claim ranker from {target} (missing or malformed {exc})") from None


# -- the gold set ----------------------------------------------------------------------------------
@dataclass
class GoldArticle:
    article: str
    sha256: str
    sentences: list[tuple[int, int]]
    labels: list[int]
    kinds: list[str]


def read_gold(path: str | Path) -> list[GoldArticle]:
    """``labels.jsonl``: per article its file name, text hash, sentences as offsets, labels and kinds."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        sents = [(int(s), int(e)) for s, e in d["sentences"]]
        if not (len(sents) == len(d["labels"]) == len(d["kinds"])):
            raise ValueError(f"{path}:{n}: sentences, labels and kinds differ in length")
        out.append(GoldArticle(d["article"], d["sha256"], sents, [int(x) for x in d["labels"]], list(d["kinds"])))
    return out


@dataclass
class Prepared:
    """One gold article, analysed: its candidates' rows (features, then pooled states) and, per gold sentence, the
    candidates in it."""

    gold: GoldArticle
    X: np.ndarray
    y: np.ndarray  # per candidate: its sentence's label
    by_sentence: list[list[int]]  # per gold sentence: candidate rows inside it
    debate: list[float]
    texts: list[str]  # the candidates' texts


def candidate_rows(
    analysis: Analysis, doc: Doc, debate_model: CheckworthinessModel | None = None
) -> tuple[list[Candidate], list[float], np.ndarray, set[int]]:
    """The candidates of an analysed article (quotes found), their debate scores, feature rows and the indices of
    those the article disputes."""
    from presslens.claims.checkworthiness import load_checkworthiness
    from presslens.claims.disputes import find_disputes
    from presslens.claims.extract import candidates, score_candidates, sentence_bounds
    from presslens.claims.features import matrix

    sentences = sentence_bounds(doc)
    cands = candidates(analysis, sentences)
    score_candidates(analysis, cands, debate_model or load_checkworthiness())
    debate = [c.score for c in cands]
    mentions = {e.id: [(m.start, m.end) for m in e.mentions] for e in analysis.entities}
    disputed = {f.candidate for f in find_disputes(analysis.text, sentences, cands, mentions)}
    return cands, debate, matrix(analysis, doc, cands, debate, disputed), disputed


def tagger_states(doc: Doc, text: str, source: str) -> PieceStates | None:
    """The default tagger's states for the article: those the techniques component left on ``doc``, else computed
    here (one pass of the first member; None where the ``accurate`` extra is missing or its model is another)."""
    from presslens.nlp import states as piece_states

    found = piece_states.get(doc, source)
    if found is not None:
        return found
    from presslens.persuasion.data import lines_of

    tagger = _default_tagger()
    if tagger is None or tagger.state_source != source:
        return None
    states = tagger.predict_with_states(text, lines_of(text))[2]
    piece_states.put(doc, states)
    return states


@lru_cache(maxsize=1)
def _default_tagger() -> AccurateTagger | None:
    """The default technique tagger (first member), once a process; None without the ``accurate`` extra."""
    try:
        from presslens.persuasion.accurate import load_accurate

        return load_accurate(members=1, int8=True)  # the techniques component's default tagger
    except (ModelError, ImportError):
        return None


def pooled(states: PieceStates, cands: list[Candidate]) -> np.ndarray:
    if not cands:
        return np.zeros((0, states.width), np.float32)
    return np.vstack([states.pooled(c.start, c.end) for c in cands])


def prepare(gold: list[GoldArticle], texts_dir: Path, log: Callable[[str], None] = print) -> list[Prepared]:
    """The gold articles analysed as ``analyze`` would (quotes, then candidates, features and the default tagger's
    states); a text that differs from the labelled one (sha256) is refused."""
    from presslens.ingest import Article
    from presslens.nlp import parse
    from presslens.options import Options
    from presslens.persuasion.accurate import load_accurate
    from presslens.pipeline import Pipeline

    pipe = Pipeline(Options(components=("quotes",)))
    source = load_accurate(members=1, int8=True).state_source
    out = []
    for g in gold:
        path = texts_dir / g.article
        text = path.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != g.sha256:
            raise ValueError(f"{path}: the text differs from the one labelled (sha256)")
        doc = parse(pipe.nlp, text)
        analysis = pipe.analyze_doc(Article(id=g.article, text=text), doc)
        cands, debate, X, _ = candidate_rows(analysis, doc)
        states = tagger_states(doc, text, source)
        assert states is not None
        X = np.hstack([X, pooled(states, cands)])
        by_sentence: list[list[int]] = [[] for _ in g.sentences]
        y = np.zeros(len(cands), np.int64)
        for i, c in enumerate(cands):
            k = _containing(g.sentences, c.start, c.end)
            if k is not None:
                by_sentence[k].append(i)
                y[i] = g.labels[k]
        out.append(Prepared(g, X, y, by_sentence, debate, [text[c.start : c.end] for c in cands]))
    log(
        f"{len(out)} articles, {sum(len(p.gold.sentences) for p in out)} sentences, {sum(len(p.y) for p in out)} candidates"
    )
    return out


def _containing(sentences: list[tuple[int, int]], start: int, end: int) -> int | None:
    best, best_overlap = None, 0
    for k, (s, e) in enumerate(sentences):
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = k, overlap
    return best


def sentence_scores(p: Prepared, candidate_scores: Sequence[float]) -> list[float]:
    """A gold sentence scores as its best candidate; one without any (too short) scores 0."""
    return [max((candidate_scores[i] for i in rows), default=0.0) for rows in p.by_sentence]


def article_folds(n: int, k: int = FOLDS, seed: int = SEED) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]
