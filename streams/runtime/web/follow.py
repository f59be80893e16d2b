"""Follows articles.unique, articles.duplicates and articles.dlq (every partition) into a Feed."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.core import topics
from streams.runtime.clients import reader, refresh_metadata
from streams.runtime.web.feed import Feed

log = logging.getLogger(__name__)
FOLLOWED = (topics.UNIQUE, topics.DUPLICATES, topics.DLQ)
# On start, the dashboard shows this many recent messages of each partition, not the whole log.
BACKLOG = 200


async def _assign(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    await refresh_metadata(consumer)
    parts = [
        TopicPartition(name, p)
        for name in FOLLOWED
        for p in sorted(consumer.partitions_for_topic(name) or ())
    ]
    consumer.assign(parts)
    if parts:
        ends = await consumer.end_offsets(parts)
        begins = await consumer.beginning_offsets(parts)
        for tp in parts:
            consumer.seek(tp, max(begins[tp], ends[tp] - BACKLOG))
    return parts


async def follow_once(feed: Feed, bootstrap: str, max_fetch: int) -> None:
    """Read the followed topics without a consumer group (nothing is committed) until cancelled."""
    consumer = reader(bootstrap, max_fetch)
    await consumer.start()
    try:
        for _ in range(60):
            if await _assign(consumer):
                break
            await asyncio.sleep(2.0)  # the worker creates the topics at start
        while True:
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, messages in batch.items():
                for message in messages:
                    feed.add(tp.topic, message.value, message.timestamp / 1000.0)
    finally:
        await consumer.stop()


async def follow(feed: Feed, bootstrap: str, max_fetch: int) -> None:
    """follow_once, restarted after a pause whenever the broker connection fails."""
    while True:
        try:
            await follow_once(feed, bootstrap, max_fetch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the dashboard must never take the worker down
            log.warning("dashboard feed interrupted, retrying: %s", exc)
            await asyncio.sleep(5.0)
