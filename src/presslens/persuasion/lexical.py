"""The lexical persuasion models: technique spans (token tagger), paragraph techniques and frames.

All are linear models over sparse lexical features, fitted with scikit-learn because they train in minutes on
2 cores and run in milliseconds per article; see the model card for what was measured. After fitting, a model
keeps only plain arrays (weights, intercepts, the TF-IDF vocabularies and idf weights) and applies them itself,
with the same operations as scikit-learn's ``predict_proba``, so the shipped bundle is an ``.npz`` and a JSON
sidecar (``save_bundle``, ``load_bundle``) that load without unpickling anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from presslens.errors import ModelError
from presslens.modelfiles import TfidfFeatures, load_model, save_model
from presslens.persuasion.tokens import content_word, tokenize

BUNDLE_KIND = "persuasion-lexical"
_QUOTES = set("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb")
_TRAIN_HINT = "train them: presslens train persuasion --data DIR"
# Word 1–2-grams and character 3–5-grams, 40k of each: the features of every TextClassifier.
TEXT_FEATURES = (
    {"ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True, "max_features": 40000},
    {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 3, "sublinear_tf": True, "max_features": 40000},
)


def _shape(w: str) -> str:
    if w.isdigit():
        return "d"
    if w.isupper() and len(w) > 1:
        return "X"
    if w[:1].isupper():
        return "Xx"
    return "x" if w.isalpha() else "p"


def token_features(tokens: list[tuple[str, int, int]]) -> Iterator[dict[str, float]]:
    """Each token's features, one at a time: a line of a text without line breaks can hold the whole text."""
    words = [t[0].lower() for t in tokens]
    in_quote = False
    n = len(tokens)
    excl, question = float("!" in words), float("?" in words)  # once a line, not once a token (long paragraphs)
    for i, (w, _, _) in enumerate(tokens):
        if w in _QUOTES:
            in_quote = not in_quote
        lw = words[i]
        prev1 = words[i - 1] if i > 0 else "<s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        next1 = words[i + 1] if i + 1 < n else "</s>"
        next2 = words[i + 2] if i + 2 < n else "</s>"
        yield (
            {
                f"w={lw}": 1.0,
                f"suf3={lw[-3:]}": 1.0,
                f"shape={_shape(w)}": 1.0,
                f"p1={prev1}": 1.0,
                f"p2={prev2}": 1.0,
                f"n1={next1}": 1.0,
                f"n2={next2}": 1.0,
                f"p1w={prev1}|{lw}": 1.0,
                f"wn1={lw}|{next1}": 1.0,
                "quoted": float(in_quote),
                "pos": i / max(n, 1),
                "excl": excl,
                "question": question,
            }
        )


def _unfitted(ndim: int) -> np.ndarray:
    """The empty weights of a model not fitted yet."""
    return np.zeros((0,) * ndim, dtype=np.float32)


def _expit(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z, out=z)


@dataclass
class SpanTagger:
    """Labels each token with a technique or O; runs of one technique become spans.

    A one-vs-rest logistic regression (SGD) over hashed token features: ``coef`` (classes × ``n_features``).
    """

    classes: list[str] = field(default_factory=list)
    threshold: float = 0.2  # chosen on fold 1 of the cross-validation (technique-aware span F1)
    coef: np.ndarray = field(default_factory=lambda: _unfitted(2))  # set by fit
    intercept: np.ndarray = field(default_factory=lambda: _unfitted(1))
    n_features: int = 2**16
    _hasher: Any = field(default=None, init=False, repr=False, compare=False)

    def _features(self, token_lists: Iterable[list[tuple[str, int, int]]]) -> sp.csr_matrix:
        if self._hasher is None:
            from sklearn.feature_extraction import FeatureHasher

            self._hasher = FeatureHasher(n_features=self.n_features, input_type="dict", alternate_sign=False)
        return self._hasher.transform(f for toks in token_lists for f in token_features(toks))

    def fit(
        self, token_lists: list[list[tuple[str, int, int]]], tag_lists: list[list[str]], seed: int = 0
    ) -> SpanTagger:
        from sklearn.linear_model import SGDClassifier

        X = self._features(token_lists)
        y = np.array([t for tags in tag_lists for t in tags])
        model = SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=15, tol=None, random_state=seed)
        model.fit(X, y)
        self.coef = model.coef_.astype(np.float32)  # halves the shipped size; scores unchanged
        self.intercept = model.intercept_
        self.classes = [str(c) for c in model.classes_]
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """As SGDClassifier's (log loss, several classes): the sigmoids of the scores, normalised to sum to 1."""
        prob = _expit(X @ self.coef.T + self.intercept)
        prob /= prob.sum(axis=1).reshape((prob.shape[0], -1))
        return prob

    def predict_spans(self, text: str, line_bounds: list[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
        """Spans (technique, start, end, mean token probability); they never cross a line."""
        per_line = [tokenize(text, start, end) for start, end in line_bounds]
        flat = [t for toks in per_line for t in toks]
        if not flat:
            return []
        probs = self.predict_proba(self._features(per_line))
        probs[:, self.classes.index("O")] = 0.0
        best = probs.argmax(axis=1)
        keep = probs[np.arange(len(flat)), best] >= self.threshold
        out: list[tuple[str, int, int, float]] = []
        offset = 0
        for toks in per_line:
            i = 0
            while i < len(toks):
                k = offset + i
                if not keep[k]:
                    i += 1
                    continue
                j = i
                while j + 1 < len(toks) and keep[offset + j + 1] and best[offset + j + 1] == best[k]:
                    j += 1
                conf = float(probs[offset + i : offset + j + 1, best[k]].mean())
                if any(content_word(w) for w, _, _ in toks[i : j + 1]):  # never "a" or "into" alone
                    out.append((self.classes[best[k]], toks[i][1], toks[j][2], conf))
                i = j + 1
            offset += len(toks)
        return out

    def to_arrays(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"classes": self.classes, "threshold": self.threshold, "n_features": self.n_features}
        return meta, {f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}

    @classmethod
    def from_arrays(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray], prefix: str) -> SpanTagger:
        return cls(
            list(meta["classes"]),
            float(meta["threshold"]),
            arrays[f"{prefix}.coef"],
            arrays[f"{prefix}.intercept"],
            int(meta["n_features"]),
        )


@dataclass
class TextClassifier:
    """Multi-label (one-vs-rest) or multi-class logistic regression over TF-IDF words and characters.

    ``classes``: the labels that have a model (multi-label: those with at least two positive and two negative
    training texts) or the classes (multi-class), in the row order of ``coef`` (classes × features).
    """

    labels: list[str]
    multilabel: bool = True
    thresholds: dict[str, float] = field(default_factory=dict)
    C: float = 4.0
    class_weight: str | None = "balanced"
    vectorizer: TfidfFeatures = field(default_factory=lambda: TfidfFeatures([]))  # set by fit
    classes: list[str] = field(default_factory=list)
    coef: np.ndarray = field(default_factory=lambda: _unfitted(2))
    intercept: np.ndarray = field(default_factory=lambda: _unfitted(1))
    _weights: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def fit(self, texts: list[str], targets: list[set[str]] | list[str]) -> TextClassifier:
        from sklearn.linear_model import LogisticRegression

        self.vectorizer, X = TfidfFeatures.fit_transform(texts, TEXT_FEATURES)
        self.classes, models = [], []
        if self.multilabel:
            for label in self.labels:
                y = np.array([label in t for t in targets])
                if y.sum() >= 2 and (~y).sum() >= 2:
                    models.append(LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000).fit(X, y))
                    self.classes.append(label)
        else:
            models.append(LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000).fit(X, targets))
            self.classes = [str(c) for c in models[0].classes_]
        self.coef = np.vstack([m.coef_ for m in models]).astype(np.float32)  # halves the shipped size
        self.intercept = np.concatenate([m.intercept_ for m in models])
        self._weights = None
        return self

    def predict_proba(self, texts: list[str], X: sp.csr_matrix | None = None) -> list[dict[str, float]]:
        """``X``: the texts already transformed by this classifier's vectorizer."""
        X = self.vectorizer.transform(texts) if X is None else X
        if self._weights is None:
            self._weights = np.ascontiguousarray(self.coef.T)
        z = np.asarray(X @ self._weights) + self.intercept
        if self.multilabel:  # one binary logistic regression per label, all in one sparse product
            P = 1.0 / (1.0 + np.exp(-z))
        elif len(self.classes) == 2:  # two classes: one row of weights, for the second class
            p = _expit(z[:, 0].copy())
            P = np.vstack([1 - p, p]).T
        else:  # multinomial: the softmax of the scores, as LogisticRegression.predict_proba
            z -= z.max(axis=1).reshape((-1, 1))
            P = np.exp(z, z)
            P /= P.sum(axis=1).reshape((-1, 1))
        return [{lab: float(P[i, k]) for k, lab in enumerate(self.classes)} for i in range(len(texts))]

    def same_features(self, other: TextClassifier) -> bool:
        """Whether both vectorizers are fitted alike (same vocabularies and weights), so one transform serves both."""
        return self.vectorizer.same_as(other.vectorizer)

    def predict(self, texts: list[str], default_threshold: float = 0.5) -> list[set[str]] | list[str]:
        probs = self.predict_proba(texts)
        if self.multilabel:
            return [
                {lab for lab, p in row.items() if p >= self.thresholds.get(lab, default_threshold)} for row in probs
            ]
        return [max(row, key=lambda label: row[label]) for row in probs]

    def to_arrays(self, prefix: str, features: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """``features``: the name the vectorizer is stored under (classifiers fitted alike share one)."""
        meta = {
            "labels": self.labels,
            "multilabel": self.multilabel,
            "thresholds": self.thresholds,
            "C": self.C,
            "class_weight": self.class_weight,
            "classes": self.classes,
            "features": features,
        }
        return meta, {f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}

    @classmethod
    def from_arrays(
        cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray], prefix: str, vectorizer: TfidfFeatures
    ) -> TextClassifier:
        return cls(
            list(meta["labels"]),
            bool(meta["multilabel"]),
            {str(k): float(v) for k, v in meta["thresholds"].items()},
            float(meta["C"]),
            meta["class_weight"],
            vectorizer,
            list(meta["classes"]),
            arrays[f"{prefix}.coef"],
            arrays[f"{prefix}.intercept"],
        )


CLASSIFIERS = ("paragraphs", "frames")  # a bundle from before 2026-12-01 also holds "genre": not loaded
SETTINGS = ("paragraph_threshold", "frame_threshold", "display", "cv")  # display: the spans' display thresholds


def save_bundle(bundle: Mapping[str, Any], path: str | Path) -> Path:
    """Write the models of ``bundle`` (keys "tagger", "paragraphs", "frames", the thresholds and "cv")
    to ``path`` (.npz) and its JSON sidecar. Vectorizers fitted alike are stored once."""
    tagger_meta, arrays = bundle["tagger"].to_arrays("tagger")
    features: dict[str, list] = {}
    stored: dict[str, TfidfFeatures] = {}
    meta: dict[str, Any] = {"tagger": tagger_meta}
    for name in CLASSIFIERS:
        clf: TextClassifier = bundle[name]
        shared = next((k for k, v in stored.items() if v.same_as(clf.vectorizer)), None)
        if shared is None:
            shared, stored[name] = name, clf.vectorizer
            features[name], vec_arrays = clf.vectorizer.to_arrays(f"features.{name}")
            arrays.update(vec_arrays)
        meta[name], clf_arrays = clf.to_arrays(name, shared)
        arrays.update(clf_arrays)
    meta["features"] = features
    meta.update({k: bundle[k] for k in SETTINGS if k in bundle})
    return save_model(path, BUNDLE_KIND, meta, arrays)


def load_bundle(path: str | Path) -> dict[str, Any]:
    """The models saved by ``save_bundle``: classifiers stored with one vectorizer share that object."""
    meta, arrays = load_model(path, BUNDLE_KIND, "persuasion models", _TRAIN_HINT)
    try:
        features = {
            name: TfidfFeatures.from_arrays(specs, arrays, f"features.{name}")
            for name, specs in meta["features"].items()
        }
        bundle: dict[str, Any] = {"tagger": SpanTagger.from_arrays(meta["tagger"], arrays, "tagger")}
        for name in CLASSIFIERS:
            bundle[name] = TextClassifier.from_arrays(meta[name], arrays, name, features[meta[name]["features"]])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"cannot load persuasion models from {path} (missing or malformed {exc})") from None
    bundle.update({k: meta[k] for k in SETTINGS if k in meta})
    return bundle
