"""Streamed figures: real `warta worker` processes on a fresh embedded broker per scenario."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.core import topics
from streams.runtime import harness
from streams.runtime.broker import EmbeddedBroker
from streams.runtime.harness import Process, open_consumer, open_producer, worker_env
from streams.store import Store

OUT = (topics.UNIQUE, topics.DUPLICATES, topics.DLQ)
Tick = Callable[[int], None]


@dataclass
class Cluster:
    """A broker, its SQLite database and the worker processes bound to it."""

    broker: EmbeddedBroker
    store: Store
    workers: list[Process]

    @property
    def bootstrap(self) -> str:
        """host:port of the broker."""
        return self.broker.bootstrap

    def pids(self) -> list[int]:
        """Worker process ids, then the broker's."""
        broker = [self.broker.process.pid] if self.broker.process else []
        return [w.pid for w in self.workers] + broker


@contextlib.contextmanager
def cluster(workdir: Path, workers: int) -> Iterator[Cluster]:
    """A memory-only broker and `workers` worker processes, stopped when the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{workdir / 'warta.sqlite3'}"
    store = Store(db)
    store.migrate()  # once, before workers started together race to create the tables
    procs: list[Process] = []
    try:
        with harness.broker(log_path=workdir / "broker.log") as broker:
            for i in range(workers):
                env = worker_env(broker.bootstrap, db, workdir, WARTA_LOG_LEVEL="info")
                log = workdir / f"worker-{i}.log"
                procs.append(Process.warta("worker", env=env, log=log, cwd=workdir).start())
            try:
                yield Cluster(broker, store, procs)
            finally:
                for proc in procs:
                    proc.stop()
    finally:
        store.close()


def wait_ready(c: Cluster, timeout: float = 300.0) -> float:
    """Seconds until every worker has joined the group and been given its partitions."""
    return harness.wait_joined(c.bootstrap, len(c.workers), *c.workers, timeout=timeout)


def _proc_fields(pid: int, name: str) -> list[str]:
    """The `/proc/PID/status` line `name:` of a live process, split."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split()[1:]
    return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, peak: bool = False) -> float:
    """Resident memory (VmRSS), or its peak (VmHWM), of a live process in MiB."""
    fields = _proc_fields(pid, "VmHWM" if peak else "VmRSS")
    return int(fields[0]) / 1024 if fields else 0.0


@dataclass
class Arrivals:
    """When each wanted article id left the pipeline, and on which topic."""

    want: set[str]
    at: dict[str, float] = field(default_factory=dict)
    topic: dict[str, str] = field(default_factory=dict)

    def note(self, topic: str, value: bytes | None, now: float) -> None:
        """Record the first arrival of the message's article id."""
        try:
            data = orjson.loads(value or b"null")
        except orjson.JSONDecodeError:
            return
        if isinstance(data, dict):
            key = data.get("key") if topic == topics.DLQ else data.get("id")
            if isinstance(key, str) and key in self.want and key not in self.at:
                self.at[key], self.topic[key] = now, topic


async def _follow(
    consumer: AIOKafkaConsumer, arrivals: Arrivals, within: float, tick: Tick
) -> None:
    want = arrivals.want
    deadline = time.perf_counter() + within
    while not want <= arrivals.at.keys():
        if time.perf_counter() > deadline:
            missing = len(want - arrivals.at.keys())
            raise TimeoutError(f"{missing} article(s) did not leave the pipeline in {within:.0f} s")
        for tp, messages in (await consumer.getmany(timeout_ms=200)).items():
            now = time.perf_counter()
            for m in messages:
                arrivals.note(tp.topic, m.value, now)
        tick(len(want & arrivals.at.keys()))


def _ids(articles: list[dict[str, object]]) -> list[str]:
    return [str(a["id"]) for a in articles]


async def send_all(
    bootstrap: str, articles: list[dict[str, object]], within: float, tick: Tick
) -> tuple[float, Arrivals]:
    """Produce every article at once; the perf_counter time of the first send, and arrivals."""
    consumer = await open_consumer(bootstrap, *OUT)
    producer = await open_producer(bootstrap, acks=1)
    arrivals = Arrivals(set(_ids(articles)))
    try:
        started = time.perf_counter()
        for article in articles:
            value = orjson.dumps(article)
            await producer.send(topics.RAW, key=str(article["id"]).encode(), value=value)
        await producer.flush()
        await _follow(consumer, arrivals, within, tick)
        return started, arrivals
    finally:
        await asyncio.gather(consumer.stop(), producer.stop())


async def paced(
    bootstrap: str, articles: list[dict[str, object]], rate: float, within: float, tick: Tick
) -> tuple[dict[str, float], Arrivals]:
    """Produce at `rate` articles/s; returns the send time of each id and the arrivals."""
    consumer = await open_consumer(bootstrap, *OUT)
    producer = await open_producer(bootstrap, acks=1)
    arrivals, sent = Arrivals(set(_ids(articles))), {}
    follow = asyncio.create_task(_follow(consumer, arrivals, within, tick))
    try:
        started = time.perf_counter()
        for i, article in enumerate(articles):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            key = str(article["id"])
            sent[key] = time.perf_counter()
            await producer.send(topics.RAW, key=key.encode(), value=orjson.dumps(article))
        await follow
        return sent, arrivals
    finally:
        follow.cancel()
        await asyncio.gather(consumer.stop(), producer.stop())


def warm_up(c: Cluster, articles: list[dict[str, object]], timeout: float = 300.0) -> int:
    """Push warm-up articles until all left the pipeline and are stored: models loaded,
    partitions settled. Returns the rows they made."""
    _, arrivals = asyncio.run(send_all(c.bootstrap, articles, timeout, lambda n: None))
    kept = sum(1 for t in arrivals.topic.values() if t != topics.DLQ)
    stored_at(c, kept, timeout)
    return kept


async def _topic_messages(bootstrap: str) -> dict[str, int]:
    consumer = await open_consumer(bootstrap)
    try:
        parts = [
            TopicPartition(t, p)
            for t in await consumer.topics()
            for p in consumer.partitions_for_topic(t) or ()
        ]
        ends: dict[str, int] = {}
        for tp, end in (await consumer.end_offsets(parts)).items():
            ends[tp.topic] = ends.get(tp.topic, 0) + end
        return ends
    finally:
        await consumer.stop()


def topic_messages(bootstrap: str) -> dict[str, int]:
    """Messages written to each topic of the broker so far (its partitions' end offsets)."""
    return asyncio.run(_topic_messages(bootstrap))


def total_messages(bootstrap: str) -> int:
    """Messages written to every topic of the broker so far (sum of end offsets)."""
    return sum(topic_messages(bootstrap).values())


def stored_at(c: Cluster, target: int, timeout: float = 120.0) -> float:
    """perf_counter time when the store holds `target` rows (polled every 0.1 s)."""
    if harness.wait_stored(c.store, target, timeout, *c.workers, every=0.1) < target:
        raise TimeoutError(f"the store did not reach {target} rows in {timeout:.0f} s")
    return time.perf_counter()


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class Throughput:
    """One burst through a fresh cluster of `workers` workers."""

    workers: int
    articles: int
    ready_s: float
    out_s: float
    stored_s: float
    worker_cpu_s: float
    broker_cpu_s: float
    worker_rss_mb: list[float]
    outcome: dict[str, int]
    messages: int
    # Articles per second between the 10th and the 90th percentile of arrivals: the burst
    # without the pipeline's fill and drain (~1.5 s of a burst of a few seconds).
    steady_per_s: float = 0.0

    @property
    def per_s(self) -> float:
        """Articles per second, first produce to the last article stored."""
        return self.articles / self.stored_s


def throughput(
    workdir: Path,
    workers: int,
    articles: list[dict[str, object]],
    warm: list[dict[str, object]],
    tick: Tick,
) -> Throughput:
    """Start the cluster, warm it up, then push the whole corpus at once and time it."""
    with cluster(workdir, workers) as c:
        ready = wait_ready(c)
        warm_up(c, warm)
        base = harness.stored_count(c.store)
        messages = total_messages(c.bootstrap)
        before = [cpu_seconds(pid) for pid in c.pids()]
        started, arrivals = asyncio.run(send_all(c.bootstrap, articles, 900.0, tick))
        last_out = max(arrivals.at.values())
        kept = sum(1 for t in arrivals.topic.values() if t != topics.DLQ)
        stored = stored_at(c, base + kept)
        after = [cpu_seconds(pid) for pid in c.pids()]
        used = [b - a for a, b in zip(before, after, strict=True)]
        rss = [rss_mb(w.pid, peak=True) for w in c.workers]
        messages = total_messages(c.bootstrap) - messages
    outcome = {t: list(arrivals.topic.values()).count(t) for t in OUT}
    return Throughput(
        workers,
        len(articles),
        ready,
        last_out - started,
        max(stored, last_out) - started,
        sum(used[:workers]),
        sum(used[workers:]),
        rss,
        outcome,
        messages,
        steady_rate(list(arrivals.at.values())),
    )


def steady_rate(times: list[float]) -> float:
    """Arrivals per second between the 10th and the 90th percentile arrival."""
    if len(times) < 10:
        return 0.0
    ordered = sorted(times)
    low, high = int(0.1 * len(ordered)), int(0.9 * len(ordered))
    span = ordered[high] - ordered[low]
    return (high - low) / span if span > 0 else 0.0


@dataclass(frozen=True)
class Latency:
    """End-to-end latency, produce -> articles.unique, at a paced rate."""

    rate: float
    sent: int
    measured: int
    p50_ms: float
    p99_ms: float


def latency(
    workdir: Path,
    articles: list[dict[str, object]],
    warm: list[dict[str, object]],
    rate: float,
    tick: Tick,
) -> Latency:
    """One worker on a fresh cluster (no earlier copies of the corpus), paced at `rate`/s."""
    with cluster(workdir, 1) as c:
        wait_ready(c)
        warm_up(c, warm)
        timeout = 120.0 + 4 * len(articles) / rate
        sent, arrivals = asyncio.run(paced(c.bootstrap, articles, rate, timeout, tick))
    ms = [1000 * (arrivals.at[i] - sent[i]) for i in sent if arrivals.topic.get(i) == topics.UNIQUE]
    return Latency(rate, len(sent), len(ms), percentile(ms, 0.5), percentile(ms, 0.99))


@dataclass(frozen=True)
class Backlog:
    """`articles` pushed at once into one worker: how soon the first is stored, and memory."""

    articles: int
    produced_s: float
    first_stored_s: float
    raw_done_at_first: int
    stored: int
    worker_rss_mb: float


def backlog(
    workdir: Path,
    corpus: list[dict[str, object]],
    warm: list[dict[str, object]],
    count: int,
    tick: Tick,
    then: int = 300,
) -> Backlog:
    """Push `count` articles (the corpus cycled, fresh ids) at once into one warmed-up worker.

    Times the first stored row from the first produce, reads how much of articles.raw the
    worker had committed by then, and the worker's peak RSS once `then` more rows are stored:
    by then a worker that buffers the backlog has filled its buffers.
    """
    articles = [{**corpus[n % len(corpus)], "id": f"backlog-{n:06d}"} for n in range(count)]
    with cluster(workdir, 1) as c:
        wait_ready(c)
        base = warm_up(c, warm)
        started = time.perf_counter()
        produced, first, done = asyncio.run(_burst(c, articles, base, tick))
        stored_at(c, base + 1 + then, 900.0)
        rss = rss_mb(c.workers[0].pid, peak=True)
        stored = harness.stored_count(c.store) - base
    return Backlog(count, produced - started, first - started, done, stored, rss)


async def _burst(
    c: Cluster, articles: list[dict[str, object]], base: int, tick: Tick
) -> tuple[float, float, int]:
    """Produce everything at once while watching the store: (all produced, first stored, raw
    messages the worker had committed when the first was stored), times by perf_counter."""
    from streams.runtime.lag import committed

    producing = asyncio.create_task(_produce_all(c.bootstrap, articles, tick))
    deadline = time.perf_counter() + 600.0
    while harness.stored_count(c.store) <= base:
        for proc in c.workers:
            proc.check()
        if time.perf_counter() > deadline:
            raise TimeoutError("no article of the backlog was stored in 600 s")
        await asyncio.sleep(0.05)
    first = time.perf_counter()
    done = await committed(c.bootstrap, "warta", topics.RAW)
    return await producing, first, done


async def _produce_all(bootstrap: str, articles: list[dict[str, object]], tick: Tick) -> float:
    """Send every article without waiting, then flush; the perf_counter time when all are in."""
    producer = await open_producer(bootstrap, acks=1)
    try:
        for n, article in enumerate(articles):
            value = orjson.dumps(article)
            await producer.send(topics.RAW, key=str(article["id"]).encode(), value=value)
            if n % 500 == 0:
                tick(n)
        await producer.flush()
        tick(len(articles))
        return time.perf_counter()
    finally:
        await producer.stop()
