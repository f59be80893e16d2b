"""Expiry of dedupe table entries kept longer than the window, so that memory stays bounded."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

# Entries deleted per event at most: eviction is spread over the stream, never a pause.
PER_EVENT = 32


class Expiry:
    """Per-partition queue of (written at, key) of one table's entries, swept as events arrive.

    Entries live for the window in *ingest* time (the clock), not publication time: a partition's
    newest publication time would evict the claim of an old story as soon as a new one arrived,
    and a backfilled copy of it would pass as unique. A key may only be deleted while an event of
    its own partition is processed (faust writes the tombstone to that changelog partition).
    Entries recovered from the changelog count as written when the partition's first event comes
    (only those `recovered` accepts: the others are not due to expire yet).
    """

    def __init__(
        self,
        table: MutableMapping[Any, Any],
        window: float,
        partition_of: Callable[[str], int],
        clock: Callable[[], float] = time.time,
        recovered: Callable[[str], bool] = lambda key: True,
        on_delete: Callable[[str, Any], None] | None = None,
    ) -> None:
        self.table = table
        self.window = window
        self.partition_of = partition_of
        self.clock = clock
        self.recovered = recovered
        self.on_delete = on_delete
        self.queues: dict[int, list[tuple[float, str]]] = {}
        self.latest: dict[str, float] = {}

    def note(self, partition: int, key: str) -> None:
        """Remember that `key` (of `partition`) was written now."""
        self._push(self._queue(partition), key)

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop the queues of partitions revoked or reassigned: rebuilt from the table on next use."""
        for partition in partitions:
            for _, key in self.queues.pop(partition, []):
                self.latest.pop(key, None)

    def sweep(self, partition: int) -> int:
        """Delete a few of the partition's entries written more than a window ago."""
        queue = self._queue(partition)
        cutoff = self.clock() - self.window
        deleted = 0
        while queue and queue[0][0] < cutoff and deleted < PER_EVENT:
            written, key = heapq.heappop(queue)
            if self.latest.get(key) != written:
                continue  # written again since: a newer queue entry stands for it
            del self.latest[key]
            if key in self.table:
                if self.on_delete is not None:
                    self.on_delete(key, self.table[key])
                del self.table[key]
                deleted += 1
        return deleted

    def _push(self, queue: list[tuple[float, str]], key: str) -> None:
        now = self.clock()
        self.latest[key] = now
        heapq.heappush(queue, (now, key))

    def _queue(self, partition: int) -> list[tuple[float, str]]:
        if partition not in self.queues:
            queue: list[tuple[float, str]] = []
            self.queues[partition] = queue
            for key in list(self.table.keys()):
                if self.partition_of(key) == partition and self.recovered(key):
                    self._push(queue, key)
        return self.queues[partition]
