"""Fact-check records and the formats they are imported from.

Accepted inputs (each record is validated on its own; a bad record is reported and skipped):

- ClaimReview (schema.org) as JSON-LD: one object, a list, an ``@graph``, nested under any key, in a
  ``.json``/``.jsonld`` file, one per line in ``.jsonl``, or in ``<script type="application/ld+json">``
  blocks of an ``.html`` page, as fact-checkers publish them.
- Flat records in ``.csv`` or ``.jsonl`` with the columns/keys of ``FIELDS`` (``claim_reviewed`` required;
  ``claim`` is accepted for it).
- The CheckThat! 2021 Task 2B PolitiFact knowledge base: a ``.tar.gz`` (or folder) of one JSON per
  verified claim with ``vclaim``, ``title``, ``speaker``, ``date``, ``truth_label``, ``url``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, overload

FIELDS = ("id", "claim_reviewed", "rating", "publisher", "url", "date", "claimant", "title")
MAX_CLAIM_CHARS = 2000
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_JSON_DEPTH = 200  # deeper JSON (which would exhaust Python's stack) makes the record that holds it invalid
MAX_DATE_RAW_CHARS = 200


@dataclass(slots=True)
class FactCheck:
    id: str
    claim_reviewed: str
    rating: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    claimant: str | None = None
    title: str | None = None
    date_raw: str | None = None  # the date as written, where it is not ``date`` (not a date, or reformatted)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RecordError:
    """A record that was not imported: ``where`` is ``file``, ``file:line`` or ``file#member``."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


Parsed = FactCheck | RecordError


# -- validation ----------------------------------------------------------------------------------
_SURROGATE = re.compile("[\ud800-\udfff]")


@overload
def _text(value: Any, name: str, required: Literal[True]) -> str: ...
@overload
def _text(value: Any, name: str, required: bool = False) -> str | None: ...
def _text(value: Any, name: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {name}")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    bad = _SURROGATE.search(value)
    if bad:  # legal in JSON (\\ud800), but not Unicode text: it cannot be stored or printed
        raise ValueError(f"{name} holds a lone surrogate ({ascii(bad.group())[1:-1]}), which is not valid Unicode")
    value = " ".join(value.split())
    if required and not value:
        raise ValueError(f"missing {name}")
    return value or None


def make_record(fields: dict[str, Any]) -> FactCheck:
    """A validated record from flat fields; ``ValueError`` says what is wrong."""
    raw = fields.get("claim_reviewed", fields.get("claim"))
    if raw is not None and not isinstance(raw, str):
        raise ValueError(f"claim_reviewed must be text, not {type(raw).__name__}")
    claim = _text(raw, "claim_reviewed", required=True)
    if len(claim) > MAX_CLAIM_CHARS:
        raise ValueError(f"claim_reviewed longer than {MAX_CLAIM_CHARS} characters")
    rec = FactCheck(
        id="",
        claim_reviewed=claim,
        rating=_text(fields.get("rating"), "rating"),
        publisher=_text(fields.get("publisher"), "publisher"),
        url=_text(fields.get("url"), "url"),
        claimant=_text(fields.get("claimant"), "claimant"),
        title=_text(fields.get("title"), "title"),
    )
    written = _text(fields.get("date"), "date")
    rec.date = parse_date(written)
    if written is not None and written != rec.date:
        rec.date_raw = written[:MAX_DATE_RAW_CHARS]
    rec.id = _text(fields.get("id"), "id") or rec.url or _digest(rec)
    return rec


def checked(rec: FactCheck) -> FactCheck:
    """A record made elsewhere (the Python API) held to what ``make_record`` guarantees: valid Unicode text,
    and a real date or none (what was written then kept in ``date_raw``). ``ValueError`` says what is wrong."""
    for name in (*FIELDS, "date_raw"):
        value = getattr(rec, name)
        bad = _SURROGATE.search(value) if isinstance(value, str) else None
        if bad:
            raise ValueError(f"{name} holds a lone surrogate ({ascii(bad.group())[1:-1]}), which is not valid Unicode")
    if rec.date is not None and parse_date(rec.date) != rec.date:
        return replace(rec, date=parse_date(rec.date), date_raw=rec.date_raw or rec.date)
    return rec


def _digest(rec: FactCheck) -> str:
    key = "\x1f".join([rec.claim_reviewed, rec.publisher or "", rec.date or rec.date_raw or ""])
    return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_STATED = re.compile(r"([A-Z][a-z]+\.? \d{1,2}, \d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\S+")


def parse_date(value: str | None) -> str | None:
    """A real calendar date as ``YYYY-MM-DD``, or None: an ISO date, the date of an ISO datetime (as written, in
    its own time zone), or PolitiFact's 'stated on February 6, 2013 in …'. Anything else (``2022-13-45``,
    ``not a date``, markup) is no date."""
    if not value:
        return None
    value = value.strip()
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value).isoformat()
        if _ISO_DATETIME.fullmatch(value):
            return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None
    m = _STATED.search(value)
    if m:
        for fmt in ("%B %d, %Y", "%b. %d, %Y", "%b %d, %Y"):
            try:
                return datetime.strptime(m.group(1), fmt).date().isoformat()
            except ValueError:
                continue
    return None


# -- JSON, however deep ----------------------------------------------------------------------------
MAX_LINE_BYTES = 1024 * 1024  # a JSON Lines record
MAX_MEMBER_BYTES = 16 * 1024 * 1024  # a PolitiFact record in an archive or folder (they are a few KB)
MAX_INT_DIGITS = 4000  # Python refuses to convert longer integers (sys.get_int_max_str_digits, 4300)
_TOO_DEEP = "\x00presslens: nested too deep\x00"  # stands for a cut-off value; no real text holds NULs
_TOO_LONG = "\x00presslens: number too long\x00"
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
TOO_DEEP_REASON = f"nested deeper than {MAX_JSON_DEPTH} levels"
_REASONS = {_TOO_DEEP: TOO_DEEP_REASON, _TOO_LONG: f"a number longer than {MAX_INT_DIGITS} digits"}


def loads(text: str | bytes) -> tuple[Any, bool]:
    """Parsed JSON and whether a part had to be cut off: JSON nested so deep that the parser would exhaust
    Python's stack has every value below ``MAX_JSON_DEPTH`` levels replaced by a marker, and so has an integer
    too long for Python to convert (``cut_reason`` finds them), so the rest of the document (the other records)
    is still read. Invalid JSON raises ``json.JSONDecodeError``."""
    cut_number = False

    def parse_int(digits: str) -> int | str:
        nonlocal cut_number
        if len(digits.lstrip("-")) <= MAX_INT_DIGITS:
            return int(digits)
        cut_number = True
        return _TOO_LONG

    try:
        return json.loads(text, parse_int=parse_int), cut_number
    except RecursionError:
        pass
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    parts: list[str] = []
    depth, last, cut = 0, 0, -1
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth == MAX_JSON_DEPTH + 1:
                cut = m.start()
        elif token in ("]", "}"):
            if depth == MAX_JSON_DEPTH + 1 and cut >= 0:
                parts += [text[last:cut], json.dumps(_TOO_DEEP)]
                last, cut = m.end(), -1
            depth -= 1
    parts.append(text[last:] if cut < 0 else text[last:cut])  # an unclosed deep part: invalid JSON, said so
    try:
        return json.loads("".join(parts), parse_int=parse_int), True
    except RecursionError:  # not reached for well-formed JSON; a broken one may fool the bracket count
        raise json.JSONDecodeError(TOO_DEEP_REASON, text, 0) from None


def cut_reason(data: Any) -> str | None:
    """Why parsed JSON is not whole (it holds a part ``loads`` cut off), or None."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and node in _REASONS:
            return _REASONS[node]
    return None


# -- ClaimReview ---------------------------------------------------------------------------------
def _is_claim_review(obj: dict) -> bool:
    t = obj.get("@type")
    return t == "ClaimReview" or (isinstance(t, list) and "ClaimReview" in t)


def _name(value: Any) -> Any:
    """schema.org lets a person or organisation be a string, an object with a name, or a list of either."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return value.get("name")
    return value


def claim_review_fields(obj: dict) -> dict[str, Any]:
    rating = obj.get("reviewRating")
    if isinstance(rating, list):
        rating = rating[0] if rating else None
    if isinstance(rating, dict):
        rating = rating.get("alternateName") or rating.get("name") or rating.get("ratingValue")
    item = obj.get("itemReviewed")
    item = item if isinstance(item, dict) else {}
    return {
        "claim_reviewed": obj.get("claimReviewed"),
        "rating": rating,
        "publisher": _name(obj.get("author")) or _name(obj.get("publisher")),
        "url": obj.get("url"),
        "date": obj.get("datePublished"),
        "claimant": _name(item.get("author")),
        "title": obj.get("headline") or obj.get("name"),
        "id": obj.get("identifier") if isinstance(obj.get("identifier"), str) else None,
    }


def find_claim_reviews(data: Any) -> Iterator[dict]:
    """Every ClaimReview object anywhere in parsed JSON-LD (lists, @graph, nested objects)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if _is_claim_review(node):
                yield node
            else:
                stack.extend(v for v in node.values() if isinstance(v, list | dict))


def _is_flat(obj: Any) -> bool:
    """A flat record (``{"id", "claim_reviewed", ...}``), even one that lacks its claim: it has a claim, or one
    of the record's fields and no JSON-LD keyword (``@type``, ``@context``, ``@graph``)."""
    if not isinstance(obj, dict):
        return False
    if "claim_reviewed" in obj or "claim" in obj:
        return True
    return any(k in obj for k in FIELDS) and not any(isinstance(k, str) and k.startswith("@") for k in obj)


def _from_json_value(data: Any, where: str, cut: bool = False) -> Iterator[Parsed]:
    reviews = list(find_claim_reviews(data))
    if not reviews:
        if _is_flat(data):
            reviews = [data]
        elif isinstance(data, list) and data and all(_is_flat(x) for x in data):
            reviews = data
        else:
            deep = cut and cut_reason(data) == TOO_DEEP_REASON
            yield RecordError(where, TOO_DEEP_REASON if deep else "no ClaimReview object found")
            return
    for i, obj in enumerate(reviews, 1):
        here = where if len(reviews) == 1 else f"{where}[{i}]"
        reason = cut_reason(obj) if cut else None
        if reason:
            yield RecordError(here, reason)
            continue
        try:
            yield make_record(claim_review_fields(obj) if _is_claim_review(obj) else obj)
        except ValueError as exc:
            yield RecordError(here, str(exc))


# -- files ---------------------------------------------------------------------------------------
def read_records(path: str | Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[Parsed]:
    """Every record in one file (or folder of PolitiFact JSON), valid or not, in file order.

    At most ``max_bytes`` are read from a file (``.jsonl`` and archives are read as a stream: any size when
    they are regular files, at most ``max_bytes`` from a device or a pipe, which may never end); a file that
    cannot be read is one error."""
    path = Path(path)
    try:
        yield from _read_records(path, max_bytes)
    except OSError as exc:
        yield RecordError(str(path), f"cannot read it ({exc.strerror or type(exc).__name__})")


def _read_records(path: Path, max_bytes: int) -> Iterator[Parsed]:
    where = str(path)
    if path.is_dir():
        yield from _politifact_folder(path)
        return
    if not path.exists():
        yield RecordError(where, "no such file")
        return
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        yield from _politifact_tar(path)
        return
    if name.endswith(".jsonl"):
        yield from _jsonl(path, None if path.is_file() else max_bytes)
        return
    with open(path, "rb") as f:  # the reported size of a device or /proc file says nothing: read at most the limit
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(where, f"file larger than {max_bytes // (1024 * 1024)} MB; split it or use JSON Lines")
        return
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield RecordError(where, "not UTF-8 text")
        return
    if name.endswith(".csv"):
        yield from _csv(raw, where)
    elif name.endswith((".html", ".htm")):
        yield from _html(raw, where)
    else:
        try:
            data, cut = loads(raw)
        except json.JSONDecodeError as exc:
            yield RecordError(where, f"not valid JSON ({exc.msg} at line {exc.lineno})")
            return
        yield from _from_json_value(data, where, cut)


def _jsonl(path: Path, cap: int | None = None) -> Iterator[Parsed]:
    """Line by line, each read to at most ``MAX_LINE_BYTES``; ``cap``: stop after that many bytes."""
    total = 0
    with open(path, "rb") as f:
        for n in itertools.count(1):
            raw = f.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            total += len(raw)
            where = f"{path}:{n}"
            too_long = len(raw) > MAX_LINE_BYTES
            if too_long:
                while raw and not raw.endswith(b"\n") and (cap is None or total <= cap):  # skip the rest
                    raw = f.readline(MAX_LINE_BYTES + 1)
                    total += len(raw)
                yield RecordError(where, f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MB")
            if cap is not None and total > cap:
                yield RecordError(str(path), f"not a regular file and longer than {cap // (1024 * 1024)} MB; stopped")
                return
            if too_long or not raw.strip():
                continue
            try:
                data, cut = loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                yield RecordError(where, "not a valid JSON line")
                continue
            yield from _from_json_value(data, where, cut)


def _csv(raw: str, where: str) -> Iterator[Parsed]:
    reader = csv.DictReader(io.StringIO(raw))
    if not reader.fieldnames or not ({"claim_reviewed", "claim"} & {f.strip() for f in reader.fieldnames}):
        yield RecordError(where, "CSV needs a claim_reviewed (or claim) column")
        return
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:  # a field over csv's limit (128 KB): that record only; the reader goes on
            yield RecordError(f"{where}:{reader.line_num + 1}", f"not a valid CSV record ({exc})")
            continue
        here = f"{where}:{reader.line_num}"
        try:
            yield make_record({(k or "").strip(): v for k, v in row.items()})
        except ValueError as exc:
            yield RecordError(here, str(exc))


def _html(raw: str, where: str) -> Iterator[Parsed]:
    import lxml.html

    try:
        tree = lxml.html.fromstring(raw)
    except Exception:
        yield RecordError(where, "cannot parse the HTML")
        return
    blocks = tree.xpath('//script[@type="application/ld+json"]/text()')
    found = False
    for i, block in enumerate(blocks, 1):
        try:
            data, cut = loads(block)
        except json.JSONDecodeError:
            yield RecordError(f"{where}#ld{i}", "JSON-LD block is not valid JSON")
            continue
        if list(find_claim_reviews(data)):
            found = True
            yield from _from_json_value(data, f"{where}#ld{i}", cut)
        elif cut and cut_reason(data) == TOO_DEEP_REASON:  # too deep to tell whether a ClaimReview is in there
            found = True
            yield RecordError(f"{where}#ld{i}", TOO_DEEP_REASON)
    if not found:
        yield RecordError(where, "no ClaimReview in the page's JSON-LD")


# -- PolitiFact (CheckThat! 2021 Task 2B) ---------------------------------------------------------
def politifact_record(data: dict, stem: str) -> FactCheck:
    url = data.get("url")
    if isinstance(url, str) and url.startswith("/"):
        url = "https://www.politifact.com" + url
    return make_record(
        {
            "id": stem,
            "claim_reviewed": data.get("vclaim"),
            "rating": data.get("truth_label"),
            "publisher": "PolitiFact",
            "url": url,
            "date": data.get("date"),
            "claimant": data.get("speaker"),
            "title": data.get("title"),
        }
    )


def _politifact_one(raw: bytes, stem: str, where: str) -> Parsed:
    try:
        data, cut = loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        reason = cut_reason(data) if cut else None
        if reason:
            raise ValueError(reason)
        return politifact_record(data, stem)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return RecordError(where, "not valid JSON")
    except ValueError as exc:
        return RecordError(where, str(exc))


def _politifact_tar(path: Path) -> Iterator[Parsed]:
    try:
        with tarfile.open(path) as tar:
            for member in tar:
                if not member.isfile() or not member.name.endswith(".json"):
                    continue
                f = tar.extractfile(member)
                if f is None:
                    continue
                stem = Path(member.name).stem
                raw = f.read(MAX_MEMBER_BYTES + 1)
                if len(raw) > MAX_MEMBER_BYTES:
                    yield RecordError(f"{path}#{member.name}", f"larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
                    continue
                yield _politifact_one(raw, stem, f"{path}#{member.name}")
    except (tarfile.TarError, EOFError, OSError) as exc:
        yield RecordError(str(path), f"cannot read the archive ({type(exc).__name__})")


def _politifact_folder(folder: Path) -> Iterator[Parsed]:
    files = sorted(folder.glob("*.json"))
    if not files:
        yield RecordError(str(folder), "no .json files")
    for p in files:
        try:
            with open(p, "rb") as f:
                raw = f.read(MAX_MEMBER_BYTES + 1)
        except OSError as exc:
            yield RecordError(str(p), f"cannot read it ({exc.strerror or type(exc).__name__})")
            continue
        if len(raw) > MAX_MEMBER_BYTES:
            yield RecordError(str(p), f"larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
            continue
        yield _politifact_one(raw, p.stem, str(p))


def to_claim_review(rec: FactCheck) -> dict[str, Any]:
    """A record as schema.org ClaimReview (what ``read_records`` reads back to the same record)."""
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": rec.claim_reviewed,
    }
    if rec.url:
        out["url"] = rec.url
    if rec.date:
        out["datePublished"] = rec.date
    if rec.publisher:
        out["author"] = {"@type": "Organization", "name": rec.publisher}
    if rec.rating:
        out["reviewRating"] = {"@type": "Rating", "alternateName": rec.rating}
    if rec.claimant:
        out["itemReviewed"] = {"@type": "Claim", "author": {"@type": "Person", "name": rec.claimant}}
    if rec.title:
        out["headline"] = rec.title
    out["identifier"] = rec.id
    return out
