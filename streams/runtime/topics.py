"""The faust topics of the app: every topic of `streams.core.topics`, as raw-bytes channels.

Stages decode and validate values themselves (`streams.core.decode`), so that a bad message is
dead-lettered with its reason instead of failing inside faust's deserializer.
"""

from __future__ import annotations

import faust

from streams.core import topics
from streams.runtime.app import app, settings


def byte_topic(name: str, internal: bool = False) -> faust.TopicT:
    """A topic of raw bytes with the configured partition count."""
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
        internal=internal,
    )


raw_topic = byte_topic(topics.RAW)
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
