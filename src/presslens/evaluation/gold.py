"""Gold quote annotations: PolNeAR (brat standoff) and PressLens's generic JSON Lines format.

Generic format, one article a line::

    {"id": "a1", "text": "...", "quotes": [{"start": 10, "end": 42, "speaker": "Dmitry Peskov",
                                           "speaker_start": 0, "speaker_end": 6}]}

``speaker`` (a name), ``speaker_start``/``speaker_end`` (the mention) are optional; a quote without
either is scored for its span only. A quote split by its attribution is one quote with
``"parts": [{"start": .., "end": ..}, ...]`` (its start/end: the first part's start to the last part's end);
PolNeAR's discontinuous spans (``T3<TAB>Content 10 20;30 40``) are read the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from presslens.errors import InputError


@dataclass(slots=True)
class GoldPart:
    start: int
    end: int


@dataclass(slots=True)
class GoldQuote:
    start: int
    end: int
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    parts: list[GoldPart] = field(default_factory=list)  # two or more pieces, or none (one piece: start:end)


@dataclass(slots=True)
class GoldDoc:
    id: str
    text: str
    quotes: list[GoldQuote] = field(default_factory=list)


def load_gold(fmt: str, path: str | Path) -> list[GoldDoc]:
    path = Path(path)
    if fmt == "polnear":
        return load_polnear(path)
    if fmt in ("jsonl", "json"):
        return load_gold_jsonl(path)
    raise InputError(str(path), f"unknown gold format '{fmt}' (use polnear or jsonl)")


def load_gold_jsonl(path: Path) -> list[GoldDoc]:
    docs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read gold file ({exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            quotes = [
                GoldQuote(
                    int(q["start"]),
                    int(q["end"]),
                    q.get("speaker"),
                    q.get("speaker_start"),
                    q.get("speaker_end"),
                    parts=_parts([(int(p["start"]), int(p["end"])) for p in q.get("parts") or []]),
                )
                for q in rec.get("quotes", [])
            ]
            docs.append(GoldDoc(str(rec.get("id", n)), rec["text"], quotes))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}:{n}", f"bad gold record ({type(exc).__name__}: {exc})") from None
    return docs


def load_polnear(split_dir: Path) -> list[GoldDoc]:
    """A PolNeAR split folder (``text/`` and ``attributions/``); the first annotator's file per article."""
    text_dir, ann_dir = split_dir / "text", split_dir / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise InputError(str(split_dir), "not a PolNeAR split folder (needs text/ and attributions/)")
    docs = []
    for txt in sorted(text_dir.glob("*.txt")):
        anns = sorted(ann_dir.glob(f"{txt.stem}_*.ann"))
        if not anns:
            continue
        text = txt.read_text(encoding="utf-8")
        docs.append(GoldDoc(txt.stem, text, _read_ann(anns[0], text)))
    return docs


def _read_ann(path: Path, text: str) -> list[GoldQuote]:
    spans: dict[str, tuple[str, int, int]] = {}
    pieces_of: dict[str, list[tuple[int, int]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
            spans[parts[0]] = (label, min(p[0] for p in pieces), max(p[1] for p in pieces))
            pieces_of[parts[0]] = [(p[0], p[1]) for p in pieces]
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split() if ":" in arg))
    quotes = []
    for ev in events:
        content = spans.get(ev.get("Content", ""))
        if content is None:
            continue
        source = spans.get(ev.get("Source", ""))
        cue = spans.get(ev.get("Cue", ""))
        quotes.append(
            GoldQuote(
                content[1],
                content[2],
                text[source[1] : source[2]] if source else None,
                source[1] if source else None,
                source[2] if source else None,
                text[cue[1] : cue[2]] if cue else None,
                _parts(pieces_of.get(ev.get("Content", ""), [])),
            )
        )
    return quotes


def _parts(pieces: list[tuple[int, int]]) -> list[GoldPart]:
    """The parts of a split quote in text order; none for a quote in one piece."""
    return [GoldPart(a, b) for a, b in sorted(pieces)] if len(pieces) > 1 else []
