"""The shipped lexical models are plain arrays (.npz) and JSON: loading them never unpickles anything."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from conftest import REPO
from presslens.errors import ModelError

SRC = REPO / "src" / "presslens"
NPZ_MODELS = [
    SRC / "persuasion" / "models" / "persuasion-v1.npz",
    SRC / "claims" / "models" / "checkworthiness-v1.npz",
    SRC / "genre" / "models" / "genre-v1.npz",
]
RERANKER = SRC / "factchecks" / "models" / "claim-matching-v1.json"

# Loads every shipped lexical model and uses it, with an audit hook that fails on any unpickling of a class or
# function (what a pickled model is made of), in a fresh interpreter so that nothing was loaded before.
NO_PICKLE = r"""
import sys
events = []
def hook(event, args):
    if event == "pickle.find_class":
        events.append(args)
        raise RuntimeError(f"unpickled {args}")
sys.addaudithook(hook)
import numpy as np
import presslens
from presslens.claims.checkworthiness import load_checkworthiness
from presslens.factchecks.match import load_reranker
from presslens.genre import load_genre_model
from presslens.persuasion.detect import load_models

models = load_models()
genre = load_genre_model().classify("Officials said on Monday that the talks would resume.", [])
spans = models["tagger"].predict_spans("The corrupt elites betrayed us.", [(0, 31)])
frames = models["frames"].predict_proba(["The army attacked the border."])
score = load_checkworthiness().score(["Unemployment fell by 3 percent last year."])
p = load_reranker().probability(np.array([[0.9, 1.0, 1.0, 1.0, 0.8, 0.5, 0.72]]))
a = presslens.analyze("The corrupt, treacherous elites have betrayed our great nation.", components=("techniques",))
assert spans and frames and 0 <= score[0] <= 1 and 0 <= p[0] <= 1 and a.frames is not None and 0 <= genre[1] <= 1
print("no unpickling" if not events else events)
"""


def test_loading_the_shipped_models_never_unpickles():
    r = subprocess.run([sys.executable, "-c", NO_PICKLE], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "no unpickling"


@pytest.mark.parametrize("path", NPZ_MODELS, ids=lambda p: p.name)
def test_model_files_are_arrays_and_json(path):
    with zipfile.ZipFile(path) as z:  # an .npz: one .npy per array, nothing else
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(path, allow_pickle=False) as npz:  # raises on an object array
        arrays = {name: npz[name] for name in npz.files}
    assert arrays and not any(a.dtype.hasobject for a in arrays.values())
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["format"] == 1 and meta["arrays"] == path.name
    assert not list(path.parent.glob("*.joblib")) and not list(path.parent.glob("*.pkl"))


def test_the_reranker_is_json_only():
    meta = json.loads(RERANKER.read_text(encoding="utf-8"))
    assert meta["kind"] == "claim-matching" and len(meta["reranker"]["coef"][0]) == len(meta["features"])
    assert not list(RERANKER.parent.glob("*.joblib"))


def test_saved_models_load_back_alike(tmp_path):
    from presslens.claims.checkworthiness import load_checkworthiness
    from presslens.factchecks.match import load_reranker
    from presslens.genre import GenreClassifier, load_genre_model
    from presslens.persuasion.detect import load_models
    from presslens.persuasion.lexical import load_bundle, save_bundle

    texts = ["The corrupt elites betrayed us.\nThe committee meets on Tuesday.", "Wake up, patriots!"]
    models = load_models()
    copy = load_bundle(save_bundle(models, tmp_path / "p.npz"))
    for text in texts:
        bounds = [(0, len(text))]
        assert copy["tagger"].predict_spans(text, bounds) == models["tagger"].predict_spans(text, bounds)
        for name in ("paragraphs", "frames"):
            assert copy[name].predict_proba([text]) == models[name].predict_proba([text])
    genre = load_genre_model()
    genre_copy = GenreClassifier.load(genre.save(tmp_path / "g.npz"))
    for text in texts:
        assert genre_copy.classify(text, []) == genre.classify(text, [])
    cw = load_checkworthiness()
    cw_copy = load_checkworthiness(str(cw.save(tmp_path / "c.npz")))
    assert cw_copy.score(texts) == cw.score(texts)
    rr = load_reranker()
    X = np.random.default_rng(0).random((20, 7))
    assert np.array_equal(load_reranker(str(rr.save(tmp_path / "r.json", {}))).probability(X), rr.probability(X))


def test_a_pickle_or_a_broken_file_is_a_clear_error(tmp_path):
    from presslens.claims.checkworthiness import load_checkworthiness
    from presslens.persuasion.detect import load_models

    old = tmp_path / "old.joblib"
    old.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match="no longer loads pickled"):
        load_models(str(old))
    with pytest.raises(ModelError, match="not found"):
        load_checkworthiness(str(tmp_path / "missing.npz"))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    bad.with_suffix(".json").write_text(json.dumps({"kind": "persuasion-lexical", "format": 1}))
    with pytest.raises(ModelError, match="cannot load"):
        load_models(str(bad))
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(2))
    other.with_suffix(".json").write_text(json.dumps({"kind": "checkworthiness", "format": 1}))
    with pytest.raises(ModelError, match="not one of"):
        load_models(str(other))
    with pytest.raises(ModelError, match="malformed"):
        load_checkworthiness(str(other))


def test_the_accurate_weights_come_from_their_own_distribution(monkeypatch):
    """The base package holds no accurate weights; they are found through the presslens_accurate_model package,
    and without it the error is one line saying how to install it."""
    import importlib.util

    from presslens.persuasion.accurate import storage, train_accurate

    assert not list((SRC / "persuasion" / "models").glob("*.safetensors"))
    if importlib.util.find_spec(storage.ACCURATE_PACKAGE) is not None:
        path = storage.shipped_model_path()
        assert path.parent.name == storage.ACCURATE_PACKAGE and path.exists() and path.with_suffix(".json").exists()
    monkeypatch.setattr(storage, "ACCURATE_PACKAGE", "presslens_accurate_model_not_installed")
    with pytest.raises(ModelError) as err:
        storage.check_accurate()
    message = str(err.value)
    assert "pip install ./packages/presslens-accurate-model" in message and "\n" not in message
    with pytest.raises(ModelError, match="--out FILE"):  # said before reading data or training
        train_accurate("no-such-data-folder")


def test_the_reranker_applies_its_weights_as_scikit_learn_does():
    """Training hands fitted scikit-learn models to Reranker.from_sklearn; the probabilities must not change."""
    from sklearn.linear_model import LogisticRegression

    from presslens.factchecks.match import Reranker

    rng = np.random.default_rng(13)
    X = rng.random((200, 7))
    y = (X[:, 0] + 0.3 * rng.random(200) > 0.8).astype(int)
    model = LogisticRegression().fit(X, y)
    p = model.predict_proba(X)[:, 1]
    z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1)).reshape(-1, 1)
    calibrator = LogisticRegression().fit(z, y)
    assert np.array_equal(Reranker.from_sklearn(model).probability(X), p)
    assert np.allclose(
        Reranker.from_sklearn(model, calibrator).probability(X), calibrator.predict_proba(z)[:, 1], 0, 1e-12
    )


def test_text_classifiers_give_scikit_learns_probabilities():
    """Fitted, a TextClassifier keeps arrays only and applies them itself: as LogisticRegression would."""
    from sklearn.linear_model import LogisticRegression

    from presslens.persuasion.lexical import TextClassifier

    texts = [
        f"The {w} minister said the {w} budget would {v}." for w in ("new", "old", "first") for v in ("grow", "fall")
    ]
    for labels in (["opinion", "reporting"], ["opinion", "reporting", "satire"]):  # binary and multinomial
        targets = [labels[i % len(labels)] for i in range(len(texts))] * 2
        clf = TextClassifier(labels, multilabel=False, class_weight=None).fit(texts * 2, targets)
        X = clf.vectorizer.transform(texts)
        reference = LogisticRegression(C=clf.C, max_iter=2000).fit(clf.vectorizer.transform(texts * 2), targets)
        reference.coef_ = reference.coef_.astype(np.float32)  # as stored
        expected = reference.predict_proba(X)
        got = np.array([[row[c] for c in reference.classes_] for row in clf.predict_proba(texts)])
        assert np.allclose(got, expected, rtol=0, atol=1e-9)
