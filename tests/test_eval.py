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
