"""The genre model on the held-out news set (benchmarks/data/quotes-news: 26 reports, 6 columns, 4 satire pieces
written for PressLens): accuracy, recall per genre, the verdicts shown (not uncertain) and the confusions.

Usage:  python benchmarks/genre_quotes_news.py [--json]      (about a second an article: quotes + genre)
        python benchmarks/genre_quotes_news.py --smoke      (the first six articles: checks that it runs)

Held out: nothing in the genre model was chosen on it; its errors are read only to report them.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import presslens
from presslens.labels import GENRES

GOLD = Path(__file__).resolve().parent / "data" / "quotes-news" / "articles.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=str(GOLD))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="the first six articles only: checks that the script runs")
    args = ap.parse_args()
    records = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.smoke:
        records = records[:6]
    rows = []
    for r in records:
        a = presslens.analyze(r["text"], id=r["id"], components=("genre",))
        assert a.genre is not None
        rows.append((r["id"], r["genre"], a.genre.label, a.genre.confidence, a.genre.uncertain))
    gold = [g for _, g, _, _, _ in rows]
    hits = [g == p for _, g, p, _, _ in rows]
    shown = [(g, p) for _, g, p, _, u in rows if not u]
    scores = {
        "articles": len(rows),
        "accuracy": round(sum(hits) / len(rows), 3),
        "recall": {g: f"{sum(h for h, x in zip(hits, gold, strict=True) if x == g)}/{gold.count(g)}" for g in GENRES},
        "shown": f"{len(shown)}/{len(rows)}",
        "shown_right": f"{sum(g == p for g, p in shown)}/{len(shown)}",
        "confusions": dict(Counter(f"{g}->{p}" for _, g, p, _, _ in rows if g != p)),
        "articles_detail": [
            {"id": i, "gold": g, "predicted": p, "confidence": round(c, 3), "uncertain": u} for i, g, p, c, u in rows
        ],
    }
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    for key in ("articles", "accuracy", "recall", "shown", "shown_right", "confusions"):
        print(f"{key}: {scores[key]}")


if __name__ == "__main__":
    main()
