"""Thin faust agents around the stage functions: clean, enrich, tag, dedupe and store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import faust
from pydantic import BaseModel

from schemas import (
    CleanArticle,
    DuplicateEvent,
    EnrichedArticle,
    RawArticle,
    Rejection,
    TaggedArticle,
    codec,
)
from streams import topics
from streams.app import (
    app,
    by_fingerprint_topic,
    clean_topic,
    dlq_topic,
    duplicates_topic,
    enriched_topic,
    fingerprints,
    raw_topic,
    settings,
    tagged_topic,
    unique_topic,
)
from streams.dlq import dead_letter
from streams.pipeline import clean_stage, decode, enrich_stage, tag_stage
from streams.store import TRANSIENT, Store
from streams.tag import RuleSet, load_rules

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)

_rules: RuleSet | None = load_rules(settings.rules_path) if settings.rules_path else None


async def to_dlq(stage: str, event: faust.EventT, rejection: Rejection) -> None:
    """Send the event's original message to the dead-letter topic with the reason."""
    msg = event.message
    letter = dead_letter(
        stage, rejection, event.value, event.key, msg.topic, msg.partition, msg.offset
    )
    await dlq_topic.send(key=event.key, value=codec.dumps(letter))


async def run_stage(
    stage: str,
    stream: faust.StreamT,
    model: type[M],
    fn: Callable[[M], Out | Rejection],
    sink: faust.TopicT,
) -> None:
    """Decode each event as `model`, apply `fn`, forward the result or dead-letter the refusal."""
    async for event in stream.events():
        item = decode(model, event.value, settings.max_message_bytes)
        result = fn(item) if not isinstance(item, Rejection) else item
        if isinstance(result, Rejection):
            await to_dlq(stage, event, result)
        else:
            key = getattr(result, "id", None)
            await sink.send(key=key.encode() if key else event.key, value=codec.dumps(result))


@app.agent(raw_topic)
async def clean_agent(stream: faust.StreamT) -> None:
    """articles.raw -> articles.clean."""
    await run_stage("clean", stream, RawArticle, clean_stage, clean_topic)


@app.agent(clean_topic)
async def enrich_agent(stream: faust.StreamT) -> None:
    """articles.clean -> articles.enriched."""
    await run_stage("enrich", stream, CleanArticle, enrich_stage, enriched_topic)


@app.agent(enriched_topic)
async def tag_agent(stream: faust.StreamT) -> None:
    """articles.enriched -> articles.tagged."""

    def _tag(article: EnrichedArticle) -> TaggedArticle | Rejection:
        return tag_stage(article, _rules)

    await run_stage("tag", stream, EnrichedArticle, _tag, tagged_topic)


@app.agent(tagged_topic)
async def rekey_agent(stream: faust.StreamT) -> None:
    """articles.tagged -> the internal topic keyed by fingerprint, so that copies meet."""
    async for event in stream.events():
        item = decode(TaggedArticle, event.value, settings.max_message_bytes)
        if isinstance(item, Rejection):
            await to_dlq("dedupe", event, item)
        else:
            await by_fingerprint_topic.send(key=item.fingerprint.encode(), value=event.value)


@app.agent(by_fingerprint_topic)
async def dedupe_agent(stream: faust.StreamT) -> None:
    """Exact duplicates: the first article of a fingerprint is unique, later ones repeat it."""
    async for event in stream.events():
        item = decode(TaggedArticle, event.value, settings.max_message_bytes)
        if isinstance(item, Rejection):
            await to_dlq("dedupe", event, item)
            continue
        first = fingerprints[item.fingerprint]
        if first is None:
            # Keyed by fingerprint, the entry is written once: a replay finds its own id.
            fingerprints[item.fingerprint] = {"id": item.id, "at": time.time()}
            first = {"id": item.id}
        if first["id"] == item.id:
            unique = item.model_copy(update={"cluster_id": item.id})
            await unique_topic.send(key=item.id.encode(), value=codec.dumps(unique))
        else:
            dup = DuplicateEvent(
                id=item.id,
                duplicate_of=first["id"],
                kind="exact",
                similarity=1.0,
                cluster_id=first["id"],
                title=item.title,
                source=item.source,
                url=item.url,
            )
            await duplicates_topic.send(key=item.id.encode(), value=codec.dumps(dup))


_store: Store | None = None


def store() -> Store:
    """The process's store, migrated on first use."""
    global _store
    if _store is None:
        _store = Store(settings.database_url)
        _store.migrate()
    return _store


async def write_with_retry(write: Callable[[], Any]) -> None:
    """Run a database write; while the database is down, wait and retry (backpressure)."""
    delay = settings.store_backoff_seconds
    attempt = 0
    while True:
        try:
            await asyncio.to_thread(write)
            return
        except TRANSIENT as exc:
            attempt += 1
            log.warning("database unavailable (attempt %d), retrying in %.1fs: %s", attempt, delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


store_channel = app.topic(
    topics.UNIQUE,
    topics.DUPLICATES,
    key_type=bytes,
    value_type=bytes,
    key_serializer="raw",
    value_serializer="raw",
)


@app.agent(store_channel)
async def store_agent(stream: faust.StreamT) -> None:
    """articles.unique and articles.duplicates -> the `articles` and `duplicates` tables."""
    async for event in stream.events():
        if event.message.topic == topics.UNIQUE:
            article = decode(TaggedArticle, event.value, settings.max_message_bytes)
            if isinstance(article, Rejection):
                await to_dlq("store", event, article)
            else:
                await write_with_retry(lambda a=article: store().upsert_articles([a]))
        else:
            dup = decode(DuplicateEvent, event.value, settings.max_message_bytes)
            if isinstance(dup, Rejection):
                await to_dlq("store", event, dup)
            else:
                await write_with_retry(lambda d=dup: store().upsert_duplicates([d]))
from streams.web import register as _register_web  # noqa: E402

_register_web(app)
