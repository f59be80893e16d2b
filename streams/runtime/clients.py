"""Plain Kafka clients for the command line: a producer of raw articles, a follower of topics.

The CLI's `produce`, `tail` and `run` use these, so that only the runtime imports aiokafka; the
runtime's own readers (lag, dead letters, the dashboard feed) share `refresh_metadata`.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.settings import Settings


def producer(settings: Settings) -> AIOKafkaProducer:
    """A producer that waits for every replica and takes messages up to the size limit."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        max_request_size=settings.max_message_bytes + 64 * 1024,
        acks="all",
    )


def follower(settings: Settings, *topics: str, from_beginning: bool) -> AIOKafkaConsumer:
    """A consumer outside any group that reads `topics` from their start or from now on."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.bootstrap_servers,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
    )


def reader(bootstrap: str, max_fetch: int) -> AIOKafkaConsumer:
    """A consumer outside any group that assigns partitions itself and commits nothing."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=max_fetch,
    )


async def refresh_metadata(consumer: AIOKafkaConsumer) -> None:
    """Fetch the cluster's metadata now, so that the consumer knows every topic's partitions.

    A consumer that subscribes to nothing learns about a topic only when it needs it; readers that
    assign partitions themselves must ask first, and aiokafka has no public call for it.
    """
    await consumer._client.force_metadata_update()  # noqa: SLF001
