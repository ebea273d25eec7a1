"""A synthetic corpus store for the corpus benchmarks (issue 15): real analyses multiplied to N articles.

Usage:  python benchmarks/synth_corpus.py --db /tmp/synth.db [--n 200000] [--seed-db /tmp/seed.db] [--batch 1000]
        python benchmarks/synth_corpus.py --db postgresql://USER@/DB?host=/tmp/SOCKET --seed-db /tmp/seed.db
        python benchmarks/synth_corpus.py --smoke          (300 articles from the built-in sample, seconds)

First a seed store: a few hundred PolNeAR articles (../shared/data/quotes/polnear/{train,dev}/text, read at run
time, never copied) really ingested with ``--fast``; or the store given with ``--seed-db`` when it exists (when it
does not, the seed is built there and kept, so that both backends can share one). Then N synthetic articles are
written straight into a new, empty store with bulk inserts (executemany, one transaction per ``--batch`` articles),
no per-article linking: each is a copy of a seed version (its text, title, analysis JSON as is, quotes, claims,
technique spans, paragraph labels, frames, fact-checks) under a new key, external id and URL, a day spread over two
years, an outlet of a skewed pool of 50, its speakers replaced by speakers drawn (Zipf-skewed, type kept) from the
seed's plus tens of thousands of made-up ones, and each claim put in a new cluster or, for a fifth of them, an
existing one (Zipf-skewed: most clusters hold one claim, a few thousands). 2 % of the articles get an older,
non-current version too, and 0.2 % of inputs an error row, as a store that has lived a while has. On SQLite the
full-text tables (versions_fts, quotes_fts, claims_fts) are written as ``corpus.write`` writes them.

At the end: ANALYZE, then the bulk load rate (articles/s, the inserts only) and the store size per article (SQLite:
the file after a WAL checkpoint; PostgreSQL: pg_database_size).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from _sample import REPO, SHARED, sample_files

sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import Connection, Engine, func, select, text  # noqa: E402

from presslens.store import is_sqlite, open_engine, schema, summary  # noqa: E402

LAST_DAY = date(2026, 11, 30)  # the synthetic corpus spans the 730 days up to this one
DAYS = 730
OUTLETS = 50
JOIN_SHARE = 0.2  # claims that join an existing cluster
HOT_CLUSTERS = 100_000  # the clusters a claim may join, Zipf-ranked by age
OLD_VERSIONS = 0.02
ERROR_SHARE = 0.002
_SYLLABLES = [
    "ka",
    "ra",
    "mo",
    "li",
    "ne",
    "sa",
    "to",
    "vi",
    "de",
    "ba",
    "lu",
    "mi",
    "ta",
    "ko",
    "ri",
    "na",
    "el",
    "an",
    "or",
    "us",
    "ve",
    "ha",
    "jo",
    "pe",
    "ru",
    "si",
    "fa",
    "go",
    "za",
    "bi",
]
_ENDINGS = [
    "son",
    "ski",
    "ova",
    "ez",
    "ton",
    "berg",
    "ard",
    "elli",
    "ani",
    "ow",
    "ner",
    "ley",
    "man",
    "ic",
    "as",
    "ssen",
    "ford",
    "ine",
    "ade",
    "ov",
]
_OUTLET_WORDS = [
    "Daily",
    "Morning",
    "Evening",
    "Northern",
    "Southern",
    "Capital",
    "Harbour",
    "Valley",
    "Metro",
    "Union",
    "Civic",
    "Coastal",
    "Central",
    "Free",
    "Independent",
    "National",
    "Federal",
    "Provincial",
    "Eastern",
    "Western",
]
_OUTLET_NOUNS = [
    "Ledger",
    "Courier",
    "Herald",
    "Tribune",
    "Post",
    "Dispatch",
    "Sentinel",
    "Gazette",
    "Chronicle",
    "Monitor",
    "Observer",
    "Wire",
]


@dataclass
class Seed:
    """One current seed version and what hangs off it, ids local to the seed store."""

    version: dict[str, Any]
    quotes: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    fact_checks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    techniques: list[dict[str, Any]] = field(default_factory=list)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SeedStore:
    seeds: list[Seed]
    speakers: dict[int, dict[str, Any]]  # seed speaker id → row
    speaker_names: dict[int, list[str]]
    clusters: dict[int, dict[str, Any]]  # seed cluster id → row (text, terms, numbers, vector)
    cluster_terms: dict[int, list[str]]
    models: str


def seed_files(n: int, rng: random.Random) -> list[str]:
    files = sorted(
        str(p) for part in ("train", "dev") for p in (SHARED / "quotes/polnear" / part / "text").glob("*.txt")
    )
    if not files:
        sys.exit(f"no PolNeAR texts under {SHARED / 'quotes/polnear'} (or pass --seed-db STORE)")
    return sorted(rng.sample(files, min(n, len(files))))


def build_seed(db: str, files: list[str], *, lexical: bool = False) -> None:
    """Really ingest ``files`` (``--fast``; ``lexical``: claims clustered by words, no encoder to load)."""
    from presslens.corpus import ingest
    from presslens.corpus.clusters import Clusterer
    from presslens.corpus.ingest import load_clusterer
    from presslens.options import Options

    t0 = time.perf_counter()
    clusterer = Clusterer(None) if lexical else load_clusterer()
    report = ingest(files, db, options=Options(fast=True, workers=1 if lexical else 2), clusterer=clusterer)
    print(
        f"seed: ingested {report.stored} articles ({report.failed} failed) in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def load_seed(db: str) -> SeedStore:
    engine = open_engine(db, create=False)
    v, q, c = schema.versions.c, schema.quotes.c, schema.claims.c
    t, p, f, fc = schema.techniques.c, schema.paragraph_techniques.c, schema.frames.c, schema.fact_checks.c
    with engine.connect() as conn:
        rows = conn.execute(select(schema.versions).where(v.current.is_(True)).order_by(v.id)).all()
        seeds = {r.id: Seed(dict(r._mapping)) for r in rows}

        def each(table: Any, col: Any, order: Any) -> list[dict[str, Any]]:
            return [dict(r._mapping) for r in conn.execute(select(table).where(col.in_(list(seeds))).order_by(order))]

        for r in each(schema.quotes, q.version_id, q.id):
            seeds[r["version_id"]].quotes.append(r)
        claim_version = {}
        for r in each(schema.claims, c.version_id, c.id):
            seeds[r["version_id"]].claims.append(r)
            claim_version[r["id"]] = r["version_id"]
        for r in each(schema.techniques, t.version_id, t.id):
            seeds[r["version_id"]].techniques.append(r)
        for r in each(schema.paragraph_techniques, p.version_id, p.paragraph):
            seeds[r["version_id"]].paragraphs.append(r)
        for r in each(schema.frames, f.version_id, f.frame):
            seeds[r["version_id"]].frames.append(r)
        for r in conn.execute(select(schema.fact_checks).where(fc.claim_id.in_(list(claim_version)))):
            d = dict(r._mapping)
            seeds[claim_version[d["claim_id"]]].fact_checks.setdefault(d["claim_id"], []).append(d)
        speakers = {r.id: dict(r._mapping) for r in conn.execute(select(schema.speakers))}
        names: dict[int, list[str]] = {}
        for sid, name in conn.execute(select(schema.speaker_names)):
            names.setdefault(sid, []).append(name)
        clusters = {r.id: dict(r._mapping) for r in conn.execute(select(schema.claim_clusters))}
        terms: dict[int, list[str]] = {}
        for term, cid in conn.execute(select(schema.cluster_terms.c.term, schema.cluster_terms.c.cluster_id)):
            terms.setdefault(cid, []).append(term)
        models = conn.execute(select(schema.runs.c.models).order_by(schema.runs.c.id.desc())).scalar() or "{}"
    engine.dispose()
    if not seeds:
        sys.exit(f"the seed store {db} holds no articles")
    return SeedStore(list(seeds.values()), speakers, names, clusters, terms, models)


class Zipf:
    """Ranks 0..n-1 drawn with weight (rank+1)^-s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        self.rng = rng
        self.cum = list(itertools.accumulate((k + 1) ** -s for k in range(n)))

    def draw(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])


def made_up_names(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct made-up two-word names (syllables, not real people)."""
    firsts = sorted({(rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)).capitalize() for _ in range(400)})
    out: set[str] = set()
    while len(out) < n:
        surname = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 2))) + rng.choice(_ENDINGS)
        out.add(f"{rng.choice(firsts)} {surname.capitalize()}")
    return sorted(out)


class Synth:
    """Writes the synthetic articles into ``engine`` (an empty store)."""

    def __init__(self, engine: Engine, seed: SeedStore, n: int, rng: random.Random, speakers: int) -> None:
        self.engine, self.seed, self.n, self.rng = engine, seed, n, rng
        self.sqlite = is_sqlite(engine)
        self.next: dict[str, int] = {}
        self.run_id = 0
        self.new_people = speakers
        self.outlets = self._outlets()
        self.outlet_rank = Zipf(len(self.outlets), 1.0, rng)
        self.hot = Zipf(HOT_CLUSTERS, 0.8, rng)
        self.clusters_made: list[int] = []
        self.first_day = LAST_DAY - timedelta(days=DAYS - 1)

    def _outlets(self) -> list[str]:
        names = sorted({f"The {a} {b}" for a in _OUTLET_WORDS for b in _OUTLET_NOUNS})
        return self.rng.sample(names, OUTLETS)

    def _ids(self, table: str, k: int) -> int:
        """The first of ``k`` new ids of ``table``."""
        first = self.next[table]
        self.next[table] += k
        return first

    def prepare(self) -> None:
        """The run row and the speaker pool (the seed's speakers and made-up ones), before any article."""
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(schema.articles)).scalar():
                sys.exit("the target store is not empty: give a new file or database to --db")
            for name in ("articles", "versions", "speakers", "quotes", "claims", "claim_clusters", "techniques"):
                table = schema.metadata.tables[name]
                self.next[name] = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()) + 1
            self.run_id = conn.execute(
                schema.runs.insert().values(
                    started=_now(), command="benchmarks/synth_corpus.py", presslens="synthetic", models=self.seed.models
                )
            ).inserted_primary_key[0]
        rows: list[dict[str, Any]] = []
        names: list[dict[str, Any]] = []
        self.speaker_of_seed: dict[int, int] = {}
        for sid, r in sorted(self.seed.speakers.items()):
            new = self._ids("speakers", 1)
            self.speaker_of_seed[sid] = new
            rows.append({**r, "id": new})
            names += [{"speaker_id": new, "name": x} for x in self.seed.speaker_names.get(sid, [r["name"]])]
        people = made_up_names(self.new_people, self.rng)
        orgs = made_up_names(max(1, self.new_people // 10), self.rng)
        for kind, pool in (("PERSON", people), ("ORG", orgs)):
            for name in pool:
                new = self._ids("speakers", 1)
                first, surname = name.lower().split()
                key = f"PERSON:{first} {surname}" if kind == "PERSON" else f"ORG:{name.lower()} agency"
                full = name if kind == "PERSON" else f"{name} Agency"
                rows.append(
                    {
                        "id": new,
                        "key": key,
                        "name": full,
                        "type": kind,
                        "surname": surname if kind == "PERSON" else None,
                        "first": first if kind == "PERSON" else None,
                        "roles": "",
                    }
                )
                names += [{"speaker_id": new, "name": full}]
                if kind == "PERSON":
                    names.append({"speaker_id": new, "name": name.split()[1]})
        by_type: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
        for r in rows:
            by_type[r["type"] == "PERSON"].append((r["id"], r["name"]))
        for pool in by_type.values():
            self.rng.shuffle(pool)  # popularity does not follow ids
        self.pools = by_type
        self.pool_rank = {k: Zipf(len(v), 0.85, self.rng) for k, v in by_type.items() if v}
        self.seed_is_person = {sid: r["type"] == "PERSON" for sid, r in self.seed.speakers.items()}
        for i in range(0, len(rows), 5000):
            with self.engine.begin() as conn:
                conn.execute(schema.speakers.insert(), rows[i : i + 5000])
        for i in range(0, len(names), 5000):
            with self.engine.begin() as conn:
                conn.execute(schema.speaker_names.insert(), names[i : i + 5000])
        self.speakers_total = len(rows)

    def _speaker(self, seed_sid: int) -> tuple[int, str]:
        person = self.seed_is_person.get(seed_sid, True)
        if person not in self.pool_rank:
            person = not person
        return self.pools[person][self.pool_rank[person].draw()]

    def _cluster(self, seed_cluster: int | None, out: dict[str, list[Any]]) -> int | None:
        if seed_cluster is None:
            return None
        if self.clusters_made and self.rng.random() < JOIN_SHARE:
            rank = self.hot.draw()
            if rank < len(self.clusters_made):
                return self.clusters_made[rank]
        cid = self._ids("claim_clusters", 1)
        c = self.seed.clusters[seed_cluster]
        out["claim_clusters"].append({**c, "id": cid})
        out["cluster_terms"] += [{"term": t, "cluster_id": cid} for t in self.seed.cluster_terms.get(seed_cluster, [])]
        if len(self.clusters_made) < HOT_CLUSTERS:
            self.clusters_made.append(cid)
        return cid

    def article(self, i: int, out: dict[str, list[Any]]) -> None:
        outlet = self.outlets[self.outlet_rank.draw()]
        day = (self.first_day + timedelta(days=self.rng.randrange(DAYS))).isoformat()
        article_id = self._ids("articles", 1)
        slug = outlet.lower().removeprefix("the ").replace(" ", "")
        url = f"https://{slug}.example/{day.replace('-', '/')}/story-{i}"
        out["articles"].append({"id": article_id, "key": f"url:{url}", "first_stored": _now()})
        old = self.rng.random() < OLD_VERSIONS
        for current in (False, True) if old else (True,):
            self.version(article_id, f"synth-{i:07d}", url, day, outlet, current, out)

    def version(
        self, article_id: int, external_id: str, url: str, day: str, outlet: str, current: bool, out: dict[str, Any]
    ) -> None:
        s = self.rng.choice(self.seed.seeds)
        vid = self._ids("versions", 1)
        v = s.version
        digest = v["digest"] if current else hashlib.sha256(f"old {v['digest']}".encode()).hexdigest()
        out["versions"].append(
            {
                **v,
                "id": vid,
                "article_id": article_id,
                "digest": digest,
                "current": current,
                "stored_at": _now(),
                "run_id": self.run_id,
                "external_id": external_id,
                "url": url,
                "day": day,
                "outlet": outlet,
            }
        )
        out["versions_fts"].append((vid, v["title"] or "", v["text"]))
        speakers = {
            sid: self._speaker(sid)
            for sid in {r["speaker_id"] for r in (*s.quotes, *s.claims, *s.techniques) if r["speaker_id"]}
        }
        quote_ids: dict[int, int] = {}
        first = self._ids("quotes", len(s.quotes))
        for k, q in enumerate(s.quotes):
            quote_ids[q["id"]] = first + k
            sid, name = speakers.get(q["speaker_id"], (None, None))
            out["quotes"].append(
                {
                    **q,
                    "id": first + k,
                    "version_id": vid,
                    "speaker_id": sid,
                    "speaker_name": name if sid else q["speaker_name"],
                }
            )
            out["quotes_fts"].append((first + k, q["text"]))
        first = self._ids("claims", len(s.claims))
        for k, c in enumerate(s.claims):
            cid = first + k
            out["claims"].append(
                {
                    **c,
                    "id": cid,
                    "version_id": vid,
                    "speaker_id": speakers.get(c["speaker_id"], (None,))[0],
                    "quote_id": quote_ids.get(c["quote_id"]),
                    "cluster_id": self._cluster(c["cluster_id"], out),
                }
            )
            out["claims_fts"].append((cid, c["text"]))
            out["fact_checks"] += [{**fc, "claim_id": cid} for fc in s.fact_checks.get(c["id"], [])]
        first = self._ids("techniques", len(s.techniques))
        out["techniques"] += [
            {**t, "id": first + k, "version_id": vid, "speaker_id": speakers.get(t["speaker_id"], (None,))[0]}
            for k, t in enumerate(s.techniques)
        ]
        out["paragraph_techniques"] += [{**p, "version_id": vid} for p in s.paragraphs]
        out["frames"] += [{**f, "version_id": vid} for f in s.frames]

    def write(self, out: dict[str, list[Any]]) -> None:
        """One batch, one transaction, parents before children; plain executemany (SQLAlchemy's per-row
        parameter processing would cost more than the inserts)."""
        mark = "?" if self.sqlite else "%s"
        with self.engine.begin() as conn:
            for name in (
                "articles",
                "claim_clusters",
                "cluster_terms",
                "versions",
                "quotes",
                "claims",
                "fact_checks",
                "techniques",
                "paragraph_techniques",
                "frames",
                "errors",
            ):
                rows = out.get(name)
                if not rows:
                    continue
                cols = [c.name for c in schema.metadata.tables[name].c if c.name in rows[0]]
                names = ", ".join(f'"{c}"' for c in cols)
                sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join(mark for _ in cols)})"
                conn.exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows])
            if self.sqlite:  # as corpus.write keeps them
                _fts(conn, "versions_fts(rowid, title, text) VALUES (?, ?, ?)", out["versions_fts"])
                _fts(conn, "quotes_fts(rowid, text) VALUES (?, ?)", out["quotes_fts"])
                _fts(conn, "claims_fts(rowid, text) VALUES (?, ?)", out["claims_fts"])
            summary.sync(conn)  # as corpus.write does: the summaries in the same transaction

    def errors(self, i: int, out: dict[str, list[Any]]) -> None:
        if self.rng.random() < ERROR_SHARE:
            source = f"https://{self.rng.choice(self.outlets).lower().replace(' ', '')}.example/broken-{i}"
            message = self.rng.choice(["HTTP 404", "no text found in the page", "timed out after 30 s"])
            out["errors"].append({"run_id": self.run_id, "at": _now(), "source": source, "message": message})

    def run(self, batch: int, progress: bool) -> float:
        """Writes the articles; returns the seconds spent."""
        t0 = time.perf_counter()
        for start in range(0, self.n, batch):
            out: dict[str, list[Any]] = {k: [] for k in _TABLES}
            for i in range(start, min(self.n, start + batch)):
                self.article(i, out)
                self.errors(i, out)
            self.write(out)
            done = min(self.n, start + batch)
            if progress and (done // batch) % 20 == 0:
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,} articles, {rate:,.0f}/s", flush=True)
        return time.perf_counter() - t0

    def finish(self) -> None:
        """PostgreSQL: the id sequences past the ids written here (a later ingest must not collide)."""
        if self.sqlite:
            return
        with self.engine.begin() as conn:
            for name in ("articles", "versions", "speakers", "quotes", "claims", "claim_clusters", "techniques"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('errors', 'id'), coalesce(max(id), 1)) FROM errors")
            )


_TABLES = (
    "articles",
    "claim_clusters",
    "cluster_terms",
    "versions",
    "versions_fts",
    "quotes",
    "quotes_fts",
    "claims",
    "claims_fts",
    "fact_checks",
    "techniques",
    "paragraph_techniques",
    "frames",
    "errors",
)


def _fts(conn: Connection, into: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        conn.exec_driver_sql(f"INSERT INTO {into}", rows)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def analyze(engine: Engine) -> float:
    t0 = time.perf_counter()
    if is_sqlite(engine):
        raw = engine.raw_connection()  # autocommit (see store.engine): a checkpoint cannot run in a transaction
        try:
            raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - t0


def store_bytes(engine: Engine) -> int:
    if is_sqlite(engine):
        path = Path(str(engine.url.database))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0)


def counts(engine: Engine) -> dict[str, int]:
    names = ("versions", "speakers", "quotes", "claims", "claim_clusters", "techniques", "paragraph_techniques")
    with engine.connect() as conn:
        return {
            n: int(conn.execute(select(func.count()).select_from(schema.metadata.tables[n])).scalar() or 0)
            for n in names
        }


def synthesize(
    db: str,
    n: int,
    seed_db: str,
    *,
    rng_seed: int = 0,
    batch: int = 1000,
    speakers: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Write ``n`` synthetic articles into the empty store ``db`` from the seed store ``seed_db``; the figures."""
    rng = random.Random(rng_seed)
    seed = load_seed(seed_db)
    engine = open_engine(db)
    synth = Synth(engine, seed, n, rng, speakers if speakers is not None else max(100, n // 5))
    t0 = time.perf_counter()
    synth.prepare()
    synth.run(batch, progress)
    seconds = time.perf_counter() - t0
    synth.finish()
    analyze_s = analyze(engine)
    size = store_bytes(engine)
    rows = counts(engine)
    engine.dispose()
    return {
        "articles": n,
        "seed_articles": len(seed.seeds),
        "seconds": seconds,
        "rate": n / seconds if seconds else 0.0,
        "analyze_s": analyze_s,
        "bytes": size,
        "rows": rows,
    }


def report(fig: dict[str, Any], backend: str) -> None:
    rows = ", ".join(f"{k} {v:,}" for k, v in fig["rows"].items())
    print(f"backend: {backend}; {fig['articles']:,} articles from {fig['seed_articles']} seed articles")
    print(f"rows: {rows}")
    print(f"bulk load: {fig['seconds']:.1f} s, {fig['rate']:,.0f} articles/s (then ANALYZE {fig['analyze_s']:.1f} s)")
    print(
        f"store size: {fig['bytes'] / 2**20:,.1f} MiB, {fig['bytes'] / max(1, fig['articles']) / 1024:,.1f} KiB/article"
    )


def smoke_store(folder: str, db: str | None = None, n: int = 300) -> str:
    """A small synthetic store for the benchmarks' --smoke runs: the built-in sample ingested (lexical model) as the
    seed, then ``n`` articles synthesised from it into ``db`` (default: a file in ``folder``); its URL or path."""
    seed = os.path.join(folder, "seed.db")
    build_seed(seed, [str(f) for f in sample_files()], lexical=True)
    db = db or os.path.join(folder, "synth.db")
    synthesize(db, n, seed, batch=100, progress=False)
    return db


def store_arg(ap: argparse.ArgumentParser, args: argparse.Namespace, folder: str) -> str:
    """A benchmark's store: with ``--smoke`` a small synthetic one in ``folder`` (or in ``--db``), else ``--db``
    (required then)."""
    if args.smoke:
        return smoke_store(folder, args.db)
    if not args.db:
        ap.error("--db is required (or --smoke)")
    return str(args.db)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="a new SQLite file or an empty PostgreSQL database (postgresql://...)")
    ap.add_argument("--n", type=int, default=200_000, help="synthetic articles (default 200,000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed")
    ap.add_argument("--batch", type=int, default=1000, help="articles a transaction (default 1,000)")
    ap.add_argument("--seed-db", help="the seed store: used when it exists, else built there and kept")
    ap.add_argument("--seed-articles", type=int, default=300, help="PolNeAR articles to ingest for a new seed")
    ap.add_argument("--speakers", type=int, help="made-up speakers besides the seed's (default n/5)")
    ap.add_argument("--smoke", action="store_true", help="300 articles seeded from the built-in sample: seconds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="synth-corpus-") as tmp:
        if args.smoke:
            args.n, args.batch = min(args.n, 300), min(args.batch, 100)
            args.db = args.db or os.path.join(tmp, "synth.db")
        if not args.db:
            ap.error("--db is required (or --smoke)")
        seed_db = args.seed_db or os.path.join(tmp, "seed.db")
        if not os.path.exists(seed_db):
            if args.smoke:
                build_seed(seed_db, [str(p) for p in sample_files()], lexical=True)
            else:
                build_seed(seed_db, seed_files(args.seed_articles, random.Random(args.seed)))
        fig = synthesize(args.db, args.n, seed_db, rng_seed=args.seed, batch=args.batch, speakers=args.speakers)
        report(fig, "sqlite" if "://" not in args.db else "postgresql")


if __name__ == "__main__":
    main()


__all__ = ["build_seed", "load_seed", "smoke_store", "synthesize", "json"]
