"""Hostile inputs against every output of ``analyze`` (issue 12, item 5): nothing from an article, an id, a file
name or metadata reaches the terminal as a raw escape sequence or bidi override; JSON stays exact JSON; the
HTML report stays escaped. Run with 1 and 2 workers."""

from __future__ import annotations

import json
import re

import pytest

import presslens
from conftest import HERE
from conftest import run_cli as run
from presslens.terminal import safe_for_terminal

ESCAPES = HERE / "hostile" / "batch" / "escapes.jsonl"
N_RECORDS = len(ESCAPES.read_text(encoding="utf-8").splitlines())
# ESC, BEL, every other C0 control but tab and newline, DEL, C1 (CSI \x9b, NEL \x85), bidi overrides and isolates
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def assert_terminal_safe(text: str) -> None:
    found = RAW.findall(text)
    assert not found, f"raw control characters reach the terminal: {found!r}"


def test_safe_for_terminal_shows_controls_and_keeps_the_rest():
    assert safe_for_terminal("\x1b]0;PWNED\x07") == "\\x1b]0;PWNED\\x07"
    assert (
        safe_for_terminal("a\x1b[2Jb\x9b31m\u202eevil\u2066x\u2069") == "a\\x1b[2Jb\\x9b31m\\u202eevil\\u2066x\\u2069"
    )
    keep = "tab\there\nnew line, “quotes” — 👨\u200d👩\u200d👧 e\u0301 中文 עברית"  # ZWJ sequences, marks, RTL text
    assert safe_for_terminal(keep) == keep
    assert safe_for_terminal("hi \ud800 there") == "hi \\ud800 there"
    assert_terminal_safe(safe_for_terminal("".join(map(chr, range(0x00, 0xA0))) + "\u202a\u202e\u2066\u2069"))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_text_output_neutralises_escapes_from_text_ids_and_metadata(workers):
    r = run("analyze", "--no-progress", "--no-kb", "--workers", workers, str(ESCAPES))
    assert "Traceback" not in r.stderr
    assert_terminal_safe(r.stdout)
    assert_terminal_safe(r.stderr)
    assert "title\\x1b]0;PWNED\\x07" in r.stdout  # shown, visibly, not obeyed
    assert "Dan Okafor" in r.stdout and "Ann Lee" in r.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_output_is_exact_json_with_no_raw_controls(workers):
    r = run("analyze", "--no-progress", "--no-kb", "--workers", workers, "--format", "json", str(ESCAPES))
    assert "Traceback" not in r.stderr
    assert_terminal_safe(r.stdout)  # C1 and bidi characters too are written as JSON escapes
    assert_terminal_safe(r.stderr)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    failed = r.stderr.count("\n  ")
    assert len(records) + failed == N_RECORDS and len(records) >= N_RECORDS - 1
    ids = {x["id"] for x in records}
    assert "plain" in ids and "<img src=x onerror=alert(1)>" in ids
    bidi = next(x for x in records if x["id"].startswith("bidi"))
    assert bidi["text"][bidi["quotes"][0]["start"] : bidi["quotes"][0]["end"]] == bidi["quotes"][0]["text"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_html_report_stays_escaped(tmp_path, workers):
    out = tmp_path / "report.html"
    r = run(
        "analyze", "--no-progress", "--no-kb", "--workers", workers, "--format", "html", "-o", str(out), str(ESCAPES)
    )
    assert "Traceback" not in r.stderr
    assert_terminal_safe(r.stderr)
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert len(re.findall(r"<script", page)) == 1  # the report's own
    assert "Dan Okafor" in page
    r = run("analyze", "--no-progress", "--no-kb", "--workers", workers, "--format", "html", str(ESCAPES))
    assert_terminal_safe(r.stdout)  # the page printed to the terminal
    assert "Dan Okafor" in r.stdout


def test_error_lines_neutralise_escapes_in_file_names_and_ids(tmp_path):
    evil = tmp_path / "evil\x1b]0;PWNED\x07.txt"
    evil.write_text("", encoding="utf-8")
    r = run("analyze", str(evil))  # one input: one error line
    assert r.returncode == 1 and "evil\\x1b]0;PWNED\\x07.txt" in r.stderr
    assert_terminal_safe(r.stderr)
    good = tmp_path / "good.txt"
    good.write_text('"Yes," Ann Lee said.', encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "x\x1b[2J\u202e", "text": ""}) + "\n", encoding="utf-8")
    r = run(
        "analyze",
        "--only",
        "quotes",
        "--no-progress",
        str(evil),
        str(tmp_path / "gone\x1b[2J.txt"),
        str(feed),
        str(good),
    )
    assert r.returncode == 1 and "3 of 4" in r.stderr
    assert_terminal_safe(r.stderr)
    assert_terminal_safe(r.stdout)
    r = run("analyze", "--only", "quote\x1b]0;PWNED\x07", str(good))  # an unknown component, named back
    assert r.returncode == 1 and "\\x1b]0;PWNED\\x07" in r.stderr
    assert_terminal_safe(r.stderr)
    r = run("analyze", "-o", str(tmp_path / "no\x1b[2J" / "out.txt"), str(good))  # a bad -o, named back
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert_terminal_safe(r.stderr)


def test_the_text_summary_from_python_is_safe_too():
    a = presslens.analyze('"Go \x1b]0;PWNED\x07 now," Ann Lee said.', id="id\x9b2J", source="\u202eevil")
    assert_terminal_safe(a.to_text())
    r = run("analyze", "--only", "quotes", "-", stdin='"Go 👨\u200d👩\u200d👧 \x1b]0;PWNED\x07 now," Ann Lee said.\n')
    assert r.returncode == 0 and "Ann Lee" in r.stdout and "👨\u200d👩\u200d👧" in r.stdout
    assert_terminal_safe(r.stdout)
