"""The README's Python snippets run against the real embedded broker, so the docs cannot rot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from streams.runtime import harness
from streams.runtime.harness import Process, wait_for, worker, worker_env
from tests.conftest import ROOT

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
    with harness.broker() as broker:
        env = worker_env(broker.bootstrap, f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path)
        with worker(env, tmp_path / "worker.log") as proc:
            for name, code in (("producer.py", producer), ("consumer.py", consumer)):
                (tmp_path / name).write_text(code.replace("localhost:9092", broker.bootstrap))
            done = subprocess.run(
                [sys.executable, str(tmp_path / "producer.py")], timeout=60, capture_output=True
            )
            assert done.returncode == 0, done.stderr.decode()
            script = [sys.executable, str(tmp_path / "consumer.py")]
            with Process(script, tmp_path / "consumer.log") as reader:
                found = wait_for(lambda: _printed(reader.text()), timeout=120, alive=[proc, reader])
    assert found, reader.text()


def _printed(output: str) -> bool:
    """The consumer printed the example article: its id, title and language code."""
    return any(x.startswith("readme-example-1 ") and " id" in x for x in output.splitlines())
