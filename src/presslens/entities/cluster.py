"""Cluster spaCy's named-entity mentions into one entity per referent.

Rules (no offline coreference package exists for English here, see docs/design.md):
- a person's short form ("Peskov", "Mr. Peskov") joins the full name that ends with it ("Dmitry Peskov");
  when two people share a surname the most recently mentioned one wins;
- organisations and places merge on their text without "the" and on a few aliases ("U.S." = "United States");
- a one-word mention tagged ORG/GPE/NORP that is a known person's surname is that person (spaCy often
  tags "Trump" as ORG);
- the canonical name is the longest name form.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from presslens.lexicon import (
    ALIASES,
    FEMALE_NAMES,
    HONORIFICS_FEMALE,
    HONORIFICS_MALE,
    KEPT_TYPES,
    MALE_NAMES,
    NAME_SUFFIXES,
    ORG_HEADS,
    TITLES,
)
from presslens.model import Entity, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan


@dataclass(slots=True)
class _Mention:
    start: int  # token indices, end exclusive
    end: int
    label: str
    parts: list[str]  # lower-cased name tokens without titles or suffixes
    gender: str | None = None


@dataclass(slots=True)
class _Cluster:
    label: str
    mentions: list[_Mention] = field(default_factory=list)

    @property
    def name_parts(self) -> list[str]:
        return max((m.parts for m in self.mentions), key=len)


@dataclass
class EntityIndex:
    """The article's entities plus the lookups the quote and resolution rules need."""

    entities: list[Entity]
    token_entity: dict[int, str]  # token index -> entity id
    token_mention: dict[int, tuple[int, int]]  # token index -> (start, end) token span of its mention
    gender: dict[str, str]  # entity id -> "m" | "f"
    roles: dict[str, set[str]]  # entity id -> role nouns seen with it ("spokesman", "senator")
    surnames: dict[str, list[str]]  # lower-cased surname -> person entity ids

    def by_id(self, entity_id: str) -> Entity:
        return self._ids[entity_id]

    def __post_init__(self) -> None:
        self._ids = {e.id: e for e in self.entities}

    def add_mention(self, entity_id: str, span: Span) -> None:
        """Record a resolved pronoun or description as another mention of the entity."""
        mentions = self._ids[entity_id].mentions
        # Sorted by start and never overlapping, so only the mentions either side of the new one can overlap it.
        at = bisect.bisect_left(mentions, span.start, key=_start)
        if any(m.end > span.start and m.start < span.end for m in mentions[max(0, at - 1) : at + 1]):
            return
        mentions.insert(bisect.bisect_right(mentions, span.start, key=_start), span)


def _start(m: Span) -> int:
    return m.start


def _clean(doc: Doc, ent: SpacySpan) -> _Mention | None:
    start, end = ent.start, ent.end
    gender = None
    while start < end and doc[start].pos_ == "VERB":  # 'Said Ellis' at a sentence start
        start += 1
    while start < end and doc[start].lower_ == "the":
        start += 1
    named_from = start  # an organisation keeps its leading title word: "State Department", "General Motors"
    while start < end and doc[start].lower_ in TITLES:
        low = doc[start].lower_
        gender = "m" if low in HONORIFICS_MALE else "f" if low in HONORIFICS_FEMALE else gender
        start += 1
    while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’") or doc[end - 1].is_punct):
        end -= 1
    if start >= end:
        return None
    if start > 0 and gender is None:
        prev = doc[start - 1].lower_
        gender = "m" if prev in HONORIFICS_MALE else "f" if prev in HONORIFICS_FEMALE else None
    parts = [t.lower_ for t in doc[start:end] if t.lower_ not in NAME_SUFFIXES and not t.is_punct]
    if not parts or not any(c.isalpha() for c in "".join(parts)):
        return None
    label = ent.label_
    if label in ("ORG", "FAC", "GPE", "LOC", "NORP"):
        if parts[-1] not in ORG_HEADS and _looks_personal(doc, start, parts, gender):
            label = "PERSON"  # "Mayor Helen Park" is a person, not a facility
        elif start > named_from:
            start, gender = named_from, None
            parts = [t.lower_ for t in doc[start:end] if t.lower_ not in NAME_SUFFIXES and not t.is_punct]
    if label == "PERSON" and gender is None:
        first = parts[0]
        gender = "m" if first in MALE_NAMES else "f" if first in FEMALE_NAMES else None
    return _Mention(start, end, label, parts, gender)


def _looks_personal(doc: Doc, start: int, parts: list[str], gender: str | None) -> bool:
    if gender is not None:
        return True
    if len(parts) >= 2 and parts[0] in MALE_NAMES | FEMALE_NAMES:
        return True
    return (
        start > 0
        and doc[start - 1].lower_ in TITLES
        and doc[start - 1].lower_ not in ("state", "foreign", "defense", "defence", "former", "chief", "deputy", "vice")
    )


def _key(m: _Mention) -> str:
    text = " ".join(m.parts)
    return ALIASES.get(text, text)


def cluster_entities(doc: Doc) -> EntityIndex:
    mentions = [m for ent in doc.ents if ent.label_ in KEPT_TYPES and (m := _clean(doc, ent))]
    persons: list[_Cluster] = []
    by_full: dict[str, _Cluster] = {}
    # A person's name parts are those of its first mention: step 1 adds the longest mentions first, step 2 only
    # one-word ones. So clusters are found through dictionaries, not by scanning them all (long documents).
    by_first_last: dict[tuple[str, str], _Cluster] = {}
    # 1. people with two or more name parts, longest first, so short forms find them.
    for m in sorted((m for m in mentions if m.label == "PERSON" and len(m.parts) > 1), key=lambda m: -len(m.parts)):
        key = " ".join(m.parts)
        cluster = by_full.get(key) or by_first_last.get((m.parts[0], m.parts[-1]))
        if cluster is None:
            cluster = _Cluster("PERSON")
            persons.append(cluster)
            by_first_last[(m.parts[0], m.parts[-1])] = cluster
        by_full[key] = cluster
        cluster.mentions.append(m)
    surname: dict[str, list[_Cluster]] = {}
    by_first: dict[str, list[_Cluster]] = {}
    starts: dict[int, list[int]] = {}  # id(cluster) -> its mentions' starts, sorted
    for c in persons:
        surname.setdefault(c.name_parts[-1], []).append(c)
        by_first.setdefault(c.name_parts[0], []).append(c)
        starts[id(c)] = sorted(x.start for x in c.mentions)

    def latest_before(c: _Cluster, start: int) -> int:
        s = starts[id(c)]
        at = bisect.bisect_left(s, start)
        return s[at - 1] if at else -1

    others: dict[tuple[str, str], _Cluster] = {}
    # 2. one-word people and everything else, in text order (recency picks among namesakes).
    for m in sorted((m for m in mentions if not (m.label == "PERSON" and len(m.parts) > 1)), key=lambda m: m.start):
        word = m.parts[-1] if len(m.parts) == 1 else None
        if word and word in surname and (m.label == "PERSON" or doc[m.start].text[:1].isupper()):
            cands = surname[word]
            cluster = max(cands, key=lambda c: latest_before(c, m.start))
            cluster.mentions.append(m)
            bisect.insort(starts[id(cluster)], m.start)
            continue
        if word and m.label == "PERSON":
            firsts = by_first.get(word, [])
            if len(firsts) == 1:
                firsts[0].mentions.append(m)
                bisect.insort(starts[id(firsts[0])], m.start)
                continue
        label = m.label
        other_key = (label, _key(m))
        cluster = others.get(other_key)
        if cluster is None:
            cluster = others[other_key] = _Cluster(label)
            if label == "PERSON":
                persons.append(cluster)
                surname.setdefault(m.parts[-1], []).append(cluster)
                by_first.setdefault(m.parts[0], []).append(cluster)
                starts[id(cluster)] = []
        cluster.mentions.append(m)
        if id(cluster) in starts:
            bisect.insort(starts[id(cluster)], m.start)
    clusters = persons + [c for c in others.values() if c.label != "PERSON"]
    clusters.sort(key=lambda c: min(m.start for m in c.mentions))
    return _build_index(doc, clusters)


def _build_index(doc: Doc, clusters: list[_Cluster]) -> EntityIndex:
    text = doc.text
    entities: list[Entity] = []
    token_entity: dict[int, str] = {}
    token_mention: dict[int, tuple[int, int]] = {}
    gender: dict[str, str] = {}
    roles: dict[str, set[str]] = {}
    surnames: dict[str, list[str]] = {}
    for n, cluster in enumerate(clusters, 1):
        eid = f"e{n}"
        ms = sorted(cluster.mentions, key=lambda m: m.start)
        longest = max(ms, key=lambda m: (len(m.parts), not doc[m.start : m.end].text.isupper(), m.end - m.start))
        name = doc[longest.start : longest.end].text
        spans = [Span.of(text, doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1].text)) for m in ms]
        entities.append(Entity(eid, name, cluster.label, spans))
        genders = {m.gender for m in ms if m.gender}
        if len(genders) == 1:
            gender[eid] = genders.pop()
        if cluster.label == "PERSON":
            surnames.setdefault(longest.parts[-1], []).append(eid)
        role_words: set[str] = set()
        for m in ms:
            for i in range(m.start, m.end):
                token_entity[i] = eid
                token_mention[i] = (m.start, m.end)
            role_words |= _roles_near(doc, m)
        roles[eid] = role_words
    return EntityIndex(entities, token_entity, token_mention, gender, roles, surnames)


def _roles_near(doc: Doc, m: _Mention) -> set[str]:
    """Nouns that describe the mention: 'Kremlin spokesman Dmitry Peskov', 'Peskov, the spokesman,'."""
    out: set[str] = set()
    i = m.start - 1
    while i >= 0 and i >= m.start - 5 and doc[i].pos_ in ("NOUN", "PROPN", "ADJ") and not doc[i].is_punct:
        if doc[i].pos_ == "NOUN" or doc[i].lower_ in TITLES:
            out.add(doc[i].lemma_.lower())
        i -= 1
    head = doc[m.end - 1]
    for child in head.children:
        if child.dep_ == "appos":
            out.add(child.lemma_.lower())
    if head.dep_ == "appos" and head.head.pos_ == "NOUN":
        out.add(head.head.lemma_.lower())
    return out
