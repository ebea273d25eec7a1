"""An article ready for analysis, built from plain text or from an HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from presslens.errors import InputError
from presslens.ingest.normalize import normalize_text
from presslens.model import Metadata

_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[\s>])", re.I)


@dataclass(slots=True)
class Article:
    id: str
    text: str
    title: str | None = None
    metadata: Metadata = field(default_factory=Metadata)


def looks_like_html(raw: str) -> bool:
    return bool(_HTML_SNIFF.match(raw[:2000]))


def _headline(text: str) -> str | None:
    """A first line that reads as a headline: short, no final full stop, followed by more text."""
    first, sep, rest = text.partition("\n")
    first = first.strip()
    if not sep or not rest.strip() or not first or len(first) > 200:
        return None
    if first.endswith((".", ",", ";")) and not first.endswith("..."):
        return None
    return first if len(first.split()) >= 2 else None


def article_from_text(raw: str, *, id: str = "article", origin: str = "<text>", **meta: str | None) -> Article:
    text = normalize_text(raw)
    if not text.strip():
        raise InputError(origin, "empty input: there is no text to analyse")
    if not any(c.isalpha() for c in text):
        raise InputError(origin, "no words to analyse")
    return Article(id=id, text=text, title=_headline(text), metadata=Metadata(**_known(meta)))


def article_from_html(raw: str, *, id: str = "article", origin: str = "<html>", **meta: str | None) -> Article:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            raw, url=meta.get("url"), with_metadata=True, favor_recall=True, include_comments=False
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken markup
        raise InputError(origin, f"could not parse HTML ({type(exc).__name__})") from None
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not any(c.isalpha() for c in body):
        raise InputError(origin, "no article text found in the HTML page")
    text = normalize_text(body)
    found = {
        "url": getattr(doc, "url", None),
        "date": getattr(doc, "date", None),
        "source": getattr(doc, "sitename", None) or getattr(doc, "hostname", None),
        "author": getattr(doc, "author", None),
    }
    given = _known(meta)
    metadata = Metadata(**{k: given.get(k) or found.get(k) for k in ("url", "date", "source", "author")})
    title = getattr(doc, "title", None) or _headline(text)
    return Article(id=id, text=text, title=title, metadata=metadata)


def _known(meta: dict[str, str | None]) -> dict[str, str | None]:
    return {k: (str(v) if v is not None else None) for k, v in meta.items() if k in ("url", "date", "source", "author")}
