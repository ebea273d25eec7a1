"""Long-document cost: time and peak memory of one ``analyze`` by the text's size, and the fitted growth.

Each size runs in a fresh process (the default components, the shipped models, no knowledge base): the text is
built by repeating the built-in sample (tests/articles/*.txt and examples/kremlin-interview.txt, paragraphs
separated by blank lines) to the size, or, with ``--data DIR``, by joining the ``.txt`` files of DIR in name
order (a book-length report of many articles). Seconds are those of ``presslens.analyze`` alone (models loaded
and warmed on a short article first); peak MB is the process's maximum resident set, models included. The
growth exponent is the least-squares slope of log(seconds) and of log(peak MB above the warmed-up process) on
log(size): 1 is linear.

    python benchmarks/long_documents.py                       # 10 KB, 100 KB, 1 MB, 5 MB (~15 min on 2 cores)
    python benchmarks/long_documents.py --sizes 10,100,1000 --data ../shared/data/quotes/polnear/train
    python benchmarks/long_documents.py --smoke               # 10 KB and 50 KB, seconds
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sample import sample_texts  # noqa: E402


def build_text(size: int, data: Path | None = None, flat: bool = False) -> str:
    """About ``size`` characters of paragraphs, cut after a whole article or paragraph (never mid-paragraph)."""
    if data is not None:
        pieces = [f.read_text(encoding="utf-8").strip() for f in sorted(data.glob("*.txt"))]
        if not pieces:
            sys.exit(f"no .txt files in {data}")
    else:
        pieces = [t.strip() for t in sample_texts()]
    out: list[str] = []
    n = 0
    while n < size:
        for piece in pieces:
            for para in piece.split("\n\n"):
                if n >= size:
                    break
                out.append(para)
                n += len(para) + 2
    return " ".join(o.replace("\n", " ") for o in out) if flat else "\n\n".join(out)


def child(size: int, data: Path | None, flat: bool = False) -> None:
    """One measurement, in this (fresh) process: prints one JSON line."""
    import presslens

    presslens.analyze(sample_texts()[-1])  # load and warm every model
    warm_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = build_text(size, data, flat)
    t = time.perf_counter()
    analysis = presslens.analyze(text, id="long")
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    spans = [(q.start, q.end, q.text) for q in analysis.quotes]
    spans += [(c.start, c.end, c.text) for c in analysis.claims]
    spans += [(t.start, t.end, t.text) for t in analysis.techniques]
    assert all(analysis.text[a:b] == t for a, b, t in spans), "offsets"
    print(
        json.dumps(
            {
                "chars": len(text),
                "bytes": len(text.encode("utf-8")),
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb),
                "warm_mb": round(warm_mb),
                "quotes": len(analysis.quotes),
                "claims": len(analysis.claims),
            }
        ),
        flush=True,
    )


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / den if den else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10,100,1000,5000", help="sizes in KB (1,000 characters), comma-separated")
    ap.add_argument("--data", type=Path, help="build the texts from this folder's .txt files instead of the sample")
    ap.add_argument("--flat", action="store_true", help="one paragraph: the texts without their line breaks")
    ap.add_argument("--smoke", action="store_true", help="10 KB and 50 KB only: shows the benchmark still runs")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.child, args.data, args.flat)
        return
    sizes = [10, 50] if args.smoke else [int(s) for s in args.sizes.split(",")]
    rows = []
    print(f"{'KB':>6} {'chars':>9} {'seconds':>8} {'peak MB':>8} {'warm MB':>8} {'quotes':>7} {'claims':>7}")
    for kb in sizes:
        cmd = [sys.executable, __file__, "--child", str(kb * 1000)]
        if args.data is not None:
            cmd += ["--data", str(args.data)]
        if args.flat:
            cmd.append("--flat")
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print(f"{kb:>6} failed (exit {run.returncode}): {run.stderr.strip()[-500:]}", flush=True)
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(
            f"{kb:>6} {r['chars']:>9} {r['seconds']:>8.2f} {r['peak_mb']:>8} {r['warm_mb']:>8}"
            f" {r['quotes']:>7} {r['claims']:>7}",
            flush=True,
        )
    if len(rows) >= 2:
        xs = [r["chars"] for r in rows]
        t = slope(xs, [r["seconds"] for r in rows])
        m = slope(xs, [max(1, r["peak_mb"] - r["warm_mb"]) for r in rows])
        print(f"growth exponent (log-log slope): time {t:.2f}, memory above warm {m:.2f}", flush=True)


if __name__ == "__main__":
    main()
