"""The questions asked across a corpus, answered from the store: each returns rows (dicts) in display order.

Only the current version of each article counts. Every query is parameterised SQL built with SQLAlchemy Core;
full-text search uses SQLite's FTS5 or PostgreSQL's tsvector, whichever the store is.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, case, distinct, func, intersect, literal_column, or_, select, text

from presslens.store import StoreError, is_sqlite, planned_rows, schema, summary

Row = dict[str, Any]
V, Q, C, S = schema.versions.c, schema.quotes.c, schema.claims.c, schema.speakers.c
_CURRENT = V.current.is_(True)


def _rows(conn: Connection, query: Any) -> list[Row]:
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]  # twice as fast as dict(r._mapping)


def stats(conn: Connection) -> list[Row]:
    def one(q: Any) -> Any:
        return conn.execute(q).scalar()

    out: dict[str, Any] = {
        "articles": one(select(func.count()).select_from(schema.articles)),
        "versions": one(select(func.count()).select_from(schema.versions)),
        "outlets": None,
        "first_day": one(select(func.min(V.day)).where(_CURRENT)),
        "last_day": one(select(func.max(V.day)).where(_CURRENT)),
    }
    if summary.fresh(conn):
        sc = schema.summary_counts.c
        counts = {k: int(n) for k, n in conn.execute(select(sc.name, sc.n))}
        out["outlets"] = one(select(func.count()).select_from(schema.summary_outlets))
        out["quotes"] = counts.get("quotes", 0)
        out["speakers"] = one(select(func.count()).select_from(schema.speaker_stats))
        out["claims"] = counts.get("claims", 0)
        out["claim_clusters"] = counts.get("claim_clusters", 0)
    else:
        current = select(V.id).where(_CURRENT)
        out["outlets"] = one(select(func.count(distinct(V.outlet))).where(_CURRENT))
        out["quotes"] = one(select(func.count()).select_from(schema.quotes).where(Q.version_id.in_(current)))
        out["speakers"] = one(select(func.count(distinct(Q.speaker_id))).where(Q.version_id.in_(current)))
        out["claims"] = one(select(func.count()).select_from(schema.claims).where(C.version_id.in_(current)))
        out["claim_clusters"] = one(select(func.count(distinct(C.cluster_id))).where(C.version_id.in_(current)))
    out["errors"] = one(select(func.count()).select_from(schema.errors))
    out["runs"] = one(select(func.count()).select_from(schema.runs))
    return [{"what": k, "count": v} for k, v in out.items()]


def speakers(conn: Connection, top: int = 20, *, since: str | None = None, until: str | None = None) -> list[Row]:
    """The most quoted speakers, all time (from the summaries when fresh) or of a period."""
    if summary.fresh(conn) and not (since or until):
        st = schema.speaker_stats.c
        return _rows(
            conn,
            select(S.id, S.name, S.type, st.quotes, st.articles, st.outlets, st.first_day, st.last_day)
            .join(schema.speaker_stats, st.speaker_id == S.id)
            .order_by(st.quotes.desc(), S.name)
            .limit(top),
        )
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
    return _rows(conn, _period(query, None, since, until))


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


def speaker(conn: Connection, speaker_id: int, limit: int | None = None) -> list[Row]:
    """Every quote of one speaker in current articles (``limit``: the newest ones), newest first, with its claims'
    clusters and techniques."""
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
        .where(_newest_first(conn, speaker_id, limit), _CURRENT)
        .order_by(V.day.desc(), V.id, Q.start)
        .limit(limit)
    )
    rows = _rows(conn, query)
    claims: dict[int, list[int]] = {}
    techniques: dict[int, list[str]] = {}
    t, p = schema.techniques.c, schema.paragraph_techniques.c
    spans = select(Q.id, t.technique).join(
        schema.techniques,
        and_(t.version_id == Q.version_id, t.start >= Q.start, t.end <= Q.end, t.uncertain.is_(False)),
    )
    paras = select(Q.id, p.technique).join(
        schema.paragraph_techniques, and_(p.version_id == Q.version_id, p.start <= Q.start, p.end >= Q.end)
    )
    for ids in _chunks([r["id"] for r in rows]):
        for qid, cluster in conn.execute(select(C.quote_id, C.cluster_id).where(C.quote_id.in_(ids))):
            claims.setdefault(qid, []).append(cluster)
        for qid, technique in conn.execute(spans.where(Q.id.in_(ids)).union(paras.where(Q.id.in_(ids)))):
            techniques.setdefault(qid, []).append(technique)
    for r in rows:
        r["claims"] = sorted(set(claims.get(r["id"], [])))
        r["techniques"] = sorted(set(techniques.get(r["id"], [])))
    return rows


_SCAN = 50_000  # quotes that a newest-first scan may read to fill a page


def _newest_first(conn: Connection, speaker_id: int, limit: int | None) -> Any:
    """The speaker's quotes, as a condition that makes the plan read the newest versions first when the speaker
    is frequent enough to fill ``limit`` rows within about _SCAN quotes (else: the speaker's quotes, then sorted)."""
    if limit is not None:
        n = conn.execute(select(func.count()).where(Q.speaker_id == speaker_id)).scalar() or 0
        total = conn.execute(select(func.max(Q.id))).scalar() or 0
        if n and limit * total / n < _SCAN:
            return (Q.speaker_id + 0) == speaker_id  # + 0: tested row by row, not an index lookup
    return Q.speaker_id == speaker_id


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
    text_match = _matches(conn, "quotes", Q.id, Q.text, search) if search else None
    by = _speaker_match(conn, speaker) if speaker else None
    # SQLite cannot tell how many rows each filter keeps: the filter with the fewest rows (counted) drives the
    # plan when that beats reading the newest quotes first until the page is full, testing every filter on each;
    # PostgreSQL is asked for its own estimate (_gather_first).
    found = [m for m in (by, text_match) if m is not None]  # the speaker's cheap test before the search's
    newest: Any = V.day.desc()
    if is_sqlite(conn) and by and text_match and min(by.n, text_match.n) > _RARE and text_match.n <= _COMMON:
        # both filters keep tens of thousands of quotes: their id lists intersected (index and FTS only) beat
        # looking up either's quotes one by one to test the other (at 200,000 articles: 50 ms against 120)
        spoken = schema.quotes.outerjoin(schema.speakers, S.id == Q.speaker_id)  # the drive may test the name
        said = select(Q.id).select_from(spoken).where(by.drive).correlate(None)
        query = query.where(Q.id.in_(intersect(said, text_match.ids)))
    elif is_sqlite(conn):
        lead = _lead(conn, found, limit)
        query = query.where(*(m.drive if m is lead else m.test for m in found))
    else:
        query = query.where(*(m.drive for m in found))  # indexable: PostgreSQL may combine their bitmaps
        if found and _gather_first(conn, found, text_match):
            newest = V.day.op("||")("").desc()  # the same order, not the index's: every hit gathered, then sorted
    query = _period(query, outlet, since, until)
    return _rows(conn, query.order_by(newest, V.id, Q.start).limit(limit))


def _gather_first(conn: Connection, found: list[_Match], text_match: _Match | None) -> bool:
    """PostgreSQL: gather every quote the filters keep (their indexes combined) and sort them, rather than read the
    newest quotes first? Its planner reads newest first whenever its estimate says the page fills soon, also for a
    word rare among recent quotes (at 200,000 articles: a rare word 350 ms that way, 12 ms gathered; a word with a
    speaker 210 ms against 45). Gathered when the filters together keep few quotes (its own estimate) and no word
    is so common that its index alone would be slow to read."""
    if text_match is not None and _estimate(conn, [text_match.drive]) > _GATHER_WORD:
        return False
    return _estimate(conn, [m.drive for m in found]) <= _GATHER


def _estimate(conn: Connection, conditions: list[Any]) -> float:
    """PostgreSQL's estimate of the quotes that pass ``conditions``."""
    spoken = schema.quotes.outerjoin(schema.speakers, S.id == Q.speaker_id)
    return planned_rows(conn, select(literal_column("1")).select_from(spoken).where(*conditions))


class _Match(NamedTuple):
    """A filter as a condition that drives the plan (an index lookup) and as one tested row by row."""

    drive: Any
    test: Any
    n: int  # the rows it keeps (a word's matches: at least, when more than _COMMON)
    ids: Any = None  # a word's matches: the SELECT of their ids (SQLite)


def _lead(conn: Connection, found: list[_Match], limit: int) -> _Match | None:
    """The filter that should drive the plan, or None: read the newest quotes first, test each filter on each.
    Reading newest first takes about ``limit`` / (the share of quotes that pass every filter) quotes."""
    if not found:
        return None
    rarest = min(found, key=lambda m: m.n)
    if rarest.n <= _RARE:
        return rarest
    total = conn.execute(select(func.max(Q.id))).scalar() or 1
    share = math.prod(min(1.0, m.n / total) for m in found)
    return rarest if limit > share * rarest.n else None


def _speaker_match(conn: Connection, speaker: str) -> _Match:
    """``--speaker``: the speaker's name or the quote's resolved speaker name contains it (case-insensitive).

    With the summaries in step, the names that contain it are found in the speakers and in the distinct quoted
    names (thousands of rows, not millions of quotes), so that the quotes are looked up by speaker id and name."""
    like = f"%{_escape_like(speaker.lower())}%"
    named = func.lower(S.name).like(like, escape="\\")
    as_written = func.lower(Q.speaker_name).like(like, escape="\\")
    if not summary.fresh(conn):
        condition = or_(named, as_written)
        return _Match(condition, condition, _COMMON)
    qn, st = schema.quote_speaker_names.c, schema.speaker_stats.c
    found = conn.execute(
        select(S.id, func.coalesce(st.quotes, 0)).outerjoin(schema.speaker_stats, st.speaker_id == S.id).where(named)
    ).all()
    spelt = conn.execute(select(qn.name, qn.n).where(func.lower(qn.name).like(like, escape="\\"))).all()
    n = sum(k for _, k in found) + sum(k for _, k in spelt)
    ids: Any = [i for i, _ in found]
    names: Any = [name for name, _ in spelt]
    if len(ids) + len(names) > 900:  # subqueries rather than more values than an old SQLite binds
        ids = select(S.id).where(named).correlate(None)  # not the speaker row of the enclosing query
        names = select(qn.name).where(func.lower(qn.name).like(like, escape="\\")).correlate(None)
        test = or_(named, as_written)
    else:  # tested on the quote itself, before a full-text probe (the speaker's row is joined later)
        test = or_((Q.speaker_id + 0).in_(ids), (Q.speaker_name + "").in_(names))  # + 0, + "": not lookups
    return _Match(or_(Q.speaker_id.in_(ids), Q.speaker_name.in_(names)), test, n)


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
    cc = schema.claim_clusters.c
    ranked: Any
    if since is None and until is None and summary.fresh(conn):
        cs = schema.cluster_stats.c
        ranked = select(schema.cluster_stats).order_by(cs.score.desc(), cs.cluster_id).limit(top).subquery()
    else:
        versions = _period(select(V.id).where(_CURRENT), None, since, until)
        claims_in = schema.claims.join(schema.versions, V.id == C.version_id)
        in_period = and_(C.version_id.in_(versions), C.cluster_id.is_not(None))  # the period's versions drive
        # first the ranking alone (check-worthiness and spread: one row per cluster and article, no distinct
        # counts), then every column for the top clusters only
        per_article = (
            select(C.cluster_id, func.max(C.checkworthiness).label("best"))
            .select_from(claims_in)
            .where(in_period)
            .group_by(C.cluster_id, V.article_id)
            .subquery()
        )
        order = summary.cluster_score(conn, func.max(per_article.c.best), func.count())
        top_ids = [
            r[0]
            for r in conn.execute(
                select(per_article.c.cluster_id)
                .group_by(per_article.c.cluster_id)
                .order_by(order.desc(), per_article.c.cluster_id)
                .limit(top)
            )
        ]
        if is_sqlite(conn):  # + 0: the period's versions drive, not a big cluster's claims
            details: tuple[Any, ...] = (in_period, (C.cluster_id + 0).in_(top_ids))
        else:  # the period's versions tested on the joined row (as a subquery PostgreSQL hashed every current one)
            details = (_CURRENT, *_days(V.day, since, until), C.cluster_id.in_(top_ids))
        *columns, score = summary.cluster_columns(conn)
        ranked = (
            select(C.cluster_id, *columns, score)
            .select_from(claims_in.outerjoin(schema.fact_checks, schema.fact_checks.c.claim_id == C.id))
            .where(*details)
            .group_by(C.cluster_id)
            .subquery()
        )
    names = ("checkworthiness", "articles", "outlets", "speakers", "disputed", "fact_checks", "first_seen")
    query = (  # the texts of the top clusters only
        select(ranked.c.cluster_id.label("cluster"), cc.text, *(ranked.c[k] for k in names), ranked.c.last_seen)
        .join(schema.claim_clusters, cc.id == ranked.c.cluster_id)
        .order_by(ranked.c.score.desc(), ranked.c.cluster_id)
    )
    rows = _rows(conn, query)
    for r in rows:
        r["disputed"] = bool(r["disputed"])
        r["checkworthiness"] = round(float(r["checkworthiness"]), 3)
    return rows


def claim(conn: Connection, cluster_id: int, limit: int | None = None, ids: list[int] | None = None) -> list[Row]:
    """Every mention of one claim cluster (``limit``: the earliest ones; ``ids``: these claims of it), earliest
    first: who, where, when, the exact words, disputes and fact-checks."""
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
        .limit(limit)
    )
    if ids is not None:
        query = query.where(C.id.in_(ids))
    rows = _rows(conn, query)
    checks: dict[int, list[Row]] = {}
    for ids in _chunks([r["id"] for r in rows]):
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
    conn: Connection,
    by: str = "outlet",
    *,
    since: str | None = None,
    until: str | None = None,
    top: int | None = None,
) -> list[Row]:
    """Persuasion techniques counted per outlet, speaker or day: paragraph labels (and shown spans), and frames.

    By speaker, a technique counts when it labels the paragraph a speaker's quote lies in or a shown span inside it;
    ``top``: only the ``top`` most quoted speakers (of all time, also for a period).
    """
    p, f = schema.paragraph_techniques.c, schema.frames.c
    if by not in ("outlet", "day", "speaker"):
        raise StoreError(f"techniques --by {by!r}: expected outlet, speaker or day")
    chosen = [r["id"] for r in speakers(conn, top)] if by == "speaker" and top else None  # all-time: a cheap ranking
    if summary.fresh(conn):
        return _technique_counts(conn, by, since, until, chosen)
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
            .where(
                _CURRENT, *([(Q.speaker_id + 0).in_(chosen)] if chosen is not None else [])
            )  # + 0: the period drives
            .group_by(S.name, p.technique)
        )
        return _rows(conn, _period(query, None, since, until).order_by(text("count DESC"), S.name, p.technique))
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


def _technique_counts(
    conn: Connection, by: str, since: str | None, until: str | None, chosen: list[int] | None = None
) -> list[Row]:
    """Techniques from the summaries: the same rows, in the same order, as counting them (by speaker: of the
    ``chosen`` speakers when given)."""
    if by == "speaker":
        period = since or until
        st: Any = (schema.speaker_day_techniques if period else schema.speaker_techniques).c
        total = func.sum(st.n)
        query = (
            select(S.name.label("speaker"), st.technique, total.label("count"))
            .join(schema.speakers, S.id == st.speaker_id)
            .where(
                *([S.id.in_(chosen)] if chosen is not None else []), *(_days(st.day, since, until) if period else [])
            )
            .group_by(S.name, st.technique)
            .order_by(total.desc(), S.name, st.technique)
        )
        return [{**r, "count": int(r["count"])} for r in _rows(conn, query)]
    tc = schema.technique_counts.c
    key = case((tc.known.is_(True), tc.key), else_=None)
    if not (since or until):
        query = select(key.label(by), tc.kind, tc.label, tc.n.label("count")).where(tc.dim == by)
        return _rows(conn, query.order_by(key, tc.kind.desc(), tc.n.desc(), tc.label))
    if by == "day":  # the days of the period
        query = select(tc.key.label("day"), tc.kind, tc.label, tc.n.label("count")).where(
            tc.dim == "day", tc.known.is_(True), *_days(tc.key, since, until)
        )
        return _rows(conn, query.order_by(tc.key, tc.kind.desc(), tc.n.desc(), tc.label))
    total = func.sum(tc.n)
    query = (  # per outlet: its days in the period added up
        select(key.label("outlet"), tc.kind, tc.label, total.label("count"))
        .where(tc.dim == "outlet-day", *_days(tc.day, since, until))
        .group_by(tc.known, tc.key, tc.kind, tc.label)
        .order_by(key, tc.kind.desc(), total.desc(), tc.label)
    )
    return [{**r, "count": int(r["count"])} for r in _rows(conn, query)]


def _days(col: Any, since: str | None, until: str | None) -> list[Any]:
    return [c for c in (col >= since if since else None, col <= until if until else None) if c is not None]


def errors(conn: Connection, limit: int = 100) -> list[Row]:
    e = schema.errors.c
    return _rows(conn, select(e.at, e.run_id.label("run"), e.source, e.message).order_by(e.id.desc()).limit(limit))


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    """Ids in slices small enough to bind (SQLite before 3.32 takes at most 999 values a statement)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# FTS5 matches of a search, by how many they are (counted up to _COMMON, which takes milliseconds):
_RARE = 20_000  # up to this many, the matching quotes drive the query (each looked up by id)
_COMMON = 90_000  # beyond, the newest quotes are tested one by one (a doclist seek each) until the page is full;
# in between, the matches are gathered into a set that the newest quotes are tested against
_GATHER = 10_000  # PostgreSQL: quotes (estimated) up to which a search gathers its hits rather than read newest first
_GATHER_WORD = 100_000  # ... unless a word alone is in more (its GIN bitmap alone takes ~100 ms to build)


def _matches(conn: Connection, table: str, id_col: Any, text_col: Any, search: str) -> _Match:
    """Full-text match of ``search``'s words (all of them, stemmed): FTS5 on SQLite, tsvector on PostgreSQL.

    On SQLite the best plan depends on how many rows match (the planner cannot know): a rare word's few matches
    are looked up; a common word is found among the newest quotes long before its matches could be gathered."""
    words = re.findall(r"\w+", search)
    if not words:
        raise StoreError("--search needs at least one word")
    if is_sqlite(conn):
        fts = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        found = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :fts"
        n = conn.execute(text(f"SELECT count(*) FROM ({found} LIMIT {_COMMON + 1})"), {"fts": fts}).scalar() or 0
        match = text(f"{table}_fts MATCH :fts").bindparams(fts=fts)
        ids: Any = select(literal_column("rowid")).select_from(text(f"{table}_fts")).where(match)
        if n > _COMMON:
            test = text(f"EXISTS ({found} AND rowid = {table}.id)").bindparams(fts=fts)
        else:
            test = (id_col + 0).in_(ids)  # + 0: a set to test against, not an index lookup
        return _Match(id_col.in_(ids), test, n, ids)
    # the stored tsvector column (store.engine) and its GIN index
    condition = literal_column(f"{table}.tsv").op("@@")(func.plainto_tsquery("english", " ".join(words)))
    return _Match(condition, condition, 0)  # not counted: PostgreSQL's planner knows


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
