"""Measuring PressLens against gold annotations."""

from presslens.evaluation.gold import GoldDoc, GoldQuote, load_gold, load_gold_jsonl, load_polnear
from presslens.evaluation.quotes import QuoteScores, score_quotes

__all__ = ["GoldDoc", "GoldQuote", "QuoteScores", "load_gold", "load_gold_jsonl", "load_polnear", "score_quotes"]
