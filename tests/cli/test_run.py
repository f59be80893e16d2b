"""`warta run`: one command runs broker, worker and live view; Ctrl-C drains before stopping."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest

from streams.core import topics
from streams.store import Store
from tests.conftest import ROOT, free_port
from tests.e2e import produce, run

pytestmark = pytest.mark.e2e


class Run:
    """A `warta run` process whose output lines are read in the background."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.port = free_port()
        self.db = f"sqlite:///{tmp / 'run.sqlite3'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        env.update(
            WARTA_EMBEDDED_PORT=str(self.port),
            WARTA_WEB_PORT=str(free_port()),
            WARTA_DATA_DIR=str(tmp / "data"),
            WARTA_DATABASE_URL=self.db,
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "run", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, predicate: object, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.seen.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if predicate(self.seen):  # type: ignore[operator]
                return True
        return False

    def interrupt(self, timeout: float = 180.0) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout)
        time.sleep(0.2)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _count(prefix: str) -> object:
    return lambda lines: sum(line.startswith(prefix) for line in lines)


def test_run_with_samples_shows_articles_and_stops_cleanly(tmp_path: Path) -> None:
    job = Run(tmp_path, "--samples")
    try:
        shown = job.wait_for(
            lambda lines: _count("[unique]")(lines) >= 3 and _count("[duplicate]")(lines) >= 1
        )
        assert shown, "\n".join(job.seen)
        assert job.interrupt() == 0, "\n".join(job.seen)
    finally:
        job.kill()
    assert "stopped" in job.seen
    assert not any("Traceback" in line for line in job.seen), "\n".join(job.seen)
    store = Store(job.db)
    assert store.counts() == {"articles": 3, "duplicates": 1}
    store.close()


def test_ctrl_c_finishes_what_was_accepted(tmp_path: Path) -> None:
    job = Run(tmp_path)
    try:
        assert job.wait_for(lambda lines: any("worker started" in x for x in lines), 60)
        articles = [
            {
                "id": f"drain-{i}",
                "text": f"Berita nomor {i}\n\nWarga kampung {i} menanam {i * 7} pohon mangga "
                f"di tepi sungai pada hari ke-{i} bulan ini, kata ketua RT {i}.",
            }
            for i in range(25)
        ]
        bootstrap = f"127.0.0.1:{job.port}"
        run(produce(bootstrap, topics.RAW, [(a["id"].encode(), orjson.dumps(a)) for a in articles]))
        assert job.interrupt() == 0, "\n".join(job.seen)
    finally:
        job.kill()
    store = Store(job.db)
    stored = set(store.ids("articles")) | set(store.ids("duplicates"))
    store.close()
    assert stored == {a["id"] for a in articles}, "\n".join(job.seen)
