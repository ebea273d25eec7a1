"""Word tokens of a text with their character offsets, shared by the lexical and the accurate tagger."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """(token, start, end) for the words and punctuation marks of ``text[start:end]``, offsets into ``text``."""
    end = len(text) if end is None else end
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def content_word(word: str) -> bool:
    """Whether ``word`` carries content: not punctuation, not a spaCy English stop word. Both taggers drop a
    span made only of words that do not ("a", "into")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return any(c.isalnum() for c in word) and word.lower() not in STOP_WORDS
