"""The summary tables (presslens.store.summary) answer the all-time corpus questions exactly as counting does.

They are what makes stats, speakers, claims and techniques answer in milliseconds at 200,000 articles
(docs/benchmarks.md "Corpus store"); here, on both backends, after ingests, a changed article (a new version) and
an article changed back (its earlier version current again), each answer from the summaries is compared with the
same question answered by counting the rows.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from conftest import REPO
from presslens.corpus import Corpus, ingest
from presslens.corpus.clusters import Clusterer
from presslens.options import Options
from presslens.store import open_engine, schema, summary

FAST = Options(fast=True, workers=1)
SOURCES = [
    str(REPO / "examples" / "kremlin-interview.txt"),  # no date, no outlet: the summaries' NULL keys
    str(REPO / "tests" / "articles" / "border-buildup.txt"),
    str(REPO / "tests" / "corpus" / "namesakes.jsonl"),
]
STORY = {"id": "s1", "url": "https://harbour.test/2026/03/09/port", "date": "2026-03-09", "source": "Harbour Post"}
BEFORE = 'Port reopens\n\n"The port is open again," Ines Costa, the harbour master, said on Monday.'
AFTER = 'Port reopens\n\n"The port is open to all ships again," Ines Costa, the harbour master, told reporters.'


@pytest.fixture
def sources(tmp_path) -> list[str]:
    """The sources, and the wire story again with a day and an outlet (its speakers' techniques on a day)."""
    dated = tmp_path / "dated.jsonl"
    story = (REPO / "tests" / "articles" / "border-buildup.txt").read_text(encoding="utf-8")
    row = {"id": "wire-1", "url": "https://wire.test/2026/03/04/border", "date": "2026-03-04", "source": "Wire Daily"}
    dated.write_text(json.dumps({**row, "text": story}) + "\n", encoding="utf-8")
    return [*SOURCES, str(dated)]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_db")


QUESTIONS = [
    ("stats", (), {}),
    ("speakers", (), {"top": 100}),
    ("claims", (), {"top": 100}),
    ("techniques", ("outlet",), {}),
    ("techniques", ("day",), {}),
    ("techniques", ("speaker",), {}),
    ("techniques", ("outlet",), {"since": "2026-03-03"}),
    ("techniques", ("day",), {"since": "2026-03-03", "until": "2026-03-05"}),
    ("techniques", ("speaker",), {"since": "2026-03-03"}),  # per speaker and day
    ("techniques", ("speaker",), {"since": "2026-03-03", "until": "2026-03-09", "top": 2}),
    ("search_quotes", (None,), {"speaker": "johnson"}),  # --speaker looks names up in the summaries
    ("search_quotes", ("jobs",), {"speaker": "JOHNSON"}),
    ("search_quotes", (None,), {"speaker": "costa", "since": "2026-03-01"}),
]


def answers(db: str, monkeypatch, *, counted: bool) -> list:
    with monkeypatch.context() as m:
        if counted:
            m.setattr(summary, "fresh", lambda conn: False)
        with Corpus(db) as corpus:
            return [corpus.rows(name, *args, **kwargs) for name, args, kwargs in QUESTIONS]


def assert_summaries_agree(db: str, monkeypatch) -> None:
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        assert summary.fresh(conn)
    engine.dispose()
    fast, counted = answers(db, monkeypatch, counted=False), answers(db, monkeypatch, counted=True)
    for (name, args, kwargs), a, b in zip(QUESTIONS, fast, counted, strict=True):
        assert a == b, f"{name} {args} {kwargs}"
    stats = {r["what"]: r["count"] for r in fast[0]}
    assert stats["quotes"] > 0 and stats["claims"] > 0 and stats["speakers"] > 0 and fast[3] and fast[5] and fast[8]


def test_summaries_follow_new_changed_and_reverted_versions(db, sources, tmp_path, monkeypatch):
    clusterer = Clusterer(None)
    story = tmp_path / "story.jsonl"
    story.write_text(json.dumps({**STORY, "text": BEFORE}) + "\n", encoding="utf-8")
    ingest([*sources, str(story)], db, options=FAST, clusterer=clusterer)
    assert_summaries_agree(db, monkeypatch)  # each write transaction keeps them in step

    story.write_text(json.dumps({**STORY, "text": AFTER}) + "\n", encoding="utf-8")
    assert ingest([str(story)], db, options=FAST, clusterer=clusterer).stored == 1  # a new current version
    assert_summaries_agree(db, monkeypatch)
    with Corpus(db) as corpus:
        found = corpus.quotes(outlet="Harbour Post")
        assert len(found) == 1 and "ships" in found["text"][0]  # only the current version counts

    story.write_text(json.dumps({**STORY, "text": BEFORE}) + "\n", encoding="utf-8")
    assert ingest([str(story)], db, options=FAST, clusterer=clusterer).stored == 1  # the first version again
    assert_summaries_agree(db, monkeypatch)  # no new version id: the write told sync which article changed
    with Corpus(db) as corpus:
        found = corpus.quotes(outlet="Harbour Post")
        assert len(found) == 1 and "ships" not in found["text"][0]


def test_rebuild_recounts_everything(db, sources, monkeypatch):
    ingest(sources, db, options=FAST, clusterer=Clusterer(None))
    engine = open_engine(db, create=False)
    with engine.begin() as conn:
        conn.execute(schema.speaker_stats.delete())  # damaged
        summary.rebuild(conn)
    engine.dispose()
    assert_summaries_agree(db, monkeypatch)


def test_opening_a_store_of_the_first_schema_migrates_it(db, sources, monkeypatch):
    ingest(sources, db, options=FAST, clusterer=Clusterer(None))
    engine = open_engine(db, create=False)
    with engine.begin() as conn:  # as the first schema was: no summaries, narrower indexes, version 1
        for table in reversed(summary._TABLES):
            table.drop(conn)
        conn.execute(schema.meta.delete().where(schema.meta.c.key == summary.WATERMARK))
        conn.exec_driver_sql("DROP INDEX ix_claims_quote")
        conn.exec_driver_sql("DROP INDEX ix_versions_current")
        conn.exec_driver_sql("CREATE INDEX ix_versions_current ON versions (current, day)")
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="1"))
    with engine.begin() as conn:
        summary.sync(conn)  # a store without the tables: nothing to do, nothing fails
        assert not summary.enabled(conn)
    engine.dispose()
    with Corpus(db) as corpus:  # a reader opens it: migrated in one transaction
        assert corpus.rows("stats")
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        version = conn.execute(schema.meta.select().where(schema.meta.c.key == "schema_version")).one().value
        assert int(version) == schema.SCHEMA_VERSION == 4
        assert {ix["name"] for ix in inspect(conn).get_indexes("claims")} >= {"ix_claims_quote", "ix_claims_version"}
        columns = [
            c
            for ix in inspect(conn).get_indexes("versions")
            if ix["name"] == "ix_versions_current"
            for c in ix["column_names"]
        ]
        assert "outlet" in columns
    engine.dispose()
    assert_summaries_agree(db, monkeypatch)


def test_opening_a_store_of_the_second_schema_counts_techniques_per_speaker_and_day(db, sources, monkeypatch):
    ingest(sources, db, options=FAST, clusterer=Clusterer(None))
    engine = open_engine(db, create=False)
    with engine.begin() as conn:  # as version 2 was: no per-day technique counts
        schema.speaker_day_techniques.drop(conn)
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="2"))
    engine.dispose()
    with Corpus(db) as corpus:  # a reader opens it: the table made and counted
        assert corpus.rows("techniques", "speaker", since="2026-03-03")
    assert_summaries_agree(db, monkeypatch)


def test_opening_a_store_of_the_third_schema_stores_the_words_for_search(db, sources, monkeypatch):
    ingest(sources, db, options=FAST, clusterer=Clusterer(None))
    engine = open_engine(db, create=False)
    with engine.begin() as conn:  # as version 3 was: on PostgreSQL, indexes on the expression, no stored column
        if not db.endswith(".db"):
            for table in ("quotes", "claims", "versions"):
                conn.exec_driver_sql(f"DROP INDEX ix_{table}_tsv")
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN tsv")
            conn.exec_driver_sql("CREATE INDEX ix_quotes_fts ON quotes USING gin (to_tsvector('english', text))")
        conn.exec_driver_sql("DROP INDEX ix_technique_counts_day")
        conn.exec_driver_sql("CREATE INDEX ix_technique_counts_day ON technique_counts (dim, day)")
        conn.exec_driver_sql("DROP INDEX ix_claims_disputed")
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="3"))
    engine.dispose()
    with Corpus(db) as corpus:  # a reader opens it: migrated
        found = corpus.quotes("troops")
        assert len(found) and all("troops" in t.lower() for t in found["text"])
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        indexes = {ix["name"] for ix in inspect(conn).get_indexes("quotes")}
        columns = {c["name"] for c in inspect(conn).get_columns("quotes")}
    engine.dispose()
    if not db.endswith(".db"):
        assert "tsv" in columns and "ix_quotes_tsv" in indexes and "ix_quotes_fts" not in indexes
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        day = next(
            ix for ix in inspect(conn).get_indexes("technique_counts") if ix["name"] == "ix_technique_counts_day"
        )
        claims_indexes = inspect(conn).get_indexes("claims")
    engine.dispose()
    assert day["column_names"][-1] == "n"  # covering
    assert "ix_claims_disputed" in {ix["name"] for ix in claims_indexes}
