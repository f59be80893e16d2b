"""The relational schema of stored articles and duplicates (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("url", sa.Text),
    sa.Column("source", sa.String(255)),
    sa.Column("title", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("cluster_id", sa.String(200)),
    sa.Column("fingerprint", sa.String(64)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("data", Json, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
)

duplicates = sa.Table(
    "duplicates",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("duplicate_of", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("similarity", sa.Float, nullable=False),
    sa.Column("cluster_id", sa.String(200)),
    sa.Column("data", Json, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
)
