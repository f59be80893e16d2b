"""Where refused messages go: the dead-letter topic, with the reason and the source offset."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import faust

from schemas import Rejection, codec
from streams import metrics
from streams.app import dlq_topic
from streams.dlq import dead_letter

log = logging.getLogger(__name__)

Event: TypeAlias = faust.EventT[Any]
Stream: TypeAlias = faust.StreamT[Any]


async def to_dlq(stage: str, event: Event, rejection: Rejection) -> None:
    """Send the event's original message to the dead-letter topic with the reason."""
    msg = event.message
    metrics.DEAD_LETTERS.labels(stage, rejection.reason).inc()
    metrics.MESSAGES.labels(stage, "dead_letter").inc()
    letter = dead_letter(
        stage, rejection, event.value, event.key, msg.topic, msg.partition, msg.offset
    )
    await dlq_topic.send(key=event.key, value=codec.dumps(letter))


async def each_event(
    stage: str, stream: Stream, handle: Callable[[Event], Awaitable[None]]
) -> None:
    """Run `handle` on every event; a bug or a poison message is dead-lettered, never fatal."""
    async for event in stream.events():
        try:
            await handle(event)
        except Exception as exc:  # the agent must outlive any one message
            log.exception("%s failed on %s[%s]@%s", stage, *_where(event))
            error = f"{type(exc).__name__}: {exc}"[:2000]
            await to_dlq(stage, event, Rejection(reason="internal_error", error=error))


def _where(event: Event) -> tuple[str, int, int]:
    msg = event.message
    return msg.topic, msg.partition, msg.offset
