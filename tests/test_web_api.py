"""The web app (presslens serve) through its HTTP interface: every page and /api endpoint, the write token,
hostile strings from articles and fact-check records, limits, and the security headers; SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install -e '.[web]')")

from fastapi.testclient import TestClient  # noqa: E402

from conftest import ARTICLES, REPO, run_cli  # noqa: E402

TOKEN = "test-write-token-0123456789"
OUTLETS = ("Example Wire", "Daily Example", "Example Post")
XSS = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE quotes; --"
HOSTILE_TEXT = (
    f"{XSS} Minister speaks\n\n"
    f'LONDON — Finance minister Robert Smith said on Monday that "{XSS} taxes will rise by 5 percent next year."\n\n'
    f'"We will never accept {IMG} or javascript:alert(3) in our budget," Smith told reporters.\n\n'
    f"Opposition leader Jane Doe denied that taxes would rise, calling the claim {SQL} nonsense.\n"
)
HOSTILE_ARTICLE = {
    "id": f"hostile-{XSS}",
    "title": f"{XSS} Minister {IMG} speaks",
    "text": HOSTILE_TEXT,
    "url": "javascript:alert(1)",
    "date": "2026-11-30",
    "source": f"Evil {IMG} Times",
    "author": SQL,
}
HOSTILE_FACT_CHECK = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "javascript:alert(1)",
    "datePublished": "2026-11-30",
    "claimReviewed": f"{XSS} Taxes will rise by 5 percent next year",
    "headline": f"{IMG} headline",
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": f"Robert {IMG} Smith"}},
    "author": {"@type": "Organization", "name": f"{IMG} desk"},
    "reviewRating": {"@type": "Rating", "alternateName": f"<b>False</b>{XSS}"},
}


def corpus_jsonl(path: Path, hostile: bool = True) -> Path:
    """The example articles with dates and outlets (so that the charts have something to show), plus one
    article made of hostile strings."""
    records = []
    texts = [REPO / "examples" / "kremlin-interview.txt", *sorted(ARTICLES.glob("*.txt"))]
    for i, f in enumerate(texts):
        records.append(
            {
                "id": f.stem,
                "text": f.read_text(encoding="utf-8"),
                "url": f"https://example.org/news/{f.stem}",
                "date": f"2026-11-{20 + i % 8:02d}",
                "source": OUTLETS[i % len(OUTLETS)],
            }
        )
    if hostile:
        records.append(HOSTILE_ARTICLE)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def build_store(folder: Path, db: str | None = None, hostile: bool = True) -> tuple[str, Path]:
    """A store (SQLite in ``folder`` unless ``db`` names one) of the examples and a knowledge base (the example
    fact-checks and a hostile one) that its claims were matched against; returns (db, kb)."""
    from presslens.corpus import ingest
    from presslens.options import Options

    folder.mkdir(parents=True, exist_ok=True)
    kb = folder / "factchecks.sqlite"
    if not kb.exists():
        hostile_fc = folder / "hostile-factcheck.json"
        hostile_fc.write_text(json.dumps([HOSTILE_FACT_CHECK]), encoding="utf-8")
        sources = [str(REPO / "examples" / "factchecks.json")] + ([str(hostile_fc)] if hostile else [])
        assert run_cli("factchecks", "import", *sources, "--kb", str(kb)).returncode == 0
    db = db or str(folder / "corpus.db")
    sources = [
        str(corpus_jsonl(folder / "corpus.jsonl", hostile)),
        *map(str, sorted((REPO / "examples" / "feed").glob("*.html"))),
    ]
    report = ingest(sources, db, options=Options(fast=True, workers=1, kb=str(kb)))
    assert report.failed == 0, report.errors
    return db, kb


def shared_sqlite_store(tmp_path_factory) -> tuple[str, Path]:
    """One SQLite store for the session, shared by the API and the browser tests."""
    folder = tmp_path_factory.getbasetemp() / "web-sqlite"
    if not (folder / "done").exists():
        build_store(folder)
        (folder / "done").touch()
    return str(folder / "corpus.db"), folder / "factchecks.sqlite"


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory) -> tuple[str, Path]:
    return shared_sqlite_store(tmp_path_factory)


@pytest.fixture(scope="session")
def pg_store(pg_server, sqlite_store, tmp_path_factory) -> tuple[str, Path]:
    name = f"web_{uuid.uuid4().hex[:10]}"
    url = pg_server.create_database(name)
    folder = tmp_path_factory.mktemp("web-pg")
    shutil.copy(sqlite_store[1], folder / "factchecks.sqlite")  # the same knowledge base: not imported again
    db, _ = build_store(folder, url)
    yield db, sqlite_store[1]
    pg_server.drop_database(name)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def store(request) -> tuple[str, Path]:
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "pg_store")


def make_client(db: str, kb: Path, token: str | None = TOKEN, **kw) -> TestClient:
    from presslens.options import Options
    from presslens.web import create_app

    app = create_app(db, kb, write_token=token, options=Options(fast=True, kb=str(kb)), **kw)
    return TestClient(app)


@pytest.fixture(scope="session")
def client(store) -> TestClient:
    with make_client(*store) as c:
        yield c


@pytest.fixture(scope="session")
def ids(client) -> dict[str, int]:
    """A speaker, a claim cluster and an article of the store, the hostile ones among them."""
    d = client.get("/api/dashboard").json()
    hostile = client.get("/api/search", params={"kind": "articles", "q": "budget"}).json()["hits"]
    assert hostile, "the hostile article is not found by its words"
    claims = client.get("/api/search", params={"kind": "claims", "q": "taxes rise percent"}).json()["hits"]
    assert claims
    smith = client.get("/api/speakers", params={"name": "Smith"}).json()
    return {
        "speaker": d["top_speakers"][0]["id"],
        "claim": d["top_claims"][0]["cluster"],
        "article": client.get("/api/search", params={"kind": "articles", "q": "Peskov"}).json()["hits"][0]["id"],
        "hostile_article": hostile[0]["id"],
        "hostile_claim": claims[0]["cluster"],
        "hostile_speaker": smith[0]["id"] if smith else d["top_speakers"][0]["id"],
    }


def pages(ids: dict[str, int]) -> list[str]:
    return [
        "/",
        "/?since=2026-11-21&until=2026-11-25",
        "/search",
        "/search?q=Peskov",
        "/search?kind=claims&disputed=yes",
        "/search?kind=articles&q=taxes",
        "/speakers",
        "/speakers?name=pesk",
        f"/speaker/{ids['speaker']}",
        f"/speaker/{ids['hostile_speaker']}",
        "/claims",
        f"/claim/{ids['claim']}",
        f"/claim/{ids['hostile_claim']}",
        f"/article/{ids['article']}",
        f"/article/{ids['hostile_article']}?start=10&end=40",
        "/analyse",
        "/factchecks",
        f"/factchecks?q={XSS}taxes",
        "/docs",
    ]


def apis(ids: dict[str, int]) -> list[str]:
    return [
        "/api/dashboard",
        "/api/dashboard?since=2026-11-21&until=2026-11-25&top=3",
        "/api/search?q=Peskov",
        "/api/search?kind=claims&fact_checked=yes",
        "/api/search?kind=articles&technique=Loaded_Language",
        "/api/speakers",
        "/api/speakers?name=Smith",
        f"/api/speakers/{ids['speaker']}",
        "/api/claims",
        f"/api/claims/{ids['claim']}",
        f"/api/articles/{ids['article']}",
        f"/api/articles/{ids['hostile_article']}",
        "/api/factchecks",
        "/api/factchecks?q=taxes",
        "/openapi.json",
    ]


def test_every_page_and_endpoint_answers(client, ids):
    for path in pages(ids):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert r.headers["content-type"].startswith("text/html"), path
    for path in apis(ids):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert r.headers["content-type"] == "application/json", path
        r.json()


def test_openapi_lists_every_api_endpoint_and_docs_need_no_cdn(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/dashboard", "/api/search", "/api/speakers/{speaker_id}", "/api/claims/{cluster_id}",
                 "/api/articles/{version_id}", "/api/analyse", "/api/factchecks", "/api/factchecks/import"):  # fmt: skip
        assert path in spec["paths"], path
    docs = client.get("/docs").text
    assert "/api/search" in docs and "cdn" not in docs.lower()
    assert not re.search(r'(src|href)="(https?:)?//', docs)  # nothing loaded from elsewhere


def test_pages_load_nothing_from_elsewhere_and_carry_the_csp(client, ids):
    for path in [*pages(ids), *apis(ids), "/static/app.js", "/static/chart.umd.min.js", "/nope", "/api/nope"]:
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert r.headers.get("x-content-type-options") == "nosniff", path
        if r.headers["content-type"].startswith("text/html"):
            assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", r.text), (path, "inline script")
            assert not re.search(r'(src|href)="(https?:)?//(?!example\.org)', r.text), path


def test_dashboard_counts_and_charts(client):
    d = client.get("/api/dashboard").json()
    counts = d["counts"]
    assert counts["articles"] == 15 and counts["outlets"] >= 4 and counts["quotes"] > 50
    assert sum(r["articles"] for r in d["articles_per_day"]) == counts["articles"]
    assert any(s["name"] == "Dmitry Peskov" for s in d["top_speakers"][:3])
    assert d["prevalence"]["outlets"] and d["prevalence"]["frames"]["labels"]
    page = client.get("/").text
    assert page.count("<canvas") >= 3 and "Dmitry Peskov" in page and "chart.umd.min.js" in page
    narrow = client.get("/api/dashboard", params={"since": "2026-11-21", "until": "2026-11-21"}).json()
    assert sum(r["articles"] for r in narrow["articles_per_day"]) < counts["articles"]


def test_search_facets_pages_and_links_to_the_span(client):
    r = client.get("/api/search", params={"q": "troops", "per_page": 2}).json()
    assert r["total"] >= 3 and len(r["hits"]) == 2 and r["pages"] >= 2
    page2 = client.get("/api/search", params={"q": "troops", "per_page": 2, "page": 2}).json()
    assert {h["id"] for h in page2["hits"]}.isdisjoint(h["id"] for h in r["hits"])
    assert {f["value"] for f in r["facets"]["outlet"]} and r["facets"]["quote_kind"]
    outlet = r["facets"]["outlet"][0]
    narrowed = client.get("/api/search", params={"q": "troops", "outlet": outlet["value"]}).json()
    assert narrowed["total"] == outlet["count"]
    hit = r["hits"][0]
    article = client.get(f"/api/articles/{hit['version']}").json()
    assert article["analysis"]["text"][hit["start"] : hit["end"]] == hit["text"]
    html = client.get("/search", params={"q": "troops"}).text
    assert f'href="/article/{hit["version"]}?start={hit["start"]}&amp;end={hit["end"]}#hit"' in html
    shown = client.get(f"/article/{hit['version']}", params={"start": hit["start"], "end": hit["end"]}).text
    assert 'id="hit"' in shown
    disputed = client.get("/api/search", params={"kind": "claims", "disputed": "yes"}).json()
    assert disputed["total"] > 0 and all(h["disputed"] for h in disputed["hits"])
    checked = client.get("/api/search", params={"kind": "claims", "fact_checked": "yes"}).json()
    assert checked["total"] > 0
    peskov = client.get("/api/speakers", params={"name": "Peskov"}).json()[0]
    by_id = client.get("/api/search", params={"speaker_id": peskov["id"]}).json()
    assert by_id["total"] == peskov["quotes"]
    assert client.get("/api/search", params={"since": "yesterday"}).status_code == 400
    assert client.get("/api/search", params={"kind": "tables"}).status_code == 400


def test_speaker_claim_and_article_pages_link_to_each_other(client):
    peskov = client.get("/api/speakers", params={"name": "Peskov"}).json()[0]
    sp = client.get(f"/api/speakers/{peskov['id']}").json()
    assert sp["speaker"]["name"] == "Dmitry Peskov" and sp["quote_count"] == peskov["quotes"]
    assert sp["timeline"] and len(sp["outlets"]) >= 2 and sp["claims"]
    page = client.get(f"/speaker/{peskov['id']}").text
    cluster = sp["claims"][0]["cluster"]
    assert f'href="/claim/{cluster}"' in page
    claim = client.get(f"/api/claims/{cluster}").json()
    assert claim["mentions"] and claim["cluster"]["id"] == cluster
    version = claim["mentions"][0]["version"]
    assert f'href="/article/{version}?start=' in client.get(f"/claim/{cluster}").text
    art = client.get(f"/article/{version}").text
    assert f'href="/speaker/{peskov["id"]}"' in art and f'href="/claim/{cluster}"' in art
    assert f'<span class="sw"></span><a href="/speaker/{peskov["id"]}">Dmitry Peskov</a>' in art  # in the report
    assert 'data-layer="quotes"' in art and "/static/report.js" in art  # the report, its layers and script


def test_claim_page_shows_fact_checks_with_safe_links(client):
    checked = client.get("/api/search", params={"kind": "claims", "fact_checked": "yes"}).json()["hits"]
    cluster = next(h["cluster"] for h in checked if "Donbas" in h["text"])
    d = client.get(f"/api/claims/{cluster}").json()
    assert d["fact_checks"] and d["fact_checks"][0]["rating"]
    page = client.get(f"/claim/{cluster}").text
    assert 'href="https://example.org/factchecks/' in page


def test_unknown_things_are_404(client):
    for path in ("/speaker/999999", "/claim/999999", "/article/999999", "/api/speakers/999999", "/api/claims/999999"):
        assert client.get(path).status_code == 404, path
    assert client.get("/speaker/abc").status_code == 400
    assert client.get("/api/speakers/abc").status_code == 422


# -- hostile input --------------------------------------------------------------------------------------------
def _assert_inert(path: str, body: str) -> None:
    assert XSS not in body, (path, "raw <script> from the data")
    assert "<img src=x" not in body, (path, "raw <img> from the data")
    assert "<b>False</b>" not in body, (path, "raw markup from a rating")
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", body, re.I), (path, "javascript: link")


def test_hostile_strings_are_escaped_on_every_page(client, ids):
    for path in pages(ids):
        r = client.get(path)
        _assert_inert(path, r.text)
    # the hostile article's page shows its words, escaped
    art = client.get(f"/article/{ids['hostile_article']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in art
    assert 'href="javascript:' not in art
    fc = client.get("/factchecks").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Taxes will rise" in fc


def test_hostile_strings_come_back_as_json_data(client, ids):
    d = client.get(f"/api/articles/{ids['hostile_article']}").json()
    assert d["article"]["title"] == HOSTILE_ARTICLE["title"] and d["article"]["url"] == "javascript:alert(1)"
    fc = client.get("/api/factchecks", params={"q": "taxes percent"}).json()
    assert any(r["claim_reviewed"] == HOSTILE_FACT_CHECK["claimReviewed"] for r in fc["records"])


@pytest.mark.parametrize(
    "params",
    [
        {"q": SQL},
        {"q": '" OR 1=1 --'},
        {"q": 'NEAR("a" "b") AND * OR ^'},
        {"q": XSS},
        {"speaker": "%' OR 1=1 --"},
        {"speaker": "_"},
        {"outlet": "' OR '1'='1"},
        {"technique": "x' OR 'a'='a"},
        {"quote_kind": "direct' --"},
        {"kind": "claims", "q": SQL, "speaker": "%"},
        {"kind": "articles", "q": "budget", "outlet": f"Evil {IMG} Times"},
    ],
)
def test_injection_strings_in_search_are_only_words(client, params):
    before = client.get("/api/dashboard").json()["counts"]
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    hits = r.json()
    if "outlet" in params and "Evil" not in params["outlet"] or "technique" in params or "quote_kind" in params:
        assert hits["total"] == 0  # a filter value is compared, never executed
    if params.get("speaker") == "%' OR 1=1 --":
        assert hits["total"] == 0
    page = client.get("/search", params=params)
    assert page.status_code == 200
    _assert_inert("/search", page.text)
    assert client.get("/api/dashboard").json()["counts"] == before  # nothing dropped


def test_hostile_outlet_filter_finds_its_article(client):
    r = client.get("/api/search", params={"kind": "articles", "outlet": HOSTILE_ARTICLE["source"]}).json()
    assert r["total"] == 1


# -- writing --------------------------------------------------------------------------------------------------
def test_a_read_only_server_refuses_writes(sqlite_store):
    with make_client(*sqlite_store, token=None) as c:
        r = c.post("/api/factchecks/import", files={"file": ("x.json", b"[]")}, headers={"X-PressLens-Token": "x"})
        assert r.status_code == 403 and "read-only" in r.json()["detail"]
        r = c.post("/api/analyse", json={"text": "Hello world said Bob.", "save": True})
        assert r.status_code == 403
        assert "disabled" in c.get("/analyse").text


def test_the_write_token_is_required_to_write(client, tmp_path):
    record = dict(
        HOSTILE_FACT_CHECK, claimReviewed=f"{IMG} The moon is made of cheese", url="https://example.org/fc/moon"
    )
    files = {"file": ("moon.json", json.dumps(record).encode())}
    assert client.post("/api/factchecks/import", files=files).status_code == 401
    r = client.post("/api/factchecks/import", files=files, headers={"Authorization": "Bearer wrong-token-000000"})
    assert r.status_code == 403
    r = client.post("/factchecks/import", files=files, data={"token": "wrong"})
    assert r.status_code == 403 and "wrong write token" in r.text
    r = client.post("/api/factchecks/import", files=files, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.json()["added"] + r.json()["unchanged"] == 1
    if r.json()["embedding"]:  # new: embedded in the background (presslens factchecks index) for semantic matching
        _wait_until_embedded(client.app.state.settings.kb)
    page = client.post("/factchecks/import", files=files, data={"token": TOKEN})
    assert page.status_code == 200 and "1 unchanged" in page.text
    found = client.get("/factchecks", params={"q": "moon cheese"}).text
    assert "The moon is made of cheese" in found and 'href="https://example.org/fc/moon"' in found
    _assert_inert("/factchecks", found)


def test_sizes_are_limited(client):
    from presslens.web.security import MAX_BODY_BYTES, MAX_TEXT_CHARS

    r = client.post("/api/analyse", json={"text": "a " * (MAX_TEXT_CHARS // 2 + 1)})
    assert r.status_code == 413
    r = client.post(
        "/api/factchecks/import",
        content=b"x" * 10,
        headers={"content-length": str(MAX_BODY_BYTES + 1), "content-type": "application/json"},
    )
    assert r.status_code == 413
    big = b"x" * (20 * 1024 * 1024 + 1)
    r = client.post("/api/factchecks/import", files={"file": ("big.json", big)}, headers={"X-PressLens-Token": TOKEN})
    assert r.status_code == 413


def test_analyse_saves_with_the_token_and_stops_at_the_time_limit(sqlite_store, tmp_path):
    db = tmp_path / "copy.db"  # this test writes: a copy of the shared store
    shutil.copy(sqlite_store[0], db)
    text = (ARTICLES / "interview.txt").read_text(encoding="utf-8")
    with make_client(str(db), sqlite_store[1], analysis_timeout=120) as c:
        r = c.post("/api/analyse", json={"text": text, "source": "Pasted Daily", "date": "2026-12-01"})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["stored_version"] is None and out["analysis"]["quotes"]
        assert c.post("/api/analyse", json={"text": text, "save": True}).status_code == 401
        r = c.post(
            "/api/analyse",
            json={"text": text, "save": True, "source": "Pasted Daily"},
            headers={"X-PressLens-Token": TOKEN},
        )
        assert r.status_code == 200, r.text
        version = r.json()["stored_version"]
        assert version and c.get(f"/article/{version}").status_code == 200
        assert c.get("/api/search", params={"kind": "articles", "outlet": "Pasted Daily"}).json()["total"] == 1
        form = c.post("/analyse", data={"text": f"{XSS} said nothing. " + text})
        assert form.status_code == 200 and 'data-layer="quotes"' in form.text
        _assert_inert("/analyse", form.text)
        c.app.state.analyser.timeout = 0.001
        r = c.post("/api/analyse", json={"text": text})
        assert r.status_code == 504 and "stopped" in r.json()["detail"]
        assert c.post("/api/analyse", json={"text": "   "}).status_code == 400


def test_serve_refuses_a_missing_store_and_warns_on_a_public_address(tmp_path, monkeypatch):
    r = run_cli("serve", "--db", str(tmp_path / "none.db"))
    assert r.returncode == 1 and "no store" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("serve", "--db", str(tmp_path / "none.db"), "--write-token", "short")
    assert r.returncode == 1 and "too short" in r.stderr
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    from presslens.store import open_engine

    open_engine(tmp_path / "s.db").dispose()
    r = run_cli("serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0")
    assert r.returncode == 0 and "WARNING" in r.stderr and "without a write token" in r.stderr
    assert calls[-1]["host"] == "0.0.0.0"
    r = run_cli("serve", "--db", str(tmp_path / "s.db"))
    assert r.returncode == 0 and "WARNING" not in r.stderr and calls[-1]["host"] == "127.0.0.1"


def test_serve_with_workers_answers_from_each_process(sqlite_store, tmp_path):
    """``presslens serve --workers 2`` as a user starts it: two processes, each with the whole app."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    assert run_cli("serve", "--db", sqlite_store[0], "--workers", "0").returncode == 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "presslens", "serve", "--db", sqlite_store[0], "--kb", str(sqlite_store[1])]
    cmd += ["--port", str(port), "--workers", "2", "--write-token", TOKEN]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    try:
        deadline = time.time() + 120
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            while _store_holders(proc.pid, sqlite_store[0]) < 2 and time.time() < deadline:
                time.sleep(0.3)
            assert _store_holders(proc.pid, sqlite_store[0]) == 2, log.read_text()  # each worker opened the store
            for _ in range(6):
                r = http.get("/api/search", params={"q": "Peskov"})
                assert r.status_code == 200 and r.json()["hits"], r.text
            assert http.post("/api/analyse", json={"text": "x", "save": True}).status_code == 401  # the token holds
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def _store_holders(pid: int, db: str) -> int:
    """How many of ``pid``'s child processes have the store file open (Linux: /proc)."""
    children = [c for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    held = 0
    for child in children:
        with contextlib.suppress(OSError):  # a child that ended meanwhile
            held += any(os.path.realpath(fd) == os.path.realpath(db) for fd in Path(f"/proc/{child}/fd").iterdir())
    return held


def _wait_until_embedded(kb: Path, timeout: float = 180.0) -> None:
    import time

    from presslens.factchecks.encoder import encoder_name
    from presslens.factchecks.store import KnowledgeBase

    deadline = time.monotonic() + timeout
    while True:
        with KnowledgeBase(kb, readonly=True) as base:
            if base.missing_embeddings(encoder_name()) == 0:
                return
        assert time.monotonic() < deadline, "the imported fact-check was not embedded in the background"
        time.sleep(0.5)


def test_only_http_links_and_loopback_addresses():
    from presslens.web.security import is_loopback, safe_url, token_error

    assert safe_url("https://example.org/a?b=c") == "https://example.org/a?b=c"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>", "//evil.example/x", "http://",
                "https://ex ample.org", 'https://example.org/"onmouseover=x', None, 42, "ftp://example.org/f"):  # fmt: skip
        assert safe_url(bad) is None, bad
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    assert token_error(None, "anything")[0] == 403
    assert token_error("s3cret-token-xyz", None)[0] == 401
    assert token_error("s3cret-token-xyz", "s3cret-token-xy")[0] == 403
    assert token_error("s3cret-token-xyz", "s3cret-token-xyz") is None


def test_a_search_past_its_counting_bounds_says_at_least_and_still_pages(client, monkeypatch):
    from presslens.web import search

    every = client.get("/api/search", params={"per_page": 100}).json()  # no words: every quote, newest first
    assert every["total_exact"] and every["total"] >= 4
    monkeypatch.setattr(search, "EXACT", 1)
    monkeypatch.setattr(search, "SAMPLE", 3)  # as if the store held more quotes than are counted at 200,000
    capped = client.get("/api/search", params={"per_page": 2}).json()
    assert not capped["total_exact"] and capped["total"] == 3 and capped["pages"] >= 2
    assert [h["text"] for h in capped["hits"]] == [h["text"] for h in every["hits"][:2]]  # the same newest hits
    second = client.get("/api/search", params={"per_page": 2, "page": 3}).json()
    assert [h["text"] for h in second["hits"]] == [h["text"] for h in every["hits"][4:6]]  # past the sample too
    page = client.get("/search", params={"per_page": 2})
    assert page.status_code == 200 and "At least 3 quotes found" in page.text


def test_a_claim_cluster_page_lists_its_mentions_a_page_at_a_time(client, store):
    from presslens.store import open_engine
    from presslens.web import data

    biggest = max(client.get("/api/claims", params={"top": 50}).json(), key=lambda c: c["articles"])
    whole = client.get(f"/api/claims/{biggest['cluster']}").json()
    n = whole["mention_count"]
    assert n >= 2 and len(whole["mentions"]) == n and whole["pages"] == 1
    # the counts agree with the mentions listed: earliest first, a timeline of them, their articles and outlets
    order = [(m["day"] or "", m["version"], m["start"]) for m in whole["mentions"]]
    assert order == sorted(order) and sum(t["mentions"] for t in whole["timeline"]) == n
    assert whole["articles"] == len({m["version"] for m in whole["mentions"]}) == biggest["articles"]
    assert whole["outlets"] == sorted({m["outlet"] for m in whole["mentions"]})
    engine = open_engine(store[0], create=False)
    with engine.connect() as conn:  # one mention a page, as the biggest clusters have 200 of thousands
        first = data.claim(conn, biggest["cluster"], page=1, per_page=1)
        last = data.claim(conn, biggest["cluster"], page=n, per_page=1)
        past = data.claim(conn, biggest["cluster"], page=n + 5, per_page=1)
    engine.dispose()
    assert first["pages"] == n and first["mention_count"] == n
    assert _mentions(first["mentions"]) == _mentions(whole["mentions"][:1])
    assert _mentions(last["mentions"]) == _mentions(whole["mentions"][-1:]) and past["page"] == n


def _mentions(rows: list[dict]) -> list[tuple]:
    return [(m["article"], m["start"], m["text"]) for m in rows]


@pytest.mark.parametrize("q, speaker", [("troop", "peskov"), ("nato", "pesk")])
def test_a_search_with_words_and_a_speaker_finds_the_same_hits_by_every_plan(client, store, monkeypatch, q, speaker):
    """At 200,000 articles words and a speaker that each keep thousands of quotes are intersected in the indexes
    (search._both); here the bounds are moved so that each plan runs on the small store, against the plain one."""
    from presslens.web import search

    params = {"q": q, "speaker": speaker, "per_page": 100}
    plain = client.get("/api/search", params=params).json()
    assert plain["total_exact"] and plain["hits"] and all(q in h["text"].lower() for h in plain["hits"])
    calls: list[int] = []
    both_of = search._both
    monkeypatch.setattr(search, "_both", lambda *a: calls.append(1) or both_of(*a))
    # words and speaker both "keep more than EXACT": intersected; then either the few ids both keep, found once
    # (EXACT the hits' number), or more than EXACT (0), tested on the newest quotes
    for exact in (plain["total"], 0):
        monkeypatch.setattr(search, "EXACT", exact)
        both = client.get("/api/search", params=params).json()
        assert [h["text"] for h in both["hits"]] == [h["text"] for h in plain["hits"]]
        assert both["facets"]["outlet"] == plain["facets"]["outlet"]
    assert calls or store[0].startswith("postgresql")  # the intersection ran (on SQLite; PostgreSQL plans its own)
    monkeypatch.setattr(search, "INTERSECT", 0)  # the words too common to intersect: newest first, each tested
    newest = client.get("/api/search", params=params).json()
    assert [h["text"] for h in newest["hits"]] == [h["text"] for h in plain["hits"]]


def test_a_search_of_disputed_claims_finds_the_same_hits_when_intersected(client, store, monkeypatch):
    """Disputed claims are about 1 % of a corpus: a word's disputed claims are intersected in the indexes (on
    SQLite, once the word is in more than EXACT claims); here EXACT is moved so that it runs on the small store."""
    from presslens.web import search

    disputed = client.get("/api/search", params={"kind": "claims", "disputed": "yes", "per_page": 100}).json()
    assert disputed["hits"], "the store has disputed claims"
    word = max(re.findall(r"[a-z]{5,}", disputed["hits"][0]["text"].lower()), key=len)
    params = {"kind": "claims", "disputed": "yes", "q": word, "per_page": 100}
    plain = client.get("/api/search", params=params).json()
    assert plain["hits"] and all(h["disputed"] for h in plain["hits"])
    calls: list[int] = []
    both_of = search._both
    monkeypatch.setattr(search, "_both", lambda *a: calls.append(1) or both_of(*a))
    for exact in (plain["total"], 0):  # the few ids found once, or more than EXACT tested newest first
        monkeypatch.setattr(search, "EXACT", exact)
        found = client.get("/api/search", params=params).json()
        assert [h["text"] for h in found["hits"]] == [h["text"] for h in plain["hits"]]
        assert found["total"] == plain["total"] or not found["total_exact"]
    assert calls or store[0].startswith("postgresql")
    # a word in more claims than are intersected: the disputed claims are read (their partial index), the word
    # tested on each, and every hit counted
    monkeypatch.setattr(search, "INTERSECT", 0)
    disputed_of, calls[:] = search._disputed_claims, []
    monkeypatch.setattr(search, "_disputed_claims", lambda *a: calls.append(1) or disputed_of(*a))
    read = client.get("/api/search", params=params).json()
    assert [h["text"] for h in read["hits"]] == [h["text"] for h in plain["hits"]]
    assert read["total"] == plain["total"] and read["facets"] == plain["facets"]
    assert calls or store[0].startswith("postgresql")
