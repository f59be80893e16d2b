"""In-memory exact + near-duplicate index: judges each article against those indexed before it."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from streams.core.fingerprint import fingerprint as body_fingerprint
from streams.stages.dedupe.bandstore import BandStore
from streams.stages.dedupe.lsh import BANDS, ROWS, band_int_keys
from streams.stages.dedupe.minhash import NUM_PERM, SHINGLE, Signature, signature
from streams.stages.dedupe.verdict import (
    DEFAULT_THRESHOLDS,
    Candidate,
    Thresholds,
    Verdict,
    eligible,
    exact,
    judge,
    unique,
)

DEFAULT_WINDOW = timedelta(days=30)
_EVICT_EVERY = 1024


class ArticleLike(Protocol):
    """What the index reads from an article (CleanArticle, TaggedArticle or similar)."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Config:
    """Shingle size, MinHash/LSH shape, decision thresholds and the expiry window."""

    shingle: int = SHINGLE
    num_perm: int = NUM_PERM
    bands: int = BANDS
    rows: int = ROWS
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    window: timedelta = DEFAULT_WINDOW


@dataclass(slots=True)
class _Entry:
    signature: Signature
    published: float
    fingerprint: str


def article_time(article: object, clock: Callable[[], float] = time.time) -> float:
    """Epoch seconds of `published_at`, else `fetched_at`, else the clock (ingest time)."""
    for name in ("published_at", "fetched_at"):
        value = getattr(article, name, None)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, int | float):
            return float(value)
    return clock()


class DedupeIndex:
    """Exact (fingerprint) and near (MinHash LSH) index of the canonical articles of each story.

    The first article seen with a fingerprint claims it (as the stream's exact table does);
    a later one with the same fingerprint is an exact copy of the claimant and joins its story.
    Only unique articles are filed under band keys, so a near duplicate's `duplicate_of` is a
    canonical article and equals its `cluster_id`. Verdicts of duplicates are kept for replays.
    """

    def __init__(self, config: Config | None = None, clock: Callable[[], float] = time.time):
        self.config = config or Config()
        self._clock = clock
        self._window = self.config.window.total_seconds()
        self._entries: dict[str, _Entry] = {}
        # fingerprint -> (claimant id, its time, its story)
        self._claims: dict[str, tuple[str, float, str]] = {}
        self._bands = BandStore()
        self._verdicts: dict[str, tuple[Verdict, float, str]] = {}
        self._expiry: list[tuple[float, str]] = []
        self._watermark = float("-inf")
        self._adds = 0

    def __len__(self) -> int:
        """Articles indexed as canonical (unique) and not yet expired."""
        return len(self._entries)

    def signature(self, text: str) -> Signature:
        return signature(text, shingle=self.config.shingle, num_perm=self.config.num_perm)

    def check_and_add(self, article: ArticleLike) -> Verdict:
        """Judge the article against those before it, then index it if it is unique."""
        fp = getattr(article, "fingerprint", None) or body_fingerprint(article.text)
        known = self.verdict_of(article.id)
        if known is not None:
            return known
        sig = self.signature(article.text)
        return self.check_and_add_signature(article.id, sig, fp, article_time(article, self._clock))

    def verdict_of(self, article_id: str) -> Verdict | None:
        """The verdict already given to this id (replay), if it is still within the window."""
        if article_id in self._entries:
            return unique(article_id)
        stored = self._verdicts.get(article_id)
        return stored[0] if stored else None

    def check_and_add_signature(
        self, article_id: str, sig: Signature, fp: str, published: float
    ) -> Verdict:
        """The core of `check_and_add` for callers that already hold the signature."""
        known = self.verdict_of(article_id)
        if known is not None:
            return known
        if sig.size == 0:
            # No words outside chrome: nothing to compare, and no claim on the fingerprint.
            verdict = unique(article_id)
            self._verdicts[article_id] = (verdict, published, "")
            self._push(article_id, published)
            return verdict
        claim = self._claims.get(fp)
        if claim is not None and self._eligible(claim[1], published):
            verdict = exact(claim[0], claim[2])
        else:
            keys = band_int_keys(sig, bands=self.config.bands, rows=self.config.rows)
            verdict = judge(
                article_id, sig, self._candidates(keys, published), self.config.thresholds
            )
            self._claims[fp] = (article_id, published, verdict.cluster_id)
            if verdict.kind == "unique":
                self._index(article_id, sig, fp, published, keys)
        if verdict.kind != "unique":
            self._verdicts[article_id] = (verdict, published, fp)
        self._push(article_id, published)
        return verdict

    def _push(self, article_id: str, published: float) -> None:
        heapq.heappush(self._expiry, (published, article_id))
        self._watermark = max(self._watermark, published)
        self._adds += 1
        if self._adds % _EVICT_EVERY == 0:
            self.expire(self._watermark)

    def _eligible(self, other: float, published: float) -> bool:
        return eligible(other, published, self._window)

    def _candidates(self, keys: list[int], published: float) -> list[Candidate]:
        out = []
        for cid in self._bands.lookup(keys):
            entry = self._entries[cid]
            if self._eligible(entry.published, published):
                out.append(Candidate(cid, entry.signature, entry.published, cid))
        return out

    def _index(
        self, article_id: str, sig: Signature, fp: str, published: float, keys: list[int]
    ) -> None:
        self._entries[article_id] = _Entry(sig, published, fp)
        self._bands.add(article_id, keys)

    def expire(self, now: float | datetime) -> int:
        """Forget articles published more than the window before `now`; returns how many."""
        limit = (now.timestamp() if isinstance(now, datetime) else now) - self._window
        removed = 0
        while self._expiry and self._expiry[0][0] < limit:
            published, article_id = heapq.heappop(self._expiry)
            entry = self._entries.get(article_id)
            if entry is not None and entry.published == published:
                self._forget(article_id, entry)
                removed += 1
            stored = self._verdicts.get(article_id)
            if stored is not None and stored[1] == published:
                del self._verdicts[article_id]
                self._release(stored[2], article_id)
                removed += 1
        return removed

    def _forget(self, article_id: str, entry: _Entry) -> None:
        del self._entries[article_id]
        self._release(entry.fingerprint, article_id)
        self._bands.remove(article_id)

    def _release(self, fp: str, article_id: str) -> None:
        claim = self._claims.get(fp)
        if claim is not None and claim[0] == article_id:
            del self._claims[fp]
