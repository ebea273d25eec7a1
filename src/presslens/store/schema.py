"""The corpus store's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

An article (keyed by its URL, else its id) has versions; a version holds the text, the metadata and the whole
analysis as JSON (the source of truth, from which a report can be rendered again), and the rows that queries read:
quotes, claims, technique spans and frames, each with its ``start``/``end`` offsets into that version's text. Only
the current version of an article is counted by queries; older ones are kept. Speakers and claim clusters belong
to the corpus, not to one article: quotes and claims point at them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False))

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started", String(32), nullable=False),  # ISO 8601 UTC
    Column("command", Text, nullable=False),
    Column("presslens", String(32), nullable=False),  # the package version
    Column("models", Text, nullable=False),  # JSON: part → model version, as the analyses record them
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),  # "url:https://…" or "id:…"
    Column("first_stored", String(32), nullable=False),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 of title and text
    Column("current", Boolean, nullable=False),
    Column("stored_at", String(32), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("external_id", Text, nullable=False),  # the article's id as given (file stem, JSON Lines "id", URL)
    Column("url", Text),
    Column("day", String(10)),  # YYYY-MM-DD of the article's date, when it has one
    Column("outlet", Text),
    Column("author", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("genre", String(16)),
    Column("models", Text, nullable=False),  # JSON
    Column("analysis", Text, nullable=False),  # JSON: Analysis.to_dict()
    UniqueConstraint("article_id", "digest", "models", name="uq_version"),
)
Index("ix_versions_current", versions.c.current, versions.c.day)
Index("ix_versions_article", versions.c.article_id)

speakers = Table(
    "speakers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True),  # type + normalised name (+ a number for a namesake)
    Column("name", Text, nullable=False),  # the fullest form seen
    Column("type", String(16), nullable=False),  # PERSON, ORG, GPE, NORP, ...
    Column("surname", Text),  # PERSON only, normalised
    Column("first", Text),  # PERSON only, normalised; NULL while only the surname is known
    Column("roles", Text, nullable=False, default=""),  # space-separated role words seen beside the name
)
Index("ix_speakers_surname", speakers.c.surname)

speaker_names = Table(
    "speaker_names",
    metadata,
    Column("speaker_id", Integer, ForeignKey("speakers.id"), primary_key=True),
    Column("name", Text, primary_key=True),
)

quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("versions.id"), nullable=False),
    Column("qid", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("cue", Text),
    Column("speaker_text", Text),  # the mention as written ("the spokesman")
    Column("speaker_name", Text),  # resolved in the article ("Dmitry Peskov")
    Column("speaker_id", Integer, ForeignKey("speakers.id")),
)
Index("ix_quotes_version", quotes.c.version_id)
Index("ix_quotes_speaker", quotes.c.speaker_id)

claim_clusters = Table(
    "claim_clusters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),  # its first claim's words
    Column("terms", Text, nullable=False),  # the first claim's content terms, space-separated
    Column("numbers", Text, nullable=False),  # the first claim's numbers, space-separated
    Column("vector", LargeBinary),  # the first claim's sentence embedding (float16), when the encoder is installed
)

cluster_terms = Table(  # blocking: the clusters that share a rare term with a new claim are its candidates
    "cluster_terms",
    metadata,
    Column("term", String(64), primary_key=True),
    Column("cluster_id", Integer, ForeignKey("claim_clusters.id"), primary_key=True),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("versions.id"), nullable=False),
    Column("cid", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("checkworthiness", Float, nullable=False),
    Column("claimant", Text),
    Column("speaker_id", Integer, ForeignKey("speakers.id")),
    Column("quote_id", Integer, ForeignKey("quotes.id")),
    Column("disputed", Boolean, nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list
    Column("cluster_id", Integer, ForeignKey("claim_clusters.id")),
)
Index("ix_claims_version", claims.c.version_id)
Index("ix_claims_cluster", claims.c.cluster_id)
Index("ix_claims_speaker", claims.c.speaker_id)

fact_checks = Table(
    "fact_checks",
    metadata,
    Column("claim_id", Integer, ForeignKey("claims.id"), primary_key=True),
    Column("fact_check", Text, primary_key=True),  # the KB record's id
    Column("claim_reviewed", Text, nullable=False),
    Column("rating", Text),
    Column("publisher", Text),
    Column("url", Text),
    Column("score", Float, nullable=False),
)

techniques = Table(
    "techniques",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("versions.id"), nullable=False),
    Column("technique", String(64), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("uncertain", Boolean, nullable=False),
    Column("speaker_id", Integer, ForeignKey("speakers.id")),  # when the span lies in a quote
)
Index("ix_techniques_version", techniques.c.version_id)

paragraph_techniques = Table(  # the paragraph-level labels (shown by default, unlike most spans)
    "paragraph_techniques",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("paragraph", Integer, primary_key=True),
    Column("technique", String(64), primary_key=True),
    Column("start", Integer, nullable=False),  # the paragraph's span
    Column("end", Integer, nullable=False),
)

frames = Table(
    "frames",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("frame", String(64), primary_key=True),
    Column("confidence", Float, nullable=False),
)

errors = Table(
    "errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("at", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("message", Text, nullable=False),
)
