"""Quote evaluation: matching rules on hand-made gold, and the PolNeAR reader on the shared data."""

from __future__ import annotations

import json

from conftest import CliResult, run_cli
from presslens.evaluation import GoldDoc, GoldQuote, load_gold_jsonl, load_polnear, score_quotes
from presslens.evaluation.quotes import overlap_ratio
from presslens.model import Analysis, Quote, Speaker


def eval_quotes(*args: str) -> CliResult:
    """The `presslens eval quotes --json` command."""
    return run_cli("eval", "quotes", "--json", *args)


def test_overlap_is_relative_to_the_longer_span():
    assert overlap_ratio(0, 10, 0, 10) == 1.0
    assert overlap_ratio(0, 10, 5, 25) == 0.25
    assert overlap_ratio(0, 10, 10, 20) == 0.0


def _analysis(text, quotes):
    return Analysis(id="t", text=text, quotes=quotes)


def test_scores_on_handmade_gold():
    text = '"Yes," Ann Lee said. Bob Ray said no. "Maybe later," he added.'
    pred = [
        Quote("q1", "direct", 0, 6, text[0:6], None, Speaker(7, 14, "Ann Lee", "Ann Lee", None)),
        Quote("q2", "direct", 39, 54, text[39:54], None, Speaker(55, 57, "he", "Ann Lee", None)),
        Quote("q3", "indirect", 30, 37, text[30:37], None, None),
    ]
    gold = GoldDoc(
        "t",
        text,
        [
            GoldQuote(0, 6, "Ann Lee", 7, 14),
            GoldQuote(39, 54, "Bob Ray", 21, 28),
            GoldQuote(20, 28, None),
        ],
    )
    s03, s08 = score_quotes([(_analysis(text, pred), gold)])
    assert (s03.predicted, s03.gold, s03.matched) == (3, 3, 2)
    assert abs(s03.precision - 2 / 3) < 1e-9 and abs(s03.recall - 2 / 3) < 1e-9
    assert s03.speaker_total == 2 and s03.speaker_correct == 1  # q2's speaker is wrong
    assert s08.matched == 2


def test_generic_gold_jsonl(tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text(json.dumps({"id": "x", "text": "abc", "quotes": [{"start": 0, "end": 2, "speaker": "A"}]}) + "\n")
    (doc,) = load_gold_jsonl(f)
    assert doc.quotes[0].speaker == "A" and doc.quotes[0].end == 2


def test_eval_command_on_generic_gold(tmp_path):
    text = '"We will not back down," Mayor Helen Park said on Monday.'
    f = tmp_path / "gold.jsonl"
    f.write_text(
        json.dumps(
            {
                "id": "g",
                "text": text,
                "quotes": [{"start": 0, "end": 25, "speaker": "Helen Park", "speaker_start": 32, "speaker_end": 42}],
            }
        )
        + "\n"
    )
    r = eval_quotes("--gold", "jsonl", str(f), "--workers", "1")
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout)["scores"]
    assert scores[0]["f1"] == 1.0 and scores[0]["speaker_accuracy"] == 1.0


def test_polnear_reader(shared_data):
    docs = load_polnear(shared_data / "quotes/polnear/dev")
    assert len(docs) == 84
    quotes = [q for d in docs for q in d.quotes]
    assert len(quotes) > 1500
    d = docs[0]
    for q in d.quotes:
        assert 0 <= q.start < q.end <= len(d.text)


def test_polnear_dev_scores_do_not_regress(shared_data):
    """The figures in docs/evaluation.md, with a margin: a change that loses accuracy fails here."""
    r = eval_quotes("--gold", "polnear", str(shared_data / "quotes/polnear/dev"))
    assert r.returncode == 0, r.stderr
    s03 = json.loads(r.stdout)["scores"][0]
    assert s03["precision"] >= 0.80 and s03["f1"] >= 0.58 and s03["speaker_accuracy"] >= 0.88


SPLIT = '"We will not back down," said Mayor Tom Reyes, "and we will win this fight."'


def test_split_quotes_are_scored_on_their_parts(tmp_path):
    """Gold and predicted split quotes: overlap counts the quoted characters, not the attribution between."""
    first, second = (0, 24), (47, len(SPLIT))
    f = tmp_path / "gold.jsonl"
    gold_quote = {"start": 0, "end": len(SPLIT), "parts": [{"start": a, "end": b} for a, b in (first, second)]}
    f.write_text(json.dumps({"id": "s", "text": SPLIT, "quotes": [gold_quote]}) + "\n")
    (doc,) = load_gold_jsonl(f)
    assert [(p.start, p.end) for p in doc.quotes[0].parts] == [first, second]
    r = eval_quotes("--gold", "jsonl", str(f), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert [s["f1"] for s in json.loads(r.stdout)["scores"]] == [1.0, 1.0]  # the predicted parts are exact
    # A prediction of the first part alone covers 24 of the 53 quoted characters: a match at 0.3, not at 0.8.
    alone = [Quote("q1", "direct", 0, 24, SPLIT[0:24])]
    s03, s08 = score_quotes([(_analysis(SPLIT, alone), doc)])
    assert (s03.matched, s08.matched) == (1, 0)


def test_polnear_discontinuous_content_is_a_quote_with_parts(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a.txt").write_text(SPLIT, encoding="utf-8")
    (tmp_path / "attributions" / "a_x.ann").write_text(
        f"T1\tSource 36 45\tTom Reyes\nT2\tCue 25 29\tsaid\nT3\tContent 0 24;47 {len(SPLIT)}\tx\n"
        "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    (doc,) = load_polnear(tmp_path)
    q = doc.quotes[0]
    assert (q.start, q.end, q.speaker) == (0, len(SPLIT), "Tom Reyes")
    assert [(p.start, p.end) for p in q.parts] == [(0, 24), (47, len(SPLIT))]
