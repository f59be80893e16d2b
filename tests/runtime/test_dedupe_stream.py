"""Dedupe on the stream: the stories of `warta process --dedupe`, with one and two workers.

Fed one at a time, in order: every duplicate offline is a duplicate on the stream, in the same
story, and every verdict names the story's canonical (the first of the story in the order). The
stream joins a story through any member (a copy that matches a copy of the original), where the
offline index compares with canonical articles only: that is the one allowed difference.
"""

from __future__ import annotations

import random
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.cli.io import process_line
from streams.core import topics
from streams.runtime import harness
from streams.runtime.harness import open_consumer, open_producer, run, wait_joined, worker_env
from streams.settings import Settings
from streams.stages.dedupe import DedupeIndex
from streams.stages.dedupe import variants as v
from tests.fixtures.dedupe import story

pytestmark = pytest.mark.e2e

TEASERS = ("Harga Cabai Naik Jelang Ramadan", "Jadwal Kapal Cepat Pekan Ini")


def corpus() -> list[dict[str, Any]]:
    """Our stories, their copies (chrome, trimmed, edited) and a rewrite, in a fixed order."""
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for name in ("banjir", "ferry", "kejaksaan", "pasar_murah"):
        text = story(name)
        rows.append({"id": name, "text": text})
        rows.append({"id": f"{name}-reprint", "text": v.reprint_with_chrome(text, rng, TEASERS)})
        rows.append({"id": f"{name}-trimmed", "text": v.trimmed(text, rng)})
        vocabulary = text.split()
        rows.append({"id": f"{name}-edited", "text": v.edited(text, rng, vocabulary)})
    rows.append({"id": "banjir-rewrite", "text": story("banjir_rewrite")})
    rows.append({"id": "banjir-exact", "text": story("banjir")})
    order = rows[:4] + sorted(rows[4:], key=lambda _: rng.random())
    return [{**row, "url": f"https://contoh.example/{row['id']}"} for row in order]


def verdict_of(message: dict[str, Any]) -> tuple[str | None, str | None, float]:
    if "duplicate_of" in message:
        return message["duplicate_of"], message["kind"], round(message["similarity"], 3)
    return None, None, 0.0


def offline(rows: list[dict[str, Any]]) -> dict[str, tuple[str | None, str | None, float]]:
    index = DedupeIndex()
    out = {}
    for row in rows:
        line = process_line(orjson.dumps(row), Settings(), index)
        dup = line["duplicate"]
        out[line["id"]] = (
            (dup["duplicate_of"], dup["kind"], round(dup["similarity"], 3))
            if dup
            else (None, None, 0.0)
        )
    return out


def streamed(rows: list[dict[str, Any]], workers: int, tmp: Path) -> dict[str, Any]:
    """Feed the rows in order, each after the previous one's verdict, through N workers."""
    outcomes = [topics.UNIQUE, topics.DUPLICATES, topics.DLQ]
    verdicts: dict[str, Any] = {}
    with harness.broker() as broker, ExitStack() as stack:
        db = f"sqlite:///{tmp / f'w{workers}.sqlite3'}"
        procs = [
            stack.enter_context(
                harness.worker(worker_env(broker.bootstrap, db, tmp), tmp / f"w{workers}-{n}.log")
            )
            for n in range(workers)
        ]
        # Every worker in the group with its partitions: with two, the stories are split.
        wait_joined(broker.bootstrap, workers, *procs)
        seen = run(feed_one_by_one(broker.bootstrap, rows, outcomes))
        for topic in outcomes:
            for message in seen[topic]:
                key = str(message.get("id") or message.get("key"))
                verdicts[key] = "dead letter" if topic == topics.DLQ else verdict_of(message)
    return verdicts


async def feed_one_by_one(
    bootstrap: str, rows: list[dict[str, Any]], outcomes: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Produce each row once the previous one has an outcome; returns every outcome message."""
    producer = await open_producer(bootstrap)
    consumer = await open_consumer(bootstrap, *outcomes)
    seen: dict[str, list[dict[str, Any]]] = {t: [] for t in outcomes}
    try:
        for count, row in enumerate(rows, 1):
            await producer.send_and_wait(topics.RAW, orjson.dumps(row), key=row["id"].encode())
            deadline = time.monotonic() + 120
            while sum(len(x) for x in seen.values()) < count and time.monotonic() < deadline:
                for tp, messages in (await consumer.getmany(timeout_ms=200)).items():
                    seen[tp.topic].extend(orjson.loads(m.value) for m in messages if m.value)
    finally:
        await consumer.stop()
        await producer.stop()
    return seen


def story_of(article_id: str) -> str:
    return "banjir-rewrite" if article_id == "banjir-rewrite" else article_id.split("-")[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_verdicts_name_the_offline_stories(workers: int, tmp_path: Path) -> None:
    rows = corpus()
    expected = offline(rows)
    assert sum(1 for d in expected.values() if d[0]) >= 10, "the corpus must hold copies"
    assert expected["banjir-rewrite"][0] is None, "a rewrite with new quotes is another story"
    # The canonical of each story: its first article in the order (no dates: the raw record's
    # timestamp is the order key, and they are fed one at a time).
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(story_of(row["id"]), row["id"])
    got = streamed(rows, workers, tmp_path)
    assert got.keys() == expected.keys()
    for article_id, (of, kind, _sim) in got.items():
        canonical = first[story_of(article_id)]
        if article_id == canonical:
            assert of is None, f"{article_id} starts its story"
        else:
            assert of == canonical, f"{article_id}: {of} is not its story's canonical"
        if expected[article_id][0] is not None:
            assert of is not None, f"{article_id}: a duplicate offline"
        if expected[article_id][1] == "exact" and expected[article_id][0] == canonical:
            assert kind == "exact"
