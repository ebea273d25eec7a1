"""The held-out news quote gold (benchmarks/data/quotes-news) is consistent and in sync with its sources."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "quotes-news"


def records() -> list[dict]:
    lines = (FOLDER / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_articles_jsonl_is_what_build_py_makes_from_the_sources(tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    run = subprocess.run(
        [sys.executable, str(FOLDER / "build.py"), "--out", str(out)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == (FOLDER / "articles.jsonl").read_text(encoding="utf-8")


def test_every_span_is_the_text_at_its_offsets() -> None:
    for rec in records():
        text = rec["text"]
        for q in rec["quotes"]:
            assert text[q["start"] : q["end"]] == q["text"], rec["id"]
            for part in q.get("parts", []):
                assert text[part["start"] : part["end"]] == part["text"], rec["id"]
            if q["speaker"] is not None:
                assert text[q["speaker_start"] : q["speaker_end"]] == q["speaker_text"], rec["id"]


def test_the_set_has_the_genres_and_hard_cases_it_promises() -> None:
    recs = records()
    assert Counter(r["genre"] for r in recs) == {"reporting": 26, "opinion": 6, "satire": 4}
    kinds = Counter(q["kind"] for r in recs for q in r["quotes"])
    tags = Counter(t for r in recs for q in r["quotes"] for t in q.get("tags", []))
    assert min(kinds["direct"], kinds["mixed"], kinds["reported"]) >= 30
    assert min(tags["split"], tags["standalone"], tags["pronoun"]) >= 10 and tags["multipara"] >= 3


def test_build_py_rejects_a_span_that_breaks_the_guidelines(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    words = " ".join(["word"] * 260)
    (source / "x01.md").write_text(
        "id: x01\ngenre: reporting\nstyle: test\n1: reported | Ann Lee\n===\nHeadline\n\n"
        f'{{{{1:Ann Lee}}}} said [[1:it was "fine"]]. {words}\n',
        encoding="utf-8",
    )
    build = tmp_path / "build.py"
    build.write_text((FOLDER / "build.py").read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run([sys.executable, str(build), "--check"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "should be 'mixed'" in run.stderr
