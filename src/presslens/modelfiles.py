"""Model files without pickles: a model's arrays in an ``.npz`` and everything else in a JSON sidecar.

The ``.npz`` (weights, intercepts, idf vectors, vocabularies as string arrays) is read with
``allow_pickle=False``; the sidecar of the same name (``model.npz`` → ``model.json``) holds the kind of model,
the format version, classes, thresholds and hyper-parameters. Loading runs no code from either file, so a model
from elsewhere can be opened safely and renaming a class never breaks a shipped model. The vocabularies live in
the ``.npz`` rather than the JSON because compressed they are about a third of the size, which keeps each model
no larger than the pickle it replaces.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from presslens.errors import ModelError

FORMAT_VERSION = 1


def sidecar(path: str | Path) -> Path:
    """The JSON file that goes with the arrays at ``path``."""
    return Path(path).with_suffix(".json")


def save_model(path: str | Path, kind: str, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Path:
    """Write ``arrays`` to ``path`` (a compressed ``.npz``, whatever the suffix) and ``meta`` to its sidecar."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, a in arrays.items():
        if a.dtype.hasobject:
            raise ValueError(f"array {name} holds Python objects: it could only be loaded by unpickling")
    with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a path without it
        np.savez_compressed(f, **cast(dict[str, Any], arrays))  # cast: numpy's stub reads a key as allow_pickle
    header = {"kind": kind, "format": FORMAT_VERSION, "arrays": path.name}
    sidecar(path).write_text(json.dumps({**header, **meta}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_model(path: str | Path, kind: str, what: str, train_hint: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The sidecar's contents and the arrays of the model at ``path``; every failure is a one-line ModelError.

    ``what`` names the model in messages ("persuasion models"); ``train_hint`` says how to make one.
    """
    path = Path(path)
    _refuse_pickle(path, train_hint)
    if not path.exists():
        raise ModelError(f"{what} not found at {path}; {train_hint}")
    meta = read_meta(sidecar(path), kind, what, train_hint)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:  # truncated, foreign, or object arrays
        raise ModelError(f"cannot load {what} from {path} ({type(exc).__name__})") from None
    return meta, arrays


def _refuse_pickle(path: Path, train_hint: str) -> None:
    if path.suffix in (".joblib", ".pkl", ".pickle"):
        raise ModelError(f"{path}: PressLens no longer loads pickled models (an .npz and its .json now); {train_hint}")


def read_meta(path: str | Path, kind: str, what: str, train_hint: str) -> dict[str, Any]:
    """A model's JSON (a sidecar, or the whole of a model small enough to be JSON only), checked for its kind
    and format version."""
    path = Path(path)
    _refuse_pickle(path, train_hint)
    if not path.exists():
        raise ModelError(f"{what} not found at {path}; {train_hint}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load {what} from {path} ({type(exc).__name__})") from None
    if not isinstance(meta, dict) or meta.get("kind") != kind:
        raise ModelError(f"{path} is not one of PressLens's {what}")
    if meta.get("format") != FORMAT_VERSION:
        raise ModelError(f"{path} was written by another PressLens version; {train_hint}")
    return meta


def _json_param(name: str, value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"the vectorizer parameter {name}={value!r} cannot be stored as JSON")


def _params(vectorizer: Any) -> dict[str, Any]:
    """A vectorizer's parameters as JSON values, without the vocabulary (stored as an array)."""
    return {k: _json_param(k, x) for k, x in vectorizer.get_params(deep=False).items() if k != "vocabulary"}


def _vectorizer_from(params: Mapping[str, Any], terms: np.ndarray, idf: np.ndarray) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    if "dtype" in kwargs:
        kwargs["dtype"] = np.dtype(kwargs["dtype"]).type
    vec = TfidfVectorizer(**kwargs, vocabulary={str(t): i for i, t in enumerate(terms)})
    vec.idf_ = idf
    return vec


class TfidfFeatures:
    """Fitted TF-IDF vectorizers side by side (say word n-grams and character n-grams): one sparse row a text.

    Stored as each vectorizer's parameters (JSON) and its vocabulary and idf weights (arrays), and rebuilt as
    scikit-learn vectorizers, so the features come from the same code that fitted them.
    """

    def __init__(self, vectorizers: list) -> None:
        self.vectorizers = vectorizers

    @classmethod
    def fit_transform(cls, texts: list[str], specs: Iterable[Mapping[str, Any]]) -> tuple[TfidfFeatures, sp.csr_matrix]:
        """Fit one ``TfidfVectorizer(**spec)`` per spec; the features and the texts' rows."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizers = [TfidfVectorizer(**spec) for spec in specs]
        X = sp.hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        return cls(vectorizers), X

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def to_arrays(self, prefix: str) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
        """The parameters of each vectorizer (JSON) and its vocabulary (terms in column order) and idf arrays."""
        specs, arrays = [], {}
        for i, v in enumerate(self.vectorizers):
            params = _params(v)
            terms = sorted(v.vocabulary_, key=v.vocabulary_.get)
            column = np.array(terms, dtype=str)
            if column.tolist() != terms:  # a term numpy cannot hold exactly (trailing NUL)
                raise ValueError("a vocabulary term cannot be stored in a string array")
            specs.append(params)
            arrays[f"{prefix}.{i}.vocabulary"] = column
            arrays[f"{prefix}.{i}.idf"] = np.asarray(v.idf_)
        return specs, arrays

    @classmethod
    def from_arrays(
        cls, specs: list[Mapping[str, Any]], arrays: Mapping[str, np.ndarray], prefix: str
    ) -> TfidfFeatures:
        return cls(
            [
                _vectorizer_from(spec, arrays[f"{prefix}.{i}.vocabulary"], arrays[f"{prefix}.{i}.idf"])
                for i, spec in enumerate(specs)
            ]
        )

    def same_as(self, other: TfidfFeatures) -> bool:
        """Fitted alike (same parameters, vocabularies and idf weights): one transform serves both."""
        if len(self.vectorizers) != len(other.vectorizers):
            return False
        return all(
            _params(a) == _params(b) and a.vocabulary_ == b.vocabulary_ and np.array_equal(a.idf_, b.idf_)
            for a, b in zip(self.vectorizers, other.vectorizers, strict=True)
        )
