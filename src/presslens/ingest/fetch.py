"""Fetching one web document: http(s) only, bounded in time and size, every failure one ``InputError`` line.

urllib rather than ``trafilatura.fetch_url``: the latter returns ``None`` for every failure (no HTTP status, no
reason to show), retries with back-off on 5xx and refuses loopback and private addresses outright.
"""

from __future__ import annotations

import codecs
import re
import socket
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPException
from typing import IO, Any
from urllib.parse import quote, urlsplit, urlunsplit

from presslens import __version__
from presslens.errors import InputError

TIMEOUT_S = 20.0  # per document, connecting and reading together
USER_AGENT = f"PressLens/{__version__} (news text analysis; python-urllib)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 1 << 16
# <meta charset="x">, <meta http-equiv=... content="text/html; charset=x"> or <?xml ... encoding="x"?>
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]+)|<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w.:-]+)""", re.I
)


@dataclass(slots=True)
class Document:
    url: str  # after redirects
    media_type: str  # "text/html", ...: lower case, no parameters; "" when the server named none
    text: str

    @property
    def is_html(self) -> bool:
        return self.media_type in HTML_TYPES


def is_url(arg: str) -> bool:
    return arg[:8].lower().startswith(("http://", "https://"))


def size(n: int) -> str:
    """A byte count as people read it: 100 bytes, 10 KB, 1 MB, 1.5 MB."""
    if n < 1000:
        return f"{n} bytes"
    value, unit = (n / 1e6, "MB") if n >= 1_000_000 else (n / 1e3, "KB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def too_large(max_bytes: int, what: str = "input") -> str:
    return f"{what} too large (over the limit of {size(max_bytes)}, see --max-bytes)"


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """urllib follows a redirect to ftp:// too; a page may only lead to another http(s) page."""

    def redirect_request(self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not is_url(newurl):
            raise urllib.error.URLError(f"redirected to a non-http(s) address ({newurl[:80]})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def fetch(url: str, max_bytes: int, timeout: float = TIMEOUT_S) -> Document:
    """The document at ``url``, decoded; an ``InputError(url, reason)`` for anything that keeps it from being read."""
    if not is_url(url) or not urlsplit(url).hostname:
        raise InputError(url, "not an http:// or https:// address")
    request = urllib.request.Request(_as_uri(url), headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            headers: Message = response.headers
            length = headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise InputError(
                    url, f"page too large ({size(int(length))}; the limit is {size(max_bytes)}, see --max-bytes)"
                )
            data = bytearray()
            while chunk := response.read1(_CHUNK):  # read1: the deadline is checked after each arrival
                data += chunk
                if len(data) > max_bytes:
                    raise InputError(url, too_large(max_bytes, "page"))
                if time.monotonic() > deadline:
                    raise TimeoutError
            final = response.geturl() or url
    except urllib.error.HTTPError as exc:
        raise InputError(url, f"HTTP error {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise InputError(url, f"no answer within {timeout:g} s") from None
        reason = exc.reason if isinstance(exc.reason, str) else getattr(exc.reason, "strerror", None) or exc.reason
        raise InputError(url, f"cannot fetch: {reason}") from None
    except TimeoutError:
        raise InputError(url, f"no answer within {timeout:g} s") from None
    except (OSError, HTTPException, ValueError) as exc:
        raise InputError(url, f"cannot fetch: {getattr(exc, 'strerror', None) or exc or type(exc).__name__}") from None
    raw = bytes(data)
    if headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip") or raw.startswith(b"\x1f\x8b"):
        raw = gunzip(raw, max_bytes, url)  # a server that compresses anyway, or a sitemap.xml.gz
    media_type = headers.get_content_type() if headers.get("Content-Type") else ""
    return Document(final, media_type, decode(raw, headers.get_content_charset()))


def _as_uri(url: str) -> str:
    """The URL as it goes on the wire: spaces and non-ASCII letters in the path and query percent-encoded, as a
    browser does (feeds link to ``/nachrichten/über-uns`` as often as to ``/nachrichten/%C3%BCber-uns``)."""
    parts = urlsplit(url)
    keep = "/%:@!$&'()*+,;=~?"
    return urlunsplit(
        parts._replace(path=quote(parts.path, safe=keep), query=quote(parts.query, safe=keep), fragment="")
    )


def gunzip(data: bytes, max_bytes: int, source: str) -> bytes:
    """Gzip data inflated to at most ``max_bytes`` (a small file may inflate to gigabytes)."""
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise InputError(source, "broken gzip data") from None
    if len(out) > max_bytes:
        raise InputError(source, too_large(max_bytes, "uncompressed data"))
    if not inflater.eof:
        raise InputError(source, "truncated gzip data")
    return out


def decode(data: bytes, charset: str | None) -> str:
    """Text as a browser would read it, roughly: the charset the server names, else a byte-order mark, else the one
    the page or XML declaration names, else UTF-8; bytes that do not fit become U+FFFD."""
    for candidate in (charset, _bom(data), _declared(data)):
        if candidate:
            try:
                name = codecs.lookup(candidate).name
            except LookupError:
                continue
            return data.decode(name, errors="replace").removeprefix("\ufeff")
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _bom(data: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return name
    return None


def _declared(data: bytes) -> str | None:
    """The encoding the document names; UTF-16/32 only with a byte-order mark (ASCII bytes cannot be UTF-16)."""
    found = _DECLARED.search(data[:2048])
    name = (found.group(1) or found.group(2)).decode("ascii") if found else None
    return None if name is None or name.lower().startswith(("utf-16", "utf16", "utf-32", "utf32")) else name
