"""Expiry of dedupe table entries that fell out of the window, so that memory stays bounded."""

from __future__ import annotations

import heapq
from collections.abc import Callable, MutableMapping
from typing import Any

# Entries deleted per event at most: eviction is spread over the stream, never a pause.
PER_EVENT = 32


class Expiry:
    """Per-partition queue of (time, key) of one table's entries, swept as the stream advances.

    "Now" is the newest publication time seen on the partition (event time, not the clock), so a
    replay or a backlog expires exactly what live traffic would. A key may only be deleted while
    an event of its own partition is processed: faust writes the tombstone to that changelog
    partition. Entries recovered from the changelog are queued on the partition's first event.
    """

    def __init__(
        self,
        table: MutableMapping[Any, Any],
        window: float,
        partition_of: Callable[[str], int],
        time_of: Callable[[Any], float | None],
    ) -> None:
        self.table = table
        self.window = window
        self.partition_of = partition_of
        self.time_of = time_of
        self.queues: dict[int, list[tuple[float, str]]] = {}
        self.now: dict[int, float] = {}

    def note(self, partition: int, key: str, at: float) -> None:
        """Remember that `key` (of `partition`) was written with time `at`."""
        heapq.heappush(self._queue(partition), (at, key))

    def sweep(self, partition: int, at: float) -> int:
        """Advance the partition's clock to `at` and delete a few expired entries."""
        queue = self._queue(partition)
        now = self.now[partition] = max(self.now.get(partition, at), at)
        deleted = 0
        while queue and queue[0][0] < now - self.window and deleted < PER_EVENT:
            _, key = heapq.heappop(queue)
            current = self.time_of(self.table.get(key))
            if current is None:
                continue
            if current < now - self.window:
                del self.table[key]
                deleted += 1
            else:  # written again since: expire at its newer time
                heapq.heappush(queue, (current, key))
        return deleted

    def _queue(self, partition: int) -> list[tuple[float, str]]:
        if partition not in self.queues:
            self.queues[partition] = queue = []
            for key, value in list(self.table.items()):
                at = self.time_of(value)
                if at is not None and self.partition_of(key) == partition:
                    queue.append((at, key))
            heapq.heapify(queue)
        return self.queues[partition]
