"""The fact-check knowledge base: one SQLite file with the records, a full-text (FTS5, BM25) index and
the sentence embeddings.

SQLite, because it is a single file a user can copy, needs no server, ships with Python, and its FTS5
extension gives BM25 ranking that stays in sync with the records through triggers. Embeddings live in a
table of the same file rather than in a separate array file, so one transaction covers records and index:
an import that crashes leaves the previous state, and the index can never describe records that are gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from presslens.errors import PressLensError
from presslens.factchecks.records import FIELDS, FactCheck, Parsed, RecordError, checked, parse_date

if TYPE_CHECKING:
    from presslens.factchecks.encoder import Encoder

SCHEMA = """
CREATE TABLE IF NOT EXISTS factchecks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    claim_reviewed TEXT NOT NULL,
    rating TEXT, publisher TEXT, url TEXT, date TEXT, claimant TEXT, title TEXT,
    imported_at TEXT NOT NULL,
    date_raw TEXT
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
CREATE TABLE IF NOT EXISTS embedding_claims (
    rowid INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at REAL NOT NULL
);
"""
# What a record is stored as: the importable fields, then the date as written where it was not a date.
STORED = (*FIELDS, "date_raw")
_COLUMNS = ", ".join(STORED)
CLAIM_SECONDS = 600.0  # a claim on records to embed that is older than this is taken to be a crashed run's
WRITE_WAIT_SECONDS = 60.0  # how long a write waits for another process's write to finish


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
    warnings: list[RecordError] = field(default_factory=list)  # imported, but something was dropped

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
            self.conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=WRITE_WAIT_SECONDS
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            columns = self._columns()
            if columns and not set(FIELDS) <= columns:  # another program's table of that name: left alone
                missing = ", ".join(f for f in FIELDS if f not in columns)
                raise PressLensError(f"{self.path}: not a PressLens knowledge base (no {missing} in its factchecks)")
            if not readonly:
                self.conn.executescript(SCHEMA)
                self._migrate()
            self.conn.execute(f"SELECT count(*), {', '.join(FIELDS)} FROM factchecks").fetchone()
            self._migrated = "date_raw" in self._columns()
        except sqlite3.OperationalError as exc:
            raise PressLensError(f"{self.path}: cannot open the knowledge base ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise PressLensError(f"{self.path}: not a PressLens knowledge base ({exc})") from None
        # A knowledge base from before dates were validated, opened read-only: its dates are checked as read.
        self.conn.create_function("iso_date", 1, parse_date, deterministic=True)
        self._vectors: tuple[np.ndarray, np.ndarray, str] | None = None
        self._df: dict[str, int] = {}  # FTS5 document counts of query terms; "_n" = record count

    def _columns(self) -> set[str]:
        return {row[1] for row in self.conn.execute("PRAGMA table_info(factchecks)")}

    def _migrate(self) -> None:
        """Bring a knowledge base written by an earlier version up to date: dates that are not dates (stored as
        written before they were validated) become null, their text kept in ``date_raw``."""
        if "date_raw" in self._columns():
            return
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            if "date_raw" not in self._columns():  # another process may have migrated it meanwhile
                cur.execute("ALTER TABLE factchecks ADD COLUMN date_raw TEXT")
                rows = cur.execute("SELECT rowid, date FROM factchecks WHERE date IS NOT NULL").fetchall()
                fixes = [(parse_date(d), d, rowid) for rowid, d in rows if parse_date(d) != d]
                cur.executemany("UPDATE factchecks SET date = ?, date_raw = ? WHERE rowid = ?", fixes)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------
    def import_records(
        self,
        records: Iterable[Parsed],
        on_error: Callable[[RecordError], None] | None = None,
        on_warning: Callable[[RecordError], None] | None = None,
    ) -> ImportReport:
        """Add or update valid records in one transaction; invalid ones and repeats in the input are reported
        (``on_error``), and so are records imported without a part of them, such as a date that is not one.

        Any exception (or Ctrl-C) rolls the whole import back: the knowledge base keeps its previous state.
        """
        report = ImportReport()
        seen: set[str] = set()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise PressLensError(f"{self.path}: cannot write to the knowledge base ({exc}); try again") from None
        try:
            for parsed in records:
                if isinstance(parsed, FactCheck):
                    try:
                        rec = checked(parsed)
                    except ValueError as exc:
                        shown = parsed.id.encode("utf-8", "backslashreplace").decode("utf-8")
                        parsed = RecordError(f"id {shown}", str(exc))
                if isinstance(parsed, RecordError):
                    report.errors.append(parsed)
                    if on_error:
                        on_error(parsed)
                    continue
                if rec.id in seen:
                    err = RecordError(f"id {rec.id}", "duplicate of an earlier record in this import; kept the first")
                    report.errors.append(err)
                    if on_error:
                        on_error(err)
                    continue
                seen.add(rec.id)
                if rec.date is None and rec.date_raw:
                    shown = rec.date_raw if len(rec.date_raw) <= 60 else rec.date_raw[:57] + "..."
                    warning = RecordError(
                        f"id {rec.id}", f"date {shown!r} is not a date (YYYY-MM-DD); imported without one"
                    )
                    report.warnings.append(warning)
                    if on_warning:
                        on_warning(warning)
                values = tuple(getattr(rec, f) for f in STORED)
                old = cur.execute(f"SELECT {_COLUMNS} FROM factchecks WHERE id = ?", (rec.id,)).fetchone()
                if old is None:
                    cur.execute(
                        f"INSERT INTO factchecks ({_COLUMNS}, imported_at) VALUES ({', '.join('?' * len(STORED))}, ?)",
                        (*values, now),
                    )
                    report.added += 1
                elif tuple(old) != values:
                    sets = ", ".join(f"{f} = ?" for f in STORED[1:])
                    cur.execute(
                        f"UPDATE factchecks SET {sets}, imported_at = ? WHERE id = ?", (*values[1:], now, rec.id)
                    )
                    report.updated += 1
                else:
                    report.unchanged += 1
            cur.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, a read-only file: the previous state is kept
            cur.execute("ROLLBACK")
            raise PressLensError(f"{self.path}: cannot write to the knowledge base ({exc}); nothing imported") from None
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._vectors = None
        self._df = {}
        return report

    def build_index(self, encoder: Encoder, batch_size: int = 256, log: Callable[[str], None] | None = None) -> int:
        """Embed the records that have no embedding (or an outdated one); returns how many this call embedded.

        Batch by batch: a short write transaction claims the next records that still need an embedding and
        that no other run has claimed, the encoder runs outside any lock, and a second short transaction
        stores the vectors and drops the claim. So concurrent runs (two imports into one file) split the work
        instead of both doing all of it, each counts only its own, and an interrupted run keeps its progress
        (a crashed run's claims lapse after ``CLAIM_SECONDS``).
        """
        owner = uuid.uuid4().hex
        todo = self.missing_embeddings(encoder.name)
        done, after = 0, 0
        try:
            while True:
                batch, after = self._claim(encoder.name, owner, after, batch_size)
                if not batch:
                    break
                vecs = encoder.encode([t for _, t, _ in batch]).astype(np.float16)
                rows = [(rowid, encoder.name, d, v.tobytes()) for (rowid, _, d), v in zip(batch, vecs, strict=True)]

                def store(cur: sqlite3.Cursor, rows: list[tuple[int, str, str, bytes]] = rows) -> None:
                    cur.executemany(
                        "INSERT OR REPLACE INTO embeddings (rowid, model, digest, vector) VALUES (?, ?, ?, ?)", rows
                    )
                    cur.execute("DELETE FROM embedding_claims WHERE owner = ?", (owner,))

                self._write(store)
                done += len(batch)
                if log:
                    log(f"embedded {done}/{max(todo, done)}")
        finally:
            self._vectors = None
            with contextlib.suppress(sqlite3.Error, PressLensError):  # if not, the claim lapses on its own
                self._write(lambda cur: cur.execute("DELETE FROM embedding_claims WHERE owner = ?", (owner,)))
        return done

    def _write(self, work: Callable[[sqlite3.Cursor], object]) -> None:
        """``work`` in one write transaction (waiting up to ``WRITE_WAIT_SECONDS`` for another writer)."""
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise PressLensError(f"{self.path}: the knowledge base is busy ({exc}); try again") from None
        try:
            work(cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _claim(self, model: str, owner: str, after: int, limit: int) -> tuple[list[tuple[int, str, str]], int]:
        """Claim up to ``limit`` records after rowid ``after`` that need an embedding by ``model`` and that no
        live run has claimed: ``([(rowid, text, digest)], the last rowid looked at)``."""
        batch: list[tuple[int, str, str]] = []
        last = after

        def claim(cur: sqlite3.Cursor) -> None:
            nonlocal last
            now = time.time()
            rows = cur.execute(
                "SELECT f.rowid, f.claim_reviewed, f.title, e.digest, e.model, c.model, c.claimed_at "
                "FROM factchecks f LEFT JOIN embeddings e ON e.rowid = f.rowid "
                "LEFT JOIN embedding_claims c ON c.rowid = f.rowid WHERE f.rowid > ? ORDER BY f.rowid",
                (after,),
            )
            for rowid, claim_text, title, digest, emodel, cmodel, claimed_at in rows:
                last = rowid
                text = embedding_text(FactCheck("", claim_text, title=title))
                d = hashlib.sha1(text.encode("utf-8")).hexdigest()
                if digest == d and emodel == model:
                    continue  # embedded already
                if cmodel == model and claimed_at is not None and now - claimed_at < CLAIM_SECONDS:
                    continue  # another run is embedding it now
                batch.append((rowid, text, d))
                if len(batch) >= limit:
                    break
            cur.executemany(
                "INSERT OR REPLACE INTO embedding_claims (rowid, model, owner, claimed_at) VALUES (?, ?, ?, ?)",
                [(rowid, model, owner, now) for rowid, _, _ in batch],
            )

        self._write(claim)
        return batch, last

    # -- reading ---------------------------------------------------------------------------------
    def data_version(self) -> int:
        """Changes whenever another connection commits to the file (SQLite's ``PRAGMA data_version``)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM factchecks").fetchone()[0]

    def _select(self) -> str:
        return _COLUMNS if self._migrated else f"{', '.join(FIELDS)}, NULL"

    def _record(self, row: Sequence[Any]) -> FactCheck:
        rec = FactCheck(*row)
        if not self._migrated and rec.date is not None and parse_date(rec.date) != rec.date:
            rec.date, rec.date_raw = parse_date(rec.date), rec.date  # stored as written before validation
        return rec

    def get(self, rowids: list[int]) -> dict[int, FactCheck]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        rows = self.conn.execute(f"SELECT rowid, {self._select()} FROM factchecks WHERE rowid IN ({marks})", rowids)
        return {r[0]: self._record(r[1:]) for r in rows}

    def records(self, limit: int | None = None, offset: int = 0) -> Iterator[FactCheck]:
        """Newest first by the fact-check's date; records without a date last, in import order."""
        date = "date" if self._migrated else "iso_date(date)"
        sql = f"SELECT {self._select()} FROM factchecks ORDER BY {date} IS NULL, {date} DESC, rowid LIMIT ? OFFSET ?"
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
