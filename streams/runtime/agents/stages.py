"""Clean, enrich and tag in one agent: articles.raw -> articles.clean, articles.enriched, articles.tagged.

Consumes articles.raw. Each message is decoded and validated once (a RawArticle); the stage
functions of `streams.stages.pipeline` run one after the other on the models in memory, and each
result still goes to its public topic (the same bodies, keys and timestamps as when three agents
chained through the topics): the CleanArticle to articles.clean, the EnrichedArticle to
articles.enriched, the TaggedArticle to articles.tagged, where dedupe reads it. A refusal at any
stage ends the chain: the raw message goes to articles.dlq under that stage's name (`clean`,
`enrich` or `tag`), so a redrive sends back the original. Latency and message counts stay per stage.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

import faust
from pydantic import BaseModel

from schemas import CleanArticle, RawArticle, Rejection, codec
from streams.core.decode import decode
from streams.core.limits import TimeLimit, limits_of, small_enough
from streams.runtime import metrics
from streams.runtime.app import app, settings
from streams.runtime.events import Event, Stream, crashed, each_event, to_dlq
from streams.runtime.topics import clean_topic, enriched_topic, source, tagged_topic
from streams.stages.pipeline import clean_stage, enrich_stage, tag_stage
from streams.stages.tag import RuleSet, load_rules

log = logging.getLogger(__name__)

# Loaded (and validated) once at start: a bad rules file stops the worker with a clear error.
_rules: RuleSet | None = load_rules(settings.rules_path) if settings.rules_path else None

_limits = limits_of(settings)
# Extraction is the stage whose cost a page controls: it runs under a time limit (a small page
# in the event loop's own thread, a large one in a thread of its own: streams/core/limits.py).
_extraction = TimeLimit(settings.stage_timeout_seconds)


async def guarded_clean(raw: RawArticle) -> CleanArticle | Rejection:
    """Clean under the time limit: one page cannot stall its partition."""
    small = small_enough(raw.html, raw.text)
    article = await _extraction.run(partial(clean_stage, limits=_limits), raw, inline=small)
    if not isinstance(article, Rejection):
        # Fill rates and chrome left, per source: how operators see a site change its template.
        metrics.observe_clean(article)
    return article


class _Chain:
    """One raw event through the three stages; `stage` is the one running (for a crash)."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.stage = "clean"
        self.started = time.perf_counter()

    def enter(self, stage: str) -> None:
        """`stage` starts now."""
        self.stage, self.started = stage, time.perf_counter()

    async def passed(self, result: BaseModel | Rejection, sink: faust.TopicT) -> bool:
        """Count the stage; send its result on (True), or dead-letter the raw message (False)."""
        stage, event = self.stage, self.event
        metrics.LATENCY.labels(stage).observe(time.perf_counter() - self.started)
        if isinstance(result, Rejection):
            await to_dlq(stage, event, result)
            return False
        metrics.MESSAGES.labels(stage, "ok").inc()
        key = getattr(result, "id", None)
        # The raw record's timestamp goes on with the article: dedupe orders articles without a
        # date by it, and it must be the same on every replay.
        await sink.send(
            key=key.encode() if key else event.key,
            value=codec.dumps(result),
            timestamp=event.message.timestamp,
        )
        return True


async def handle(event: Event) -> None:
    """Decode one raw message, then clean, enrich and tag it, publishing each result.

    A handler that raises (a bug: the stage functions turn their own errors into rejections)
    dead-letters the raw message as `internal_error` of the stage that was running.
    """
    chain = _Chain(event)
    try:
        await _chain(chain)
    except Exception as exc:  # the agent must outlive any one message
        await crashed(chain.stage, event, exc)
    await give_way()


# Turns given to the rest of the worker after each article, at most; and a turn shorter than
# BUSY_SECONDS means nothing else had work, so the stages agent goes on.
TURNS = 32
BUSY_SECONDS = 0.0001


async def give_way() -> None:
    """Let the later stages, the fetcher and the producer run before the next raw article.

    Nothing in `handle` need suspend (a small page is cleaned inline, a send only queues, the
    next raw event is already in memory): without these turns the agent would run its whole
    buffer of raw articles before anything else ran, and under a backlog the articles already
    past clean would wait for it. A hop of a later stage takes several turns of the event loop
    (delivery, the agent, the producer), so turns are given while the others use them, and while
    table writes wait in faust's producer buffer (past 100 of them faust delivers nothing).
    """
    changelog = app.producer.buffer  # table writes waiting: past 100, faust stops all delivery
    for _ in range(TURNS):
        started = time.perf_counter()
        await asyncio.sleep(0)
        if time.perf_counter() - started < BUSY_SECONDS and not changelog.size:
            return


async def _chain(chain: _Chain) -> None:
    raw = decode(RawArticle, chain.event.value, settings.max_message_bytes)
    chain.enter("clean")
    cleaned = await guarded_clean(raw) if not isinstance(raw, Rejection) else raw
    if not await chain.passed(cleaned, clean_topic) or isinstance(cleaned, Rejection):
        return
    chain.enter("enrich")
    enriched = enrich_stage(cleaned)
    if not await chain.passed(enriched, enriched_topic) or isinstance(enriched, Rejection):
        return
    chain.enter("tag")
    await chain.passed(tag_stage(enriched, _rules), tagged_topic)


@app.agent(source("stages"))
async def stages_agent(stream: Stream) -> None:
    """articles.raw -> articles.clean, articles.enriched and articles.tagged."""
    await each_event("clean", stream, handle)
