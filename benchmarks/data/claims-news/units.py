"""The units of the claims-news gold: 36 PolNeAR train articles, cut into sentences, as offsets.

Usage:  python benchmarks/data/claims-news/units.py [--data ../shared/data] [--check] [--dump DIR]

Writes `units.jsonl` beside this script: one line per article with its file name, the sha256 of its text and
the sentences (`[start, end]` character offsets, PressLens's own sentence cutter) that the gold labels. The
texts stay in ../shared; nothing of them is written here. `--check` re-derives the units and fails if they
moved; `--dump DIR` writes a readable file per article (numbered sentences, text included) for annotators;
keep it out of the repository.

The sample: the PolNeAR train articles of 250-900 words, sorted by name; batch 1: 36 drawn with seed 14; batch 2:
48 more drawn from the rest with seed 15.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
BATCHES = ((14, 36), (15, 48))  # (seed, articles drawn from those not drawn before)
WORDS = (250, 900)


def sample(data: Path) -> list[Path]:
    files = sorted((data / "quotes/polnear/train/text").glob("*.txt"))
    if not files:
        sys.exit(f"no PolNeAR train texts under {data}/quotes/polnear/train/text: pass --data")
    fits = [f for f in files if WORDS[0] <= len(f.read_text(encoding="utf-8").split()) <= WORDS[1]]
    drawn: list[Path] = []
    for seed, n in BATCHES:
        rest = [f for f in fits if f not in drawn]
        drawn += sorted(random.Random(seed).sample(rest, n), key=lambda f: f.name)
    return drawn


def units(data: Path) -> list[dict]:
    from presslens.claims.extract import sentence_bounds
    from presslens.nlp import load_pipeline, parse

    nlp = load_pipeline()
    out = []
    for f in sample(data):
        text = f.read_text(encoding="utf-8")
        doc = parse(nlp, text)
        out.append(
            {
                "article": f.name,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "sentences": [list(b) for b in sentence_bounds(doc)],
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=HERE.parents[2].parent / "shared" / "data")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--batch", type=int, help="with --dump: only this batch's articles (1, 2, ...)")
    args = ap.parse_args()
    found = units(args.data)
    target = HERE / "units.jsonl"
    if args.check:
        kept = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        if kept != found:
            sys.exit("units.jsonl does not match the texts and the sentence cutter: re-run without --check")
        print(f"{len(found)} articles, {sum(len(a['sentences']) for a in found)} sentences: unchanged")
        return
    target.write_text("".join(json.dumps(a) + "\n" for a in found), encoding="utf-8")
    print(f"wrote {target}: {len(found)} articles, {sum(len(a['sentences']) for a in found)} sentences")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        first = sum(n for _, n in BATCHES[: args.batch - 1]) if args.batch else 0
        last = first + BATCHES[args.batch - 1][1] if args.batch else len(found)
        for a in found[first:last]:
            text = (args.data / "quotes/polnear/train/text" / a["article"]).read_text(encoding="utf-8")
            lines = [f"# {a['article']}\n"]
            lines += [f"[{i}] {' / '.join(text[s:e].splitlines())}\n" for i, (s, e) in enumerate(a["sentences"])]
            (args.dump / (a["article"][:-4] + ".units.txt")).write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
