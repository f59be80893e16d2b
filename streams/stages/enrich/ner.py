"""Named entities (PERSON, ORG, LOC) with character offsets, from a CRF trained on Indonesian news."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from schemas.models import Entity, EntityType
from streams.stages.enrich.crf import CrfModel, viterbi
from streams.stages.enrich.gazetteer import gazetteer_marks
from streams.stages.enrich.ner_discourse import propagate
from streams.stages.enrich.ner_fast import WordScorer
from streams.stages.enrich.ner_features import sentence_features
from streams.stages.enrich.ner_post import correct, shouting
from streams.stages.enrich.ner_rules import rule_tags
from streams.stages.enrich.ner_spans import reader_spans
from streams.stages.enrich.text import Token, split_sentences

# ner-crf-2: the ner-crf-1 model's tags read as a reader marks names (ner_spans, ner_discourse).
VERSION = "ner-crf-2"
MODEL_PATH = Path(__file__).resolve().parent / "models" / "ner-crf-1.crfsuite"

# Tagging costs a few µs a token: past this point a huge page would hold up the stream, and a
# news story has long named its people by then.
MAX_CHARS = 100_000

CRF_LANGUAGES = frozenset({"id", "ms", "jv", "su"})

_TYPES: dict[str, EntityType] = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


@lru_cache(maxsize=1)
def _model() -> tuple[CrfModel, WordScorer]:
    """The same model file read into arrays, for tagging whole articles at once."""
    model = CrfModel.load(MODEL_PATH)
    return model, WordScorer(model)


def tag_sentences(sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    """IOB tags of many sentences with the shipped model (as `predict_tags`, all in one go)."""
    model, scorer = _model()
    gazs = [gazetteer_marks(tuple(words)) for words in sentences]
    paths = viterbi(scorer.scores(sentences, gazs), model.transition)
    labels = model.labels
    return [
        correct(words, [labels[i] for i in path], gaz)
        for words, gaz, path in zip(sentences, gazs, paths, strict=True)
    ]


def predict_tags(words: Sequence[str], tagger: pycrfsuite.Tagger | None = None) -> list[str]:
    """IOB tags (B-PER, I-ORG, O, ...) for the tokens of one sentence (`tagger`: another model)."""
    if not words:
        return []
    if tagger is None:
        return tag_sentences([words])[0]
    return correct(words, list(tagger.tag(sentence_features(words))))


def _to_entities(text: str, tokens: Sequence[Token], tags: Sequence[str]) -> list[Entity]:
    found: list[Entity] = []
    for start, end, label in reader_spans([t.text for t in tokens], tags):
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
    sentences = [s for s in split_sentences(text) if s[0].start < MAX_CHARS]
    tags = tag_sentences([[t.text for t in s] for s in sentences])
    entities: list[Entity] = []
    for sentence, sentence_tags in zip(sentences, tags, strict=True):
        entities.extend(_to_entities(text, sentence, sentence_tags))
    # Lines in capitals give no cues (see ner_post.shouting): no mentions are read there either.
    tokens = [t for s in sentences if not shouting([t.text for t in s]) for t in s]
    return propagate(entities, tokens, text)
