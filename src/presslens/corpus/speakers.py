"""One speaker across articles: "Dmitry Peskov", "Peskov" and "Kremlin spokesman Dmitry Peskov" are one row of
``speakers``; two people who share a surname are two.

Each article's analysis has already resolved its own mentions ("the spokesman", "he", "Peskov") to the fullest name
it gives; here that name is linked to the corpus:
- an organisation, country or group is its normalised name ("the Kremlin" and "Moscow" stay two speakers);
- a person named in full links to the person with that first name and surname (a one-letter spelling difference in
  a long surname, "Zelensky"/"Zelenskyy", counts as the same); a person known so far only by surname is given the
  first name when exactly one person with that surname is known;
- a person named by surname alone links to the one person with that surname, or, among namesakes, to the one whose
  roles ("spokesman", "senator"), outlet and recent days fit this article; with no evidence either way it goes to a
  surname-only speaker rather than to a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from presslens.store import is_sqlite, new_id, schema

_DROP = re.compile(r"[^\w\s-]")
ROLE_WORDS = frozenset(
    """spokesman spokeswoman spokesperson senator sen minister president secretary governor gov mayor ceo chief
    adviser advisor ambassador general chairman chairwoman director lawmaker representative rep leader speaker
    prosecutor judge analyst economist professor official commander candidate premier chancellor envoy diplomat
    founder executive attorney lawyer coach manager deputy prime foreign defence defense finance health interior
    justice kremlin white house senate congress parliament party campaign""".split()  # noqa: SIM905
)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_ALIASES = {"us": "united states", "u s": "united states", "usa": "united states", "uk": "united kingdom"}


_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"})
# Family names that come first in Korean and Chinese names ("Kim Dae-ho", "Li Qiang"): the surname is the first word
# of a name whose other part is one given name (hyphenated or a single word after it).
FAMILY_FIRST = frozenset(
    """kim lee park choi jung jeong kang cho yoon jang lim han shin seo kwon hwang ahn song yoo hong moon yang son
    bae baek heo nam wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo xi""".split()  # noqa: SIM905
)


@lru_cache(maxsize=65536)  # the same names come back in every article and every comparison
def normalise(name: str) -> str:
    """Lower case, accents and punctuation dropped, a leading "the" dropped: "the Kremlin's" → "kremlin"."""
    s = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower().replace("'s", "").replace("\u2019s", "")
    s = " ".join(_DROP.sub(" ", s).split())
    s = s.removeprefix("the ")
    return _ALIASES.get(s, s)


def person_parts(name: str) -> tuple[str | None, str]:
    """(first name or None, surname) of a person's name; initials and suffixes dropped."""
    words = [w for w in normalise(name).split() if len(w) > 1 and w not in _SUFFIXES]
    if not words:
        return None, normalise(name)
    if len(words) == 2 and words[0] in FAMILY_FIRST and "-" in words[1]:
        return words[1], words[0]  # "Kim Dae-ho": Kim is the family name
    return (words[0] if len(words) > 1 else None), words[-1]


def roles_in(text: str, spans: list[tuple[int, int]]) -> set[str]:
    """Role words written just before a mention or in an apposition after it ("Kremlin spokesman Dmitry Peskov",
    "Peskov, the Kremlin's spokesman,")."""
    out: set[str] = set()
    for start, end in spans:
        before = text[max(0, start - 60) : start].split("\n")[-1]
        words = re.findall(r"[A-Za-z][\w.'-]*", before)[-4:]
        after = text[end : end + 60].split("\n")[0]
        if after.startswith(","):
            words += re.findall(r"[A-Za-z][\w.'-]*", after.split(",")[1] if "," in after[1:] else after)[:5]
        out |= {normalise(w) for w in words if normalise(w) in ROLE_WORDS}
    return out


def _close(a: str, b: str) -> bool:
    """The same surname, or one letter apart in a long one ("zelensky" / "zelenskyy")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@dataclass
class Mention:
    """What one article says about one speaker."""

    name: str
    type: str
    variants: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    outlet: str | None = None
    day: str | None = None


@dataclass
class _Row:
    id: int
    name: str
    first: str | None
    surname: str
    roles: set[str]


# Built once: linking runs them for every quoted speaker, and building a statement costs more than running it.
_S = schema.speakers.c
_PEOPLE = select(_S.id, _S.name, _S.first, _S.surname, _S.roles).where(
    _S.type == "PERSON", _S.surname.like(bindparam("prefix"))
)
_BY_KEY = select(_S.id, _S.name, _S.first, _S.surname, _S.roles).where(_S.key == bindparam("key"))
_NEW_SPEAKER = schema.speakers.insert()
_NEW_NAMES = {  # by "is the store SQLite?"
    True: sqlite.insert(schema.speaker_names).on_conflict_do_nothing(),
    False: postgresql.insert(schema.speaker_names).on_conflict_do_nothing(),
}


class SpeakerLinker:
    """Links mentions to ``speakers`` rows inside a write transaction (``conn``), creating rows as needed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def link(self, m: Mention) -> int:
        if m.type != "PERSON":
            return self._get_or_create(f"{m.type}:{normalise(m.name)}", m, None, None)
        first, surname = person_parts(m.name)
        rows = self._people(surname)
        if first is not None:
            same = [r for r in rows if r.first == first or _romanised_alike(r, first, surname)]
            exact = [r for r in same if r.surname == surname]
            if exact or same:
                return self._touch((exact or same)[0], m)
            named = [r for r in rows if r.first is not None and r.surname == surname]
            bare = [r for r in rows if r.first is None and r.surname == surname]
            if bare and not named:  # "Peskov" stored before "Dmitry Peskov" appeared: the same person
                row = bare[0]
                self.conn.execute(
                    schema.speakers.update()
                    .where(schema.speakers.c.id == row.id)
                    .values(first=first, name=m.name, key=f"PERSON:{first} {surname}")
                )
                return self._touch(row, m)
            return self._get_or_create(f"PERSON:{first} {surname}", m, first, surname)
        named = [r for r in rows if r.first is not None]
        if len(named) == 1:
            return self._touch(named[0], m)
        if len(named) > 1:
            best = self._best_fit(named, m)
            if best is not None:
                return self._touch(best, m)
        return self._get_or_create(f"PERSON:{surname}", m, None, surname)

    def _people(self, surname: str) -> list[_Row]:
        rows = self.conn.execute(_PEOPLE, {"prefix": surname[:4] + "%"}).all()
        return [
            _Row(r.id, r.name, r.first, r.surname, set(r.roles.split())) for r in rows if _close(r.surname, surname)
        ]

    def _best_fit(self, rows: list[_Row], m: Mention) -> _Row | None:
        """The namesake this article means, when its roles, outlet or days say so; None when nothing does."""
        scores = []
        for r in rows:
            score = 2.0 * len(r.roles & m.roles)
            outlets, days = self._seen(r.id)
            if m.outlet and m.outlet in outlets:
                score += 0.5
            if m.day and days and min(abs(_ordinal(m.day) - _ordinal(d)) for d in days) <= 7:
                score += 0.5
            scores.append((score, r))
        scores.sort(key=lambda x: -x[0])
        if scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
            return scores[0][1]
        return None

    def _seen(self, speaker_id: int) -> tuple[set[str], list[str]]:
        q, v = schema.quotes.c, schema.versions.c
        rows = self.conn.execute(
            select(v.outlet, func.max(v.day))
            .select_from(schema.quotes.join(schema.versions, q.version_id == v.id))
            .where(q.speaker_id == speaker_id, v.current.is_(True))
            .group_by(v.outlet)
        ).all()
        return {r[0] for r in rows if r[0]}, [r[1] for r in rows if r[1]]

    def _get_or_create(self, key: str, m: Mention, first: str | None, surname: str | None) -> int:
        row = self.conn.execute(_BY_KEY, {"key": key}).first()
        if row is not None:
            return self._touch(_Row(row.id, row.name, row.first, row.surname or "", set(row.roles.split())), m)
        roles = " ".join(sorted(m.roles))
        values = {"key": key, "name": m.name, "type": m.type, "first": first, "surname": surname, "roles": roles}
        sid = new_id(self.conn.execute(_NEW_SPEAKER, values))
        self._names(sid, m)
        return int(sid)

    def _touch(self, row: _Row, m: Mention) -> int:
        """Record this article's name variants and roles on the linked row; keep its fullest name."""
        updates: dict[str, str] = {}
        if not m.roles <= row.roles:
            updates["roles"] = " ".join(sorted(row.roles | m.roles))
        if len(m.name) > len(row.name) and row.first is not None and normalise(m.name).endswith(row.surname):
            updates["name"] = m.name
        if updates:
            self.conn.execute(schema.speakers.update().where(schema.speakers.c.id == row.id).values(**updates))
        self._names(row.id, m)
        return row.id

    def _names(self, sid: int, m: Mention) -> None:
        names = [{"speaker_id": sid, "name": x} for x in sorted({m.name} | m.variants)]
        self.conn.execute(_NEW_NAMES[is_sqlite(self.conn)], names)  # those already known are left as they are


def _romanised_alike(row: _Row, first: str, surname: str) -> bool:
    """ "Kim Soo-jin" and "Kim Su-jin": one Korean or Chinese given name in two romanisations (same consonants)."""

    def skeleton(s: str) -> str:
        return "".join(c for c in s if c.isalpha() and c not in "aeiouy")

    return (
        surname in FAMILY_FIRST
        and row.surname == surname
        and row.first is not None
        and len(skeleton(first)) >= 2
        and skeleton(row.first) == skeleton(first)
    )


def _ordinal(day: str) -> int:
    from datetime import date

    try:
        return date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return 0
