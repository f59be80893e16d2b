"""End to end through the real embedded broker and SQLite, as an outside aiokafka client."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.core import topics
from streams.runtime import harness
from streams.runtime.harness import (
    collect,
    produce,
    records,
    run,
    stored_count,
    wait_for,
    worker,
    worker_env,
)
from streams.store import Store
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e


@pytest.fixture
def broker() -> Iterator[str]:
    """A fresh memory-only broker per test: topics start empty."""
    with harness.broker() as b:
        yield b.bootstrap


def _samples(suffix: str) -> list[dict[str, Any]]:
    rows = [orjson.loads(line) for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    for row in rows:
        row["id"] = f"{row.get('id') or 'sample'}-{suffix}"
    return rows


def _total(expected: int) -> Any:
    return lambda seen: sum(len(v) for v in seen.values()) >= expected


def _final(seen: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any] | None]:
    """id -> its last duplicate event, or None when unique: a later DuplicateEvent (with
    `revises`) corrects a unique verdict published before the story's canonical arrived."""
    final: dict[str, dict[str, Any] | None] = {m["id"]: None for m in seen[topics.UNIQUE]}
    final.update({m["id"]: m for m in seen[topics.DUPLICATES]})
    return final


def _judged(ids: set[str]) -> Any:
    return lambda seen: ids <= _final(seen).keys() | {m["key"] for m in seen[topics.DLQ]}


def test_every_message_is_accounted_for_exactly_once(broker: str, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:6]
    articles = _samples(suffix)
    original = articles[0]
    copy = {**original, "id": f"copy-{suffix}", "url": "https://mirror.example/copy"}
    messages = [(a["id"].encode(), orjson.dumps(a)) for a in [*articles, copy]]
    bad_json = b'{"id": "broken", "text": '
    no_content = orjson.dumps({"id": f"empty-{suffix}", "title": "Tanpa isi"})
    messages += [(b"broken", bad_json), (f"empty-{suffix}".encode(), no_content)]
    db = f"sqlite:///{tmp_path / 'warta.sqlite3'}"

    with worker(worker_env(broker, db, tmp_path), tmp_path / "worker.log") as proc:
        run(produce(broker, topics.RAW, messages))
        ids = {key.decode() for key, _ in messages}
        outcomes = [topics.UNIQUE, topics.DUPLICATES, topics.DLQ]
        seen = run(collect(broker, outcomes, _judged(ids)))
        store = Store(db)
        kept = len(_final(seen))
        stored = wait_for(lambda: stored_count(store) >= kept, alive=[proc])
        # Read every outcome to its end once all is stored: corrections published meanwhile too.
        seen = {t: [] for t in outcomes}
        for m in run(records(broker, outcomes)):
            seen[m.topic].append(orjson.loads(m.value))
    log = proc.text()
    assert stored, log[-3000:]

    final = _final(seen)
    unique = [k for k, v in final.items() if v is None]
    dups = {k: v for k, v in final.items() if v is not None}
    dlq = {m["key"]: m for m in seen[topics.DLQ]}
    every = [*unique, *dups, *dlq]
    assert len(every) == len(set(every)) == len(messages), log[-3000:]

    # The original, its reprint (new chrome only) and its copy are one story: the smallest
    # (published_at, id) is its canonical, whatever the arrival order, and the other two are
    # exact duplicates of it.
    story = {original["id"], articles[3]["id"], copy["id"]}
    [canonical] = story & set(unique)
    for other in story - {canonical}:
        assert (dups[other]["duplicate_of"], dups[other]["kind"]) == (canonical, "exact")
        assert dups[other]["cluster_id"] == canonical
    assert dlq["broken"]["reason"] == "invalid_json"
    assert dlq["broken"]["payload"] == bad_json.decode()
    assert dlq["broken"]["topic"] == topics.RAW
    assert dlq["broken"]["offset"] is not None
    assert dlq[f"empty-{suffix}"]["reason"] == "no_content"

    assert sorted(store.ids("articles")) == sorted(unique)
    assert sorted(store.ids("duplicates")) == sorted(dups)
    row = store.article(canonical)
    assert row is not None
    assert row["language"]["code"] == "id"
    assert row["cluster_id"] == canonical
    store.close()


def test_seed_article_reaches_unique_and_the_database(
    broker: str, tmp_path: Path, seed_text: str
) -> None:
    article_id = f"seed-{uuid.uuid4().hex[:6]}"
    db = f"sqlite:///{tmp_path / 'warta.sqlite3'}"
    with worker(worker_env(broker, db, tmp_path), tmp_path / "worker.log") as proc:
        run(
            produce(
                broker,
                topics.RAW,
                [(article_id.encode(), orjson.dumps({"id": article_id, "text": seed_text}))],
            )
        )
        seen = run(collect(broker, [topics.UNIQUE], _total(1)))
        store = Store(db)
        assert wait_for(lambda: store.article(article_id) is not None, alive=[proc])
    [message] = seen[topics.UNIQUE]
    assert message["id"] == article_id
    assert message["title"] == "NATO Serukan Kemitraan yang Lebih Kuat dengan Jepang"
    assert message["published_at"] == "2023-01-31T15:50:00+07:00"
    assert store.article(article_id) == message
    store.close()
