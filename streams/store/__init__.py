"""Store stage: consumes unique articles and duplicate events, upserts them into SQL idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from schemas import DuplicateEvent, TaggedArticle, utcnow
from streams.store.tables import articles, duplicates

MIGRATIONS = Path(__file__).with_name("migrations")
TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError)


def engine_url(database_url: str) -> str:
    """The SQLAlchemy url for a `WARTA_DATABASE_URL` (psycopg 3 for PostgreSQL)."""
    if database_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return database_url


def redact(database_url: str) -> str:
    """The url with its password replaced, safe to print or log."""
    return sa.engine.make_url(engine_url(database_url)).render_as_string(hide_password=True)


class Store:
    """Idempotent writes of articles and duplicates: a replay never doubles a row."""

    def __init__(self, database_url: str) -> None:
        url = engine_url(database_url)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        self.engine: Engine = sa.create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def upsert_articles(self, items: Sequence[TaggedArticle]) -> None:
        """Insert or replace unique articles by id, in one transaction.

        An id already in `duplicates` stays there: a verdict only ever moves an article from
        unique to duplicate (stories merge, never split), and its unique event may be read
        after the correction (the two topics are consumed independently)."""
        self.write(items, ())

    def upsert_duplicates(self, events: Sequence[DuplicateEvent]) -> None:
        """Insert or replace duplicate events by id, removing those ids from `articles`."""
        self.write((), events)

    def write(self, items: Sequence[TaggedArticle], events: Sequence[DuplicateEvent]) -> None:
        """Unique articles and duplicate events in one transaction, ending in the final state:
        each id in exactly one table, a duplicate's verdict winning over a unique one."""
        dup_ids = {e.id for e in events}
        with self.engine.begin() as connection:
            if items:
                ids = [a.id for a in items if a.id not in dup_ids]
                known = _existing(connection, duplicates, ids)
                # The latest revision stays: an older one replayed after it is not written back.
                stored = _revisions(connection, ids)
                rows = [
                    _article_row(a)
                    for a in items
                    if a.id in set(ids) - known and a.revision >= stored.get(a.id, 0)
                ]
                self._upsert(connection, articles, rows)
            if events:
                connection.execute(sa.delete(articles).where(articles.c.id.in_(sorted(dup_ids))))
                self._upsert(connection, duplicates, [_duplicate_row(e) for e in events])

    def _upsert(
        self, connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table)
        updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name != "id"}
        connection.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=updates), rows)

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored message of one unique article, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(articles.c.data).where(articles.c.id == article_id)
            ).first()
        return dict(row[0]) if row else None

    def duplicate(self, article_id: str) -> dict[str, Any] | None:
        """The stored duplicate event of one article, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(duplicates.c.data).where(duplicates.c.id == article_id)
            ).first()
        return dict(row[0]) if row else None

    def story(self, article_id: str) -> dict[str, Any] | None:
        """The story of an article (canonical or member): its canonical id and every member
        with source, URL, kind, similarity and time, the canonical first; None when unknown.

        The `duplicates` rows are the story: each points at its story's canonical article."""
        with self.engine.connect() as connection:
            dup = connection.execute(
                sa.select(duplicates.c.duplicate_of).where(duplicates.c.id == article_id)
            ).first()
            canonical = dup[0] if dup else article_id
            head = connection.execute(
                sa.select(articles.c.id, articles.c.data).where(articles.c.id == canonical)
            ).first()
            rows = connection.execute(
                sa.select(
                    duplicates.c.id, duplicates.c.kind, duplicates.c.similarity, duplicates.c.data
                )
                .where(duplicates.c.duplicate_of == canonical)
                .order_by(duplicates.c.id)
            ).all()
        if head is None and not rows:
            return None
        members = []
        if head is not None:
            data = dict(head[1])
            members.append(_member(canonical, data, "canonical", 1.0))
        members += [_member(r[0], dict(r[3]), r[1], float(r[2])) for r in rows]
        outlets = {m["source"] for m in members if m["source"]}
        return {"canonical": canonical, "outlets": len(outlets), "members": members}

    def ids(self, table: str) -> list[str]:
        """Every id in `articles` or `duplicates`."""
        target = {"articles": articles, "duplicates": duplicates}[table]
        with self.engine.connect() as connection:
            return [r[0] for r in connection.execute(sa.select(target.c.id))]

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        with self.engine.connect() as connection:
            return {
                t.name: int(
                    connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                )
                for t in (articles, duplicates)
            }

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()


def _member(article_id: str, data: dict[str, Any], kind: str, sim: float) -> dict[str, Any]:
    return {
        "id": article_id,
        "source": data.get("source"),
        "url": data.get("url"),
        "title": data.get("title"),
        "kind": kind,
        "similarity": sim,
        "published_at": data.get("published_at"),
    }


def _revisions(connection: sa.Connection, ids: Sequence[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.data).where(articles.c.id.in_(ids))
    )
    return {r[0]: int(dict(r[1]).get("revision") or 0) for r in rows}


def _existing(connection: sa.Connection, table: sa.Table, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return {r[0] for r in connection.execute(sa.select(table.c.id).where(table.c.id.in_(ids)))}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (search, dashboard) run while the worker writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _article_row(article: TaggedArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "language": article.language.code,
        "published_at": article.published_at,
        "cluster_id": article.cluster_id or article.id,
        "fingerprint": article.fingerprint,
        "text": article.text,
        "data": article.model_dump(mode="json"),
        "stored_at": utcnow(),
    }


def _duplicate_row(event: DuplicateEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "duplicate_of": event.duplicate_of,
        "kind": event.kind,
        "similarity": event.similarity,
        "cluster_id": event.cluster_id or event.duplicate_of,
        "data": event.model_dump(mode="json"),
        "stored_at": utcnow(),
    }
