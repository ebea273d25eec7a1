"""Quote accuracy of the peer, textacy's direct_quotations, scored exactly like `presslens eval quotes`.

Usage:  python benchmarks/peer_textacy_quotes.py --gold polnear ../shared/data/quotes/polnear/dev [--limit N]
        python benchmarks/peer_textacy_quotes.py --smoke      (3 PolNeAR dev articles; checks that it runs)
textacy (the `bench` extra: pip install -e ".[bench]") finds direct quotes only; its speaker is the token span it
returns (no resolution). --smoke skips with a message when textacy or ../shared/data is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from _sample import SHARED, have, skip

from presslens.evaluation import load_gold, score_quotes
from presslens.model import Analysis, Quote, Span, Speaker
from presslens.nlp import load_pipeline


def textacy_analysis(doc_id: str, doc: Any) -> Analysis:
    from textacy.extract.triples import direct_quotations

    quotes: list[Quote] = []
    text = doc.text
    with contextlib.suppress(ValueError):  # textacy gives up on unclosed quotation marks
        for n, dq in enumerate(direct_quotations(doc), 1):
            content = dq.content
            start, end = content.start_char, content.end_char
            speaker = None
            if dq.speaker:
                s0, s1 = dq.speaker[0].idx, dq.speaker[-1].idx + len(dq.speaker[-1].text)
                speaker = Speaker(s0, s1, text[s0:s1], text[s0:s1], None)
            cue = None
            if dq.cue:
                c0, c1 = dq.cue[0].idx, dq.cue[-1].idx + len(dq.cue[-1].text)
                cue = Span.of(text, c0, c1)
            quotes.append(Quote(f"q{n}", "direct", start, end, text[start:end], cue, speaker))
    return Analysis(id=doc_id, text=text, quotes=quotes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", nargs=2, metavar=("FORMAT", "PATH"))
    ap.add_argument("--limit", type=int, help="the first N gold articles only")
    ap.add_argument("--smoke", action="store_true", help="3 PolNeAR dev articles: checks that it runs")
    args = ap.parse_args()
    if args.smoke:
        if not have("textacy"):
            skip("textacy is not installed (pip install -e '.[bench]')")
        dev = SHARED / "quotes" / "polnear" / "dev"
        if not args.gold and not dev.is_dir():
            skip(f"no PolNeAR gold at {dev} (licensed research data, not in the repository)")
        args.gold, args.limit = args.gold or ["polnear", str(dev)], args.limit or 3
    elif not args.gold:
        ap.error("--gold FORMAT PATH is required (or --smoke)")
    elif not have("textacy"):
        sys.exit("textacy is not installed: pip install -e '.[bench]'")
    gold = load_gold(*args.gold)[: args.limit]
    nlp = load_pipeline()
    print(f"{len(gold)} gold articles, {sum(len(g.quotes) for g in gold)} gold quotes")
    pairs = [(textacy_analysis(g.id, doc), g) for g, doc in zip(gold, nlp.pipe(g.text for g in gold), strict=True)]
    for s in score_quotes(pairs):
        print(
            f"overlap {s.threshold}: precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f} "
            f"speaker accuracy {s.speaker_accuracy:.3f} (predicted {s.predicted}, gold {s.gold})"
        )


if __name__ == "__main__":
    main()
