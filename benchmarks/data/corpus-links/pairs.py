"""Check the corpus-links gold and count the pairs derived from it (stdlib only).

Usage:  python benchmarks/data/corpus-links/pairs.py                   (checks, prints counts; exit 1 on any problem)
        python benchmarks/data/corpus-links/pairs.py --list speakers   (also prints every cross-article speaker pair)
        python benchmarks/data/corpus-links/pairs.py --list claims     (also prints every claim-group sentence pair)

Speaker pairs: every two mentions in speakers.jsonl that lie in different articles; same=true when their "person"
keys are equal. A same-surname trap is a pair of different people (people.jsonl kind "person") with one surname.
Claim-group pairs: every two claim sentences of claim-groups.jsonl in different articles; same=true when their
groups are equal (distractor groups "x-..." have one sentence each).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {
    "articles": 45,
    "speaker pairs same=true": 150,
    "same-surname pairs same=false": 30,
    "same-surname people pairs": 4,
    "claim pairs": 130,
    "claim pairs same=true": 60,
    "claim pairs same=false": 60,
    "claim groups in 2-4 articles": 8,
}


def read_jsonl(name: str, problems: list[str]) -> list[dict]:
    rows: list[dict] = []
    path = HERE / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        problems.append(f"{name}: cannot read ({exc.strerror})")
        return rows
    for n, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{name}:{n}: not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{name}:{n}: not an object")
            continue
        rows.append(row)
    return rows


def check_span(row: dict, texts: dict[str, str], where: str, problems: list[str]) -> bool:
    text = texts.get(str(row.get("article")))
    start, end = row.get("start"), row.get("end")
    if text is None:
        problems.append(f"{where}: unknown article {row.get('article')!r}")
    elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        problems.append(f"{where}: bad offsets {start}..{end}")
    elif "text" in row and text[start:end] != row["text"]:
        problems.append(f"{where}: text[{start}:{end}] is {text[start:end]!r}, not {row['text']!r}")
    else:
        return True
    return False


def check_articles(articles: list[dict], problems: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for a in articles:
        aid = a.get("id")
        missing = [k for k in ("id", "url", "date", "source", "title", "text") if not isinstance(a.get(k), str)]
        if missing:
            problems.append(f"article {aid!r}: missing {missing}")
            continue
        if aid in texts:
            problems.append(f"article {aid}: duplicate id")
        if not a["url"].startswith("https://example-outlet.test/"):
            problems.append(f"article {aid}: url outside example-outlet.test")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", a["date"]):
            problems.append(f"article {aid}: date not ISO")
        head, sep, _ = a["text"].partition("\n\n")
        if not sep or head != a["title"] or "\n" in head:
            problems.append(f"article {aid}: text must start with the title, then a blank line")
        texts[a["id"]] = a["text"]
    return texts


def speaker_counts(speakers: list[dict], people: dict[str, dict], args_list: bool) -> dict[str, int]:
    keys = [
        "speaker pairs",
        "speaker pairs same=true",
        "speaker pairs same=false",
        "same person, different mention text",
    ]
    keys += ["different people, identical mention text", "same-surname pairs same=false"]
    counts: Counter[str] = Counter(dict.fromkeys(keys, 0))
    trap_people: set[frozenset[str]] = set()
    for x, y in itertools.combinations(speakers, 2):
        if x["article"] == y["article"]:
            continue
        same = x["person"] == y["person"]
        px, py = people.get(x["person"], {}), people.get(y["person"], {})
        trap = (
            not same
            and px.get("kind") == py.get("kind") == "person"
            and px.get("surname") is not None
            and px.get("surname") == py.get("surname")
        )
        counts["speaker pairs"] += 1
        counts[f"speaker pairs same={str(same).lower()}"] += 1
        if same and x["text"] != y["text"]:
            counts["same person, different mention text"] += 1
        if not same and x["text"] == y["text"]:
            counts["different people, identical mention text"] += 1
        if trap:
            counts["same-surname pairs same=false"] += 1
            trap_people.add(frozenset((x["person"], y["person"])))
        if args_list:
            ends = [{k: m[k] for k in ("article", "start", "end", "text")} for m in (x, y)]
            print(json.dumps({"a": ends[0], "b": ends[1], "same": same, "surname_trap": trap}, ensure_ascii=False))
    counts["same-surname people pairs"] = len(trap_people)
    return dict(counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", choices=["speakers", "claims"], help="print the derived pairs as JSON lines")
    args = parser.parse_args()
    problems: list[str] = []
    articles = read_jsonl("articles.jsonl", problems)
    speakers = read_jsonl("speakers.jsonl", problems)
    people = {str(p.get("person")): p for p in read_jsonl("people.jsonl", problems)}
    groups = read_jsonl("claim-groups.jsonl", problems)
    pairs = read_jsonl("claim-pairs.jsonl", problems)
    texts = check_articles(articles, problems)

    good_speakers = []
    for n, s in enumerate(speakers, 1):
        if check_span(s, texts, f"speakers.jsonl:{n}", problems):
            if s.get("person") not in people:
                problems.append(f"speakers.jsonl:{n}: person {s.get('person')!r} not in people.jsonl")
            else:
                good_speakers.append(s)
    per_article = Counter(s["article"] for s in good_speakers)
    for aid in texts:
        if not 2 <= per_article[aid] <= 5:
            problems.append(f"article {aid}: {per_article[aid]} speaker mentions (want 2-5)")

    good_groups = [g for n, g in enumerate(groups, 1) if check_span(g, texts, f"claim-groups.jsonl:{n}", problems)]
    for n, p in enumerate(pairs, 1):
        if not (isinstance(p.get("a"), str) and isinstance(p.get("b"), str) and isinstance(p.get("same"), bool)):
            problems.append(f"claim-pairs.jsonl:{n}: needs a, b (strings) and same (true/false)")
            continue
        for side in ("a", "b"):
            ref = p.get(f"{side}_article")
            if ref is not None:
                check_span({**ref, "text": p[side]}, texts, f"claim-pairs.jsonl:{n} {side}_article", problems)

    counts: dict[str, int] = {"articles": len(texts), "speaker mentions": len(good_speakers)}
    counts["identities mentioned"] = len({s["person"] for s in good_speakers})
    counts.update(speaker_counts(good_speakers, people, args.list == "speakers"))

    members: dict[str, set[str]] = {}
    for g in good_groups:
        members.setdefault(g["group"], set()).add(g["article"])
    counts["claim sentences in articles"] = len(good_groups)
    counts["claim groups in 2-4 articles"] = sum(2 <= len(m) <= 4 for m in members.values())
    counts["distractor sentences (near misses)"] = sum("near_miss_of" in g for g in good_groups)
    group_pairs: Counter[str] = Counter()
    for x, y in itertools.combinations(good_groups, 2):
        if x["article"] != y["article"]:
            same = x["group"] == y["group"]
            near = x.get("near_miss_of") == y["group"] or y.get("near_miss_of") == x["group"]
            group_pairs["same" if same else "near miss" if near else "other"] += 1
            if args.list == "claims":
                ends = [{k: m[k] for k in ("group", "article", "start", "end", "text")} for m in (x, y)]
                print(json.dumps({"a": ends[0], "b": ends[1], "same": same, "near_miss": near}, ensure_ascii=False))
    counts["claim-group pairs same=true"] = group_pairs["same"]
    counts["claim-group pairs near miss"] = group_pairs["near miss"]

    counts["claim pairs"] = len(pairs)
    counts["claim pairs same=true"] = sum(p.get("same") is True for p in pairs)
    counts["claim pairs same=false"] = sum(p.get("same") is False for p in pairs)
    counts["claim pairs with a sentence from the articles"] = sum(
        bool(p.get("a_article") or p.get("b_article")) for p in pairs
    )
    out = sys.stderr if args.list else sys.stdout
    width = max(map(len, counts))
    for key, value in counts.items():
        mark = "" if key not in TARGETS else ("  ok" if value >= TARGETS[key] else f"  BELOW TARGET {TARGETS[key]}")
        print(f"{key:<{width}}  {value:>6}{mark}", file=out)
    kinds = Counter((p.get("kind"), p.get("same")) for p in pairs)
    print("claim pairs by kind:", file=out)
    for (kind, same), n in sorted(kinds.items(), key=lambda kv: (not kv[0][1], str(kv[0][0]))):
        print(f"  {'same' if same else 'diff'}  {kind:<{width - 8}}{n:>6}", file=out)
    problems += [f"{k}: {counts.get(k, 0)} is below the target {v}" for k, v in TARGETS.items() if counts.get(k, 0) < v]
    for problem in problems:
        print(f"pairs.py: {problem}", file=sys.stderr)
    print("all offsets and targets ok" if not problems else f"{len(problems)} problem(s)", file=out)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
