"""`warta run`'s stop, without a broker: a second Ctrl-C says what it abandons."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from streams.cli import serve
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
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert serve._drain(Settings(), worker, 60.0, second) is False
    finally:
        worker.kill()
        worker.wait()
    err = capsys.readouterr().err
    assert "stopping now: 5 message(s) abandoned unprocessed (5 in articles.raw)" in err


def test_a_closed_output_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(serve.click, "echo", broken)
    redirected: list[int] = []
    monkeypatch.setattr(serve.os, "dup2", lambda _fd, to: redirected.append(to))
    serve._say("finishing what is already in the topics")
    assert redirected == [sys.stdout.fileno()]
