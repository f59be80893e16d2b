"""Dead letters on the real embedded broker: list them from the beginning, redrive to raw."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from schemas import Rejection, codec
from streams.core import topics
from streams.core.deadletter import dead_letter
from streams.runtime import harness
from streams.runtime.broker import ensure_topics
from streams.runtime.dlq import read_letters, redrive
from streams.runtime.harness import dead_letters, produce, wait_for, worker, worker_env

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

    done = await redrive(
        embedded_broker, only + [i for i in found if i.letter.key == "k1"], 1 << 20
    )
    assert (done.sent, done.skipped, done.refused) == (2, 0, [])
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
        assert done.exit_code == 0
        assert "redrove 1 message(s)" in done.output
    finally:
        get_settings.cache_clear()


def test_an_oversized_message_is_redriven_byte_for_byte(tmp_path: Path) -> None:
    """The worker keeps a too-large message's whole bytes in a claim check; redrive sends them,
    not the 64 KiB head the dead letter carries, and then releases the claim."""
    limit = 100_000
    huge = b'{"id": "besar", "text": "' + "kabar \u00e9 ".encode() * 30_000 + b'"}'
    assert len(huge) > limit
    with harness.broker() as kafka:
        bootstrap = kafka.bootstrap
        data = tmp_path / "data"
        env = worker_env(
            bootstrap,
            f"sqlite:///{tmp_path / 'w.sqlite3'}",
            data,
            WARTA_MAX_MESSAGE_BYTES=str(limit),
        )
        with worker(env, tmp_path / "worker.log") as proc:
            asyncio.run(produce(bootstrap, topics.RAW, [(b"besar", huge)]))
            assert wait_for(lambda: "besar" in dead_letters(bootstrap), 120, 1.0, [proc])
        [item] = asyncio.run(read_letters(bootstrap, reason="too_large"))
        letter = item.letter
        assert letter.payload_truncated
        assert letter.payload_ref is not None
        assert len((letter.payload or "").encode()) <= 64 * 1024
        claim = data / letter.payload_ref
        assert claim.read_bytes() == huge

        done = asyncio.run(redrive(bootstrap, [item], limit, data_dir=data))
        assert (done.sent, done.refused) == (1, [])
        raw = asyncio.run(asyncio.wait_for(_raw_after(bootstrap, 2), 30))
        assert raw[-1] == (b"besar", huge)  # the whole original, byte for byte
        assert not claim.exists()  # released once redriven

        # Its claim is gone now: a second redrive refuses the letter rather than send the head.
        again = asyncio.run(redrive(bootstrap, [item], limit, data_dir=data))
        assert again.sent == 0
        assert len(again.refused) == 1
        assert "gone" in again.refused[0][1]


async def test_a_letter_holding_only_a_head_is_refused_never_sent(
    embedded_broker: str, tmp_path: Path
) -> None:
    await ensure_topics(embedded_broker, [topics.RAW, topics.DLQ], 2, 1)
    head = b'{"text": "' + b"a" * 100
    # As a worker before claim checks wrote it: the head only, said so in the error.
    old = dead_letter(
        "clean",
        Rejection(reason="too_large", error="too big (payload cut to its first 65536 bytes)"),
        head,
        b"kepala",
    )
    await produce(embedded_broker, topics.DLQ, [(b"kepala", codec.dumps(old))])
    [item] = [i for i in await read_letters(embedded_broker) if i.letter.key == "kepala"]
    done = await redrive(embedded_broker, [item], 1 << 20, data_dir=tmp_path)
    assert done.sent == 0
    assert [why for _, why in done.refused] == [
        "only the head of this too-large message was kept, not the whole"
    ]
