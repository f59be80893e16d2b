"""The dashboard's biggest stories of the last hour, kept in memory from the outcome events.

Consumes the values of articles.unique (a story's canonical article) and articles.duplicates
(a member, or a correction that moves one); produces the stories with the most outlets whose
latest event is within the hour. Bounded: stories older than the hour are dropped as events
arrive, and at most MAX_STORIES are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

WINDOW_SECONDS = 3600.0
MAX_STORIES = 5000


@dataclass
class _Story:
    title: str | None = None
    # member id -> its source (outlet)
    members: dict[str, str] = field(default_factory=dict)
    at: float = 0.0


class Stories:
    """Story canonical -> its members' outlets, from the events as they arrive."""

    def __init__(self) -> None:
        self._stories: OrderedDict[str, _Story] = OrderedDict()
        self._of: dict[str, str] = {}

    def unique(self, data: dict[str, Any], at: float) -> None:
        article_id = str(data.get("id") or "")
        if article_id and article_id not in self._of:
            story = self._touch(article_id, at)
            story.title = str(data.get("title") or "")[:200] or story.title
            self._join(article_id, article_id, str(data.get("source") or "?"), at)

    def duplicate(self, data: dict[str, Any], at: float) -> None:
        article_id, canonical = str(data.get("id") or ""), str(data.get("duplicate_of") or "")
        if not article_id or not canonical:
            return
        source = str(data.get("source") or "?")
        old = self._of.get(article_id)
        if old is not None and old != canonical and old in self._stories:
            source = self._stories[old].members.pop(article_id, source)
        self._join(article_id, canonical, source, at)

    def _join(self, article_id: str, canonical: str, source: str, at: float) -> None:
        self._touch(canonical, at).members[article_id] = source[:64]
        self._of[article_id] = canonical
        self._expire(at)

    def _touch(self, canonical: str, at: float) -> _Story:
        story = self._stories.pop(canonical, None) or _Story()
        story.at = max(story.at, at)
        self._stories[canonical] = story  # most recent last
        return story

    def _expire(self, now: float) -> None:
        while self._stories:
            canonical, oldest = next(iter(self._stories.items()))
            if oldest.at >= now - WINDOW_SECONDS and len(self._stories) <= MAX_STORIES:
                break
            del self._stories[canonical]
            for member in oldest.members:
                if self._of.get(member) == canonical:
                    del self._of[member]

    def biggest(self, now: float, limit: int = 10) -> list[dict[str, Any]]:
        """The last hour's stories by number of outlets (then articles), two articles or more."""
        self._expire(now)
        rows: list[dict[str, Any]] = [
            {
                "id": canonical,
                "title": story.title,
                "outlets": len(set(story.members.values())),
                "articles": len(story.members),
            }
            for canonical, story in self._stories.items()
            if len(story.members) > 1
        ]
        rows.sort(key=lambda r: (-r["outlets"], -r["articles"], r["id"]))
        return rows[:limit]
