"""Replay: re-run the stages over stored or raw articles and report which fields changed how."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schemas import CleanArticle, RawArticle, Rejection, TaggedArticle
from streams.core.ids import identify
from streams.stages.pipeline import enrich_stage, process, tag_stage
from streams.stages.tag import RuleSet
from streams.store.tables import articles

# Set by dedupe and the store, not by the stages being replayed.
NOT_STAGE_FIELDS = frozenset({"cluster_id"})
EXAMPLES = 3
Rerun = Callable[[], TaggedArticle | Rejection]


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item(value: Any) -> str:
    if isinstance(value, dict):
        name = value.get("label") or value.get("text") or value.get("name")
        kind = value.get("type") or value.get("country_code") or value.get("speaker")
        score = value.get("score")
        if name is not None:
            extra = " ".join(str(x) for x in (kind, score) if x is not None)
            return _short(f"{name} ({extra})" if extra else str(name))
    return _short(value)


def describe(old: Any, new: Any) -> dict[str, Any]:
    """A readable example of one change; lists show what was added and removed."""
    if isinstance(old, list) and isinstance(new, list):
        before = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in old}
        after = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in new}
        return {
            "added": [_item(orjson.loads(v)) for v in sorted(after - before)][:5],
            "removed": [_item(orjson.loads(v)) for v in sorted(before - after)][:5],
            "reordered": before == after,
        }
    return {
        "old": None if old is None else _short(old),
        "new": None if new is None else _short(new),
    }


def diff_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field -> (old, new) of every field that differs; `versions` is compared key by key."""
    changes: dict[str, tuple[Any, Any]] = {}
    for key in sorted((set(old) | set(new)) - NOT_STAGE_FIELDS):
        a, b = old.get(key), new.get(key)
        if key == "versions" and isinstance(a, dict) and isinstance(b, dict):
            for part in sorted(set(a) | set(b)):
                if a.get(part) != b.get(part):
                    changes[f"versions.{part}"] = (a.get(part), b.get(part))
        elif a != b:
            changes[key] = (a, b)
    return changes


@dataclass
class FieldChanges:
    """How many articles changed in one field, with a few examples."""

    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReplayReport:
    """The outcome of a replay: per-field change counts with examples."""

    total: int = 0
    changed: int = 0
    missing: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    fields: dict[str, FieldChanges] = field(default_factory=dict)

    def record(self, article_id: str, old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
        """Count one replayed article; True when it differs from what is stored."""
        self.total += 1
        if old is None:
            self.missing += 1
            return False
        changes = diff_fields(old, new)
        for name, (a, b) in changes.items():
            entry = self.fields.setdefault(name, FieldChanges())
            entry.count += 1
            if len(entry.examples) < EXAMPLES:
                entry.examples.append({"id": article_id, **describe(a, b)})
        self.changed += bool(changes)
        return bool(changes)

    def reject(self, article_id: str, rejection: Rejection) -> None:
        """Count an article the current stages refuse."""
        self.total += 1
        self.rejected.append({"id": article_id, "reason": rejection.reason})

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able report, fields ordered by how often they changed."""
        ordered = sorted(self.fields.items(), key=lambda kv: (-kv[1].count, kv[0]))
        return {
            "total": self.total,
            "changed": self.changed,
            "unchanged": self.total - self.changed - self.missing - len(self.rejected),
            "not_stored": self.missing,
            "rejected": self.rejected,
            "fields": {k: {"count": v.count, "examples": v.examples} for k, v in ordered},
        }


def clean_part(data: dict[str, Any]) -> CleanArticle:
    """The clean stage's output contained in a stored article (what enrich started from)."""
    return CleanArticle.model_validate({k: data[k] for k in CleanArticle.model_fields if k in data})


def rerun_stored(data: dict[str, Any], rules: RuleSet | None = None) -> TaggedArticle | Rejection:
    """Enrich and tag a stored article again from its clean part.

    Clean is not re-run here: the stored body is already clean and the original page is not kept.
    Replay a raw JSONL to re-run clean too.
    """
    enriched = enrich_stage(clean_part(data))
    if isinstance(enriched, Rejection):
        return enriched
    return tag_stage(enriched, rules)


def stored_rows(
    engine: Engine, limit: int | None = None, batch: int = 200
) -> Iterator[dict[str, Any]]:
    """Stored articles' messages in id order, fetched in batches (keyset pagination)."""
    last, seen = "", 0
    while limit is None or seen < limit:
        size = batch if limit is None else min(batch, limit - seen)
        stmt = (
            sa.select(articles.c.id, articles.c.data)
            .where(articles.c.id > last)
            .order_by(articles.c.id)
            .limit(size)
        )
        with engine.connect() as connection:
            rows = list(connection.execute(stmt))
        if not rows:
            return
        for row in rows:
            yield dict(row.data)
        last, seen = rows[-1].id, seen + len(rows)


def replay(
    items: Iterable[tuple[str, dict[str, Any] | None, Rerun]],
    on_done: Callable[[], None] | None = None,
) -> tuple[ReplayReport, list[TaggedArticle]]:
    """Run each item's rerun, compare it with the stored message; returns the changed articles."""
    report = ReplayReport()
    changed: list[TaggedArticle] = []
    for article_id, old, rerun in items:
        result = rerun()
        if isinstance(result, Rejection):
            report.reject(article_id, result)
        else:
            keep = (old or {}).get("cluster_id") or result.cluster_id or result.id
            result = result.model_copy(update={"cluster_id": keep})
            if report.record(article_id, old, result.model_dump(mode="json")):
                changed.append(result)
        if on_done is not None:
            on_done()
    return report, changed


def _bind(
    fn: Callable[[Any, RuleSet | None], TaggedArticle | Rejection], item: Any, rules: RuleSet | None
) -> Rerun:
    return lambda: fn(item, rules)


def stored_items(
    rows: Iterable[dict[str, Any]], rules: RuleSet | None = None
) -> Iterator[tuple[str, dict[str, Any] | None, Rerun]]:
    """Replay items for stored articles."""
    for data in rows:
        yield str(data.get("id")), data, _bind(rerun_stored, data, rules)


def raw_items(
    raws: Iterable[RawArticle],
    lookup: Callable[[str], dict[str, Any] | None],
    rules: RuleSet | None = None,
) -> Iterator[tuple[str, dict[str, Any] | None, Rerun]]:
    """Replay items for raw articles, compared with the stored article of the same id."""
    for raw in raws:
        article = identify(raw)
        article_id = article.id or ""
        yield article_id, lookup(article_id), _bind(process, article, rules)
