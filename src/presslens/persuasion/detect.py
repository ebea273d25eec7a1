"""Applying the shipped persuasion models to an analysis."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from presslens.errors import ModelError
from presslens.model import Analysis, Label, Paragraph, TechniqueSpan
from presslens.persuasion.data import lines_of

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "persuasion-v1.joblib"


@lru_cache(maxsize=2)
def load_models(path: str | None = None) -> dict:
    import joblib

    target = Path(path) if path else DEFAULT_MODEL_PATH
    if not target.exists():
        raise ModelError(f"persuasion models not found at {target}; train them: presslens train persuasion --data DIR")
    try:
        return joblib.load(target)
    except Exception as exc:  # a truncated or foreign file
        raise ModelError(f"cannot load persuasion models from {target} ({type(exc).__name__})") from None


def detect_persuasion(analysis: Analysis, models: dict | None = None) -> None:
    """Add techniques, paragraphs, frames and genre to ``analysis`` in place."""
    models = models or load_models()
    text = analysis.text
    lines = lines_of(text)
    raw = models["tagger"].predict_spans(text, [(s, e) for _, s, e in lines])
    techniques = []
    for technique, start, end, confidence in raw:
        quote = next((q.id for q in analysis.quotes if q.start <= start and end <= q.end), None)
        techniques.append(TechniqueSpan(technique, start, end, text[start:end], round(confidence, 4), quote))
    analysis.techniques = techniques
    # Paragraph labels come from their own classifier: adding the span tagger's techniques lowered the
    # cross-validated paragraph F1 (see the model card), so a span's technique may be missing from its line.
    threshold = models.get("paragraph_threshold", 0.4)
    probs = models["paragraphs"].predict_proba([text[s:e] for _, s, e in lines]) if lines else []
    paragraphs = []
    for (index, start, end), row in zip(lines, probs, strict=True):
        found = sorted(label for label, p in row.items() if p >= threshold)
        paragraphs.append(Paragraph(index, start, end, found))
    analysis.paragraphs = paragraphs
    frame_probs = models["frames"].predict_proba([text])[0]
    frame_threshold = models.get("frame_threshold", 0.4)
    analysis.frames = sorted(
        (Label(f, round(p, 4)) for f, p in frame_probs.items() if p >= frame_threshold), key=lambda x: -x.confidence
    )
    genre_probs = models["genre"].predict_proba([text])[0]
    best = max(genre_probs, key=genre_probs.get)
    analysis.genre = Label(best, round(genre_probs[best], 4))
