"""The spans-23 offset drift (data README) and what repairing it from spans-14 changes.

Usage:  python experiments/span_offset_repair.py --data ../shared/data/persuasion [--cv]

Counts the spans-23 spans whose boundaries match a spans-14 span exactly, drift by 1–3 characters, or have no
partner, and how many boundaries cut a word in two (a letter on both sides), as published and after
`load_corpus(..., repair=True)`. With --cv (~15 minutes): the lexical 5-fold CV (`presslens train persuasion`'s)
on each version, each scored against its own gold.
"""

from __future__ import annotations

import argparse
import json

from presslens.persuasion.data import load_corpus


def cuts_words(articles) -> tuple[int, int]:
    cut = total = 0
    for a in articles:
        for _, s, e in a.spans:
            for i in (s, e):
                total += 1
                if 0 < i < len(a.text) and a.text[i - 1].isalnum() and a.text[i].isalnum():
                    cut += 1
    return cut, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--cv", action="store_true")
    args = ap.parse_args()
    raw = load_corpus(args.data)
    fixed = load_corpus(args.data, repair=True)
    moved = sum(sp != fp for a, b in zip(raw, fixed, strict=True) for sp, fp in zip(a.spans, b.spans, strict=True))
    articles = sum(a.spans != b.spans for a, b in zip(raw, fixed, strict=True))
    print(f"{sum(len(a.spans) for a in raw)} spans; repaired {moved} in {articles} articles")
    for name, corpus in (("as published", raw), ("repaired", fixed)):
        cut, total = cuts_words(corpus)
        print(f"{name}: {cut} of {total} span boundaries cut a word ({100 * cut / total:.1f} %)")
    if args.cv:
        from presslens.persuasion.train import cross_validate

        for name, corpus in (("as published", raw), ("repaired", fixed)):
            s = cross_validate(corpus, 5, log=lambda m: None)
            print(
                json.dumps(
                    {
                        "data": name,
                        "paragraphs_micro_f1@0.4": round(s["paragraphs"]["lines@0.4"]["micro_f1"], 4),
                        "spans_agnostic_f1": round(s["spans_technique_agnostic"]["f1"], 4),
                        "spans_aware_f1": round(s["spans_technique_aware"]["f1"], 4),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
