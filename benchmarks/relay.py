"""The transport ceiling: a bare aiokafka consume -> produce relay on the embedded broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

SOURCE = "bench.relay.in"
SINK = "bench.relay.out"
MAX_REQUEST = 8 * 1024 * 1024


@dataclass(frozen=True)
class RelayFigures:
    """Messages relayed per second, one process doing both sides, as a worker does."""

    messages: int
    mean_bytes: float
    produce_per_s: float
    relay_per_s: float


async def create(bootstrap: str, names: list[str], partitions: int = 4) -> None:
    """Create topics on the broker (no error when they exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        new = [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        await admin.create_topics(new)
    except Exception:  # already there is fine; a real failure shows up in the relay
        pass
    finally:
        await admin.close()


async def preload(bootstrap: str, topic: str, payloads: list[bytes]) -> float:
    """Produce every payload (keys spread over partitions); returns messages/s."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=MAX_REQUEST, linger_ms=5, acks=1
    )
    await producer.start()
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
    consumer = AIOKafkaConsumer(
        SOURCE,
        bootstrap_servers=bootstrap,
        group_id="bench-relay",
        auto_offset_reset="earliest",
        enable_auto_commit=True,
        max_partition_fetch_bytes=MAX_REQUEST,
        fetch_max_bytes=4 * MAX_REQUEST,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=MAX_REQUEST, linger_ms=5, acks=1
    )
    await asyncio.gather(consumer.start(), producer.start())
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
        await create(bootstrap, [SOURCE, SINK])
        produced = await preload(bootstrap, SOURCE, payloads)
        rate = await relay(bootstrap, len(payloads), tick)
        mean = sum(map(len, payloads)) / max(1, len(payloads))
        return RelayFigures(len(payloads), mean, produced, rate)

    return asyncio.run(run())


async def _volumes(bootstrap: str) -> dict[str, tuple[int, int]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=MAX_REQUEST,
        fetch_max_bytes=4 * MAX_REQUEST,
    )
    await consumer.start()
    try:
        names = [t for t in await consumer.topics() if not t.startswith("bench.")]
        parts = [
            TopicPartition(t, p) for t in names for p in consumer.partitions_for_topic(t) or ()
        ]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        left = {tp for tp in parts if ends[tp] > 0}
        totals: dict[str, list[int]] = {t: [0, 0] for t in names}
        while left:
            for tp, messages in (await consumer.getmany(timeout_ms=1000)).items():
                totals[tp.topic][0] += len(messages)
                totals[tp.topic][1] += sum(
                    len(m.value or b"") + len(m.key or b"") for m in messages
                )
                if messages and messages[-1].offset + 1 >= ends[tp]:
                    left.discard(tp)
        return {t: (n, size) for t, (n, size) in totals.items() if n}
    finally:
        await consumer.stop()


def topic_volumes(bootstrap: str) -> dict[str, tuple[int, int]]:
    """(messages, bytes) written to each topic of the broker so far."""
    return asyncio.run(_volumes(bootstrap))
