"""`python -m benchmarks.messages [DATA_DIR]`: messages written per article, by topic, in a burst.

The corpus of `make bench`, pushed at once into a fresh 1-worker cluster after the same warm-up as
the streamed figures (`benchmarks.stream.throughput`): every topic's end offsets before the burst
and once every article is stored, divided by the articles. Changelog topics
(`warta-<table>-changelog`) count, as each table write is one message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from benchmarks import stream
from benchmarks.corpus import load_corpus
from streams.core import topics
from streams.runtime import harness


def per_topic(data_dir: Path | None, workers: int = 1) -> tuple[int, dict[str, int]]:
    """The corpus's article count and the messages each topic gained during its burst."""
    corpus = load_corpus(data_dir)
    articles = [dict(a) for a in corpus.articles]
    warm = [{**a, "id": f"warm-{i:03d}"} for i, a in enumerate(load_corpus(None).articles)]
    with (
        tempfile.TemporaryDirectory(prefix="warta-messages-") as tmp,
        stream.cluster(Path(tmp), workers) as c,
    ):
        stream.wait_ready(c)
        stream.warm_up(c, warm)
        base = harness.stored_count(c.store)
        before = stream.topic_messages(c.bootstrap)
        _, arrivals = asyncio.run(stream.send_all(c.bootstrap, articles, 900.0, lambda n: None))
        kept = sum(1 for t in arrivals.topic.values() if t != topics.DLQ)
        stream.stored_at(c, base + kept)
        after = stream.topic_messages(c.bootstrap)
    gained = {t: n - before.get(t, 0) for t, n in after.items() if n > before.get(t, 0)}
    return len(articles), gained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data_dir", nargs="?", type=Path, help="../shared/data (optional)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    data_dir = args.data_dir if args.data_dir and args.data_dir.is_dir() else None
    articles, gained = per_topic(data_dir, args.workers)
    total = sum(gained.values())
    print(f"{articles} articles, {args.workers} worker(s): {total / articles:.2f} messages each")
    for topic, count in sorted(gained.items(), key=lambda kv: -kv[1]):
        print(f"  {topic:40s} {count / articles:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
