"""Which technique spans an analysis shows: never a bare name or a lone function word, and by default only those
at or above the model's calibrated display threshold.

A reader who sees a technique on "Ukraine" or "NATO" alone stops trusting the report, so two filters run first,
for every model: a span whose words are all part of a name (a named entity of the spaCy parse, or proper nouns)
and a span without a content word ("the", "into", a quotation mark) are dropped. Then each span's confidence is
compared with the display threshold of its technique, stored in the model's JSON sidecar with how it was chosen
(cross-validated so that at least 60 % of the shown spans are right: docs/evaluation.md). Spans below it are left
out, or, when the caller asks for them (``Options.min_confidence``, ``analyze --all-spans``), kept and marked
uncertain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from presslens.persuasion.tokens import content_word, tokenize

if TYPE_CHECKING:
    from spacy.tokens import Doc

# spaCy entity types that name someone or something; numbers, dates and amounts are not names ("millions").
NAME_TYPES = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)

RawSpan = tuple[str, int, int, float]  # technique, start, end, confidence


def function_words_only(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` has no content word: only stop words ("a", "into") and punctuation."""
    return not any(content_word(w) for w, _, _ in tokenize(text, start, end))


def bare_name(doc: Doc, start: int, end: int) -> bool:
    """Whether every word of the span that is not a stop word is part of a name: inside a named entity of a name
    type (``NAME_TYPES``) or a proper noun ("Ukraine", "NATO", "the European Union", "Donbas's")."""
    words = [
        t
        for t in _tokens(doc, start, end)
        if not (t.is_punct or t.is_space or t.is_stop) and any(c.isalnum() for c in t.text)
    ]
    return bool(words) and all(t.ent_type_ in NAME_TYPES or t.pos_ == "PROPN" for t in words)


def _tokens(doc: Doc, start: int, end: int) -> list[Any]:
    """The tokens of ``doc`` overlapping the characters ``start:end``."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None:
        return list(span)
    return [t for t in doc if t.idx < end and t.idx + len(t.text) > start]


@dataclass(frozen=True)
class DisplayThresholds:
    """A model's display thresholds: ``techniques`` maps a technique to its own (None: never shown by default),
    ``default`` serves the others (None: they are never shown by default). ``how``: how they were chosen (the
    sidecar's words)."""

    default: float | None = 0.0
    techniques: Mapping[str, float | None] = field(default_factory=dict)
    how: str = ""

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any] | None) -> DisplayThresholds:
        """From a sidecar's ``"display"`` entry; a model without one (trained before calibration) shows all."""
        if not meta:
            return cls()
        techniques = {str(k): (None if v is None else float(v)) for k, v in dict(meta.get("techniques", {})).items()}
        default = meta.get("default", 0.0)
        return cls(None if default is None else float(default), techniques, str(meta.get("how", "")))

    def threshold(self, technique: str) -> float | None:
        return self.techniques.get(technique, self.default)

    def shown(self, technique: str, confidence: float) -> bool:
        limit = self.threshold(technique)
        return limit is not None and confidence >= limit


def select_spans(
    raw: list[RawSpan],
    text: str,
    doc: Doc | None,
    thresholds: DisplayThresholds,
    min_confidence: float | None = None,
) -> list[tuple[str, int, int, float, bool]]:
    """The spans to show, each with whether it is uncertain (below its display threshold).

    Bare names (when ``doc`` is given) and spans of function words only are always dropped. ``min_confidence``
    None: only the spans at or above their display threshold; a number: every span with at least that
    confidence (0: all), those below the display threshold marked uncertain.
    """
    out = []
    for technique, start, end, confidence in raw:
        if function_words_only(text, start, end) or (doc is not None and bare_name(doc, start, end)):
            continue
        uncertain = not thresholds.shown(technique, confidence)
        if (uncertain and min_confidence is None) or (min_confidence is not None and confidence < min_confidence):
            continue
        out.append((technique, start, end, confidence, uncertain))
    return out
