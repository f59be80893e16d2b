"""The streaming dedupe's internal messages and table rows, one typed model each.

Their JSON shapes are fixed: they travel on the `warta.dedupe.*` topics and sit in the tables'
changelogs, which a new version must still read. Each model says how it is written (`to_wire`: the
plain JSON value) and read (`from_wire`); the agents convert at their boundary and the tables keep
the plain values. Hand-written rather than validated: these are written by warta itself, ~20 per
article, and a malformed one is a bug that the agents' dead-lettering catches as a KeyError,
TypeError or ValueError.

On `warta.dedupe.bands` (keyed by a band key, sent to the partition that owns it):
  BandQuery      {"op": "query", "id", "keys", "at", "from", "sig"} (files the article too)
  FileOrder      {"op": "index", "id", "keys", "sig", "at"}
On `warta.dedupe.candidates` (keyed by the article id):
  ArticleForDecision {"op": "article", "article", "sig", "at", "expect", "local"?: {"from",
                     "candidates"}} ("local": one bands partition's answer, given in-process)
  BandAnswer         {"op": "band", "from", "candidates": [[id, sig, at], ...]}
On `warta.dedupe.links` (one partition, the story owner; keyed by the article id):
  Link {"op": "link", "id", "at", "fp", "sig", "edges": [[id, at, sig, similarity, kind], ...],
        "article"}
Table rows:
  fingerprints: FingerprintClaim {"id", "at"}
  filed:        FiledRow {"sig", "at", "keys"}
  held:         HeldRow {"expect", "text"}
  pending:      PendingRow {"<bands partition>": [[id, sig, at], ...], ...}
  verdicts:     Verdict {"kind", "duplicate_of", "similarity", "cluster_id"} (verdict.py)
  stories:      StoryNode {"at", "root", "fp", "sig", "decided", "members", "pub", "prev", ...}
                (stories.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from schemas import TaggedArticle, codec
from streams.stages.dedupe.minhash import Signature
from streams.stages.dedupe.verdict import Candidate

Wire = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CandidateEntry:
    """A filed article a band owner returns: its id, signature (as text) and time (epoch s).

    On the wire a list `[id, sig, at]`, the shortest form of the commonest value.
    """

    id: str
    sig: str
    at: float

    def to_wire(self) -> list[Any]:
        return [self.id, self.sig, self.at]

    @classmethod
    def from_wire(cls, value: list[Any]) -> CandidateEntry:
        article_id, sig, at = value
        return cls(str(article_id), str(sig), float(at))

    def candidate(self) -> Candidate:
        """The judge's candidate (its own story: the band index files canonical articles)."""
        return Candidate(self.id, Signature.from_str(self.sig), self.at, self.id)


def _entries(values: list[Any]) -> tuple[CandidateEntry, ...]:
    return tuple(CandidateEntry.from_wire(v) for v in values)


@dataclass(frozen=True, slots=True)
class BandQuery:
    """Which articles share any of `keys`? Asked of one bands partition (`origin`).

    With its signature (`sig`) the query also files the article there, before it is answered:
    of any two articles that share a band key, the second to reach its owner sees the first,
    whatever the timing. A query without `sig` (an older message) only asks.
    """

    OP: ClassVar[str] = "query"

    id: str
    keys: tuple[str, ...]
    at: float
    origin: int
    sig: str | None = None

    def to_wire(self) -> Wire:
        wire: Wire = {
            "op": self.OP,
            "id": self.id,
            "keys": list(self.keys),
            "at": self.at,
            "from": self.origin,
        }
        if self.sig is not None:
            wire["sig"] = self.sig
        return wire

    @classmethod
    def from_wire(cls, wire: Wire) -> BandQuery:
        sig = wire.get("sig")
        return cls(
            str(wire["id"]),
            tuple(wire["keys"]),
            float(wire["at"]),
            int(wire["from"]),
            str(sig) if sig is not None else None,
        )

    def row(self) -> FiledRow | None:
        """The `filed` row this query writes (None for a query that only asks)."""
        return FiledRow(self.sig, self.at, self.keys) if self.sig is not None else None


@dataclass(frozen=True, slots=True)
class FileOrder:
    """File an article under the band keys a bands partition owns (older messages: queries file
    the article themselves now)."""

    OP: ClassVar[str] = "index"

    id: str
    keys: tuple[str, ...]
    sig: str
    at: float

    def to_wire(self) -> Wire:
        return {
            "op": self.OP,
            "id": self.id,
            "keys": list(self.keys),
            "sig": self.sig,
            "at": self.at,
        }

    @classmethod
    def from_wire(cls, wire: Wire) -> FileOrder:
        return cls(str(wire["id"]), tuple(wire["keys"]), str(wire["sig"]), float(wire["at"]))

    def row(self) -> FiledRow:
        """The `filed` table row this order writes."""
        return FiledRow(self.sig, self.at, self.keys)


def decode_band_message(wire: Wire) -> BandQuery | FileOrder:
    """A message of the bands topic, by its "op"."""
    op = wire["op"]
    if op == BandQuery.OP:
        return BandQuery.from_wire(wire)
    if op == FileOrder.OP:
        return FileOrder.from_wire(wire)
    raise ValueError(f"unknown bands message op {op!r}")


@dataclass(frozen=True, slots=True)
class ArticleForDecision:
    """The article, its signature and time, sent to its decision partition.

    `expect` lists the bands partitions whose answers the decision needs; `local` is the answer
    of one of them already, given in-process by the worker that asked (it owns that partition),
    so no query and no answer message travel for it. `article` stays the JSON object of the
    TaggedArticle until it is judged (`tagged()`): the message is usually held and read again
    when the last answer comes, and is validated once, then.
    """

    OP: ClassVar[str] = "article"

    article: Wire
    sig: str
    at: float
    expect: tuple[int, ...]
    local: BandAnswer | None = None

    @classmethod
    def of(
        cls,
        item: TaggedArticle,
        sig: Signature,
        at: float,
        expect: list[int],
        local: BandAnswer | None = None,
    ) -> ArticleForDecision:
        return cls(item.model_dump(mode="json"), sig.to_str(), at, tuple(expect), local)

    def tagged(self) -> TaggedArticle:
        return TaggedArticle.model_validate(self.article)

    def awaited(self) -> int:
        """How many answers the decision waits for on the candidates topic."""
        return len(self.expect) - (self.local is not None)

    def replays(self, other: ArticleForDecision) -> bool:
        """The same article asking again (a replay): only the in-process answer may differ, as
        the band index may have grown meanwhile. The first answer given stands."""
        mine, theirs = (self.article, self.sig, self.at), (other.article, other.sig, other.at)
        return mine == theirs and self.expect == other.expect

    def to_wire(self) -> Wire:
        wire: Wire = {
            "op": self.OP,
            "article": self.article,
            "sig": self.sig,
            "at": self.at,
            "expect": list(self.expect),
        }
        if self.local is not None:
            wire["local"] = self.local.body()
        return wire

    @classmethod
    def from_wire(cls, wire: Wire) -> ArticleForDecision:
        local = wire.get("local")
        return cls(
            dict(wire["article"]),
            str(wire["sig"]),
            float(wire["at"]),
            tuple(int(p) for p in wire["expect"]),
            BandAnswer.from_wire(local) if local is not None else None,
        )


@dataclass(frozen=True, slots=True)
class BandAnswer:
    """A bands partition's (`origin`) answer to a query: the candidates within the window."""

    OP: ClassVar[str] = "band"

    origin: int
    candidates: tuple[CandidateEntry, ...]

    def to_wire(self) -> Wire:
        return {"op": self.OP, **self.body()}

    def body(self) -> Wire:
        """The answer without its "op" (as an article message's "local")."""
        return {"from": self.origin, "candidates": [c.to_wire() for c in self.candidates]}

    @classmethod
    def from_wire(cls, wire: Wire) -> BandAnswer:
        return cls(int(wire["from"]), _entries(wire["candidates"]))


def decode_decision_message(wire: Wire) -> ArticleForDecision | BandAnswer:
    """A message of the candidates topic, by its "op"."""
    op = wire["op"]
    if op == ArticleForDecision.OP:
        return ArticleForDecision.from_wire(wire)
    if op == BandAnswer.OP:
        return BandAnswer.from_wire(wire)
    raise ValueError(f"unknown candidates message op {op!r}")


@dataclass(frozen=True, slots=True)
class FingerprintClaim:
    """`fingerprints` row: the first article of a fingerprint and its time."""

    id: str
    at: float

    def to_wire(self) -> Wire:
        return {"id": self.id, "at": self.at}

    @classmethod
    def from_wire(cls, wire: Wire) -> FingerprintClaim:
        return cls(str(wire["id"]), float(wire["at"]))


@dataclass(frozen=True, slots=True)
class FiledRow:
    """`filed` row: a canonical article filed on a bands partition, with the keys it owns there."""

    sig: str
    at: float
    keys: tuple[str, ...]

    def to_wire(self) -> Wire:
        return {"sig": self.sig, "at": self.at, "keys": list(self.keys)}

    @classmethod
    def from_wire(cls, wire: Wire) -> FiledRow:
        return cls(str(wire["sig"]), float(wire["at"]), tuple(wire["keys"]))


@dataclass(frozen=True, slots=True)
class HeldRow:
    """`held` row: how many answers the article waits for on the candidates topic (its in-process
    answer is in the message), and its message as JSON text."""

    expect: int
    text: str

    def to_wire(self) -> Wire:
        return {"expect": self.expect, "text": self.text}

    @classmethod
    def from_wire(cls, wire: Wire) -> HeldRow:
        return cls(int(wire["expect"]), str(wire["text"]))

    def message(self) -> ArticleForDecision:
        """The held article message, parsed."""
        return ArticleForDecision.from_wire(codec.loads(self.text))


@dataclass(frozen=True, slots=True)
class PendingRow:
    """`pending` row: the answers gathered so far, by the answering bands partition."""

    answers: dict[int, tuple[CandidateEntry, ...]]

    def to_wire(self) -> Wire:
        # JSON object keys are text: the partition as a decimal string.
        return {str(p): [c.to_wire() for c in found] for p, found in self.answers.items()}

    @classmethod
    def from_wire(cls, wire: Wire | None) -> PendingRow:
        return cls({int(p): _entries(found) for p, found in (wire or {}).items()})

    def gathered(self, article: ArticleForDecision) -> PendingRow:
        """The answers with the article's in-process one (it is held with the article)."""
        return (self.with_answer(article.local) if article.local is not None else None) or self

    def with_answer(self, answer: BandAnswer) -> PendingRow | None:
        """The row with `answer` added, or None when that partition has answered before."""
        if answer.origin in self.answers:
            return None
        return PendingRow({**self.answers, answer.origin: answer.candidates})

    def candidates(self) -> list[Candidate]:
        """The candidates of every answer, each once (an article filed on several partitions
        comes back from each: its signature is parsed once)."""
        unique = {entry.id: entry for found in self.answers.values() for entry in found}
        return [entry.candidate() for entry in unique.values()]


@dataclass(frozen=True, slots=True)
class Edge:
    """A verified match found for an article: the other article, its time and signature, the
    estimated similarity and how it was found ("near": band keys, "exact": same fingerprint).

    On the wire a list `[id, at, sig, similarity, kind]`."""

    id: str
    at: float
    sig: str
    similarity: float
    kind: str = "near"

    def to_wire(self) -> list[Any]:
        return [self.id, self.at, self.sig, self.similarity, self.kind]

    @classmethod
    def from_wire(cls, value: list[Any]) -> Edge:
        article_id, at, sig, sim, kind = value
        return cls(str(article_id), float(at), str(sig), float(sim), str(kind))


@dataclass(frozen=True, slots=True)
class Link:
    """An article decided, with every verified match it saw, sent to the story owner.

    `article` is the TaggedArticle's JSON object: the story owner publishes it when it starts
    its story."""

    OP: ClassVar[str] = "link"

    id: str
    at: float
    fp: str
    sig: str
    edges: tuple[Edge, ...]
    article: Wire

    def to_wire(self) -> Wire:
        return {
            "op": self.OP,
            "id": self.id,
            "at": self.at,
            "fp": self.fp,
            "sig": self.sig,
            "edges": [e.to_wire() for e in self.edges],
            "article": self.article,
        }

    @classmethod
    def from_wire(cls, wire: Wire) -> Link:
        if wire.get("op") != cls.OP:
            raise ValueError(f"unknown links message op {wire.get('op')!r}")
        return cls(
            str(wire["id"]),
            float(wire["at"]),
            str(wire["fp"]),
            str(wire["sig"]),
            tuple(Edge.from_wire(e) for e in wire["edges"]),
            dict(wire["article"]),
        )

    def tagged(self) -> TaggedArticle:
        return TaggedArticle.model_validate(self.article)
