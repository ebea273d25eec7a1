from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import presslens

HERE = Path(__file__).parent
ARTICLES = HERE / "articles"
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "data"


@cache
def analysed(name: str) -> presslens.Analysis:
    return presslens.analyze((ARTICLES / name).read_text(encoding="utf-8"), id=name)


def find_quote(a: presslens.Analysis, fragment: str) -> presslens.Quote:
    hits = [q for q in a.quotes if fragment in q.text]
    assert hits, f"no quote contains {fragment!r}; quotes: {[q.text for q in a.quotes]}"
    return hits[0]


def speaker_of(a: presslens.Analysis, fragment: str) -> str | None:
    q = find_quote(a, fragment)
    return q.speaker.name if q.speaker else None


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent (licensed research data is not part of the repository)")
    return SHARED


@pytest.fixture
def example_text() -> str:
    return (REPO / "examples" / "kremlin-interview.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def isolated_knowledge_base(tmp_path_factory, monkeypatch):
    """Never read or write the user's own fact-check knowledge base or caches; never reach a model hub."""
    home = tmp_path_factory.mktemp("presslens-home")
    monkeypatch.setenv("PRESSLENS_KB", str(home / "factchecks.sqlite"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
