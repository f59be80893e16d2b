"""One harness for the end-to-end tests and the benchmarks: a real broker, real `warta` processes.

It waits on facts, never on fixed sleeps. It provides:

- `free_port()`: a loopback TCP port nobody listens on.
- `clean_env(...)`, `worker_env(...)`, `run_env(...)`: a child's environment with none of the
  caller's `WARTA_*` settings, and its own broker, database, data folder and web port.
- `broker(...)`: an `EmbeddedBroker` on a free loopback port (use it as a context manager).
- `Process`: a child process (`Process.warta("worker", ...)` for `warta worker`) whose output is
  appended to a log file: start, stop (SIGTERM), interrupt (Ctrl-C), kill9, its log's text;
  `worker(env, log)` runs one for the length of a `with` block.
- `group(...)`, `wait_joined(...)`: the consumer group as the broker describes it; waits until
  it is Stable with exactly N members: every worker has joined and been given its partitions.
  A worker's own word that it has also recovered its tables and is running is faust's `READY`
  log line (logged at the info level): `Process.wait_logged(READY)`.
- `wait_for(check, timeout)`: polls a fact, failing at once when a watched process has exited.
- `produce(...)` (one by one), `produce_burst(...)` (all at once), `collect(...)`, `records(...)` and `batches(...)` (topics read to their end
  offsets), `dead_letters(...)`: an outside aiokafka client's view of the topics;
  `open_producer(...)`, `open_consumer(...)` for the rest; `run(coro)` from synchronous code.
- `stored_count(...)`, `wait_stored(...)`: rows in the database (0 before the first migration).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from schemas import codec
from streams.core import topics
from streams.runtime.broker import EmbeddedBroker, terminate
from streams.store import Store

ROOT = Path(__file__).resolve().parents[2]
READY = "[^Worker]: Ready"  # faust's info line once a worker has joined, recovered and started
MAX_REQUEST = 8 * 1024 * 1024
# What a database reads as before the worker has created its tables.
NOT_YET: tuple[type[Exception], ...] = (sa.exc.OperationalError, sa.exc.ProgrammingError)
T = TypeVar("T")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any `WARTA_*` setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(settings)
    return env


def worker_env(
    bootstrap: str, database_url: str, data_dir: Path, **settings: str
) -> dict[str, str]:
    """A worker bound to this broker and database, with its own data folder and web port."""
    base = {
        "WARTA_BROKER": f"kafka://{bootstrap}",
        "WARTA_DATABASE_URL": database_url,
        "WARTA_WEB_PORT": str(free_port()),
        "WARTA_DATA_DIR": str(data_dir),
        "WARTA_LOG_LEVEL": "warning",
    }
    return clean_env(**{**base, **settings})


def run_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """`warta run` with its embedded broker and web server on free ports, SQLite in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    base = {
        "WARTA_EMBEDDED_PORT": str(free_port()),
        "WARTA_WEB_PORT": str(free_port()),
        "WARTA_DATA_DIR": str(data_dir),
        "WARTA_DATABASE_URL": f"sqlite:///{data_dir / 'warta.sqlite3'}",
    }
    return clean_env(**{**base, **settings})


def broker(log_path: Path | None = None) -> EmbeddedBroker:
    """A memory-only embedded broker on a free loopback port, not started yet."""
    return EmbeddedBroker("127.0.0.1", free_port(), log_path=log_path)


class Exited(AssertionError):
    """A process that should be running has exited; the message ends with its log's tail."""


class Process:
    """A child process whose output (stdout and stderr) is appended to `log`.

    It can be started again after it stopped: the new run appends to the same log.
    """

    def __init__(
        self, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path = ROOT
    ) -> None:
        self.argv, self.log, self.env, self.cwd = list(argv), log, env, cwd
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def warta(cls, *args: str, env: Mapping[str, str], log: Path, cwd: Path = ROOT) -> Process:
        """`warta ARGS...` (e.g. "worker", or "run") in this interpreter."""
        return cls([sys.executable, "-m", "streams.cli", *args], log, env, cwd)

    def start(self) -> Process:
        """Spawn the process; returns self."""
        if self.poll() is None and self.proc is not None:
            raise RuntimeError(f"{self.argv} is already running")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                self.argv,
                env=dict(self.env) if self.env is not None else None,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        """The process id of the current run."""
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while it runs."""
        return self.poll()

    def poll(self) -> int | None:
        """The exit code, or None while it runs (as `Popen.poll`)."""
        return self.proc.poll() if self.proc is not None else None

    def text(self) -> str:
        """Everything the process wrote so far."""
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        """The end of the log, for an assertion message."""
        return self.text()[-chars:]

    def wait_logged(self, text: str, timeout: float = 180.0) -> bool:
        """True once the log holds `text`; fails at once when the process exits first."""
        return wait_for(lambda: text in self.text(), timeout, 0.3, [self])

    def check(self) -> None:
        """Raise `Exited` (with the log's tail) when the process is not running."""
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise Exited(f"{' '.join(self.argv[-2:])} exited with {code}:\n{self.tail()}")

    def stop(self, timeout: float = 40.0) -> int | None:
        """SIGTERM, then SIGKILL when it outstays `timeout`; returns the exit code."""
        if self.proc is not None:
            terminate(self.proc, timeout)
        return self.poll()

    def interrupt(self, timeout: float = 120.0) -> int | None:
        """Ctrl-C (SIGINT) and wait; SIGTERM/SIGKILL when it outstays `timeout`."""
        proc = self._proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                terminate(proc)
        return proc.returncode

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no commit, producer buffers lost."""
        proc = self._proc
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    @property
    def _proc(self) -> subprocess.Popen[bytes]:
        if self.proc is None:
            raise RuntimeError(f"{self.argv} was never started")
        return self.proc

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def worker(env: Mapping[str, str], log: Path, cwd: Path = ROOT) -> Iterator[Process]:
    """A `warta worker` process, stopped with SIGTERM (then SIGKILL) when the block ends."""
    with Process.warta("worker", env=env, log=log, cwd=cwd) as proc:
        yield proc


def wait_for(
    check: Callable[[], bool],
    timeout: float = 60.0,
    every: float = 0.5,
    alive: Iterable[Process] = (),
    ignore: tuple[type[Exception], ...] = NOT_YET,
) -> bool:
    """Poll `check` until it is true or `timeout` passes; False then.

    An exception of `ignore` (by default: the database's tables are not there yet) reads as
    false; a process of `alive` that has exited raises `Exited` at once.
    """
    watched = list(alive)
    deadline = time.monotonic() + timeout
    while True:
        for proc in watched:
            proc.check()
        try:
            if check():
                return True
        except ignore:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code."""
    return asyncio.run(coro)


async def group(bootstrap: str, name: str = "warta") -> tuple[str, int]:
    """(state, member count) of a consumer group, as the broker describes it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([name])
        [(_error, _group, state, _protocol_type, _protocol, members)] = response.groups
        return str(state), len(members)
    finally:
        await admin.close()


def wait_joined(
    bootstrap: str, members: int, *workers: Process, name: str = "warta", timeout: float = 180.0
) -> float:
    """Seconds until the group is Stable with exactly `members` members.

    Stable comes after the leader handed out the partitions (SyncGroup): every member has
    joined and has its assignment. A worker of `workers` that exits fails the wait at once.
    """
    started = time.monotonic()

    def joined() -> bool:
        return run(group(bootstrap, name)) == ("Stable", members)

    if not wait_for(joined, timeout, 0.25, workers, (KafkaError, OSError)):
        raise TimeoutError(f"group {name!r} not Stable with {members} member(s) in {timeout:.0f} s")
    return time.monotonic() - started


async def open_producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    """A started producer that takes messages up to MAX_REQUEST bytes."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, **{"max_request_size": MAX_REQUEST, **options}
    )
    await producer.start()
    return producer


async def open_consumer(bootstrap: str, *names: str, **options: Any) -> AIOKafkaConsumer:
    """A started consumer of `names` from the beginning, committing nothing, big fetches."""
    defaults = {
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "max_partition_fetch_bytes": MAX_REQUEST,
        "fetch_max_bytes": 4 * MAX_REQUEST,
    }
    consumer = AIOKafkaConsumer(*names, bootstrap_servers=bootstrap, **{**defaults, **options})
    await consumer.start()
    return consumer


async def produce(
    bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]]
) -> None:
    """Send (key, value) pairs one by one, each acknowledged, as an outside client would."""
    producer = await open_producer(bootstrap)
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, key=key, value=value)
    finally:
        await producer.stop()


async def produce_burst(
    bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]]
) -> None:
    """Send (key, value) pairs all at once (no wait per message), then wait for every ack."""
    producer = await open_producer(bootstrap, acks=1)
    try:
        for key, value in messages:
            await producer.send(topic, key=key, value=value)
        await producer.flush()
    finally:
        await producer.stop()


Seen = dict[str, list[dict[str, Any]]]


async def collect(
    bootstrap: str, names: list[str], done: Callable[[Seen], bool], within: float = 120.0
) -> Seen:
    """Read `names` from the beginning until `done(seen)` or `within` seconds pass."""
    consumer = await open_consumer(bootstrap, *names)
    seen: Seen = {t: [] for t in names}
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline and not done(seen):
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                seen[tp.topic].extend(codec.loads(m.value) for m in messages if m.value)
    finally:
        await consumer.stop()
    return seen


async def batches(
    bootstrap: str, names: Iterable[str], within: float = 60.0
) -> AsyncIterator[list[ConsumerRecord[bytes, bytes]]]:
    """Every message written to `names` so far, a batch at a time: each partition is read until
    its position passes the end offset it had when the reading began.

    Fetches are kept whole: the embedded broker reports as end offset the last record batch's
    first offset + 1, so the records after it in that batch are written ones too."""
    consumer = await open_consumer(bootstrap)
    try:
        existing = await consumer.topics()
        parts = [
            TopicPartition(t, p)
            for t in dict.fromkeys(names)
            if t in existing
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not parts:
            return
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        left = {tp for tp in parts if await consumer.position(tp) < ends[tp]}
        deadline = time.monotonic() + within
        while left:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sorted(map(str, left))} not read to the end in {within} s")
            for tp, messages in (await consumer.getmany(*left, timeout_ms=1000)).items():
                yield messages
                if await consumer.position(tp) >= ends[tp]:
                    left.discard(tp)
    finally:
        await consumer.stop()


async def records(
    bootstrap: str, names: Iterable[str], within: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message written to `names` so far (see `batches`)."""
    return [m async for batch in batches(bootstrap, names, within) for m in batch]


def dead_letters(bootstrap: str) -> dict[str, str]:
    """Key -> reason of every dead letter so far (a replayed one is counted once)."""
    letters = (codec.loads(m.value) for m in run(records(bootstrap, [topics.DLQ])) if m.value)
    return {d["key"]: d["reason"] for d in letters if isinstance(d, dict) and d.get("key")}


def stored_count(store: Store) -> int:
    """Rows in articles plus duplicates (0 while the worker has not migrated yet)."""
    try:
        return sum(store.counts().values())
    except NOT_YET:
        return 0


def wait_stored(
    store: Store, at_least: int, timeout: float = 120.0, *alive: Process, every: float = 0.3
) -> int:
    """Poll until `at_least` rows are stored or `timeout` passes; returns the count reached.

    A process of `alive` that exits fails the wait at once.
    """
    wait_for(lambda: stored_count(store) >= at_least, timeout, every, alive)
    return stored_count(store)
