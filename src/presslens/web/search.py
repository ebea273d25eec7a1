"""Search over quotes, claims and articles with facets and pages; every hit carries the span it links to.

Full text is SQLite's FTS5 or PostgreSQL's tsvector (as the store indexes them: all words, stemmed); the words
typed are bound parameters, never SQL, and FTS5 syntax in them is quoted away.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, exists, func, literal_column, or_, select, text

from presslens.store import is_sqlite, schema
from presslens.web.data import CURRENT, FC, NO_OUTLET, C, P, Q, S, V, period

KINDS = ("quotes", "claims", "articles")
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 500
_FTS_COLUMNS = {"quotes": "coalesce(quotes.text, '')", "claims": "coalesce(claims.text, '')"}
_FTS_COLUMNS["versions"] = "coalesce(versions.title, '') || ' ' || coalesce(versions.text, '')"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SearchError(ValueError):
    """A search that cannot be asked (a bad date, an unknown kind): a one-line reason for the user."""


@dataclass
class Search:
    q: str = ""
    kind: str = "quotes"
    outlet: str | None = None
    speaker: str | None = None  # a name or part of one
    speaker_id: int | None = None
    since: str | None = None
    until: str | None = None
    technique: str | None = None
    quote_kind: str | None = None  # direct, indirect, mixed
    disputed: bool | None = None
    fact_checked: bool | None = None
    page: int = 1
    per_page: int = 20

    def check(self) -> Search:
        if self.kind not in KINDS:
            raise SearchError(f"search kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if len(self.q) > MAX_QUERY_CHARS:
            raise SearchError(f"the search is longer than {MAX_QUERY_CHARS} characters")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value and not _DAY.match(value):
                raise SearchError(f"{name}: expected a day as YYYY-MM-DD, not {value!r}")
        self.page = max(1, self.page)
        self.per_page = min(max(1, self.per_page), MAX_PER_PAGE)
        return self

    def params(self) -> dict[str, Any]:
        """The query-string parameters that ask this search again (for links to pages and facets)."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if v is None or v == "" or (k == "page" and v == 1) or (k == "per_page" and v == 20):
                continue
            out[k] = ("yes" if v else "no") if isinstance(v, bool) else v
        return out


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", q)


def _fts(conn: Connection, table: str, id_col: Any, q: str) -> Any:
    words = _words(q)
    if is_sqlite(conn):
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        return id_col.in_(text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :fts").bindparams(fts=match))
    vector: Any = literal_column(f"to_tsvector('english', {_FTS_COLUMNS[table]})")
    return vector.op("@@")(func.plainto_tsquery("english", " ".join(words)))


def _speaker_filter(s: Search, id_col: Any, name_cols: list[Any]) -> Any:
    if s.speaker_id is not None:
        return id_col == s.speaker_id
    like = "%" + s.speaker.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"  # type: ignore[union-attr]
    return or_(*(func.lower(c).like(like, escape="\\") for c in name_cols))


def _common(query: Any, s: Search) -> Any:
    query = query.where(CURRENT)
    if s.outlet == NO_OUTLET:
        query = query.where(V.outlet.is_(None))
    elif s.outlet:
        query = query.where(V.outlet == s.outlet)
    return period(query, s.since, s.until)


def _quotes(conn: Connection, s: Search) -> Any:
    query = select(
        Q.id,
        Q.version_id.label("version"),
        Q.kind,
        Q.start,
        Q.end,
        Q.text,
        Q.speaker_id,
        func.coalesce(S.name, Q.speaker_name, Q.speaker_text).label("speaker"),
        V.day,
        V.outlet,
        V.title,
    ).select_from(
        schema.quotes.join(schema.versions, V.id == Q.version_id).outerjoin(schema.speakers, S.id == Q.speaker_id)
    )
    query = _common(query, s)
    if _words(s.q):
        query = query.where(_fts(conn, "quotes", Q.id, s.q))
    if s.speaker or s.speaker_id is not None:
        query = query.where(_speaker_filter(s, Q.speaker_id, [S.name, Q.speaker_name]))
    if s.quote_kind:
        query = query.where(Q.kind == s.quote_kind)
    if s.technique:
        query = query.where(
            exists().where(P.version_id == Q.version_id, P.start <= Q.start, P.end >= Q.end, P.technique == s.technique)
        )
    if s.disputed is not None:
        cond = exists().where(C.quote_id == Q.id, C.disputed.is_(True))
        query = query.where(cond if s.disputed else ~cond)
    if s.fact_checked is not None:
        cond = exists().where(C.quote_id == Q.id, FC.claim_id == C.id)
        query = query.where(cond if s.fact_checked else ~cond)
    return query.order_by(V.day.desc(), V.id.desc(), Q.start)


def _claims(conn: Connection, s: Search) -> Any:
    query = select(
        C.id,
        C.version_id.label("version"),
        C.start,
        C.end,
        C.text,
        C.checkworthiness,
        C.disputed,
        C.cluster_id.label("cluster"),
        C.speaker_id,
        func.coalesce(S.name, C.claimant).label("speaker"),
        V.day,
        V.outlet,
        V.title,
    ).select_from(
        schema.claims.join(schema.versions, V.id == C.version_id).outerjoin(schema.speakers, S.id == C.speaker_id)
    )
    query = _common(query, s)
    if _words(s.q):
        query = query.where(_fts(conn, "claims", C.id, s.q))
    if s.speaker or s.speaker_id is not None:
        query = query.where(_speaker_filter(s, C.speaker_id, [S.name, C.claimant]))
    if s.quote_kind:
        query = query.where(exists().where(Q.id == C.quote_id, Q.kind == s.quote_kind))
    if s.technique:
        query = query.where(
            exists().where(P.version_id == C.version_id, P.start <= C.start, P.end >= C.end, P.technique == s.technique)
        )
    if s.disputed is not None:
        query = query.where(C.disputed.is_(s.disputed))
    if s.fact_checked is not None:
        cond = exists().where(FC.claim_id == C.id)
        query = query.where(cond if s.fact_checked else ~cond)
    return query.order_by(V.day.desc(), V.id.desc(), C.start)


def _articles(conn: Connection, s: Search) -> Any:
    query = select(V.id, V.id.label("version"), V.external_id, V.title, V.url, V.day, V.outlet, V.author)
    query = _common(query, s)
    if _words(s.q):
        query = query.where(_fts(conn, "versions", V.id, s.q))
    if s.speaker or s.speaker_id is not None:
        named = (
            select(Q.id)
            .select_from(schema.quotes.outerjoin(schema.speakers, S.id == Q.speaker_id))
            .where(Q.version_id == V.id, _speaker_filter(s, Q.speaker_id, [S.name, Q.speaker_name]))
        )
        query = query.where(named.exists())
    if s.quote_kind:
        query = query.where(exists().where(Q.version_id == V.id, Q.kind == s.quote_kind))
    if s.technique:
        query = query.where(exists().where(P.version_id == V.id, P.technique == s.technique))
    if s.disputed is not None:
        cond = exists().where(C.version_id == V.id, C.disputed.is_(True))
        query = query.where(cond if s.disputed else ~cond)
    if s.fact_checked is not None:
        cond = exists().where(C.version_id == V.id, FC.claim_id == C.id)
        query = query.where(cond if s.fact_checked else ~cond)
    return query.order_by(V.day.desc(), V.id.desc())


def search(conn: Connection, s: Search) -> dict[str, Any]:
    """One page of hits, the total, and facet counts (outlets; quote kinds for quotes) over all the hits."""
    s.check()
    build = {"quotes": _quotes, "claims": _claims, "articles": _articles}[s.kind]
    query = build(conn, s)
    base = query.order_by(None).subquery()
    total = conn.execute(select(func.count()).select_from(base)).scalar() or 0
    rows = [dict(r._mapping) for r in conn.execute(query.limit(s.per_page).offset((s.page - 1) * s.per_page))]
    facets: dict[str, list[dict[str, Any]]] = {}
    outlet_counts = conn.execute(
        select(base.c.outlet, func.count().label("n")).group_by(base.c.outlet).order_by(text("n DESC")).limit(20)
    )
    facets["outlet"] = [{"value": o or NO_OUTLET, "count": n} for o, n in outlet_counts]
    if s.kind == "quotes":
        kinds = conn.execute(select(base.c.kind, func.count()).group_by(base.c.kind).order_by(base.c.kind))
        facets["quote_kind"] = [{"value": k, "count": n} for k, n in kinds]
    if s.kind == "claims":
        disputed = conn.execute(select(base.c.disputed, func.count()).group_by(base.c.disputed)).all()
        facets["disputed"] = [{"value": "yes" if d else "no", "count": n} for d, n in disputed]
        for r in rows:
            r["disputed"] = bool(r["disputed"])
            r["checkworthiness"] = round(float(r["checkworthiness"]), 3)
    if s.kind == "articles":
        _article_spans(conn, rows, s.q)
    return {
        "search": s.params(),
        "kind": s.kind,
        "total": total,
        "page": s.page,
        "per_page": s.per_page,
        "pages": max(1, -(-total // s.per_page)),
        "hits": rows,
        "facets": facets,
    }


def _article_spans(conn: Connection, rows: list[dict[str, Any]], q: str) -> None:
    """Each article hit's first occurrence of a searched word (its span, for the link) and a snippet."""
    texts = dict(conn.execute(select(V.id, V.text).where(V.id.in_([r["id"] for r in rows]))).all()) if rows else {}
    words = [w for w in _words(q) if len(w) > 1] or _words(q)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I) if words else None
    for r in rows:
        body = texts.get(r["id"], "")
        found = pattern.search(body) if pattern else None
        if found:
            r["start"], r["end"] = found.start(), found.end()
            a, b = max(0, found.start() - 120), min(len(body), found.end() + 120)
            r["snippet"] = ("…" if a else "") + body[a:b] + ("…" if b < len(body) else "")
        else:
            r["start"] = r["end"] = None
            r["snippet"] = body[:240] + ("…" if len(body) > 240 else "")


def parse_bool(value: str | None) -> bool | None:
    if value in (None, "", "any"):
        return None
    if value.lower() in ("yes", "true", "1"):
        return True
    if value.lower() in ("no", "false", "0"):
        return False
    raise SearchError(f"expected yes or no, not {value!r}")


__all__ = ["KINDS", "Search", "SearchError", "parse_bool", "search"]
