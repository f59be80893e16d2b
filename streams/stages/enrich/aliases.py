"""Known aliases: consumes aliases.txt (our own list), produces a token-tuple index of names.

Each name (an epithet such as "Negeri Sakura", a ministry's acronym, a party's short name, or
the canonical name itself) maps to one `Alias`: the entity's type, its cross-article key, its
canonical name and, for places, the ISO 3166 code. NER uses it to type the names (an epithet is
a place, never a person); entity resolution uses it to group and name mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, cast

from schemas.models import EntityType
from streams.stages.enrich.text import tokenize

PATH = Path(__file__).resolve().parent / "aliases.txt"

_TYPES = frozenset({"PERSON", "ORG", "LOC"})


class Alias(NamedTuple):
    """What a known name stands for."""

    type: EntityType
    key: str
    canonical: str
    code: str | None


def _words(name: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(name))


@lru_cache(maxsize=1)
def index() -> dict[tuple[str, ...], Alias]:
    """Every known name (as its tokens) and what it stands for."""
    found: dict[tuple[str, ...], Alias] = {}
    for line in PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = [*line.split("\t"), "", ""][:5]
        kind, key, canonical, code, names = (c.strip() for c in cols)
        if kind not in _TYPES:
            raise ValueError(f"{PATH.name}: unknown type {kind!r} in {line!r}")
        alias = Alias(cast(EntityType, kind), f"{kind}:{key}", canonical, code or None)
        for name in [canonical, *names.split("|")]:
            if name:
                found[_words(name)] = alias
    return found


@lru_cache(maxsize=1)
def _longest_by_first() -> dict[str, int]:
    """Longest known name (in tokens) for each first word, to bound the lookups."""
    longest: dict[str, int] = {}
    for words in index():
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


def lookup(name: str) -> Alias | None:
    """The alias a whole name is, if any ("Negeri Sakura" -> Japan)."""
    return index().get(_words(name))


def matches(words: Sequence[str]) -> list[tuple[int, int, Alias]]:
    """Known names in a sentence's words: (start, end exclusive, alias), longest first, no overlap."""
    by_first = _longest_by_first()
    table = index()
    found: list[tuple[int, int, Alias]] = []
    resume = 0
    # Few words open a known name: only those are looked at (enrich's hot path).
    for i in [i for i, word in enumerate(words) if word in by_first]:
        if i < resume:
            continue
        for n in range(min(by_first[words[i]], len(words) - i), 0, -1):
            alias = table.get(tuple(words[i : i + n]))
            if alias is not None:
                found.append((i, i + n, alias))
                resume = i + n
                break
    return found
