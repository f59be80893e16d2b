"""Consumer lag on the real embedded broker, whose end offsets stop at a record batch's start."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from streams.runtime.broker import ensure_topics
from streams.runtime.harness import run
from streams.runtime.lag import LagReader, committed_lag, group_lag

pytestmark = pytest.mark.e2e
TOPIC = "lag.test"
GROUP = "lag-test"


async def _one_batch_of_ten_then_one_done(bootstrap: str) -> None:
    """Ten records in one produce batch; the group has committed only the first."""
    await ensure_topics(bootstrap, [TOPIC], 1, 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=100)
    await producer.start()
    try:
        sent = [await producer.send(TOPIC, b"m%d" % i, partition=0) for i in range(10)]
        offsets = [(await f).offset for f in sent]
    finally:
        await producer.stop()
    assert offsets == list(range(10))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=GROUP)
    await consumer.start()
    try:
        tp = TopicPartition(TOPIC, 0)
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(1, "")})
    finally:
        await consumer.stop()


def test_lag_counts_every_record_of_the_last_batch(embedded_broker: str) -> None:
    run(_one_batch_of_ten_then_one_done(embedded_broker))
    # Nine records wait: the broker's own end offset (1) would make the lag read 0.
    assert run(group_lag(embedded_broker, GROUP, [TOPIC], last_batch=True)) == {TOPIC: 9}
    assert run(committed_lag(embedded_broker, GROUP, [TOPIC], last_batch=True)) == {TOPIC: 9}
    reader = LagReader(embedded_broker, GROUP, [TOPIC], admin=False, last_batch=True)
    assert asyncio.run(reader.read()) == {TOPIC: 9}
