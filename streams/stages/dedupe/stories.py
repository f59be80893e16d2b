"""Stories on the stream: union-find over decided articles, with the canonical as the smallest key.

Consumes `Link`s (an article decided, with every verified match it saw) and produces `Outcome`s:
the verdicts to publish, first ones and corrections. Pure: the story owner's agent keeps the nodes
in a faust table (`stories`) and passes it in as a mapping.

Why a union-find and an order key: an article filed at its band owners when its query arrives is
seen by every similar article that queries later, so of any matching pair at least one side
reports the edge ("meeting"), whatever the timing. A story is then a connected component of
those edges, and its canonical is the member with the smallest `(at, id)`, where `at` is
`published_at`, else `fetched_at`, else the raw record's timestamp ("agreement"): the same on
every worker, in any arrival order, on replay. When an edge joins two stories (a copy overtook
its original, or an article bridges two stories), the story keeps the smallest key and every
member already published under the other canonical gets a correction.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from streams.stages.dedupe.messages import Link, Wire
from streams.stages.dedupe.minhash import Signature, similarity


@dataclass(frozen=True, slots=True)
class StoryNode:
    """`stories` row: an article known to the story owner (decided, or seen only as a match).

    `root` is its story's canonical; a root's `members` lists the story (itself included).
    `pub` is the canonical last published for it (its own id when published unique) and `prev`
    the one published before that, so that a replay publishes the same events again."""

    at: float
    root: str
    sig: str
    fp: str | None = None
    decided: bool = False
    members: tuple[str, ...] = ()
    pub: str | None = None
    prev: str | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    # Bodies changed after the first decision, and the fingerprints replaced (a replay of an
    # older body must not bring it back).
    revision: int = 0
    replaced: tuple[str, ...] = ()

    def to_wire(self) -> Wire:
        return {
            "at": self.at,
            "root": self.root,
            "sig": self.sig,
            "fp": self.fp,
            "decided": self.decided,
            "members": list(self.members),
            "pub": self.pub,
            "prev": self.prev,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "published_at": self.published_at,
            "revision": self.revision,
            "replaced": list(self.replaced),
        }

    @classmethod
    def from_wire(cls, wire: Wire) -> StoryNode:
        return cls(
            at=float(wire["at"]),
            root=str(wire["root"]),
            sig=str(wire["sig"]),
            fp=wire.get("fp"),
            decided=bool(wire.get("decided", False)),
            members=tuple(wire.get("members") or ()),
            pub=wire.get("pub"),
            prev=wire.get("prev"),
            source=wire.get("source"),
            url=wire.get("url"),
            title=wire.get("title"),
            published_at=wire.get("published_at"),
            revision=int(wire.get("revision") or 0),
            replaced=tuple(wire.get("replaced") or ()),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """A verdict to publish: `canonical == id` means unique. `revises` is the canonical that an
    earlier event gave the article (its own id if it was unique), None for a first verdict."""

    id: str
    canonical: str
    kind: str
    similarity: float
    revises: str | None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    revision: int = 0

    @property
    def is_unique(self) -> bool:
        return self.canonical == self.id


class Stories:
    """The story owner's state over a mapping id -> `StoryNode` wire rows."""

    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self.table = table
        self.written: set[str] = set()
        # During `apply`, the last write, held back: a write of the same row right after it
        # replaces it (one changelog record instead of two). Any prefix of the records leaves
        # the table as a prefix of the pass's writes would, which a crash may cut (see `apply`).
        self._held: tuple[str, Wire] | None = None
        self._holding = False

    def node(self, article_id: str) -> StoryNode | None:
        held = self._held
        wire = held[1] if held is not None and held[0] == article_id else self.table.get(article_id)
        return StoryNode.from_wire(wire) if wire is not None else None

    def _known(self, article_id: str) -> bool:
        held = self._held
        return (held is not None and held[0] == article_id) or article_id in self.table

    def _put(self, article_id: str, node: StoryNode) -> None:
        self.written.add(article_id)
        if self._held is not None and self._held[0] != article_id:
            self._flush()
        self._held = (article_id, node.to_wire())
        if not self._holding:
            self._flush()

    def _flush(self) -> None:
        if self._held is not None:
            key, wire = self._held
            self._held = None
            self.table[key] = wire

    def root(self, article_id: str) -> str:
        """The canonical of an article's story (itself when its root row has expired)."""
        node = self.node(article_id)
        if node is None:
            return article_id
        # Followed to the end: a merge cut short by a crash can leave a row naming a canonical
        # that was itself merged since (the row is then pointed at the end, as union-find does).
        root, seen = node.root, {article_id}
        while root not in seen:
            head = self.node(root)
            if head is None:  # expired: the article starts its own story again
                self._put(article_id, replace(node, root=article_id, members=(article_id,)))
                return article_id
            if head.root == root:
                break
            seen.add(root)
            root = head.root
        if root != node.root:
            self._put(article_id, replace(node, root=root, members=()))
        return root

    def members(self, root: str) -> list[str]:
        """The story's members still known (expired ones drop out)."""
        node = self.node(root)
        if node is None:
            return []
        return [m for m in node.members if m == root or self._known(m)]

    def apply(self, link: Link) -> list[Outcome]:
        """Record a decided article and its matches; the verdicts to publish because of it.

        A replay (the article decided before, same body) does the same joins again, which
        change nothing after a complete first pass and finish one that a crash cut short (the
        table writes of a pass may be kept only in part), then restates the current verdict of
        every decided member of its story: the events of the first pass may have been lost."""
        self.written = set()
        self._holding = True
        try:
            return self._apply(link)
        finally:
            self._holding = False
            self._flush()

    def _apply(self, link: Link) -> list[Outcome]:
        known = self.node(link.id)
        meta = _meta(link.article)
        replay = known is not None and known.decided and not self.is_revision(link)
        if replay:
            pass  # nothing of its own to write again: the joins below finish a cut pass
        elif known is not None and known.decided:
            # The same id with a changed body: a new revision, in its story (and in any story
            # its new body matches), published again with its revision count.
            replaced = (*known.replaced, known.fp) if known.fp else known.replaced
            revised = replace(known, sig=link.sig, fp=link.fp, revision=known.revision + 1)
            self._put(link.id, replace(revised, replaced=replaced[-16:], **meta))
        else:
            if known is None:
                known = StoryNode(link.at, link.id, link.sig, members=(link.id,))
            self._put(link.id, replace(known, sig=link.sig, fp=link.fp, decided=True, **meta))
        for edge in link.edges:
            if edge.id != link.id and self.node(edge.id) is None:
                fp = link.fp if edge.kind == "exact" else None
                self._put(edge.id, StoryNode(edge.at, edge.id, edge.sig, fp, members=(edge.id,)))
        roots = {self.root(link.id), *(self.root(e.id) for e in link.edges if e.id != link.id)}
        canonical = min(roots, key=self._order)
        moved: list[str] = []
        for old in sorted(roots - {canonical}):
            moved.extend(self._merge(old, canonical))
        if replay:
            return self._restate(canonical)
        outcomes = [self._publish(m, canonical) for m in moved if m != link.id and self._decided(m)]
        outcomes.append(self._publish(link.id, canonical))
        return outcomes

    def is_revision(self, link: Link) -> bool:
        """Whether a decided article's link brings a body not seen for it before."""
        known = self.node(link.id)
        if known is None or not known.decided or not link.fp or link.fp == known.fp:
            return False
        return link.fp not in known.replaced

    def is_current(self, link: Link) -> bool:
        """Whether the link carries the article's latest body (a replay may carry an older)."""
        known = self.node(link.id)
        return known is None or not link.fp or known.fp == link.fp

    def _order(self, article_id: str) -> tuple[float, str]:
        node = self.node(article_id)
        return (node.at if node is not None else float("inf"), article_id)

    def _decided(self, article_id: str) -> bool:
        node = self.node(article_id)
        return node is not None and node.decided

    def _merge(self, old: str, canonical: str) -> list[str]:
        """Move every member of `old`'s story under `canonical`; the members moved."""
        moved = self.members(old)
        # The canonical's list first: a pass cut short after it leaves members whose rows still
        # name `old`, which the next link through them joins again; the other way round would
        # leave rows naming a canonical whose list lacks them, never restated.
        target = self.node(canonical)
        assert target is not None
        joined = tuple(dict.fromkeys((*self.members(canonical), *moved)))
        self._put(canonical, replace(target, members=joined))
        for member in moved:
            node = self.node(member)
            if node is not None:
                self._put(member, replace(node, root=canonical, members=()))
        return moved

    def _publish(self, article_id: str, canonical: str) -> Outcome:
        """The outcome of an article under `canonical`, noted as published."""
        node = self.node(article_id)
        assert node is not None
        if node.pub != canonical:
            node = replace(node, prev=node.pub, pub=canonical)
            self._put(article_id, node)
        return self._outcome(article_id, node, canonical)

    def _restate(self, root: str) -> list[Outcome]:
        out = []
        for member in self.members(root):
            node = self.node(member)
            if node is not None and node.decided:
                out.append(self._publish(member, root))
        return out

    def _outcome(self, article_id: str, node: StoryNode, canonical: str) -> Outcome:
        kind, sim = "unique", 0.0
        if canonical != article_id:
            head = self.node(canonical)
            if head is not None and node.fp is not None and node.fp == head.fp:
                kind, sim = "exact", 1.0
            elif head is not None:
                a, b = Signature.from_str(node.sig), Signature.from_str(head.sig)
                kind, sim = "near", round(similarity(a, b), 4)
            else:
                kind = "near"
        return Outcome(
            article_id,
            canonical,
            kind,
            sim,
            node.prev,
            node.source,
            node.url,
            node.title,
            node.published_at,
            node.revision,
        )


def _meta(article: Wire) -> dict[str, Any]:
    """What a story lists of each member, from its TaggedArticle JSON."""
    return {
        "source": article.get("source"),
        "url": article.get("url"),
        "title": article.get("title"),
        "published_at": article.get("published_at"),
    }
