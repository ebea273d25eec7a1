"""Running a tagger with ONNX Runtime: the fine-tuned model exported once to the user's cache, then scored one
window at a time (no padding).

The export is built locally at first use from the installed weights (nothing is downloaded; 90 MB for one member,
130 MB for two, embeddings included) and kept under ``cache_root()/accurate-onnx``, named by a hash of the model files it was built from, so a retrained model gets
a new export. It holds the members' mean piece probability, so an ensemble is one session. Same probabilities as
torch to about 2e-6 and the same spans (docs/benchmarks.md); about 1.7× faster than torch on this machine's CPU.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from presslens.nlp.onnx import ForkSafeSession, export_dir, onnxruntime_available, quantized
from presslens.nlp.onnx import export as onnx_export
from presslens.persuasion.accurate.config import LABELS

__all__ = ["OnnxScorer", "export", "export_dir", "export_path", "onnxruntime_available", "quantized"]

if TYPE_CHECKING:
    from presslens.persuasion.accurate.encoding import Row
    from presslens.persuasion.accurate.network import Tagger

EXPORT_VERSION = "2"  # bump when the exported graph changes (2: the first member's states as a second output)


def export_path(files: list[Path]) -> Path:
    """Where the export of these member files (and their sidecar) is cached."""
    digest = hashlib.sha256(EXPORT_VERSION.encode())
    for f in [*files, files[0].with_suffix(".json")]:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return export_dir() / f"{files[0].stem}-{len(files)}m-{digest.hexdigest()[:16]}.onnx"


def export(members: list[Tagger], out: Path) -> Path:
    """Write the members' mean piece probability as an ONNX graph (ids, attention mask → probabilities, and the
    first member's last hidden states, which the claims ranker reads: one encoder pass for both)."""
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList(members)

        def forward(self, ids: torch.Tensor, att: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            members: list[Any] = list(self.members)
            states = [m.encoder(input_ids=ids, attention_mask=att).last_hidden_state for m in members]
            probs = torch.stack([torch.sigmoid(m.head(h)) for m, h in zip(members, states, strict=True)]).mean(0)
            return probs, states[0]

    axes = {0: "batch", 1: "pieces"}
    return onnx_export(Probabilities(), out, {"probabilities": axes, "states": axes})


class OnnxScorer:
    """Piece probabilities for rows, one window a call: no padding, so no compute spent on it."""

    def __init__(self, path: Path) -> None:
        # a worker of many (the pipeline sets OMP_NUM_THREADS=1 there) uses one core; alone, ORT's default
        self.session = ForkSafeSession(path)

    def __call__(self, rows: list[Row]) -> list[np.ndarray]:
        return self.run(rows)[0]

    def run(self, rows: list[Row]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Piece probabilities and the first member's hidden states (pieces × width), one pair per row."""
        probs: list[np.ndarray] = []
        states: list[np.ndarray] = []
        for r in rows:
            ids = np.asarray([r.ids], dtype=np.int64)
            p, h = self.session.run(None, {"ids": ids, "att": np.ones_like(ids)})
            probs.append(p[0].reshape(-1, len(LABELS)))
            states.append(h[0])
        return probs, states
