"""Rules that resolve a speaker mention to an entity of the article.

- a name: the entity whose mention contains it, or the person whose surname it is;
- "he"/"she": the most recent gender-compatible person who was a speaker or a grammatical subject in
  the last few sentences, else the most recent compatible person mentioned, else the last compatible
  speaker anywhere before;
- "they": the most recent organisation, place or group that spoke or was a subject nearby;
- a description ("the spokesman", "the ministry"): the most recent entity introduced with that role
  noun ("Kremlin spokesman Dmitry Peskov", "Peskov, the spokesman") or whose name ends with it;
- "I", "we", "you" and unresolvable descriptions keep their text with no canonical name.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from presslens.entities import EntityIndex
from presslens.lexicon import NON_REFERENTIAL, PRONOUNS_GROUP, PRONOUNS_PERSON, TITLES
from presslens.model import Span, Speaker

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_NP_LEFT = {"compound", "amod", "det", "poss", "nummod", "nmod", "case", "punct", "advmod", "quantmod"}
_SUBJECT = {"nsubj", "nsubjpass"}
_WINDOW_SENTENCES = 4
_DOCUMENTS = {"statement", "report", "letter", "release", "post", "tweet", "memo", "filing", "email", "communique"}


@dataclass(slots=True)
class _Candidate:
    token: int
    entity: str
    salient: bool  # was a speaker or a grammatical subject


def mention_span(doc: Doc, tok: Token, index: EntityIndex) -> tuple[int, int]:
    """Character span of the mention headed by ``tok``: its name mention, else its noun phrase."""
    if tok.i in index.token_mention:
        a, b = index.token_mention[tok.i]
        return doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)
    if tok.pos_ == "PRON":
        return tok.idx, tok.idx + len(tok.text)
    start = tok.i
    for child in tok.lefts:
        if child.dep_ in _NP_LEFT and not child.is_punct and child.pos_ != "VERB":
            start = min(start, child.left_edge.i)
    while start < tok.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return doc[start].idx, tok.idx + len(tok.text)


class SpeakerResolver:
    """Resolves speaker head tokens in text order, remembering who has spoken."""

    def __init__(self, doc: Doc, index: EntityIndex) -> None:
        self.doc = doc
        self.text = doc.text  # spaCy rebuilds Doc.text from the tokens on every access
        self.index = index
        self._sent_starts = [s.start for s in doc.sents]
        self._entity_type = {e.id: e.type for e in index.entities}
        cands: list[_Candidate] = []
        for e in index.entities:
            for m in e.mentions:
                head = _head_token(doc, m.start, m.end)
                if head is not None:
                    cands.append(_Candidate(head.i, e.id, head.dep_ in _SUBJECT))
        cands.sort(key=lambda c: c.token)
        self._cands = cands
        self._cand_tokens = [c.token for c in cands]
        self._speakers: list[_Candidate] = []  # in the order they were resolved
        self._speakers_by_token: list[tuple[int, int, _Candidate]] = []  # (token, order): sorted
        self._exclude: frozenset[str] = frozenset()
        self._groups: list[tuple[int, str]] = []  # unnamed plural speakers ("the unions"), for "they"
        self._labels: dict[str, tuple[str | None, str | None]] = {}

    # -- public ------------------------------------------------------------------------------
    def resolve(self, tok: Token, exclude: frozenset[str] = frozenset()) -> Speaker | None:
        """``exclude``: entities this mention cannot be (the asker, when it answers a question)."""
        doc, text = self.doc, self.text
        self._exclude = exclude
        low = tok.lower_
        if low in NON_REFERENTIAL:
            return None
        if low in ("who", "whom") and tok.head.dep_ == "relcl" and tok.head.head.pos_ in ("PROPN", "NOUN"):
            tok = tok.head.head
            low = tok.lower_
        if tok.lemma_.lower() in _DOCUMENTS:  # "a statement from the ministry": the ministry speaks
            source = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("from", "by", "of")), None)
            pobj = next((c for c in source.children if c.dep_ == "pobj"), None) if source is not None else None
            if pobj is not None and pobj.pos_ in ("PROPN", "NOUN"):
                tok, low = pobj, pobj.lower_
        start, end = mention_span(doc, tok, self.index)
        entity = self._entity_for(tok, low)
        name: str | None
        if entity and tok.pos_ == "PRON" or (entity and tok.i not in self.index.token_entity):
            self.index.add_mention(entity, Span.of(text, start, end))
        if entity and low in PRONOUNS_PERSON and entity not in self.index.gender:
            self.index.gender[entity] = PRONOUNS_PERSON[low]
        if entity:
            spoke = _Candidate(tok.i, entity, True)
            bisect.insort(self._speakers_by_token, (tok.i, len(self._speakers), spoke), key=lambda x: x[:2])
            self._speakers.append(spoke)
            name = self.index.by_id(entity).name
        elif low in PRONOUNS_GROUP and self._groups:
            name = self._groups[-1][1]  # "The unions said … they said": the last group that spoke
        else:
            name = None if tok.pos_ == "PRON" else _name_from_text(text, tok, start, end)
            if tok.tag_ in ("NNS", "NNPS"):
                self._groups.append((tok.i, text[start:end]))
        return Speaker(start, end, text[start:end], name, entity)

    def resolve_label(self, label: str) -> tuple[str | None, str | None]:
        """A transcript label ("TAPPER", "Q", "Peskov") to (canonical name, entity id)."""
        if label not in self._labels:  # a long transcript repeats a few labels: each looked up once
            self._labels[label] = self._resolve_label(label)
        return self._labels[label]

    def _resolve_label(self, label: str) -> tuple[str | None, str | None]:
        low = label.lower().strip()
        if low in ("q", "question", "interviewer"):
            return "Interviewer", None
        if low in ("a", "answer"):
            return None, None
        last = low.split()[-1] if low.split() else low
        for e in self.index.entities:
            if e.type == "PERSON" and (
                e.name.lower() == low or last in self.index.surnames and e.id in self.index.surnames[last]
            ):
                return e.name, e.id
        for e in self.index.entities:
            if e.name.lower() == low:
                return e.name, e.id
        return label.strip().title() if label.isupper() else label.strip(), None

    # -- rules -------------------------------------------------------------------------------
    def _entity_for(self, tok: Token, low: str) -> str | None:
        idx = self.index
        if tok.i in idx.token_entity:
            return idx.token_entity[tok.i]
        if tok.pos_ == "PROPN":
            for surname in (low, tok.lower_.rstrip(".")):
                if surname in idx.surnames:
                    return self._most_recent(idx.surnames[surname], tok.i)
            return self._description(tok) if low in TITLES else None
        if low in PRONOUNS_PERSON:
            return self._pronoun(tok, PRONOUNS_PERSON[low])
        if low in PRONOUNS_GROUP:
            return self._group(tok)
        if tok.pos_ == "NOUN":
            return self._description(tok)
        return None

    def _sentence(self, token_i: int) -> int:
        return bisect.bisect_right(self._sent_starts, token_i) - 1

    def _before(self, token_i: int) -> Iterator[_Candidate]:
        """The mentions and speakers before the token, nearest first (by token; on a tie the speakers, the
        latest first, then the mentions): lazily, so that a long document costs only the lookback used."""
        cands, speakers = self._cands, self._speakers_by_token
        i = bisect.bisect_left(self._cand_tokens, token_i) - 1
        j = bisect.bisect_left(speakers, token_i, key=lambda x: x[0]) - 1
        while i >= 0 or j >= 0:
            if j >= 0 and (i < 0 or speakers[j][0] >= cands[i].token):
                yield speakers[j][2]
                j -= 1
            else:
                yield cands[i]
                i -= 1

    def _compatible(self, entity: str, gender: str) -> bool:
        if self._entity_type.get(entity) != "PERSON":
            return False
        known = self.index.gender.get(entity)
        return known is None or known == gender

    def _pronoun(self, tok: Token, gender: str) -> str | None:
        """The nearest salient compatible mention within the window, else the nearest compatible one within it,
        else the last compatible speaker before, else the nearest compatible mention anywhere before."""
        here = self._sentence(tok.i)
        nearest: _Candidate | None = None
        for c in self._before(tok.i):
            if not (self._compatible(c.entity, gender) and c.entity not in self._exclude):
                continue
            if here - self._sentence(c.token) > _WINDOW_SENTENCES:
                break
            if c.salient:
                return c.entity
            nearest = nearest or c
        if nearest is not None:
            return nearest.entity
        farther = next(
            (c for c in self._before(tok.i) if self._compatible(c.entity, gender) and c.entity not in self._exclude),
            None,
        )
        if farther is None:
            return None
        # A speaker before the token is itself one of the compatible mentions before it when it is compatible.
        spoke = (
            s
            for s in reversed(self._speakers)
            if s.token < tok.i and self._compatible(s.entity, gender) and s.entity not in self._exclude
        )
        last = next(spoke, None)
        return last.entity if last is not None else farther.entity

    def _group(self, tok: Token) -> str | None:
        here = self._sentence(tok.i)
        for c in self._before(tok.i):
            if here - self._sentence(c.token) > _WINDOW_SENTENCES:
                break
            if self._entity_type.get(c.entity) in ("ORG", "NORP", "GPE") and c.salient:
                return c.entity
        return None

    def _description(self, tok: Token) -> str | None:
        lemma = tok.lemma_.lower()
        matches = [
            e.id
            for e in self.index.entities
            if lemma in self.index.roles.get(e.id, ())
            or (e.type in ("ORG", "GPE", "NORP") and e.name.lower().split()[-1:] == [tok.lower_])
        ]
        return self._most_recent(matches, tok.i) if matches else None

    def _most_recent(self, entity_ids: list[str], token_i: int) -> str | None:
        wanted = set(entity_ids)
        for c in self._before(token_i):
            if c.entity in wanted:
                return c.entity
        return entity_ids[0] if entity_ids else None


def _head_token(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _name_from_text(text: str, tok: Token, start: int, end: int) -> str | None:
    """A readable name for an unresolved proper-noun speaker ("Fox News"); None for descriptions."""
    if tok.pos_ != "PROPN":
        return None
    words = text[start:end].split()
    while words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    while len(words) > 1 and words[0].islower():  # "harbour master Ines Costa": the role words are not the name
        words = words[1:]
    return " ".join(words) or None
