"""The part-4 ingest on a Ray cluster (``presslens ingest --engine ray``) and the Parquet shards it writes.

``shards``: the shard format (one row per article: its key, digest, text and analysis JSON, or an error row);
``sources``: the inputs split into units that Ray reads in parallel; ``writer``: the single writer that puts
analyses into a store through :func:`presslens.corpus.write.store_batch`; ``load``: ``presslens load DIR``;
``job``: the Ray Data job. Only ``job`` imports Ray (the ``ray`` extra); shards load without it.
"""

from __future__ import annotations

from presslens.errors import PressLensError


class RayMissing(PressLensError):
    """``--engine ray`` without Ray installed."""


def require_ray() -> None:
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise RayMissing(
            "--engine ray needs Ray Data: pip install 'presslens[ray]' (or leave out --engine: the plain engine)"
        ) from None


__all__ = ["RayMissing", "require_ray"]
