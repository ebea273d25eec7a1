"""Quote recall on two slices of PolNeAR gold: attributions cued by a speech verb, and those with quotation marks.

Usage:  presslens eval quotes --gold polnear DIR --save-predictions pred.jsonl
        python benchmarks/polnear_recall_breakdown.py --gold DIR --predictions pred.jsonl
PolNeAR annotates every attribution (beliefs, polls, deeds), so these slices show recall on what PressLens
reports as quotes. Overlap 0.3 of the longer span, as in `presslens eval quotes`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from presslens.evaluation import load_polnear
from presslens.evaluation.quotes import match
from presslens.model import Analysis
from presslens.nlp import load_pipeline
from presslens.quotes.cues import SPEECH_VERBS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", required=True)
    ap.add_argument("--predictions", required=True)
    args = ap.parse_args()
    gold = {g.id: g for g in load_polnear(Path(args.gold))}
    nlp = load_pipeline()
    slices = {"speech-verb cue": [0, 0], "quotation marks": [0, 0]}
    with open(args.predictions, encoding="utf-8") as f:
        for line in f:
            a = Analysis.from_dict(json.loads(line))
            g = gold[a.id]
            found = {id(gq) for _, gq in match(a.quotes, g.quotes, 0.3)}
            for q in g.quotes:
                cue = q.cue or ""
                speech = cue.lower().startswith("according") or bool(
                    {t.lemma_.lower() for t in nlp(cue)} & SPEECH_VERBS
                )
                marks = any(c in a.text[q.start : q.end] for c in '"\u201c\u201d')
                for name, member in (("speech-verb cue", speech), ("quotation marks", marks)):
                    if member:
                        slices[name][0] += 1
                        slices[name][1] += id(q) in found
    for name, (total, hit) in slices.items():
        print(f"{name:<16} gold {total:>5}  recall {hit / total:.3f}")


if __name__ == "__main__":
    main()
