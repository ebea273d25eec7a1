"""Every search the web load test asks (bench_web_load.py: a common, a mid and a rare word, each alone and with
each facet), one at a time, straight on the store: how long each takes alone, so that a slow page type under load
can be traced to the searches that make it slow (issue 16; docs/benchmarks.md, "Web app under load").

Usage:  HF_HUB_OFFLINE=1 python benchmarks/bench_web_search.py --db STORE [--repeat 5]
        python benchmarks/bench_web_search.py --smoke   (a 300-article synthetic store)

STORE: a SQLite path or a postgresql:// URL written by benchmarks/synth_corpus.py. Each search runs ``--repeat``
times after one untimed run (a warm cache, as a busy server has); min and median ms, the total found and whether it
is exact (false: "at least", the newest hits only), and the statements it ran.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from typing import Any

from bench_web_load import facets, params
from sqlalchemy import event

from presslens.store import open_engine
from presslens.web.search import Search, parse_bool, search

TARGET_MS = 200.0


def searches(p: dict[str, Any]) -> list[dict[str, Any]]:
    """bench_web_load's searches: each word alone and with each of its facets."""
    return [{"q": p[w], **f} for w in ("common", "mid_word", "rare_word") for f in facets(p)]


def timed(engine: Any, asked: dict[str, Any], repeat: int) -> dict[str, Any]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    times = []
    try:
        with engine.connect() as conn:
            for i in range(repeat + 1):
                statements.clear()
                t0 = time.perf_counter()
                out = search(conn, Search(**{**asked, "disputed": parse_bool(asked.get("disputed"))}))
                if i:  # the first run warms the caches
                    times.append((time.perf_counter() - t0) * 1000)
                conn.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {
        "min": min(times),
        "p50": statistics.median(times),
        "total": out["total"],
        "exact": out["total_exact"],
        "statements": len(statements),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="a store written by benchmarks/synth_corpus.py")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="a 300-article synthetic store, 2 repeats")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-search-") as tmp:
        from synth_corpus import store_arg

        args.db = store_arg(ap, args, tmp)
        if args.smoke:
            args.repeat = min(args.repeat, 2)
        p = params(args.db, articles=1)
        engine = open_engine(args.db, create=False)
        backend = "postgresql" if re.match(r"postgres", args.db) else "sqlite"
        print(
            f"backend: {backend}; words {p['common']!r}/{p['mid_word']!r}/{p['rare_word']!r}; {args.repeat} runs each"
        )
        print("| search | min ms | p50 ms | found | exact | statements |")
        print("|---|---:|---:|---:|---|---:|")
        worst = 0.0
        for asked in searches(p):
            r = timed(engine, asked, args.repeat)
            worst = max(worst, r["p50"])
            shown = "&".join(f"{k}={v}" for k, v in asked.items())
            flag = " **over**" if r["p50"] > TARGET_MS else ""
            print(f"| `{shown}` | {r['min']:.1f} | {r['p50']:.1f}{flag} | {r['total']:,} | {r['exact']} | "
                  f"{r['statements']} |")  # fmt: skip
        engine.dispose()
        print(f"slowest search alone: p50 {worst:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
