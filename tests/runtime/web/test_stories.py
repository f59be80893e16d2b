"""The dashboard's biggest stories of the last hour, corrections followed."""

from __future__ import annotations

from schemas import DuplicateEvent, codec
from streams.core import topics
from streams.runtime.web.feed import Feed
from streams.runtime.web.stories import WINDOW_SECONDS
from tests.factories import tagged


def _dup(article_id: str, of: str, source: str, revises: str | None = None) -> bytes:
    event = DuplicateEvent(
        id=article_id, duplicate_of=of, kind="near", similarity=0.8, source=source, revises=revises
    )
    return codec.dumps(event)


def _unique(article_id: str, source: str) -> bytes:
    return codec.dumps(tagged(article_id, f"Isi {article_id}.", source=source))


def test_stories_rank_by_outlets_and_follow_corrections() -> None:
    feed = Feed()
    feed.add(topics.UNIQUE, _unique("wire", "antara.example"), at=1000.0)
    for n, outlet in enumerate(("a.example", "b.example", "b.example")):
        feed.add(topics.DUPLICATES, _dup(f"wire-{n}", "wire", outlet), at=1001.0 + n)
    feed.add(topics.UNIQUE, _unique("local", "c.example"), at=1005.0)
    feed.add(topics.UNIQUE, _unique("copy", "d.example"), at=1006.0)
    feed.add(topics.DUPLICATES, _dup("copy-2", "copy", "e.example"), at=1006.5)
    # "copy" turns out to be a copy of "local": it and its member move to local's story.
    feed.add(topics.DUPLICATES, _dup("copy", "local", "d.example", revises="copy"), at=1007.0)
    feed.add(topics.DUPLICATES, _dup("copy-2", "local", "e.example", revises="copy"), at=1007.0)
    feed.add(topics.UNIQUE, _unique("copy", "d.example"), at=1008.0)  # read late: no effect
    stories = feed.snapshot(now=1010.0)["stories"]
    assert [(s["id"], s["outlets"], s["articles"]) for s in stories] == [
        ("wire", 3, 4),
        ("local", 3, 3),
    ]
    assert feed.snapshot(now=1008.5 + WINDOW_SECONDS)["stories"] == []
