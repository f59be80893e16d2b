"""Readers of the on-disk store's indexes: expiry by the time index, lookups by the band index.

Consume the indexes `streams.runtime.state.IndexedStore` writes with each row of a table;
produce deletions of rows written more than a window ago (`DiskExpiry`, a tombstone on the
changelog for each) and the candidates filed under band keys (`DiskBands`). Both have the
interface of their in-memory counterparts in `streams.stages.dedupe` (`expiry.Expiry`,
`owned.OwnedBands`), which the memory store uses; `streams.runtime.tables` picks one or the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from schemas import codec
from streams.runtime.state import IndexedStore
from streams.stages.dedupe.messages import CandidateEntry, FiledRow
from streams.stages.dedupe.owned import split_filed_key

# Rows examined per sweep at most, deleted or not: eviction is spread over the stream.
PER_SWEEP = 64
# Seconds between two looks at a partition with nothing due: a sweep per event would open an
# iterator per event and table, for rows that fall due a window later.
RECHECK = 2.0


class DiskExpiry:
    """Deletes a table's rows written more than a window ago, oldest first, from the time index.

    The interface of `stages/dedupe/expiry.Expiry`, with nothing in memory: the time index is
    written with each row (`IndexedStore`). `due(partition, key)` gives, for tables whose rows
    expire a grace after an event other than their write (held and pending: after the verdict),
    when that event was, or None if it has not come: the row is then looked at again later.
    """

    def __init__(
        self,
        table: Any,
        window: float,
        clock: Callable[[], float] = time.time,
        due: Callable[[int, bytes], float | None] | None = None,
    ) -> None:
        self.table = table
        self.window = window
        self.clock = clock
        self.due = due
        # Partition -> when to look again (its oldest row falls due, or RECHECK from the last look).
        self._next: dict[int, float] = {}

    def note(self, partition: int, key: str) -> None:
        """Nothing to do: the row's write stamped it in the time index."""

    def forget(self, partitions: Iterable[int]) -> None:
        """Look at the partitions again at the next sweep (their rows follow the changelog)."""
        for partition in partitions:
            self._next.pop(partition, None)

    def sweep(self, partition: int) -> int:
        """Delete a few of the partition's rows written more than a window ago."""
        now = self.clock()
        if now < self._next.get(partition, 0.0):
            return 0
        store: IndexedStore = self.table.data
        cutoff = now - self.window
        deleted = 0
        oldest = store.oldest(partition, PER_SWEEP)
        if len(oldest) < PER_SWEEP:
            self._next[partition] = now + RECHECK
        for written, raw in oldest:
            if written >= cutoff:
                # The rest are younger: the next falls due a window after this one's write.
                self._next[partition] = min(written + self.window, now + RECHECK)
                break
            since = self.due(partition, raw) if self.due is not None else written
            if since is None or since >= cutoff:
                # Not due yet: looked at again a window after its event (or after now).
                store.restamp(partition, raw, now if since is None else since)
                continue
            key = table_key(raw)
            if key in self.table:
                del self.table[key]  # a tombstone on the changelog; the store unindexes it
                deleted += 1
            else:
                store.unstamp(partition, raw)  # an index entry without its row
        return deleted


class DiskBands:
    """The band index of `filed` on disk: the interface of `stages/dedupe/owned.OwnedBands`.

    The store derives a `band key -> filed keys` entry from the `filed` rows (`filed_bands`), so
    filing, expiry and recovery keep it without a scan; a lookup reads the entries of all its
    band keys in one multi-get, then the rows they list, from the partition's database.
    """

    def __init__(self, filed: Any) -> None:
        self.filed = filed

    def add(self, partition: int, article_id: str, keys: Iterable[str]) -> None:
        """Nothing to do: writing the `filed` row files it under its keys."""

    def remove(self, partition: int, article_id: str, keys: Iterable[str]) -> None:
        """Nothing to do: deleting the `filed` row takes it out of its keys."""

    def forget(self, partitions: Iterable[int]) -> None:
        """Nothing to do: the index is on disk with the rows."""

    def ids(self, partition: int, key: str) -> tuple[str, ...]:
        """The ids filed under a band key, oldest first."""
        store: IndexedStore = self.filed.data
        found = store.derived_keys(partition, [_band(key)])[0]
        return tuple(split_filed_key(table_key(k))[1] for k in found)

    def lookup(self, partition: int, keys: Iterable[str], article_id: str) -> list[CandidateEntry]:
        """Every other article still filed under any of `keys`, with its signature and time."""
        store: IndexedStore = self.filed.data
        db = store.db(partition)
        found: dict[str, CandidateEntry] = {}
        for filed in store.derived_keys(partition, [_band(key) for key in keys]):
            for raw in filed:
                other = split_filed_key(table_key(raw))[1]
                if other == article_id or other in found:
                    continue
                value = db.get(raw)
                if value is not None:
                    row = FiledRow.from_wire(codec.loads(value))
                    found[other] = CandidateEntry(other, row.sig, row.at)
        return list(found.values())


def table_key(raw: bytes) -> str:
    """A table key from its stored form (faust serializes table keys as JSON strings)."""
    key = codec.loads(raw)
    return key if isinstance(key, str) else raw.decode()


def _band(key: str) -> bytes:
    return key.encode()


def filed_bands(key: bytes, value: bytes) -> list[bytes]:
    """The band keys a `filed` row is filed under (its derived index keys)."""
    return [band.encode() for band in codec.loads(value)["keys"]]
