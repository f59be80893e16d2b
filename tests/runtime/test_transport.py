"""The consumer fetch wait that faust hard-codes is replaced by ours; a poll fits the raw buffer."""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_driver

from streams.runtime import app as _app  # importing it configures the transport
from streams.runtime.agents.stages import stages_agent
from streams.runtime.topics import RAW_BUFFER
from streams.runtime.transport import POLL_RECORDS, fetch_wait_ms
from streams.settings import Settings

# faust's driver module re-exports aiokafka (patched by our transport) without declaring it.
driver: Any = faust_driver


def test_fetch_wait_defaults_follow_the_broker() -> None:
    assert fetch_wait_ms(Settings(broker=None)) == 100
    assert fetch_wait_ms(Settings(broker="kafka://kafka:9092")) == 500
    assert fetch_wait_ms(Settings(broker="kafka://kafka:9092", fetch_max_wait_ms=42)) == 42


async def test_faust_driver_builds_consumers_with_our_wait() -> None:
    consumer = driver.aiokafka.AIOKafkaConsumer(
        bootstrap_servers="127.0.0.1:1", fetch_max_wait_ms=1500
    )
    try:
        # aiokafka keeps the fetch wait in a private field; the patch is what sets it.
        assert consumer._fetch_max_wait_ms == fetch_wait_ms(_app.settings)  # noqa: SLF001
    finally:
        await consumer.stop()
    # every other name is aiokafka's own
    assert driver.aiokafka.TopicPartition.__module__.startswith("aiokafka")


async def test_a_poll_can_never_fill_the_raw_buffer() -> None:
    consumer = driver.aiokafka.AIOKafkaConsumer(bootstrap_servers="127.0.0.1:1")
    try:
        assert consumer._max_poll_records == POLL_RECORDS  # noqa: SLF001
    finally:
        await consumer.stop()
    queue = stages_agent.channel.queue  # the buffer the stages agent reads articles.raw from
    assert queue.maxsize == RAW_BUFFER
    # faust stops fetching a topic once its buffer passes `pressure_high_size` (80 %); the
    # records of the poll under way still go in, and must fit.
    assert queue.pressure_high_size + POLL_RECORDS <= RAW_BUFFER
