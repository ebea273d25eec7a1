"""The corpus store (issue 15) on both backends: a SQLite file and a real PostgreSQL server (tests/pgserver.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from conftest import REPO, run_cli
from presslens.corpus import Corpus, ingest
from presslens.corpus.ingest import load_clusterer
from presslens.options import Options
from presslens.store import open_engine, schema

EXAMPLE = str(REPO / "examples" / "kremlin-interview.txt")
ARTICLES = REPO / "tests" / "articles"
NAMESAKES = str(REPO / "tests" / "corpus" / "namesakes.jsonl")
FAST = Options(fast=True, workers=1)


@pytest.fixture(scope="module")
def clusterer():
    return load_clusterer()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_db")


def count(db: str, table) -> int:
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar()
    engine.dispose()
    return int(n)


def test_one_speaker_across_articles_and_idempotent_reingest(db, clusterer):
    sources = [EXAMPLE, str(ARTICLES / "border-buildup.txt"), str(ARTICLES / "speakers.txt")]
    first = ingest(sources, db, options=FAST, clusterer=clusterer)
    assert (first.stored, first.unchanged, first.failed) == (3, 0, 0)
    with Corpus(db) as corpus:
        found = corpus.rows("find_speakers", "Peskov")
        assert found[0]["name"] == "Dmitry Peskov"
        assert [f for f in found if f["type"] == "PERSON" and "Peskov" in f["name"]] == found[:1]  # one Peskov
        quotes = corpus.speaker("Peskov")
        assert set(quotes["article"]) == {"kremlin-interview", "border-buildup", "speakers"}
        assert any(t in ("The spokesman", "he", "He") for t in quotes["speaker_text"])  # resolved in the article
        kremlin = {r["name"] for r in corpus.rows("speakers", top=100)}
        assert "Kremlin" in kremlin and "Dmitry Peskov" in kremlin  # the organisation stays what it is
    versions = count(db, schema.versions)
    again = ingest(sources, db, options=FAST, clusterer=clusterer)
    assert (again.stored, again.unchanged) == (0, 3)
    assert count(db, schema.versions) == versions


def test_changed_article_is_a_new_version_and_the_old_one_is_kept(db, clusterer, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        'Port reopens\n\n"The port is open again," Ines Costa, the harbour master, said on Monday.\n', encoding="utf-8"
    )
    ingest([str(path)], db, options=FAST, clusterer=clusterer)
    path.write_text(
        'Port reopens\n\n"The port is open to all ships again," Ines Costa, the harbour master, said on Monday.\n',
        encoding="utf-8",
    )
    report = ingest([str(path)], db, options=FAST, clusterer=clusterer)
    assert report.stored == 1
    assert count(db, schema.articles) == 1 and count(db, schema.versions) == 2
    with Corpus(db) as corpus:
        quotes = corpus.quotes("ships")
        assert len(quotes) == 1 and quotes["speaker"][0] == "Ines Costa"
        assert corpus.quotes("open again").shape[0] == 1  # only the current version's quote is counted


def test_namesakes_stay_apart_and_a_role_links_the_surname(db, clusterer):
    ingest([NAMESAKES], db, options=FAST, clusterer=clusterer)
    with Corpus(db) as corpus:
        johnsons = {r["name"]: r["quotes"] for r in corpus.rows("find_speakers", "Johnson")}
        assert "Mark Johnson" in johnsons and "Lisa Johnson" in johnsons
        mark = corpus.speaker("Mark Johnson")
        assert "w3" in set(mark["article"])  # "Johnson, the senator from Ohio" in another outlet
        lisa = corpus.rows("find_speakers", "Lisa Johnson")[0]
        assert set(corpus.rows("speaker", lisa["id"])[0]["article"] for _ in [0]) == {"w2"}


def test_a_claim_in_other_words_is_one_cluster_and_a_different_number_is_not(db, clusterer):
    ingest([NAMESAKES], db, options=FAST, clusterer=clusterer)
    with Corpus(db) as corpus:
        clusters = corpus.rows("claims", top=100)
        jobs = [c for c in clusters if "40,000 jobs" in c["text"]]
        assert len(jobs) == 1 and jobs[0]["articles"] == 2 and jobs[0]["outlets"] == 2
        mentions = corpus.rows("claim", jobs[0]["cluster"])
        assert {m["outlet"] for m in mentions} == {"Wire Daily", "Evening Courier"}
        assert all(m["text"] for m in mentions)
        containers = [c for c in clusters if "containers" in c["text"]]
        assert len(containers) == 2  # 400 and 4,000 containers: two claims


def test_bad_inputs_are_recorded_and_the_batch_goes_on(db, clusterer, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    report = ingest([EXAMPLE, str(empty), str(tmp_path / "missing.txt")], db, options=FAST, clusterer=clusterer)
    assert (report.stored, report.failed) == (1, 2)
    with Corpus(db) as corpus:
        errors = corpus.rows("errors")
        assert {e["source"] for e in errors} == {str(empty), str(tmp_path / "missing.txt")}
        assert all(e["message"] for e in errors)


@pytest.mark.parametrize("search", ['"', "'; DROP TABLE quotes; --", "NEAR(troops", "troops*", "a OR b", "%_\\"])
def test_search_takes_any_text_safely(db, clusterer, search):
    ingest([EXAMPLE], db, options=FAST, clusterer=clusterer)
    with Corpus(db) as corpus:
        try:
            corpus.quotes(search)
        except Exception as exc:  # only the one-line "needs at least one word" is allowed
            assert "at least one word" in str(exc)
        corpus.rows("find_speakers", search)
    assert count(db, schema.quotes) > 0


def test_cli_ingest_and_corpus_queries(tmp_path):
    db = str(tmp_path / "cli.db")
    # one worker: forking analysis workers from this test process, whose torch already runs threads, can hang them
    r = run_cli(
        "ingest", EXAMPLE, str(ARTICLES / "border-buildup.txt"), "--db", db, "--fast", "--no-kb", "--workers", "1"
    )
    assert r.returncode == 0, r.stderr
    r = run_cli("corpus", "speaker", "Peskov", "--db", db, "--format", "json")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and {x["article"] for x in rows} == {"kremlin-interview", "border-buildup"}
    r = run_cli("corpus", "speaker", "Peskov", "--db", db, "--format", "json", "--limit", "1")
    assert [json.loads(line) for line in r.stdout.splitlines()] == rows[:1]  # newest first, as without a limit
    assert "the newest 1 quotes shown" in r.stderr
    r = run_cli("corpus", "speakers", "--top", "5", "--db", db, "--format", "json")
    most_quoted = {json.loads(line)["name"] for line in r.stdout.splitlines()}
    r = run_cli("corpus", "techniques", "--by", "speaker", "--top", "5", "--db", db, "--format", "json")
    speakers = {json.loads(line)["speaker"] for line in r.stdout.splitlines()}
    assert r.returncode == 0 and speakers and speakers <= most_quoted  # the words of the 5 most quoted only
    r = run_cli("corpus", "claims", "--db", db, "--format", "json")
    top = json.loads(r.stdout.splitlines()[0])
    assert r.returncode == 0 and "Donbas" in top["text"] and top["articles"] == 2  # the denial both articles report
    r = run_cli("corpus", "claims", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("cluster")
    r = run_cli("corpus", "stats", "--db", str(tmp_path / "nothing-here.db"))
    assert r.returncode == 1 and "no store" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("ingest", str(tmp_path / "missing.txt"), "--db", db, "--fast", "--no-kb", "--workers", "1")
    assert r.returncode == 1
    r = run_cli("corpus", "errors", "--db", db, "--format", "csv")
    assert "missing.txt" in r.stdout


def _jsonl(tmp_path, n: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)] + f"\n\nEdition {i}."}) + "\n")
    return str(path)


def test_kill_9_mid_ingest_loses_nothing_committed_and_a_rerun_finishes(tmp_path):
    db, source = str(tmp_path / "kill.db"), _jsonl(tmp_path, 80)
    cmd = [sys.executable, "-m", "presslens", "ingest", source, "--db", db, "--fast", "--no-kb", "--workers", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if os.path.exists(db):
            try:
                stored = count(db, schema.versions)
            except Exception:
                continue
            if stored > 0:
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < 80, "the kill came too late to test anything"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert count(db, schema.articles) == 80 and count(db, schema.versions) == 80  # each once, none half
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        orphans = conn.execute(
            select(func.count())
            .select_from(schema.quotes)
            .where(~schema.quotes.c.version_id.in_(select(schema.versions.c.id)))
        ).scalar()
    assert orphans == 0


@pytest.mark.parametrize(
    "search, speaker, since",
    [
        ("jobs", "johnson", None),
        ("tariff", "johnson", "2026-03-03"),
        ("nato", "peskov", None),
        ("limits", "peskov", None),
    ],
)
def test_every_plan_of_a_search_with_a_speaker_finds_the_same_quotes(
    db, clusterer, monkeypatch, search, speaker, since
):
    """The plan depends on how many quotes each filter keeps (counted on SQLite, estimated by PostgreSQL; a store of
    200,000 articles takes each branch); here the bounds are moved so that each branch runs on a small store, against
    the counted answer."""
    from presslens.corpus import queries
    from presslens.store import summary

    ingest([NAMESAKES, EXAMPLE], db, options=FAST, clusterer=clusterer)
    answers = {}
    # (_RARE, _COMMON) on SQLite: intersected, the rarer filter leads, newest first; _GATHER on PostgreSQL
    plans = {"intersect / gather": (0, 10**6, 10**9), "lead": (10**6, 10**6, 10**9), "newest first": (0, 0, -1)}
    for plan, (rare, common, gather) in plans.items():
        for fresh in (True, False):  # the speaker found in the summaries, or tested by name on each quote
            with monkeypatch.context() as m:
                m.setattr(queries, "_RARE", rare)
                m.setattr(queries, "_COMMON", common)
                m.setattr(queries, "_GATHER", gather)
                if not fresh:
                    m.setattr(summary, "fresh", lambda conn: False)
                with Corpus(db) as corpus:
                    answers[plan, fresh] = corpus.rows("search_quotes", search, speaker=speaker, since=since)
    with monkeypatch.context() as m:
        m.setattr(summary, "fresh", lambda conn: False)
        with Corpus(db) as corpus:
            counted = corpus.rows("search_quotes", search, speaker=speaker, since=since)
    assert counted and all(search in q["text"].lower() for q in counted)
    assert all(found == counted for found in answers.values()), {k: len(v) for k, v in answers.items()}


def test_cluster_by_words_groups_claims_without_the_encoder(tmp_path):
    """--cluster-by words: no sentence vectors; the same claim in the same words is still one cluster."""
    said = "The ministry said that unemployment rose to 9.4 percent in March, the highest level since 2015."
    rows = [
        {"id": "d1", "date": "2026-04-02", "source": "Wire Daily", "text": f"Jobs report\n\n{said}"},
        {"id": "d2", "date": "2026-04-03", "source": "Evening Courier", "text": f"Labour market\n\n{said}"},
    ]
    path = tmp_path / "jobs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "words.db")
    r = run_cli("ingest", str(path), "--db", db, "--fast", "--no-kb", "--workers", "1", "--cluster-by", "words")
    assert r.returncode == 0, r.stderr
    r = run_cli("corpus", "claims", "--db", db, "--format", "json")
    top = json.loads(r.stdout.splitlines()[0])
    assert "9.4 percent" in top["text"] and top["articles"] == 2 and top["outlets"] == 2
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        vectors = conn.execute(select(schema.claim_clusters.c.vector)).scalars().all()
    engine.dispose()
    assert vectors and all(v is None for v in vectors)
    r = run_cli("ingest", str(path), "--db", db, "--cluster-by", "letters")
    assert r.returncode != 0 and "invalid choice" in r.stderr


def test_the_claims_queue_of_a_period_is_the_same_on_both_backends(pg_db, tmp_path, clusterer):
    """The period's queue has a plan of its own on each backend; the same articles give the same queue."""
    sqlite_db = str(tmp_path / "store.db")
    queues = []
    for db in (sqlite_db, pg_db):
        ingest([NAMESAKES], db, options=FAST, clusterer=clusterer)
        with Corpus(db) as corpus:
            queues.append(
                [
                    {k: v for k, v in r.items() if k != "cluster"}
                    for r in corpus.rows("claims", since="2026-03-03", until="2026-03-05", top=100)
                ]
            )
    assert queues[0] and queues[0] == queues[1]
    assert all("2026-03-03" <= r["first_seen"] <= r["last_seen"] <= "2026-03-05" for r in queues[0])
