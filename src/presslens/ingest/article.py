"""An article ready for analysis, built from plain text or from an HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from presslens.errors import InputError
from presslens.ingest.normalize import normalize_text
from presslens.model import Metadata

_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[\s>])", re.I)
_SURROGATE = re.compile("[\ud800-\udfff]")  # no UTF-8 for it; JSON reading joins an escaped pair into one character
METADATA_FIELDS = ("url", "date", "source", "author")


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


def json_type(value: object) -> str:
    """How a JSON reader would name the type of ``value`` (for one-line errors)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return "null" if value is None else f"a {type(value).__name__}"


def check_unicode(value: str, what: str, origin: str) -> None:
    """Refuse a lone surrogate here, at ingest: it cannot be written as UTF-8, so every output downstream would fail."""
    found = _SURROGATE.search(value)
    if found:
        raise InputError(origin, f"{what} holds an unpaired surrogate (\\u{ord(found.group()):04x})")


def check_field(key: str, value: object, origin: str) -> str | None:
    """A metadata field as given: a string or null (None), never a stringified object."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(origin, f'"{key}" must be a string, not {json_type(value)}')
    check_unicode(value, f'"{key}"', origin)
    return value


def article_from_text(raw: str, *, id: str = "article", origin: str = "<text>", **meta: str | None) -> Article:
    check_unicode(raw, "text", origin)
    given = _known(meta, origin)
    text = normalize_text(raw)
    if not text.strip():
        raise InputError(origin, "empty input: there is no text to analyse")
    if not any(c.isalpha() for c in text):
        raise InputError(origin, "no words to analyse")
    return Article(id=id, text=text, title=_headline(text), metadata=Metadata(**given))


def article_from_html(raw: str, *, id: str = "article", origin: str = "<html>", **meta: str | None) -> Article:
    import trafilatura

    check_unicode(raw, "the HTML", origin)
    given = _known(meta, origin)
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
    metadata = Metadata(**{k: given.get(k) or found.get(k) for k in ("url", "date", "source", "author")})
    title = getattr(doc, "title", None) or _headline(text)
    return Article(id=id, text=text, title=title, metadata=metadata)


def _known(meta: dict[str, str | None], origin: str) -> dict[str, str | None]:
    return {k: check_field(k, v, origin) for k, v in meta.items() if k in METADATA_FIELDS}
