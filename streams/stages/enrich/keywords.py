"""Keywords: ranked key phrases from stopword-delimited candidates, scored by use and position.

YAKE's own extractor costs 20-30 ms an article, too slow for a per-article stream stage, so this
keeps YAKE's idea (candidates between stopwords, favouring early, frequent and capitalised terms)
in a few lines and reuses YAKE's packaged stopword lists (`words.stopwords`) for the language
awareness.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.models import Entity, Keyword
from streams.stages.enrich.text import Token, split_prefix, tokenize
from streams.stages.enrich.words import PERSON_TITLES, stopwords

VERSION = "keywords-tfpos-1"

TOP = 10
MAX_NGRAM = 3
MAX_CHARS = 6000


@dataclass(slots=True)
class _Stat:
    form: str
    count: int
    first: int
    proper: int
    score: float = 0.0


def _runs(
    sentence: Sequence[Token], stop: frozenset[str], named: set[int]
) -> list[tuple[list[str], bool]]:
    """Maximal runs of content words outside names (no stopwords, digits or punctuation), each
    with whether it opens the sentence."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    for k, tok in enumerate(sentence):
        word = tok.text
        if (
            tok.start not in named
            and len(word) > 1
            and word[0].isalpha()
            and word.lower().replace("’", "'") not in stop
        ):
            if not current:
                runs.append((current, k == 0))
            current.append(word)
        elif current:
            current = []
    return runs


def _full_names(entities: Sequence[Entity]) -> dict[str, str]:
    """Short mentions mapped to the fullest mention that starts or ends with them."""
    full: dict[str, str] = {}
    for ent in sorted(entities, key=lambda e: -len(e.text)):
        words = ent.text.split()
        for k in range(1, len(words) + 1):
            full.setdefault(" ".join(words[-k:]).lower(), ent.text)
            full.setdefault(" ".join(words[:k]).lower(), ent.text)
    return full


def _add(stats: dict[str, _Stat], form: str, index: int, proper: int) -> None:
    stat = stats.get(form.lower())
    if stat is None:
        stats[form.lower()] = _Stat(form, 1, index, proper)
    else:
        stat.count += 1
        stat.proper += proper


def _add_grams(stats: dict[str, _Stat], run: list[str], index: int, opens: bool) -> None:
    """Every 1- to 3-gram of a run; `opens` when the run starts its sentence."""
    caps = [w[0].isupper() for w in run]
    size = len(run)
    get = stats.get  # `_add` inlined: this is the innermost loop of the keywords
    for n in range(1, min(MAX_NGRAM, size) + 1):
        for i in range(size - n + 1):
            form = run[i] if n == 1 else " ".join(run[i : i + n])
            # A capital that only opens the sentence says nothing about a name.
            capital = int(all(caps[i : i + n]) and not (i == 0 and opens))
            key = form.lower()
            stat = get(key)
            if stat is None:
                stats[key] = _Stat(form, 1, index, capital)
            else:
                stat.count += 1
                stat.proper += capital


def _candidates(text: str, stop: frozenset[str], entities: Sequence[Entity]) -> dict[str, _Stat]:
    stats: dict[str, _Stat] = {}
    starts = {e.start: e for e in entities if e.end <= MAX_CHARS}
    named = {t.start for e in starts.values() for t in tokenize(e.text, e.start)}
    full = _full_names(entities)
    for index, sentence in enumerate(split_prefix(text, MAX_CHARS)):
        if starts:
            for tok in sentence:
                if tok.start in starts:
                    ent = starts[tok.start]
                    _add(stats, full.get(ent.text.lower(), ent.text), index, 1)
        for run, opens in _runs(sentence, stop, named):
            _add_grams(stats, run, index, opens)
    return stats


def _score(stat: _Stat, entity_names: set[str]) -> float:
    words = stat.form.count(" ") + 1
    # Early mention (headline facts sit in the lead), repetition, and names weigh most.
    position = 1.0 + 2.0 / (1.0 + stat.first)
    proper = 1.5 if stat.proper else 1.0
    named = 1.5 if stat.form.lower() in entity_names else 1.0
    length = (1.0, 1.4, 1.2)[min(words, 3) - 1]
    return math.pow(stat.count, 0.7) * position * proper * named * length


def _redundant(form: str, kept: list[str]) -> bool:
    low = f" {form.lower()} "
    return any(low in f" {k.lower()} " or f" {k.lower()} " in low for k in kept)


def extract_keywords(text: str, lang: str, entities: Sequence[Entity] = ()) -> list[Keyword]:
    """Up to ten key phrases, best first, scored 0..1 relative to the best one."""
    stop = stopwords(lang[:2] if len(lang) >= 2 else lang)
    stats = _candidates(text, stop, entities)
    names = {e.text.lower() for e in entities}
    # A phrase used once after the lead is never kept: drop it before scoring and sorting.
    eligible = [s for s in stats.values() if s.count >= 2 or s.first <= 2]
    for stat in eligible:
        stat.score = _score(stat, names)
    eligible.sort(key=lambda s: (-s.score, s.first, s.form))
    kept: list[str] = []
    scores: list[float] = []
    for stat in eligible:
        if _redundant(stat.form, kept) or stat.form.lower() in PERSON_TITLES:
            continue
        kept.append(stat.form)
        scores.append(stat.score)
        if len(kept) >= TOP:
            break
    top = scores[0] if scores else 1.0
    return [Keyword(text=k, score=round(s / top, 4)) for k, s in zip(kept, scores, strict=True)]
