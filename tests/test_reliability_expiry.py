"""Dedupe table expiry: entries past the window go, newer and rewritten ones stay."""

from __future__ import annotations

from typing import Any

from streams.expiry import PER_EVENT, Expiry


def _at(value: Any) -> float | None:
    return float(value["at"]) if isinstance(value, dict) else None


def test_entries_past_the_window_are_deleted_on_their_partition_only() -> None:
    table: dict[str, Any] = {}
    expiry = Expiry(table, window=10.0, partition_of=lambda k: int(k[0]), time_of=_at)
    for i in range(5):
        table[f"0-{i}"] = {"at": float(i)}
        expiry.note(0, f"0-{i}", float(i))
    table["1-old"] = {"at": 0.0}
    expiry.note(1, "1-old", 0.0)
    assert expiry.sweep(0, 12.5) == 3  # 0, 1 and 2 are older than 12.5 - 10
    assert sorted(table) == ["0-3", "0-4", "1-old"]
    assert expiry.sweep(1, 5.0) == 0 and "1-old" in table


def test_a_rewritten_entry_expires_at_its_new_time() -> None:
    table: dict[str, Any] = {"0-a": {"at": 0.0}}
    expiry = Expiry(table, window=10.0, partition_of=lambda k: 0, time_of=_at)
    expiry.note(0, "0-a", 0.0)
    table["0-a"] = {"at": 9.0}
    assert expiry.sweep(0, 15.0) == 0 and "0-a" in table
    assert expiry.sweep(0, 19.5) == 1 and not table


def test_recovered_entries_are_queued_and_sweeps_are_bounded() -> None:
    table: dict[str, Any] = {f"0-{i}": {"at": 0.0} for i in range(100)}
    table["1-x"] = {"at": 0.0}
    expiry = Expiry(table, window=1.0, partition_of=lambda k: int(k[0]), time_of=_at)
    assert expiry.sweep(0, 50.0) == PER_EVENT
    while expiry.sweep(0, 50.0):
        pass
    assert list(table) == ["1-x"]
