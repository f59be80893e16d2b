"""The transport ceiling: a bare aiokafka consume -> produce relay on the embedded broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from streams.runtime.broker import ensure_topics
from streams.runtime.harness import batches, open_consumer, open_producer

SOURCE = "bench.relay.in"
SINK = "bench.relay.out"


@dataclass(frozen=True)
class RelayFigures:
    """Messages relayed per second, one process doing both sides, as a worker does."""

    messages: int
    mean_bytes: float
    produce_per_s: float
    relay_per_s: float


async def preload(bootstrap: str, topic: str, payloads: list[bytes]) -> float:
    """Produce every payload (keys spread over partitions); returns messages/s."""
    producer = await open_producer(bootstrap, linger_ms=5, acks=1)
    started = time.perf_counter()
    try:
        for i, value in enumerate(payloads):
            await producer.send(topic, key=f"k{i}".encode(), value=value)
        await producer.flush()
    finally:
        await producer.stop()
    return len(payloads) / (time.perf_counter() - started)


async def relay(bootstrap: str, expected: int, tick: Callable[[int], None]) -> float:
    """Consume SOURCE and produce each message to SINK until `expected` are relayed; msgs/s."""
    consumer, producer = await asyncio.gather(
        open_consumer(bootstrap, SOURCE, group_id="bench-relay", enable_auto_commit=True),
        open_producer(bootstrap, linger_ms=5, acks=1),
    )
    done, started = 0, 0.0
    try:
        while done < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            if batch and not started:
                started = time.perf_counter()
            for messages in batch.values():
                for m in messages:
                    await producer.send(SINK, key=m.key, value=m.value)
                done += len(messages)
                tick(done)
        await producer.flush()
        return expected / (time.perf_counter() - started)
    finally:
        await asyncio.gather(consumer.stop(), producer.stop())


def relay_ceiling(
    bootstrap: str, payloads: list[bytes], tick: Callable[[int], None] = lambda n: None
) -> RelayFigures:
    """Preload the payloads, then relay them all; the broker is used for nothing else."""

    async def run() -> RelayFigures:
        await ensure_topics(bootstrap, [SOURCE, SINK], 4)
        produced = await preload(bootstrap, SOURCE, payloads)
        rate = await relay(bootstrap, len(payloads), tick)
        mean = sum(map(len, payloads)) / max(1, len(payloads))
        return RelayFigures(len(payloads), mean, produced, rate)

    return asyncio.run(run())


async def _volumes(bootstrap: str) -> dict[str, tuple[int, int]]:
    consumer = await open_consumer(bootstrap)
    try:
        names = [t for t in await consumer.topics() if not t.startswith("bench.")]
    finally:
        await consumer.stop()
    totals: dict[str, tuple[int, int]] = {}
    async for batch in batches(bootstrap, names):
        for m in batch:
            n, size = totals.get(m.topic, (0, 0))
            totals[m.topic] = (n + 1, size + len(m.value or b"") + len(m.key or b""))
    return totals


def topic_volumes(bootstrap: str) -> dict[str, tuple[int, int]]:
    """(messages, bytes) written to each topic of the broker so far."""
    return asyncio.run(_volumes(bootstrap))
