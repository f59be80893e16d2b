"""A second worker joins mid-stream and later leaves: every message ends in exactly one place."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    wait_ready,
    wait_stored,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


def test_a_worker_joins_and_leaves_mid_stream(tmp_path: Path) -> None:
    first, second = Corpus(), Corpus()
    stories = originals(first, "r", 450, seed=11)
    # Copies come once their originals are decided: a copy in flight together with its original
    # can pass as unique (docs/dedupe.md), a copy sent after it must be found across rebalances.
    copies(second, first, stories[:150], "rc", seed=12)
    expected = first.ids | second.ids
    db = f"sqlite:///{tmp_path / 'warta.sqlite3'}"
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    with EmbeddedBroker("127.0.0.1", free_port()) as broker:
        store = Store(db)
        first_worker = start_worker(worker_env(broker.bootstrap, db, tmp_path), log_a)
        second_worker = None
        try:
            run(produce(broker.bootstrap, topics.RAW, first.messages))
            reached = wait_stored(store, 100, 150, first_worker)
            assert reached >= 100, log_a.read_text()[-3000:]
            env_b = worker_env(broker.bootstrap, db, tmp_path, WARTA_LOG_LEVEL="info")
            second_worker = start_worker(env_b, log_b)
            # It leaves only after it has joined: a stop during start-up is not a rebalance.
            wait_ready(second_worker, log_b)
            wait_stored(store, len(first.ids), 150, first_worker)
            run(produce(broker.bootstrap, topics.RAW, second.messages))
            wait_stored(store, len(first.ids) + 30, 150, first_worker)
            stop(second_worker)  # leaves the group gracefully mid-stream
            assert second_worker.returncode == 0, log_b.read_text(errors="replace")[-3000:]
            # Not asserted here: the audit below says which ids are missing and where they stopped.
            wait_stored(store, len(expected), 150, first_worker)
            result = audit(store, broker.bootstrap, expected)
        finally:
            stop(first_worker)
            if second_worker is not None:
                stop(second_worker)
            store.close()
    check_exactly_once(result, expected, first)
    check_exactly_once(result, expected, second)
    assert not result.dead
