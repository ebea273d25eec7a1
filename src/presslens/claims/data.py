"""Readers for the check-worthiness corpora (``../shared/data/checkworthiness``).

- CheckThat! 2020 Task 5 transcripts: one TSV per debate, ``line<TAB>speaker<TAB>text<TAB>label``
  (label absent in unlabelled input); these are also the format ``presslens eval checkworthiness`` reads.
- ClaimBuster ``kfold_25ncs.json``: ``[{"sentence_id", "label", "text"}, ...]`` sentences from US debates.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from presslens.errors import InputError


@dataclass(slots=True)
class Line:
    number: int
    speaker: str
    text: str
    label: int | None = None


@dataclass(slots=True)
class Transcript:
    name: str
    lines: list[Line]


def read_transcript(path: str | Path) -> Transcript:
    """One CheckThat! transcript; a malformed row raises ``InputError`` naming ``file:line``."""
    path = Path(path)
    lines: list[Line] = []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                if not row or not "".join(row).strip():
                    continue
                if len(row) < 3:
                    raise InputError(f"{path}:{i}", "expected line<TAB>speaker<TAB>text[<TAB>label]")
                try:
                    number = int(row[0])
                    label = int(row[3]) if len(row) > 3 and row[3].strip() else None
                except ValueError:
                    raise InputError(f"{path}:{i}", "line number and label must be integers") from None
                lines.append(Line(number, row[1], row[2], label))
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    if not lines:
        raise InputError(str(path), "no lines")
    return Transcript(path.stem, lines)


def read_transcripts(folder: str | Path) -> list[Transcript]:
    folder = Path(folder)
    files = sorted(folder.glob("*.tsv")) if folder.is_dir() else [folder]
    if not files:
        raise InputError(str(folder), "no .tsv transcripts found")
    return [read_transcript(p) for p in files]


def read_claimbuster(path: str | Path) -> list[tuple[str, int]]:
    """``(text, label)`` pairs from ClaimBuster's ``kfold_25ncs.json`` (label 1 = check-worthy factual claim)."""
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    return [(r["text"], int(r["label"])) for r in rows if r.get("text")]
