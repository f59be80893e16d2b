"""DedupeIndex and the pure steps behind it: verdicts, replay, expiry, determinism."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from streams.stages.dedupe import (
    Candidate,
    Config,
    DedupeIndex,
    Verdict,
    judge,
    signature,
)
from tests.fixtures.dedupe import Doc, at, edited, story, trimmed, with_chrome


def sequence() -> list[Doc]:
    """Originals, their copies and a rewrite of the same event, in publication order."""
    banjir, pasar, jaksa = story("banjir"), story("pasar_murah"), story("kejaksaan")
    return [
        Doc("banjir", banjir, at(0)),
        Doc("pasar", pasar, at(1)),
        Doc("banjir-chrome", with_chrome(banjir), at(2)),
        Doc("banjir-rewrite", story("banjir_rewrite"), at(3)),
        Doc("jaksa", jaksa, at(4)),
        Doc("pasar-trimmed", trimmed(pasar), at(5)),
        Doc("jaksa-edited", edited(jaksa), at(6)),
        Doc("ferry", story("ferry"), at(7)),
        Doc("banjir-edited", edited(banjir), at(8)),
        Doc("pasar-trimmed-again", trimmed(pasar), at(9)),
    ]


EXPECTED = {
    "banjir": ("unique", None),
    "pasar": ("unique", None),
    "banjir-chrome": ("exact", "banjir"),
    "banjir-rewrite": ("unique", None),
    "jaksa": ("unique", None),
    "pasar-trimmed": ("near", "pasar"),
    "jaksa-edited": ("near", "jaksa"),
    "ferry": ("unique", None),
    "banjir-edited": ("near", "banjir"),
    "pasar-trimmed-again": ("exact", "pasar-trimmed"),
}


def run(docs: list[Doc], index: DedupeIndex | None = None) -> dict[str, Verdict]:
    index = DedupeIndex() if index is None else index
    return {doc.id: index.check_and_add(doc) for doc in docs}


def test_copies_are_duplicates_and_rewrites_are_not() -> None:
    verdicts = run(sequence())
    assert {k: (v.kind, v.duplicate_of) for k, v in verdicts.items()} == EXPECTED
    for doc_id, verdict in verdicts.items():
        story_of = {"pasar-trimmed-again": "pasar"}.get(doc_id, verdict.duplicate_of or doc_id)
        assert verdict.cluster_id == story_of
        if verdict.kind == "near":
            assert 0.5 <= verdict.similarity < 1.0


def test_replay_returns_the_original_verdict() -> None:
    index = DedupeIndex()
    first = run(sequence(), index)
    again = run(sequence(), index)
    assert again == first
    assert all(v.duplicate_of != k for k, v in again.items())
    assert len(index) == sum(v.kind == "unique" for v in first.values())


def test_same_input_gives_same_verdicts_in_a_new_index() -> None:
    assert run(sequence()) == run(sequence())


def test_copy_outside_the_window_is_unique() -> None:
    index = DedupeIndex(Config(window=timedelta(days=30)))
    base = story("kejaksaan")
    assert index.check_and_add(Doc("old", base, at(0))).kind == "unique"
    late = index.check_and_add(Doc("late", trimmed(base), at(24 * 31)))
    assert late.kind == "unique"
    inside = index.check_and_add(Doc("inside", edited(base), at(24 * 29)))
    assert (inside.kind, inside.duplicate_of) == ("near", "old")


def test_expire_forgets_old_articles_and_their_keys() -> None:
    index = DedupeIndex(Config(window=timedelta(days=1)))
    run(sequence(), index)
    kept = len(index)
    assert index.expire(at(4.5 + 24)) > 0
    assert 0 < len(index) < kept
    assert index.expire(at(1000)) > 0
    assert len(index) == 0
    assert index.check_and_add(Doc("again", story("banjir"), at(1001))).kind == "unique"


def test_judge_prefers_the_earliest_candidate_and_never_itself() -> None:
    text = story("pasar_murah")
    sig = signature(text)
    cands = [
        Candidate("b-later", signature(trimmed(text)), 200.0),
        Candidate("a-earlier", signature(edited(text)), 100.0),
        Candidate("self", sig, 50.0),
        Candidate("other", signature(story("ferry")), 10.0),
    ]
    for seed in range(5):
        random.Random(seed).shuffle(cands)
        verdict = judge("self", sig, cands)
        assert (verdict.kind, verdict.duplicate_of) == ("near", "a-earlier")
    assert judge("self", sig, [cands[0]] * 0).kind == "unique"


def test_band_store_matches_a_plain_multimap(monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.stages.dedupe import bandstore

    monkeypatch.setattr(bandstore, "_MIN_MERGE", 50)
    store = bandstore.BandStore()
    reference: dict[int, set[str]] = {}
    rng = random.Random(4)
    live: list[str] = []
    for n in range(600):
        article_id = f"id{n}"
        keys = [rng.randrange(300) for _ in range(5)]
        store.add(article_id, keys)
        store.add(article_id, keys)
        for key in keys:
            reference.setdefault(key, set()).add(article_id)
        live.append(article_id)
        if rng.random() < 0.4:
            gone = live.pop(rng.randrange(len(live)))
            store.remove(gone)
            for ids in reference.values():
                ids.discard(gone)
        probe_keys = [rng.randrange(300) for _ in range(3)]
        expected = set().union(*(reference.get(k, set()) for k in probe_keys))
        assert store.lookup(probe_keys) == expected
    assert len(store) == len(live)


def test_texts_of_chrome_only_are_never_duplicates() -> None:
    index = DedupeIndex()
    menu = "Home | Berita | Daerah | Ekonomi | Olahraga\n\nADVERTISEMENT"
    verdicts = [
        index.check_and_add(Doc("m1", menu, at(0))),
        index.check_and_add(Doc("m2", menu, at(1))),
        index.check_and_add(Doc("m3", "Baca juga: Banjir Lagi", at(2))),
    ]
    assert [v.kind for v in verdicts] == ["unique"] * 3
    assert index.check_and_add(Doc("m2", menu, at(1))) == verdicts[1]
