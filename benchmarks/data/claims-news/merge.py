"""Build `labels.jsonl` from the two annotation passes and the adjudicated disagreements; print the agreement.

Usage:  python benchmarks/data/claims-news/merge.py [--import-passes DIR] [--import-adjudication FILE]

- `passes.jsonl`: per article, pass A's and pass B's labels and kinds (one per unit of `units.jsonl`);
  `--import-passes DIR` (re)builds it from the annotators' files DIR/passA/*.jsonl and DIR/passB/*.jsonl.
- `disagreements.jsonl`: every unit where the passes' labels differ, with the adjudicated label, kind and reason;
  `--import-adjudication FILE` fills it from the adjudicator's file (lines `{"article", "i", "label", "kind",
  "reason"}`). A disagreement without a decision stops the build.
- `labels.jsonl`: per article its file name, text sha256, sentences (offsets), final labels and kinds: the agreed
  label where the passes agree (pass A's kind), the adjudicated one elsewhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def import_passes(units: list[dict], folder: Path) -> list[dict]:
    rows = []
    for a in units:
        stem = a["article"][:-4]
        row: dict = {"article": a["article"]}
        for p in ("a", "b"):
            got = read_jsonl(folder / f"pass{p.upper()}" / f"{stem}.jsonl")
            if [g["i"] for g in got] != list(range(len(a["sentences"]))):
                sys.exit(f"pass {p.upper()} of {stem}: not one label per unit")
            row[p] = {"labels": [int(g["label"]) for g in got], "kinds": [g["kind"] for g in got]}
        rows.append(row)
    return rows


def kappa(a: list[int], b: list[int]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(passes: list[dict]) -> dict:
    a = [x for r in passes for x in r["a"]["labels"]]
    b = [x for r in passes for x in r["b"]["labels"]]
    tp = sum(1 for x, y in zip(a, b, strict=True) if x and y)
    f1 = 2 * tp / (sum(a) + sum(b)) if sum(a) + sum(b) else 0.0  # pass B scored against pass A, and vice versa
    return {
        "units": len(a),
        "raw": sum(x == y for x, y in zip(a, b, strict=True)) / len(a),
        "kappa": kappa(a, b),
        "f1": f1,
        "share_1_a": sum(a) / len(a),
        "share_1_b": sum(b) / len(b),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--import-passes", type=Path)
    ap.add_argument("--import-adjudication", type=Path)
    args = ap.parse_args()
    units = read_jsonl(HERE / "units.jsonl")
    if args.import_passes:
        write_jsonl(HERE / "passes.jsonl", import_passes(units, args.import_passes))
    passes = {r["article"]: r for r in read_jsonl(HERE / "passes.jsonl")}
    if args.import_adjudication:
        decided = {(d["article"], d["i"]): d for d in read_jsonl(args.import_adjudication)}
        rows = []
        for a in units:
            r = passes[a["article"]]
            for i, (x, y) in enumerate(zip(r["a"]["labels"], r["b"]["labels"], strict=True)):
                if x != y:
                    d = decided.get((a["article"][:-4], i)) or decided.get((a["article"], i))
                    if d is None:
                        sys.exit(f"no decision for {a['article']} unit {i}")
                    rows.append(
                        {
                            "article": a["article"],
                            "i": i,
                            "a": [x, r["a"]["kinds"][i]],
                            "b": [y, r["b"]["kinds"][i]],
                            "label": int(d["label"]),
                            "kind": d["kind"],
                            "reason": d["reason"],
                        }
                    )
        write_jsonl(HERE / "disagreements.jsonl", rows)
    decisions = {(d["article"], d["i"]): d for d in read_jsonl(HERE / "disagreements.jsonl")}
    out = []
    for a in units:
        r = passes[a["article"]]
        labels, kinds = [], []
        for i, (x, y) in enumerate(zip(r["a"]["labels"], r["b"]["labels"], strict=True)):
            if x == y:
                labels.append(x)
                kinds.append(r["a"]["kinds"][i])
            else:
                d = decisions.get((a["article"], i))
                if d is None:
                    sys.exit(f"no decision for {a['article']} unit {i}: run --import-adjudication")
                labels.append(d["label"])
                kinds.append(d["kind"])
        out.append({**a, "labels": labels, "kinds": kinds})
    write_jsonl(HERE / "labels.jsonl", out)
    ag = agreement(list(passes.values()))
    final = [x for r in out for x in r["labels"]]
    print(
        f"{len(out)} articles, {ag['units']} units; passes agree on {ag['raw']:.3f} (Cohen's kappa {ag['kappa']:.3f}, "
        f"F1 {ag['f1']:.3f}); share labelled 1: A {ag['share_1_a']:.3f}, B {ag['share_1_b']:.3f}, "
        f"final {sum(final) / len(final):.3f}; {len(decisions)} disagreements adjudicated"
    )


if __name__ == "__main__":
    main()
