"""`warta run`'s stop, without a broker: a second Ctrl-C says what it abandons."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from streams.cli import output, serve
from streams.settings import Settings


def test_a_second_ctrl_c_stops_the_drain_and_says_what_is_abandoned(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    second = threading.Event()
    reads = iter([{"articles.raw": 7, "articles.tagged": 2}, {"articles.raw": 5}])

    async def lag(*_: object, **__: object) -> dict[str, int]:
        found = next(reads)
        if "articles.tagged" not in found:
            second.set()  # the operator presses Ctrl-C again while 5 are still waiting
        return found

    monkeypatch.setattr(serve, "group_lag", lag)
    worker = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
    try:
        assert serve.drain(Settings(), worker, 60.0, second) is False
    finally:
        worker.kill()
        worker.wait()
    assert output.PRINTER.flush(10)
    err = capsys.readouterr().err
    assert "stopping now: 5 message(s) abandoned unprocessed (5 in articles.raw)" in err


def test_a_closed_output_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("streams.cli.output.click.echo", broken)
    redirected: list[int] = []
    monkeypatch.setattr("streams.cli.output.os.dup2", lambda _fd, to: redirected.append(to))
    output.write("finishing what is already in the topics", err=False)
    assert redirected == [sys.stdout.fileno()]


def test_a_stalled_terminal_never_holds_up_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-S (or a full pipe) blocks every write; the drain's lines must not wait for it."""
    resumed, writing = threading.Event(), threading.Event()
    written: list[str] = []

    def stalled(message: str, err: bool) -> None:
        writing.set()
        resumed.wait(30)
        written.append(message)

    monkeypatch.setattr(output, "write", stalled)
    printer = output.Printer(backlog=2)
    printer.say("line 0")
    assert writing.wait(10)  # the writer is stuck on it
    for n in range(1, 4):
        printer.say(f"line {n}")  # returns at once: two wait in the queue, one is dropped
    assert not printer.flush(0.1)
    assert printer.dropped == 1
    resumed.set()
    assert printer.flush(10)
    assert written == ["line 0", "line 1", "line 2"]
