"""The decision step: verify LSH candidates by Jaccard and containment, pick the canonical one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from streams.stages.dedupe.minhash import Signature, containment, similarity

Kind = Literal["unique", "exact", "near"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When two signatures are the same story.

    `jaccard`: estimated Jaccard at or above which a pair is a duplicate outright.
    `containment` with `floor` and `ratio`: a trimmed copy (a subset of the other text) is a
    duplicate when at least `containment` of the smaller set lies in the larger, its Jaccard is at
    least `floor`, and it keeps at least `ratio` of the larger's shingles; a follow-up that adds
    much new text (a rewrite with new quotes) fails `ratio`.
    """

    jaccard: float = 0.5
    containment: float = 0.9
    floor: float = 0.3
    ratio: float = 0.45


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An indexed article that shares a band: its id, signature, time and story."""

    id: str
    signature: Signature
    # Epoch seconds: publication time, or ingest time when the article has no date.
    published: float
    cluster_id: str | None = None

    def order(self) -> tuple[float, str]:
        """The total order that makes the choice of canonical article deterministic."""
        return (self.published, self.id)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome for one article; `cluster_id` is the canonical article's id for the whole story."""

    kind: Kind
    duplicate_of: str | None
    similarity: float
    cluster_id: str

    @property
    def is_duplicate(self) -> bool:
        return self.kind != "unique"

    def to_wire(self) -> dict[str, Any]:
        """The `verdicts` table row."""
        return {
            "kind": self.kind,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "cluster_id": self.cluster_id,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            kind=data["kind"],
            duplicate_of=data["duplicate_of"],
            similarity=float(data["similarity"]),
            cluster_id=str(data["cluster_id"]),
        )


def eligible(other: float, published: float, window: float) -> bool:
    """Whether an entry of time `other` may match an article of time `published` (epoch s).

    Relative to the article's own time, so verdicts do not depend on when eviction ran.
    """
    return abs(other - published) <= window


def unique(article_id: str) -> Verdict:
    """The verdict of an article that starts its own story."""
    return Verdict(kind="unique", duplicate_of=None, similarity=0.0, cluster_id=article_id)


def exact(of: str, cluster_id: str | None = None) -> Verdict:
    """The verdict of a copy whose normalised body hashes like `of`'s."""
    return Verdict(kind="exact", duplicate_of=of, similarity=1.0, cluster_id=cluster_id or of)


def match(a: Signature, b: Signature, limits: Thresholds = DEFAULT_THRESHOLDS) -> float | None:
    """The estimated Jaccard when the pair is a near duplicate, else None."""
    j = similarity(a, b)
    if j >= limits.jaccard:
        return j
    if j < limits.floor:
        return None
    small, large = sorted((a.size, b.size))
    if small >= limits.ratio * large and containment(a, b, j) >= limits.containment:
        return j
    return None


def judge(
    article_id: str,
    sig: Signature,
    candidates: Iterable[Candidate],
    limits: Thresholds = DEFAULT_THRESHOLDS,
) -> Verdict:
    """Unique, or a near duplicate of the earliest verified candidate (never of itself).

    The result depends only on the set of candidates, not on their order or repetition, so
    candidates gathered from several band partitions can be passed in any order.
    """
    best: tuple[tuple[float, str], Candidate, float] | None = None
    seen: set[str] = set()
    for cand in candidates:
        if cand.id == article_id or cand.id in seen:
            continue
        seen.add(cand.id)
        if best is not None and cand.order() >= best[0]:
            continue
        sim = match(sig, cand.signature, limits)
        if sim is not None:
            best = (cand.order(), cand, sim)
    if best is None:
        return unique(article_id)
    _, cand, sim = best
    return Verdict(
        kind="near",
        duplicate_of=cand.id,
        similarity=round(sim, 4),
        cluster_id=cand.cluster_id or cand.id,
    )
