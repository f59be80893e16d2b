"""Clean, enrich and tag agents: articles.raw -> articles.clean -> articles.enriched -> articles.tagged.

Each is a thin loop around its stage function (`streams.stages.pipeline`): decode, call, send the
result on or dead-letter the refusal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

import faust
from pydantic import BaseModel

from schemas import CleanArticle, EnrichedArticle, RawArticle, Rejection, TaggedArticle, codec
from streams.core.decode import decode
from streams.core.limits import TimeLimit, limits_of
from streams.runtime import metrics
from streams.runtime.app import app, settings
from streams.runtime.events import Event, Stream, each_event, to_dlq
from streams.runtime.topics import clean_topic, enriched_topic, source, tagged_topic
from streams.stages.pipeline import clean_stage, enrich_stage, tag_stage
from streams.stages.tag import RuleSet, load_rules

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
        # The raw record's timestamp goes on with the article: dedupe orders articles without a
        # date by it, and it must be the same on every replay.
        await sink.send(
            key=key.encode() if key else event.key,
            value=codec.dumps(result),
            timestamp=event.message.timestamp,
        )

    return handle


def _tag(article: EnrichedArticle) -> TaggedArticle | Rejection:
    return tag_stage(article, _rules)


@app.agent(source("clean"))
async def clean_agent(stream: Stream) -> None:
    """articles.raw -> articles.clean."""
    handler = stage_handler("clean", RawArticle, guarded_clean, clean_topic)
    await each_event("clean", stream, handler)


@app.agent(source("enrich"))
async def enrich_agent(stream: Stream) -> None:
    """articles.clean -> articles.enriched."""
    handler = stage_handler("enrich", CleanArticle, inline(enrich_stage), enriched_topic)
    await each_event("enrich", stream, handler)


@app.agent(source("tag"))
async def tag_agent(stream: Stream) -> None:
    """articles.enriched -> articles.tagged."""
    await each_event(
        "tag", stream, stage_handler("tag", EnrichedArticle, inline(_tag), tagged_topic)
    )
