"""Locality-sensitive hashing of MinHash signatures: band values that serve as partition keys."""

from __future__ import annotations

from streams.dedupe.minhash import NUM_PERM, Signature

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
    """The same keys as integers (band index above the row bits): a compact in-memory form."""
    if sig.size == 0:
        return []
    width = 2 * rows
    values = sig.values
    return [
        (i << (8 * width)) | int.from_bytes(values[i * width : (i + 1) * width], "little")
        for i in range(bands)
    ]


def candidate_probability(jaccard: float, *, bands: int = BANDS, rows: int = ROWS) -> float:
    """Chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands
