"""Build the corpus-links gold (articles, speaker mentions, claim groups, claim pairs) from source/, checking it.

Usage:  python benchmarks/data/corpus-links/build.py           (writes the *.jsonl files next to this file)
        python benchmarks/data/corpus-links/build.py --check   (exit 1 if a check fails or a file is out of date)

Sources (see README.md):
  source/articles-*.txt   articles; each starts `### id | date | outlet | slug`, then the headline, a blank line and
                          paragraphs separated by blank lines. `{{person|text}}` marks a speaker mention,
                          `<<group|sentence>>` a claim sentence (it may contain speaker marks).
  source/people.tsv       identity keys: person, kind, name, surname, aliases, description
  source/groups.tsv       claim groups: group, near_miss_of (distractors), the claim they state
  source/claim-pairs.tsv  kind, + or -, a, b; a sentence written out or `@article:group` (that claim sentence)
Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "source"
HEADER = re.compile(r"^### (a\d\d) \| (\d{4}-\d\d-\d\d) \| ([^|]+?) \| ([a-z0-9-]+)$")
TOKEN = re.compile(r"\{\{([^|{}]+)\||<<([^|<>]+)\||\}\}|>>")
TITLES = ("Sen. ", "Rep. ", "Gov. ", "Dr. ", "Mr. ", "Ms. ", "Mrs. ")
OUTLET_SLUG = re.compile(r"[^a-z0-9]+")
WORDS = (120, 300)
STATEMENTS = (2, 5)


class BuildError(Exception):
    pass


def read_tsv(path: Path, fields: int) -> list[list[str]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != fields:
            raise BuildError(f"{path.name}:{n}: {len(cols)} columns, expected {fields}")
        rows.append(cols)
    return rows


def load_people() -> dict[str, dict]:
    people = {}
    for key, kind, name, surname, aliases, description in read_tsv(SRC / "people.tsv", 6):
        if kind not in {"person", "org", "place"} or (kind != "person") != (":" in key):
            raise BuildError(f"people.tsv: bad kind or key for {key}")
        people[key] = {
            "person": key,
            "kind": kind,
            "name": name,
            "surname": surname or None,
            "aliases": [a for a in aliases.split(";") if a],
            "description": description,
        }
    return people


def load_groups() -> dict[str, dict]:
    groups = {}
    for key, near, claim in read_tsv(SRC / "groups.tsv", 3):
        groups[key] = {"group": key, "near_miss_of": near or None, "claim": claim}
    for g in groups.values():
        if g["near_miss_of"] and g["near_miss_of"] not in groups:
            raise BuildError(f"groups.tsv: {g['group']} is a near miss of unknown {g['near_miss_of']}")
    return groups


def mention_form(text: str, who: dict) -> str:
    """How a mention names its identity: full, surname, middle-initial, spelling-variant, title+..., description."""
    if who["kind"] != "person":
        bare = text[4:] if text.lower().startswith("the ") else text
        return "name" if bare in [who["name"], *who["aliases"]] else "description"
    title = next((t for t in TITLES if text.startswith(t)), "")
    rest = text[len(title) :]
    first, _, last = who["name"].rpartition(" ")
    if rest == who["name"]:
        form = "full"
    elif rest == who["surname"]:
        form = "surname"
    elif re.fullmatch(re.escape(first) + r" [A-Z]\. " + re.escape(last), rest):
        form = "middle-initial"
    elif rest in who["aliases"]:
        form = "spelling-variant"
    elif who["surname"] and who["surname"] in rest:
        raise BuildError(f"mention {text!r} of {who['person']}: unknown name form")
    else:
        form = "description"
    if title and form == "description":
        raise BuildError(f"mention {text!r} of {who['person']}: a title before a description")
    return f"title+{form}" if title else form


def parse_markup(raw: str, where: str) -> tuple[str, list[tuple[str, str, int, int]]]:
    """Strip the marks; return the plain text and (mark, key, start, end) spans into it."""
    out: list[str] = []
    pos = 0
    length = 0
    stack: list[tuple[str, str, int]] = []
    spans: list[tuple[str, str, int, int]] = []
    for m in TOKEN.finditer(raw):
        chunk = raw[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(1) is not None:
            stack.append(("speaker", m.group(1), length))
        elif m.group(2) is not None:
            stack.append(("claim", m.group(2), length))
        else:
            want = "speaker" if m.group(0) == "}}" else "claim"
            if not stack or stack[-1][0] != want:
                raise BuildError(f"{where}: unbalanced {m.group(0)!r} near {raw[max(0, m.start() - 40) : m.end()]!r}")
            mark, key, start = stack.pop()
            spans.append((mark, key, start, length))
    if stack:
        raise BuildError(f"{where}: unclosed mark {stack[-1][:2]}")
    out.append(raw[pos:])
    text = "".join(out)
    for bad in ("{{", "}}", "<<", ">>", "|"):
        if bad in text:
            raise BuildError(f"{where}: stray {bad!r} in text")
    return text, spans


def check_layout(text: str, where: str) -> None:
    paras = text.split("\n\n")
    if len(paras) < 3 or any(not p.strip() or p != p.strip() or "\n" in p for p in paras):
        raise BuildError(f"{where}: text must be a headline, a blank line and paragraphs separated by blank lines")
    words = len(text.split())
    if not WORDS[0] <= words <= WORDS[1]:
        raise BuildError(f"{where}: {words} words, outside {WORDS}")


def check_sentence(text: str, start: int, end: int, where: str) -> None:
    """A claim span is a whole sentence: it starts a paragraph or follows '. ', and ends with . or .\"."""
    before = text[max(0, start - 2) : start]
    dateline = re.search(r"(\)|[A-Z]{3,}) [—-] $", text[:start])
    if not (start == 0 or before == "\n\n" or re.fullmatch(r"[.!?\"”] ", before) or dateline):
        raise BuildError(f"{where}: claim does not start a sentence: {text[start : start + 40]!r}")
    if not text[start:end].rstrip('"”').endswith((".", "!", "?")):
        raise BuildError(f"{where}: claim does not end a sentence: {text[start:end][-40:]!r}")
    if end < len(text) and text[end] not in " \n":
        raise BuildError(f"{where}: claim ends inside a sentence: {text[start:end][-40:]!r}")


def load_articles(people: dict, groups: dict) -> tuple[list[dict], list[dict], list[dict]]:
    articles: list[dict] = []
    speakers: list[dict] = []
    claims: list[dict] = []
    blocks: list[tuple[str, list[str]]] = []
    for path in sorted(SRC.glob("articles-*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("###"):
                blocks.append((line, []))
            elif blocks:
                blocks[-1][1].append(line)
            elif line.strip():
                raise BuildError(f"{path.name}: text before the first ### header")
    for header, lines in sorted(blocks, key=lambda b: b[0]):
        m = HEADER.match(header)
        if not m:
            raise BuildError(f"bad header {header!r}")
        aid, date, outlet, slug = m.groups()
        text, spans = parse_markup("\n".join(lines).strip("\n"), aid)
        check_layout(text, aid)
        outlet_slug = OUTLET_SLUG.sub("-", outlet.lower().removeprefix("the ")).strip("-")
        url = f"https://example-outlet.test/{outlet_slug}/{date.replace('-', '/')}/{slug}"
        title = text.split("\n", 1)[0]
        articles.append({"id": aid, "url": url, "date": date, "source": outlet, "title": title, "text": text})
        n_mentions = 0
        for mark, key, start, end in sorted(spans, key=lambda s: (s[2], s[3])):
            where = f"{aid} {key} at {start}"
            span = text[start:end]
            if mark == "speaker":
                if key not in people:
                    raise BuildError(f"{where}: unknown identity {key!r}")
                who = people[key]
                form = mention_form(span, who)
                speakers.append(
                    {"article": aid, "start": start, "end": end, "text": span, "person": key,
                     "kind": who["kind"], "form": form}
                )  # fmt: skip
                n_mentions += 1
            else:
                if key not in groups:
                    raise BuildError(f"{where}: unknown claim group {key!r}")
                check_sentence(text, start, end, where)
                row = {"group": key, "article": aid, "start": start, "end": end, "text": span}
                if groups[key]["near_miss_of"]:
                    row["near_miss_of"] = groups[key]["near_miss_of"]
                claims.append(row)
        if not STATEMENTS[0] <= n_mentions <= STATEMENTS[1]:
            raise BuildError(f"{aid}: {n_mentions} speaker mentions, outside {STATEMENTS}")
    ids = [a["id"] for a in articles]
    if len(set(ids)) != len(ids):
        raise BuildError("duplicate article ids")
    members: dict[str, set[str]] = {}
    for c in claims:
        if c["article"] in members.setdefault(c["group"], set()):
            raise BuildError(f"{c['article']}: group {c['group']} twice in one article")
        members[c["group"]].add(c["article"])
    for key, g in groups.items():
        n = len(members.get(key, ()))
        if (g["near_miss_of"] is None and not 2 <= n <= 4) or (g["near_miss_of"] and n != 1):
            raise BuildError(f"group {key}: in {n} articles")
    return articles, speakers, claims


def load_claim_pairs(claims: list[dict]) -> list[dict]:
    by_ref = {f"@{c['article']}:{c['group']}": c for c in claims}
    pairs = []
    seen = set()
    for n, (kind, sign, a, b) in enumerate(read_tsv(SRC / "claim-pairs.tsv", 4), 1):
        if sign not in "+-" or len(sign) != 1 or not re.fullmatch(r"[a-z]+(-[a-z]+)*", kind):
            raise BuildError(f"claim-pairs.tsv row {n}: bad kind or sign")
        row: dict = {"id": f"cp{n:03d}"}
        for side, value in (("a", a), ("b", b)):
            if value.startswith("@"):
                if value not in by_ref:
                    raise BuildError(f"claim-pairs.tsv row {n}: unknown reference {value}")
                c = by_ref[value]
                row[side] = c["text"]
                row[f"{side}_article"] = {"article": c["article"], "start": c["start"], "end": c["end"],
                                          "group": c["group"]}  # fmt: skip
            else:
                if not value.endswith((".", '."', ".”")) or value != value.strip():
                    raise BuildError(f"claim-pairs.tsv row {n}: not one sentence: {value!r}")
                row[side] = value
        row["same"] = sign == "+"
        row["kind"] = kind
        key = frozenset((row["a"], row["b"]))
        if row["a"] == row["b"] or key in seen:
            raise BuildError(f"claim-pairs.tsv row {n}: duplicate or self pair")
        seen.add(key)
        ordered = {k: row[k] for k in ("id", "a", "b", "same", "kind")}
        ordered.update({k: row[k] for k in ("a_article", "b_article") if k in row})
        pairs.append(ordered)
    return pairs


def dump(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check only; exit 1 if a file is out of date")
    args = parser.parse_args()
    try:
        people = load_people()
        groups = load_groups()
        articles, speakers, claims = load_articles(people, groups)
        pairs = load_claim_pairs(claims)
    except (BuildError, OSError) as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    people_rows = [{k: v for k, v in p.items()} for p in people.values()]
    group_rows = list(groups.values())
    outputs = {
        "articles.jsonl": dump(articles),
        "speakers.jsonl": dump(speakers),
        "people.jsonl": dump(people_rows),
        "claim-groups.jsonl": dump(claims),
        "groups.jsonl": dump(group_rows),
        "claim-pairs.jsonl": dump(pairs),
    }
    stale = []
    for name, content in outputs.items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
        else:
            path.write_text(content, encoding="utf-8")
    if stale:
        print(f"build.py: out of date (run build.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    print(
        f"{len(articles)} articles, {len(speakers)} speaker mentions of {len(people)} identities, "
        f"{len(claims)} claim sentences in {len(groups)} groups, {len(pairs)} claim pairs"
        + ("" if args.check else " (written)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
