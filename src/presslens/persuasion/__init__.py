"""How an article persuades: technique spans, paragraph techniques, frames and genre.

Two tiers: the lexical models (``lexical``; default, milliseconds per article, shipped in this package) and an
accurate fine-tuned encoder for the spans and paragraphs (``accurate``; ``load_accurate``, ``analyze --accurate``),
which needs the ``accurate`` extra: torch, the encoder and the ``presslens-accurate-model`` distribution.
"""

from presslens.persuasion.accurate import AccurateTagger, TrainConfig, check_accurate, load_accurate, train_accurate
from presslens.persuasion.detect import DEFAULT_MODEL_PATH, detect_persuasion, load_models
from presslens.persuasion.lexical import SpanTagger, TextClassifier

__all__ = [
    "DEFAULT_MODEL_PATH",
    "AccurateTagger",
    "SpanTagger",
    "TextClassifier",
    "TrainConfig",
    "check_accurate",
    "detect_persuasion",
    "load_accurate",
    "load_models",
    "train_accurate",
]
