"""Long documents: parsed in chunks on paragraph boundaries, joined into one Doc of exactly the input text.

The chunk size is lowered here (``presslens.nlp.chunked.CHUNK_CHARS``) so that texts of a few KB cross several
chunk edges; the code path is the one a 1 MB text takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import presslens
from presslens.nlp import chunked, load_pipeline
from presslens.nlp.chunked import chunk_bounds, parse, parse_many

REPO = Path(__file__).resolve().parents[1]
KREMLIN = (REPO / "examples" / "kremlin-interview.txt").read_text(encoding="utf-8").strip()
FILLER = "\n\n".join(p.read_text(encoding="utf-8").strip() for p in sorted((REPO / "tests" / "articles").glob("*.txt")))


def _long_text(size: int) -> str:
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < size:
        parts += [FILLER, KREMLIN]
    return "\n\n".join(parts)


def _spans(value: Any) -> Iterator[dict[str, Any]]:
    """Every object of an analysis's JSON that is a span of the text (start, end, text)."""
    if isinstance(value, dict):
        if {"start", "end", "text"} <= value.keys() and isinstance(value["start"], int):
            yield value
        for v in value.values():
            yield from _spans(v)
    elif isinstance(value, list):
        for v in value:
            yield from _spans(v)


def test_chunk_bounds_cover_the_text_and_cut_only_after_line_breaks() -> None:
    text = _long_text(12_000)
    bounds = chunk_bounds(text, 2_000)
    assert len(bounds) > 4
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    for _, end in bounds[:-1]:
        assert text[end - 2 : end] == "\n\n" and text[end] != "\n"  # at a blank line here: never in a paragraph
    assert chunk_bounds("short text", 2_000) == [(0, 10)]


def test_a_paragraph_longer_than_a_chunk_is_a_chunk_of_its_own() -> None:
    long_paragraph = "word " * 1_000
    text = f"First paragraph.\n\n{long_paragraph}\n\nLast paragraph."
    bounds = chunk_bounds(text, 2_600)  # up to MAX_PARAGRAPH chunks long: whole
    assert [text[a:b].strip() for a, b in bounds] == ["First paragraph.", long_paragraph.strip(), "Last paragraph."]


def test_chunked_parse_is_one_doc_of_the_same_text_with_exact_offsets() -> None:
    nlp = load_pipeline()
    text = _long_text(8_000)
    doc = parse(nlp, text, 1_500)
    whole = nlp(text)
    assert doc.text == text
    assert [(t.idx, t.text) for t in doc] == [(t.idx, t.text) for t in whole]
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text
    for sent in doc.sents:
        assert text[sent.start_char : sent.end_char] == sent.text
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
    edges = {a for a, _ in chunk_bounds(text, 1_500)}
    starts = {s.start_char for s in doc.sents}
    assert edges <= starts | {len(text)}  # a sentence starts at every chunk edge
    assert doc.has_annotation("DEP") and doc.has_annotation("ENT_IOB") and doc.has_annotation("LEMMA")


def test_short_texts_parse_as_before_and_in_order() -> None:
    nlp = load_pipeline()
    texts = ["Peskov said it.", _long_text(3_000), "Sullivan said so."]
    docs = list(parse_many(nlp, texts, chunk_chars=1_000))
    assert [d.text for d in docs] == texts
    assert [t.tag_ for t in docs[0]] == [t.tag_ for t in nlp(texts[0])]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(chunked, "CHUNK_CHARS", 8_000)
    yield


def test_long_text_keeps_every_offset(small_chunks: None) -> None:
    text = _long_text(60_000)
    assert len(chunk_bounds(text)) >= 7
    analysis = presslens.analyze(text, id="long")
    data = analysis.to_dict()
    spans = list(_spans(data))
    assert len(analysis.quotes) > 100 and len(analysis.claims) > 50 and len(spans) > 1_000
    bad = [s for s in spans if analysis.text[s["start"] : s["end"]] != s["text"]]
    assert bad == []


def _edge_at(text: str, target: int) -> int:
    """A chunk size whose first cut falls exactly at ``target`` (the start of a paragraph)."""
    size = target + 5
    assert (0, target) in chunk_bounds(text, size)
    return size


def test_a_quote_right_after_a_chunk_edge_keeps_its_speaker(monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"{FILLER}\n\n{KREMLIN}"
    target = text.index('"We are not threatening anyone," Peskov told')
    monkeypatch.setattr(chunked, "CHUNK_CHARS", _edge_at(text, target))
    analysis = presslens.analyze(text, id="edge")
    quote = next(q for q in analysis.quotes if q.start == target)
    assert quote.kind == "direct" and quote.text.endswith('everyone in Brussels knows where it is."')
    assert quote.speaker is not None and quote.speaker.name == "Dmitry Peskov"
    assert quote.cue is not None and quote.cue.text == "told"


def test_a_quote_continued_over_a_paragraph_at_a_chunk_edge_stays_one_speakers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = f"{FILLER}\n\n{KREMLIN}"
    target = text.index('"Our patience has limits')  # continues '"We rule out nothing," he replied. "NATO …'
    whole = presslens.analyze(text, id="whole")
    monkeypatch.setattr(chunked, "CHUNK_CHARS", _edge_at(text, target))
    analysis = presslens.analyze(text, id="edge")
    opening = next(q for q in analysis.quotes if q.text.startswith('"We rule out nothing,"'))
    continued = next(q for q in analysis.quotes if q.start == target)
    assert opening.speaker is not None and continued.speaker is not None
    assert opening.speaker.name == continued.speaker.name == "Dmitry Peskov"
    assert [(q.start, q.end, q.kind) for q in analysis.quotes] == [(q.start, q.end, q.kind) for q in whole.quotes]
    assert [q.speaker.name if q.speaker else None for q in analysis.quotes] == [
        q.speaker.name if q.speaker else None for q in whole.quotes
    ]


def test_a_text_without_line_breaks_is_cut_after_sentence_ends() -> None:
    sentence = "Delgado said the contract was awarded without a tender. "
    text = (sentence * 200).strip()  # one paragraph of 11,000 characters
    bounds = chunk_bounds(text, 1_000)  # more than MAX_PARAGRAPH chunks long
    assert len(bounds) > 3 and bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(text[end - 2 : end] == ". " for _, end in bounds[:-1])
    assert max(b - a for a, b in bounds) <= chunked.MAX_PARAGRAPH * 1_000
    doc = parse(load_pipeline(), text, 1_000)
    assert doc.text == text
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in doc)
