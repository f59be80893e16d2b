"""Lines for the terminal of a long-running command, written so that output can never stop it.

Consumes lines (for stdout or stderr) from any thread; produces them, in order, from a writer
thread of their own. A paused or full terminal (Ctrl-S, a stalled pager) holds up only that
thread, and a reader that is gone (`warta run | tee` ended by the same Ctrl-C) points the stream
at /dev/null: `warta run`'s drain on Ctrl-C runs whatever happens to its output.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time

import click

# Lines waiting beyond this while the terminal is stalled are counted and dropped, not queued.
BACKLOG = 10_000


def write(message: str, err: bool) -> None:
    """Print one line now; a closed stream is replaced by /dev/null instead of raising."""
    stream = sys.stderr if err else sys.stdout
    try:
        click.echo(message, err=err)
    except OSError:  # BrokenPipeError, or the terminal is gone
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)


class Printer:
    """An ordered queue of lines and the daemon thread that writes them."""

    def __init__(self, backlog: int = BACKLOG) -> None:
        self._lines: queue.Queue[tuple[str, bool]] = queue.Queue(maxsize=backlog)
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def say(self, message: str, err: bool = False) -> None:
        """Queue a line; returns at once, whatever the terminal does."""
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="output", daemon=True)
                self._thread.start()
        try:
            self._lines.put_nowait((message, err))
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the queued lines to be written; True when they were."""
        deadline = time.monotonic() + timeout
        idle = threading.Event()
        while self._lines.unfinished_tasks and time.monotonic() < deadline:
            idle.wait(0.02)
        return not self._lines.unfinished_tasks

    def _run(self) -> None:
        while True:
            message, err = self._lines.get()
            try:
                write(message, err)
            finally:
                self._lines.task_done()


PRINTER = Printer()
