"""The document model: one analysed text and the offset-based spans found in it.

Every finding is a span with ``start``/``end`` Python string offsets into ``Analysis.text``
(end exclusive) and ``text == Analysis.text[start:end]``. Later parts add fields; the
JSON contract (``SCHEMA_VERSION``) only grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = "1"

QuoteKind = Literal["direct", "indirect", "mixed"]


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


@dataclass(slots=True)
class Quote:
    id: str
    kind: QuoteKind
    start: int
    end: int
    text: str
    cue: Span | None = None
    speaker: Speaker | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
        }


@dataclass(slots=True)
class TechniqueSpan:
    """A persuasion technique at span level; ``quote`` names the quote whose words these are, if any."""

    technique: str
    start: int
    end: int
    text: str
    confidence: float
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "quote": self.quote,
        }


@dataclass(slots=True)
class Paragraph:
    """One line of the text (index from 1, blank lines counted) with its paragraph-level techniques."""

    index: int
    start: int
    end: int
    techniques: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "techniques": list(self.techniques)}


@dataclass(slots=True)
class Label:
    """An article-level label (a frame, the genre) with its confidence."""

    label: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": round(self.confidence, 4)}


@dataclass(slots=True)
class Claimant:
    """Who makes a claim: a quote's speaker, or the outlet for the reporter's own voice."""

    name: str | None
    entity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "entity": self.entity}


@dataclass(slots=True)
class Claim:
    """A check-worthy statement; ``quote`` is the quote it lies in (its speaker is the claimant)."""

    id: str
    start: int
    end: int
    text: str
    checkworthiness: float
    claimant: Claimant | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "checkworthiness": round(self.checkworthiness, 4),
            "claimant": self.claimant.to_dict() if self.claimant else None,
            "quote": self.quote,
        }


@dataclass(slots=True)
class Dispute:
    """Text of the article that contests a claim; ``cue`` says how (the cue phrase, or "opposite claim")."""

    claim: str
    start: int
    end: int
    text: str
    cue: str

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "start": self.start, "end": self.end, "text": self.text, "cue": self.cue}


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


@dataclass(slots=True)
class ClaimMatches:
    """The known fact-checks that a claim repeats, best first (only those above the calibrated threshold)."""

    claim: str
    matches: list[FactCheckMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "matches": [m.to_dict() for m in self.matches]}


@dataclass(slots=True)
class Metadata:
    url: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "date": self.date, "source": self.source, "author": self.author}


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
    paragraphs: list[Paragraph] = field(default_factory=list)
    frames: list[Label] = field(default_factory=list)
    genre: Label | None = None
    claims: list[Claim] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    fact_checks: list[ClaimMatches] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # part → the model that produced it ("techniques": ...)

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
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "frames": [f.to_dict() for f in self.frames],
            "genre": self.genre.to_dict() if self.genre else None,
            "claims": [c.to_dict() for c in self.claims],
            "disputes": [d.to_dict() for d in self.disputes],
            "fact_checks": [f.to_dict() for f in self.fact_checks],
            "models": dict(self.models),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        def span(d: dict[str, Any] | None) -> Span | None:
            return Span(d["start"], d["end"], d["text"]) if d else None

        quotes = []
        for q in data.get("quotes", []):
            sp = q.get("speaker")
            quotes.append(
                Quote(
                    id=q["id"],
                    kind=q["kind"],
                    start=q["start"],
                    end=q["end"],
                    text=q["text"],
                    cue=span(q.get("cue")),
                    speaker=Speaker(sp["start"], sp["end"], sp["text"], sp.get("name"), sp.get("entity"))
                    if sp
                    else None,
                )
            )
        entities = [
            Entity(e["id"], e["name"], e["type"], [Span(m["start"], m["end"], m["text"]) for m in e["mentions"]])
            for e in data.get("entities", [])
        ]
        meta = data.get("metadata") or {}
        genre = data.get("genre")
        return cls(
            techniques=[
                TechniqueSpan(t["technique"], t["start"], t["end"], t["text"], t["confidence"], t.get("quote"))
                for t in data.get("techniques", [])
            ],
            paragraphs=[
                Paragraph(p["index"], p["start"], p["end"], list(p["techniques"])) for p in data.get("paragraphs", [])
            ],
            frames=[Label(f["label"], f["confidence"]) for f in data.get("frames", [])],
            genre=Label(genre["label"], genre["confidence"]) if genre else None,
            claims=[
                Claim(
                    c["id"],
                    c["start"],
                    c["end"],
                    c["text"],
                    c["checkworthiness"],
                    Claimant(c["claimant"].get("name"), c["claimant"].get("entity")) if c.get("claimant") else None,
                    c.get("quote"),
                )
                for c in data.get("claims", [])
            ],
            disputes=[Dispute(d["claim"], d["start"], d["end"], d["text"], d["cue"]) for d in data.get("disputes", [])],
            fact_checks=[
                ClaimMatches(f["claim"], [FactCheckMatch(**m) for m in f.get("matches", [])])
                for f in data.get("fact_checks", [])
            ],
            id=data.get("id", ""),
            text=data["text"],
            title=data.get("title"),
            metadata=Metadata(**{k: meta.get(k) for k in ("url", "date", "source", "author")}),
            entities=entities,
            quotes=quotes,
            models=dict(data.get("models") or {}),
        )

    # -- views ---------------------------------------------------------------------------
    def spans(self) -> list[Span | Speaker | Quote | TechniqueSpan | Claim | Dispute]:
        """Every span in the analysis, for checking the offset invariant."""
        out: list[Span | Speaker | Quote | TechniqueSpan | Claim | Dispute] = [
            *self.techniques,
            *self.claims,
            *self.disputes,
        ]
        for e in self.entities:
            out.extend(e.mentions)
        for q in self.quotes:
            out.append(q)
            if q.cue:
                out.append(q.cue)
            if q.speaker:
                out.append(q.speaker)
        return out

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def speakers(self) -> list[tuple[str, list[Quote]]]:
        """Speakers in order of prominence (quote count, then quoted characters, then first quote)."""
        groups: dict[str, list[Quote]] = {}
        for q in self.quotes:
            groups.setdefault(speaker_label(q), []).append(q)
        return sorted(
            groups.items(),
            key=lambda kv: (-len(kv[1]), -sum(len(q.text) for q in kv[1]), kv[1][0].start),
        )

    def quotes_frame(self):  # -> pandas.DataFrame
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
    if q.speaker is None:
        return "(unattributed)"
    return q.speaker.name or q.speaker.text
