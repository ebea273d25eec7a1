"""What tells a news report from a column: how much of the article is other people's words, and how the reporter
speaks in the rest.

``style_features(text, quotes)`` reads the article and the quotes the ``quotes`` component found. Every feature is
a share or a rate (per 100 words), never a count of one extractor decision, so a small change in the quote extractor
moves it a little rather than flipping it; the quotation-mark share is measured on the text itself as well, so the
features do not rest on the extractor alone. Nothing here reads line breaks as paragraphs or the kind of quotation
marks: those differ by outlet (one sentence a line in one corpus, blank lines in another), not by genre.

``reporter_voice(text, quotes)``: the article without its quotes and its headline, for the word features of the
classifier: what the reporter says, not what the people quoted say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Protocol

from presslens.ingest.normalize import plain_quotes


class QuoteLike(Protocol):
    """What a feature reads of a quote (``presslens.model.Quote``)."""

    @property
    def kind(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def speaker(self) -> object | None: ...


_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][a-z]+)?")
_FIRST_SINGULAR = {"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"}
_FIRST_PLURAL = {"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll", "let's"}
_SECOND = {"you", "your", "yours", "yourself", "yourselves", "you're", "you've", "you'd", "you'll"}
_HEDGES = {"perhaps", "maybe", "arguably", "probably", "possibly", "presumably", "seemingly", "apparently", "surely"}
_OUGHT = {"should", "must", "ought", "shouldn't", "mustn't"}
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|stated|added|announced|reported|confirmed|declined to comment)\b", re.I
)
_STANCE = re.compile(r"\b(?:i|we) (?:think|believe|feel|suspect|doubt|hope|wonder|argue)\b", re.I)
# "MOSCOW (Reuters) —", "WASHINGTON —", "(CNN)", "LOS ANGELES -": a dateline at the start of a paragraph.
_DATELINE = re.compile(
    r"(?m)^\s*(?:[A-Z][A-Z.'\u2019-]+(?:[ ,]+[A-Z][A-Za-z.'\u2019-]*){0,4}\s*(?:\([A-Za-z .&-]{1,30}\)\s*)?[-\u2014\u2013]+\s"
    r"|\((?:AP|Reuters|AFP|CNN|UPI|Bloomberg)\)\s)"
)
_WIRE = re.compile(
    r"\((?:AP|Reuters|AFP|CNN|UPI|Bloomberg|Wire)\)|\b(?:Associated Press|Reuters|Agence France-Presse)\b"
)


def headline(text: str) -> tuple[str, int]:
    """The first line when it reads as a headline (short, more text after it), and where the body starts."""
    first, sep, rest = text.partition("\n")
    if sep and rest.strip() and 0 < len(first.strip()) <= 200 and len(first.split()) <= 30:
        return first.strip().rstrip("."), len(first) + 1
    return "", 0


def _ranges(quotes: Sequence[QuoteLike]) -> list[tuple[int, int]]:
    """Where the quoted words are: a quote split by its attribution counts by its ``parts`` when it has them, so
    the attribution between the parts stays the reporter's."""
    out: list[tuple[int, int]] = []
    for q in quotes:
        parts = getattr(q, "parts", None)
        out += [(p.start, p.end) for p in parts] if parts else [(q.start, q.end)]
    return sorted(out)


def _quoted_mask(text: str, quotes: Sequence[QuoteLike]) -> bytearray:
    mask = bytearray(len(text))
    for start, end in _ranges(quotes):
        start, end = max(start, 0), min(end, len(text))
        mask[start:end] = b"\x01" * max(end - start, 0)
    return mask


def _marked(text: str) -> list[tuple[int, int]]:
    """The spans between double quotation marks, paired on each line (one left open runs to the end of the line),
    whoever found them (or did not)."""
    out, offset = [], 0
    for line in plain_quotes(text).split("\n"):
        marks = [offset + i for i, c in enumerate(line) if c == '"']
        out += [(marks[k], marks[k + 1] + 1) for k in range(0, len(marks) - 1, 2)]
        if len(marks) % 2:  # a quote left open runs to the end of its paragraph (news style)
            out.append((marks[-1], offset + len(line)))
        offset += len(line) + 1
    return out


def _marked_share(text: str) -> float:
    return sum(end - start for start, end in _marked(text)) / max(len(text), 1)


def reporter_voice(text: str, quotes: Sequence[QuoteLike]) -> str:
    """The text outside every quote (direct, mixed or indirect), outside quotation marks and outside the headline;
    each quote leaves one space."""
    _, body = headline(text)
    out, i = [], body
    for start, end in sorted(_ranges(quotes) + _marked(text)):
        if end <= i:
            continue
        out.append(text[i : max(start, i)])
        out.append(" ")
        i = max(i, end)
    out.append(text[i:])
    return "".join(out)


def _rate(n: int, words: int) -> float:
    return 100.0 * n / max(words, 1)


FEATURE_NAMES = (
    "log_words",
    "quoted_share",
    "direct_share",
    "marked_share",
    "quotes_per_100w",
    "attributed_share",
    "speakers_per_100w",
    "attribution_verbs",
    "voice_i",
    "voice_we",
    "voice_you",
    "voice_stance",
    "voice_hedges",
    "voice_ought",
    "voice_questions",
    "voice_exclamations",
    "dateline",
    "wire",
    "headline_question",
    "headline_person",
    "headline_colon",
    "digits",
)


def style_features(text: str, quotes: Sequence[QuoteLike]) -> dict[str, float]:
    """The article's style features by name (``FEATURE_NAMES``), each a share, a rate or a 0/1 flag."""
    title, body_start = headline(text)
    body = text[body_start:]
    words = _WORD.findall(body)
    n = len(words)
    in_body = [q for q in quotes if q.end > body_start]
    mask = _quoted_mask(text, in_body)
    body_chars = max(len(body), 1)
    quoted = sum(mask[body_start:]) / body_chars
    direct_mask = _quoted_mask(text, [q for q in in_body if q.kind != "indirect"])
    voice = reporter_voice(text, quotes)
    voice_words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(voice)]
    vn = max(len(voice_words), 1)
    title_words = {w.lower().replace("\u2019", "'") for w in _WORD.findall(title)}
    speakers = {
        getattr(q.speaker, "entity", None) or getattr(q.speaker, "text", None) for q in in_body if q.speaker is not None
    }
    return {
        "log_words": math.log1p(n),
        "quoted_share": quoted,
        "direct_share": sum(direct_mask[body_start:]) / body_chars,
        "marked_share": _marked_share(body),
        "quotes_per_100w": _rate(len(in_body), n),
        "attributed_share": sum(q.speaker is not None for q in in_body) / max(len(in_body), 1),
        "speakers_per_100w": _rate(len(speakers), n),
        "attribution_verbs": _rate(len(_ATTRIBUTION.findall(body)), n),
        "voice_i": _rate(sum(w in _FIRST_SINGULAR for w in voice_words), vn),
        "voice_we": _rate(sum(w in _FIRST_PLURAL for w in voice_words), vn),
        "voice_you": _rate(sum(w in _SECOND for w in voice_words), vn),
        "voice_stance": _rate(len(_STANCE.findall(voice)), vn),
        "voice_hedges": _rate(sum(w in _HEDGES for w in voice_words), vn),
        "voice_ought": _rate(sum(w in _OUGHT for w in voice_words), vn),
        "voice_questions": _rate(voice.count("?"), vn),
        "voice_exclamations": _rate(voice.count("!"), vn),
        "dateline": float(bool(_DATELINE.search(body[:600]))),
        "wire": float(bool(_WIRE.search(body[:1500]))),
        "headline_question": float(title.endswith("?")),
        "headline_person": float(bool(title_words & (_FIRST_SINGULAR | _FIRST_PLURAL | _SECOND))),
        "headline_colon": float(":" in title),
        "digits": _rate(sum(c.isdigit() for c in body), max(len(body), 1)),
    }
