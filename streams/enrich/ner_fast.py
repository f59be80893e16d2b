"""CRF state scores of `sentence_features` without building the strings for every token.

A token's features are its own word's (with its gazetteer mark), each neighbour's under a position
prefix, a few flags and the word pairs around it. The model's score is a sum of one weight vector
per feature, so each word's share is summed once, kept, and reused wherever the word appears;
only flags and known word pairs are looked up per token. Same features, same weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streams.enrich.crf import CrfModel, Matrix
from streams.enrich.ner_features import (
    _OFFSETS,
    _SENTENCE_OPENERS,
    PERSON_TITLES,
    SPEECH,
    _own_features,
    _token_features,
)

# Words kept before the cache starts over (a stream sees an open vocabulary): ~14 MB.
_CACHE_LIMIT = 50_000
# Same look-back as `sentence_features`: a title up to four words back, a verb of saying two.
_TITLE_REACH = 4
_SPEECH_REACH = 2


class WordScorer:
    """State scores (tokens x labels) of sentences, from per-word cached weight sums."""

    def __init__(self, model: CrfModel) -> None:
        self._model = model
        self._labels = model.state.shape[1]
        self._rows: dict[tuple[str, str], int] = {}
        self._state = np.vstack([model.state, np.zeros(self._labels)])
        self._zero = len(model.state)
        # Row r: the word's weights as the token itself, then as each neighbour in _OFFSETS.
        self._table = np.zeros((1 + len(_OFFSETS), 1024, self._labels))
        self._edges = [self._sum([f"{p}edge"]) for _, p in _OFFSETS]
        # Features that are per token, not per word: three flags, then the known word pairs.
        flags = ["first", "title_near", "speech_near"]
        self._prev_pairs = self._pairs("-1w|w=", len(flags))
        self._next_pairs = self._pairs("w|+1w=", len(flags) + len(self._prev_pairs))
        extras = flags + [f"-1w|w={p}" for p in self._prev_pairs]
        extras += [f"w|+1w={p}" for p in self._next_pairs]
        self._extras = np.array([self._sum([f]) for f in extras])

    def _sum(self, feats: Sequence[str]) -> Matrix:
        """The summed weights of the features the model knows (zeros when none)."""
        total: Matrix = self._sums([feats])[0]
        return total

    def _sums(self, groups: Sequence[Sequence[str]]) -> Matrix:
        """`_sum` of each group of features, in one gather (a new word has five groups)."""
        attributes = self._model.attributes
        ids: list[int] = []
        starts: list[int] = []
        for feats in groups:
            starts.append(len(ids))
            # Every group starts with the zero row: reduceat cannot sum an empty group.
            ids.append(self._zero)
            ids.extend(i for i in map(attributes.get, feats) if i is not None)
        sums: Matrix = np.add.reduceat(self._state[ids], starts, axis=0)
        return sums

    def _pairs(self, prefix: str, first_id: int) -> dict[str, int]:
        cut = len(prefix)
        names = [a[cut:] for a in self._model.attributes if a.startswith(prefix)]
        return {name: first_id + k for k, name in enumerate(names)}

    def _row(self, word: str, gaz: str) -> int:
        key = (word, gaz)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = len(self._rows)
            if row >= self._table.shape[1]:
                grown = np.zeros((self._table.shape[0], 2 * row, self._labels))
                grown[:, :row] = self._table[:, :row]
                self._table = grown
            self._table[:, row] = self._sums(
                [
                    [*_own_features(word), *_token_features(word, ""), f"gaz={gaz}"],
                    *([*_token_features(word, p), f"{p}gaz={gaz}"] for _, p in _OFFSETS),
                ]
            )
        return row

    def scores(
        self, sentences: Sequence[Sequence[str]], gazs: Sequence[Sequence[str]]
    ) -> list[Matrix]:
        """Each sentence's state scores; `gazs` are their gazetteer marks."""
        if not sentences:
            return []
        if len(self._rows) >= _CACHE_LIMIT:
            # Only between articles: rows handed out below must stay valid until summed.
            self._rows.clear()
        rows: list[int] = []
        pos: list[int] = []
        size: list[int] = []
        extra_at: list[int] = []
        extra_ids: list[int] = []
        for words, gaz in zip(sentences, gazs, strict=True):
            base = len(rows)
            rows.extend(map(self._row, words, gaz))
            n = len(words)
            pos.extend(range(n))
            size.extend([n] * n)
            self._token_extras(words, base, extra_at, extra_ids)
        table = self._table
        r, p, s = np.array(rows, dtype=np.intp), np.array(pos), np.array(size)
        total = table[0, r]
        for k, (off, _) in enumerate(_OFFSETS, start=1):
            inside = (p + off >= 0) & (p + off < s)
            at = np.flatnonzero(inside)
            total[at] += table[k, r[at + off]]
            total[~inside] += self._edges[k - 1]
        np.add.at(total, np.array(extra_at, dtype=np.intp), self._extras[extra_ids])
        bounds = np.cumsum([len(w) for w in sentences])[:-1]
        return list(np.split(total, bounds))

    def _token_extras(self, words: Sequence[str], base: int, at: list[int], ids: list[int]) -> None:
        """Per-token flags (sentence start, title or verb of saying nearby) and word pairs."""
        n = len(words)
        lows = [w.lower() for w in words]
        last_title = last_speech = -n - _TITLE_REACH
        for i in range(n):
            if i == 0 or words[i - 1] in _SENTENCE_OPENERS:
                at.append(base + i)
                ids.append(0)
            if i - last_title <= _TITLE_REACH:
                at.append(base + i)
                ids.append(1)
            if i - last_speech <= _SPEECH_REACH:
                at.append(base + i)
                ids.append(2)
            if i + 1 < n:
                pair = f"{lows[i]}|{lows[i + 1]}"
                ahead = self._next_pairs.get(pair)
                if ahead is not None:
                    at.append(base + i)
                    ids.append(ahead)
                behind = self._prev_pairs.get(pair)
                if behind is not None:
                    at.append(base + i + 1)
                    ids.append(behind)
            bare = lows[i].rstrip(".")
            if bare in PERSON_TITLES:
                last_title = i
            if bare in SPEECH:
                last_speech = i
