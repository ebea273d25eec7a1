"""How an article persuades: technique spans, paragraph techniques, frames and genre.

Two tiers: the lexical models (default, milliseconds per article) and an accurate fine-tuned encoder for the
spans and paragraphs (``load_accurate``; ``analyze --accurate``), which needs the ``semantic`` extra.
"""

from presslens.persuasion.detect import DEFAULT_MODEL_PATH, detect_persuasion, load_models


def load_accurate(path: str | None = None, quantize: bool = False):
    """The accurate technique tagger (imports torch; see ``presslens.persuasion.finetune``)."""
    from presslens.persuasion.finetune import load_accurate as _load

    return _load(path, quantize)


__all__ = ["DEFAULT_MODEL_PATH", "detect_persuasion", "load_accurate", "load_models"]
