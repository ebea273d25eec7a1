"""Applying the shipped genre model to an analysis."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from presslens.genre.classifier import GenreClassifier
from presslens.model import Analysis, Genre

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "genre-v1.npz"  # and its sidecar genre-v1.json
MODEL_NAME = "genre-v1 (reporter's words + style, logistic regression)"


@lru_cache(maxsize=2)
def load_genre_model(path: str | None = None) -> GenreClassifier:
    return GenreClassifier.load(Path(path) if path else DEFAULT_MODEL_PATH)


def detect_genre(analysis: Analysis, model: GenreClassifier | None = None) -> None:
    """Set ``analysis.genre`` from its text and the quotes already found (none when ``quotes`` did not run)."""
    model = model or load_genre_model()
    label, confidence, uncertain = model.classify(analysis.text, analysis.quotes)
    analysis.genre = Genre(label, round(confidence, 4), uncertain)
    analysis.models["genre"] = MODEL_NAME
