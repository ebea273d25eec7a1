"""The spaCy base every component reads: tokens, sentences, dependencies and named entities."""

from presslens.nlp.pipeline import DEFAULT_MODELS, load_pipeline

__all__ = ["DEFAULT_MODELS", "load_pipeline"]
