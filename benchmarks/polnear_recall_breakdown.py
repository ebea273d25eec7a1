"""Quote recall on two slices of PolNeAR gold: attributions cued by a speech verb, and those with quotation marks.

Usage:  presslens eval quotes --gold polnear DIR --save-predictions pred.jsonl
        python benchmarks/polnear_recall_breakdown.py --gold DIR --predictions pred.jsonl
        python benchmarks/polnear_recall_breakdown.py --gold DIR [--limit N]      (analyses the gold texts itself)
        python benchmarks/polnear_recall_breakdown.py --smoke      (3 PolNeAR dev articles; checks that it runs)
PolNeAR annotates every attribution (beliefs, polls, deeds), so these slices show recall on what PressLens
reports as quotes. Overlap 0.3 of the longer span, as in `presslens eval quotes`. Without --predictions the gold
texts are analysed here (quotes only, unchanged text, as `eval quotes` does). --smoke skips with a message when
../shared/data is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from _sample import SHARED, skip

from presslens.evaluation import load_polnear
from presslens.evaluation.quotes import match
from presslens.lexicon import SPEECH_VERBS
from presslens.model import Analysis
from presslens.nlp import load_pipeline


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
    ap.add_argument("--gold", help="a PolNeAR split folder (e.g. ../shared/data/quotes/polnear/dev)")
    ap.add_argument("--predictions", help="JSON Lines from `presslens eval quotes --save-predictions`")
    ap.add_argument("--limit", type=int, help="the first N gold articles only")
    ap.add_argument("--workers", type=int, default=1, help="processes when analysing here")
    ap.add_argument("--smoke", action="store_true", help="3 PolNeAR dev articles: checks that it runs")
    args = ap.parse_args()
    if args.smoke:
        dev = SHARED / "quotes" / "polnear" / "dev"
        if not args.gold and not dev.is_dir():
            skip(f"no PolNeAR gold at {dev} (licensed research data, not in the repository)")
        args.gold, args.limit = args.gold or str(dev), args.limit or 3
    elif not args.gold:
        ap.error("--gold DIR is required (or --smoke)")
    gold_docs = load_polnear(Path(args.gold))[: args.limit]
    gold = {g.id: g for g in gold_docs}
    predictions = saved(args.predictions) if args.predictions else analysed(gold_docs, args.workers)
    nlp = load_pipeline()
    slices = {"speech-verb cue": [0, 0], "quotation marks": [0, 0]}
    articles = 0
    for a in predictions:
        if a.id not in gold:  # predictions beyond --limit
            continue
        articles += 1
        g = gold[a.id]
        found = {id(gq) for _, gq in match(a.quotes, g.quotes, 0.3)}
        for q in g.quotes:
            cue = q.cue or ""
            speech = cue.lower().startswith("according") or bool({t.lemma_.lower() for t in nlp(cue)} & SPEECH_VERBS)
            marks = any(c in a.text[q.start : q.end] for c in '"\u201c\u201d')
            for name, member in (("speech-verb cue", speech), ("quotation marks", marks)):
                if member:
                    slices[name][0] += 1
                    slices[name][1] += id(q) in found
    print(f"{articles} articles")
    for name, (total, hit) in slices.items():
        print(f"{name:<16} gold {total:>5}  recall {hit / total if total else 0:.3f}")


if __name__ == "__main__":
    main()
