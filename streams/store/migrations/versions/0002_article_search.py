"""Full-text search over articles: a GIN index on PostgreSQL, an FTS5 table on SQLite.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The FTS5 table keeps its own copy keyed by id: an external-content table would follow `rowid`,
# which VACUUM may renumber on a table whose primary key is text.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts (id, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM articles_fts WHERE id = old.id; END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN "
    "DELETE FROM articles_fts WHERE id = old.id; "
    "INSERT INTO articles_fts (id, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO articles_fts (id, title, text) SELECT id, title, text FROM articles",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]


def _sqlite_has_fts5(bind: sa.engine.Connection) -> bool:
    options = {r[0] for r in bind.execute(sa.text("PRAGMA compile_options"))}
    return "ENABLE_FTS5" in options


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from streams.store.search import pg_configs, pg_document

        document = pg_document(pg_configs(bind))
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_articles_fts ON articles USING gin ({document})")
    elif bind.dialect.name == "sqlite" and _sqlite_has_fts5(bind):
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fts")
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
