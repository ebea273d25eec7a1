"""How much the genre depends on the quote extractor: the shipped model's label with the quotes found, with every
other quote dropped, and with no quotes at all, on PolNeAR dev and the held-out news set (benchmarks/data/quotes-news).

Usage:  python experiments/genre_quote_robustness.py --data ../shared/data      (~1 minute)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from presslens.genre import load_genre_model
from presslens.genre.train import load_examples
from presslens.ingest.article import article_from_text
from presslens.model import Analysis
from presslens.pipeline import analyze_many

NEWS = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "quotes-news" / "articles.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    args = ap.parse_args()
    model = load_genre_model()
    _, _, _, dev = load_examples(args.data)
    news = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [("PolNeAR dev", e.text) for e in dev] + [("quotes-news", r["text"]) for r in news]
    articles = [article_from_text(t, id=str(i)) for i, (_, t) in enumerate(texts)]
    counts: dict[str, list[int]] = {}
    for (source, _), a in zip(texts, analyze_many(articles, components=("quotes",)), strict=True):
        assert isinstance(a, Analysis)
        label = model.classify(a.text, a.quotes)[0]
        c = counts.setdefault(source, [0, 0, 0])
        c[0] += 1
        c[1] += model.classify(a.text, a.quotes[::2])[0] == label
        c[2] += model.classify(a.text, [])[0] == label
    for source, (n, half, none) in counts.items():
        print(f"{source}: {n} articles; same label with every other quote dropped {half}, with no quotes {none}")


if __name__ == "__main__":
    main()
