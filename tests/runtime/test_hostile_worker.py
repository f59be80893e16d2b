"""Hostile input through a real worker on the embedded broker: it never dies, all is accounted for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from streams.core import topics
from streams.runtime.broker import EmbeddedBroker
from streams.store import Store
from tests.conftest import free_port
from tests.e2e import produce, run, worker_env
from tests.runtime.reliability.helpers import dead_letters, start_worker, stop, wait_stored
from tests.stages.test_hostile import TAG, articles, json_values

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
CASES = 200
LIMIT = 1024 * 1024


def _encode(case: tuple[str, Any], key: str) -> bytes:
    kind, value = case
    if kind == "bytes":
        return bytes(value)
    if kind == "article":
        return json.dumps({**value, "id": key}).encode()
    return json.dumps(value).encode()


cases = st.lists(
    st.one_of(
        st.tuples(st.just("bytes"), st.binary(max_size=200)),
        st.tuples(st.just("json"), json_values),
        st.tuples(st.just("article"), articles()),
        st.tuples(st.just("article"), articles()),
    ),
    min_size=CASES,
    max_size=CASES,
)


@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(cases)
def test_worker_survives_hostile_input(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Any]
) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    messages: list[tuple[bytes | None, bytes]] = [
        (f"h-{i}".encode(), _encode(case, f"h-{i}")) for i, case in enumerate(batch)
    ]
    messages.append((b"h-huge", b'{"text": "' + b"a" * (2 * LIMIT) + b'"}'))
    messages.append((b"h-deep", json.dumps({"id": "h-deep", "html": "<div>" * 100_000}).encode()))
    keys = {k.decode() for k, _ in messages if k}
    db = f"sqlite:///{tmp / 'warta.sqlite3'}"
    log = tmp / "worker.log"
    with EmbeddedBroker("127.0.0.1", free_port()) as broker:
        env = worker_env(broker.bootstrap, db, tmp, WARTA_MAX_MESSAGE_BYTES=str(LIMIT))
        proc = start_worker(env, log)
        store = Store(db)
        try:
            run(produce(broker.bootstrap, topics.RAW, messages))
            dead: dict[str, str] = {}
            for _ in range(60):
                dead = dead_letters(broker.bootstrap)
                if wait_stored(store, len(keys) - len(dead), 2, proc) >= len(keys) - len(dead):
                    break
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            stored = set(store.ids("articles")) | set(store.ids("duplicates"))
            texts = [(store.article(i) or {}).get("text", "") for i in store.ids("articles")]
        finally:
            stop(proc)
            store.close()
    assert stored | set(dead) == keys, sorted(keys - stored - set(dead))[:10]
    assert not stored & set(dead)
    assert all(reason for reason in dead.values())
    assert dead["h-huge"] == "too_large" and dead["h-deep"] == "pathological_html"
    assert not [t for t in texts if TAG.search(t)]
