"""The faust topics of the app: every topic of `streams.core.topics`, as raw-bytes channels.

Stages decode and validate values themselves (`streams.core.decode`), so that a bad message is
dead-lettered with its reason instead of failing inside faust's deserializer.
"""

from __future__ import annotations

import faust

from streams.core import topics
from streams.runtime.app import app, settings


def byte_topic(name: str, internal: bool = False, maxsize: int | None = None) -> faust.TopicT:
    """A topic of raw bytes with the configured partition count; `maxsize`: the events its
    stream holds in memory (faust's `stream_buffer_maxsize` otherwise).

    Built as `app.topic` builds it, but with `maxsize`, which `app.topic` takes and drops."""
    topic: faust.TopicT = faust.Topic(
        app,
        topics=[name],
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
        internal=internal,
        maxsize=maxsize,
    )
    return topic


# The raw articles a worker holds in memory before its stages agent takes them, whatever the
# backlog: about a second of work on HTML pages. Past 80 % of it faust stops fetching articles.raw
# (until the buffer is down to 40 %), so under a backlog the fetches carry the later stages'
# topics, not ever more raw pages (faust's default, 4,096 events, is 500 MB of pages). Small, so
# that while faust holds every delivery back (its buffer of table writes is full) the stages agent
# cannot run far ahead of the later stages: with 128 the first article of a burst of 2,000 short
# ones was stored after 114-1,315 of them were done (eight runs), with 32 after 207-534 (three;
# tests/runtime/test_backlog.py, a shared machine). With at most `transport.POLL_RECORDS` (a fifth of it) records
# delivered per poll, the buffer never fills: a full one would stop the delivery of every topic
# until the stages agent made room.
RAW_BUFFER = 32
raw_topic = byte_topic(topics.RAW, maxsize=RAW_BUFFER)
clean_topic = byte_topic(topics.CLEAN)
enriched_topic = byte_topic(topics.ENRICHED)
tagged_topic = byte_topic(topics.TAGGED)
unique_topic = byte_topic(topics.UNIQUE)
duplicates_topic = byte_topic(topics.DUPLICATES)
dlq_topic = byte_topic(topics.DLQ)
by_fingerprint_topic = byte_topic(topics.BY_FINGERPRINT, internal=True)
bands_topic = byte_topic(topics.BANDS, internal=True)
candidates_topic = byte_topic(topics.CANDIDATES, internal=True)
links_topic = byte_topic(topics.LINKS, internal=True)


_BY_NAME = {
    name: topic
    for topic in (
        raw_topic,
        clean_topic,
        enriched_topic,
        tagged_topic,
        unique_topic,
        duplicates_topic,
        dlq_topic,
        by_fingerprint_topic,
        bands_topic,
        candidates_topic,
        links_topic,
    )
    for name in topic.topics
}


def source(agent: str) -> faust.TopicT:
    """The channel an agent consumes, as the topology in `streams.core.topics.READS` says."""
    reads = topics.READS[agent]
    if len(reads) == 1:
        return _BY_NAME[reads[0]]
    # Several topics read as one stream (the store's): created, not declared, as each exists.
    return app.topic(
        *reads, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
