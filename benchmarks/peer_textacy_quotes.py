"""Quote accuracy of the peer, textacy's direct_quotations, scored exactly like `presslens eval quotes`.

Usage:  python benchmarks/peer_textacy_quotes.py --gold polnear ../shared/data/quotes/polnear/dev
textacy finds direct quotes only; its speaker is the token span it returns (no resolution).
"""

from __future__ import annotations

import argparse
import contextlib

from presslens.evaluation import load_gold, score_quotes
from presslens.model import Analysis, Quote, Span, Speaker
from presslens.nlp import load_pipeline


def textacy_analysis(doc_id: str, doc) -> Analysis:
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
    ap.add_argument("--gold", nargs=2, required=True, metavar=("FORMAT", "PATH"))
    args = ap.parse_args()
    gold = load_gold(*args.gold)
    nlp = load_pipeline()
    pairs = [(textacy_analysis(g.id, doc), g) for g, doc in zip(gold, nlp.pipe(g.text for g in gold), strict=True)]
    for s in score_quotes(pairs):
        print(
            f"overlap {s.threshold}: precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f} "
            f"speaker accuracy {s.speaker_accuracy:.3f} (predicted {s.predicted}, gold {s.gold})"
        )


if __name__ == "__main__":
    main()
