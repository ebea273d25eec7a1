"""One claim, several mentions: a speaker's direct quote and the reporter's paraphrase of it are the same claim.

Two statements are taken as one claim when the same speaker makes them (the same entity, or the same name) and
they share their content: at least two content lemmas (nouns, names, verbs, adjectives, numbers; not speech
verbs), covering at least half of the shorter statement's, with the same polarity (both negated or neither).
A rule, not a model: paraphrases that share no words ("troops" / "soldiers") stay apart, which errs toward
showing two claims rather than merging two different ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.lexicon import SPEECH_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.claims.extract import Candidate

CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
MIN_SHARED = 2
MIN_COVER = 0.5


def _content(doc: Doc, c: Candidate) -> tuple[frozenset[str], bool]:
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return frozenset(), False
    lemmas = frozenset(
        t.lemma_.lower() for t in span if t.pos_ in CONTENT and not t.is_stop and t.lemma_.lower() not in SPEECH_VERBS
    )
    negated = any(t.dep_ == "neg" or t.lower_ in ("no", "never", "nothing", "none") for t in span)
    return lemmas, negated


def _speaker(c: Candidate) -> str | None:
    sp = c.quote.speaker if c.quote is not None else None
    if sp is None:
        return None
    return sp.entity or (sp.name or sp.text).lower()


def same_claim_groups(text: str, doc: Doc, cands: list[Candidate]) -> list[list[int]]:
    """Indices into ``cands`` grouped by claim (single-link), each group and the groups in text order."""
    parent = list(range(len(cands)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    content = [_content(doc, c) for c in cands]
    speakers = [_speaker(c) for c in cands]
    for i in range(len(cands)):
        for j in range(i + 1, len(cands)):
            if speakers[i] is None or speakers[i] != speakers[j] or cands[i].quote is cands[j].quote:
                continue
            (a, neg_a), (b, neg_b) = content[i], content[j]
            shared = len(a & b)
            if neg_a == neg_b and shared >= MIN_SHARED and shared >= MIN_COVER * min(len(a), len(b)):
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(cands)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: cands[g[0]].start)
