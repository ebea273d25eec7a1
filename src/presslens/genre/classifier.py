"""The genre classifier: one multinomial logistic regression over the reporter's words and the article's style.

Features: TF-IDF word 1–2-grams of the reporter's voice (``features.reporter_voice``: the text outside the quotes
and the headline) beside the style features (``features.style_features``), standardised and clipped at 3 standard
deviations. After fitting, only
arrays remain (weights, intercepts, the vocabulary and idf weights, the standardisation), stored as an ``.npz``
and a JSON sidecar (``presslens.modelfiles``): nothing is unpickled at load.

A verdict below ``threshold`` (the model's top probability) is shown as uncertain: the threshold is chosen from the
cross-validated probabilities (``train.choose_threshold``, model card).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from presslens.errors import ModelError
from presslens.genre.features import FEATURE_NAMES, QuoteLike, reporter_voice, style_features
from presslens.modelfiles import TfidfFeatures, load_model, save_model

MODEL_KIND = "genre"
STYLE_CLIP = 3.0
TRAIN_HINT = "train it: presslens train genre --data DIR"
WORD_FEATURES = (
    {
        "ngram_range": (1, 2),
        "min_df": 3,
        "sublinear_tf": True,
        "max_features": 20000,
        "token_pattern": r"(?u)\b[a-zA-Z][a-zA-Z']+\b",  # words only: no digits, no punctuation marks
    },
)


@dataclass
class GenreClassifier:
    """``classes`` in the row order of ``coef`` (classes × (words + style features))."""

    C: float = 1.0
    style_weight: float = 1.0  # the standardised style columns are multiplied by this
    threshold: float = 0.0  # below it a verdict is shown as uncertain
    vectorizer: TfidfFeatures = field(default_factory=lambda: TfidfFeatures([]))
    mean: np.ndarray = field(default_factory=lambda: np.zeros(len(FEATURE_NAMES)))
    scale: np.ndarray = field(default_factory=lambda: np.ones(len(FEATURE_NAMES)))
    classes: list[str] = field(default_factory=list)
    coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    intercept: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _matrix(self, voices: list[str], styles: np.ndarray, fit: bool = False) -> sp.csr_matrix:
        if fit:
            self.vectorizer, words = TfidfFeatures.fit_transform(voices, WORD_FEATURES)
            self.mean, self.scale = styles.mean(axis=0), styles.std(axis=0) + 1e-6
        else:
            words = self.vectorizer.transform(voices)
        # Clipped at 3 standard deviations: an article far outside the training range (a short interview that is
        # all quotes) must not be pushed by a weight learned from a handful of examples (satire has two).
        z = np.clip((styles - self.mean) / self.scale, -STYLE_CLIP, STYLE_CLIP)
        style = sp.csr_matrix(z * self.style_weight)
        return sp.hstack([words, style]).tocsr()

    def fit(
        self, voices: list[str], styles: np.ndarray, labels: list[str], weights: np.ndarray, seed: int = 13
    ) -> GenreClassifier:
        """``voices``, ``styles``: from ``article_inputs``; ``weights``: one per article (sources weighted apart)."""
        from sklearn.linear_model import LogisticRegression

        X = self._matrix(voices, styles, fit=True)
        model = LogisticRegression(C=self.C, max_iter=5000, random_state=seed).fit(X, labels, sample_weight=weights)
        self.classes = [str(c) for c in model.classes_]
        if len(self.classes) == 2:  # one row of weights, for the second class: as two rows of a softmax
            self.coef = np.vstack([-model.coef_ / 2, model.coef_ / 2]).astype(np.float32)
            self.intercept = np.concatenate([-model.intercept_ / 2, model.intercept_ / 2])
        else:
            self.coef, self.intercept = model.coef_.astype(np.float32), model.intercept_
        return self

    def predict_proba(self, voices: list[str], styles: np.ndarray) -> np.ndarray:
        """One row of class probabilities (in ``classes`` order) per article: the softmax of the scores."""
        z = np.asarray(self._matrix(voices, styles) @ self.coef.T) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def classify(self, text: str, quotes: Sequence[QuoteLike]) -> tuple[str, float, bool]:
        """The article's genre, its probability, and whether that is below the threshold (uncertain)."""
        voice, style = article_inputs(text, quotes)
        p = self.predict_proba([voice], style[None, :])[0]
        best = int(p.argmax())
        return self.classes[best], float(p[best]), bool(p[best] < self.threshold)

    def save(self, path: str | Path, scores: Mapping[str, Any] | None = None) -> Path:
        specs, arrays = self.vectorizer.to_arrays("words")
        arrays.update({"coef": self.coef, "intercept": self.intercept, "mean": self.mean, "scale": self.scale})
        meta = {
            "classes": self.classes,
            "style_features": list(FEATURE_NAMES),
            "C": self.C,
            "style_weight": self.style_weight,
            "threshold": self.threshold,
            "words": specs,
            "cv": dict(scores or {}),
        }
        return save_model(path, MODEL_KIND, meta, arrays)

    @classmethod
    def load(cls, path: str | Path) -> GenreClassifier:
        meta, arrays = load_model(path, MODEL_KIND, "genre model", TRAIN_HINT)
        try:
            if list(meta["style_features"]) != list(FEATURE_NAMES):
                raise ValueError("style features")
            return cls(
                float(meta["C"]),
                float(meta["style_weight"]),
                float(meta["threshold"]),
                TfidfFeatures.from_arrays(meta["words"], arrays, "words"),
                arrays["mean"],
                arrays["scale"],
                [str(c) for c in meta["classes"]],
                arrays["coef"],
                arrays["intercept"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"cannot load the genre model from {path} (missing or malformed {exc}); {TRAIN_HINT}"
            ) from None


def article_inputs(text: str, quotes: Sequence[QuoteLike]) -> tuple[str, np.ndarray]:
    """What the classifier reads of an article: the reporter's voice and the style features (in order)."""
    style = style_features(text, quotes)
    return reporter_voice(text, quotes), np.array([style[name] for name in FEATURE_NAMES], dtype=np.float64)
