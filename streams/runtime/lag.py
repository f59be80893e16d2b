"""Consumer lag of warta's group: per topic, how many messages it still holds unprocessed.

Two readings: the admin API (`group_lag`), and a plain consumer's OffsetFetch (`committed_lag`)
for brokers whose admin reply aiokafka misreads; `LagReader` falls back from one to the other.
On the embedded broker both count the records of each partition's last batch themselves
(`end_offsets`), because its own end offsets stop at that batch's first record.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.runtime.clients import refresh_metadata


async def end_offsets(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], last_batch: bool = False
) -> dict[TopicPartition, int]:
    """The offset after each partition's last record.

    With `last_batch`, the partition's last record batch is read to find it: the embedded broker
    (Tansu) answers ListOffsets with the first offset of the last batch plus one, so ten records
    produced in one batch at offsets 0-9 read as an end of 1, and a lag computed from that reads
    0 while nine of them wait (`warta run` would stop the broker with them unprocessed).
    """
    ends = dict(await consumer.end_offsets(partitions)) if partitions else {}
    pending = {tp for tp, end in ends.items() if end > 0} if last_batch else set()
    if not pending:
        return ends
    consumer.assign(sorted(pending))
    for tp in pending:
        consumer.seek(tp, ends[tp] - 1)
    deadline = asyncio.get_running_loop().time() + 10.0
    while pending and asyncio.get_running_loop().time() < deadline:
        fetched = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in fetched.items():
            if records:
                ends[tp] = max(ends[tp], records[-1].offset + 1)
                pending.discard(tp)
    return ends


async def last_record_ends(
    bootstrap: str, partitions: list[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """`end_offsets` with `last_batch` of these partitions, through a consumer of its own."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await end_offsets(consumer, [TopicPartition(t, p) for t, p in partitions], True)
        return {(tp.topic, tp.partition): end for tp, end in ends.items()}
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()


async def group_lag(
    bootstrap: str, group: str, names: list[str], last_batch: bool = False
) -> dict[str, int]:
    """Per topic: end offsets minus the group's committed offsets (uncommitted counts fully)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        partitions = [
            TopicPartition(name, p)
            for name in names
            for p in sorted(
                consumer.partitions_for_topic(name) or await _partitions(consumer, name)
            )
        ]
        # Naming the partitions avoids the all-partitions OffsetFetch form, which the embedded
        # broker answers in a shape aiokafka cannot decode.
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        ends = await end_offsets(consumer, partitions, last_batch)
        lag: dict[str, int] = dict.fromkeys(names, 0)
        for tp, end in ends.items():
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[tp.topic] += max(0, end - done)
        return lag
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
        with contextlib.suppress(Exception):
            await admin.close()


async def committed(bootstrap: str, group: str, name: str) -> int:
    """How many messages of topic `name` the group has committed as done (sum over partitions)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        found = consumer.partitions_for_topic(name) or await _partitions(consumer, name)
        partitions = [TopicPartition(name, p) for p in sorted(found)]
        offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
        return sum(max(0, meta.offset) for meta in offsets.values() if meta is not None)
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
        with contextlib.suppress(Exception):
            await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, name: str) -> set[int]:
    await refresh_metadata(consumer)
    return consumer.partitions_for_topic(name) or set()


async def committed_lag(
    bootstrap: str, group: str, names: list[str], last_batch: bool = False
) -> dict[str, int]:
    """Per topic: end offsets minus the group's committed offsets, read with a plain consumer.

    Asks the group coordinator through OffsetFetch, which the embedded broker (Tansu) answers
    in a form aiokafka reads; its admin `list_consumer_group_offsets` reply is not.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        await refresh_metadata(consumer)
        parts = [
            TopicPartition(name, p)
            for name in names
            for p in sorted(consumer.partitions_for_topic(name) or ())
        ]
        ends = await end_offsets(consumer, parts, last_batch)
        lag = dict.fromkeys(names, 0)
        for tp in parts:
            done = await consumer.committed(tp)
            lag[tp.topic] += max(0, ends[tp] - (done if done is not None and done >= 0 else 0))
        return lag
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()


class LagReader:
    """group_lag while it works; after its first failure, committed_lag from then on."""

    def __init__(
        self,
        bootstrap: str,
        group: str,
        names: list[str],
        admin: bool = True,
        last_batch: bool = False,
    ) -> None:
        self.bootstrap, self.group, self.names = bootstrap, group, names
        self.admin_ok = admin
        self.last_batch = last_batch

    async def read(self) -> dict[str, int]:
        """Lag per topic; raises when the broker cannot be reached at all."""
        if self.admin_ok:
            try:
                return await group_lag(self.bootstrap, self.group, self.names, self.last_batch)
            except Exception:
                self.admin_ok = False
        return await committed_lag(self.bootstrap, self.group, self.names, self.last_batch)
