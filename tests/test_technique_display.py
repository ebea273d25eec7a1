"""Which technique spans a report shows: never a bare name or a lone function word; by default only those at or
above the model's calibrated display threshold; ``--all-spans`` / ``min_confidence=0`` the rest too, marked
uncertain in JSON, text and HTML. The articles are our own; the lexical (``--fast``) tagger's raw spans are set by
the test so that each rule is met exactly (the same selection serves the fine-tuned tagger: detect_persuasion); the
real models' calibration is measured in benchmarks/technique_span_threshold.py."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest

import presslens
from conftest import run_cli
from presslens.nlp import load_pipeline
from presslens.options import Options, OptionsError
from presslens.persuasion import load_models
from presslens.persuasion.calibration import choose_thresholds, is_right, lowest_threshold
from presslens.persuasion.display import DisplayThresholds, bare_name

ARTICLE = (
    "NATO moved its troops east again, the minister said on Tuesday.\n"
    "Critics called the plan a reckless betrayal of the voters in Brussels.\n"
)


def at(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


# (technique, fragment, confidence): what the stub tagger returns for ARTICLE
RAW = [
    ("Flag_Waving", "NATO", 0.99),  # a bare name, however confident
    ("Loaded_Language", "Brussels", 0.95),  # a bare name
    ("Doubt", "the", 0.97),  # a single function word
    ("Loaded_Language", "reckless betrayal", 0.9),  # above the display threshold: shown
    ("Name_Calling-Labeling", "Critics", 0.3),  # below it: shown only on request, uncertain
]
THRESHOLD = 0.5


@pytest.fixture
def stub_tagger(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The default model's span tagger returns RAW on ARTICLE, with a display threshold of 0.5."""
    models = load_models()

    def predict_spans(text: str, bounds: list[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
        return [(t, *at(text, frag), c) for t, frag, c in RAW] if "reckless betrayal" in text else []

    monkeypatch.setattr(models["tagger"], "predict_spans", predict_spans)
    monkeypatch.setitem(models, "display", {"default": THRESHOLD, "techniques": {}, "how": "test"})
    yield


def texts(a: presslens.Analysis) -> list[str]:
    return [t.text for t in a.techniques]


def test_names_and_function_words_are_never_shown(stub_tagger: None) -> None:
    for min_confidence in (None, 0.0):
        shown = texts(presslens.analyze(ARTICLE, components=("techniques",), fast=True, min_confidence=min_confidence))
        assert "reckless betrayal" in shown
        assert not {"NATO", "Brussels", "the"} & set(shown), shown


def test_default_shows_only_spans_above_the_threshold(stub_tagger: None) -> None:
    a = presslens.analyze(ARTICLE, components=("techniques",), fast=True)
    assert [(t.text, t.uncertain) for t in a.techniques] == [("reckless betrayal", False)]
    assert json.loads(a.to_json())["techniques"][0]["uncertain"] is False


def test_all_spans_shows_more_marked_uncertain(stub_tagger: None) -> None:
    a = presslens.analyze(ARTICLE, components=("techniques",), fast=True, min_confidence=0)
    assert {(t.text, t.uncertain) for t in a.techniques} == {("Critics", True), ("reckless betrayal", False)}
    data = json.loads(a.to_json())
    assert {t["text"]: t["uncertain"] for t in data["techniques"]} == {"Critics": True, "reckless betrayal": False}
    # a threshold of one's own: above the calibrated one, nothing is uncertain
    strict = presslens.analyze(ARTICLE, components=("techniques",), fast=True, min_confidence=0.95)
    assert texts(strict) == []


def test_cli_all_spans_text_json_html(stub_tagger: None, tmp_path) -> None:
    article = tmp_path / "plan.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    plain = run_cli("analyze", str(article), "--only", "techniques", "--fast")
    assert plain.returncode == 0, plain.stderr
    assert "reckless betrayal" in plain.stdout and "Critics" not in plain.stdout
    assert "(uncertain)" not in plain.stdout

    text = run_cli("analyze", str(article), "--only", "techniques", "--fast", "--all-spans")
    line = next(x for x in text.stdout.splitlines() if "“Critics”" in x)
    assert line.rstrip().endswith("(uncertain)")
    assert "1 uncertain" in text.stdout
    assert "(uncertain)" not in next(x for x in text.stdout.splitlines() if "reckless betrayal" in x)

    js = run_cli("analyze", str(article), "--only", "techniques", "--fast", "--all-spans", "--format", "json")
    spans = {t["text"]: t["uncertain"] for t in json.loads(js.stdout)["techniques"]}
    assert spans == {"Critics": True, "reckless betrayal": False}

    html = run_cli("analyze", str(article), "--only", "techniques", "--fast", "--all-spans", "--format", "html")
    assert '<span class="tech uncertain"' in html.stdout and "Critics" in html.stdout
    assert "dashed outline: uncertain" in html.stdout  # the legend
    assert html.stdout.count('class="tech uncertain"') == 1
    default_html = run_cli("analyze", str(article), "--only", "techniques", "--fast", "--format", "html")
    body = default_html.stdout.split("<body>")[1].split("<script>")[0]
    assert '<span class="tech uncertain"' not in body and ">Critics</span>" not in body
    assert "1 more found but not shown" in body  # the reader is told what was held back
    assert "1 more found but not shown" in plain.stdout
    default_js = run_cli("analyze", str(article), "--only", "techniques", "--fast", "--format", "json")
    assert json.loads(default_js.stdout)["techniques_hidden"] == 1


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, "0.5", True])
def test_min_confidence_is_a_confidence(bad: object) -> None:
    with pytest.raises(OptionsError, match="min_confidence is a confidence from 0 to 1"):
        Options(min_confidence=bad)  # type: ignore[arg-type]
    with pytest.raises(OptionsError):
        presslens.analyze("Some text.", min_confidence=bad)


def test_min_confidence_accepts_the_bounds() -> None:
    assert Options(min_confidence=0).min_confidence == 0.0
    assert Options(min_confidence=1).min_confidence == 1.0
    assert Options().min_confidence is None


def name_or_function_word(doc, start: int, end: int) -> bool:
    """Checked independently of the filter: the span's words, stop words and punctuation aside, are all inside
    one named entity's characters or proper nouns; or the span is one stop word or one punctuation mark."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if len(tokens) == 1 and (tokens[0].is_stop or tokens[0].is_punct):
        return True
    words = [t for t in tokens if t.is_alpha and not t.is_stop]
    names = [(e.start_char, e.end_char) for e in doc.ents if e.label_ not in {"DATE", "CARDINAL", "ORDINAL"}]
    return bool(words) and all(
        t.pos_ == "PROPN" or any(s <= t.idx and t.idx + len(t) <= e for s, e in names) for t in words
    )


@pytest.mark.parametrize("fast", [False, True])
def test_example_default_output_has_no_bare_name_or_function_word(example_text: str, fast: bool) -> None:
    a = presslens.analyze(example_text, components=("techniques",), fast=fast)
    doc = load_pipeline()(example_text)
    offenders = [(t.technique, t.text) for t in a.techniques if name_or_function_word(doc, t.start, t.end)]
    assert offenders == []
    assert not {"Ukraine", "NATO", "Union", "Donbas", "Kremlin"} & set(texts(a))
    assert all(not t.uncertain for t in a.techniques)


def test_bare_name_rule() -> None:
    text = "The European Union warned Ukraine's neighbours about a brutal regime in Moscow."
    doc = load_pipeline()(text)
    assert bare_name(doc, *at(text, "The European Union"))
    assert bare_name(doc, *at(text, "Ukraine's"))
    assert not bare_name(doc, *at(text, "a brutal regime in Moscow"))
    assert not bare_name(doc, *at(text, "warned"))


def test_thresholds_from_the_sidecar() -> None:
    limits = DisplayThresholds.from_meta({"default": 0.8, "techniques": {"Doubt": None, "Loaded_Language": 0.6}})
    assert limits.shown("Loaded_Language", 0.6) and not limits.shown("Loaded_Language", 0.59)
    assert not limits.shown("Doubt", 1.0)  # never reached the target: never shown by default
    assert limits.shown("Slogans", 0.8) and not limits.shown("Slogans", 0.79)
    assert DisplayThresholds.from_meta(None).shown("Doubt", 0.0)  # an uncalibrated model shows all


def test_threshold_choice() -> None:
    gold = [("Doubt", 10, 20)]
    assert is_right("Doubt", 19, 30, gold) and not is_right("Doubt", 20, 30, gold)
    assert not is_right("Slogans", 12, 14, gold)
    # confidences 1.0 .. 0.1; the top six are right, then wrong: 60 % holds down to 0.1 (6 of 10)
    scored = [(c / 10, c > 4) for c in range(10, 0, -1)]
    assert lowest_threshold(scored, 0.6, min_shown=3) == 0.1
    assert lowest_threshold(scored, 0.75, min_shown=3) == 0.3  # 6 of 8
    assert lowest_threshold(scored, 0.6, min_shown=11) is None
    default, own = choose_thresholds(
        [("Doubt", c, ok) for c, ok in scored] + [("Slogans", 0.9, False)], 0.6, min_support=10, min_shown=1
    )
    assert own == {"Doubt": 0.1} and default is None


def test_shipped_fast_model_is_calibrated(example_text: str) -> None:
    """The lexical model's sidecar carries its display thresholds and how they were obtained; what it shows by
    default held 60 % right out of sample (or nothing is shown), and --all-spans adds the rest, uncertain."""
    display = load_models().get("display")
    assert display and "nested" in display["how"]
    held = display["cv_nested"]
    assert held["spans"] == 0 or held["precision"] >= 0.6
    shown = presslens.analyze(example_text, components=("techniques",), fast=True)
    everything = presslens.analyze(example_text, components=("techniques",), fast=True, min_confidence=0)
    assert not any(t.uncertain for t in shown.techniques)
    assert len(everything.techniques) > len(shown.techniques)
    assert {(t.start, t.end) for t in shown.techniques} <= {(t.start, t.end) for t in everything.techniques}
    assert all(
        t.uncertain
        for t in everything.techniques
        if (t.start, t.end, t.technique) not in {(u.start, u.end, u.technique) for u in shown.techniques}
    )
