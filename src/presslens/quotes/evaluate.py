"""Measuring the quotes component against gold quotes (PolNeAR, or our JSON Lines format)."""

from __future__ import annotations

import dataclasses

from presslens.errors import InputError
from presslens.evaluation.gold import GoldDoc, load_gold
from presslens.evaluation.quotes import QuoteScores, score_quotes
from presslens.ingest import Article
from presslens.model import Analysis
from presslens.options import Options
from presslens.pipeline import analyze_many


def evaluate_quotes(
    fmt: str, path: str, limit: int | None = None, options: Options | None = None
) -> tuple[list[tuple[Analysis, GoldDoc]], list[QuoteScores], list[str]]:
    """Analyse the gold articles (``fmt``: polnear | jsonl) and score them: ``(pairs, scores, errors)``.

    Gold offsets refer to the gold text as given, so it is analysed unchanged (no normalisation). Only the
    quotes component runs (the others do not change the quotes)."""
    gold = load_gold(fmt, path)
    if limit:
        gold = gold[:limit]
    if not gold:
        raise InputError(path, "no gold articles found")
    articles = [Article(id=g.id, text=g.text) for g in gold]
    pairs, errors = [], []
    only_quotes = dataclasses.replace(options or Options(), components=("quotes",))
    for g, a in zip(gold, analyze_many(articles, options=only_quotes), strict=True):
        if isinstance(a, InputError):
            errors.append(str(a))
        else:
            pairs.append((a, g))
    return pairs, score_quotes(pairs), errors
