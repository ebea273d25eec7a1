"""The ingest progress line (articles done, articles/s, ETA on a terminal, nothing when piped) and the cheap count
of the inputs that its ETA needs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest

from conftest import REPO, run_cli
from presslens.cli.ingest import clock, progress_line
from presslens.corpus import IngestReport
from presslens.ingest import iter_articles
from presslens.ingest.count import estimate_count

ARTICLES = REPO / "tests" / "articles"
RSS = '<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://example.org/a</link></item></channel></rss>'


def test_a_known_total_gives_percentage_rate_and_eta():
    line = progress_line(IngestReport(stored=10, failed=2), 48, 6.0, width=200)
    assert line.startswith("12/48 articles (25%), 2.0 articles/s, ETA 0:18 (10 stored, 0 unchanged, 2 failed)")


def test_skipped_articles_do_not_make_a_resumed_ingest_look_fast():
    # 100 unchanged skipped in a burst, then 10 analysed in 10 s: 90 left at 1 a second, not at 11
    line = progress_line(IngestReport(stored=10, unchanged=100), 200, 10.0, width=200)
    assert "110/200 articles (55%), 1.0 articles/s, ETA 1:30" in line
    only_skipped = progress_line(IngestReport(unchanged=50), 100, 1.0, width=200)
    assert "50.0 articles/s, ETA 0:01" in only_skipped


@pytest.mark.parametrize(("total", "done"), [(None, 12), (10, 12)])
def test_no_eta_without_a_total_or_past_a_wrong_one(total, done):
    line = progress_line(IngestReport(stored=done), total, 4.0, width=200)
    assert line.startswith(f"{done} articles, 3.0 articles/s (")
    assert "ETA" not in line and "%" not in line


def test_no_rate_before_the_first_article():
    line = progress_line(IngestReport(), 30, 5.0, width=200)
    assert line.strip() == "0/30 articles (0%) (0 stored, 0 unchanged, 0 failed)"


@pytest.mark.parametrize("width", [20, 80, 200])
def test_the_line_fills_the_terminal_and_never_wraps(width):
    line = progress_line(IngestReport(stored=123456, unchanged=7, failed=1), 10**7, 3.0, width=width)
    assert len(line) == width - 1  # padded: a shorter line overwrites a longer one after "\r"
    assert "\n" not in line and "\r" not in line


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0:00"), (7.4, "0:07"), (754, "12:34"), (3723, "1:02:03")])
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def _items(inputs: list[str]) -> int:
    return sum(1 for _ in iter_articles(inputs, warn=lambda _m: None))


def test_the_count_is_what_the_ingest_will_read(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A first article about the port.", encoding="utf-8")
    (folder / "sub" / "b.html").write_text("<p>A second article.</p>", encoding="utf-8")
    (folder / "picture.png").write_bytes(b"\x89PNG")  # not read by ingest: not counted
    records = [json.dumps({"id": f"r{i}", "text": f"Record {i}."}) for i in range(3)]
    (folder / "c.jsonl").write_text(f"{records[0]}\n\n   \r\n{records[1]}\r\n{records[2]}", encoding="utf-8")
    huge = json.dumps({"id": "huge", "text": "word " * 400_000})  # one line over the 1 MiB read chunk
    (tmp_path / "huge.jsonl").write_text(f"{huge}\n{records[0]}\n", encoding="utf-8")
    cases = [
        [str(folder)],
        [str(folder / "*.txt"), str(folder / "**" / "*.html")],
        [str(tmp_path / "huge.jsonl")],
        [str(tmp_path / "missing.txt"), str(tmp_path / "none-*.txt")],  # one error each
        [str(folder / "a.txt"), str(tmp_path / "huge.jsonl"), str(folder)],
    ]
    expected = [5, 2, 2, 2, 8]
    assert [estimate_count(c) for c in cases] == expected
    assert [_items(c) for c in cases] == expected  # checked against the reader itself


def test_inputs_whose_count_needs_fetching_are_unknown(tmp_path):
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    (tmp_path / "feed.html").write_text(RSS, encoding="utf-8")  # a feed saved under another name
    (tmp_path / "a.txt").write_text("An article.", encoding="utf-8")
    for unknown in ("-", "https://example.org/feed", "crawl.warc.gz", "feed.xml", "feed.html"):
        inputs = [str(tmp_path / "a.txt"), unknown if "/" in unknown or unknown == "-" else str(tmp_path / unknown)]
        assert estimate_count(inputs) is None, unknown
    assert estimate_count([str(tmp_path)]) is None  # a directory that holds a feed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_pipe_is_never_opened_by_the_count(tmp_path):
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    found: list[int | None] = []
    t = threading.Thread(target=lambda: found.append(estimate_count([str(fifo)])), daemon=True)
    t.start()
    t.join(10)
    assert found == [None]  # at once: opening it would wait for a writer (and then take its data)


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path):
    r = run_cli("ingest", str(ARTICLES / "speakers.txt"), "--db", str(tmp_path / "s.db"), "--fast", "--no-kb")
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr and "articles/s" not in r.stderr
    assert "1 stored, 0 unchanged, 0 failed" in r.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_on_a_terminal_the_line_shows_done_rate_and_eta(tmp_path):
    import pty

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("speakers.txt", "cues.txt", "marks.txt"):
        (folder / name).write_text((ARTICLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    master, slave = pty.openpty()  # 0 columns reported: the line is fitted to 80
    cmd = [sys.executable, "-m", "presslens", "ingest", str(folder), "--db", str(tmp_path / "t.db"), "--fast"]
    proc = subprocess.Popen(
        [*cmd, "--no-kb", "--workers", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end closed: the command is done
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=300) == 0, out.decode(errors="replace")
    lines = [x.strip() for x in out.decode().replace("\r\n", "\n").split("\r")]
    assert re.match(r"0(/3)? articles \(", lines[1]), lines  # at once, before the first article
    final = lines[-1].splitlines()[0]
    assert re.fullmatch(
        r"3/3 articles \(100%\), \d+\.\d articles/s, ETA 0:00 \(3 stored, 0 unchanged, 0 failed\)", final
    )
