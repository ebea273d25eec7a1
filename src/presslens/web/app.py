"""The ASGI app: server-rendered pages, each with the same data as JSON under /api/, over a store and a KB."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Header, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from presslens.errors import PressLensError
from presslens.options import Options
from presslens.web import data, indexing
from presslens.web.analyse import Analyser, AnalysisTimeout, Busy
from presslens.web.render import page, report_assets, report_section
from presslens.web.search import KINDS, Search, SearchError, parse_bool, search
from presslens.web.security import (
    MAX_IMPORT_BYTES,
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
    Guard,
    bearer,
    token_error,
)

Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
MentionPage = Annotated[int, Query(ge=1, le=100_000, description=f"a page of {data.PAGE_MENTIONS} mentions")]


class HTTPProblem(Exception):
    """An error shown as a page (or as JSON under /api/) with its status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Settings:
    db: str | None
    kb: Path
    write_token: str | None
    options: Options
    analysis_timeout: float


class SearchQuery(BaseModel):
    """The search page's and endpoint's query parameters (web.search.Search checks the rest: days, kinds)."""

    q: str = Field("", max_length=500, description="words, all of which a hit contains (stemmed)")
    kind: str = Field("quotes", description="quotes, claims or articles")
    outlet: str | None = None
    speaker: str | None = Field(None, description="a name or part of one")
    speaker_id: int | None = None
    since: str | None = Field(None, description="YYYY-MM-DD")
    until: str | None = Field(None, description="YYYY-MM-DD")
    technique: str | None = None
    quote_kind: str | None = Field(None, description="direct, indirect or mixed")
    disputed: str | None = Field(None, description="yes or no")
    fact_checked: str | None = Field(None, description="yes or no")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)

    def search(self) -> Search:
        """As a checked Search; SearchError (a 400) for what it cannot ask."""
        empty = {"outlet", "speaker", "since", "until", "technique", "quote_kind"}  # "" from a form: not given
        given: dict[str, Any] = {k: (v or None) if k in empty else v for k, v in self.model_dump().items()}
        given["disputed"], given["fact_checked"] = parse_bool(self.disputed), parse_bool(self.fact_checked)
        return Search(**given).check()


class AnalyseRequest(BaseModel):
    """An article to analyse: plain ``text`` or an ``html`` page, with optional metadata."""

    text: str | None = Field(None, description=f"at most {MAX_TEXT_CHARS:,} characters")
    html: str | None = Field(None, description=f"at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    title: str | None = Field(None, max_length=500)
    url: str | None = Field(None, max_length=2000)
    date: str | None = Field(None, max_length=40)
    source: str | None = Field(None, max_length=200)
    save: bool = False


def create_app(
    db: str | Path | None = None,
    kb: str | Path | None = None,
    *,
    write_token: str | None = None,
    options: Options | None = None,
    analysis_timeout: float = 60.0,
) -> FastAPI:
    """The web app over the store at ``db`` and the fact-check knowledge base ``kb`` (default: the user's).

    Read-only unless ``write_token`` is given; then a request that writes (saving an analysis, importing
    fact-checks) must carry it (``Authorization: Bearer``, ``X-PressLens-Token`` or the form's token field).
    """
    from presslens.factchecks.store import default_kb_path
    from presslens.store import open_engine

    engine = open_engine(db, create=False)
    kb_path = Path(kb) if kb else default_kb_path()
    if options is None:
        options = Options(kb=str(kb_path) if kb_path.exists() else None)
    settings = Settings(str(db) if db else None, kb_path, write_token or None, options, analysis_timeout)
    analyser = Analyser(options, settings.db, analysis_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        analyser.close()
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="PressLens",
        summary="Who said what, what is claimed, how it persuades: the corpus store as JSON.",
        version=_version(),
        docs_url=None,  # Swagger UI would load from a CDN: /docs is a page of our own, /openapi.json the spec
        redoc_url=None,
    )
    app.state.settings, app.state.engine, app.state.analyser = settings, engine, analyser
    app.add_middleware(Guard)

    @contextmanager
    def connect() -> Iterator[Connection]:
        with engine.connect() as conn:
            yield conn

    _routes(app, settings, connect, analyser)

    css, js = report_assets()

    @app.get("/static/report.css", include_in_schema=False)
    def report_css() -> Response:
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=3600"})

    @app.get("/static/report.js", include_in_schema=False)
    def report_js() -> Response:
        return Response(js, media_type="text/javascript", headers={"cache-control": "max-age=3600"})

    app.mount("/static", StaticFiles(directory=str(files("presslens.web") / "static")), name="static")

    @app.exception_handler(HTTPProblem)
    def problem(request: Request, exc: HTTPProblem) -> Response:
        return _problem(request, exc.status, exc.message, settings)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        where = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg', '')}" for e in exc.errors())
        return _problem(request, 400, f"bad request ({where})", settings)

    @app.exception_handler(404)
    def not_found(request: Request, exc: Exception) -> Response:
        return _problem(request, 404, "no such page", settings)

    return app


def _version() -> str:
    from presslens import __version__

    return __version__


def _problem(request: Request, status: int, message: str, settings: Settings) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    html = page("error.html", title=f"Error {status}", status=status, message=message, **_common(settings))
    return HTMLResponse(html, status_code=status)


def _common(settings: Settings, api: str | None = None, nav: str = "") -> dict[str, Any]:
    return {"writable": bool(settings.write_token), "api": api, "nav": nav}


def _token(authorization: str | None, header: str | None, form: str | None = None) -> str | None:
    return bearer(authorization) or header or form or None


def _check_token(settings: Settings, given: str | None) -> None:
    err = token_error(settings.write_token, given)
    if err:
        raise HTTPProblem(*err)


def _routes(app: FastAPI, settings: Settings, connect: Callable[[], Any], analyser: Analyser) -> None:
    def html(template: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(page(template, **context))

    def get(fn: Callable[[Connection], Any]) -> Any:
        try:
            with connect() as conn:
                return fn(conn)
        except data.NotFound as exc:
            raise HTTPProblem(404, str(exc)) from None
        except SearchError as exc:
            raise HTTPProblem(400, str(exc)) from None

    # -- dashboard ----------------------------------------------------------------------------------------
    # the pages many people open (the dashboard, the speakers and claims in the news) are kept while the store
    # is unchanged, for seconds: the biggest claim cluster takes a few hundred ms to count (docs/benchmarks.md)
    shared = data.Memo()

    def dashboard(since: str | None, until: str | None, top: int = 10) -> Any:
        return get(
            lambda c: shared.get(c, ("dashboard", since, until, top), lambda c: data.dashboard(c, since, until, top))
        )

    def speaker(speaker_id: int, limit: int = data.PAGE_QUOTES) -> Any:
        return get(
            lambda c: shared.get(c, ("speaker", speaker_id, limit), lambda c: data.speaker(c, speaker_id, limit))
        )

    def claim(cluster_id: int, page: int) -> Any:
        return get(lambda c: shared.get(c, ("claim", cluster_id, page), lambda c: data.claim(c, cluster_id, page)))

    @app.get("/api/dashboard", tags=["corpus"], summary="Counts, articles per day, top speakers and claims, prevalence")
    def api_dashboard(since: Day = None, until: Day = None, top: Annotated[int, Query(ge=1, le=100)] = 10) -> Any:
        return dashboard(since, until, top)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page(since: Day = None, until: Day = None) -> HTMLResponse:
        d = dashboard(since, until)
        api = "/api/dashboard" + (f"?{_qs(since=since, until=until)}" if since or until else "")
        return html("dashboard.html", title="Dashboard", d=d, **_common(settings, api, "dashboard"))

    # -- search -------------------------------------------------------------------------------------------
    def searched(params: SearchQuery) -> tuple[Search, Any]:
        try:
            s = params.search()
        except SearchError as exc:
            raise HTTPProblem(400, str(exc)) from None
        return s, get(lambda c: search(c, s))

    @app.get("/api/search", tags=["corpus"], summary="Full-text search over quotes, claims or articles, with facets")
    def api_search(params: Annotated[SearchQuery, Query()]) -> Any:
        return searched(params)[1]

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(params: Annotated[SearchQuery, Query()]) -> HTMLResponse:
        s, found = searched(params)
        outlets = get(data.outlets)
        api = "/api/search?" + _qs(**found["search"])
        return html(
            "search.html",
            title="Search",
            r=found,
            s=s,
            kinds=KINDS,
            outlets=outlets,
            **_common(settings, api, "search"),
        )

    # -- speakers ---------------------------------------------------------------------------------------------
    @app.get("/api/speakers", tags=["corpus"], summary="The most quoted speakers")
    def api_speakers(top: Annotated[int, Query(ge=1, le=1000)] = 50, name: str | None = None) -> Any:
        from presslens.corpus import queries

        if name:
            return get(lambda c: queries.find_speakers(c, name)[:top])
        return get(lambda c: queries.speakers(c, top=top))

    @app.get("/speakers", response_class=HTMLResponse, include_in_schema=False)
    def speakers_page(top: Annotated[int, Query(ge=1, le=1000)] = 50, name: str | None = None) -> HTMLResponse:
        rows = api_speakers(top, name)
        api = "/api/speakers?" + _qs(top=top, name=name)
        return html("speakers.html", title="Speakers", rows=rows, name=name or "", **_common(settings, api, "speakers"))

    @app.get("/api/speakers/{speaker_id}", tags=["corpus"], summary="One speaker: names, quotes over time, claims")
    def api_speaker(speaker_id: int, limit: Annotated[int, Query(ge=1, le=100_000)] = data.PAGE_QUOTES) -> Any:
        return speaker(speaker_id, limit)

    @app.get("/speaker/{speaker_id}", response_class=HTMLResponse, include_in_schema=False)
    def speaker_page(speaker_id: int) -> HTMLResponse:
        d = speaker(speaker_id)
        api = f"/api/speakers/{speaker_id}"
        return html("speaker.html", title=d["speaker"]["name"], d=d, **_common(settings, api, "speakers"))

    # -- claims -----------------------------------------------------------------------------------------------
    @app.get("/api/claims", tags=["corpus"], summary="Claim clusters by check-worthiness and spread")
    def api_claims(since: Day = None, until: Day = None, top: Annotated[int, Query(ge=1, le=1000)] = 50) -> Any:
        from presslens.corpus import queries

        return get(lambda c: queries.claims(c, since=since, until=until, top=top))

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_page(
        since: Day = None, until: Day = None, top: Annotated[int, Query(ge=1, le=1000)] = 50
    ) -> HTMLResponse:
        rows = api_claims(since, until, top)
        api = "/api/claims?" + _qs(since=since, until=until, top=top)
        return html(
            "claims.html",
            title="Claims",
            rows=rows,
            since=since or "",
            until=until or "",
            **_common(settings, api, "claims"),
        )

    @app.get("/api/claims/{cluster_id}", tags=["corpus"], summary="One claim cluster: mentions, disputes, fact-checks")
    def api_claim(cluster_id: int, page: MentionPage = 1) -> Any:
        return claim(cluster_id, page)

    @app.get("/claim/{cluster_id}", response_class=HTMLResponse, include_in_schema=False)
    def claim_page(cluster_id: int, page: MentionPage = 1) -> HTMLResponse:
        d = claim(cluster_id, page)
        api = f"/api/claims/{cluster_id}" + (f"?page={d['page']}" if d["page"] > 1 else "")
        return html("claim.html", title=f"Claim {cluster_id}", d=d, **_common(settings, api, "claims"))

    # -- article ----------------------------------------------------------------------------------------------
    @app.get("/api/articles/{version_id}", tags=["corpus"], summary="One stored article version and its analysis")
    def api_article(version_id: int) -> Any:
        row, analysis = get(lambda c: data.article(c, version_id))
        return {**row, "analysis": analysis.to_dict()}

    @app.get("/article/{version_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(
        version_id: int,
        start: Annotated[int | None, Query(ge=0)] = None,
        end: Annotated[int | None, Query(ge=0)] = None,
    ) -> HTMLResponse:
        row, analysis = get(lambda c: data.article(c, version_id))
        return html(
            "article.html",
            title=analysis.title or analysis.id,
            d=row,
            report=report_section(analysis, row["quote_speakers"]),
            hit=data.hit(analysis.text, start, end),
            body_class="report",
            **_common(settings, f"/api/articles/{version_id}", "search"),
        )

    # -- analyse ----------------------------------------------------------------------------------------------
    def run_analysis(req: AnalyseRequest, token: str | None) -> Any:
        from presslens.ingest.article import article_from_html, article_from_text

        if req.save:
            _check_token(settings, token)
        if req.text and len(req.text) > MAX_TEXT_CHARS:
            raise HTTPProblem(413, f"the text is longer than {MAX_TEXT_CHARS:,} characters")
        if req.html and len(req.html.encode("utf-8", "replace")) > MAX_UPLOAD_BYTES:
            raise HTTPProblem(413, f"the page is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        meta = {"url": req.url or None, "date": req.date or None, "source": req.source or None}
        body = req.html if req.html else req.text
        if not body or not body.strip():
            raise HTTPProblem(400, "paste an article's text or choose an HTML file")
        digest = hashlib.sha256(body.encode("utf-8", "replace")).hexdigest()[:12]
        try:
            if req.html:
                article = article_from_html(req.html, id=f"upload-{digest}", origin="the uploaded file", **meta)
            else:
                article = article_from_text(req.text or "", id=f"pasted-{digest}", origin="the pasted text", **meta)
            if req.title:
                article.title = req.title
            return analyser.analyse(article, save=req.save)
        except AnalysisTimeout as exc:
            raise HTTPProblem(504, str(exc)) from None
        except Busy as exc:
            raise HTTPProblem(503, str(exc)) from None
        except PressLensError as exc:
            raise HTTPProblem(400, str(exc)) from None

    @app.post("/api/analyse", tags=["analyse"], summary="Analyse an article; save=true stores it (write token)")
    def api_analyse(
        req: AnalyseRequest,
        authorization: Annotated[str | None, Header()] = None,
        x_presslens_token: Annotated[str | None, Header()] = None,
    ) -> Any:
        out = run_analysis(req, _token(authorization, x_presslens_token))
        return {"analysis": out.analysis.to_dict(), "stored_version": out.version}

    @app.get("/analyse", response_class=HTMLResponse, include_in_schema=False)
    def analyse_form() -> HTMLResponse:
        return html(
            "analyse.html", title="Analyse", limits=_limits(), result=None, **_common(settings, None, "analyse")
        )

    @app.post("/analyse", response_class=HTMLResponse, include_in_schema=False)
    def analyse_submit(
        text: Annotated[str, Form()] = "",
        file: Annotated[UploadFile | None, File()] = None,
        title: Annotated[str, Form(max_length=500)] = "",
        url: Annotated[str, Form(max_length=2000)] = "",
        date: Annotated[str, Form(max_length=40)] = "",
        source: Annotated[str, Form(max_length=200)] = "",
        save: Annotated[str, Form(max_length=10)] = "",
        token: Annotated[str, Form(max_length=500)] = "",
    ) -> HTMLResponse:
        upload = _read_upload(file, MAX_UPLOAD_BYTES) if file is not None and file.filename else None
        req = AnalyseRequest.model_construct(
            text=text if not upload else None,
            html=upload.decode("utf-8", "replace") if upload else None,
            title=title or None,
            url=url or None,
            date=date or None,
            source=source or None,
            save=bool(save),
        )
        out = run_analysis(req, token or None)
        return html(
            "analyse.html",
            title="Analysis",
            limits=_limits(),
            result=out,
            report=report_section(out.analysis),
            body_class="report",
            **_common(settings, None, "analyse"),
        )

    # -- fact-checks ------------------------------------------------------------------------------------------
    def fact_checks(q: str, page_: int, per_page: int) -> dict[str, Any]:
        from presslens.factchecks.store import KnowledgeBase

        if not settings.kb.exists():
            return {"kb": str(settings.kb.name), "total": 0, "q": q, "page": 1, "pages": 1, "records": []}
        try:
            with KnowledgeBase(settings.kb, readonly=True) as kb:
                if q.strip():  # ranked hits: counted up to the next page's first
                    ranked = kb.bm25(q, k=page_ * per_page + 1)
                    hits = ranked[(page_ - 1) * per_page : page_ * per_page]
                    found = kb.get([r for r, _ in hits])
                    records = [found[r].to_dict() for r, _ in hits if r in found]
                    total = len(ranked)
                else:
                    records = [r.to_dict() for r in kb.records(limit=per_page, offset=(page_ - 1) * per_page)]
                    total = len(kb)
        except PressLensError as exc:
            raise HTTPProblem(500, str(exc)) from None
        pages = max(1, -(-total // per_page))
        return {"kb": settings.kb.name, "total": total, "q": q, "page": page_, "pages": pages, "records": records}

    @app.get("/api/factchecks", tags=["fact-checks"], summary="Browse or search (BM25) the fact-check knowledge base")
    def api_factchecks(
        q: Annotated[str, Query(max_length=500)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        return fact_checks(q, page, per_page)

    @app.get("/factchecks", response_class=HTMLResponse, include_in_schema=False)
    def factchecks_page(
        q: Annotated[str, Query(max_length=500)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ) -> HTMLResponse:
        d = fact_checks(q, page, 20)
        api = "/api/factchecks?" + _qs(q=q, page=page if page > 1 else None)
        return html("factchecks.html", title="Fact-checks", d=d, imported=None, **_common(settings, api, "factchecks"))

    def import_file(upload: UploadFile, token: str | None) -> dict[str, Any]:
        from presslens.factchecks import KnowledgeBase, read_records

        _check_token(settings, token)
        raw = _read_upload(upload, MAX_IMPORT_BYTES)
        name = Path(upload.filename or "upload.json").name
        suffix = "".join(s for s in Path(name).suffixes[-2:] if s.lower() in _IMPORTABLE) or ".json"
        fd, tmp = tempfile.mkstemp(prefix="presslens-import-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
            with KnowledgeBase(settings.kb) as kb:
                report = kb.import_records(read_records(tmp))
                size = len(kb)
                unembedded = indexing.missing(kb)
        except PressLensError as exc:
            raise HTTPProblem(400, str(exc)) from None
        finally:
            os.unlink(tmp)
        if unembedded:
            indexing.index_in_background(settings.kb)
        errors = [f"{name}{str(e)[len(tmp) :]}" if str(e).startswith(tmp) else str(e) for e in report.errors[:50]]
        return {
            "file": name,
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": len(report.errors),
            "errors": errors,
            "records": size,
            "embedding": unembedded,  # being embedded in the background; None: no encoder, BM25 matching only
        }

    @app.post("/api/factchecks/import", tags=["fact-checks"], summary="Import a fact-check file (write token)")
    def api_import(
        file: Annotated[UploadFile, File()],
        authorization: Annotated[str | None, Header()] = None,
        x_presslens_token: Annotated[str | None, Header()] = None,
    ) -> Any:
        return import_file(file, _token(authorization, x_presslens_token))

    @app.post("/factchecks/import", response_class=HTMLResponse, include_in_schema=False)
    def import_page(
        file: Annotated[UploadFile, File()], token: Annotated[str, Form(max_length=500)] = ""
    ) -> HTMLResponse:
        done = import_file(file, token or None)
        d = fact_checks("", 1, 20)
        return html("factchecks.html", title="Fact-checks", d=d, imported=done, **_common(settings, None, "factchecks"))

    # -- API documentation without a CDN ----------------------------------------------------------------------
    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        spec = app.openapi()
        ops = [
            {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "params": [
                    {
                        "name": p["name"],
                        "in": p["in"],
                        "description": p.get("description") or _type(p.get("schema", {})),
                    }
                    for p in op.get("parameters", [])
                ],
                "body": "requestBody" in op,
            }
            for path, methods in spec["paths"].items()
            for method, op in methods.items()
        ]
        return html("docs.html", title="API", ops=ops, **_common(settings, "/openapi.json", "docs"))

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> PlainTextResponse:
        return PlainTextResponse("User-agent: *\nDisallow: /\n")


_IMPORTABLE = {".json", ".jsonl", ".csv", ".html", ".htm", ".tar", ".gz", ".tgz"}


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    return str(schema.get("type", ""))


def _qs(**params: Any) -> str:
    from presslens.web.render import qs

    return qs(params)


def _limits() -> dict[str, int]:
    return {"text_chars": MAX_TEXT_CHARS, "upload_bytes": MAX_UPLOAD_BYTES, "import_bytes": MAX_IMPORT_BYTES}


def _read_upload(upload: UploadFile, limit: int) -> bytes:
    raw = upload.file.read(limit + 1)
    if len(raw) > limit:
        raise HTTPProblem(413, f"the file is larger than {limit // (1024 * 1024)} MB")
    return raw


__all__ = ["create_app"]
