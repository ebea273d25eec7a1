"""all-MiniLM-L6-v2 as a sentence encoder on ONNX Runtime, int8: the corpus claim clusterer's encoder.

``presslens ingest`` embeds every claim it stores (to group the same claim across articles); with the
sentence-transformers model on torch that cost about a third of the analysis' own CPU time, most of the ingest
overhead. The same network exported once to ONNX (mean pooling inside the graph), quantised to int8 and fed
length-sorted batches gives vectors within about 0.01 cosine of torch's (tests/test_sentence_onnx.py) for about a
quarter of the CPU time (docs/benchmarks.md "Ingest overhead"; the clusters it makes: docs/evaluation.md "Corpus
links"). The export is built locally at first use from the installed
weights (nothing is downloaded) and cached beside the tagger's exports, named by a hash of the weights.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from presslens.nlp.minilm import minilm_path
from presslens.nlp.onnx import ForkSafeSession, export, export_dir, onnxruntime_available, quantized

if TYPE_CHECKING:
    from numpy.typing import NDArray

EXPORT_VERSION = "1"
NAME = "all-MiniLM-L6-v2"


class OnnxSentenceEncoder:
    """``encode(texts)`` → unit vectors, as ``factchecks.encoder.Encoder`` gives them."""

    def __init__(self, model: Path, tokenizer: Path, max_seq_length: int = 128, threads: int = 0) -> None:
        from tokenizers import Tokenizer

        self.name = NAME
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        self.session = ForkSafeSession(model, threads)

    def encode(self, texts: list[str], batch_size: int = 32) -> NDArray[np.float32]:
        out = np.zeros((len(texts), 384), np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(
            range(len(texts)), key=lambda i: len(encodings[i].ids)
        )  # batches of like lengths: little padding
        for k in range(0, len(order), batch_size):
            rows = order[k : k + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), np.int64)
            att = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n], att[j, :n] = encodings[i].ids, 1
            (pooled,) = self.session.run(None, {"ids": ids, "att": att})
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def load_onnx_encoder(threads: int = 0) -> OnnxSentenceEncoder | None:
    """The int8 ONNX encoder (built at first use), or None without onnxruntime or the MiniLM package."""
    folder = minilm_path()
    if folder is None or not onnxruntime_available():
        return None
    weights = folder / "model.safetensors"
    digest = hashlib.sha256(EXPORT_VERSION.encode() + weights.read_bytes()).hexdigest()[:16]
    path = export_dir() / f"minilm-sentence-{digest}.onnx"
    if not path.exists():
        _export(folder, path)
    return OnnxSentenceEncoder(quantized(path), folder / "tokenizer.json", threads=threads)


def _export(folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its "Loading weights" bar is noise on a terminal and in a piped log
    torch.set_num_threads(1)  # as the ingest writer's torch runs: no thread pool in a process that forks workers later

    class MeanPooled(torch.nn.Module):  # what sentence-transformers' Transformer + Pooling(mean) modules compute
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(folder))

        def forward(self, ids: torch.Tensor, att: torch.Tensor) -> torch.Tensor:
            states = self.bert(input_ids=ids, attention_mask=att).last_hidden_state
            mask = att.unsqueeze(-1).to(states.dtype)
            return (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    export(MeanPooled(), out, {"pooled": {0: "batch"}}, batch=2)
