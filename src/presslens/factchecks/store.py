"""The fact-check knowledge base: one SQLite file with the records, a full-text (FTS5, BM25) index and
the sentence embeddings.

SQLite, because it is a single file a user can copy, needs no server, ships with Python, and its FTS5
extension gives BM25 ranking that stays in sync with the records through triggers. Embeddings live in a
table of the same file rather than in a separate array file, so one transaction covers records and index:
an import that crashes leaves the previous state, and the index can never describe records that are gone.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from presslens.errors import PressLensError
from presslens.factchecks.records import FIELDS, FactCheck, Parsed, RecordError

if TYPE_CHECKING:
    from presslens.factchecks.encoder import Encoder

SCHEMA = """
CREATE TABLE IF NOT EXISTS factchecks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    claim_reviewed TEXT NOT NULL,
    rating TEXT, publisher TEXT, url TEXT, date TEXT, claimant TEXT, title TEXT,
    imported_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS factchecks_fts USING fts5(
    claim_reviewed, title, claimant, content='factchecks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS factchecks_ai AFTER INSERT ON factchecks BEGIN
    INSERT INTO factchecks_fts(rowid, claim_reviewed, title, claimant)
    VALUES (new.rowid, new.claim_reviewed, new.title, new.claimant);
END;
CREATE TRIGGER IF NOT EXISTS factchecks_ad AFTER DELETE ON factchecks BEGIN
    INSERT INTO factchecks_fts(factchecks_fts, rowid, claim_reviewed, title, claimant)
    VALUES ('delete', old.rowid, old.claim_reviewed, old.title, old.claimant);
END;
CREATE TRIGGER IF NOT EXISTS factchecks_au AFTER UPDATE ON factchecks BEGIN
    INSERT INTO factchecks_fts(factchecks_fts, rowid, claim_reviewed, title, claimant)
    VALUES ('delete', old.rowid, old.claim_reviewed, old.title, old.claimant);
    INSERT INTO factchecks_fts(rowid, claim_reviewed, title, claimant)
    VALUES (new.rowid, new.claim_reviewed, new.title, new.claimant);
END;
CREATE TABLE IF NOT EXISTS embeddings (
    rowid INTEGER PRIMARY KEY REFERENCES factchecks(rowid) ON DELETE CASCADE,
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    vector BLOB NOT NULL
);
"""
_COLUMNS = ", ".join(FIELDS)


def default_kb_path() -> Path:
    """``$PRESSLENS_KB``, else ``$XDG_DATA_HOME/presslens/factchecks.sqlite`` (``~/.local/share`` by default)."""
    if os.environ.get("PRESSLENS_KB"):
        return Path(os.environ["PRESSLENS_KB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "presslens" / "factchecks.sqlite"


def embedding_text(fc: FactCheck) -> str:
    """What is embedded for a record: the claim, then the fact-check's headline when there is one."""
    return fc.claim_reviewed if not fc.title else f"{fc.claim_reviewed} {fc.title}"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged


class KnowledgeBase:
    """A fact-check knowledge base in one SQLite file (created on first write)."""

    def __init__(self, path: str | Path | None = None, *, readonly: bool = False):
        self.path = Path(path) if path else default_kb_path()
        if readonly and not self.path.exists():
            raise PressLensError(
                f"no fact-check knowledge base at {self.path}; import one: presslens factchecks import FILE"
            )
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            uri = f"file:{self.path}?mode=ro" if readonly else f"file:{self.path}"
            self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self.conn.executescript(SCHEMA)
            self.conn.execute("SELECT count(*) FROM factchecks").fetchone()
        except sqlite3.DatabaseError as exc:
            raise PressLensError(f"{self.path}: not a PressLens knowledge base ({exc})") from None
        self._vectors: tuple[np.ndarray, np.ndarray, str] | None = None
        self._df: dict[str, int] = {}  # FTS5 document counts of query terms; "_n" = record count

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------
    def import_records(
        self, records: Iterable[Parsed], on_error: Callable[[RecordError], None] | None = None
    ) -> ImportReport:
        """Add or update valid records in one transaction; invalid ones and repeats in the input are reported.

        Any exception (or Ctrl-C) rolls the whole import back: the knowledge base keeps its previous state.
        """
        report = ImportReport()
        seen: set[str] = set()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for rec in records:
                if isinstance(rec, RecordError):
                    report.errors.append(rec)
                    if on_error:
                        on_error(rec)
                    continue
                if rec.id in seen:
                    err = RecordError(f"id {rec.id}", "duplicate of an earlier record in this import; kept the first")
                    report.errors.append(err)
                    if on_error:
                        on_error(err)
                    continue
                seen.add(rec.id)
                values = tuple(getattr(rec, f) for f in FIELDS)
                old = cur.execute(f"SELECT {_COLUMNS} FROM factchecks WHERE id = ?", (rec.id,)).fetchone()
                if old is None:
                    cur.execute(
                        f"INSERT INTO factchecks ({_COLUMNS}, imported_at) VALUES ({', '.join('?' * len(FIELDS))}, ?)",
                        (*values, now),
                    )
                    report.added += 1
                elif tuple(old) != values:
                    sets = ", ".join(f"{f} = ?" for f in FIELDS[1:])
                    cur.execute(
                        f"UPDATE factchecks SET {sets}, imported_at = ? WHERE id = ?", (*values[1:], now, rec.id)
                    )
                    report.updated += 1
                else:
                    report.unchanged += 1
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._vectors = None
        self._df = {}
        return report

    def build_index(self, encoder: Encoder, batch_size: int = 256, log: Callable[[str], None] | None = None) -> int:
        """Embed the records that have no embedding (or an outdated one); returns how many were embedded.

        Commits batch by batch, so an interrupted run keeps its progress and the next one resumes.
        """
        rows = self.conn.execute(
            "SELECT f.rowid, f.claim_reviewed, f.title, e.digest, e.model FROM factchecks f LEFT JOIN embeddings e ON e.rowid = f.rowid"
        ).fetchall()
        todo = []
        for rowid, claim, title, digest, model in rows:
            text = embedding_text(FactCheck("", claim, title=title))
            d = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if digest != d or model != encoder.name:
                todo.append((rowid, text, d))
        for i in range(0, len(todo), batch_size):
            batch = todo[i : i + batch_size]
            vecs = encoder.encode([t for _, t, _ in batch]).astype(np.float16)
            with self.conn:
                self.conn.execute("BEGIN")
                self.conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (rowid, model, digest, vector) VALUES (?, ?, ?, ?)",
                    [(rowid, encoder.name, d, v.tobytes()) for (rowid, _, d), v in zip(batch, vecs, strict=True)],
                )
            if log:
                log(f"embedded {min(i + batch_size, len(todo))}/{len(todo)}")
        self._vectors = None
        return len(todo)

    # -- reading ---------------------------------------------------------------------------------
    def data_version(self) -> int:
        """Changes whenever another connection commits to the file (SQLite's ``PRAGMA data_version``)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM factchecks").fetchone()[0]

    def _record(self, row: Sequence[Any]) -> FactCheck:
        return FactCheck(*row)

    def get(self, rowids: list[int]) -> dict[int, FactCheck]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        rows = self.conn.execute(f"SELECT rowid, {_COLUMNS} FROM factchecks WHERE rowid IN ({marks})", rowids)
        return {r[0]: self._record(r[1:]) for r in rows}

    def records(self, limit: int | None = None, offset: int = 0) -> Iterator[FactCheck]:
        sql = f"SELECT {_COLUMNS} FROM factchecks ORDER BY date DESC, rowid LIMIT ? OFFSET ?"
        for row in self.conn.execute(sql, (-1 if limit is None else limit, offset)):
            yield self._record(row)

    def bm25(self, query: str, k: int = 20) -> list[tuple[int, float]]:
        """``(rowid, score)`` best first; the score is FTS5's BM25 negated (higher is better)."""
        terms = self._discriminating(fts_terms(query))
        if not terms:
            return []
        sql = "SELECT rowid, bm25(factchecks_fts, 1.0, 0.5, 0.5) FROM factchecks_fts WHERE factchecks_fts MATCH ? ORDER BY bm25(factchecks_fts, 1.0, 0.5, 0.5) LIMIT ?"
        return [(r, -s) for r, s in self.conn.execute(sql, (" OR ".join(terms), k))]

    def _discriminating(self, terms: list[str], max_share: float = 0.05, max_terms: int = 12) -> list[str]:
        """The query's rarer terms: a term in more than 5 % of the records ("says", "percent") adds little to BM25
        but makes FTS5 score most of the table; at most 12 terms, rarest first. Document counts are cached."""
        if not terms:
            return terms
        cache = self._df
        if "_n" not in cache:  # cleared by every import
            cache["_n"] = len(self)
        n = cache["_n"]
        for t in terms:
            if t not in cache:
                cache[t] = self.conn.execute(
                    "SELECT count(*) FROM factchecks_fts WHERE factchecks_fts MATCH ?", (t,)
                ).fetchone()[0]
        ranked = sorted((cache[t], t) for t in terms if cache[t] > 0)
        keep = [t for df, t in ranked if df <= max_share * n][:max_terms]
        return keep or [t for _, t in ranked[:max_terms]]

    def vectors(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """``(rowids, unit vectors as float32)`` of the records embedded with ``model``."""
        if self._vectors is None or self._vectors[2] != model:
            rows = self.conn.execute(
                "SELECT rowid, vector FROM embeddings WHERE model = ? ORDER BY rowid", (model,)
            ).fetchall()
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            mat = (
                np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)
                if rows
                else np.zeros((0, 1), np.float16)
            )
            self._vectors = (ids, mat.astype(np.float32), model)
        return self._vectors[0], self._vectors[1]

    def missing_embeddings(self, model: str) -> int:
        sql = "SELECT count(*) FROM factchecks f LEFT JOIN embeddings e ON e.rowid = f.rowid AND e.model = ? WHERE e.rowid IS NULL"
        return self.conn.execute(sql, (model,)).fetchone()[0]


_WORD = re.compile(r"\w+")


def content_words(text: str) -> set[str]:
    """Lower-cased words that are not spaCy stop words."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return {w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS}


def fts_terms(query: str) -> list[str]:
    """Content words of a query as quoted FTS5 terms (quoting keeps FTS5 syntax in article text inert)."""
    return sorted(f'"{w}"' for w in content_words(query) if len(w) > 1 or w.isdigit())


def open_kb(
    source: str | Path, encoder: Encoder | None = None, log: Callable[[str], None] | None = None
) -> KnowledgeBase:
    """A knowledge base from a ``.sqlite`` file, or built once (and cached) from importable files.

    ``source`` may be a folder holding a ``.tar.gz`` knowledge base (as ``../shared/data/claim-matching/politifact``
    is laid out), the archive itself, or any file ``presslens factchecks import`` reads. The cache lives in
    ``$XDG_CACHE_HOME/presslens`` keyed by the source's path, size and modification time.
    """
    from presslens.factchecks.records import read_records

    source = Path(source)
    if source.suffix in (".sqlite", ".db"):
        return KnowledgeBase(source, readonly=True)
    files = sorted(source.glob("*.tar.gz")) if source.is_dir() else [source]
    if not files or not all(f.exists() for f in files):
        raise PressLensError(f"{source}: no knowledge base found (a .sqlite file, a .tar.gz, or a folder with one)")
    stamp = "|".join(f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "presslens"
    target = cache / f"kb-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.sqlite"
    kb = KnowledgeBase(target)
    if len(kb) == 0:
        for f in files:
            report = kb.import_records(read_records(f))
            if log:
                log(f"imported {report.imported} records from {f} into {target} ({len(report.errors)} errors)")
    if encoder is not None and kb.missing_embeddings(encoder.name):
        if log:
            log(f"embedding {kb.missing_embeddings(encoder.name)} records (once; cached)")
        kb.build_index(encoder)
    return kb
