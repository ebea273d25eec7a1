"""The Python API a notebook user sees."""

from __future__ import annotations

import json

import presslens


def test_analyze_returns_typed_objects_and_json():
    a = presslens.analyze('"We are ready," said Defence Minister Ivo Petrov on Tuesday.', id="t1", url="http://e.x/1")
    assert isinstance(a, presslens.Analysis) and a.id == "t1" and a.metadata.url == "http://e.x/1"
    (q,) = a.quotes
    assert isinstance(q, presslens.Quote) and isinstance(q.speaker, presslens.Speaker)
    assert q.speaker.name == "Ivo Petrov" and q.cue.text == "said"
    data = json.loads(a.to_json())
    assert data["quotes"][0]["speaker"]["entity"] == q.speaker.entity
    assert presslens.Analysis.from_dict(data) == a


def test_analyze_many_keeps_order_and_reports_bad_items():
    from presslens.errors import InputError
    from presslens.ingest import Article

    items = [Article("a", '"One," Ann Lee said.'), InputError("b", "broken"), Article("c", '"Two," Bob Ray said.')]
    out = list(presslens.analyze_many(items, workers=2, chunk_size=1))
    assert [getattr(x, "id", None) or x.source for x in out] == ["a", "b", "c"]
    assert out[2].quotes[0].speaker.name == "Bob Ray"
