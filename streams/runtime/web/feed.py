"""What the dashboard shows, kept in memory: latest articles and errors, hourly tops, rates."""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from typing import Any

from schemas import codec
from streams.core import topics
from streams.runtime.metrics import chrome_lines
from streams.runtime.web.stories import Stories

WINDOW_SECONDS = 3600.0
# The "last hour" of mentions holds at most this many articles (memory stays bounded at any rate).
WINDOW_ARTICLES = 20_000
LATEST = 30
LETTERS = 20
TOP = 10
# Two-second samples: six minutes of throughput history.
SERIES_POINTS = 180
MAX_SOURCES = 200


def _text(value: Any, limit: int = 300) -> str | None:
    return None if value is None else str(value)[:limit]


def article_summary(data: dict[str, Any], at: float) -> dict[str, Any]:
    """The fields of a tagged article that the latest-articles list shows."""
    language = data.get("language")
    return {
        "id": _text(data.get("id"), 200),
        "title": _text(data.get("title")) or "(untitled)",
        "source": _text(data.get("source"), 100),
        "url": _text(data.get("url"), 1000),
        "language": _text(language.get("code"), 16) if isinstance(language, dict) else None,
        "published_at": _text(data.get("published_at"), 40),
        "topics": [_text(t.get("label"), 80) for t in _dicts(data.get("topics"))[:3]],
        "at": at,
    }


def letter_summary(data: dict[str, Any], at: float) -> dict[str, Any]:
    """The fields of a dead letter that the errors table shows."""
    return {
        "stage": _text(data.get("stage"), 40),
        "reason": _text(data.get("reason"), 80),
        "error": _text(data.get("error"), 500),
        "key": _text(data.get("key"), 200),
        "at": at,
    }


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def mentions(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, name) of each entity, place and topic an article names, once per article."""
    found: set[tuple[str, str]] = set()
    # One count per canonical entity ("Stoltenberg" is Jens Stoltenberg); articles enriched
    # before resolution existed count their raw mentions.
    resolved = _dicts(data.get("resolved_entities"))
    for entity in resolved or _dicts(data.get("entities")):
        name = entity.get("name") if resolved else entity.get("text")
        found.add((f"entity:{entity.get('type')}", str(name or "")[:80]))
    for place in _dicts(data.get("places")):
        found.add(("place", str(place.get("name", ""))[:80]))
    for topic in _dicts(data.get("topics")):
        found.add(("topic", str(topic.get("label", ""))[:80]))
    return sorted(m for m in found if m[1])


class Feed:
    """Bounded state fed from articles.unique, articles.duplicates and articles.dlq."""

    def __init__(self) -> None:
        self.latest: deque[dict[str, Any]] = deque(maxlen=LATEST)
        self.letters: deque[dict[str, Any]] = deque(maxlen=LETTERS)
        self.letter_reasons: Counter[str] = Counter()
        self.unique = 0
        self.duplicate_kinds: Counter[str] = Counter()
        self._window: deque[tuple[float, list[tuple[str, str]]]] = deque()
        self._top: Counter[tuple[str, str]] = Counter()
        self.series: deque[tuple[float, dict[str, float]]] = deque(maxlen=SERIES_POINTS)
        self.sources: dict[str, Counter[str]] = {}
        self.stored: dict[str, int] = {}
        self.stories = Stories()

    def __len__(self) -> int:
        """How many articles' mentions the hour's window holds."""
        return len(self._window)

    def add(self, topic: str, value: bytes | None, at: float) -> None:
        """Take one message of a followed topic; anything unreadable is ignored."""
        try:
            data = codec.loads(value or b"")
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        if topic == topics.UNIQUE:
            self.unique += 1
            self.latest.appendleft(article_summary(data, at))
            self._remember(at, mentions(data))
            self._quality(data)
            self.stories.unique(data, at)
        elif topic == topics.DUPLICATES:
            self.duplicate_kinds[str(data.get("kind") or "unknown")[:20]] += 1
            self.stories.duplicate(data, at)
        elif topic == topics.DLQ:
            letter = letter_summary(data, at)
            self.letters.appendleft(letter)
            self.letter_reasons[letter["reason"] or "unknown"] += 1

    def _quality(self, data: dict[str, Any]) -> None:
        source = str(data.get("source") or "unknown")[:64].lower()
        if source not in self.sources and len(self.sources) >= MAX_SOURCES:
            source = "other"
        counts = self.sources.setdefault(source, Counter())
        counts["articles"] += 1
        counts["title"] += bool(data.get("title"))
        counts["date"] += bool(data.get("published_at"))
        counts["author"] += bool(data.get("authors"))
        counts["chrome"] += chrome_lines(str(data.get("text") or ""))

    def quality(self) -> list[dict[str, Any]]:
        """Per source: how often title, date and author were found, and chrome left in bodies."""
        rows = []
        for source, c in sorted(self.sources.items(), key=lambda kv: -kv[1]["articles"]):
            n = c["articles"]
            row: dict[str, Any] = {"source": source, "articles": n, "chrome": c["chrome"]}
            row.update({f: round(c[f] / n, 3) for f in ("title", "date", "author")})
            rows.append(row)
        return rows

    def _remember(self, at: float, names: list[tuple[str, str]]) -> None:
        self._window.append((at, names))
        self._top.update(names)
        # Expired as articles arrive, not only when someone looks: a worker nobody watches
        # would otherwise keep every mention it ever saw.
        self._expire(at)

    def _expire(self, now: float) -> None:
        window = self._window
        while window and (window[0][0] < now - WINDOW_SECONDS or len(window) > WINDOW_ARTICLES):
            _, names = window.popleft()
            self._top.subtract(names)
            for name in names:
                if self._top[name] <= 0:
                    del self._top[name]

    def sample(self, now: float, totals: dict[str, float]) -> None:
        """Record the cumulative message count of each stage (the series are their rates)."""
        self.series.append((now, dict(totals)))

    def rates(self) -> dict[str, Any]:
        """Messages per second of each stage between consecutive samples."""
        points = list(self.series)
        stages = sorted({s for _, totals in points for s in totals})
        times: list[float] = []
        per_stage: dict[str, list[float]] = {s: [] for s in stages}
        for (t0, a), (t1, b) in itertools.pairwise(points):
            span = max(t1 - t0, 1e-6)
            times.append(round(t1, 3))
            for stage in stages:
                per_stage[stage].append(
                    round(max(0.0, b.get(stage, 0) - a.get(stage, 0)) / span, 3)
                )
        return {"t": times, "stages": per_stage}

    def top(self, now: float) -> dict[str, list[dict[str, Any]]]:
        """The most named entities, places and topics of the last hour."""
        self._expire(now)
        groups: dict[str, list[dict[str, Any]]] = {"entities": [], "places": [], "topics": []}
        for (kind, name), count in self._top.most_common():
            group = "places" if kind == "place" else "topics" if kind == "topic" else "entities"
            if len(groups[group]) < TOP:
                item = {"name": name, "count": count}
                if group == "entities":
                    item["type"] = kind.removeprefix("entity:")
                groups[group].append(item)
        return groups

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """Everything the dashboard needs from the feed, as plain JSON-able data."""
        now = time.time() if now is None else now
        duplicates = sum(self.duplicate_kinds.values())
        seen = self.unique + duplicates
        return {
            "now": now,
            "latest": list(self.latest),
            "letters": list(self.letters),
            "letter_reasons": dict(self.letter_reasons.most_common()),
            "unique": self.unique,
            "duplicates": dict(self.duplicate_kinds),
            "duplicate_rate": round(duplicates / seen, 4) if seen else 0.0,
            "top": self.top(now),
            "throughput": self.rates(),
            "quality": self.quality(),
            "stored": dict(self.stored),
            "stories": self.stories.biggest(now),
        }
