"""Persuasion techniques, paragraphs, frames and genre: metrics, data reading and the shipped models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import presslens
from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.labels import DEFINITIONS, FRAMES, GENRES, TECHNIQUES
from presslens.persuasion.data import line_labels, lines_of


def test_label_sets():
    assert len(TECHNIQUES) == 23 and len(FRAMES) == 14 and set(GENRES) == {"opinion", "reporting", "satire"}
    assert set(DEFINITIONS) == set(TECHNIQUES)


def test_lines_count_blank_lines():
    text = "First line\n\nThird line\nFourth"
    assert lines_of(text) == [(1, 0, 10), (3, 12, 22), (4, 23, 29)]
    labels = line_labels(text, [("Doubt", 5, 14), ("Slogans", 24, 26)])
    assert labels == {1: {"Doubt"}, 3: {"Doubt"}, 4: {"Slogans"}}


def test_repair_offsets_snaps_drifted_spans_to_the_exact_anchors():
    from presslens.persuasion.data import repair_offsets

    text = "They called it a gradual invasion of Ukraine."
    exact = (text.index("gradual"), text.index(" of"))
    anchors = [("Loaded_Language", *exact)]
    drifted = [("Loaded_Language", exact[0] + 2, exact[1] + 2), ("Doubt", 0, 4), ("Slogans", 20, 40)]
    spans, moved = repair_offsets(drifted, anchors)
    assert moved == 1 and text[spans[0][1] : spans[0][2]] == "gradual invasion"
    assert spans[1:] == drifted[1:]  # exact or without a near anchor: untouched


def test_span_f1_partial_credit():
    gold = [[("Doubt", 0, 10), ("Loaded_Language", 20, 30)]]
    pred = [[("Doubt", 5, 15), ("Slogans", 20, 25)]]
    aware = span_f1(gold, pred, aware=True)
    # Doubt: overlap 5 -> precision 5/10 for that span, recall 5/10; the Slogans span earns nothing.
    assert aware.precision == pytest.approx(0.5 / 2) and aware.recall == pytest.approx(0.5 / 2)
    agnostic = span_f1(gold, pred, aware=False)
    assert agnostic.precision == pytest.approx((0.5 + 1.0) / 2) and agnostic.recall == pytest.approx((0.5 + 0.5) / 2)


def test_multilabel_f1_micro_and_macro():
    scores = multilabel_f1([{"A"}, {"A", "B"}, set()], [{"A"}, {"B"}, {"B"}])
    assert scores["micro_precision"] == pytest.approx(2 / 3) and scores["micro_recall"] == pytest.approx(2 / 3)
    assert scores["macro_f1"] == pytest.approx((2 * 1 * 0.5 / 1.5 + 2 * 0.5 * 1 / 1.5) / 2)


def test_analysis_has_techniques_paragraphs_frames_genre(example_text):
    a = presslens.analyze(example_text, min_confidence=0)
    assert a.genre is not None and a.genre.label in GENRES and 0 <= a.genre.confidence <= 1
    assert all(f.label in FRAMES for f in a.frames)
    lines = lines_of(a.text)
    assert [(p.index, p.start, p.end) for p in a.paragraphs] == lines
    for t in a.techniques:
        assert t.technique in TECHNIQUES and a.text[t.start : t.end] == t.text and 0 <= t.confidence <= 1
        if t.quote:
            q = next(q for q in a.quotes if q.id == t.quote)
            assert q.start <= t.start and t.end <= q.end
    data = json.loads(a.to_json())
    assert {"techniques", "paragraphs", "frames", "genre"} <= set(data)


def test_loaded_language_is_found_in_a_loaded_text():
    text = (
        "The corrupt, treacherous elites have betrayed our great nation once again. These shameless traitors "
        "and their lying puppets in the media will stop at nothing to destroy everything we hold dear. "
        "Wake up, patriots: this disgraceful regime is a disaster!"
    )
    a = presslens.analyze(text, min_confidence=0)  # every span found, shown or not: what the model finds
    assert a.techniques, "no technique found in an openly loaded text"
    assert {t.technique for t in a.techniques} & {"Loaded_Language", "Name_Calling-Labeling", "Flag_Waving"}


def test_fast_mode_says_so():  # the default is the fine-tuned tagger: tests/test_technique_model_choice.py
    from presslens.persuasion.detect import FAST_MODEL_NAME

    a = presslens.analyze("The corrupt elites betrayed us again.", components=("techniques",), fast=True)
    assert a.models["techniques"] == FAST_MODEL_NAME
    assert json.loads(a.to_json())["models"] == {"techniques": FAST_MODEL_NAME}
    assert presslens.Analysis.from_dict(json.loads(a.to_json())).models == a.models


def test_classifiers_share_a_transform_only_when_fitted_alike():
    from presslens.persuasion.lexical import TextClassifier

    texts = [
        f"The {w} minister said the {w} budget would grow, critics disagreed." for w in ("new", "old", "first")
    ] * 3
    frames = TextClassifier(["Economic"]).fit(texts, [{"Economic"}, set(), set()] * 3)
    genre = TextClassifier(["opinion", "reporting"], multilabel=False).fit(
        texts, ["opinion", "reporting", "opinion"] * 3
    )
    other = TextClassifier(["opinion", "reporting"], multilabel=False).fit(
        [t.replace("budget", "army") for t in texts], ["opinion", "reporting", "opinion"] * 3
    )
    assert genre.same_features(frames) and not other.same_features(frames)


def test_components_can_run_alone(example_text):
    only_quotes = presslens.analyze(example_text, components=("quotes",))
    assert only_quotes.quotes and not only_quotes.techniques and only_quotes.genre is None
    only_tech = presslens.analyze(example_text, components=("techniques",))
    assert not only_tech.quotes and only_tech.frames is not None and only_tech.genre is None  # genre needs quotes


def test_reports_show_techniques(example_text):
    a = presslens.analyze(example_text, min_confidence=0)
    assert a.techniques, "the shipped model finds no technique span in the example: a regression"
    page = a.to_html()
    assert '<span class="tech' in page and 'data-layer="tech"' in page
    assert "Persuasion techniques" in a.to_text()


@pytest.mark.slow
def test_train_and_eval_commands_on_a_small_corpus(shared_data, tmp_path):
    """Retraining works from the shared data (a small subset, no cross-validation, to stay fast)."""
    subset = tmp_path / "corpus"
    (subset / "articles").mkdir(parents=True)
    src = shared_data / "persuasion"
    for p in sorted((src / "articles").glob("*.txt"))[:40]:
        (subset / "articles" / p.name).symlink_to(p.resolve())
    for name in ("spans-23.tsv", "frames.tsv", "genre.tsv"):
        (subset / name).symlink_to((src / name).resolve())
    out = tmp_path / "m.npz"
    cmd = [sys.executable, "-m", "presslens.cli"]
    r = subprocess.run(
        [*cmd, "train", "persuasion", "--data", str(subset), "--out", str(out), "--cv", "0"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [*cmd, "eval", "persuasion", "--gold", str(subset), "--models", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout)
    assert scores["articles"] == 40 and scores["paragraphs"]["micro_f1"] > 0.3  # in-sample: the model saw these
