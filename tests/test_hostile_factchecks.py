"""Hostile input to ``factchecks import|list|search`` (issue 12): every bad record is reported in one line and
skipped, every good one is imported, and nothing stored reaches a terminal raw."""

from __future__ import annotations

import io
import json
import multiprocessing
import sqlite3
import tarfile
import time
from typing import Any

import numpy as np
import pytest

from conftest import HERE
from conftest import run_cli as run
from presslens.factchecks import KnowledgeBase, read_records
from presslens.factchecks.records import FactCheck, RecordError
from presslens.terminal import safe_for_terminal

HOSTILE = HERE / "hostile" / "factchecks"
DEPTH = 100_000
UNSAFE = ["\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2066"]


def deep(depth: int = DEPTH) -> str:
    return "[" * depth + "]" * depth


def deep_record(rid: str = "d") -> str:
    return f'{{"id": "{rid}", "claim_reviewed": "x", "extra": {deep()}}}'


def good(rid: str, claim: str) -> dict[str, Any]:
    return {"id": rid, "claim_reviewed": claim}


def review(claim: str, url: str) -> dict[str, Any]:
    return {"@type": "ClaimReview", "claimReviewed": claim, "url": url}


def imported(kb: str) -> list[str]:
    r = run("factchecks", "list", "--kb", kb, "--json", "--limit", "100")
    assert r.returncode == 0, r.stderr
    return sorted(json.loads(line)["id"] for line in r.stdout.splitlines())


def one_line_errors(stderr: str) -> None:
    assert "Traceback" not in stderr and "Error:" not in stderr


# -- item 2: deeply nested JSON --------------------------------------------------------------------
def test_deeply_nested_jsonl_record_is_skipped_and_the_others_imported(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text(
        json.dumps(good("a", "First claim")) + "\n" + deep_record() + "\n" + json.dumps(good("b", "Last")) + "\n"
    )
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(f), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and f"{f}:2: " in r.stderr and "nested deeper than" in r.stderr
    assert "2 added" in r.stderr and "1 skipped" in r.stderr
    assert imported(kb) == ["a", "b"]


def test_deeply_nested_json_graph_member_is_skipped_and_the_others_imported(tmp_path):
    f = tmp_path / "graph.json"
    head = json.dumps({"@context": "https://schema.org", "@graph": [review("Graph claim one", "https://x.org/1")]})
    tail = json.dumps(review("Graph claim two", "https://x.org/2"))
    bad = f'{{"@type": "ClaimReview", "claimReviewed": "deep one", "url": "https://x.org/d", "extra": {deep()}}}'
    f.write_text(head[:-2] + ", " + bad + ", " + tail + "]}")
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(f), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and "nested deeper than" in r.stderr and "2 added" in r.stderr
    assert imported(kb) == ["https://x.org/1", "https://x.org/2"]
    # a document that is nothing but nesting says so (not "no ClaimReview object found")
    only = tmp_path / "only.json"
    only.write_text(deep())
    r = run("factchecks", "import", str(only), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and "nested deeper than" in r.stderr


def test_deeply_nested_tar_member_and_html_block_are_skipped(tmp_path):
    archive = tmp_path / "kb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, body in [
            ("kb/vclaim-1.json", json.dumps({"vclaim": "Tar claim one", "date": "2020-01-02"})),
            ("kb/vclaim-2.json", f'{{"vclaim": "deep", "extra": {deep()}}}'),
            ("kb/vclaim-3.json", json.dumps({"vclaim": "Tar claim three"})),
        ]:
            data = body.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><script type='application/ld+json'>"
        + json.dumps(review("Page claim", "https://x.org/p"))
        + "</script><script type='application/ld+json'>"
        + deep()
        + "</script></head><body>x</body></html>"
    )
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(archive), str(page), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and f"{archive}#kb/vclaim-2.json: " in r.stderr and "nested deeper than" in r.stderr
    assert imported(kb) == ["https://x.org/p", "vclaim-1", "vclaim-3"]


def test_a_number_too_long_for_python_and_a_csv_field_too_long_for_csv_skip_their_record_only(tmp_path):
    long = "9" * 5000
    jl = tmp_path / "long.jsonl"
    jl.write_text(json.dumps(good("a", "Fine")) + f'\n{{"id": "b", "claim_reviewed": "x", "n": {long}}}\n')
    listed = tmp_path / "long.json"
    listed.write_text(f'[{{"id": "c", "claim_reviewed": "Fine"}}, {{"id": "d", "claim_reviewed": "x", "n": -{long}}}]')
    table = tmp_path / "long.csv"
    table.write_text(f'id,claim_reviewed\ne,Fine\nf,"{"x" * 200_000}"\ng,Also fine\n')
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(jl), str(listed), str(table), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and r.stderr.count("a number longer than 4000 digits") == 2
    assert f"{table}:3: not a valid CSV record" in r.stderr
    assert imported(kb) == ["a", "c", "e", "g"]


def test_reading_is_bounded_whatever_the_file_says_its_size_is(tmp_path):
    mb = 1024 * 1024
    for name in ("zero.json", "zero.csv", "zero.jsonl"):
        (tmp_path / name).symlink_to("/dev/zero")
        errors = [str(e) for e in read_records(tmp_path / name, max_bytes=3 * mb)]
        assert errors and all(isinstance(e, str) for e in errors)
        assert any("larger than 3 MB" in e or "longer than 3 MB" in e for e in errors), errors
    lines = tmp_path / "long-line.jsonl"
    lines.write_bytes(
        b'{"id": "a", "claim_reviewed": "First"}\n' + b"x" * (2 * mb) + b'\n{"id": "b", "claim_reviewed": "Last"}\n'
    )
    recs = list(read_records(lines))
    assert [r.id for r in recs if isinstance(r, FactCheck)] == ["a", "b"]
    assert [str(r) for r in recs if isinstance(r, RecordError)] == [f"{lines}:2: line longer than 1 MB"]


# -- item 3: lone surrogates -----------------------------------------------------------------------
def test_lone_surrogate_record_is_reported_and_skipped(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    f = HOSTILE / "surrogate.jsonl"
    r = run("factchecks", "import", str(f), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 1 and "2 added" in r.stderr and "2 skipped" in r.stderr
    assert f"{f}:2: claim_reviewed" in r.stderr and f"{f}:3: publisher" in r.stderr and "surrogate" in r.stderr
    assert imported(kb) == ["s1", "s4"]
    # the same in a .json list and through the Python API
    listed = tmp_path / "list.json"
    listed.write_text("[" + ", ".join(f.read_text().splitlines()) + "]")
    recs = list(read_records(listed))
    assert [r.id for r in recs if isinstance(r, FactCheck)] == ["s1", "s4"]
    assert sum(isinstance(r, RecordError) for r in recs) == 2
    # a surrogate pair is a character like any other
    pair = tmp_path / "pair.jsonl"
    pair.write_text('{"id": "p1", "claim_reviewed": "A smile \\ud83d\\ude00 here"}\n')
    assert [r.claim_reviewed for r in read_records(pair)] == ["A smile \U0001f600 here"]


def test_records_from_the_python_api_are_checked_too(tmp_path):
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        report = kb.import_records(
            [
                FactCheck("a", "Fine"),
                FactCheck("b\ud800", "Bad id"),
                FactCheck("c", "Bad claim \udfff"),
                FactCheck("d", "Bad date", date="2022-13-45"),
                FactCheck("e", "Stated", date="stated on March 3, 2019 in a post"),
            ]
        )
        assert (report.added, len(report.errors), len(report.warnings)) == (3, 2, 1)
        assert report.errors[0].where == "id b\\ud800" and "surrogate" in report.errors[1].reason
        recs = {r.id: r for r in kb.records()}
        assert recs["d"].date is None and recs["d"].date_raw == "2022-13-45" and recs["e"].date == "2019-03-03"


# -- item 8: dates ---------------------------------------------------------------------------------
def test_dates_are_validated_and_list_sorts_newest_first(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(HOSTILE / "dates.jsonl"), "--kb", kb, "--no-embed")
    one_line_errors(r.stderr)
    assert r.returncode == 0 and "9 added" in r.stderr  # a bad date is a warning, not a skipped record
    for bad in ("2022-13-45", "not a date", "2021-02-30"):
        assert bad in r.stderr
    assert sum(line.startswith("  warning id d") for line in r.stderr.splitlines()) == 4
    assert "4 imported without a valid date" in r.stderr
    r = run("factchecks", "list", "--kb", kb, "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    dates = {x["id"]: x["date"] for x in rows}
    assert dates == {
        "d1": None,
        "d2": None,
        "d3": None,
        "d4": "2021-05-06",
        "d5": "2020-02-29",
        "d6": "2019-03-03",
        "d7": None,
        "d8": None,
        "d9": "2024-07-01",
    }
    assert {x["id"]: x["date_raw"] for x in rows}["d1"] == "2022-13-45"
    assert [x["id"] for x in rows][:4] == ["d9", "d4", "d5", "d6"]  # newest first, records without a date last


OLD_SCHEMA = """
CREATE TABLE factchecks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, claim_reviewed TEXT NOT NULL,
    rating TEXT, publisher TEXT, url TEXT, date TEXT, claimant TEXT, title TEXT, imported_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE factchecks_fts USING fts5(
    claim_reviewed, title, claimant, content='factchecks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER factchecks_ai AFTER INSERT ON factchecks BEGIN
    INSERT INTO factchecks_fts(rowid, claim_reviewed, title, claimant)
    VALUES (new.rowid, new.claim_reviewed, new.title, new.claimant);
END;
CREATE TABLE embeddings (
    rowid INTEGER PRIMARY KEY REFERENCES factchecks(rowid) ON DELETE CASCADE,
    model TEXT NOT NULL, digest TEXT NOT NULL, vector BLOB NOT NULL
);
"""


def test_a_knowledge_base_from_before_date_validation_opens_and_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    for i, date in enumerate(["2021-01-01", "not a date", "2022-13-45", "2023-05-05", None], 1):
        conn.execute(
            "INSERT INTO factchecks (id, claim_reviewed, date, imported_at) VALUES (?, ?, ?, 'x')",
            (f"o{i}", f"Old claim number {i} about turbines", date),
        )
    conn.commit()
    conn.close()
    kb = str(path)
    # read-only (list, search) before any write: works, real dates first, nothing invalid shown as a date
    r = run("factchecks", "list", "--kb", kb, "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in rows][:2] == ["o4", "o1"] and all(
        x["date"] in (None, "2023-05-05", "2021-01-01") for x in rows
    )
    r = run("factchecks", "search", "turbines", "--kb", kb, "--method", "bm25", "--json")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 5, r.stderr
    # a write migrates it: the invalid dates become null, their raw value kept
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "n1", "claim_reviewed": "New claim", "date": "2020-06-01"}) + "\n")
    r = run("factchecks", "import", str(new), "--kb", kb, "--no-embed")
    assert r.returncode == 0 and "1 added" in r.stderr, r.stderr
    with KnowledgeBase(kb) as k:
        recs = {x.id: x for x in k.records()}
        assert [x.id for x in k.records()] == ["o4", "o1", "n1", "o2", "o3", "o5"]
    assert recs["o3"].date is None and recs["o3"].date_raw == "2022-13-45" and recs["o1"].date == "2021-01-01"
    assert sqlite3.connect(path).execute("SELECT date FROM factchecks WHERE id = 'o2'").fetchone() == (None,)


# -- item 9: misleading errors ---------------------------------------------------------------------
def test_a_record_without_a_claim_says_missing_claim_reviewed(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    for name in ("missing-claim.json", "missing-claim.jsonl"):
        r = run("factchecks", "import", str(HOSTILE / name), "--kb", kb, "--no-embed")
        assert r.returncode == 1 and "missing claim_reviewed" in r.stderr, r.stderr
        assert "no ClaimReview" not in r.stderr


@pytest.mark.parametrize("query", ["", "   ", " ?! -- ... "])
def test_an_empty_search_is_a_one_line_error(tmp_path, query):
    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(HOSTILE / "dates.jsonl"), "--kb", kb, "--no-embed").returncode == 0
    r = run("factchecks", "search", query, "--kb", kb, "--method", "bm25")
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "empty" in r.stderr
    one_line_errors(r.stderr)


# -- item 5: terminal escape injection -------------------------------------------------------------
def test_list_and_search_neutralise_control_characters(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(HOSTILE / "escapes.jsonl"), "--kb", kb, "--no-embed")
    assert r.returncode == 0, r.stderr
    outputs = {
        "list": run("factchecks", "list", "--kb", kb),
        "search": run("factchecks", "search", "retitle window screen", "--kb", kb, "--method", "bm25"),
        "list --json": run("factchecks", "list", "--kb", kb, "--json"),
        "search --json": run("factchecks", "search", "retitle window", "--kb", kb, "--method", "bm25", "--json"),
        "export": run("factchecks", "export", "--kb", kb),
        "export claimreview": run("factchecks", "export", "--kb", kb, "--format", "claimreview"),
    }
    for name, r in outputs.items():
        assert r.returncode == 0, (name, r.stderr)
        for ch in UNSAFE:
            assert ch not in r.stdout and ch not in r.stderr, (name, ch)
    assert "\\x1b]0;PWNED\\x07" in outputs["list"].stdout and "\\x1b[2J" in outputs["search"].stdout
    # JSON stays lossless: the escapes are JSON escapes
    original = {x["id"]: x for x in map(json.loads, (HOSTILE / "escapes.jsonl").read_text().splitlines())}
    for line in outputs["list --json"].stdout.splitlines():
        rec = json.loads(line)
        assert {k: rec[k] for k in original[rec["id"]]} == original[rec["id"]]


def test_safe_for_terminal_keeps_text_and_emoji_sequences():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert safe_for_terminal(f"a\tb\nc {family} é") == f"a\tb\nc {family} é"
    assert safe_for_terminal("\x1b]0;x\x07\x9b\u202e\u2069\x7f") == "\\x1b]0;x\\x07\\x9b\\u202e\\u2069\\x7f"


# -- item 12: concurrent embedding -----------------------------------------------------------------
class SlowFakeEncoder:
    """Deterministic unit vectors, a little slowly, counting what it encodes."""

    name = "fake-encoder"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        time.sleep(0.05)
        self.encoded += len(texts)
        out = np.zeros((len(texts), 8), np.float32)
        for i, t in enumerate(texts):
            out[i, hash(t) % 8] = 1.0
        return out


def _embed_in_another_process(path: str, start: Any, results: Any) -> None:
    encoder = SlowFakeEncoder()
    with KnowledgeBase(path) as kb:
        start.wait()
        n = kb.build_index(encoder, batch_size=10)  # type: ignore[arg-type]
    results.put((n, encoder.encoded))


def test_concurrent_embedding_runs_split_the_work(tmp_path):
    path = str(tmp_path / "kb.sqlite")
    n = 400
    with KnowledgeBase(path) as kb:
        kb.import_records(FactCheck(f"c{i}", f"Claim number {i}") for i in range(n))
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_embed_in_another_process, args=(path, start, results)) for _ in range(2)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    reported = [r for r, _ in got]
    assert [r for r, _ in got] == [e for _, e in got]  # each reports what it embedded
    assert sum(reported) == n and min(reported) > 0, reported  # nothing embedded twice, both did some
    with KnowledgeBase(path) as kb:
        assert kb.missing_embeddings(SlowFakeEncoder.name) == 0
        assert kb.build_index(SlowFakeEncoder()) == 0  # type: ignore[arg-type]
        assert len(kb.vectors(SlowFakeEncoder.name)[0]) == n


# -- found on the way: other tracebacks from the fact-check commands ---------------------------------
def test_a_foreign_sqlite_file_is_one_line_and_left_alone(tmp_path):
    path = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE factchecks (x)")
    conn.commit()
    conn.close()
    for args in (["list"], ["search", "anything", "--method", "bm25"], ["import", str(HOSTILE / "dates.jsonl")]):
        r = run("factchecks", *args, "--kb", str(path))
        assert r.returncode == 1 and "not a PressLens knowledge base" in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    tables = {t for (t,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"factchecks"}


def test_export_to_a_bad_place_is_one_line_and_keeps_the_old_file(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(HOSTILE / "dates.jsonl"), "--kb", kb, "--no-embed").returncode == 0
    for target in (tmp_path / "no" / "such" / "dir.jsonl", tmp_path):
        r = run("factchecks", "export", "--kb", kb, "-o", str(target))
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and str(target) in r.stderr
        one_line_errors(r.stderr)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    assert run("factchecks", "export", "--kb", kb, "-o", str(out), "--format", "csv").returncode == 0
    assert out.read_text().startswith("id,claim_reviewed,") and out.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_a_search_text_that_is_not_unicode_is_one_line(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(HOSTILE / "dates.jsonl"), "--kb", kb, "--no-embed").returncode == 0
    r = run("factchecks", "search", "caf\udce9 date", "--kb", kb)
    assert r.returncode == 1 and "not valid Unicode" in r.stderr
    one_line_errors(r.stderr)


def test_csv_export_to_a_terminal_shows_controls_escaped_and_to_a_file_keeps_them(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(HOSTILE / "escapes.jsonl"), "--kb", kb, "--no-embed").returncode == 0
    main, replica = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "presslens", "factchecks", "export", "--kb", kb, "--format", "csv"],
        stdout=replica,
        stderr=subprocess.PIPE,
        timeout=120,
    )
    os.close(replica)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert proc.returncode == 0, proc.stderr
    text = shown.decode("utf-8")
    assert "PWNED" in text and "\\x1b]0;PWNED\\x07" in text
    for ch in UNSAFE:
        assert ch not in text, ch
    out = tmp_path / "kb.csv"
    assert run("factchecks", "export", "--kb", kb, "--format", "csv", "-o", str(out)).returncode == 0
    assert "\x1b]0;PWNED\x07" in out.read_text(encoding="utf-8")  # a file keeps what was stored
