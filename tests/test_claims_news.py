"""Claims a fact-checker would pick from a news article (issue 14): ranking, reasons, one claim per statement made
twice, the lite ranker of --fast, and the gold set the rankers learn from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import presslens

ARTICLE = Path(__file__).parent / "articles" / "border-buildup.txt"
GOLD = Path(__file__).parents[1] / "benchmarks" / "data" / "claims-news"
SHARED_TEXTS = Path(__file__).parents[2] / "shared" / "data" / "quotes" / "polnear" / "train" / "text"


@pytest.fixture(scope="module")
def article() -> presslens.Analysis:
    return presslens.analyze(ARTICLE.read_text(encoding="utf-8"), id="border", components=("quotes", "claims"))


def claim_with(a: presslens.Analysis, fragment: str):
    hits = [c for c in a.claims if fragment in c.text or any(fragment in m.text for m in c.mentions)]
    assert hits, f"no claim contains {fragment!r}; claims: {[c.text for c in a.claims]}"
    return hits[0]


def test_the_statements_to_check_first_top_the_list(article):
    top = [c.text for c in article.claims[:4]]
    assert any("Roughly 100,000 Russian soldiers" in t for t in top), top  # the reporter's own voice, a number
    assert any("There are no Russian troops in Donbas" in t for t in top), top  # the spokesman's denial
    assert any("40 tanks" in t for t in top), top
    scores = [c.checkworthiness for c in article.claims]
    assert scores == sorted(scores, reverse=True)
    assert [c.id for c in article.claims] == [f"c{n}" for n in range(1, len(article.claims) + 1)]


def test_questions_greetings_and_opinions_are_not_claims(article):
    texts = " | ".join(c.text for c in article.claims)
    for not_a_claim in (
        "room for a potential compromise",
        "Thank you for reading",
        "dangerous moment",
        "stand together",
    ):
        assert not_a_claim not in texts, not_a_claim


def test_the_allegation_by_an_agency_is_a_claim_with_its_claimant_and_reason(article):
    c = claim_with(article, "false-flag operation")
    assert c.claimant is not None and c.claimant.name == "U.S. intelligence officials"
    assert "claim about Moscow by U.S. intelligence officials" in c.reasons


def test_a_quote_and_its_paraphrase_are_one_claim_with_two_mentions(article):
    c = claim_with(article, "There are no Russian troops in Donbas")
    assert c.claimant.name == "Dmitry Peskov"
    assert [m.text for m in c.mentions] == ["that there were no Russian troops in the Donbas"]
    assert all(article.text[m.start : m.end] == m.text for m in c.mentions)
    assert "denial by Dmitry Peskov" in c.reasons and "made 2 times" in c.reasons
    # the paraphrase is not listed a second time
    assert sum("no Russian troops in the Donbas" in x.text for x in article.claims) == 0


def test_numbers_are_a_reason(article):
    assert "number" in claim_with(article, "Roughly 100,000").reasons


def test_reports_show_the_reasons_escaped():
    text = ARTICLE.read_text(encoding="utf-8").replace("Valuyki", "Valuyki <b>x</b>")
    a = presslens.analyze(text, id="b", components=("quotes", "claims"))
    out = a.to_text()
    assert "most check-worthy first" in out and "why: denial by Dmitry Peskov; made 2 times" in out
    assert "also: that there were no Russian troops in the Donbas" in out
    html = a.to_html()
    assert "why: denial by Dmitry Peskov; made 2 times" in html and "<b>x</b>" not in html


def test_the_full_ranker_reads_the_states_the_tagger_left_and_fast_uses_the_lite_one(article):
    text = ARTICLE.read_text(encoding="utf-8")
    whole = presslens.analyze(text, id="border", components=("quotes", "techniques", "claims"))
    assert whole.models["claims"] == "news-ranker-v1" == article.models["claims"]
    # the states from the techniques pass and those the claims component computes alone are the same
    assert [(c.start, c.end, c.checkworthiness) for c in whole.claims] == [
        (c.start, c.end, c.checkworthiness) for c in article.claims
    ]
    fast = presslens.analyze(text, id="border", components=("quotes", "claims"), fast=True)
    assert fast.models["claims"] == "news-ranker-lite-v1"
    assert any("Roughly 100,000" in c.text for c in fast.claims[:4])


def test_json_keeps_reasons_and_mentions(article):
    data = article.to_dict()
    c = next(c for c in data["claims"] if c["mentions"])
    assert (
        c["reasons"] and c["mentions"][0]["text"] == article.text[c["mentions"][0]["start"] : c["mentions"][0]["end"]]
    )
    assert presslens.Analysis.from_dict(data).to_dict() == data


def test_the_gold_set_is_offsets_and_labels_only():
    rows = [json.loads(line) for line in (GOLD / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 30 and sum(len(r["sentences"]) for r in rows) >= 1000
    for r in rows:
        assert set(r) == {"article", "sha256", "sentences", "labels", "kinds"}
        assert len(r["sentences"]) == len(r["labels"]) == len(r["kinds"])
        assert all(label in (0, 1) for label in r["labels"])
        assert all(s < e for s, e in r["sentences"])


@pytest.mark.skipif(not SHARED_TEXTS.is_dir(), reason="the PolNeAR texts are in ../shared/data (not in the repository)")
def test_the_gold_points_at_the_texts_it_was_labelled_on():
    rows = [json.loads(line) for line in (GOLD / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        text = (SHARED_TEXTS / r["article"]).read_text(encoding="utf-8")
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == r["sha256"], r["article"]
        assert all(0 <= s < e <= len(text) and text[s:e].strip() for s, e in r["sentences"])
