"""The dedupe window on disk: worker memory, disk use, speed and recovery as the window fills.

`python -m benchmarks.state [--count 300000] [--compare 100000] [--store rocksdb]`

Pushes distinct TaggedArticles (a public input) straight onto `articles.tagged`, so the worker
runs the dedupe stage and the store alone, with a 30-day window: nothing expires, every article
stays in the state. Prints the worker's RSS as the window passes 20k, 100k, 300k (and 1M)
articles, the bytes on disk per article, the throughput, the time a worker killed with SIGKILL
takes to answer again on its local state, and the time one with an empty state directory takes to
restore it from the changelogs. `--compare N` first runs N articles with the memory store and
prints the on-disk throughput against it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from benchmarks.soak import _word
from benchmarks.stream import rss_mb
from streams.core import topics
from streams.core.fingerprint import fingerprint
from streams.runtime import harness
from streams.runtime.broker import EmbeddedBroker, ensure_topics
from streams.runtime.harness import Process, open_producer, stored_count, worker_env
from streams.store import Store

CHECKPOINTS = (20_000, 100_000, 300_000, 1_000_000)
# Pushed but not yet stored at most: a steady stream, not a backlog (the throughput issue's
# backlog row measures that); the worker's fetch buffers stay out of its RSS figures.
IN_FLIGHT = 2000
NOW = datetime.now(UTC)


def tagged(i: int) -> bytes:
    """Distinct article `i` as a TaggedArticle: five short sentences of a seeded vocabulary."""
    rng = random.Random(i)
    sentences = [
        " ".join(_word(rng) for _ in range(rng.randint(8, 14))).capitalize() + "." for _ in range(5)
    ]
    text = "Sukamaju: " + " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:])
    article = {
        "id": f"state-{i}",
        "title": sentences[0][:60],
        "source": f"site{i % 40}.example",
        "text": text,
        "published_at": (NOW - timedelta(seconds=i)).isoformat(),
        "fingerprint": fingerprint(text),
        "language": {"code": "id", "confidence": 0.99},
    }
    return orjson.dumps(article)


async def push(bootstrap: str, first: int, count: int, done: list[int]) -> None:
    """Send articles first..first+count-1, never more than IN_FLIGHT ahead of `done[0]`."""
    producer = await open_producer(bootstrap, linger_ms=20)
    try:
        for n, i in enumerate(range(first, first + count)):
            # `done` is written by the sampling loop's thread: polled, no event crosses threads.
            while n - done[0] >= IN_FLIGHT:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            await producer.send(topics.TAGGED, key=f"state-{i}".encode(), value=tagged(i))
            if n % 500 == 499:
                await producer.flush()
    finally:
        await producer.stop()


@dataclass
class Run:
    """One worker filling its window: the figures sampled on the way."""

    store_kind: str
    count: int
    rss: dict[int, float] = field(default_factory=dict)
    rate: float = 0.0
    disk: int = 0
    peak: float = 0.0
    end: float = 0.0


def disk_bytes(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def fill(broker: EmbeddedBroker, tmp: Path, kind: str, count: int) -> tuple[Run, Process]:
    """Start a worker with the `kind` store and push `count` articles through it; still running."""
    db = f"sqlite:///{tmp / 'state.sqlite3'}"
    env = worker_env(broker.bootstrap, db, tmp, WARTA_STATE_STORE=kind)
    proc = Process.warta("worker", env=env, log=tmp / "worker.log").start()
    done = [0]
    feeder = threading.Thread(
        target=lambda: asyncio.run(push(broker.bootstrap, 0, count, done)), daemon=True
    )
    feeder.start()
    result = Run(kind, count)
    store = Store(db)
    started: tuple[float, int] | None = None
    marks = [c for c in CHECKPOINTS if c <= count]
    last_print = time.monotonic()
    try:
        while done[0] < count:
            proc.check()
            time.sleep(0.5)
            done[0] = stored_count(store)
            if started is None and done[0]:
                started = (time.monotonic(), done[0])
            result.peak = max(result.peak, rss_mb(proc.pid))
            while marks and done[0] >= marks[0]:
                result.rss[marks.pop(0)] = rss_mb(proc.pid)
            if time.monotonic() - last_print > 30:
                last_print = time.monotonic()
                print(f"  {kind}: {done[0]:,} stored, RSS {rss_mb(proc.pid):.0f} MiB", flush=True)
    except BaseException:
        proc.stop(120)  # Ctrl-C or a failure: never leave the worker behind
        raise
    finally:
        store.close()
    assert started is not None
    result.rate = (done[0] - started[1]) / (time.monotonic() - started[0])
    result.disk = disk_bytes(tmp / "state")
    result.end = rss_mb(proc.pid)
    return result, proc


def answered_after(proc: Process, broker: EmbeddedBroker, tmp: Path, n: int) -> float:
    """Start `proc`, push one new article (number `n`): seconds until it is stored."""
    store = Store(f"sqlite:///{tmp / 'state.sqlite3'}")
    try:
        before = stored_count(store)
        started = time.monotonic()
        proc.start()
        harness.run(harness.produce(broker.bootstrap, topics.TAGGED, [(b"probe", tagged(n))]))
        if not harness.wait_for(lambda: stored_count(store) > before, 1800, 0.2, [proc]):
            raise TimeoutError(f"the probe article was not stored:\n{proc.tail()}")
        return time.monotonic() - started
    finally:
        store.close()


def recovery(proc: Process, broker: EmbeddedBroker, tmp: Path, n: int) -> tuple[float, float]:
    """SIGKILL, restart on the local state; stop, empty the state directory, restart."""
    proc.kill9()
    local = answered_after(proc, broker, tmp, n)
    proc.stop(120)
    shutil.rmtree(tmp / "state")
    restored = answered_after(proc, broker, tmp, n + 1)
    proc.stop(120)
    return local, restored


def one(
    kind: str, count: int, recover: bool, memory: Run | None = None, show: bool = False
) -> tuple[Run, tuple[float, float] | None]:
    """A fresh broker and worker: fill `count`, measure (with `show`, printed at once: the
    recoveries take long), optionally the two recoveries."""
    with tempfile.TemporaryDirectory() as name, harness.broker() as broker:
        tmp = Path(name)
        asyncio.run(ensure_topics(broker.bootstrap, topics.all_topics("warta"), 4, 1))
        run, proc = fill(broker, tmp, kind, count)
        try:
            if show:
                report(run, memory)
            times = recovery(proc, broker, tmp, count) if recover else None
        finally:
            proc.stop(120)
        return run, times


def report(run: Run, memory: Run | None) -> None:
    """The table of figures."""
    print(f"\nstate store {run.store_kind}, {run.count:,} distinct articles in a 30-day window")
    base = run.rss.get(CHECKPOINTS[0])
    for mark, mib in sorted(run.rss.items()):
        grow = "" if base is None or mark == CHECKPOINTS[0] else f"  (+{mib - base:.0f} MiB)"
        print(f"  worker RSS after {mark:>9,}: {mib:7.0f} MiB{grow}")
    if base is not None and len(run.rss) > 1:
        last = max(run.rss)
        per = (run.rss[last] - base) / (last - CHECKPOINTS[0]) * 100_000
        print(f"  RSS growth per 100,000 articles: {per:.1f} MiB; peak {run.peak:.0f} MiB")
        warm = CHECKPOINTS[1]  # by then RocksDB's shared cache has filled
        if warm in run.rss and last > warm:
            after = (run.rss[last] - run.rss[warm]) / (last - warm) * 100_000
            print(f"  ... counted from {warm:,} on: {after:.1f} MiB per 100,000")
    print(f"  on disk: {run.disk / 2**20:.0f} MiB, {run.disk / run.count:.0f} bytes per article")
    print(f"  throughput: {run.rate:.0f} articles/s")
    if memory is not None:
        print(
            f"  memory store on {memory.count:,}: {memory.rate:.0f} articles/s, "
            f"RSS {memory.end:.0f} MiB at the end; "
            f"on disk / memory throughput: {run.rate / memory.rate:.2f}"
        )


def report_recovery(times: tuple[float, float]) -> None:
    """The two recovery figures."""
    print(f"  SIGKILL, restart on the local state: first new article stored after {times[0]:.1f} s")
    print(f"  empty state directory, restored from the changelogs: after {times[1]:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--compare", type=int, default=100_000, help="memory-store run; 0: none")
    parser.add_argument("--store", choices=["rocksdb", "memory"], default="rocksdb")
    parser.add_argument("--no-recovery", action="store_true")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the worker and the broker are stopped, not orphaned.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    memory = one("memory", args.compare, False)[0] if args.compare else None
    times = one(args.store, args.count, not args.no_recovery, memory, show=True)[1]
    if times is not None:
        report_recovery(times)


if __name__ == "__main__":
    main()
