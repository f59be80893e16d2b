"""The README's Python snippets run against the real embedded broker, so the docs cannot rot."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streams.runtime.broker import EmbeddedBroker
from tests.conftest import ROOT, free_port
from tests.e2e import worker, worker_env

pytestmark = pytest.mark.e2e


def snippets() -> list[str]:
    """The ```python blocks of the README, in order."""
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]
    assert readme.index("make run") < readme.index("## The flow")


def test_readme_producer_and_consumer_work(tmp_path: Path) -> None:
    producer, consumer = snippets()[:2]
    with EmbeddedBroker("127.0.0.1", free_port()) as broker:
        env = worker_env(broker.bootstrap, f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path)
        with worker(env, tmp_path / "worker.log"):
            for name, code in (("producer.py", producer), ("consumer.py", consumer)):
                (tmp_path / name).write_text(code.replace("localhost:9092", broker.bootstrap))
            done = subprocess.run(
                [sys.executable, str(tmp_path / "producer.py")], timeout=60, capture_output=True
            )
            assert done.returncode == 0, done.stderr.decode()
            lines = _read_until(tmp_path / "consumer.py", "readme-example-1", timeout=120)
    assert any(line.startswith("readme-example-1 ") and " id" in line for line in lines), lines


def _read_until(script: Path, needle: str, timeout: float) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if needle in line:
                break
    finally:
        proc.kill()
        proc.wait()
    return lines
