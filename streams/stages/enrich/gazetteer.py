"""The NER place gazetteer: B/I marks of the country and province names found in a sentence."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from streams.stages.enrich.places import place_names


@lru_cache(maxsize=1)
def _place_gazetteer() -> dict[tuple[str, ...], str]:
    """Country names (CLDR, Indonesian and English) and Indonesian provinces, lowercased."""
    # Imported here for start-up speed (Babel's locale data loads on first use anyway).
    from babel import Locale

    names: dict[tuple[str, ...], str] = {}
    for locale in ("id", "en"):
        for name in Locale(locale).territories.values():
            names[tuple(name.lower().split())] = "LOC"
    for name in place_names():
        names[tuple(name.lower().split())] = "LOC"
    return names


def gazetteer_tags(words: Sequence[str]) -> list[str]:
    """B/I marks for the longest place-name match at each position."""
    return list(gazetteer_marks(tuple(words)))


@lru_cache(maxsize=64)
def gazetteer_marks(words: tuple[str, ...]) -> tuple[str, ...]:
    """`gazetteer_tags` of a sentence as a tuple, cached: the features and the title-cue
    corrections both ask for the same sentence."""
    gaz = _place_gazetteer()
    lower = [w.lower() for w in words]
    tags = ["O"] * len(words)
    i = 0
    while i < len(words):
        if words[i][:1].isupper():
            for n in (4, 3, 2, 1):
                if i + n <= len(words) and tuple(lower[i : i + n]) in gaz:
                    tags[i] = "B"
                    tags[i + 1 : i + n] = ["I"] * (n - 1)
                    i += n - 1
                    break
        i += 1
    return tuple(tags)
