"""Articles from the web: a page's URL, or an RSS/Atom/JSON feed or a sitemap (by URL or a local file) whose
pages are then fetched one by one.

Feeds and sitemaps are read here with lxml rather than with ``trafilatura.feeds``/``trafilatura.sitemaps``: those
drop every link to a bare IP address or ``localhost`` (courlan's URL check), sort a feed's links alphabetically,
count the channel's home-page link as an article, tell a sitemap index from a sitemap by its links ending in
``.xml``, and keep no entry's title or date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from presslens.errors import InputError
from presslens.ingest.article import Article, article_from_html, looks_like_html
from presslens.ingest.fetch import fetch, is_url

MAX_PAGES = 2000  # pages read from one feed, sitemap or sitemap index
MAX_SITEMAPS = 200  # sitemaps read through one sitemap index
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})

# The root element, past an XML declaration, processing instructions, comments and a doctype.
_ROOT = re.compile(
    r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w.-]+:)?(rss|feed|RDF|urlset|sitemapindex)\b", re.S
)
_JSON_FEED = re.compile(r'\s*\{.{0,500}?"version"\s*:\s*"https?://jsonfeed\.org/version/', re.S)
_ISO_DAY = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")
Warn = Callable[[str], None]
_known_collections: dict[str, bool] = {}  # URL given -> whether it turned out to be a feed or sitemap


@dataclass(slots=True)
class _Entry:
    url: str
    title: str | None = None
    date: str | None = None


def is_listing(text: str) -> bool:
    """Whether ``text`` is an RSS, Atom or JSON feed, or a sitemap (index): judged by its root element."""
    head = text[:4096].removeprefix("\ufeff")
    return bool(_ROOT.match(head) or _JSON_FEED.match(head))


def holds_many(arg: str) -> bool:
    """Whether the URL or file ``arg`` holds many articles, judged from what reading it found or else by its name."""
    if is_url(arg):
        known = _known_collections.get(arg)
        return known if known is not None else Path(urlsplit(arg).path).suffix.lower() in FEED_SUFFIXES
    path = Path(arg)
    if path.suffix.lower() in FEED_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return is_listing(head.decode("utf-8", errors="replace"))


def from_url(url: str, max_bytes: int, warn: Warn) -> Iterator[Article | InputError]:
    """The article at ``url``, or every article a feed or sitemap at ``url`` links to."""
    if urlsplit(url).path.lower().endswith((".warc", ".warc.gz")):
        yield InputError(url, "WARC files are read from disk: download it, then give the file's name")
        return
    try:
        doc = fetch(url, max_bytes)
    except InputError as err:
        yield err
        return
    _known_collections[url] = is_listing(doc.text)
    if _known_collections[url]:
        yield from _from_listing(doc.text, doc.url, url, max_bytes, warn)
    elif doc.is_html or (not doc.media_type and looks_like_html(doc.text)):
        yield _page(_Entry(url), max_bytes, doc.text)
    else:
        yield InputError(url, f"not an HTML page, a feed or a sitemap (content type {doc.media_type or 'unknown'})")


def from_feed_file(path: Path, text: str, max_bytes: int, warn: Warn) -> Iterator[Article | InputError]:
    """Every article the feed or sitemap in file ``path`` (read as ``text``) links to."""
    if not is_listing(text):
        yield InputError(str(path), "not an RSS/Atom feed or a sitemap")
        return
    yield from _from_listing(text, None, str(path), max_bytes, warn)


def _from_listing(
    text: str, base: str | None, source: str, max_bytes: int, warn: Warn
) -> Iterator[Article | InputError]:
    """The pages of a feed or sitemap; a sitemap index's sitemaps are read first (breadth first, bounded)."""
    entries, queue = _parse(text, base)
    pages: dict[str, _Entry] = {}  # the first entry of each linked page, in order
    seen = {source}
    while True:
        for entry in entries:
            pages.setdefault(entry.url, entry)
        queue = [q for q in queue if q not in seen]
        if not queue or len(pages) > MAX_PAGES or len(seen) > MAX_SITEMAPS:
            break
        child = queue.pop(0)
        seen.add(child)
        entries = []
        try:
            doc = fetch(child, max_bytes)
            if not is_listing(doc.text):
                raise InputError(child, "not a sitemap, though a sitemap index lists it")
        except InputError as err:
            yield err
            continue
        entries, nested = _parse(doc.text, doc.url)
        queue += nested
    if len(pages) > MAX_PAGES or queue:
        cut = f"more than {MAX_PAGES} pages" if len(pages) > MAX_PAGES else f"more than {MAX_SITEMAPS} sitemaps"
        warn(f"{source} lists {cut}: only the first {min(len(pages), MAX_PAGES)} pages are read")
    if not pages:
        yield InputError(source, "the feed or sitemap links to no page")
    for entry in list(pages.values())[:MAX_PAGES]:
        yield _page(entry, max_bytes)


def _page(entry: _Entry, max_bytes: int, html: str | None = None) -> Article | InputError:
    """The article at ``entry.url`` (fetched unless ``html`` is given); the feed's title and date fill in for a page
    that names none."""
    try:
        if html is None:
            doc = fetch(entry.url, max_bytes)
            if not doc.is_html and (doc.media_type or not looks_like_html(doc.text)):
                raise InputError(entry.url, f"not an HTML page (content type {doc.media_type or 'unknown'})")
            html = doc.text
        article = article_from_html(html, id=entry.url, origin=entry.url, url=entry.url)
    except InputError as err:
        return err
    article.title = article.title or entry.title
    article.metadata.date = article.metadata.date or entry.date
    return article


def _parse(text: str, base: str | None) -> tuple[list[_Entry], list[str]]:
    """The pages a feed or sitemap links to, and the sitemaps a sitemap index lists; relative links resolved
    against ``base`` (the document's URL; ``None`` for a local file)."""
    from lxml import etree

    if _JSON_FEED.match(text.removeprefix("\ufeff")[:4096]):
        return _parse_json_feed(text, base), []
    parser = etree.XMLParser(encoding="utf-8", resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(text.encode("utf-8"), parser)
    if root is None:
        return [], []
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        return [], [
            _link(base, _text(_child(s, "loc"))) for s in root.iter("{*}sitemap") if _child(s, "loc") is not None
        ]
    if kind == "urlset":
        return [
            _Entry(
                _link(base, _text(_child(u, "loc"))),
                _text(_first(u, "title")),
                _day(_text(_first(u, "publication_date"))),
            )
            for u in root.iter("{*}url")  # title and date from Google News's <news:news>, if any
            if _text(_child(u, "loc"))
        ], []
    entries = []
    for item in root.iter("{*}item", "{*}entry"):
        link = _entry_link(item)
        if link:
            title = _text(_child(item, "title"))
            when = _day(_text(_child(item, "pubDate", "published", "date", "issued", "updated")))
            entries.append(_Entry(_link(base, link), title, when))
    return entries, []


def _parse_json_feed(text: str, base: str | None) -> list[_Entry]:
    try:
        items = json.loads(text).get("items")
    except (ValueError, RecursionError, AttributeError):
        return []
    return [
        _Entry(_link(base, link), _str(item.get("title")), _day(_str(item.get("date_published"))))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and (link := _str(item.get("url")) or _str(item.get("external_url")))
    ]


def _entry_link(item: Any) -> str | None:
    """An RSS item's <link> (else a permalink <guid>), an Atom entry's alternate <link href>, an RSS 1.0 rdf:about."""
    for child in item:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "link":
            href = child.get("href")
            if href is None and _text(child):
                return _text(child)
            if href and child.get("rel", "alternate") == "alternate":
                return str(href)
    guid = _child(item, "guid")
    if guid is not None and guid.get("isPermaLink", "true") == "true" and is_url(_text(guid) or ""):
        return _text(guid)
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return str(about) if about else None


def _child(element: Any, *names: str) -> Any:
    """The first child whose local name is one of ``names`` (in that order of preference), in any namespace."""
    found: dict[str, Any] = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(child.tag.rsplit("}", 1)[-1], child)
    return next((found[n] for n in names if n in found), None)


def _first(element: Any, name: str) -> Any:
    """The first element below ``element`` with local name ``name``, in any namespace."""
    return next(element.iter("{*}" + name), None)


def _text(element: Any) -> str | None:
    text = " ".join("".join(element.itertext()).split()) if element is not None else ""
    return text or None


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _link(base: str | None, link: str | None) -> str:
    link = (link or "").strip()
    return urljoin(base, link) if base else link


def _day(value: str | None) -> str | None:
    """A feed's date as YYYY-MM-DD: ISO 8601 (Atom, sitemaps, Dublin Core) or RFC 822 (RSS)."""
    if not value:
        return None
    try:
        found = _ISO_DAY.match(value)
        return (
            date.fromisoformat(found.group(1)).isoformat() if found else parsedate_to_datetime(value).date().isoformat()
        )
    except (ValueError, TypeError, IndexError):
        return None
