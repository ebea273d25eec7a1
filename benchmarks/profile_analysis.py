"""Where one article's time goes: each spaCy component, then each PressLens component on the parsed documents.

Usage:  python benchmarks/profile_analysis.py [--data ../shared/data] [--n 80] [--repeat 3]
        python benchmarks/profile_analysis.py --smoke      (6 built-in articles, one pass; checks that it runs)

One process, one thread. The spaCy components run one after another over all the texts (batches of 16); the
PressLens components (`analyze_doc` with one component at a time) run on the already parsed documents, best of
--repeat passes, so the figures leave parsing out and are steadier than bench_speed.py's end-to-end runs on a
shared machine. To compare with an older checkout: `git worktree add /tmp/old REV` and run this script with
`PYTHONPATH=/tmp/old/src`, alternating the two runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _sample import sample_texts


def component_runner(component: str) -> Callable[[Any, Any], Any]:
    """``(article, doc) -> Analysis`` running one component (and what it requires) on a parsed document."""
    try:
        from presslens.options import Options
        from presslens.pipeline import pipeline_for
    except ImportError:  # a checkout from before the component registry (PYTHONPATH=/tmp/old/src)
        from presslens.pipeline import analyze_doc  # type: ignore[attr-defined]

        return lambda article, doc: analyze_doc(article, doc, (component,))
    return pipeline_for(Options(components=(component,))).analyze_doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=80)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="the built-in sample articles, one pass: checks that it runs")
    args = ap.parse_args()
    if args.smoke:
        texts, args.repeat = sample_texts()[: args.n], 1
    else:
        files = sorted(Path(args.data, "quotes/polnear/train/text").glob("*.txt"))[: args.n]
        if not files:
            sys.exit(f"no PolNeAR texts under {args.data}/quotes/polnear: pass --data")
        texts = [f.read_text(encoding="utf-8") for f in files]

    import presslens
    from presslens.ingest import Article
    from presslens.nlp import load_pipeline

    print(f"{len(texts)} articles, {sum(len(t.split()) for t in texts) // len(texts)} words each; {presslens.__file__}")
    nlp = load_pipeline()
    nlp("warm up")
    t0 = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    cells = [f"tokenizer {1000 * (time.perf_counter() - t0) / len(texts):.1f}"]
    for name, proc in nlp.pipeline:
        t0 = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=16)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        cells.append(f"{name} {1000 * (time.perf_counter() - t0) / len(texts):.1f}")
    print("spaCy, ms per article: " + ", ".join(cells))

    articles = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
    cells = []
    for component in ("quotes", "techniques", "claims"):
        run = component_runner(component)  # loads its models
        run(articles[0], docs[0])
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for a, d in zip(articles, docs, strict=True):
                run(a, d)
            best = min(best, time.perf_counter() - t0)
        cells.append(f"{component} {1000 * best / len(texts):.1f}")
    print("PressLens on parsed documents, ms per article (claims includes quotes): " + ", ".join(cells))


if __name__ == "__main__":
    main()
