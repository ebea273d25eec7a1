"""Quote recall and speaker accuracy on the held-out news gold (benchmarks/data/quotes-news), slice by slice.

Usage:  presslens eval quotes --gold jsonl benchmarks/data/quotes-news/articles.jsonl --save-predictions pred.jsonl
        python benchmarks/quotes_news_breakdown.py --predictions pred.jsonl
        python benchmarks/quotes_news_breakdown.py [--limit N]     (analyses the gold texts itself, quotes only)
        python benchmarks/quotes_news_breakdown.py --smoke         (3 articles; checks that it runs)
Slices: the gold quote's kind (direct, mixed, reported), its tags (split, standalone, multipara, pronoun, partial,
unnamed, author, headline; see benchmarks/data/quotes-news/GUIDELINES.md) and the article's genre. Recall counts
gold quotes matched at the overlap threshold (0.3 of the longer span, one-to-one, as `presslens eval quotes`);
speaker accuracy is scored, as there, on matched quotes whose gold names a speaker. The set is held out: read
its errors to report them, never to tune on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from presslens.evaluation import load_gold
from presslens.evaluation.quotes import match, speaker_correct
from presslens.model import Analysis

GOLD = Path(__file__).resolve().parent / "data" / "quotes-news" / "articles.jsonl"


def saved(path: str) -> Iterator[Analysis]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield Analysis.from_dict(json.loads(line))


def analysed(gold: list, workers: int) -> Iterator[Analysis]:
    from presslens.errors import InputError
    from presslens.ingest import Article
    from presslens.pipeline import analyze_many

    articles = [Article(id=g.id, text=g.text) for g in gold]  # gold offsets refer to the text as given
    for a in analyze_many(articles, components=("quotes",), workers=workers):
        if isinstance(a, InputError):
            sys.exit(str(a))
        yield a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=str(GOLD), help="the gold JSON Lines (default: the held-out news set)")
    ap.add_argument("--predictions", help="JSON Lines from `presslens eval quotes --save-predictions`")
    ap.add_argument("--threshold", type=float, default=0.3, help="overlap needed for a match (default 0.3)")
    ap.add_argument("--limit", type=int, help="the first N gold articles only")
    ap.add_argument("--workers", type=int, default=1, help="processes when analysing here")
    ap.add_argument("--smoke", action="store_true", help="3 articles, analysed here: checks that it runs")
    args = ap.parse_args()
    if args.smoke:
        args.predictions, args.limit = None, args.limit or 3
    gold_docs = load_gold("jsonl", args.gold)[: args.limit]
    raw = {}
    with open(args.gold, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                raw[rec["id"]] = rec
    gold = {g.id: g for g in gold_docs}
    predictions = saved(args.predictions) if args.predictions else analysed(gold_docs, args.workers)
    # slice -> [gold, matched, speaker scored, speaker right]
    slices: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_genre: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # predicted, gold, matched
    articles = 0
    for a in predictions:
        if a.id not in gold:  # predictions beyond --limit
            continue
        articles += 1
        g, rec = gold[a.id], raw[a.id]
        pairs = {id(gq): pq for pq, gq in match(a.quotes, g.quotes, args.threshold)}
        genre = rec.get("genre", "?")
        by_genre[genre][0] += len(a.quotes)
        by_genre[genre][1] += len(g.quotes)
        by_genre[genre][2] += len(pairs)
        for gq, info in zip(g.quotes, rec["quotes"], strict=True):
            names = ["all", info.get("kind", "?"), *(f"  {t}" for t in info.get("tags", []))]
            pq = pairs.get(id(gq))
            scored = pq is not None and (gq.speaker is not None or gq.speaker_start is not None)
            right = scored and speaker_correct(pq, gq, a)  # type: ignore[arg-type]
            for name in names:
                s = slices[name]
                s[0] += 1
                s[1] += pq is not None
                s[2] += scored
                s[3] += bool(right)
    print(f"{articles} articles, overlap {args.threshold}")
    order = ["all", "direct", "mixed", "reported"]
    order += sorted(k for k in slices if k not in order)
    for name in order:
        total, hit, scored, right = slices[name]
        speaker = f"{right / scored:.3f} of {scored}" if scored else "-"
        print(f"{name:<14} gold {total:>4}  recall {hit / total if total else 0:.3f}  speaker accuracy {speaker}")
    for genre, (pred, total, hit) in sorted(by_genre.items()):
        p = hit / pred if pred else 0.0
        r = hit / total if total else 0.0
        print(f"genre {genre:<10} gold {total:>4}  predicted {pred:>4}  precision {p:.3f}  recall {r:.3f}")


if __name__ == "__main__":
    main()
