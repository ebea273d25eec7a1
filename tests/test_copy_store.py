"""benchmarks/copy_store.py: a SQLite store copied into PostgreSQL with COPY holds the same rows, answers the corpus
questions as the original does, and takes further ingests (its id sequences set past the copied ids)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import REPO, run_cli
from presslens.corpus import Corpus
from presslens.store import open_engine, schema, summary

sys.path.insert(0, str(REPO / "benchmarks"))
import copy_store  # noqa: E402

ARTICLES = REPO / "tests" / "articles"
SOURCES = [REPO / "examples" / "kremlin-interview.txt", ARTICLES / "border-buildup.txt", ARTICLES / "speakers.txt"]
QUESTIONS = [
    ("stats", (), {}),
    ("speakers", (), {"top": 100}),
    ("claims", (), {"top": 100}),
    ("search_quotes", ("troops",), {}),
    ("search_quotes", (None,), {"speaker": "peskov"}),
]


def presslens_ingest(db: str, *sources: Path) -> int:
    return run_cli("ingest", *map(str, sources), "--fast", "--workers", "1", "--no-progress", "--db", db).returncode


def table_rows(db: str) -> dict[str, list[tuple]]:
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        out = {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in schema.metadata.tables.values()
        }
    engine.dispose()
    out["meta"] = [r for r in out["meta"] if r[0] != "lock"]  # the writers' lock row: "0" or "1"
    return out


def answers(db: str) -> list:
    with Corpus(db) as corpus:
        found = corpus.rows("find_speakers", "Peskov")
        return [corpus.rows(name, *args, **kwargs) for name, args, kwargs in QUESTIONS] + [
            found,
            corpus.rows("speaker", found[0]["id"]),
        ]


def test_a_copied_store_answers_as_the_original_and_takes_new_ingests(pg_server, tmp_path, monkeypatch, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")  # an error row (the errors table and its sequence)
    source = str(tmp_path / "store.db")
    assert presslens_ingest(source, *SOURCES, empty) == 1  # exit status 1: one input failed
    target = pg_server.url("copied")  # a database that does not exist yet: created
    try:
        figures = copy_store.copy_store(source, target)
        assert figures["versions"][0] == 3 and figures["claim_clusters"][0] > 0 and figures["errors"][0] == 1
        assert "versions" in capsys.readouterr().out

        copied = table_rows(target)
        assert copied == table_rows(source)
        assert any(isinstance(r[-1], bytes) for r in copied["claim_clusters"])  # the claim vectors, as bytes
        assert {r[3] for r in copied["versions"]} == {True}  # "current": SQLite's 1 as a boolean
        expected = answers(source)
        assert answers(target) == expected
        assert expected[3] and expected[4] and len(expected[-1]) > 3  # "troops" and Peskov's quotes found

        # a second copy into the same database is refused with one line
        monkeypatch.setattr(sys, "argv", ["copy_store.py", "--from", source, "--to", target])
        with pytest.raises(SystemExit) as refused:
            copy_store.main()
        assert str(refused.value.code).startswith("copy_store: the target already holds rows (")
        assert "\n" not in str(refused.value.code)

        # new rows get new ids: every sequence was set past the copied ids
        assert presslens_ingest(target, ARTICLES / "interview.txt", ARTICLES / "cues.txt", empty) == 1
        with Corpus(target) as corpus:
            stats = {r["what"]: r["count"] for r in corpus.rows("stats")}
            assert stats["articles"] == 5 and len(corpus.rows("errors")) == 2
            with corpus.engine.connect() as conn:
                assert summary.fresh(conn)  # the copied watermark, moved on by the ingest
    finally:
        pg_server.drop_database("copied")
