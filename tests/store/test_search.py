"""Search over stored articles: SQLite FTS5, the LIKE fallback, PostgreSQL per-language stemming."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemas import Language, RawArticle, TaggedArticle
from streams.stages.pipeline import process
from streams.store import Store
from streams.store.search import entity_facets, search, words
from tests.factories import tagged

ARTICLES = [
    tagged(
        "id-jembatan",
        "Pemerintah provinsi memulai pembangunan jembatan gantung di Kabupaten Sigi. "
        "Warga berharap akses ke pasar menjadi lebih mudah.",
        title="Pembangunan Jembatan Gantung Dimulai",
    ),
    tagged(
        "en-floods",
        "Floods closed the coastal road near Port Ellery after two days of heavy rain, "
        "and the council opened three shelters.",
        title="Coastal road closed by floods",
        language=Language(code="en", confidence=0.98),
    ),
    tagged(
        "id-kopi",
        "Harga kopi arabika Gayo di tingkat petani naik menjelang panen raya.",
        title="Harga Kopi Gayo Naik",
    ),
]


def _ids(store: Store, query: str, **kw: object) -> list[str]:
    return [h.id for h in search(store.engine, query, **kw)]  # type: ignore[arg-type]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    store.migrate()
    store.upsert_articles(ARTICLES)
    return store


def test_fts5_matches_every_word_with_a_prefix_on_the_last(sqlite_store: Store) -> None:
    assert _ids(sqlite_store, "jembatan sigi") == ["id-jembatan"]
    assert _ids(sqlite_store, "jembatan kopi") == []
    assert _ids(sqlite_store, "shelt") == ["en-floods"]
    assert _ids(sqlite_store, "KOPI", language="en") == []
    assert _ids(sqlite_store, "kopi", language="id") == ["id-kopi"]


def test_user_input_is_never_query_syntax(sqlite_store: Store) -> None:
    assert words('kopi" OR 1=1; DROP TABLE articles; --') == [
        "kopi",
        "OR",
        "1",
        "1",
        "DROP",
        "TABLE",
        "articles",
    ]
    assert _ids(sqlite_store, 'NEAR(kopi "') == []
    assert _ids(sqlite_store, "*") == []
    assert sqlite_store.counts()["articles"] == 3


def test_updates_and_deletes_follow_into_the_index(sqlite_store: Store) -> None:
    sqlite_store.upsert_articles([tagged("id-kopi", "Harga teh melati turun.", title="Teh")])
    assert _ids(sqlite_store, "kopi") == []
    assert _ids(sqlite_store, "melati") == ["id-kopi"]
    with sqlite_store.engine.begin() as c:
        c.execute(sa.text("DELETE FROM articles WHERE id = 'id-kopi'"))
    assert _ids(sqlite_store, "melati") == []


def test_like_fallback_without_fts(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as c:
        c.execute(sa.text("DROP TABLE articles_fts"))
    assert _ids(sqlite_store, "jembatan gantung") == ["id-jembatan"]
    assert _ids(sqlite_store, "100%_") == []


@pytest.fixture
def pg_store(postgres_url: str, pg_schema: str) -> Iterator[Store]:
    store = Store(postgres_url + f"?options=-csearch_path%3D{pg_schema}")
    try:
        store.migrate()
        store.upsert_articles(ARTICLES)
        yield store
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_stems_each_article_in_its_language(pg_store: Store) -> None:
    # Indonesian stemming: "bangun" finds "pembangunan"; English: "flood" finds "Floods".
    assert _ids(pg_store, "bangun jembatan") == ["id-jembatan"]
    assert _ids(pg_store, "flood shelter") == ["en-floods"]
    assert _ids(pg_store, "kopi", language="en") == []
    hits = search(pg_store.engine, "kopi gayo")
    assert [h.id for h in hits] == ["id-kopi"]
    assert "«" in hits[0].snippet
    with pg_store.engine.connect() as c:
        index = c.execute(
            sa.text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_articles_fts' "
                "AND schemaname = current_schema()"
            )
        ).scalar_one()
    assert "indonesian" in index
    assert "gin" in index.lower()


def test_a_hit_keeps_the_publication_time_zone(sqlite_store: Store) -> None:
    [hit] = search(sqlite_store.engine, "jembatan gantung")
    assert hit.published_at == "2024-03-14T10:25:00+07:00"  # WIB, as the article gave it
    with sqlite_store.engine.begin() as connection:  # and the fallback without the FTS table
        connection.execute(sa.text("DROP TABLE IF EXISTS articles_fts"))
    [hit] = search(sqlite_store.engine, "jembatan gantung")
    assert hit.published_at == "2024-03-14T10:25:00+07:00"


@pytest.mark.postgres
def test_postgres_hits_keep_the_publication_time_zone(pg_store: Store) -> None:
    [hit] = search(pg_store.engine, "jembatan gantung")
    assert hit.published_at == "2024-03-14T10:25:00+07:00"


def _enriched(article_id: str, text: str) -> TaggedArticle:
    raw = RawArticle(id=article_id, text=text, source="contoh.example")
    result = process(raw)
    assert isinstance(result, TaggedArticle), result
    return result


def test_search_counts_canonical_entities_once_per_article(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    store.migrate()
    store.upsert_articles(
        [
            _enriched(
                "nato-1",
                "Sekretaris Jenderal NATO Jens Stoltenberg tiba di Brussel pada Senin. "
                "Stoltenberg mengatakan aliansi akan menambah latihan bersama di Laut Baltik.",
            ),
            _enriched(
                "nato-2",
                "Menurut Stoltenberg, anggota NATO sepakat menaikkan anggaran pertahanan. "
                "Rapat di Brussel berlangsung hingga malam.",
            ),
        ]
    )
    hits = [h.id for h in search(store.engine, "Stoltenberg")]
    facets = {f["key"]: f for f in entity_facets(store.engine, hits)}
    people = [f for f in facets.values() if f["type"] == "PERSON"]
    # "Jens Stoltenberg" and "Stoltenberg" are one person, named by both articles.
    assert [(p["name"], p["articles"]) for p in people] == [("Jens Stoltenberg", 2)]
    assert facets["ORG:nato"]["articles"] == 2


def test_articles_without_resolved_entities_add_no_facets(sqlite_store: Store) -> None:
    hits = [h.id for h in search(sqlite_store.engine, "kopi")]
    assert hits == ["id-kopi"]
    assert entity_facets(sqlite_store.engine, hits) == []
