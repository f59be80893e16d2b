"""The story owner's union-find: the same stories and canonicals in any arrival order."""

from __future__ import annotations

import itertools
import random
from typing import Any

from streams.stages.dedupe import signature
from streams.stages.dedupe.messages import Edge, Link
from streams.stages.dedupe.stories import Outcome, Stories

TEXT = "Banjir merendam ratusan rumah warga di Desa Sukamaju sejak Senin malam kata kepala desa."
SIG = signature(TEXT).to_str()
# id -> order key (time); pairs that match (what a band owner and the judge would report).
TIMES = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "x": 5.0, "y": 50.0}
MATCHES = {("a", "b"), ("b", "c"), ("c", "d"), ("x", "y")}


def link(article_id: str, seen: list[str]) -> Link:
    """The link of an article that saw `seen` (arrived before it) at its band owners."""
    edges = tuple(
        Edge(o, TIMES[o], SIG, 0.9)
        for o in seen
        if (article_id, o) in MATCHES or (o, article_id) in MATCHES
    )
    article = {"id": article_id, "source": f"{article_id}.example", "url": f"u/{article_id}"}
    return Link(article_id, TIMES[article_id], f"fp-{article_id}", SIG, edges, article)


def play(order: list[str]) -> tuple[dict[str, str], list[Outcome]]:
    """Arrive in `order` (each sees those before it), then decide in a shuffled order."""
    table: dict[str, Any] = {}
    book = Stories(table)
    links = [link(a, order[:n]) for n, a in enumerate(order)]
    random.Random(len(order)).shuffle(links)
    events = [o for lk in links for o in book.apply(lk)]
    return {a: book.root(a) for a in TIMES}, events


def final(events: list[Outcome]) -> dict[str, str]:
    """What a consumer that applies every event in order ends with: id -> canonical."""
    state: dict[str, str] = {}
    for event in events:
        state[event.id] = event.canonical
    return state


def test_every_arrival_order_ends_with_the_same_stories_and_canonicals() -> None:
    expected = {"a": "a", "b": "a", "c": "a", "d": "a", "x": "x", "y": "x"}
    for order in itertools.permutations(TIMES):
        roots, events = play(list(order))
        assert roots == expected, order
        assert final(events) == expected, order


def test_a_copy_before_its_original_is_corrected_with_an_event() -> None:
    book = Stories({})
    [first] = book.apply(link("b", []))
    assert first.is_unique
    assert first.revises is None
    out = book.apply(link("a", ["b"]))
    moved, own = out
    assert (moved.id, moved.canonical, moved.revises, moved.kind) == ("b", "a", "b", "near")
    assert own.is_unique
    assert own.id == "a"


def test_a_merge_repoints_every_member_to_the_smallest_key() -> None:
    book = Stories({})
    book.apply(link("c", []))
    book.apply(link("d", ["c"]))  # d -> c
    out = book.apply(link("b", ["c", "d"]))  # b joins and becomes canonical
    assert sorted((o.id, o.canonical, o.revises) for o in out) == [
        ("b", "b", None),
        ("c", "b", "c"),
        ("d", "b", "c"),
    ]


def test_a_replay_restates_and_changes_nothing() -> None:
    table: dict[str, Any] = {}
    book = Stories(table)
    book.apply(link("b", []))
    first = book.apply(link("a", ["b"]))
    before = dict(table)
    again = book.apply(link("a", ["b"]))
    assert table == before
    assert sorted(again, key=lambda o: o.id) == sorted(first, key=lambda o: o.id)


def test_a_match_not_yet_decided_is_the_canonical_when_it_is_older() -> None:
    book = Stories({})
    [dup] = book.apply(link("b", ["a"]))  # a filed at the band owner, not decided yet
    assert (dup.canonical, dup.revises) == ("a", None)
    [own] = book.apply(link("a", []))
    assert own.is_unique, "no correction: b already points at a"


def test_a_changed_body_is_a_revision_and_the_same_body_a_replay() -> None:
    book = Stories({})
    book.apply(link("a", []))
    changed = Link("a", TIMES["a"], "fp-a2", SIG, (), {"id": "a", "source": "a.example"})
    assert book.is_revision(changed)
    [revised] = book.apply(changed)
    assert revised.is_unique
    assert revised.revision == 1
    assert not book.is_revision(changed), "the same body again is a replay"
    assert book.apply(changed)[0].revision == 1
    old = link("a", [])
    assert not book.is_revision(old), "an older body, replayed"
    assert not book.is_current(old), "an older body, replayed"
    assert book.apply(old)[0].revision == 1


class Recording(dict[str, Any]):
    """A table that remembers the order of its writes (a changelog)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.log: list[tuple[str, Any]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append((key, value))
        super().__setitem__(key, value)


def test_a_pass_cut_short_by_a_crash_is_finished_by_the_replay() -> None:
    # Before: c and d are one story (c canonical), a another; b joins them (a is smallest).
    before = Recording()
    book = Stories(before)
    book.apply(link("c", []))
    book.apply(link("d", ["c"]))
    book.apply(link("a", []))
    state = dict(before)
    joining = link("b", ["a", "c", "d"])
    full = Recording(state)
    Stories(full).apply(joining)
    expected = {k: Stories(full).root(k) for k in "abcd"}
    assert set(expected.values()) == {"a"}
    # The changelog kept only a prefix of the pass's writes, then the link is read again.
    for kept in range(len(full.log) + 1):
        table = Recording(state)
        for key, value in full.log[:kept]:
            table[key] = value
        again = Stories(table)
        out = {o.id: o.canonical for o in again.apply(joining)}
        assert {k: again.root(k) for k in "abcd"} == expected, kept
        # Every verdict the pass changed is published (again), naming the final canonical.
        assert set(out.values()) == {"a"}, (kept, out)
        assert {"b", "c", "d"} <= out.keys(), (kept, out)


def test_a_row_written_twice_in_a_row_is_one_changelog_record() -> None:
    table = Recording()
    book = Stories(table)
    book.apply(link("a", []))
    assert [key for key, _ in table.log] == ["a"], "decided and published: one record"
    assert table["a"]["decided"]
    assert table["a"]["pub"] == "a"
    table.log.clear()
    book.apply(link("b", ["a"]))
    # b decided, a's list, b moved and published: the two writes of b in a row are one.
    assert [key for key, _ in table.log] == ["b", "a", "b"]
    assert book.written == {"a", "b"}
    assert (table["b"]["root"], table["b"]["pub"], table["a"]["members"]) == ("a", "a", ["a", "b"])
    # Outside a pass (a lookup that repoints a row), a write is made at once.
    table.log.clear()
    table["c"] = {**table["b"], "root": "b"}
    assert book.root("c") == "a"
    assert table["c"]["root"] == "a"
