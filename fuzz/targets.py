"""Hypothesis strategies and the properties they are checked against, shared by the suite and the fuzzer.

Each ``check_*`` function takes generated input and raises ``AssertionError`` (with a stable message: the
fuzzer groups findings by it) when a property is broken, or lets an unexpected exception escape (a crash).
``tests/test_properties.py`` runs them with a few examples each; ``fuzz/run.py`` runs them for minutes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

# -- characters and text ---------------------------------------------------------------------------------
QUOTE_MARKS = list("\"'“”„‟«»‹›‘’‚‛`´′″＂")
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\n\n"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c"]
SPACES = ["\u00a0", "\u2009", "\u202f", "\u2007", "\t", "\u3000", "\u2003"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
C0 = [chr(c) for c in range(0x20) if chr(c) not in "\n"] + ["\x7f"]
C1 = [chr(c) for c in range(0x80, 0xA0)]
TERMINAL = ["\x1b]0;PWNED\x07", "\x1b[2J", "\x1b[31m", "\x9b2J", "\x07", "\x1bP", "\x1b\\"]
EMOJI = ["👨\u200d👩\u200d👧", "🇺🇦", "👍🏽", "❤️", "🏳️\u200d🌈", "😀"]
RTL = ["مرحبا", "שלום", "قال", "\u05d0\u05de\u05e8"]
COMBINING = ["e\u0301", "\u0301", "A\u030a", "\u1e9b\u0323", "한", "\u1100\u1161"]
MARKUP = ["<script>alert(1)</script>", "</script>", "<SCRIPT src=x>", "<b>", "&amp;", "&lt;", "<!--", "]]>", "<"]
SURROGATES = ["\ud800", "\udfff", "\udc80"]
ODD = ["\x00", "\ufffd", "\uffff", "\U0010ffff", "\U000e0001", "ﬁ", "Ⅻ", "½", "²"]

NEWS = [
    '"We will win," he said.',
    "“Curly,” she said, “quotes.”",
    "«Guillemets», dit-il.",
    "„Unten“, sagte er.",
    "'Single' marks",
    "He said that it rained.",
    'Peskov, a diplomat, warned that "red lines" exist.',
    "According to NATO, troops left.",
    '"Unclosed quote paragraph',
    "Smith: yes we can do it.",
    "Q: Will you run?",
    "Dr. Jane Roe told CNN: “Nothing.”",
    "The spokesman denied that the plant was hit.",
    "Despite reports that the army withdrew, the minister said it had not.",
    "She offered no evidence for the claim.",
    "Bob Smith said",
    "“Quote” ― Ann Lee",
    "The spokesman added: 'we wait'.",
    "It’s an apostrophe’s test.",
    "Unemployment fell to 3.5 percent in 2023, the ministry said.",
    " ",
    ". ",
    ", ",
    "—",
]

PIECES = (
    QUOTE_MARKS + LINE_BREAKS + INVISIBLE + SPACES + BIDI + C0 + C1 + TERMINAL + EMOJI + RTL + COMBINING + MARKUP + ODD
)


def texts(max_pieces: int = 12, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Short strings made of news fragments, hostile characters and arbitrary text."""
    pieces = PIECES + (SURROGATES if surrogates else [])
    piece = st.one_of(
        st.sampled_from(NEWS),
        st.sampled_from(pieces),
        st.text(max_size=6),
        st.text(alphabet=st.characters(codec="utf-8" if not surrogates else None), max_size=6),
    )
    return st.lists(piece, max_size=max_pieces).map("".join)


def news_texts(max_pieces: int = 8) -> st.SearchStrategy[str]:
    """Texts for ``analyze``: mostly sentences with quotes and attributions, seasoned with hostile characters."""
    piece = st.one_of(
        st.sampled_from(NEWS),
        st.sampled_from(NEWS),
        st.sampled_from(PIECES),
        st.text(max_size=4),
    )
    return st.lists(piece, min_size=1, max_size=max_pieces).map("".join)


def html_pages() -> st.SearchStrategy[str]:
    body = st.lists(
        st.one_of(
            texts(6),
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<article>",
                    "</article>",
                    "<div>",
                    "</div>",
                    "<title>",
                    "</title>",
                    "<meta name='author' content='",
                    "'>",
                    '<meta charset="',
                    '<script type="application/ld+json">',
                    "<![CDATA[",
                    "<?xml version='1.0' encoding='latin-1'?>",
                    "<html>",
                    "<body>",
                    "<!doctype html>",
                    "<svg><script>",
                    "&#0;",
                    "&#xd800;",
                    "&#1114112;",
                    "<p>Bob Smith said “hi”.</p>",
                ]
            ),
        ),
        max_size=14,
    )
    return body.map("".join)


# -- JSON ----------------------------------------------------------------------------------------------
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts(4), st.sampled_from(["", " ", "x"])
)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(texts(2), kids, max_size=4),
    max_leaves=8,
)
field_values = st.one_of(texts(6), texts(6), json_values)


def deep(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1" + "}" * depth)


@st.composite
def json_lines(draw: Any) -> bytes:
    """One line of a JSON Lines file: a record (often valid), arbitrary JSON, deep nesting or raw bytes."""
    kind = draw(st.sampled_from(["record", "record", "record", "json", "deep", "bytes", "text"]))
    if kind == "record":
        keys = draw(st.lists(st.sampled_from(["id", "text", "html", "url", "date", "source", "author", "title"])))
        record = {k: draw(field_values) for k in dict.fromkeys(keys)}
        if draw(st.booleans()):
            record["text"] = draw(news_texts(4))
        line = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
    elif kind == "json":
        line = json.dumps(draw(json_values), ensure_ascii=draw(st.booleans()))
    elif kind == "deep":
        depth = draw(st.sampled_from([10, 500, 1000, 5000, 100_000]))
        line = '{"id":"d","text":"Bob said hi.","extra":' + deep(depth, draw(st.sampled_from(["list", "dict"]))) + "}"
    elif kind == "bytes":
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    else:
        line = draw(texts(6))
    return line.replace("\n", " ").replace("\r", " ").encode("utf-8", "surrogatepass")


# -- fact-check files ------------------------------------------------------------------------------------
rating = st.one_of(
    field_values,
    st.fixed_dictionaries(
        {}, optional={"alternateName": field_values, "name": field_values, "ratingValue": field_values}
    ),
    st.lists(st.fixed_dictionaries({"name": field_values}), max_size=2),
)
person = st.one_of(
    field_values,
    st.fixed_dictionaries({"name": field_values}),
    st.lists(st.fixed_dictionaries({"name": field_values}), max_size=2),
)
dates = st.one_of(
    field_values,
    st.sampled_from(
        [
            "2022-13-45",
            "not a date",
            "2024-02-30",
            "2023-05-01T10:00:00Z",
            "stated on February 6, 2013 in a tweet",
            "<b>2020</b>",
            "9999-99-99",
            "2021-01-01",
        ]
    ),
)
claim_reviews = st.fixed_dictionaries(
    {"@type": st.sampled_from(["ClaimReview", ["ClaimReview", "Thing"], "ClaimReview"])},
    optional={
        "claimReviewed": st.one_of(texts(6), field_values),
        "reviewRating": rating,
        "author": person,
        "publisher": person,
        "url": field_values,
        "datePublished": dates,
        "itemReviewed": st.one_of(field_values, st.fixed_dictionaries({}, optional={"author": person})),
        "headline": field_values,
        "name": field_values,
        "identifier": field_values,
        "@context": st.just("https://schema.org"),
    },
)
flat_records = st.fixed_dictionaries(
    {},
    optional={
        k: (dates if k == "date" else st.one_of(texts(5), field_values))
        for k in ("id", "claim_reviewed", "claim", "rating", "publisher", "url", "date", "claimant", "title")
    },
)


@st.composite
def claim_review_documents(draw: Any) -> Any:
    """ClaimReview JSON-LD as published: an object, a list, an @graph, nested under a key; or deep nesting."""
    items = draw(st.lists(st.one_of(claim_reviews, flat_records, json_values), max_size=4))
    shape = draw(st.sampled_from(["object", "list", "graph", "nested", "flat"]))
    if shape == "object":
        return items[0] if items else {}
    if shape == "graph":
        return {"@context": "https://schema.org", "@graph": items}
    if shape == "nested":
        return {"mainEntity": {"review": items}}
    if shape == "flat":
        return draw(flat_records)
    return items


@st.composite
def factcheck_files(draw: Any) -> tuple[str, bytes]:
    """A (suffix, content) pair for ``read_records``: .json, .jsonld, .jsonl, .csv, .html, .tar.gz or other."""
    suffix = draw(st.sampled_from([".json", ".jsonld", ".jsonl", ".csv", ".html", ".tar.gz", ".txt"]))
    if draw(st.integers(0, 9)) == 0:  # anything at all
        return suffix, draw(st.binary(max_size=200))
    deep_doc = None
    if draw(st.integers(0, 7)) == 0:
        depth = draw(st.sampled_from([100, 1000, 5000, 100_000]))
        deep_doc = '{"@graph":[{"@type":"ClaimReview","claimReviewed":"x"},' + deep(depth, "list") + "]}"
    if suffix == ".jsonl":
        lines = []
        for _ in range(draw(st.integers(0, 5))):
            doc = draw(st.one_of(claim_review_documents(), flat_records))
            lines.append(json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass"))
        if deep_doc:
            lines.append(deep_doc.encode())
        if draw(st.booleans()):
            lines.insert(draw(st.integers(0, len(lines))), draw(st.binary(max_size=20)).replace(b"\n", b""))
        return suffix, b"\n".join(lines)
    if suffix == ".csv":
        columns = draw(
            st.lists(
                st.sampled_from(
                    [
                        "id",
                        "claim_reviewed",
                        "claim",
                        "rating",
                        "publisher",
                        "url",
                        "date",
                        "claimant",
                        "title",
                        " claim_reviewed ",
                        "",
                        "extra",
                    ]
                ),
                min_size=1,
                max_size=6,
            )
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for _ in range(draw(st.integers(0, 4))):
            row = draw(st.lists(texts(4), max_size=len(columns) + 2))
            writer.writerow(row)
        return suffix, out.getvalue().encode("utf-8", "surrogatepass")
    if suffix == ".tar.gz":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for i in range(draw(st.integers(0, 3))):
                member = draw(
                    st.one_of(
                        st.fixed_dictionaries(
                            {},
                            optional={
                                k: field_values for k in ("vclaim", "title", "speaker", "date", "truth_label", "url")
                            },
                        ),
                        json_values,
                    )
                )
                data = json.dumps(member).encode() if not deep_doc or i else deep_doc.encode()
                info = tarfile.TarInfo(f"pf/{i}.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return suffix, buf.getvalue()
    text = deep_doc or json.dumps(draw(claim_review_documents()), ensure_ascii=draw(st.booleans()))
    if suffix == ".html":
        text = (
            f'<html><head><script type="application/ld+json">{text}</script></head><body>{draw(texts(3))}</body></html>'
        )
    return suffix, text.encode("utf-8", "surrogatepass")


# -- properties ------------------------------------------------------------------------------------------
ALLOWED_CONTROLS = {"\n"}


def bad_controls(text: str) -> list[str]:
    """Characters the README's "no invisible characters" and issue 12 item 5 rule out of normalised text."""
    return [
        c
        for c in text
        if (unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS) or c in BIDI or c in "\u200b\u2060\ufeff"
    ]


def check_normalize(text: str) -> None:
    from presslens.ingest import normalize_text

    once = normalize_text(text)
    assert normalize_text(once) == once, "normalize_text is not idempotent"
    assert unicodedata.is_normalized("NFC", once), "normalize_text output is not NFC"
    assert not any(c in once for c in "\r\u2028\u2029\x85"), "normalize_text leaves a line break other than \\n"
    assert len(bad_controls(once)) <= len(bad_controls(text)), "normalize_text adds control characters"


def check_normalize_strips_controls(text: str) -> None:
    """Issue 12 item 5: C0/C1 controls (but tab and newline) and bidi overrides go; emoji ZWJ sequences stay."""
    from presslens.ingest import normalize_text

    once = normalize_text(text)
    assert not bad_controls(once), "normalize_text keeps control or bidi characters"
    for seq in EMOJI:
        if seq in text and "\u200d" in seq:
            assert seq in once, "normalize_text breaks an emoji ZWJ sequence"


def check_article(raw: str, html: bool) -> None:
    from presslens.errors import InputError
    from presslens.ingest import Article, article_from_html, article_from_text, normalize_text

    make = article_from_html if html else article_from_text
    try:
        article = make(raw, id="fuzz", origin="fuzz")
    except InputError as err:
        assert "\n" not in str(err), "InputError message is not one line"
        return
    assert isinstance(article, Article)
    assert article.text.strip(), "an article with no text"
    assert normalize_text(article.text) == article.text, "article text is not normalised"


def check_jsonl(lines: list[bytes]) -> None:
    """Every non-blank line of a JSON Lines file gives exactly one Article or InputError, nothing raises."""
    from presslens.errors import InputError
    from presslens.ingest import Article, iter_articles

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        path.write_bytes(b"\n".join(lines))
        items = list(iter_articles([str(path)]))
    for item in items:
        assert isinstance(item, Article | InputError), "iter_articles yields something else"
    expected = 0
    for raw in b"\n".join(lines).split(b"\n"):
        try:
            blank = not raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            blank = False
        expected += not blank
    assert len(items) == expected, "iter_articles does not give one item per non-blank JSON Lines record"
    ids = [item.id for item in items if isinstance(item, Article)]
    assert len(ids) == len(set(ids)), "two articles of one batch share an id"


def check_jsonl_metadata(lines: list[bytes]) -> None:
    """Issue 12 item 10: a metadata field that is not a string is rejected, never turned into its repr."""
    from presslens.ingest import Article, iter_articles

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        path.write_bytes(b"\n".join(lines))
        items = list(iter_articles([str(path)]))
    records = []
    for raw in lines:
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if isinstance(rec, dict):
            records.append(rec)
    by_id = {str(r.get("id")): r for r in records if isinstance(r.get("id"), str) and r.get("id")}
    for item in items:
        if isinstance(item, Article) and item.id in by_id:
            rec = by_id[item.id]
            for key in ("url", "date", "source", "author"):
                value = rec.get(key)
                if value is not None and not isinstance(value, str):
                    assert getattr(item.metadata, key) != str(value), "a non-string metadata field became its repr"


def check_read_records(suffix: str, content: bytes) -> None:
    """read_records gives only FactCheck or RecordError items; their import (twice) never raises."""
    from presslens.factchecks import FactCheck, KnowledgeBase, RecordError, read_records

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"records{suffix}"
        path.write_bytes(content)
        items = list(read_records(path))
        for item in items:
            assert isinstance(item, FactCheck | RecordError), "read_records yields something else"
            if isinstance(item, FactCheck):
                assert isinstance(item.claim_reviewed, str) and item.claim_reviewed.strip(), "empty claim_reviewed"
                for value in item.to_dict().values():
                    assert value is None or isinstance(value, str), "a FactCheck field is not text"
        with KnowledgeBase(Path(tmp) / "kb.sqlite") as kb:
            first = kb.import_records(iter(items))
            assert first.added + first.updated <= sum(isinstance(i, FactCheck) for i in items)
            again = kb.import_records(iter(items))
            assert again.added == 0 and again.updated == 0, "re-importing the same records changes the knowledge base"
            assert len(kb) == first.added, "the knowledge base holds a different number of records than were added"


def check_factcheck_dates(suffix: str, content: bytes) -> None:
    """Issue 12 item 8: a stored date is an ISO date (or None)."""
    from datetime import date

    from presslens.factchecks import FactCheck, read_records

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"records{suffix}"
        path.write_bytes(content)
        for item in read_records(path):
            if isinstance(item, FactCheck) and item.date is not None:
                try:
                    date.fromisoformat(item.date)
                except ValueError:
                    raise AssertionError("a fact-check date is not an ISO date") from None


def check_analysis(a: Any) -> None:
    """The offset invariant and the serialisations of one analysis."""
    import presslens

    for span in a.spans():
        assert 0 <= span.start <= span.end <= len(a.text), "span offsets outside the text"
        assert a.text[span.start : span.end] == span.text, "text[start:end] != span.text"
    json.loads(a.to_json())
    assert presslens.Analysis.from_dict(a.to_dict()) == a, "Analysis.from_dict(a.to_dict()) != a"
    assert presslens.Analysis.from_dict(json.loads(a.to_json())) == a, "the analysis does not survive JSON"
    page = a.to_html().lower()
    assert page.count("<script") <= 1 and page.count("</script") <= 1, "to_html lets a <script from the text through"


def check_analyze(text: str) -> None:
    """``presslens.analyze`` on any string returns an analysis that keeps every invariant, or raises InputError."""
    import presslens
    from presslens.errors import InputError

    try:
        a = presslens.analyze(text, id="fuzz")
    except InputError as err:
        assert "\n" not in str(err), "InputError message is not one line"
        return
    check_analysis(a)


def check_chunk_bounds(text: str, size: int) -> None:
    """The chunks of a long text cover it exactly, in order, each cut right after a line break, or inside a
    paragraph longer than ``MAX_PARAGRAPH`` chunks (then within ``size``); none is much longer than that."""
    from presslens.nlp import chunk_bounds, chunked

    bounds = chunk_bounds(text, size)
    assert bounds and bounds[0][0] == 0 and bounds[-1][1] == len(text), "chunks do not cover the text"
    for (start, end), (after, _) in zip(bounds, bounds[1:], strict=False):
        assert end == after, "chunks are not contiguous"
        assert text[end - 1] == "\n" or end - start <= size, "a chunk is cut inside a paragraph it could hold"
    longest = getattr(chunked, "MAX_PARAGRAPH", None)
    if longest:
        for start, end in bounds:
            assert len(text[start:end].rstrip("\n")) <= longest * size, "a chunk longer than MAX_PARAGRAPH chunks"


def check_analyze_chunked(text: str, size: int) -> None:
    """``analyze`` with chunks of ``size`` characters (a long document in miniature) keeps every invariant."""
    from presslens.nlp import chunked

    check_chunk_bounds(text, size)
    old = chunked.CHUNK_CHARS
    chunked.CHUNK_CHARS = size
    try:
        check_analyze(text)
    finally:
        chunked.CHUNK_CHARS = old


def paragraphs(max_pieces: int = 8) -> st.SearchStrategy[str]:
    """News texts with many line breaks, so that small chunks have paragraph boundaries to cut at."""
    return st.lists(
        st.one_of(news_texts(3), st.sampled_from(["\n", "\n\n", "\n\n\n"])), min_size=1, max_size=max_pieces
    ).map("".join)


@contextlib.contextmanager
def _stdin(data: bytes | None):
    old = sys.stdin
    if data is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = old


def run_cli(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """``presslens ARGS`` in-process (the pattern of tests/conftest.py's run_cli); exceptions escape."""
    from presslens.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _stdin(stdin), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


TERMINAL_BAD = set(C0) - {"\t", "\n"} | set(C1) | set(BIDI)


NAMES = st.sampled_from(["input", "input", "in\udcffput", "in put", "ünï", "in*put"])


@st.composite
def cli_runs(draw: Any) -> dict[str, Any]:
    """A command line over generated files: analyze (text/json/html, -o), factchecks import/list/search."""
    command = draw(st.sampled_from(["analyze", "analyze", "analyze", "import"]))
    if command == "import":
        suffix, content = draw(factcheck_files())
        # A command line can hold lone surrogates: bytes that are not UTF-8 arrive as \udcXX (surrogateescape).
        query = draw(st.one_of(texts(3, surrogates=False), st.sampled_from(["hi \udcff", "\udc80", "x"])))
        return {"command": command, "suffix": suffix, "content": content, "query": query, "name": draw(NAMES)}
    suffix = draw(st.sampled_from([".txt", ".html", ".jsonl", ".md", ".dat", "-"]))
    if suffix == ".jsonl":
        content = b"\n".join(draw(st.lists(json_lines(), max_size=5)))
    elif suffix == ".html":
        content = draw(html_pages()).encode("utf-8", "surrogatepass")
    elif draw(st.integers(0, 4)) == 0:
        content = draw(st.binary(max_size=80))
    else:
        text = draw(news_texts(6))
        encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
        content = text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")
    return {
        "command": command,
        "suffix": suffix,
        "content": content,
        "name": draw(NAMES),
        "format": draw(st.sampled_from(["text", "json", "html"])),
        "only": draw(st.sampled_from([None, "quotes", "claims", "techniques"])),
        "output": draw(st.sampled_from([None, None, "file", "dir", "missing-dir"])),
        "max_bytes": draw(st.sampled_from([None, None, 50, 0])),
    }


def check_cli(run: dict[str, Any], *, terminal: bool = False) -> None:
    """Exit status 0 or 1 and never a traceback; with ``terminal``, no raw control characters on stdout/stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = str(Path(tmp) / "kb.sqlite")
        name = run.get("name", "input") + (run["suffix"] if run["suffix"] != "-" else ".txt")
        path = Path(tmp) / name
        path.write_bytes(run["content"])
        outputs = []
        if run["command"] == "import":
            commands = [
                ["factchecks", "import", str(path), "--kb", kb, "--no-embed"],
                ["factchecks", "list", "--kb", kb],
                ["factchecks", "search", run["query"] or "x", "--kb", kb, "--method", "bm25"],
            ]
            stdin = None
        else:
            src = "-" if run["suffix"] == "-" else str(path)
            args = ["analyze", src, "--format", run["format"], "--workers", "1", "--no-progress", "--no-kb"]
            if run["only"]:
                args += ["--only", run["only"]]
            if run["max_bytes"] is not None:
                args += ["--max-bytes", str(run["max_bytes"])]
            if run["output"] == "file":
                (Path(tmp) / "out.txt").write_bytes(b"an earlier run's output\n")
                args += ["-o", str(Path(tmp) / "out.txt")]
            elif run["output"] == "dir":
                args += ["-o", tmp]
            elif run["output"] == "missing-dir":
                args += ["-o", str(Path(tmp) / "missing" / "out.txt")]
            commands = [args]
            stdin = run["content"] if run["suffix"] == "-" else None
        for args in commands:
            code, out, err = run_cli(args, stdin=stdin)
            assert "Traceback" not in err, "a traceback on stderr"
            assert code in (0, 1), "exit status not 0 or 1"
            outputs.append((args, out, err))
        if run.get("output") == "file":
            written = (Path(tmp) / "out.txt").read_bytes()
            assert written, "-o FILE is left empty (item 6: an earlier output is truncated when every input fails)"
    if terminal:
        for args, out, err in outputs:
            if "--format" in args and args[args.index("--format") + 1] != "text":
                continue
            assert not (set(out + err) & TERMINAL_BAD), "raw control characters reach the terminal"


# The fuzz targets: name -> (strategy, check). Each strategy draws the check's arguments as a tuple.
TARGETS: dict[str, tuple[st.SearchStrategy[tuple], Any]] = {
    "normalize": (st.tuples(texts(16)), check_normalize),
    "normalize-controls": (st.tuples(texts(16)), check_normalize_strips_controls),
    "article-text": (st.tuples(texts(16), st.just(False)), check_article),
    "article-html": (st.tuples(html_pages(), st.just(True)), check_article),
    "jsonl": (st.tuples(st.lists(json_lines(), max_size=6)), check_jsonl),
    "jsonl-metadata": (st.tuples(st.lists(json_lines(), max_size=6)), check_jsonl_metadata),
    "factchecks": (factcheck_files(), check_read_records),
    "factcheck-dates": (factcheck_files(), check_factcheck_dates),
    "analyze": (st.tuples(news_texts(8)), check_analyze),
    "analyze-chunked": (
        st.tuples(st.one_of(paragraphs(10), news_texts(10)), st.integers(8, 200)),
        check_analyze_chunked,
    ),
    "cli": (st.tuples(cli_runs()), check_cli),
    "cli-terminal": (st.tuples(cli_runs(), st.just(True)), lambda run, terminal: check_cli(run, terminal=terminal)),
}
