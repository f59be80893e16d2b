"""PostgreSQL refuses connections for 15 s mid-stream: the store waits, nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

import pytest

from streams.core import topics
from streams.runtime import harness
from streams.runtime.harness import (
    Process,
    free_port,
    produce,
    run,
    stored_count,
    wait_for,
    wait_stored,
    worker_env,
)
from streams.store import Store
from tests.runtime.reliability.helpers import Corpus, audit, check_exactly_once, copies, originals

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


def test_database_outage_applies_backpressure(
    postgres_url: str, pg_schema: str, tmp_path: Path
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
    options = f"?options=-csearch_path%3D{pg_schema}"
    via_proxy = f"postgresql://{user}@127.0.0.1:{proxy.port}/{path}{options}"
    direct = Store(postgres_url + options)
    log = tmp_path / "worker.log"
    with harness.broker() as broker:
        env = worker_env(broker.bootstrap, via_proxy, tmp_path, WARTA_STORE_BACKOFF_SECONDS="0.5")
        proc = Process.warta("worker", env=env, log=log)
        try:
            proc.start()
            run(produce(broker.bootstrap, topics.RAW, corpus.messages))
            assert wait_stored(direct, 40, 150, proc) >= 40, proc.tail()
            proxy.cut()
            cut_at = stored_count(direct)
            # The outage lasts until the worker has met it and backed off three times (with the
            # doubling back-off from 0.5 s, several seconds of writes refused).
            met = wait_for(
                lambda: proc.text().count("database down (attempt") >= 3, 120, 0.3, [proc]
            )
            assert met, proc.tail()
            during = stored_count(direct)
            proc.check()
            proxy.up()
            reached = wait_stored(direct, len(corpus.ids), 150, proc)
            assert reached == len(corpus.ids), proc.tail()
            run(produce(broker.bootstrap, topics.RAW, later.messages))
            wait_stored(direct, len(expected), 150, proc)
            result = audit(direct, broker.bootstrap, expected)
        finally:
            proc.stop()
            direct.close()
    assert during <= cut_at + 1  # nothing reached the database while it was away
    check_exactly_once(result, expected, corpus)
    check_exactly_once(result, expected, later)
    assert not result.dead, result.dead
    assert "database down" in log.read_text(errors="replace")
