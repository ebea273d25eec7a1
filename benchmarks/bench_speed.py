"""Speed and peak memory of `presslens analyze` against spaCy alone (the floor) and textacy (the peer).

Usage:  python benchmarks/bench_speed.py [--data ../shared/data] [--n 240] [--workers 2] [--kb FILE] [--modes M,M]
        python benchmarks/bench_speed.py --smoke      (6 built-in articles; checks that it runs, 10-25 s)

Each mode runs in its own process so that peak memory (max RSS of the process and its workers) is its own:
- spacy:     the spaCy pipeline alone over the texts (nlp.pipe, n_process=workers);
- quotes-only: part 1 of the analysis (entities, quotes, speakers: `analyze --only quotes`);
- parts-1-2: quotes + persuasion techniques, frames, genre (`analyze --no-kb` before part 3 existed);
- presslens: the whole analysis: parts 1-2 + claims, disputes and, with --kb, fact-check matching;
  since 2026-12-01 both run the default technique model, the fine-tuned tagger's first member on ONNX Runtime;
- parts-1-2-fast, fast: the same with the lexical technique model (`analyze --fast`), the default before;
- parts-1-2-accurate: parts-1-2 with both members of the fine-tuned tagger (`analyze --accurate --only ...`);
- accurate:  the whole analysis with `--accurate`;
- textacy:   the same spaCy pipeline, then textacy's direct_quotations on each doc (the peer extractor).
Articles are the PolNeAR texts (train then dev, sorted by name), read from ../shared at run time; with --smoke the
repository's own test articles and example (no ../shared needed); `--words 600-1000` keeps only the articles of
that length (186 of PolNeAR's 924, 777 words on average). The tagger's ONNX export is built (or found in the cache)
before any mode is timed. textacy is the `bench` extra; without it the
textacy mode is left out with a note.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _sample import have, sample_texts

MODES = (
    "spacy",
    "quotes-only",
    "parts-1-2",
    "presslens",
    "parts-1-2-fast",
    "fast",
    "parts-1-2-accurate",
    "accurate",
    "textacy",
)
DEFAULT_MODES = "spacy,quotes-only,parts-1-2,presslens,textacy"
SMOKE_MODES = "spacy,presslens,textacy"  # the floor, the whole analysis, the peer


def load_texts(data: Path, n: int, smoke: bool = False, words: str | None = None) -> list[str]:
    if smoke:
        return sample_texts()[:n]
    files = sorted((data / "quotes/polnear/train/text").glob("*.txt")) + sorted(
        (data / "quotes/polnear/dev/text").glob("*.txt")
    )
    if not files:
        sys.exit(f"no PolNeAR texts under {data}/quotes/polnear: pass --data")
    texts = [f.read_text(encoding="utf-8") for f in files]
    if words:
        lo, hi = (int(x) for x in words.split("-"))
        texts = [t for t in texts if lo <= len(t.split()) <= hi]
    return texts[:n]


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + kids) / 1024  # ru_maxrss is in KiB on Linux; workers' peaks add up as they run together


def _textacy_chunk(texts: list[str]) -> int:
    from textacy.extract.triples import direct_quotations

    from presslens.nlp import load_pipeline

    found = 0
    for doc in load_pipeline().pipe(texts, batch_size=16):
        # textacy gives up (ValueError) on an article with an unclosed quotation mark
        with contextlib.suppress(ValueError):
            found += sum(1 for _ in direct_quotations(doc))
    return found


def run_mode(mode: str, texts: list[str], workers: int, kb: str | None = None) -> dict[str, float | int | str]:
    from presslens.nlp import load_pipeline

    nlp = load_pipeline()
    nlp("warm up")
    t0 = time.perf_counter()
    quotes = 0
    if mode == "spacy":
        for _ in nlp.pipe(texts, n_process=workers, batch_size=16):
            pass
    elif mode == "textacy":
        # textacy must not be imported before forking (it hangs spaCy's n_process), so each worker
        # process parses its share and runs direct_quotations itself.
        from concurrent.futures import ProcessPoolExecutor

        chunks = [texts[i : i + 16] for i in range(0, len(texts), 16)]
        with ProcessPoolExecutor(workers) as pool:
            quotes = sum(pool.map(_textacy_chunk, chunks))
    elif mode in ("presslens", "quotes-only", "parts-1-2", "parts-1-2-fast", "fast", "parts-1-2-accurate", "accurate"):
        from presslens.errors import InputError
        from presslens.ingest import Article
        from presslens.pipeline import analyze_many

        components = {
            "quotes-only": ("quotes",),
            "parts-1-2": ("quotes", "techniques"),
            "presslens": ("quotes", "techniques", "claims"),
            "parts-1-2-fast": ("quotes", "techniques"),
            "fast": ("quotes", "techniques", "claims"),
            "parts-1-2-accurate": ("quotes", "techniques"),
            "accurate": ("quotes", "techniques", "claims"),
        }[mode]
        accurate, fast = "accurate" in mode, "fast" in mode
        use_kb = kb if mode in ("presslens", "fast", "accurate") else None
        articles = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
        for a in analyze_many(
            articles, workers=workers, components=components, kb=use_kb, accurate=accurate, fast=fast
        ):
            if isinstance(a, InputError):  # a benchmark over failed analyses measures nothing
                raise SystemExit(f"{mode}: {a}")
            quotes += len(a.quotes)
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - t0
    return {
        "mode": mode,
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(texts) / seconds, 2),
        "peak_mb": round(peak_mb()),
        "quotes": quotes,
    }


def build_exports(modes: list[str]) -> None:
    """Load the fine-tuned tagger once in a process of its own, so that its ONNX exports (built at first use: fp32,
    then int8 for the default) are in the cache before the timed modes start their workers."""
    fine_tuned = [m for m in modes if m in ("parts-1-2", "presslens", "parts-1-2-accurate", "accurate")]
    if not fine_tuned or not have("presslens_accurate_model"):
        return
    # the default runs the first member's int8 export (quantised from the fp32 one at first use), --accurate fp32
    calls = {"members=None" if "accurate" in m else "members=1, int8=True" for m in fine_tuned}
    code = "from presslens.persuasion.accurate import load_accurate\n" + "".join(
        f"load_accurate(None, {c})\n" for c in sorted(calls)
    )
    subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--modes", help=f"default {DEFAULT_MODES}; with --smoke {SMOKE_MODES}; known: {','.join(MODES)}")
    ap.add_argument("--kb", help="a fact-check knowledge base (.sqlite) for the presslens mode")
    ap.add_argument("--smoke", action="store_true", help="the built-in sample articles, to check that it runs")
    ap.add_argument("--words", metavar="LO-HI", help="only articles of LO to HI words (e.g. 600-1000)")
    args = ap.parse_args()
    texts = load_texts(Path(args.data), args.n, args.smoke, args.words)
    if args.mode:
        print(json.dumps(run_mode(args.mode, texts, args.workers, args.kb)))
        return
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words} words ({words / len(texts):.0f} per article), workers={args.workers}")
    modes = (args.modes or (SMOKE_MODES if args.smoke else DEFAULT_MODES)).split(",")
    if unknown := [m for m in modes if m not in MODES]:
        sys.exit(f"unknown mode(s) {', '.join(unknown)}; known: {', '.join(MODES)}")
    if "textacy" in modes and not have("textacy"):
        print("textacy mode left out: textacy is not installed (pip install -e '.[bench]')")
        modes.remove("textacy")
    build_exports(modes)
    rows = []
    for mode in modes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--mode",
                mode,
                "--data",
                args.data,
                "--n",
                str(args.n),
                "--workers",
                str(args.workers),
                *(["--kb", args.kb] if args.kb else []),
                *(["--smoke"] if args.smoke else []),
                *(["--words", args.words] if args.words else []),
            ],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"mode {mode} failed (exit status {out.returncode}):\n{out.stderr}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = next((r["seconds"] for r in rows if r["mode"] == "spacy"), None)
    print(f"{'mode':<18} {'seconds':>8} {'articles/s':>11} {'x spaCy':>8} {'peak MB':>8} {'quotes':>7}")
    for r in rows:
        ratio = f"{r['seconds'] / floor:.2f}" if floor else "-"
        print(
            f"{r['mode']:<18} {r['seconds']:>8} {r['articles_per_s']:>11} {ratio:>8} {r['peak_mb']:>8} {r['quotes']:>7}"
        )


if __name__ == "__main__":
    main()
