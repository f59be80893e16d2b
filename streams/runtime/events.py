"""How an agent walks its events: one at a time, acked after its handler, refusals dead-lettered.

Consumes a faust stream and a handler per event; produces dead letters on `articles.dlq` (the
original bytes, the reason and the source topic, partition and offset) for every rejection or
exception, so that one bad message never stops an agent; a message too large to carry whole
leaves its bytes in a claim check file under the data directory (streams.core.claimcheck). The ack policy lives here too: an event
whose handler was interrupted is never committed (`withhold_ack`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import faust

from schemas import Rejection, codec
from streams.core import claimcheck
from streams.core.deadletter import dead_letter
from streams.runtime import metrics
from streams.runtime.app import settings
from streams.runtime.topics import dlq_topic

log = logging.getLogger(__name__)

# Head kept of a payload over the size limit (anything smaller is kept whole, for redrive).
KEEP_BYTES = 64 * 1024

Event: TypeAlias = faust.EventT[Any]
Stream: TypeAlias = faust.StreamT[Any]


async def to_dlq(stage: str, event: Event, rejection: Rejection) -> None:
    """Send the event's original message to the dead-letter topic with the reason."""
    msg = event.message
    metrics.DEAD_LETTERS.labels(stage, rejection.reason).inc()
    metrics.MESSAGES.labels(stage, "dead_letter").inc()
    payload = event.value
    ref: str | None = None
    truncated = payload is not None and len(payload) > settings.max_message_bytes
    if payload is not None and truncated:
        # The dead letter must fit the producer's request limit, which a too-large message
        # by definition does not: its head travels, the whole stays on disk for redrive.
        ref, kept = await _claim(payload)
        payload = payload[:KEEP_BYTES]
        rejection = rejection.model_copy(
            update={
                "error": f"{rejection.error} (payload cut to its first {KEEP_BYTES} bytes; {kept})"
            }
        )
    letter = dead_letter(stage, rejection, payload, event.key, msg.topic, msg.partition, msg.offset)
    letter = letter.model_copy(update={"payload_truncated": truncated, "payload_ref": ref})
    await dlq_topic.send(key=event.key, value=codec.dumps(letter))


async def _claim(payload: bytes) -> tuple[str | None, str]:
    """Keep the whole payload in a claim check: (its reference, what the error text says)."""
    try:
        ref = await asyncio.to_thread(
            claimcheck.keep, settings.data_dir, payload, settings.dlq_claim_days
        )
    except OSError as exc:  # a full disk must not stop the agent; redrive will refuse the letter
        log.warning("cannot keep the original of a too-large message: %s", exc)
        return None, f"the original could not be kept: {exc.strerror or exc}"
    return ref, f"the whole original is in {settings.data_dir / ref}"


async def each_event(
    stage: str, stream: Stream, handle: Callable[[Event], Awaitable[None]]
) -> None:
    """Run `handle` on every event; a bug or a poison message is dead-lettered, never fatal."""
    async for event in stream.events():
        try:
            await each_one(stage, event, handle)
        except BaseException:
            withhold_ack(event)
            raise


async def each_one(stage: str, event: Event, handle: Callable[[Event], Awaitable[None]]) -> None:
    """Run `handle` on one event; an exception dead-letters the event instead of escaping."""
    try:
        await handle(event)
    except Exception as exc:  # the agent must outlive any one message
        await crashed(stage, event, exc)


async def crashed(stage: str, event: Event, exc: Exception) -> None:
    """Dead-letter an event whose handler raised in `stage` (`internal_error`), logged."""
    log.exception("%s failed on %s[%s]@%s", stage, *_where(event), exc_info=exc)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    await to_dlq(stage, event, Rejection(reason="internal_error", error=error))


def withhold_ack(event: Event) -> None:
    """Keep an unfinished event's offset from being committed.

    faust acks the current event in a `finally` of its stream iterator, so an agent cancelled
    mid-event (SIGTERM, while the store waits for the database) would have its offset committed
    with the work undone: lost. Marked as acked here, faust's ack is a no-op, the offset stays a
    gap that no commit passes, and the message is read again by whoever owns the partition next.
    """
    event.message.acked = True
    unacked = getattr(event.app.consumer, "_unacked_messages", None)
    if unacked is not None:  # nor may it hold up `wait_empty`, which a rebalance waits on
        unacked.discard(event.message)


def _where(event: Event) -> tuple[str, int, int]:
    msg = event.message
    return msg.topic, msg.partition, msg.offset
