"""CRF state scores of `sentence_features` without building the strings for every token.

A token's features are its own word's (with its gazetteer mark), each neighbour's under a position
prefix, a few flags and the word pairs around it. The model's score is a sum of one weight vector
per feature, so each word's share is summed once, kept, and reused wherever the word appears;
only flags and known word pairs are looked up per token. Same features, same weights; only the
order of the additions differs from crfsuite's, so a path could differ only on a tie within float
rounding (none on 984 shared articles, nor on the 1,831 idner sentences).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import pairwise, repeat

import numpy as np
import numpy.typing as npt

from streams.stages.enrich.crf import CrfModel, Matrix
from streams.stages.enrich.ner_features import (
    _OFFSETS,
    _SENTENCE_OPENERS,
    _own_features,
    _token_features,
)
from streams.stages.enrich.words import PERSON_TITLES, SPEECH

Index = npt.NDArray[np.intp]

# Words kept before the cache starts over (a stream sees an open vocabulary): under 20 MB.
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
        self._lock = threading.Lock()
        self._state = np.vstack([model.state, np.zeros(self._labels)])
        self._zero = len(model.state)
        # Attribute ids by name, then for each neighbour by name less its prefix ("-1:w=x" as
        # "w=x"): a neighbour's features are the word's own under that prefix.
        self._ids = [model.attributes] + [
            {a[len(p) :]: i for a, i in model.attributes.items() if a.startswith(p)}
            for _, p in _OFFSETS
        ]
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
        ids = [self._zero, *map(self._model.attributes.get, feats, repeat(self._zero))]
        total: Matrix = self._state[ids].sum(axis=0)
        return total

    def _pairs(self, prefix: str, first_id: int) -> dict[str, int]:
        cut = len(prefix)
        names = [a[cut:] for a in self._model.attributes if a.startswith(prefix)]
        return {name: first_id + k for k, name in enumerate(names)}

    def _feature_ids(self, word: str, gaz: str, ids: list[int], starts: list[int]) -> None:
        """Append the attribute ids of the word's five groups (itself, then each neighbour)."""
        zero = self._zero
        base = [*_token_features(word, ""), f"gaz={gaz}"]
        # Unknown features read the zero row, which adds nothing; every group starts with it
        # because reduceat cannot sum an empty group.
        starts.append(len(ids))
        ids.append(zero)
        ids.extend(map(self._ids[0].get, [*_own_features(word), *base], repeat(zero)))
        for by_suffix in self._ids[1:]:
            starts.append(len(ids))
            ids.append(zero)
            ids.extend(map(by_suffix.get, base, repeat(zero)))

    def _add_rows(self, keys: Sequence[tuple[str, str]]) -> None:
        """Sum and keep the weights of new (word, gazetteer mark) pairs, all in one gather."""
        first = len(self._rows)
        ids: list[int] = []
        starts: list[int] = []
        for key in keys:
            self._rows[key] = len(self._rows)
            self._feature_ids(*key, ids, starts)
        end = len(self._rows)
        if end > self._table.shape[1]:
            grown = np.zeros((self._table.shape[0], 2 * end, self._labels))
            grown[:, :first] = self._table[:, :first]
            self._table = grown
        sums = np.add.reduceat(self._state[ids], starts, axis=0)
        groups = self._table.shape[0]
        self._table[:, first:end] = sums.reshape(end - first, groups, self._labels).transpose(
            1, 0, 2
        )

    def scores(
        self, sentences: Sequence[Sequence[str]], gazs: Sequence[Sequence[str]]
    ) -> list[Matrix]:
        """Each sentence's state scores; `gazs` are their gazetteer marks."""
        if not sentences:
            return []
        # Stages run in threads, and one abandoned by its time limit may still be running:
        # the word cache and its table must not change under another article's feet.
        with self._lock:
            return self._scores(sentences, gazs)

    def _scores(
        self, sentences: Sequence[Sequence[str]], gazs: Sequence[Sequence[str]]
    ) -> list[Matrix]:
        """`scores`, with the lock held."""
        if len(self._rows) >= _CACHE_LIMIT:
            # Only between articles: rows handed out below must stay valid until summed.
            self._rows.clear()
        keys = [
            key
            for words, gaz in zip(sentences, gazs, strict=True)
            for key in zip(words, gaz, strict=True)
        ]
        found = list(map(self._rows.get, keys))
        if None in found:
            new = [key for r, key in zip(found, keys, strict=True) if r is None]
            self._add_rows(list(dict.fromkeys(new)))
            found = list(map(self._rows.get, keys))
        sizes = [len(words) for words in sentences]
        s = np.repeat(sizes, sizes)
        starts = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
        i = np.arange(len(keys))
        p = i - starts
        r = np.array(found, dtype=np.intp)
        table = self._table
        total = table[0, r]
        for k, (off, _) in enumerate(_OFFSETS, start=1):
            inside = (p + off >= 0) & (p + off < s)
            at = np.flatnonzero(inside)
            total[at] += table[k, r[at + off]]
            total[~inside] += self._edges[k - 1]
        self._add_extras(total, [w for words in sentences for w in words], i, p, starts)
        return list(np.split(total, np.cumsum(sizes)[:-1]))

    def _add_extras(
        self,
        total: Matrix,
        words: list[str],
        i: Index,
        p: Index,
        starts: Index,
    ) -> None:
        """Per-token features: sentence start, a title or verb of saying just before, word pairs."""
        lows = [w.lower() for w in words]
        bare = [w.rstrip(".") for w in lows]
        opener = np.array([w in _SENTENCE_OPENERS for w in words])
        first = p == 0
        first[1:] |= opener[:-1]
        total[first] += self._extras[0]
        for flag, cues, reach in ((1, PERSON_TITLES, _TITLE_REACH), (2, SPEECH, _SPEECH_REACH)):
            # Cues among the `reach` tokens before each token, within its sentence.
            seen = np.concatenate([[0], np.cumsum([b in cues for b in bare])])
            near = seen[i] > seen[np.maximum(i - reach, starts)]
            total[near] += self._extras[flag]
        pairs = [f"{a}|{b}" for a, b in pairwise(lows)]
        joined = (p[1:] != 0).tolist()  # the pair's second word is in the same sentence
        for ids, shift in ((self._next_pairs, 0), (self._prev_pairs, 1)):
            hits = [
                (k + shift, f)
                for k, f in enumerate(map(ids.get, pairs))
                if f is not None and joined[k]
            ]
            if hits:
                at = [k for k, _ in hits]
                total[at] += self._extras[[f for _, f in hits]]
