"""The summary tables (``store.schema``, "Summaries"): kept in step with the current versions by ``sync``.

The all-time corpus questions (stats, the most quoted speakers, the claims queue, techniques per day, outlet or
speaker) would aggregate millions of rows at 200,000 articles. The summaries hold those aggregates, kept
incrementally: ``sync`` finds the versions that became current since it last ran (or stopped being current) and
adds (or subtracts) their rows' counts. Counts are additive per version; the distinct counts and first / last days
are derived from per-speaker outlet and day counts; a claim cluster's row is recomputed from its claims.
``meta.summary_watermark`` records the newest version id that ``sync`` saw: queries use the summaries only while
it equals ``max(versions.id)``, so a store written without ``sync`` is still answered right (by counting rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Table, and_, bindparam, case, distinct, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite

from presslens.store import is_sqlite, schema

WATERMARK = "summary_watermark"
CHUNK = 500  # version ids an IN list
V, Q, C, P, F = (
    schema.versions.c,
    schema.quotes.c,
    schema.claims.c,
    schema.paragraph_techniques.c,
    schema.frames.c,
)


def enabled(conn: Connection) -> bool:
    """The store has the summary tables (a store created before them has not)."""
    return bool(conn.dialect.has_table(conn, "summary_versions"))


def fresh(conn: Connection) -> bool:
    """The summaries count exactly the current versions (as far as a reader can tell cheaply)."""
    mark = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == WATERMARK)).scalar()
    if mark is None:
        return False
    top = conn.execute(select(func.max(V.id))).scalar()
    return int(mark) == int(top or 0)


def sync(conn: Connection, article_ids: Iterable[int] = ()) -> None:
    """Bring the summaries up to date inside the write transaction ``conn``: the versions stored since the last
    call, and every version of ``article_ids`` (an article whose earlier version became current again)."""
    if not enabled(conn):
        return
    mark = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == WATERMARK)).scalar()
    seen = int(mark) if mark is not None else 0
    top = int(conn.execute(select(func.max(V.id))).scalar() or 0)
    articles = set(article_ids)
    if top > seen:
        articles |= {r[0] for r in conn.execute(select(V.article_id).distinct().where(V.id > seen))}
    sv = schema.summary_versions.c
    add: list[int] = []
    remove: list[int] = []
    ids = sorted(articles)
    for i in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(V.id, V.current, sv.version_id)
            .outerjoin(schema.summary_versions, sv.version_id == V.id)
            .where(V.article_id.in_(ids[i : i + CHUNK]))
        )
        for vid, current, counted in rows:
            if current and counted is None:
                add.append(vid)
            elif not current and counted is not None:
                remove.append(vid)
    for sign, vids in ((-1, remove), (1, add)):
        for i in range(0, len(vids), CHUNK):
            _apply(conn, vids[i : i + CHUNK], sign)
    if remove:
        for i in range(0, len(remove), CHUNK):
            conn.execute(schema.summary_versions.delete().where(sv.version_id.in_(remove[i : i + CHUNK])))
    if add:
        conn.execute(schema.summary_versions.insert(), [{"version_id": v} for v in add])
    if mark is None:
        conn.execute(schema.meta.insert().values(key=WATERMARK, value=str(top)))
    elif top != seen:
        conn.execute(schema.meta.update().where(schema.meta.c.key == WATERMARK).values(value=str(top)))


def rebuild(conn: Connection) -> None:
    """Recount every summary from the tables (a store written without ``sync``, or a repair)."""
    for table in _TABLES:
        conn.execute(table.delete())
    conn.execute(schema.meta.delete().where(schema.meta.c.key == WATERMARK))
    sync(conn)


def upgrade(conn: Connection) -> None:
    """A store of schema version 1 brought to version 2 (``store.engine.MIGRATIONS``): the summary tables, the
    covering indexes in place of the narrower ones of the same names, the summaries counted. What is already there
    is kept (a store written by a tool that knew the tables before its version said so is upgraded in seconds)."""
    schema.metadata.create_all(conn, checkfirst=True)  # the new tables, with their indexes
    for table in (schema.versions, schema.quotes, schema.claims):
        have = {ix["name"]: ix["column_names"] for ix in inspect(conn).get_indexes(table.name)}
        for index in table.indexes:
            wanted = [c.name for c in index.columns]
            if have.get(index.name) == wanted:
                continue
            if index.name in have:
                conn.exec_driver_sql(f"DROP INDEX {index.name}")
            index.create(conn)
    if not fresh(conn):
        rebuild(conn)


def upgrade_day_techniques(conn: Connection) -> None:
    """Version 3: per speaker, day and technique, counted for the versions the summaries hold (one statement);
    and the claims queue's scores of clusters in more than 64 articles, which version 2 capped at ln(64) on SQLite."""
    schema.speaker_day_techniques.create(conn, checkfirst=True)
    if not enabled(conn):
        return
    cs = schema.cluster_stats.c
    conn.execute(
        schema.cluster_stats.update()
        .where(cs.articles > 64)
        .values(score=cluster_score(conn, cs.checkworthiness, cs.articles))
    )
    conn.execute(schema.speaker_day_techniques.delete())
    sv = schema.summary_versions.c
    counted = select(sv.version_id)
    rows = _speaker_technique_query(and_(Q.version_id.in_(counted), Q.speaker_id.is_not(None)), by_day=True)
    conn.execute(schema.speaker_day_techniques.insert().from_select(["speaker_id", "technique", "day", "n"], rows))


_TABLES = (
    schema.summary_versions,
    schema.summary_counts,
    schema.summary_outlets,
    schema.quote_speaker_names,
    schema.speaker_stats,
    schema.speaker_outlets,
    schema.speaker_days,
    schema.speaker_techniques,
    schema.speaker_day_techniques,
    schema.technique_counts,
    schema.cluster_stats,
)


def _apply(conn: Connection, vids: list[int], sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) the rows of versions ``vids`` to the summaries; recompute their clusters."""
    quotes = Q.version_id.in_(vids)
    counts = {
        "quotes": conn.execute(select(func.count()).where(quotes)).scalar() or 0,
        "claims": conn.execute(select(func.count()).select_from(schema.claims).where(C.version_id.in_(vids))).scalar()
        or 0,
    }
    _add(conn, schema.summary_counts, [{"name": k, "n": v} for k, v in counts.items()], sign)
    outlets = select(V.outlet, func.count()).where(V.id.in_(vids), V.outlet.is_not(None)).group_by(V.outlet)
    _add(conn, schema.summary_outlets, [{"outlet": o, "n": n} for o, n in conn.execute(outlets)], sign)
    names = select(Q.speaker_name, func.count()).where(quotes, Q.speaker_name.is_not(None)).group_by(Q.speaker_name)
    _add(conn, schema.quote_speaker_names, [{"name": k, "n": n} for k, n in conn.execute(names)], sign)
    _speakers(conn, vids, sign)
    _techniques(conn, vids, sign)
    _clusters(conn, vids)


def _speakers(conn: Connection, vids: list[int], sign: int) -> None:
    joined = schema.quotes.join(schema.versions, V.id == Q.version_id)
    where = and_(Q.version_id.in_(vids), Q.speaker_id.is_not(None))
    stats = conn.execute(
        select(Q.speaker_id, func.count(), func.count(distinct(Q.version_id))).where(where).group_by(Q.speaker_id)
    ).all()
    if not stats:
        return
    rows = [{"speaker_id": s, "quotes": q, "articles": a, "outlets": 0} for s, q, a in stats]
    _add(conn, schema.speaker_stats, rows, sign, columns=("quotes", "articles"))
    for table, col in ((schema.speaker_outlets, V.outlet), (schema.speaker_days, V.day)):
        found = conn.execute(
            select(Q.speaker_id, col, func.count(distinct(V.id)))
            .select_from(joined)
            .where(where, col.is_not(None))
            .group_by(Q.speaker_id, col)
        )
        _add(conn, table, [{"speaker_id": s, col.name: k, "n": n} for s, k, n in found], sign)
    _add(conn, schema.speaker_techniques, _speaker_techniques(conn, where), sign)
    _add(conn, schema.speaker_day_techniques, _speaker_techniques(conn, where, by_day=True), sign)
    st, so, sd = schema.speaker_stats.c, schema.speaker_outlets.c, schema.speaker_days.c
    touched = [s for s, _, _ in stats]
    for i in range(0, len(touched), CHUNK):
        chunk = touched[i : i + CHUNK]
        conn.execute(
            schema.speaker_stats.update()
            .where(st.speaker_id.in_(chunk))
            .values(
                outlets=select(func.count()).where(so.speaker_id == st.speaker_id).scalar_subquery(),
                first_day=select(func.min(sd.day)).where(sd.speaker_id == st.speaker_id).scalar_subquery(),
                last_day=select(func.max(sd.day)).where(sd.speaker_id == st.speaker_id).scalar_subquery(),
            )
        )


def _speaker_technique_query(where: Any, *, by_day: bool = False) -> Any:
    """Quotes (``where``) per speaker, technique of the paragraph they lie in (and day of their version)."""
    paragraph = and_(P.version_id == Q.version_id, P.start <= Q.start, P.end >= Q.end)
    joined = schema.quotes.join(schema.paragraph_techniques, paragraph)
    keys: list[Any] = [Q.speaker_id, P.technique]
    if by_day:
        joined, keys = joined.join(schema.versions, V.id == Q.version_id), [*keys, V.day]
        where = and_(where, V.day.is_not(None))
    return select(*keys, func.count(distinct(Q.id))).select_from(joined).where(where).group_by(*keys)


def _speaker_techniques(conn: Connection, where: Any, *, by_day: bool = False) -> list[dict[str, Any]]:
    names = ("speaker_id", "technique", "day") if by_day else ("speaker_id", "technique")
    found = conn.execute(_speaker_technique_query(where, by_day=by_day))
    return [dict(zip(names, r[:-1], strict=True)) | {"n": r[-1]} for r in found]


def _techniques(conn: Connection, vids: list[int], sign: int) -> None:
    rows: list[dict[str, Any]] = []
    for dim, cols in (("day", (V.day,)), ("outlet", (V.outlet,)), ("outlet-day", (V.outlet, V.day))):
        dated = (V.day.is_not(None),) if dim == "outlet-day" else ()  # a period never holds an undated article
        para = (
            select(*cols, P.technique, func.count())
            .select_from(schema.paragraph_techniques.join(schema.versions, V.id == P.version_id))
            .where(P.version_id.in_(vids), *dated)
            .group_by(*cols, P.technique)
        )
        frames = (
            select(*cols, F.frame, func.count())
            .select_from(schema.frames.join(schema.versions, V.id == F.version_id))
            .where(F.version_id.in_(vids), F.confidence >= 0.5, *dated)
            .group_by(*cols, F.frame)
        )
        for kind, query in (("technique", para), ("frame", frames)):
            for key, *rest in conn.execute(query):
                day = rest.pop(0) if dim == "outlet-day" else ""
                label, n = rest
                rows.append(
                    {"dim": dim, "known": key is not None, "key": key or "", "day": day, "kind": kind}
                    | {"label": label, "n": n}
                )
    _add(conn, schema.technique_counts, rows, sign)


def cluster_score(conn: Connection, best: Any, spread: Any) -> Any:
    """The claims queue's order, as SQL: check-worthiness × (1 + ln(articles)) (the same expression everywhere,
    so that a stored score and a computed one are the same number; SQLite without ``ln`` gets it from Python)."""
    return best * (1.0 + func.ln(spread))


def cluster_columns(conn: Connection) -> list[Any]:
    """What the claims queue shows of a cluster, aggregated over its claims joined with their versions."""
    fc = schema.fact_checks.c
    best, spread = func.max(C.checkworthiness), func.count(distinct(V.article_id))
    return [
        best.label("checkworthiness"),
        spread.label("articles"),
        func.count(distinct(V.outlet)).label("outlets"),
        func.count(distinct(C.speaker_id)).label("speakers"),
        func.max(case((C.disputed.is_(True), 1), else_=0)).label("disputed"),
        func.count(distinct(fc.fact_check)).label("fact_checks"),
        func.min(V.day).label("first_seen"),
        func.max(V.day).label("last_seen"),
        cluster_score(conn, best, spread).label("score"),
    ]


def _clusters(conn: Connection, vids: list[int]) -> None:
    """Recompute the rows of the clusters that claims of ``vids`` belong to (from the current versions)."""
    touched = sorted(
        {
            r[0]
            for r in conn.execute(
                select(C.cluster_id).distinct().where(C.version_id.in_(vids), C.cluster_id.is_not(None))
            )
        }
    )
    cs = schema.cluster_stats.c
    fc = schema.fact_checks.c
    delta = 0
    for i in range(0, len(touched), 1000):
        chunk = touched[i : i + 1000]
        delta -= conn.execute(select(func.count()).where(cs.cluster_id.in_(chunk))).scalar() or 0
        conn.execute(schema.cluster_stats.delete().where(cs.cluster_id.in_(chunk)))
        recount = (
            select(C.cluster_id, *cluster_columns(conn))
            .select_from(
                schema.claims.join(schema.versions, V.id == C.version_id).outerjoin(
                    schema.fact_checks, fc.claim_id == C.id
                )
            )
            .where(C.cluster_id.in_(chunk), _current_row(conn))
            .group_by(C.cluster_id)
        )
        names = ["cluster_id", *(c.name for c in recount.selected_columns[1:])]
        conn.execute(schema.cluster_stats.insert().from_select(names, recount))
        delta += conn.execute(select(func.count()).where(cs.cluster_id.in_(chunk))).scalar() or 0
    if delta:
        _add(conn, schema.summary_counts, [{"name": "claim_clusters", "n": delta}], 1)


def _current_row(conn: Connection) -> Any:
    """``versions.current`` tested row by row, never as an index range: in a SQLite store without ANALYZE
    statistics the planner guesses that an indexed equality picks a few rows and would drive the join from every
    current version (seconds) instead of from the clusters' claims (milliseconds)."""
    return text("+versions.current IS 1") if is_sqlite(conn) else V.current.is_(True)


def _add(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], sign: int, columns: Sequence[str] = ("n",)
) -> None:
    """Add ``sign`` × the rows' ``columns`` to ``table`` (keyed by its primary key); rows that reach 0 go."""
    if not rows:
        return
    if sign < 0:
        rows = [{**r, **{c: -r[c] for c in columns}} for r in rows]
    insert: Any = (sqlite.insert if is_sqlite(conn) else postgresql.insert)(table)
    keys = [c.name for c in table.primary_key.columns]
    stmt: Insert = insert.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + insert.excluded[c] for c in columns}
    )
    conn.execute(stmt, list(rows))
    if sign < 0:
        gone = and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys), table.c[columns[0]] <= 0)
        conn.execute(table.delete().where(gone), [{f"key_{k}": r[k] for k in keys} for r in rows])
