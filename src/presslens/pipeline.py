"""Running the registered components over articles: one at a time, or many across processes.

A :class:`Pipeline` is spaCy plus the components named in an :class:`~presslens.options.Options`, built
once per process and options (``pipeline_for``): in the caller's process, and in each worker by its
initializer (the warm-up).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from presslens import registry
from presslens.errors import InputError, PressLensError
from presslens.ingest import Article, article_from_input
from presslens.model import Analysis
from presslens.nlp import load_pipeline, parse, parse_many
from presslens.nlp.onnx import fork_is_safe
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
        analysis.components = tuple(name for name, _ in self.components)
        for _, component in self.components:
            component(analysis, doc)
        return analysis

    def analyze_articles(self, articles: list[Article]) -> list[Result]:
        """Parse and analyse a batch; a record that fails becomes an ``InputError`` in its place, and only it.

        A failure is caught where it happens: in the batch parse (the chunk is parsed again one article at a
        time), in a component, or in a ``finish`` hook (run again on each analysis alone).
        """
        out: list[Result] = []
        for article, doc in zip(articles, self.parse(articles), strict=True):
            if isinstance(doc, InputError):
                out.append(doc)
                continue
            try:
                out.append(self.analyze_doc(article, doc))
            except Exception as exc:  # a bug must not sink the batch: report the record and go on
                out.append(_failure(article, exc))
        good = [a for a in out if isinstance(a, Analysis)]
        try:
            self.finish(good)
        except Exception:  # one analysis broke the batch hook: each alone, so that only it fails
            for i, result in enumerate(out):
                if isinstance(result, Analysis):
                    try:
                        self.finish([result])
                    except Exception as exc:
                        out[i] = _failure(result, exc)
        return out

    def parse(self, articles: list[Article]) -> list[Doc | InputError]:
        """spaCy's batch parse, or, when it fails, one article at a time: a bad text fails alone."""
        try:
            return list(parse_many(self.nlp, (a.text for a in articles), batch_size=16))
        except Exception:
            return [self.parse_one(a) for a in articles]

    def parse_one(self, article: Article) -> Doc | InputError:
        try:
            return parse(self.nlp, article.text)
        except Exception as exc:
            return _failure(article, exc)

    def finish(self, analyses: list[Analysis]) -> None:
        """Each component's batch hook (``finish``), over the analyses of one batch."""
        for _, component in self.components:
            hook = getattr(component, "finish", None)
            if hook is not None:
                hook(analyses)


def _failure(article: Article | Analysis, exc: Exception) -> InputError:
    """An article's failure as the ``InputError`` reported in its place, named by the article's own id."""
    if isinstance(exc, PressLensError):
        return InputError(article.id, str(exc))
    return InputError(article.id, f"analysis failed ({type(exc).__name__}: {exc})")


@lru_cache(maxsize=4)
def pipeline_for(options: Options) -> Pipeline:
    return Pipeline(options)


def _options(options: Options | None, keywords: dict[str, Any]) -> Options:
    if options is not None and keywords:
        raise TypeError(f"pass either options or keyword options, not both ({', '.join(keywords)})")
    return options if options is not None else Options(**keywords)


def analyze(
    text_or_html: str | bytes | os.PathLike[str],
    *,
    id: str | None = None,
    url: str | None = None,
    date: str | None = None,
    source: str | None = None,
    author: str | None = None,
    options: Options | None = None,
    **option_keywords: Any,
) -> Analysis:
    """Analyse one article given as plain text or as an HTML page.

    A ``str`` is the article itself (never a file name); ``bytes`` are decoded as the command decodes a file
    (UTF-8, or UTF-16/32 with a byte-order mark); a ``pathlib.Path`` is read as the command reads a .txt or
    .html file (its stem is the default ``id``; a .jsonl file or a directory goes to ``analyze_many``). Anything
    else (``None``), binary data, or a lone surrogate is an :class:`InputError` with a one-line message.

    Options come as an :class:`Options` or as its keywords: ``components`` (registry names: "quotes",
    "techniques", "genre", "claims", "factchecks"; default: all), ``kb`` (a fact-check knowledge base to match claims to),
    ``accurate`` / ``accurate_model`` (technique spans from the fine-tuned encoder; needs the ``semantic``
    extra), ``spacy_model``, ``match_threshold``, ``match_top``.
    """
    article = article_from_input(text_or_html, id=id, url=url, date=date, source=source, author=author)
    return analyze_article(article, options=options, **option_keywords)


def analyze_article(article: Article, *, options: Options | None = None, **option_keywords: Any) -> Analysis:
    """Analyse one ingested article; errors are raised (``analyze_many`` reports them in place instead)."""
    pipeline = pipeline_for(_options(options, option_keywords))
    analysis = pipeline.analyze_doc(article, parse(pipeline.nlp, article.text))
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
    yield from _Pool(opts).run(chunks)


class _Pool:
    """Chunks across worker processes, in input order, surviving workers that die.

    A worker killed mid-chunk (a segfault, the OOM killer) breaks the whole pool: every chunk then in flight is
    lost to it. The pool is rebuilt, and the records of each lost chunk run again one at a time, each alone,
    so that the one that kills its worker again is found and reported, and the rest are analysed.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # forked (fast: the models' modules are imported already), unless ONNX Runtime ran here with a thread pool
        # (an analysis in this process before): a forked worker would hang in it; then started fresh
        context = None if fork_is_safe() else multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            self.options.workers, mp_context=context, initializer=_init_worker, initargs=(self.options,)
        )

    def _rebuild(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new()

    def _submit(self, articles: list[Article]) -> Future[list[Result]]:
        try:
            return self.pool.submit(_analyze_chunk, articles, self.options)
        except BrokenProcessPool as exc:  # broken since the last result was read: lost like the chunks in flight
            lost: Future[list[Result]] = Future()
            lost.set_exception(exc)
            return lost

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[Result]:
        pending: deque[tuple[list[Item], Future[list[Result]] | list[Result]]] = deque()
        try:
            for chunk in chunks:
                articles = [x for x in chunk if isinstance(x, Article)]
                pending.append((chunk, self._submit(articles) if articles else []))
                while len(pending) > self.options.workers * 3:
                    yield from self._next(pending)
            while pending:
                yield from self._next(pending)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _next(self, pending: deque[tuple[list[Item], Future[list[Result]] | list[Result]]]) -> Iterator[Result]:
        chunk, work = pending.popleft()
        if isinstance(work, Future):
            try:
                work = work.result()
            except BrokenProcessPool:
                work = self._recover(chunk, pending)
            except Exception:  # the chunk failed as a whole (its results would not pickle, ...): each alone
                work = self._one_by_one(chunk)
        yield from _merge(chunk, work)

    def _recover(
        self, chunk: list[Item], pending: deque[tuple[list[Item], Future[list[Result]] | list[Result]]]
    ) -> list[Result]:
        """The pool broke: settle every chunk that was in flight (done, or run again record by record) before
        anything new goes to the rebuilt pool, so that a record that crashes its worker again is alone in it."""
        self._rebuild()
        for i, (other, work) in enumerate(pending):
            if isinstance(work, Future):
                try:
                    pending[i] = (other, work.result())
                except Exception:
                    pending[i] = (other, self._one_by_one(other))
        return self._one_by_one(chunk)

    def _one_by_one(self, chunk: list[Item]) -> list[Result]:
        out: list[Result] = []
        for article in (x for x in chunk if isinstance(x, Article)):
            try:
                out.extend(self._submit([article]).result())
            except BrokenProcessPool:
                out.append(InputError(article.id, "analysis crashed the worker process"))
                self._rebuild()
            except Exception as exc:
                out.append(_failure(article, exc))
        return out


def _init_worker(options: Options) -> None:
    """The worker warm-up: spaCy and every chosen component, loaded before the first chunk arrives."""
    _limit_threads()
    pipeline_for(options)
    _limit_threads()  # the pools of libraries the components loaded


def _limit_threads() -> None:
    """Workers share the cores: one thread each for the encoders and for BLAS, as spaCy uses. A worker forked from
    a process that had loaded NumPy inherits its OpenBLAS pool of one thread per core, which OMP_NUM_THREADS set
    now no longer changes: threadpoolctl does."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


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
