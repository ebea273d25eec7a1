"""The document model: one analysed text and the offset-based spans found in it.

Every finding is a span with ``start``/``end`` Python string offsets into ``Analysis.text``
(end exclusive) and ``text == Analysis.text[start:end]``. Later parts add fields; the
JSON contract (``SCHEMA_VERSION``) only grows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = "1"

# The top-level keys of contract "1"; any other key is a registered component's extension.
CORE_KEYS = frozenset(
    {
        "presslens",
        "id",
        "title",
        "text",
        "metadata",
        "entities",
        "quotes",
        "techniques",
        "techniques_hidden",
        "paragraphs",
        "frames",
        "genre",
        "claims",
        "disputes",
        "fact_checks",
        "models",
    }
)

QuoteKind = Literal["direct", "indirect", "mixed"]
# How the article contests a claim: the cue family (``presslens.claims.disputes.CUES``), or another speaker's
# quote saying the opposite.
DISPUTE_KINDS = ("despite", "contrary to", "falsely", "no evidence", "debunked", "denied", "opposite claim")


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(start=d["start"], end=d["end"], text=d["text"])


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: str
    mentions: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(
            id=d["id"], name=d["name"], type=d["type"], mentions=[Span.from_dict(m) for m in d.get("mentions", [])]
        )


@dataclass(slots=True)
class Speaker:
    """Who a quote is attributed to: the mention it rests on and the resolved referent."""

    start: int
    end: int
    text: str
    name: str | None = None
    entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Speaker:
        return cls(start=d["start"], end=d["end"], text=d["text"], name=d.get("name"), entity=d.get("entity"))


@dataclass(slots=True)
class Quote:
    """A quote. ``start``/``end`` run from its first quoted character to its last; a quote split by its
    attribution ("We will not back down," she said, "and we will win.") is one quote whose ``parts`` are the
    quoted pieces, in order, so that ``text`` holds the attribution between them and ``parts`` do not. A quote
    with no ``parts`` is one piece, ``start:end`` (see ``pieces``)."""

    id: str
    kind: QuoteKind
    start: int
    end: int
    text: str
    cue: Span | None = None
    speaker: Speaker | None = None
    parts: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "parts": [p.to_dict() for p in self.parts],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        return cls(
            id=d["id"],
            kind=d["kind"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            cue=Span.from_dict(d["cue"]) if d.get("cue") else None,
            speaker=Speaker.from_dict(d["speaker"]) if d.get("speaker") else None,
            parts=[Span.from_dict(p) for p in d.get("parts") or []],
        )

    @property
    def pieces(self) -> list[Span]:
        """The quoted pieces: ``parts``, or the whole quote as one piece."""
        return list(self.parts) if self.parts else [Span(self.start, self.end, self.text)]

    @property
    def quoted_text(self) -> str:
        """The quoted words without the attribution that splits them: the pieces joined by " … "."""
        return " … ".join(p.text for p in self.pieces)

    @property
    def speaker_label(self) -> str:
        """The speaker's canonical name, else the mention the attribution rests on, else "(unattributed)"."""
        if self.speaker is None:
            return "(unattributed)"
        return self.speaker.name or self.speaker.text


@dataclass(slots=True)
class TechniqueSpan:
    """A persuasion technique at span level; ``quote`` names the quote whose words these are, if any.
    ``uncertain``: below the model's display threshold, shown only on request (``analyze --all-spans``)."""

    technique: str
    start: int
    end: int
    text: str
    confidence: float
    quote: str | None = None
    uncertain: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "quote": self.quote,
            "uncertain": self.uncertain,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TechniqueSpan:
        return cls(
            technique=d["technique"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            confidence=d["confidence"],
            quote=d.get("quote"),
            uncertain=bool(d.get("uncertain", False)),
        )


@dataclass(slots=True)
class Paragraph:
    """One line of the text (index from 1, blank lines counted) with its paragraph-level techniques."""

    index: int
    start: int
    end: int
    techniques: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "techniques": list(self.techniques)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Paragraph:
        return cls(index=d["index"], start=d["start"], end=d["end"], techniques=list(d.get("techniques", [])))


@dataclass(slots=True)
class Label:
    """An article-level label (a frame, the genre) with its confidence."""

    label: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": round(self.confidence, 4)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Label:
        return cls(label=d["label"], confidence=d["confidence"])


@dataclass(slots=True)
class Genre:
    """The article's genre (reporting, opinion, satire) with the model's confidence; ``uncertain`` when that is
    below the model's threshold, so that a report shows it as a guess rather than a verdict."""

    label: str
    confidence: float
    uncertain: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": round(self.confidence, 4), "uncertain": self.uncertain}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Genre:
        return cls(label=d["label"], confidence=d["confidence"], uncertain=bool(d.get("uncertain", False)))

    def display(self) -> str:
        """The genre as shown: "reporting (0.91)", or "reporting? (uncertain, 0.55)" below the threshold."""
        if self.uncertain:
            return f"{self.label}? (uncertain, {self.confidence:.2f})"
        return f"{self.label} ({self.confidence:.2f})"


@dataclass(slots=True)
class Claimant:
    """Who makes a claim: a quote's speaker, or the outlet for the reporter's own voice."""

    name: str | None
    entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "entity": self.entity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claimant:
        return cls(name=d.get("name"), entity=d.get("entity"))


@dataclass(slots=True)
class Claim:
    """A check-worthy statement; ``quote`` is the quote it lies in (its speaker is the claimant).

    ``reasons``: why it ranks where it does, for the reader ("number", "denial by Dmitry Peskov", "disputed in
    the article"); ``mentions``: the other places the same claim is made in the article (a direct quote and its
    paraphrase are one claim; the claim's own span is the first mention in the article).
    """

    id: str
    start: int
    end: int
    text: str
    checkworthiness: float
    claimant: Claimant | None = None
    quote: str | None = None
    reasons: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "checkworthiness": round(self.checkworthiness, 4),
            "claimant": self.claimant.to_dict() if self.claimant else None,
            "quote": self.quote,
            "reasons": list(self.reasons),
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        return cls(
            id=d["id"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            checkworthiness=d["checkworthiness"],
            claimant=Claimant.from_dict(d["claimant"]) if d.get("claimant") else None,
            quote=d.get("quote"),
            reasons=list(d.get("reasons", [])),
            mentions=[Span.from_dict(m) for m in d.get("mentions", [])],
        )


@dataclass(slots=True)
class Dispute:
    """Text of the article that contests a claim. ``kind`` says how (one of ``DISPUTE_KINDS``: a cue family such as
    "despite" or "denied", or "opposite claim" for another speaker's quote saying the opposite); ``cue`` is the cue
    phrase in the text ("despite reports", "denied that"), None for an opposite claim, which has no cue phrase."""

    claim: str
    start: int
    end: int
    text: str
    kind: str
    cue: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "cue": self.cue.to_dict() if self.cue else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Dispute:
        cue = d.get("cue")
        if isinstance(cue, str):  # written before the cue became a span: the cue phrase, or "opposite claim by X"
            kind = _legacy_dispute_kind(cue)
            at = d["text"].find(cue) if kind != "opposite claim" else -1
            start = d["start"] + at
            return cls(
                claim=d["claim"],
                start=d["start"],
                end=d["end"],
                text=d["text"],
                kind=kind,
                cue=Span(start, start + len(cue), cue) if at != -1 else None,
            )
        return cls(
            claim=d["claim"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            kind=d["kind"],
            cue=Span.from_dict(cue) if cue else None,
        )


# The cue family of a cue phrase written by an earlier version (then ``disputes[].cue`` was the phrase itself).
# Checked in this order; the patterns mirror the families of ``presslens.claims.disputes.CUES``.
_LEGACY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("opposite claim", re.compile(r"opposite claim\b")),
    ("despite", re.compile(r"despite\b")),
    ("contrary to", re.compile(r"contrary to\b")),
    ("falsely", re.compile(r"(?:falsely|wrongly|erroneously|misleadingly|baselessly|incorrectly)\s")),
    ("denied", re.compile(r"(?:den(?:y|ies|ied|ying)|reject|refut|disput|contest|contradict|dismissed)\w*\s")),
    ("no evidence", re.compile(r".*\bevidence\b")),
    (
        "debunked",
        re.compile(
            r"debunked|disprov|discredited|baseless|unfounded|unsubstantiated|false claim|ha(?:s|ve|d) been\s|fact-checker"
        ),
    ),
)


def _legacy_dispute_kind(cue: str) -> str:
    low = cue.lower()
    return next((kind for kind, pattern in _LEGACY_KINDS if pattern.match(low)), cue)


@dataclass(slots=True)
class FactCheckMatch:
    id: str
    claim_reviewed: str
    rating: str | None
    publisher: str | None
    url: str | None
    date: str | None
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim_reviewed": self.claim_reviewed,
            "rating": self.rating,
            "publisher": self.publisher,
            "url": self.url,
            "date": self.date,
            "score": round(self.score, 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FactCheckMatch:
        return cls(
            id=d["id"],
            claim_reviewed=d["claim_reviewed"],
            rating=d.get("rating"),
            publisher=d.get("publisher"),
            url=d.get("url"),
            date=d.get("date"),
            score=d["score"],
        )


@dataclass(slots=True)
class ClaimMatches:
    """The known fact-checks that a claim repeats, best first (only those above the calibrated threshold)."""

    claim: str
    matches: list[FactCheckMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "matches": [m.to_dict() for m in self.matches]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimMatches:
        return cls(claim=d["claim"], matches=[FactCheckMatch.from_dict(m) for m in d.get("matches", [])])


@dataclass(slots=True)
class Metadata:
    url: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "date": self.date, "source": self.source, "author": self.author}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Metadata:
        return cls(url=d.get("url"), date=d.get("date"), source=d.get("source"), author=d.get("author"))


@dataclass(slots=True)
class Analysis:
    """Everything PressLens found in one article."""

    id: str
    text: str
    title: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    techniques: list[TechniqueSpan] = field(default_factory=list)
    # Technique spans found but not shown: below the model's display threshold (``analyze --all-spans`` shows them).
    techniques_hidden: int = 0
    paragraphs: list[Paragraph] = field(default_factory=list)
    frames: list[Label] = field(default_factory=list)
    genre: Genre | None = None
    claims: list[Claim] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    fact_checks: list[ClaimMatches] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # part → the model that produced it ("techniques": ...)
    # What registered components outside the core add, by top-level JSON key ("events": [...]); plain JSON values.
    extensions: dict[str, Any] = field(default_factory=dict)
    # The components that ran ("quotes", "techniques", ...), so that a report shows only their sections; None
    # when not known (an analysis read back from JSON: every section is shown). Not part of the JSON.
    components: tuple[str, ...] | None = field(default=None, compare=False)

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "presslens": SCHEMA_VERSION,
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "metadata": self.metadata.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "techniques": [t.to_dict() for t in self.techniques],
            "techniques_hidden": self.techniques_hidden,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "frames": [f.to_dict() for f in self.frames],
            "genre": self.genre.to_dict() if self.genre else None,
            "claims": [c.to_dict() for c in self.claims],
            "disputes": [d.to_dict() for d in self.disputes],
            "fact_checks": [f.to_dict() for f in self.fact_checks],
            "models": dict(self.models),
            **{key: value for key, value in self.extensions.items() if key not in CORE_KEYS},
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        """The analysis a ``to_dict()`` (or JSON contract "1") object describes; every object is read by key."""
        genre = data.get("genre")
        return cls(
            id=data.get("id", ""),
            text=data["text"],
            title=data.get("title"),
            metadata=Metadata.from_dict(data.get("metadata") or {}),
            entities=[Entity.from_dict(e) for e in data.get("entities", [])],
            quotes=[Quote.from_dict(q) for q in data.get("quotes", [])],
            techniques=[TechniqueSpan.from_dict(t) for t in data.get("techniques", [])],
            techniques_hidden=int(data.get("techniques_hidden") or 0),
            paragraphs=[Paragraph.from_dict(p) for p in data.get("paragraphs", [])],
            frames=[Label.from_dict(f) for f in data.get("frames", [])],
            genre=Genre.from_dict(genre) if genre else None,
            claims=[Claim.from_dict(c) for c in data.get("claims", [])],
            disputes=[Dispute.from_dict(d) for d in data.get("disputes", [])],
            fact_checks=[ClaimMatches.from_dict(f) for f in data.get("fact_checks", [])],
            models=dict(data.get("models") or {}),
            extensions={key: value for key, value in data.items() if key not in CORE_KEYS},
        )

    # -- views ---------------------------------------------------------------------------
    def spans(self) -> list[Span | Speaker | Quote | TechniqueSpan | Claim | Dispute]:
        """Every span in the analysis, for checking the offset invariant."""
        out: list[Span | Speaker | Quote | TechniqueSpan | Claim | Dispute] = [
            *self.techniques,
            *self.claims,
            *(m for c in self.claims for m in c.mentions),
        ]
        for d in self.disputes:
            out.append(d)
            if d.cue:
                out.append(d.cue)
        for e in self.entities:
            out.extend(e.mentions)
        for q in self.quotes:
            out.append(q)
            out.extend(q.parts)
            if q.cue:
                out.append(q.cue)
            if q.speaker:
                out.append(q.speaker)
        return out

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def ran(self, component: str) -> bool:
        """Whether ``component`` ran on this article (True when that is not known)."""
        return self.components is None or component in self.components

    def quote_at(self, start: int, end: int) -> Quote | None:
        """The first quote whose span holds ``start:end`` (the quote of an opposite-claim dispute's text)."""
        return next((q for q in self.quotes if q.start <= start and end <= q.end), None)

    def speakers(self) -> list[tuple[str, list[Quote]]]:
        """Speakers in order of prominence (quote count, then quoted characters, then first quote)."""
        groups: dict[str, list[Quote]] = {}
        for q in self.quotes:
            groups.setdefault(q.speaker_label, []).append(q)
        return sorted(
            groups.items(),
            key=lambda kv: (-len(kv[1]), -sum(len(q.text) for q in kv[1]), kv[1][0].start),
        )

    def quotes_frame(self) -> pd.DataFrame:
        """The quotes as a pandas DataFrame, one row a quote."""
        import pandas as pd

        rows = [
            {
                "id": q.id,
                "kind": q.kind,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "speaker": q.speaker.name if q.speaker else None,
                "speaker_entity": q.speaker.entity if q.speaker else None,
                "speaker_mention": q.speaker.text if q.speaker else None,
                "cue": q.cue.text if q.cue else None,
            }
            for q in self.quotes
        ]
        columns = ["id", "kind", "start", "end", "text", "speaker", "speaker_entity", "speaker_mention", "cue"]
        return pd.DataFrame(rows, columns=columns)

    def to_html(self) -> str:
        from presslens.report.html import render_html

        return render_html(self)

    def to_text(self) -> str:
        from presslens.report.text import render_text

        return render_text(self)


def speaker_label(q: Quote) -> str:
    """``q.speaker_label`` (kept for callers of the function)."""
    return q.speaker_label
