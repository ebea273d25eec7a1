"""Running the components over articles: one at a time, or many across processes."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from presslens.entities import cluster_entities
from presslens.errors import InputError, PressLensError
from presslens.ingest import Article, article_from_html, article_from_text, looks_like_html
from presslens.model import Analysis
from presslens.nlp import load_pipeline
from presslens.quotes import extract_quotes

Item = Article | InputError
COMPONENTS = ("quotes", "techniques", "claims")


def analyze(
    text_or_html: str,
    *,
    id: str = "article",
    url: str | None = None,
    date: str | None = None,
    source: str | None = None,
    author: str | None = None,
    spacy_model: str | None = None,
    components: tuple[str, ...] = COMPONENTS,
    kb: str | None = None,
    accurate: bool | str = False,
) -> Analysis:
    """Analyse one article given as plain text or as an HTML page.

    ``components``: "quotes" (entities, quotes, speakers), "techniques" (technique spans, paragraph techniques,
    frames, genre) and/or "claims"; ``kb``: a fact-check knowledge base to match claims to; ``accurate``: technique
    spans and paragraphs from the fine-tuned encoder (needs the ``semantic`` extra; ~0.5 s per article): True for
    the shipped model, or the path of one trained with ``presslens train techniques --accurate --out FILE``.
    """
    meta = {"url": url, "date": date, "source": source, "author": author}
    make = article_from_html if looks_like_html(text_or_html) else article_from_text
    article = make(text_or_html, id=id, origin=id, **meta)
    return analyze_article(article, spacy_model=spacy_model, components=components, kb=kb, accurate=accurate)


def analyze_article(
    article: Article,
    *,
    spacy_model: str | None = None,
    components: tuple[str, ...] = COMPONENTS,
    kb: str | None = None,
    accurate: bool | str = False,
) -> Analysis:
    nlp = load_pipeline(spacy_model)
    return analyze_doc(article, nlp(article.text), components, kb, accurate)


def analyze_doc(
    article: Article, doc, components: tuple[str, ...] = COMPONENTS, kb: str | None = None, accurate: bool | str = False
) -> Analysis:
    """The components, in order, over one parsed document; ``kb``: a fact-check knowledge base to match claims to.

    Claims are attributed through quotes, so "claims" runs the quote step too.
    """
    analysis = Analysis(id=article.id, text=article.text, title=article.title, metadata=article.metadata)
    if "quotes" in components or "claims" in components:
        index = cluster_entities(doc)
        analysis.entities = index.entities
        analysis.quotes = extract_quotes(doc, index)
    if "techniques" in components:
        from presslens.persuasion import detect_persuasion, load_accurate

        detect_persuasion(analysis, accurate=load_accurate(_model_file(accurate)) if accurate else None)
    if "claims" in components:
        from presslens.claims import detect_claims

        detect_claims(analysis, doc)
        if kb is not None:
            from presslens.factchecks.match import match_claims, matcher_for

            match_claims(analysis, matcher_for(str(kb)), _match_threshold, top=_match_top)
    return analysis


# -- batches -----------------------------------------------------------------------------------
_worker_model: str | None = None
_worker_components: tuple[str, ...] = COMPONENTS
_worker_kb: str | None = None
_worker_accurate: bool | str = False


def _model_file(accurate: bool | str) -> str | None:
    """``accurate`` as a model path for load_accurate: None for the shipped model."""
    return accurate if isinstance(accurate, str) else None


_match_threshold = 0.5
_match_top = 3


def configure_matching(threshold: float = 0.5, top: int = 3) -> None:
    """Fact-check matching: show matches with probability ≥ ``threshold`` (docs/evaluation.md); look up the
    ``top`` claims of each article, disputed ones first, then the most check-worthy (0 = all; docs/benchmarks.md)."""
    global _match_threshold, _match_top
    _match_threshold, _match_top = threshold, top


def _init_worker(
    spacy_model: str | None,
    components: tuple[str, ...],
    kb: str | None,
    matching: tuple[float, int],
    accurate: bool | str,
) -> None:
    global _worker_model, _worker_components, _worker_kb, _worker_accurate
    _worker_model, _worker_components, _worker_kb, _worker_accurate = spacy_model, components, kb, accurate
    configure_matching(*matching)
    _limit_torch_threads()
    load_pipeline(spacy_model)


def _limit_torch_threads() -> None:
    """Workers share the cores: one thread each for the sentence encoder, as spaCy uses."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"


def _analyze_chunk(
    articles: list[Article],
    spacy_model: str | None = None,
    components: tuple[str, ...] | None = None,
    kb: str | None = None,
    accurate: bool | str | None = None,
) -> list[Analysis | InputError]:
    nlp = load_pipeline(spacy_model if spacy_model is not None else _worker_model)
    components = components if components is not None else _worker_components
    kb = kb if kb is not None else _worker_kb
    accurate = accurate if accurate is not None else _worker_accurate
    out: list[Analysis | InputError] = []
    docs = nlp.pipe((a.text for a in articles), batch_size=16)
    for article in articles:
        try:
            out.append(analyze_doc(article, next(docs), components, accurate=accurate))
        except PressLensError as exc:
            out.append(InputError(article.id, str(exc)))
        except Exception as exc:  # a bug must not sink the batch: report the record and go on
            out.append(InputError(article.id, f"analysis failed ({type(exc).__name__}: {exc})"))
    if kb is not None and "claims" in components:
        from presslens.factchecks.match import match_many, matcher_for

        good = [a for a in out if isinstance(a, Analysis)]
        try:  # the whole chunk's claims in one encoder batch
            match_many(good, matcher_for(str(kb)), _match_threshold, top=_match_top)
        except PressLensError:
            raise
        except Exception as exc:  # matching must not lose the analyses: they go out unmatched
            for a in good:
                a.fact_checks = []
            print(f"presslens: fact-check matching failed ({type(exc).__name__}: {exc})", file=sys.stderr)
    return out


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def analyze_many(
    items: Iterable[Item],
    *,
    spacy_model: str | None = None,
    workers: int = 1,
    chunk_size: int = 8,
    components: tuple[str, ...] = COMPONENTS,
    kb: str | None = None,
    accurate: bool | str = False,
) -> Iterator[Analysis | InputError]:
    """Analyse many articles in input order; input errors pass through in place.

    ``kb``: a fact-check knowledge base (SQLite file) to match the claims to; ``accurate``: the fine-tuned
    technique tagger (see ``analyze``).
    """
    chunks = _chunks(items, chunk_size)
    load_pipeline(spacy_model)  # fail early, once, with a clear message
    if "techniques" in components:
        from presslens.persuasion import load_accurate, load_models

        load_models()
        if accurate and workers <= 1:
            load_accurate(_model_file(accurate))  # a missing extra or model fails here, once
        elif accurate:  # workers load their own copy: torch must not have run in the parent before the fork
            from presslens.persuasion.finetune import check_accurate

            check_accurate(_model_file(accurate))
    if "claims" in components:
        from presslens.claims import load_checkworthiness

        load_checkworthiness()
        if kb is not None:
            from presslens.factchecks import KnowledgeBase
            from presslens.factchecks.match import matcher_for

            if workers <= 1:
                matcher_for(str(kb))
            else:
                KnowledgeBase(kb, readonly=True).close()  # a missing or foreign file fails here, once
    if workers <= 1:
        for chunk in chunks:
            yield from _run_chunk(chunk, lambda arts: _analyze_chunk(arts, spacy_model, components, kb, accurate))
        return
    with ProcessPoolExecutor(
        workers,
        initializer=_init_worker,
        initargs=(spacy_model, components, kb, (_match_threshold, _match_top), accurate),
    ) as pool:
        pending: deque = deque()
        for chunk in chunks:
            articles = [x for x in chunk if isinstance(x, Article)]
            pending.append((chunk, pool.submit(_analyze_chunk, articles) if articles else None))
            while len(pending) > workers * 3:
                yield from _collect(*pending.popleft())
        while pending:
            yield from _collect(*pending.popleft())


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run_chunk(chunk: list[Item], fn) -> Iterator[Analysis | InputError]:
    articles = [x for x in chunk if isinstance(x, Article)]
    return _merge(chunk, fn(articles) if articles else [])


def _collect(chunk: list[Item], future) -> Iterator[Analysis | InputError]:
    return _merge(chunk, future.result() if future is not None else [])


def _merge(chunk: list[Item], results: list[Analysis | InputError]) -> Iterator[Analysis | InputError]:
    """The chunk in input order: its input errors as they were, its articles replaced by their results."""
    done = iter(results)
    for item in chunk:
        yield item if isinstance(item, InputError) else next(done)
