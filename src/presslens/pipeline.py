"""Running the registered components over articles: one at a time, or many across processes.

A :class:`Pipeline` is spaCy plus the components named in an :class:`~presslens.options.Options`, built
once per process and options (``pipeline_for``): in the caller's process, and in each worker by its
initializer (the warm-up).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from presslens import registry
from presslens.errors import InputError, PressLensError
from presslens.ingest import Article, article_from_html, article_from_text, looks_like_html
from presslens.model import Analysis
from presslens.nlp import load_pipeline
from presslens.options import Options

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

Item = Article | InputError
Result = Analysis | InputError


class Pipeline:
    """spaCy and the chosen components, their models loaded (once: get one through ``pipeline_for``)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.nlp: Language = load_pipeline(options.spacy_model)
        self.components: list[tuple[str, Any]] = [
            (name, registry.get(name).factory(options)) for name in options.components
        ]

    def analyze_doc(self, article: Article, doc: Doc) -> Analysis:
        """Every component, in order, over one parsed article (no batch hooks: see ``analyze_articles``)."""
        analysis = Analysis(id=article.id, text=article.text, title=article.title, metadata=article.metadata)
        for _, component in self.components:
            component(analysis, doc)
        return analysis

    def analyze_articles(self, articles: list[Article]) -> list[Result]:
        """Parse and analyse a batch; a record that fails becomes an ``InputError`` in its place."""
        out: list[Result] = []
        docs = self.nlp.pipe((a.text for a in articles), batch_size=16)
        for article in articles:
            try:
                out.append(self.analyze_doc(article, next(docs)))
            except PressLensError as exc:
                out.append(InputError(article.id, str(exc)))
            except Exception as exc:  # a bug must not sink the batch: report the record and go on
                out.append(InputError(article.id, f"analysis failed ({type(exc).__name__}: {exc})"))
        good = [a for a in out if isinstance(a, Analysis)]
        for _, component in self.components:
            finish = getattr(component, "finish", None)
            if finish is not None:
                finish(good)
        return out


@lru_cache(maxsize=4)
def pipeline_for(options: Options) -> Pipeline:
    return Pipeline(options)


def _options(options: Options | None, keywords: dict[str, Any]) -> Options:
    if options is not None and keywords:
        raise TypeError(f"pass either options or keyword options, not both ({', '.join(keywords)})")
    return options if options is not None else Options(**keywords)


def analyze(
    text_or_html: str,
    *,
    id: str = "article",
    url: str | None = None,
    date: str | None = None,
    source: str | None = None,
    author: str | None = None,
    options: Options | None = None,
    **option_keywords: Any,
) -> Analysis:
    """Analyse one article given as plain text or as an HTML page.

    Options come as an :class:`Options` or as its keywords: ``components`` (registry names: "quotes",
    "techniques", "claims", "factchecks"; default: all), ``kb`` (a fact-check knowledge base to match claims to),
    ``accurate`` / ``accurate_model`` (technique spans from the fine-tuned encoder; needs the ``semantic``
    extra), ``spacy_model``, ``match_threshold``, ``match_top``.
    """
    meta = {"url": url, "date": date, "source": source, "author": author}
    make = article_from_html if looks_like_html(text_or_html) else article_from_text
    article = make(text_or_html, id=id, origin=id, **meta)
    return analyze_article(article, options=options, **option_keywords)


def analyze_article(article: Article, *, options: Options | None = None, **option_keywords: Any) -> Analysis:
    """Analyse one ingested article; errors are raised (``analyze_many`` reports them in place instead)."""
    pipeline = pipeline_for(_options(options, option_keywords))
    analysis = pipeline.analyze_doc(article, pipeline.nlp(article.text))
    for _, component in pipeline.components:
        finish = getattr(component, "finish", None)
        if finish is not None:
            finish([analysis])
    return analysis


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def analyze_many(items: Iterable[Item], *, options: Options | None = None, **option_keywords: Any) -> Iterator[Result]:
    """Analyse many articles in input order; input errors pass through in place.

    Takes the options of ``analyze`` plus ``workers`` (processes) and ``chunk_size`` (articles a task).
    """
    opts = _options(options, option_keywords)
    chunks = _chunks(items, opts.chunk_size)
    if opts.workers <= 1:
        pipeline = pipeline_for(opts)  # a missing model or extra fails here, once
        for chunk in chunks:
            yield from _merge(chunk, _run(chunk, pipeline.analyze_articles))
        return
    load_pipeline(opts.spacy_model)  # fail early, once, with a clear message
    for name in opts.components:
        registry.get(name).check(opts)
    with ProcessPoolExecutor(opts.workers, initializer=_init_worker, initargs=(opts,)) as pool:
        pending: deque[tuple[list[Item], Future[list[Result]] | None]] = deque()
        for chunk in chunks:
            articles = [x for x in chunk if isinstance(x, Article)]
            pending.append((chunk, pool.submit(_analyze_chunk, articles, opts) if articles else None))
            while len(pending) > opts.workers * 3:
                chunk, future = pending.popleft()
                yield from _merge(chunk, future.result() if future is not None else [])
        while pending:
            chunk, future = pending.popleft()
            yield from _merge(chunk, future.result() if future is not None else [])


def _init_worker(options: Options) -> None:
    """The worker warm-up: spaCy and every chosen component, loaded before the first chunk arrives."""
    _limit_torch_threads()
    pipeline_for(options)


def _limit_torch_threads() -> None:
    """Workers share the cores: one thread each for the sentence encoder, as spaCy uses."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"


def _analyze_chunk(articles: list[Article], options: Options) -> list[Result]:
    return pipeline_for(options).analyze_articles(articles)


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run(chunk: list[Item], fn: Callable[[list[Article]], list[Result]]) -> list[Result]:
    articles = [x for x in chunk if isinstance(x, Article)]
    return fn(articles) if articles else []


def _merge(chunk: list[Item], results: list[Result]) -> Iterator[Result]:
    """The chunk in input order: its input errors as they were, its articles replaced by their results."""
    done = iter(results)
    for item in chunk:
        yield item if isinstance(item, InputError) else next(done)
