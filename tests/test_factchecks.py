"""The fact-check knowledge base: import formats, bad records, transactions, search and matching."""

from __future__ import annotations

import json

import pytest

import presslens
from conftest import REPO
from conftest import run_cli as run
from presslens.evaluation.matching import average_precision_at, score_run
from presslens.factchecks import KnowledgeBase, read_records
from presslens.factchecks.encoder import encoder_available
from presslens.factchecks.records import FactCheck, RecordError

EXAMPLE_KB = REPO / "examples" / "factchecks.json"
EXAMPLE = REPO / "examples" / "kremlin-interview.txt"
needs_encoder = pytest.mark.skipif(
    not encoder_available(), reason="the semantic extra (MiniLM encoder) is not installed"
)


def review(claim, **extra) -> dict:
    return {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": claim, **extra}


def test_claim_review_in_every_published_shape(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(review("A", url="https://x.org/a", reviewRating={"alternateName": "False"})))
    graph = tmp_path / "graph.jsonld"
    graph.write_text(
        json.dumps(
            {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, review("B", url="https://x.org/b")]}
        )
    )
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><script type='application/ld+json'>"
        + json.dumps(
            review(
                "C", author={"@type": "Organization", "name": "Checkers"}, itemReviewed={"author": {"name": "Jo Doe"}}
            )
        )
        + "</script></head><body>x</body></html>"
    )
    recs = [r for p in (one, graph, page) for r in read_records(p)]
    assert [r.claim_reviewed for r in recs] == ["A", "B", "C"]
    assert recs[0].rating == "False" and recs[2].publisher == "Checkers" and recs[2].claimant == "Jo Doe"


def test_csv_and_jsonl_with_bad_records_are_reported_one_by_one(tmp_path):
    csv_file = tmp_path / "f.csv"
    csv_file.write_text("id,claim_reviewed,rating,date\nk1,The sky is green,False,2020-01-02\nk2,,True,\n")
    jl = tmp_path / "f.jsonl"
    jl.write_text(
        json.dumps({"claim": "Water boils at 50 C", "rating": "False"})
        + "\nnot json\n"
        + json.dumps({"claim_reviewed": ["a", "list"]})
        + "\n"
        + json.dumps(review("Tea cures colds", datePublished="stated on March 3, 2021 in a post:"))
        + "\n"
    )
    recs = list(read_records(csv_file)) + list(read_records(jl))
    good = [r for r in recs if isinstance(r, FactCheck)]
    bad = [r for r in recs if isinstance(r, RecordError)]
    assert [r.claim_reviewed for r in good] == ["The sky is green", "Water boils at 50 C", "Tea cures colds"]
    assert good[2].date == "2021-03-03"
    assert len(bad) == 3 and all(":" in e.where for e in bad)
    assert any("missing claim_reviewed" in e.reason for e in bad) and any("must be text" in e.reason for e in bad)


def test_import_is_incremental_and_reports_duplicates(tmp_path):
    path = tmp_path / "kb.sqlite"
    with KnowledgeBase(path) as kb:
        r = kb.import_records(read_records(EXAMPLE_KB))
        assert (r.added, r.updated, r.unchanged) == (4, 0, 0)
        r = kb.import_records(read_records(EXAMPLE_KB))
        assert (r.added, r.unchanged) == (0, 4)
        dup = FactCheck("same", "Claim one")
        r = kb.import_records([dup, FactCheck("same", "Claim one, again")])
        assert r.added == 1 and len(r.errors) == 1 and "duplicate" in r.errors[0].reason
        assert len(kb) == 5


def test_a_crash_mid_import_leaves_the_previous_state(tmp_path):
    path = tmp_path / "kb.sqlite"
    with KnowledgeBase(path) as kb:
        kb.import_records(read_records(EXAMPLE_KB))

    def records_then_crash():
        yield FactCheck("new-1", "A brand new claim")
        raise RuntimeError("disk on fire")

    with KnowledgeBase(path) as kb, pytest.raises(RuntimeError):
        kb.import_records(records_then_crash())
    with KnowledgeBase(path) as kb:
        assert len(kb) == 4 and [r for r, _ in kb.bm25("brand new claim")] == []


def test_bm25_finds_the_fact_check_and_ignores_query_syntax(tmp_path):
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        kb.import_records(read_records(EXAMPLE_KB))
        hits = kb.bm25('NATO "combat troops" OR NEAR( Ukraine*')
        best = kb.get([hits[0][0]])[hits[0][0]]
        assert best.url.endswith("nato-combat-troops-ukraine")


def test_cli_import_reports_skips_and_exit_status(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([review("Fine claim"), review(42.5), {"@type": "ClaimReview"}]))
    kb = str(tmp_path / "kb.sqlite")
    r = run("factchecks", "import", str(bad), "--kb", kb, "--no-embed")
    assert r.returncode == 1
    assert "1 added" in r.stderr and "2 skipped" in r.stderr and "missing claim_reviewed" in r.stderr
    assert "must be text, not float" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("factchecks", "list", "--kb", kb, "--json")
    assert [json.loads(x)["claim_reviewed"] for x in r.stdout.splitlines()] == ["Fine claim"]
    r = run("factchecks", "list", "--kb", str(tmp_path / "missing.sqlite"))
    assert r.returncode == 1 and "no fact-check knowledge base" in r.stderr


def test_export_round_trips_through_claim_review(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(EXAMPLE_KB), "--kb", kb, "--no-embed").returncode == 0
    out = tmp_path / "out.json"
    assert run("factchecks", "export", "--kb", kb, "--format", "claimreview", "-o", str(out)).returncode == 0
    again = sorted((r.id, r.claim_reviewed, r.rating, r.publisher, r.date, r.claimant) for r in read_records(out))
    with KnowledgeBase(kb) as k:
        before = sorted((r.id, r.claim_reviewed, r.rating, r.publisher, r.date, r.claimant) for r in k.records())
    assert again == before


def test_matching_metrics():
    assert average_precision_at({"a"}, ["x", "a"], 5) == 0.5
    assert average_precision_at({"a", "b"}, ["a", "x", "b"], 5) == (1 + 2 / 3) / 2
    s = score_run({"q1": {"a"}, "q2": {"b"}}, {"q1": ["a"], "q2": ["x", "y"]})
    assert s["map@5"] == 0.5 and s["mrr"] == 0.5


@needs_encoder
def test_analyze_shows_the_matching_fact_check_with_one_imported_kb(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    assert run("factchecks", "import", str(EXAMPLE_KB), "--kb", kb).returncode == 0
    a = presslens.analyze(EXAMPLE.read_text(encoding="utf-8"), id="example", kb=kb)
    claim = next(c for c in a.claims if "no Russian soldiers in the Donbas" in c.text)
    matches = next(m.matches for m in a.fact_checks if m.claim == claim.id)
    assert matches and matches[0].url.endswith("no-russian-soldiers-donbas") and matches[0].rating == "False"
    # Nothing similar is known for Peskov's "can no longer tolerate": no match is shown.
    tolerate = next(c for c in a.claims if "could no longer" in c.text)
    assert not any(m.matches for m in a.fact_checks if m.claim == tolerate.id)
    # By default three claims are looked up (disputed first); --match-top 0 looks up all of them.
    assert len(a.fact_checks) == 3
    r = run("analyze", str(EXAMPLE), "--kb", kb, "--format", "json", "--match-top", "0")
    data = json.loads(r.stdout)
    assert len(data["fact_checks"]) == len(data["claims"])
    nato = next(c["id"] for c in data["claims"] if "no plans to deploy combat troops" in c["text"])
    found = next(m["matches"] for m in data["fact_checks"] if m["claim"] == nato)
    assert found and found[0]["url"].endswith("nato-combat-troops-ukraine")
    r = run("analyze", str(EXAMPLE), "--kb", kb, "--format", "html")
    assert r.returncode == 0 and "fact-checked" in r.stdout and 'data-layer="claims"' in r.stdout


@needs_encoder
def test_eval_claim_matching_writes_a_trec_run(tmp_path):
    kb = str(tmp_path / "kb.sqlite")
    run("factchecks", "import", str(EXAMPLE_KB), "--kb", kb)
    with KnowledgeBase(kb) as k:
        ids = {r.claim_reviewed: r.id for r in k.records()}
    queries = tmp_path / "q.tsv"
    queries.write_text(
        "q1\tWind turbines give people cancer, he said.\nq2\tThe city is short $40 million in its budget.\n"
    )
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        f"q1\t0\t{ids['Noise from wind turbines causes cancer.']}\t1\nq2\t0\t{ids['The city budget has a shortfall of $40 million this year.']}\t1\n"
    )
    run_file = tmp_path / "run.txt"
    r = run(
        "eval",
        "claim-matching",
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
        "--kb",
        kb,
        "--save-run",
        str(run_file),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["reranked"]["map@5"] == 1.0
    first = run_file.read_text().splitlines()[0].split()
    assert first[0] == "q1" and first[1] == "Q0" and first[3] == "1" and len(first) == 6


def test_eval_checkworthiness_on_a_transcript(tmp_path):
    preds = tmp_path / "p.tsv"
    r = run(
        "eval",
        "checkworthiness",
        "--gold",
        str(REPO / "tests" / "data" / "debate.tsv"),
        "--save-predictions",
        str(preds),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout)
    assert scores["map"] > 0.8  # the three numeric claims rank above greetings and slogans
    rows = [line.split("\t") for line in preds.read_text().splitlines()]
    assert len(rows) == 8 and rows[0][0] == "debate" and rows[2][1] == "3"


def test_eval_disputes_on_the_bundled_gold_set():
    r = run("eval", "disputes", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["items"] >= 60 and s["precision"] >= 0.9 and s["recall"] >= 0.8


def test_checkworthiness_on_shared_transcripts(shared_data, tmp_path):
    folder = shared_data / "checkworthiness" / "clef2020-debates" / "train"
    r = run("eval", "checkworthiness", "--gold", str(next(iter(sorted(folder.glob("*.tsv"))))), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["map"] > 0.05  # a random ranking is about 0.01


@needs_encoder
def test_matching_sees_records_imported_after_the_first_search(tmp_path):
    """A long-lived process (a notebook, the web app) must not keep searching the vectors it first loaded."""
    from presslens.factchecks.match import search

    kb = str(tmp_path / "kb.sqlite")
    query = "Russia has no soldiers in the Donbas"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "a", "claim_reviewed": "The moon landing was staged in 1969"}) + "\n")
    second.write_text(json.dumps({"id": "b", "claim_reviewed": "There are no Russian troops in Donbas"}) + "\n")
    assert run("factchecks", "import", str(first), "--kb", kb, "--no-embed").returncode == 0
    method, _ = search(kb, query, method="semantic")
    assert method == "bm25"  # nothing embedded yet
    assert run("factchecks", "import", str(second), "--kb", kb).returncode == 0  # embeds both
    method, hits = search(kb, query, method="semantic")
    assert method == "semantic" and hits[0][0].id == "b"
