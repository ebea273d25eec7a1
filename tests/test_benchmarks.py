"""Every script in benchmarks/ runs with ``--smoke`` (a few built-in articles, one repeat) and prints its figures.

The smoke figures measure nothing; the point is that no benchmark rots while the code changes under it. A script
that cannot run here (an extra such as textacy, or ../shared/data, is missing) prints one ``skipped: why`` line
and exits 0, and the test skips with that reason.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
EXPERIMENTS = REPO / "experiments"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))

# What each smoke run must print: its figures (a regular expression searched in stdout).
FIGURES = {
    "bench_claims.py": r"import \d+ ClaimReview records: [\d.]+ s.*claims\+disputes\+matching [\d.]+ ms/article",
    "bench_tagger.py": r"onnx-1 +[\d.]+ ms CPU per article(.|\n)*1 member\(s\): torch \d+ spans, onnx \d+",
    "bench_speed.py": r"\nspacy +[\d.]+ +[\d.]+ +1\.00 .*\npresslens +[\d.]+ +[\d.]+ +[\d.]+ +\d+ +\d+",
    "claim_matching_threshold.py": r"\n +0\.5 +[\d.]+ +[\d.]+ +[\d.]+",
    "long_documents.py": r"\n +50 +\d+ +[\d.]+ +\d+ .*growth exponent \(log-log slope\): time [\d.]+",
    "peer_textacy_quotes.py": r"overlap 0\.3: precision [\d.]+ recall [\d.]+ F1 [\d.]+",
    "polnear_recall_breakdown.py": r"speech-verb cue +gold +\d+ +recall [\d.]+",
    "genre_quotes_news.py": r"articles: 6\naccuracy: [\d.]+\nrecall: ",
    "quotes_news_breakdown.py": r"direct +gold +\d+ +recall [\d.]+ +speaker accuracy",
    "profile_analysis.py": r"spaCy, ms per article: .*ner [\d.]+.*quotes [\d.]+, techniques [\d.]+, claims [\d.]+",
    "eval_corpus_links.py": r"speakers: \{\"precision\": [\d.]+.*claim pairs: \{\"precision\": [\d.]+",
    "synth_corpus.py": r"bulk load: [\d.]+ s, [\d,]+ articles/s",
    "bench_corpus_queries.py": r"\| `stats` \| [\d,]+ \| [\d.]+ \| [\d.]+",
    "bench_ingest.py": r"\{\"mode\": \"analyze\".*\n.*\"mode\": \"sqlite\".*\nsqlite: [+-][\d.]+ % time, [+-][\d.]+ % CPU against analyze",
    "bench_web_load.py": (
        r"\| dashboard \| [\d,]+ \| 0 \| [\d.]+ \| [\d.]+.*\nall: [\d,]+ requests .*, 0 errors, p95 [\d.]+ ms\n"
        r"server RSS: start [\d.]+ MiB, end [\d.]+ MiB"
    ),
    "bench_web_search.py": r"\| `q=\w+` \| [\d.]+ \| [\d.]+ \| [\d,]+ \| (True|False) \| \d+ \|.*slowest search alone: p50 [\d.]+ ms",
    "bench_distributed.py": r"\nplain: 12 articles in [\d.]+ s.*\nray: 12 articles in [\d.]+ s, [\d.]+ articles/s.*, overhead "
    r"[+-][\d.]+ % against plain, peak RSS per actor \d+ MB \(2 actors\)\nload-sqlite: 12 articles in [\d.]+ s",
    "technique_span_threshold.py": r"shown @0\.6, nested \(default output\) +\d+ +[\d.]+ +[\d.]+",
    "copy_store.py": r"\nversions +12 rows +copy +[\d.]+ s +indexes +[\d.]+ s.*\ntotal: [\d,]+ rows in [\d.]+ s, [\d,]+ rows/s",
}


def test_every_benchmark_has_a_smoke_check() -> None:
    assert SCRIPTS, "no benchmark scripts found"
    assert set(SCRIPTS) == set(FIGURES), "add each new benchmark's expected --smoke output to FIGURES"


# run with -m slow, as CI does: over a minute (a Ray instance, three ingests), or 18 s and more each (CI's
# --durations, 2026-12-01), which the default run (~10 minutes on 2 cores) has no room for; bench_corpus_queries'
# smoke run is also tests/test_bench_corpus.py's
SLOW_SMOKE = {
    "bench_distributed.py",
    "bench_corpus_queries.py",
    "bench_ingest.py",
    "long_documents.py",
    "bench_web_load.py",
    "eval_corpus_links.py",
    "bench_tagger.py",
    "bench_speed.py",
    "technique_span_threshold.py",
    "claim_matching_threshold.py",
}


@pytest.mark.parametrize("script", [pytest.param(s, marks=pytest.mark.slow) if s in SLOW_SMOKE else s for s in SCRIPTS])
def test_benchmark_smoke(script: str, tmp_path) -> None:
    # cwd: anything a script writes lands in tmp_path; the autouse fixture isolates the KB, caches and the hub.
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"{script} --smoke failed:\n{run.stdout}\n{run.stderr}"
    if skipped := re.search(r"^skipped: (.*)$", run.stdout, re.M):
        pytest.skip(f"{script}: {skipped.group(1)}")
    assert re.search(FIGURES[script], run.stdout, re.S), f"{script} --smoke printed no figures:\n{run.stdout}"


@pytest.mark.parametrize(("folder", "scripts"), [(BENCHMARKS, SCRIPTS), (EXPERIMENTS, None)])
def test_readme_lists_every_script(folder, scripts) -> None:
    names = scripts or sorted(p.name for p in folder.glob("*.py") if not p.name.startswith("_"))
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert [n for n in names if n not in readme] == []
