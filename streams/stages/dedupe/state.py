"""Per-key state of streaming dedupe: what the exact, band and verdict tables hold, as pure steps.

The faust agents keep these values in changelog-backed tables; `DedupeIndex` keeps the same
information in compact in-memory form. Both apply the same rules: an entry is a candidate
only within the window of the article's own time, and the chosen duplicate is the earliest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from streams.core.fingerprint import fingerprint as body_fingerprint
from streams.stages.dedupe.index import DEFAULT_WINDOW, ArticleLike, article_time
from streams.stages.dedupe.lsh import band_keys
from streams.stages.dedupe.minhash import Signature, signature
from streams.stages.dedupe.verdict import Candidate, Verdict, eligible, exact

WINDOW_SECONDS = DEFAULT_WINDOW.total_seconds()


@dataclass(frozen=True, slots=True)
class Entry:
    """One indexed (unique) article under an exact or band key.

    Band tables need `signature` so the band owner can hand candidates to the judge without
    another lookup; exact tables leave it None.
    """

    id: str
    published: float
    cluster_id: str
    signature: Signature | None = None

    def to_json(self) -> dict[str, Any]:
        sig = self.signature.to_str() if self.signature is not None else None
        return {"id": self.id, "t": self.published, "c": self.cluster_id, "s": sig}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        sig = Signature.from_str(data["s"]) if data.get("s") else None
        return cls(str(data["id"]), float(data["t"]), str(data["c"]), sig)

    def candidate(self) -> Candidate:
        if self.signature is None:
            raise ValueError(f"entry {self.id} has no signature")
        return Candidate(self.id, self.signature, self.published, self.cluster_id)


@dataclass(frozen=True, slots=True)
class Probe:
    """Everything dedupe needs from one article: computed once, then routed by key."""

    id: str
    fingerprint: str
    signature: Signature
    published: float
    band_keys: tuple[str, ...]

    def entry(self, cluster_id: str | None = None, *, with_signature: bool = True) -> Entry:
        sig = self.signature if with_signature else None
        return Entry(self.id, self.published, cluster_id or self.id, sig)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fp": self.fingerprint,
            "s": self.signature.to_str(),
            "t": self.published,
            "bands": list(self.band_keys),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Probe:
        sig = Signature.from_str(data["s"])
        return cls(str(data["id"]), str(data["fp"]), sig, float(data["t"]), tuple(data["bands"]))


def probe(article: ArticleLike, clock: Callable[[], float] = time.time) -> Probe:
    """The article's fingerprint (its own, else computed), signature, time and band keys."""
    fp = getattr(article, "fingerprint", None) or body_fingerprint(article.text)
    sig = signature(article.text)
    return Probe(article.id, fp, sig, article_time(article, clock), tuple(band_keys(sig)))


def exact_verdict(
    entry: Entry | None, article_id: str, published: float, window: float = WINDOW_SECONDS
) -> Verdict | None:
    """The exact-duplicate verdict given the exact table's entry for the fingerprint, if any."""
    if entry is None or entry.id == article_id or not eligible(entry.published, published, window):
        return None
    return exact(entry.id, entry.cluster_id)


def band_candidates(
    entries: Iterable[Entry], article_id: str, published: float, window: float = WINDOW_SECONDS
) -> list[Candidate]:
    """The candidates a band owner returns: other articles under the key, within the window."""
    return [
        e.candidate()
        for e in entries
        if e.id != article_id and eligible(e.published, published, window)
    ]


def band_insert(
    entries: Sequence[Entry],
    new: Entry,
    *,
    watermark: float,
    window: float = WINDOW_SECONDS,
    cap: int = 512,
) -> list[Entry]:
    """The band key's new list: expired entries dropped, `new` added once, the latest `cap` kept.

    `watermark` is the latest article time the owner has seen; entries older than it by more
    than the window can no longer match anything but backdated articles.
    """
    kept = [e for e in entries if e.id != new.id and e.published >= watermark - window]
    kept.append(new)
    kept.sort(key=lambda e: (e.published, e.id))
    return kept[-cap:]
