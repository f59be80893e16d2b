"""Create the articles and duplicates tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "articles",
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
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_index("ix_articles_source", "articles", ["source"])
    op.create_table(
        "duplicates",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("duplicate_of", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("cluster_id", sa.String(200)),
        sa.Column("data", Json, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_duplicates_duplicate_of", "duplicates", ["duplicate_of"])


def downgrade() -> None:
    op.drop_table("duplicates")
    op.drop_table("articles")
