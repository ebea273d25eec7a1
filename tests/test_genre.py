"""The genre: a news report comes out reporting, a first-person column opinion, and a guess is shown as one."""

from __future__ import annotations

import json

import pytest

import presslens
from conftest import ARTICLES, REPO, SHARED, run_cli
from presslens.genre.features import reporter_voice, style_features
from presslens.model import Genre
from presslens.schema import load_schema


@pytest.fixture(scope="module")
def analyses() -> dict[str, presslens.Analysis]:
    names = ["genre-report.txt", "genre-column.txt", "genre-satire.txt"]
    found = {n: presslens.analyze((ARTICLES / n).read_text(encoding="utf-8"), id=n) for n in names}
    found["kremlin"] = presslens.analyze((REPO / "examples" / "kremlin-interview.txt").read_text(encoding="utf-8"))
    return found


def test_a_news_report_is_reporting(analyses):
    for name in ("kremlin", "genre-report.txt"):
        genre = analyses[name].genre
        assert genre is not None and genre.label == "reporting", (name, genre)
    assert not analyses["kremlin"].genre.uncertain  # the bundled example is a verdict, not a guess


def test_a_first_person_column_is_opinion(analyses):
    genre = analyses["genre-column.txt"].genre
    assert genre is not None and genre.label == "opinion", genre


def test_the_genre_says_which_model_gave_it(analyses):
    from presslens.genre import MODEL_NAME

    assert analyses["kremlin"].models["genre"] == MODEL_NAME


def test_the_reporter_voice_leaves_out_quotes_and_the_headline():
    text = 'Budget passes\n"We will win," I said, she told reporters. The vote was 34 to 21.'
    voice = reporter_voice(text, [])
    assert "Budget" not in voice and "We will win" not in voice and "The vote was 34 to 21." in voice
    column = "My view\nI think we should build more lanes. You will like them.\n"
    report = 'Council votes\n"I think we should build more lanes," the mayor said. "You will like them."\n'
    assert style_features(column, [])["voice_i"] > 0 and style_features(column, [])["voice_you"] > 0
    assert style_features(report, [])["voice_i"] == 0 and style_features(report, [])["voice_you"] == 0
    assert style_features(report, [])["marked_share"] > 0.5


def test_a_quote_split_by_its_attribution_leaves_the_attribution_to_the_reporter():
    from presslens.model import Quote, Span

    text = 'Headline here\n"We are ready," I said, "and we will win."'
    first, second = text.index('"We'), text.index('"and')
    quote = Quote(
        "q1",
        "direct",
        first,
        len(text),
        text[first:],
        parts=[Span(first, text.index(" I said") - 1, ""), Span(second, len(text), "")],
    )
    assert "I said" in reporter_voice(text, [quote])


def test_low_confidence_is_shown_as_uncertain_not_as_a_verdict(analyses):
    a = analyses["genre-report.txt"]
    a.genre = Genre("reporting", 0.55, uncertain=True)
    assert "genre: reporting? (uncertain, 0.55)" in a.to_text()
    assert "reporting? (uncertain, 0.55)" in a.to_html()
    data = json.loads(a.to_json())
    assert data["genre"] == {"label": "reporting", "confidence": 0.55, "uncertain": True}
    import jsonschema

    jsonschema.validate(data, load_schema())
    assert presslens.Analysis.from_dict(data).genre == a.genre
    a.genre = Genre("reporting", 0.91)
    assert "genre: reporting (0.91)" in a.to_text()
    old = {"label": "opinion", "confidence": 0.9}  # written before "uncertain" existed
    assert Genre.from_dict(old) == Genre("opinion", 0.9, False)


def test_only_techniques_gives_no_genre_and_only_genre_brings_the_quotes():
    a = presslens.analyze("The corrupt elites betrayed us again, critics said.", components=("techniques",))
    assert a.genre is None and "genre" not in a.models
    b = presslens.analyze('"We will not back down," the minister said on Monday.', components=("genre",))
    assert b.genre is not None and b.quotes


def test_train_genre_names_a_wrong_data_folder_in_one_line(tmp_path):
    r = run_cli("train", "genre", "--data", str(tmp_path))
    assert r.returncode != 0 and r.stderr.count("\n") == 1 and "laid out like ../shared/data" in r.stderr


@pytest.mark.skipif(not (SHARED / "quotes" / "polnear").is_dir(), reason="needs ../shared/data (PolNeAR, SemEval)")
def test_the_training_data_is_read_as_documented():
    from presslens.genre.train import load_examples

    semeval, folds, pn_train, pn_dev = load_examples(SHARED)
    assert len(semeval) == 351 and sorted(i for f in folds for i in f) == list(range(351))
    assert {e.label for e in pn_train + pn_dev} == {"reporting"}
    assert len(pn_train) == 833 and len(pn_dev) == 82  # 840 and 84, less the letters to the editor
