"""The corpus benchmarks (issue 15) run with ``--smoke`` on SQLite: a 300-article synthetic store, then its queries.

As in tests/test_benchmarks.py the smoke figures measure nothing; what is checked is that the synthesizer still
writes a store the queries read (a store with no quotes or claims would time nothing), and that the summary
tables answer the all-time questions exactly as counting the rows does (``--check``).
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

BENCHMARKS = REPO / "benchmarks"


def run(script: str, *args: str, cwd) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{script} --smoke failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_synth_corpus_smoke_writes_a_store_and_reports_its_figures(tmp_path) -> None:
    out = run("synth_corpus.py", cwd=tmp_path)
    assert re.search(r"bulk load: [\d.]+ s, [\d,]+ articles/s", out), out
    assert re.search(r"store size: [\d,.]+ MiB, [\d,.]+ KiB/article", out), out
    rows = dict(
        (k, int(v.replace(",", ""))) for k, v in re.findall(r"(\w+) ([\d,]+)", out.split("rows:")[1].split("\n")[0])
    )
    assert rows["versions"] >= 300 and rows["quotes"] > 300 and rows["claims"] > 300 and rows["speakers"] > 100


def test_bench_corpus_queries_smoke_times_every_query_and_the_summaries_agree(tmp_path) -> None:
    out = run("bench_corpus_queries.py", "--check", cwd=tmp_path)
    assert "summaries checked: 0 differences" in out, out
    rows = re.findall(r"^\| `(.+?)` \| ([\d,]+) \| ([\d.]+) \| ([\d.]+)", out, re.M)
    names = [r[0] for r in rows]
    for query in ("stats", "speakers --top 20", "claims (all time)", "techniques --by day (all time)", "errors"):
        assert query in names, out
    assert any(n.startswith("quotes --search") for n in names) and any(n.startswith("speaker '") for n in names)
    counts = {r[0]: int(r[1].replace(",", "")) for r in rows}
    assert counts["speakers --top 20"] == 20 and counts["claims (all time)"] == 20  # a store worth timing
