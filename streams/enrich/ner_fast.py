"""The NER features of `sentence_features`, built from per-word caches and pruned to the model.

`sentence_features` builds about sixty strings a token, most of them the same for the same word,
and crfsuite then drops every one it never saw in training. Here each word's features (with its
gazetteer mark) are built once and kept, and features the model has no weight for are left out
before they reach crfsuite: the tags are the same, for a fraction of the work.
"""

from __future__ import annotations

from collections.abc import Sequence

from streams.enrich.ner_features import (
    _OFFSETS,
    _SENTENCE_OPENERS,
    PERSON_TITLES,
    SPEECH,
    _gazetteer_tags,
    _own_features,
    _token_features,
)

# Word caches are dropped when they grow past this (a stream sees an open vocabulary).
_CACHE_LIMIT = 200_000
# Same look-back as `sentence_features`: a title up to four words back, a verb of saying two.
_TITLE_REACH = 4
_SPEECH_REACH = 2


class PrunedFeatures:
    """`sentence_features(words)` less the features absent from `known`, in the same order."""

    def __init__(self, known: frozenset[str]) -> None:
        self._known = known
        self._center: dict[tuple[str, str], tuple[str, ...]] = {}
        self._sides: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
            p: {} for _, p in _OFFSETS
        }
        self._edges = {p: self._keep([f"{p}edge"]) for _, p in _OFFSETS}
        self._flags = {f: f in known for f in ("first", "title_near", "speech_near")}
        # Word-pair features: the pairs the model knows, for each of the two directions.
        self._prev_pairs = {f[6:] for f in known if f.startswith("-1w|w=")}
        self._next_pairs = {f[6:] for f in known if f.startswith("w|+1w=")}

    def _keep(self, feats: Sequence[str]) -> tuple[str, ...]:
        known = self._known
        return tuple(f for f in feats if f in known)

    def _center_feats(self, word: str, gaz: str) -> tuple[str, ...]:
        key = (word, gaz)
        feats = self._center.get(key)
        if feats is None:
            if len(self._center) > _CACHE_LIMIT:
                self._center.clear()
            raw = [*_own_features(word), *_token_features(word, ""), f"gaz={gaz}"]
            feats = self._center[key] = self._keep(raw)
        return feats

    def _side_feats(self, word: str, prefix: str, gaz: str) -> tuple[str, ...]:
        cache = self._sides[prefix]
        key = (word, gaz)
        feats = cache.get(key)
        if feats is None:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            raw = [*_token_features(word, prefix), f"{prefix}gaz={gaz}"]
            feats = cache[key] = self._keep(raw)
        return feats

    def __call__(self, words: Sequence[str]) -> list[list[str]]:
        """CRF features of every token in one sentence."""
        n = len(words)
        gaz = _gazetteer_tags(tuple(words))
        lows = [w.lower() for w in words]
        bare = [w.rstrip(".") for w in lows]
        centers = [self._center_feats(w, g) for w, g in zip(words, gaz, strict=True)]
        sides = {
            p: [self._side_feats(w, p, g) for w, g in zip(words, gaz, strict=True)]
            for _, p in _OFFSETS
        }
        pairs = [f"{lows[i]}|{lows[i + 1]}" for i in range(n - 1)]
        first, title_near, speech_near = self._flags.values()
        last_title = last_speech = -n - _TITLE_REACH
        out: list[list[str]] = []
        for i in range(n):
            feats = list(centers[i])
            if first and (i == 0 or words[i - 1] in _SENTENCE_OPENERS):
                feats.append("first")
            for off, prefix in _OFFSETS:
                j = i + off
                feats.extend(sides[prefix][j] if 0 <= j < n else self._edges[prefix])
            if title_near and i - last_title <= _TITLE_REACH:
                feats.append("title_near")
            if speech_near and i - last_speech <= _SPEECH_REACH:
                feats.append("speech_near")
            if i > 0 and pairs[i - 1] in self._prev_pairs:
                feats.append(f"-1w|w={pairs[i - 1]}")
            if i + 1 < n and pairs[i] in self._next_pairs:
                feats.append(f"w|+1w={pairs[i]}")
            out.append(feats)
            if bare[i] in PERSON_TITLES:
                last_title = i
            if bare[i] in SPEECH:
                last_speech = i
        return out
