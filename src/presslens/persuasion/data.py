"""Reading the persuasion corpus laid out like ``../shared/data/persuasion`` (see its README)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from presslens.errors import InputError


@dataclass(slots=True)
class LabelledArticle:
    id: str
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (technique, start, end)
    frames: list[str] | None = None
    genre: str | None = None


def lines_of(text: str) -> list[tuple[int, int, int]]:
    """(index, start, end) for every non-blank line; index counts from 1 and counts blank lines."""
    out, pos = [], 0
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            out.append((n, pos, pos + len(line)))
        pos += len(line) + 1
    return out


def line_labels(text: str, spans: list[tuple[str, int, int]]) -> dict[int, set[str]]:
    """A line's labels are the techniques of the spans that overlap it (the corpus README's rule)."""
    labels: dict[int, set[str]] = {}
    for index, start, end in lines_of(text):
        labels[index] = {t for t, s, e in spans if s < end and e > start}
    return labels


def _tsv(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def load_corpus(folder: str | Path, spans_file: str = "spans-23.tsv") -> list[LabelledArticle]:
    folder = Path(folder)
    article_dir = folder / "articles"
    if not article_dir.is_dir():
        raise InputError(str(folder), "not a persuasion corpus folder (needs articles/)")
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for row in _tsv(folder / spans_file):
        if len(row) >= 4:
            spans.setdefault(row[0], []).append((row[1], int(row[2]), int(row[3])))
    frames = {r[0]: [f for f in r[1].split(",") if f] for r in _tsv(folder / "frames.tsv") if len(r) >= 2}
    genre = {r[0]: r[1].strip() for r in _tsv(folder / "genre.tsv") if len(r) >= 2}
    articles = []
    for path in sorted(article_dir.glob("article*.txt")):
        aid = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")
        articles.append(
            LabelledArticle(aid, text, sorted(spans.get(aid, []), key=lambda s: s[1]), frames.get(aid), genre.get(aid))
        )
    return articles


def folds(articles: list[LabelledArticle], k: int = 5, seed: int = 13) -> list[list[int]]:
    """Article indices split into k folds, deterministically."""
    import random

    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]
