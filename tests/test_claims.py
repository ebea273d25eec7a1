"""Claims, their claimants, and the disputes an article contains."""

from __future__ import annotations

import presslens
from presslens.claims import load_checkworthiness
from presslens.evaluation.checkworthiness import average_precision, precision_at, r_precision, score_transcripts


def claim_with(a: presslens.Analysis, fragment: str):
    hits = [c for c in a.claims if fragment in c.text]
    assert hits, f"no claim contains {fragment!r}; claims: {[c.text for c in a.claims]}"
    return hits[0]


def test_specific_factual_statements_outrank_pleasantries_questions_and_opinions():
    model = load_checkworthiness()
    factual = model.score(["Unemployment fell from 9 percent to 4.1 percent between 2012 and 2016."])[0]
    for weak in ("Thank you all for coming tonight.", "I think we can do better.", "How are you?"):
        assert factual > model.score([weak])[0] + 0.2, weak


def test_claims_in_quotes_belong_to_the_speaker(example_text):
    a = presslens.analyze(example_text, id="example", source="Wire")
    c = claim_with(a, "Russia could no longer")
    assert c.claimant.name == "Dmitry Peskov"
    assert c.quote is not None and a.text[c.start : c.end] == c.text
    quote = next(q for q in a.quotes if q.id == c.quote)
    assert quote.start <= c.start and c.end <= quote.end
    # The attribution inside a split quote ('…anyone," Peskov told the state broadcaster. "But…') is nobody's claim.
    assert not any("told the state broadcaster" in x.text or "he replied" in x.text for x in a.claims)


def test_reporter_voice_claims_belong_to_the_outlet():
    text = (
        "Factory output fell 4 percent in March, the steepest drop since 2009. "
        "The ministry of industry expects a recovery in the summer."
    )
    a = presslens.analyze(text, id="t", source="Daily Wire Service")
    c = claim_with(a, "Factory output fell 4 percent")
    assert c.quote is None and c.claimant is not None and c.claimant.name == "Daily Wire Service"
    b = presslens.analyze(text, id="t2")
    assert claim_with(b, "Factory output fell 4 percent").claimant is None


def test_questions_score_low(example_text):
    a = presslens.analyze(example_text, id="example")
    assert not any("Do you rule out" in c.text for c in a.claims)


def test_the_disputed_denial_is_linked_to_its_evidence(example_text):
    a = presslens.analyze(example_text, id="example")
    c = claim_with(a, "there were no Russian soldiers in the Donbas")
    assert c.claimant.name == "Dmitry Peskov"
    disputes = [d for d in a.disputes if d.claim == c.id]
    assert disputes, a.disputes
    d = disputes[0]
    assert d.text.startswith("despite reports that troops out of uniform")
    assert a.text[d.start : d.end] == d.text
    # The cue is a span of the text (like a quote's cue), its family is the kind.
    assert d.kind == "despite"
    assert d.cue is not None and d.cue.text == "despite reports"
    assert d.cue.start == a.text.index("despite reports that troops") and a.text[d.cue.start : d.cue.end] == d.cue.text
    assert d.to_dict()["cue"] == {"start": d.cue.start, "end": d.cue.end, "text": "despite reports"}
    assert d.to_dict()["kind"] == "despite"


def test_a_dispute_in_the_next_sentence_reaches_back_to_the_quote():
    text = (
        '"There are no foreign fighters in the city," the commander, Colonel Ivan Sorin, said. '
        "He made the remark despite reports that foreign volunteers have been seen at checkpoints."
    )
    a = presslens.analyze(text, id="t")
    c = claim_with(a, "There are no foreign fighters in the city")
    assert [(d.kind, d.cue.text) for d in a.disputes if d.claim == c.id] == [("despite", "despite reports")]
    d = next(d for d in a.disputes if d.claim == c.id)
    assert d.cue.start == text.index("despite reports") and d.cue.end == d.cue.start + len("despite reports")


def test_look_alike_cues_are_not_disputes():
    for text in (
        "The match went ahead despite the rain, and the home side won 2-0 on Saturday.",
        "The reporter was denied entry to the country at the airport on Tuesday.",
        "The union rejected the offer of a 3 percent raise and said the strike would continue.",
        "Contrary to expectations, turnout in the second round was higher than in the first.",
    ):
        a = presslens.analyze(text, id="t")
        assert a.disputes == [], (text, a.disputes)


def test_denial_and_no_evidence_cues():
    a = presslens.analyze(
        "Local media reported that the factory would close in June. The company denied the reports on Friday.", id="t"
    )
    assert [(d.kind, d.cue.text) for d in a.disputes] == [("denied", "denied the reports")]
    b = presslens.analyze(
        "Premier Dan Holt said the protests were organised by a foreign government, without providing evidence.", id="t"
    )
    c = claim_with(b, "the protests were organised by a foreign government")
    assert [d.text for d in b.disputes if d.claim == c.id] == ["without providing evidence"]
    assert [(d.kind, d.cue.text) for d in b.disputes if d.claim == c.id] == [
        ("no evidence", "without providing evidence")
    ]


def test_a_second_speaker_saying_the_opposite_has_no_cue_phrase():
    text = (
        '"The new law will raise wages for nurses," Health Minister Joan Reyes said. '
        '"The new law will not raise wages for nurses at all," union leader Tom Baker said.'
    )
    a = presslens.analyze(text, id="t")
    c = claim_with(a, "The new law will raise wages for nurses")
    (d,) = [d for d in a.disputes if d.claim == c.id]
    assert d.kind == "opposite claim" and d.cue is None and d.to_dict()["cue"] is None
    assert d.text == "The new law will not raise wages for nurses at all"
    # The reports still say who says the opposite (the speaker of the quote the contesting text lies in).
    assert "DISPUTED (opposite claim by Tom Baker): The new law will not" in a.to_text()
    assert "opposite claim by Tom Baker: The new law will not" in a.to_html()


def test_old_json_with_a_string_cue_still_reads():
    from presslens.model import Dispute, Span

    text = "The mayor said 40 bridges were closed. The city denied that on Friday. Ann Lee said none were."
    data = {
        "presslens": "1",
        "id": "old",
        "text": text,
        "claims": [{"id": "c1", "start": 0, "end": 38, "text": text[:38], "checkworthiness": 0.9}],
        "disputes": [
            {"claim": "c1", "start": 39, "end": 70, "text": text[39:70], "cue": "denied that"},
            {"claim": "c1", "start": 71, "end": 95, "text": text[71:95], "cue": "opposite claim by Ann Lee"},
        ],
    }
    a = presslens.Analysis.from_dict(data)
    s = text.index("denied that")
    assert a.disputes == [
        Dispute("c1", 39, 70, text[39:70], kind="denied", cue=Span(s, s + 11, "denied that")),
        Dispute("c1", 71, 95, text[71:95], kind="opposite claim", cue=None),
    ]


def test_json_round_trip_keeps_claims_and_disputes(example_text):
    a = presslens.analyze(example_text, id="example")
    data = a.to_dict()
    assert {"claims", "disputes", "fact_checks"} <= set(data)
    assert presslens.Analysis.from_dict(data).to_dict() == data


def test_ranking_metrics():
    labels, scores = [0, 1, 0, 1], [0.9, 0.8, 0.1, 0.7]
    # ranks: 0 (neg), 1 (pos, P=1/2), 3 (pos, P=2/3)
    assert abs(average_precision(labels, scores) - (0.5 + 2 / 3) / 2) < 1e-9
    assert precision_at(labels, scores, 3) == 2 / 3
    assert r_precision(labels, scores) == 0.5
    assert score_transcripts([(labels, scores), ([0, 0], [0.1, 0.2])])["map"] == (0.5 + 2 / 3) / 4


def test_claims_panel_escapes_fact_check_text_and_drops_unsafe_links():
    from presslens.model import Claim, ClaimMatches, Dispute, FactCheckMatch, Span

    text = "The mayor said 40 bridges were <b>closed</b>. Records contradict that."
    a = presslens.Analysis(id="t", text=text)
    a.claims = [Claim("c1", 0, 45, text[0:45], 0.9)]
    a.disputes = [Dispute("c1", 46, 70, text[46:70], kind="denied", cue=Span(54, 69, text[54:69]))]
    evil = FactCheckMatch("x", "<script>alert(1)</script>", '"><img onerror=x>', "P", "javascript:alert(1)", None, 0.9)
    a.fact_checks = [ClaimMatches("c1", [evil])]
    html = a.to_html()
    assert "<script>alert(1)" not in html and "<img onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'data-layer="claims"' in html


def test_eval_disputes_names_the_kind_and_cue_of_a_false_alarm():
    from presslens.evaluation.disputes import score_disputes

    text = '"There are no foreign fighters in the city," Colonel Ivan Sorin said, despite reports of volunteers.'
    negative = {"id": "n1", "cue": "negative", "text": text, "claim": None, "dispute": None}
    result = score_disputes([negative], [presslens.analyze(text, id="n1")])
    assert result["predicted"] == 1 and result["precision"] == 0.0
    (error,) = result["errors"]
    assert error.startswith("n1 false alarm (despite, 'despite reports'): claim 'There are no foreign fighters")
