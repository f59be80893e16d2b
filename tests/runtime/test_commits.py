"""Commits move only over finished messages: skipped, withheld and out-of-order acks hold them."""

# faust keeps its commit bookkeeping in private fields, and they are what is under test here.
# ruff: noqa: SLF001

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any
from weakref import WeakSet

import pytest
from faust.transport.drivers import aiokafka as faust_driver
from faust.types import TP, ConsumerMessage
from intervaltree import IntervalTree  # type: ignore[import-untyped]

from streams.runtime import app as _app  # importing it installs our consumer
from streams.runtime.commits import HEAL_AFTER, Consumer, committable
from streams.runtime.events import withhold_ack

TOPIC = "articles.raw"
PART = TP(TOPIC, 0)


def test_a_commit_starts_at_the_committed_offset() -> None:
    assert committable([10, 11, 12], 10) == (3, 13)
    assert committable([10, 11, 13], 10) == (2, 12)
    # the committed offset itself unfinished: nothing moves, however much follows
    assert committable([11, 12, 13], 10) is None
    # offsets acked again below it are dropped, and the run from it still counts
    assert committable([7, 8, 10, 11], 10) == (4, 12)
    assert committable([7, 8], 10) == (2, 10)
    assert committable([], 10) is None


@pytest.fixture
def consumer() -> Any:
    """Our consumer's commit bookkeeping alone: not constructed, so no thread and no loop."""
    made: Any = Consumer.__new__(Consumer)
    made.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda t: t == TOPIC))
    made._acked = defaultdict(list)
    made._acked_index = defaultdict(set)
    made._committed_offset = defaultdict(lambda: None)
    made._read_offset = defaultdict(lambda: None)
    made._unacked_messages = WeakSet()
    made._waiting_for_ack = None
    made._n_acked = 0
    made._gap = defaultdict(IntervalTree)
    made._holes = {}
    made._committed_offset[PART] = 10
    return made


def message(offset: int, *, handled: bool = True) -> ConsumerMessage:
    msg = ConsumerMessage(TOPIC, 0, offset, 0.0, 0, None, b"k", b"v", None, tp=PART)
    msg.tracked = handled  # what a stream does as it hands the message to its agent
    return msg


def test_the_app_builds_our_consumer() -> None:
    assert _app.app.conf.broker_consumer[0].scheme == "kafka"  # the transport patched below
    assert faust_driver.Transport.Consumer is Consumer


def test_an_out_of_order_ack_waits_for_the_committed_offset(consumer: Any) -> None:
    for offset in (11, 12):
        consumer.ack(message(offset))
    assert consumer._new_offset(PART) is None
    consumer.ack(message(10))
    assert consumer._new_offset(PART) == 13


def test_a_message_no_agent_took_is_never_committed_over(consumer: Any) -> None:
    # skipped in a rebalance: acked by the stream without being handed to the agent
    skipped = message(10, handled=False)
    consumer.ack(skipped)
    assert skipped.acked
    for offset in (11, 12):
        consumer.ack(message(offset))
    assert consumer._new_offset(PART) is None
    # read again after the seek back and handled: now the commit goes through
    consumer.ack(message(10))
    assert consumer._new_offset(PART) == 13


class _Event:
    def __init__(self, app: Any, msg: ConsumerMessage) -> None:
        self.app, self.message = app, msg


def test_a_withheld_message_holds_the_commit(consumer: Any) -> None:
    interrupted = message(10)
    consumer._unacked_messages.add(interrupted)
    withhold_ack(_Event(SimpleNamespace(consumer=consumer), interrupted))  # type: ignore[arg-type]
    consumer.ack(interrupted)  # faust's own ack in its iterator's `finally`: a no-op now
    for offset in (11, 12, 13):
        consumer.ack(message(offset))
    assert consumer._new_offset(PART) is None
    assert interrupted not in consumer._unacked_messages


def test_faust_alone_would_commit_over_the_unfinished_offset(consumer: Any) -> None:
    """The defect our consumer exists for; if faust fixes it, this says so."""
    faust_consumer = faust_driver.Consumer
    for offset in (11, 12):
        faust_consumer.ack(consumer, message(offset))
    assert faust_consumer._new_offset(consumer, PART) == 13


async def test_a_partition_never_committed_starts_at_the_consumers_position(consumer: Any) -> None:
    consumer._committed_offset.pop(PART)
    other = TP("articles.clean", 0)

    async def seek_to_committed() -> dict[TP, int]:
        return {}

    async def position(tp: TP) -> int:
        return 4  # where aiokafka reads next: say, the last owner's commit, not yet seen here

    consumer.seek_to_committed = seek_to_committed
    consumer.position = position
    consumer.assignment = lambda: {PART, other}
    await consumer.perform_seek()
    assert consumer._committed_offset[PART] == 4
    assert consumer._committed_offset[other] is None  # acks off: none of our business
    consumer.ack(message(5))
    assert consumer._new_offset(PART) is None
    consumer.ack(message(4))
    assert consumer._new_offset(PART) == 6


def test_a_committed_offset_stuck_behind_later_acks_is_read_again(consumer: Any) -> None:
    now = [100.0]
    consumer.clock = lambda: now[0]
    seeks: list[tuple[TP, int]] = []

    async def seek(tp: TP, offset: int) -> None:
        seeks.append((tp, offset))

    consumer.seek = seek
    consumer.app.rebalancing = False
    for offset in (11, 12):  # 10 never comes: its fetch was cut short in a rebalance
        consumer.ack(message(offset))
    assert consumer._new_offset(PART) is None
    asyncio.run(consumer.heal())
    assert seeks == []  # not yet: it may still come
    now[0] += HEAL_AFTER
    assert consumer._new_offset(PART) is None
    asyncio.run(consumer.heal())
    assert seeks == [(PART, 10)]
    asyncio.run(consumer.heal())
    assert seeks == [(PART, 10)]  # one seek per HEAL_AFTER
    consumer.ack(message(10))  # read again and handled: the commit moves, the hole is gone
    assert consumer._new_offset(PART) == 13
    now[0] += 2 * HEAL_AFTER
    asyncio.run(consumer.heal())
    assert seeks == [(PART, 10)]


def test_a_message_in_an_agents_hands_is_not_read_again(consumer: Any) -> None:
    now = [0.0]
    consumer.clock = lambda: now[0]
    consumer.seek = None  # calling it would fail the test
    consumer.app.rebalancing = False
    slow = message(10)
    consumer._unacked_messages.add(slow)  # taken by its agent, still working
    consumer.ack(message(11))  # on another stream of the same partition, say
    assert consumer._new_offset(PART) is None
    now[0] += HEAL_AFTER
    asyncio.run(consumer.heal())  # no seek: it would raise


def test_the_fetch_lets_through_an_unfinished_message_it_would_drop(
    consumer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched = [message(n) for n in (9, 10, 11, 12)]

    async def faust_getmany(self: Any, wait: float) -> AsyncIterator[tuple[TP, Any]]:
        for msg in fetched:
            yield PART, msg

    monkeypatch.setattr(faust_driver.Consumer, "getmany", faust_getmany)
    consumer.ack(message(11))  # finished before the rebalance, after the committed offset 10
    consumer._read_offset[PART] = 12  # ran ahead: 10 was delivered while the flow was stopped

    async def drain() -> list[int]:
        delivered = []
        async for tp, msg in consumer.getmany(1.0):
            if msg.offset >= consumer._read_offset[tp]:  # faust's test in its fetch loop
                delivered.append(msg.offset)
                consumer._read_offset[tp] = msg.offset
        return delivered

    # 9 is committed: still dropped; 10 is let through, and the rest follows it (11 is handled
    # again, a replay like any other: its second ack is not counted)
    assert asyncio.run(drain()) == [10, 11, 12]
    consumer._read_offset[PART] = 12
    consumer.ack(fetched[1])  # 10 finished too: nothing below 12 is let through any more
    assert asyncio.run(drain()) == [12]
