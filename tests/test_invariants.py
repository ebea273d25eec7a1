"""The offset invariant: for every span, text[start:end] == span.text — over many inputs."""

from __future__ import annotations

import random

import pytest

import presslens
from conftest import ARTICLES, REPO

FRAGMENTS = [
    '"We will win," he said.',
    "“Curly,” she said, “quotes.”",
    "'Single' marks",
    "He said that it rained.",
    'Peskov, a diplomat, warned that "red lines" exist.',
    "\n\n",
    "\r\n",
    "According to NATO, troops left.",
    '"Unclosed quote paragraph',
    "Smith: yes we can do it.",
    "Q: Will you run?",
    "It’s an apostrophe’s test.",
    "Dr. Jane Roe told CNN: “Nothing.”",
    "\u00a0",
    "\u200b",
    "e\u0301",
    "«Guillemets», dit-il.",
    "—",
    "They said so.",
    'Trump called it "a disaster for everyone."',
    "“Quote” ― Ann Lee",
    "The spokesman added: 'we wait'.",
]


def check(a: presslens.Analysis) -> None:
    for span in a.spans():
        assert 0 <= span.start <= span.end <= len(a.text)
        assert a.text[span.start : span.end] == span.text, span
    ids = [q.id for q in a.quotes]
    assert len(ids) == len(set(ids))
    entity_ids = {e.id for e in a.entities}
    for q in a.quotes:
        if q.speaker and q.speaker.entity:
            assert q.speaker.entity in entity_ids
    again = presslens.Analysis.from_dict(a.to_dict())
    assert again == a  # every field read back by key, to the same values
    assert again.to_dict() == a.to_dict()


def test_invariant_on_bundled_articles():
    paths = sorted(ARTICLES.glob("*.txt")) + [REPO / "examples" / "kremlin-interview.txt"]
    for p in paths:
        check(presslens.analyze(p.read_text(encoding="utf-8"), min_confidence=0))  # held-back spans too


@pytest.mark.parametrize("seed", range(40))
def test_invariant_on_random_compositions(seed):
    rng = random.Random(seed)
    text = " ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 30)))
    if not text.strip() or not any(c.isalnum() for c in text):
        text += " filler words"
    check(presslens.analyze(text, min_confidence=0))


def test_invariant_on_polnear_articles(shared_data):
    from presslens.ingest import Article
    from presslens.pipeline import analyze_many

    files = sorted((shared_data / "quotes/polnear/train/text").glob("*.txt"))[:60]
    arts = [Article(id=f.stem, text=f.read_text(encoding="utf-8")) for f in files]
    analyses = list(analyze_many(arts, workers=1))
    assert len(analyses) == len(arts)
    for a in analyses:
        assert isinstance(a, presslens.Analysis), a
        check(a)
