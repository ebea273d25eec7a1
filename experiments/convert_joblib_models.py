"""One-off: convert the shipped joblib pickles to weights (.npz) + JSON, and check that nothing changed.

Usage:  python experiments/convert_joblib_models.py [--rev REV] [--data ../shared/data] [--write]

1. Takes the package source and the three pickles from commit ``--rev`` (default: the last commit before the
   conversion; the pickles are no longer in the working tree) into a temporary folder.
2. Runs the OLD code from that folder in a subprocess: the persuasion models (tagger spans, paragraph, frame and
   genre probabilities), the check-worthiness scores and the claim-matching re-ranker's probabilities on a
   variety of inputs (tests/articles, examples, and with ``--data`` the persuasion articles and CheckThat! debate
   lines), written as JSON (floats round-trip exactly).
3. With ``--write``: unpickles each joblib once here, into stand-in classes (the pickled classes are gone or
   changed), takes its arrays and settings, and writes the new files with the package's own writers
   (``lexical.save_bundle``, ``CheckworthinessModel.save``, ``Reranker.save``) into src/presslens/*/models/.
4. Runs the NEW code in a subprocess that refuses to unpickle anything (an audit hook on ``pickle.find_class``
   raises), loads the new files with the package loaders, computes the same outputs and compares
   them with step 2: identical spans, and the largest absolute difference of every probability.

Needs joblib (``pip install joblib``), which PressLens itself no longer depends on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OLD_REV = "f7d5ff9771ad00a2080f5eb5529c631685cdb5f6"  # the pickles as shipped (unchanged since, to the last commit)
PERSUASION = "src/presslens/persuasion/models/persuasion-v1"
CHECKWORTHINESS = "src/presslens/claims/models/checkworthiness-v1"
RERANKER = "src/presslens/factchecks/models/claim-matching-v1"

# Runs in both trees: the same calls exist in the old and the new code, with the model path as the only change.
OUTPUTS = r"""
import json, sys
import numpy as np
inputs = json.load(open(sys.argv[1], encoding="utf-8"))
paths = json.loads(sys.argv[2])
import presslens
assert presslens.__file__.startswith(sys.argv[4]), presslens.__file__
from presslens.persuasion.data import lines_of
from presslens.persuasion.detect import load_models
from presslens.claims.checkworthiness import load_checkworthiness
from presslens.factchecks.match import load_reranker

models = load_models(paths["persuasion"])
tagger, paragraphs, frames, genre = (models[k] for k in ("tagger", "paragraphs", "frames", "genre"))
out = {"persuasion": []}
for text in inputs["articles"]:
    lines = lines_of(text)
    spans = tagger.predict_spans(text, [(s, e) for _, s, e in lines])
    para = paragraphs.predict_proba([text[s:e] for _, s, e in lines]) if lines else []
    X = frames.vectorizer.transform([text])
    g = genre.predict_proba([text], X if genre.vectorizer is frames.vectorizer else None)[0]
    out["persuasion"].append({"spans": [list(x) for x in spans], "paragraphs": para,
                              "frames": frames.predict_proba([text], X)[0], "genre": g,
                              "shared_vectorizer": genre.vectorizer is frames.vectorizer})
out["checkworthiness"] = load_checkworthiness(paths["checkworthiness"]).score(inputs["sentences"])
out["reranker"] = load_reranker(paths["reranker"]).probability(np.array(inputs["pairs"])).tolist()
json.dump(out, open(sys.argv[3], "w", encoding="utf-8"))
"""

# Prepended in the new tree: any unpickling of a class or function (what a model pickle holds) fails.
NO_PICKLE = r"""
import sys
def _refuse(event, args):
    if event == "pickle.find_class":
        raise RuntimeError(f"unpickling {args} while loading the models")
sys.addaudithook(_refuse)
"""


def _inputs(data: Path | None, sentences_cap: int = 10000) -> dict[str, Any]:
    files = sorted((REPO / "tests" / "articles").glob("*.txt")) + sorted((REPO / "examples").glob("*.txt"))
    if data and (data / "persuasion" / "articles").is_dir():
        files += sorted((data / "persuasion" / "articles").glob("*.txt"))
    articles = [p.read_text(encoding="utf-8") for p in files]
    articles += ["", "\n\n", "One line only.", "Wake up, patriots! This disgraceful regime is a disaster!!"]
    sentences = [line.strip() for a in articles for line in a.splitlines() if line.strip()]
    debates = data / "checkworthiness" / "clef2020-debates" / "train" if data else None
    if debates and debates.is_dir():
        lines = [
            row.split("\t")[2]
            for p in sorted(debates.glob("*.tsv"))
            for row in p.read_text(encoding="utf-8").splitlines()
            if row.count("\t") >= 3
        ]
        sentences += random.Random(13).sample(lines, min(sentences_cap, len(lines)))
    rng = random.Random(13)
    pairs = [[0.0] * 7, [1.0] * 7, [0.5] * 7]
    for _ in range(5000):
        cosine, overlap = rng.uniform(-0.2, 1.0), rng.random()
        ranks = [1.0 / rng.randint(1, 30) if rng.random() < 0.7 else 0.0 for _ in range(2)]
        numbers = rng.choice([0.0, 0.5, 1.0, rng.random()])
        pairs.append([cosine, rng.random(), *ranks, overlap, numbers, cosine * overlap])
    return {"articles": articles, "sentences": sentences, "pairs": pairs, "files": [str(p) for p in files]}


def _extract(rev: str, into: Path) -> None:
    """The package source at ``rev`` (with its pickles) under ``into/src``."""
    archive = subprocess.run(["git", "archive", rev, "src/presslens"], cwd=REPO, capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def _run(src_root: Path, prelude: str, inputs: Path, paths: dict[str, str], out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src_root)}
    args = [sys.executable, "-c", prelude + OUTPUTS, str(inputs), json.dumps(paths), str(out), str(src_root)]
    subprocess.run(args, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


class _Pickled:
    """Stands in for a class of the old package while unpickling: keeps the object's attributes."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _unpickle(path: Path) -> Any:
    """joblib.load with PressLens's own classes replaced by ``_Pickled`` (scikit-learn objects load as they are)."""
    import joblib.numpy_pickle as jp

    original = jp.NumpyUnpickler.find_class

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("presslens."):
            return type(name, (_Pickled,), {})
        return original(self, module, name)

    jp.NumpyUnpickler.find_class = find_class
    try:
        return jp.load(path)
    finally:
        jp.NumpyUnpickler.find_class = original


def _features(union: Any) -> Any:
    from presslens.modelfiles import TfidfFeatures

    assert not union.transformer_weights, "weighted feature unions are not supported"
    return TfidfFeatures([v for _, v in union.transformer_list])


def _text_classifier(old: Any) -> Any:
    import numpy as np

    from presslens.persuasion.lexical import TextClassifier

    models = list(old.models.values())
    classes = list(old.models) if old.multilabel else [str(c) for c in models[0].classes_]
    return TextClassifier(
        labels=list(old.labels),
        multilabel=old.multilabel,
        thresholds=dict(old.thresholds),
        C=old.C,
        class_weight=old.class_weight,
        vectorizer=_features(old.vectorizer),
        classes=classes,
        coef=np.vstack([m.coef_ for m in models]),
        intercept=np.concatenate([m.intercept_ for m in models]),
    )


def convert(tree: Path) -> dict[str, int]:
    """Write the new files from the pickles under ``tree``; their sizes."""
    from presslens.claims.checkworthiness import CheckworthinessModel
    from presslens.factchecks.match import Reranker
    from presslens.persuasion.lexical import SpanTagger, save_bundle

    old = _unpickle(tree / f"{PERSUASION}.joblib")
    hasher = old["tagger"].hasher.get_params()
    assert hasher["input_type"] == "dict" and not hasher["alternate_sign"], hasher
    sgd = old["tagger"].model
    bundle = {
        "tagger": SpanTagger(
            list(old["tagger"].classes), old["tagger"].threshold, sgd.coef_, sgd.intercept_, hasher["n_features"]
        ),
        **{name: _text_classifier(old[name]) for name in ("paragraphs", "frames", "genre")},
        **{key: old[key] for key in ("paragraph_threshold", "frame_threshold", "cv")},
    }
    written = [save_bundle(bundle, REPO / f"{PERSUASION}.npz")]

    old = _unpickle(tree / f"{CHECKWORTHINESS}.joblib")
    model = CheckworthinessModel(old.C, _features(old.vectorizer), old.coef, float(old.intercept), dict(old.meta))
    written.append(model.save(REPO / f"{CHECKWORTHINESS}.npz"))

    old = _unpickle(tree / f"{RERANKER}.joblib")
    meta = json.loads((tree / f"{RERANKER}.json").read_text(encoding="utf-8"))
    written.append(Reranker.from_sklearn(old["reranker"], old["calibrator"]).save(REPO / f"{RERANKER}.json", meta))
    sizes = {}
    for p in written:
        for f in {p, p.with_suffix(".json")}:
            sizes[str(f.relative_to(REPO))] = f.stat().st_size
    return sizes


def _max_diff(a: Any, b: Any) -> float:
    """The largest absolute difference between two equally shaped nests of numbers (inf if shapes differ)."""
    if isinstance(a, dict):
        return (
            max((_max_diff(a[k], b[k]) for k in a), default=0.0)
            if isinstance(b, dict) and a.keys() == b.keys()
            else float("inf")
        )
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return float("inf")
        return max((_max_diff(x, y) for x, y in zip(a, b, strict=True)), default=0.0)
    if isinstance(a, str | bool) or a is None:
        return 0.0 if a == b else float("inf")
    return abs(float(a) - float(b))


def compare(old: dict, new: dict) -> dict[str, Any]:
    per = list(zip(old["persuasion"], new["persuasion"], strict=True))
    return {
        "articles": len(per),
        "spans": sum(len(o["spans"]) for o, _ in per),
        "span_bounds_identical": all([s[:3] for s in o["spans"]] == [s[:3] for s in n["spans"]] for o, n in per),
        "span_confidence_max_diff": max(
            _max_diff([s[3] for s in o["spans"]], [s[3] for s in n["spans"]]) for o, n in per
        ),
        "paragraph_lines": sum(len(o["paragraphs"]) for o, _ in per),
        "paragraph_probability_max_diff": max(_max_diff(o["paragraphs"], n["paragraphs"]) for o, n in per),
        "frame_probability_max_diff": max(_max_diff(o["frames"], n["frames"]) for o, n in per),
        "genre_probability_max_diff": max(_max_diff(o["genre"], n["genre"]) for o, n in per),
        "frames_and_genre_share_one_vectorizer": all(n["shared_vectorizer"] for _, n in per),
        "sentences": len(old["checkworthiness"]),
        "checkworthiness_max_diff": _max_diff(old["checkworthiness"], new["checkworthiness"]),
        "reranker_pairs": len(old["reranker"]),
        "reranker_max_diff": _max_diff(old["reranker"], new["reranker"]),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", default=OLD_REV, help="the commit holding the pickles and the code that wrote them")
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="more texts, if present")
    ap.add_argument("--write", action="store_true", help="write the new model files (else only compare)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _extract(args.rev, tmp / "old")
        inputs = _inputs(args.data if args.data.is_dir() else None)
        (tmp / "inputs.json").write_text(json.dumps(inputs), encoding="utf-8")
        print(f"{len(inputs['articles'])} articles, {len(inputs['sentences'])} sentences, {len(inputs['pairs'])} pairs")
        old_paths = {
            k: str(tmp / "old" / f"{p}.joblib")
            for k, p in (("persuasion", PERSUASION), ("checkworthiness", CHECKWORTHINESS), ("reranker", RERANKER))
        }
        old = _run(tmp / "old" / "src", "", tmp / "inputs.json", old_paths, tmp / "old.json")
        if args.write:
            print(json.dumps(convert(tmp / "old"), indent=1))
        new_paths = {
            "persuasion": str(REPO / f"{PERSUASION}.npz"),
            "checkworthiness": str(REPO / f"{CHECKWORTHINESS}.npz"),
            "reranker": str(REPO / f"{RERANKER}.json"),
        }
        new = _run(REPO / "src", NO_PICKLE, tmp / "inputs.json", new_paths, tmp / "new.json")
    result = compare(old, new)
    print(json.dumps(result, indent=1))
    exact = result["span_bounds_identical"] and all(v == 0 for k, v in result.items() if k.endswith("max_diff"))
    close = result["span_bounds_identical"] and all(v <= 1e-6 for k, v in result.items() if k.endswith("max_diff"))
    print("identical" if exact else "equal within 1e-6" if close else "DIFFERENT")
    return 0 if close else 1


if __name__ == "__main__":
    sys.exit(main())
