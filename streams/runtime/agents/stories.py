"""The story owner: consumes warta.dedupe.links, produces articles.unique and articles.duplicates.

One partition (0) of `warta.dedupe.links` carries every decided article with the matches it saw,
so one agent sees them in one order and keeps the stories (`streams.stages.dedupe.stories`) in the
`stories` table. It publishes each article's verdict once it is decided: unique (on
articles.unique) when it is the smallest key of its story so far, else a DuplicateEvent naming
the story's canonical. When a later link joins two stories, the members published under the
larger canonical get a DuplicateEvent with `revises` set: the correction consumers apply.
The work here is a few table lookups per article; the signatures and band lookups, the costly
part, stay spread over every partition.
"""

from __future__ import annotations

from schemas import DuplicateEvent, TaggedArticle, codec
from streams.runtime import metrics
from streams.runtime.app import app
from streams.runtime.events import Event, Stream, each_event
from streams.runtime.tables import STORY_PARTITION, stories, story_expiry
from streams.runtime.topics import duplicates_topic, source, unique_topic
from streams.stages.dedupe.messages import Link
from streams.stages.dedupe.stories import Outcome, Stories

book = Stories(stories)


@app.agent(source("story"))
async def story_agent(stream: Stream) -> None:
    """Joins decided articles into stories; publishes verdicts and corrections."""
    await each_event("dedupe", stream, _link)


async def _link(event: Event) -> None:
    link = Link.from_wire(codec.loads(event.value))
    outcomes = book.apply(link)
    for key in book.written:
        story_expiry.note(STORY_PARTITION, key)
    for outcome in outcomes:
        if outcome.is_unique and outcome.id == link.id:
            if book.is_current(link):  # never an older body, replayed after a revision
                await publish_unique(link.tagged(), outcome.revision)
        elif outcome.is_unique:
            # Restated on a replay: the article message of another member is not at hand, and
            # its unique verdict was published when it was decided (it never changes back).
            continue
        else:
            await publish_duplicate(outcome)
    story_expiry.sweep(STORY_PARTITION)


async def publish_unique(item: TaggedArticle, revision: int = 0) -> None:
    """The article starts its story (so far): it is its story's canonical."""
    metrics.MESSAGES.labels("dedupe", "unique").inc()
    unique = item.model_copy(update={"cluster_id": item.id, "revision": revision})
    await unique_topic.send(key=item.id.encode(), value=codec.dumps(unique))


async def publish_duplicate(outcome: Outcome) -> None:
    """The article belongs to the story of `outcome.canonical` (a first verdict or a correction)."""
    metrics.MESSAGES.labels("dedupe", "duplicate" if outcome.revises is None else "revised").inc()
    metrics.DUPLICATES.labels(outcome.kind).inc()
    event = DuplicateEvent(
        id=outcome.id,
        duplicate_of=outcome.canonical,
        kind="exact" if outcome.kind == "exact" else "near",
        similarity=outcome.similarity,
        cluster_id=outcome.canonical,
        title=outcome.title,
        source=outcome.source,
        url=outcome.url,
        published_at=outcome.published_at,
        revises=outcome.revises,
        revision=outcome.revision,
    )
    await duplicates_topic.send(key=outcome.id.encode(), value=codec.dumps(event))
