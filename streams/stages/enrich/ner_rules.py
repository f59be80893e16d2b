"""Capitalisation-based entities for English text, where the Indonesian-trained CRF has no context.

Runs of capitalised words are names; the words around them say which kind: a title before a
person, a preposition of place or a gazetteer hit for a location, an organisation word or an
acronym for an organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from streams.stages.enrich.places import place_names
from streams.stages.enrich.text import Token
from streams.stages.enrich.words import CALENDAR, LOC_CUES, ORG_CUES, PERSON_TITLES, stopwords

_PLACE_PREPOSITIONS = frozenset({"in", "at", "from", "to", "near", "across", "outside", "inside"})
# Joiners allowed inside a name ("Bank of England", "Jan van Eyck").
_JOINERS = frozenset({"of", "de", "van", "von", "der", "bin", "al", "the", "&", "for"})
_EXTRA_TITLES = frozenset({"prime", "vice", "deputy", "former", "spokesperson"})
_EN_ORG = frozenset({"house", "office", "times", "post", "news", "agency", "reuters", "nato"})
_EVENTS = frozenset({"day", "eve", "week", "cup", "games", "olympics", "awards", "festival"})
_ORG_SUFFIXES = frozenset({"inc", "ltd", "corp", "co", "plc", "llc", "ag", "gmbh", "group"})


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in CALENDAR


def _runs(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token ranges of capitalised runs, allowing joiners between capitalised words."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not _is_cap(tokens[i].text):
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            word = tokens[j].text
            joins = word.lower() in _JOINERS and j + 1 < len(tokens) and _is_cap(tokens[j + 1].text)
            if not (_is_cap(word) or joins):
                break
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _classify(words: list[str], before: str) -> str | None:
    lower = [w.lower().rstrip(".") for w in words]
    places = _place_set()
    if lower[-1] in _EVENTS or (len(words) > 1 and all(w.isupper() for w in words)):
        # "Labor Day" is a date; "LA CROSSE" a dateline in capitals, whose kind is unknowable.
        return None
    if lower[-1] in _ORG_SUFFIXES | _EN_ORG or any(w in ORG_CUES for w in lower):
        return "ORG"
    if " ".join(words) in places or any(w in LOC_CUES for w in lower[:1] + lower[-1:]):
        return "LOC"
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return "ORG"
    if before in PERSON_TITLES:
        return "PER"
    if before in _PLACE_PREPOSITIONS:
        return "LOC"
    if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
        return "PER"
    return None


@lru_cache(maxsize=1)
def _place_set() -> frozenset[str]:
    """Countries and every ISO 3166-2 subdivision ("New Jersey", "Bavaria" as "Bayern", ...)."""
    import pycountry

    subdivisions = {sub.name for sub in pycountry.subdivisions}
    return frozenset(place_names()) | subdivisions


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in PERSON_TITLES or word.lower() in _EXTRA_TITLES


def _opens_sentence(tokens: Sequence[Token], i: int) -> bool:
    """Capitalised only because it starts the sentence (or a quote): "The", "In"."""
    return i == 0 or not tokens[i - 1].text[:1].isalnum()


def _segments(tokens: Sequence[Token], start: int, end: int) -> list[tuple[int, int]]:
    """Split a run at title words ("US President Joe Biden" -> "US", "Joe Biden") and drop a
    leading function word ("The", "In") that is capitalised only because it opens the sentence."""
    stop = stopwords("en")
    segments: list[tuple[int, int]] = []
    seg = start
    for k in range(start, end + 1):
        if k < end and not _is_title(tokens[k].text):
            continue
        while seg < k and (
            tokens[seg].text.lower() in _JOINERS
            or (seg == start and _opens_sentence(tokens, seg) and tokens[seg].text.lower() in stop)
        ):
            seg += 1
        if k > seg:
            segments.append((seg, k))
        seg = k + 1
    return segments


def rule_tags(tokens: Sequence[Token], surnames: set[str]) -> list[str]:
    """IOB tags for one English sentence; `surnames` are last names of people already found."""
    tags = ["O"] * len(tokens)
    for run_start, run_end in _runs(tokens):
        for start, end in _segments(tokens, run_start, run_end):
            words = [t.text for t in tokens[start:end]]
            before = tokens[start - 1].text.lower().rstrip(".") if start > 0 else ""
            label = _classify(words, before)
            if label is None and len(words) == 1 and words[0] in surnames:
                label = "PER"
            if label == "PER" and end < len(tokens) and _is_title(tokens[end].text):
                # "Defence Minister", "Japanese Foreign Minister": a role, not a name.
                label = None
            if label is None:
                continue
            tags[start] = f"B-{label}"
            for k in range(start + 1, end):
                tags[k] = f"I-{label}"
    return tags
