"""The fact-check knowledge base: import ClaimReview and other formats into SQLite, and match claims to it."""

from presslens.factchecks.match import Matcher
from presslens.factchecks.records import FactCheck, RecordError, read_records
from presslens.factchecks.store import ImportReport, KnowledgeBase, default_kb_path

__all__ = ["FactCheck", "ImportReport", "KnowledgeBase", "Matcher", "RecordError", "default_kb_path", "read_records"]
