"""Ingest throughput against `analyze` alone on the same articles, in one run (issue 15; docs/benchmarks.md).

Usage:  HF_HUB_OFFLINE=1 python benchmarks/bench_ingest.py [--data ../shared/data] [--n 180] [--words 600-1000]
                                                           [--modes analyze,sqlite,postgres,analyze]
        python benchmarks/bench_ingest.py --smoke     (the repository's test articles, SQLite only)

Modes, each in its own process, in the order given: `analyze` (analyze_many over the articles, 2 workers, the default
models, no knowledge base: what `presslens analyze` costs), `sqlite` (the same through `presslens.corpus.ingest` into a
fresh SQLite file: analysis + speaker linking + claim embedding and clustering + writes) and `postgres` (the same into
a throw-away PostgreSQL server started for the run, tests/pgserver.py). Overhead = ingest seconds / analyze seconds - 1,
and the same in CPU seconds (this process + its analysis workers), which other jobs on the machine disturb less.

`sqlite-words` and `postgres-words`: the same with ``--cluster-by words`` (no sentence encoder).

`--writer` measures the ingest's own work apart: the articles are analysed once (CPU seconds per article, as the
ingest runs the analysis: 2 workers and this process), then the same analyses are stored by ``store_batch`` into
fresh SQLite stores, once with each claim encoder backend (ONNX int8, torch) and once by words, CPU seconds timed in this process: the
writer's share of an article's CPU, which is what the ingest adds on cores that the analysis keeps busy.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _sample import SHARED, sample_texts

HERE = Path(__file__).resolve().parent


def texts(data: Path, n: int, words: str | None, smoke: bool) -> list[str]:
    if smoke:
        return sample_texts()
    sys.path.insert(0, str(HERE))
    from bench_speed import load_texts

    return load_texts(data, n, words=words)


def run_mode(mode: str, items: list[str], db: str | None) -> dict[str, float | str]:
    from presslens.ingest import Article
    from presslens.options import Options

    articles = [Article(id=f"a{i}", text=t) for i, t in enumerate(items)]
    options = Options(workers=2, components=())
    own0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    if mode == "analyze":
        from presslens.pipeline import analyze_many

        n = sum(1 for _ in analyze_many(articles, options=options))
    else:
        from presslens.corpus import ingest

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "items.jsonl"
            path.write_text(
                "".join(json.dumps({"id": a.id, "text": a.text}) + "\n" for a in articles), encoding="utf-8"
            )
            from presslens.corpus.ingest import load_clusterer

            clusterer = load_clusterer("words") if mode.endswith("-words") else None
            report = ingest([str(path)], db, options=options, clusterer=clusterer)
            n = report.stored
    seconds = time.perf_counter() - t0
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_own = own.ru_utime + own.ru_stime - own0.ru_utime - own0.ru_stime
    cpu_kids = kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    return {
        "mode": mode,
        "articles": n,
        "seconds": round(seconds, 2),
        "articles_per_s": round(n / seconds, 2),
        "cpu_main_s": round(cpu_own, 2),  # this process: reading, (ingest:) embedding, linking, writing
        "cpu_workers_s": round(cpu_kids, 2),  # the analysis workers
    }


def writer_costs(items: list[str]) -> None:
    from presslens.corpus.ingest import load_clusterer
    from presslens.corpus.write import start_run, store_batch
    from presslens.ingest import Article
    from presslens.options import Options
    from presslens.pipeline import analyze_many

    articles = [Article(id=f"a{i}", text=t) for i, t in enumerate(items)]

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    analyses = list(analyze_many(articles, options=Options(workers=2, components=())))
    analysis = (cpu() - c0) / len(articles)
    print(f"analysis: {1000 * analysis:.0f} ms CPU per article (2 workers and this process, as ingest runs it)")
    from presslens.store import open_engine

    for backend in ("onnx", "torch", "words"):
        clusterer = load_clusterer(backend)
        with tempfile.TemporaryDirectory() as tmp:
            engine = open_engine(str(Path(tmp) / "w.db"))
            run = start_run(engine, "bench")
            c0 = time.process_time()
            for i in range(0, len(analyses), 32):
                store_batch(engine, analyses[i : i + 32], run, clusterer)
            cost = (time.process_time() - c0) / len(analyses)
            engine.dispose()
        print(
            f"writer ({backend if backend == 'words' else backend + ' encoder'}): {1000 * cost:.1f} ms CPU per article, "
            f"{100 * cost / analysis:.1f} % of the analysis"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--n", type=int, default=180)
    ap.add_argument("--words", default="600-1000")
    ap.add_argument("--modes", default="analyze,sqlite,postgres,analyze")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--writer", action="store_true", help="the writer's CPU per article apart (see above)")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    items = texts(args.data, args.n, args.words, args.smoke)
    if args.writer:
        writer_costs(items)
        return
    if args.child:
        mode, db = args.child
        print(json.dumps(run_mode(mode, items, None if db == "-" else db)))
        return
    modes = ["analyze", "sqlite"] if args.smoke else args.modes.split(",")
    server = None
    if any(m.startswith("postgres") for m in modes):
        sys.path.insert(0, str(HERE.parent / "tests"))
        from pgserver import PgServer

        server = PgServer()
        server.start()
    print(f"{len(items)} articles, {sum(len(t.split()) for t in items) // max(1, len(items))} words each on average")
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for k, mode in enumerate(modes):
                db = "-"
                if mode.startswith("sqlite"):
                    db = str(Path(tmp) / f"bench{k}.db")
                elif mode.startswith("postgres"):
                    assert server is not None
                    db = server.create_database(f"bench{k}")
                cmd = [sys.executable, __file__, "--child", mode, db, "--n", str(args.n), "--data", str(args.data)]
                cmd += ["--words", args.words] + (["--smoke"] if args.smoke else [])
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
                results.append(json.loads(out))
                print(json.dumps(results[-1]), flush=True)
    finally:
        if server is not None:
            server.stop()
    base = [r for r in results if r["mode"] == "analyze"]
    if base:
        ref = sum(float(r["seconds"]) for r in base) / len(base)
        cpu = sum(float(r["cpu_main_s"]) + float(r["cpu_workers_s"]) for r in base) / len(base)
        for r in results:
            if r["mode"] != "analyze":
                own = float(r["cpu_main_s"]) + float(r["cpu_workers_s"])
                print(
                    f"{r['mode']}: {100 * (float(r['seconds']) / ref - 1):+.1f} % time, {100 * (own / cpu - 1):+.1f} % CPU "
                    f"against analyze ({ref:.2f} s, {cpu:.2f} CPU s, mean of {len(base)})"
                )


if __name__ == "__main__":
    main()
