"""PostgreSQL refuses connections for 15 s mid-stream: the store waits, nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from streams.core import topics
from streams.runtime.broker import EmbeddedBroker
from streams.store import Store
from tests.conftest import free_port
from tests.e2e import produce, run, worker_env
from tests.runtime.reliability.helpers import (
    Corpus,
    audit,
    check_exactly_once,
    copies,
    originals,
    start_worker,
    stop,
    wait_stored,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(300)]


class Proxy:
    """A TCP proxy to PostgreSQL that can be cut: open links dropped, new ones refused."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, coro: object) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)  # type: ignore[arg-type]

    def up(self) -> None:
        self._call(self._listen())

    def cut(self) -> None:
        self._call(self._cut())

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    name = f"warta_outage_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with admin.begin() as c:
        c.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def test_database_outage_applies_backpressure(
    postgres_url: str, schema: str, tmp_path: Path
) -> None:
    corpus, later = Corpus(), Corpus()
    stories = originals(corpus, "o", 250, seed=21)
    # Copies travel once their originals are decided (docs/dedupe.md, Limits).
    copies(later, corpus, stories[:50], "oc", seed=22)
    expected = corpus.ids | later.ids
    proxy = Proxy(("127.0.0.1", 5432))
    proxy.up()
    path = postgres_url.rsplit("@", 1)[1].split("/", 1)[1]
    user = postgres_url.split("://", 1)[1].rsplit("@", 1)[0]
    options = f"?options=-csearch_path%3D{schema}"
    via_proxy = f"postgresql://{user}@127.0.0.1:{proxy.port}/{path}{options}"
    direct = Store(postgres_url + options)
    log = tmp_path / "worker.log"
    with EmbeddedBroker("127.0.0.1", free_port()) as broker:
        env = worker_env(broker.bootstrap, via_proxy, tmp_path, WARTA_STORE_BACKOFF_SECONDS="0.5")
        proc = start_worker(env, log)
        try:
            run(produce(broker.bootstrap, topics.RAW, corpus.messages))
            assert wait_stored(direct, 40, 150, proc) >= 40, log.read_text()[-3000:]
            proxy.cut()
            cut_at = wait_stored(direct, 0, 0, proc)
            time.sleep(15)
            during = wait_stored(direct, 0, 0, proc)
            proxy.up()
            assert wait_stored(direct, len(corpus.ids), 150, proc) == len(corpus.ids), (
                log.read_text(errors="replace")[-3000:]
            )
            run(produce(broker.bootstrap, topics.RAW, later.messages))
            wait_stored(direct, len(expected), 150, proc)
            result = audit(direct, broker.bootstrap, expected)
        finally:
            stop(proc)
            direct.close()
    assert during <= cut_at + 1  # nothing reached the database while it was away
    check_exactly_once(result, expected, corpus)
    check_exactly_once(result, expected, later)
    assert not result.dead, result.dead
    assert "database down" in log.read_text(errors="replace")
