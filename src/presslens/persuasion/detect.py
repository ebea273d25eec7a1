"""Applying the shipped persuasion models to an analysis."""

from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from presslens.labels import TECHNIQUES
from presslens.model import Analysis, Label, Paragraph, Quote, TechniqueSpan
from presslens.nlp import states as piece_states
from presslens.persuasion.data import lines_of
from presslens.persuasion.display import DisplayThresholds, select_spans
from presslens.persuasion.lexical import load_bundle

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.persuasion.accurate import AccurateTagger

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "persuasion-v1.npz"  # and its sidecar persuasion-v1.json
FAST_MODEL_NAME = "persuasion-v1 (lexical)"
ACCURATE_MODEL_NAME = "persuasion-accurate-v1 (two fine-tuned all-MiniLM-L6-v2, averaged)"


@lru_cache(maxsize=2)
def load_models(path: str | None = None) -> dict:
    """The lexical models (``lexical.save_bundle``'s .npz and JSON; nothing is unpickled)."""
    # A bundle written before 2026-12-01 also holds the old genre classifier (its TF-IDF shared with frames); it is
    # not loaded: the genre now comes from its own model (presslens.genre).
    return load_bundle(Path(path) if path else DEFAULT_MODEL_PATH)


def detect_persuasion(
    analysis: Analysis,
    models: dict | None = None,
    accurate: AccurateTagger | None = None,
    doc: Doc | None = None,
    min_confidence: float | None = None,
) -> None:
    """Add techniques, paragraphs and frames to ``analysis`` in place (the genre: ``presslens.genre``).

    ``accurate``: the fine-tuned tagger (``load_accurate()``); it then finds the spans, and a line's techniques come
    from the average of its and the lexical paragraph classifier's probabilities (the best cross-validated
    combination, see the model card). Frames always come from the lexical models.

    Which spans are kept (``display.select_spans``): never one of function words only, nor, given the spaCy
    ``doc`` of the text, a bare name; ``min_confidence`` None: those at or above the model's display threshold
    (its sidecar's ``"display"``); a number: those with at least that confidence, marked uncertain below it.
    """
    models = models or load_models()
    text = analysis.text
    lines = lines_of(text)
    if accurate is not None:
        from presslens.persuasion.accurate import lexical_line_matrix

        if doc is not None and getattr(accurate.scorer, "run", None) is not None:  # states free from ONNX Runtime
            raw, line_probs, states = accurate.predict_with_states(text, lines)
            piece_states.put(doc, states)  # for the claims ranker: one encoder pass for both
        else:
            raw, line_probs = accurate.predict(text, lines)
        averaged = (line_probs + lexical_line_matrix(models["paragraphs"], text, lines)) / 2
        line_rows = [dict(zip(TECHNIQUES, map(float, row), strict=True)) for row in averaged]
        threshold = accurate.paragraph_threshold
        display = DisplayThresholds.from_meta(accurate.meta.get("display"))
        analysis.models["techniques"] = accurate.name or ACCURATE_MODEL_NAME
    else:
        raw = models["tagger"].predict_spans(text, [(s, e) for _, s, e in lines])
        # Paragraph labels come from their own classifier: adding the span tagger's techniques lowered the
        # cross-validated paragraph F1 (see the model card), so a span's technique may be missing from its line.
        line_rows = models["paragraphs"].predict_proba([text[s:e] for _, s, e in lines]) if lines else []
        threshold = models.get("paragraph_threshold", 0.4)
        display = DisplayThresholds.from_meta(models.get("display"))
        analysis.models["techniques"] = FAST_MODEL_NAME
    techniques = []
    index = _QuotesByStart(analysis.quotes)
    candidates = select_spans(raw, text, doc, display, 0.0)  # filtered once; each marked uncertain or not
    selected = [c for c in candidates if (not c[4] if min_confidence is None else c[3] >= min_confidence)]
    analysis.techniques_hidden = len(candidates) - len(selected)
    for technique, start, end, confidence, uncertain in selected:
        inside = index.starting(end - index.longest, start + 1)
        quote = next((q.id for q in inside if q.start <= start and end <= q.end), None)
        techniques.append(TechniqueSpan(technique, start, end, text[start:end], round(confidence, 4), quote, uncertain))
    analysis.techniques = techniques
    analysis.paragraphs = [
        Paragraph(index, start, end, sorted(label for label, p in row.items() if p >= threshold))
        for (index, start, end), row in zip(lines, line_rows, strict=True)
    ]
    frames = models["frames"]
    frame_probs = frames.predict_proba([text])[0]
    frame_threshold = models.get("frame_threshold", 0.4)
    analysis.frames = sorted(
        (Label(f, round(p, 4)) for f, p in frame_probs.items() if p >= frame_threshold), key=lambda x: -x.confidence
    )


class _QuotesByStart:
    """The quotes by start offset, for "which quotes hold this range" without scanning them all (long
    documents); answers in the quotes' own order."""

    def __init__(self, quotes: list[Quote]) -> None:
        self.quotes = quotes
        order = sorted(range(len(quotes)), key=lambda n: quotes[n].start)
        self._starts = [quotes[n].start for n in order]
        self._order = order
        self.longest = max((q.end - q.start for q in quotes), default=0)

    def starting(self, lo: int, hi: int) -> list[Quote]:
        """The quotes whose start is in ``lo:hi``."""
        a, b = bisect.bisect_left(self._starts, lo), bisect.bisect_left(self._starts, hi)
        return [self.quotes[n] for n in sorted(self._order[a:b])]
