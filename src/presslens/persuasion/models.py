"""The persuasion models: technique spans (token tagger), paragraph techniques, frames and genre.

All are scikit-learn linear models over sparse lexical features, chosen because they train in minutes on
2 cores and run in milliseconds per article; see the model card for what was measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")
_QUOTES = set("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    end = len(text) if end is None else end
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _content_word(w: str) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    return any(c.isalnum() for c in w) and w.lower() not in STOP_WORDS


def _shape(w: str) -> str:
    if w.isdigit():
        return "d"
    if w.isupper() and len(w) > 1:
        return "X"
    if w[:1].isupper():
        return "Xx"
    return "x" if w.isalpha() else "p"


def token_features(tokens: list[tuple[str, int, int]]) -> list[dict[str, float]]:
    words = [t[0].lower() for t in tokens]
    feats = []
    in_quote = False
    n = len(tokens)
    for i, (w, _, _) in enumerate(tokens):
        if w in _QUOTES:
            in_quote = not in_quote
        lw = words[i]
        prev1 = words[i - 1] if i > 0 else "<s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        next1 = words[i + 1] if i + 1 < n else "</s>"
        next2 = words[i + 2] if i + 2 < n else "</s>"
        feats.append(
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
                "excl": float("!" in words),
                "question": float("?" in words),
            }
        )
    return feats


@dataclass
class SpanTagger:
    """Labels each token with a technique or O; runs of one technique become spans."""

    classes: list[str] = field(default_factory=list)
    threshold: float = 0.2  # chosen on fold 1 of the cross-validation (technique-aware span F1)
    model: object = None
    hasher: object = None

    def _hasher(self):
        if self.hasher is None:
            from sklearn.feature_extraction import FeatureHasher

            self.hasher = FeatureHasher(n_features=2**16, input_type="dict", alternate_sign=False)
        return self.hasher

    def fit(
        self, token_lists: list[list[tuple[str, int, int]]], tag_lists: list[list[str]], seed: int = 0
    ) -> SpanTagger:
        from sklearn.linear_model import SGDClassifier

        X = self._hasher().transform(f for toks in token_lists for f in token_features(toks))
        y = np.array([t for tags in tag_lists for t in tags])
        self.model = SGDClassifier(
            loss="log_loss", alpha=2e-6, max_iter=15, tol=None, random_state=seed, class_weight=None
        )
        self.model.fit(X, y)
        self.model.coef_ = self.model.coef_.astype(np.float32)  # halves the shipped size; scores unchanged
        self.classes = list(self.model.classes_)
        return self

    def predict_spans(self, text: str, line_bounds: list[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
        """Spans (technique, start, end, mean token probability); they never cross a line."""
        per_line = [tokenize(text, start, end) for start, end in line_bounds]
        flat = [t for toks in per_line for t in toks]
        if not flat:
            return []
        probs = self.model.predict_proba(self._hasher().transform(f for toks in per_line for f in token_features(toks)))
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
                if any(_content_word(w) for w, _, _ in toks[i : j + 1]):  # never "a" or "into" alone
                    out.append((self.classes[best[k]], toks[i][1], toks[j][2], conf))
                i = j + 1
            offset += len(toks)
        return out


@dataclass
class TextClassifier:
    """Multi-label (one-vs-rest) or multi-class logistic regression over TF-IDF words and characters."""

    labels: list[str]
    multilabel: bool = True
    thresholds: dict[str, float] = field(default_factory=dict)
    vectorizer: object = None
    models: dict[str, object] = field(default_factory=dict)
    C: float = 4.0
    class_weight: str | None = "balanced"

    def _make_vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_union

        return make_union(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=40000),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=40000),
        )

    def fit(self, texts: list[str], targets: list[set[str]] | list[str]) -> TextClassifier:
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = self._make_vectorizer()
        X = self.vectorizer.fit_transform(texts)
        for _, vec in self.vectorizer.transformer_list:
            vec.stop_words_ = None  # the discarded vocabulary: large, and not needed to predict
        if self.multilabel:
            for label in self.labels:
                y = np.array([label in t for t in targets])
                if y.sum() >= 2 and (~y).sum() >= 2:
                    self.models[label] = LogisticRegression(
                        C=self.C, class_weight=self.class_weight, max_iter=2000
                    ).fit(X, y)
        else:
            self.models["_"] = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000).fit(
                X, targets
            )
        for m in self.models.values():
            m.coef_ = m.coef_.astype(np.float32)  # halves the shipped size
        return self

    def predict_proba(self, texts: list[str], X=None) -> list[dict[str, float]]:
        """``X``: the texts already transformed by this classifier's vectorizer."""
        X = self.vectorizer.transform(texts) if X is None else X
        if self.multilabel:
            # One sparse product for all labels: the same numbers as each model's predict_proba, ~10× faster.
            labels = list(self.models)
            if getattr(self, "_stack", None) is None:
                W = np.ascontiguousarray(np.vstack([self.models[lab].coef_[0] for lab in labels]).T)
                self._stack = (W, np.array([self.models[lab].intercept_[0] for lab in labels]))
            W, b = self._stack
            P = 1.0 / (1.0 + np.exp(-(np.asarray(X @ W) + b)))
            return [{lab: float(P[i, k]) for k, lab in enumerate(labels)} for i in range(len(texts))]
        m = self.models["_"]
        P = m.predict_proba(X)
        return [{str(c): float(P[i, k]) for k, c in enumerate(m.classes_)} for i in range(len(texts))]

    def same_features(self, other: TextClassifier) -> bool:
        """Whether both vectorizers are fitted alike (same vocabularies and weights), so one transform serves both."""
        pairs = zip(self.vectorizer.transformer_list, other.vectorizer.transformer_list, strict=False)
        return len(self.vectorizer.transformer_list) == len(other.vectorizer.transformer_list) and all(
            a.get_params() == b.get_params() and a.vocabulary_ == b.vocabulary_ and np.array_equal(a.idf_, b.idf_)
            for (_, a), (_, b) in pairs
        )

    def predict(self, texts: list[str], default_threshold: float = 0.5):
        probs = self.predict_proba(texts)
        if self.multilabel:
            return [
                {lab for lab, p in row.items() if p >= self.thresholds.get(lab, default_threshold)} for row in probs
            ]
        return [max(row, key=row.get) for row in probs]
