"""How fast the corpus answers (issue 15: p95 of each ``presslens corpus`` query ≤ 100 ms warm at 200,000 articles).

Usage:  python benchmarks/bench_corpus_queries.py --db STORE [--repeat 20] [--only NAME,...]
        python benchmarks/bench_corpus_queries.py --smoke     (a 300-article synthetic store, 3 repeats, seconds)

STORE is a store written by benchmarks/synth_corpus.py (a SQLite file or a postgresql:// URL). The parameters are
picked from the store first (untimed): the most quoted speaker and one quoted once, a common and a rare word of the
quotes, the biggest outlet, the last day, the biggest and a one-claim cluster. Then each query runs once to warm up
and ``--repeat`` times timed, as ``presslens corpus`` runs it (``Corpus.rows``: a pooled connection, the SQL, the
rows as dicts; ``speaker NAME`` is find_speakers then speaker). Prints p50 and p95 per query as a markdown table.
"""

from __future__ import annotations

import argparse
import collections
import gc
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from _sample import REPO

sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import func, select  # noqa: E402

from presslens.corpus import Corpus  # noqa: E402
from presslens.store import schema  # noqa: E402

TARGET_MS = 100.0
_STOP = frozenset(
    [
        "the",
        "and",
        "that",
        "this",
        "with",
        "from",
        "have",
        "they",
        "were",
        "will",
        "would",
        "there",
        "their",
        "about",
        "which",
        "what",
        "when",
        "your",
        "been",
        "more",
        "said",
        "says",
        "also",
        "into",
        "than",
        "them",
        "then",
        "some",
        "just",
        "only",
        "over",
        "very",
        "like",
        "because",
        "could",
        "should",
        "being",
        "those",
        "these",
        "other",
        "after",
        "before",
        "where",
        "while",
        "here",
        "many",
        "much",
        "most",
        "such",
        "even",
    ]
)


def pick(corpus: Corpus) -> dict[str, Any]:
    """Realistic parameters, read from the store (untimed)."""
    q, v, s, c = schema.quotes.c, schema.versions.c, schema.speakers.c, schema.claims.c
    with corpus.engine.connect() as conn:
        per_speaker = (
            select(q.speaker_id, func.count().label("n"))
            .where(q.speaker_id.is_not(None))
            .group_by(q.speaker_id)
            .subquery()
        )
        frequent = conn.execute(
            select(s.name).join(per_speaker, per_speaker.c.speaker_id == s.id).order_by(per_speaker.c.n.desc()).limit(1)
        ).scalar()
        rare = (
            conn.execute(
                select(s.name)
                .join(per_speaker, per_speaker.c.speaker_id == s.id)
                .where(per_speaker.c.n == 1, s.type == "PERSON")
                .order_by(s.id)
                .limit(1)
            ).scalar()
            or conn.execute(
                select(s.name)
                .join(per_speaker, per_speaker.c.speaker_id == s.id)
                .order_by(per_speaker.c.n, s.id)
                .limit(1)
            ).scalar()
        )
        outlet = conn.execute(
            select(v.outlet).where(v.current.is_(True)).group_by(v.outlet).order_by(func.count().desc()).limit(1)
        ).scalar()
        last = conn.execute(select(func.max(v.day)).where(v.current.is_(True))).scalar()
        sizes = select(c.cluster_id, func.count().label("n")).group_by(c.cluster_id).subquery()
        big = conn.execute(select(sizes.c.cluster_id).order_by(sizes.c.n.desc()).limit(1)).scalar()
        small = conn.execute(
            select(sizes.c.cluster_id).where(sizes.c.n == 1).order_by(sizes.c.cluster_id.desc()).limit(1)
        ).scalar()
        sample = [r[0] for r in conn.execute(select(q.text).order_by(q.id).limit(3000))]
    words = collections.Counter(
        w for t in sample for w in {w.lower() for w in re.findall(r"[A-Za-z]{5,}", t)} if w.lower() not in _STOP
    )
    common = words.most_common(1)[0][0]  # in a tenth or so of the quotes
    fewest = sorted(w for w, k in words.items() if k == min(words.values()))
    rare_word = fewest[len(fewest) // 2]  # in one sampled quote of thousands
    mid = min(words, key=lambda w: (abs(words[w] - 0.015 * len(sample)), w))  # in 1.5 % of the quotes
    last_day = date.fromisoformat(last)
    return {
        "frequent": frequent,
        "rare": rare,
        "outlet": outlet,
        "common": common,
        "rare_word": rare_word,
        "mid_word": mid,
        "week": (last_day - timedelta(days=6)).isoformat(),
        "month": (last_day - timedelta(days=29)).isoformat(),
        "big": big,
        "small": small,
    }


def speaker_by_name(corpus: Corpus, name: str, limit: int | None = None) -> list[dict[str, Any]]:
    """What ``presslens corpus speaker NAME [--limit N]`` asks: the most quoted speaker named like it, then the
    newest ``limit`` quotes (None: every one, ``--limit 0``)."""
    found = corpus.rows("find_speakers", name)
    return corpus.rows("speaker", found[0]["id"], limit=limit) if found else []


def cases(p: dict[str, Any]) -> list[tuple[str, Callable[[Corpus], list[dict[str, Any]]]]]:
    surname, rare_surname = p["frequent"].split()[-1], p["rare"].split()[-1]
    return [
        ("stats", lambda c: c.rows("stats")),
        ("speakers --top 20", lambda c: c.rows("speakers", top=20)),
        (
            f"speaker '{p['frequent']}' (most quoted; the newest 100, the default)",
            lambda c: speaker_by_name(c, p["frequent"], limit=100),
        ),
        (f"speaker '{p['frequent']}' --limit 0 (every quote)", lambda c: speaker_by_name(c, p["frequent"])),
        (f"speaker '{p['rare']}' (quoted once)", lambda c: speaker_by_name(c, p["rare"], limit=100)),
        (f"quotes --search {p['common']} (common)", lambda c: c.rows("search_quotes", p["common"])),
        (f"quotes --search {p['rare_word']} (rare)", lambda c: c.rows("search_quotes", p["rare_word"])),
        (
            f"quotes --search {p['mid_word']} (1.5 % of sampled quotes)",
            lambda c: c.rows("search_quotes", p["mid_word"]),
        ),
        (f"quotes --speaker {surname}", lambda c: c.rows("search_quotes", None, speaker=surname)),
        (
            f"quotes --speaker {rare_surname} (quoted once)",
            lambda c: c.rows("search_quotes", None, speaker=rare_surname),
        ),
        (
            f"quotes --search {p['common']} --speaker {surname}",
            lambda c: c.rows("search_quotes", p["common"], speaker=surname),
        ),
        (
            f"quotes --search {p['mid_word']} --speaker {surname}",
            lambda c: c.rows("search_quotes", p["mid_word"], speaker=surname),
        ),
        (
            f"quotes --search {p['rare_word']} --outlet '{p['outlet']}'",
            lambda c: c.rows("search_quotes", p["rare_word"], outlet=p["outlet"]),
        ),
        (
            f"quotes --outlet '{p['outlet']}' --since {p['month']}",
            lambda c: c.rows("search_quotes", None, outlet=p["outlet"], since=p["month"]),
        ),
        (
            f"quotes --search {p['common']} --since {p['week']}",
            lambda c: c.rows("search_quotes", p["common"], since=p["week"]),
        ),
        (f"claims --since {p['week']}", lambda c: c.rows("claims", since=p["week"])),
        ("claims (all time)", lambda c: c.rows("claims")),
        (
            f"claim {p['big']} (biggest cluster; the earliest 200, the default)",
            lambda c: c.rows("claim", p["big"], 200),
        ),
        (f"claim {p['big']} --limit 0 (every mention)", lambda c: c.rows("claim", p["big"])),
        (f"claim {p['small']} (one claim)", lambda c: c.rows("claim", p["small"], 200)),
        *(
            (f"techniques --by {by} --since {p['month']}", _techniques(by, p["month"]))
            for by in ("outlet", "speaker", "day")
        ),
        (
            f"techniques --by speaker --since {p['month']} --top 0 (every speaker)",
            _techniques("speaker", p["month"], 0),
        ),
        *((f"techniques --by {by} (all time)", _techniques(by, None)) for by in ("outlet", "speaker", "day")),
        ("techniques --by speaker --top 0 (all time, every speaker)", _techniques("speaker", None, 0)),
        ("errors", lambda c: c.rows("errors")),
    ]


def _techniques(by: str, since: str | None, top: int = 20) -> Callable[[Corpus], list[dict[str, Any]]]:
    """As ``presslens corpus techniques`` asks (``--top 20`` by default, 0: every speaker)."""
    return lambda c: c.rows("techniques", by, since=since, top=top or None)


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def bench(db: str, repeat: int, only: list[str] | None) -> list[dict[str, Any]]:
    out = []
    with Corpus(db) as corpus:
        params = pick(corpus)
        for name, fn in cases(params):
            if only and not any(o in name for o in only):
                continue
            rows = len(fn(corpus))  # warm-up
            times = []
            for _ in range(repeat):
                gc.collect()  # as in a fresh ``presslens corpus`` process: no collection of earlier runs' garbage
                t0 = time.perf_counter()
                fn(corpus)
                times.append((time.perf_counter() - t0) * 1000)
            out.append({"query": name, "rows": rows, "p50": statistics.median(times), "p95": percentile(times, 0.95)})
            print(f"  {name}: {rows} rows, p50 {out[-1]['p50']:.1f} ms, p95 {out[-1]['p95']:.1f} ms", file=sys.stderr)
    return out


def check(db: str) -> list[str]:
    """The all-time answers from the summary tables, compared with those counted from the rows (summaries off)."""
    from presslens.store import summary

    asks: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("stats", (), {}),
        ("speakers", (), {"top": 50}),
        ("claims", (), {"top": 50}),
        *(("techniques", (by,), {}) for by in ("outlet", "day", "speaker")),
    ]
    problems = []
    with Corpus(db) as corpus:
        p = pick(corpus)
        month = p["month"]
        asks += [("techniques", (by,), {"since": month}) for by in ("outlet", "day", "speaker")]
        asks += [("techniques", ("speaker",), {"since": month, "top": 20})]
        for who in (p["frequent"].split()[-1], p["rare"].split()[-1], "an"):  # "an": hundreds of names
            asks += [("search_quotes", (word,), {"speaker": who}) for word in (None, p["common"], p["rare_word"])]
            asks += [("search_quotes", (p["mid_word"],), {"speaker": who, "since": month})]
            asks += [("search_quotes", (p["mid_word"],), {"speaker": who})]  # SQLite: the two id lists intersected
        asks += [("techniques", ("outlet",), {"since": month, "until": month[:8] + "20"})]
        with corpus.engine.connect() as conn:
            if not summary.fresh(conn):
                return ["the summaries are not in step with the store"]
        fresh = summary.fresh
        for name, args, kwargs in asks:
            fast = corpus.rows(name, *args, **kwargs)
            try:
                summary.fresh = lambda conn: False  # type: ignore[assignment]
                counted = corpus.rows(name, *args, **kwargs)
            finally:
                summary.fresh = fresh  # type: ignore[assignment]
            if fast != counted:
                diff = next((f"{a} != {b}" for a, b in zip(fast, counted, strict=False) if a != b), "lengths differ")
                problems.append(f"{name} {args}: {len(fast)} rows from the summaries, {len(counted)} counted; {diff}")
            else:
                print(f"  {name} {args} {kwargs}: {len(fast)} rows, the same", file=sys.stderr)
    return problems


def sync_cost(db: str, repeat: int, batch: int = 32) -> tuple[float, float]:
    """What the summaries add to an ingest: ``summary.sync`` after a batch of ``batch`` articles (as many as
    ``presslens ingest`` writes a transaction), in ms (p50, p95). Each round takes random current versions out
    of the summaries, times putting them back, and rolls back: the store is left as it was."""
    import random

    from presslens.store import open_engine, summary

    engine = open_engine(db, create=False)
    v = schema.versions.c
    rng = random.Random(0)
    times = []
    with engine.connect() as conn:
        top = conn.execute(select(func.max(v.id))).scalar() or 0
    for _ in range(repeat):
        with engine.connect() as conn:
            trans = conn.begin()
            rows = conn.execute(
                select(v.id, v.article_id).where(v.current.is_(True), v.id.in_(rng.sample(range(1, top + 1), 200)))
            ).all()[:batch]
            ids, articles = [r[0] for r in rows], [r[1] for r in rows]
            conn.execute(schema.versions.update().where(v.id.in_(ids)).values(current=False))
            summary.sync(conn, articles)
            conn.execute(schema.versions.update().where(v.id.in_(ids)).values(current=True))
            t0 = time.perf_counter()
            summary.sync(conn, articles)
            times.append((time.perf_counter() - t0) * 1000)
            trans.rollback()
    engine.dispose()
    return statistics.median(times), percentile(times, 0.95)


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| query | rows | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    for r in results:
        flag = " **over**" if r["p95"] > TARGET_MS else ""
        lines.append(f"| `{r['query']}` | {r['rows']:,} | {r['p50']:.1f} | {r['p95']:.1f}{flag} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="a store written by benchmarks/synth_corpus.py")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--only", help="comma-separated parts of query names to run")
    ap.add_argument("--check", action="store_true", help="first compare the summaries' answers with counted ones")
    ap.add_argument(
        "--smoke", action="store_true", help="a 300-article synthetic store, 3 repeats: checks that it runs"
    )
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        from synth_corpus import store_arg

        args.db = store_arg(ap, args, tmp)
        if args.smoke:
            args.repeat = min(args.repeat, 3)
        if args.check:
            problems = check(args.db)
            print(f"summaries checked: {len(problems)} differences" + "".join(f"\n  {p}" for p in problems))
            if problems:
                sys.exit(1)
        results = bench(args.db, args.repeat, only)
        print(table(results))
        if not only:
            p50, p95 = sync_cost(args.db, max(3, args.repeat // 2))
            print(f"summary.sync after a 32-article ingest batch: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    over = [r["query"] for r in results if r["p95"] > TARGET_MS]
    print(
        f"{len(results)} queries, {len(over)} with p95 over {TARGET_MS:.0f} ms"
        + (f": {'; '.join(over)}" if over else "")
    )


if __name__ == "__main__":
    main()
