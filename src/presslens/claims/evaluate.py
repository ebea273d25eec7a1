"""Measuring the claims component: check-worthiness ranking on debate transcripts, and dispute links on our
own gold set (shipped in the package, so ``presslens eval disputes`` works from an installed wheel)."""

from __future__ import annotations

from pathlib import Path

from presslens.claims.checkworthiness import load_checkworthiness
from presslens.claims.data import read_transcripts
from presslens.errors import InputError
from presslens.evaluation.checkworthiness import score_transcripts
from presslens.evaluation.disputes import load_items, score_disputes

DEFAULT_DISPUTES_GOLD = Path(__file__).parent / "gold" / "disputes.jsonl"


def evaluate_disputes(path: str | Path = DEFAULT_DISPUTES_GOLD) -> dict:
    """Analyse the gold set's texts (claims and what they require) and score the dispute links found."""
    from presslens.ingest import Article
    from presslens.pipeline import analyze_many

    items = load_items(path)
    articles = [Article(id=it["id"], text=it["text"]) for it in items]
    analyses = []
    for a in analyze_many(articles, components=("claims",)):
        if isinstance(a, InputError):
            raise a
        analyses.append(a)
    return score_disputes(items, analyses)


def evaluate_checkworthiness(
    gold: str, model_path: str | None = None
) -> tuple[list[tuple[str, int, float]], dict[str, float] | None]:
    """Score every line of the transcripts in ``gold`` (a folder or one .tsv): ``(rows, scores)`` where rows are
    ``(transcript, line, score)`` and scores are MAP, R-precision and P@k (None when no transcript is labelled)."""
    model = load_checkworthiness(model_path)
    runs: list[tuple[list[int], list[float]]] = []
    rows: list[tuple[str, int, float]] = []
    for t in read_transcripts(gold):
        scores = model.score([line.text for line in t.lines])
        rows += [(t.name, line.number, s) for line, s in zip(t.lines, scores, strict=True)]
        labels = [line.label for line in t.lines]
        if all(label is not None for label in labels):
            runs.append(([int(label or 0) for label in labels], list(scores)))
    return rows, score_transcripts(runs) if runs else None
