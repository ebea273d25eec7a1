"""The corpus store under concurrency, on both backends: two ingests into one store at once, and queries while an
ingest writes. Each ingest is a real ``python -m presslens ingest`` process, as a user would start two."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import REPO, run_cli
from presslens.store import is_sqlite, open_engine, schema

ARTICLES = REPO / "tests" / "articles"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
SUMMARY = re.compile(r"(\d+) stored, (\d+) unchanged, (\d+) failed")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_db")


def write_jsonl(path: Path, ids: range) -> str:
    """Article ``a{i}`` always has the same text, whichever file it is in (an edition line makes each distinct)."""
    with path.open("w", encoding="utf-8") as f:
        for i in ids:
            text_ = TEXTS[i % len(TEXTS)] + f"\n\nEdition {i}."
            f.write(json.dumps({"id": f"a{i}", "text": text_, "source": f"Outlet {i % 3}"}) + "\n")
    return str(path)


def start_ingest(source: str, db: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "presslens", "ingest", source, "--db", db, "--fast", "--no-kb", "--workers", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"ingest did not finish: {err[-2000:]}")
    return proc.returncode, err


def scalar(conn, query) -> int:
    return int(conn.execute(query).scalar() or 0)


def orphans(conn) -> dict[str, int]:
    """Rows that point at a row that is not there (SQLite enforces no foreign key on an FTS table, and a
    half-written batch would leave exactly these)."""
    v, q, c, s, cl = schema.versions.c, schema.quotes.c, schema.claims.c, schema.speakers.c, schema.claim_clusters.c
    checks = {
        "versions.article_id": (schema.versions, v.article_id, select(schema.articles.c.id)),
        "versions.run_id": (schema.versions, v.run_id, select(schema.runs.c.id)),
        "quotes.version_id": (schema.quotes, q.version_id, select(v.id)),
        "quotes.speaker_id": (schema.quotes, q.speaker_id, select(s.id)),
        "claims.version_id": (schema.claims, c.version_id, select(v.id)),
        "claims.speaker_id": (schema.claims, c.speaker_id, select(s.id)),
        "claims.quote_id": (schema.claims, c.quote_id, select(q.id)),
        "claims.cluster_id": (schema.claims, c.cluster_id, select(cl.id)),
        "techniques.version_id": (schema.techniques, schema.techniques.c.version_id, select(v.id)),
        "paragraph_techniques.version_id": (
            schema.paragraph_techniques,
            schema.paragraph_techniques.c.version_id,
            select(v.id),
        ),
        "frames.version_id": (schema.frames, schema.frames.c.version_id, select(v.id)),
        "speaker_names.speaker_id": (schema.speaker_names, schema.speaker_names.c.speaker_id, select(s.id)),
        "cluster_terms.cluster_id": (schema.cluster_terms, schema.cluster_terms.c.cluster_id, select(cl.id)),
    }
    out = {
        name: scalar(conn, select(func.count()).select_from(table).where(col.is_not(None), ~col.in_(ids)))
        for name, (table, col, ids) in checks.items()
    }
    # a cluster is made for a claim in the same transaction: one without any claim was left by a lost write
    out["claim_clusters unused"] = scalar(
        conn, select(func.count()).select_from(schema.claim_clusters).where(~cl.id.in_(select(c.cluster_id)))
    )
    return {k: n for k, n in out.items() if n}


def assert_consistent(db: str, ids: set[str]) -> None:
    """Every article of ``ids`` stored exactly once (one article, one current version, all its quotes, claims and
    techniques), nothing else, nothing pointing nowhere, full-text indexes matching their tables."""
    a, v = schema.articles.c, schema.versions.c
    engine = open_engine(db, create=False)
    try:
        with engine.connect() as conn:
            keys = [r[0] for r in conn.execute(select(a.key))]
            assert sorted(keys) == sorted(f"id:{i}" for i in ids)
            rows = conn.execute(select(v.article_id, v.external_id, v.current, v.id, v.analysis)).all()
            assert sorted(r.external_id for r in rows) == sorted(ids)  # one version each
            assert all(r.current for r in rows)
            assert len({r.article_id for r in rows}) == len(ids)
            dup_speakers = conn.execute(
                select(schema.speakers.c.key).group_by(schema.speakers.c.key).having(func.count() > 1)
            ).all()
            assert dup_speakers == []
            expected_quotes = 0
            for r in rows:
                analysis = json.loads(r.analysis)
                for table, key in ((schema.quotes, "quotes"), (schema.claims, "claims")):
                    n = scalar(conn, select(func.count()).select_from(table).where(table.c.version_id == r.id))
                    assert n == len(analysis[key]), (r.external_id, key)
                n = scalar(
                    conn,
                    select(func.count()).select_from(schema.techniques).where(schema.techniques.c.version_id == r.id),
                )
                assert n == len(analysis["techniques"]), r.external_id
                expected_quotes += len(analysis["quotes"])
            assert expected_quotes > len(ids)  # the articles do have quotes: the counts above mean something
            assert orphans(conn) == {}
            if is_sqlite(conn):
                for table in ("quotes", "claims", "versions"):
                    conn.exec_driver_sql(f"INSERT INTO {table}_fts({table}_fts) VALUES ('integrity-check')")
            assert scalar(conn, select(func.count()).select_from(schema.errors)) == 0
    finally:
        engine.dispose()


def test_two_ingests_at_once_store_each_article_exactly_once(db, tmp_path):
    first = write_jsonl(tmp_path / "first.jsonl", range(0, 40))
    second = write_jsonl(tmp_path / "second.jsonl", range(20, 60))  # a20..a39 in both
    procs = [start_ingest(first, db), start_ingest(second, db)]  # both find no store: both try to create it
    results = [finish(p) for p in procs]
    for code, err in results:
        assert code == 0, err[-3000:]
        assert "Traceback" not in err and "locked" not in err, err[-3000:]
    summaries = [SUMMARY.search(err) for _, err in results]
    assert all(summaries), [err[-500:] for _, err in results]
    stored = [int(m.group(1)) for m in summaries if m]
    unchanged = [int(m.group(2)) for m in summaries if m]
    assert [s + u for s, u in zip(stored, unchanged, strict=True)] == [40, 40]
    assert sum(stored) == 60  # a shared article is stored by one of the two and found unchanged by the other
    assert_consistent(db, {f"a{i}" for i in range(60)})
    engine = open_engine(db, create=False)
    with engine.connect() as conn:
        assert scalar(conn, select(func.count()).select_from(schema.runs)) == 2
        lock = conn.execute(select(schema.meta.c.key).where(schema.meta.c.key == "lock")).all()
        versions = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).all()
        assert len(lock) == 1 and len(versions) == 1  # created once
    engine.dispose()


N = 48  # articles: a batch of 32, then 16

STAT_KEYS = ("articles", "versions", "quotes", "speakers", "claims", "claim_clusters", "runs")


def test_queries_while_an_ingest_writes_see_only_growing_counts(db, tmp_path):
    source = write_jsonl(tmp_path / "many.jsonl", range(0, N))  # two batches: a query can see the first alone
    proc = start_ingest(source, db)
    seen: list[dict[str, int]] = []
    asked = 0
    deadline = time.time() + 300
    while proc.poll() is None and time.time() < deadline:
        r = run_cli("corpus", "stats", "--db", db, "--format", "json")
        if r.returncode == 1 and "no store" in r.stderr and not seen:
            time.sleep(0.2)  # the ingest has not created the SQLite file yet
            continue
        assert r.returncode == 0, r.stderr
        stats = {x["what"]: x["count"] for x in map(json.loads, r.stdout.splitlines())}
        seen.append({k: int(stats[k] or 0) for k in STAT_KEYS})
        for args in (
            ("speakers", "--top", "1000"),
            ("quotes", "--search", "said troops"),
            ("quotes", "--search", "minister", "--limit", "5"),
            ("claims", "--top", "50"),
            ("speaker", "Peskov"),
            ("techniques", "--by", "outlet"),
        ):
            r = run_cli("corpus", *args, "--db", db, "--format", "json")
            asked += 1
            if args[0] == "speaker" and r.returncode == 1 and "no speaker named" in r.stderr:
                continue  # not stored yet
            assert r.returncode == 0, (args, r.stderr)
            assert "locked" not in r.stderr and "Traceback" not in r.stderr
            rows = [json.loads(line) for line in r.stdout.splitlines()]
            if args[0] == "speakers":
                assert len(rows) <= 1000
        time.sleep(0.1)
    code, err = finish(proc)
    assert code == 0, err[-3000:]
    assert asked >= 12 and len(seen) >= 2, "the ingest ended before the queries could overlap it"
    for before, after in zip(seen, seen[1:], strict=False):
        assert all(after[k] >= before[k] for k in STAT_KEYS), (before, after)
    assert any(0 < s["articles"] < N for s in seen), "no query saw the store between two batches"
    r = run_cli("corpus", "stats", "--db", db, "--format", "json")
    final = {x["what"]: x["count"] for x in map(json.loads, r.stdout.splitlines())}
    assert (final["articles"], final["versions"], final["runs"]) == (N, N, 1)
    assert all(final[k] >= seen[-1][k] for k in STAT_KEYS)
    assert_consistent(db, {f"a{i}" for i in range(N)})
