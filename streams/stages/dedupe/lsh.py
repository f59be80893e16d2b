"""Locality-sensitive hashing of MinHash signatures: band values that serve as partition keys."""

from __future__ import annotations

import numpy as np

from streams.stages.dedupe.minhash import NUM_PERM, Signature

BANDS = 42
ROWS = 3
assert BANDS * ROWS <= NUM_PERM


def band_keys(sig: Signature, *, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """One key per band, "<band index>:<hex of its rows>"; equal keys mean a candidate pair.

    The rows are already hash values, so the hex of their bytes is a well-spread key: two
    articles share a key only when all `rows` minima of that band agree. An empty body has none.
    """
    if sig.size == 0:
        return []
    width = 2 * rows
    values = sig.values
    return [f"{i:02d}:{values[i * width : (i + 1) * width].hex()}" for i in range(bands)]


def band_int_keys(sig: Signature, *, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """The same keys as integers below 2**60 (band index above 48 bits of row values; wider
    bands are folded), which CPython stores in 32 bytes: the compact in-memory form."""
    if sig.size == 0:
        return []
    grid = sig.array()[: bands * rows].reshape(bands, rows).astype(np.uint64)
    value = np.zeros(bands, dtype=np.uint64)
    for r in range(rows):
        value ^= grid[:, r] << np.uint64((16 * r) % 48)
    value |= np.arange(bands, dtype=np.uint64) << np.uint64(48)
    keys: list[int] = value.tolist()
    return keys


def candidate_probability(jaccard: float, *, bands: int = BANDS, rows: int = ROWS) -> float:
    """Chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands
