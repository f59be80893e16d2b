"""Small message builders for tests that need valid messages without running the stages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from schemas import DuplicateEvent, Language, TaggedArticle, Topic
from streams.core.fingerprint import fingerprint

WIB = timezone(timedelta(hours=7))


def tagged(
    article_id: str = "a1", text: str = "Isi berita pertama.", **extra: Any
) -> TaggedArticle:
    """A valid TaggedArticle with the given id and body."""
    fields: dict[str, Any] = {
        "id": article_id,
        "url": f"https://contoh.example/{article_id}",
        "source": "contoh.example",
        "title": f"Judul {article_id}",
        "text": text,
        "published_at": datetime(2024, 3, 14, 10, 25, tzinfo=WIB),
        "fingerprint": fingerprint(text),
        "language": Language(code="id", confidence=0.99),
        "topics": [Topic(code="medtop:11000000", label="politics", score=0.8)],
    }
    fields.update(extra)
    return TaggedArticle(**fields)


def duplicate(article_id: str = "a2", of: str = "a1") -> DuplicateEvent:
    """A DuplicateEvent saying `article_id` repeats `of`."""
    return DuplicateEvent(
        id=article_id, duplicate_of=of, kind="exact", similarity=1.0, cluster_id=of
    )
