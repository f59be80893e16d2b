"""Dead letters on the real embedded broker: list them from the beginning, redrive to raw."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer

from schemas import Rejection, codec
from streams.core import topics
from streams.core.deadletter import dead_letter
from streams.runtime.broker import ensure_topics
from streams.runtime.dlq import read_letters, redrive
from streams.runtime.harness import produce

pytestmark = pytest.mark.e2e


async def _raw_after(bootstrap: str, count: int) -> list[tuple[bytes | None, bytes]]:
    consumer = AIOKafkaConsumer(
        topics.RAW,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[bytes | None, bytes]] = []
    try:
        for _ in range(40):
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                found.extend((m.key, m.value) for m in messages if m.value)
            if len(found) >= count:
                break
    finally:
        await consumer.stop()
    return found


async def test_list_and_redrive_by_reason(embedded_broker: str) -> None:
    await ensure_topics(embedded_broker, [topics.RAW, topics.DLQ], 2, 1)
    bad = b'{"text": "   "}'
    binary = b"\xff\xfe bukan utf-8"
    letters = [
        dead_letter(
            "clean", Rejection(reason="no_content", error="kosong"), bad, b"k1", topics.RAW, 0, 1
        ),
        dead_letter(
            "clean",
            Rejection(reason="invalid_json", error="rusak"),
            binary,
            b"k2",
            topics.RAW,
            1,
            4,
        ),
        dead_letter(
            "clean", Rejection(reason="no_content", error="kosong"), bad, b"k3", topics.RAW, 0, 2
        ),
    ]
    await produce(
        embedded_broker, topics.DLQ, [(str(x.key).encode(), codec.dumps(x)) for x in letters]
    )
    await produce(embedded_broker, topics.DLQ, [(None, b"not a dead letter")])

    found = await read_letters(embedded_broker)
    assert sorted(item.letter.key or "" for item in found) == ["k1", "k2", "k3"]
    only = await read_letters(embedded_broker, reason="invalid_json")
    assert [item.letter.key for item in only] == ["k2"]

    sent, skipped = await redrive(
        embedded_broker, only + [i for i in found if i.letter.key == "k1"], 1 << 20
    )
    assert (sent, skipped) == (2, 0)
    raw = dict(await asyncio.wait_for(_raw_after(embedded_broker, 2), 30))
    assert raw[b"k2"] == binary  # the exact original bytes, even when they were not UTF-8
    assert raw[b"k1"] == bad


def test_dlq_commands(embedded_broker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from streams.cli import main
    from streams.settings import get_settings

    letter = dead_letter(
        "enrich", Rejection(reason="enrich_error", error="boom"), b'{"id": "x"}', b"x"
    )
    run_async = asyncio.run
    run_async(ensure_topics(embedded_broker, [topics.RAW, topics.DLQ], 2, 1))
    run_async(produce(embedded_broker, topics.DLQ, [(b"x", codec.dumps(letter))]))
    monkeypatch.setenv("WARTA_BROKER", f"kafka://{embedded_broker}")
    get_settings.cache_clear()
    try:
        listed = CliRunner().invoke(main, ["dlq", "list", "--reason", "enrich_error", "--json"])
        assert listed.exit_code == 0, listed.output
        lines = [line for line in listed.output.splitlines() if line.startswith("{")]
        assert [codec.loads(line)["key"] for line in lines] == ["x"]
        dry = CliRunner().invoke(main, ["dlq", "redrive", "--reason", "enrich_error", "--dry-run"])
        assert "would redrive 1" in dry.output
        done = CliRunner().invoke(main, ["dlq", "redrive", "--reason", "enrich_error"])
        assert done.exit_code == 0 and "redrove 1 message(s)" in done.output
    finally:
        get_settings.cache_clear()
