"""The in-memory band index of a band-owning partition, derived from its `filed` rows."""

from __future__ import annotations

from typing import Any

from streams.stages.dedupe import owned
from streams.stages.dedupe.messages import CandidateEntry
from streams.stages.dedupe.owned import OwnedBands, filed_key, filed_partition


def _file(
    table: dict[str, Any], bands: OwnedBands, partition: int, article: str, keys: list[str]
) -> None:
    table[filed_key(partition, article)] = {"sig": f"sig-{article}", "at": 1.0, "keys": keys}
    bands.add(partition, article, keys)


def test_lookup_finds_other_articles_sharing_a_band_key_once() -> None:
    table: dict[str, Any] = {}
    bands = OwnedBands(table)
    _file(table, bands, 0, "a", ["00:aa", "01:bb"])
    _file(table, bands, 0, "b", ["00:aa", "01:cc"])
    _file(table, bands, 1, "c", ["00:aa"])  # another partition's index
    found = bands.lookup(0, ["00:aa", "01:bb"], "b")
    assert found == [CandidateEntry("a", "sig-a", 1.0)]
    assert [f.to_wire() for f in found] == [["a", "sig-a", 1.0]], "the answer's wire form"
    assert bands.lookup(0, ["00:zz"], "x") == []
    assert filed_partition(filed_key(12, "id:with:colons")) == 12


def test_the_index_is_rebuilt_from_the_table_after_a_rebalance() -> None:
    table: dict[str, Any] = {}
    bands = OwnedBands(table)
    _file(table, bands, 0, "a", ["00:aa"])
    # Another worker filed "b" while the partition was away; recovery brought its row back.
    table[filed_key(0, "b")] = {"sig": "sig-b", "at": 2.0, "keys": ["00:aa"]}
    assert [f.id for f in bands.lookup(0, ["00:aa"], "x")] == ["a"]
    bands.forget([0])
    assert sorted(f.id for f in bands.lookup(0, ["00:aa"], "x")) == ["a", "b"]


def test_expired_rows_are_not_answered_and_hot_keys_are_bounded(monkeypatch: Any) -> None:
    table: dict[str, Any] = {}
    bands = OwnedBands(table)
    _file(table, bands, 0, "old", ["00:aa"])
    del table[filed_key(0, "old")]  # expired from the table; the derived index lags behind
    assert bands.lookup(0, ["00:aa"], "x") == []
    monkeypatch.setattr(owned, "MAX_PER_BAND", 3)
    for i in range(5):
        _file(table, bands, 0, f"n{i}", ["00:hot"])
    assert len(bands.lookup(0, ["00:hot"], "x")) == 3


def test_a_removed_article_leaves_every_band_key_it_was_under() -> None:
    table: dict[str, Any] = {}
    bands = OwnedBands(table)
    _file(table, bands, 0, "a", ["00:aa", "01:bb"])
    _file(table, bands, 0, "b", ["00:aa"])
    bands.remove(0, "a", ["00:aa", "01:bb"])
    assert bands.partitions[0] == {"00:aa": "b"}, "no stale ids, no empty keys kept"


def test_a_rebuilt_index_keeps_filing_order_so_the_bound_drops_the_oldest(monkeypatch: Any) -> None:
    monkeypatch.setattr(owned, "MAX_PER_BAND", 2)
    table: dict[str, Any] = {}
    for i, at in enumerate([3.0, 1.0, 2.0]):
        table[filed_key(0, f"n{i}")] = {"sig": "s", "at": at, "keys": ["00:hot"]}
    bands = OwnedBands(table)
    assert bands.ids(0, "00:hot") == ("n2", "n0"), "n1 (the oldest) is dropped first"
