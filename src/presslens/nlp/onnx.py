"""ONNX Runtime helpers shared by the models that run on it (the technique tagger, the sentence encoder)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def quantized(onnx: Path) -> Path:
    """The int8 version of an export (ONNX Runtime dynamic quantisation, per-channel weights), made once beside it.

    For the technique tagger, on two CV folds against the gold spans it moved every score by at most 0.0034 and ran
    about 1.5× faster (``experiments/onnx_int8_folds.py``), so the default analysis runs it; ``--accurate`` runs
    fp32. For the sentence encoder: docs/evaluation.md "Corpus links".
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = onnx.with_name(onnx.stem + "-int8.onnx")
    if out.exists():
        return out
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process first is for convolutional models
    # Two processes may build it at once: each works in a folder of its own (quantize_dynamic writes a
    # "-inferred" copy beside its input, so the input is linked there too), then the result replaces ``out`` whole.
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        source = Path(work) / onnx.name
        try:
            os.link(onnx, source)
        except OSError:
            shutil.copyfile(onnx, source)  # no hard links here
        tmp = Path(work) / out.name
        try:
            quantize_dynamic(str(source), str(tmp), per_channel=True, weight_type=QuantType.QInt8)
            os.replace(tmp, out)
        finally:
            logging.getLogger().setLevel(level)
    return out


_threaded = False  # a session with a pool of threads was made in this process (fork_is_safe)


def fork_is_safe() -> bool:
    """Whether a process forked now can use ONNX Runtime. After a session with a thread pool (``threads`` other
    than 1) was made here, a forked child hangs in ONNX Runtime: its next session or run waits on the pool, whose
    threads stayed in the parent. Worker pools then start their processes fresh (pipeline._Pool)."""
    return not _threaded


def session(path: Path, threads: int = 0):  # type: ignore[no-untyped-def]
    """An ONNX Runtime CPU session (``threads`` 0: ORT's default, every core)."""
    import onnxruntime as ort

    global _threaded
    _threaded = _threaded or threads != 1

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class ForkSafeSession:
    """An ONNX Runtime session that a forked process rebuilds before its first run there, with the threads the
    child asks for (``threads`` None: OMP_NUM_THREADS when (re)built, which an analysis worker sets to 1 after the
    fork; 0 or unset: ORT's default). Forking is safe only while no session has a thread pool (fork_is_safe)."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        self.path, self.threads = path, threads
        self._build()  # here, so that a bad model fails where it is loaded

    def _build(self) -> None:
        threads = self.threads if self.threads is not None else int(os.environ.get("OMP_NUM_THREADS") or 0)
        self.session = session(self.path, threads)
        self.pid = os.getpid()

    def run(self, outputs: list[str] | None, feeds: dict[str, Any]) -> list[Any]:
        if self.pid != os.getpid():
            self._build()
        return self.session.run(outputs, feeds)


def export_dir() -> Path:
    """Where exports are cached: ``$PRESSLENS_ONNX_CACHE`` (the test suite shares one across its tests), else
    ``cache_root()/accurate-onnx``."""
    from presslens.nlp.mpnet import cache_root

    return Path(os.environ.get("PRESSLENS_ONNX_CACHE") or cache_root() / "accurate-onnx")


def export(module: Any, out: Path, outputs: dict[str, dict[int, str]], batch: int = 1) -> Path:
    """Export a torch ``module`` taking (ids, att) word-piece tensors to ONNX at ``out``, whole or not at all (two
    processes may export at once); ``outputs``: each output's name and dynamic axes."""
    import torch

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=out.parent)
    os.close(fd)
    example = torch.ones((batch, 8), dtype=torch.long)
    axes = {0: "batch", 1: "pieces"}
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module.eval(),
                (example, example),
                tmp,
                input_names=["ids", "att"],
                output_names=list(outputs),
                dynamic_axes={"ids": axes, "att": axes, **outputs},
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
