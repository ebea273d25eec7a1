"""The claims component: check-worthy claims, their claimants, and the disputes the article contains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.claims.checkworthiness import load_checkworthiness
from presslens.claims.disputes import find_disputes
from presslens.claims.extract import Scorer, candidates, make_claims, score_candidates, sentence_bounds
from presslens.model import Analysis, Dispute, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc


def detect_claims(analysis: Analysis, doc: Doc, model: Scorer | None = None) -> None:
    """Add ``claims`` and ``disputes`` to ``analysis`` (which should already hold its quotes)."""
    model = model or load_checkworthiness()
    sentences = sentence_bounds(doc)
    cands = candidates(analysis, sentences)
    score_candidates(analysis, cands, model)
    mentions = {e.id: [(m.start, m.end) for m in e.mentions] for e in analysis.entities}
    found = find_disputes(analysis.text, sentences, cands, mentions)
    claims = make_claims(analysis, cands, keep={f.candidate for f in found})
    by_span = {(c.start, c.end): c.id for c in claims}
    analysis.claims = claims
    analysis.disputes = [
        Dispute(
            claim=by_span[(cands[f.candidate].start, cands[f.candidate].end)],
            start=f.start,
            end=f.end,
            text=analysis.text[f.start : f.end],
            kind=f.kind,
            cue=Span.of(analysis.text, *f.cue) if f.cue else None,
        )
        for f in found
    ]
