"""Compact in-memory multimap from LSH band keys to article ids, for `DedupeIndex`.

A dict entry per band key costs ~80 bytes in CPython and an article has 42 of them. Here new
keys go to a small dict and are merged, from time to time, into two sorted numpy arrays
(uint64 key, uint32 slot): 12 bytes per band entry, found with a binary search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MIN_MERGE = 65_536


class BandStore:
    """Band key -> ids of the articles filed under it; removal leaves a tombstone."""

    def __init__(self) -> None:
        self._keys: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._slots: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
        self._fresh: dict[int, list[int]] = {}
        self._fresh_count = 0
        self._ids: list[str | None] = []
        self._slot_of: dict[str, int] = {}

    def __len__(self) -> int:
        """Live articles filed."""
        return len(self._slot_of)

    def add(self, article_id: str, keys: list[int]) -> None:
        """File the article under each key (once: a second add is ignored)."""
        if article_id in self._slot_of:
            return
        slot = len(self._ids)
        self._ids.append(article_id)
        self._slot_of[article_id] = slot
        for key in keys:
            self._fresh.setdefault(key, []).append(slot)
        self._fresh_count += len(keys)
        # A sixteenth keeps the dict (~100 B per band entry) small beside the arrays; the merge
        # is linear, as the stable sort merges the two sorted runs.
        if self._fresh_count >= max(_MIN_MERGE, self._keys.size // 16):
            self._merge()

    def remove(self, article_id: str) -> None:
        slot = self._slot_of.pop(article_id, None)
        if slot is not None:
            self._ids[slot] = None

    def lookup(self, keys: list[int]) -> set[str]:
        """Live ids filed under any of the keys."""
        slots: list[int] = []
        for key in keys:
            slots.extend(self._fresh.get(key, ()))
        if self._keys.size and keys:
            query = np.asarray(keys, dtype=np.uint64)
            lo = np.searchsorted(self._keys, query, side="left")
            hi = np.searchsorted(self._keys, query, side="right")
            for start, end in zip(lo[hi > lo].tolist(), hi[hi > lo].tolist(), strict=True):
                slots.extend(self._slots[start:end].tolist())
        ids = self._ids
        return {found for slot in slots if (found := ids[slot]) is not None}

    def _merge(self) -> None:
        fresh_keys = np.fromiter(
            (k for k, slots in self._fresh.items() for _ in slots), dtype=np.uint64
        )
        fresh_slots = np.fromiter(
            (s for slots in self._fresh.values() for s in slots), dtype=np.uint32
        )
        first = np.argsort(fresh_keys, kind="stable")
        keys = np.concatenate([self._keys, fresh_keys[first]])
        slots = np.concatenate([self._slots, fresh_slots[first]])
        live = np.fromiter((i is not None for i in self._ids), dtype=bool, count=len(self._ids))
        keep = live[slots]
        keys, slots = keys[keep], slots[keep]
        if live.sum() * 2 < live.size:
            slots = self._renumber(live)[slots]
        order = np.argsort(keys, kind="stable")
        self._keys, self._slots = keys[order], slots[order]
        self._fresh = {}
        self._fresh_count = 0

    def _renumber(self, live: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint32]:
        # Tombstones outnumber live slots: give live ids consecutive slots again.
        mapping = np.cumsum(live, dtype=np.int64) - 1
        live_ids = [i for i in self._ids if i is not None]
        self._slot_of = {article_id: n for n, article_id in enumerate(live_ids)}
        self._ids = [*live_ids]
        return mapping.astype(np.uint32)
