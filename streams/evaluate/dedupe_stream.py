"""Dedupe evaluation on the live stream: the evaluation set as one burst through the real broker.

Consumes the items `streams.evaluate.dedupe` builds; produces the verdicts the store ends with
after 1, 2 or 4 `warta worker` processes on an embedded broker (`streams.runtime.harness`) took
them as one shuffled burst (copies before their originals included), and what the run cost: how
many verdicts were corrected, and the time the story owner's hop adds to a unique verdict.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import codec
from streams.core import topics
from streams.runtime import harness
from streams.stages.dedupe import Verdict, unique
from streams.store import Store

Row = dict[str, Any]


@dataclass
class StreamRun:
    """What one burst gave: verdicts by id, events, corrections and timings."""

    workers: int
    verdicts: dict[str, Verdict]
    dead: dict[str, str]
    events: int = 0
    corrected: int = 0
    unique_corrected: int = 0
    seconds: float = 0.0
    hop_ms: list[float] = field(default_factory=list)
    consistent: bool = True

    def hop(self, q: float) -> float:
        """A quantile (0..1) of the story owner's hop in milliseconds (link sent -> verdict)."""
        if not self.hop_ms:
            return 0.0
        ordered = sorted(self.hop_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def burst(items: Sequence[Any], seed: int) -> list[Any]:
    """The items in one shuffled order (fixed seed): many copies come before their originals."""
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def raw_message(item: Any) -> bytes:
    return codec.dumps(
        {
            "id": item.id,
            "url": f"https://eval.example/{item.id}",
            "text": item.text,
            "published_at": item.published_at.isoformat(),
        }
    )


def final_state(records: Sequence[Any]) -> dict[str, Row | None]:
    """id -> its last DuplicateEvent, or None when it is unique: what a consumer ends with.

    A duplicate verdict never turns back into a unique one, so a unique event read after a
    duplicate event of the same id (the two topics are independent) changes nothing."""
    state: dict[str, Row | None] = {}
    for record in records:
        value = codec.loads(record.value)
        if record.topic == topics.DUPLICATES:
            state[value["id"]] = value
        elif value["id"] not in state:
            state[value["id"]] = None
    return state


def stored_state(store: Store) -> dict[str, Row | None]:
    """id -> its stored duplicate row's event, or None for a row of `articles`."""
    state: dict[str, Row | None] = {i: None for i in store.ids("articles")}
    for article_id in store.ids("duplicates"):
        if article_id in state:
            raise AssertionError(f"{article_id} is in both articles and duplicates")
        state[article_id] = store.duplicate(article_id)
    return state


def _same(a: dict[str, Row | None], b: dict[str, Row | None]) -> bool:
    def key(row: Row | None) -> str | None:
        return row["duplicate_of"] if row else None

    return a.keys() == b.keys() and all(key(a[k]) == key(b[k]) for k in a)


def run_stream(
    items: Sequence[Any], workers: int, seed: int, timeout: float = 900.0, paced: bool = False
) -> StreamRun:
    """Push `items` as one burst through `workers` workers; the verdicts the store ends with.

    `paced`: one at a time instead, each once the one before has its verdict (an idle stream:
    what the story owner's hop costs without a queue)."""
    ids = {item.id for item in items}
    with tempfile.TemporaryDirectory(prefix="warta-eval-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        broker = stack.enter_context(harness.broker(folder / "broker.log"))
        db = f"sqlite:///{folder / 'eval.sqlite3'}"
        procs = [
            stack.enter_context(
                harness.worker(
                    harness.worker_env(broker.bootstrap, db, folder / f"w{n}"),
                    folder / f"worker-{n}.log",
                )
            )
            for n in range(workers)
        ]
        harness.wait_joined(broker.bootstrap, workers, *procs, timeout=600)
        started = time.monotonic()
        messages = [(i.id.encode(), raw_message(i)) for i in burst(items, seed)]
        outcome = [topics.UNIQUE, topics.DUPLICATES]
        if paced:
            for key, value in messages:
                harness.run(harness.produce(broker.bootstrap, topics.RAW, [(key, value)]))

                def judged(article_id: str = key.decode()) -> bool:
                    records = harness.run(harness.records(broker.bootstrap, outcome))
                    return article_id in final_state(records)

                harness.wait_for(judged, 120, 0.2, procs)
        else:
            harness.run(harness.produce(broker.bootstrap, topics.RAW, messages))
        store = Store(db)
        seen: dict[str, Any] = {}

        def settled() -> bool:
            # Every id has a verdict event or a dead letter, and the store holds what the events
            # say: the final state, corrections included.
            dead = harness.dead_letters(broker.bootstrap)
            state = final_state(harness.run(harness.records(broker.bootstrap, outcome)))
            if ids - state.keys() - dead.keys():
                return False
            stored = stored_state(store)
            seen.update(state=state, dead=dead, stored=stored)
            return _same(state, stored)

        if not harness.wait_for(settled, timeout, 1.0, procs):
            raise TimeoutError(f"{workers} worker(s): the burst did not settle in {timeout:.0f} s")
        seconds = time.monotonic() - started
        # Read once more: nothing published after the store caught up may change the answer.
        assert settled(), "the store and the events disagree after settling"
        records = harness.run(harness.records(broker.bootstrap, [*outcome, topics.LINKS]))
        store.close()
    return _summarise(workers, seen, records, seconds)


def _summarise(
    workers: int, seen: dict[str, Any], records: Sequence[Any], seconds: float
) -> StreamRun:
    state: dict[str, Row | None] = seen["stored"]
    verdicts = {
        article_id: (
            Verdict(row["kind"], row["duplicate_of"], row["similarity"], row["duplicate_of"])
            if row
            else unique(article_id)
        )
        for article_id, row in state.items()
    }
    run = StreamRun(workers, verdicts, seen["dead"], seconds=seconds)
    linked: dict[str, float] = {}
    revised: set[str] = set()
    revised_unique: set[str] = set()
    for record in records:
        if record.topic == topics.LINKS:
            linked.setdefault(bytes(record.key or b"").decode(), record.timestamp)
    for record in records:
        key = bytes(record.key or b"").decode()
        if record.topic == topics.LINKS:
            continue
        run.events += 1
        value = codec.loads(record.value)
        if record.topic == topics.UNIQUE and key in linked:
            run.hop_ms.append(record.timestamp - linked[key])
        elif value.get("revises"):
            revised.add(key)
            if value["revises"] == key:
                revised_unique.add(key)
    run.corrected = len(revised)
    run.unique_corrected = len(revised_unique)
    return run


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def report_stream(
    title: str,
    items: Sequence[Any],
    offline: Any,
    score: Callable[[list[Verdict]], Any],
    worker_counts: Sequence[int],
    seed: int,
    console: Any,
    paced: bool = False,
) -> bool:
    """The offline counts (`warta process --dedupe`, in order, clean stage first as in the
    pipeline) beside the stream with each worker count; True when every stream run meets the
    targets (precision >= 0.98, recall >= 0.95, each within 0.01 of offline)."""
    from rich.table import Table

    table = Table(title=f"dedupe on {title}", title_justify="left")
    for col in ("run", "TP", "FP", "FN", "precision", "recall", "corrected", "hop p50/p95 ms", "s"):
        table.add_column(col, justify="right" if col != "run" else "left")
    table.add_row(
        "offline, in order",
        *map(str, (offline.tp, offline.fp, offline.fn)),
        f"{offline.precision:.3f}",
        f"{offline.recall:.3f}",
        "",
        "",
        "",
    )
    ok = True
    for workers in worker_counts:
        result = run_stream(items, workers, seed, paced=paced)
        c = score([result.verdicts.get(i.id) or unique(i.id) for i in items])
        ok = ok and c.precision >= 0.98 and c.recall >= 0.95
        ok = ok and abs(c.precision - offline.precision) <= 0.01
        ok = ok and abs(c.recall - offline.recall) <= 0.01
        table.add_row(
            f"stream, {workers} worker(s)",
            *map(str, (c.tp, c.fp, c.fn)),
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{result.corrected} ({result.unique_corrected} were unique)",
            f"{result.hop(0.5):.0f} / {result.hop(0.95):.0f}",
            f"{result.seconds:.0f}",
        )
        if result.dead:
            console.print(f"  {workers} worker(s): {len(result.dead)} dead-lettered: {result.dead}")
    console.print(table)
    console.print(
        "  corrected: ids whose published verdict was revised (a DuplicateEvent with `revises`);"
        " hop: link sent -> unique verdict published (the story owner's step, queueing included)"
    )
    return ok
