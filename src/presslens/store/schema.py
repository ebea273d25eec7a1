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

SCHEMA_VERSION = 4  # raised with each change, its migration in store.engine.MIGRATIONS

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
# covering (id, article_id, outlet: a period's versions without reading their rows), newest first
Index(
    "ix_versions_current",
    versions.c.current,
    versions.c.day.desc(),
    versions.c.id,
    versions.c.article_id,
    versions.c.outlet,
)
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
Index(  # covering: a version's quotes in order, with what the speaker and paragraph joins need
    "ix_quotes_version", quotes.c.version_id, quotes.c.start, quotes.c.end, quotes.c.speaker_id, quotes.c.id
)
Index("ix_quotes_speaker", quotes.c.speaker_id)
Index("ix_quotes_speaker_name", quotes.c.speaker_name)

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
Index(  # covering: what the claims queue aggregates over a period's versions
    "ix_claims_version",
    claims.c.version_id,
    claims.c.cluster_id,
    claims.c.checkworthiness,
    claims.c.speaker_id,
    claims.c.disputed,
    claims.c.id,
)
Index("ix_claims_quote", claims.c.quote_id)
Index("ix_claims_cluster", claims.c.cluster_id)
Index("ix_claims_speaker", claims.c.speaker_id)
Index(  # the disputed claims alone (about 1 %), for a search of them
    "ix_claims_disputed",
    claims.c.id,
    sqlite_where=claims.c.disputed.is_(True),
    postgresql_where=claims.c.disputed.is_(True),
)

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

# Summaries: what the all-time corpus questions count (stats, speakers, claims, techniques), so that they answer
# in milliseconds at hundreds of thousands of articles instead of aggregating millions of rows. Derived data, kept
# by ``presslens.store.summary.sync`` in each write transaction and rebuildable from the tables above; a query
# reads them only while ``meta.summary_watermark`` equals the newest version's id (else it counts the rows).
summary_versions = Table(  # the versions counted in the summaries: the current ones when in sync
    "summary_versions", metadata, Column("version_id", Integer, primary_key=True, autoincrement=False)
)

summary_counts = Table(  # quotes, claims, claim_clusters: rows of current versions
    "summary_counts",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("n", Integer, nullable=False),
)

summary_outlets = Table(  # current versions per outlet
    "summary_outlets", metadata, Column("outlet", Text, primary_key=True), Column("n", Integer, nullable=False)
)

quote_speaker_names = Table(  # the distinct resolved speaker names of current quotes (what --speaker searches)
    "quote_speaker_names", metadata, Column("name", Text, primary_key=True), Column("n", Integer, nullable=False)
)

speaker_stats = Table(  # per speaker with quotes in current versions: what ``corpus speakers`` lists
    "speaker_stats",
    metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=False),
    Column("quotes", Integer, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("outlets", Integer, nullable=False),
    Column("first_day", String(10)),
    Column("last_day", String(10)),
)
Index("ix_speaker_stats_quotes", speaker_stats.c.quotes)

speaker_outlets = Table(  # current versions quoting the speaker, per outlet (for the distinct count)
    "speaker_outlets",
    metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=False),
    Column("outlet", Text, primary_key=True),
    Column("n", Integer, nullable=False),
)

speaker_days = Table(  # current versions quoting the speaker, per day (for the first and last day)
    "speaker_days",
    metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=False),
    Column("day", String(10), primary_key=True),
    Column("n", Integer, nullable=False),
)

speaker_techniques = Table(  # quotes of the speaker in a paragraph labelled with the technique
    "speaker_techniques",
    metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=False),
    Column("technique", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)

speaker_day_techniques = Table(  # the same per day of the quoting version (dated versions): a period's counts
    "speaker_day_techniques",
    metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=False),
    Column("day", String(10), primary_key=True),
    Column("technique", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)

technique_counts = Table(  # paragraph labels and frames (confidence >= 0.5) per day, outlet, or outlet and day
    "technique_counts",
    metadata,
    Column("dim", String(16), primary_key=True),  # "day", "outlet" or "outlet-day"
    Column("known", Boolean, primary_key=True),  # False: the article has no day / outlet (key is "")
    Column("key", Text, primary_key=True),  # the day or the outlet
    Column("day", String(10), primary_key=True),  # "outlet-day": the day (always known); else ""
    Column("kind", String(16), primary_key=True),  # "technique" or "frame"
    Column("label", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)
Index(  # covering: a period's counts are read from the index alone (SQLite at 200k articles: 100 -> 17 ms)
    "ix_technique_counts_day",
    *(technique_counts.c[name] for name in ("dim", "day", "known", "key", "kind", "label", "n")),
)

cluster_stats = Table(  # per claim cluster with claims in current versions: the all-time ``corpus claims`` queue
    "cluster_stats",
    metadata,
    Column("cluster_id", Integer, primary_key=True, autoincrement=False),
    Column("checkworthiness", Float, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("outlets", Integer, nullable=False),
    Column("speakers", Integer, nullable=False),
    Column("disputed", Integer, nullable=False),
    Column("fact_checks", Integer, nullable=False),
    Column("first_seen", String(10)),
    Column("last_seen", String(10)),
    Column("score", Float, nullable=False),  # the queue's order: check-worthiness × (1 + ln(articles))
)
Index("ix_cluster_stats_score", cluster_stats.c.score.desc(), cluster_stats.c.cluster_id)
