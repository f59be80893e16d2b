"""Named entities (PERSON, ORG, LOC) with character offsets, from a CRF trained on Indonesian news."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from schemas.models import Entity, EntityType
from streams.enrich.ner_data import spans
from streams.enrich.ner_fast import PrunedFeatures
from streams.enrich.ner_features import sentence_features
from streams.enrich.ner_post import correct
from streams.enrich.ner_rules import rule_tags
from streams.enrich.text import Token, split_sentences

VERSION = "ner-crf-1"
MODEL_PATH = Path(__file__).resolve().parent / "models" / f"{VERSION}.crfsuite"

# Tagging costs about 20 µs a token: past this point a huge page would hold up the stream
# for seconds, and a news story has long named its people by then.
MAX_CHARS = 100_000

CRF_LANGUAGES = frozenset({"id", "ms", "jv", "su"})

_TYPES: dict[str, EntityType] = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger:
    """The model, opened once per process (crfsuite maps the file, so this is cheap to share)."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


@lru_cache(maxsize=1)
def _features() -> PrunedFeatures:
    """Features pruned to the attributes the shipped model has weights for (read once)."""
    return PrunedFeatures(frozenset(attr for attr, _ in _tagger().info().state_features))


def predict_tags(words: Sequence[str], tagger: pycrfsuite.Tagger | None = None) -> list[str]:
    """IOB tags (B-PER, I-ORG, O, ...) for the tokens of one sentence."""
    if not words:
        return []
    if tagger is None:
        # The shipped model: pruned features give the same tags as the full ones.
        tags = _tagger().tag(_features()(words))
    else:
        tags = tagger.tag(sentence_features(words))
    return correct(words, list(tags))


def _sentence_entities(text: str, tokens: Sequence[Token]) -> list[Entity]:
    return _to_entities(text, tokens, predict_tags([t.text for t in tokens]))


def _to_entities(text: str, tokens: Sequence[Token], tags: Sequence[str]) -> list[Entity]:
    found: list[Entity] = []
    for start, end, label in sorted(spans(tags)):
        a, b = tokens[start].start, tokens[end - 1].end
        found.append(Entity(text=text[a:b], type=_TYPES[label], start=a, end=b))
    return found


def _rule_entities(text: str) -> list[Entity]:
    """English: capitalisation rules, two passes so a bare surname links to a known person."""
    sentences = split_sentences(text)
    surnames: set[str] = set()
    found: list[Entity] = []
    for rounds in range(2):
        found = []
        for tokens in sentences:
            if tokens[0].start >= MAX_CHARS:
                break
            tags = rule_tags(tokens, surnames)
            found.extend(_to_entities(text, tokens, tags))
        if rounds == 0:
            surnames = {e.text.split()[-1] for e in found if e.type == "PERSON"}
    return found


def extract_entities(text: str, lang: str = "id") -> list[Entity]:
    """Every entity mention in `text`, in order; `text[e.start:e.end] == e.text`.

    The CRF learnt Indonesian (it also reads Malay and regional-language news); English gets
    capitalisation rules. Other languages get none: German capitalises every noun, so neither
    the CRF nor the rules would mean anything there.
    """
    if lang == "en":
        return _rule_entities(text)
    if lang not in CRF_LANGUAGES:
        return []
    entities: list[Entity] = []
    for sentence in split_sentences(text):
        if sentence[0].start >= MAX_CHARS:
            break
        entities.extend(_sentence_entities(text, sentence))
    return entities
