"""Writing analyses into the store: one transaction per batch, so that a crash (even ``kill -9``) leaves every
batch either wholly stored or not at all, and a re-run stores what is missing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from presslens.corpus.clusters import Clusterer
from presslens.corpus.speakers import Mention, SpeakerLinker, roles_in
from presslens.errors import InputError
from presslens.ingest import Article
from presslens.model import Analysis
from presslens.store import is_sqlite, new_id, schema, summary, write_lock


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def article_key(article: Article | Analysis) -> str:
    """Articles are keyed by their URL, else by their id."""
    return f"url:{article.metadata.url}" if article.metadata.url else f"id:{article.id}"


def digest(article: Article | Analysis) -> str:
    return hashlib.sha256(f"{article.title or ''}\n{article.text}".encode()).hexdigest()


def day_of(date: str | None) -> str | None:
    if not date or len(date) < 10 or date[4] != "-" or date[7] != "-":
        return None
    return date[:10]


@dataclass
class Outcome:
    stored: int = 0
    unchanged: int = 0  # already stored with the same text and models
    failed: int = 0


def start_run(engine: Engine, command: str) -> int:
    from presslens import __version__

    with engine.begin() as conn:
        write_lock(conn)
        rid = new_id(
            conn.execute(
                schema.runs.insert().values(started=now(), command=command, presslens=__version__, models="{}")
            )
        )
    return int(rid)


def current_digests(engine: Engine, keys: list[str]) -> dict[str, str]:
    """key → digest of the article's current version, for the keys already stored."""
    a, v = schema.articles.c, schema.versions.c
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(keys), 500):
            rows = conn.execute(
                select(a.key, v.digest)
                .join(schema.versions, v.article_id == a.id)
                .where(a.key.in_(keys[i : i + 500]), v.current.is_(True))
            )
            out.update({r[0]: r[1] for r in rows})
    return out


def store_batch(engine: Engine, results: list[Analysis | InputError], run_id: int, clusterer: Clusterer) -> Outcome:
    """Store a batch of analyses (and record its errors) in one transaction, the summary tables kept in step."""
    outcome = Outcome()
    analyses = [r for r in results if isinstance(r, Analysis)]
    texts = [c.text for a in analyses for c in a.claims]
    prepared = iter(clusterer.prepare(texts))  # embeddings outside the write lock
    revived: list[int] = []  # articles whose earlier version became current again (no new version id to find)
    with engine.begin() as conn:
        write_lock(conn)
        for r in results:
            if isinstance(r, InputError):
                conn.execute(schema.errors.insert().values(run_id=run_id, at=now(), source=r.source, message=r.reason))
                outcome.failed += 1
                continue
            claim_texts = [next(prepared) for _ in r.claims]
            stored = _store_one(conn, r, run_id, clusterer, claim_texts)
            if stored is None:
                outcome.unchanged += 1
                continue
            outcome.stored += 1
            if stored < 0:
                revived.append(-stored)
        models = {k: v for a in analyses for k, v in a.models.items()}
        if models:
            conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(models=json.dumps(models)))
        summary.sync(conn, revived)
    return outcome


def _store_one(conn: Connection, a: Analysis, run_id: int, clusterer: Clusterer, claim_texts: list) -> int | None:
    """Store ``a`` as its article's current version: the new version's id; minus the article's id when an earlier
    version (same text and models) became current again; None when it is stored unchanged."""
    key, dig, models = article_key(a), digest(a), json.dumps(a.models, sort_keys=True)
    art, ver = schema.articles.c, schema.versions.c
    row = conn.execute(select(art.id).where(art.key == key)).first()
    if row is None:
        article_id = int(new_id(conn.execute(schema.articles.insert().values(key=key, first_stored=now()))))
    else:
        article_id = int(row[0])
        same = conn.execute(
            select(ver.id, ver.current).where(ver.article_id == article_id, ver.digest == dig, ver.models == models)
        ).first()
        if same is not None:
            if not same.current:  # back to an earlier version's text and models: that version is current again
                conn.execute(schema.versions.update().where(ver.article_id == article_id).values(current=False))
                conn.execute(schema.versions.update().where(ver.id == same.id).values(current=True))
                return -article_id
            return None
        conn.execute(schema.versions.update().where(ver.article_id == article_id).values(current=False))
    m = a.metadata
    version_id = int(
        new_id(
            conn.execute(
                schema.versions.insert().values(
                    article_id=article_id,
                    digest=dig,
                    current=True,
                    stored_at=now(),
                    run_id=run_id,
                    external_id=a.id,
                    url=m.url,
                    day=day_of(m.date),
                    outlet=m.source,
                    author=m.author,
                    title=a.title,
                    text=a.text,
                    genre=a.genre.label if a.genre and not a.genre.uncertain else None,
                    models=models,
                    analysis=json.dumps(a.to_dict(), ensure_ascii=False),
                )
            )
        )
    )
    fts = is_sqlite(conn)
    if fts:
        conn.exec_driver_sql(
            "INSERT INTO versions_fts(rowid, title, text) VALUES (?, ?, ?)", (version_id, a.title or "", a.text)
        )
    speaker_of = _link_speakers(conn, a)
    quote_speaker: dict[str, int | None] = {}
    quote_rows = []
    for q in a.quotes:
        sid = speaker_of.get(q.speaker.entity) if q.speaker and q.speaker.entity else None
        if sid is None and q.speaker and q.speaker.name and not q.speaker.entity:
            sid = speaker_of.get(f"name:{q.speaker.name}")
        quote_speaker[q.id] = sid
        quote_rows.append(
            {
                "version_id": version_id,
                "qid": q.id,
                "kind": q.kind,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "cue": q.cue.text if q.cue else None,
                "speaker_text": q.speaker.text if q.speaker else None,
                "speaker_name": q.speaker.name if q.speaker else None,
                "speaker_id": sid,
            }
        )
    quote_ids = dict(zip([q.id for q in a.quotes], _insert_many(conn, schema.quotes, quote_rows), strict=True))
    if fts and quote_rows:
        conn.exec_driver_sql(
            "INSERT INTO quotes_fts(rowid, text) VALUES (?, ?)",
            [(quote_ids[q.id], q.text) for q in a.quotes],
        )
    disputed = {d.claim for d in a.disputes}
    matches = {cm.claim: cm.matches for cm in a.fact_checks}
    cluster_ids = clusterer.assign(conn, claim_texts)
    claim_rows = []
    for c, cluster_id in zip(a.claims, cluster_ids, strict=True):
        sid = None
        if c.quote and c.quote in quote_speaker:
            sid = quote_speaker[c.quote]
        elif c.claimant and c.claimant.entity:
            sid = speaker_of.get(c.claimant.entity)
        claim_rows.append(
            {
                "version_id": version_id,
                "cid": c.id,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "checkworthiness": c.checkworthiness,
                "claimant": c.claimant.name if c.claimant else None,
                "speaker_id": sid,
                "quote_id": quote_ids.get(c.quote) if c.quote else None,
                "disputed": c.id in disputed,
                "reasons": json.dumps(c.reasons, ensure_ascii=False),
                "cluster_id": cluster_id,
            }
        )
    claim_ids = _insert_many(conn, schema.claims, claim_rows)
    if fts and claim_rows:
        conn.exec_driver_sql(
            "INSERT INTO claims_fts(rowid, text) VALUES (?, ?)",
            [(crow, c.text) for crow, c in zip(claim_ids, a.claims, strict=True)],
        )
    fact_check_rows = [
        {
            "claim_id": crow,
            "fact_check": fc.id,
            "claim_reviewed": fc.claim_reviewed,
            "rating": fc.rating,
            "publisher": fc.publisher,
            "url": fc.url,
            "score": fc.score,
        }
        for crow, c in zip(claim_ids, a.claims, strict=True)
        for fc in {fc.id: fc for fc in matches.get(c.id, [])}.values()  # one row per record
    ]
    if fact_check_rows:
        conn.execute(schema.fact_checks.insert(), fact_check_rows)
    if a.techniques:
        conn.execute(
            schema.techniques.insert(),
            [
                {
                    "version_id": version_id,
                    "technique": t.technique,
                    "start": t.start,
                    "end": t.end,
                    "text": t.text,
                    "confidence": t.confidence,
                    "uncertain": t.uncertain,
                    "speaker_id": quote_speaker.get(t.quote) if t.quote else None,
                }
                for t in a.techniques
            ],
        )
    para = {(p.index, t): (p.start, p.end) for p in a.paragraphs for t in p.techniques}
    if para:
        conn.execute(
            schema.paragraph_techniques.insert(),
            [
                {"version_id": version_id, "paragraph": i, "technique": t, "start": s, "end": e}
                for (i, t), (s, e) in sorted(para.items())
            ],
        )
    if a.frames:
        frames = {f.label: f.confidence for f in a.frames}
        conn.execute(
            schema.frames.insert(),
            [{"version_id": version_id, "frame": k, "confidence": v} for k, v in frames.items()],
        )
    return version_id


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement (SQLAlchemy's insertmanyvalues) and return their ids in order."""
    if not rows:
        return []
    result = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(r[0]) for r in result]


def _link_speakers(conn: Connection, a: Analysis) -> dict[str, int]:
    """entity id (or ``name:NAME`` for a named speaker without an entity) → corpus speaker id."""
    linker = SpeakerLinker(conn)
    entities = {e.id: e for e in a.entities}
    m = a.metadata
    wanted: dict[str, Mention] = {}
    for q in a.quotes:
        s = q.speaker
        if s is None or not s.name:
            continue
        if s.entity and s.entity in entities:
            e = entities[s.entity]
            spans = [(x.start, x.end) for x in e.mentions]
            mention = wanted.setdefault(
                s.entity, Mention(e.name, e.type, roles=roles_in(a.text, spans), outlet=m.source, day=day_of(m.date))
            )
            mention.variants |= {x.text for x in e.mentions}
        elif not s.entity:
            kind = "PERSON" if _looks_like_a_name(s.name) else "GROUP"  # a transcript label, "Park" said
            wanted.setdefault(f"name:{s.name}", Mention(s.name, kind, {s.text}, outlet=m.source, day=day_of(m.date)))
    for c in a.claims:
        if c.claimant and c.claimant.entity and c.claimant.entity in entities and c.claimant.entity not in wanted:
            e = entities[c.claimant.entity]
            spans = [(x.start, x.end) for x in e.mentions]
            wanted[c.claimant.entity] = Mention(
                e.name, e.type, {x.text for x in e.mentions}, roles_in(a.text, spans), m.source, day_of(m.date)
            )
    return {k: linker.link(v) for k, v in wanted.items()}


_NOT_NAMES = frozenset({"interviewer", "moderator", "host", "reporter", "audience", "q", "a", "anchor", "narrator"})


def _looks_like_a_name(name: str) -> bool:
    words = name.split()
    return (
        0 < len(words) <= 4
        and all(w[:1].isupper() and w.replace(".", "").replace("-", "").replace("'", "").isalpha() for w in words)
        and not any(w.isupper() and len(w) > 1 for w in words)  # "U.S.", "NATO", "TAPPER": not a person's name
        and name.lower() not in _NOT_NAMES
    )
