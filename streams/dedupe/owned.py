"""The band index a band-owning partition derives from its `filed` table, in memory.

The changelog carries one record per filed article and owning partition (its signature, time and
the band keys that partition owns), not one per band key: a tenth of the records. The mapping
band key -> articles is rebuilt from those records whenever a partition is (re)assigned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

# A hot band key (boilerplate shared by many stories) keeps only its newest articles.
MAX_PER_BAND = 512


def filed_key(partition: int, article_id: str) -> str:
    """The `filed` table key of an article filed on a partition of the bands topic."""
    return f"{partition}:{article_id}"


def filed_partition(key: str) -> int:
    """The partition a `filed` table key belongs to."""
    return int(key.split(":", 1)[0])


class OwnedBands:
    """Band key -> [(article id, time)] of each owned partition, derived from `filed` records."""

    def __init__(self, filed: Mapping[str, Any]) -> None:
        self.filed = filed
        self.partitions: dict[int, dict[str, list[tuple[str, float]]]] = {}

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop the derived index of partitions revoked or newly assigned (rebuilt on next use)."""
        for partition in partitions:
            self.partitions.pop(partition, None)

    def add(self, partition: int, article_id: str, keys: Iterable[str], at: float) -> None:
        """File an article under its band keys on a partition."""
        index = self._index(partition)
        for key in keys:
            self._insert(index, key, article_id, at)

    def remove(self, partition: int, article_id: str, keys: Iterable[str]) -> None:
        """Take an expired article out of the band keys it was filed under."""
        index = self.partitions.get(partition)
        if index is None:
            return  # not built: it will be built from the table, which no longer has the row
        for key in keys:
            entries = [e for e in index.get(key, ()) if e[0] != article_id]
            if entries:
                index[key] = entries
            else:
                index.pop(key, None)

    def lookup(self, partition: int, keys: Iterable[str], article_id: str) -> list[list[Any]]:
        """[id, signature, time] of every other article still filed under any of `keys`."""
        index = self._index(partition)
        found: dict[str, list[Any]] = {}
        for key in keys:
            for other, _ in index.get(key, ()):
                if other == article_id or other in found:
                    continue
                record = self.filed.get(filed_key(partition, other))
                if record is not None:  # expired records leave stale ids behind: skipped here
                    found[other] = [other, record["sig"], record["at"]]
        return list(found.values())

    def _index(self, partition: int) -> dict[str, list[tuple[str, float]]]:
        index = self.partitions.get(partition)
        if index is None:
            index = self.partitions[partition] = defaultdict(list)
            prefix = f"{partition}:"
            for key in list(self.filed.keys()):
                if key.startswith(prefix):
                    record = self.filed[key]
                    for band in record["keys"]:
                        self._insert(index, band, key[len(prefix) :], record["at"])
        return index

    @staticmethod
    def _insert(
        index: dict[str, list[tuple[str, float]]], key: str, article_id: str, at: float
    ) -> None:
        entries = [e for e in index[key] if e[0] != article_id]
        entries.append((article_id, at))
        if len(entries) > MAX_PER_BAND:
            entries.sort(key=lambda e: e[1])
            del entries[: len(entries) - MAX_PER_BAND]
        index[key] = entries
