"""The on-disk store's indexes: rows in, the time index and the band index out, kept by every write.

A real RocksDB store (`streams.runtime.state.IndexedStore`) of a faust app of its own, in a temporary
directory; rows arrive as changelog records do on recovery, since that path must rebuild both
indexes without a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
import orjson
import pytest
from faust.types import TP

from schemas import codec
from streams.runtime import state
from streams.runtime.state import IndexedStore
from streams.runtime.state_readers import RECHECK, DiskBands, DiskExpiry, filed_bands
from streams.stages.dedupe.messages import FiledRow


class Table:
    """What the store's readers use of a faust table: the store, membership and deletion."""

    def __init__(self, store: IndexedStore) -> None:
        self.data = store

    def __contains__(self, key: str) -> bool:
        return key in self.data  # faust's store encodes the key as the table does

    def __delitem__(self, key: str) -> None:
        del self.data[key]


@pytest.fixture
def filed(tmp_path: Path) -> Iterator[Table]:
    state.register()
    state.DERIVED.setdefault("filed", filed_bands)
    app = faust.App("state-test", store=f"{state.SCHEME}://", datadir=tmp_path)
    store = app.Table("filed", partitions=2).data
    assert isinstance(store, IndexedStore)
    yield Table(store)
    store.reset_state()


def record(partition: int, offset: int, key: str, value: Any, at: float) -> Any:
    """A changelog record as faust hands it to the store on recovery."""
    tp = TP("warta-filed-changelog", partition)
    message = SimpleNamespace(
        tp=tp,
        partition=partition,
        offset=offset,
        timestamp=at,
        key=stored(key),
        value=None if value is None else codec.dumps(value),
    )
    return SimpleNamespace(message=message)


def stored(key: str) -> bytes:
    """A table key as the store holds it (JSON text)."""
    return orjson.dumps(key)


def row(keys: list[str], at: float = 1.0) -> dict[str, Any]:
    return FiledRow(sig="c2ln", at=at, keys=tuple(keys)).to_wire()


def apply(table: Table, *records: Any) -> None:
    table.data.apply_changelog_batch(records, lambda k: k, lambda v: v)


def test_recovered_rows_are_found_under_their_band_keys(filed: Table) -> None:
    apply(
        filed,
        record(0, 0, "0:a", row(["b1", "b2"]), 100.0),
        record(0, 1, "0:b", row(["b2"]), 200.0),
        record(1, 0, "1:c", row(["b1"]), 150.0),
    )
    bands = DiskBands(filed)
    assert bands.ids(0, "b2") == ("a", "b")  # oldest first
    assert bands.ids(1, "b1") == ("c",)  # partitions apart
    found = {entry.id for entry in bands.lookup(0, ["b1", "b2"], "a")}
    assert found == {"b"}  # never the asking article itself


def test_a_rewrite_moves_a_row_to_its_new_keys_and_a_tombstone_removes_it(filed: Table) -> None:
    apply(filed, record(0, 0, "0:a", row(["b1"]), 100.0), record(0, 1, "0:b", row(["b1"]), 110.0))
    apply(filed, record(0, 2, "0:a", row(["b9"]), 120.0), record(0, 3, "0:b", None, 130.0))
    bands = DiskBands(filed)
    assert bands.ids(0, "b1") == ()
    assert bands.ids(0, "b9") == ("a",)
    assert [key for _, key in filed.data.oldest(0, 10)] == [stored("0:a")]


def test_the_persisted_offset_follows_the_records(filed: Table) -> None:
    apply(filed, record(1, 7, "1:a", row(["b"]), 1.0), record(1, 9, "1:b", row(["b"]), 2.0))
    tp = TP("warta-filed-changelog", 1)
    assert filed.data.persisted_offset(tp) == 9


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_expiry_deletes_rows_older_than_the_window_with_their_band_entries(filed: Table) -> None:
    apply(filed, *(record(0, i, f"0:{i}", row([f"b{i % 2}"]), 100.0 + i) for i in range(6)))
    clock = Clock(100.0 + 10.0 + 2.5)  # a window of 10 s: rows written at 100, 101, 102 are due
    expiry = DiskExpiry(filed, 10.0, clock)
    assert expiry.sweep(0) == 3
    assert DiskBands(filed).ids(0, "b0") == ("4",)
    assert next(key for _, key in filed.data.oldest(0, 10)) == stored("0:3")


def test_a_sweep_rests_until_the_oldest_row_falls_due(filed: Table) -> None:
    apply(filed, record(0, 0, "0:a", row(["b"]), 100.0))
    clock = Clock(105.0)
    expiry = DiskExpiry(filed, 10.0, clock)
    assert expiry.sweep(0) == 0  # "a" falls due at 110: the next look is RECHECK away
    apply(filed, record(0, 1, "0:old", row(["b"]), 50.0))  # an older row arrives, due at once
    clock.now = 105.0 + RECHECK / 2
    assert expiry.sweep(0) == 0  # resting
    clock.now = 105.0 + RECHECK + 0.1
    assert expiry.sweep(0) == 1
    assert DiskBands(filed).ids(0, "b") == ("a",)


def test_rows_not_due_by_their_event_are_looked_at_again_later(filed: Table) -> None:
    apply(filed, record(0, 0, "0:a", row(["b"]), 100.0))
    verdict: dict[bytes, float | None] = {stored("0:a"): None}
    clock = Clock(200.0)
    expiry = DiskExpiry(filed, 10.0, clock, due=lambda p, key: verdict[key])
    assert expiry.sweep(0) == 0  # no verdict yet: kept, looked at a window from now
    assert filed.data.written(0, stored("0:a")) == 200.0
    verdict[stored("0:a")] = 205.0
    clock.now = 216.0
    expiry.forget([0])
    assert expiry.sweep(0) == 1


def test_a_band_key_keeps_its_newest_rows_in_time_order(
    filed: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "MAX_PER_BAND", 3)
    apply(filed, *(record(0, i, f"0:{i}", row(["hot"]), 100.0 + i) for i in range(4)))
    apply(filed, record(0, 4, "0:late", row(["hot"]), 102.5))  # recovered out of time order
    assert DiskBands(filed).ids(0, "hot") == ("2", "late", "3")


def test_a_database_of_another_index_layout_is_emptied_for_a_restore(filed: Table) -> None:
    apply(filed, record(0, 5, "0:a", row(["b"]), 100.0))
    store = filed.data
    tp = TP("warta-filed-changelog", 0)
    assert store.persisted_offset(tp) == 5
    store.db(0).delete(state.FORMAT)  # as a version before the format marker left it
    store.db(0).put(b"\0b" + b"b\0" + b"\0" * 8 + stored("0:a"), b"")  # its band entry
    store.close_partition(0)
    assert store.persisted_offset(tp) is None  # reopened empty: the changelog restores it all
    assert DiskBands(filed).ids(0, "b") == ()
    apply(filed, record(0, 5, "0:a", row(["b"]), 100.0))
    store.close_partition(0)
    assert DiskBands(filed).ids(0, "b") == ("a",)  # the current layout is kept on reopening
