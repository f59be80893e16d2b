"""The band index a band-owning partition derives from its `filed` table, in memory.

The changelog carries one record per filed article and owning partition (its signature, time and
the band keys that partition owns), not one per band key: a tenth of the records. The mapping
band key -> articles is rebuilt from those records whenever a partition is (re)assigned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from streams.stages.dedupe.messages import CandidateEntry, FiledRow

# A hot band key (boilerplate shared by many stories) keeps only its newest articles.
MAX_PER_BAND = 512


def filed_key(partition: int, article_id: str) -> str:
    """The `filed` table key of an article filed on a partition of the bands topic."""
    return f"{partition}:{article_id}"


def split_filed_key(key: str) -> tuple[int, str]:
    """The partition and the article id of a `filed` table key."""
    partition, article_id = key.split(":", 1)
    return int(partition), article_id


def filed_partition(key: str) -> int:
    """The partition a `filed` table key belongs to."""
    return split_filed_key(key)[0]


# A band key's articles: one id (most keys), or the ids in filing order.
Filed = str | tuple[str, ...]


class OwnedBands:
    """Band key -> the ids filed under it, per owned partition, derived from `filed` records.

    Only ids are kept (one shared string per article, no per-key tuples or times): the index
    costs ~1.6 KB per article instead of ~7 KB. Times and signatures stay in the `filed` rows.
    """

    def __init__(self, filed: Mapping[str, Any]) -> None:
        self.filed = filed
        self.partitions: dict[int, dict[str, Filed]] = {}

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop the derived index of partitions revoked or newly assigned (rebuilt on next use)."""
        for partition in partitions:
            self.partitions.pop(partition, None)

    def add(self, partition: int, article_id: str, keys: Iterable[str]) -> None:
        """File an article under its band keys on a partition."""
        index = self._index(partition)
        for key in keys:
            _insert(index, key, article_id)

    def remove(self, partition: int, article_id: str, keys: Iterable[str]) -> None:
        """Take an expired article out of the band keys it was filed under."""
        index = self.partitions.get(partition)
        if index is None:
            return  # not built: it will be built from the table, which no longer has the row
        for key in keys:
            kept = tuple(i for i in _ids(index.get(key)) if i != article_id)
            if not kept:
                index.pop(key, None)
            else:
                index[key] = kept[0] if len(kept) == 1 else kept

    def ids(self, partition: int, key: str) -> tuple[str, ...]:
        """The ids filed under a band key, oldest first."""
        return _ids(self._index(partition).get(key))

    def lookup(self, partition: int, keys: Iterable[str], article_id: str) -> list[CandidateEntry]:
        """Every other article still filed under any of `keys`, with its signature and time."""
        index = self._index(partition)
        found: dict[str, CandidateEntry] = {}
        for key in keys:
            for other in _ids(index.get(key)):
                if other == article_id or other in found:
                    continue
                wire = self.filed.get(filed_key(partition, other))
                if wire is not None:  # expired records leave stale ids behind: skipped here
                    row = FiledRow.from_wire(wire)
                    found[other] = CandidateEntry(other, row.sig, row.at)
        return list(found.values())

    def _index(self, partition: int) -> dict[str, Filed]:
        index = self.partitions.get(partition)
        if index is None:
            index = self.partitions[partition] = {}
            prefix = f"{partition}:"
            rows = [
                (k, FiledRow.from_wire(self.filed[k]))
                for k in list(self.filed.keys())
                if k.startswith(prefix)
            ]
            for key, row in sorted(rows, key=lambda kv: kv[1].at):
                article_id = split_filed_key(key)[1]
                for band in row.keys:
                    _insert(index, band, article_id)
        return index


def _ids(value: Filed | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _insert(index: dict[str, Filed], key: str, article_id: str) -> None:
    current = index.get(key)
    if current is None:
        index[key] = article_id
        return
    ids = (*(i for i in _ids(current) if i != article_id), article_id)
    index[key] = ids[-MAX_PER_BAND:] if len(ids) > 1 else ids[0]
