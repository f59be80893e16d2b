"""`warta run`, `warta broker` and `warta worker`: the long-running processes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

import click
from sqlalchemy.exc import SQLAlchemyError

from streams.cli.common import UserError, create_topics, require_broker, summary_line
from streams.cli.io import produce_paths
from streams.cli.output import PRINTER
from streams.core import topics
from streams.runtime import clients
from streams.runtime.broker import BrokerError, EmbeddedBroker, port_open, terminate
from streams.runtime.lag import group_lag
from streams.samples import ARTICLES
from streams.settings import Settings, get_settings
from streams.store import Store, redact


class _Stop:
    """Set by SIGINT/SIGTERM; the main loop notices and shuts down in order."""

    def __init__(self) -> None:
        self.event = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.event.set()


def _start_broker(settings: Settings, host: str, port: int) -> EmbeddedBroker:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    broker = EmbeddedBroker(host, port, log_path=settings.data_dir / "broker.log")
    try:
        broker.start()
    except BrokerError as exc:
        raise UserError(str(exc), "is another broker or `warta run` already running?") from exc
    return broker


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: loopback).")
@click.option("--port", type=int, default=None, help="Port (default: WARTA_EMBEDDED_PORT, 9092).")
def broker(host: str | None, port: int | None) -> None:
    """Run the embedded Kafka-compatible broker alone (memory-only) until Ctrl-C."""
    settings = get_settings()
    stop = _Stop()
    emb = _start_broker(settings, host or settings.embedded_host, port or settings.embedded_port)
    click.echo(f"embedded broker ready on {emb.bootstrap} (memory-only); Ctrl-C stops it")
    try:
        while not stop.event.wait(0.5):
            if emb.process is None or emb.process.poll() is not None:
                raise UserError("the embedded broker exited unexpectedly", "see data/broker.log")
    finally:
        emb.stop()
        click.echo("broker stopped")


@click.command()
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default=None,
    help="Override WARTA_LOG_LEVEL.",
)
def worker(log_level: str | None) -> None:
    """Run one faust worker against WARTA_BROKER; start more of them to scale out."""
    settings = get_settings()
    require_broker(settings)
    create_topics(settings)
    _migrate(settings)
    from streams.runtime import worker as process  # imports faust and every agent: slow

    process.run(log_level)


def _migrate(settings: Settings, attempts: int = 5) -> None:
    """Bring the database schema up to date before consuming, or fail with a hint.

    Workers started together race to migrate; the loser's error is retried, and by then the
    winner has brought the schema to the newest revision.
    """
    store = Store(settings.database_url)
    try:
        for attempt in range(1, attempts + 1):
            try:
                store.migrate()
                return
            except SQLAlchemyError as exc:
                if attempt == attempts:
                    raise UserError(
                        f"cannot prepare the database {redact(settings.database_url)}: "
                        f"{exc.__class__.__name__}",
                        "check WARTA_DATABASE_URL and that the database server is running",
                    ) from exc
                time.sleep(0.5 * attempt)
    finally:
        store.close()


def _say(message: str, err: bool = False) -> None:
    """Print a line without ever waiting on, or failing with, the terminal or pipe (see output)."""
    PRINTER.say(message, err)


def _spawn_worker() -> subprocess.Popen[bytes]:
    # A new session: Ctrl-C reaches only `warta run`, which drains before stopping the worker.
    return subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "worker", "--log-level", "warning"],
        start_new_session=True,
    )


def drain(
    settings: Settings,
    worker_proc: subprocess.Popen[bytes],
    timeout: float,
    stop: threading.Event,
) -> bool:
    """Wait until the worker has committed everything in its source topics; a second Ctrl-C
    (`stop` set again) ends the wait and says what is abandoned."""
    _say("finishing what is already in the topics (Ctrl-C again to stop now)...")
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    lag: dict[str, int] | None = None
    while time.monotonic() < deadline and worker_proc.poll() is None:
        if stop.is_set():
            _say(f"stopping now: {_abandoned(lag)}", err=True)
            return False
        try:
            lag = asyncio.run(
                group_lag(
                    settings.bootstrap_servers,
                    settings.app_id,
                    list(topics.CONSUMED),
                    last_batch=settings.embedded,  # its end offsets stop at a batch's start
                )
            )
        except Exception as exc:  # a failed probe is retried, it must not abandon the drain
            _say(f"  could not read the consumer lag ({exc}); retrying", err=True)
            stop.wait(1.5)
            continue
        pending = sum(lag.values())
        quiet_rounds = quiet_rounds + 1 if pending == 0 else 0
        if quiet_rounds >= 2:
            return True
        _say(f"  {pending} message(s) still in flight", err=True)
        stop.wait(1.5)
    return False


def _abandoned(lag: dict[str, int] | None) -> str:
    """What a stop abandons: the messages not yet processed, per topic."""
    if lag is None:
        return "the consumer lag was never read; messages in the topics may be unprocessed"
    waiting = {topic: n for topic, n in lag.items() if n}
    if not waiting:
        return "nothing was waiting"
    per_topic = ", ".join(f"{n} in {topic}" for topic, n in sorted(waiting.items()))
    return f"{sum(waiting.values())} message(s) abandoned unprocessed ({per_topic})"


@click.command()
@click.option("--samples/--no-samples", default=False, help="Push the bundled sample articles.")
@click.option("--drain-timeout", default=120.0, show_default=True, help="Seconds to drain on stop.")
def run(samples: bool, drain_timeout: float) -> None:
    """The main job: embedded broker (when WARTA_BROKER is unset), worker, and a live view."""
    settings = get_settings()
    stop = _Stop()
    emb = None
    if settings.embedded:
        if port_open(settings.embedded_host, settings.embedded_port):
            raise UserError(
                f"port {settings.embedded_port} is taken",
                "stop the other broker or set WARTA_EMBEDDED_PORT to a free port",
            )
        emb = _start_broker(settings, settings.embedded_host, settings.embedded_port)
        _say(f"embedded broker on {emb.bootstrap} (memory-only)")
    else:
        require_broker(settings)
    create_topics(settings)
    proc = _spawn_worker()
    _say(f"worker starting; database {_redacted(settings)}; Ctrl-C stops")
    # The live view has its own stop: it keeps printing through the drain, and is closed before
    # the broker stops (a consumer left fetching from a stopped broker logs three ERROR lines).
    watching = threading.Event()
    viewer = threading.Thread(target=_watch, args=(settings, watching), daemon=True)
    viewer.start()
    try:
        if samples:
            produce_paths(settings, [ARTICLES], show_progress=False)
            _say(f"pushed the sample articles from {ARTICLES.name}")
        announced = False
        while not stop.event.wait(0.5):
            if proc.poll() is not None:
                raise UserError(
                    f"the worker exited with code {proc.returncode}", "see its log above"
                )
            # The URL is printed once it answers: opened earlier it would show a refusal.
            if not announced and port_open(_reachable(settings.web_host), settings.web_port):
                announced = True
                _say(f"worker ready; dashboard on http://{settings.web_host}:{settings.web_port}/")
        stop.event.clear()
        if emb is not None and not drain(settings, proc, drain_timeout, stop.event):
            _say("warning: stopped before everything was processed", err=True)
    finally:
        watching.set()
        viewer.join(timeout=5)
        terminate(proc)
        if emb is not None:
            emb.stop()
        _say("stopped")
        PRINTER.flush(timeout=5.0)  # a stalled terminal gets a moment, never the exit


def _reachable(host: str) -> str:
    """An address to probe the web server at: a wildcard bind answers on loopback."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def _redacted(settings: Settings) -> str:
    return redact(settings.database_url)


def _watch(settings: Settings, stop: threading.Event) -> None:
    """Print one line per article that leaves the pipeline, until stopped."""

    async def follow() -> None:
        consumer = clients.follower(
            settings, topics.UNIQUE, topics.DUPLICATES, topics.DLQ, from_beginning=False
        )
        await consumer.start()
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for tp, messages in batches.items():
                    for m in messages:
                        _say(summary_line(tp.topic, m.value or b"", m.key))
        finally:
            await consumer.stop()

    with contextlib.suppress(Exception):
        asyncio.run(follow())
