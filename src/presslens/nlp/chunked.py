"""Parsing long texts in chunks on paragraph boundaries, joined into one ``Doc`` of exactly the same text.

spaCy's cost on one huge ``Doc`` grows faster than the text (a 250 KB article took 1.4 GB), while a
sentence never continues across a line break here (``presslens_paragraphs``), so nothing the parser
finds crosses a paragraph. A text longer than ``CHUNK_CHARS`` is therefore cut after line breaks (at a
blank line where one is near, never inside a paragraph; a paragraph longer than a chunk is a chunk of its own),
the pieces are parsed as a stream, and ``Doc.from_docs`` joins them: the joined text is the input, character
for character, so every token, sentence and entity offset is an offset of the input. Everything PressLens
reads from the text itself (quotation marks, paragraphs, quote continuations over paragraphs) runs on the
joined ``Doc``, so a quote that crosses a chunk edge is found as it would be in one piece. The only change is
that the tagger, parser and entity recognizer see no context across a chunk edge (a paragraph break).

A text of at most ``CHUNK_CHARS`` characters is parsed exactly as before: ``nlp(text)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

CHUNK_CHARS = 20_000  # characters a chunk: about 3,500 words; above it a text is parsed in chunks
_BATCH = 2  # chunks parsed together (nlp.pipe batch size): memory stays that of two chunks

MAX_PARAGRAPH = 2  # chunks: a paragraph longer than this many chunks (a text without line breaks) is cut too
_LINE_END = re.compile(r"\n+")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*[ \t]+")
_SPACE = re.compile(r"[ \t]+")


def chunk_bounds(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """Where to cut ``text``: consecutive ``(start, end)`` pieces covering it, each cut right after a line break.

    A piece ends at the last blank line (a run of two or more line breaks) within ``size`` characters, else at
    the last line break within them; a paragraph longer than ``size`` is one piece, up to ``MAX_PARAGRAPH``
    chunks: a longer one, which no article has but a text without line breaks does, is cut after the last
    sentence end (else space) within ``size`` characters, so that it costs no more than its chunks. ``text`` of at
    most ``size`` characters is one piece.
    """
    size = size or CHUNK_CHARS
    if size < 1:
        raise ValueError("the chunk size must be positive")
    bounds: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > size:
        limit = start + size
        blank = line = -1
        for m in _LINE_END.finditer(text, start, limit):
            if m.end() >= limit:
                break
            line = m.end()
            if m.end() - m.start() >= 2:
                blank = m.end()
        cut = blank if blank > start + size // 4 else line
        if cut <= start:  # one paragraph longer than a chunk: up to its end
            after = _LINE_END.search(text, limit)
            cut = after.end() if after else n
            if cut - start > MAX_PARAGRAPH * size:
                cut = _inside_paragraph(text, start, limit)
        if cut >= n:
            break
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _inside_paragraph(text: str, start: int, limit: int) -> int:
    """A cut in ``text[start:limit]`` (a paragraph goes on past it): after its last sentence end, else after its
    last space, else at ``limit``."""
    for pattern in (_SENTENCE_END, _SPACE):
        ends = [m.end() for m in pattern.finditer(text, start, limit) if m.end() < limit]
        if ends and ends[-1] > start:
            return ends[-1]
    return limit


def parse(nlp: Language, text: str, chunk_chars: int | None = None) -> Doc:
    """``nlp(text)``; a text longer than ``chunk_chars`` (default ``CHUNK_CHARS``) parsed in chunks and joined
    (same text, same offsets)."""
    chunk_chars = chunk_chars or CHUNK_CHARS
    if len(text) <= chunk_chars:
        return nlp(text)
    return _join(text, nlp.pipe((text[a:b] for a, b in chunk_bounds(text, chunk_chars)), batch_size=_BATCH))


def parse_many(
    nlp: Language, texts: Iterable[str], batch_size: int = 16, chunk_chars: int | None = None
) -> Iterator[Doc]:
    """``nlp.pipe(texts, batch_size=...)`` in input order, with each long text parsed by ``parse``."""
    chunk_chars = chunk_chars or CHUNK_CHARS
    short: list[str] = []
    for text in texts:
        if len(text) <= chunk_chars:
            short.append(text)
            continue
        if short:
            yield from nlp.pipe(short, batch_size=batch_size)
            short = []
        yield parse(nlp, text, chunk_chars)
    if short:
        yield from nlp.pipe(short, batch_size=batch_size)


def _join(text: str, docs: Iterable[Doc]) -> Doc:
    import numpy
    from spacy.tokens import Doc

    # Without the tok2vec tensors (96 floats a token): nothing in PressLens reads them, and kept for every chunk
    # until the join they would be the largest part of the memory.
    parts: list[Doc] = []
    for d in docs:
        d.tensor = numpy.zeros((0,), dtype="float32")
        parts.append(d)
    doc = Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]
    if doc.text != text:  # cannot happen (each piece's Doc holds its text exactly): fail loudly, not silently
        raise AssertionError("chunked parse changed the text")
    return doc
