"""Dedupe on the real embedded broker with two workers: originals and copies in one burst.

The copies are dated after their originals, so each story's canonical is its original whatever
the arrival order. One shuffled burst with the copies first: every copy is judged, the store ends
in the final state (each id in exactly one table, each duplicate naming its original), and the
published events say the same. Then a corrected verdict on purpose: copies decided before their
originals arrive are published unique, and corrected by events the store follows.
"""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.cli.io import process_line
from streams.core import topics
from streams.evaluate.dedupe_stream import final_state, stored_state
from streams.runtime import harness
from streams.runtime.harness import run, wait_for, wait_joined, worker_env
from streams.settings import Settings
from streams.stages.dedupe import DedupeIndex
from streams.stages.dedupe import variants as v
from streams.store import Store
from tests.fixtures.dedupe import story

pytestmark = pytest.mark.e2e

NAMES = ("banjir", "ferry", "kejaksaan", "pasar_murah")
TEASERS = ("Harga Cabai Naik Jelang Ramadan", "Jadwal Kapal Cepat Pekan Ini")
T0 = datetime(2024, 3, 14, 8, 0, tzinfo=timezone(timedelta(hours=7)))


def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str | None]]:
    """(originals, copies, id -> the canonical it must end with, None for a canonical)."""
    rng = random.Random(11)
    originals, copies = [], []
    gold: dict[str, str | None] = {}
    for n, name in enumerate(NAMES):
        text = story(name)
        at = T0 + timedelta(minutes=n)
        originals.append({"id": name, "text": text, "published_at": at.isoformat()})
        gold[name] = None
        made = {
            "reprint": v.reprint_with_chrome(text, rng, TEASERS),
            "trimmed": v.trimmed(text, rng),
            "edited": v.edited(text, rng, text.split()),
            "exact": text,
        }
        for hours, (kind, body) in enumerate(made.items(), 1):
            copy_id = f"{name}-{kind}"
            later = (at + timedelta(hours=hours)).isoformat()
            copies.append({"id": copy_id, "text": body, "published_at": later})
            gold[copy_id] = name
    rewrite = {"id": "banjir-rewrite", "text": story("banjir_rewrite")}
    originals.append({**rewrite, "published_at": (T0 + timedelta(hours=2)).isoformat()})
    gold["banjir-rewrite"] = None
    return originals, copies, gold


def offline_gold(items: list[dict[str, Any]], gold: dict[str, str | None]) -> dict[str, Any]:
    """The gold stories, less the copies `warta process --dedupe` misses too (in date order):
    the stream must find what the offline index finds, in any arrival order."""
    index = DedupeIndex()
    found = {}
    ordered = sorted(items, key=lambda r: (r["published_at"], r["id"]))
    for row, raw in zip(ordered, messages(ordered), strict=True):
        found[row["id"]] = process_line(raw[1], Settings(), index)["duplicate"]
    missed = {k for k, of in gold.items() if of is not None and found[k] is None}
    assert len(missed) <= 2, f"the corpus is meant to be found: {missed}"
    return {k: (None if k in missed else of) for k, of in gold.items()}


def messages(items: list[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    return [
        (r["id"].encode(), orjson.dumps({**r, "url": f"https://contoh.example/{r['id']}"}))
        for r in items
    ]


def canonical_of(state: dict[str, Any]) -> dict[str, str | None]:
    return {k: (row["duplicate_of"] if row else None) for k, row in state.items()}


def settle(bootstrap: str, store: Store, ids: set[str], procs: list[Any]) -> dict[str, Any]:
    """Wait until every id has a verdict event and the store holds what the events say."""
    seen: dict[str, Any] = {}
    outcome = [topics.UNIQUE, topics.DUPLICATES]

    def settled() -> bool:
        events = final_state(run(harness.records(bootstrap, outcome)))
        if ids - events.keys():
            return False
        stored = stored_state(store)
        seen.update(events=events, stored=stored)
        return canonical_of(events) == canonical_of(stored)

    assert wait_for(settled, 300, 1.0, procs), f"not settled: {seen.get('events', {}).keys()}"
    return seen


def two_workers(stack: ExitStack, bootstrap: str, db: str, tmp: Path) -> list[harness.Process]:
    """Two workers on one database, both joined and assigned before anything is sent."""
    procs = [
        stack.enter_context(
            harness.worker(worker_env(bootstrap, db, tmp / f"w{n}"), tmp / f"w{n}.log")
        )
        for n in range(2)
    ]
    wait_joined(bootstrap, 2, *procs)
    return procs


def test_a_shuffled_burst_with_copies_first_ends_in_the_stories(tmp_path: Path) -> None:
    originals, copies, gold = rows()
    gold = offline_gold(originals + copies, gold)
    rng = random.Random(5)
    rng.shuffle(copies)
    rng.shuffle(originals)
    burst = copies[:10] + sorted(originals + copies[10:], key=lambda _: rng.random())
    with harness.broker() as broker, ExitStack() as stack:
        db = f"sqlite:///{tmp_path / 'burst.sqlite3'}"
        procs = two_workers(stack, broker.bootstrap, db, tmp_path)
        run(harness.produce(broker.bootstrap, topics.RAW, messages(burst)))
        store = Store(db)
        seen = settle(broker.bootstrap, store, set(gold), procs)
        assert not harness.dead_letters(broker.bootstrap)
        counts = store.counts()
        store.close()
    assert canonical_of(seen["stored"]) == gold
    dups = sum(1 for of in gold.values() if of)
    assert counts == {"articles": len(gold) - dups, "duplicates": dups}, "nothing lost or doubled"
    exact = {k for k, row in seen["stored"].items() if row and row["kind"] == "exact"}
    assert {f"{n}-exact" for n in NAMES} <= exact, "same body: exact, whichever came first"


def test_a_corrected_verdict_is_published_and_the_store_follows_it(tmp_path: Path) -> None:
    originals, copies, gold = rows()
    with harness.broker() as broker, ExitStack() as stack:
        db = f"sqlite:///{tmp_path / 'fix.sqlite3'}"
        procs = two_workers(stack, broker.bootstrap, db, tmp_path)
        store = Store(db)
        first = [c for c in copies if c["id"].endswith("-trimmed")]
        run(harness.produce(broker.bootstrap, topics.RAW, messages(first)))
        early = settle(broker.bootstrap, store, {c["id"] for c in first}, procs)
        assert all(row is None for row in early["stored"].values()), "alone, each is unique"
        run(harness.produce(broker.bootstrap, topics.RAW, messages(originals)))
        later = {c["id"] for c in first} | {o["id"] for o in originals}
        seen = settle(broker.bootstrap, store, later, procs)
        corrections = [
            orjson.loads(m.value)
            for m in run(harness.records(broker.bootstrap, [topics.DUPLICATES]))
        ]
        # Replaying the same content changes nothing: the verdicts are restated.
        run(harness.produce(broker.bootstrap, topics.RAW, messages(first)))
        again = settle(broker.bootstrap, store, later, procs)
        before = store.article("ferry") or {}
        # The same id with a changed body: a new revision, stored and published.
        corrected = {**originals[1], "text": originals[1]["text"] + "\n\nRalat: jadwal berubah."}
        assert corrected["id"] == "ferry"
        run(harness.produce(broker.bootstrap, topics.RAW, messages([corrected])))
        assert wait_for(
            lambda: (store.article("ferry") or {}).get("revision") == 1, 120, 0.5, procs
        )
        revised = store.article("ferry") or {}
        run(harness.produce(broker.bootstrap, topics.RAW, messages([corrected])))  # a replay
        published = [
            orjson.loads(m.value)
            for m in run(harness.records(broker.bootstrap, [topics.UNIQUE]))
            if m.key == b"ferry"
        ]
        final = settle(broker.bootstrap, store, later, procs)
        store.close()
    want = {k: gold[k] for k in later}
    assert canonical_of(seen["stored"]) == want == canonical_of(seen["events"])
    assert sorted((c["id"], c["revises"]) for c in corrections) == sorted(
        (c["id"], c["id"]) for c in first
    ), "each copy published unique first gets one correction naming its earlier verdict"
    assert canonical_of(again["stored"]) == want
    assert before.get("revision") == 0
    assert "Ralat" not in before["text"]
    assert "Ralat" in revised["text"]
    assert [p["revision"] for p in published][-1] == 1
    assert canonical_of(final["stored"]) == want, "a revision keeps its story"
