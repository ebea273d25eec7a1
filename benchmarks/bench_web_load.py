"""The web app under load (issue 16: 20 users, p95 page time ≤ 200 ms, no errors, server memory steady).

Usage:  python benchmarks/bench_web_load.py --db STORE [--duration 600] [--users 20] [--json out.json]
        python benchmarks/bench_web_load.py --smoke     (a 300-article synthetic store, a 10 s run)

STORE is a store written by benchmarks/synth_corpus.py (a SQLite file or a postgresql:// URL). The parameters are
picked from the store first (untimed, bench_corpus_queries.pick: the most quoted speaker and one quoted once, a
common and a rare word, the biggest outlet, the last month, the biggest and a one-claim cluster; plus current
article versions at random). Then ``presslens serve --db STORE`` starts as a real subprocess on a free 127.0.0.1
port, each page is asked once to warm up, and ``--users`` simulated users (asyncio, one httpx connection each)
browse for ``--duration`` seconds: each picks a page from a fixed mix, waits for the whole response, thinks 0–1 s
(uniform) and goes on. The mix (weights in MIX): the dashboard, searches (a common, a mid or a rare word, with a
facet half of the time), the most quoted and a rarely quoted speaker, the biggest and a one-claim cluster, an
article; a quarter of the requests ask the JSON API instead of the page. A request counts as an error when its
status is not 2xx or it raises (a 30 s timeout). The server's RSS (with any children) is sampled every 10 s.

Prints per page type requests, errors, p50 / p95 / max ms, the overall p95, the slowest URLs, and the server's
memory (start, end, max, least-squares slope over the run and over its second half, in MiB per minute).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _sample import REPO

sys.path.insert(0, str(REPO / "src"))

import httpx  # noqa: E402
from bench_corpus_queries import percentile, pick  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from presslens.corpus import Corpus  # noqa: E402
from presslens.store import schema  # noqa: E402

try:  # psutil comes with the ML extras (accelerate); without it the RSS is read from /proc
    import psutil  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    psutil = None

TARGET_MS = 200.0
API_SHARE = 0.25  # requests that ask the JSON endpoint rather than the page
THINK_S = 1.0  # think time: uniform 0..THINK_S between a user's requests
TIMEOUT_S = 30.0
SAMPLE_S = 10.0  # RSS sampling period
# page type -> weight (out of 100): what a newsroom's people open most
MIX = {
    "dashboard": 10,
    "search: common word": 12,
    "search: mid word": 8,
    "search: rare word": 10,
    "speaker: most quoted": 6,
    "speaker: rare": 14,
    "claim: biggest cluster": 5,
    "claim: one claim": 15,
    "article": 20,
}


@dataclass
class Stats:
    times: list[float] = field(default_factory=list)  # ms, every request
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)


def params(db: str, articles: int = 500, seed: int = 0) -> dict[str, Any]:
    """What the users ask for, read from the store (untimed): bench_corpus_queries' picks, the speakers' ids, and
    current article versions."""
    with Corpus(db) as corpus:
        p = pick(corpus)
        s, v = schema.speakers.c, schema.versions.c
        with corpus.engine.connect() as conn:
            for who in ("frequent", "rare"):
                p[who + "_id"] = conn.execute(select(s.id).where(s.name == p[who]).order_by(s.id).limit(1)).scalar()
            top = conn.execute(select(func.max(v.id))).scalar() or 0
            rng = random.Random(seed)
            wanted = sorted(rng.sample(range(1, top + 1), min(top, articles * 2)))
            ids = [r for (r,) in conn.execute(select(v.id).where(v.current.is_(True), v.id.in_(wanted[:900])))]
    p["versions"] = ids[:articles] or [top]
    return p


def facets(p: dict[str, Any]) -> list[dict[str, Any]]:
    """No facet, then each facet the search page links to (bench_web_search.py times each)."""
    return [
        {},
        {"outlet": p["outlet"]},
        {"since": p["month"]},
        {"quote_kind": "direct"},
        {"kind": "claims"},
        {"kind": "claims", "disputed": "yes"},
        {"kind": "articles"},
        {"speaker": p["frequent"].split()[-1]},
    ]


def facet(p: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Half of the searches narrow by a facet, as the search page's links do."""
    return rng.choice([{}, {}, {}, *facets(p)])


def url_for(kind: str, p: dict[str, Any], rng: random.Random, api: bool) -> str:
    if kind == "dashboard":
        return "/api/dashboard" if api else "/"
    if kind.startswith("search"):
        word = {"common": p["common"], "mid": p["mid_word"], "rare": p["rare_word"]}[kind.split()[1]]
        return ("/api/search?" if api else "/search?") + urlencode({"q": word, **facet(p, rng)})
    if kind.startswith("speaker"):
        sid = p["frequent_id"] if "most" in kind else p["rare_id"]
        return f"/api/speakers/{sid}" if api else f"/speaker/{sid}"
    if kind.startswith("claim"):
        cid = p["big"] if "biggest" in kind else p["small"]
        return f"/api/claims/{cid}" if api else f"/claim/{cid}"
    vid = rng.choice(p["versions"])
    return f"/api/articles/{vid}" if api else f"/article/{vid}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: str, port: int, log: Any, workers: int = 1) -> subprocess.Popen[bytes]:
    """``presslens serve`` as a user starts it (the console script next to this Python, else ``-m presslens``)."""
    exe = Path(sys.executable).parent / "presslens"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "presslens"]
    cmd += ["serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)


async def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"presslens serve exited with {server.returncode}")
            try:
                if (await client.get("/robots.txt")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"presslens serve did not answer within {timeout:.0f} s")


def rss(pid: int) -> int:
    """Resident bytes of the server and any processes it started (an analysis worker)."""
    if psutil is not None:
        proc = psutil.Process(pid)
        total = 0
        for q in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a child that ended meanwhile
                total += q.memory_info().rss
        return total
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


async def sample_memory(
    pid: int, t0: float, stop: asyncio.Event, out: list[tuple[float, int]], load: list[float]
) -> None:
    """The server's RSS every SAMPLE_S seconds and at the end; the machine's 1-minute load average with it."""
    while True:
        out.append((time.monotonic() - t0, rss(pid)))
        load.append(os.getloadavg()[0])
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_S)
            out.append((time.monotonic() - t0, rss(pid)))
            return
        except TimeoutError:
            pass


async def user(base: str, p: dict[str, Any], seed: int, until: float, stats: dict[str, Stats], think: float) -> None:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
        await asyncio.sleep(rng.uniform(0, think))  # users do not all arrive at once
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            api = rng.random() < API_SHARE
            url = url_for(kind, p, rng, api)
            name = ("api " if api else "") + kind
            st = stats.setdefault(name, Stats())
            t0 = time.perf_counter()
            try:
                r = await client.get(url)
                await r.aread()
                ok, why = r.is_success, f"{r.status_code}"
            except httpx.HTTPError as exc:
                ok, why = False, f"{type(exc).__name__}: {exc}"
            ms = (time.perf_counter() - t0) * 1000
            st.times.append(ms)
            st.slowest = sorted([*st.slowest, (ms, url)], reverse=True)[:3]
            if not ok:
                st.errors += 1
                if len(st.error_samples) < 3:
                    st.error_samples.append(f"{url}: {why}")
            await asyncio.sleep(rng.uniform(0, think))


async def warm_up(base: str, p: dict[str, Any]) -> None:
    """Each page and endpoint once (untimed): the first request of a kind pays imports and cold caches."""
    rng = random.Random(1)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for kind in MIX:
            for api in (False, True):
                await client.get(url_for(kind, p, rng, api))


async def run_load(
    db: str,
    p: dict[str, Any],
    duration: float,
    users: int,
    think: float,
    log: Any,
    load: list[float],
    workers: int = 1,
) -> tuple[dict[str, Stats], list[tuple[float, int]], float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port, log, workers)
    try:
        await wait_ready(base, server)
        await warm_up(base, p)
        stats: dict[str, Stats] = {}
        memory: list[tuple[float, int]] = []
        stop = asyncio.Event()
        load.clear()
        t0 = time.monotonic()
        sampler = asyncio.create_task(sample_memory(server.pid, t0, stop, memory, load))
        await asyncio.gather(*(user(base, p, i, t0 + duration, stats, think) for i in range(users)))
        elapsed = time.monotonic() - t0
        stop.set()
        await sampler
        if server.poll() is not None:
            raise RuntimeError(f"presslens serve exited with {server.returncode} during the run")
        return stats, memory, elapsed
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def slope(points: list[tuple[float, int]]) -> float:
    """Least-squares MiB per minute."""
    if len(points) < 2:
        return 0.0
    xs, ys = [t / 60 for t, _ in points], [b / 2**20 for _, b in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def summarise(stats: dict[str, Stats], memory: list[tuple[float, int]], elapsed: float) -> dict[str, Any]:
    order = [k for kind in MIX for k in (kind, "api " + kind) if k in stats]
    rows = [
        {
            "page": name,
            "requests": len(stats[name].times),
            "errors": stats[name].errors,
            "p50": statistics.median(stats[name].times),
            "p95": percentile(stats[name].times, 0.95),
            "max": max(stats[name].times),
            "slowest": stats[name].slowest,
            "error_samples": stats[name].error_samples,
        }
        for name in order
    ]
    every = [t for s in stats.values() for t in s.times]
    half = [m for m in memory if m[0] >= elapsed / 2]
    mib = [b / 2**20 for _, b in memory]
    return {
        "pages": rows,
        "requests": len(every),
        "errors": sum(s.errors for s in stats.values()),
        "p95": percentile(every, 0.95) if every else 0.0,
        "rate": len(every) / elapsed if elapsed else 0.0,
        "seconds": elapsed,
        "memory": {
            "samples": [(round(t, 1), round(b / 2**20, 1)) for t, b in memory],
            "start": mib[0] if mib else 0.0,
            "end": mib[-1] if mib else 0.0,
            "max": max(mib) if mib else 0.0,
            "slope": slope(memory),
            "slope_second_half": slope(half),
        },
    }


def report(fig: dict[str, Any], users: int, backend: str, workers: int = 1) -> None:
    print(
        f"backend: {backend}; {workers} server process(es); {users} users for {fig['seconds']:.0f} s; machine load average (1 min) during the run: "
        f"mean {fig['load']['mean']:.1f}, max {fig['load']['max']:.1f} on {os.cpu_count()} CPUs"
    )
    print("| page | requests | errors | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in fig["pages"]:
        flag = " **over**" if r["p95"] > TARGET_MS else ""
        print(
            f"| {r['page']} | {r['requests']:,} | {r['errors']} | {r['p50']:.1f} | {r['p95']:.1f}{flag} "
            f"| {r['max']:.0f} |"
        )
    print(f"all: {fig['requests']:,} requests ({fig['rate']:.1f}/s), {fig['errors']} errors, p95 {fig['p95']:.1f} ms")
    m = fig["memory"]
    print(
        f"server RSS: start {m['start']:.1f} MiB, end {m['end']:.1f} MiB, max {m['max']:.1f} MiB, "
        f"slope {m['slope']:+.2f} MiB/min (second half {m['slope_second_half']:+.2f} MiB/min), "
        f"{len(m['samples'])} samples"
    )
    for r in fig["pages"]:
        for ms, url in r["slowest"][:1]:
            print(f"  slowest {r['page']}: {ms:.0f} ms {url}", file=sys.stderr)
        for e in r["error_samples"]:
            print(f"  error {r['page']}: {e}", file=sys.stderr)
    over = [r["page"] for r in fig["pages"] if r["p95"] > TARGET_MS]
    verdict = "met" if not over and not fig["errors"] else "missed"
    print(
        f"target (p95 <= {TARGET_MS:.0f} ms per page, no errors): {verdict}"
        + (f"; over: {', '.join(over)}" if over else "")
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="a store written by benchmarks/synth_corpus.py")
    ap.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    ap.add_argument("--users", type=int, default=20, help="concurrent simulated users (default 20)")
    ap.add_argument("--think", type=float, default=THINK_S, help="think time: uniform 0..S seconds (default 1)")
    ap.add_argument("--workers", type=int, default=1, help="presslens serve --workers N (default 1)")
    ap.add_argument("--json", help="also write the figures (and the RSS samples) to this file")
    ap.add_argument("--server-log", help="the server's output (default: a temp file, shown when it fails)")
    ap.add_argument("--smoke", action="store_true", help="a 300-article synthetic store, a 10 s run")
    args = ap.parse_args()
    if not shutil.which("presslens") and not (Path(sys.executable).parent / "presslens").exists():
        print("note: no presslens console script; running python -m presslens", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        from synth_corpus import store_arg

        args.db = store_arg(ap, args, tmp)
        if args.smoke:
            args.duration = min(args.duration, 10.0)
        p = params(args.db)
        print(
            f"picked: speakers {p['frequent']!r} (#{p['frequent_id']}) and {p['rare']!r} (#{p['rare_id']}), "
            f"words {p['common']!r}/{p['mid_word']!r}/{p['rare_word']!r}, outlet {p['outlet']!r}, "
            f"clusters {p['big']} and {p['small']}, {len(p['versions'])} articles",
            file=sys.stderr,
        )
        log_path = args.server_log or os.path.join(tmp, "server.log")
        load: list[float] = []
        with open(log_path, "wb") as log:
            try:
                stats, memory, elapsed = asyncio.run(
                    run_load(args.db, p, args.duration, args.users, args.think, log, load, args.workers)
                )
            except RuntimeError as exc:
                log.flush()
                tail = Path(log_path).read_text(errors="replace")[-3000:]
                sys.exit(f"bench_web_load: {exc}\nserver output:\n{tail}")
    fig = summarise(stats, memory, elapsed)
    fig["load"] = {"mean": statistics.fmean(load) if load else 0.0, "max": max(load, default=0.0)}
    report(fig, args.users, "postgresql" if re.match(r"postgres", args.db) else "sqlite", args.workers)
    if args.json:
        figures = {"db": args.db, "users": args.users, "workers": args.workers, **fig}
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
