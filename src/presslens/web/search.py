"""Search over quotes, claims and articles with facets and pages; every hit carries the span it links to.

Full text is SQLite's FTS5 or PostgreSQL's tsvector (as the store indexes them: all words, stemmed); the words
typed are bound parameters, never SQL, and FTS5 syntax in them is quoted away.

Counting every hit of a common word takes seconds in a store of hundreds of thousands of articles (one word is in
a tenth of 2.4 million quotes), so a search counts exactly only when its rarest counted filter (the words; for
quotes, the speaker, counted in the summaries) keeps at most EXACT rows: then those rows drive the query.
Otherwise the newest rows are read first, each filter tested on each, and the total and the facets count the
newest SAMPLE hits (or those found within BUDGET_S once the page is full: filters that rarely meet find a hit in
thousands of rows): the total is then a lower bound (``total_exact`` false, shown as "at least"). Two filters
that each keep many rows but rarely meet are intersected in the indexes, or the smaller one drives (SQLite:
``_both``, ``_disputed_claims``); PostgreSQL is told to gather and sort the hits when they are few
(``_gather_first``), as its planner would read newest first and find none.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, exists, func, intersect, literal_column, or_, select, text
from sqlalchemy.exc import OperationalError

from presslens.store import is_sqlite, planned_rows, schema, summary
from presslens.web.data import CURRENT, FC, NO_OUTLET, C, P, Q, S, V, period

KINDS = ("quotes", "claims", "articles")
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 500
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXACT = 5_000  # full-text matches up to which a search is driven by them and counted exactly
SAMPLE = 500  # beyond (or with no words): the total and the facets count the newest SAMPLE hits
BUDGET_S = 0.03  # ... or as many of them as are found in this time once the page is full
LIMIT_S = 0.5  # ... and never longer than this, even if the page is not full (a hit every 10,000 rows read)
INTERSECT = 90_000  # words matching up to this many quotes, and a speaker: their id lists intersected (_both)
_COUNT = 100_000  # SQLite: full-text matches counted up to this many (4 ms per 100,000), to choose the plan
DISPUTED_WORDS = 200_000  # SQLite: a word in up to this many claims is tested on each disputed claim (a set of them)
GATHER = 10_000  # PostgreSQL: hits (its estimate) up to which they are gathered and sorted, not read newest first
GATHER_WORD = 100_000  # ... unless a word alone is in more rows (its GIN bitmap alone takes ~100 ms to build)


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


@dataclass
class _Match:
    """The full-text condition in the two forms a plan needs, and how many rows match (up to EXACT + 1)."""

    drive: Any  # the matches drive the plan (each looked up)
    test: Any  # tested on each row read newest first
    n: int


def _fts(conn: Connection, table: str, id_col: Any, q: str, count: int = _COUNT) -> _Match:
    words = _words(q)
    if is_sqlite(conn):
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        found = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :fts"
        n = conn.execute(text(f"SELECT count(*) FROM ({found} LIMIT {count + 1})"), {"fts": match}).scalar() or 0
        ids = text(found).bindparams(fts=match)
        # + 0: a set of the matches to test each row against, not an index lookup (even for 280,000 matches the
        # set is built in tens of ms, where a doclist seek for each of the thousands of rows read takes longer)
        return _Match(id_col.in_(ids), (id_col + 0).in_(ids), n)
    vector: Any = literal_column(f"{table}.tsv")  # the stored tsvector column (store.engine) and its GIN index
    cond = vector.op("@@")(func.plainto_tsquery("english", " ".join(words)))
    first = (
        select(literal_column("1")).select_from(schema.metadata.tables[table]).where(cond).limit(EXACT + 1).subquery()
    )
    return _Match(cond, cond, conn.execute(select(func.count()).select_from(first)).scalar() or 0)


def _quote_speaker(conn: Connection, s: Search) -> _Match | None:
    """A quote search's speaker as the speakers' ids and the quoted names it means (found in the summaries, not in
    millions of quotes), so that it can drive the plan or be tested cheaply; None: test the names row by row."""
    if (not s.speaker and s.speaker_id is None) or not summary.fresh(conn):
        return None
    st, qn = schema.speaker_stats.c, schema.quote_speaker_names.c
    if s.speaker_id is not None:
        ids, names = [s.speaker_id], []
        n = conn.execute(select(st.quotes).where(st.speaker_id == s.speaker_id)).scalar() or 0
    else:
        like = _like(s.speaker or "")
        found = conn.execute(
            select(S.id, func.coalesce(st.quotes, 0))
            .outerjoin(schema.speaker_stats, st.speaker_id == S.id)
            .where(func.lower(S.name).like(like, escape="\\"))
        ).all()
        spelt = conn.execute(select(qn.name, qn.n).where(func.lower(qn.name).like(like, escape="\\"))).all()
        if len(found) + len(spelt) > 900:  # more values than an old SQLite binds
            return None
        ids, names = [i for i, _ in found], [x for x, _ in spelt]
        n = sum(k for _, k in found) + sum(k for _, k in spelt)
    drive = or_(Q.speaker_id.in_(ids), Q.speaker_name.in_(names))
    test = or_((Q.speaker_id + 0).in_(ids), (Q.speaker_name + "").in_(names))  # + 0, + "": not index lookups
    return _Match(drive, test, int(n))


# SQLite's planner prefers the covering ix_claims_version (every claim) and SQLAlchemy renders no table hints
_DISPUTED = text("claims INDEXED BY ix_claims_disputed")


def _disputed_claims(conn: Connection) -> _Match:
    """SQLite: the disputed claims (about 1 %, a partial index of them) as a filter that may drive the plan: for a
    word in more claims than can be intersected, reading the disputed ones and testing the word on each beats
    reading the newest claims until a few pass both (at 200,000 articles: 0.5 s, the time limit, for none)."""
    disputed = C.disputed.is_(True)
    count = select(func.count()).select_from(_DISPUTED).where(text("disputed IS 1"))
    return _Match(disputed, disputed, conn.execute(count).scalar() or 0)


def _both(conn: Connection, table: str, id_col: Any, q: str, others: Any) -> _Match:
    """SQLite, words matching more than EXACT rows (at most INTERSECT) and another filter keeping many (a quote
    search's speaker, disputed claims): the rows both keep, the two id lists intersected inside the indexes (at
    200,000 articles tens of ms, where reading one filter's rows to test the other took hundreds, or ran out of
    time when they rarely meet)."""
    match = " ".join('"' + w.replace('"', '""') + '"' for w in _words(q))
    words: Any = select(literal_column("rowid")).select_from(text(f"{table}_fts"))
    both = intersect(words.where(text(f"{table}_fts MATCH :fts").bindparams(fts=match)), others.correlate(None))
    kept = [r[0] for r in conn.execute(both.limit(EXACT + 1))]
    if len(kept) > EXACT:
        return _Match(id_col.in_(both), (id_col + 0).in_(both), len(kept))
    # the ids, found once, as one JSON parameter: the page, the total and the facets each read them again
    ids: Any = select(literal_column("value")).select_from(func.json_each(json.dumps(kept)))
    return _Match(id_col.in_(ids), (id_col + 0).in_(ids), len(kept))


def _like(words: str) -> str:
    return "%" + words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _speaker_filter(s: Search, id_col: Any, name_cols: list[Any]) -> Any:
    if s.speaker_id is not None:
        return id_col == s.speaker_id
    like = _like(s.speaker or "")
    return or_(*(func.lower(c).like(like, escape="\\") for c in name_cols))


def _common(query: Any, s: Search, driven: bool) -> Any:
    # driven by the matches: on SQLite the current flag is tested row by row (+), never an index range that the
    # planner would prefer to the full-text set (it cannot tell how few rows match)
    query = query.where(text("+versions.current IS 1") if driven else CURRENT)
    if s.outlet == NO_OUTLET:
        query = query.where(V.outlet.is_(None))
    elif s.outlet:
        query = query.where(V.outlet == s.outlet)
    return period(query, s.since, s.until)


def _order(kind: str, day: Any) -> list[Any]:
    """Newest first, then in the article's order; ``day`` is the version's day or (to gather and sort every hit
    rather than read the day index) an expression of it."""
    start = {"quotes": [Q.start], "claims": [C.start]}.get(kind, [])
    return [day.desc(), V.id.desc(), *start]


def _quotes(s: Search, conds: list[Any], driven: bool, speaker_done: bool) -> Any:
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
    query = _common(query, s, driven)
    query = query.where(*conds)
    if (s.speaker or s.speaker_id is not None) and not speaker_done:
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
    return query.order_by(*_order("quotes", V.day))


def _claims(s: Search, conds: list[Any], driven: bool, speaker_done: bool) -> Any:
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
    query = _common(query, s, driven)
    query = query.where(*conds)
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
    return query.order_by(*_order("claims", V.day))


def _articles(s: Search, conds: list[Any], driven: bool, speaker_done: bool) -> Any:
    query = select(V.id, V.id.label("version"), V.external_id, V.title, V.url, V.day, V.outlet, V.author)
    query = _common(query, s, driven)
    query = query.where(*conds)
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
    return query.order_by(*_order("articles", V.day))


_BUILD = {"quotes": _quotes, "claims": _claims, "articles": _articles}
_TABLES = {"quotes": ("quotes", Q.id), "claims": ("claims", C.id), "articles": ("versions", V.id)}


def _lead_is_cheaper(conn: Connection, found: list[_Match], lead: _Match, id_col: Any) -> bool:
    """SQLite: whether reading the rarest filter's rows (then sorting them) beats reading the newest rows until
    SAMPLE hits pass every filter (about SAMPLE / the share that passes: long when two filters rarely meet)."""
    if not is_sqlite(conn) or len(found) < 2:
        return False
    total = conn.execute(select(func.max(id_col))).scalar() or 1
    share = math.prod(min(1.0, m.n / total) for m in found)
    return lead.n * 4 < SAMPLE / max(share, 1e-9)  # a row looked up and sorted: a few times one read in order


def _gather_first(conn: Connection, s: Search, query: Any, table: str, words: _Match | None, driven: bool) -> bool:
    """PostgreSQL: gather every hit (the filters' indexes combined) and sort them, rather than read the newest rows
    first? Its planner reads newest first whenever its estimate says the page fills soon, also when the filters
    rarely meet, and then it reads every row (at 200,000 articles: ``invasion`` among direct quotes, 20 s for
    none). Gathered when a filter keeps at most EXACT rows (counted), or when PostgreSQL's estimate of the hits is
    at most GATHER and no word is in so many rows that its index alone is slow to read; not for an outlet or a
    period, whose articles the versions' index yields newest first (gathered, a mid word in an outlet's articles:
    75 -> 265 ms)."""
    if driven:
        return True
    if s.outlet or s.since or s.until:
        return False
    if words is not None:
        word_rows: Any = select(literal_column("1")).select_from(schema.metadata.tables[table]).where(words.drive)
        if planned_rows(conn, word_rows) > GATHER_WORD:
            return False
    return planned_rows(conn, query.order_by(None)) <= GATHER


def _newest(conn: Connection, query: Any, needed: int) -> tuple[list[dict[str, Any]], bool]:
    """The newest SAMPLE + 1 hits as the plan yields them, in order; once ``needed`` (the page) are there and
    BUDGET_S has passed, or after LIMIT_S (a short page), no more (filters that rarely meet yield a hit every
    thousands of rows read): then the hits and False (not all were read)."""
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    raw = conn.connection.driver_connection if is_sqlite(conn) else None
    if raw is not None:  # between two hits too (none at all: a scan of every row): SQLite stops the statement
        raw.set_progress_handler(lambda: int(time.perf_counter() - t0 > LIMIT_S), 10_000)
    try:
        # a row at a time on SQLite (a buffer that grows 1, 5, 25, 125, 625 rows waits for hundreds of hits, far
        # past the budget when they are sparse), batches of 50 from PostgreSQL's server-side cursor; per statement
        # (Connection.execution_options would stream every later statement of the connection too)
        per = {"yield_per": 1 if raw is not None else 50}
        result = conn.execute(query.limit(SAMPLE + 1), execution_options=per)
        try:
            for r in result:
                rows.append(dict(r._mapping))
                spent = time.perf_counter() - t0
                if (len(rows) >= needed and spent > BUDGET_S) or spent > LIMIT_S:
                    return rows, False
        finally:
            result.close()
    except OperationalError as exc:
        if raw is None or "interrupt" not in str(exc):
            raise
        return rows, False
    finally:
        if raw is not None:
            raw.set_progress_handler(None, 0)
    return rows, True


def search(conn: Connection, s: Search) -> dict[str, Any]:
    """One page of hits, the total, and facet counts (outlets; quote kinds for quotes, disputed for claims): over
    all the hits when the rarest filter keeps at most EXACT rows, else over the newest SAMPLE (module docstring)."""
    s.check()
    table, id_col = _TABLES[s.kind]
    speaker = _quote_speaker(conn, s) if s.kind == "quotes" else None
    disputed_claims = is_sqlite(conn) and s.kind == "claims" and bool(s.disputed)
    words = _fts(conn, table, id_col, s.q, DISPUTED_WORDS if disputed_claims else _COUNT) if _words(s.q) else None
    found = [m for m in (words, speaker) if m is not None]
    if is_sqlite(conn) and speaker is not None and len(found) == 2 and EXACT < found[0].n <= INTERSECT < _COUNT:
        if speaker.n > EXACT:  # the search's own quotes are not these: not correlated
            found = [_both(conn, table, id_col, s.q, select(Q.id).where(speaker.drive))]
    elif disputed_claims and found and EXACT < found[0].n <= INTERSECT:
        # disputed claims are about 1 %: newest first, a word's hits among them are thousands of rows apart
        among: Any = select(literal_column("id")).select_from(_DISPUTED).where(text("disputed IS 1"))
        found = [_both(conn, table, id_col, s.q, among)]
    elif disputed_claims and found and INTERSECT < found[0].n <= DISPUTED_WORDS:
        found.append(_disputed_claims(conn))
    lead = min(found, key=lambda m: m.n) if found else None
    driven = lead is not None and (lead.n <= EXACT or _lead_is_cheaper(conn, found, lead, id_col))
    if is_sqlite(conn):
        conds = [m.drive if driven and m is lead else m.test for m in found]
    else:  # PostgreSQL's planner knows from its statistics how many rows each condition keeps
        conds = [m.drive for m in found]
    build = _BUILD[s.kind]
    query = build(s, conds, driven and is_sqlite(conn), speaker is not None)
    if not is_sqlite(conn) and found and _gather_first(conn, s, query, table, words, driven):
        query = query.order_by(None).order_by(*_order(s.kind, V.day.op("||")("")))
    offset = (s.page - 1) * s.per_page
    facet_cols = {
        "outlet": V.outlet,
        **{"quotes": {"kind": Q.kind}, "claims": {"disputed": C.disputed}}.get(s.kind, {}),
    }
    if driven:  # every hit (at most EXACT, or the rows of a filter cheaper to read than the newest): read once
        every = conn.execute(query.with_only_columns(id_col, *facet_cols.values())).all()
        page = [r[0] for r in every[offset : offset + s.per_page]]
        by_id = build(Search(kind=s.kind), [id_col.in_(page)], False, True)
        rows = [dict(r._mapping) for r in conn.execute(by_id)] if page else []
        counted = [tuple(r[1:]) for r in every]
        exact = True
    else:  # the newest SAMPLE + 1 hits, in the page's order: the first page(s) come from them too
        newest, complete = _newest(conn, query, offset + s.per_page)
        exact = complete and len(newest) <= SAMPLE
        newest = newest[:SAMPLE]
        if exact or offset + s.per_page <= SAMPLE:  # (a short page when the time ran out)
            rows = newest[offset : offset + s.per_page]
        else:
            rows = [dict(r._mapping) for r in conn.execute(query.limit(s.per_page).offset(offset))]
        counted = [tuple(r[c] for c in facet_cols) for r in newest]
    total = len(counted)
    facets: dict[str, list[dict[str, Any]]] = {}
    outlet_counts = Counter(o for o, *_ in counted).most_common()
    outlet_counts.sort(key=lambda x: (-x[1], x[0] is None, str(x[0] or "")))
    facets["outlet"] = [{"value": o or NO_OUTLET, "count": n} for o, n in outlet_counts[:20]]
    if s.kind == "quotes":
        kinds = Counter(k for _, k in counted)
        facets["quote_kind"] = [{"value": k, "count": kinds[k]} for k in sorted(kinds, key=str)]
    if s.kind == "claims":
        disputed = Counter(bool(d) for _, d in counted)
        facets["disputed"] = [{"value": "yes" if d else "no", "count": n} for d, n in sorted(disputed.items())]
        for r in rows:
            r["disputed"] = bool(r["disputed"])
            r["checkworthiness"] = round(float(r["checkworthiness"]), 3)
    if s.kind == "articles":
        _article_spans(conn, rows, s.q)
    if exact:
        pages = max(1, -(-total // s.per_page))
    else:  # a lower bound: at least one more page while this one is full
        pages = max(-(-total // s.per_page), s.page + (len(rows) == s.per_page))
    return {
        "search": s.params(),
        "kind": s.kind,
        "total": total,
        "total_exact": exact,
        "page": s.page,
        "per_page": s.per_page,
        "pages": pages,
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
