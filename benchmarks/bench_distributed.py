"""`presslens ingest --engine ray` against the plain multiprocessing ingest on the same articles, in one run, and the
load rate of `presslens load` (issue 17; docs/benchmarks.md, "Ray ingest").

Usage:  HF_HUB_OFFLINE=1 python benchmarks/bench_distributed.py [--n 2000] [--fast] [--workers 2] [--data ../shared/data]
                                                                [--modes plain,ray,load-sqlite,load-postgres]
        python benchmarks/bench_distributed.py --smoke   (the repository's 12 built-in articles, SQLite only)

The N articles are PolNeAR texts (train, then dev) read at run time and repeated with an edition line, so that each
is a new article; they are written to a temporary JSON Lines file (never into the repository). Modes, each in its
own process, in the order given: `plain` (presslens.corpus.ingest, `--workers` processes, into a fresh SQLite file),
`ray` (the same through presslens.distributed.job.run_ray on a local Ray instance of `--workers` CPUs, into a fresh
SQLite file and Parquet shards; Ray's start-up included), `load-sqlite` / `load-postgres` (`presslens load` of the
ray mode's shards into a fresh SQLite file / a throw-away PostgreSQL server, tests/pgserver.py). Overhead = ray
seconds / plain seconds - 1; "steady" rates leave out everything before the first stored batch (start-up, model
loading). Peak RSS per actor is the actor process's ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _sample import SHARED, have, sample_texts, skip

HERE = Path(__file__).resolve().parent


def texts(data: Path, n: int, smoke: bool) -> list[str]:
    if smoke:
        return sample_texts()[:n]
    files = sorted((data / "quotes/polnear/train/text").glob("*.txt")) + sorted(
        (data / "quotes/polnear/dev/text").glob("*.txt")
    )
    if not files:
        sys.exit(f"no PolNeAR texts under {data}/quotes/polnear: pass --data")
    base = [f.read_text(encoding="utf-8") for f in files]
    return [base[i % len(base)] + (f"\n\nEdition {i // len(base)}." if i >= len(base) else "") for i in range(n)]


class Clock:
    """The progress callback: when the first batch was stored, and how many articles were stored by then."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.first: tuple[float, int] | None = None

    def __call__(self, report) -> None:  # type: ignore[no-untyped-def]
        if self.first is None and report.stored:
            self.first = (time.perf_counter() - self.t0, report.stored)


def run_mode(mode: str, source: str, db: str, shards: str, args: argparse.Namespace) -> dict:
    from presslens.options import Options

    options = Options(workers=args.workers, fast=args.fast)
    clock = Clock()
    stats: dict = {}
    if mode == "plain":
        from presslens.corpus import ingest

        report = ingest([source], db, options=options, progress=clock)
    elif mode == "ray":
        from presslens.distributed.job import run_ray

        report = run_ray(
            [source], db=db, out=shards, options=options, workers=args.workers, progress=clock, stats=stats
        )
    else:
        from presslens.distributed.load import load

        report = load(shards, db, progress=clock)
    seconds = time.perf_counter() - clock.t0
    n = report.stored
    out = {"mode": mode, "articles": n, "failed": report.failed, "seconds": round(seconds, 2)}
    out["articles_per_s"] = round(n / seconds, 2)
    if clock.first and n > clock.first[1]:
        t, done = clock.first
        out["first_batch_s"] = round(t, 2)
        out["steady_articles_per_s"] = round((n - done) / (seconds - t), 2)
    if stats:
        peaks = sorted(stats["peak_rss_mb"].values())
        out["actors"] = stats["actors"]
        out["actor_processes"] = len(peaks)  # more than actors: one was restarted
        out["peak_rss_mb_per_actor"] = round(max(peaks)) if peaks else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fast", action="store_true", help="the lexical technique model (about twice as fast)")
    ap.add_argument("--modes", default="plain,ray,load-sqlite,load-postgres")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--child", nargs=4, metavar=("MODE", "SOURCE", "DB", "SHARDS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_mode(*args.child, args=args)))
        return
    if not have("ray"):
        skip("Ray is not installed (pip install -e '.[ray]')")
    if args.smoke:
        args.n, args.fast, args.modes = 12, True, "plain,ray,load-sqlite"
    modes = args.modes.split(",")
    items = texts(args.data, args.n, args.smoke)
    words = sum(len(t.split()) for t in items) // max(1, len(items))
    print(f"{len(items)} articles, {words} words each on average, {args.workers} workers, fast={args.fast}")
    server = None
    if "load-postgres" in modes:
        sys.path.insert(0, str(HERE.parent / "tests"))
        from pgserver import PgServer

        server = PgServer()
        server.start()
    runs: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "articles.jsonl"
            with source.open("w", encoding="utf-8") as f:
                for i, t in enumerate(items):
                    f.write(json.dumps({"id": f"a{i}", "text": t}) + "\n")
            shards = str(Path(tmp) / "shards")
            for k, mode in enumerate(modes):
                if mode == "load-postgres":
                    assert server is not None
                    db = server.create_database(f"bench{k}")
                else:
                    db = str(Path(tmp) / f"{mode}-{k}.db")
                cmd = [sys.executable, __file__, "--child", mode, str(source), db, shards]
                cmd += ["--workers", str(args.workers)] + (["--fast"] if args.fast else [])
                run = subprocess.run(cmd, capture_output=True, text=True)
                if run.returncode != 0:
                    sys.exit(f"{mode} failed:\n{run.stderr[-3000:]}")
                runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[-1]), flush=True)
    finally:
        if server is not None:
            server.stop()
    results = {mode: mean([r for r in runs if r["mode"] == mode]) for mode in dict.fromkeys(modes)}
    for mode, r in results.items():
        line = f"{mode}: {r['articles']} articles in {r['seconds']} s, {r['articles_per_s']} articles/s"
        line += f" (mean of {r['runs']} runs)" if r["runs"] > 1 else ""
        if "steady_articles_per_s" in r:
            line += f" ({r['steady_articles_per_s']} articles/s after the first batch at {r['first_batch_s']} s)"
        if mode == "ray":
            if "plain" in results:
                over = 100 * (r["seconds"] / results["plain"]["seconds"] - 1)
                line += f", overhead {over:+.1f} % against plain"
                if "steady_articles_per_s" in r and "steady_articles_per_s" in results["plain"]:
                    steady = 100 * (results["plain"]["steady_articles_per_s"] / r["steady_articles_per_s"] - 1)
                    line += f" ({steady:+.1f} % steady)"
            line += f", peak RSS per actor {r.get('peak_rss_mb_per_actor')} MB ({r.get('actors')} actors)"
        print(line)


def mean(runs: list[dict]) -> dict:
    """A mode run more than once (``--modes plain,ray,plain,ray``, alternating against a busy machine): the mean of
    each figure, the peak of the peaks."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float) and all(key in r for r in runs):
            out[key] = round(sum(r[key] for r in runs) / len(runs), 2)
    if "peak_rss_mb_per_actor" in out:
        out["peak_rss_mb_per_actor"] = max(r["peak_rss_mb_per_actor"] or 0 for r in runs)
    out["runs"] = len(runs)
    return out


if __name__ == "__main__":
    main()
