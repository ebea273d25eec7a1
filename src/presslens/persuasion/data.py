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


def _spans(path: Path) -> dict[str, list[tuple[str, int, int]]]:
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for row in _tsv(path):
        if len(row) >= 4:
            spans.setdefault(row[0], []).append((row[1], int(row[2]), int(row[3])))
    return spans


def repair_offsets(
    spans: list[tuple[str, int, int]], anchors: list[tuple[str, int, int]], slack: int = 3
) -> tuple[list[tuple[str, int, int]], int]:
    """Snap spans whose boundaries drift by up to ``slack`` characters to the nearest anchor span (the exact
    SemEval-2020 spans-14 offsets of the same article); returns the spans and how many moved."""
    bounds = {(s, e) for _, s, e in anchors}
    out, moved = [], 0
    for t, s, e in spans:
        if (s, e) not in bounds:
            near = [(abs(s - a) + abs(e - b), a, b) for a, b in bounds if abs(s - a) <= slack and abs(e - b) <= slack]
            if near:
                _, s, e = min(near)
                moved += 1
        out.append((t, s, e))
    return out, moved


def load_corpus(folder: str | Path, spans_file: str = "spans-23.tsv", repair: bool = False) -> list[LabelledArticle]:
    """``repair``: snap the spans' offsets to ``spans-14.tsv`` where they drift by 1–3 characters (see the data
    README); off by default, so that training and evaluation read the files as published."""
    folder = Path(folder)
    article_dir = folder / "articles"
    if not article_dir.is_dir():
        raise InputError(str(folder), "not a persuasion corpus folder (needs articles/)")
    spans = _spans(folder / spans_file)
    if repair and spans_file != "spans-14.tsv":
        anchors = _spans(folder / "spans-14.tsv")
        spans = {aid: repair_offsets(sp, anchors.get(aid, []))[0] for aid, sp in spans.items()}
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
