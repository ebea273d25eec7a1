"""Which technique model runs: the fine-tuned tagger by default, the lexical one with ``--fast`` or without the
``accurate`` extra (one note on stderr), and the same spans from ONNX Runtime as from torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import presslens
from conftest import run_cli
from presslens.options import Options, OptionsError
from presslens.persuasion.detect import FAST_MODEL_NAME

# our own text: loaded words a lexicon knows and the fine-tuned model tags differently
LOADED = (
    "The corrupt, treacherous elites have betrayed our great nation once again.\n"
    "These shameless traitors and their lying puppets in the media will stop at nothing to destroy everything "
    "we hold dear.\n"
    "The committee will meet on Tuesday at 10 a.m. in room 4 of the town hall.\n"
)

# The shipped model's package hidden from imports: what a user without the accurate extra sees.
WITHOUT_EXTRA = """
import sys
from importlib.abc import MetaPathFinder

class Hide(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "presslens_accurate_model":
            raise ModuleNotFoundError(name)
        return None

sys.meta_path.insert(0, Hide())
from presslens.cli import main
sys.exit(main(sys.argv[1:]))
"""


# every span, whatever display threshold the model's sidecar sets (Options.min_confidence, where it exists)
ALL_SPANS = {"min_confidence": 0.0} if "min_confidence" in Options.__dataclass_fields__ else {}


def _spans(a: presslens.Analysis) -> list[tuple[str, int, int]]:
    return [(t.technique, t.start, t.end) for t in a.techniques]


def test_fast_runs_the_lexical_model():
    a = presslens.analyze(LOADED, components=("techniques",), fast=True)
    assert a.models["techniques"] == FAST_MODEL_NAME


def test_the_default_runs_the_fine_tuned_tagger_and_its_spans_differ_from_fast():
    pytest.importorskip("torch", reason="the fine-tuned tagger needs the accurate extra")
    pytest.importorskip("presslens_accurate_model", reason="the fine-tuned tagger needs the accurate extra")
    default = presslens.analyze(LOADED, components=("techniques",), **ALL_SPANS)
    fast = presslens.analyze(LOADED, components=("techniques",), fast=True, **ALL_SPANS)
    assert default.models["techniques"].startswith("persuasion-accurate-v1")
    assert "1 of its 2 members" in default.models["techniques"]
    assert default.techniques, "the fine-tuned tagger found nothing in an openly loaded text"
    assert _spans(default) != _spans(fast)
    for t in default.techniques:
        assert default.text[t.start : t.end] == t.text


def test_onnx_runtime_gives_the_spans_of_torch():
    pytest.importorskip("onnxruntime", reason="the ONNX Runtime path needs the accurate extra")
    pytest.importorskip("presslens_accurate_model", reason="the fine-tuned tagger needs the accurate extra")
    from presslens.persuasion.accurate import load_accurate
    from presslens.persuasion.data import lines_of

    lines = lines_of(LOADED)
    by_onnx = load_accurate(None, members=1, backend="onnx")
    by_torch = load_accurate(None, members=1, backend="torch")
    assert (by_onnx.backend, by_torch.backend) == ("onnx", "torch")
    spans_onnx, lines_onnx = by_onnx.predict(LOADED, lines, threshold=0.3)
    spans_torch, lines_torch = by_torch.predict(LOADED, lines, threshold=0.3)
    assert spans_onnx, "nothing to compare"
    assert [s[:3] for s in spans_onnx] == [s[:3] for s in spans_torch]
    assert max(abs(a[3] - b[3]) for a, b in zip(spans_onnx, spans_torch, strict=True)) < 1e-4
    assert abs(lines_onnx - lines_torch).max() < 1e-4


def _run_without_extra(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_without_the_extra_the_default_falls_back_to_lexical_with_one_note(tmp_path):
    for n in range(6):  # several articles: two worker processes, still one note
        (tmp_path / f"a{n}.txt").write_text(LOADED, encoding="utf-8")
    r = _run_without_extra("analyze", str(tmp_path), "-f", "json", "--no-kb", "--workers", "2", "--no-progress")
    assert r.returncode == 0, r.stderr
    notes = [line for line in r.stderr.splitlines() if "note:" in line]
    assert len(notes) == 1 and "lexical" in notes[0] and "pip install" in notes[0], r.stderr
    assert "Traceback" not in r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(records) == 6 and all(x["models"]["techniques"] == FAST_MODEL_NAME for x in records)


def test_without_the_extra_an_explicit_accurate_is_an_error(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(LOADED, encoding="utf-8")
    r = _run_without_extra("analyze", str(src), "--accurate", "--no-kb")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "not installed" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_fast_with_a_fine_tuned_model_is_an_options_error(tmp_path):
    with pytest.raises(OptionsError, match="exclude each other"):
        Options(fast=True, accurate_model=str(tmp_path / "m.safetensors"))
    with pytest.raises(OptionsError, match="exclude each other"):
        Options(fast=True, accurate=True)
    with pytest.raises(OptionsError, match="True or False"):
        Options(fast="yes")  # type: ignore[arg-type]
    src = tmp_path / "a.txt"
    src.write_text(LOADED, encoding="utf-8")
    r = run_cli("analyze", str(src), "--fast", "--accurate-model", str(tmp_path / "m.safetensors"))
    assert r.returncode != 0 and "exclude each other" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
