"""The claims component: check-worthy claims, their claimants and reasons, and the disputes the article contains.

Candidates (sentences, cut where quotes cut them) are scored by the news ranker (``news``); those at or above its
threshold, and every one the article disputes, become claims. A claim made twice by the same speaker (a direct
quote and its paraphrase) is one claim with two mentions. Claims are listed by check-worthiness, highest first,
each with the reasons a reader can check ("number", "denial by Dmitry Peskov", "disputed in the article").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from presslens.claims.checkworthiness import CheckworthinessModel, load_checkworthiness
from presslens.claims.disputes import find_disputes
from presslens.claims.extract import (
    QUESTION_DAMPING,
    Candidate,
    candidates,
    claimant_of,
    is_question,
    score_candidates,
    sentence_bounds,
)
from presslens.claims.features import NAMES, cue_class, matrix
from presslens.claims.mentions import same_claim_groups
from presslens.claims.news import NewsRanker, load_news_ranker, pooled, tagger_states
from presslens.model import Analysis, Claim, Dispute, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

_COLUMN = {name: i for i, name in enumerate(NAMES)}


@dataclass(frozen=True)
class ClaimModels:
    debate: CheckworthinessModel  # the CheckThat! debate model: one of the ranker's features
    full: NewsRanker  # features + the technique tagger's states
    lite: NewsRanker  # features only


@lru_cache(maxsize=1)
def load_claim_models() -> ClaimModels:
    return ClaimModels(load_checkworthiness(), load_news_ranker(), load_news_ranker(lite=True))


def detect_claims(analysis: Analysis, doc: Doc, models: ClaimModels | None = None, semantic: bool = True) -> None:
    """Add ``claims`` and ``disputes`` to ``analysis`` (which should already hold its quotes).

    ``semantic``: rank with the full ranker, reading the technique tagger's states (left on ``doc`` by the
    techniques component, or computed here); False, or without the ``accurate`` extra: the lite ranker.
    """
    models = models or load_claim_models()
    text = analysis.text
    sentences = sentence_bounds(doc)
    cands = candidates(analysis, sentences)
    score_candidates(analysis, cands, models.debate)
    debate = [c.score for c in cands]
    mentions = {e.id: [(m.start, m.end) for m in e.mentions] for e in analysis.entities}
    found = find_disputes(text, sentences, cands, mentions)
    disputed = {f.candidate for f in found}
    X = matrix(analysis, doc, cands, debate, disputed)
    ranker = models.lite
    states = tagger_states(doc, text, models.full.state_source or "") if semantic and cands else None
    if states is not None:
        ranker = models.full
        X_rank = np.hstack([X, pooled(states, cands)])
    else:
        X_rank = X
    analysis.models["claims"] = ranker.meta.get(
        "name", "news-ranker-v1" if ranker is models.full else "news-ranker-lite-v1"
    )
    for c, p in zip(cands, ranker.score(X_rank), strict=True):
        c.score = p * QUESTION_DAMPING if is_question(text, c) else p
    kept = [i for i, c in enumerate(cands) if c.score >= ranker.threshold or i in disputed]
    # Grouped over every candidate, so that a listed claim's other mentions (a direct quote scored just under the
    # threshold, its paraphrase over it) stay its mentions; groups without a listed member are left out.
    listed = set(kept)
    groups = [g for g in same_claim_groups(text, doc, cands) if listed.intersection(g)]
    claims: list[tuple[Claim, list[int]]] = []
    for group in groups:
        members = sorted(group, key=lambda i: cands[i].start)
        best = max(members, key=lambda i: cands[i].score)
        c = cands[members[0]]  # the claim's own span: its first mention
        claim = Claim(
            id="",
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            checkworthiness=round(cands[best].score, 4),
            claimant=claimant_of(analysis, cands[best].quote),
            quote=c.quote.id if c.quote else None,
            reasons=reasons_for(analysis, doc, cands, X, members, disputed),
            mentions=[Span.of(text, cands[i].start, cands[i].end) for i in members[1:]],
        )
        claims.append((claim, members))
    claims.sort(key=lambda pair: (-pair[0].checkworthiness, pair[0].start))
    owner: dict[int, str] = {}
    for n, (claim, members) in enumerate(claims, 1):
        claim.id = f"c{n}"
        owner.update(dict.fromkeys(members, claim.id))
    analysis.claims = [claim for claim, _ in claims]
    analysis.disputes = [
        Dispute(
            claim=owner[f.candidate],
            start=f.start,
            end=f.end,
            text=text[f.start : f.end],
            kind=f.kind,
            cue=Span.of(text, *f.cue) if f.cue else None,
        )
        for f in found
    ]


def reasons_for(
    analysis: Analysis, doc: Doc, cands: list[Candidate], X: np.ndarray, members: list[int], disputed: set[int]
) -> list[str]:
    """What makes the claim worth checking, in the reader's words, strongest first."""
    out: list[str] = []
    by = ""
    for i in members:
        claimant = claimant_of(analysis, cands[i].quote) if cands[i].quote is not None else None
        if claimant is not None and claimant.name:
            by = f" by {claimant.name}"
            break

    def has(name: str) -> bool:
        return any(X[i, _COLUMN[name]] > 0 for i in members)

    cues = {cue_class(cands[i].quote, doc) for i in members}
    if "denial" in cues or any(_states_absence(doc, cands[i]) for i in members):
        out.append("denial" + by)
    if "allegation" in cues:
        out.append("allegation" + by)
    if "commitment" in cues:
        out.append("promise" + by)
    if has("has_number"):
        out.append("number")
    if has("comparative") and not any(_no_longer(doc, cands[i]) for i in members):
        out.append("comparison")
    if has("causal"):
        out.append("causal claim")
    if not any(r.endswith(by) for r in out) and by:
        about = _named_subject(doc, cands[members[0]])
        out.append(f"claim about {about}{by}" if about else "statement" + by)
    if any(i in disputed for i in members):
        out.append("disputed in the article")
    if len(members) > 1:
        out.append(f"made {len(members)} times")
    return out


def _states_absence(doc: Doc, c: Candidate) -> bool:
    """ "there are no troops", "had no plans", "never met", "nothing was paid": the negative statement of a
    fact (not "will not tolerate", an intention, nor "no longer")."""
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return False
    for t in span:
        nxt = doc[t.i + 1].lower_ if t.i + 1 < len(doc) else ""
        if t.lower_ == "no" and t.dep_ == "det" and nxt != "longer":
            return True
        if t.lower_ in ("never", "nothing", "none", "nobody"):
            return True
    return False


def _no_longer(doc: Doc, c: Candidate) -> bool:
    return "no longer" in doc.text[c.start : c.end].lower()


def _named_subject(doc: Doc, c: Candidate) -> str | None:
    """The named actor a reported statement is about: the subject of its main verb, when it is a name that is
    not the speaker's ("U.S. intelligence said Moscow was planning ..." → Moscow)."""
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return None
    speaker = (c.quote.speaker.text if c.quote is not None and c.quote.speaker is not None else "").lower()
    for t in span:
        if (
            t.dep_ in ("nsubj", "nsubjpass")
            and t.ent_type_ in ("GPE", "ORG", "NORP", "PERSON")
            and t.head.pos_ in ("VERB", "AUX")
        ):
            ent = next((e for e in span.ents if e.start <= t.i < e.end), None)
            name = ent.text if ent is not None else t.text
            if name.lower() not in speaker:
                return name
    return None
