"""The analyse page's work: one article at a time in a worker process that can be stopped at the time limit.

A thread cannot be stopped, so an analysis that runs too long (a pathological input) would keep a core busy
after its request gave up; a process is killed instead, and a fresh one started for the next request. The
worker loads the models once (before the first time limit starts) and keeps them.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from presslens.errors import PressLensError
from presslens.ingest import Article
from presslens.model import Analysis
from presslens.options import Options

DEFAULT_TIMEOUT_S = 60.0
START_TIMEOUT_S = 600.0  # loading the models, once per worker


class AnalysisTimeout(PressLensError):
    pass


class Busy(PressLensError):
    pass


@dataclass
class Outcome:
    analysis: Analysis
    version: int | None  # the stored version, when saved


def _worker(conn: Connection, options: Options, db: str | None) -> None:  # pragma: no cover - another process
    from presslens.pipeline import analyze_article, pipeline_for

    try:
        pipeline_for(options)
        conn.send(("ready", None))
    except Exception as exc:
        conn.send(("error", f"cannot load the analysis models ({type(exc).__name__}: {exc})"))
        return
    while True:
        try:
            article, save = conn.recv()
        except EOFError:
            return
        try:
            analysis = analyze_article(article, options=options)
            version = _save(analysis, db) if save else None
            conn.send(("ok", Outcome(analysis, version)))
        except PressLensError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:
            conn.send(("error", f"analysis failed ({type(exc).__name__}: {exc})"))


def _save(analysis: Analysis, db: str | None) -> int | None:  # pragma: no cover - another process
    from sqlalchemy import select

    from presslens.corpus.ingest import load_clusterer
    from presslens.corpus.write import article_key, start_run, store_batch
    from presslens.store import open_engine, schema

    engine = open_engine(db, create=False)
    try:
        store_batch(engine, [analysis], start_run(engine, "serve: analyse"), load_clusterer())
        a, v = schema.articles.c, schema.versions.c
        with engine.connect() as conn:
            return conn.execute(
                select(v.id)
                .join(schema.articles, a.id == v.article_id)
                .where(a.key == article_key(analysis), v.current.is_(True))
            ).scalar()
    finally:
        engine.dispose()


class Analyser:
    """Analyses one article at a time in a worker process, each within ``timeout`` seconds."""

    def __init__(self, options: Options, db: str | None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.options, self.db, self.timeout = options, db, timeout
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        ctx = mp.get_context("spawn")  # never fork a server with threads
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker, args=(child, self.options, self.db), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        if not parent.poll(START_TIMEOUT_S):
            self._stop()
            raise AnalysisTimeout("the analysis models did not load in time")
        status, message = parent.recv()
        if status != "ready":
            self._stop()
            raise PressLensError(message)
        return parent

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def analyse(self, article: Article, save: bool = False) -> Outcome:
        if not self._lock.acquire(timeout=self.timeout):
            raise Busy("another analysis is running; try again in a minute")
        try:
            conn = self._start()
            conn.send((article, save))
            if not conn.poll(self.timeout):
                self._stop()  # killed: its models are loaded again for the next request
                raise AnalysisTimeout(f"the analysis took longer than {self.timeout:g} s and was stopped")
            try:
                status, payload = conn.recv()
            except EOFError:
                self._stop()
                raise PressLensError("the analysis process ended unexpectedly") from None
            if status != "ok":
                raise PressLensError(payload)
            return payload
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._stop()
