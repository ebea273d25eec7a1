"""The spaCy base every component reads: tokens, sentences, dependencies and named entities."""

from presslens.nlp.chunked import CHUNK_CHARS, chunk_bounds, parse, parse_many
from presslens.nlp.pipeline import DEFAULT_MODELS, load_pipeline

__all__ = ["CHUNK_CHARS", "DEFAULT_MODELS", "chunk_bounds", "load_pipeline", "parse", "parse_many"]
