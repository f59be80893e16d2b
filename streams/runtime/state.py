"""The stream's tables on disk: faust's RocksDB store with an expiry index and derived indexes.

Consumes the table writes of the agents (`_set`, `_del`) and the changelog records faust replays
into a partition (`apply_changelog_batch`); produces, in the same RocksDB database of the
partition and in the same write batch as the row itself:

- a time index, `\\0t<ms><key>` and `\\0a<key> -> <ms>`: when each row was last written (the clock
  for the agents' writes, the changelog record's timestamp on recovery), read by `DiskExpiry`
  (`state_readers.py`; `stages/dedupe/expiry.py` keeps the in-memory one);
- for a table with a `derive` function registered in `DERIVED` (the `filed` table: its band
  keys), one `\\0b<derived key>` entry per derived key whose value lists the rows filed under it
  (`<ms><length><key>` each, oldest first, the newest `MAX_PER_BAND` kept), read by `DiskBands`
  (`state_readers.py`). One entry per band key, not one per band key and row: a lookup is
  a point read that the bloom filter answers for the many keys with nothing filed (an iterator's
  seek per band key cost about eight times as much).

Both are rebuilt row by row with the changelog, never by a scan of the table, so a restarted
worker keeps them and one restored on an empty directory gets them with the rows. Table keys never
start with a NUL byte (ids, fingerprints, "partition:id"), so the index entries never mix with
rows; faust's iteration skips them.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import rocksdict
from faust.stores import STORES
from faust.stores.rocksdb import RocksDBOptions, Store
from faust.streams import current_event

from streams.stages.dedupe.owned import MAX_PER_BAND

SCHEME = "wartadb"
# A row's derived index keys from its key and stored value (both bytes), e.g. its band keys.
Derive = Callable[[bytes, bytes], Iterable[bytes]]
# Table name -> its derive function; tables.py registers the `filed` table's.
DERIVED: dict[str, Derive] = {}

# The layout of the indexes below; 2: one entry per derived key (1: one per derived key and row).
FORMAT = b"\0format"
FORMAT_VERSION = b"2"
TIME = b"\0t"
WRITTEN = b"\0a"
DERIVED_PREFIX = b"\0b"
_MS = struct.Struct(">Q")
_LEN = struct.Struct(">H")


def _ms(seconds: float) -> bytes:
    return _MS.pack(max(0, int(seconds * 1000)))


def derived_entry(derived: bytes) -> bytes:
    """The key of the entry listing the rows filed under one derived key (a band key's)."""
    return DERIVED_PREFIX + derived


# A derived key's rows: (stamp, row key), oldest first.
Filed = list[tuple[bytes, bytes]]


def unpack_filed(value: bytes | None) -> Filed:
    """The rows of a derived entry's value."""
    rows: Filed = []
    at = 0
    while value is not None and at < len(value):
        size = _LEN.unpack_from(value, at + 8)[0]
        rows.append((value[at : at + 8], value[at + 10 : at + 10 + size]))
        at += 10 + size
    return rows


def pack_filed(rows: Filed) -> bytes:
    """A derived entry's value: the newest `MAX_PER_BAND` rows, oldest first."""
    return b"".join(stamp + _LEN.pack(len(key)) + key for stamp, key in rows[-MAX_PER_BAND:])


# One memory budget for all the worker's databases. faust opens one per table and partition (6
# tables x 4 or 8 partitions), each with a block cache and write buffers of its own; their sum
# grew with the partitions, not with use. Here every database shares one block cache, and their
# memtables are charged to it (RocksDB's write buffer manager): RocksDB stays near CACHE_BYTES.
CACHE_BYTES = 64 * 1024 * 1024
WRITE_BUFFER_BYTES = 32 * 1024 * 1024
BLOOM_BITS = 10
_cache = rocksdict.Cache(CACHE_BYTES)
_write_buffers = rocksdict.WriteBufferManager.new_write_buffer_manager_with_cache(
    WRITE_BUFFER_BYTES, False, _cache
)


class SharedBudgetOptions(RocksDBOptions):
    """faust's RocksDB options (rocksdict) with the process-wide cache and write buffer manager."""

    def as_options(self) -> Any:
        options = rocksdict.Options(raw_mode=True)
        options.create_if_missing(True)
        options.set_max_open_files(self.max_open_files or -1)
        options.set_write_buffer_size(self.write_buffer_size)
        options.set_target_file_size_base(self.target_file_size_base)
        options.set_max_write_buffer_number(self.max_write_buffer_number)
        options.set_write_buffer_manager(_write_buffers)
        table = rocksdict.BlockBasedOptions()
        # Most reads miss (a new article's band keys, fingerprint and verdict): 10 bits per key
        # (1 % false positives; faust's default of 3 gives ~15 %, each a block read).
        table.set_bloom_filter(BLOOM_BITS, True)
        table.set_block_cache(_cache)
        # Index and filter blocks count against the budget too, not beside it per open file.
        # Partitioned, so that a lookup loads one small partition of them, not a file's whole
        # filter, once the window's filters outgrow the cache; the top levels stay pinned.
        table.set_cache_index_and_filter_blocks(True)
        table.set_index_type(rocksdict.BlockBasedIndexType.two_level_index_search())
        table.set_partition_filters(True)
        table.set_pin_top_level_index_and_filter(True)
        table.set_pin_l0_filter_and_index_blocks_in_cache(True)
        options.set_block_based_table_factory(table)
        return options


class IndexedStore(Store):
    """faust's RocksDB store whose partitions also hold the time index and derived indexes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rocksdb_options = SharedBudgetOptions(**(self.options or {}), use_rocksdict=True)
        # Partition -> a stamp at or below its oldest time entry. Rewritten rows leave deletion
        # markers at the start of the time index; seeking past them keeps a sweep from
        # stepping over every marker left since the last compaction.
        self._floor: dict[int, bytes] = {}

    def derive(self, key: bytes, value: bytes) -> Iterable[bytes]:
        fn = DERIVED.get(self.table_name)
        return fn(key, value) if fn is not None else ()

    def db(self, partition: int) -> Any:
        """The RocksDB database of a partition (opened on first use)."""
        return self._db_for_partition(partition)

    def close_partition(self, partition: int) -> None:
        """Close a partition's database; the next use opens it again."""
        db = self._dbs.pop(partition, None)
        if db is not None:
            db.close()

    def _open_for_partition(self, partition: int) -> Any:
        # A database of another layout of the indexes is emptied: without faust's offset in it,
        # the partition is restored from its changelog, indexes and all, as on a new machine.
        db = super()._open_for_partition(partition)
        version = db.get(FORMAT)
        if version != FORMAT_VERSION and (version is not None or not _empty(db)):
            db.close()
            rocksdict.Rdict.destroy(str(self.partition_path(partition)))
            db = super()._open_for_partition(partition)
        if version != FORMAT_VERSION:
            db.put(FORMAT, FORMAT_VERSION)
        return db

    def written(self, partition: int, key: bytes) -> float | None:
        """When a row of the partition was last written (epoch seconds), or None if absent."""
        stamp = self.db(partition).get(WRITTEN + key)
        return None if stamp is None else _MS.unpack(stamp)[0] / 1000.0

    def restamp(self, partition: int, key: bytes, at: float) -> None:
        """Move a row in the time index (local only: recovery stamps it from the changelog)."""
        db = self.db(partition)
        batch = rocksdict.WriteBatch(raw_mode=True)
        self._untime(db, batch, key)
        stamp = _ms(at)
        _stamp(batch, key, stamp)
        db.write(batch)
        self._lower_floor(partition, stamp)

    def _lower_floor(self, partition: int, stamp: bytes) -> None:
        floor = self._floor.get(partition)
        if floor is not None and stamp < floor:
            self._floor[partition] = stamp

    def unstamp(self, partition: int, key: bytes) -> None:
        """Take a key out of the time index."""
        db = self.db(partition)
        batch = rocksdict.WriteBatch(raw_mode=True)
        self._untime(db, batch, key)
        db.write(batch)

    def oldest(self, partition: int, limit: int) -> list[tuple[float, bytes]]:
        """Up to `limit` (written at, key) of the partition, oldest first."""
        found: list[tuple[float, bytes]] = []
        floor = self._floor.get(partition, b"")
        for entry in _prefixed(self.db(partition), TIME, TIME + floor):
            if not found:
                self._floor[partition] = entry[2:10]
            found.append((_MS.unpack(entry[2:10])[0] / 1000.0, entry[10:]))
            if len(found) >= limit:
                break
        return found

    def derived_keys(self, partition: int, derived: Iterable[bytes]) -> list[list[bytes]]:
        """For each derived key, the keys of the rows filed under it, oldest first."""
        entries = [derived_entry(d) for d in derived]
        values = self.db(partition).get(entries) if entries else []
        return [[key for _, key in unpack_filed(value)] for value in values]

    def _set(self, key: bytes, value: bytes | None) -> None:
        event = current_event()
        assert event is not None  # faust writes tables only within an event
        partition = event.message.partition
        db = self.db(partition)
        batch = rocksdict.WriteBatch(raw_mode=True)
        now = time.time()
        filed: dict[bytes, Filed] = {}
        self._write(db, batch, key, value, now, filed)
        self._file(batch, filed)
        db.write(batch)
        self._lower_floor(partition, _ms(now))
        self._key_index[key] = partition

    def _del(self, key: bytes) -> None:
        for db in list(self._dbs_for_key(key)):
            batch = rocksdict.WriteBatch(raw_mode=True)
            filed: dict[bytes, Filed] = {}
            self._write(db, batch, key, None, 0.0, filed)
            self._file(batch, filed)
            db.write(batch)

    def apply_changelog_batch(
        self,
        batch: Iterable[Any],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        # The last record of a key in the batch wins, like the rows; the index follows it.
        latest: dict[int, dict[bytes, tuple[bytes | None, float]]] = {}
        offsets: dict[Any, int] = {}
        for event in batch:
            msg = event.message
            offsets[msg.tp] = max(msg.offset, offsets.get(msg.tp, msg.offset))
            at = float(msg.timestamp or 0.0) or time.time()
            latest.setdefault(msg.partition, {})[bytes(msg.key)] = (msg.value, at)
        for partition, rows in latest.items():
            self._floor.pop(partition, None)  # recovered rows keep their own, older times
            db = self.db(partition)
            writes = rocksdict.WriteBatch(raw_mode=True)
            filed: dict[bytes, Filed] = {}
            for key, (value, at) in rows.items():
                self._write(db, writes, key, value, at, filed)
            self._file(writes, filed)
            db.write(writes)
        for tp, offset in offsets.items():
            self.set_persisted_offset(tp, offset)

    def _write(
        self,
        db: Any,
        batch: Any,
        key: bytes,
        value: bytes | None,
        at: float,
        filed: dict[bytes, Filed],
    ) -> None:
        """Put a row and its index entries into `batch`; the derived entries it changes go into
        `filed` (with those of earlier rows of the same batch), which `_file` then writes."""
        old = db.get(key)
        if old is not None:
            for derived in self.derive(key, old):
                rows = self._filed(db, filed, derived)
                rows[:] = [row for row in rows if row[1] != key]
        self._untime(db, batch, key)
        if value is None:
            batch.delete(key)
            return
        stamp = _ms(at)
        batch.put(key, value)
        _stamp(batch, key, stamp)
        for derived in self.derive(key, value):
            rows = self._filed(db, filed, derived)
            rows.append((stamp, key))
            rows.sort()  # recovery may bring rows older than those filed already

    @staticmethod
    def _filed(db: Any, filed: dict[bytes, Filed], derived: bytes) -> Filed:
        entry = derived_entry(derived)
        if entry not in filed:
            filed[entry] = unpack_filed(db.get(entry))
        return filed[entry]

    @staticmethod
    def _file(batch: Any, filed: dict[bytes, Filed]) -> None:
        for entry, rows in filed.items():
            if rows:
                batch.put(entry, pack_filed(rows))
            else:
                batch.delete(entry)

    def _untime(self, db: Any, batch: Any, key: bytes) -> None:
        stamp = db.get(WRITTEN + key)
        if stamp is not None:
            batch.delete(TIME + stamp + key)
            batch.delete(WRITTEN + key)

    def _visible_keys(self, db: Any) -> Iterator[bytes]:
        for key in super()._visible_keys(db):
            if not key.startswith(b"\0"):
                yield key

    def _visible_items(self, db: Any) -> Iterator[tuple[bytes, bytes]]:
        for key, value in super()._visible_items(db):
            if not key.startswith(b"\0"):
                yield key, value


def _stamp(batch: Any, key: bytes, stamp: bytes) -> None:
    """File a row in the time index: by time (for sweeps) and by key (to move it later)."""
    batch.put(TIME + stamp + key, b"")
    batch.put(WRITTEN + key, stamp)


def _empty(db: Any) -> bool:
    it = db.iter()
    it.seek_to_first()
    return not it.valid()


def _prefixed(db: Any, prefix: bytes, start: bytes = b"") -> Iterator[bytes]:
    it = db.iter()
    it.seek(max(prefix, start))
    while it.valid():
        entry = bytes(it.key())
        if not entry.startswith(prefix):
            return
        yield entry
        it.next()


def register() -> None:
    """Make `wartadb://` name this store for faust (`store=` of the app)."""
    STORES.aliases[SCHEME] = f"{__name__}:IndexedStore"
