"""Thin faust agents around the stage functions: clean, enrich, tag and store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar, cast

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
from streams import metrics, topics
from streams.app import (
    app,
    by_fingerprint_topic,
    clean_topic,
    enriched_topic,
    raw_topic,
    settings,
    tagged_topic,
)
from streams.guards import TimeLimit, limits_of
from streams.pipeline import clean_stage, decode, enrich_stage, tag_stage
from streams.sinks import Event, Stream, each_event, each_one, to_dlq, withhold_ack
from streams.store import TRANSIENT, Store
from streams.tag import RuleSet, load_rules

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)

# Loaded (and validated) once at start: a bad rules file stops the worker with a clear error.
_rules: RuleSet | None = load_rules(settings.rules_path) if settings.rules_path else None


_limits = limits_of(settings)
# Extraction is the stage whose cost a page controls: it runs under a time limit.
_extraction = TimeLimit(settings.stage_timeout_seconds)


async def guarded_clean(raw: RawArticle) -> CleanArticle | Rejection:
    """Clean under the time limit: one page cannot stall its partition."""
    article = await _extraction.run(partial(clean_stage, limits=_limits), raw)
    if not isinstance(article, Rejection):
        # Fill rates and chrome left, per source: how operators see a site change its template.
        metrics.observe_clean(article)
    return article


def inline(fn: Callable[[M], Out | Rejection]) -> Callable[[M], Awaitable[Out | Rejection]]:
    """A cheap stage function as a coroutine, run on the event loop."""

    async def run(item: M) -> Out | Rejection:
        return fn(item)

    return run


def stage_handler(
    stage: str,
    model: type[M],
    fn: Callable[[M], Awaitable[Out | Rejection]],
    sink: faust.TopicT,
) -> Callable[[Event], Awaitable[None]]:
    """Decode an event as `model`, apply `fn`, forward the result or dead-letter the refusal."""

    async def handle(event: Event) -> None:
        item = decode(model, event.value, settings.max_message_bytes)
        started = time.perf_counter()
        result = await fn(item) if not isinstance(item, Rejection) else item
        metrics.LATENCY.labels(stage).observe(time.perf_counter() - started)
        if isinstance(result, Rejection):
            await to_dlq(stage, event, result)
            return
        metrics.MESSAGES.labels(stage, "ok").inc()
        key = getattr(result, "id", None)
        await sink.send(key=key.encode() if key else event.key, value=codec.dumps(result))

    return handle


def _tag(article: EnrichedArticle) -> TaggedArticle | Rejection:
    return tag_stage(article, _rules)


@app.agent(raw_topic)
async def clean_agent(stream: Stream) -> None:
    """articles.raw -> articles.clean."""
    handler = stage_handler("clean", RawArticle, guarded_clean, clean_topic)
    await each_event("clean", stream, handler)


@app.agent(clean_topic)
async def enrich_agent(stream: Stream) -> None:
    """articles.clean -> articles.enriched."""
    handler = stage_handler("enrich", CleanArticle, inline(enrich_stage), enriched_topic)
    await each_event("enrich", stream, handler)


@app.agent(enriched_topic)
async def tag_agent(stream: Stream) -> None:
    """articles.enriched -> articles.tagged."""
    await each_event(
        "tag", stream, stage_handler("tag", EnrichedArticle, inline(_tag), tagged_topic)
    )


async def _rekey(event: Event) -> None:
    item = decode(TaggedArticle, event.value, settings.max_message_bytes)
    if isinstance(item, Rejection):
        await to_dlq("dedupe", event, item)
    else:
        await by_fingerprint_topic.send(key=item.fingerprint.encode(), value=event.value)


@app.agent(tagged_topic)
async def rekey_agent(stream: Stream) -> None:
    """articles.tagged -> the internal topic keyed by fingerprint, so that copies meet."""
    await each_event("dedupe", stream, _rekey)


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
            log.warning("database down (attempt %d), retry in %.1fs: %s", attempt, delay, exc)
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


def _store_item(event: Event) -> TaggedArticle | DuplicateEvent | Rejection:
    if event.message.topic == topics.UNIQUE:
        return decode(TaggedArticle, event.value, settings.max_message_bytes)
    return decode(DuplicateEvent, event.value, settings.max_message_bytes)


async def store_batch(events: Sequence[Event]) -> None:
    """Write a batch of unique articles and duplicate events, in one transaction per table.

    Replays put the same id twice in a batch: the last copy is kept, as an upsert would.
    """
    articles: dict[str, TaggedArticle] = {}
    dups: dict[str, DuplicateEvent] = {}
    refused: list[tuple[Event, Rejection]] = []
    for event in events:
        item = _store_item(event)
        if isinstance(item, Rejection):
            refused.append((event, item))
        elif isinstance(item, TaggedArticle):
            articles[item.id] = item
        else:
            dups[item.id] = item

    def write() -> None:
        store().upsert_articles(list(articles.values()))
        store().upsert_duplicates(list(dups.values()))

    await write_with_retry(write)
    metrics.MESSAGES.labels("store", "ok").inc(len(articles) + len(dups))
    # After the write: a batch that fails is written again one event at a time, and its
    # refused events would otherwise be dead-lettered twice.
    for event, rejection in refused:
        await to_dlq("store", event, rejection)


@app.agent(store_channel)
async def store_agent(stream: Stream) -> None:
    """articles.unique and articles.duplicates -> the `articles` and `duplicates` tables."""
    # `take_events` acks a batch only after the loop body is done with it (StreamT lacks it).
    batches = cast(faust.Stream[Any], stream).take_events(
        settings.store_batch_size, within=settings.store_batch_seconds
    )
    async for events in batches:
        try:
            await store_batch(events)
        except Exception:  # a bug or a row the database refuses: find it, write the rest
            log.exception("store batch of %d failed; writing one by one", len(events))
            for event in events:
                await each_one("store", event, lambda e: store_batch([e]))
        except BaseException:
            for event in events:
                withhold_ack(event)
            raise


# Registers the dedupe agents (exact, band owners, decisions) on the same app.
from streams import dedupe_agents  # noqa: E402, F401
from streams.web import register as _register_web  # noqa: E402

_register_web(app)
