"""Every faust table of the stream, with its expiry: the dedupe state, declared in one place.

Consumes nothing itself; the dedupe agents (`streams.runtime.agents.dedupe`) read and write these
tables, and faust backs each with the changelog topic `{app_id}-{table}-changelog` (names are
fixed: renaming a table orphans its changelog).
"""

from __future__ import annotations

from typing import Any

from aiokafka.partitioner import murmur2

from streams.runtime.app import app, settings
from streams.runtime.state import DERIVED
from streams.runtime.state_readers import DiskBands, DiskExpiry, filed_bands
from streams.stages.dedupe.expiry import Expiry
from streams.stages.dedupe.messages import FiledRow
from streams.stages.dedupe.owned import OwnedBands, filed_partition, split_filed_key

ON_DISK = settings.state_store == "rocksdb"
# faust's RocksDB defaults are for one big table (64 MB write buffers): there is a database per
# table and partition here, all sharing one cache and write-buffer budget (state.py). Small
# buffers flush often and keep a partition's unflushed writes, hence recovery, short.
OPTIONS: dict[str, Any] = (
    {
        "write_buffer_size": 4 * 1024 * 1024,
        "max_write_buffer_number": 2,
        "target_file_size_base": 32 * 1024 * 1024,
    }
    if ON_DISK
    else {}
)
# The band index of `filed` is derived by the store from each row (state.py), on disk.
DERIVED["filed"] = filed_bands

# Each table's values are the JSON form of one model of `streams.stages.dedupe.messages` (the
# agents convert at their boundary; the changelogs hold that form, so it must not change).
# fingerprint -> FingerprintClaim {"id": first article id, "at": its time (epoch s)}.
fingerprints = app.Table(
    "fingerprints", default=None, partitions=settings.partitions, options=OPTIONS
)

WINDOW = settings.dedupe_window_days * 86400.0
# How long a decided article's message and answers are kept for a replay of the decision.
GRACE = 120.0


# "<bands partition>:<article id>" -> FiledRow {"sig", "at", "keys"}: the canonical articles
# filed on that partition, with the band keys each owns there; the band index itself is derived
# in memory (owned.py).
filed = app.Table("filed", default=None, partitions=settings.partitions, options=OPTIONS)
# article id -> HeldRow {"expect": how many answers on the candidates topic, "text": its
# "article" message as JSON text, with the in-process answer}: written once; the text (a third
# of the parsed article's memory) is parsed only for the decision.
held = app.Table("held", default=None, partitions=settings.partitions, options=OPTIONS)
# article id -> PendingRow {bands partition: candidates}: the band owners' answers gathered so
# far, but the one that completes the article (decided at once; a replay gathers it again).
pending = app.Table("pending", default=None, partitions=settings.partitions, options=OPTIONS)
# article id -> Verdict {"kind", "duplicate_of", "similarity", "cluster_id"}: the verdict given,
# so that a replay repeats it.
verdicts = app.Table("verdicts", default=None, partitions=settings.partitions, options=OPTIONS)

# article id -> StoryNode (stages/dedupe/stories.py): the story owner's union-find. Written only
# while partition 0 of `warta.dedupe.links` is processed, so every row lives on partition 0.
stories = app.Table("stories", default=None, partitions=settings.partitions, options=OPTIONS)
STORY_PARTITION = 0

owned: OwnedBands | DiskBands = DiskBands(filed) if ON_DISK else OwnedBands(filed)


def keyed(key: str) -> int:
    """The partition the producer's default partitioner gives a message key (and its table row)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % settings.partitions


def _unfile(key: str, row: dict[str, Any]) -> None:
    # (memory store) The derived band index forgets what the table forgets, or it would grow without bound.
    owned.remove(*split_filed_key(key), FiledRow.from_wire(row).keys)


def _decided(key: str) -> bool:
    return key in verdicts


def _verdict_at(partition: int, key: bytes) -> float | None:
    # An article's held row, answers and verdict share its key, hence its partition.
    store: Any = verdicts.data
    at: float | None = store.written(partition, key)
    return at


# Without expiry these tables grow with every article ever seen: entries kept longer than the
# window (in ingest time) are deleted as the stream advances.
if ON_DISK:
    fingerprint_expiry: Expiry | DiskExpiry = DiskExpiry(fingerprints, WINDOW)
    verdict_expiry: Expiry | DiskExpiry = DiskExpiry(verdicts, WINDOW)
    filed_expiry: Expiry | DiskExpiry = DiskExpiry(filed, WINDOW)
    # A held article and its answers expire a grace after its verdict was written (below).
    held_expiry: Expiry | DiskExpiry = DiskExpiry(held, GRACE, due=_verdict_at)
    pending_expiry: Expiry | DiskExpiry = DiskExpiry(pending, GRACE, due=_verdict_at)
    story_expiry: Expiry | DiskExpiry = DiskExpiry(stories, WINDOW)
else:
    fingerprint_expiry = Expiry(fingerprints, WINDOW, keyed)
    verdict_expiry = Expiry(verdicts, WINDOW, keyed)
    filed_expiry = Expiry(filed, WINDOW, filed_partition, on_delete=_unfile)
    # A decided article's message and answers outlive the decision by a grace period: the
    # outcome is published by the producer after the table writes, so a crash or a rebalance in
    # between replays the decision, which must still find the article to publish it again.
    held_expiry = Expiry(held, GRACE, keyed, recovered=_decided)
    pending_expiry = Expiry(pending, GRACE, keyed, recovered=_decided)
    story_expiry = Expiry(stories, WINDOW, lambda key: STORY_PARTITION)
EXPIRIES = (
    fingerprint_expiry,
    verdict_expiry,
    filed_expiry,
    held_expiry,
    pending_expiry,
    story_expiry,
)


@app.on_partitions_revoked.connect
async def _on_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
    _forget(*args)


@app.on_partitions_assigned.connect
async def _on_assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
    # Recovery may bring a partition back with rows another worker wrote meanwhile.
    _forget(*args)


def _forget(tps: set[Any]) -> None:
    partitions = {tp.partition for tp in tps}
    owned.forget(partitions)
    for expiry in EXPIRIES:
        expiry.forget(partitions)
