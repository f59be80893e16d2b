"""Helpers for the fault tests: generated articles, the exactly-once audit, where ids got to.

Brokers, workers and waits come from `streams.runtime.harness`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.synthetic import WORDS
from streams.core import topics
from streams.runtime.harness import dead_letters, open_consumer, records, run, wait_for
from streams.runtime.lag import committed_lag
from streams.store import Store

PLACES = ["Sukamaju", "Karangjati", "Tanjung Wangi", "Lembah Hijau", "Pasir Putih", "Sungai Emas"]


def _story(rng: random.Random) -> str:
    place = rng.choice(PLACES)
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 16))).capitalize() + "."
        for _ in range(rng.randint(4, 6))
    ]
    return f"{place}: " + " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:])


@dataclass
class Corpus:
    """Generated messages with the copy relations the test expects to be found."""

    messages: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # copy id -> original id
    texts: dict[str, str] = field(default_factory=dict)
    days: dict[str, int] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {key.decode() for key, _ in self.messages if key}

    def add(self, article_id: str, text: str, day: int) -> None:
        self.texts[article_id] = text
        self.days[article_id] = day
        article = {
            "id": article_id,
            "url": f"https://contoh-{article_id}.example/berita/{article_id}",
            "title": text.split(".")[0][:80],
            "text": text,
            "published_at": f"2025-03-{1 + day % 28:02d}T08:00:00+07:00",
        }
        self.messages.append((article_id.encode(), orjson.dumps(article)))


def originals(corpus: Corpus, prefix: str, count: int, seed: int) -> list[str]:
    """Add `count` distinct stories; returns their ids."""
    rng = random.Random(seed)
    ids = [f"{prefix}-{i}" for i in range(count)]
    for i, article_id in enumerate(ids):
        corpus.add(article_id, _story(rng), i)
    return ids


def copies(corpus: Corpus, source: Corpus, of: list[str], prefix: str, seed: int) -> None:
    """Exact copies (same text) and near copies (one word changed) of `of`, from `source`."""
    rng = random.Random(seed)
    for i, original in enumerate(of):
        text = source.texts[original]
        if i % 3 == 2:  # near copy: one word of the last sentence changed
            head, _, tail = text.rpartition(" ")
            text = f"{head} {rng.choice(WORDS)}{tail}"
        copy_id = f"{prefix}-{i}"
        # Dated like its original: the earliest (published_at, id) of a story is its canonical,
        # and the original's id sorts first.
        corpus.add(copy_id, text, source.days[original])
        corpus.copies[copy_id] = original


def broken(corpus: Corpus, prefix: str, count: int) -> list[str]:
    """Messages that must be dead-lettered (invalid JSON, no content)."""
    ids = [f"{prefix}-{i}" for i in range(count)]
    for i, bad_id in enumerate(ids):
        value = b'{"id": "x", "text": ' if i % 2 else orjson.dumps({"id": bad_id, "title": "?"})
        corpus.messages.append((bad_id.encode(), value))
    return ids


@dataclass
class Audit:
    """Where every input id ended up."""

    articles: set[str]
    duplicates: dict[str, str]
    dead: dict[str, str]
    where: dict[str, list[str]] = field(default_factory=dict)

    def accounted(self) -> set[str]:
        return self.articles | set(self.duplicates) | set(self.dead)


def audit(store: Store, bootstrap: str, expected: set[str]) -> Audit:
    """The database's and the dead-letter topic's view of every id; where a few missing ones are."""
    dups = {d: (store.duplicate(d) or {})["duplicate_of"] for d in store.ids("duplicates")}
    result = Audit(set(store.ids("articles")), dups, dead_letters(bootstrap))
    result.where = trace(bootstrap, set(sorted(expected - result.accounted())[:5]))
    return result


TRACED = (*topics.PUBLIC, *topics.INTERNAL)


def trace(bootstrap: str, ids: set[str]) -> dict[str, list[str]]:
    """Where each of `ids` got to: topic[partition]@offset (+ dedupe message kind) of each copy,
    with the group's committed and the partition's end offset: committed past a message whose
    work is missing is a loss, committed at or before it a stall."""
    found: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        copies_at, marks = run(_read_all(bootstrap, list(TRACED), ids))
        for topic, partition, offset, article_id, op in copies_at:
            committed, end = marks[(topic, partition)]
            found[article_id].append(
                f"{topic}{':' + op if op else ''}[{partition}]@{offset} "
                f"(committed {committed}, end {end})"
            )
    return found


Record = tuple[str, int, int, str, str]


async def _read_all(
    bootstrap: str, names: list[str], ids: set[str]
) -> tuple[list[Record], dict[tuple[str, int], tuple[int, int]]]:
    out: list[Record] = []
    for m in await records(bootstrap, names):
        value = _json(m.value)
        key = (m.key or b"").decode(errors="replace")
        # By-fingerprint and band messages are keyed by fingerprint and band key; the id is inside.
        article_id = value.get("id") if m.topic in (topics.BY_FINGERPRINT, topics.BANDS) else key
        if article_id in ids:
            # `from`: the band partition a query goes to or an answer comes from
            op = ":".join(str(p) for p in (value.get("op", ""), value.get("from", "")) if p != "")
            out.append((m.topic, m.partition, m.offset, article_id, op))
    return out, await _marks(bootstrap, {(t, p) for t, p, *_ in out})


async def _marks(
    bootstrap: str, where: set[tuple[str, int]]
) -> dict[tuple[str, int], tuple[int, int]]:
    """(committed offset of warta's group, end offset) of each partition."""
    partitions = [TopicPartition(t, p) for t, p in sorted(where)]
    if not partitions:
        return {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets("warta", partitions=partitions)
    finally:
        await admin.close()
    consumer = await open_consumer(bootstrap)
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {
        (tp.topic, tp.partition): (committed[tp].offset if tp in committed else -1, ends[tp])
        for tp in partitions
    }


def _json(raw: bytes | None) -> dict[str, Any]:
    try:
        value = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def check_exactly_once(result: Audit, expected: set[str], corpus: Corpus) -> None:
    """Every input id in exactly one place, no self-duplicates, copies linked to stored ids."""
    places = [result.articles, set(result.duplicates), set(result.dead)]
    assert result.accounted() == expected, (
        f"lost {sorted(expected - result.accounted())[:10]}, where they got to {result.where}, "
        f"unexpected {sorted(result.accounted() - expected)[:10]}"
    )
    assert sum(len(p) for p in places) == len(expected), "an id is in two places"
    assert all(dup != of for dup, of in result.duplicates.items()), "a self-duplicate"
    assert set(result.duplicates.values()) <= result.articles, "a link to an unstored article"
    # Every copy is found: it is either the duplicate, or (arrived first) the canonical one.
    for copy_id, original in corpus.copies.items():
        pair = {copy_id, original}
        assert len(pair & result.articles) == 1, (copy_id, original)


def settled(bootstrap: str, within: float) -> dict[str, int]:
    """The group's lag on every topic an agent reads, once it is all zero or `within` s passed.

    Every message handled and none committed over is not enough: a commit that stalls below a
    message (an offset never acked) reads every later message again at each restart.
    """
    lag: dict[str, int] = {}

    def committed_all() -> bool:
        lag.update(run(committed_lag(bootstrap, "warta", list(topics.CONSUMED), last_batch=True)))
        return not any(lag.values())

    wait_for(committed_all, timeout=within)
    return lag
