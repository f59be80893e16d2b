"""`warta run`: one command runs broker, worker and live view; Ctrl-C drains before stopping."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import orjson
import pytest

from streams.core import topics
from streams.runtime.broker import terminate
from streams.runtime.harness import ROOT, Process, produce, run, run_env, wait_for
from streams.store import Store

pytestmark = pytest.mark.e2e
Lines = Callable[[list[str]], bool]


class Run:
    """A `warta run` process; its output goes to a log file, read whole at each look."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.env = run_env(tmp / "data")
        self.db = self.env["WARTA_DATABASE_URL"]
        self.bootstrap = f"127.0.0.1:{self.env['WARTA_EMBEDDED_PORT']}"
        self.process = Process.warta("run", *args, env=self.env, log=tmp / "run.log").start()

    @property
    def lines(self) -> list[str]:
        """Every line it printed so far (all of them once it has exited)."""
        return self.process.text().splitlines()

    def wait_for(self, seen: Lines, timeout: float = 120.0) -> bool:
        """True once its output satisfies `seen`; fails at once when it exits first."""
        return wait_for(lambda: seen(self.lines), timeout, alive=[self.process])

    def show(self) -> str:
        return "\n".join(self.lines)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        # After a failure before Ctrl-C: SIGTERM drains and stops its worker and broker too,
        # which a SIGKILL would leave running.
        self.process.stop(timeout=150)


def _count(prefix: str, lines: list[str]) -> int:
    return sum(line.startswith(prefix) for line in lines)


def test_run_with_samples_shows_articles_and_stops_cleanly(tmp_path: Path) -> None:
    with Run(tmp_path, "--samples") as job:
        # The dashboard's URL is printed once it answers, not before.
        assert job.wait_for(lambda x: any("worker ready" in line for line in x), 120), job.show()
        [ready] = [line for line in job.lines if "worker ready" in line]
        url = ready.split("dashboard on ")[1]
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200
        shown = job.wait_for(lambda x: _count("[unique]", x) >= 3 and _count("[duplicate]", x) >= 1)
        assert shown, job.show()
        # Its output is all in the log once it has exited: nothing is left to wait for.
        assert job.process.interrupt(180) == 0, job.show()
    assert "stopped" in job.lines
    assert not any("Traceback" in line for line in job.lines), job.show()
    # A clean stop logs no error (the live view's consumer is closed before the broker stops).
    assert not any(" ERROR " in line for line in job.lines), job.show()
    store = Store(job.db)
    assert store.counts() == {"articles": 3, "duplicates": 1}
    store.close()


def test_ctrl_c_finishes_what_was_accepted(tmp_path: Path) -> None:
    articles = [
        {
            "id": f"drain-{i}",
            "text": f"Berita nomor {i}\n\nWarga kampung {i} menanam {i * 7} pohon mangga "
            f"di tepi sungai pada hari ke-{i} bulan ini, kata ketua RT {i}.",
        }
        for i in range(25)
    ]
    messages = [(a["id"].encode(), orjson.dumps(a)) for a in articles]
    with Run(tmp_path) as job:
        assert job.wait_for(lambda x: any("worker ready" in line for line in x), 60), job.show()
        run(produce(job.bootstrap, topics.RAW, messages))
        assert job.process.interrupt(180) == 0, job.show()
    store = Store(job.db)
    stored = set(store.ids("articles")) | set(store.ids("duplicates"))
    store.close()
    assert stored == {a["id"] for a in articles}, job.show()


def test_ctrl_c_drains_when_its_output_pipe_is_closed(tmp_path: Path) -> None:
    """`warta run 2>&1 | tee run.log`: the same Ctrl-C ends tee, so every line of the drain
    meets a closed pipe; the drain runs anyway and every accepted article is stored."""
    articles = [
        {"id": f"pipe-{i}", "text": f"Berita {i}\n\nWarga desa {i} membangun {i * 3} jembatan."}
        for i in range(20)
    ]
    env = run_env(tmp_path / "data")
    bootstrap = f"127.0.0.1:{env['WARTA_EMBEDDED_PORT']}"
    argv = [sys.executable, "-m", "streams.cli", "run"]
    job = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert job.stdout is not None
        seen: list[bytes] = []
        for line in job.stdout:  # the reader (tee) reads until the worker answers
            seen.append(line)
            if b"worker ready" in line:
                break
        assert any(b"worker ready" in line for line in seen), b"".join(seen).decode()
        run(produce(bootstrap, topics.RAW, [(a["id"].encode(), orjson.dumps(a)) for a in articles]))
        job.stdout.close()  # tee is gone: nothing reads warta's output any more
        job.send_signal(signal.SIGINT)
        assert job.wait(180) == 0
    finally:
        terminate(job)
    store = Store(env["WARTA_DATABASE_URL"])
    stored = set(store.ids("articles")) | set(store.ids("duplicates"))
    store.close()
    assert stored == {a["id"] for a in articles}
