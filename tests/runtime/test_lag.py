"""Consumer lag on the real embedded broker, whose end offsets stop at a record batch's start."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from faust.transport.drivers import aiokafka as faust_driver
from faust.types import TP

from streams.runtime.broker import ensure_topics
from streams.runtime.commits import Consumer
from streams.runtime.harness import run
from streams.runtime.lag import LagReader, committed_lag, group_lag

pytestmark = pytest.mark.e2e
TOPIC = "lag.test"
GROUP = "lag-test"


async def _one_batch_of_ten_then_one_done(bootstrap: str, topic: str = TOPIC) -> None:
    """Ten records in one produce batch; the group has committed only the first."""
    await ensure_topics(bootstrap, [topic], 1, 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=100)
    await producer.start()
    try:
        sent = [await producer.send(topic, b"m%d" % i, partition=0) for i in range(10)]
        offsets = [(await f).offset for f in sent]
    finally:
        await producer.stop()
    assert offsets == list(range(10))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=GROUP)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
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


def test_table_recovery_reads_to_the_last_record_of_the_last_batch(
    embedded_broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changelog's end as recovery sees it: the broker's word (1) would skip nine records."""
    run(_one_batch_of_ten_then_one_done(embedded_broker, "lag.changelog"))
    part = TP("lag.changelog", 0)
    told: list[TP] = []

    async def broker_word(self: Any, *tps: TP) -> dict[TP, int]:
        told.extend(tps)
        return dict.fromkeys(tps, 1)  # what the embedded broker's ListOffsets says

    monkeypatch.setattr(faust_driver.Consumer, "highwaters", broker_word)
    consumer: Any = Consumer.__new__(Consumer)
    monkeypatch.setattr(Consumer, "ends_from", embedded_broker)
    assert run(consumer.highwaters(part)) == {part: 10}
    assert told == [part]
    monkeypatch.setattr(Consumer, "ends_from", None)  # a cluster with credentials: its word
    assert run(consumer.highwaters(part)) == {part: 1}
