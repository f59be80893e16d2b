"""Dedupe table expiry: entries kept past the window (ingest time) go, newer and rewritten stay."""

from __future__ import annotations

from typing import Any

from streams.stages.dedupe.expiry import PER_EVENT, Expiry


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_past_the_window_are_deleted_on_their_partition_only() -> None:
    table: dict[str, Any] = {}
    clock = Clock()
    expiry = Expiry(table, 10.0, lambda k: int(k[0]), clock)
    for i in range(5):
        clock.now = float(i)
        table[f"0-{i}"] = {"at": 1e9}  # publication time does not matter: ingest time does
        expiry.note(0, f"0-{i}")
    table["1-old"] = {}
    expiry.note(1, "1-old")
    clock.now = 12.5
    assert expiry.sweep(0) == 3  # written at 0, 1 and 2: older than 12.5 - 10
    assert sorted(table) == ["0-3", "0-4", "1-old"]


def test_a_rewritten_entry_lives_a_window_from_its_last_write() -> None:
    table: dict[str, Any] = {"0-a": 1}
    clock = Clock()
    expiry = Expiry(table, 10.0, lambda k: 0, clock)
    expiry.note(0, "0-a")
    clock.now = 9.0
    expiry.note(0, "0-a")
    clock.now = 15.0
    assert expiry.sweep(0) == 0
    assert "0-a" in table
    clock.now = 19.5
    assert expiry.sweep(0) == 1
    assert not table


def test_recovered_entries_are_queued_and_sweeps_are_bounded() -> None:
    table: dict[str, Any] = {f"0-{i}": 1 for i in range(100)}
    table["1-x"] = 1
    clock = Clock()
    expiry = Expiry(table, 1.0, lambda k: int(k[0]), clock)
    assert expiry.sweep(0) == 0  # recovered entries count as written now
    clock.now = 5.0
    assert expiry.sweep(0) == PER_EVENT
    while expiry.sweep(0):
        pass
    assert list(table) == ["1-x"]


def test_recovered_entries_can_be_left_alone_until_noted() -> None:
    table: dict[str, Any] = {"0-decided": 1, "0-open": 1}
    clock = Clock()
    expiry = Expiry(table, 1.0, lambda k: 0, clock, recovered=lambda k: k.endswith("decided"))
    expiry.sweep(0)
    clock.now = 5.0
    expiry.sweep(0)
    assert list(table) == ["0-open"], "an entry not due to expire outlives the window"
    expiry.note(0, "0-open")
    clock.now = 10.0
    expiry.sweep(0)
    assert not table


def test_a_forgotten_partition_is_queued_again_from_the_table() -> None:
    table: dict[str, Any] = {"0-a": 1, "1-b": 1}
    clock = Clock()
    expiry = Expiry(table, 10.0, lambda k: int(k[0]), clock)
    expiry.note(0, "0-a")
    expiry.note(1, "1-b")
    clock.now = 8.0
    expiry.forget([0])  # revoked, then assigned again: its rows may have been rewritten
    clock.now = 12.0
    assert expiry.sweep(0) == 0, "re-queued as written when its partition came back"
    assert expiry.sweep(1) == 1
    clock.now = 22.5
    assert expiry.sweep(0) == 1
    assert not table


def test_on_delete_sees_each_expired_row_before_it_goes() -> None:
    table: dict[str, Any] = {"0-a": {"keys": ["x"]}, "0-b": {"keys": ["y"]}}
    clock = Clock()
    gone: list[tuple[str, Any]] = []
    expiry = Expiry(table, 1.0, lambda k: 0, clock, on_delete=lambda k, v: gone.append((k, v)))
    expiry.sweep(0)
    clock.now = 2.0
    expiry.sweep(0)
    assert sorted(gone) == [("0-a", {"keys": ["x"]}), ("0-b", {"keys": ["y"]})]
    assert not table
