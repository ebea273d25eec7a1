"""Articles from a WARC file (.warc, .warc.gz) as Common Crawl's CC-NEWS ships them: one per HTML page its crawler
received with HTTP status 200. Requests, metadata, redirects, errors and other media are skipped silently."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from presslens.errors import InputError
from presslens.ingest.article import Article, article_from_html
from presslens.ingest.fetch import HTML_TYPES, decode, too_large

WARC_SUFFIXES = (".warc", ".warc.gz")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_TRUNCATED = "truncated file: it ends inside a record (the records before it were read)"


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


class _Gunzip:
    """A .warc.gz file decompressed, whether it holds one gzip member per record (as WARC tools write it) or one for
    the whole file. A cut in the gzip data ends the data and sets ``truncated``: warcio would take it for the end."""

    def __init__(self, f: IO[bytes]):
        self.gz = gzip.GzipFile(fileobj=f)
        self.truncated = False

    def read(self, n: int = -1) -> bytes:
        try:
            return self.gz.read1(n)  # read1: what came before a cut is returned before the error
        except EOFError:
            self.truncated = True
            return b""

    def tell(self) -> int:
        return self.gz.tell()


def from_warc(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    """Every HTML page with status 200 in the WARC file, as an article whose id and url are its WARC-Target-URI.

    A record that cannot be read is an ``InputError`` and reading goes on; damage to the file itself (a cut, bytes
    that are not WARC) ends it with one ``InputError``.
    """
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; opened here so an open error becomes an item
    except OSError as exc:
        yield InputError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with f:
        stream = _Gunzip(f) if str(path).lower().endswith(".gz") else None
        records = iter(ArchiveIterator(stream or f))
        n = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # warcio raises many kinds on damaged data; it cannot go on after any
                if stream is not None and stream.truncated:
                    yield InputError(str(path), _TRUNCATED)
                elif n == 0:
                    yield InputError(str(path), f"not a WARC file ({type(exc).__name__})")
                else:
                    yield InputError(str(path), f"damaged after record {n} ({type(exc).__name__}); stopped reading it")
                return
            if record.format != "warc":  # warcio takes any line of five words for an ARC record
                yield InputError(str(path), "not a WARC file (it does not start with a WARC/1.x record)")
                return
            n += 1
            item = _record(record, max_bytes, f"{path}#{n}")
            while record.raw_stream.read(1 << 16):
                pass
            if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended before the record's Content-Length did
                yield InputError(str(path), _TRUNCATED)
                return
            if item is not None:
                yield item
        if stream is not None and stream.truncated:
            yield InputError(str(path), _TRUNCATED)


def _record(record: Any, max_bytes: int, where: str) -> Article | InputError | None:
    """The article in a response record, an error for a broken one, ``None`` for a record that holds no page."""
    http = record.http_headers
    if record.rec_type != "response" or http is None:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or where
    status = http.get_statuscode() or ""
    if not status.isdigit():
        return InputError(uri, "broken WARC record: its HTTP response has no status line")
    content_type = http.get_header("Content-Type") or ""
    if status != "200" or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    try:
        body = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # a broken Content-Encoding, chunking, ...
        return InputError(uri, f"broken WARC record: cannot read its page ({type(exc).__name__})")
    if len(body) > max_bytes:
        return InputError(uri, too_large(max_bytes, "page"))
    charset = _CHARSET.search(content_type)
    try:
        article = article_from_html(decode(body, charset and charset.group(1)), id=uri, origin=uri, url=uri)
    except InputError as err:
        return err
    day = (record.rec_headers.get_header("WARC-Date") or "")[:10]
    article.metadata.date = article.metadata.date or (day if len(day) == 10 else None)
    return article
