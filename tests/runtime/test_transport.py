"""The consumer fetch wait that faust hard-codes is replaced by ours."""

from __future__ import annotations

from faust.transport.drivers import aiokafka as driver

from streams.runtime import app as _app  # importing it configures the transport
from streams.runtime.transport import fetch_wait_ms
from streams.settings import Settings


def test_fetch_wait_defaults_follow_the_broker() -> None:
    assert fetch_wait_ms(Settings(broker=None)) == 100
    assert fetch_wait_ms(Settings(broker="kafka://kafka:9092")) == 500
    assert fetch_wait_ms(Settings(broker="kafka://kafka:9092", fetch_max_wait_ms=42)) == 42


async def test_faust_driver_builds_consumers_with_our_wait() -> None:
    consumer = driver.aiokafka.AIOKafkaConsumer(
        bootstrap_servers="127.0.0.1:1", fetch_max_wait_ms=1500
    )
    try:
        assert consumer._fetch_max_wait_ms == fetch_wait_ms(_app.settings)
    finally:
        await consumer.stop()
    # every other name is aiokafka's own
    assert driver.aiokafka.TopicPartition.__module__.startswith("aiokafka")
