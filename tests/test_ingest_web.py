"""Articles from the web and from WARC archives: page URLs, RSS/Atom feeds, sitemaps and sitemap indexes (by URL
or as a local file), .warc and .warc.gz files.

Every page, feed and sitemap is written here and served from 127.0.0.1; a guard fails any test whose code tries to
connect anywhere else.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import run_cli
from presslens.errors import InputError
from presslens.ingest import Article, iter_articles, names_collection
from presslens.ingest import web as web_module
from presslens.ingest.fetch import USER_AGENT, fetch

SITE = "Harbour Gazette"


def _page(title: str, body: str, published: str | None = None, charset: str = "utf-8") -> str:
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>'
        f'<meta property="og:site_name" content="{SITE}">{date}</head><body><nav>Home | Local | Sport</nav>'
        f"<article><h1>{title}</h1>{body}</article><footer>Contact the newsroom</footer></body></html>"
    )


BRIDGE = (
    "<p>The old harbour bridge will reopen to traffic after two years of repairs, the city council announced.</p>"
    '<p>"We will open the bridge to cars and cyclists in May," said Mayor Ellen Porter. '
    "Engineers replaced the steel cables and repainted the deck.</p>"
)
LIBRARY = (
    "<p>The central library will stay open until nine in the evening from next month.</p>"
    "<p>Students had asked for longer hours before the exams, and the reading rooms are often full.</p>"
)
FERRY = (
    "<p>A new electric ferry began carrying passengers across the bay on Thursday morning.</p>"
    "<p>The boat charges its batteries at the pier while passengers board, and makes no noise.</p>"
)
MARKET = (
    "<p>The café owners at the Saturday market asked for more covered stalls.</p>"
    "<p>Rain kept many shoppers away for three weekends, and the traders lost much of their income.</p>"
)
SENTENCE = {
    "news/bridge.html": "Engineers replaced the steel cables and repainted the deck.",
    "news/library.html": "The central library will stay open until nine in the evening from next month.",
    "news/ferry.html": "A new electric ferry began carrying passengers across the bay on Thursday morning.",
    "news/market.html": "The café owners at the Saturday market asked for more covered stalls.",
}


def _rss(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}/{path}</link><pubDate>{when}</pubDate></item>"
        for path, title, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Harbour Gazette</title>'
        f"<link>{base}/</link><description>Local news</description>{entries}</channel></rss>"
    )


def _urlset(base: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{base}/{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def _site(base: str) -> dict[str, bytes]:
    """Every file the test server serves, by path."""
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title>'
        f'<link rel="self" href="{base}/feeds/latest"/><link rel="alternate" href="{base}/"/>'
        f"<updated>2024-03-08T10:00:00Z</updated><id>{base}/</id>"
        f'<entry><title>Electric ferry</title><link rel="alternate" type="text/html" href="{base}/news/ferry.html"/>'
        f"<id>ferry</id><published>2024-03-07T08:00:00Z</published><updated>2024-03-07T08:00:00Z</updated></entry>"
        '<entry><title>Market traders</title><link rel="enclosure" href="/files/chart.png"/>'
        '<link href="/news/market.html"/><id>market</id><updated>2024-03-09T12:00:00+01:00</updated></entry></feed>'
    )
    news_sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{base}/news/library.html</loc><news:news><news:publication_date>2024-03-06T07:00:00Z"
        "</news:publication_date><news:title>Library hours</news:title></news:news></url>"
        f"<url><loc>{base}/news/bridge.html</loc></url></urlset>"
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>{base}/sitemap-news.xml.gz</loc></sitemap>"
        f"<sitemap><loc>{base}/sitemap-gone.xml</loc></sitemap></sitemapindex>"
    )
    return {
        "news/bridge.html": _page("Bridge to reopen", BRIDGE, "2024-03-05").encode(),
        "news/library.html": _page("Library hours", LIBRARY).encode(),
        "news/ferry.html": _page("Electric ferry", FERRY, "2024-03-07").encode(),
        "news/market.html": _page("Market traders", MARKET, "2024-03-09", charset="iso-8859-1").encode("latin-1"),
        "news/über den markt.html": _page("Market traders", MARKET, "2024-03-09").encode(),
        "news/long.html": _page("A long page", "<p>Words of a long page.</p>" * 2000).encode(),
        "files/chart.png": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "feed.xml": _rss(
            base,
            [
                ("news/bridge.html", "Bridge to reopen", "Tue, 05 Mar 2024 09:00:00 GMT"),
                ("news/library.html", "Library hours", "Wed, 06 Mar 2024 09:30:00 GMT"),
                ("news/missing.html", "A page that is gone", "Wed, 06 Mar 2024 10:00:00 GMT"),
                ("files/chart.png", "A chart", "Wed, 06 Mar 2024 11:00:00 GMT"),
            ],
        ).encode(),
        "quotes.rss": _rss(base, [("news/bridge.html", "Bridge to reopen", "Tue, 05 Mar 2024 09:00:00 GMT")]).encode(),
        "feeds/latest": atom.encode(),  # no suffix: known as a feed by its content
        "sitemap.xml": _urlset(base, ["news/bridge.html", "news/ferry.html"]).encode(),
        "sitemap-news.xml.gz": gzip.compress(news_sitemap.encode()),
        "sitemap_index.xml": index.encode(),
        "big-sitemap.xml": _urlset(base, [f"news/page-{i}.html" for i in range(5)]).encode(),
    }


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.agents.append(self.headers.get("User-Agent", ""))
        path = urllib.parse.unquote(self.path.lstrip("/"))
        if path == "slow":
            time.sleep(1.5)
        if path == "to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/file.html")
            self.end_headers()
            return
        body = self.files.get(path)
        if body is None:
            self.send_error(404)
            return
        kind = {".html": "text/html", ".png": "image/png", ".xml": "application/xml", ".rss": "application/rss+xml"}
        self.send_response(200)
        self.send_header("Content-Type", kind.get(Path(path).suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch):
    """Fail, rather than reach the internet, if anything connects to a host other than 127.0.0.1."""
    connect = socket.create_connection

    def guarded(address, *args, **kwargs):
        assert address[0] in ("127.0.0.1", "localhost"), f"a test tried to connect to {address}"
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


@pytest.fixture(scope="module")
def site():
    """Base URL of a web server on 127.0.0.1 (a free port) serving the pages, feeds and sitemaps above."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.files = _site(base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def _read(inputs: list[str], **kwargs) -> tuple[list[Article], list[InputError]]:
    items = list(iter_articles(inputs, **kwargs))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


def test_a_page_url_is_fetched_and_read_as_an_article(site):
    url = f"{site}/news/bridge.html"
    [article] = list(iter_articles([url]))
    assert isinstance(article, Article)
    assert article.id == url and article.metadata.url == url
    assert SENTENCE["news/bridge.html"] in article.text and "Contact the newsroom" not in article.text
    assert (article.metadata.date, article.metadata.source, article.title) == ("2024-03-05", SITE, "Bridge to reopen")
    assert _Handler.agents[-1] == USER_AGENT and "PressLens" in USER_AGENT
    assert not names_collection([url])
    [market] = list(iter_articles([f"{site}/news/über den markt.html"]))  # sent as /news/%C3%BCber%20den%20markt.html
    assert isinstance(market, Article) and SENTENCE["news/market.html"] in market.text


def test_an_rss_feed_yields_its_pages_in_order_and_one_error_per_bad_link(site):
    feed = f"{site}/feed.xml"
    items = list(iter_articles([feed]))
    assert [i.id if isinstance(i, Article) else i.source for i in items] == [
        f"{site}/news/bridge.html",
        f"{site}/news/library.html",
        f"{site}/news/missing.html",
        f"{site}/files/chart.png",
    ]  # the channel's own <link> (the home page) is no article
    bridge, library, missing, chart = items
    assert isinstance(bridge, Article) and isinstance(library, Article)
    assert SENTENCE["news/library.html"] in library.text and library.metadata.url == f"{site}/news/library.html"
    assert library.metadata.date == "2024-03-06"  # the page names no date: the feed's pubDate fills in
    assert bridge.metadata.date == "2024-03-05" and bridge.metadata.source == SITE
    assert isinstance(missing, InputError) and "HTTP error 404" in missing.reason
    assert isinstance(chart, InputError) and "not an HTML page (content type image/png)" in chart.reason
    assert names_collection([feed])


def test_an_atom_feed_is_known_by_its_content_and_its_relative_links_resolved(site):
    feed = f"{site}/feeds/latest"  # served as application/octet-stream, no suffix
    articles, errors = _read([feed])
    assert not errors
    assert [a.id for a in articles] == [f"{site}/news/ferry.html", f"{site}/news/market.html"]
    ferry, market = articles
    assert SENTENCE["news/ferry.html"] in ferry.text and ferry.metadata.date == "2024-03-07"
    assert SENTENCE["news/market.html"] in market.text  # ISO-8859-1, as the page's <meta charset> says
    assert names_collection([feed])


def test_a_sitemap_index_is_followed_to_its_sitemaps_gzipped_or_not(site):
    articles, errors = _read([f"{site}/sitemap_index.xml"])
    assert [a.id for a in articles] == [
        f"{site}/news/bridge.html",
        f"{site}/news/ferry.html",
        f"{site}/news/library.html",
    ]  # bridge.html, listed twice, is read once
    library = articles[2]
    assert SENTENCE["news/library.html"] in library.text and library.metadata.date == "2024-03-06"  # <news:news>
    assert [(e.source, "HTTP error 404" in e.reason) for e in errors] == [(f"{site}/sitemap-gone.xml", True)]
    assert names_collection([f"{site}/sitemap_index.xml"])


def test_a_cut_listing_says_so_in_a_warning(site, monkeypatch):
    monkeypatch.setattr(web_module, "MAX_PAGES", 3)
    warnings: list[str] = []
    items = list(iter_articles([f"{site}/big-sitemap.xml"], warn=warnings.append))
    assert len(items) == 3 and all(isinstance(i, InputError) and "404" in i.reason for i in items)
    assert warnings == [f"{site}/big-sitemap.xml lists more than 3 pages: only the first 3 pages are read"]


def test_a_local_feed_file_is_read_by_content_and_a_non_feed_xml_file_is_an_error(site, tmp_path):
    saved = tmp_path / "saved-feed"
    saved.write_text(_rss(site, [("news/ferry.html", "Electric ferry", "Thu, 07 Mar 2024 08:00:00 GMT")]))
    other = tmp_path / "settings.xml"
    other.write_text('<?xml version="1.0"?><settings><colour>blue</colour></settings>')
    items = list(iter_articles([str(saved), str(other)]))
    assert [type(i) for i in items] == [Article, InputError]
    assert items[0].id == f"{site}/news/ferry.html" and SENTENCE["news/ferry.html"] in items[0].text
    assert items[1].source == str(other) and "not an RSS/Atom feed or a sitemap" in items[1].reason
    assert names_collection([str(saved)]) and names_collection([str(other)])
    assert not names_collection([str(tmp_path / "missing.txt")])


def test_every_fetch_failure_is_one_error_line_and_the_batch_goes_on(site):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{closed.getsockname()[1]}/news.html"
    closed.close()
    inputs = [f"{site}/news/long.html", f"{site}/to-ftp", dead, f"{site}/files/chart.png", f"{site}/news/ferry.html"]
    items = list(iter_articles(inputs, max_bytes=50_000))
    assert [type(i) for i in items] == [InputError] * 4 + [Article]
    reasons = [i.reason for i in items[:4]]
    assert "page too large" in reasons[0] and "see --max-bytes" in reasons[0]
    assert "redirected to a non-http(s) address" in reasons[1]
    assert reasons[2].startswith("cannot fetch:")
    assert reasons[3] == "not an HTML page, a feed or a sitemap (content type image/png)"
    assert all("\n" not in r for r in reasons)
    with pytest.raises(InputError, match=r"no answer within 0\.3 s"):
        fetch(f"{site}/slow", 10_000, timeout=0.3)


def test_analyze_a_feed_url_end_to_end_finds_a_quote_and_its_speaker(site):
    r = run_cli("analyze", f"{site}/quotes.rss", "--only", "quotes", "--format", "json")
    assert r.returncode == 0, r.stderr
    [record] = [json.loads(line) for line in r.stdout.splitlines()]  # a feed is a collection: JSON Lines
    assert record["id"] == f"{site}/news/bridge.html" and record["metadata"]["url"] == record["id"]
    quote = next(q for q in record["quotes"] if "open the bridge" in q["text"])
    assert quote["speaker"]["name"] == "Ellen Porter"
    assert record["text"][quote["start"] : quote["end"]] == quote["text"]


# --- WARC files ---


def _warc(path: Path, compress: bool) -> None:
    """A small crawl: two news pages, a 404, an image, a request record, and a response with a garbled HTTP head."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=compress)

        def response(uri: str, status: str, content_type: str, body: bytes, when: str) -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": when}
            )
            writer.write_record(record)

        request = writer.create_warc_record(
            "https://gazette.test/news/bridge.html",
            "request",
            payload=io.BytesIO(b"GET /news/bridge.html HTTP/1.1\r\nHost: gazette.test\r\n\r\n"),
        )
        writer.write_record(request)
        page = _page("Bridge to reopen", BRIDGE, "2024-03-05").encode()
        response(
            "https://gazette.test/news/bridge.html", "200 OK", "text/html; charset=utf-8", page, "2024-03-05T10:00:00Z"
        )
        response(
            "https://gazette.test/gone.html",
            "404 Not Found",
            "text/html",
            b"<html>Not found</html>",
            "2024-03-05T10:01:00Z",
        )
        response("https://gazette.test/chart.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n", "2024-03-05T10:02:00Z")
        block = b"GARBLED\r\n\r\n<html><body>nothing</body></html>"
        head = (
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://gazette.test/garbled.html\r\n"
            "WARC-Date: 2024-03-05T10:03:00Z\r\nWARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789abc>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
        ).encode()
        f.write(gzip.compress(head + block + b"\r\n\r\n") if compress else head + block + b"\r\n\r\n")
        page = _page("Library hours", LIBRARY).encode("utf-8")
        response("https://gazette.test/news/library.html", "200 OK", "text/html", page, "2024-03-06T07:30:00Z")


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_a_warc_file_yields_its_html_pages_with_status_200(tmp_path, name):
    path = tmp_path / name
    _warc(path, compress=name.endswith(".gz"))
    items = list(iter_articles([str(path)]))
    assert [i.id if isinstance(i, Article) else i.source for i in items] == [
        "https://gazette.test/news/bridge.html",
        "https://gazette.test/garbled.html",
        "https://gazette.test/news/library.html",
    ]  # the request, the 404 and the image are skipped without a word; the garbled record is one error
    bridge, garbled, library = items
    assert isinstance(bridge, Article) and isinstance(library, Article) and isinstance(garbled, InputError)
    assert SENTENCE["news/bridge.html"] in bridge.text and bridge.metadata.url == bridge.id
    assert (bridge.metadata.date, bridge.metadata.source) == ("2024-03-05", SITE)
    assert SENTENCE["news/library.html"] in library.text
    assert library.metadata.date == "2024-03-06"  # none in the page: WARC-Date's day
    assert "no status line" in garbled.reason
    assert names_collection([str(path)])


def test_a_truncated_warc_gz_ends_with_one_error_after_the_records_before_the_cut(tmp_path):
    whole = tmp_path / "whole.warc.gz"
    _warc(whole, compress=True)
    data = whole.read_bytes()
    # Cut inside the last page, the half-read page is no article; cut inside the last gzip trailer, the page is whole.
    for cut, last_page_read in ((len(data) - 100, False), (len(data) - 4, True)):
        path = tmp_path / f"cut-{cut}.warc.gz"
        path.write_bytes(data[:cut])
        items = list(iter_articles([str(path)]))
        kinds = [Article, InputError] + [Article] * last_page_read + [InputError]
        assert [type(i) for i in items] == kinds, cut
        assert items[-1].source == str(path) and items[-1].reason.startswith("truncated file")
        assert sum(isinstance(i, InputError) and i.reason.startswith("truncated") for i in items) == 1


def test_a_file_named_warc_that_is_not_one_is_one_error(tmp_path):
    path = tmp_path / "notes.warc"
    path.write_text("These are my notes, not an archive.\n")
    [err] = list(iter_articles([str(path)]))
    assert isinstance(err, InputError) and err.reason.startswith("not a WARC file")
