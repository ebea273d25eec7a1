"""Check-worthiness: how much a sentence deserves a fact-check, 0..1.

A logistic regression over TF-IDF words (1-2 grams) and character 3-5 grams, trained on the CheckThat! 2020
debate transcripts plus ClaimBuster's debate sentences (down-weighted to 0.3: their positives are
"factual claims", a looser notion than CheckThat!'s "worth checking"). Chosen by cross-validated MAP, see
the model card; it scores a 40-sentence article in a few milliseconds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from presslens.errors import ModelError
from presslens.modelfiles import TfidfFeatures, load_model, save_model

if TYPE_CHECKING:
    from presslens.claims.data import Transcript

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "checkworthiness-v1.npz"  # and checkworthiness-v1.json
MODEL_KIND = "checkworthiness"
SEED = 13
CLAIMBUSTER_WEIGHT = 0.3
FEATURES = (
    {"ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True, "max_features": 50000},
    {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 3, "sublinear_tf": True, "max_features": 50000},
)
_TRAIN_HINT = "train it: presslens train checkworthiness --data DIR"


@dataclass
class CheckworthinessModel:
    C: float = 1.0
    vectorizer: TfidfFeatures = field(default_factory=lambda: TfidfFeatures([]))  # set by fit
    coef: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    intercept: float = 0.0
    meta: dict = field(default_factory=dict)

    def fit(self, texts: list[str], labels: list[int], weights: list[float] | None = None) -> CheckworthinessModel:
        from sklearn.linear_model import LogisticRegression

        self.vectorizer, X = TfidfFeatures.fit_transform(texts, FEATURES)
        clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=SEED)
        clf.fit(X, labels, sample_weight=weights)
        self.coef = clf.coef_[0].astype(np.float32)
        self.intercept = float(clf.intercept_[0])
        return self

    def score(self, texts: list[str]) -> list[float]:
        if not texts:
            return []
        z = np.asarray(self.vectorizer.transform(texts) @ self.coef).ravel() + self.intercept
        return [float(x) for x in 1.0 / (1.0 + np.exp(-z))]

    def save(self, path: str | Path) -> Path:
        """``path`` (.npz: weights, vocabularies, idf) and its JSON sidecar (C, intercept, features, ``meta``)."""
        specs, arrays = self.vectorizer.to_arrays("features")
        meta = {"C": self.C, "intercept": self.intercept, "features": specs, "meta": self.meta}
        return save_model(path, MODEL_KIND, meta, {"coef": self.coef, **arrays})


@lru_cache(maxsize=2)
def load_checkworthiness(path: str | None = None) -> CheckworthinessModel:
    """The shipped (or given) model, from its .npz and JSON (nothing is unpickled)."""
    target = Path(path) if path else DEFAULT_MODEL_PATH
    meta, arrays = load_model(target, MODEL_KIND, "check-worthiness model", _TRAIN_HINT)
    try:
        return CheckworthinessModel(
            float(meta["C"]),
            TfidfFeatures.from_arrays(meta["features"], arrays, "features"),
            arrays["coef"],
            float(meta["intercept"]),
            dict(meta.get("meta", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"cannot load the check-worthiness model from {target} (missing or malformed {exc})") from None


# -- training ------------------------------------------------------------------------------------
def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s.lower()).strip()


def _training_set(
    transcripts: list[Transcript], claimbuster: list[tuple[str, int]], exclude: set[str]
) -> tuple[list[str], list[int], list[float]]:
    """Lines of the given transcripts plus ClaimBuster sentences not repeated in the held-out ones (``exclude``)."""
    texts, labels, weights = [], [], []
    for t in transcripts:
        for line in t.lines:
            texts.append(line.text)
            labels.append(int(line.label or 0))
            weights.append(1.0)
    for text, label in claimbuster:
        if _norm(text) not in exclude:
            texts.append(text)
            labels.append(label)
            weights.append(CLAIMBUSTER_WEIGHT)
    return texts, labels, weights


def transcript_folds(n: int, k: int, seed: int = SEED) -> list[list[int]]:
    order = np.random.default_rng(seed).permutation(n)
    return [sorted(int(i) for i in order[f::k]) for f in range(k)]


def train(data: str | Path, out: str | Path, k: int = 5, log: Callable[[str], None] = print) -> dict:
    """Cross-validate by transcript (seeded), then fit on everything and write the model and its scores."""
    from presslens.claims.data import read_claimbuster, read_transcripts
    from presslens.evaluation.checkworthiness import score_transcripts

    data = Path(data)
    transcripts = read_transcripts(data / "clef2020-debates" / "train")
    claimbuster = read_claimbuster(data / "claimbuster" / "kfold_25ncs.json")
    log(
        f"{len(transcripts)} transcripts, {sum(len(t.lines) for t in transcripts)} lines; {len(claimbuster)} ClaimBuster sentences"
    )
    scores: dict = {}
    if k > 1:
        runs = []
        for n, fold in enumerate(transcript_folds(len(transcripts), k), 1):
            t0 = time.time()
            test = [transcripts[i] for i in fold]
            train_ts = [t for i, t in enumerate(transcripts) if i not in set(fold)]
            held = {_norm(line.text) for t in test for line in t.lines}
            model = CheckworthinessModel().fit(*_training_set(train_ts, claimbuster, held))
            for t in test:
                runs.append(([int(line.label or 0) for line in t.lines], model.score([line.text for line in t.lines])))
            log(f"fold {n}/{k}: {len(test)} transcripts, {time.time() - t0:.0f}s")
        scores = {"folds": k, "by": "transcript", "seed": SEED, **score_transcripts(runs)}
        log("cross-validated: " + ", ".join(f"{key} {v:.4f}" for key, v in scores.items() if isinstance(v, float)))
    model = CheckworthinessModel().fit(*_training_set(transcripts, claimbuster, set()))
    model.meta = {"cv": scores, "claimbuster_weight": CLAIMBUSTER_WEIGHT}
    out = model.save(out)
    out.with_suffix(".scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and its .json")
    return scores
