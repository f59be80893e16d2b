"""Which partition of the bands topic owns a band key: the same answer in every process."""

from __future__ import annotations

import zlib
from collections import defaultdict


def owner(band_key: str, partitions: int) -> int:
    """The partition of the bands topic that owns a band key (CRC-32, stable across processes)."""
    return zlib.crc32(band_key.encode()) % partitions


def route(keys: list[str], partitions: int) -> dict[int, list[str]]:
    """Band keys grouped by owning partition: one message per partition, not per band."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        grouped[owner(key, partitions)].append(key)
    return dict(grouped)
