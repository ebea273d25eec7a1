"""Scoring dispute links on a gold set of short texts we wrote (``presslens/claims/gold/disputes.jsonl``, shipped in the package; run by ``presslens.claims.evaluate``).

Each line: ``{"id", "cue", "text", "claim", "dispute"}``; ``claim`` and ``dispute`` are substrings of ``text``
(both null for a negative, a look-alike such as "despite the rain"). A predicted dispute is correct when its
claim's span overlaps the gold claim and its own span overlaps the gold dispute text. Precision = correct
predictions / all predictions (every prediction on a negative is wrong); recall = gold links found / gold links.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from presslens.errors import InputError

if TYPE_CHECKING:
    from presslens.model import Analysis


def load_items(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "no such gold file")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            for key in ("claim", "dispute"):
                if item.get(key) is not None and item[key] not in text:
                    raise ValueError(f"{key} is not a substring of text")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}:{n}", f"bad gold item ({exc})") from None
        items.append(item)
    return items


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_disputes(items: list[dict], analyses: list[Analysis]) -> dict:
    """Precision, recall and F1 of the predicted dispute links, per cue family too, and every error as a line."""
    predicted = correct = found = positives = 0
    by_cue: dict[str, dict[str, int]] = {}
    errors = []
    for it, a in zip(items, analyses, strict=True):
        fam = by_cue.setdefault(it["cue"], {"gold": 0, "found": 0, "false_alarms": 0})
        claims = {c.id: c for c in a.claims}
        gold = None
        if it.get("claim") is not None:
            positives += 1
            fam["gold"] += 1
            cs = it["text"].index(it["claim"])
            ds = it["text"].index(it["dispute"])
            gold = ((cs, cs + len(it["claim"])), (ds, ds + len(it["dispute"])))
        hit = False
        for d in a.disputes:
            predicted += 1
            c = claims[d.claim]
            ok = gold is not None and _overlaps((c.start, c.end), gold[0]) and _overlaps((d.start, d.end), gold[1])
            if ok:
                correct += 1
                hit = True
            else:
                fam["false_alarms"] += 1
                how = f"{d.kind}, {d.cue.text!r}" if d.cue else d.kind
                errors.append(f"{it['id']} false alarm ({how}): claim {c.text!r} ← {d.text!r}")
        if gold is not None:
            if hit:
                found += 1
                fam["found"] += 1
            else:
                errors.append(f"{it['id']} missed ({it['cue']}): {it['claim']!r} ← {it['dispute']!r}")
    precision = correct / predicted if predicted else 0.0
    recall = found / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": len(items),
        "positives": positives,
        "predicted": predicted,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "by_cue": by_cue,
        "errors": errors,
    }
