"""What each page shows, as plain data (the JSON under /api/ and the templates' context are the same dicts).

The corpus questions of :mod:`presslens.corpus.queries` are reused; what the pages need beyond them (articles per
day, a speaker's claims, an article's links) is asked here, parameterised SQL through SQLAlchemy Core.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import Connection, func, select

from presslens.corpus import queries
from presslens.model import Analysis
from presslens.store import schema

Row = dict[str, Any]
V, Q, C, S = schema.versions.c, schema.quotes.c, schema.claims.c, schema.speakers.c
FC, P, F = schema.fact_checks.c, schema.paragraph_techniques.c, schema.frames.c
CURRENT = V.current.is_(True)
NO_OUTLET = "(no outlet)"
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them"}  # not names (as written in a quote)
PAGE_QUOTES = 200  # a speaker page lists at most this many quotes (the API takes ?limit=)


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
    articles = dict(
        conn.execute(period(select(V.outlet, func.count()).where(CURRENT), since, until).group_by(V.outlet)).all()
    )
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
    quotes = queries.speaker(conn, speaker_id)
    _add_versions(conn, quotes, Q.id, Q.version_id)
    days = Counter(r["day"] for r in quotes if r["day"])
    outlets = Counter(r["outlet"] or NO_OUTLET for r in quotes)
    techniques = Counter(t for r in quotes for t in r["techniques"])
    fact_checks = select(func.count()).where(FC.claim_id == C.id).scalar_subquery()
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
        .where(C.speaker_id == speaker_id, CURRENT)
        .order_by(C.checkworthiness.desc(), C.id)
        .limit(limit),
    )
    for c in claims:
        c["disputed"] = bool(c["disputed"])
        c["checkworthiness"] = round(float(c["checkworthiness"]), 3)
    return {
        "speaker": {**dict(who._mapping), "names": names},
        "quote_count": len(quotes),
        "quotes": quotes[:limit],
        "timeline": [{"day": d, "quotes": k} for d, k in sorted(days.items())],
        "outlets": [{"outlet": o, "quotes": k} for o, k in outlets.most_common()],
        "techniques": [{"technique": t, "quotes": k} for t, k in techniques.most_common()],
        "claims": claims,
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
def claim(conn: Connection, cluster_id: int) -> Row:
    cc = schema.claim_clusters.c
    cluster = conn.execute(select(cc.id, cc.text).where(cc.id == cluster_id)).first()
    if cluster is None:
        raise NotFound(f"no claim cluster {cluster_id}")
    mentions = queries.claim(conn, cluster_id)
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
    disputes = _disputes(conn, mentions, extra)
    checks: dict[str, Row] = {}
    for m in mentions:
        for fc in m["fact_checks"]:
            checks.setdefault(fc["fact_check"], fc)
    days = Counter(m["day"] for m in mentions if m["day"])
    return {
        "cluster": dict(cluster._mapping),
        "mentions": mentions,
        "articles": len({m["version"] for m in mentions}),
        "outlets": sorted({m["outlet"] or NO_OUTLET for m in mentions}),
        "disputes": disputes,
        "fact_checks": list(checks.values()),
        "timeline": [{"day": d, "mentions": k} for d, k in sorted(days.items())],
    }


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
    return [
        {"outlet": o, "articles": k}
        for o, k in conn.execute(
            select(V.outlet, func.count()).where(CURRENT, V.outlet.is_not(None)).group_by(V.outlet).order_by(V.outlet)
        )
    ]
