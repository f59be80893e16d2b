"""One reading per article: consumes an article's tokens and the entities NER found sentence by
sentence, produces the same entities plus the other mentions of the same names.

The CRF sees one sentence at a time, so it may mark "Jepang" in one sentence and miss it in the
next, or find "Erick Thohir" but not the later "Erick". A reader does not change their mind
between sentences: once a name is an entity of some type in the article, its other occurrences
(the whole name, a person's single names, a place without its "Kabupaten", the plain name of an
epithet such as "Amerika Serikat" for "Negeri Paman Sam") are that entity too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from schemas.models import Entity, EntityType
from streams.stages.enrich import aliases
from streams.stages.enrich.text import Token
from streams.stages.enrich.words import CALENDAR, PERSON_TITLES, stopwords

# Administrative words before a place's own name ("Kabupaten Nduga" is also "Nduga").
ADMIN = frozenset({"Kabupaten", "Kota", "Provinsi", "Kecamatan", "Desa", "Kelurahan"})


def _words(
    entity: Entity, tokens_by_start: dict[int, int], tokens: Sequence[Token]
) -> tuple[str, ...]:
    i = tokens_by_start.get(entity.start)
    if i is None:
        return ()
    out: list[str] = []
    while i < len(tokens) and tokens[i].end <= entity.end:
        out.append(tokens[i].text)
        i += 1
    return tuple(out)


def _single_name(word: str) -> bool:
    """A person's given or family name alone, not a word that is capitalised for other reasons."""
    lower = word.lower()
    return (
        len(word) >= 3
        and word[:1].isupper()
        and word[1:2].islower()
        and lower not in PERSON_TITLES
        and lower not in CALENDAR
        and lower not in stopwords("id")
    )


def _names(
    entities: Sequence[Entity], tokens: Sequence[Token]
) -> dict[tuple[str, ...], EntityType]:
    """The names the article's entities establish, each with its type (the commonest)."""
    starts = {t.start: i for i, t in enumerate(tokens)}
    votes: dict[tuple[str, ...], Counter[EntityType]] = {}

    def vote(words: tuple[str, ...], kind: EntityType, weight: int = 2) -> None:
        if words:
            votes.setdefault(words, Counter())[kind] += weight

    for entity in entities:
        words = _words(entity, starts, tokens)
        vote(words, entity.type)
        alias = aliases.index().get(words)
        if alias is not None:
            vote(tuple(alias.canonical.split()), alias.type)
        if entity.type == "LOC" and len(words) > 1 and words[0] in ADMIN:
            vote(words[1:], "LOC")
        if entity.type == "PERSON" and len(words) > 1:
            # A part of a name counts less than a whole name, so "Malaysia" the place beats
            # a stray person "Malaysia Airlines" part.
            for word in words:
                if _single_name(word):
                    vote((word,), "PERSON", 1)
    return {words: counter.most_common(1)[0][0] for words, counter in votes.items()}


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in PERSON_TITLES


def _inside_run(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Part of a longer capitalised name ("Budi" in "Universitas Budi Luhur") that the model
    chose not to mark: not the same name."""
    return (start > 0 and _capitalised(tokens[start - 1].text)) or (
        end < len(tokens) and _capitalised(tokens[end].text)
    )


def propagate(entities: list[Entity], tokens: Sequence[Token], text: str) -> list[Entity]:
    """`entities` and every other mention of their names in `tokens`, in text order."""
    if not entities:
        return entities
    names = _names(entities, tokens)
    longest: dict[str, int] = {}
    for words in names:
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    taken = sorted((e.start, e.end) for e in entities)
    added: list[Entity] = []
    resume = 0
    # Only tokens that open a known name are looked at (enrich's hot path).
    for i in [i for i, t in enumerate(tokens) if t.text in longest]:
        if i < resume:
            continue
        for n in range(min(longest[tokens[i].text], len(tokens) - i), 0, -1):
            kind = names.get(tuple(t.text for t in tokens[i : i + n]))
            if kind is None:
                continue
            a, b = tokens[i].start, tokens[i + n - 1].end
            lone_name = kind == "PERSON" and n == 1
            if lone_name and _inside_run(tokens, i, i + n):
                pass
            elif not any(s < b and a < e for s, e in taken):
                added.append(Entity(text=text[a:b], type=kind, start=a, end=b))
            resume = i + n
            break
    if not added:
        return entities
    return sorted([*entities, *added], key=lambda e: (e.start, e.end))
