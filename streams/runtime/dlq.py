"""Dead letters for operators: read articles.dlq from the beginning, and redrive them to raw.

Consumes articles.dlq (and the claim check files under the data directory for letters too large
to carry whole); produces the original messages, byte for byte with their keys, on articles.raw,
and for each letter it cannot send whole, the reason it refused it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer, TopicPartition
from pydantic import ValidationError

from schemas import DeadLetter, codec
from streams.core import claimcheck, topics
from streams.core.deadletter import Unrecoverable, original_payload
from streams.runtime.clients import reader, refresh_metadata


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
    consumer = reader(bootstrap, max_fetch)
    await consumer.start()
    try:
        await refresh_metadata(consumer)
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


@dataclass
class Redriven:
    """What a redrive did: sent, skipped (no payload) and refused (original not whole), why."""

    sent: int = 0
    skipped: int = 0
    refused: list[tuple[Letter, str]] = field(default_factory=list)


async def redrive(
    bootstrap: str,
    letters: list[Letter],
    max_bytes: int,
    on_sent: Callable[[], None] | None = None,
    data_dir: Path | None = None,
) -> Redriven:
    """Send each letter's original message back to articles.raw with its original key.

    A letter without a payload is skipped; one whose original cannot be recovered whole (only
    its head was kept, or its claim check is gone) is refused, never sent truncated. Claim
    checks of the letters sent are released once the broker has them.
    """
    done = Redriven()
    originals: list[tuple[Letter, bytes]] = []
    for item in letters:
        try:
            payload = original_payload(item.letter, data_dir)
        except Unrecoverable as exc:
            done.refused.append((item, str(exc)))
            continue
        if payload is None:
            done.skipped += 1
        else:
            originals.append((item, payload))
    # A claimed original is bigger than WARTA_MAX_MESSAGE_BYTES by definition.
    largest = max((len(p) for _, p in originals), default=0)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        max_request_size=max(max_bytes, largest) + 64 * 1024,
        acks="all",
    )
    await producer.start()
    try:
        for item, payload in originals:
            key = item.letter.key.encode() if item.letter.key is not None else None
            await producer.send(topics.RAW, key=key, value=payload)
            done.sent += 1
            if on_sent is not None:
                on_sent()
        await producer.flush()
    finally:
        await producer.stop()
    for item, _ in originals:
        if item.letter.payload_ref is not None and data_dir is not None:
            claimcheck.release(data_dir, item.letter.payload_ref)
    return done
