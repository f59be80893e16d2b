"""Dead letters for operators: read articles.dlq from the beginning, and redrive them to raw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import ValidationError

from schemas import DeadLetter, codec
from streams.core import topics
from streams.core.deadletter import original_payload


@dataclass(frozen=True)
class Letter:
    """A dead letter with where it sits in articles.dlq."""

    partition: int
    offset: int
    letter: DeadLetter


def matches(letter: DeadLetter, reason: str | None, stage: str | None) -> bool:
    """True when the letter has the reason and stage asked for (None matches any)."""
    return (reason is None or letter.reason == reason) and (stage is None or letter.stage == stage)


async def read_letters(
    bootstrap: str,
    reason: str | None = None,
    stage: str | None = None,
    max_fetch: int = 8 * 1024 * 1024,
) -> list[Letter]:
    """Every dead letter now in articles.dlq (up to its current end), oldest first per partition."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=max_fetch,
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        parts = [
            TopicPartition(topics.DLQ, p) for p in consumer.partitions_for_topic(topics.DLQ) or ()
        ]
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found: list[Letter] = []
        remaining = {tp for tp in parts if ends[tp] > await consumer.position(tp)}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=2000)
            for tp, messages in batch.items():
                for message in messages:
                    letter = _parse(message.value)
                    if letter is not None and matches(letter, reason, stage):
                        found.append(Letter(tp.partition, message.offset, letter))
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
        return found
    finally:
        await consumer.stop()


def _parse(value: bytes | None) -> DeadLetter | None:
    try:
        return codec.decode(DeadLetter, value or b"")
    except (ValueError, ValidationError):
        return None


async def redrive(
    bootstrap: str,
    letters: list[Letter],
    max_bytes: int,
    on_sent: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Send each letter's original message back to articles.raw with its original key.

    Returns (sent, skipped); a letter without a payload cannot be redriven.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=max_bytes + 64 * 1024, acks="all"
    )
    await producer.start()
    sent = skipped = 0
    try:
        for item in letters:
            payload = original_payload(item.letter)
            if payload is None:
                skipped += 1
            else:
                key = item.letter.key.encode() if item.letter.key is not None else None
                await producer.send(topics.RAW, key=key, value=payload)
                sent += 1
            if on_sent is not None:
                on_sent()
        await producer.flush()
    finally:
        await producer.stop()
    return sent, skipped
