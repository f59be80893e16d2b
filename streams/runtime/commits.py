"""What a worker commits: only offsets whose messages an agent has finished.

Consumes the acks faust's streams give the consumer; produces the offsets it commits per source
partition. faust's consumer (0.15) loses messages in three ways, each seen or reproduced here:

- a message fetched before a rebalance and skipped after it (its generation is over, or the
  flow was suspended) is acked like a finished one, so the next commit passes it while the copy
  read again after the seek back has not been handled: a worker killed then, or a partition moved
  then, never handles it;
- the commit takes the first run of consecutive acked offsets even when it does not start at
  the committed offset (`min(acked) - committed > 1` lets one unacked message through, and with
  no committed offset yet any run goes), so an offset withheld by `events.withhold_ack` or still
  in an agent's hands is committed over;
- a jump in the offsets fetched is taken for a compacted or transactional topic's hole and
  committed over; our source topics have neither, so a jump means messages were dropped on the
  way (a fetch cut short by a rebalance), and they are read again after the next seek.

Here a commit only ever moves the committed offset over a run of offsets that starts at it and
that agents have finished; a partition with no committed offset starts at the consumer's
position. Strict commits turn those losses into stalls, and two repairs end the stalls: a message
the fetch loop would drop as already read (its read offset ran ahead while the flow was stopped)
is let through when no agent has finished or holds it, and a partition whose committed offset has
not been acked for `HEAL_AFTER` seconds while later ones were is read again from it.

The same consumer tells table recovery where each changelog ends. The embedded broker's
ListOffsets gives the first offset of a partition's last record batch, plus one: a worker taking a
partition back after a rebalance then thought its local state complete and skipped the rest of the
last batch its previous owner wrote (an article's held message or answers: never decided). The end
is read from the last batch itself (`lag.end_offsets`), on any broker that needs no credentials:
one fetch per changelog partition at a rebalance.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any, ClassVar

from aiokafka.errors import IllegalStateError
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message
from faust.types.tuples import ack_lock
from faust.utils.functional import consecutive_numbers

from streams.runtime import lag
from streams.settings import Settings

log = logging.getLogger(__name__)

# A committed offset unacked this long while later offsets of its partition are acked is read
# again: an agent handles a partition's messages in order, so nothing will ack it any more.
HEAL_AFTER = 10.0


def committable(acked: list[int], start: int) -> tuple[int, int] | None:
    """(offsets to drop from the front of sorted `acked`, new committed offset), or None.

    `start` is the committed offset, the next one to read: a commit needs `start` itself acked,
    and goes up to the end of the consecutive run from it. Offsets below `start` (acked again
    after a seek back) are dropped without moving anything.
    """
    stale = 0
    while stale < len(acked) and acked[stale] < start:
        stale += 1
    if stale == len(acked) or acked[stale] != start:
        return (stale, start) if stale else None
    run = next(consecutive_numbers(acked[stale:]))
    return stale + len(run), run[-1] + 1


class Consumer(driver.Consumer):
    """faust's aiokafka consumer, committing only what agents have finished (module docstring)."""

    #: Where to read the true changelog ends from (`install`); None: take the broker's word.
    ends_from: ClassVar[str | None] = None
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per partition: the committed offset that holds commits back, and since when.
        self._holes: dict[TP, tuple[int, float]] = {}

    async def highwaters(self, *partitions: TP) -> Mapping[TP, int]:
        """Each partition's end, read from its last record batch when a plain reader can."""
        reported = dict(await super().highwaters(*partitions))
        if self.ends_from is None or not reported:
            return reported
        try:
            ends = await lag.last_record_ends(self.ends_from, [(t, p) for t, p in reported])
        except Exception as exc:
            log.warning("changelog ends not read (%s); using the broker's", exc)
            return reported
        return {
            tp: max(end, ends.get((tp.topic, tp.partition), end)) for tp, end in reported.items()
        }

    def ack(self, message: Message) -> bool:
        """Count the ack of a message an agent handled; one that no agent took is not counted."""
        if message.tracked:
            return bool(super().ack(message))
        with ack_lock:
            # A stream marks a message tracked when it hands it to its agent; untracked, it was
            # skipped in a rebalance and will be read again from the committed offset.
            message.acked = True
            self._unacked_messages.discard(message)
        return False

    def _new_offset(self, tp: TP) -> int | None:
        acked: list[int] = self._acked[tp]
        start = self._committed_offset[tp]
        if not acked or start is None:
            return None
        acked.sort()
        step = committable(acked, start)
        drop, offset = step if step is not None else (0, start)
        self._acked_index[tp].difference_update(acked[:drop])
        del acked[:drop]
        self._note_hole(tp, start, bool(acked) and offset == start)
        return offset if offset > start else None

    def _note_hole(self, tp: TP, start: int, stuck: bool) -> None:
        if not stuck:
            self._holes.pop(tp, None)
        elif self._holes.get(tp, (None, 0.0))[0] != start:
            self._holes[tp] = (start, self.clock())

    async def commit(self, *args: Any, **kwargs: Any) -> bool:
        """Commit what is finished; then read again from a committed offset stuck too long."""
        done = bool(await super().commit(*args, **kwargs))
        if not self.app.rebalancing:
            await self.heal()
        return done

    async def heal(self) -> None:
        """Seek each partition stuck for `HEAL_AFTER` s back to its committed offset."""
        now = self.clock()
        for tp, (start, since) in list(self._holes.items()):
            if now - since < HEAL_AFTER or self._in_hand(tp, start):
                continue
            log.warning("%s: offset %d was never finished; reading again from it", tp, start)
            self._holes[tp] = (start, now)
            with contextlib.suppress(IllegalStateError):  # revoked meanwhile
                await self.seek(tp, start)

    def _in_hand(self, tp: TP, offset: int) -> bool:
        """Whether an agent holds the message at `offset` of `tp` (taken, not acked)."""
        return any(m.tp == tp and m.offset == offset for m in list(self._unacked_messages))

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:  # noqa: ASYNC109 (faust's signature)
        """faust's fetch, letting through an unfinished message it would drop as already read."""
        async for tp, message in super().getmany(timeout):
            read = self._read_offset[tp]
            if read is not None and message.offset < read and self._unfinished(message):
                self._read_offset[tp] = message.offset
            yield tp, message

    def _unfinished(self, message: Message) -> bool:
        """Not committed, not acked and not in an agent's hands: nothing will finish it."""
        tp, offset = message.tp, message.offset
        committed = self._committed_offset[tp]
        return (
            committed is not None
            and offset >= committed
            and offset not in self._acked_index[tp]
            and not self._in_hand(tp, offset)
        )

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        # Not recorded as done: the commit stops at the first missing offset until a seek back
        # (the next rebalance) reads it again.
        log.warning("offsets %d-%d of %s were not delivered", offset_from, offset_to - 1, tp)

    async def perform_seek(self) -> None:
        """Seek to the committed offsets; a partition with none starts at the consumer's position.

        The position, not the earliest offset: a partition handed over while its last owner's
        final commit was not yet readable has no committed offset here, yet aiokafka may already
        read it from that commit on, and a start below it would hold every commit back.
        """
        await super().perform_seek()
        for tp in self._acking(self.assignment()):
            if self._committed_offset[tp] is None:
                with contextlib.suppress(IllegalStateError):  # revoked meanwhile
                    position = await self.position(tp)
                    if self._committed_offset[tp] is None and position is not None:
                        self._committed_offset[tp] = position

    def _acking(self, tps: Iterable[TP]) -> list[TP]:
        enabled: Any = self.app.topics.acks_enabled_for
        return [tp for tp in tps if enabled(tp.topic)]


def install(settings: Settings) -> None:
    """Make faust's aiokafka transport build our consumer."""
    # On a cluster that needs credentials the plain reader of the ends cannot connect: faust's ends.
    plain = settings.kafka_security_protocol == "PLAINTEXT"
    Consumer.ends_from = settings.bootstrap_servers if plain else None
    driver.Transport.Consumer = Consumer
