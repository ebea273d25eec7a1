"""A corpus of stored analyses: ingest into the store, link speakers and claims across articles, ask questions.

``ingest(sources, db)`` analyses and stores articles; ``Corpus(db)`` answers the questions of ``presslens corpus``
as pandas DataFrames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from presslens.corpus import queries
from presslens.corpus.ingest import IngestReport, ingest
from presslens.store import StoreError, open_engine

if TYPE_CHECKING:
    import pandas as pd


class Corpus:
    """The store at ``db`` (a SQLite file or a ``postgresql://`` URL; default ``$PRESSLENS_DB``), read-only."""

    def __init__(self, db: str | Path | None = None) -> None:
        self.engine = open_engine(db, create=False)

    def rows(self, name: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """The rows of the query ``name`` (a function of :mod:`presslens.corpus.queries`)."""
        fn = getattr(queries, name, None)
        if fn is None or name.startswith("_") or not callable(fn):
            raise StoreError(f"no corpus query named {name!r}")
        with self.engine.connect() as conn:
            return list(fn(conn, *args, **kwargs))

    def _frame(self, name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows(name, *args, **kwargs))

    def stats(self) -> pd.DataFrame:
        return self._frame("stats")

    def speakers(self, top: int = 20) -> pd.DataFrame:
        return self._frame("speakers", top=top)

    def speaker(self, name: str, limit: int | None = None) -> pd.DataFrame:
        """Every quote (``limit``: the newest) of the most quoted speaker whose name (or a variant) contains
        ``name``."""
        found = self.rows("find_speakers", name)
        if not found:
            raise StoreError(f"no speaker named like {name!r}")
        return self._frame("speaker", found[0]["id"], limit)

    def quotes(self, search: str | None = None, **filters: Any) -> pd.DataFrame:
        return self._frame("search_quotes", search, **filters)

    def claims(self, since: str | None = None, top: int = 20) -> pd.DataFrame:
        return self._frame("claims", since=since, top=top)

    def claim(self, cluster_id: int, limit: int | None = None) -> pd.DataFrame:
        return self._frame("claim", cluster_id, limit)

    def techniques(
        self, by: str = "outlet", since: str | None = None, until: str | None = None, top: int | None = None
    ) -> pd.DataFrame:
        return self._frame("techniques", by, since=since, until=until, top=top)

    def errors(self) -> pd.DataFrame:
        return self._frame("errors")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Corpus", "IngestReport", "ingest"]
