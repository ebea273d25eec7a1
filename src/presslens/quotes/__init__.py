"""Who said what: quotes (direct, mixed, indirect) with cue and resolved speaker."""

from presslens.quotes.extract import extract_quotes
from presslens.quotes.marks import QuoteMark, find_quote_marks

__all__ = ["QuoteMark", "extract_quotes", "find_quote_marks"]
