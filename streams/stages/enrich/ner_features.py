"""Token features for the NER sequence model: shape, affixes, context, cue words and gazetteers."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from functools import lru_cache

from streams.stages.enrich.gazetteer import gazetteer_tags
from streams.stages.enrich.words import (
    CALENDAR,
    LOC_CUES,
    ORG_CUES,
    PERSON_TITLES,
    SPEECH,
    function_words,
)

# Tokens after which capitalisation says nothing about names.
_SENTENCE_OPENERS = frozenset({".", "!", "?", '"', "“", ":", "-", "•", "'"})

# Letters map to X/x and digits to d; str.translate does the ASCII ones in one pass.
_SHAPE_TABLE = str.maketrans(
    {**dict.fromkeys(string.ascii_uppercase, "X"), **dict.fromkeys(string.ascii_lowercase, "x")}
    | dict.fromkeys(string.digits, "d")
)
_DIGIT = re.compile(r"\d")
_RUN = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def word_shape(word: str) -> str:
    """Map letters to X/x and digits to d ("Jakarta" -> "Xxxxxxx")."""
    shape = word.translate(_SHAPE_TABLE)
    # Only ASCII letters count as letters, but every script's digits are digits.
    return shape if shape.isascii() else _DIGIT.sub("d", shape)


@lru_cache(maxsize=65536)
def short_shape(word: str) -> str:
    """Collapse runs in the shape ("Xxxxxxx" -> "Xx")."""
    shape = word_shape(word)
    if "\n" in shape:
        return _RUN.sub(r"\1", shape)
    return "".join([char for char, _ in itertools.groupby(shape)])


@lru_cache(maxsize=262144)
def _token_features(word: str, prefix: str) -> tuple[str, ...]:
    low = word.lower()
    feats = [
        f"{prefix}w={low}",
        f"{prefix}sh={short_shape(word)}",
        f"{prefix}title={word[:1].isupper()}",
    ]
    if low in PERSON_TITLES:
        feats.append(f"{prefix}ptitle")
    if low in ORG_CUES:
        feats.append(f"{prefix}orgcue")
    if low in LOC_CUES:
        feats.append(f"{prefix}loccue")
    if low in SPEECH:
        feats.append(f"{prefix}speech")
    if low in function_words():
        feats.append(f"{prefix}func")
    return tuple(feats)


@lru_cache(maxsize=131072)
def _own_features(word: str) -> tuple[str, ...]:
    low = word.lower()
    feats = [
        "bias",
        f"shape={word_shape(word)[:8]}",
        f"upper={word.isupper() and len(word) > 1}",
        f"digit={any(c.isdigit() for c in word)}",
        f"hyphen={'-' in word}",
        f"len={min(len(word), 8)}",
        f"p2={low[:2]}",
        f"p3={low[:3]}",
        f"s2={low[-2:]}",
        f"s3={low[-3:]}",
        f"s4={low[-4:]}",
    ]
    if low in CALENDAR:
        feats.append("calendar")
    if not word[:1].isalnum():
        feats.append("punct")
    return tuple(feats)


_OFFSETS = ((-2, "-2:"), (-1, "-1:"), (1, "1:"), (2, "2:"))


def _cue_flags(lows: Sequence[str]) -> tuple[list[bool], list[bool]]:
    bare = [w.rstrip(".") for w in lows]
    return [w in PERSON_TITLES for w in bare], [w in SPEECH for w in bare]


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    """CRF features of every token in one sentence."""
    gaz = gazetteer_tags(words)
    lows = [w.lower() for w in words]
    titles, speech = _cue_flags(lows)
    out: list[list[str]] = []
    n = len(words)
    for i, word in enumerate(words):
        feats = [*_own_features(word), *_token_features(word, ""), f"gaz={gaz[i]}"]
        if i == 0 or words[i - 1] in _SENTENCE_OPENERS:
            feats.append("first")
        for off, prefix in _OFFSETS:
            j = i + off
            if 0 <= j < n:
                feats.extend(_token_features(words[j], prefix))
                feats.append(f"{prefix}gaz={gaz[j]}")
            else:
                feats.append(f"{prefix}edge")
        if any(titles[max(0, i - 4) : i]):
            # "Perdana Menteri Jepang Fumio Kishida": the title may sit a few words back.
            feats.append("title_near")
        if any(speech[max(0, i - 2) : i]):
            feats.append("speech_near")
        if i > 0:
            feats.append(f"-1w|w={lows[i - 1]}|{lows[i]}")
        if i + 1 < n:
            feats.append(f"w|+1w={lows[i]}|{lows[i + 1]}")
        out.append(feats)
    return out
