"""The store: migrations and idempotent upserts on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.store import Store, redact
from tests.factories import duplicate, tagged


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'nested' / 'warta.sqlite3'}")
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def pg_store(postgres_url: str, pg_schema: str) -> Iterator[Store]:
    store = Store(postgres_url + f"?options=-csearch_path%3D{pg_schema}")
    store.migrate()
    yield store
    store.close()


def _exercise(store: Store) -> None:
    first = tagged("a1", "Isi pertama.")
    store.upsert_articles([first, tagged("a3", "Isi ketiga.")])
    store.upsert_articles([first])  # a replay
    store.upsert_duplicates([duplicate("a2", "a1")])
    store.upsert_duplicates([duplicate("a2", "a1")])
    assert store.counts() == {"articles": 2, "duplicates": 1}
    stored = store.article("a1")
    assert stored is not None
    assert stored["text"] == "Isi pertama."
    assert stored["published_at"] == "2024-03-14T10:25:00+07:00"
    assert store.duplicate("a2") == duplicate("a2", "a1").model_dump(mode="json")
    assert sorted(store.ids("articles")) == ["a1", "a3"]
    assert store.article("missing") is None


def test_sqlite_upserts_are_idempotent(sqlite_store: Store) -> None:
    _exercise(sqlite_store)


def test_sqlite_upsert_replaces_changed_content(sqlite_store: Store) -> None:
    sqlite_store.upsert_articles([tagged("a1", "Versi lama.")])
    sqlite_store.upsert_articles([tagged("a1", "Versi baru.")])
    stored = sqlite_store.article("a1")
    assert stored is not None
    assert stored["text"] == "Versi baru."


@pytest.mark.postgres
def test_postgres_upserts_are_idempotent(pg_store: Store) -> None:
    _exercise(pg_store)


def test_migrate_twice_is_harmless(sqlite_store: Store) -> None:
    sqlite_store.migrate()
    assert sqlite_store.counts() == {"articles": 0, "duplicates": 0}


def test_redact_hides_password() -> None:
    shown = redact("postgresql://warta:s3cret@db:5432/warta")
    assert "s3cret" not in shown
    assert "warta:***@db:5432/warta" in shown


def test_a_duplicate_verdict_wins_over_a_unique_one_in_either_order(sqlite_store: Store) -> None:
    # A correction moves b from articles to duplicates; its unique event may be read after.
    sqlite_store.upsert_articles([tagged("a"), tagged("b")])
    sqlite_store.upsert_duplicates([duplicate("b", of="a")])
    sqlite_store.upsert_articles([tagged("b")])  # the unique event, read late
    sqlite_store.write([tagged("c")], [duplicate("c", of="a")])  # both in one batch
    assert sorted(sqlite_store.ids("articles")) == ["a"]
    assert sorted(sqlite_store.ids("duplicates")) == ["b", "c"]
    # A merge re-points a duplicate at the story's new canonical.
    sqlite_store.upsert_duplicates([duplicate("b", of="z")])
    assert (sqlite_store.duplicate("b") or {})["duplicate_of"] == "z"


def test_the_latest_revision_stays_when_an_older_one_is_replayed(sqlite_store: Store) -> None:
    sqlite_store.upsert_articles([tagged("r", "Isi lama.")])
    sqlite_store.upsert_articles([tagged("r", "Isi baru.", revision=1)])
    sqlite_store.upsert_articles([tagged("r", "Isi lama.")])  # the first version, replayed
    stored = sqlite_store.article("r") or {}
    assert (stored["text"], stored["revision"]) == ("Isi baru.", 1)
