"""Build articles.jsonl (held-out quote gold) from the marked-up sources in source/*.md, checking every span.

Usage:  python benchmarks/data/quotes-news/build.py            (writes articles.jsonl next to this file)
        python benchmarks/data/quotes-news/build.py --check    (checks only; exit 1 on any problem)
        python benchmarks/data/quotes-news/build.py --unclaimed   (also lists quoted strings outside quote spans)
        python benchmarks/data/quotes-news/build.py --out FILE    (writes FILE instead)

Source format (one article a file, see GUIDELINES.md):

    id: n01
    genre: reporting
    style: wire copy, dateline, straight quotes
    1: direct | Ana Ruiz
    2: mixed | Ana Ruiz
    3: reported | -                 ("-" = no speaker: unattributed or an unnamed source)
    4: direct standalone multipara | Ana Ruiz
    ===
    Headline

    Body text with "[[1:quoted words]]," {{1,2:she}} said, and [[3a:...]] / [[3b:...]] for the parts of a split quote.

`[[N:...]]` marks a quote span (or `[[Na:...]]`, `[[Nb:...]]` ... the parts of split quote N, whose span then runs
from the first part's start to the last part's end); `{{N,M:...}}` marks the speaker mention used by quotes N and M.
Words after the kind are tags (standalone, multipara, pronoun, unnamed ...) copied into the gold as "tags".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = {"direct", "mixed", "reported"}
GENRES = {"reporting", "opinion", "satire"}
OPEN_MARKS = "\"\u201c\u2018'"
CLOSE_MARKS = "\"\u201d\u2019'"
MARKER = re.compile(r"\[\[(\d+)([a-z]?):|\{\{([\d,]+):|\]\]|\}\}")


class SourceError(Exception):
    pass


def parse_header(lines: list[str]) -> tuple[dict[str, str], dict[int, dict]]:
    meta: dict[str, str] = {}
    quotes: dict[int, dict] = {}
    for line in lines:
        if not line.strip():
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key.isdigit():
            left, _, speaker = value.partition("|")
            words = left.split()
            if not words or words[0] not in KINDS:
                raise SourceError(f"quote {key}: kind must be one of {sorted(KINDS)}, got {left!r}")
            speaker = speaker.strip()
            quotes[int(key)] = {
                "kind": words[0],
                "tags": words[1:],
                "speaker": None if speaker in ("", "-") else speaker,
            }
        else:
            meta[key] = value
    return meta, quotes


def parse_body(body: str) -> tuple[str, dict[str, tuple[int, int]], dict[int, list[tuple[int, int]]]]:
    """Strip the markers; return the text, quote spans by 'N' or 'Na', speaker spans by quote number."""
    out: list[str] = []
    pos = 0
    length = 0
    stack: list[tuple[str, str, int]] = []  # (type, key, start)
    spans: dict[str, tuple[int, int]] = {}
    speakers: dict[int, list[tuple[int, int]]] = {}
    for m in MARKER.finditer(body):
        chunk = body[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        tok = m.group(0)
        if tok.startswith("[["):
            stack.append(("q", m.group(1) + m.group(2), length))
        elif tok.startswith("{{"):
            stack.append(("s", m.group(3), length))
        else:
            if not stack:
                raise SourceError(f"unbalanced {tok!r} near {body[max(0, m.start() - 40) : m.start()]!r}")
            typ, key, start = stack.pop()
            if (typ == "q") != (tok == "]]"):
                raise SourceError(f"mismatched {tok!r} for marker {key!r}")
            if typ == "q":
                if key in spans:
                    raise SourceError(f"quote span {key} marked twice")
                spans[key] = (start, length)
            else:
                for n in key.split(","):
                    speakers.setdefault(int(n), []).append((start, length))
    if stack:
        raise SourceError(f"unclosed markers: {[k for _, k, _ in stack]}")
    out.append(body[pos:])
    return "".join(out), spans, speakers


def build_article(path: Path) -> tuple[dict, list[str]]:
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n===\n")
    if not sep:
        raise SourceError("no '===' line between header and body")
    meta, qmeta = parse_header(head.splitlines())
    text, spans, speakers = parse_body(body.strip("\n"))
    problems: list[str] = []
    for key in ("id", "genre", "style"):
        if key not in meta:
            problems.append(f"header lacks {key}")
    if meta.get("genre") not in GENRES:
        problems.append(f"genre {meta.get('genre')!r} not in {sorted(GENRES)}")
    words = len(text.split())
    if not 250 <= words <= 600:
        problems.append(f"{words} words (want 250-600)")
    quotes = []
    numbers = sorted({int(re.match(r"\d+", k).group(0)) for k in spans})  # type: ignore[union-attr]
    if set(numbers) != set(qmeta):
        problems.append(f"quotes in body {numbers} differ from header {sorted(qmeta)}")
    for n in numbers:
        info = qmeta.get(n, {"kind": "direct", "tags": [], "speaker": None})
        keys = sorted(k for k in spans if re.fullmatch(rf"{n}[a-z]?", k))
        parts = [spans[k] for k in keys if k != str(n)]
        if str(n) in spans and parts:
            problems.append(f"quote {n} has both a whole span and parts")
        if parts:
            if len(parts) < 2:
                problems.append(f"quote {n}: a split quote needs two or more parts")
            start, end = parts[0][0], parts[-1][1]
            for (_, e1), (s2, _) in zip(parts, parts[1:], strict=False):
                if s2 < e1:
                    problems.append(f"quote {n}: parts overlap or are out of order")
        else:
            start, end = spans[str(n)]
        q: dict = {"start": start, "end": end, "text": text[start:end], "kind": info["kind"]}
        if parts:
            q["parts"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in parts]
        q["speaker"] = info["speaker"]
        mentions = speakers.get(n, [])
        if len(mentions) > 1:
            problems.append(f"quote {n}: {len(mentions)} speaker mentions (want one)")
        if mentions:
            s, e = mentions[0]
            if info["speaker"] is None:  # an unnamed source ("a witness"): kept apart, not scored as a speaker
                q["source_start"], q["source_end"], q["source_text"] = s, e, text[s:e]
            else:
                q["speaker_start"], q["speaker_end"], q["speaker_text"] = s, e, text[s:e]
        elif info["speaker"] is not None:
            problems.append(f"quote {n}: speaker {info['speaker']!r} but no speaker mention marked")
        if info["speaker"] and not any(w in text for w in info["speaker"].split() if len(w) > 2 and w[0].isupper()):
            problems.append(f"quote {n}: speaker {info['speaker']!r} never named in the text")
        if info["tags"]:
            q["tags"] = info["tags"]
        problems += check_quote(n, q, text)
        quotes.append(q)
    quotes.sort(key=lambda q: q["start"])
    for a, b in zip(quotes, quotes[1:], strict=False):
        if b["start"] < a["end"]:
            problems.append(f"quotes overlap: {a['text'][:30]!r} / {b['text'][:30]!r}")
    for q in quotes:  # the span text is a check of its own: text[start:end] must equal it
        assert text[q["start"] : q["end"]] == q["text"]
        for p in q.get("parts", []):
            assert q["start"] <= p["start"] < p["end"] <= q["end"] and text[p["start"] : p["end"]] == p["text"]
        for k in ("speaker", "source"):
            if f"{k}_start" in q:
                assert text[q[f"{k}_start"] : q[f"{k}_end"]] == q[f"{k}_text"]
    article = {"id": meta.get("id"), "genre": meta.get("genre"), "style": meta.get("style"), "text": text}
    article["quotes"] = quotes
    return article, problems


def check_quote(n: int, q: dict, text: str) -> list[str]:
    problems = []
    pieces = q.get("parts") or [q]
    for p in pieces:
        s, e = p["start"], p["end"]
        if s == e:
            problems.append(f"quote {n}: empty span")
            continue
        if text[s].isspace() or text[e - 1].isspace():
            problems.append(f"quote {n}: span starts or ends with white space: {text[s:e][:40]!r}")
        inside_marks = s > 0 and text[s - 1] in OPEN_MARKS and e < len(text) and text[e] in CLOSE_MARKS
        if q["kind"] == "direct" and not inside_marks:
            problems.append(f"quote {n}: a direct quote's span must sit just inside quotation marks")
    body = text[q["start"] : q["end"]]
    has_marks = bool(re.search("[\"\u201c\u201d\u2018]|(?:^|\\s)'", body))  # straight ' only where it opens
    if q["kind"] == "reported" and has_marks:
        problems.append(f"quote {n}: reported speech containing quotation marks should be 'mixed'")
    if q["kind"] == "mixed" and not has_marks:
        problems.append(f"quote {n}: a mixed quote must contain quoted words")
    if ("split" in q.get("tags", [])) != ("parts" in q):
        problems.append(f"quote {n}: tag 'split' and parts must go together")
    if "multipara" in q.get("tags", []) and "\n\n" not in body:
        problems.append(f"quote {n}: tagged multipara but within one paragraph")
    if "standalone" in q.get("tags", []) and "speaker_start" in q:
        para_start = text.rfind("\n\n", 0, q["start"])
        if q["speaker_start"] > para_start:
            problems.append(f"quote {n}: tagged standalone but its speaker mention is in the same paragraph")
    return problems


def unclaimed(article: dict) -> list[str]:
    """Double-quoted strings lying outside every quote span (should be titles, scare quotes, slogans)."""
    text = article["text"]
    found = []
    for m in re.finditer(r"[\"\u201c]([^\"\u201c\u201d\n]{1,80})[\"\u201d]", text):
        if not any(q["start"] <= m.start(1) < q["end"] for q in article["quotes"]):
            found.append(m.group(1))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="check only, write nothing")
    ap.add_argument("--unclaimed", action="store_true", help="list quoted strings that are not quote spans")
    ap.add_argument("--out", default=str(HERE / "articles.jsonl"), help="where to write (default: articles.jsonl here)")
    args = ap.parse_args()
    articles, failed = [], False
    for path in sorted((HERE / "source").glob("*.md")):
        try:
            article, problems = build_article(path)
        except SourceError as e:
            print(f"{path.name}: {e}", file=sys.stderr)
            failed = True
            continue
        for p in problems:
            print(f"{path.name}: {p}", file=sys.stderr)
        failed |= bool(problems)
        if args.unclaimed:
            for s in unclaimed(article):
                print(f"{path.name}: not a quote: {s!r}")
        articles.append(article)
    ids = [a["id"] for a in articles]
    if len(ids) != len(set(ids)):
        print("duplicate article ids", file=sys.stderr)
        failed = True
    quotes = sum(len(a["quotes"]) for a in articles)
    print(f"{len(articles)} articles, {quotes} quotes", file=sys.stderr)
    if failed:
        sys.exit(1)
    if not args.check:
        with open(args.out, "w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
