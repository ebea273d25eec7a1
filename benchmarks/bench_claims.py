"""What part 3 costs: claims + disputes + fact-check matching per article, and importing a knowledge base.

Usage:  HF_HUB_OFFLINE=1 python benchmarks/bench_claims.py --kb KB.sqlite [--data ../shared/data] [--n 120]
        HF_HUB_OFFLINE=1 python benchmarks/bench_claims.py --import-test [--records 20000]
        HF_HUB_OFFLINE=1 python benchmarks/bench_claims.py --smoke      (checks that it runs, ~20 s)

Per article (single process; parsing, quotes and the technique tagger's pass, whose states the full ranker reads,
are done first and not timed): candidates, features, the news ranker (lite, then full) and dispute rules, then matching the claims against the knowledge base (BM25 + MiniLM + re-ranker), one article
at a time and in chunks of 8 articles (as `analyze_many` workers do), with the encoder on 1 thread (as in a
2-worker batch) and on 2 threads. Articles are PolNeAR texts from ../shared.
--import-test writes N synthetic ClaimReview records (generated sentences, no third-party text) to a temporary
JSON file and times `KnowledgeBase.import_records` and the embedding step separately.
--smoke runs both on a small scale without ../shared: the import of 50 synthetic records, then the repository's
test articles and example against a temporary knowledge base of the example fact-checks (examples/factchecks.json).
Without the semantic extra (torch, the encoder) matching is BM25 only and the embedding step is left out.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _sample import REPO, have, sample_files


def polnear_dev(data: Path, n: int) -> list[Path]:
    files = sorted((data / "quotes/polnear/dev/text").glob("*.txt"))[:n]
    if not files:
        sys.exit(f"no PolNeAR texts under {data}")
    return files


def example_kb(folder: Path) -> str:
    """A knowledge base of the example fact-checks in ``folder``, embedded when the encoder is installed."""
    from presslens.factchecks import KnowledgeBase, read_records
    from presslens.factchecks.encoder import encoder_available, load_encoder

    path = folder / "examples.sqlite"
    with KnowledgeBase(path) as kb:
        kb.import_records(read_records(REPO / "examples" / "factchecks.json"))
        if encoder_available():
            kb.build_index(load_encoder())
    return str(path)


def bench_articles(kb_path: str, files: list[Path]) -> None:
    from presslens.claims import detect_claims
    from presslens.claims.detect import load_claim_models
    from presslens.claims.news import tagger_states
    from presslens.entities import cluster_entities
    from presslens.factchecks.match import match_claims, match_many, matcher_for
    from presslens.model import Analysis
    from presslens.nlp import load_pipeline
    from presslens.quotes import extract_quotes

    nlp = load_pipeline()
    models = load_claim_models()
    matcher = matcher_for(kb_path)
    print(
        f"{len(files)} articles; knowledge base {len(matcher.kb)} fact-checks; encoder: {matcher.encoder is not None}"
    )
    prepared = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        doc = nlp(text)
        index = cluster_entities(doc)
        a = Analysis(id=f.stem, text=text, entities=index.entities)
        a.quotes = extract_quotes(doc, index)
        # the tagger's states, as the techniques component leaves them (its pass is timed with the techniques)
        shared = models.full.state_source is not None and tagger_states(doc, text, models.full.state_source) is not None
        prepared.append((a, doc))
    print(f"full ranker on the tagger's states: {shared} (else the lite ranker)")
    lite_ms = []
    for a, doc in prepared:
        t0 = time.perf_counter()
        detect_claims(a, doc, models, semantic=False)
        lite_ms.append((time.perf_counter() - t0) * 1000)
    print(f"lite ranker (--fast): claims+disputes {statistics.mean(lite_ms):.1f} ms/article")
    matcher.rank(["warm up the encoder and the vectors"], "reranked")
    for threads in (1, 2) if have("torch") else (0,):  # 0: no torch, BM25 only
        if threads:
            import torch

            torch.set_num_threads(threads)
        claims_ms, match_ms, n_claims = [], [], []
        for a, doc in prepared:
            t0 = time.perf_counter()
            detect_claims(a, doc, models)
            t1 = time.perf_counter()
            match_claims(a, matcher, top=0)
            t2 = time.perf_counter()
            claims_ms.append((t1 - t0) * 1000)
            match_ms.append((t2 - t1) * 1000)
            n_claims.append(len(a.claims))
        analyses = [a for a, _ in prepared]
        for top in (3, 5, 0):
            t0 = time.perf_counter()
            for i in range(0, len(analyses), 8):  # as a batch worker does: one encoder pass per chunk of 8 articles
                match_many(analyses[i : i + 8], matcher, top=top)
            chunked = (time.perf_counter() - t0) * 1000 / len(analyses)
            print(
                f"torch threads {threads}, --match-top {top}: matching in chunks of 8 articles {chunked:.1f} ms/article;"
                f" claims+disputes+matching {statistics.mean(claims_ms) + chunked:.1f} ms/article"
            )
        total = [c + m for c, m in zip(claims_ms, match_ms, strict=True)]
        print(
            f"torch threads {threads}, one article at a time, every claim: claims+disputes {statistics.mean(claims_ms):.1f} ms/article, matching "
            f"{statistics.mean(match_ms):.1f} ms/article, total {statistics.mean(total):.1f} ms (median "
            f"{statistics.median(total):.1f}); {statistics.mean(n_claims):.1f} claims/article"
        )


def bench_import(n: int) -> None:
    from presslens.factchecks import KnowledgeBase, read_records
    from presslens.factchecks.encoder import encoder_available, load_encoder

    rng = random.Random(13)
    who = ["The senator", "A viral post", "The governor", "The minister", "A campaign ad", "The mayor"]
    what = ["unemployment", "crime", "taxes", "the deficit", "wages", "rents", "emissions", "school funding"]
    how = ["doubled", "fell by half", "rose 40 percent", "hit a record high", "dropped every year"]
    records = [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"https://example.org/fc/{i}",
            "datePublished": f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "claimReviewed": f"{rng.choice(who)} says {rng.choice(what)} {rng.choice(how)} in {rng.randint(1990, 2025)} "
            f"across {rng.randint(2, 50)} counties.",
            "author": {"@type": "Organization", "name": "Example Checks"},
            "reviewRating": {"@type": "Rating", "alternateName": rng.choice(["True", "False", "Half true"])},
        }
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "reviews.json"
        src.write_text(json.dumps(records))
        t0 = time.perf_counter()
        with KnowledgeBase(Path(tmp) / "kb.sqlite") as kb:
            report = kb.import_records(read_records(src))
            t1 = time.perf_counter()
            print(f"import {report.added} ClaimReview records: {t1 - t0:.1f} s (parse, validate, SQLite + FTS5)")
            if encoder_available():
                enc = load_encoder()
                t2 = time.perf_counter()
                kb.build_index(enc)
                print(f"embed them (all-MiniLM-L6-v2): {time.perf_counter() - t2:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", help="a .sqlite knowledge base (e.g. the PolitiFact one built by eval claim-matching)")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=84)
    ap.add_argument("--import-test", action="store_true")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--smoke", action="store_true", help="both parts at a small scale, built-in data only")
    args = ap.parse_args()
    if args.smoke:
        bench_import(50)
        with tempfile.TemporaryDirectory() as tmp:
            bench_articles(example_kb(Path(tmp)), sample_files())
        return
    if not (args.import_test or args.kb):
        ap.error("nothing to do: give --kb KB.sqlite, --import-test or --smoke")
    if args.import_test:
        bench_import(args.records)
    if args.kb:
        bench_articles(args.kb, polnear_dev(Path(args.data), args.n))


if __name__ == "__main__":
    main()
