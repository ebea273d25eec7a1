"""Reading articles: plain text, HTML pages, JSON Lines records, directories, globs and stdin; web pages by URL,
RSS/Atom feeds and sitemaps (by URL or as a file: the pages they link to are fetched, ``web``), WARC files
(``warc``).

Everything ends up as an :class:`Article` whose ``text`` is the normalised text that every
offset refers to. Fetching (``fetch``) is http(s) only, with a time and a size limit; a page that cannot be
fetched or read is an ``InputError`` in the article's place, as a bad file is.
"""

from presslens.ingest.article import Article, article_from_html, article_from_text, looks_like_html
from presslens.ingest.normalize import normalize_text
from presslens.ingest.sources import DEFAULT_MAX_BYTES, article_from_input, iter_articles, names_collection

__all__ = [
    "Article",
    "DEFAULT_MAX_BYTES",
    "article_from_html",
    "article_from_input",
    "article_from_text",
    "iter_articles",
    "looks_like_html",
    "names_collection",
    "normalize_text",
]
