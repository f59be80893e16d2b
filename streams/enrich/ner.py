"""Named entities (PERSON, ORG, LOC) with character offsets, from a CRF trained on Indonesian news."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from schemas.models import Entity, EntityType
from streams.enrich.ner_data import spans
from streams.enrich.ner_features import PERSON_TITLES, sentence_features
from streams.enrich.text import Token, split_sentences

VERSION = "ner-crf-1"
MODEL_PATH = Path(__file__).resolve().parent / "models" / f"{VERSION}.crfsuite"

_TYPES: dict[str, EntityType] = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger:
    """The model, opened once per process (crfsuite maps the file, so this is cheap to share)."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def _strip_titles(words: Sequence[str], tags: list[str]) -> list[str]:
    """Drop leading titles ("Presiden", "Sekjen") from person names: they are cues, not names."""
    for i, tag in enumerate(tags):
        if tag == "B-PER" and words[i].lower().rstrip(".") in PERSON_TITLES:
            j = i
            while (
                j < len(tags)
                and tags[j] in {"B-PER", "I-PER"}
                and (words[j].lower().rstrip(".") in PERSON_TITLES or not words[j][:1].isalnum())
            ):
                tags[j] = "O"
                j += 1
            if j < len(tags) and tags[j] == "I-PER":
                tags[j] = "B-PER"
    return tags


def predict_tags(words: Sequence[str], tagger: pycrfsuite.Tagger | None = None) -> list[str]:
    """IOB tags (B-PER, I-ORG, O, ...) for the tokens of one sentence."""
    if not words:
        return []
    tags = (tagger or _tagger()).tag(sentence_features(words))
    return _strip_titles(words, list(tags))


def _sentence_entities(text: str, tokens: list[Token]) -> list[Entity]:
    tags = predict_tags([t.text for t in tokens])
    found: list[Entity] = []
    for start, end, label in sorted(spans(tags)):
        a, b = tokens[start].start, tokens[end - 1].end
        found.append(Entity(text=text[a:b], type=_TYPES[label], start=a, end=b))
    return found


def extract_entities(text: str) -> list[Entity]:
    """Every entity mention in `text`, in order; `text[e.start:e.end] == e.text`."""
    entities: list[Entity] = []
    for sentence in split_sentences(text):
        entities.extend(_sentence_entities(text, sentence))
    return entities
