"""Hostile input through a real worker on the embedded broker: it never dies, all is accounted for.

Every message's outcome is known before the worker sees it: the pure stage functions give it
(`expected_outcomes`), and the worker must agree, message by message. A dead letter for a reason
other than the expected one (`internal_error`, a `*_error` of a stage that raised) fails the test.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from schemas import RawArticle, Rejection
from streams.core import topics
from streams.core.decode import decode
from streams.runtime.harness import (
    Process,
    broker,
    dead_letters,
    produce,
    run,
    wait_for,
    worker_env,
)
from streams.stages.pipeline import clean_stage, enrich_stage, tag_stage
from streams.store import Store
from tests.stages.test_hostile import INPUT_REFUSALS, LIMITS, TAG, articles, json_values

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
CASES = 200
LIMIT = 1024 * 1024
WAIT = 150.0  # seconds for the worker to account for every message


def _encode(case: tuple[str, Any], key: str) -> bytes:
    kind, value = case
    if kind == "bytes":
        return bytes(value)
    if kind == "article":
        return json.dumps({**value, "id": key}).encode()
    return json.dumps(value).encode()


def expected_outcomes(
    messages: list[tuple[bytes | None, bytes]],
) -> tuple[set[str], dict[str, str]]:
    """The ids the worker must store and the dead letters (key -> reason) it must send.

    The stages agent runs these stage functions one after the other; a dead letter carries the
    key of the raw message, whichever stage refused it.
    """
    stored: set[str] = set()
    dead: dict[str, str] = {}
    for key_bytes, value in messages:
        key = (key_bytes or b"").decode()
        raw = decode(RawArticle, value, LIMIT)
        cleaned = raw if isinstance(raw, Rejection) else clean_stage(raw, LIMITS)
        if isinstance(cleaned, Rejection):
            dead[key] = cleaned.reason
            continue
        enriched = enrich_stage(cleaned)
        tagged = enriched if isinstance(enriched, Rejection) else tag_stage(enriched)
        if isinstance(tagged, Rejection):
            dead[key] = tagged.reason
        else:
            stored.add(tagged.id)
    return stored, dead


def sample(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values drawn by Hypothesis's generator, the simplest first and diverse after.

    (One `@given` example of a list of cases is the simplest list: 200 empty messages.)
    """
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


def _well_formed(data: dict[str, Any]) -> bool:
    """An article the schema accepts: its hostile strings reach the stages."""
    return not isinstance(decode(RawArticle, json.dumps(data).encode(), LIMIT), Rejection)


def hostile_batch() -> list[tuple[str, Any]]:
    """Random bytes, any JSON, hostile articles and well-formed hostile ones, shuffled."""
    batch = [
        *(("bytes", v) for v in sample(st.binary(max_size=200), CASES // 4)),
        *(("json", v) for v in sample(json_values, CASES // 4)),
        *(("article", v) for v in sample(articles(), CASES // 4)),
        *(("article", v) for v in sample(articles().filter(_well_formed), CASES // 4)),
    ]
    random.Random(len(batch)).shuffle(batch)
    return batch


def test_worker_survives_hostile_input(tmp_path: Path) -> None:
    batch = hostile_batch()
    kinds = Counter(kind for kind, _ in batch)
    assert kinds["article"] >= CASES // 4, kinds
    assert kinds["json"] >= 10, kinds
    assert kinds["bytes"] >= 10, kinds
    tmp = tmp_path
    messages: list[tuple[bytes | None, bytes]] = [
        (f"h-{i}".encode(), _encode(case, f"h-{i}")) for i, case in enumerate(batch)
    ]
    messages.append((b"h-huge", b'{"text": "' + b"a" * (2 * LIMIT) + b'"}'))
    messages.append((b"h-deep", json.dumps({"id": "h-deep", "html": "<div>" * 100_000}).encode()))
    # The batch, for a rerun by hand of a failure (pytest keeps the last runs' tmp_path).
    (tmp / "messages.json").write_text(
        json.dumps([[k.decode(), v.decode("latin-1")] for k, v in messages if k])
    )
    want_stored, want_dead = expected_outcomes(messages)
    assert len(want_stored) >= CASES // 5, "too few articles get through to test the stages"
    # The pure path itself refuses only for input reasons (tests/stages/test_hostile.py).
    assert set(want_dead.values()) <= INPUT_REFUSALS, Counter(want_dead.values())
    assert want_dead["h-huge"] == "too_large"
    assert want_dead["h-deep"] == "pathological_html"
    db = f"sqlite:///{tmp / 'warta.sqlite3'}"
    log = tmp / "worker.log"
    with broker() as kafka:
        env = worker_env(kafka.bootstrap, db, tmp, WARTA_MAX_MESSAGE_BYTES=str(LIMIT))
        proc = Process.warta("worker", env=env, log=log).start()
        store = Store(db)
        try:
            run(produce(kafka.bootstrap, topics.RAW, messages))
            dead: dict[str, str] = {}

            def accounted() -> bool:  # every expected row and letter is there
                nonlocal dead
                dead = dead_letters(kafka.bootstrap)
                rows = len(store.ids("articles")) + len(store.ids("duplicates"))
                return rows >= len(want_stored) and len(dead) >= len(want_dead)

            wait_for(accounted, WAIT, every=0.5, alive=[proc])
            stored = set(store.ids("articles")) | set(store.ids("duplicates"))
            texts = [(store.article(i) or {}).get("text", "") for i in store.ids("articles")]
        finally:
            proc.stop()
            store.close()
    tail = log.read_text(errors="replace")[-3000:]
    crashed = {k: v for k, v in dead.items() if v.endswith("_error")}  # internal_error too
    assert not crashed, f"a stage crashed: {sorted(crashed.items())[:10]}\n{tail}"
    wrong = {k: (v, want_dead.get(k)) for k, v in dead.items() if v != want_dead.get(k)}
    assert not wrong, f"dead letters (got, expected): {sorted(wrong.items())[:10]}\n{tail}"
    missing = {k: v for k, v in want_dead.items() if k not in dead}
    assert not missing, f"dead letters never sent: {sorted(missing.items())[:10]}\n{tail}"
    assert stored == want_stored, (
        f"not stored: {sorted(want_stored - stored)[:10]}, "
        f"unexpected: {sorted(stored - want_stored)[:10]}\n{tail}"
    )
    assert not [t for t in texts if TAG.search(t)]
