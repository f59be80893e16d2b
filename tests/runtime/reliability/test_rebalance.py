"""A second worker joins mid-stream and later leaves: every message ends in exactly one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.core import topics
from streams.runtime import harness
from streams.runtime.harness import (
    READY,
    Process,
    produce,
    run,
    wait_joined,
    wait_stored,
    worker_env,
)
from streams.store import Store
from tests.runtime.reliability.helpers import (
    Corpus,
    audit,
    check_exactly_once,
    copies,
    originals,
    settled,
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
    with harness.broker() as broker:
        store = Store(db)
        first_worker = Process.warta(
            "worker", env=worker_env(broker.bootstrap, db, tmp_path), log=log_a
        )
        env_b = worker_env(broker.bootstrap, db, tmp_path, WARTA_LOG_LEVEL="info")
        second_worker = Process.warta("worker", env=env_b, log=log_b)
        try:
            first_worker.start()
            run(produce(broker.bootstrap, topics.RAW, first.messages))
            assert wait_stored(store, 100, 150, first_worker) >= 100, first_worker.tail()
            second_worker.start()
            # It leaves only after it has joined (the group has both) and has recovered its
            # tables and started (its Ready line): a stop during start-up is not a rebalance.
            wait_joined(broker.bootstrap, 2, first_worker, second_worker)
            assert second_worker.wait_logged(READY), second_worker.tail()
            wait_stored(store, len(first.ids), 150, first_worker)
            run(produce(broker.bootstrap, topics.RAW, second.messages))
            wait_stored(store, len(first.ids) + 30, 150, first_worker)
            # It leaves the group gracefully mid-stream.
            assert second_worker.stop() == 0, second_worker.tail()
            # Not asserted here: the audit below says which ids are missing and where they stopped.
            wait_stored(store, len(expected), 150, first_worker)
            result = audit(store, broker.bootstrap, expected)
            lag = settled(broker.bootstrap, 60)
        finally:
            first_worker.stop()
            second_worker.stop()
            store.close()
    check_exactly_once(result, expected, first)
    assert not any(lag.values()), f"commits stalled below these many messages: {lag}"
    check_exactly_once(result, expected, second)
    assert not result.dead
