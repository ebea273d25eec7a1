"""The JSON Schema of contract "1", shipped in the package: real analyses validate, broken ones do not."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

import presslens
from conftest import ARTICLES, REPO
from presslens.labels import FRAMES, GENRES, TECHNIQUES
from presslens.model import DISPUTE_KINDS, ClaimMatches, FactCheckMatch
from presslens.schema import load_schema, schema_path

OPPOSITE = (
    '"The new law will raise wages for nurses," Health Minister Joan Reyes said. '
    '"The new law will not raise wages for nurses at all," union leader Tom Baker said.'
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def analyses() -> dict[str, presslens.Analysis]:
    """Real analyses, parsed once for the module: the bundled example, the test articles, near-empty text,
    an opposite-claim dispute, and the example with fact-check matches attached."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))}
    texts["example"] = (REPO / "examples" / "kremlin-interview.txt").read_text(encoding="utf-8")
    texts["near-empty"] = "\u200b\n\nYes.\n"
    texts["opposite"] = OPPOSITE
    out = {
        name: presslens.analyze(text, id=name, source="Wire", url="https://example.org/a", min_confidence=0)
        for name, text in texts.items()
    }
    checked = presslens.analyze(texts["example"], id="fact-checked", min_confidence=0)
    donbas = next(c for c in checked.claims if "no Russian soldiers in the Donbas" in c.text)
    match = FactCheckMatch(
        "fc-1", "There are no Russian soldiers in the Donbas.", "False", "Example Checks", None, "2022-02-01", 0.91
    )
    checked.fact_checks = [ClaimMatches(donbas.id, [match]), ClaimMatches(checked.claims[0].id, [])]
    out["fact-checked"] = checked
    return out


def as_json(a: presslens.Analysis) -> dict[str, Any]:
    return json.loads(a.to_json())


def errors(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_the_schema_ships_in_the_package_and_is_draft_2020_12():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["presslens"] == {"const": presslens.SCHEMA_VERSION}
    assert schema_path().name == "analysis-1.schema.json"
    with pytest.raises(ValueError):
        load_schema("0")


def test_real_analyses_validate(validator, analyses):
    assert any(a.disputes for a in analyses.values()) and any(a.quotes for a in analyses.values())
    assert any(m.matches for a in analyses.values() for m in a.fact_checks)
    for name, a in analyses.items():
        assert errors(validator, as_json(a)) == [], name


def test_every_span_of_the_output_is_listed_by_spans_and_matches_the_text(analyses):
    """The offset invariant, read from the JSON output: every object with start, end and text (quote, cue,
    speaker, mention, technique, claim, dispute, dispute cue) is a slice of ``text``, and ``spans()`` lists them all."""
    for name, a in analyses.items():
        data = as_json(a)
        spans = list(_spans(data))
        assert len(spans) == len(a.spans()), name
        for s in spans:
            assert 0 <= s["start"] <= s["end"] <= len(data["text"]), (name, s)
            assert data["text"][s["start"] : s["end"]] == s["text"], (name, s)
    example = as_json(analyses["example"])
    (despite,) = [d for d in example["disputes"] if d["kind"] == "despite"]
    assert despite["cue"]["text"] == "despite reports" and despite["text"].startswith("despite reports that troops")


def _spans(node: Any, top: bool = True):
    if isinstance(node, dict):
        if not top and {"start", "end", "text"} <= node.keys():
            yield node
        for value in node.values():
            yield from _spans(value, top=False)
    elif isinstance(node, list):
        for value in node:
            yield from _spans(value, top=False)


def test_analyses_round_trip_through_the_json(analyses):
    for name, a in analyses.items():
        data = as_json(a)
        again = presslens.Analysis.from_dict(data)
        assert again == a, name
        assert again.to_dict() == data, name


def test_the_label_enums_are_the_label_sets():
    defs = load_schema()["$defs"]
    assert defs["technique"]["properties"]["technique"]["enum"] == list(TECHNIQUES)
    assert defs["paragraph"]["properties"]["techniques"]["items"]["enum"] == list(TECHNIQUES)
    assert defs["frame"]["properties"]["label"]["enum"] == list(FRAMES)
    assert defs["genre"]["properties"]["label"]["enum"] == list(GENRES)
    assert defs["dispute"]["properties"]["kind"]["enum"] == list(DISPUTE_KINDS)
    assert defs["quote"]["properties"]["kind"]["enum"] == ["direct", "indirect", "mixed"]


def test_every_object_is_closed_and_requires_all_its_fields():
    schema = load_schema()
    objects = [schema] + [d for d in schema["$defs"].values() if d.get("type") == "object"]
    for obj in objects:
        assert obj["additionalProperties"] is False, obj.get("description")
        assert sorted(obj["required"]) == sorted(obj["properties"]), obj.get("description")


def _quote_with_speaker(d: dict) -> dict:
    return next(q for q in d["quotes"] if q["speaker"] and q["cue"])


BREAKAGES = {
    "undocumented top-level field": lambda d: d.update(extra=1),
    "undocumented quote field": lambda d: d["quotes"][0].update(confidence=0.5),
    "undocumented speaker field": lambda d: _quote_with_speaker(d)["speaker"].update(gender="f"),
    "missing field": lambda d: d["quotes"][0].pop("cue"),
    "unknown quote kind": lambda d: d["quotes"][0].update(kind="paraphrase"),
    "unknown technique": lambda d: d["techniques"][0].update(technique="Propaganda"),
    "unknown paragraph technique": lambda d: d["paragraphs"][0]["techniques"].append("Propaganda"),
    "unknown frame": lambda d: d["frames"].append({"label": "Sports", "confidence": 0.5}),
    "unknown genre": lambda d: d.update(genre={"label": "news", "confidence": 0.5}),
    "unknown entity type": lambda d: d["entities"][0].update(type="DATE"),
    "negative offset": lambda d: d["claims"][0].update(start=-1),
    "offset as a string": lambda d: d["entities"][0]["mentions"][0].update(end="12"),
    "cue as a string (before contract 1 settled)": lambda d: d["disputes"][0].update(cue="despite reports"),
    "unknown dispute kind": lambda d: d["disputes"][0].update(kind="maybe"),
    "probability above 1": lambda d: d["claims"][0].update(checkworthiness=1.5),
    "null text": lambda d: d.update(text=None),
    "other contract version": lambda d: d.update(presslens="2"),
    "model name not a string": lambda d: d["models"].update(techniques=1),
    "bad quote id": lambda d: d["techniques"][0].update(quote="quote-1"),
    "undocumented fact-check field": lambda d: d["fact_checks"][0]["matches"][0].update(verdict="x"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_analysis_fails_validation(validator, analyses, breakage):
    data = as_json(analyses["fact-checked"])
    assert errors(validator, data) == []
    broken = copy.deepcopy(data)
    BREAKAGES[breakage](broken)
    assert broken != data
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
