"""Soak: N generated articles through the embedded broker and one worker, worker RSS over time.

`python -m benchmarks.soak [--count 100000] [--window-days 0.002] [--days-per-1000 0.01]`

Dedupe keeps an entry for the window in ingest time, so a short window (0.002 days is ~3 min)
fills early in the run; two windows after the first article the oldest entries are being expired
as fast as new ones come, and from there on the worker's memory should stay flat. Publication times are
spread `--days-per-1000` days per thousand articles.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from benchmarks.stream import rss_mb
from benchmarks.synthetic import WORDS
from streams.core import topics
from streams.runtime import harness
from streams.runtime.broker import ensure_topics
from streams.runtime.harness import Process, open_producer, stored_count, worker_env
from streams.store import Store

SYLLABLES = [c + v for c in "bdgjklmnprstw" for v in "aiueo"]
START = datetime(2025, 1, 1, 8, tzinfo=UTC)


def article(i: int, days_per_1000: float) -> dict[str, str]:
    """Article `i`: five short sentences; every tenth is an exact copy of the one before it."""
    rng = random.Random(i - 1 if i % 10 == 9 else i)
    sentences = [
        " ".join(_word(rng) for _ in range(rng.randint(8, 14))).capitalize() + "." for _ in range(5)
    ]
    text = " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:])
    published = START + timedelta(days=i * days_per_1000 / 1000)
    return {"id": f"soak-{i}", "text": f"Sukamaju: {text}", "published_at": published.isoformat()}


def _word(rng: random.Random) -> str:
    # Real words mostly, invented ones often: a small vocabulary would make unrelated articles
    # share LSH bands, which real news does not.
    if rng.random() < 0.5:
        return rng.choice(WORDS)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


# Articles produced but not yet stored at most: a stream, not a backlog. With all 100,000 at
# once the worker's fetch buffers and the first stage's queue would dominate its memory, and the
# later stages would starve behind the first (faust feeds every agent from one consumer).
IN_FLIGHT = 2000


async def produce(bootstrap: str, count: int, days_per_1000: float, done: list[int]) -> None:
    """Push `count` articles, never more than IN_FLIGHT ahead of `done[0]` (stored so far)."""
    producer = await open_producer(bootstrap, linger_ms=20)
    try:
        for i in range(count):
            # `done` is written by the sampling thread: polled, since no event crosses threads.
            while i - done[0] >= IN_FLIGHT:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            data = article(i, days_per_1000)
            await producer.send(topics.RAW, key=data["id"].encode(), value=orjson.dumps(data))
            if i % 500 == 499:
                await producer.flush()
    finally:
        await producer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--window-days", type=float, default=0.002)
    parser.add_argument("--days-per-1000", type=float, default=0.01)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the worker and the broker are stopped, not orphaned.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    window_s = args.window_days * 86400
    with tempfile.TemporaryDirectory() as tmp, harness.broker() as broker:
        db = f"sqlite:///{Path(tmp) / 'soak.sqlite3'}"
        env = worker_env(
            broker.bootstrap,
            db,
            Path(tmp),
            WARTA_PARTITIONS=str(args.partitions),
            WARTA_DEDUPE_WINDOW_DAYS=str(args.window_days),
        )
        asyncio.run(ensure_topics(broker.bootstrap, topics.all_topics("warta"), args.partitions, 1))
        proc = Process.warta("worker", env=env, log=Path(tmp) / "worker.log").start()
        done = [0]  # stored so far, read by the feeder
        feeder = threading.Thread(
            target=lambda: asyncio.run(
                produce(broker.bootstrap, args.count, args.days_per_1000, done)
            ),
            daemon=True,
        )
        feeder.start()
        store = Store(db)
        started = time.monotonic()
        print(
            f"window full {window_s:.0f} s after the first article; sampling every {args.every:g} s"
        )
        print(f"{'elapsed s':>9} {'stored':>8} {'rate/s':>7} {'worker RSS MiB':>15}", flush=True)
        samples: list[tuple[int, float]] = []
        full: int | None = None  # index of the first sample with the window full
        last = (started, 0)
        first: float | None = None
        try:
            while proc.poll() is None:
                time.sleep(args.every)
                now, count = time.monotonic(), stored_count(store)
                done[0] = count
                rate = (count - last[1]) / (now - last[0])
                last = (now, count)
                samples.append((count, rss_mb(proc.pid)))
                first = first or (now if count else None)
                if full is None and first is not None and now - first >= 2 * window_s:
                    full = len(samples) - 1
                print(
                    f"{now - started:9.0f} {count:8d} {rate:7.1f} {samples[-1][1]:15.1f}",
                    flush=True,
                )
                if count >= args.count:
                    break
        finally:
            proc.stop(60)
            store.close()
        _summary(samples, full, time.monotonic() - started)


def _summary(samples: list[tuple[int, float]], full: int | None, elapsed: float) -> None:
    after = samples[full:] if full is not None else []
    print(f"processed {samples[-1][0] if samples else 0} articles in {elapsed:.0f} s")
    if len(after) >= 4:
        _growth("after the window filled", after)
        # The first windows after filling still settle (caps of the dashboard's hour, held
        # articles): the second half says whether anything grows with the stream.
        _growth("second half of that", after[len(after) // 2 :])


def _growth(label: str, samples: list[tuple[int, float]]) -> None:
    (c0, r0), (c1, r1) = samples[0], samples[-1]
    growth = (r1 - r0) / max(c1 - c0, 1) * 1000
    print(
        f"{label}: RSS {r0:.1f} -> {r1:.1f} MiB over {c1 - c0} articles "
        f"({growth:+.2f} MiB per 1,000; peak {max(r for _, r in samples):.1f} MiB)"
    )


if __name__ == "__main__":
    main()
