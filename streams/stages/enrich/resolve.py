"""Entity resolution within an article: consumes its text and entity mentions, produces one
ResolvedEntity per person, organisation or place, with a canonical name, a cross-article key and
every mention.

Mentions join when a reader would read them as one: the same name; a shorter form of a longer
name of the same kind ("Stoltenberg" after "Jens Stoltenberg"); a name split by a bracket
("(Rusia Vladimir) Putin"); an acronym given in brackets after its spelt-out form or matching its
initials; a known alias (aliases.txt: "Negeri Sakura" is Japan). Keys are the type and a
normalised name, or the ISO code for places, so consumers can join mentions across articles.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.models import Entity, EntityType, Mention, ResolvedEntity
from streams.stages.enrich import aliases
from streams.stages.enrich.ner_discourse import ADMIN
from streams.stages.enrich.places import code_of
from streams.stages.enrich.text import tokenize

VERSION = "resolve-1"

# Between two pieces of one name: only spaces and brackets ("Vladimir) Putin").
_NAME_GAP = re.compile(r"^[\s()\[\]]*$")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class _Unit:
    """One name as written (possibly in two pieces), with the mentions that write it so."""

    words: tuple[str, ...]
    type: EntityType
    mentions: list[Entity] = field(default_factory=list)
    alias: aliases.Alias | None = None
    code: str | None = None


def _words(name: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(name) if t.text[:1].isalnum())


def _is_acronym(words: tuple[str, ...]) -> bool:
    return len(words) == 1 and len(words[0]) >= 2 and sum(c.isupper() for c in words[0]) >= 2


def _initials(words: tuple[str, ...]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper())


def slug(name: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Kementerian Keuangan" -> kementerian-keuangan."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", folded.lower()).strip("-") or "x"


def _pieces(text: str, entities: Sequence[Entity]) -> list[list[Entity]]:
    """Mentions in order, a person's name split by a bracket kept together as one piece list."""
    out: list[list[Entity]] = []
    for entity in sorted(entities, key=lambda e: e.start):
        last = out[-1][-1] if out else None
        if (
            last is not None
            and last.type == entity.type == "PERSON"
            and _NAME_GAP.match(text[last.end : entity.start])
            and ("(" in text[last.end : entity.start] or ")" in text[last.end : entity.start])
        ):
            out[-1].append(entity)
        else:
            out.append([entity])
    return out


def _units(text: str, entities: Sequence[Entity]) -> tuple[list[_Unit], list[tuple[int, int]]]:
    """One unit per distinct (name, type), and the unit pairs an acronym in brackets links."""
    written = [(tuple(w for e in g for w in _words(e.text)), g) for g in _pieces(text, entities)]
    written = [(name, g) for name, g in written if name]
    # A name the model typed two ways in one article takes its most frequent type.
    votes: dict[tuple[str, ...], Counter[EntityType]] = {}
    for name, group in written:
        votes.setdefault(name, Counter())[group[0].type] += 1
    units: dict[tuple[str, ...], _Unit] = {}
    order: list[tuple[_Unit, list[Entity]]] = []
    for name, group in written:
        unit = units.get(name)
        if unit is None:
            alias = aliases.index().get(name)
            kind = alias.type if alias else votes[name].most_common(1)[0][0]
            unit = units[name] = _Unit(name, kind, alias=alias)
            if alias is not None:
                unit.code = alias.code
            elif kind == "LOC":
                code = code_of(" ".join(name))
                unit.code = (code.subdivision or code.country) if code else None
        unit.mentions.extend(group)
        order.append((unit, group))
    listed = list(units.values())
    index = {id(u): i for i, u in enumerate(listed)}
    links: list[tuple[int, int]] = []
    for (a, ga), (b, gb) in itertools.pairwise(order):
        # "Komisi Pemilihan Umum (KPU)", "Joko Widodo (Jokowi)": the bracket names it again.
        between = text[ga[-1].end : gb[0].start].strip()
        after = text[gb[-1].end : gb[-1].end + 2].strip()
        if a.type == b.type and between == "(" and after.startswith(")"):
            links.append((index[id(a)], index[id(b)]))
    return listed, links


class _Groups:
    """Union-find over unit indexes."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(b)] = self.find(a)


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _key(unit: _Unit) -> str | None:
    if unit.alias is not None:
        return unit.alias.key
    if unit.type == "LOC" and unit.code:
        return f"LOC:{unit.code}"
    return None


def _join(units: list[_Unit], links: list[tuple[int, int]]) -> _Groups:
    groups = _Groups(len(units))
    for a, b in links:
        groups.union(a, b)
    by_key: dict[str, int] = {}
    for i, unit in enumerate(units):
        key = _key(unit)
        if key is not None:
            groups.union(by_key.setdefault(key, i), i)
    for i, short in enumerate(units):
        if short.type == "LOC":
            # "Korea" is not "Korea Selatan": places join only by their code, or as the
            # same name without its administrative word ("Kabupaten Nduga", "Nduga").
            for j, long in enumerate(units):
                if long.type == "LOC" and long.words[0] in ADMIN and long.words[1:] == short.words:
                    groups.union(j, i)
            continue
        longer = [
            j
            for j, long in enumerate(units)
            if long.type == short.type
            and (
                _contains(long.words, short.words)
                or (
                    _is_acronym(short.words)
                    and len(long.words) > 1
                    and _initials(long.words) == short.words[0]
                )
            )
        ]
        # Several full forms share this short one ("Widodo" in two Widodos): the nearest
        # one written before it, else the first.
        first = short.mentions[0].start
        before = [j for j in longer if units[j].mentions[0].start < first]
        if longer:
            chosen = max(before, key=lambda j: units[j].mentions[0].start) if before else longer[0]
            groups.union(chosen, i)
    return groups


def _entity(members: list[_Unit]) -> ResolvedEntity:
    kinds = Counter(u.type for u in members for _ in u.mentions)
    alias = next((u.alias for u in members if u.alias is not None), None)
    kind: EntityType = alias.type if alias else kinds.most_common(1)[0][0]
    # The longest full form names it; an acronym only when nothing else does.
    full = max(
        members, key=lambda u: (not _is_acronym(u.words), len(u.words), len(" ".join(u.words)))
    )
    name = alias.canonical if alias else " ".join(full.words)
    code = next((u.code for u in members if u.code), None)
    acronym = next((u.words[0] for u in members if _is_acronym(u.words)), None)
    if alias is not None:
        key = alias.key
    elif kind == "LOC" and code:
        key = f"LOC:{code}"
    elif kind == "ORG" and acronym:
        key = f"ORG:{slug(acronym)}"
    else:
        key = f"{kind}:{slug(name)}"
    mentions = sorted((m for u in members for m in u.mentions), key=lambda m: (m.start, m.end))
    return ResolvedEntity(
        key=key,
        name=name,
        type=kind,
        code=code if kind == "LOC" else None,
        mentions=[Mention(text=m.text, start=m.start, end=m.end) for m in mentions],
    )


def resolve(text: str, entities: Sequence[Entity]) -> list[ResolvedEntity]:
    """The article's entities, one per person, organisation or place, in order of first mention."""
    units, links = _units(text, entities)
    groups = _join(units, links)
    members: dict[int, list[_Unit]] = {}
    for i, unit in enumerate(units):
        members.setdefault(groups.find(i), []).append(unit)
    # Names that differ only in case or punctuation ("Ana", "ANA") share a key: one entity.
    by_key: dict[str, ResolvedEntity] = {}
    for entity in (_entity(group) for group in members.values()):
        same = by_key.get(entity.key)
        if same is None:
            by_key[entity.key] = entity
        else:
            mentions = sorted([*same.mentions, *entity.mentions], key=lambda m: (m.start, m.end))
            by_key[entity.key] = same.model_copy(update={"mentions": mentions})
    return sorted(by_key.values(), key=lambda r: r.mentions[0].start)
