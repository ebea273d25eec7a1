"""Reading inputs: text, HTML, JSON Lines, directories; normalisation; bad input."""

from __future__ import annotations

import json

import pytest

import presslens
from presslens.errors import InputError
from presslens.ingest import iter_articles, normalize_text
from presslens.ingest.normalize import plain_quotes

HTML = """<!DOCTYPE html><html><head><title>Minister quits | Daily Ledger</title>
<meta name="author" content="Jo Reporter"><meta property="og:site_name" content="Daily Ledger">
<meta property="article:published_time" content="2024-03-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<article><h1>Minister quits over tender scandal</h1>
<p>Transport Minister Ana Costa resigned on Friday, two days after the audit was published.</p>
<p>"I take full responsibility for the failures in my ministry," Costa told reporters outside parliament.</p>
<p>Opposition leader Rui Lopes said the resignation came far too late for the taxpayers who had paid.</p>
</article><footer>Copyright Daily Ledger. Subscribe now!</footer></body></html>"""


def test_normalisation_keeps_offsets_consistent():
    raw = "\ufeffLine one\r\nLine\u00a0two\u200b\r\n“Quote”"
    text = normalize_text(raw)
    assert text == "Line one\nLine two\n“Quote”"
    assert len(plain_quotes(text)) == len(text) and plain_quotes(text).endswith('"Quote"')


def test_html_article_with_metadata():
    a = presslens.analyze(HTML)
    assert "Costa resigned" in a.text or "Costa resigned" in a.text.replace("\n", " ")
    assert "Subscribe now" not in a.text and "Home" not in a.text.split("\n")[0]  # no navigation in the first line
    assert a.title and "Minister quits" in a.title
    assert a.metadata.author == "Jo Reporter"
    assert a.metadata.date and a.metadata.date.startswith("2024-03-02")
    q = next(q for q in a.quotes if "full responsibility" in q.text)
    assert q.speaker.name == "Ana Costa"


def test_plain_text_headline_is_title_and_stays_in_text():
    a = presslens.analyze("Minister says 'no deal' is off the table\n\nThe minister spoke on Friday.")
    assert a.title == "Minister says 'no deal' is off the table"
    assert a.text.startswith(a.title)
    assert any("no deal" in q.text for q in a.quotes)


def test_jsonl_records_and_bad_lines(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": '"Yes," Ann Lee said.', "url": "http://x/a", "date": "2024-01-01"}),
                "{not json",
                json.dumps({"id": "c", "html": HTML, "source": "Ledger"}),
                json.dumps({"id": "d"}),
                json.dumps({"id": "e", "text": "   "}),
            ]
        ),
        encoding="utf-8",
    )
    items = list(iter_articles([str(f)]))
    good = [x for x in items if not isinstance(x, InputError)]
    bad = [x for x in items if isinstance(x, InputError)]
    assert [a.id for a in good] == ["a", "c"]
    assert good[0].metadata.url == "http://x/a" and good[1].metadata.source == "Ledger"
    assert [e.source for e in bad] == [f"{f}:2", f"{f}:4", f"{f}:5"]
    assert "invalid JSON" in str(bad[0]) and 'no "text" or "html"' in str(bad[1]) and "empty" in str(bad[2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty input"),
        (b"   \n\n ", "empty input"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        ("caf\u00e9 latin-1".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    (item,) = list(iter_articles([str(p)]))
    assert isinstance(item, InputError) and message in str(item) and str(p) in str(item)


def test_huge_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    (item,) = list(iter_articles([str(p)]))
    assert isinstance(item, InputError) and "too large" in str(item)


def test_malformed_html(tmp_path):
    p = tmp_path / "broken.html"
    p.write_text("<html><body><div><<<>>></div></body", encoding="utf-8")
    (item,) = list(iter_articles([str(p)]))
    assert isinstance(item, InputError) and "no article text" in str(item)


def test_directory_and_glob(tmp_path):
    (tmp_path / "a.txt").write_text('"Hello," Ann Lee said.', encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "notes.bin").write_bytes(b"ignored")
    items = list(iter_articles([str(tmp_path)]))
    assert [type(x).__name__ for x in items] == ["Article", "InputError"]
    globbed = list(iter_articles([str(tmp_path / "*.txt")]))
    assert len(globbed) == 2
    (missing,) = list(iter_articles([str(tmp_path / "nope.txt")]))
    assert "no such file" in str(missing)
