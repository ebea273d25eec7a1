"""What each page shows, as plain data (the JSON under /api/ and the templates' context are the same dicts).

The corpus questions of :mod:`presslens.corpus.queries` are reused; what the pages need beyond them (articles per
day, a speaker's claims, an article's links) is asked here, parameterised SQL through SQLAlchemy Core.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import Connection, and_, distinct, func, select, true

from presslens.corpus import queries
from presslens.model import Analysis
from presslens.store import is_sqlite, schema, summary

Row = dict[str, Any]
V, Q, C, S = schema.versions.c, schema.quotes.c, schema.claims.c, schema.speakers.c
FC, P, F = schema.fact_checks.c, schema.paragraph_techniques.c, schema.frames.c
CURRENT = V.current.is_(True)
NO_OUTLET = "(no outlet)"
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them"}  # not names (as written in a quote)
PAGE_QUOTES = 200  # a speaker page lists at most this many quotes (the API takes ?limit=)
PAGE_MENTIONS = 200  # a claim cluster's page lists this many mentions a page (the biggest has thousands)


class NotFound(LookupError):
    pass


def _rows(conn: Connection, query: Any) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(query)]


def period(query: Any, since: str | None, until: str | None) -> Any:
    if since:
        query = query.where(V.day >= since)
    if until:
        query = query.where(V.day <= until)
    return query


class Memo:
    """Answers that many visitors share (the dashboard, a speaker or claim in the news), kept while the store has
    the same newest version and for at most ``ttl`` seconds (an article changed back to an older version adds
    none): 20 people opening the dashboard cost one count of 200,000 articles, not 20. The oldest go first."""

    def __init__(self, ttl: float = 30.0, size: int = 256) -> None:
        self.ttl, self.size = ttl, size
        self._kept: dict[Any, tuple[Any, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, conn: Connection, key: Any, compute: Any) -> Any:
        mark = conn.execute(select(func.max(V.id))).scalar()
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] == mark and now - kept[1] < self.ttl:
            return kept[2]
        value = compute(conn)
        with self._lock:
            if len(self._kept) >= self.size:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = (mark, now, value)
        return value


# -- dashboard -------------------------------------------------------------------------------------------
def dashboard(conn: Connection, since: str | None = None, until: str | None = None, top: int = 10) -> Row:
    counts = {r["what"]: r["count"] for r in queries.stats(conn)}
    per_day = _rows(
        conn,
        period(select(V.day, func.count().label("articles")).where(CURRENT, V.day.is_not(None)), since, until)
        .group_by(V.day)
        .order_by(V.day),
    )
    speakers = queries.speakers(conn, top=top, since=since, until=until)
    claims = queries.claims(conn, since=since, until=until, top=top)
    return {
        "period": {"since": since, "until": until},
        "counts": counts,
        "articles_per_day": per_day,
        "top_speakers": speakers,
        "top_claims": claims,
        "prevalence": prevalence(conn, since, until),
    }


def prevalence(conn: Connection, since: str | None, until: str | None) -> Row:
    """Techniques (labelled paragraphs per article) and frames (share of articles) by outlet: a heatmap's rows."""
    if since or until or not summary.fresh(conn):
        articles = dict(
            conn.execute(period(select(V.outlet, func.count()).where(CURRENT), since, until).group_by(V.outlet)).all()
        )
    else:  # all time: the summary's counts (the undated and the outlet-less included)
        articles = _outlet_counts(conn)
        unknown = (conn.execute(select(func.count()).select_from(schema.summary_versions)).scalar() or 0) - sum(
            articles.values()
        )
        if unknown:
            articles[None] = unknown
    counts = queries.techniques(conn, "outlet", since=since, until=until)
    outlets = sorted({r["outlet"] for r in counts} | set(articles), key=lambda o: (o is None, str(o or "")))
    out: Row = {"outlets": [o or NO_OUTLET for o in outlets], "articles": [articles.get(o, 0) for o in outlets]}
    for kind in ("technique", "frame"):
        labels = sorted({r["label"] for r in counts if r["kind"] == kind})
        cells = {(r["outlet"], r["label"]): r["count"] for r in counts if r["kind"] == kind}
        out[kind + "s"] = {
            "labels": labels,
            "values": [
                [round(cells.get((o, lab), 0) / max(articles.get(o, 0), 1), 3) for lab in labels] for o in outlets
            ],
        }
    return out


# -- speaker -----------------------------------------------------------------------------------------------
def speaker(conn: Connection, speaker_id: int, limit: int = PAGE_QUOTES) -> Row:
    who = conn.execute(select(S.id, S.name, S.type, S.roles).where(S.id == speaker_id)).first()
    if who is None:
        raise NotFound(f"no speaker {speaker_id}")
    n = schema.speaker_names.c
    names = sorted(x for x in conn.execute(select(n.name).where(n.speaker_id == speaker_id)).scalars())
    names = [x for x in names if x.lower() not in _PRONOUNS and not x.lower().startswith(("the ", "a ", "an "))]
    quotes = queries.speaker(conn, speaker_id, limit=limit)  # the newest
    _add_versions(conn, quotes, Q.id, Q.version_id)
    counts = _speaker_counts(conn, speaker_id)
    fact_checks = select(func.count()).where(FC.claim_id == C.id).scalar_subquery()
    # a speaker with more quotes than listed: the claims in the quotes listed (ranking all of a speaker's tens of
    # thousands of claims takes a second); else all the claims attributed to them, in a quote or not
    newest = quotes[:900] if counts["quote_count"] > len(quotes) else None  # 900: values one statement binds
    theirs = C.quote_id.in_([q["id"] for q in newest]) if newest is not None else C.speaker_id == speaker_id
    claims = _rows(
        conn,
        select(
            C.id,
            C.cluster_id.label("cluster"),
            C.text,
            C.checkworthiness,
            C.disputed,
            C.start,
            C.end,
            V.id.label("version"),
            V.day,
            V.outlet,
            fact_checks.label("fact_checks"),
        )
        .join(schema.versions, V.id == C.version_id)
        .where(theirs, CURRENT)
        .order_by(C.checkworthiness.desc(), C.id)
        .limit(limit),
    )
    for c in claims:
        c["disputed"] = bool(c["disputed"])
        c["checkworthiness"] = round(float(c["checkworthiness"]), 3)
    return {
        "speaker": {**dict(who._mapping), "names": names},
        **counts,
        "quotes": quotes,
        "claims": claims,
        "claims_in_newest": None if newest is None else len(newest),  # None: all their claims
    }


def _speaker_counts(conn: Connection, speaker_id: int) -> Row:
    """A speaker's quotes, the articles quoting them per day and per outlet, and their quotes per technique (of
    the paragraph they lie in): from the summary tables when in step with the store (a speaker quoted tens of
    thousands of times is counted in milliseconds), else counted the same way from the rows."""
    if summary.fresh(conn):
        st, sd, so, sk = (
            t.c for t in (schema.speaker_stats, schema.speaker_days, schema.speaker_outlets, schema.speaker_techniques)
        )
        n = conn.execute(select(st.quotes).where(st.speaker_id == speaker_id)).scalar() or 0
        days = conn.execute(select(sd.day, sd.n).where(sd.speaker_id == speaker_id)).all()
        outlets = conn.execute(select(so.outlet, so.n).where(so.speaker_id == speaker_id)).all()
        techniques = conn.execute(select(sk.technique, sk.n).where(sk.speaker_id == speaker_id)).all()
    else:
        theirs = and_(Q.speaker_id == speaker_id, CURRENT)
        joined = schema.quotes.join(schema.versions, V.id == Q.version_id)
        n = conn.execute(select(func.count()).select_from(joined).where(theirs)).scalar() or 0
        days, outlets = (
            conn.execute(
                select(col, func.count(distinct(V.id)))
                .select_from(joined)
                .where(theirs, col.is_not(None))
                .group_by(col)
            ).all()
            for col in (V.day, V.outlet)
        )
        paragraph = and_(P.version_id == Q.version_id, P.start <= Q.start, P.end >= Q.end)
        techniques = conn.execute(
            select(P.technique, func.count(distinct(Q.id)))
            .select_from(joined.join(schema.paragraph_techniques, paragraph))
            .where(theirs)
            .group_by(P.technique)
        ).all()
    return {
        "quote_count": int(n),
        "timeline": [{"day": d, "articles": int(k)} for d, k in sorted(days)],
        "outlets": [{"outlet": o, "articles": int(k)} for o, k in sorted(outlets, key=lambda x: (-x[1], x[0]))],
        "techniques": [{"technique": t, "quotes": int(k)} for t, k in sorted(techniques, key=lambda x: (-x[1], x[0]))],
    }


def _add_versions(conn: Connection, rows: list[Row], id_col: Any, version_col: Any) -> None:
    """Each row's ``version`` (the stored version its ``id`` belongs to): the article page it links to."""
    ids = [r["id"] for r in rows]
    found: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        found.update(dict(conn.execute(select(id_col, version_col).where(id_col.in_(ids[i : i + 500]))).all()))
    for r in rows:
        r["version"] = found.get(r["id"])


# -- claim cluster -----------------------------------------------------------------------------------------
def claim(conn: Connection, cluster_id: int, page: int = 1, per_page: int = PAGE_MENTIONS) -> Row:
    """A claim cluster: its mentions counted per day and outlet, and one page of them, earliest first (the
    biggest clusters have thousands: a page of all of them would take seconds to build and megabytes to send)."""
    cc = schema.claim_clusters.c
    cluster = conn.execute(select(cc.id, cc.text).where(cc.id == cluster_id)).first()
    if cluster is None:
        raise NotFound(f"no claim cluster {cluster_id}")
    # the cluster's current claims with their articles' day and outlet, counted and paged here: PostgreSQL joined
    # them by hashing all 200,000 current versions and then sorted every mention again for the page (12,384 for
    # the biggest cluster: 200 ms); a lateral lookup (OFFSET 0: not flattened into that join) reads each by id
    if is_sqlite(conn):  # SQLite looks each version up by id anyway
        said = select(C.id, C.version_id, C.start, V.day, V.outlet).join(schema.versions, V.id == C.version_id)
        said = said.where(C.cluster_id == cluster_id, CURRENT)
    else:
        version = select(V.day, V.outlet).where(V.id == C.version_id, CURRENT).offset(0).lateral()
        said = select(C.id, C.version_id, C.start, version.c.day, version.c.outlet).join(version, true())
        said = said.where(C.cluster_id == cluster_id)
    rows = conn.execute(said).all()  # (claim, version, start, day, outlet)
    current = sorted((r[3] or "", r[1], r[2], r[0]) for r in rows)  # earliest first, undated first
    total = len(current)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    shown = [cid for *_, cid in current[(page - 1) * per_page : page * per_page]]
    order = {cid: i for i, cid in enumerate(shown)}
    mentions = sorted(queries.claim(conn, cluster_id, ids=shown) if shown else [], key=lambda m: order[m["id"]])
    extra = {
        r.id: r
        for r in conn.execute(
            select(C.id, C.version_id, C.cid, C.speaker_id).where(C.id.in_([m["id"] for m in mentions]))
        )
    }
    for m in mentions:
        e = extra.get(m["id"])
        m["version"], m["speaker_id"] = (e.version_id, e.speaker_id) if e else (None, None)
        m["checkworthiness"] = round(float(m["checkworthiness"]), 3)
    days = Counter(r[3] for r in rows if r[3])
    return {
        "cluster": dict(cluster._mapping),
        "mention_count": total,
        "articles": len({r[1] for r in rows}),
        "outlets": sorted({r[4] or NO_OUTLET for r in rows}),
        "disputes": _disputes(conn, mentions, extra),
        "fact_checks": _fact_checks(conn, cluster_id),
        "timeline": [{"day": d, "mentions": k} for d, k in sorted(days.items())],
        "page": page,
        "pages": pages,
        "per_page": per_page,
        "mentions": mentions,
    }


def _fact_checks(conn: Connection, cluster_id: int) -> list[Row]:
    """The fact-checks matched to any current mention of the cluster, each once."""
    if summary.fresh(conn):  # most clusters have none: no join over the thousands of mentions of a big one
        cs = schema.cluster_stats.c
        if not conn.execute(select(cs.fact_checks).where(cs.cluster_id == cluster_id)).scalar():
            return []
    query = (
        select(FC.fact_check, FC.claim_reviewed, FC.rating, FC.publisher, FC.url)
        .select_from(
            schema.fact_checks.join(schema.claims, C.id == FC.claim_id).join(schema.versions, V.id == C.version_id)
        )
        .where(C.cluster_id == cluster_id, CURRENT)
        .order_by(V.day, V.id, C.start)
    )
    checks: dict[str, Row] = {}
    for r in _rows(conn, query):
        checks.setdefault(r["fact_check"], r)
    return list(checks.values())


def _disputes(conn: Connection, mentions: list[Row], extra: dict[int, Any], most: int = 50) -> list[Row]:
    """The words that dispute each mention, read from its article's stored analysis."""
    wanted = {(e.version_id, e.cid): m for m in mentions if (e := extra.get(m["id"])) and m["disputed"]}
    versions = sorted({v for v, _ in wanted})[:most]
    out: list[Row] = []
    for vid, raw in conn.execute(select(V.id, V.analysis).where(V.id.in_(versions))) if versions else []:
        for d in json.loads(raw).get("disputes", []):
            m = wanted.get((vid, d.get("claim")))
            if m is not None:
                out.append(
                    {
                        "version": vid,
                        "claim": m["id"],
                        "outlet": m["outlet"],
                        "day": m["day"],
                        "kind": d.get("kind"),
                        "cue": (d.get("cue") or {}).get("text") if isinstance(d.get("cue"), dict) else d.get("cue"),
                        "text": d.get("text"),
                        "start": d.get("start"),
                        "end": d.get("end"),
                    }
                )
    return sorted(out, key=lambda r: (r["day"] or "", r["version"], r["start"] or 0))


# -- article -----------------------------------------------------------------------------------------------
def article(conn: Connection, version_id: int) -> tuple[Row, Analysis]:
    v = conn.execute(
        select(
            V.id,
            V.article_id,
            V.current,
            V.external_id,
            V.url,
            V.day,
            V.outlet,
            V.author,
            V.title,
            V.genre,
            V.stored_at,
            V.analysis,
        ).where(V.id == version_id)
    ).first()
    if v is None:
        raise NotFound(f"no stored article {version_id}")
    analysis = Analysis.from_dict(json.loads(v.analysis))
    speakers = _rows(
        conn,
        select(Q.speaker_id.label("id"), S.name, func.count().label("quotes"))
        .join(schema.speakers, S.id == Q.speaker_id)
        .where(Q.version_id == version_id)
        .group_by(Q.speaker_id, S.name)
        .order_by(func.count().desc(), S.name),
    )
    quote_speakers = dict(conn.execute(select(Q.qid, Q.speaker_id).where(Q.version_id == version_id)).all())
    claims = _rows(
        conn,
        select(C.cid, C.cluster_id.label("cluster"), C.text, C.checkworthiness, C.disputed, C.start, C.end)
        .where(C.version_id == version_id)
        .order_by(C.checkworthiness.desc(), C.cid),
    )
    for c in claims:
        c["disputed"] = bool(c["disputed"])
        c["checkworthiness"] = round(float(c["checkworthiness"]), 3)
    versions = _rows(
        conn,
        select(V.id, V.stored_at, V.current).where(V.article_id == v.article_id).order_by(V.id),
    )
    meta = {k: getattr(v, k) for k in ("id", "external_id", "url", "day", "outlet", "author", "title", "genre")}
    row = {
        "article": {**meta, "current": bool(v.current), "stored_at": v.stored_at},
        "speakers": speakers,
        "quote_speakers": quote_speakers,
        "claims": claims,
        "versions": [{**x, "current": bool(x["current"])} for x in versions],
    }
    return row, analysis


def hit(text: str, start: int | None, end: int | None, context: int = 240) -> Row | None:
    """The words at ``start:end`` of an article with some text around them, for a search hit's link."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    return {
        "start": start,
        "end": end,
        "before": ("…" if start > context else "") + before,
        "text": text[start:end],
        "after": after + ("…" if end + context < len(text) else ""),
    }


def outlets(conn: Connection) -> list[Row]:
    """The outlets of current articles and their articles (the search form's choices)."""
    if summary.fresh(conn):
        return [{"outlet": o, "articles": k} for o, k in sorted(_outlet_counts(conn).items())]
    return [
        {"outlet": o, "articles": k}
        for o, k in conn.execute(
            select(V.outlet, func.count()).where(CURRENT, V.outlet.is_not(None)).group_by(V.outlet).order_by(V.outlet)
        )
    ]


def _outlet_counts(conn: Connection) -> dict[str | None, int]:
    so = schema.summary_outlets.c
    return {o: int(n) for o, n in conn.execute(select(so.outlet, so.n).where(so.n > 0))}
