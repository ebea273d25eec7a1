"""The questions asked across a corpus, answered from the store: each returns rows (dicts) in display order.

Only the current version of each article counts. Every query is parameterised SQL built with SQLAlchemy Core;
full-text search uses SQLite's FTS5 or PostgreSQL's tsvector, whichever the store is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, and_, case, distinct, func, literal_column, or_, select, text

from presslens.store import StoreError, is_sqlite, schema

Row = dict[str, Any]
V, Q, C, S = schema.versions.c, schema.quotes.c, schema.claims.c, schema.speakers.c
_CURRENT = V.current.is_(True)


def _rows(conn: Connection, query: Any) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(query)]


def stats(conn: Connection) -> list[Row]:
    def one(q: Any) -> Any:
        return conn.execute(q).scalar()

    current = select(V.id).where(_CURRENT).subquery()
    quotes_q = select(func.count()).select_from(schema.quotes).where(Q.version_id.in_(select(current.c.id)))
    claims_q = select(func.count()).select_from(schema.claims).where(C.version_id.in_(select(current.c.id)))
    out = {
        "articles": one(select(func.count()).select_from(schema.articles)),
        "versions": one(select(func.count()).select_from(schema.versions)),
        "outlets": one(select(func.count(distinct(V.outlet))).where(_CURRENT)),
        "first_day": one(select(func.min(V.day)).where(_CURRENT)),
        "last_day": one(select(func.max(V.day)).where(_CURRENT)),
        "quotes": one(quotes_q),
        "speakers": one(select(func.count(distinct(Q.speaker_id))).where(Q.version_id.in_(select(current.c.id)))),
        "claims": one(claims_q),
        "claim_clusters": one(select(func.count(distinct(C.cluster_id))).where(C.version_id.in_(select(current.c.id)))),
        "errors": one(select(func.count()).select_from(schema.errors)),
        "runs": one(select(func.count()).select_from(schema.runs)),
    }
    return [{"what": k, "count": v} for k, v in out.items()]


def speakers(conn: Connection, top: int = 20) -> list[Row]:
    query = (
        select(
            S.id,
            S.name,
            S.type,
            func.count(Q.id).label("quotes"),
            func.count(distinct(V.article_id)).label("articles"),
            func.count(distinct(V.outlet)).label("outlets"),
            func.min(V.day).label("first_day"),
            func.max(V.day).label("last_day"),
        )
        .select_from(
            schema.speakers.join(schema.quotes, Q.speaker_id == S.id).join(schema.versions, V.id == Q.version_id)
        )
        .where(_CURRENT)
        .group_by(S.id, S.name, S.type)
        .order_by(func.count(Q.id).desc(), S.name)
        .limit(top)
    )
    return _rows(conn, query)


def find_speakers(conn: Connection, name: str) -> list[Row]:
    """Speakers whose name or a variant of it contains ``name`` (case-insensitive), most quoted first."""
    n = schema.speaker_names.c
    like = f"%{_escape_like(name.lower())}%"
    ids = select(n.speaker_id).where(func.lower(n.name).like(like, escape="\\"))
    quotes = select(func.count()).where(Q.speaker_id == S.id).scalar_subquery()
    query = (
        select(S.id, S.name, S.type, S.roles, quotes.label("quotes"))
        .where(or_(S.id.in_(ids), func.lower(S.name).like(like, escape="\\")))
        .order_by(quotes.desc(), S.name)
    )
    return _rows(conn, query)


def speaker(conn: Connection, speaker_id: int) -> list[Row]:
    """Every quote of one speaker in current articles, newest first, with its claims' clusters and techniques."""
    query = (
        select(
            Q.id,
            V.day,
            V.outlet,
            V.url,
            V.title,
            V.external_id.label("article"),
            Q.kind,
            Q.start,
            Q.end,
            Q.text,
            Q.speaker_text,
        )
        .join(schema.versions, V.id == Q.version_id)
        .where(Q.speaker_id == speaker_id, _CURRENT)
        .order_by(V.day.desc(), V.id, Q.start)
    )
    rows = _rows(conn, query)
    ids = [r["id"] for r in rows]
    claims: dict[int, list[int]] = {}
    for qid, cluster in conn.execute(select(C.quote_id, C.cluster_id).where(C.quote_id.in_(ids))) if ids else []:
        claims.setdefault(qid, []).append(cluster)
    techniques: dict[int, list[str]] = {}
    if ids:
        t, p = schema.techniques.c, schema.paragraph_techniques.c
        spans = select(Q.id, t.technique).join(
            schema.techniques,
            and_(t.version_id == Q.version_id, t.start >= Q.start, t.end <= Q.end, t.uncertain.is_(False)),
        )
        paras = select(Q.id, p.technique).join(
            schema.paragraph_techniques, and_(p.version_id == Q.version_id, p.start <= Q.start, p.end >= Q.end)
        )
        for qid, technique in conn.execute(spans.where(Q.id.in_(ids)).union(paras.where(Q.id.in_(ids)))):
            techniques.setdefault(qid, []).append(technique)
    for r in rows:
        r["claims"] = sorted(set(claims.get(r["id"], [])))
        r["techniques"] = sorted(set(techniques.get(r["id"], [])))
    return rows


def search_quotes(
    conn: Connection,
    search: str | None = None,
    *,
    speaker: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
) -> list[Row]:
    query = (
        select(
            V.day,
            V.outlet,
            V.url,
            V.external_id.label("article"),
            Q.kind,
            Q.text,
            Q.speaker_name,
            S.name.label("speaker"),
        )
        .select_from(
            schema.quotes.join(schema.versions, V.id == Q.version_id).outerjoin(schema.speakers, S.id == Q.speaker_id)
        )
        .where(_CURRENT)
    )
    if search:
        query = query.where(_matches(conn, "quotes", Q.id, Q.text, search))
    if speaker:
        like = f"%{_escape_like(speaker.lower())}%"
        query = query.where(
            or_(func.lower(S.name).like(like, escape="\\"), func.lower(Q.speaker_name).like(like, escape="\\"))
        )
    query = _period(query, outlet, since, until)
    return _rows(conn, query.order_by(V.day.desc(), V.id, Q.start).limit(limit))


def _period(query: Any, outlet: str | None, since: str | None, until: str | None) -> Any:
    if outlet:
        query = query.where(func.lower(V.outlet) == outlet.lower())
    if since:
        query = query.where(V.day >= since)
    if until:
        query = query.where(V.day <= until)
    return query


def claims(conn: Connection, *, since: str | None = None, until: str | None = None, top: int = 20) -> list[Row]:
    """Claim clusters, the fact-checker's queue: ranked by check-worthiness × spread (articles that state it)."""
    fc = schema.fact_checks.c
    spread = func.count(distinct(V.article_id))
    best = func.max(C.checkworthiness)
    query = (
        select(
            C.cluster_id.label("cluster"),
            schema.claim_clusters.c.text,
            best.label("checkworthiness"),
            spread.label("articles"),
            func.count(distinct(V.outlet)).label("outlets"),
            func.count(distinct(C.speaker_id)).label("speakers"),
            func.max(case((C.disputed.is_(True), 1), else_=0)).label("disputed"),
            func.count(distinct(fc.fact_check)).label("fact_checks"),
            func.min(V.day).label("first_seen"),
            func.max(V.day).label("last_seen"),
        )
        .select_from(
            schema.claims.join(schema.versions, V.id == C.version_id)
            .join(schema.claim_clusters, schema.claim_clusters.c.id == C.cluster_id)
            .outerjoin(schema.fact_checks, fc.claim_id == C.id)
        )
        .where(_CURRENT)
        .group_by(C.cluster_id, schema.claim_clusters.c.text)
        .order_by(
            (best * (1.0 + func.ln(spread))).desc()
            if not is_sqlite(conn)
            else (best * (1.0 + _sqlite_ln(spread))).desc(),
            C.cluster_id,
        )
        .limit(top)
    )
    query = _period(query, None, since, until)
    rows = _rows(conn, query)
    for r in rows:
        r["disputed"] = bool(r["disputed"])
        r["checkworthiness"] = round(float(r["checkworthiness"]), 3)
    return rows


def _sqlite_ln(x: Any) -> Any:
    """ln(n) for small counts without SQLite's optional math functions: a step table of ln over 1..64."""
    import math

    whens = [(x <= n, math.log(n)) for n in range(1, 65)]
    return case(*whens, else_=math.log(64))


def claim(conn: Connection, cluster_id: int) -> list[Row]:
    """Every mention of one claim cluster: who, where, when, the exact words, disputes and fact-checks."""
    fc = schema.fact_checks.c
    query = (
        select(
            C.id,
            V.day,
            V.outlet,
            V.url,
            V.external_id.label("article"),
            C.start,
            C.end,
            C.text,
            C.checkworthiness,
            func.coalesce(S.name, C.claimant).label("speaker"),
            C.disputed,
            C.reasons,
        )
        .select_from(
            schema.claims.join(schema.versions, V.id == C.version_id).outerjoin(schema.speakers, S.id == C.speaker_id)
        )
        .where(C.cluster_id == cluster_id, _CURRENT)
        .order_by(V.day, V.id, C.start)
    )
    rows = _rows(conn, query)
    ids = [r["id"] for r in rows]
    checks: dict[int, list[Row]] = {}
    if ids:
        for check in conn.execute(
            select(fc.claim_id, fc.fact_check, fc.claim_reviewed, fc.rating, fc.publisher, fc.url).where(
                fc.claim_id.in_(ids)
            )
        ):
            checks.setdefault(check.claim_id, []).append({k: v for k, v in check._mapping.items() if k != "claim_id"})
    for r in rows:
        r["reasons"] = json.loads(r["reasons"])
        r["disputed"] = bool(r["disputed"])
        r["fact_checks"] = checks.get(r["id"], [])
    return rows


def techniques(
    conn: Connection, by: str = "outlet", *, since: str | None = None, until: str | None = None
) -> list[Row]:
    """Persuasion techniques counted per outlet, speaker or day: paragraph labels (and shown spans), and frames.

    By speaker, a technique counts when it labels the paragraph a speaker's quote lies in or a shown span inside it.
    """
    p, f = schema.paragraph_techniques.c, schema.frames.c
    if by == "speaker":
        key = S.name.label("speaker")
        query = (
            select(key, p.technique, func.count(distinct(Q.id)).label("count"))
            .select_from(
                schema.quotes.join(schema.versions, V.id == Q.version_id)
                .join(schema.speakers, S.id == Q.speaker_id)
                .join(
                    schema.paragraph_techniques, and_(p.version_id == Q.version_id, p.start <= Q.start, p.end >= Q.end)
                )
            )
            .where(_CURRENT)
            .group_by(S.name, p.technique)
        )
        return _rows(conn, _period(query, None, since, until).order_by(text("count DESC"), S.name, p.technique))
    if by not in ("outlet", "day"):
        raise StoreError(f"techniques --by {by!r}: expected outlet, speaker or day")
    col = V.outlet if by == "outlet" else V.day
    para = (
        select(
            col.label(by),
            literal_column("'technique'").label("kind"),
            p.technique.label("label"),
            func.count().label("count"),
        )
        .select_from(schema.paragraph_techniques.join(schema.versions, V.id == p.version_id))
        .where(_CURRENT)
        .group_by(col, p.technique)
    )
    frames = (
        select(
            col.label(by), literal_column("'frame'").label("kind"), f.frame.label("label"), func.count().label("count")
        )
        .select_from(schema.frames.join(schema.versions, V.id == f.version_id))
        .where(_CURRENT, f.confidence >= 0.5)
        .group_by(col, f.frame)
    )
    para, frames = _period(para, None, since, until), _period(frames, None, since, until)
    union = para.union_all(frames).subquery()
    return _rows(conn, select(union).order_by(union.c[by], union.c.kind.desc(), union.c["count"].desc(), union.c.label))


def errors(conn: Connection, limit: int = 100) -> list[Row]:
    e = schema.errors.c
    return _rows(conn, select(e.at, e.run_id.label("run"), e.source, e.message).order_by(e.id.desc()).limit(limit))


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(conn: Connection, table: str, id_col: Any, text_col: Any, search: str) -> Any:
    """Full-text match of ``search``'s words (all of them, stemmed): FTS5 on SQLite, tsvector on PostgreSQL."""
    words = re.findall(r"\w+", search)
    if not words:
        raise StoreError("--search needs at least one word")
    if is_sqlite(conn):
        fts = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        ids = text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :fts").bindparams(fts=fts)
        return id_col.in_(ids)
    # written as the expression index in store.engine is, so that PostgreSQL uses that index
    vector: Any = literal_column(f"to_tsvector('english', coalesce({table}.text, ''))")
    return vector.op("@@")(func.plainto_tsquery("english", " ".join(words)))


def export(conn: Connection, table: str) -> list[Row]:
    """A whole table of current analyses, flat, for pandas / polars / DuckDB."""
    base = select(V.external_id.label("article"), V.url, V.day, V.outlet)
    if table == "articles":
        query = select(
            V.external_id.label("article"),
            V.url,
            V.day,
            V.outlet,
            V.author,
            V.title,
            V.genre,
            V.digest,
            V.models,
            V.stored_at,
        ).where(_CURRENT)
    elif table == "quotes":
        query = (
            base.add_columns(Q.qid, Q.kind, Q.start, Q.end, Q.text, Q.cue, Q.speaker_text, Q.speaker_name, Q.speaker_id)
            .join(schema.quotes, Q.version_id == V.id)
            .where(_CURRENT)
        )
    elif table == "claims":
        query = (
            base.add_columns(
                C.cid, C.start, C.end, C.text, C.checkworthiness, C.claimant, C.speaker_id, C.disputed, C.cluster_id
            )
            .join(schema.claims, C.version_id == V.id)
            .where(_CURRENT)
        )
    elif table == "techniques":
        t = schema.techniques.c
        query = (
            base.add_columns(t.technique, t.start, t.end, t.text, t.confidence, t.uncertain, t.speaker_id)
            .join(schema.techniques, t.version_id == V.id)
            .where(_CURRENT)
        )
    elif table == "speakers":
        query = select(S.id, S.name, S.type, S.roles)
    else:
        raise StoreError(f"no table {table!r} to export")
    return _rows(conn, query)
