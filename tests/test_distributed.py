"""``presslens ingest --engine ray`` and ``presslens load`` (issue 17) on a real local Ray instance (2 CPUs, started
once for this module) and the part-4 stores: the same stored analyses as the plain ingest, shards loaded
idempotently, WARC input, bad shard rows counted, and an analysis actor killed mid-job."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import REPO, run_cli
from presslens.corpus import ingest
from presslens.corpus.ingest import load_clusterer
from presslens.options import Options
from presslens.store import open_engine, schema

ARTICLES = REPO / "tests" / "articles"
SOURCES = [
    str(REPO / "examples" / "kremlin-interview.txt"),
    str(ARTICLES / "border-buildup.txt"),
    str(ARTICLES / "speakers.txt"),
    str(REPO / "tests" / "corpus" / "namesakes.jsonl"),
]
FAST = Options(fast=True, workers=1)
CLI = ("--engine", "ray", "--fast", "--no-kb", "--no-progress")


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory):
    """One local Ray instance for the module; its workers never see the user's knowledge base or a model hub."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        if os.environ.get("PRESSLENS_REQUIRE_RAY") == "1":
            pytest.fail("PRESSLENS_REQUIRE_RAY=1 but Ray Data is not installed (pip install -e '.[ray]')")
        pytest.skip("Ray Data is not installed (pip install -e '.[ray]')")
    home = tmp_path_factory.mktemp("ray-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("PRESSLENS_KB", str(home / "factchecks.sqlite"))
        mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
        mp.setenv("RAY_BACKEND_LOG_LEVEL", "fatal")
        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def clusterer():
    return load_clusterer()


def stored(db: str) -> dict[str, dict]:
    """key → what the store holds of its current version and its rows, without ids, run ids or timestamps."""
    a, v = schema.articles.c, schema.versions.c
    engine = open_engine(db, create=False)
    out = {}
    with engine.connect() as conn:
        rows = conn.execute(select(a.key, v).join(schema.versions, v.article_id == a.id).where(v.current.is_(True)))
        for r in rows.mappings():
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t).where(t.c.version_id == r["id"])).scalar()
                for t in (schema.quotes, schema.claims, schema.techniques, schema.frames)
            }
            speakers = conn.execute(
                select(schema.speakers.c.name)
                .join(schema.quotes, schema.quotes.c.speaker_id == schema.speakers.c.id)
                .where(schema.quotes.c.version_id == r["id"])
            )
            keep = ("digest", "external_id", "url", "day", "outlet", "title", "text", "genre", "models", "analysis")
            out[r["key"]] = {k: r[k] for k in keep} | counts | {"speakers": sorted(s[0] for s in speakers)}
        n = conn.execute(select(func.count()).select_from(schema.versions)).scalar()
    engine.dispose()
    assert n == len(out), "a key stored twice"
    return out


def test_ray_ingest_stores_what_the_plain_ingest_stores_and_load_is_idempotent(ray_local, clusterer, tmp_path):
    plain_db, ray_db, loaded_db, shards = (str(tmp_path / n) for n in ("plain.db", "ray.db", "loaded.db", "shards"))
    plain = ingest(SOURCES, plain_db, options=FAST, clusterer=clusterer)
    assert (plain.stored, plain.failed) == (8, 0)
    r = run_cli("ingest", *SOURCES, *CLI, "--db", ray_db, "--out", shards)
    assert r.returncode == 0, r.stderr
    assert "8 stored, 0 unchanged, 0 failed" in r.stderr
    expected = stored(plain_db)
    assert stored(ray_db) == expected
    assert json.loads(expected["url:https://wire.test/2026/03/02/johnson-tariffs"]["analysis"])["quotes"]  # not empty

    for summary in ("8 stored, 0 unchanged", "0 stored, 8 unchanged"):  # the shards, loaded twice: stored once
        r = run_cli("load", shards, "--db", loaded_db, "--no-progress")
        assert r.returncode == 0 and f"{summary}, 0 failed" in r.stderr, r.stderr
    assert stored(loaded_db) == expected


def test_postgres_load_and_ray_ingest_of_a_warc_file(ray_local, clusterer, tmp_path, pg_db):
    warc = write_warc(tmp_path / "crawl.warc.gz")
    plain_db = str(tmp_path / "plain.db")
    plain = ingest([str(warc)], plain_db, options=FAST, clusterer=clusterer)
    assert (plain.stored, plain.failed) == (3, 0)
    shards = str(tmp_path / "shards")
    # the WARC file through a pyarrow filesystem URI, into shards and straight into PostgreSQL
    r = run_cli("ingest", warc.resolve().as_uri(), *CLI, "--out", shards, "--db", pg_db)
    assert r.returncode == 0 and "3 stored, 0 unchanged, 0 failed" in r.stderr, r.stderr
    expected = stored(plain_db)
    assert {k for k in expected} == {f"url:https://news.test/{n}" for n in ("harbour", "budget", "rail")}
    assert stored(pg_db) == expected
    for _ in range(2):  # the same analyses from the shards, twice: stored once
        r = run_cli("load", shards, "--db", pg_db, "--no-progress")
        assert r.returncode == 0 and "0 stored, 3 unchanged, 0 failed" in r.stderr, r.stderr
    assert stored(pg_db) == expected


def test_bad_rows_in_a_shard_are_counted_and_recorded_not_fatal(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import presslens
    from presslens.distributed.shards import analysis_row, error_row
    from presslens.distributed.shards import schema as shard_schema
    from presslens.errors import InputError

    good = presslens.analyze('"We will reopen the port," Ines Costa said on Monday.', id="port", options=FAST)
    bad_json = analysis_row(good) | {"key": "id:broken", "analysis": '{"text": "cut short'}
    forged = analysis_row(good) | {"digest": "0" * 64}
    rows = [analysis_row(good), bad_json, forged, error_row(InputError("feed.jsonl:3", "invalid JSON"))]
    folder = tmp_path / "shards"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=shard_schema()), folder / "part-a.parquet")
    (folder / "part-b.parquet").write_bytes(b"PAR1 not really parquet")
    db = str(tmp_path / "store.db")
    r = run_cli("load", str(folder), "--db", db, "--no-progress")
    assert r.returncode == 1
    assert "1 stored, 0 unchanged, 4 failed" in r.stderr
    assert "bad shard row" in r.stderr and "part-b.parquet: cannot read this shard" in r.stderr
    with sqlite3.connect(db) as conn:
        messages = [m for (m,) in conn.execute("SELECT message FROM errors")]
        assert len(messages) == 4 and "invalid JSON" in messages
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    missing = run_cli("load", str(tmp_path / "nowhere"), "--db", db)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr


def test_a_killed_analysis_actor_loses_nothing_and_stores_nothing_twice(ray_local, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from presslens.distributed.job import run_ray

    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
    records = [{"id": f"a{i}", "text": texts[i % len(texts)] + f"\n\nEdition {i}."} for i in range(24)]
    source = tmp_path / "records.parquet"  # Parquet records as a source, read in blocks spread over the actors
    pq.write_table(pa.Table.from_pylist(records), source)
    db = str(tmp_path / "store.db")
    killed: list[int] = []

    def kill_one(report) -> None:
        if not killed and report.stored >= 2:
            pids = analysis_actors()
            assert pids, "no analysis actor found"
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    report = run_ray([str(source)], db=db, options=FAST, progress=kill_one)
    assert killed
    assert (report.stored, report.failed) == (24, 0)
    with sqlite3.connect(db) as conn:
        keys = sorted(k for (k,) in conn.execute("SELECT key FROM articles"))
        assert keys == sorted(f"id:a{i}" for i in range(24))
        assert conn.execute("SELECT count(*), count(DISTINCT article_id) FROM versions").fetchone() == (24, 24)
        per_version = conn.execute("SELECT version_id, count(DISTINCT qid), count(*) FROM quotes GROUP BY version_id")
        assert all(distinct == n for _, distinct, n in per_version)  # no quote written twice


def analysis_actors() -> list[int]:
    """The PIDs of this user's Ray analysis actors (Ray names their processes after the actor)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "MapBatches(Analyser)" in cmd and proc.stat().st_uid == os.getuid():
                pids.append(int(proc.name))
    return sorted(pids)


def test_plain_ingest_needs_no_ray_and_ray_missing_is_one_line(tmp_path):
    code = (
        "import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
        "from presslens.cli import main\n"
        f"code = main(['ingest', {str(ARTICLES / 'cues.txt')!r}, '--engine', 'ray', '--db', {str(tmp_path / 'x.db')!r}])\n"
        "assert code == 1, code\n"
        "import presslens.corpus, presslens.distributed.load\n"
        "print('ray' in sys.modules and sys.modules['ray'] is not None)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
    assert r.stderr.strip().splitlines() == [
        "presslens: error: --engine ray needs Ray Data: pip install 'presslens[ray]' (or leave out --engine: the "
        "plain engine)"
    ]


PAGES = {
    "harbour": (
        "Harbour reopens after the storm",
        [
            "The harbour of Port Elling reopened on Tuesday after a week of repairs to its storm-damaged quay.",
            '"Every berth is open again and the ferries run on time," said Ines Costa, the harbour master.',
            "Fishing crews said the closure had cost them most of the autumn catch, and the council promised "
            "help for the worst-hit boats before the winter season begins.",
        ],
    ),
    "budget": (
        "Council passes a smaller budget",
        [
            "The city council of Marlow approved a budget on Wednesday that cuts spending on roads by a fifth.",
            '"We had no choice but to make hard decisions," Mayor Tomas Berg told reporters after the vote.',
            "Opposition members said the cuts would leave bridges unsafe, and they promised to fight the plan "
            "when the council meets again in March.",
        ],
    ),
    "rail": (
        "New rail line opens to the north",
        [
            "Trains began running on the new northern line on Friday, linking three towns to the capital.",
            'Transport minister Alma Reyes said the line "will cut journeys by an hour for forty thousand people."',
            "Passengers on the first train said the carriages were full but the ride was quiet and on time, "
            "though some stations are still waiting for their lifts.",
        ],
    ),
}


def write_warc(path: Path) -> Path:
    """A gzipped WARC file of three news pages (texts written for this test), a request and a redirect."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for name, (title, paragraphs) in PAGES.items():
            url = f"https://news.test/{name}"
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
            writer.write_record(
                writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            )
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(html.encode()),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-11-30T08:00:00Z"},
            )
            writer.write_record(record)
        moved = StatusAndHeaders("301 Moved", [("Location", "https://news.test/")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record("https://news.test/old", "response", payload=io.BytesIO(b""), http_headers=moved)
        )
    return path
