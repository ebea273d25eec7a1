"""How an article persuades: technique spans, paragraph techniques, frames and genre."""

from presslens.persuasion.detect import DEFAULT_MODEL_PATH, detect_persuasion, load_models

__all__ = ["DEFAULT_MODEL_PATH", "detect_persuasion", "load_models"]
