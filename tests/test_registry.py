"""The component registry: one registration makes a component reachable from the API, the CLI and the workers."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

import presslens
from conftest import ARTICLES
from conftest import run_cli as run
from presslens import registry
from presslens.options import Options, OptionsError
from presslens.schema import load_schema


@pytest.fixture
def word_count(tmp_path):
    """A dummy component, registered the way a new one would be: one class, one decorator."""
    loads = tmp_path / "loads.txt"

    @registry.register(
        "wordcount",
        assigns=("wordcount",),
        help="words in the article (test)",
        default=False,
        schema={"wordcount": {"type": "integer", "minimum": 0}},
    )
    class WordCount:
        def __init__(self, options: Options) -> None:  # "loads its model": once per process and options
            with open(loads, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")

        def __call__(self, analysis, doc) -> None:
            analysis.extensions["wordcount"] = sum(1 for t in doc if t.is_alpha)

    yield loads
    registry.unregister("wordcount")


def test_a_registered_component_runs_from_the_api_and_shows_in_the_json(word_count):
    a = presslens.analyze('"We will win," Ann Lee said.', components=("quotes", "wordcount"))
    assert a.extensions["wordcount"] == 6 and a.quotes
    d = json.loads(a.to_json())
    assert d["wordcount"] == 6
    jsonschema.validate(d, load_schema())  # its registration extends the contract's schema
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**d, "wordcount": "six"}, load_schema())
    assert presslens.Analysis.from_dict(d).extensions == {"wordcount": 6}


def test_a_registered_component_is_offered_by_the_cli(word_count):
    assert "wordcount" in run("analyze", "--help").stdout
    r = run("analyze", "--only", "wordcount", "--format", "json", str(ARTICLES / "cues.txt"))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["wordcount"] > 50 and d["quotes"] == []  # only what was asked for ran


def test_workers_warm_up_every_chosen_component_once(word_count):
    articles = [presslens.ingest.article_from_text(f'"Point {n} stands," Ann Lee said.', id=f"a{n}") for n in range(6)]
    out = list(presslens.analyze_many(articles, components=("wordcount",), workers=2, chunk_size=1))
    assert [a.extensions["wordcount"] for a in out] == [5] * 6
    pids = word_count.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2 and str(os.getpid()) not in pids  # one load in each worker


def test_unknown_component_is_an_error_that_lists_the_known_ones():
    with pytest.raises(
        registry.UnknownComponent, match="'quote'.*known: quotes, techniques, genre, claims, factchecks"
    ):
        presslens.analyze("Ann Lee said so.", components=("quote",))
    r = run("analyze", "--only", "quote", str(ARTICLES / "cues.txt"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "known: quotes" in r.stderr


def test_requirements_and_implied_components_are_added_in_run_order():
    assert registry.resolve(("claims",)) == ("quotes", "claims", "factchecks")
    assert registry.resolve(("techniques",)) == ("techniques",)
    assert registry.resolve(()) == ("quotes", "techniques", "genre", "claims", "factchecks")
    assert registry.resolve(("genre",)) == ("quotes", "genre")  # the genre reads the quotes
    assert Options(components=("claims", "quotes")).components == ("quotes", "claims", "factchecks")


def test_options_are_checked_once_with_clear_messages():
    with pytest.raises(OptionsError, match="accurate_model"):
        Options(accurate="model.safetensors")  # a path given where a yes/no belongs
    with pytest.raises(OptionsError, match="probability"):
        Options(match_threshold=1.5)
    with pytest.raises(OptionsError, match="technique spans only"):
        Options(components=("quotes",), accurate=True)
    assert Options(accurate_model="m.safetensors").accurate is True
    with pytest.raises(TypeError):
        presslens.analyze("text", options=Options(), kb="x.sqlite")  # one way of giving options, not two
