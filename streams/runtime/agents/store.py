"""Store sink: consumes articles.unique and articles.duplicates, writes them in batched transactions.

The write is an idempotent upsert (`streams.store`), retried while the database is down; events
are acked only after their batch is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

import faust

from schemas import DuplicateEvent, Rejection, TaggedArticle
from streams.core import topics
from streams.core.decode import decode
from streams.runtime import metrics
from streams.runtime.app import app, settings
from streams.runtime.events import Event, Stream, each_one, to_dlq, withhold_ack
from streams.runtime.topics import source
from streams.store import TRANSIENT, Store

log = logging.getLogger(__name__)


_store: Store | None = None


def use_store(replacement: Store | None) -> None:
    """Make the store agent write to `replacement` (a test's database); None: the settings' again."""
    global _store
    _store = replacement


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
        store().write(list(articles.values()), list(dups.values()))

    await write_with_retry(write)
    metrics.MESSAGES.labels("store", "ok").inc(len(articles) + len(dups))
    # After the write: a batch that fails is written again one event at a time, and its
    # refused events would otherwise be dead-lettered twice.
    for event, rejection in refused:
        await to_dlq("store", event, rejection)


@app.agent(source("store"))
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
