"""The web app as a person uses it: real headless Chromium (Debian's chromium and chromedriver, driven by
Selenium; nothing downloads a browser) against ``presslens serve``'s app on a free 127.0.0.1 port.

Every page is opened at laptop and phone width, over a SQLite and over a PostgreSQL store, and fails the test on a
browser console error, a broken internal link or a page wider than the phone; screenshots (of the SQLite run) go to
docs/screenshots/ (README, "Web app").
Skipped without chromium; failed instead when PRESSLENS_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ARTICLES, REPO

CHROMIUM = Path(os.environ.get("PRESSLENS_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("PRESSLENS_CHROMEDRIVER", "/usr/bin/chromedriver"))
SHOTS = REPO / "docs" / "screenshots"
TOKEN = "browser-test-token-0123456789"
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}


def _missing(reason: str) -> None:
    if os.environ.get("PRESSLENS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PRESSLENS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _need_browser() -> None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        _missing(f"no {CHROMIUM} or {CHROMEDRIVER} (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(backend, tmp_path_factory, request):
    """The app over its own store of the examples (the analyse test saves into it), SQLite or PostgreSQL, served by
    uvicorn in a thread."""
    _need_browser()  # before building the store
    try:
        import uvicorn

        from presslens.options import Options
        from presslens.web import create_app
    except ImportError as exc:
        _missing(f"the web extra is not installed ({exc.name})")
    from test_web_api import build_store, shared_sqlite_store

    pg, name = None, f"browser_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        shared, kb = shared_sqlite_store(tmp_path_factory)
        db = str(tmp_path_factory.mktemp("web-browser") / "corpus.db")
        shutil.copy(shared, db)
    else:  # the same articles ingested into PostgreSQL, matched against a copy of the same knowledge base
        pg = request.getfixturevalue("pg_server")
        folder = tmp_path_factory.mktemp("web-browser-pg")
        shutil.copy(shared_sqlite_store(tmp_path_factory)[1], folder / "factchecks.sqlite")
        db, kb = build_store(folder, pg.create_database(name))
    app = create_app(db, kb, write_token=TOKEN, options=Options(fast=True, kb=str(kb)), analysis_timeout=300)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started:
        assert time.time() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    if pg is not None:
        pg.drop_database(name)


@pytest.fixture(scope="module")
def browser(server):
    _need_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[dev]')")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--lang=en-GB"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _size(driver, name: str, height: int | None = None) -> None:
    width, h = SIZES[name]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height or h, "deviceScaleFactor": 1, "mobile": name == "phone"},
    )


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _open(driver, url: str) -> None:
    driver.get(url)
    driver.execute_script("return document.readyState")
    errors = _errors(driver)
    assert not errors, (url, errors)


def _shoot(driver, name: str, size: str) -> None:
    """A screenshot of the whole page at ``size`` width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    _size(driver, size, min(int(height), 6000))
    time.sleep(0.2)  # charts resize to the new viewport
    driver.save_screenshot(str(SHOTS / f"{name}-{size}.png"))
    _size(driver, size)


def _ids(server: str) -> dict[str, int]:
    import json

    def get(path: str):
        with urllib.request.urlopen(server + path, timeout=30) as r:
            return json.load(r)

    peskov = get("/api/speakers?name=Peskov")[0]["id"]
    speaker = get(f"/api/speakers/{peskov}")
    cluster = next(c["cluster"] for c in speaker["claims"] if c["cluster"])
    article = get(f"/api/claims/{cluster}")["mentions"][0]["version"]
    return {"speaker": peskov, "claim": cluster, "article": article}


def _pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "dashboard": "/",
        "search": "/search?q=troops",
        "speakers": "/speakers",
        "speaker": f"/speaker/{ids['speaker']}",
        "claims": "/claims",
        "claim": f"/claim/{ids['claim']}",
        "article": f"/article/{ids['article']}",
        "analyse": "/analyse",
        "factchecks": "/factchecks",
        "docs": "/docs",
    }


_WIDE = """var w = document.documentElement.clientWidth, out = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect(); if (r.right > w + 1) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
}); return out.slice(0, 12);"""


def test_every_page_at_laptop_and_phone_width(server, browser, backend):
    from selenium.webdriver.common.by import By

    pages = _pages(_ids(server))
    for size in SIZES:
        _size(browser, size)
        for name, path in pages.items():
            _open(browser, server + path)
            assert browser.find_element(By.TAG_NAME, "h1").text.strip() or name == "article", (name, "no heading")
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = browser.execute_script(_WIDE) if overflow > 1 else []
            assert overflow <= 1, (name, size, f"the page is {overflow}px wider than the window", wide)
            if backend == "sqlite":  # the README's screenshots: one set
                _shoot(browser, name, size)
    _open(browser, server + "/")
    drawn = browser.execute_script(
        "return Array.from(document.querySelectorAll('canvas[data-chart]')).filter(c => Chart.getChart(c)).length"
    )
    assert drawn >= 3, "the dashboard's charts were not drawn"


def test_dark_scheme_follows_the_system(server, browser):
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    try:
        _size(browser, "laptop")
        _open(browser, server + "/")
        bg = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        channels = [int(x) for x in bg[bg.index("(") + 1 : bg.index(")")].split(",")[:3]]
        assert max(channels) < 80, bg
        _shoot(browser, "dashboard-dark", "laptop")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_search_then_follow_a_speaker_to_a_claim_to_an_article(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _size(browser, "laptop")
    _open(browser, server + "/search")
    box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    from selenium.webdriver.support.ui import WebDriverWait

    box.send_keys("troops", Keys.ENTER)  # the keyboard submits the form
    WebDriverWait(browser, 20).until(lambda b: "q=troops" in b.current_url)  # the navigation, not a fixed sleep
    assert "q=troops" in browser.current_url
    hits = browser.find_elements(By.CSS_SELECTOR, "ol.hits li.hit")
    assert hits, "no hits for troops"
    assert not _errors(browser)
    # the facet links narrow the search
    browser.find_element(By.CSS_SELECTOR, ".facetlist a").click()
    WebDriverWait(browser, 20).until(lambda b: "outlet=" in b.current_url or "quote_kind=" in b.current_url)
    assert "outlet=" in browser.current_url or "quote_kind=" in browser.current_url
    # a speaker: from the speakers list
    _open(browser, server + "/speakers?name=Peskov")
    browser.find_element(By.LINK_TEXT, "Dmitry Peskov").click()
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Dmitry Peskov")
    assert not _errors(browser)
    # ... to one of their claims' cluster
    browser.find_element(By.PARTIAL_LINK_TEXT, "claim cluster #").click()
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Claim cluster #")
    assert not _errors(browser)
    # ... to an article at the claim's words
    link = browser.find_element(By.CSS_SELECTOR, "table.rows td a[href^='/article/']")
    words = link.text
    link.click()
    WebDriverWait(browser, 20).until(lambda b: "#hit" in b.current_url)
    assert "#hit" in browser.current_url
    hit = browser.find_element(By.CSS_SELECTOR, "#hit mark")
    assert hit.text.strip() and hit.text.strip() in words
    assert not _errors(browser)
    # toggle the report's layers
    body = browser.find_element(By.TAG_NAME, "body")
    for layer in ("quotes", "claims"):
        boxes = browser.find_elements(By.CSS_SELECTOR, f".layers input[data-layer={layer}]")
        if not boxes:
            continue
        boxes[0].click()
        assert f"hide-{layer}" in body.get_attribute("class")
        boxes[0].click()
        assert f"hide-{layer}" not in body.get_attribute("class")
    # a quote's details on click
    browser.find_element(By.CSS_SELECTOR, "mark.q").click()
    assert browser.find_element(By.ID, "detail").is_displayed()
    assert not _errors(browser)


def test_keyboard_skip_link_and_focus(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, server + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"


def test_analyse_form_shows_the_report_and_saves_with_the_token(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    text = (ARTICLES / "interview.txt").read_text(encoding="utf-8")
    _size(browser, "laptop")
    _open(browser, server + "/analyse")
    area = browser.find_element(By.ID, "text")
    browser.execute_script("arguments[0].value = arguments[1]", area, text)  # faster than typing it
    browser.find_element(By.NAME, "source").send_keys("Browser Test Daily")
    browser.find_element(By.NAME, "save").click()
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "form.analyse button[type=submit]").click()
    WebDriverWait(browser, 300).until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.ok")))
    assert not _errors(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "mark.q"), "the report shows no quotes"
    _shoot(browser, "analyse-result", "laptop")
    browser.find_element(By.LINK_TEXT, "its article page").click()
    assert "Browser Test Daily" in browser.find_element(By.CSS_SELECTOR, ".articlehead").text
    assert not _errors(browser)


def test_no_broken_internal_links(server, browser):
    """Every link, script, stylesheet and form target on every page leads somewhere that answers 200."""
    from selenium.webdriver.common.by import By

    todo = list(_pages(_ids(server)).values())
    seen_pages: set[str] = set()
    checked: dict[str, int] = {}
    while todo and len(seen_pages) < 40:
        path = todo.pop(0)
        if path in seen_pages:
            continue
        seen_pages.add(path)
        _open(browser, server + path)
        targets = [
            *(a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")),
            *(s.get_attribute("src") for s in browser.find_elements(By.CSS_SELECTOR, "script[src]")),
            *(s.get_attribute("href") for s in browser.find_elements(By.CSS_SELECTOR, "link[href]")),
            *(f.get_attribute("action") for f in browser.find_elements(By.CSS_SELECTOR, "form[method=get]")),
        ]
        for url in targets:
            url = urljoin(server + path, url or "").split("#")[0]
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != server:
                assert parts.scheme in ("http", "https"), (path, url)
                continue
            if url not in checked:
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        checked[url] = r.status
                except urllib.error.HTTPError as exc:
                    checked[url] = exc.code
            assert checked[url] == 200, (path, url, checked[url])
            if parts.path.startswith(("/speaker/", "/claim/", "/article/")) and len(seen_pages) + len(todo) < 40:
                todo.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(checked) > 50
