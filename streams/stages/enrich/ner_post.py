"""Corrections to the CRF's tags from title cues: titles and their countries are not the name."""

from __future__ import annotations

from collections.abc import Sequence

from streams.stages.enrich.gazetteer import gazetteer_tags
from streams.stages.enrich.words import CALENDAR, PERSON_TITLES

_BRACKETS = frozenset("()[]")
_PERSON = frozenset({"B-PER", "I-PER"})
# Longest name the title rule will claim; longer capitalised runs are usually not people.
_MAX_NAME = 3


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in PERSON_TITLES


def strip_titles(words: Sequence[str], tags: list[str]) -> list[str]:
    """Drop leading titles ("Presiden", "Sekjen") from person names: they are cues, not names."""
    for i, tag in enumerate(tags):
        if tag != "B-PER" or not _is_title(words[i]):
            continue
        j = i
        while (
            j < len(tags)
            and tags[j] in _PERSON
            and (_is_title(words[j]) or not words[j][:1].isalnum())
        ):
            tags[j] = "O"
            j += 1
        if j < len(tags) and tags[j] == "I-PER":
            tags[j] = "B-PER"
    return tags


def _after_title(words: Sequence[str], i: int) -> bool:
    """A title right before position i, possibly across an opening bracket."""
    k = i - 1
    while k >= 0 and words[k] in _BRACKETS:
        k -= 1
    return k >= 0 and _is_title(words[k])


def split_role_places(words: Sequence[str], tags: list[str], gaz: Sequence[str]) -> list[str]:
    """ "Kanselir Jerman Matthias Brenner": a country opening a name span after a title is the
    title's country; the capitalised words after it are the person."""
    for i, tag in enumerate(tags):
        if tag not in {"B-PER", "B-LOC"} or gaz[i] != "B" or not _after_title(words, i):
            continue
        label = tag[2:]
        j = i + 1
        while j < len(tags) and gaz[j] == "I" and tags[j] == f"I-{label}":
            j += 1
        if j < len(tags) and tags[j] == f"I-{label}" and words[j][:1].isupper():
            tags[i:j] = ["B-LOC"] + ["I-LOC"] * (j - i - 1)
            tags[j] = "B-PER"
            for k in range(j + 1, len(tags)):
                if tags[k] != f"I-{label}":
                    break
                tags[k] = "I-PER"
    return tags


def _name_like(word: str, gaz: str) -> bool:
    return (
        gaz == "O" and word[:1].isupper() and not _is_title(word) and word.lower() not in CALENDAR
    )


def _claim_names(words: Sequence[str], tags: list[str], gaz: Sequence[str], j: int) -> None:
    claimed = 0
    previous_name = False
    while j < len(words) and claimed < _MAX_NAME:
        if words[j] in _BRACKETS:
            previous_name = False
        elif tags[j] in _PERSON:
            previous_name = True
        elif tags[j] == "O" and _name_like(words[j], gaz[j]):
            tags[j] = "I-PER" if previous_name else "B-PER"
            previous_name = True
        else:
            return
        claimed += words[j] not in _BRACKETS
        j += 1


def title_place_names(words: Sequence[str], tags: list[str], gaz: Sequence[str]) -> list[str]:
    """ "Presiden (Rusia Vladimir) Putin": after a title and its country, capitalised words the
    model left untagged are the person's name."""
    for i, word in enumerate(words):
        if not _is_title(word) or tags[i] != "O":
            continue
        j, places = i + 1, 0
        while j < len(words) and (words[j] in _BRACKETS or gaz[j] != "O" or _is_title(words[j])):
            places += gaz[j] == "B"
            j += 1
        if places:
            _claim_names(words, tags, gaz, j)
    return tags


def close_brackets(words: Sequence[str], tags: list[str]) -> list[str]:
    """ "Komisi Pemilihan Umum (KPU)" is one mention (the corpus convention): a name that opens a
    bracket also takes the closing one, so its text is never "... (KPU"."""
    open_label = ""
    for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
        if tag == "O":
            if word == ")" and open_label:
                tags[i] = f"I-{open_label}"
            open_label = ""
        elif word == "(":
            open_label = tag[2:]
        elif tag.startswith("B-"):
            open_label = ""
    return tags


def shouting(words: Sequence[str]) -> bool:
    """A line in capitals ("SCROLL TO CONTINUE WITH CONTENT") gives no capitalisation cues."""
    letters = [w for w in words if w[:1].isalpha()]
    return len(letters) >= 3 and all(w.isupper() for w in letters)


def correct(words: Sequence[str], tags: list[str], gaz: Sequence[str] | None = None) -> list[str]:
    """Apply every title-cue correction to one sentence's tags (`gaz`: its gazetteer marks)."""
    if shouting(words):
        return ["O"] * len(words)
    if gaz is None:
        gaz = gazetteer_tags(words)
    tags = close_brackets(words, tags)
    tags = strip_titles(words, tags)
    tags = split_role_places(words, tags, gaz)
    return title_place_names(words, tags, gaz)
