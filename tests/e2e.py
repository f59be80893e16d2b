"""Helpers for end-to-end tests: real worker processes on the real embedded broker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas import codec
from streams.runtime.broker import terminate
from tests.conftest import ROOT, free_port


def worker_env(bootstrap: str, database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker process bound to this test's broker and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        WARTA_BROKER=f"kafka://{bootstrap}",
        WARTA_DATABASE_URL=database_url,
        WARTA_WEB_PORT=str(free_port()),
        WARTA_DATA_DIR=str(data_dir),
        WARTA_LOG_LEVEL="warning",
    )
    env.update(extra)
    return env


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `warta worker` process, stopped with SIGTERM (then SIGKILL) when the block ends."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        finally:
            terminate(proc)


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
    """Send (key, value) pairs as an outside client would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=8 * 1024 * 1024)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, key=key, value=value)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str,
    topics: list[str],
    done: Callable[[dict[str, list[dict[str, Any]]]], bool],
    within: float = 120.0,
) -> dict[str, list[dict[str, Any]]]:
    """Read `topics` from the beginning until `done(seen)` or `within` seconds pass."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    seen: dict[str, list[dict[str, Any]]] = {t: [] for t in topics}
    await consumer.start()
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline and not done(seen):
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                seen[tp.topic].extend(codec.loads(m.value) for m in messages if m.value)
    finally:
        await consumer.stop()
    return seen


def wait_for(check: Callable[[], bool], timeout: float = 60.0, every: float = 0.5) -> bool:
    """Poll `check` until it is true or the timeout passes; a database not ready yet is false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _safely(check):
            return True
        time.sleep(every)
    return _safely(check)


def _safely(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except sa.exc.OperationalError:  # the worker has not created the tables yet
        return False


def run(coro: Any) -> Any:
    """Run a coroutine from a synchronous test."""
    return asyncio.run(coro)
