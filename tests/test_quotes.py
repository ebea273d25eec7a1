"""Who said what on short articles written for these tests (tests/articles)."""

from __future__ import annotations

import pytest

import presslens
from conftest import analysed, find_quote, speaker_of


@pytest.mark.parametrize(
    ("fragment", "speaker", "cue", "kind"),
    [
        ("bridge contract had been awarded", "Maria Delgado", "said", "indirect"),  # X said on Sunday that
        ("We asked for the documents", "Tom Becker", "said", "direct"),  # "…," said X, a role
        ("audit would be published", "Maria Delgado", "added", "indirect"),  # X added that
        ("Nobody has explained", "Maria Delgado", "continued", "direct"),  # X continued
        ("ministry had refused", "Tom Becker", "told", "indirect"),  # X told CNN …
        ("two years behind schedule", None, "According to", "indirect"),  # according to X
        ("damaged relations", "Frank Osei", "said", "indirect"),  # X, a career diplomat, said
        ("minister of hiding", "Maria Delgado", "accused", "indirect"),  # X accused Y of …
        ("invoices for work", "Tom Becker", "stated", "indirect"),  # X stated that
        ("if the government would publish", "Frank Osei", "asked", "indirect"),  # X asked if
        ("playing with fire", None, "warned", "mixed"),  # X warned that … "…"
        ("figures were accurate", "Maria Delgado", "insisted", "indirect"),  # X insisted
        ("Every contract was signed", None, "said", "direct"),  # X said: "…"
    ],
)
def test_cue_patterns(fragment, speaker, cue, kind):
    a = analysed("cues.txt")
    q = find_quote(a, fragment)
    assert q.kind == kind
    assert q.cue is not None and q.cue.text == cue
    assert (q.speaker.name if q.speaker else None) == speaker


def test_according_to_speaker_is_the_source():
    q = find_quote(analysed("cues.txt"), "two years behind schedule")
    assert q.speaker is not None and q.speaker.text == "the auditor's office"


def test_unnamed_speaker_keeps_its_mention():
    q = find_quote(analysed("cues.txt"), "Every contract was signed")
    assert q.speaker is not None and q.speaker.text == "The minister" and q.speaker.entity is None


def test_curly_quotes_and_split_quote_is_one_quote():
    a = analysed("marks.txt")
    q = find_quote(a, "The strike is illegal")
    assert q.kind == "direct" and q.speaker.name == "Helen Park"
    assert "We will not negotiate under threat" in q.text  # the second half after "Park said on Monday."
    assert q.cue.text == "said"


def test_single_quotes_in_headline_and_body():
    a = analysed("marks.txt")
    head = find_quote(a, "bow to pressure")
    assert head.kind == "mixed" and head.start < 60
    assert head.speaker.name == "Helen Park"  # "Mayor" in the headline is Mayor Helen Park
    assert speaker_of(a, "The mayor is not telling the truth") == "Carlos Ruiz"


def test_quote_spanning_sentences():
    q = find_quote(analysed("marks.txt"), "We have waited eight years")
    assert "the council has done nothing" in q.text and q.speaker.name == "Carlos Ruiz"


def test_open_quote_paragraphs_continue_the_speaker():
    a = analysed("marks.txt")
    opened = find_quote(a, "They are tired of promises")
    assert opened.text.endswith("promises.")  # the paragraph opens a quote and does not close it
    assert opened.speaker.name == "Carlos Ruiz" and opened.cue is None
    assert speaker_of(a, "They want a contract") == "Carlos Ruiz"


def test_pronoun_resolves_to_full_name():
    a = analysed("marks.txt")
    q = find_quote(a, "Our members voted")
    assert q.speaker.text == "he" and q.speaker.name == "Carlos Ruiz" and q.speaker.entity


def test_organisation_speaker_for_reported_speech():
    a = analysed("marks.txt")
    q = find_quote(a, "four per cent raise")
    assert q.kind == "indirect" and q.speaker.text == "Park's office"


def test_speakers_roles_and_descriptions():
    a = analysed("speakers.txt")
    assert speaker_of(a, "Moscow saw no reason") == "Dmitry Peskov"
    added = find_quote(a, "at any moment")
    assert added.kind == "mixed" and added.speaker.text == "He" and added.speaker.name == "Dmitry Peskov"
    assert speaker_of(a, "Words are not enough") == "Jake Sullivan"
    assert speaker_of(a, "troops leave the border") == "Jake Sullivan"  # "He said" after Sullivan
    spokesman = find_quote(a, "routine exercises")
    assert spokesman.speaker.text == "The spokesman" and spokesman.speaker.name == "Dmitry Peskov"


def test_institutional_and_country_sources():
    a = analysed("speakers.txt")
    intel = find_quote(a, "larger deployment")
    assert intel.kind == "indirect" and intel.speaker.text == "U.S. intelligence"
    demand = find_quote(a, "alliance will not expand")
    assert demand.cue.text == "demanded" and demand.speaker.name == "Russia"
    assert demand.text.startswith("a guarantee that")


def test_interview_questions_belong_to_the_interviewer():
    a = analysed("interview.txt")
    assert speaker_of(a, "Why should families pay more") == "Lena Fischer"
    assert speaker_of(a, "Is the tax temporary") == "Lena Fischer"
    answer = find_quote(a, "It ends when the pipeline opens")
    assert answer.speaker.text == "he" and answer.speaker.name == "Paul Hartmann"  # he answers the question
    assert speaker_of(a, "The tax will never end") == "Sarah Kim"


def test_transcript_labels():
    a = analysed("transcript.txt")
    q = find_quote(a, "open in June")
    assert q.kind == "direct" and q.speaker.text == "PARK" and q.cue.text == ":"
    assert speaker_of(a, "Will the new tram line") == "Interviewer"


def test_entities_cluster_to_canonical_names():
    a = analysed("speakers.txt")
    peskov = [e for e in a.entities if e.name == "Dmitry Peskov"]
    assert len(peskov) == 1 and peskov[0].type == "PERSON"
    texts = [m.text for m in peskov[0].mentions]
    assert "Peskov" in texts and "Dmitry Peskov" in texts
    assert not any(e.name == "Peskov" for e in a.entities)


def test_reporter_text_is_not_a_quote():
    a = presslens.analyze("The council met on Tuesday. Members approved the budget after a short debate.\n")
    assert a.quotes == []


def test_scare_quotes_are_not_quotes():
    a = presslens.analyze('The so-called "reform" passed the lower house on Tuesday after a long night.\n')
    assert a.quotes == []


def test_example_article_who_said_what(example_text):
    a = presslens.analyze(example_text)
    top_name, top_quotes = a.speakers()[0]
    assert top_name == "Dmitry Peskov" and len(top_quotes) >= 8
    partial = find_quote(a, "could no longer")
    assert partial.kind == "mixed" and "tolerate" in partial.text and "gradual invasion" in partial.text
    stated = find_quote(a, "no Russian soldiers in the Donbas")
    assert stated.speaker.name == "Dmitry Peskov" and "despite" not in stated.text
    assert speaker_of(a, "Do you rule out") == "Anna Volkova"
    assert speaker_of(a, "manufacturing a pretext") == "Jake Sullivan"
    assert speaker_of(a, "the response will be proportionate") == "Dmitry Peskov"


def test_statement_from_an_organisation_and_they():
    a = presslens.analyze(
        '"We are seeing cases every day," according to a statement from the ministry.\n\n'
        'The unions said they would strike on Friday. "We have no other choice," they said in a joint statement.\n'
    )
    assert find_quote(a, "seeing cases").speaker.text == "the ministry"
    they = find_quote(a, "no other choice")
    assert they.speaker.text == "they" and they.speaker.name == "The unions"
    assert [name for name, _ in a.speakers()].count("The unions") == 1


def test_sentence_initial_inverted_cue():
    a = presslens.analyze('Tax experts were unconvinced. Said Ellis: "I do not see any interest in tax reform."\n')
    q = find_quote(a, "I do not see")
    assert q.cue.text == "Said" and q.speaker.text == "Ellis" and q.speaker.name == "Ellis"


def test_standalone_quote_paragraph_belongs_to_the_person_introduced_before():
    a = analysed("standalone.txt")
    q = find_quote(a, "We see it every week in the morgue")
    assert q.kind == "direct" and q.cue is None
    assert q.speaker is not None and q.speaker.name == "Ana Ruiz"  # "The county's chief coroner, Ana Ruiz, has …"


def test_quoted_sentence_without_a_cue_belongs_to_the_person_just_named():
    assert speaker_of(analysed("standalone.txt"), "Most of the people I see") == "Ben Okafor"


def test_split_quote_is_one_quote_with_its_two_parts():
    a = analysed("standalone.txt")
    first, second = '"We will not back down,"', '"and we will win this fight."'
    q = find_quote(a, "We will not back down")
    assert [p.text for p in q.parts] == [first, second]
    assert [(p.start, p.end) for p in q.parts] == [
        (a.text.index(first), a.text.index(first) + len(first)),
        (a.text.index(second), a.text.index(second) + len(second)),
    ]
    assert (q.start, q.end) == (q.parts[0].start, q.parts[1].end) and q.text == a.text[q.start : q.end]
    assert q.speaker.name == "Tom Reyes" and q.cue.text == "said"
    assert not [o for o in a.quotes if o is not q and o.start < q.end and q.start < o.end]  # one quote, not two
    assert presslens.Analysis.from_dict(a.to_dict()).quotes == a.quotes  # the parts survive the JSON


def test_titles_of_programmes_and_books_are_not_quotes():
    a = analysed("standalone.txt")
    assert not [q for q in a.quotes if "State of the Nation" in q.text or "Hard Cases" in q.text]
    cnn = presslens.analyze(
        'Appearing on CNN\'s "Fareed Zakaria GPS," Kremlin spokesman Dmitry Peskov said the talks had stalled.\n'
    )
    assert [q.text for q in cnn.quotes] == ["the talks had stalled"]
    assert cnn.quotes[0].speaker.name == "Dmitry Peskov"


def test_example_article_has_no_title_quotes(example_text):
    for q in presslens.analyze(example_text, components=("quotes",)).quotes:
        for part in q.pieces:
            words = part.text.strip("\"'\u201c\u201d\u2018\u2019,. ").split()
            assert len(words) > 1 and not all(w[:1].isupper() for w in words), part.text


def test_quotation_over_two_paragraphs_takes_the_speaker_of_its_attributed_end():
    a = analysed("standalone.txt")
    opened = find_quote(a, "Nobody in this town will be left behind")
    assert opened.cue is None and opened.speaker.name == "Tom Reyes"  # not Ben Okafor, the last speaker before
    assert speaker_of(a, "Every life we save") == "Tom Reyes"


def test_organisations_named_with_a_title_word_keep_it():
    """ "State", "General" and "Justice" are titles before a person's name, not before an organisation's."""
    a = analysed("organisations.txt")
    assert speaker_of(a, "export licences") == "State Department"
    assert speaker_of(a, "appeal the ruling") == "General Motors"
    assert speaker_of(a, "opened an inquiry") == "Justice Department"
    assert speaker_of(a, "suspension was temporary") == "Laura Chen"
    assert speaker_of(a, "port is open again") == "Ines Costa"  # not "master Ines Costa" (a role word before it)
    assert {e.type for e in a.entities if e.name in ("State Department", "General Motors")} == {"ORG"}
